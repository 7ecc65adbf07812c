// The container commands the CLI runs itself (they need no compositor and
// may block): create, destroy, list, exec. spawn and stop go through the
// session, which owns the sockets.
#pragma once

#include "policy.hpp"

#include <nlohmann/json.hpp>

#include <string>
#include <vector>

namespace ctop {

struct CreateOptions {
    ContainerPolicy policy;
    bool privileged = false;
};

// Each returns a process exit status and prints its own messages.
int create_container(const CreateOptions& options);
int destroy_container(const std::string& name);
int list_containers(bool as_json);
// `set NAME KEY=VALUE...`: only `network` for now; each key validated.
int set_policy(const std::string& name, const std::vector<std::string>& assignments);
// `network NAME`: its mode, address and the rules that apply.
int show_container_network(const std::string& name);
int exec_in_container(const std::string& name, const std::vector<std::string>& argv, bool as_root);

// The session's view of containers ({} when no session runs).
nlohmann::json session_status_or_empty();

}  // namespace ctop
