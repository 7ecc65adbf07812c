// Rendering, editing and atomically writing the container's lxc config.
#include "lxc_config.hpp"

#include <fcntl.h>
#include <linux/magic.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace ctop::containers {
namespace fs = std::filesystem;

namespace {

constexpr const char* mounts_begin = "# ctopbroker mounts begin (rewritten by update_mounts)";
constexpr const char* mounts_end = "# ctopbroker mounts end";
constexpr const char* network_begin = "# ctopbroker network begin (rewritten by update_network)";
constexpr const char* network_end = "# ctopbroker network end";
constexpr const char* limits_begin = "# ctopbroker limits begin (rewritten by update_limits at every start)";
constexpr const char* limits_end = "# ctopbroker limits end";
// Every key a limits block may hold, on either cgroup layout.
constexpr const char* limit_keys[] = {"lxc.cgroup.memory.limit_in_bytes",
                                      "lxc.cgroup2.memory.max",
                                      "lxc.cgroup.pids.max",
                                      "lxc.cgroup2.pids.max",
                                      "lxc.cgroup.cpu.shares",
                                      "lxc.cgroup2.cpu.weight",
                                      "lxc.cgroup.devices.allow",
                                      "lxc.cgroup2.devices.allow"};

// fstab fields may not contain blanks: getmntent(3), which liblxc parses
// lxc.mount.entry with, decodes these octal escapes.
std::string fstab_escape(const std::string& s)
{
    std::string out;
    for (char ch : s) {
        switch (ch) {
        case ' ':
            out += "\\040";
            break;
        case '\t':
            out += "\\011";
            break;
        case '\n':
            out += "\\012";
            break;
        case '\\':
            out += "\\134";
            break;
        default:
            out += ch;
        }
    }
    return out;
}

void line(std::ostringstream& out, const std::string& key, const std::string& value)
{
    out << key << " = " << value << "\n";
}

std::string mount_block(const std::string& container, const std::vector<BindMount>& mounts)
{
    std::ostringstream out;
    out << mounts_begin << "\n";
    for (const auto& m : mounts) line(out, "lxc.mount.entry", mount_entry_value(container, m));
    out << mounts_end << "\n";
    return out.str();
}

// The key of a `key = value` config line, or "".
std::string key_of(const std::string& l)
{
    auto begin = l.find_first_not_of(" \t");
    if (begin == std::string::npos || l[begin] == '#') return "";
    auto end = l.find_first_of(" \t=", begin);
    return l.substr(begin, end == std::string::npos ? std::string::npos : end - begin);
}

}  // namespace

CgroupLayout detect_cgroup_layout()
{
    struct statfs st {};
    if (statfs("/sys/fs/cgroup", &st) == 0 && st.f_type == CGROUP2_SUPER_MAGIC) return CgroupLayout::V2;
    return CgroupLayout::V1;  // v1 controllers, possibly beside an empty unified hierarchy
}

std::string mount_entry_value(const std::string& container, const BindMount& m)
{
    const std::string& inside = m.container_path;
    fs::path rel = fs::path(inside).lexically_normal().relative_path();
    if (inside.empty() || inside[0] != '/' || rel.empty() || *rel.begin() == "..")
        throw ContainerError("container '" + container + "': mount target '" + inside +
                             "' must be an absolute path below / inside the container");
    if (!m.host_path.is_absolute())
        throw ContainerError("container '" + container + "': mount source '" + m.host_path.string() +
                             "' must be an absolute host path");
    std::string options =
        std::string("bind") + (m.read_only ? ",ro" : "") + (m.is_file ? ",create=file" : ",create=dir");
    return fstab_escape(m.host_path.lexically_normal().string()) + " " + fstab_escape(rel.string()) + " none " +
           options + " 0 0";
}

