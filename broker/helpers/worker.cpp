// Blocking container operations, run in the worker process.
#include "worker.hpp"

#include "app_environment.hpp"
#include "audio_daemon.hpp"
#include "child_process.hpp"
#include "container.hpp"
#include "network.hpp"
#include "share_idmap.hpp"
#include "supervisor.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <spawn.h>
#include <signal.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <fstream>
#include <optional>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <iterator>

extern char** environ;

namespace ctop {
using containers::BindMount;
using containers::Container;
using containers::RunOptions;
using nlohmann::json;

namespace {

json fail(const std::string& message)
{
    return {{"ok", false}, {"error", message}};
}

// The container's two audio sockets, when the session passes them (as fds 3
// and 4: see Session::spawn and Session::start_audio); else -1.
int audio_fds[2] = {-1, -1};

std::vector<BindMount> mounts_from(const json& req)
{
    std::vector<BindMount> mounts;
    mounts.push_back({req.at("runtime_dir").get<std::string>(), broker_dir_inside, true, false});
    for (const auto& s : req.value("shares", json::array()))
        mounts.push_back(
            {s.at("host").get<std::string>(), s.at("path").get<std::string>(), s.value("read_only", true), false});
    return mounts;
}

// The devices the policy grants, as mounts and cgroup rules.
std::vector<DeviceNode> devices_from(const json& req)
{
    return granted_devices(req.value("devices", json::object()));
}

// The policy's limits, as the session read them for this start (null: none).
containers::Limits limits_from(const json& req)
{
    containers::Limits limits;
    const json l = req.value("limits", json::object());
    if (l.contains("memory") && l["memory"].is_number_unsigned())
        limits.memory_bytes = l["memory"].get<std::uint64_t>();
    if (l.contains("pids") && l["pids"].is_number_unsigned()) limits.pids = l["pids"].get<std::uint32_t>();
    if (l.contains("cpu_weight") && l["cpu_weight"].is_number_unsigned())
        limits.cpu_weight = l["cpu_weight"].get<std::uint32_t>();
    return limits;
}

// A writable share belongs to a host user (root, for a root session) that is
// not the container's user: once the container runs, it is mounted again over
// its plain bind, idmapped so that the container's user reads and writes it as
// the owner. The mapping's namespace is needed only while mounting.
// A normal user's session cannot make idmapped mounts (the kernel wants
// CAP_SYS_ADMIN over the host's filesystem): there the share stays a plain
// bind and POSIX ACLs let the container's user in, rwX on what is there and
// as default entries, so what either side makes stays open to both.
void open_share_by_acl(const std::string& container, const std::string& dir, uid_t container_user, uid_t owner)
{
    const std::string c = std::to_string(container_user), o = std::to_string(owner);
    std::vector<std::string> args{"setfacl", "-R", "-m", "u:" + c + ":rwX,d:u:" + c + ":rwX,d:u:" + o + ":rwX",
                                  "--",      dir};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, "setfacl", nullptr, nullptr, argv.data(), environ);
    int status = 0;
    while (rc == 0 && waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (rc != 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw std::runtime_error("container '" + container + "': cannot open the writable share " + dir +
                                 " to its user by ACL (setfacl " + (rc ? std::strerror(rc) : "failed") +
                                 "; `sudo apt-get install acl`, and a filesystem with ACLs): or share it read-only");
}

void idmap_writable_shares(const Container& c, const std::vector<BindMount>& mounts)
{
    const uid_t user = c.host_uid(1000);
    const gid_t group = c.host_gid(1000);
    for (const auto& m : mounts) {
        struct stat st {};
        if (m.read_only || stat(m.host_path.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) continue;
        if (st.st_uid == user && st.st_gid == group) continue;
        if (geteuid() != 0) {
            open_share_by_acl(c.name(), m.host_path.string(), user, st.st_uid);
            continue;
        }
        ShareIdmap map(st.st_uid, st.st_gid, user, group);
        mount_idmapped_share(c.init_pid(), m.host_path.string(), m.container_path, map);
    }
}

// An unprivileged container mounts its socket directory as its own (mapped)
// root, which must be able to walk down to it through the user's private
// runtime dir. Grant exactly that uid search permission on each directory on
// the way, by ACL: no other user gets in.
void let_container_root_reach(const std::filesystem::path& dir, uid_t mapped_root)
{
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime) return;
    std::filesystem::path top = std::filesystem::path(runtime).lexically_normal();
    for (std::filesystem::path p = dir.parent_path();; p = p.parent_path()) {
        acl_t acl = acl_get_file(p.c_str(), ACL_TYPE_ACCESS);
        if (!acl) throw std::runtime_error("cannot read the ACL of " + p.string() + ": " + std::strerror(errno));
        acl_entry_t entry;
        acl_permset_t perms;
        bool ok = acl_create_entry(&acl, &entry) == 0 && acl_set_tag_type(entry, ACL_USER) == 0 &&
                  acl_set_qualifier(entry, &mapped_root) == 0 && acl_get_permset(entry, &perms) == 0 &&
                  acl_clear_perms(perms) == 0 && acl_add_perm(perms, ACL_EXECUTE) == 0 && acl_calc_mask(&acl) == 0 &&
                  acl_set_file(p.c_str(), ACL_TYPE_ACCESS, acl) == 0;
        int err = errno;
        acl_free(acl);
        if (!ok)
            throw std::runtime_error("cannot let the container's root reach " + dir.string() + " (ACL on " +
                                     p.string() + "): " + std::strerror(err));
        if (p.lexically_normal() == top || p == p.parent_path()) break;
    }
}

int open_log(const std::string& path)
{
    if (path.empty()) return -1;
    return open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

// Whether a running container still has what the set-up below makes, seen
// from the host through its init's root: then a spawn needs one attach (the
// app), not two. The socket check is the one that matters: a container
// started by something else has no socket mount.
bool prepared(const Container& c)
{
    namespace fs = std::filesystem;
    pid_t init = c.init_pid();
    if (init <= 0) return false;
    fs::path root = "/proc/" + std::to_string(init) + "/root";
    std::error_code ec;
    return fs::is_socket(root / "run/ctopbroker/wayland-0", ec) && fs::is_directory(root / "run/user/1000", ec) &&
           fs::is_symlink(root / "tmp/.X11-unix/X0", ec);
}

// Whether the running container's /run/ctopbroker is this session's
// directory for it (a bind mount shows the directory's device and inode).
bool serves(const Container& c, const std::filesystem::path& runtime_dir)
{
    pid_t init = c.init_pid();
    if (init <= 0) return false;
    struct stat inside {
    }, ours{};
    std::string path = "/proc/" + std::to_string(init) + "/root" + broker_dir_inside;
    if (stat(path.c_str(), &inside) != 0 || stat(runtime_dir.c_str(), &ours) != 0) return false;
    return inside.st_dev == ours.st_dev && inside.st_ino == ours.st_ino;
}

json finish_spawn(Container& c, const json& req, bool started);

// The container's session bus, before its first app, which may look for it at
// once (the agent starts after that app). --fork returns once it listens.
// Without dbus-daemon in the container, apps run without a bus.
void start_session_bus(Container& c, const json& req)
{
    RunOptions bus;
    bus.argv = {"/bin/sh", "-c",
                "command -v dbus-daemon >/dev/null || exit 0; "
                "exec dbus-daemon --session --fork --nopidfile --address=" +
                    std::string(session_bus_address)};
    bus.env = {"PATH=/usr/bin:/bin", "HOME=/home/user", "XDG_RUNTIME_DIR=/run/user/1000"};
    bus.cwd = "/home/user";
    int log = open_log(req.value("log", ""));
    bus.stdout_fd = log;
    bus.stderr_fd = log;
    if (c.run_wait(bus) != 0 && log >= 0)
        dprintf(log, "ctopbroker: container '%s': its session bus did not start (see above)\n", c.name().c_str());
    if (log >= 0) close(log);
}

json spawn(const json& req)
{
    Container c(req.at("name"), req.at("lxcpath").get<std::string>());
    if (!c.exists())
        return fail("container '" + c.name() + "' does not exist: create it with `ctopbroker create " + c.name() + "`");
    if (req.contains("session_pid")) {
        std::string why =
            claim_container(c.name(), req.at("lxcpath").get<std::string>(), req["session_pid"].get<pid_t>());
        if (!why.empty()) return fail(why);
    }
    // Running with another session's sockets (or none): no live session owns
    // it (claimed above), and its apps lost their display with that session.
    // It starts again with ours.
    bool restarted = false;
    if (c.running() && !serves(c, req.at("runtime_dir").get<std::string>())) {
        c.stop(std::chrono::seconds(3));
        restarted = true;
    }
    bool started = false;
    if (!c.running()) {
        if (uid_t root = c.host_uid(0); root != 0)
            let_container_root_reach(req.at("runtime_dir").get<std::string>(), root);
        std::vector<BindMount> mounts = mounts_from(req);
        containers::Limits limits = limits_from(req);
        for (const auto& d : devices_from(req)) {
            mounts.push_back({d.host, d.inside, false, true});
            limits.device_allow.push_back(d.rule);
        }
        c.update_mounts(mounts);
        auto mode = net::parse_mode(req.value("network", "none"));
        if (!mode) return fail("container '" + c.name() + "': unknown network mode");
        c.update_network(net::attachment(c.name(), req.at("lxcpath").get<std::string>(), *mode));
        c.update_limits(limits);
        c.start();
        try {
            idmap_writable_shares(c, mounts);
        } catch (...) {
            c.stop();
            throw;
        }
        started = true;
    }
    if (!started && prepared(c)) return finish_spawn(c, req, started);
    // The user's private runtime dir, fresh in every container.
    RunOptions prep;
    prep.argv = {"/bin/sh", "-c",
                 // A container made before it had one (or a template's empty file).
                 "{ [ -s /etc/machine-id ] || tr -d - < /proc/sys/kernel/random/uuid > /etc/machine-id; } 2>/dev/null; "
                 "mkdir -p /run/user/1000 && chown 1000:1000 /run/user/1000 && chmod 700 /run/user/1000 && "
                 // X clients look for display :0 here; the socket is the session's.
                 "mkdir -p /tmp/.X11-unix && chmod 1777 /tmp/.X11-unix && "
                 "ln -sfn " +
                     std::string(broker_dir_inside) +
                     "/X0 /tmp/.X11-unix/X0 && "
                     // PulseAudio apps look here; the socket is the session's (lazy audio).
                     "mkdir -p /run/user/1000/pulse && chown 1000:1000 /run/user/1000/pulse && "
                     "ln -sfn " +
                     std::string(pulse_socket_inside) +
                     " /run/user/1000/pulse/native && "
                     "test -S " +
                     std::string(broker_dir_inside) + "/wayland-0"};
    prep.env = {"PATH=/usr/bin:/bin:/usr/sbin:/sbin"};
    prep.uid = 0;
    prep.gid = 0;
    if (c.run_wait(prep) != 0)
        return fail("container '" + c.name() +
                    "' is running without ctopbroker's socket mount (started by "
                    "something else?): stop it with `ctopbroker stop " +
                    c.name() + "` and spawn again");
    start_session_bus(c, req);
    json reply = finish_spawn(c, req, started);
    if (restarted) reply["restarted"] = true;
    return reply;
}

// The app (and the audio daemon) in a container that is ready for them.
json finish_spawn(Container& c, const json& req, bool started)
{
    json reply = {{"ok", true}, {"started", started}, {"privilege", std::string(to_string(c.privilege()))}};
    if (req.value("audio_sockets", false)) {
        // Audio is not worth failing the spawn for: the app runs, the session
        // says why it is silent.
        try {
            bind_audio_sockets(req.at("runtime_dir").get<std::string>(), audio_fds[0], audio_fds[1]);
            reply["audio_armed"] = true;
        } catch (const std::exception& e) {
            reply["audio_error"] = "container '" + c.name() + "': " + e.what();
        }
    }
    std::vector<std::string> argv = req.value("argv", std::vector<std::string>{});
    if (!argv.empty()) {
        RunOptions run;
        run.argv = argv;
        run.env =
            app_environment(req.at("name"), req.value("audio", false), req.value("env", std::vector<std::string>{}));
        run.cwd = "/home/user";
        int log = open_log(req.value("log", ""));
        run.stdout_fd = log;
        run.stderr_fd = log;
        // Where this app's output starts: the session quotes it if the app fails.
        if (log >= 0) reply["log_offset"] = static_cast<int64_t>(lseek(log, 0, SEEK_END));
        pid_t pid = c.run(run);
        if (log >= 0) close(log);
        reply["pid"] = pid;
    }
    return reply;
}

// The daemons could not start: the clients that wait on their sockets are
// told (their connection closes) rather than left waiting. Here, not on the
// session's loop: accept() on these blocking sockets may wait, if something
// else took the connection between poll() and accept().
void refuse_waiting_clients()
{
    for (int fd : audio_fds) {
        pollfd ready{fd, POLLIN, 0};
        while (fd >= 0 && poll(&ready, 1, 0) == 1 && (ready.revents & POLLIN)) {
            int client = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) break;
            close(client);
        }
    }
}

// The first audio client connected: the daemons start on the sockets the
// session kept (fds 3 and 4, as at the spawn that bound them).
json start_audio(const json& req)
{
    Container c(req.at("name"), req.at("lxcpath").get<std::string>());
    if (!c.running()) return fail("container '" + c.name() + "' is not running");
    if (audio_fds[0] < 0 || audio_fds[1] < 0) return fail("worker: the audio sockets were not passed");
    int log = open_log(req.value("log", ""));
    try {
        pid_t pid = start_container_audio(c, req.at("runtime_dir").get<std::string>(), audio_fds[0], audio_fds[1], log);
        if (log >= 0) close(log);
        std::filesystem::path socket = std::filesystem::path(req.at("runtime_dir").get<std::string>()) / "pipewire-0";
        return {{"ok", true}, {"daemon_pid", pid}, {"init_pid", c.init_pid()}, {"audio_socket", socket.string()}};
    } catch (...) {
        if (log >= 0) close(log);
        refuse_waiting_clients();
        throw;
    }
}

// A container's daemon died: new sockets replace the old ones at the same
// paths. Something still answering on the old one is not ours (the session
// closed its copy, the daemon is gone): its user took it, and it now reaches
// nobody.
json rebind_audio(const json& req)
{
    if (audio_fds[0] < 0 || audio_fds[1] < 0) return fail("worker: the audio sockets were not passed");
    std::filesystem::path dir = req.at("runtime_dir").get<std::string>();
    if (socket_answers(dir / "pipewire-0")) {
        int log = open_log(req.value("log", ""));
        std::string line = "ctopbroker: container '" + req.value("name", std::string("?")) +
                           "': its PipeWire daemon is gone but something still answers on its socket: refused; "
                           "a new daemon gets a new socket\n";
        if (log >= 0 && write(log, line.data(), line.size()) < 0) std::perror("ctopbroker: audio log");
        if (log >= 0) close(log);
        std::fputs(line.c_str(), stderr);
    }
    bind_audio_sockets(dir, audio_fds[0], audio_fds[1]);
    return {{"ok", true}};
}

json stop(const json& req)
{
    Container c(req.at("name"), req.at("lxcpath").get<std::string>());
    if (!c.exists()) return fail("container '" + c.name() + "' does not exist");
    if (c.running()) c.stop(std::chrono::seconds(req.value("timeout", 5)));
    return {{"ok", true}};
}

// One node, if it is a character or block device: its mount and rule.
std::optional<DeviceNode> device_node(const std::filesystem::path& node, const std::filesystem::path& dev_root)
{
    struct stat st {};
    if (stat(node.c_str(), &st) != 0 || !(S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))) return std::nullopt;
    std::string inside = "/dev/" + node.lexically_relative(dev_root).string();
    std::string rule = std::string(S_ISCHR(st.st_mode) ? "c " : "b ") + std::to_string(major(st.st_rdev)) + ":" +
                       std::to_string(minor(st.st_rdev)) + " rwm";
    return DeviceNode{node, inside, rule};
}

// dev_root/PREFIX* that are device nodes, in name order.
std::vector<DeviceNode> nodes_named(const std::filesystem::path& dir, const std::string& prefix,
                                    const std::filesystem::path& dev_root)
{
    std::vector<std::filesystem::path> found;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
        if (entry.path().filename().string().starts_with(prefix)) found.push_back(entry.path());
    std::sort(found.begin(), found.end());
    std::vector<DeviceNode> out;
    for (const auto& path : found)
        if (auto node = device_node(path, dev_root)) out.push_back(*node);
    return out;
}

std::string first_line(const std::filesystem::path& file)
{
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

}  // namespace

std::vector<DeviceNode> granted_devices(const json& grants, const std::filesystem::path& dev_root,
                                        const std::filesystem::path& sys_root)
{
    std::vector<DeviceNode> out;
    auto add = [&](const std::vector<DeviceNode>& nodes) { out.insert(out.end(), nodes.begin(), nodes.end()); };
    // The render nodes only: a client renders with them, but cannot take the
    // display (the card* nodes are the compositor's).
    if (grants.value("gpu", false)) add(nodes_named(dev_root / "dri", "renderD", dev_root));
    if (grants.value("camera", false)) add(nodes_named(dev_root, "video", dev_root));
    for (const auto& id : grants.value("usb", json::array())) {
        std::string want = id.get<std::string>();
        std::transform(want.begin(), want.end(), want.begin(), ::tolower);
        std::error_code ec;
        for (const auto& dev : std::filesystem::directory_iterator(sys_root / "bus/usb/devices", ec)) {
            if (first_line(dev.path() / "idVendor") + ":" + first_line(dev.path() / "idProduct") != want) continue;
            char node[32];
            std::snprintf(node, sizeof node, "bus/usb/%03d/%03d", std::atoi(first_line(dev.path() / "busnum").c_str()),
                          std::atoi(first_line(dev.path() / "devnum").c_str()));
            if (auto n = device_node(dev_root / node, dev_root)) out.push_back(*n);
        }
    }
    for (const auto& path : grants.value("paths", json::array())) {
        std::filesystem::path node =
            dev_root / std::filesystem::path(path.get<std::string>()).lexically_relative("/dev");
        auto n = device_node(node, dev_root);
        if (!n)
            throw std::runtime_error("devices: " + path.get<std::string>() +
                                     " is not a device node on this host: plug "
                                     "it in, or take it out of the policy (`ctopbroker set NAME devices=...`)");
        out.push_back(*n);
    }
    return out;
}

json worker_handle(const json& req)
{
    try {
        std::string op = req.value("op", "");
        if (op == "spawn") return spawn(req);
        if (op == "stop") return stop(req);
        if (op == "audio") return start_audio(req);
        if (op == "audio_sockets") return rebind_audio(req);
        return fail("worker: unknown op '" + op + "'");
    } catch (const std::exception& e) {
        return fail(e.what());
    }
}

int worker_main()
{
    // Passed only when the request says so; close-on-exec, so no app the
    // worker starts inherits a listening socket.
    for (int i = 0; i < 2; ++i) {
        int fd = 3 + i;
        struct stat st {};
        if (fstat(fd, &st) == 0 && S_ISSOCK(st.st_mode)) {
            fcntl(fd, F_SETFD, FD_CLOEXEC);
            audio_fds[i] = fd;
        }
    }
    std::string input((std::istreambuf_iterator<char>(std::cin)), {});
    json req = json::parse(input, nullptr, false);
    json reply = req.is_discarded() ? fail("worker: malformed request") : worker_handle(req);
    std::cout << reply.dump() << "\n" << std::flush;
    return 0;
}

}  // namespace ctop
