// The one sanitiser of shown text: a strict UTF-8 decoder and a deny-list of
// code points that change how the rest of a line is shown rather than
// showing themselves.
#include "text.hpp"

#include <algorithm>

namespace ctop {
namespace {

constexpr char32_t replacement = 0xFFFD;
constexpr std::string_view ellipsis = "\u2026";

bool is_line_break(char32_t c)
{
    return c == '\n' || c == '\r' || c == 0x2028 || c == 0x2029;
}

}  // namespace

bool is_invisible(char32_t c)
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

namespace {

void pop_character(std::string& s)
{
    while (!s.empty()) {
        auto c = static_cast<unsigned char>(s.back());
        s.pop_back();
        if ((c & 0xC0) != 0x80) return;
    }
}

}  // namespace

char32_t decode_utf8(std::string_view s, size_t& i)
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

std::string cut_utf8(std::string_view text, size_t max)
{
    if (text.size() <= max) return std::string(text);
    size_t end = max;
    while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    return std::string(text.substr(0, end));
}

namespace {

// Takes code points one by one, so a long text is decoded only as far as it
// is shown.
class Sanitizer {
public:
    explicit Sanitizer(const TextLimits& limits) : limits_(limits) {}

    // False once the text is cut: nothing more is taken.
    bool add(char32_t c)
    {
        bool after_cr = after_cr_;
        after_cr_ = c == '\r';
        if (c == '\n' && after_cr) return true;  // CR LF: one line break
        if (is_line_break(c) && limits_.multiline) {
            if (++line_breaks_ > 2 || out_.empty()) return true;
            c = '\n';
        } else if (is_line_break(c) || c == '\t') {
            c = ' ';
        } else if (is_invisible(c)) {
            return true;
        }
        if (c != '\n') line_breaks_ = 0;
        if (count_ == limits_.max_code_points) return cut();
        size_t before = out_.size();
        append_utf8(out_, c);
        ++count_;
        if (out_.size() <= limits_.max_bytes) return true;
        out_.resize(before);
        return cut();
    }
    std::string take() { return std::move(out_); }

private:
    // The text went on past the limits: "…" after what fits.
    bool cut()
    {
        while (!out_.empty() && out_.size() + ellipsis.size() > limits_.max_bytes) pop_character(out_);
        if (limits_.max_bytes >= ellipsis.size()) out_ += ellipsis;
        return false;
    }

    const TextLimits& limits_;
    std::string out_;
    size_t count_ = 0;
    int line_breaks_ = 0;  // in a row, up to here
    bool after_cr_ = false;
};

}  // namespace

std::string sanitize_text(std::u32string_view text, const TextLimits& limits)
{
    Sanitizer s(limits);
    for (char32_t c : text)
        if (!s.add(c)) break;
    return s.take();
}

std::string sanitize_text(std::string_view raw, const TextLimits& limits)
{
    Sanitizer s(limits);
    for (size_t i = 0; i < raw.size();)
        if (!s.add(decode_utf8(raw, i))) break;
    return s.take();
}

std::string sanitize_title(std::string_view raw, size_t max_code_points)
{
    return sanitize_text(raw, TextLimits{.max_code_points = max_code_points});
}

}  // namespace ctop
