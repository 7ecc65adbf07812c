// Parsing an audio bridge's lines (see audio_messages.hpp).
#include "audio_messages.hpp"

#include <limits>

namespace ctop {

std::string printable(std::string_view text, size_t max)
{
    std::string out;
    for (unsigned char c : text.substr(0, max)) out += (c < 0x20 || c == 0x7f) ? '?' : static_cast<char>(c);
    return out;
}

namespace {

std::string string_field(const nlohmann::json& msg, const char* key)
{
    auto it = msg.find(key);
    return it != msg.end() && it->is_string() ? printable(it->get_ref<const std::string&>()) : std::string();
}

}  // namespace

std::optional<BridgeMessage> parse_bridge_message(std::string_view line)
{
    nlohmann::json msg = nlohmann::json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) return std::nullopt;
    BridgeMessage out;
    auto id = msg.find("id");
    if (id == msg.end()) {
        out.event = string_field(msg, "event");
        out.message = string_field(msg, "message");
        return out;
    }
    // nlohmann keeps a non-negative literal as unsigned, a negative one as signed.
    if (!id->is_number_unsigned() || id->get<uint64_t>() > uint64_t(std::numeric_limits<int>::max()))
        return std::nullopt;
    out.id = static_cast<int>(id->get<uint64_t>());
    msg.erase("id");
    out.body = std::move(msg);
    return out;
}

}  // namespace ctop
