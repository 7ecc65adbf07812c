// The apps' environment (see app_environment.hpp).
#include "app_environment.hpp"

#include "audio_daemon.hpp"

namespace ctop {

std::vector<std::string> app_environment(const std::string& container, bool audio,
                                         const std::vector<std::string>& extra)
{
    std::vector<std::string> env = {
        "PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/sbin:/usr/sbin:/sbin",
        "HOME=/home/user",
        "USER=user",
        "LOGNAME=user",
        "SHELL=/bin/sh",
        "LANG=C.UTF-8",
        "TERM=xterm-256color",
        "XDG_RUNTIME_DIR=/run/user/1000",
        std::string("WAYLAND_DISPLAY=") + broker_dir_inside + "/wayland-0",
        "XDG_SESSION_TYPE=wayland",
        "MOZ_ENABLE_WAYLAND=1",
        "QT_QPA_PLATFORM=wayland;xcb",
        "GDK_BACKEND=wayland,x11",
        "SDL_VIDEODRIVER=wayland",
        "CTOPBROKER_CONTAINER=" + container,
        "DISPLAY=:0",
        std::string("DBUS_SESSION_BUS_ADDRESS=") + session_bus_address,
    };
    if (audio) {
        env.push_back(std::string("PIPEWIRE_REMOTE=") + pipewire_socket_inside);
        env.push_back(std::string("PULSE_SERVER=unix:") + pulse_socket_inside);
    }
    env.insert(env.end(), extra.begin(), extra.end());
    return env;
}

}  // namespace ctop
