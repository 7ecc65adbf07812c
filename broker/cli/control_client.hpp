// The CLI's side of the session's control socket (the session's side is
// session/control_server.hpp).
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>

namespace ctop {

// Client side, for the CLI: one request, one reply. Throws with a clear
// message when no session is running.
nlohmann::json control_request(const std::filesystem::path& socket, const nlohmann::json& request);

}  // namespace ctop
