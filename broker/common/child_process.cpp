// Helper processes with a clean signal mask.
#include "child_process.hpp"

#include "paths.hpp"
#include "unique_fd.hpp"

#include <fcntl.h>

#include <signal.h>
#include <spawn.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>

#include <cstring>
#include <stdexcept>
#include <string_view>

extern char** environ;

namespace ctop {

pid_t start_child(const std::vector<std::string>& argv, int stdin_fd, int stdout_fd, int stderr_fd,
                  const std::vector<int>& extra)
{
    // Copies above every target first: a descriptor that already is 3 or 4
    // would otherwise be overwritten before its own dup2.
    std::vector<UniqueFd> high;
    for (int fd : extra) {
        high.emplace_back(fcntl(fd, F_DUPFD_CLOEXEC, 64));
        if (!high.back())
            throw std::runtime_error("cannot pass a descriptor to " + argv[0] + ": " + std::strerror(errno));
    }
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    if (stdin_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
    if (stdout_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stdout_fd, 1);
    if (stderr_fd >= 0) posix_spawn_file_actions_adddup2(&fa, stderr_fd, 2);
    for (size_t i = 0; i < high.size(); ++i)
        posix_spawn_file_actions_adddup2(&fa, high[i].get(), 3 + static_cast<int>(i));
    posix_spawnattr_t attr;
    posix_spawnattr_init(&attr);
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGPIPE}) sigaddset(&defaults, sig);
    posix_spawnattr_setsigmask(&attr, &none);
    posix_spawnattr_setsigdefault(&attr, &defaults);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_t pid;
    int rc = posix_spawnp(&pid, args[0], &fa, &attr, args.data(), environ);
    posix_spawn_file_actions_destroy(&fa);
    posix_spawnattr_destroy(&attr);
    if (rc != 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(rc));
    return pid;
}

Helper start_helper(const std::string& role, const std::vector<int>& extra_fds)
{
    int in[2], out[2];
    if (pipe2(in, O_CLOEXEC) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
    if (pipe2(out, O_CLOEXEC) != 0) {
        int err = errno;
        close(in[0]);
        close(in[1]);
        throw std::runtime_error(std::string("pipe: ") + std::strerror(err));
    }
    Helper h;
    try {
        h.pid =
            start_child({paths::companion_binary("ctopbroker-helper").string(), role}, in[0], out[1], -1, extra_fds);
    } catch (...) {
        for (int fd : {in[0], in[1], out[0], out[1]}) close(fd);
        throw;
    }
    close(in[0]);
    close(out[1]);
    h.to_child = in[1];
    h.from_child = out[0];
    return h;
}

pid_t start_dependent_child(const std::vector<std::string>& argv, const std::vector<std::string>& env)
{
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    // Built before the fork: the child may only make async-signal-safe calls.
    std::vector<char*> envp;
    for (char** e = environ; *e; ++e) {
        std::string_view entry(*e);
        bool replaced = false;
        for (const auto& mine : env)
            replaced |= entry.substr(0, entry.find('=') + 1) == std::string_view(mine).substr(0, mine.find('=') + 1);
        if (!replaced) envp.push_back(*e);
    }
    for (const auto& mine : env) envp.push_back(const_cast<char*>(mine.c_str()));
    envp.push_back(nullptr);
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("cannot start " + argv[0] + ": " + std::strerror(errno));
    if (pid == 0) {
        // Only async-signal-safe calls from here to exec.
        prctl(PR_SET_PDEATHSIG, SIGTERM);
        if (getppid() != parent) _exit(1);
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        for (int sig : {SIGCHLD, SIGTERM, SIGINT, SIGPIPE}) signal(sig, SIG_DFL);
        execvpe(args[0], args.data(), envp.data());
        _exit(127);
    }
    return pid;
}

}  // namespace ctop
