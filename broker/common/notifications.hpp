// Desktop notifications from inside a container, as the session takes them:
// text made safe to show (sanitize_notification_text), markup escaping for a
// daemon that renders it, and the token bucket that limits each container.
// Pure logic (unit-tested, fuzzed through the agent's lines).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace ctop {

// What the agent sends at most (it cuts longer fields before sending; the
// session ends an agent whose line holds more).
inline constexpr size_t max_notify_app = 64;
inline constexpr size_t max_notify_summary = 256;
inline constexpr size_t max_notify_body = 2048;
// What is shown at most (after sanitising; bytes of UTF-8).
inline constexpr size_t shown_notify_app = 48;
inline constexpr size_t shown_notify_summary = 160;
inline constexpr size_t shown_notify_body = 1024;
// Actions ("default" included): what the agent offers the session at most,
// a key's and a label's bytes as sent, and a label's as shown.
inline constexpr size_t max_notify_actions = 4;
inline constexpr size_t max_action_key = 64;
inline constexpr size_t max_action_label = 64;
inline constexpr size_t shown_action_label = 32;

// Plain, printable UTF-8 of at most `max` bytes: with `markup` (a body),
// tags removed and the common entities decoded; then what sanitize_text
// (compositor/text.hpp, the titles' sanitiser) makes of it: invalid UTF-8
// replaced, controls, bidi formatting and invisible characters removed, tabs
// made spaces; newlines kept (at most two in a row) only when `multiline`;
// cut at a character boundary with "…" when longer. No trailing blanks.
std::string sanitize_notification_text(std::string_view raw, size_t max, bool multiline, bool markup);

// Whether `key` may name an action: 1 to max_action_key bytes of valid
// UTF-8 without controls or invisible characters. The key only ever goes
// back to the container that chose it, but the session holds and logs it.
bool valid_action_key(std::string_view key);

// & < > escaped, for a notification daemon that renders body markup.
std::string escape_markup(std::string_view text);

// A token bucket: `burst` notifications at once, then `per_second`.
class TokenBucket {
public:
    TokenBucket(double burst, double per_second) : tokens_(burst), burst_(burst), rate_(per_second) {}
    // Takes a token at time `now_ms` (monotonic); false when there is none.
    bool take(std::int64_t now_ms);

private:
    double tokens_, burst_, rate_;
    std::int64_t last_ms_ = -1;
};

}  // namespace ctop
