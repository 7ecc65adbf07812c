// Entering a container to run its X server.
#include "xwayland_launcher.hpp"

#include "container.hpp"
#include "container_namespaces.hpp"
#include "xwayland_launch_info.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace ctop {
namespace {

[[noreturn]] void die(const std::string& message)
{
    std::fprintf(stderr, "ctopbroker Xwayland launcher: %s\n", message.c_str());
    _exit(1);
}

// The cgroup.procs files of the container's init, relative to
// /sys/fs/cgroup: one candidate list per hierarchy.
std::vector<std::vector<std::string>> cgroup_procs_of(pid_t init)
{
    std::vector<std::vector<std::string>> out;
    for (const CgroupMembership& m : cgroups_of(init)) out.push_back(cgroup_procs_files(m));
    return out;
}

// Moves this process into every cgroup of the container's init, so its limits
// cover Xwayland and stopping the container ends it. Called inside the
// container's user namespace: its root owns those cgroups, the session's user
// (outside) does not. `root` is the host's /sys/fs/cgroup, opened before.
void join_cgroups(int root, const std::vector<std::vector<std::string>>& cgroups)
{
    std::string pid = std::to_string(getpid()) + "\n";
    for (const auto& candidates : cgroups)
        for (const auto& rel : candidates) {
            int fd = openat(root, rel.c_str(), O_WRONLY | O_CLOEXEC);
            if (fd < 0) continue;
            bool joined = write(fd, pid.data(), pid.size()) == static_cast<ssize_t>(pid.size());
            close(fd);
            if (joined) break;
        }
}

// Everything but what Xwayland needs is closed: it must not inherit, say,
// another container's X socket.
void close_other_fds(const std::set<int>& keep)
{
    DIR* dir = opendir("/proc/self/fd");
    if (!dir) return;
    std::vector<int> fds;
    while (dirent* e = readdir(dir)) {
        int fd = std::atoi(e->d_name);
        if (e->d_name[0] != '.' && fd > 2 && !keep.count(fd) && fd != dirfd(dir)) fds.push_back(fd);
    }
    closedir(dir);
    for (int fd : fds) close(fd);
}

std::string arg_after(int argc, char** argv, const char* flag)
{
    for (int i = 1; i + 1 < argc; ++i)
        if (std::strcmp(argv[i], flag) == 0) return argv[i + 1];
    return {};
}

}  // namespace

int xwayland_launcher_main(int argc, char** argv)
{
    if (argc < 2 || argv[1][0] != ':') die("expected wlroots' Xwayland arguments");
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    if (!runtime) die("XDG_RUNTIME_DIR is not set");
    std::string info_path = std::string(runtime) + "/ctopbroker/xwayland/" + (argv[1] + 1) + ".json";
    std::ifstream in(info_path);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::string error;
    std::optional<XwaylandLaunchInfo> info = parse_xwayland_launch_info(text, &error);
    if (!info) die("bad launch information in " + info_path + ": " + error);
    const std::string& name = info->container;
    int x_fd = info->x_fd;
    std::string wm_fd = arg_after(argc, argv, "-wm");
    const char* wayland_socket = std::getenv("WAYLAND_SOCKET");
    if (x_fd < 0 || fcntl(x_fd, F_GETFD) < 0) die("the X socket of container '" + name + "' was not handed over");
    if (wm_fd.empty() || !wayland_socket) die("wlroots did not pass -wm and WAYLAND_SOCKET");

    pid_t init;
    try {
        containers::Container c(name, info->lxcpath);
        init = c.init_pid();
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (init <= 0) die("container '" + name + "' is not running");

    close_other_fds({x_fd, std::atoi(wm_fd.c_str()), std::atoi(wayland_socket)});
    std::string pid_path = info_path.substr(0, info_path.size() - 5) + ".pid";
    int ready[2];
    if (pipe2(ready, O_CLOEXEC) != 0) die(std::string("pipe: ") + std::strerror(errno));

    // Xwayland tells its parent it is ready with SIGUSR1. It runs as the
    // container's user, which may not signal this process (the session's
    // user, or root), so its parent is a process inside the container as that
    // same user, which passes the word (and Xwayland's pid) on through a pipe.
    pid_t child = fork();
    if (child < 0) die(std::string("fork: ") + std::strerror(errno));
    if (child > 0) {
        close(ready[1]);
        pid_t xwayland = -1;
        if (read(ready[0], &xwayland, sizeof xwayland) == sizeof xwayland) {
            std::ofstream(pid_path) << xwayland << "\n";  // the session shows and watches it
            char byte;
            if (read(ready[0], &byte, 1) == 1) kill(getppid(), SIGUSR1);
        }
        int status = 0;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
        }
        _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
    close(ready[0]);
    int cgroup_root = open("/sys/fs/cgroup", O_PATH | O_DIRECTORY | O_CLOEXEC);
    auto cgroups = cgroup_procs_of(init);
    try {
        enter_container_namespaces(init);
    } catch (const std::exception& e) {
        die(e.what());
    }
    if (cgroup_root >= 0) join_cgroups(cgroup_root, cgroups);
    // The container's user, never root: X clients talk to Xwayland.
    if (setgroups(0, nullptr) != 0 || setresgid(info->gid, info->gid, info->gid) != 0 ||
        setresuid(info->uid, info->uid, info->uid) != 0)
        die("cannot drop to the container's user");

    sigset_t wait_for;
    sigemptyset(&wait_for);
    sigaddset(&wait_for, SIGUSR1);
    sigaddset(&wait_for, SIGCHLD);
    sigprocmask(SIG_BLOCK, &wait_for, nullptr);
    signal(SIGUSR1, SIG_DFL);  // wlroots set it to SIG_IGN, which would drop it even while blocked
    pid_t xwayland = fork();
    if (xwayland < 0) die(std::string("fork: ") + std::strerror(errno));
    if (xwayland == 0) {
        signal(SIGUSR1, SIG_IGN);  // asks Xwayland to signal its parent when ready
        sigprocmask(SIG_UNBLOCK, &wait_for, nullptr);
        std::string fd_arg = std::to_string(x_fd);
        std::string socket_env = std::string("WAYLAND_SOCKET=") + wayland_socket;
        // One X server per container: inside it, it is display :0.
        std::vector<const char*> args = {"Xwayland",     ":0",  "-rootless",   "-terminate", "-listenfd",
                                         fd_arg.c_str(), "-wm", wm_fd.c_str(), nullptr};
        std::vector<const char*> env = {socket_env.c_str(),   "HOME=/home/user",
                                        "PATH=/usr/bin:/bin", "XDG_RUNTIME_DIR=/run/user/1000",
                                        "LANG=C.UTF-8",       nullptr};
        execve("/usr/bin/Xwayland", const_cast<char* const*>(args.data()), const_cast<char* const*>(env.data()));
        die(std::string("cannot run /usr/bin/Xwayland in container '") + name + "': " + std::strerror(errno));
    }
    close(x_fd);  // Xwayland has it; this process must not keep X clients' socket open
    if (write(ready[1], &xwayland, sizeof xwayland) != sizeof xwayland) die("cannot report Xwayland's pid");
    for (;;) {
        int sig = 0;
        sigwait(&wait_for, &sig);
        if (sig == SIGUSR1) {
            char byte = 'r';
            if (write(ready[1], &byte, 1) != 1) {
            }
            continue;
        }
        int status = 0;
        if (waitpid(xwayland, &status, WNOHANG) == xwayland) _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 1);
    }
}

}  // namespace ctop
