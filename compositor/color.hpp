// Color: the colour of a workspace's border and label. Plain data, no
// wlroots, so the command-line tools can check a --color too.
#pragma once

#include <array>
#include <string>
#include <string_view>
#include <vector>

namespace ctop {

struct Color {
    float r, g, b, a = 1.0f;
    std::array<float, 4> rgba() const { return {r, g, b, a}; }
    std::string hex() const;
    static Color from_hex(std::string_view hex);  // "#rrggbb"; throws std::invalid_argument
};

// The colour a container gets when its policy names none: stable per name.
Color color_for_name(std::string_view name);

// The colour `create` writes into a new container's policy: the first colour
// of the palette, from the name's own, that no container in `taken` wears
// ("#rrggbb", any case), so two containers never share a frame colour while
// the palette lasts; the name's own colour once every one is taken.
Color color_avoiding(std::string_view name, const std::vector<std::string>& taken);

}  // namespace ctop
