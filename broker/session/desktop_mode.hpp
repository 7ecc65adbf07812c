// Desktop mode: `ctopbroker spawn NAME --desktop` runs the command line in
// NAME's policy key `desktop` (startxfce4, a window manager and a panel, ...)
// on a nested X server, Xephyr, that the container's own Xwayland shows as one
// fullscreen window: it fills the container's workspace below the bar, which
// keeps naming the container.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace ctop {

struct ContainerPolicy;

// Why NAME's policy cannot run a desktop (no `desktop` key, no X11, no
// fullscreen), with the `ctopbroker set` that fixes it; nullopt when it can.
std::optional<std::string> desktop_problem(const ContainerPolicy& policy);

// The argv that runs `command` as the container's desktop: a shell starts
// Xephyr on the first free display from :1, waits for its socket, and runs the
// command there with X11 as every toolkit's backend, so apps started from the
// desktop's menus open inside it. The desktop ends when the command does.
std::vector<std::string> desktop_argv(const std::string& command);

}  // namespace ctop
