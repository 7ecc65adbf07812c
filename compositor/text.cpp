// The title sanitiser: a strict UTF-8 decoder and a deny-list of code points
// that change how the rest of a line is shown rather than showing themselves.
#include "text.hpp"

#include <algorithm>

namespace ctop {
namespace {

constexpr char32_t replacement = 0xFFFD;

// Decodes one code point at s[i]; advances i. Overlong forms, surrogates and
// values above U+10FFFF are invalid: one U+FFFD per bad lead byte.
char32_t decode(std::string_view s, size_t& i)
{
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char b0 = byte(i);
    if (b0 < 0x80) return s[i++], b0;
    int len = b0 >= 0xF0 ? 4 : b0 >= 0xE0 ? 3 : b0 >= 0xC0 ? 2 : 0;
    if (len == 0 || b0 > 0xF4 || i + len > s.size()) return ++i, replacement;
    char32_t cp = b0 & (0x7F >> len);
    for (int k = 1; k < len; ++k) {
        unsigned char b = byte(i + k);
        if ((b & 0xC0) != 0x80) return ++i, replacement;
        cp = (cp << 6) | (b & 0x3F);
    }
    static constexpr char32_t min_for_len[] = {0, 0, 0x80, 0x800, 0x10000};
    if (cp < min_for_len[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return ++i, replacement;
    i += len;
    return cp;
}

bool is_line_break_or_tab(char32_t c)
{
    return c == '\t' || c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

// Controls, bidi formatting, zero-width and other invisible format characters.
bool is_hidden(char32_t c)
{
    if (c < 0x20 || (c >= 0x7F && c <= 0x9F)) return true;  // C0, DEL, C1
    if (c == 0x00AD || c == 0x034F || c == 0x061C || c == 0x115F || c == 0x1160 || c == 0x180E) return true;
    if (c >= 0x200B && c <= 0x200F) return true;                 // zero-width, LRM, RLM
    if (c >= 0x202A && c <= 0x202E) return true;                 // embeddings, overrides
    if (c >= 0x2060 && c <= 0x206F) return true;                 // word joiner, isolates, invisible operators
    if (c == 0x3164 || c == 0xFEFF || c == 0xFFA0) return true;  // fillers, BOM
    if (c >= 0xFFF9 && c <= 0xFFFB) return true;                 // interlinear annotation
    if (c == 0xFFFE || c == 0xFFFF) return true;                 // noncharacters
    if (c >= 0x1D173 && c <= 0x1D17A) return true;               // musical format controls
    if (c >= 0xE0000 && c <= 0xE007F) return true;               // tag characters
    return false;
}

void append_utf8(std::string& out, char32_t c)
{
    if (c < 0x80) {
        out += static_cast<char>(c);
    } else if (c < 0x800) {
        out += static_cast<char>(0xC0 | (c >> 6));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else if (c < 0x10000) {
        out += static_cast<char>(0xE0 | (c >> 12));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    } else {
        out += static_cast<char>(0xF0 | (c >> 18));
        out += static_cast<char>(0x80 | ((c >> 12) & 0x3F));
        out += static_cast<char>(0x80 | ((c >> 6) & 0x3F));
        out += static_cast<char>(0x80 | (c & 0x3F));
    }
}

}  // namespace

std::string sanitize_title(std::string_view raw, size_t max_code_points)
{
    std::string out;
    out.reserve(std::min(raw.size(), max_code_points * 4));
    size_t count = 0;
    for (size_t i = 0; i < raw.size();) {
        char32_t c = decode(raw, i);
        if (is_line_break_or_tab(c)) c = ' ';
        else if (is_hidden(c)) continue;
        if (count == max_code_points) {
            append_utf8(out, 0x2026);  // "…": the title went on
            break;
        }
        append_utf8(out, c);
        ++count;
    }
    return out;
}

}  // namespace ctop
