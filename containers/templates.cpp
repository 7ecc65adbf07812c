// Rootfs templates (see templates.hpp): the offline "minimal" one and
// debootstrap's "debian", plus what both share: /etc identity files, the
// user, the init, and shifting ownership for unprivileged containers.
#include "templates.hpp"

#include "container.hpp"

#include <fcntl.h>
#include <ftw.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>

extern char** environ;

namespace ctop::containers {
namespace fs = std::filesystem;

namespace {

// Inside the container; /opt because a debootstrapped rootfs leaves it empty.
constexpr const char* init_dir = "opt/ctopbroker";
constexpr const char* tmpfs_tmp = "tmpfs tmp tmpfs rw,nosuid,nodev,mode=1777,create=dir 0 0";
// What minbase lacks that every container's apps get: a session bus (its
// dbus-daemon; dbus-bin with dbus-send comes with it), which the worker and
// the agent start and which carries the apps' notifications.
constexpr const char* debian_extra_packages = "dbus-daemon";
constexpr const char* tmpfs_run = "tmpfs run tmpfs rw,nosuid,nodev,mode=755,create=dir 0 0";

ContainerError error(const std::string& container, const std::string& what)
{
    return ContainerError("container '" + container + "': " + what);
}

std::string errno_text()
{
    return std::strerror(errno);
}

void make_dir(const std::string& container, const fs::path& dir, mode_t mode = 0755)
{
    if (mkdir(dir.c_str(), mode) != 0 && errno != EEXIST)
        throw error(container, "cannot create " + dir.string() + ": " + errno_text());
    chmod(dir.c_str(), mode);  // mkdir's mode passed through the umask
}

void write_file(const std::string& container, const fs::path& file, const std::string& text, mode_t mode = 0644)
{
    std::ofstream out(file, std::ios::binary | std::ios::trunc);
    out << text;
    out.close();
    if (!out) throw error(container, "cannot write " + file.string() + ": " + errno_text());
    chmod(file.c_str(), mode);
}

void copy_executable(const std::string& container, const std::vector<fs::path>& candidates, const fs::path& to,
                     const std::string& package)
{
    for (const auto& from : candidates) {
        std::error_code ec;
        if (!fs::is_regular_file(from, ec)) continue;
        fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
        if (ec) throw error(container, "cannot copy " + from.string() + " to " + to.string() + ": " + ec.message());
        chmod(to.c_str(), 0755);
        return;
    }
    throw error(container,
                "no " + candidates.front().filename().string() + " on the host: `apt-get install " + package + "`");
}

// The main process init.lxc runs. init.lxc answers stop()'s SIGPWR with
// SIGTERM to everyone and SIGKILL 1 s later, but it exits as soon as its own
// children are gone, and the kernel then kills the whole pid namespace at
// once. Apps attached from outside are not its children until their host
// parent exits, so a plain sleep here would cut their shutdown short: this
// waits (within init.lxc's 1 s) until nothing but init, itself and its own
// children is left.
constexpr const char* keepalive_script = R"(# ctopbroker: keeps the container up; see containers/templates.cpp
others_left() {
    for s in /proc/[0-9]*/stat; do
        read -r pid comm state ppid rest < "$s" 2>/dev/null || continue
        [ "$pid" = 1 ] || [ "$pid" = $$ ] || [ "$ppid" = $$ ] || return 0
    done
    return 1
}
trap 'while others_left; do /opt/ctopbroker/busybox sleep 0.02; done; exit 0' TERM
# A network of its own (policy network = internet or lan): an address,
# route and resolver from the bridge's DHCP server, renewed for as long as
# the container runs.
if [ -e /sys/class/net/eth0 ]; then
    /opt/ctopbroker/busybox udhcpc -f -i eth0 -s /opt/ctopbroker/dhcp-event -A 2 >/dev/null 2>&1 &
fi
while :; do
    /opt/ctopbroker/busybox sleep 2147483647 &
    wait $!
done
)";

// udhcpc's event script: applies what the DHCP server said to eth0, the
// default route and /etc/resolv.conf. Busybox's own applets, so the debian
// template works the same without iproute2.
constexpr const char* dhcp_event_script = R"(# ctopbroker: udhcpc's event script; see containers/templates.cpp
bb=/opt/ctopbroker/busybox
case "$1" in
deconfig)
    $bb ip -4 addr flush dev "$interface"
    $bb ip link set "$interface" up
    ;;
