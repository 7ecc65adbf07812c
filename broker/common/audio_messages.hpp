// What an audio bridge says to the session, one JSON object a line: replies
// to the session's requests and events for the log. The bridge speaks with a
// container's PipeWire daemon, so its lines may carry that daemon's words:
// they are checked and made printable here, apart from the event loop's code
// (and fuzzed: tests/fuzz/audio_messages.cpp).
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>

namespace ctop {

// The longest line the session takes from a bridge; longer ends the route.
inline constexpr size_t max_bridge_line = 64 * 1024;

struct BridgeMessage {
    std::optional<int> id;  // a reply to request `id`: `body` is the reply, without "id"
    nlohmann::json body;
    std::string event, message;  // otherwise an event; both printable, capped
};

// nullopt when the line is not a JSON object or its "id" is not an int.
std::optional<BridgeMessage> parse_bridge_message(std::string_view line);

// `text` with control characters replaced and at most `max` bytes, for logs.
std::string printable(std::string_view text, size_t max = 256);

}  // namespace ctop
