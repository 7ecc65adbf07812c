// Fuzzes the lines an audio bridge sends the session (which may carry words
// of a container's PipeWire daemon): parse_bridge_message must accept or
// refuse any line, and what it accepts is printable and bounded.
#include "audio_messages.hpp"

#include <cstdint>
#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto msg = ctop::parse_bridge_message(line);
    if (!msg) return 0;
    for (const std::string* text : {&msg->event, &msg->message}) {
        if (text->size() > 256) __builtin_trap();
        for (unsigned char c : *text)
            if (c < 0x20 || c == 0x7f) __builtin_trap();
    }
    if (msg->id && (*msg->id < 0 || msg->body.contains("id"))) __builtin_trap();
    // Every reply the bridge really sends must be understood.
    if (line == R"({"id":3,"ok":true})" && (!msg->id || *msg->id != 3)) __builtin_trap();
    (void)msg->body.dump();  // what the waiting control client receives
    return 0;
}
