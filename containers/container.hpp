// The liblxc wrapper: everything ctopbroker does to a container goes through
// this class. Every call is synchronous and may block (liblxc forks, waits on
// monitors, runs templates); the session never calls it on its event loop but
// from a helper process (see broker/).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

struct lxc_container;  // liblxc's handle; the C API stays out of this header

namespace ctop::containers {

// Thrown for any failure; what() names the container and says what to do.
struct ContainerError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

enum class Privilege { Privileged, Unprivileged };
std::string_view to_string(Privilege p);

// A host directory or file made visible inside the container.
struct BindMount {
    std::filesystem::path host_path;
    std::string container_path;  // absolute, inside the container
    bool read_only = false;
    bool is_file = false;  // create=file instead of create=dir
};

// How the container is attached to the network at its next start. The
// broker decides which bridge stands for which policy (broker/network.hpp).
struct NetworkSpec {
    std::string bridge;  // empty: loopback only (lxc.net.0.type = empty)
    std::string hwaddr;  // with a bridge: eth0's MAC, "00:16:3e:xx:xx:xx"
    std::string veth;    // with a bridge: the host end's name (the firewall matches it)
};

// The cgroup limits written into the config (unset: none).
struct Limits {
    std::optional<std::uint64_t> memory_bytes;
    std::optional<std::uint32_t> pids;
    std::optional<std::uint32_t> cpu_weight;  // 1-10000 (cgroup v2 scale; v1 gets the matching cpu.shares)
    std::vector<std::string> device_allow;    // cgroup device rules, e.g. "c 226:128 rwm"
};

struct ContainerSpec {
    std::string name;
    std::string template_name = "minimal";  // "minimal" (offline, busybox + host /usr) or "debian"
    std::optional<std::uint64_t> memory_limit_bytes;
    std::optional<std::uint32_t> pids_limit;
    std::optional<std::uint32_t> cpu_weight;  // 1-10000 (cgroup v2 scale; v1 gets the matching cpu.shares)
    NetworkSpec network;                      // default: loopback only
    std::optional<Privilege> privilege;       // unset: unprivileged when /etc/subuid allows
    std::vector<BindMount> mounts;
    std::vector<std::string> device_allow;  // cgroup device rules, e.g. "c 226:* rwm"
};

struct RunOptions {
    std::vector<std::string> argv;
    std::vector<std::string> env;  // the whole environment: the host's is never passed on
    uid_t uid = 1000;              // inside the container
    gid_t gid = 1000;
    std::string cwd = "/";
    int stdin_fd = -1, stdout_fd = -1, stderr_fd = -1;  // -1: /dev/null
};

// One of a container's snapshots: liblxc names them snap0, snap1, ...; the
// label is the user's name for it (its liblxc comment).
struct Snapshot {
    std::string name;
    std::string label;
    std::string timestamp;      // "2026:11:24 17:30:00", as liblxc writes it
    std::filesystem::path dir;  // holds its config and rootfs
};

class Container {
public:
    // lxcpath: where container directories live (`lxc-ls -P`).
    Container(std::string name, std::filesystem::path lxcpath);
    ~Container();
    Container(const Container&) = delete;
    Container& operator=(const Container&) = delete;

    // Names are [a-z0-9][a-z0-9-]{0,30}: they become paths, cgroup and socket names.
    static bool valid_name(std::string_view name);
    static std::filesystem::path default_lxcpath();
    static std::vector<std::string> list(const std::filesystem::path& lxcpath);

    const std::string& name() const { return name_; }
    bool exists() const;
    bool running() const;
    std::string state() const;    // "STOPPED", "RUNNING", ... as liblxc says
    pid_t init_pid() const;       // host pid of the container's init, -1 when stopped
    Privilege privilege() const;  // read back from the saved config

