// Parsing the Xwayland launch information (see xwayland_launch_info.hpp).
#include "xwayland_launch_info.hpp"

#include "container.hpp"

#include <nlohmann/json.hpp>

#include <cstdint>
#include <limits>

namespace ctop {
namespace {

// An integer field within [low, high]; `fallback` when absent.
std::optional<int64_t> integer(const nlohmann::json& j, const char* key, int64_t low, int64_t high,
                               std::optional<int64_t> fallback)
{
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if (!it->is_number_integer() || (it->is_number_unsigned() && it->get<uint64_t>() > uint64_t(high)))
        return std::nullopt;
    int64_t v = it->get<int64_t>();
    if (v < low || v > high) return std::nullopt;
    return v;
}

}  // namespace

std::string render_xwayland_launch_info(const XwaylandLaunchInfo& info)
{
    return nlohmann::json{{"container", info.container},
                          {"lxcpath", info.lxcpath},
                          {"fd", info.x_fd},
                          {"uid", info.uid},
                          {"gid", info.gid}}
        .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<XwaylandLaunchInfo> parse_xwayland_launch_info(std::string_view text, std::string* error)
{
    auto fail = [&](const std::string& why) -> std::optional<XwaylandLaunchInfo> {
        if (error) *error = why;
        return std::nullopt;
    };
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return fail("not a JSON object");
    XwaylandLaunchInfo info;
    auto container = j.find("container");
    if (container == j.end() || !container->is_string() ||
        !containers::Container::valid_name(container->get<std::string>()))
        return fail("\"container\" is not a container name");
    info.container = container->get<std::string>();
    if (auto lxcpath = j.find("lxcpath"); lxcpath != j.end()) {
        if (!lxcpath->is_string()) return fail("\"lxcpath\" is not a string");
        info.lxcpath = lxcpath->get<std::string>();
    }
    auto fd = integer(j, "fd", 0, std::numeric_limits<int>::max(), std::nullopt);
    auto uid = integer(j, "uid", 0, 0xfffffffe, 1000);
    auto gid = integer(j, "gid", 0, 0xfffffffe, 1000);
    if (!fd) return fail("\"fd\" is not a file descriptor");
    if (!uid || !gid) return fail("\"uid\" or \"gid\" is not a user or group id");
    info.x_fd = static_cast<int>(*fd);
    info.uid = static_cast<uid_t>(*uid);
    info.gid = static_cast<gid_t>(*gid);
    return info;
}

}  // namespace ctop
