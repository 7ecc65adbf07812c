// User namespace id maps: /etc/subuid lookup and lxc.idmap parsing.
#include "idmap.hpp"

#include <pwd.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

namespace ctop::containers {
namespace {

std::string current_user_name()
{
    struct passwd* pw = getpwuid(getuid());
    return pw ? pw->pw_name : "";
}

// /etc/subuid lines are "owner:first:count"; owner is a name or a uid.
std::optional<IdRange> subordinate_range(const char* file, const std::string& name, uid_t user_uid)
{
    const std::string uid = std::to_string(user_uid);
    std::ifstream in(file);
    std::string line;
    while (std::getline(in, line)) {
        std::istringstream fields(line);
        std::string owner, first, count;
        if (!std::getline(fields, owner, ':') || !std::getline(fields, first, ':') || !std::getline(fields, count))
            continue;
        if (owner != name && owner != uid) continue;
        try {
            IdRange range{0, std::stoul(first), std::stoul(count)};
            if (range.count >= ids_per_container) {
                range.count = ids_per_container;
                return range;
            }
        } catch (const std::exception&) {
            continue;  // a malformed line is not ours to judge; newuidmap will
        }
    }
    return std::nullopt;
}

}  // namespace

std::optional<IdMap> subordinate_ids_of_current_user()
{
    return subordinate_ids_of(current_user_name(), getuid());
}

std::optional<IdMap> subordinate_ids_of(const std::string& user, uid_t uid)
{
    auto uids = subordinate_range("/etc/subuid", user, uid);
    auto gids = subordinate_range("/etc/subgid", user, uid);
    if (!uids || !gids) return std::nullopt;
    return IdMap{{*uids}, {*gids}};
}

std::vector<std::string> idmap_config_values(const IdMap& map)
{
    std::vector<std::string> values;
    auto add = [&](char kind, const IdRange& r) {
        values.push_back(std::string(1, kind) + " " + std::to_string(r.inside) + " " + std::to_string(r.host) + " " +
                         std::to_string(r.count));
    };
    for (const auto& r : map.uids) add('u', r);
    for (const auto& r : map.gids) add('g', r);
    return values;
}

std::optional<IdMap> parse_idmap_values(const std::string& values)
{
    IdMap map;
    std::istringstream lines(values);
    std::string line;
    while (std::getline(lines, line)) {
        std::istringstream fields(line);
        char kind = 0;
        IdRange r;
        if (!(fields >> kind >> r.inside >> r.host >> r.count)) continue;
        if (kind == 'u') map.uids.push_back(r);
        if (kind == 'g') map.gids.push_back(r);
    }
    if (map.uids.empty() && map.gids.empty()) return std::nullopt;
    return map;
}

std::optional<unsigned long> to_host(const std::vector<IdRange>& ranges, unsigned long inside)
{
    for (const auto& r : ranges)
        if (inside >= r.inside && inside - r.inside < r.count) return r.host + (inside - r.inside);
    return std::nullopt;
}

}  // namespace ctop::containers
