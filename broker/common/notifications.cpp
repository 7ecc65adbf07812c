// Notification text and rate limits (see notifications.hpp).
#include "notifications.hpp"

#include "text.hpp"

#include <algorithm>

namespace ctop {

namespace {

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
        out += decode_utf8(raw, i);
    }
    return out;
}

}  // namespace

std::string sanitize_notification_text(std::string_view raw, size_t max, bool multiline, bool markup)
{
    std::string out = sanitize_text(decode(raw, markup), TextLimits{.max_bytes = max, .multiline = multiline});
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

bool valid_action_key(std::string_view key)
{
    if (key.empty() || key.size() > max_action_key) return false;
    for (size_t i = 0; i < key.size();) {
        char32_t cp = decode_utf8(key, i);
        if (cp == 0xfffd || is_invisible(cp)) return false;
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
