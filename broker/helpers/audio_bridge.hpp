// AudioBridge: the per-container audio helper, `ctopbroker-helper _audio`.
//
// Each running container has a PipeWire daemon of its own, inside the
// container (see broker/common/audio_daemon.hpp). The bridge is a host process that
// connects to that daemon and to the host's PipeWire:
//
//   container daemon                           host PipeWire
//   app stream ─▶ "ctopbroker sink" ─▶ ring ─▶ playback stream "ctopbroker.NAME"
//   app capture ◀─ "ctopbroker microphone" ◀── ring ◀── capture stream (only when granted)
//
// In the container's daemon the bridge is the session manager: it configures
// the apps' streams and links them to its sink, and it refuses capture
// streams with an error unless the microphone is granted. On the host, the
// container is one ordinary stream, labelled with its name, that any mixer
// (and `ctopbroker audio`) can mute or turn down.
//
// It starts as root only to connect its two sockets (the host's daemon, and
// the container's from inside its pid namespace), checks that the daemon the
// session started accepted the latter (not a process of the container's user
// serving a socket taken from it), and then becomes nobody with no
// capabilities and no way back before it reads a byte from either.
//
// The session talks to it in JSON lines: the first line on stdin configures it
// ({"container", "container_socket", "host_socket", "init_pid", "mic",
// "volume", "mute"}); every later
// line is a request ({"id", and any of "mute", "volume", "mic"}) answered on
// stdout with {"id", "ok", "state"}. Lines without "id" are events. It exits
// when either daemon goes away or stdin closes.
#pragma once

namespace ctop {

int audio_bridge_main();

}  // namespace ctop
