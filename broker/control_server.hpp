// ControlServer: the session's control socket. Requests and replies are one
// JSON object per line. Everything runs on the compositor's event loop with
// non-blocking I/O; a handler may reply later (after work done off the loop).
#pragma once

#include <wayland-server-core.h>

#include <nlohmann/json.hpp>

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace ctop {

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
    static int on_accept(int fd, uint32_t mask, void* data);
    static int on_readable(int fd, uint32_t mask, void* data);
    void close_connection(int fd);

    wl_event_loop* loop_;
    std::filesystem::path path_;
    Handler handler_;
    int listen_fd_ = -1;
    wl_event_source* source_ = nullptr;
    std::map<int, std::shared_ptr<Connection>> connections_;
};

// Client side, for the CLI: one request, one reply. Throws with a clear
// message when no session is running.
nlohmann::json control_request(const std::filesystem::path& socket, const nlohmann::json& request);

}  // namespace ctop
