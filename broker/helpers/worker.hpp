// The container worker: a short-lived child process (`ctopbroker _worker`)
// that does the blocking liblxc work for the session. The session writes one
// JSON request to its stdin and reads one JSON reply from its stdout on the
// event loop, so a slow or crashing liblxc call never stalls or kills the
// compositor.
#pragma once

#include <nlohmann/json.hpp>

namespace ctop {

// Entry point of `ctopbroker _worker`.
int worker_main();

// Does the request's work in-process; used by worker_main and by CLI
// commands that may block (create, destroy, list, exec).
nlohmann::json worker_handle(const nlohmann::json& request);

}  // namespace ctop