std::string render_config(const ConfigInputs& in)
{
    std::ostringstream out;
    out << "# Container '" << in.name << "', written by ctopbroker. Plain lxc config: lxc-* tools read it.\n"
        << "# Edit freely outside the marked mount block, which `update_mounts` rewrites.\n\n"
        << "# liblxc defaults (lxc.net cleared)\n"
        << in.defaults << "\n"
        << "# ctopbroker base\n";
    // common.conf: capability drops, device cgroup allow-list, seccomp denylist.
    line(out, "lxc.include", "/usr/share/lxc/config/common.conf");
    line(out, "lxc.uts.name", in.name);
    line(out, "lxc.rootfs.path", "dir:" + in.rootfs.string());
    line(out, "lxc.mount.auto", "proc:mixed sys:ro cgroup:mixed");
    line(out, "lxc.autodev", "1");
    line(out, "lxc.init.cmd", in.init_cmd);
    line(out, "lxc.log.file", in.log_file.string());
    line(out, "lxc.log.level", "WARN");
    if (in.idmap)
        for (const auto& v : idmap_config_values(*in.idmap)) line(out, "lxc.idmap", v);
    out << "\n" << limits_block(in.cgroups, {in.memory_limit_bytes, in.pids_limit, in.cpu_weight, in.device_allow});
    out << "\n# template mounts\n";
    for (const auto& m : in.template_mounts) line(out, "lxc.mount.entry", m);
    out << "\n" << network_block(in.name, in.network);
    out << "\n" << mount_block(in.name, in.mounts);
    return out.str();
}

std::string limits_block(CgroupLayout layout, const Limits& limits)
{
    const bool v1 = layout == CgroupLayout::V1;
    std::ostringstream out;
    out << limits_begin << "\n";
    if (limits.memory_bytes)
        line(out, v1 ? "lxc.cgroup.memory.limit_in_bytes" : "lxc.cgroup2.memory.max",
             std::to_string(*limits.memory_bytes));
    if (limits.pids) line(out, v1 ? "lxc.cgroup.pids.max" : "lxc.cgroup2.pids.max", std::to_string(*limits.pids));
    // v1's cpu.shares is 1024 for an ordinary group where v2's cpu.weight is 100.
    if (limits.cpu_weight)
        line(out, v1 ? "lxc.cgroup.cpu.shares" : "lxc.cgroup2.cpu.weight",
             std::to_string(v1 ? std::max<std::uint64_t>(2, *limits.cpu_weight * 1024ull / 100) : *limits.cpu_weight));
    // After common.conf's deny-all and its short allow-list: the devices granted.
    for (const auto& rule : limits.device_allow)
        line(out, v1 ? "lxc.cgroup.devices.allow" : "lxc.cgroup2.devices.allow", rule);
    out << limits_end << "\n";
    return out.str();
}

std::string replace_limits_block(const std::string& config, CgroupLayout layout, const Limits& limits)
{
    // Drop the old block and any loose limit line; the new block goes where
    // the first of them was (or before the network block).
    std::ostringstream kept;
    std::istringstream in(config);
    std::string::size_type at = std::string::npos;
    bool inside = false;
    for (std::string l; std::getline(in, l);) {
        bool limit_line = std::find(std::begin(limit_keys), std::end(limit_keys), key_of(l)) != std::end(limit_keys);
        if (l == limits_begin) inside = true;
        if (inside || limit_line) {
            if (at == std::string::npos) at = kept.str().size();
            if (l == limits_end) inside = false;
            continue;
        }
        kept << l << "\n";
    }
    std::string text = kept.str();
    if (at == std::string::npos) at = text.find(network_begin);
    if (at == std::string::npos) at = text.size();
    return text.substr(0, at) + limits_block(layout, limits) + text.substr(at);
}

