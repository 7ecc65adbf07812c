// Notification text and rate limits (see notifications.hpp).
#include "notifications.hpp"

#include <algorithm>

namespace ctop {

namespace {

// One decoded code point of `s` at `i` (advanced past it); U+FFFD for bytes
// that are not UTF-8 (overlong, surrogates, beyond U+10FFFF, cut short).
char32_t next_code_point(std::string_view s, size_t& i)
{
    auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    unsigned char c = byte(i++);
    if (c < 0x80) return c;
    int extra = c >= 0xf0 && c <= 0xf4 ? 3 : c >= 0xe0 ? (c <= 0xef ? 2 : -1) : c >= 0xc2 ? 1 : -1;
    if (extra < 0) return 0xfffd;
    char32_t cp = c & (0x3f >> extra);
    for (int k = 0; k < extra; ++k) {
        if (i >= s.size() || (byte(i) & 0xc0) != 0x80) return 0xfffd;
        cp = (cp << 6) | (byte(i++) & 0x3f);
    }
    static const char32_t min_for[] = {0, 0x80, 0x800, 0x10000};
    if (cp < min_for[extra] || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0xfffd;
    return cp;
}

void append_utf8(std::string& out, char32_t cp)
{
    if (cp < 0x80) {
        out += static_cast<char>(cp);
    } else if (cp < 0x800) {
        out += static_cast<char>(0xc0 | (cp >> 6));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else if (cp < 0x10000) {
        out += static_cast<char>(0xe0 | (cp >> 12));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    } else {
        out += static_cast<char>(0xf0 | (cp >> 18));
        out += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
        out += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
        out += static_cast<char>(0x80 | (cp & 0x3f));
    }
}

void pop_character(std::string& s)
{
    while (!s.empty()) {
        auto c = static_cast<unsigned char>(s.back());
        s.pop_back();
        if ((c & 0xc0) != 0x80) return;
    }
}

// Characters that change how the text around them reads without being
// seen: controls, bidirectional overrides and isolates, zero-width ones.
bool invisible(char32_t cp)
{
    return cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) || (cp >= 0x200b && cp <= 0x200f) ||
           (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2060 && cp <= 0x2069) || cp == 0xfeff ||
           (cp >= 0xfff9 && cp <= 0xfffb);
}

// An entity at `i` ("&amp;", "&#60;", "&#x3c;"): its code point, `i` past
// it; nullopt-like 0 when it is none (the '&' is then kept as it is).
char32_t entity(std::string_view s, size_t& i)
{
    size_t end = s.find(';', i);
    if (end == std::string_view::npos || end - i > 10) return 0;
    std::string_view name = s.substr(i + 1, end - i - 1);
    char32_t cp = 0;
    if (name == "amp") cp = '&';
    else if (name == "lt") cp = '<';
    else if (name == "gt") cp = '>';
    else if (name == "quot") cp = '"';
    else if (name == "apos") cp = '\'';
    else if (name.size() > 1 && name[0] == '#') {
        bool hex = name[1] == 'x' || name[1] == 'X';
        std::string_view digits = name.substr(hex ? 2 : 1);
        if (digits.empty()) return 0;
        for (char d : digits) {
            int v = d >= '0' && d <= '9'          ? d - '0'
                    : hex && d >= 'a' && d <= 'f' ? d - 'a' + 10
                    : hex && d >= 'A' && d <= 'F' ? d - 'A' + 10
                                                  : -1;
            if (v < 0) return 0;
            cp = cp * (hex ? 16 : 10) + static_cast<char32_t>(v);
            if (cp > 0x10ffff) return 0;
        }
        if (cp == 0 || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
    } else {
        return 0;
    }
    i = end + 1;
    return cp;
}

// The code points of `raw`; with `markup`, without its tags, entities decoded.
std::u32string decode(std::string_view raw, bool markup)
{
    std::u32string out;
    for (size_t i = 0; i < raw.size();) {
        if (markup && raw[i] == '<') {
            // A tag: up to its '>' (an unclosed one runs to the end).
            size_t close = raw.find('>', i);
            i = close == std::string_view::npos ? raw.size() : close + 1;
            continue;
        }
        if (markup && raw[i] == '&') {
            if (char32_t cp = entity(raw, i)) {
                out += cp;
                continue;
            }
        }
        out += next_code_point(raw, i);
    }
    return out;
}

}  // namespace

std::string sanitize_notification_text(std::string_view raw, size_t max, bool multiline, bool markup)
{
    std::string out;
    int newlines = 0;
    for (char32_t cp : decode(raw, markup)) {
        if (cp == 0x2028 || cp == 0x2029) cp = '\n';
        if (cp == '\t') cp = ' ';
        if (cp == '\n') {
            if (!multiline) cp = ' ';
            else if (++newlines > 2 || out.empty()) continue;
        } else if (invisible(cp)) {
            continue;
        } else {
            newlines = 0;
        }
        size_t before = out.size();
        append_utf8(out, cp);
        if (out.size() > max) {
            // Cut at the last whole character that leaves room for "…" (3 bytes).
            out.resize(before);
            while (out.size() + 3 > max && !out.empty()) pop_character(out);
            if (max >= 3) out += "\xe2\x80\xa6";
            break;
        }
    }
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

bool valid_action_key(std::string_view key)
{
    if (key.empty() || key.size() > max_action_key) return false;
    for (size_t i = 0; i < key.size();) {
        char32_t cp = next_code_point(key, i);
        if (cp == 0xfffd || invisible(cp)) return false;
    }
    return true;
}

std::string escape_markup(std::string_view text)
{
    std::string out;
    for (char c : text) {
        if (c == '&') out += "&amp;";
        else if (c == '<') out += "&lt;";
        else if (c == '>') out += "&gt;";
        else out += c;
    }
    return out;
}

bool TokenBucket::take(std::int64_t now_ms)
{
    if (last_ms_ >= 0 && now_ms > last_ms_)
        tokens_ = std::min(burst_, tokens_ + static_cast<double>(now_ms - last_ms_) * rate_ / 1000.0);
    if (last_ms_ < 0 || now_ms > last_ms_) last_ms_ = now_ms;
    if (tokens_ < 1.0) return false;
    tokens_ -= 1.0;
    return true;
}

}  // namespace ctop
