// The PipeWire daemon inside each container.
//
// A container's apps get a PipeWire of their own, running inside the
// container as its user, so whatever a client asks of it (loading SPA
// plugins, creating nodes) happens with the container's rights. Its listening
// socket is made by us, on the host, in the container's read-only broker
// directory (`/run/ctopbroker/pipewire-0` inside) and handed over by socket
// activation: the container cannot move or replace it, so the audio bridge
// on the host always reaches the daemon we started. Its graph holds only the
// container's own nodes and the bridge's; nothing of the host or of another
// container.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>

namespace ctop {
namespace containers {
class Container;
}

// Inside the container: PipeWire's native socket, and the PulseAudio socket
// pipewire-pulse serves (apps find it through PULSE_SERVER, or through the
// link at $XDG_RUNTIME_DIR/pulse/native the worker makes).
inline constexpr const char* pipewire_socket_inside = "/run/ctopbroker/pipewire-0";
inline constexpr const char* pulse_socket_inside = "/run/ctopbroker/pulse/native";

// Whether something accepts connections on the Unix socket at `path`.
bool socket_answers(const std::filesystem::path& path);

// The daemon's configuration: native protocol, client nodes, links, a timer
// driver; no devices, no D-Bus, no realtime module.
std::string container_pipewire_conf();

// Where start_container_audio records the daemon it started for broker
// directory `dir` ("PID STARTTIME", host view): next to the directory, so
// nothing of it shows inside the container.
std::filesystem::path daemon_identity_file(const std::filesystem::path& dir);

// The host pid of the daemon start_container_audio started for `dir`, if
// that very process still runs (pid and start time match); else 0.
pid_t running_container_pipewire(const std::filesystem::path& dir);

// Audio starts lazily, as Xwayland does. At the first spawn the session
// makes two unbound sockets and the worker binds them here, in the broker
// directory `dir` on the host: `dir`/pipewire-0 and `dir`/pulse/native, each
// at the address its daemon would bind itself, so the daemons adopt them by
// socket activation. The session keeps them and watches them; no daemon runs
// until an app connects. Throws with the path and the reason.
void bind_audio_sockets(const std::filesystem::path& dir, int pipewire_fd, int pulse_fd);

// On the first connection: starts PipeWire (and pipewire-pulse, where it is
// installed) in running container `c` on those listening sockets, unless the
// daemon we started last still runs. Returns the daemon's host pid. Throws
// with a message naming the container when it cannot.
pid_t start_container_audio(containers::Container& c, const std::filesystem::path& dir, int pipewire_fd, int pulse_fd,
                            int log_fd);

}  // namespace ctop