bound|renew)
    $bb ip addr replace "$ip/${mask:-24}" dev "$interface"
    [ -n "$router" ] && $bb ip route replace default via "${router%% *}" dev "$interface"
    : > /etc/resolv.conf.new
    for server in $dns; do echo "nameserver $server" >> /etc/resolv.conf.new; done
    $bb mv -f /etc/resolv.conf.new /etc/resolv.conf
    ;;
esac
exit 0
)";

// Statically linked, so the init works whatever (or nothing) is in /usr.
std::string install_init(const std::string& container, const fs::path& rootfs)
{
    make_dir(container, rootfs / "opt");
    make_dir(container, rootfs / init_dir);
    copy_executable(container, {"/usr/sbin/init.lxc.static", "/sbin/init.lxc.static"}, rootfs / init_dir / "init",
                    "lxc");
    copy_executable(container, {"/usr/bin/busybox", "/bin/busybox"}, rootfs / init_dir / "busybox", "busybox-static");
    write_file(container, rootfs / init_dir / "keepalive", keepalive_script);
    write_file(container, rootfs / init_dir / "dhcp-event", dhcp_event_script, 0755);
    const std::string dir = std::string("/") + init_dir;
    return dir + "/init -n " + container + " -- " + dir + "/busybox sh " + dir + "/keepalive";
}

void write_identity(const std::string& container, const fs::path& rootfs)
{
    write_file(container, rootfs / "etc/hostname", container + "\n");
    write_file(container, rootfs / "etc/hosts",
               "127.0.0.1 localhost\n127.0.1.1 " + container + "\n::1 localhost ip6-localhost ip6-loopback\n");
    // Its own, never the host's: D-Bus and dconf key their files on it, and
    // an app must not learn the host's from inside.
    write_file(container, rootfs / "etc/machine-id", new_machine_id() + "\n", 0444);
}

}  // namespace

std::string new_machine_id()
{
    unsigned char bytes[16] = {};
    std::ifstream in("/dev/urandom", std::ios::binary);
    in.read(reinterpret_cast<char*>(bytes), sizeof bytes);
    if (!in) throw ContainerError("cannot read /dev/urandom for a machine-id");
    static const char hex[] = "0123456789abcdef";
    std::string id;
    for (unsigned char b : bytes) id += {hex[b >> 4], hex[b & 15]};
    return id;
}

namespace {

bool has_entry(const fs::path& file, const std::string& name)
{
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line))
        if (line.rfind(name + ":", 0) == 0) return true;
    return false;
}

void append_line(const std::string& container, const fs::path& file, const std::string& line)
{
    std::ofstream out(file, std::ios::app);
    out << line << "\n";
    if (!out) throw error(container, "cannot write " + file.string() + ": " + errno_text());
}

// Adds `user` (1000:1000, home /home/user) unless the rootfs already has it.
void ensure_user(const std::string& container, const fs::path& rootfs, const std::string& shell)
{
    const fs::path etc = rootfs / "etc";
    if (!has_entry(etc / "passwd", "user"))
        append_line(container, etc / "passwd", "user:x:1000:1000:user:/home/user:" + shell);
    if (!has_entry(etc / "group", "user")) append_line(container, etc / "group", "user:x:1000:");
    if (fs::exists(etc / "shadow") && !has_entry(etc / "shadow", "user"))
        append_line(container, etc / "shadow", "user:*:19000:0:99999:7:::");
    make_dir(container, rootfs / "home");
    make_dir(container, rootfs / "home/user", 0750);
    // A normal user cannot give a file away; shift_ownership_as_user does it
    // inside the container's user namespace.
    if (geteuid() != 0) return;
    if (lchown((rootfs / "home/user").c_str(), 1000, 1000) != 0)
        throw error(container, "cannot chown " + (rootfs / "home/user").string() + ": " + errno_text());
}

