// setns into a container, in nsenter's order.
#include "container_namespaces.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace ctop {

void enter_container_namespaces(pid_t init)
{
    struct stat mine {
    }, theirs{};
    std::string base = "/proc/" + std::to_string(init) + "/ns/";
    // The user namespace first (an unprivileged container's), as nsenter does.
    const char* kinds[] = {"user", "cgroup", "ipc", "uts", "net", "mnt"};
    std::vector<std::pair<const char*, int>> fds;
    auto close_all = [&] {
        for (auto [kind, fd] : fds) close(fd);
    };
    for (const char* kind : kinds) {
        std::string ours = std::string("/proc/self/ns/") + kind;
        if (stat(ours.c_str(), &mine) != 0 || stat((base + kind).c_str(), &theirs) != 0) continue;
        if (mine.st_ino == theirs.st_ino && mine.st_dev == theirs.st_dev) continue;  // already there
        int fd = open((base + kind).c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            int err = errno;
            close_all();
            throw std::runtime_error(std::string("cannot open the container's ") + kind +
                                     " namespace: " + std::strerror(err));
        }
        fds.emplace_back(kind, fd);
    }
    for (auto [kind, fd] : fds) {
        if (setns(fd, 0) != 0) {
            int err = errno;
            close_all();
            throw std::runtime_error(std::string("cannot enter the container's ") + kind +
                                     " namespace: " + std::strerror(err));
        }
    }
    close_all();
    if (chdir("/") != 0) throw std::runtime_error("cannot chdir to the container's /");
}

std::vector<CgroupMembership> parse_proc_cgroup(std::istream& in)
{
    std::vector<CgroupMembership> out;
    for (std::string line; std::getline(in, line);) {
        auto a = line.find(':'), b = line.find(':', a + 1);
        if (a == std::string::npos || b == std::string::npos) continue;
        std::string controllers = line.substr(a + 1, b - a - 1);
        if (controllers.starts_with("name=")) controllers = controllers.substr(5);
        out.push_back({controllers, line.substr(b + 1)});
    }
    return out;
}

std::vector<CgroupMembership> cgroups_of(pid_t pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/cgroup");
    return parse_proc_cgroup(in);
}

std::vector<std::string> cgroup_procs_files(const CgroupMembership& m)
{
    if (m.controllers.empty()) return {"unified" + m.path + "/cgroup.procs", "." + m.path + "/cgroup.procs"};
    return {m.controllers + m.path + "/cgroup.procs"};
}

void join_container_cgroups(pid_t init, pid_t pid)
{
    for (const CgroupMembership& m : cgroups_of(init))
        for (const auto& file : cgroup_procs_files(m)) {
            std::ofstream procs("/sys/fs/cgroup/" + file);
            if (!procs) continue;
            procs << pid << std::endl;
            if (procs) break;
        }
}

}  // namespace ctop
