// The policy's `network` value (see network.hpp for what each mode means).
// Header-only: the policy parser (and its fuzzer) needs no more of networking.
#pragma once

#include <optional>
#include <string_view>

namespace ctop::net {

enum class Mode { None, Internet, Lan };
inline constexpr const char* modes_text = "\"none\", \"internet\" or \"lan\"";

inline std::optional<Mode> parse_mode(std::string_view text)
{
    if (text == "none") return Mode::None;
    if (text == "internet") return Mode::Internet;
    if (text == "lan") return Mode::Lan;
    return std::nullopt;
}

inline std::string_view to_string(Mode mode)
{
    switch (mode) {
    case Mode::None:
        return "none";
    case Mode::Internet:
        return "internet";
    case Mode::Lan:
        return "lan";
    }
    return "none";
}

}  // namespace ctop::net