// Mirrors one host path into the minimal rootfs: a symlink is copied (its
// target lives in the bound /usr), a directory or file is bound read-only.
void mirror_host_path(const std::string& container, const fs::path& rootfs, const std::string& rel,
                      RootfsLayout& layout)
{
    const fs::path host = fs::path("/") / rel;
    struct stat st {};
    if (lstat(host.c_str(), &st) != 0) return;  // absent on this host: nothing to mirror
    const fs::path target = rootfs / rel;
    if (S_ISLNK(st.st_mode)) {
        std::error_code ec;
        fs::create_symlink(fs::read_symlink(host), target, ec);
        if (ec) throw error(container, "cannot create symlink " + target.string() + ": " + ec.message());
    } else if (S_ISDIR(st.st_mode)) {
        make_dir(container, target);
        layout.mount_entries.push_back(host.string() + " " + rel + " none bind,ro,create=dir 0 0");
    } else if (S_ISREG(st.st_mode)) {
        write_file(container, target, "");
        layout.mount_entries.push_back(host.string() + " " + rel + " none bind,ro,create=file 0 0");
    }
}

RootfsLayout build_minimal(const std::string& container, const fs::path& rootfs)
{
    RootfsLayout layout;
    for (const char* dir : {"dev", "proc", "sys", "tmp", "run", "etc", "var", "home", "usr", "mnt"})
        make_dir(container, rootfs / dir);
    make_dir(container, rootfs / "root", 0700);
    make_dir(container, rootfs / "var/tmp", 01777);
    layout.mount_entries.push_back("/usr usr none bind,ro,create=dir 0 0");
    for (const std::string& rel : template_host_paths())
        if (rel != "usr") mirror_host_path(container, rootfs, rel, layout);
    write_file(container, rootfs / "etc/passwd",
               "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
    write_file(container, rootfs / "etc/group", "root:x:0:\nnogroup:x:65534:\n");
    ensure_user(container, rootfs, "/bin/sh");
    layout.mount_entries.push_back(tmpfs_tmp);
    layout.mount_entries.push_back(tmpfs_run);
    return layout;
}

// Runs argv, its output appended to `log` and each line starting with one of
// `shown` echoed to stderr as "debian template: ..." (debootstrap and apt take
// minutes: the user sees where they are). Returns the exit status.
int run_with_progress(const std::vector<std::string>& args, const fs::path& log, const std::vector<std::string>& shown,
                      const std::vector<std::string>& env = {})
{
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) return -1;
    std::vector<std::string> args_copy = args, env_copy = env;
    std::vector<char*> argv, envp;
    for (auto& a : args_copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    for (char** e = environ; *e; ++e) envp.push_back(*e);
    for (auto& e : env_copy) envp.push_back(e.data());
    envp.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&actions, out[1], 1);
    posix_spawn_file_actions_adddup2(&actions, out[1], 2);
    pid_t pid = -1;
    int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&actions);
    close(out[1]);
    if (rc != 0) {
        close(out[0]);
        return -1;
    }
    FILE* in = fdopen(out[0], "r");
    FILE* logf = fopen(log.c_str(), "a");
    char* line = nullptr;
    size_t size = 0;
    while (in && getline(&line, &size, in) > 0) {
        if (logf) fputs(line, logf);
        for (const auto& prefix : shown)
            if (std::strncmp(line, prefix.c_str(), prefix.size()) == 0)
                std::fprintf(stderr, "debian template: %s", line);
    }
    free(line);
    if (in) fclose(in);
    if (logf) fclose(logf);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

void run_debootstrap(const std::string& container, const fs::path& rootfs, const AptMirrors& mirrors)
{
    const fs::path tool = "/usr/sbin/debootstrap";
    if (access(tool.c_str(), X_OK) != 0)
        throw error(container, "the debian template needs debootstrap: `apt-get install debootstrap`");
    const fs::path log = rootfs.parent_path() / "debootstrap.log";
    std::fprintf(stderr, "debian template: debootstrap bookworm from %s (a few minutes; log: %s)\n",
                 mirrors.debian.c_str(), log.c_str());
    int status =
        run_with_progress({tool.string(), "--variant=minbase", "--include=" + std::string(debian_extra_packages),
                           "bookworm", rootfs.string(), mirrors.debian},
                          log,
                          {"I: Retrieving Release", "I: Validating Packages", "I: Resolving", "I: Extracting",
                           "I: Installing", "I: Configuring apt", "I: Base system installed", "E:", "W:"});
    if (status != 0)
        throw error(container,
                    "debootstrap failed (needs the network to reach " + mirrors.debian + "): see " + log.string());
}

