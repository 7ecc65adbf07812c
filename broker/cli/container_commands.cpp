// create, destroy, list and exec: liblxc straight from the CLI.
#include "container_commands.hpp"

#include "audio_daemon.hpp"
#include "color.hpp"
#include "container.hpp"
#include "control_client.hpp"
#include "network.hpp"
#include "idmap.hpp"
#include "paths.hpp"

#include <pwd.h>
#include <unistd.h>

#include <cstdio>
#include <map>
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

// "4G", "512M", or bytes: how the user wrote it with --memory.
std::string size_text(std::uint64_t bytes)
{
    for (auto [unit, shift] : {std::pair{"G", 30}, {"M", 20}, {"K", 10}})
        if (bytes && bytes % (1ull << shift) == 0) return std::to_string(bytes >> shift) + unit;
    return std::to_string(bytes);
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

// The keys `set` knows, each with its own check: a value that would not
// load back is refused before the file is written.
using Setter = void (*)(ContainerPolicy&, const std::string& value);
const std::map<std::string, Setter>& setters()
{
    static const std::map<std::string, Setter> table = {
        {"network", [](ContainerPolicy& p, const std::string& value) {
             auto mode = net::parse_mode(value);
             if (!mode) throw std::runtime_error("network: unknown mode '" + value + "': use " + net::modes_text);
             p.network = *mode;
         }},
    };
    return table;
}

}  // namespace

int set_policy(const std::string& name, const std::vector<std::string>& assignments)
{
    if (!check_name(name)) return 2;
    try {
        Container c(name, paths::lxcpath());
        if (!c.exists()) return complain("container '" + name + "' does not exist: create it with `ctopbroker create " + name + "`");
        const auto file = paths::policy_file(name);
        ContainerPolicy policy = ContainerPolicy::load_or_default(name, file);
        for (const auto& a : assignments) {
            auto eq = a.find('=');
            std::string key = a.substr(0, eq);
            auto it = setters().find(key);
            if (eq == std::string::npos || it == setters().end()) {
                std::string known;
                for (const auto& [k, _] : setters()) known += (known.empty() ? "" : ", ") + k;
                complain("set: expected KEY=VALUE with KEY one of: " + known + " (got '" + a + "')");
                return 2;
            }
            it->second(policy, a.substr(eq + 1));
        }
        policy.save(file);
        std::string when = c.running() ? " (from its next start: `ctopbroker stop " + name + "`, then spawn)" : "";
        std::printf("%s: network = %s%s\n", name.c_str(), std::string(net::to_string(policy.network)).c_str(),
                    when.c_str());
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

json session_status_or_empty()
{
    try {
        json reply = control_request(paths::control_socket(), {{"cmd", "status"}});
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
                        "range of 65536 ids. Run `sudo ctopbroker setup --user " + current_user() +
                        "` once (or pass --privileged for a container whose root is the host's root)");
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
        c.create(spec);
        policy.save(paths::policy_file(policy.name));
        std::printf("created container '%s' (%s, %s, network %s)\n", policy.name.c_str(),
                    policy.template_name.c_str(), std::string(to_string(c.privilege())).c_str(),
                    std::string(net::to_string(policy.network)).c_str());
        if (c.privilege() == containers::Privilege::Privileged)
            std::fprintf(stderr, privileged_warning, policy.name.c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int destroy_container(const std::string& name)
{
    if (!check_name(name)) return 2;
    try {
        // A running session first lets go of the container's socket and workspace.
        json status = session_status_or_empty();
        if (!status.empty())
            control_request(paths::control_socket(), {{"cmd", "stop"}, {"name", name}, {"lxcpath", paths::lxcpath().string()}});
        Container c(name, paths::lxcpath());
        if (!c.exists()) return complain("container '" + name + "' does not exist");
        c.destroy();
        std::filesystem::remove(paths::policy_file(name));
        std::printf("destroyed container '%s'\n", name.c_str());
        return 0;
    } catch (const std::exception& e) {
        return complain(e.what());
    }
}

int list_containers(bool as_json)
{
    try {
        json status = session_status_or_empty();
        json list = json::array();
        for (const std::string& name : Container::list(paths::lxcpath())) {
            Container c(name, paths::lxcpath());
            json entry = {{"name", name},
                          {"state", c.state()},
                          {"privilege", std::string(to_string(c.privilege()))},
                          {"windows", 0},
                          {"workspace", nullptr},
                          {"limits", limits_of(name)}};
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
        std::printf("%-20s %-9s %-13s %-9s %-15s %-9s %-7s %s\n", "NAME", "STATE", "PRIVILEGE", "NETWORK", "ADDRESS",
                    "WORKSPACE", "WINDOWS", "LIMITS (memory/pids/cpu weight)");
        for (const auto& e : list)
            std::printf("%-20s %-9s %-13s %-9s %-15s %-9s %-7d %s\n", e["name"].get<std::string>().c_str(),
                        e["state"].get<std::string>().c_str(), e["privilege"].get<std::string>().c_str(),
                        e["network"].is_null() ? "?" : e["network"].get<std::string>().c_str(),
                        e["address"].is_null() ? "-" : e["address"].get<std::string>().c_str(),
                        e["workspace"].is_null() ? "-" : std::to_string(e["workspace"].get<int>()).c_str(),
                        e["windows"].get<int>(), limits_text(e["limits"]).c_str());
        for (const auto& e : list)
            if (e["privilege"] == "privileged") std::fprintf(stderr, privileged_warning, e["name"].get<std::string>().c_str());
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
        if (!c.exists()) return complain("container '" + name + "' does not exist: create it with `ctopbroker create " + name + "`");
        if (!c.running()) return complain("container '" + name + "' is not running: start it with `ctopbroker spawn " + name + "`");
        containers::RunOptions run;
        run.argv = argv;
        run.env = {"PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin", "LANG=C.UTF-8",
                   "TERM=xterm-256color", "CTOPBROKER_CONTAINER=" + name,
                   "WAYLAND_DISPLAY=/run/ctopbroker/wayland-0", "DISPLAY=:0",
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