std::string network_block(const std::string& container, const NetworkSpec& network)
{
    std::ostringstream out;
    out << network_begin << "\n";
    if (network.bridge.empty()) {
        line(out, "lxc.net.0.type", "empty");
    } else {
        // Both end up in a file liblxc parses line by line: nothing but the
        // characters an interface name and a MAC address are made of.
        auto is_name_char = [](char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_'; };
        for (const std::string* ifname : {&network.bridge, &network.veth})
            if (ifname->empty() || ifname->size() > 15 || !std::all_of(ifname->begin(), ifname->end(), is_name_char))
                throw ContainerError("container '" + container + "': bad interface name '" + *ifname + "'");
        const std::string& mac = network.hwaddr;
        bool mac_ok = mac.size() == 17;
        for (size_t i = 0; mac_ok && i < mac.size(); ++i)
            mac_ok = i % 3 == 2 ? mac[i] == ':' : std::isxdigit(static_cast<unsigned char>(mac[i])) != 0;
        if (!mac_ok) throw ContainerError("container '" + container + "': bad MAC address '" + mac + "'");
        line(out, "lxc.net.0.type", "veth");
        line(out, "lxc.net.0.link", network.bridge);
        line(out, "lxc.net.0.flags", "up");
        line(out, "lxc.net.0.name", "eth0");
        line(out, "lxc.net.0.veth.pair", network.veth);
        line(out, "lxc.net.0.hwaddr", mac);
    }
    out << network_end << "\n";
    return out.str();
}

std::string replace_network_block(const std::string& container, const std::string& config, const NetworkSpec& network)
{
    const std::string block = network_block(container, network);
    auto begin = config.find(network_begin);
    auto end = config.find(network_end, begin == std::string::npos ? 0 : begin);
    if (begin != std::string::npos && end != std::string::npos) {
        end += std::strlen(network_end);
        if (end < config.size() && config[end] == '\n') ++end;
        return config.substr(0, begin) + block + config.substr(end);
    }
    // An older config: drop its lxc.net lines, put the block before the mounts.
    std::ostringstream kept;
    std::istringstream in(config);
    for (std::string l; std::getline(in, l);) {
        auto key = l.find_first_not_of(" \t");
        if (key != std::string::npos && l.compare(key, 8, "lxc.net.") == 0) continue;
        kept << l << "\n";
    }
    std::string text = kept.str();
    auto mounts = text.find(mounts_begin);
    if (mounts == std::string::npos) return text + "\n" + block;
    return text.substr(0, mounts) + block + "\n" + text.substr(mounts);
}

std::string replace_mount_block(const std::string& container, const std::string& config,
                                const std::vector<BindMount>& mounts)
{
    auto begin = config.find(mounts_begin);
    auto end = config.find(mounts_end, begin == std::string::npos ? 0 : begin);
    if (begin == std::string::npos || end == std::string::npos)
        throw ContainerError("container '" + container +
                             "': its config has no ctopbroker mount block (was it "
                             "created by ctopbroker?): recreate it with `ctopbroker create " +
                             container + "`");
    end += std::strlen(mounts_end);
    if (end < config.size() && config[end] == '\n') ++end;
    return config.substr(0, begin) + mount_block(container, mounts) + config.substr(end);
}

std::string adopt_config(const std::string& config, const fs::path& dir, const std::string& name)
{
    std::ostringstream out;
    std::istringstream in(config);
    bool in_mounts = false;
    for (std::string l; std::getline(in, l);) {
        const std::string key = key_of(l);
        if (l == mounts_begin) in_mounts = true;
        if (in_mounts) {
            if (l == mounts_end) {
                out << mounts_begin << "\n" << mounts_end << "\n";
                in_mounts = false;
            }
            continue;
        }
        if (key == "lxc.uts.name") line(out, key, name);
        else if (key == "lxc.log.file") line(out, key, (dir / (name + ".log")).string());
        else if (key == "lxc.rootfs.path") line(out, key, "dir:" + (dir / "rootfs").string());
        else out << l << "\n";
    }
    return out.str();
}

std::string read_text_file(const fs::path& path)
{
    std::ifstream in(path, std::ios::binary);
    if (!in) throw ContainerError("cannot read " + path.string() + ": " + std::strerror(errno));
    std::ostringstream text;
    text << in.rdbuf();
    return text.str();
}

void write_file_atomically(const fs::path& path, const std::string& text)
{
    auto fail = [&](const std::string& step) {
        return ContainerError("cannot write " + path.string() + " (" + step + ": " + std::strerror(errno) +
                              "): check that its directory is writable and the disk is not full");
    };
    std::string tmp = path.string() + ".tmp.XXXXXX";
    int fd = mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) throw fail("create temp file");
    auto abandon = [&](const std::string& step) {
        ContainerError e = fail(step);
        close(fd);
        unlink(tmp.c_str());
        return e;
    };
    for (size_t done = 0; done < text.size();) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) throw abandon("write");
        done += static_cast<size_t>(n);
    }
    if (fchmod(fd, 0644) != 0) throw abandon("chmod");
    if (fsync(fd) != 0) throw abandon("fsync");
    close(fd);
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        ContainerError e = fail("rename");
        unlink(tmp.c_str());
        throw e;
    }
    // The rename itself is only durable once the directory is synced.
    int dir = open(path.parent_path().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir >= 0) {
        fsync(dir);
        close(dir);
    }
}

}  // namespace ctop::containers