// The container's apt gets the host's mirrors, the updates and the security
// suite; the security updates out now are installed before it first starts.
void apply_security_updates(const std::string& container, const fs::path& rootfs, const AptMirrors& mirrors)
{
    std::error_code ec;
    fs::remove(rootfs / "etc/apt/sources.list", ec);
    write_file(container, rootfs / "etc/apt/sources.list.d/debian.sources",
               "Types: deb\nURIs: " + mirrors.debian +
                   "\nSuites: bookworm bookworm-updates\nComponents: main\n"
                   "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n"
                   "Types: deb\nURIs: " +
                   mirrors.security +
                   "\nSuites: bookworm-security\nComponents: main\n"
                   "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n");
    const fs::path log = rootfs.parent_path() / "debootstrap.log";
    std::fprintf(stderr, "debian template: security updates from %s\n", mirrors.security.c_str());
    const std::vector<std::string> env = {"DEBIAN_FRONTEND=noninteractive"};
    for (const std::vector<std::string>& step :
         {std::vector<std::string>{"/usr/sbin/chroot", rootfs.string(), "apt-get", "-q", "update"},
          {"/usr/sbin/chroot", rootfs.string(), "apt-get", "-q", "-y", "upgrade"},
          {"/usr/sbin/chroot", rootfs.string(), "apt-get", "-q", "clean"}})
        if (run_with_progress(step, log, {"Get:", "Hit:", "Setting up", "E:", "W:"}, env) != 0)
            throw error(container, "apt-get " + step[3 + (step[3] == "-q")] +
                                       " in the new rootfs failed (the network? " + mirrors.security + "): see " +
                                       log.string());
}

RootfsLayout build_debian(const std::string& container, const fs::path& rootfs)
{
    const AptMirrors mirrors = host_apt_mirrors();
    run_debootstrap(container, rootfs, mirrors);
    apply_security_updates(container, rootfs, mirrors);
    RootfsLayout layout;
    ensure_user(container, rootfs, "/bin/bash");
    layout.mount_entries.push_back(tmpfs_tmp);
    layout.mount_entries.push_back(tmpfs_run);
    return layout;
}

// An unprivileged container's root is a host id like 100000: every file must
// be owned by the mapped ids, or root inside would see nobody's files.
void shift_ownership(const std::string& container, const fs::path& rootfs, const IdMap& map)
{
    std::set<std::pair<dev_t, ino_t>> hardlinks_done;  // gzip and gunzip are one inode: shift it once
    auto shift = [&](const fs::path& p) {
        struct stat st {};
        if (lstat(p.c_str(), &st) != 0) throw error(container, "cannot stat " + p.string() + ": " + errno_text());
        if (!S_ISDIR(st.st_mode) && st.st_nlink > 1 && !hardlinks_done.insert({st.st_dev, st.st_ino}).second) return;
        auto uid = to_host(map.uids, st.st_uid);
        auto gid = to_host(map.gids, st.st_gid);
        if (!uid || !gid) throw error(container, p.string() + " is owned by an id the container cannot map");
        if (lchown(p.c_str(), *uid, *gid) != 0)
            throw error(container, "cannot chown " + p.string() + ": " + errno_text());
        // chown clears setuid/setgid bits; put them back (relative to the new owner).
        if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_ISUID | S_ISGID))) chmod(p.c_str(), st.st_mode & 07777);
    };
    shift(rootfs);
    for (auto it = fs::recursive_directory_iterator(rootfs); it != fs::recursive_directory_iterator(); ++it)
        shift(it->path());
}

}  // namespace

