// Color: the colour of a workspace's border and label. Plain data, no
// wlroots, so the command-line tools can check a --color too.
#pragma once

#include <array>
#include <string>
#include <string_view>

namespace ctop {

struct Color {
    float r, g, b, a = 1.0f;
    std::array<float, 4> rgba() const { return {r, g, b, a}; }
    std::string hex() const;
    static Color from_hex(std::string_view hex);  // "#rrggbb"; throws std::invalid_argument
};

// The colour a container gets when its policy names none: stable per name.
Color color_for_name(std::string_view name);

}  // namespace ctop
