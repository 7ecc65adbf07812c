// The launch information the session leaves for a container's Xwayland
// launcher ($XDG_RUNTIME_DIR/ctopbroker/xwayland/N.json): which container,
// the X socket handed over, the user to run as. Rendered and parsed here only;
// checked field by field before the launcher, root on the host, acts on any
// of it.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <string_view>

namespace ctop {

struct XwaylandLaunchInfo {
    std::string container;
    std::string lxcpath;  // empty: liblxc's default
    int x_fd = -1;
    uid_t uid = 1000;
    gid_t gid = 1000;
};

// The launch information as the session writes it (one JSON object).
std::string render_xwayland_launch_info(const XwaylandLaunchInfo& info);
// nullopt, with `error` naming the field, when the text is not such an object.
std::optional<XwaylandLaunchInfo> parse_xwayland_launch_info(std::string_view text, std::string* error);

}  // namespace ctop
