// The session's replies to the control socket's reading commands (status,
// views, clipboard), built from the compositor's state.
#pragma once

#include <nlohmann/json.hpp>

#include <functional>
#include <string>

namespace ctop {

class ContainerSession;
class Server;

// A live container's share of the session, or nullptr (the session knows them).
using LiveContainerOf = std::function<const ContainerSession*(const std::string& container)>;

nlohmann::json status_reply(Server& server, const LiveContainerOf& live_of);
nlohmann::json views_reply(Server& server);
nlohmann::json clipboard_reply(Server& server);

}  // namespace ctop
