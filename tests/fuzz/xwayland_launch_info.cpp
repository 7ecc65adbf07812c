// Fuzzes the Xwayland launch information the root launcher reads
// (parse_xwayland_launch_info): any text is accepted with valid fields or
// refused with a reason.
#include "container.hpp"
#include "xwayland_launch_info.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string error;
    auto info = ctop::parse_xwayland_launch_info({reinterpret_cast<const char*>(data), size}, &error);
    if (!info) {
        if (error.empty()) __builtin_trap();  // a refusal always says why
        return 0;
    }
    if (!ctop::containers::Container::valid_name(info->container) || info->x_fd < 0) __builtin_trap();
    return 0;
}
