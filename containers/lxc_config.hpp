// The container's lxc config file: rendered by us as plain `key = value`
// text (so lxc-ls / lxc-info / lxc-start read it as they read any other),
// written atomically, with our bind mounts in a marked block that
// update_mounts rewrites without touching the rest.
#pragma once

#include "container.hpp"
#include "idmap.hpp"

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace ctop::containers {

// Which cgroup keys the kernel's controllers listen to: on a v1 or hybrid
// host liblxc ignores lxc.cgroup2.* limits, on a pure v2 host lxc.cgroup.*.
enum class CgroupLayout { V1, V2 };
CgroupLayout detect_cgroup_layout();

struct ConfigInputs {
    std::string name;
    std::filesystem::path rootfs;
    std::filesystem::path log_file;
    std::string defaults;  // liblxc's default config text, lxc.net cleared
    NetworkSpec network;
    std::optional<IdMap> idmap;  // unset: privileged
    CgroupLayout cgroups = CgroupLayout::V1;
    std::optional<std::uint64_t> memory_limit_bytes;
    std::optional<std::uint32_t> pids_limit;
    std::optional<std::uint32_t> cpu_weight;
    std::vector<std::string> device_allow;
    std::string init_cmd;
    std::vector<std::string> template_mounts;  // lxc.mount.entry values the template needs
    std::vector<BindMount> mounts;             // the caller's, in the marked block
};

std::string render_config(const ConfigInputs& in);

// The cgroup limit lines for `limits` in a marked block.
std::string limits_block(CgroupLayout layout, const Limits& limits);
// `config` with its limits (the marked block, or the loose lines of a config
// written before there was one) replaced by `limits`.
std::string replace_limits_block(const std::string& config, CgroupLayout layout, const Limits& limits);

// The value of one lxc.mount.entry (fstab syntax, path relative to the rootfs).
// Throws ContainerError naming `container` when the mount is malformed.
std::string mount_entry_value(const std::string& container, const BindMount& m);

// `config` with the marked mount block replaced by `mounts`.
std::string replace_mount_block(const std::string& container, const std::string& config,
                                const std::vector<BindMount>& mounts);

// The lxc.net.0 lines for `network`, in a marked block. Throws ContainerError
// naming `container` when the bridge name or MAC address is malformed.
std::string network_block(const std::string& container, const NetworkSpec& network);

// `config` with the marked network block replaced by `network`. A config
// written before there was a block gets one, and loses its other lxc.net
// lines (liblxc's defaults once put lxcbr0 there).
std::string replace_network_block(const std::string& container, const std::string& config, const NetworkSpec& network);

// `config` made to belong to container `name` in `dir`: its uts name, log
// file and rootfs there, and an empty mount block (spawn writes its own; the
// old container's sockets are not this one's).
std::string adopt_config(const std::string& config, const std::filesystem::path& dir, const std::string& name);

std::string read_text_file(const std::filesystem::path& path);
// Temp file in the same directory, fsync, rename, fsync the directory: readers
// see the old or the new file, never half of one, even after a crash.
void write_file_atomically(const std::filesystem::path& path, const std::string& text);

}  // namespace ctop::containers
