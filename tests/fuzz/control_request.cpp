// Fuzzes what the control socket does with a peer's bytes: splitting them
// into lines as they arrive in arbitrary chunks (RequestReader) and checking
// each line's envelope (parse_request) and its fields against the command's
// schema (check_request_fields). The first byte picks the chunking.
#include "control_server.hpp"

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    size_t chunk = 1 + data[0] % 64;
    std::string_view bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
    ctop::RequestReader reader(4096);  // a small bound, so the fuzzer reaches it
    std::vector<std::string> lines;
    bool within = true;
    for (size_t at = 0; at < bytes.size() && within; at += chunk) within = reader.feed(bytes.substr(at, chunk), lines);
    for (const std::string& line : lines) {
        if (line.size() > 4096) __builtin_trap();  // the bound must hold for finished lines too
        if (auto request = ctop::parse_request(line)) {
            if (!request->is_object() || !request->at("cmd").is_string()) __builtin_trap();
            (void)request->dump();                       // replies echo parts of requests back
            (void)ctop::check_request_fields(*request);  // before any handler reads a field
        }
    }
    if (reader.pending() > 4096) __builtin_trap();
    return 0;
}
