// A container's applications, read from its .desktop files by its agent.
// The files are the container's (hostile) and so are the directories: the
// count of files, the bytes read of each and every field are bounded.
#pragma once

#include "agent_protocol.hpp"

#include <filesystem>
#include <string_view>
#include <vector>

namespace ctop {

// The launchable applications of the .desktop files in `dirs` (an earlier
// dir wins for the same id), sorted by name, at most max_agent_apps.
std::vector<DesktopApp> list_desktop_apps(const std::vector<std::filesystem::path>& dirs);

// One file's [Desktop Entry], or nullopt when it is not a visible
// application (Type, NoDisplay, Hidden) or lacks a Name or Exec.
std::optional<DesktopApp> parse_desktop_entry(std::string_view text, std::string id);

// `exec` split into words as the Desktop Entry spec quotes them, the field
// codes (%f, %U...) dropped; empty when it is malformed.
std::vector<std::string> desktop_exec_argv(std::string_view exec);

}  // namespace ctop
