// User namespace id maps: which host ids an unprivileged container's ids map
// to. Read from /etc/subuid + /etc/subgid when creating, from the container's
// `lxc.idmap` lines afterwards.
#pragma once

#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

namespace ctop::containers {

// One contiguous range: container ids [inside, inside+count) are host ids
// [host, host+count).
struct IdRange {
    unsigned long inside = 0;
    unsigned long host = 0;
    unsigned long count = 0;
};

// Several ranges per kind are allowed (lxc.idmap may punch holes, e.g. to
// map one host user straight through).
struct IdMap {
    std::vector<IdRange> uids;
    std::vector<IdRange> gids;
};

// The container needs every id up to nobody (65534) mapped.
inline constexpr unsigned long ids_per_container = 65536;

// The first range of at least ids_per_container ids that /etc/subuid and
// /etc/subgid give the calling user (matched by name or by uid).
std::optional<IdMap> subordinate_ids_of_current_user();
// The same for any user, by name and uid.
std::optional<IdMap> subordinate_ids_of(const std::string& user, uid_t uid);

// "u 0 100000 65536" and "g 0 100000 65536", the values of lxc.idmap.
std::vector<std::string> idmap_config_values(const IdMap& map);

// Parses the newline-separated lxc.idmap values liblxc reports; nullopt when
// there are none (a privileged container).
std::optional<IdMap> parse_idmap_values(const std::string& values);

// Host id for a container id; nullopt when the id is not mapped.
std::optional<unsigned long> to_host(const std::vector<IdRange>& ranges, unsigned long inside);

}  // namespace ctop::containers
