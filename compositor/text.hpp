// Text that comes from clients and containers (window titles, app ids,
// launcher lines, notifications) made safe to show: on our labels, in
// `ctopbroker views/status/list`, in log lines and in the host's notification
// daemon. One sanitiser for all of them, their limits as parameters. Used by
// the compositor, the session and the command-line tool, so no wlroots here.
#pragma once

#include <cstddef>
#include <limits>
#include <string>
#include <string_view>

namespace ctop {

constexpr size_t max_title_code_points = 256;

// How much of a text is shown, and whether it may span lines.
struct TextLimits {
    // At most this many code points, then "…" (which is not counted).
    size_t max_code_points = std::numeric_limits<size_t>::max();
    // At most this many bytes of UTF-8, "…" included (cut at a character).
    size_t max_bytes = std::numeric_limits<size_t>::max();
    // Line breaks kept as '\n' (at most two in a row, none leading) instead
    // of becoming spaces.
    bool multiline = false;
};

// Valid UTF-8 whatever the input (invalid sequences become U+FFFD); no C0/C1
// control characters (tabs become spaces, line breaks spaces or '\n' as
// `limits` says; CR LF is one line break), no bidi embedding, override,
// isolate or mark characters, no zero-width or other invisible format
// characters; cut to `limits` with "…". Nothing a terminal interprets,
// nothing that reorders or hides text on a label.
std::string sanitize_text(std::string_view raw, const TextLimits& limits);
// The same for text already decoded (a notification body after its markup).
std::string sanitize_text(std::u32string_view text, const TextLimits& limits);

// A window title, an app id, a name on a label: one line of at most
// max_code_points code points.
std::string sanitize_title(std::string_view raw, size_t max_code_points = max_title_code_points);

// One code point of `s` at `i`, `i` moved past it. Overlong forms,
// surrogates and values above U+10FFFF are invalid: one U+FFFD per bad lead
// byte, `i` then moved one byte on.
char32_t decode_utf8(std::string_view s, size_t& i);
// What sanitize_text removes: C0/C1 controls (tabs and line breaks too),
// bidi formatting, zero-width and other invisible format characters.
bool is_invisible(char32_t c);
void append_utf8(std::string& out, char32_t c);
// At most `max` bytes of `text`, never cutting a UTF-8 character in two (a
// field bounded before it is sent, not made safe: that is sanitize_text).
std::string cut_utf8(std::string_view text, size_t max);

}  // namespace ctop
