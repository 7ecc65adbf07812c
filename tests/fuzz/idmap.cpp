// Fuzzes the lxc.idmap values read back from a container's config
// (parse_idmap_values) and the id lookups done with what it returns.
#include "idmap.hpp"

#include <cstdint>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string text(reinterpret_cast<const char*>(data), size);
    auto map = ctop::containers::parse_idmap_values(text);
    if (!map) return 0;
    for (unsigned long id : {0ul, 1000ul, 65534ul, 4294967295ul}) {
        (void)ctop::containers::to_host(map->uids, id);
        (void)ctop::containers::to_host(map->gids, id);
    }
    (void)ctop::containers::idmap_config_values(*map);
    return 0;
}
