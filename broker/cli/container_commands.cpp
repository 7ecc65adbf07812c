// create, destroy, list and exec: liblxc straight from the CLI.
#include "container_commands.hpp"

#include "archive.hpp"
#include "audio_daemon.hpp"
#include "color.hpp"
#include "container.hpp"
#include "control_client.hpp"
#include "control_protocol.hpp"
#include "container_namespaces.hpp"
#include "network.hpp"
#include "idmap.hpp"
#include "lxc_config.hpp"
#include "paths.hpp"
#include "templates.hpp"
#include "text.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <map>
#include <set>
#include <optional>
#include <iostream>

namespace ctop {
using containers::Container;
using nlohmann::json;

namespace {

int complain(const std::string& message)
{
    std::cerr << "ctopbroker: " << message << "\n";
    return 1;
}

// A command used wrongly: exit status 2, as CLI11's own usage errors.
int usage_error(const std::string& message)
{
    complain(message);
    return 2;
}

std::string current_user()
{
    struct passwd* pw = getpwuid(getuid());
    return pw ? pw->pw_name : std::to_string(getuid());
}

bool check_name(const std::string& name)
{
    if (Container::valid_name(name) && name != "host") return true;
    complain("bad container name '" + name + "': use 1-31 of a-z, 0-9 and '-', not starting with '-'");
    return false;
}

// The limits in the container's policy file: memory, pids, cpu weight.
json limits_of(const std::string& name)
{
    try {
        ContainerPolicy p = ContainerPolicy::load_or_default(name, paths::policy_file(name));
        return {{"memory", p.memory_bytes ? json(*p.memory_bytes) : json()},
                {"pids", p.pids ? json(*p.pids) : json()},
                {"cpu_weight", p.cpu_weight ? json(*p.cpu_weight) : json()}};
    } catch (const std::exception&) {
        return {{"memory", nullptr}, {"pids", nullptr}, {"cpu_weight", nullptr}};  // `ctopbroker policy` says why
    }
}

// 1.2G, 340M, 12K: what a column has room for.
std::string human_size(std::uint64_t bytes)
{
    const char* units[] = {"B", "K", "M", "G", "T"};
    double value = static_cast<double>(bytes);
    int unit = 0;
    while (value >= 1024 && unit < 4) {
        value /= 1024;
        ++unit;
    }
    char text[32];
    std::snprintf(text, sizeof text, value < 10 && unit > 0 ? "%.1f%s" : "%.0f%s", value, units[unit]);
    return text;
}

// The devices its policy grants (null when the policy does not load).
json devices_of(const std::string& name)
{
    try {
        ContainerPolicy p = ContainerPolicy::load_or_default(name, paths::policy_file(name));
        return {{"gpu", p.gpu}, {"camera", p.camera}, {"usb", p.usb}, {"devices", p.devices}};
    } catch (const std::exception&) {
        return nullptr;
    }
}

std::string devices_text(const json& d)
{
    if (d.is_null()) return "?";
    std::string out;
    auto add = [&](const std::string& s) { out += (out.empty() ? "" : ",") + s; };
    if (d["gpu"].get<bool>()) add("gpu");
    if (d["camera"].get<bool>()) add("camera");
    for (const auto& u : d["usb"]) add("usb:" + u.get<std::string>());
    for (const auto& p : d["devices"]) add(p.get<std::string>());
    return out.empty() ? "-" : out;
}

std::string limits_text(const json& limits)
{
    auto part = [&](const char* key, const std::string& text) { return limits[key].is_null() ? "-" : text; };
    return part("memory", limits["memory"].is_null() ? "" : size_text(limits["memory"].get<std::uint64_t>())) + "/" +
           part("pids", limits["pids"].dump()) + "/" + part("cpu_weight", limits["cpu_weight"].dump());
}

// The mode from its policy (null when the policy does not load: `ctopbroker
// network` says why) and, while it runs, the address dnsmasq leased it.
void add_network(json& entry, const std::string& name, bool running)
{
    entry["network"] = nullptr;
    entry["address"] = nullptr;
    try {
        ContainerPolicy p = ContainerPolicy::load_or_default(name, paths::policy_file(name));
        entry["network"] = std::string(net::to_string(p.network));
        if (running)
            if (auto address = net::leased_address(name, paths::lxcpath(), p.network)) entry["address"] = *address;
    } catch (const std::exception&) {
    }
}

}  // namespace

// The policy of an existing container, loaded strictly.
ContainerPolicy existing_policy(const std::string& name)
{
    Container c(name, paths::lxcpath());
    if (!c.exists())
        throw std::runtime_error("container '" + name + "' does not exist: create it with `ctopbroker create " + name +
                                 "`");
    return ContainerPolicy::load_or_default(name, paths::policy_file(name));
}

int set_policy(const std::string& name, const std::vector<std::string>& assignments)
{
    if (!check_name(name)) return 2;
    try {
        const auto file = paths::policy_file(name);
        ContainerPolicy policy = existing_policy(name);
        std::vector<std::string> changed;
        for (const auto& a : assignments) {
            auto eq = a.find('=');
            if (eq == std::string::npos || eq == 0) {
                complain("set: expected KEY=VALUE, got '" + a.substr(0, 80) + "' (keys: `ctopbroker get " + name +
                         "`)");
                return 2;
            }
            std::string key = a.substr(0, eq);
            try {
                set_policy_value(policy, key, a.substr(eq + 1));
            } catch (const std::invalid_argument& e) {
                complain(std::string("set: ") + e.what());
                return 2;
            }
            changed.push_back(key);
        }
        // All or nothing: the file changes only once every assignment passed.
        policy.save(file);
        Container c(name, paths::lxcpath());
        std::string when = c.running() ? " (from its next start: `ctopbroker stop " + name + "`, then spawn)" : "";
        for (const auto& key : changed)
            std::printf("%s: %s = %s%s\n", name.c_str(), key.c_str(), policy_value(policy, key).c_str(), when.c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int get_policy(const std::string& name, const std::string& key)
{
    if (!check_name(name)) return 2;
    try {
        ContainerPolicy policy = existing_policy(name);
        if (!key.empty()) {
            try {
                std::printf("%s\n", policy_value(policy, key).c_str());
            } catch (const std::invalid_argument& e) {
                complain(std::string("get: ") + e.what());
                return 2;
            }
            return 0;
        }
        for (const auto& k : policy_keys()) std::printf("%s = %s\n", k.c_str(), policy_value(policy, k).c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int show_container_network(const std::string& name)
{
    if (!check_name(name)) return 2;
    try {
        Container c(name, paths::lxcpath());
        if (!c.exists()) return complain("container '" + name + "' does not exist");
        ContainerPolicy policy = ContainerPolicy::load_or_default(name, paths::policy_file(name));
        return net::show_network(name, policy.network, paths::lxcpath());
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

namespace {

// Bytes the files under `root` take on disk, each inode once, not crossing
// into other filesystems. What this user may not read is left out.
std::uint64_t disk_usage(const std::filesystem::path& root)
{
    namespace fs = std::filesystem;
    struct stat top {};
    if (lstat(root.c_str(), &top) != 0) return 0;
    std::set<std::pair<dev_t, ino_t>> seen;
    std::uint64_t bytes = static_cast<std::uint64_t>(top.st_blocks) * 512;
    std::error_code ec;
    for (fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec), end;
         !ec && it != end; it.increment(ec)) {
        struct stat st {};
        if (lstat(it->path().c_str(), &st) != 0) continue;
        if (st.st_dev != top.st_dev) {
            it.disable_recursion_pending();
            continue;
        }
        if (st.st_nlink > 1 && !seen.insert({st.st_dev, st.st_ino}).second) continue;
        bytes += static_cast<std::uint64_t>(st.st_blocks) * 512;
    }
    return bytes;
}

// The memory the container's cgroup holds now (v2 memory.current, v1
// memory.usage_in_bytes), found through its init's /proc/PID/cgroup.
std::optional<std::uint64_t> memory_in_use(pid_t init)
{
    for (const CgroupMembership& m : cgroups_of(init)) {
        std::filesystem::path file;
        if (m.controllers == "memory") file = "/sys/fs/cgroup/memory" + m.path + "/memory.usage_in_bytes";
        else if (m.controllers.empty()) file = "/sys/fs/cgroup" + m.path + "/memory.current";
        else continue;
        std::ifstream in(file);
        std::uint64_t bytes = 0;
        if (in >> bytes) return bytes;
    }
    return std::nullopt;
}

// What runs in the container besides its init: each program's name (the
// container chose it: shown sanitised) and how many of it.
json running_programs(pid_t init)
{
    namespace fs = std::filesystem;
    std::error_code ec;
    const auto pidns = fs::read_symlink("/proc/" + std::to_string(init) + "/ns/pid", ec);
    std::map<std::string, int> counts;
    if (ec) return json::object();
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        const std::string pid = entry.path().filename().string();
        if (pid.find_first_not_of("0123456789") != std::string::npos || pid == std::to_string(init)) continue;
        std::error_code e;
        if (fs::read_symlink(entry.path() / "ns/pid", e) != pidns || e) continue;
        std::ifstream comm(entry.path() / "comm");
        std::string name;
        if (std::getline(comm, name) && counts.size() < 32) ++counts[sanitize_title(name, 16)];
    }
    json out = json::object();
    for (const auto& [name, n] : counts) out[name] = n;
    return out;
}

std::string programs_text(const json& programs)
{
    std::string out;
    for (const auto& [name, n] : programs.items())
        out += (out.empty() ? "" : ",") + name + (n.get<int>() > 1 ? "x" + std::to_string(n.get<int>()) : "");
    return out.empty() ? "-" : out;
}

}  // namespace

json session_status_or_empty()
{
    try {
        json reply = control_request(paths::control_socket(), control::request("status"));
        return reply.value("ok", false) ? reply : json::object();
    } catch (const std::exception&) {
        return json::object();
    }
}

// Said wherever a privileged container shows up: its root is the host's.
constexpr const char* privileged_warning =
    "WARNING: container '%s' is privileged: its root is the host's root (it can write host sysctls and "
    "escape); use it only for software you trust\n";

// The colours the other containers wear: the one in their policy, else their
// name's. A policy that does not load counts as its name's colour.
std::vector<std::string> colors_in_use()
{
    std::vector<std::string> taken;
    for (const std::string& name : Container::list(paths::lxcpath())) {
        std::string hex;
        try {
            hex = ContainerPolicy::load_or_default(name, paths::policy_file(name)).color;
        } catch (const std::exception&) {
        }
        taken.push_back(hex.empty() ? color_for_name(name).hex() : hex);
    }
    return taken;
}

int create_container(const CreateOptions& options)
{
    ContainerPolicy policy = options.policy;
    if (!check_name(policy.name)) return 2;
    if (!options.privileged && !containers::subordinate_ids_of_current_user())
        return complain("cannot create an unprivileged container: /etc/subuid and /etc/subgid give this user no "
                        "range of 65536 ids. Run `sudo ctopbroker setup --user " +
                        current_user() + "` once (or pass --privileged for a container whose root is the host's root)");
    apply_default_limits(policy);  // written to the policy file, where the user sees and changes them
    // The frame's colour is half of a window's identity: a new container gets
    // one no other container wears (written down, so it never changes).
    if (policy.color.empty()) policy.color = color_avoiding(policy.name, colors_in_use()).hex();
    // What spawn would refuse to load is refused now, before anything exists.
    if (auto problem = policy.check()) {
        bool is_flag = problem->key == "memory" || problem->key == "pids" || problem->key == "color" ||
                       problem->key == "cpu_weight" || problem->key == "share" || problem->key == "template";
        std::string flag = problem->key == "cpu_weight" ? "--cpu-weight" : is_flag ? "--" + problem->key : problem->key;
        complain(flag + ": " + problem->why);
        return 2;
    }
    try {
        Container c(policy.name, paths::lxcpath());
        if (c.exists()) return complain("container '" + policy.name + "' already exists");
        containers::ContainerSpec spec;
        spec.name = policy.name;
        spec.template_name = policy.template_name;
        spec.memory_limit_bytes = policy.memory_bytes;
        spec.pids_limit = policy.pids;
        spec.cpu_weight = policy.cpu_weight;
        // The network is attached at every spawn (the bridge may not exist yet).
        spec.privilege = options.privileged ? containers::Privilege::Privileged : containers::Privilege::Unprivileged;
        // The policy is written just before the container appears: a create
        // killed at any point leaves a container with its policy, or no
        // container (and at most a stale policy the next create overwrites).
        bool policy_written = false;
        try {
            c.create(spec, [&] {
                policy.save(paths::policy_file(policy.name));
                policy_written = true;
            });
        } catch (...) {
            std::error_code ec;
            if (policy_written) std::filesystem::remove(paths::policy_file(policy.name), ec);
            throw;
        }
        std::printf("created container '%s' (%s, %s, network %s)\n", policy.name.c_str(), policy.template_name.c_str(),
                    std::string(to_string(c.privilege())).c_str(), std::string(net::to_string(policy.network)).c_str());
        if (c.privilege() == containers::Privilege::Privileged)
            std::fprintf(stderr, privileged_warning, policy.name.c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

namespace {

// `destroy` of a name that does not exist: what an interrupted create or
// destroy left under it (a staging directory, a directory without a config,
// a policy file) goes, so that the name can be created again.
int remove_leftovers_of(Container& c)
{
    std::vector<std::filesystem::path> removed = c.remove_leftovers();
    const auto policy = paths::policy_file(c.name());
    std::error_code ec;
    if (std::filesystem::remove(policy, ec)) removed.push_back(policy);
    if (removed.empty()) return complain("container '" + c.name() + "' does not exist");
    std::printf("container '%s' did not exist; removed what an interrupted create or destroy left:\n",
                c.name().c_str());
    for (const auto& p : removed) std::printf("  %s\n", p.c_str());
    return 0;
}

}  // namespace

int destroy_container(const std::string& name, bool force)
{
    if (!check_name(name)) return 2;
    try {
        Container c(name, paths::lxcpath());
        if (!c.exists()) return remove_leftovers_of(c);
        auto snaps = c.snapshots();
        if (!force && c.running())
            return complain("container '" + name + "' is running: stop it first (`ctopbroker stop " + name +
                            "`) or destroy it anyway with `ctopbroker destroy --force " + name + "`");
        if (!force && !snaps.empty())
            return complain("container '" + name + "' has " + std::to_string(snaps.size()) +
                            " snapshot(s) (`ctopbroker snapshots " + name + "`): `ctopbroker destroy --force " + name +
                            "` destroys them too");
        // A running session first lets go of the container's socket and workspace.
        json status = session_status_or_empty();
        if (!status.empty())
            control_request(paths::control_socket(), control::request(control::Stop{name, paths::lxcpath().string()}));
        c.destroy(force);
        std::filesystem::remove(paths::policy_file(name));
        std::printf("destroyed container '%s'%s\n", name.c_str(),
                    snaps.empty() ? "" : (" and its " + std::to_string(snaps.size()) + " snapshot(s)").c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

namespace {

// A snapshot keeps the policy the container had, beside liblxc's files.
std::filesystem::path snapshot_policy(const containers::Snapshot& snap)
{
    return snap.dir / "ctopbroker-policy.toml";
}

void copy_policy(const std::filesystem::path& from, const std::filesystem::path& to)
{
    if (!std::filesystem::exists(from)) return;
    paths::write_atomically(to, containers::read_text_file(from));
}

// The container, which must exist; a session running lets go of its socket
// and workspace first (the container is stopped already, or we refuse).
Container& existing(std::optional<Container>& slot, const std::string& name)
{
    slot.emplace(name, paths::lxcpath());
    if (!slot->exists())
        throw std::runtime_error("container '" + name + "' does not exist (`ctopbroker list` shows those there are)");
    return *slot;
}

}  // namespace

int snapshot_container(const std::string& name, const std::string& label)
{
    if (!check_name(name)) return 2;
    if (!label.empty() && !Container::valid_name(label)) {
        complain("bad snapshot name '" + label + "': use 1-31 of a-z, 0-9 and '-'");
        return 2;
    }
    try {
        std::optional<Container> slot;
        Container& c = existing(slot, name);
        containers::Snapshot snap = c.snapshot(label);
        copy_policy(paths::policy_file(name), snapshot_policy(snap));
        std::printf("%s: snapshot %s%s taken\n", name.c_str(), snap.name.c_str(),
                    label.empty() ? "" : (" (" + label + ")").c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int list_snapshots(const std::string& name, bool as_json)
{
    if (!check_name(name)) return 2;
    try {
        std::optional<Container> slot;
        Container& c = existing(slot, name);
        json list = json::array();
        for (const auto& snap : c.snapshots())
            list.push_back({{"name", snap.name}, {"label", snap.label}, {"timestamp", snap.timestamp}});
        if (as_json) {
            std::printf("%s\n", list.dump(2).c_str());
            return 0;
        }
        if (list.empty())
            std::printf("%s has no snapshots (`ctopbroker snapshot %s [LABEL]` takes one)\n", name.c_str(),
                        name.c_str());
        for (const auto& snap : list)
            std::printf("%-8s %-32s %s\n", snap["name"].get<std::string>().c_str(),
                        snap["label"].get<std::string>().empty() ? "-" : snap["label"].get<std::string>().c_str(),
                        snap["timestamp"].get<std::string>().c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int restore_container(const std::string& name, const std::string& snapshot)
{
    if (!check_name(name)) return 2;
    try {
        std::optional<Container> slot;
        Container& c = existing(slot, name);
        containers::Snapshot snap = c.find_snapshot(snapshot);
        // The policy first, read before liblxc replaces the container.
        std::optional<std::string> policy;
        if (std::filesystem::exists(snapshot_policy(snap))) policy = containers::read_text_file(snapshot_policy(snap));
        c.restore(snap.name);
        if (policy) paths::write_atomically(paths::policy_file(name), *policy);
        std::printf("%s: restored to %s%s\n", name.c_str(), snap.name.c_str(),
                    snap.label.empty() ? "" : (" (" + snap.label + ")").c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int clone_container(const std::string& source, const std::string& target)
{
    if (!check_name(source) || !check_name(target)) return 2;
    try {
        std::optional<Container> slot;
        Container& c = existing(slot, source);
        ContainerPolicy policy = ContainerPolicy::load_or_default(source, paths::policy_file(source));
        // Two windows in one colour would pass for one container's: the clone gets its own.
        policy.name = target;
        policy.color = color_avoiding(target, colors_in_use()).hex();
        // The policy is there whenever the clone is (written just before it appears).
        c.clone_to(target, [&] { policy.save(paths::policy_file(target)); });
        std::printf("cloned '%s' to '%s' (colour %s)\n", source.c_str(), target.c_str(), policy.color.c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int export_container(const std::string& name, const std::filesystem::path& file)
{
    if (!check_name(name)) return 2;
    try {
        std::optional<Container> slot;
        Container& c = existing(slot, name);
        ContainerPolicy policy = ContainerPolicy::load_or_default(name, paths::policy_file(name));
        containers::export_container(c, file, {{"policy.toml", policy.to_toml()}});
        std::printf("exported '%s' to %s (%s)\n", name.c_str(), file.c_str(),
                    human_size(std::filesystem::file_size(file)).c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int import_container(const std::filesystem::path& file, const std::string& wanted_name)
{
    try {
        const std::string name = wanted_name.empty() ? containers::archived_name(file) : wanted_name;
        if (!check_name(name)) return 2;
        // The archive's policy is checked as strictly as a spawn would, before
        // anything is unpacked.
        ContainerPolicy policy;
        policy.name = name;
        if (auto text = containers::archive_file(file, "policy.toml")) {
            auto staged = paths::config_dir() / ("." + name + ".import.toml");
            paths::write_atomically(staged, *text);
            try {
                policy = ContainerPolicy::load(name, staged);
            } catch (const std::exception& e) {
                std::filesystem::remove(staged);
                std::string why = e.what();
                why.replace(0, staged.string().size(), file.string() + " (policy.toml)");
                throw std::runtime_error(why);
            }
            std::filesystem::remove(staged);
        }
        auto taken = colors_in_use();
        if (policy.color.empty() || std::find(taken.begin(), taken.end(), policy.color) != taken.end())
            policy.color = color_avoiding(name, taken).hex();
        containers::import_container(file, name, paths::lxcpath(), [&] { policy.save(paths::policy_file(name)); });
        std::printf("imported '%s' from %s\n", name.c_str(), file.c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int rename_container(const std::string& old_name, const std::string& new_name)
{
    if (!check_name(old_name) || !check_name(new_name)) return 2;
    try {
        std::optional<Container> slot;
        Container& c = existing(slot, old_name);
        if (!session_status_or_empty().empty() && !c.running())
            control_request(paths::control_socket(),
                            control::request(control::Stop{old_name, paths::lxcpath().string()}));
        c.rename(new_name);
        auto from = paths::policy_file(old_name);
        if (std::filesystem::exists(from)) std::filesystem::rename(from, paths::policy_file(new_name));
        std::printf("renamed '%s' to '%s'\n", old_name.c_str(), new_name.c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

namespace {

// A normal user cannot look into what its container's users keep to
// themselves (a 0700 home): du runs as the container's root, in its user
// namespace, where all of the rootfs is readable.
std::uint64_t rootfs_disk_usage(const Container& c)
{
    const auto rootfs = c.directory() / "rootfs";
    if (geteuid() == 0 || c.privilege() == containers::Privilege::Privileged) return disk_usage(rootfs);
    auto map = containers::subordinate_ids_of_current_user();
    if (!map) return disk_usage(rootfs);
    try {
        std::string out;
        containers::run_in_container_userns(c.name(), *map, {"du", "-s", "-x", "-B1", "--", rootfs.string()}, &out);
        return std::stoull(out);
    } catch (const std::exception&) {
        return disk_usage(rootfs);  // what this user can see, rather than nothing
    }
}

}  // namespace

int list_containers(bool as_json)
{
    try {
        json status = session_status_or_empty();
        json list = json::array();
        for (const std::string& name : Container::list(paths::lxcpath())) {
            Container c(name, paths::lxcpath());
            const pid_t init = c.init_pid();
            std::optional<std::uint64_t> memory = init > 0 ? memory_in_use(init) : std::nullopt;
            json entry = {{"name", name},
                          {"state", c.state()},
                          {"privilege", std::string(to_string(c.privilege()))},
                          {"windows", 0},
                          {"workspace", nullptr},
                          {"limits", limits_of(name)},
                          {"devices", devices_of(name)},
                          {"disk", rootfs_disk_usage(c)},
                          {"snapshots", c.snapshots().size()},
                          {"memory", memory ? json(*memory) : json()},
                          {"programs", init > 0 ? running_programs(init) : json::object()}};
            add_network(entry, name, c.running());
            for (const auto& ws : status.value("workspaces", json::array()))
                if (ws["name"] == name) {
                    entry["windows"] = ws["views"];
                    entry["workspace"] = ws["slot"];
                    entry["color"] = ws["color"];
                }
            list.push_back(entry);
        }
        if (as_json) {
            std::printf("%s\n", list.dump(2).c_str());
            return 0;
        }
        std::printf("%-20s %-9s %-13s %-9s %-15s %-9s %-7s %-7s %-7s %-26s %-12s %s\n", "NAME", "STATE", "PRIVILEGE",
                    "NETWORK", "ADDRESS", "WORKSPACE", "WINDOWS", "DISK", "MEMORY", "LIMITS (memory/pids/cpu weight)",
                    "DEVICES", "PROGRAMS");
        for (const auto& e : list)
            std::printf("%-20s %-9s %-13s %-9s %-15s %-9s %-7d %-7s %-7s %-26s %-12s %s\n",
                        e["name"].get<std::string>().c_str(), e["state"].get<std::string>().c_str(),
                        e["privilege"].get<std::string>().c_str(),
                        e["network"].is_null() ? "?" : e["network"].get<std::string>().c_str(),
                        e["address"].is_null() ? "-" : e["address"].get<std::string>().c_str(),
                        e["workspace"].is_null() ? "-" : std::to_string(e["workspace"].get<int>()).c_str(),
                        e["windows"].get<int>(), human_size(e["disk"].get<std::uint64_t>()).c_str(),
                        e["memory"].is_null() ? "-" : human_size(e["memory"].get<std::uint64_t>()).c_str(),
                        limits_text(e["limits"]).c_str(), devices_text(e["devices"]).c_str(),
                        programs_text(e["programs"]).c_str());
        for (const auto& e : list)
            if (e["privilege"] == "privileged")
                std::fprintf(stderr, privileged_warning, e["name"].get<std::string>().c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

namespace {

// How the container's user runs a helper for `copy`: its own ids, HOME and
// nothing from the host.
containers::RunOptions as_user(std::vector<std::string> argv)
{
    containers::RunOptions run;
    run.argv = std::move(argv);
    run.env = {"PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8", "HOME=/home/user"};
    run.cwd = "/home/user";
    return run;
}

int wait_child(pid_t pid)
{
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Pumps `from` into `to` until EOF; false once more than `cap` bytes came.
bool pump(int from, int to, std::uint64_t cap, std::uint64_t& total)
{
    char buf[65536];
    for (;;) {
        ssize_t n = read(from, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return true;
        total += static_cast<std::uint64_t>(n);
        if (total > cap) return false;
        for (ssize_t done = 0; done < n;) {
            ssize_t w = write(to, buf + done, static_cast<size_t>(n - done));
            if (w < 0 && errno == EINTR) continue;
            if (w < 0) return true;  // the receiving tar gave up: its status says why
            done += w;
        }
    }
}

}  // namespace

int copy_between(const std::string& source_spec, const std::string& destination)
{
    auto colon = source_spec.find(':');
    if (colon == std::string::npos) return usage_error("copy: expected SRC:PATH, got '" + source_spec + "'");
    const std::string source = source_spec.substr(0, colon);
    std::filesystem::path path = source_spec.substr(colon + 1);
    if (!check_name(source) || !check_name(destination)) return 2;
    if (source == destination) return usage_error("copy: source and destination are the same container");
    if (path.is_relative()) path = "/home/user" / path;
    path = path.lexically_normal();
    if (path.filename().empty() || path.filename() == ".." || path == "/")
        return usage_error("copy: name a file or directory, not " + path.string());
    try {
        std::optional<Container> src_slot, dst_slot;
        Container& src = existing(src_slot, source);
        Container& dst = existing(dst_slot, destination);
        for (Container* c : {&src, &dst})
            if (!c->running())
                return complain("copy: container '" + c->name() + "' is not running: start it (`ctopbroker spawn " +
                                c->name() + "`) and copy again");
        const ContainerPolicy policy = ContainerPolicy::load_or_default(destination, paths::policy_file(destination));
        const std::string incoming = "/home/user/Incoming/" + source;
        const std::string target = incoming + "/" + path.filename().string();
        // Never over an existing file: the name must be free, and tar keeps
        // old files besides.
        if (dst.run_wait(as_user(
                {"/bin/sh", "-c", "mkdir -p \"$0\" && test ! -e \"$1\" && test ! -L \"$1\"", incoming, target})) != 0)
            return complain("copy: " + destination + " already has " + target + " (or cannot make " + incoming +
                            "): move it away first; copy never overwrites");

        std::signal(SIGPIPE, SIG_IGN);
        int out[2], in[2];
        if (pipe2(out, O_CLOEXEC) != 0 || pipe2(in, O_CLOEXEC) != 0)
            return complain("copy: no pipe: " + std::string(std::strerror(errno)));
        // Both tars run as their container's user, in their container: the
        // source reads only what its user may, the destination writes only
        // what its user may; the host counts the bytes between them.
        containers::RunOptions pack =
            as_user({"tar", "-cf", "-", "-C", path.parent_path().string(), "--", path.filename().string()});
        pack.stdout_fd = out[1];
        containers::RunOptions unpack =
            as_user({"tar", "-xf", "-", "-C", incoming, "--keep-old-files", "--no-same-owner"});
        unpack.stdin_fd = in[0];
        pid_t packer = src.run(pack);
        pid_t unpacker = dst.run(unpack);
        close(out[1]);
        close(in[0]);
        std::uint64_t total = 0;
        bool within = pump(out[0], in[1], policy.incoming_max_bytes, total);
        close(out[0]);
        close(in[1]);
        if (!within) kill(packer, SIGKILL), kill(unpacker, SIGKILL);
        int packed = wait_child(packer), unpacked = wait_child(unpacker);
        if (!within || packed != 0 || unpacked != 0) {
            dst.run_wait(as_user({"rm", "-rf", "--", target}));  // nothing half-copied stays
            if (!within)
                return complain("copy: " + source_spec + " is larger than " + destination + "'s incoming_max_bytes (" +
                                size_text(policy.incoming_max_bytes) + "): raise it with `ctopbroker set " +
                                destination + " incoming_max_bytes=...`");
            return complain("copy: " + (packed != 0 ? source + " could not read " + path.string() + " (does it exist?)"
                                                    : destination + " could not write " + target));
        }
        std::string message = "Copied " + path.filename().string() + " from " + source + " to " + destination + ":" +
                              target + " (" + human_size(total) + ")";
        std::printf("%s\n", message.c_str());
        if (!session_status_or_empty().empty())
            control_request(paths::control_socket(), control::request(control::Notify{message}));
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int exec_in_container(const std::string& name, const std::vector<std::string>& argv, bool as_root)
{
    if (!check_name(name)) return 2;
    if (argv.empty()) return complain("exec: give a command after --");
    try {
        Container c(name, paths::lxcpath());
        if (!c.exists())
            return complain("container '" + name + "' does not exist: create it with `ctopbroker create " + name + "`");
        if (!c.running())
            return complain("container '" + name + "' is not running: start it with `ctopbroker spawn " + name + "`");
        containers::RunOptions run;
        run.argv = argv;
        run.env = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
                   "LANG=C.UTF-8",
                   "TERM=xterm-256color",
                   "CTOPBROKER_CONTAINER=" + name,
                   "WAYLAND_DISPLAY=/run/ctopbroker/wayland-0",
                   "DISPLAY=:0",
                   std::string("PIPEWIRE_REMOTE=") + pipewire_socket_inside};
        if (as_root) {
            run.uid = 0;
            run.gid = 0;
            run.env.push_back("HOME=/root");
        } else {
            run.env.push_back("HOME=/home/user");
            run.env.push_back("XDG_RUNTIME_DIR=/run/user/1000");
            run.cwd = "/home/user";
        }
        run.stdin_fd = STDIN_FILENO;
        run.stdout_fd = STDOUT_FILENO;
        run.stderr_fd = STDERR_FILENO;
        return c.run_wait(run);
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

}  // namespace ctop
