// ControlServer: the session's control socket. Requests and replies are one
// JSON object per line. Everything runs on the compositor's event loop with
// non-blocking I/O; a handler may reply later (after work done off the loop).
// What one local client can make the session hold is bounded (see limits).
#pragma once

#include <wayland-server-core.h>

#include "control_protocol.hpp"
#include "event_source.hpp"
#include "unique_fd.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctop {

namespace control_limits {
// A request line longer than this ends the connection (after an error reply).
constexpr size_t max_request_bytes = 256 * 1024;
// Replies queued for a client that does not read; past this it is disconnected.
constexpr size_t max_output_bytes = 4 * 1024 * 1024;
// Connections beyond this are accepted and closed at once.
constexpr size_t max_connections = 32;
}  // namespace control_limits

// The pure half of reading requests, kept apart so it can be fuzzed without
// a compositor: bytes in, complete lines out.
class RequestReader {
public:
    explicit RequestReader(size_t max_line = control_limits::max_request_bytes) : max_line_(max_line) {}
    // Appends complete lines to `lines`; false once a line (finished or not)
    // is longer than the bound: the peer is then dropped.
    bool feed(std::string_view bytes, std::vector<std::string>& lines);
    size_t pending() const { return pending_.size(); }

private:
    size_t max_line_;
    std::string pending_;
};

class ControlServer {
public:
    // Sends the reply for one request; may be called once, at any later time.
    // Calling it after the peer hung up is harmless.
    using Reply = std::function<void(const nlohmann::json&)>;
    using Handler = std::function<void(const nlohmann::json& request, Reply reply)>;

    ControlServer(wl_event_loop* loop, std::filesystem::path path, Handler handler);  // throws
    ~ControlServer();
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

private:
    struct Connection;
    void accept_all();
    void on_event(int fd, uint32_t mask);
    void accept_one(int fd);
    void read_requests(const std::shared_ptr<Connection>& conn);
    void queue(Connection& conn, std::string text);
    void flush(Connection& conn);
    void close_connection(int fd);

    wl_event_loop* loop_;
    std::filesystem::path path_;
    Handler handler_;
    UniqueFd listen_fd_;
    FdWatch accept_watch_;
    std::map<int, std::shared_ptr<Connection>> connections_;
    bool refusal_logged_ = false;
};

}  // namespace ctop
