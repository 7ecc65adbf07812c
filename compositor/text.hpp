// Text that comes from clients (window titles, app ids) made safe to show:
// on our labels, in `ctopbroker views/status/list` and in log lines. Used by
// the compositor and by the command-line tool, so no wlroots here.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ctop {

constexpr size_t max_title_code_points = 256;

// Valid UTF-8 whatever the input (invalid sequences become U+FFFD); no C0/C1
// control characters (tabs and line breaks become spaces), no bidi embedding,
// override, isolate or mark characters, no zero-width or other invisible
// format characters; at most max_code_points code points, a longer text ends
// in "…". Nothing a terminal interprets, nothing that reorders or hides text
// on a label.
std::string sanitize_title(std::string_view raw, size_t max_code_points = max_title_code_points);

}  // namespace ctop
