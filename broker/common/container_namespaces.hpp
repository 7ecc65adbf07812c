// Joining a running container's namespaces from a host process (the Xwayland
// launcher, the audio bridge's anchor). Single-threaded callers only: a
// user namespace cannot be entered by a multi-threaded process.
#pragma once

#include <sys/types.h>

namespace ctop {

// Enters the user, cgroup, ipc, uts, net and mount namespaces of the
// container whose init is `init` (those it is not in already) and changes
// to its "/". Throws std::runtime_error naming the namespace that failed.
void enter_container_namespaces(pid_t init);

// Moves `pid` into every cgroup of the container whose init is `init`, so
// its limits cover it and stopping the container ends it. Best effort: a
// cgroup this process may not write to is left alone.
void join_container_cgroups(pid_t init, pid_t pid);

}  // namespace ctop
