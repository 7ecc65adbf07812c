// Container templates: building a rootfs without lxc's shell templates.
//   minimal: a few directories and generated /etc files; host /usr (and the
//            merged-/usr symlinks) bound read-only, so host apps run inside.
//   debian:  debootstrap --variant=minbase bookworm, plus dbus-daemon (needs
//            the network).
// Both get the same init (lxc's static init.lxc, which reaps orphans and
// exits fast on SIGPWR/SIGTERM) and the user `user` (1000:1000).
#pragma once

#include "idmap.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ctop::containers {

struct RootfsLayout {
    std::vector<std::string> mount_entries;  // lxc.mount.entry values the rootfs relies on
    std::string init_cmd;                    // lxc.init.cmd
};

bool known_template(const std::string& template_name);

// The host paths the minimal template binds read-only into its rootfs
// (relative to /): /usr, the merged-/usr top directories and what GUI apps
// read from /etc. An imported container's config may bind these and nothing
// else of the host.
const std::vector<std::string>& template_host_paths();

// Builds `rootfs` (which must not exist yet). With an idmap the files end up
// owned by the mapped host ids, as an unprivileged container needs them.
// Throws ContainerError naming `container`.
RootfsLayout build_rootfs(const std::string& container, const std::string& template_name,
                          const std::filesystem::path& rootfs, const std::optional<IdMap>& idmap);

// Where this host's apt gets Debian and its security updates from (its
// sources.list and sources.list.d, one-line and deb822 forms); deb.debian.org
// for what it does not say.
struct AptMirrors {
    std::string debian = "http://deb.debian.org/debian";
    std::string security = "http://deb.debian.org/debian-security";
};
AptMirrors host_apt_mirrors(const std::filesystem::path& etc_apt = "/etc/apt");

// 32 random hex digits, as /etc/machine-id holds them (each container has its own).
std::string new_machine_id();

// Runs argv in a user namespace where the container's ids are mapped as in
// the container and the calling user is id 65536, through liblxc's
// lxc-usernsexec (newuidmap/newgidmap check the ranges in /etc/subuid): what
// a normal user needs to touch its containers' files. Its stdout (the first
// 64 KiB) lands in *out when given. Throws naming `container` when it fails.
void run_in_container_userns(const std::string& container, const IdMap& map, std::vector<std::string> argv,
                             std::string* out = nullptr);

// rm -rf that never crosses into another filesystem (debootstrap mounts /proc
// inside its target; a failed run may leave it mounted).
void remove_tree(const std::string& container, const std::filesystem::path& dir);

}  // namespace ctop::containers
