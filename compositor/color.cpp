// Colours: parsing, printing, and the stable colour of a container's name.
#include "color.hpp"

#include <cstdint>
#include <cstdio>
#include <iterator>
#include <stdexcept>
#include <strings.h>

namespace ctop {

std::string Color::hex() const
{
    char buf[8];
    auto c = [](float v) { return static_cast<unsigned>(v * 255.0f + 0.5f); };
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", c(r), c(g), c(b));
    return buf;
}

Color Color::from_hex(std::string_view hex)
{
    if (hex.size() != 7 || hex[0] != '#')
        throw std::invalid_argument("colour must look like #rrggbb, got '" + std::string(hex) + "'");
    auto byte = [&](size_t at) {
        unsigned v = 0;
        for (size_t i = at; i < at + 2; ++i) {
            char ch = hex[i];
            v <<= 4;
            if (ch >= '0' && ch <= '9') v |= ch - '0';
            else if (ch >= 'a' && ch <= 'f') v |= ch - 'a' + 10;
            else if (ch >= 'A' && ch <= 'F') v |= ch - 'A' + 10;
            else throw std::invalid_argument("colour must look like #rrggbb, got '" + std::string(hex) + "'");
        }
        return v / 255.0f;
    };
    return Color{byte(1), byte(3), byte(5)};
}

namespace {

// Saturated, distinguishable colours; none is the host's grey.
constexpr const char* palette[] = {"#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#42d4f4",
                                   "#f032e6", "#bfef45", "#ffe119", "#469990", "#9a6324", "#800000"};

size_t palette_index(std::string_view name)
{
    // FNV-1a: std::hash is not stable across builds, a container's colour must be.
    uint32_t h = 2166136261u;
    for (unsigned char ch : name) h = (h ^ ch) * 16777619u;
    return h % std::size(palette);
}

}  // namespace

Color color_for_name(std::string_view name)
{
    return Color::from_hex(palette[palette_index(name)]);
}

Color color_avoiding(std::string_view name, const std::vector<std::string>& taken)
{
    auto worn = [&](const char* hex) {
        for (const std::string& t : taken)
            if (t.size() == 7 && strncasecmp(t.c_str(), hex, 7) == 0) return true;
        return false;
    };
    const size_t first = palette_index(name);
    for (size_t i = 0; i < std::size(palette); ++i) {
        const char* hex = palette[(first + i) % std::size(palette)];
        if (!worn(hex)) return Color::from_hex(hex);
    }
    return color_for_name(name);
}

}  // namespace ctop
