// Fuzzes a container's policy file (ContainerPolicy::load): whatever it
// holds, loading either succeeds or throws the one documented exception,
// and what it loads survives a save/load round trip.
#include "file_input.hpp"
#include "policy.hpp"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    ctop::ContainerPolicy policy;
    try {
        policy = ctop::ContainerPolicy::load("fuzz", ctop::fuzz::as_file(data, size));
    } catch (const std::runtime_error&) {
        return 0;  // refused with a message: fine
    }
    std::string toml = policy.to_toml();
    ctop::ContainerPolicy again = ctop::ContainerPolicy::load(
        "fuzz", ctop::fuzz::as_file(reinterpret_cast<const uint8_t*>(toml.data()), toml.size()));
    if (again.to_toml() != toml) __builtin_trap();  // what was accepted must read back the same
    return 0;
}
