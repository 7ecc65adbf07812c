// The agent's side of a container's desktop notifications: it keeps the
// container's session bus (a dbus-daemon, as the container's user) running,
// owns org.freedesktop.Notifications on it and hands each notification to
// the session as an agent line. It decides nothing about what is shown: the
// session sanitises, limits and forwards (session/notification_relay.hpp).
// What the host did with a notification comes back from the session (closed,
// an action chosen) and goes out as the specification's signals, for the
// notifications this server handed out and still shows.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <set>
#include <string>
#include <vector>

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
    // `actions`: key, label, key, label... as the app offered them.
    std::uint32_t notify(const std::string& app, std::uint32_t replaces, const std::string& summary,
                         const std::string& body, const std::vector<std::string>& actions, int urgency, int expire_ms);
    void close(std::uint32_t id);

    // What the session says the host did: NotificationClosed with `reason`,
    // ActionInvoked with `key`. Ignored for an id that is not showing.
    void closed_by_host(std::uint32_t id, std::uint32_t reason);
    void action_invoked(std::uint32_t id, const std::string& key);

private:
    void connect();
    void disconnect();
    void start_daemon();
    void emit_closed(std::uint32_t id, std::uint32_t reason);

    std::function<bool(const std::string&)> send_;
    sd_bus* bus_ = nullptr;
    pid_t daemon_ = -1;
    int daemon_starts_ = 0;
    std::int64_t retry_at_ms_ = 0;  // monotonic; when to try to connect again
    std::uint32_t next_id_ = 1;
    // The ids handed out and not yet closed, the oldest forgotten first.
    std::set<std::uint32_t> showing_;
};

}  // namespace ctop
