// Container: the liblxc C API behind a small C++ class. Rootfs building lives
// in templates.cpp, config text in lxc_config.cpp, id maps in idmap.cpp.
#include "container.hpp"

#include "idmap.hpp"
#include "lxc_config.hpp"
#include "templates.hpp"

#include <fcntl.h>
#include <lxc/lxccontainer.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

namespace ctop::containers {
namespace fs = std::filesystem;

namespace {

std::string named(const std::string& name)
{
    return "container '" + name + "'";
}

// The byte offset where the next lxc log lines will land, so a failure
// reports its own errors and not last week's.
std::uintmax_t log_size(const fs::path& log)
{
    std::error_code ec;
    auto size = fs::file_size(log, ec);
    return ec ? 0 : size;
}

std::vector<std::string> split_lines(const std::string& text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) lines.push_back(line);
    return lines;
}

// liblxc's defaults (/etc/lxc/default.conf for root), as liblxc merges them
// for a new container; with lxc.net cleared: our network block says it all.
// A normal user rarely has ~/.config/lxc/default.conf, and liblxc refuses to
// save a config it could not load defaults for: no file, no defaults (our
// config carries the id map and network such a file would hold).
std::string liblxc_defaults(const std::string& name, const fs::path& lxcpath, const fs::path& dir)
{
    const char* defaults = lxc_get_global_config_item("lxc.default_config");
    if (!defaults || access(defaults, R_OK) != 0) return {};
    struct lxc_container* c = lxc_container_new(name.c_str(), lxcpath.c_str());
    if (!c) throw ContainerError(named(name) + ": liblxc cannot open " + lxcpath.string());
    if (!c->load_config(c, defaults)) {
        lxc_container_put(c);
        throw ContainerError(named(name) + ": liblxc cannot parse its defaults " + std::string(defaults) +
                             ": fix that file");
    }
    c->clear_config_item(c, "lxc.net");
    const fs::path tmp = dir / "defaults.tmp";
    bool saved = c->save_config(c, tmp.c_str());
    lxc_container_put(c);
    if (!saved) throw ContainerError(named(name) + ": liblxc cannot save its defaults to " + tmp.string());
    std::string text = read_text_file(tmp);
    std::error_code ignored;
    fs::remove(tmp, ignored);
    return text;
}

// An unprivileged container's root (a host id like 100000) must be able to
// walk down to its rootfs; mkdtemp and /root are 0700.
void check_traversable(const std::string& name, const fs::path& dir, uid_t container_root)
{
    for (fs::path p = dir;; p = p.parent_path()) {
        struct stat st {};
        if (stat(p.c_str(), &st) == 0 && !(st.st_mode & S_IXOTH) && st.st_uid != container_root)
            throw ContainerError(named(name) + " is unprivileged: its root (host uid " +
                                 std::to_string(container_root) + ") cannot enter " + p.string() + ": `chmod o+x " +
                                 p.string() + "` or use another lxcpath");
        if (p == p.root_path()) break;
    }
}

// Decodes getmntent's octal escapes (\040 for a space) in a mount source.
std::string fstab_unescape(const std::string& s)
{
    auto is_octal = [](char d) { return d >= '0' && d <= '7'; };
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && is_octal(s[i + 1]) && is_octal(s[i + 2]) && is_octal(s[i + 3])) {
            out += static_cast<char>((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

bool covers(const std::vector<IdRange>& outer, const std::vector<IdRange>& inner)
{
    return std::all_of(inner.begin(), inner.end(), [&](const IdRange& r) {
        return std::any_of(outer.begin(), outer.end(),
                           [&](const IdRange& o) { return r.host >= o.host && r.host + r.count <= o.host + o.count; });
    });
}

using Clock = std::chrono::steady_clock;

// "pid:[4026532182]", or "" once the process is gone.
std::string pid_namespace_of(pid_t pid)
{
    std::error_code ec;
    auto link = fs::read_symlink("/proc/" + std::to_string(pid) + "/ns/pid", ec);
    return ec ? "" : link.string();
}

// Reaps the zombies among our children that lived in pid namespace `pidns`.
void reap_zombie_children_in(const std::string& pidns)
{
    if (pidns.empty()) return;
    const std::string parent = "PPid:\t" + std::to_string(getpid());
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream status(entry.path() / "status");
        bool zombie = false, ours = false;
        for (std::string line; std::getline(status, line);) {
            if (line.starts_with("State:")) zombie = line.find("Z (zombie)") != std::string::npos;
            if (line == parent) ours = true;
        }
        if (zombie && ours && pid_namespace_of(std::stoi(pid)) == pidns) waitpid(std::stoi(pid), nullptr, WNOHANG);
    }
}

int open_dev_null()
{
    int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (fd < 0) throw ContainerError(std::string("cannot open /dev/null: ") + std::strerror(errno));
    return fd;
}

// Fds for the attached process's stdio; -1 means /dev/null, which we open
// (once) and close after the attach.
struct StdioFds {
    int in, out, err;
    int null_fd = -1;
    explicit StdioFds(const RunOptions& o)
    {
        if (o.stdin_fd < 0 || o.stdout_fd < 0 || o.stderr_fd < 0) null_fd = open_dev_null();
        in = o.stdin_fd < 0 ? null_fd : o.stdin_fd;
        out = o.stdout_fd < 0 ? null_fd : o.stdout_fd;
        err = o.stderr_fd < 0 ? null_fd : o.stderr_fd;
    }
    ~StdioFds()
    {
        if (null_fd >= 0) close(null_fd);
    }
    StdioFds(const StdioFds&) = delete;
    StdioFds& operator=(const StdioFds&) = delete;
};

// NULL-terminated char* views of strings, for the C API.
std::vector<char*> c_strings(std::vector<std::string>& strings)
{
    std::vector<char*> out;
    for (auto& s : strings) out.push_back(s.data());
    out.push_back(nullptr);
    return out;
}

}  // namespace

std::string_view to_string(Privilege p)
{
    return p == Privilege::Privileged ? "privileged" : "unprivileged";
}

// --- identity and lookup ------------------------------------------------------

Container::Container(std::string name, fs::path lxcpath) : name_(std::move(name))
{
    if (!valid_name(name_))
        throw ContainerError("bad container name '" + name_ + "': use 1-31 of a-z, 0-9 and '-', not starting with '-'");
    // liblxc names its command socket after the lxcpath string: a relative
    // path would make lxc-info from another directory miss the container.
    lxcpath_ = fs::absolute(lxcpath).lexically_normal();
    if (!lxcpath_.has_filename() && lxcpath_.has_relative_path()) lxcpath_ = lxcpath_.parent_path();  // "a/b/"
    reopen();
}

Container::~Container()
{
    if (c_) lxc_container_put(c_);
}

void Container::reopen()
{
    if (c_) lxc_container_put(c_);
    c_ = lxc_container_new(name_.c_str(), lxcpath_.c_str());
    if (!c_)
        throw ContainerError(named(name_) + ": liblxc cannot load it from " + lxcpath_.string() + ": check " +
                             (dir() / "config").string() + " (and " + log_file().string() + ")");
}

bool Container::valid_name(std::string_view name)
{
    if (name.empty() || name.size() > 31 || name.front() == '-') return false;
    return std::all_of(name.begin(), name.end(),
                       [](char ch) { return (ch >= 'a' && ch <= 'z') || (ch >= '0' && ch <= '9') || ch == '-'; });
}

fs::path Container::default_lxcpath()
{
    const char* path = lxc_get_global_config_item("lxc.lxcpath");
    return path ? fs::path(path) : fs::path("/var/lib/lxc");
}

std::vector<std::string> Container::list(const fs::path& lxcpath)
{
    char** names = nullptr;
    int n = list_defined_containers(fs::absolute(lxcpath).c_str(), &names, nullptr);
    std::vector<std::string> out;
    for (int i = 0; i < n; ++i) {
        out.emplace_back(names[i]);
        free(names[i]);
    }
    free(names);
    std::sort(out.begin(), out.end());
    return out;
}

bool Container::exists() const
{
    return c_->is_defined(c_);
}
bool Container::running() const
{
    return c_->is_running(c_);
}
std::string Container::state() const
{
    const char* state = c_->state(c_);
    return state ? state : "STOPPED";
}
pid_t Container::init_pid() const
{
    return running() ? c_->init_pid(c_) : -1;
}

std::optional<std::string> Container::config_item(const char* key) const
{
    int len = c_->get_config_item(c_, key, nullptr, 0);
    if (len <= 0) return std::nullopt;
    std::string value(static_cast<size_t>(len) + 1, '\0');
    c_->get_config_item(c_, key, value.data(), len + 1);
    value.resize(static_cast<size_t>(len));
    return value;
}

Privilege Container::privilege() const
{
    require_exists();
    auto map = config_item("lxc.idmap");
    return map && parse_idmap_values(*map) ? Privilege::Unprivileged : Privilege::Privileged;
}

uid_t Container::host_uid(uid_t container_uid) const
{
    require_exists();
    auto map = parse_idmap_values(config_item("lxc.idmap").value_or(""));
    if (!map) return container_uid;
    auto host = to_host(map->uids, container_uid);
    if (!host)
        throw ContainerError(named(name_) + ": uid " + std::to_string(container_uid) +
                             " is not mapped (see lxc.idmap in " + (dir() / "config").string() + ")");
    return static_cast<uid_t>(*host);
}

gid_t Container::host_gid(gid_t container_gid) const
{
    require_exists();
    auto map = parse_idmap_values(config_item("lxc.idmap").value_or(""));
    if (!map) return container_gid;
    auto host = to_host(map->gids, container_gid);
    if (!host)
        throw ContainerError(named(name_) + ": gid " + std::to_string(container_gid) +
                             " is not mapped (see lxc.idmap in " + (dir() / "config").string() + ")");
    return static_cast<gid_t>(*host);
}

void Container::require_exists() const
{
    if (!exists())
        throw ContainerError(named(name_) + " does not exist in " + lxcpath_.string() +
                             ": create it with `ctopbroker create " + name_ + "`");
}

void Container::require_running() const
{
    require_exists();
    if (!running())
        throw ContainerError(named(name_) + " is not running: start it with `ctopbroker spawn " + name_ + "`");
}

// "<what>: <the lxc errors logged since log_offset>; full log: <file>".
std::string Container::failure(const std::string& what, std::uintmax_t log_offset) const
{
    std::string message = named(name_) + ": " + what;
    std::ifstream in(log_file());
    if (in) {
        in.seekg(static_cast<std::streamoff>(log_offset));
        std::string errors;
        for (std::string line; std::getline(in, line);)
            if (line.find(" ERROR ") != std::string::npos) errors += "\n  " + line;
        if (!errors.empty()) message += ":" + errors;
    }
    return message + "\nfull log: " + log_file().string();
}

// --- life cycle ---------------------------------------------------------------

// One create (or leftover removal) of a name at a time: the flock on
// LXCPATH/.ctopbroker-create/NAME.lock. The kernel drops it when its holder
// dies, so a staging directory nobody holds the lock for is a killed
// create's, never a running one's.
class Container::CreateLock {
public:
    CreateLock(const std::string& name, const fs::path& staging_dir)
    {
        std::error_code ec;
        fs::create_directories(staging_dir.parent_path(), ec);
        const fs::path file = staging_dir.string() + ".lock";
        fd_ = open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
        if (fd_ < 0) throw ContainerError(named(name) + ": cannot open " + file.string() + ": " + std::strerror(errno));
        if (flock(fd_, LOCK_EX | LOCK_NB) != 0) {
            close(fd_);
            throw ContainerError(named(name) + " is being made by another ctopbroker (create, clone or import of " +
                                 name + ") right now (it holds " + file.string() + "): wait for it to finish");
        }
    }
    ~CreateLock() { close(fd_); }
    CreateLock(const CreateLock&) = delete;
    CreateLock& operator=(const CreateLock&) = delete;

private:
    int fd_ = -1;
};

void Container::create(const ContainerSpec& spec, const std::function<void()>& before_publish)
{
    if (!spec.name.empty() && spec.name != name_)
        throw ContainerError(named(name_) + ": the spec is for '" + spec.name + "'");
    if (!known_template(spec.template_name))
        throw ContainerError(named(name_) + ": unknown template '" + spec.template_name +
                             "': use \"minimal\" or \"debian\"");
    if (exists())
        throw ContainerError(named(name_) + " already exists in " + lxcpath_.string() +
                             ": destroy it first with `ctopbroker destroy " + name_ + "`");
    std::optional<IdMap> idmap;
    if (spec.privilege != Privilege::Privileged) idmap = subordinate_ids_of_current_user();
    if (spec.privilege == Privilege::Unprivileged && !idmap)
        throw ContainerError(named(name_) +
                             " should be unprivileged, but /etc/subuid and /etc/subgid give this "
                             "user no range of 65536 ids: run `sudo ctopbroker setup --user USER` once (or add "
                             "e.g. `root:100000:65536` to both files)");
    // Every mount is checked before anything is written.
    for (const auto& m : spec.mounts) mount_entry_value(name_, m);

    build_staged(
        [&](const fs::path& staging) {
            if (idmap) check_traversable(name_, lxcpath_, static_cast<uid_t>(idmap->uids.front().host));
            // The config names the final paths; everything is written below the staging directory.
            ConfigInputs in;
            in.name = name_;
            in.rootfs = dir() / "rootfs";
            in.log_file = log_file();
            // liblxc's save_config makes LXCPATH/NAME: it must see the staging directory as that.
            in.defaults = liblxc_defaults(name_, staging.parent_path(), staging);
            in.network = spec.network;
            in.idmap = idmap;
            in.cgroups = detect_cgroup_layout();
            in.memory_limit_bytes = spec.memory_limit_bytes;
            in.pids_limit = spec.pids_limit;
            in.cpu_weight = spec.cpu_weight;
            in.device_allow = spec.device_allow;
            in.mounts = spec.mounts;
            RootfsLayout layout = build_rootfs(name_, spec.template_name, staging / "rootfs", idmap);
            in.init_cmd = layout.init_cmd;
            in.template_mounts = layout.mount_entries;
            write_file_atomically(staging / "config", render_config(in));
        },
        before_publish);
}

void Container::build_staged(const std::function<void(const fs::path& staging)>& build,
                             const std::function<void()>& before_publish)
{
    std::error_code ec;
    fs::create_directories(lxcpath_, ec);
    if (ec) throw ContainerError(named(name_) + ": cannot create " + lxcpath_.string() + ": " + ec.message());
    CreateLock lock(name_, staging_dir());
    reopen();  // another create may have finished meanwhile
    if (exists())
        throw ContainerError(named(name_) + " already exists in " + lxcpath_.string() +
                             ": destroy it first with `ctopbroker destroy " + name_ + "`");
    if (fs::is_empty(dir(), ec)) fs::remove(dir(), ec);  // an older liblxc call's, nothing in it
    if (fs::exists(dir(), ec))
        throw ContainerError(named(name_) + ": " + dir().string() +
                             " exists without a config (left by an interrupted create or destroy of an older "
                             "version?): `ctopbroker destroy " +
                             name_ + "` removes it");
    remove_tree(name_, staging_dir());  // a killed create's: we hold its lock
    if (mkdir(staging_dir().c_str(), 0755) != 0)
        throw ContainerError(named(name_) + ": cannot create " + staging_dir().string() + ": " + std::strerror(errno));
    bool published = false;
    try {
        build(staging_dir());
        if (before_publish) before_publish();
        // The one step that makes it exist: a directory rename is atomic.
        if (::rename(staging_dir().c_str(), dir().c_str()) != 0)
            throw ContainerError(named(name_) + ": cannot rename " + staging_dir().string() + " to " + dir().string() +
                                 ": " + std::strerror(errno));
        published = true;
        reopen();
        if (!exists()) throw ContainerError(named(name_) + ": liblxc does not accept the config it was given");
    } catch (const std::exception& e) {
        // Leave nothing half-made behind; if even that fails, say both.
        std::string message = e.what();
        try {
            remove_tree(name_, published ? dir() : staging_dir());
        } catch (const ContainerError& cleanup) {
            message += "\nand cleaning up failed: " + std::string(cleanup.what());
        }
        reopen();
        throw ContainerError(message);
    }
}

std::vector<fs::path> Container::remove_leftovers()
{
    if (exists()) return {};
    CreateLock lock(name_, staging_dir());
    reopen();
    if (exists()) return {};
    std::vector<fs::path> removed;
    std::error_code ec;
    for (const fs::path& p : {staging_dir(), dir()}) {
        if (!fs::exists(fs::symlink_status(p, ec))) continue;
        remove_tree(name_, p);
        removed.push_back(p);
    }
    return removed;
}

void Container::update_mounts(const std::vector<BindMount>& mounts)
{
    require_exists();
    const fs::path config = dir() / "config";
    write_file_atomically(config, replace_mount_block(name_, read_text_file(config), mounts));
    reopen();
}

void Container::update_network(const NetworkSpec& network)
{
    require_exists();
    const fs::path config = dir() / "config";
    std::string text = read_text_file(config);
    std::string updated = replace_network_block(name_, text, network);
    if (updated == text) return;
    write_file_atomically(config, updated);
    reopen();
}

void Container::update_limits(const Limits& limits)
{
    require_exists();
    const fs::path config = dir() / "config";
    std::string text = read_text_file(config);
    std::string updated = replace_limits_block(text, detect_cgroup_layout(), limits);
    if (updated == text) return;
    write_file_atomically(config, updated);
    reopen();
}

void Container::start()
{
    require_exists();
    if (running()) return;
    // Fail with a name rather than with liblxc's "Failed to mount" in a log.
    for (const auto& entry : split_lines(config_item("lxc.mount.entry").value_or(""))) {
        std::string source = fstab_unescape(entry.substr(0, entry.find(' ')));
        if (source.starts_with("/") && !fs::exists(source))
            throw ContainerError(named(name_) + ": the host path " + source +
                                 " it mounts does not exist: create it or change the container's mounts");
    }
    if (auto map = parse_idmap_values(config_item("lxc.idmap").value_or(""))) {
        auto allowed = subordinate_ids_of_current_user();
        if (!allowed || !covers(allowed->uids, map->uids) || !covers(allowed->gids, map->gids))
            throw ContainerError(named(name_) +
                                 " is unprivileged, but its lxc.idmap is not in this user's "
                                 "/etc/subuid and /etc/subgid ranges (newuidmap would refuse): add them back");
        check_traversable(name_, dir() / "rootfs", static_cast<uid_t>(to_host(map->uids, 0).value_or(0)));
    }
    auto mark = log_size(log_file());
    c_->want_daemonize(c_, true);
    if (!c_->start(c_, 0, nullptr)) throw ContainerError(failure("failed to start", mark));
}

void Container::stop(std::chrono::seconds timeout)
{
    require_exists();
    if (!running()) return;
    auto mark = log_size(log_file());
    const std::string pidns = pid_namespace_of(init_pid());
    // shutdown(0) only signals init (lxc.signal.halt, SIGPWR); init.lxc passes
    // SIGTERM on to everything and SIGKILLs the rest after 1 s. We wait
    // ourselves: liblxc's own wait cannot see the deadlock described below.
    c_->shutdown(c_, 0);
    if (wait_until_stopped(pidns, Clock::now() + timeout)) return;
    if (!c_->stop(c_) && running()) throw ContainerError(failure("could not be killed", mark));
    if (!wait_until_stopped(pidns, Clock::now() + std::chrono::seconds(5)))
        throw ContainerError(failure("still running 5 s after SIGKILL", mark));
}

// A pid namespace only dies once every process in it is reaped, and what
// run() started is a child of *this* process: its zombie would keep init
// (and stop) waiting forever. So while waiting we reap our own children that
// died inside the container.
bool Container::wait_until_stopped(const std::string& pidns, Clock::time_point deadline)
{
    for (;;) {
        if (!running()) return true;
        reap_zombie_children_in(pidns);
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
}

void Container::destroy(bool with_snapshots)
{
    require_exists();
    auto snaps = snapshots();
    if (!snaps.empty() && !with_snapshots)
        throw ContainerError(named(name_) + " has " + std::to_string(snaps.size()) +
                             " snapshot(s): destroy them with it (`ctopbroker destroy --force " + name_ + "`)");
    stop();
    auto mark = log_size(log_file());
    bool done = snaps.empty() ? c_->destroy(c_) : c_->destroy_with_snapshots(c_);
    if (!done) throw ContainerError(failure("liblxc could not destroy it", mark));
    remove_tree(name_, dir());  // whatever liblxc left (our log, stray files)
    reopen();
}

// --- snapshots, clones, renames ---------------------------------------------------

void Container::require_stopped(const std::string& what) const
{
    require_exists();
    if (running())
        throw ContainerError(named(name_) + " is running: stop it before " + what + " (`ctopbroker stop " + name_ +
                             "`), so that no file is half-written in the copy");
}

void Container::adopt_config()
{
    const fs::path config = dir() / "config";
    write_file_atomically(config, containers::adopt_config(read_text_file(config), dir(), name_));
    reopen();
}

std::vector<Snapshot> Container::snapshots() const
{
    require_exists();
    struct lxc_snapshot* list = nullptr;
    int n = c_->snapshot_list(c_, &list);
    std::vector<Snapshot> out;
    for (int i = 0; i < n; ++i) {
        Snapshot snap;
        snap.name = list[i].name ? list[i].name : "";
        snap.timestamp = list[i].timestamp ? list[i].timestamp : "";
        if (list[i].comment_pathname) {
            std::ifstream in(list[i].comment_pathname);
            std::getline(in, snap.label);
        }
        snap.dir = fs::path(list[i].lxcpath ? list[i].lxcpath : "") / snap.name;
        list[i].free(&list[i]);
        out.push_back(std::move(snap));
    }
    free(list);
    // snap2 before snap10.
    std::sort(out.begin(), out.end(), [](const Snapshot& a, const Snapshot& b) {
        return a.name.size() != b.name.size() ? a.name.size() < b.name.size() : a.name < b.name;
    });
    return out;
}

Snapshot Container::find_snapshot(const std::string& name_or_label) const
{
    auto snaps = snapshots();
    for (const auto& snap : snaps)
        if (snap.name == name_or_label || (!snap.label.empty() && snap.label == name_or_label)) return snap;
    std::string known;
    for (const auto& snap : snaps)
        known += (known.empty() ? "" : ", ") + snap.name + (snap.label.empty() ? "" : " (" + snap.label + ")");
    throw ContainerError(named(name_) + " has no snapshot '" + name_or_label + "'" +
                         (known.empty() ? std::string(": it has none") : ": it has " + known));
}

Snapshot Container::snapshot(const std::string& label)
{
    require_stopped("taking a snapshot");
    if (!label.empty())
        for (const auto& snap : snapshots())
            if (snap.label == label || snap.name == label)
                throw ContainerError(named(name_) + " already has a snapshot '" + label + "': choose another name");
    // liblxc copies the comment from a file.
    std::string comment;
    if (!label.empty()) {
        comment = (dir() / ".snapshot-comment").string();
        write_file_atomically(comment, label + "\n");
    }
    auto mark = log_size(log_file());
    int index = c_->snapshot(c_, comment.empty() ? nullptr : comment.c_str());
    if (!comment.empty()) unlink(comment.c_str());
    if (index < 0)
        throw ContainerError(
            failure("liblxc could not take a snapshot (is rsync installed? scripts/deps.sh installs it)", mark));
    return find_snapshot("snap" + std::to_string(index));
}

void Container::restore(const std::string& snapshot)
{
    require_stopped("restoring a snapshot");
    Snapshot snap = find_snapshot(snapshot);
    // liblxc's restore clones the snapshot back into this directory and,
    // for a normal user's container, gives the directory to the container's
    // root first: the user writes the config there through its group, and
    // takes the directory back afterwards (as create left it).
    std::optional<IdMap> map;
    if (geteuid() != 0 && privilege() == Privilege::Unprivileged) map = subordinate_ids_of_current_user();
    if (map) chmod(dir().c_str(), 0775);
    auto mark = log_size(log_file());
    bool restored = c_->snapshot_restore(c_, snap.name.c_str(), name_.c_str());
    if (map) {
        run_in_container_userns(name_, *map,
                                {"chown", std::to_string(ids_per_container) + ":" + std::to_string(ids_per_container),
                                 "--", dir().string()});
        chmod(dir().c_str(), 0755);
    }
    if (!restored) throw ContainerError(failure("liblxc could not restore " + snap.name, mark));
    adopt_config();
}

void Container::clone_to(const std::string& new_name, const std::function<void()>& before_publish)
{
    require_stopped("cloning it");
    Container target(new_name, lxcpath_);
    if (target.exists())
        throw ContainerError(named(new_name) + " already exists: choose another name or destroy it first");
    // Copied into the staging directory (liblxc's clone into the staging
    // lxcpath), published by a rename like a create.
    target.build_staged(
        [&](const fs::path& staging) {
            // liblxc makes the directory itself.
            if (rmdir(staging.c_str()) != 0)
                throw ContainerError(named(new_name) + ": cannot prepare " + staging.string() + ": " +
                                     std::strerror(errno));
            auto mark = log_size(log_file());
            struct lxc_container* copy =
                c_->clone(c_, new_name.c_str(), staging.parent_path().c_str(), 0, nullptr, nullptr, 0, nullptr);
            if (!copy)
                throw ContainerError(
                    failure("liblxc could not clone it to '" + new_name + "' (is rsync installed?)", mark));
            lxc_container_put(copy);
            // Its config names the staging paths (and the old log): the final ones.
            const fs::path config = staging / "config";
            write_file_atomically(config, containers::adopt_config(read_text_file(config), target.dir(), new_name));
            // A copy is another machine: D-Bus must not take the two for one. The
            // file keeps its owner; a user's session may not write it (then the
            // copy keeps the original's).
            if (fs::path id = staging / "rootfs/etc/machine-id"; fs::exists(id))
                std::ofstream(id, std::ios::trunc) << new_machine_id() << "\n";
        },
        before_publish);
}

void Container::rename(const std::string& new_name)
{
    require_stopped("renaming it");
    if (!snapshots().empty())
        throw ContainerError(named(name_) + " has snapshots, which liblxc cannot rename: clone it (`ctopbroker clone " +
                             name_ + " " + new_name + "`) or destroy its snapshots first");
    if (Container(new_name, lxcpath_).exists())
        throw ContainerError(named(new_name) + " already exists: choose another name");
    auto mark = log_size(log_file());
    const fs::path old_dir = dir();
    if (!c_->rename(c_, new_name.c_str()))
        throw ContainerError(failure("liblxc could not rename it to '" + new_name + "'", mark));
    // liblxc leaves lxc.log.file naming the old directory, and loading the
    // config creates that file: the config is fixed first, then whatever
    // of the old directory was made again goes.
    name_ = new_name;
    adopt_config();
    if (!fs::exists(old_dir / "config")) remove_tree(name_, old_dir);
}

// --- running programs inside ----------------------------------------------------

pid_t Container::run(const RunOptions& opts)
{
    require_running();
    if (opts.argv.empty()) throw ContainerError(named(name_) + ": nothing to run (empty argv)");
    std::vector<std::string> argv_strings = opts.argv;
    std::vector<std::string> env_strings = opts.env;
    std::vector<char*> argv = c_strings(argv_strings);
    std::vector<char*> env = c_strings(env_strings);
    std::string cwd = opts.cwd;
    StdioFds stdio(opts);

    lxc_attach_options_t attach = LXC_ATTACH_OPTIONS_DEFAULT;
    // NO_NEW_PRIVS: no setuid binary inside can climb back to root.
    attach.attach_flags = LXC_ATTACH_DEFAULT | LXC_ATTACH_NO_NEW_PRIVS;
    attach.env_policy = LXC_ATTACH_CLEAR_ENV;  // liblxc then sets only container=lxc (and PATH if we don't)
    attach.extra_env_vars = env.data();
    attach.uid = opts.uid;
    attach.gid = opts.gid;
    attach.initial_cwd = cwd.data();
    attach.stdin_fd = stdio.in;
    attach.stdout_fd = stdio.out;
    attach.stderr_fd = stdio.err;

    lxc_attach_command_t command{argv[0], argv.data()};
    pid_t pid = -1;
    auto mark = log_size(log_file());
    if (c_->attach(c_, lxc_attach_run_command, &command, &attach, &pid) != 0 || pid <= 0)
        throw ContainerError(failure("cannot run " + opts.argv[0] + " inside", mark));
    return pid;
}

int Container::run_wait(const RunOptions& opts)
{
    pid_t pid = run(opts);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR)
            throw ContainerError(named(name_) + ": lost process " + std::to_string(pid) + " of " + opts.argv[0] + ": " +
                                 std::strerror(errno));
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace ctop::containers
