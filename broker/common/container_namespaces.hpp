// Joining a running container's namespaces from a host process (the Xwayland
// launcher, the audio bridge's anchor). Single-threaded callers only: a
// user namespace cannot be entered by a multi-threaded process.
#pragma once

#include <sys/types.h>

#include <istream>
#include <string>
#include <vector>

namespace ctop {

// Enters the user, cgroup, ipc, uts, net and mount namespaces of the
// container whose init is `init` (those it is not in already) and changes
// to its "/". Throws std::runtime_error naming the namespace that failed.
void enter_container_namespaces(pid_t init);

// Moves `pid` into every cgroup of the container whose init is `init`, so
// its limits cover it and stopping the container ends it. Best effort: a
// cgroup this process may not write to is left alone.
void join_container_cgroups(pid_t init, pid_t pid);

// One line of /proc/PID/cgroup ("ID:CONTROLLERS:PATH"): `controllers` is ""
// for cgroup2 and a v1 hierarchy's controllers ("memory", "cpu,cpuacct") or
// name ("systemd", without "name="); `path` is below that hierarchy's root.
struct CgroupMembership {
    std::string controllers;
    std::string path;
};

// The lines of a /proc/PID/cgroup file; malformed lines are skipped.
std::vector<CgroupMembership> parse_proc_cgroup(std::istream& in);
// /proc/PID/cgroup of `pid`: empty when it cannot be read (the process ended).
std::vector<CgroupMembership> cgroups_of(pid_t pid);
// Where a process joins `m`'s cgroup, relative to /sys/fs/cgroup, in the
// order to try: cgroup2 may be mounted at unified/ (hybrid) or at the top.
std::vector<std::string> cgroup_procs_files(const CgroupMembership& m);

}  // namespace ctop
