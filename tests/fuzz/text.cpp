// Fuzzes the one sanitiser of shown text (compositor/text.hpp: window
// titles, launcher lines, notifications): whatever the input and limits, the
// result is valid UTF-8 within the limits, with no control, bidi or
// invisible character left, and a notification's markup never survives.
#include "notifications.hpp"
#include "text.hpp"

#include <cstdint>
#include <string_view>

namespace {

// Valid UTF-8 of code points none of which sanitize_text removes.
void check_shown(const std::string& text, bool multiline)
{
    size_t i = 0;
    while (i < text.size()) {
        size_t at = i;
        char32_t c = ctop::decode_utf8(text, i);
        if (c == 0xFFFD && text.compare(at, 3, "\xEF\xBF\xBD") != 0) __builtin_trap();  // not valid UTF-8
        if (c == '\n' && multiline) continue;
        if (ctop::is_invisible(c)) __builtin_trap();  // a control, tab, bidi or invisible character got through
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 3) return 0;
    // The first bytes choose the limits, the rest is the text.
    size_t max_code_points = data[0], max_bytes = data[1] * 4;
    bool multiline = data[2] & 1, markup = data[2] & 2;
    std::string_view raw(reinterpret_cast<const char*>(data + 3), size - 3);

    std::string title = ctop::sanitize_title(raw, max_code_points);
    check_shown(title, false);
    size_t points = 0;
    for (unsigned char c : title) points += (c & 0xC0) != 0x80;
    if (points > max_code_points + 1) __builtin_trap();  // "…" comes on top

    std::string shown = ctop::sanitize_text(raw, {.max_bytes = max_bytes, .multiline = multiline});
    if (shown.size() > max_bytes) __builtin_trap();
    check_shown(shown, multiline);

    std::string note = ctop::sanitize_notification_text(raw, max_bytes, multiline, markup);
    if (note.size() > max_bytes) __builtin_trap();
    check_shown(note, multiline);
    if (markup && note.find('<') != std::string::npos && raw.find("&lt;") == std::string_view::npos &&
        raw.find("&#") == std::string_view::npos)
        __builtin_trap();  // a tag's '<' survived
    if (std::string cut = ctop::cut_utf8(raw, max_bytes); cut.size() > max_bytes || cut.size() > raw.size())
        __builtin_trap();
    return 0;
}
