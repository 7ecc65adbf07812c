// The agent: a small process inside each running container
// (`ctopbroker-helper _agent`), as the container's user. The session starts it at a
// container's first spawn and talks to it over a socket pair that nothing else
// holds; through it apps start with a fork and an exec inside the container,
// without a liblxc attach or a worker process, and it lists the container's
// applications. It leaves when the session closes its end.
#pragma once

namespace ctop {

// Entry point of `ctopbroker-helper _agent`: stdin and stdout are the session's
// socket, stderr the container's log. The first line names the container:
// {"container": NAME, "lxcpath": PATH}.
int agent_main();

}  // namespace ctop
