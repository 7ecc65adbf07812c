// The Xwayland launcher. wlroots starts "Xwayland" itself (fork + exec); we
// point it at our own binary (WLR_XWAYLAND), which enters the container's
// namespaces and cgroups, drops to the container's user, swaps wlroots' host
// X sockets for the container's own and runs the real Xwayland, staying as
// its parent to relay its readiness signal to wlroots.
#pragma once

namespace ctop {

// Entry point when our binary runs as argv[0] == "Xwayland".
int xwayland_launcher_main(int argc, char** argv);

}  // namespace ctop