void run_in_container_userns(const std::string& container, const IdMap& map, std::vector<std::string> argv,
                             std::string* out)
{
    std::vector<std::string> args{"lxc-usernsexec"};
    auto add = [&](char kind, const std::vector<IdRange>& ranges, unsigned long self) {
        for (const auto& r : ranges)
            args.insert(args.end(), {"-m", std::string(1, kind) + ":" + std::to_string(r.inside) + ":" +
                                               std::to_string(r.host) + ":" + std::to_string(r.count)});
        args.insert(args.end(), {"-m", std::string(1, kind) + ":" + std::to_string(ids_per_container) + ":" +
                                           std::to_string(self) + ":1"});
    };
    add('u', map.uids, geteuid());
    add('g', map.gids, getegid());
    args.push_back("--");
    args.insert(args.end(), argv.begin(), argv.end());
    std::vector<char*> c_args;
    for (auto& a : args) c_args.push_back(a.data());
    c_args.push_back(nullptr);
    int pipe_fds[2] = {-1, -1};
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    if (out) {
        if (pipe2(pipe_fds, O_CLOEXEC) != 0) throw error(container, "no pipe: " + errno_text());
        posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
    }
    pid_t pid = -1;
    int rc = posix_spawnp(&pid, c_args[0], &actions, nullptr, c_args.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (out) {
        close(pipe_fds[1]);
        char buf[4096];
        for (ssize_t n; rc == 0 && (n = read(pipe_fds[0], buf, sizeof buf)) != 0;) {
            if (n < 0 && errno == EINTR) continue;
            if (n < 0) break;
            if (out->size() < (1 << 16)) out->append(buf, static_cast<size_t>(n));
        }
        close(pipe_fds[0]);
    }
    if (rc != 0)
        throw error(container, "cannot run lxc-usernsexec (from the lxc package): " + std::string(std::strerror(rc)));
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        throw error(container, "`" + argv[0] + "` in the container's user namespace failed (status " +
                                   std::to_string(status) + "): does `ctopbroker doctor` pass?");
}

namespace {

// A normal user built the rootfs, so they own every file: inside the
// container's user namespace (where they are 65536) the container's root
// takes it all, then its user its home, as root's build would have left it.
void shift_ownership_as_user(const std::string& container, const fs::path& rootfs, const IdMap& map)
{
    run_in_container_userns(
        container, map,
        {"/bin/sh", "-c", "chown -R 0:0 \"$1\" && { [ ! -d \"$1/home/user\" ] || chown 1000:1000 \"$1/home/user\"; }",
         "sh", rootfs.string()});
}

}  // namespace

namespace {

// Fills what `mirrors` still lacks from one source: suite "x-security" gives
// the security mirror, any other Debian suite the main one. Only http(s).
void take_source(AptMirrors& mirrors, bool& have_debian, bool& have_security, const std::string& uri,
                 const std::vector<std::string>& suites)
{
    if (!uri.starts_with("http://") && !uri.starts_with("https://")) return;
    std::string clean = uri;
    while (clean.size() > 1 && clean.back() == '/') clean.pop_back();
    for (const auto& suite : suites) {
        if (suite.ends_with("-security") || suite.ends_with("/updates")) {
            if (!have_security) mirrors.security = clean, have_security = true;
        } else if (!have_debian) {
            mirrors.debian = clean;
            have_debian = true;
        }
    }
}

std::vector<std::string> words(const std::string& text)
{
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string w; in >> w;) out.push_back(w);
    return out;
}

}  // namespace

