// Export and import: a stopped container as one zstd-compressed tar file.
//
// The archive holds `config` (its lxc config), `rootfs/` and the caller's
// extra files (the broker puts the policy there). An unprivileged
// container's rootfs is archived from inside its user namespace
// (lxc-usernsexec with its own id map), so the owners in the archive are the
// container's ids (0, 1000), not this host's subordinate ids: an import maps
// them onto the importing user's range, whatever it is.
#pragma once

#include "container.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <string>

namespace ctop::containers {

// Writes `c` (stopped) to `file`, which must not exist yet.
void export_container(Container& c, const std::filesystem::path& file,
                      const std::map<std::string, std::string>& extra_files);

// The text of one top-level file of an archive (`config`, an extra file);
// nullopt when it has none. Throws when `file` is not a readable archive.
std::optional<std::string> archive_file(const std::filesystem::path& file, const std::string& member);

// The container name an archive was exported under (its lxc.uts.name).
std::string archived_name(const std::filesystem::path& file);

// Makes container `name` in `lxcpath` from the archive: its rootfs, and its
// config with this user's id map, its own paths, and nothing that runs on the
// host (hook and include lines are refused). Unpacked in the staging
// directory and renamed into place as a create is (`before_publish` runs just
// before): killed at any point, it leaves a whole container or none.
void import_container(const std::filesystem::path& file, const std::string& name, const std::filesystem::path& lxcpath,
                      const std::function<void()>& before_publish = {});

}  // namespace ctop::containers
