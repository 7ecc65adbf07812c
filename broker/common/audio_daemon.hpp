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

// Inside the container.
inline constexpr const char* pipewire_socket_inside = "/run/ctopbroker/pipewire-0";

// Whether something accepts connections on the Unix socket at `path`.
bool socket_answers(const std::filesystem::path& path);

// The daemon's configuration: native protocol, client nodes, links, a timer
// driver; no devices, no D-Bus, no realtime module.
std::string container_pipewire_conf();

// Where ensure_container_pipewire records the daemon it started for broker
// directory `dir` ("PID STARTTIME", host view): next to the directory, so
// nothing of it shows inside the container.
std::filesystem::path daemon_identity_file(const std::filesystem::path& dir);

// The host pid of the daemon ensure_container_pipewire started for `dir`, if
// that very process still runs (pid and start time match); else 0.
pid_t running_container_pipewire(const std::filesystem::path& dir);

// Starts the daemon in running container `c` unless the one we started still
// answers on `dir`/pipewire-0; `dir` is the container's broker directory on
// the host. Anything else answering there (the container's user serving a
// socket taken from a daemon it killed) is replaced by a new socket and
// daemon, and logged. Returns the daemon's host pid. Throws with a message
// naming the container when it cannot.
pid_t ensure_container_pipewire(containers::Container& c, const std::filesystem::path& dir, int log_fd);

}  // namespace ctop
