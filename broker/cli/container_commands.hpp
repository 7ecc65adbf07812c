// The container commands the CLI runs itself (they need no compositor and
// may block): create, destroy, list, exec. spawn and stop go through the
// session, which owns the sockets.
#pragma once

#include "policy.hpp"

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ctop {

struct CreateOptions {
    ContainerPolicy policy;
    bool privileged = false;
};

// Each returns a process exit status and prints its own messages.
int create_container(const CreateOptions& options);
// Refuses a running container or one with snapshots unless `force`.
int destroy_container(const std::string& name, bool force);
// Snapshots (the container stopped; the policy kept with each), clones (the
// policy copied, a colour of its own) and renames (the policy follows).
int snapshot_container(const std::string& name, const std::string& label);
int list_snapshots(const std::string& name, bool as_json);
int restore_container(const std::string& name, const std::string& snapshot);
int clone_container(const std::string& source, const std::string& target);
int rename_container(const std::string& old_name, const std::string& new_name);
// A stopped container, its policy with it, as one .tar.zst (owners as the
// container sees them); import unpacks one under its own name or `name`.
int export_container(const std::string& name, const std::filesystem::path& file);
int import_container(const std::filesystem::path& file, const std::string& name);
int list_containers(bool as_json);
// `set NAME KEY=VALUE...`: every key validated before the file is written
// (atomically); the container sees the change at its next start.
int set_policy(const std::string& name, const std::vector<std::string>& assignments);
// `get NAME [KEY]`: every key as `key = value`, or one key's value.
int get_policy(const std::string& name, const std::string& key);
// `network NAME`: its mode, address and the rules that apply.
int show_container_network(const std::string& name);
// `copy SRC:PATH DST`: a file or directory from running SRC into DST's
// ~/Incoming/SRC/, never over an existing file, at most DST's
// incoming_max_bytes; a notice on screen when a session runs.
int copy_between(const std::string& source_spec, const std::string& destination);
int exec_in_container(const std::string& name, const std::vector<std::string>& argv, bool as_root);

// The session's view of containers ({} when no session runs).
nlohmann::json session_status_or_empty();

}  // namespace ctop
