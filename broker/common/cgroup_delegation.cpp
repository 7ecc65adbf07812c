// cgroup delegation without systemd (see cgroup_delegation.hpp).
#include "cgroup_delegation.hpp"

#include "container_namespaces.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace ctop::cgroups {
namespace fs = std::filesystem;

namespace {

std::string read_first_line(const fs::path& file)
{
    std::ifstream in(file);
    std::string line;
    std::getline(in, line);
    return line;
}

bool write_value(const fs::path& file, const std::string& value)
{
    int fd = open(file.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd < 0) return false;
    bool ok = write(fd, value.data(), value.size()) == static_cast<ssize_t>(value.size());
    close(fd);
    return ok;
}

bool is_cgroup2(const fs::path& hierarchy)
{
    return fs::exists(hierarchy / "cgroup.subtree_control");
}

// A hybrid machine's cgroup2 at unified/ carries none of the controllers a
// container's limits use (at most hugetlb): liblxc copes with a session it
// cannot place there.
bool holds_no_limits(const fs::path& hierarchy)
{
    if (!is_cgroup2(hierarchy)) return false;
    std::string controllers = " " + read_first_line(hierarchy / "cgroup.controllers") + " ";
    for (const char* c : {" memory ", " pids ", " cpu "})
        if (controllers.find(c) != std::string::npos) return false;
    return true;
}

// The calling process's cgroup on `hierarchy`, as /proc/self/cgroup names it.
std::string own_cgroup(const fs::path& hierarchy)
{
    const bool v2 = is_cgroup2(hierarchy);
    const std::string name = hierarchy.filename().string();
    for (const CgroupMembership& m : cgroups_of(getpid()))
        if (v2 ? m.controllers.empty() : m.controllers == name) return m.path;
    return {};
}

// A new cpuset cgroup starts with no cpus and no memory nodes: no task could
// join it. Copy its parent's.
void init_cpuset(const fs::path& dir)
{
    for (const char* file : {"cpuset.cpus", "cpuset.mems"}) {
        if (!fs::exists(dir / file) || !read_first_line(dir / file).empty()) continue;
        std::string parent = read_first_line(dir.parent_path() / file);
        if (!write_value(dir / file, parent))
            throw std::runtime_error("cannot set " + (dir / file).string() + ": " + std::strerror(errno));
    }
}

}  // namespace

std::vector<fs::path> hierarchies()
{
    std::vector<fs::path> out;
    std::ifstream in("/proc/self/mountinfo");
    for (std::string line; std::getline(in, line);) {
        // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS... - FSTYPE SOURCE SUPEROPTS
        std::istringstream fields(line);
        std::string id, parent, dev, root, mountpoint, word;
        fields >> id >> parent >> dev >> root >> mountpoint;
        while (fields >> word && word != "-") {
        }
        std::string fstype, source, superopts;
        fields >> fstype >> source >> superopts;
        if (root != "/") continue;  // a bind of a sub-cgroup, e.g. inside a container
        if (fstype == "cgroup2") out.emplace_back(mountpoint);
        // v1: only controller hierarchies and the named systemd one (liblxc uses both)
        else if (fstype == "cgroup") out.emplace_back(mountpoint);
    }
    return out;
}

fs::path delegated_dir(const fs::path& hierarchy, const std::string& user)
{
    return hierarchy / "ctopbroker" / user;
}

std::vector<std::string> delegate_to(const std::string& user, uid_t uid, gid_t gid)
{
    std::vector<std::string> changed;
    for (const fs::path& h : hierarchies()) {
        const fs::path top = h / "ctopbroker", dir = delegated_dir(h, user);
        for (const fs::path& d : {top, dir}) {
            if (mkdir(d.c_str(), 0755) == 0) changed.push_back("created cgroup " + d.string());
            else if (errno != EEXIST)
                throw std::runtime_error("cannot create cgroup " + d.string() + ": " + std::strerror(errno) + " (is " +
                                         h.string() + " mounted read-only?)");
            init_cpuset(d);
        }
        if (is_cgroup2(h)) {
            // Hand the controllers the limits need down to the user's subtree.
            for (const fs::path& d : {h, top}) {
                std::string available = read_first_line(d / "cgroup.controllers");
                for (const char* c : {"memory", "pids", "cpu"})
                    if ((" " + available + " ").find(std::string(" ") + c + " ") != std::string::npos)
                        write_value(d / "cgroup.subtree_control", std::string("+") + c);
            }
        }
        // What a delegated subtree's owner needs, as systemd's Delegate=yes gives it.
        for (const char* file : {"", "cgroup.procs", "tasks", "cgroup.subtree_control", "cgroup.threads"}) {
            fs::path p = *file ? dir / file : dir;
            struct stat st {};
            if (stat(p.c_str(), &st) != 0) continue;
            if (st.st_uid == uid && st.st_gid == gid) continue;
            if (chown(p.c_str(), uid, gid) != 0)
                throw std::runtime_error("cannot hand " + p.string() + " to " + user + ": " + std::strerror(errno));
            if (!*file) changed.push_back("cgroup " + dir.string() + " delegated to " + user);
        }
    }
    return changed;
}

namespace {

// rmdir of a cgroup and every cgroup below it, deepest first (a cgroup goes
// only empty: no children, no processes).
void remove_cgroup_tree(const fs::path& dir)
{
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(dir, ec))
        if (e.is_directory() && !e.is_symlink()) remove_cgroup_tree(e.path());
    if (rmdir(dir.c_str()) != 0 && errno != ENOENT)
        throw std::runtime_error("cannot remove cgroup " + dir.string() + ": " + std::strerror(errno) +
                                 (errno == EBUSY ? " (processes still run in it: end that user's session first)" : ""));
}

}  // namespace

std::vector<std::string> undelegate(const std::string& user)
{
    std::vector<std::string> removed;
    for (const fs::path& h : hierarchies()) {
        const fs::path dir = delegated_dir(h, user);
        if (!fs::is_directory(dir)) continue;
        remove_cgroup_tree(dir);
        removed.push_back("removed cgroup " + dir.string());
    }
    return removed;
}

std::vector<std::string> delegated_users()
{
    std::vector<std::string> users;
    for (const fs::path& h : hierarchies()) {
        std::error_code ec;
        for (const auto& e : fs::directory_iterator(h / "ctopbroker", ec)) {
            std::string name = e.path().filename();
            if (!e.is_directory() || std::find(users.begin(), users.end(), name) != users.end()) continue;
            users.push_back(name);
        }
    }
    return users;
}

std::vector<std::string> join_delegated(const std::string& user)
{
    std::vector<std::string> failed;
    const std::string pid = std::to_string(getpid()) + "\n";
    for (const fs::path& h : hierarchies()) {
        const fs::path dir = delegated_dir(h, user);
        const std::string mine = own_cgroup(h);
        const std::string wanted = "/" + fs::relative(dir, h).string();
        if (!fs::exists(dir) || mine == wanted || mine.starts_with(wanted + "/")) continue;
        if (!write_value(dir / "cgroup.procs", pid) && !holds_no_limits(h))
            failed.push_back(h.string() + " (" + std::strerror(errno) + ")");
    }
    return failed;
}

bool can_create_cgroups(std::vector<std::string>* missing)
{
    bool ok = true;
    for (const fs::path& h : hierarchies()) {
        fs::path mine = h / fs::path(own_cgroup(h)).relative_path();
        if (access(mine.c_str(), W_OK) == 0 || holds_no_limits(h)) continue;
        ok = false;
        if (missing) missing->push_back(h.string());
    }
    return ok;
}

}  // namespace ctop::cgroups
