// Starting the session's helper processes (the container worker, the audio
// bridges, a PipeWire of our own) with ordinary signal handling: the session
// blocks the signals its event loop reads through signalfd, and a child must
// not inherit that mask.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

namespace ctop {

// posix_spawnp of argv with the session's environment; stdin/stdout/stderr
// are dup'ed from the given fds when >= 0. Throws std::runtime_error naming
// the program when it cannot start.
// `extra` become its fds 3, 4, ... (the parent's stay as they are).
pid_t start_child(const std::vector<std::string>& argv, int stdin_fd = -1, int stdout_fd = -1, int stderr_fd = -1,
                  const std::vector<int>& extra = {});

// One of ctopbroker's helper processes (`ctopbroker-helper _worker`,
// `ctopbroker-helper _audio`) talking over its stdin and stdout: the parent's ends of both
// pipes, close-on-exec. Throws std::runtime_error when it cannot start.
struct Helper {
    pid_t pid = -1;
    int to_child = -1;    // its stdin
    int from_child = -1;  // its stdout
};
Helper start_helper(const std::string& role, const std::vector<int>& extra_fds = {});

// Same, for a child that must not outlive the session even when the session
// is killed outright (SIGTERM to the child when it goes): fork, set the
// parent-death signal, exec. `env` (NAME=VALUE) is added to the session's
// environment, replacing what it names.
pid_t start_dependent_child(const std::vector<std::string>& argv, const std::vector<std::string>& env = {});

}  // namespace ctop
