// Where ctopbroker keeps things: runtime sockets, configs and policies.
#pragma once

#include <filesystem>
#include <string>

namespace ctop::paths {

// $XDG_RUNTIME_DIR, which must exist; throws with advice when it does not.
std::filesystem::path runtime_dir();
std::filesystem::path broker_runtime_dir();  // $XDG_RUNTIME_DIR/ctopbroker (0700)
std::filesystem::path control_socket();
std::filesystem::path container_runtime_dir(const std::string& container);
std::filesystem::path config_dir();  // $XDG_CONFIG_HOME/ctopbroker
std::filesystem::path policy_file(const std::string& container);
std::filesystem::path lxcpath();  // $CTOPBROKER_LXCPATH or liblxc's default

// A program installed next to the running one (ctopbroker and
// ctopbroker-session live in the same directory, built or installed).
std::filesystem::path companion_binary(const std::string& name);

// Writes `content` to `path` so that readers see the old or the new file,
// never a torn one: temp file in the same directory, fsync, rename.
void write_atomically(const std::filesystem::path& path, const std::string& content);

}  // namespace ctop::paths
