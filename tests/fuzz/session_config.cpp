// Fuzzes the session's config.toml (SessionConfig::load, then applying its
// key bindings): either it loads and applies, or it throws a message.
#include "file_input.hpp"
#include "keybindings.hpp"
#include "session_config.hpp"

#include <stdexcept>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    try {
        ctop::SessionConfig config = ctop::SessionConfig::load(ctop::fuzz::as_file(data, size));
        ctop::Keybindings bindings;
        config.apply(bindings);
    } catch (const std::runtime_error&) {
    }
    return 0;
}
