// The container worker: a short-lived child process (`ctopbroker-helper _worker`)
// that does the blocking liblxc work for the session. The session writes one
// JSON request to its stdin and reads one JSON reply from its stdout on the
// event loop, so a slow or crashing liblxc call never stalls or kills the
// compositor.
#pragma once

#include <nlohmann/json.hpp>

#include <filesystem>
#include <string>
#include <vector>

namespace ctop {

// A host device node granted to a container, found at its start: bound in at
// the same path under /dev and allowed by one cgroup rule.
struct DeviceNode {
    std::filesystem::path host;  // the node on the host
    std::string inside;          // "/dev/dri/renderD128"
    std::string rule;            // "c 226:128 rwm"
};
// The nodes `grants` ({"gpu": bool, "camera": bool, "usb": ["vvvv:pppp"],
// "paths": ["/dev/..."]}, from the policy) names, looked up now under
// dev_root and sys_root. A path that is not a device node throws naming the
// policy key; absent GPUs, cameras and unplugged USB devices are just none.
std::vector<DeviceNode> granted_devices(const nlohmann::json& grants, const std::filesystem::path& dev_root = "/dev",
                                        const std::filesystem::path& sys_root = "/sys");

// Entry point of `ctopbroker-helper _worker`.
int worker_main();

// Does the request's work in-process; used by worker_main and by CLI
// commands that may block (create, destroy, list, exec).
nlohmann::json worker_handle(const nlohmann::json& request);

}  // namespace ctop
