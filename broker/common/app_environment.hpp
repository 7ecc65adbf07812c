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

// The container's own session bus (a dbus-daemon inside it, as its user; the
// agent keeps it running). /run is the container's own tmpfs, so no other
// container and not the host can reach it.
inline constexpr const char* session_bus_inside = "/run/user/1000/bus";
inline constexpr const char* session_bus_address = "unix:path=/run/user/1000/bus";

// `extra` (NAME=VALUE, from the spawn request) comes last, so it wins.
std::vector<std::string> app_environment(const std::string& container, bool audio,
                                         const std::vector<std::string>& extra);

}  // namespace ctop
