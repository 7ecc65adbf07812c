// The agent's side of a container's desktop notifications: it keeps the
// container's session bus (a dbus-daemon, as the container's user) running,
// owns org.freedesktop.Notifications on it and hands each notification to
// the session as an agent line. It decides nothing about what is shown: the
// session sanitises, limits and forwards (session/notification_relay.hpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <string>

#include <systemd/sd-bus.h>

namespace ctop {

class NotificationServer {
public:
    // `send` writes one line to the session (false: the session is gone).
    explicit NotificationServer(std::function<bool(const std::string& line)> send);
    ~NotificationServer();
    NotificationServer(const NotificationServer&) = delete;
    NotificationServer& operator=(const NotificationServer&) = delete;

    // For the agent's poll: the bus's fd (-1 while not connected), what to
    // wait for on it, and how long until process() is due (-1: no time).
    int fd() const;
    short events() const;
    int timeout_ms() const;
    // Answers what the bus sent; (re)connects, starting the bus, when due.
    void process();
    // Whether `pid` was the dbus-daemon this agent started (it is then gone,
    // and started again at the next connect).
    bool reaped(pid_t pid);

    // The D-Bus methods' work (called from sd-bus's vtable).
    std::uint32_t notify(const std::string& app, std::uint32_t replaces, const std::string& summary,
                         const std::string& body, int urgency, int expire_ms);
    void close(std::uint32_t id);

private:
    void connect();
    void disconnect();
    void start_daemon();

    std::function<bool(const std::string&)> send_;
    sd_bus* bus_ = nullptr;
    pid_t daemon_ = -1;
    int daemon_starts_ = 0;
    std::int64_t retry_at_ms_ = 0;  // monotonic; when to try to connect again
    std::uint32_t next_id_ = 1;
};

}  // namespace ctop