AptMirrors host_apt_mirrors(const fs::path& etc_apt)
{
    AptMirrors mirrors;
    bool have_debian = false, have_security = false;
    std::vector<fs::path> files = {etc_apt / "sources.list"};
    std::vector<fs::path> more;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(etc_apt / "sources.list.d", ec))
        if (e.path().extension() == ".list" || e.path().extension() == ".sources") more.push_back(e.path());
    std::sort(more.begin(), more.end());
    files.insert(files.end(), more.begin(), more.end());
    for (const auto& file : files) {
        std::ifstream in(file);
        if (file.extension() == ".sources") {
            // deb822: paragraphs of "Field: value".
            std::string types, uris, suites, enabled = "yes";
            auto paragraph_done = [&] {
                const auto type_list = words(types);
                if (std::find(type_list.begin(), type_list.end(), "deb") != type_list.end() && enabled != "no" &&
                    !uris.empty())
                    take_source(mirrors, have_debian, have_security, words(uris).front(), words(suites));
                types = uris = suites = "";
                enabled = "yes";
            };
            for (std::string line; std::getline(in, line);) {
                if (line.find_first_not_of(" 	") == std::string::npos) {
                    paragraph_done();
                    continue;
                }
                if (line[0] == '#') continue;
                auto colon = line.find(':');
                if (colon == std::string::npos) continue;
                std::string field = line.substr(0, colon), value = line.substr(colon + 1);
                if (field == "Types") types = value;
                if (field == "URIs") uris = value;
                if (field == "Suites") suites = value;
                if (field == "Enabled") enabled = words(value).empty() ? "yes" : words(value).front();
            }
            paragraph_done();
        } else {
            // "deb [options] URI SUITE COMPONENTS..."
            for (std::string line; std::getline(in, line);) {
                auto w = words(line);
                if (w.empty() || w[0] != "deb") continue;
                size_t i = 1;
                if (i < w.size() && w[i].starts_with("[")) {
                    while (i < w.size() && w[i].find(']') == std::string::npos) ++i;
                    ++i;
                }
                if (i + 1 < w.size()) take_source(mirrors, have_debian, have_security, w[i], {w[i + 1]});
            }
        }
    }
    return mirrors;
}

const std::vector<std::string>& template_host_paths()
{
    static const std::vector<std::string> paths = {
        "usr",
        // Merged-/usr hosts have these as symlinks into /usr; older ones as dirs.
        "bin", "sbin", "lib", "lib32", "lib64", "libx32",
        // What GUI apps read from /etc: fonts, the alternatives links (x-terminal-
        // emulator, ...), the loader cache, the time zone, and the XDG defaults a
        // desktop starts from (its panel layout, menus, autostart entries).
        "etc/fonts", "etc/alternatives", "etc/ld.so.cache", "etc/localtime", "etc/os-release", "etc/xdg"};
    return paths;
}

bool known_template(const std::string& template_name)
{
    return template_name == "minimal" || template_name == "debian";
}

RootfsLayout build_rootfs(const std::string& container, const std::string& template_name, const fs::path& rootfs,
                          const std::optional<IdMap>& idmap)
{
    if (mkdir(rootfs.c_str(), 0755) != 0)
        throw error(container, "cannot create " + rootfs.string() + ": " + errno_text());
    RootfsLayout layout =
        template_name == "debian" ? build_debian(container, rootfs) : build_minimal(container, rootfs);
    write_identity(container, rootfs);
    layout.init_cmd = install_init(container, rootfs);
    if (idmap && geteuid() == 0) shift_ownership(container, rootfs, *idmap);
    else if (idmap) shift_ownership_as_user(container, rootfs, *idmap);
    return layout;
}

void remove_tree(const std::string& container, const fs::path& dir)
{
    static thread_local int first_error = 0;
    first_error = 0;
    auto remove_one = [](const char* path, const struct stat*, int type, struct FTW*) -> int {
        int rc = (type == FTW_DP) ? rmdir(path) : unlink(path);
        if (rc != 0 && first_error == 0) first_error = errno;
        return 0;  // keep going: remove as much as we can
    };
    struct stat st {};
    if (lstat(dir.c_str(), &st) != 0) return;
    nftw(dir.c_str(), remove_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
    // A normal user's container files belong to its mapped ids: remove them
    // from inside its user namespace.
    if (lstat(dir.c_str(), &st) == 0 && geteuid() != 0)
        if (auto map = subordinate_ids_of_current_user()) {
            try {
                run_in_container_userns(container, *map, {"rm", "-rf", "--one-file-system", dir.string()});
            } catch (const ContainerError&) {
                // the message below names the directory and what to check
            }
        }
    if (lstat(dir.c_str(), &st) == 0)
        throw error(container, "could not remove " + dir.string() + " (" + std::strerror(first_error) +
                                   "): something is still mounted below it? check `findmnt | grep " +
                                   dir.filename().string() + "`, unmount, and remove it by hand");
}

}  // namespace ctop::containers
