// The environment a container's apps start with, whoever starts them (the
// worker through a liblxc attach, or the container's agent): nothing from
// the host but what is chosen here.
#pragma once

#include <string>
#include <vector>

namespace ctop {

// Inside every container: the broker's per-container directory (Wayland, X
// and PipeWire sockets) appears here, read-only.
inline constexpr const char* broker_dir_inside = "/run/ctopbroker";

// `extra` (NAME=VALUE, from the spawn request) comes last, so it wins.
std::vector<std::string> app_environment(const std::string& container, bool audio,
                                         const std::vector<std::string>& extra);

}  // namespace ctop