    // Builds the rootfs from spec.template_name and the config in a staging
    // directory (LXCPATH/.ctopbroker-create/NAME) and renames it into place
    // at the end, so that a create killed at any point leaves a whole
    // container or none; spec.name must be empty or name(). `before_publish`
    // runs just before the rename: what must exist whenever the container
    // does (the broker's policy file). Nothing is left behind when it fails.
    // Throws when another create of the same name is running.
    void create(const ContainerSpec& spec, const std::function<void()>& before_publish = {});
    // For a name that does not exist: removes what an interrupted create (or
    // destroy) left under it, the staging directory or a directory without a
    // config. The paths it removed; throws while a create of it runs.
    std::vector<std::filesystem::path> remove_leftovers();
    // What create, clone and import share: under the create lock, `build`
    // fills the empty staging directory (a config naming the final paths and
    // a rootfs), `before_publish` runs, and the directory is renamed into
    // place; on failure nothing is left. Throws when the name exists.
    void build_staged(const std::function<void(const std::filesystem::path& staging)>& build,
                      const std::function<void()>& before_publish = {});
    // Rewrites only our block of mount entries, atomically; a running
    // container sees the change at its next start.
    void update_mounts(const std::vector<BindMount>& mounts);
    // Rewrites only our network block, atomically; takes effect at the next
    // start. Throws when the spec is malformed.
    void update_network(const NetworkSpec& network);
    // Rewrites only our limits block, atomically (older configs lose their
    // loose limit lines to it); takes effect at the next start.
    void update_limits(const Limits& limits);
    void start();  // no-op when already running
    // Asks init to shut down (SIGPWR), kills what is left after `timeout`.
    // No-op when stopped. Processes from run() that die meanwhile are reaped
    // here (the container cannot finish dying while they are zombies), so a
    // later waitpid on them fails with ECHILD.
    void stop(std::chrono::seconds timeout = std::chrono::seconds(5));
    // Stops it first; removes the config, the rootfs and the log, and with
    // `with_snapshots` its snapshots (else a container that has some is refused).
    void destroy(bool with_snapshots = false);

    // Snapshots (liblxc's, a copy of the rootfs; the container must be
    // stopped, so the copy is consistent). snapshot() returns the new one.
    std::vector<Snapshot> snapshots() const;
    Snapshot snapshot(const std::string& label);
    // Puts the container back to `snapshot` (a name or a label); the
    // snapshots stay.
    void restore(const std::string& snapshot);
    // A stopped copy named `new_name` (liblxc's clone: the rootfs copied with
    // its ownership), every path in its config renamed; no snapshots.
    // Built in the staging directory and renamed into place like a create
    // (`before_publish` as there): a clone killed at any point leaves a whole
    // container or none.
    void clone_to(const std::string& new_name, const std::function<void()>& before_publish = {});
    // liblxc's rename; refused while it has snapshots (liblxc cannot).
    void rename(const std::string& new_name);
    // Finds a snapshot by name or label; throws naming the ones there are.
    Snapshot find_snapshot(const std::string& name_or_label) const;
    std::filesystem::path directory() const { return dir(); }

    // Runs argv inside the container's namespaces and cgroup with a cleared
    // environment; does not wait. Returns the host pid of the process, which is
    // a child of the calling process (liblxc attaches with CLONE_PARENT).
    pid_t run(const RunOptions& opts);
    // Same, waits; returns the exit status (or 128+signal).
    int run_wait(const RunOptions& opts);

    // Maps a uid inside the container to the host uid that owns its files.
    uid_t host_uid(uid_t container_uid) const;
    gid_t host_gid(gid_t container_gid) const;

private:
    void reopen();  // a fresh liblxc handle that sees the config on disk now
    void require_stopped(const std::string& what) const;
    // After liblxc copied a config here: name, log, rootfs and no mounts of the old one.
    void adopt_config();
    void require_exists() const;
    void require_running() const;
    std::filesystem::path dir() const { return lxcpath_ / name_; }
    std::filesystem::path staging_dir() const { return lxcpath_ / ".ctopbroker-create" / name_; }
    class CreateLock;
    std::filesystem::path log_file() const { return dir() / (name_ + ".log"); }
    std::optional<std::string> config_item(const char* key) const;
    bool wait_until_stopped(const std::string& pidns, std::chrono::steady_clock::time_point deadline);
    std::string failure(const std::string& what, std::uintmax_t log_offset) const;

    std::string name_;
    std::filesystem::path lxcpath_;
    ::lxc_container* c_ = nullptr;
};

}  // namespace ctop::containers
