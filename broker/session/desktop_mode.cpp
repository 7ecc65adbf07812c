// Desktop mode (see desktop_mode.hpp).
#include "desktop_mode.hpp"

#include "policy.hpp"

namespace ctop {
namespace {

// $1 is the policy's command line: passed as an argument, never pasted into
// the script, so no quoting of it can go wrong. Xwayland 22.1 (bookworm) has
// no rootful -geometry or -fullscreen, so the nested server is Xephyr, a
// client of the container's Xwayland: -fullscreen makes the compositor give
// it the workspace below the bar, -resizeable makes its screen follow (an
// output change, leaving fullscreen with Super+F).
constexpr const char* script = R"sh(cmd=$1
d=1
while [ -e /tmp/.X$d-lock ] || [ -e /tmp/.X11-unix/X$d ]; do d=$((d + 1)); done
Xephyr :$d -resizeable -fullscreen -no-host-grab -noreset -nolisten tcp -title desktop &
x=$!
trap 'kill $x 2>/dev/null' EXIT
n=0
until [ -S /tmp/.X11-unix/X$d ]; do
    kill -0 $x 2>/dev/null || { echo "ctopbroker: Xephyr ended before display :$d was up (is xserver-xephyr installed?)" >&2; exit 1; }
    n=$((n + 1))
    [ $n -lt 200 ] || { echo "ctopbroker: Xephyr did not open display :$d in 10 s" >&2; exit 1; }
    sleep 0.05
done
unset WAYLAND_DISPLAY MOZ_ENABLE_WAYLAND
export DISPLAY=:$d XDG_SESSION_TYPE=x11 GDK_BACKEND=x11 QT_QPA_PLATFORM=xcb SDL_VIDEODRIVER=x11
sh -c "$cmd"
)sh";

}  // namespace

std::optional<std::string> desktop_problem(const ContainerPolicy& policy)
{
    const std::string& name = policy.name;
    if (policy.desktop.empty())
        return "container '" + name + "' has no desktop: set one, e.g. `ctopbroker set " + name +
               " desktop=startxfce4`";
    if (!policy.x11)
        return "container '" + name + "': its desktop runs on X11, which its policy turns off: `ctopbroker set " +
               name + " x11=true`";
    if (!policy.fullscreen)
        return "container '" + name +
               "': its desktop fills its workspace, which its policy forbids: "
               "`ctopbroker set " +
               name + " fullscreen=true`";
    return std::nullopt;
}

std::vector<std::string> desktop_argv(const std::string& command)
{
    return {"/bin/sh", "-c", script, "ctopbroker-desktop", command};
}

}  // namespace ctop
