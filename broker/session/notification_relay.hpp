// NotificationRelay: the session's way from a container's notifications to
// the host's notification daemon. Each notification reaches it already
// parsed and sanitised (agent_protocol.hpp); the relay limits each container
// (a token bucket: a flood from one container cannot hide another's), labels
// it "container: App" with the container's category (and colour, in the mako
// it starts), and forwards it over the host's session bus with sd-bus on the
// event loop, never waiting. When the host has no session bus it starts a
// dbus-daemon of its own; when nothing owns org.freedesktop.Notifications
// there, it starts mako. What comes back is the daemon's NotificationClosed
// and ActionInvoked for a notification it showed: the relay maps the host's
// id back to the container and the agent's id (a container never learns a
// host id, nor of another container's notifications), and the host's action
// key (the session's own: "default" or the action's index) back to the key
// the app chose.
#pragma once

#include "agent_protocol.hpp"
#include "notifications.hpp"

#include <systemd/sd-bus.h>
#include <wayland-server-core.h>

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace ctop {

class NotificationRelay {
public:
    // What goes back to a container, by the agent's id: its notification
    // was closed (the specification's reason: 1 expired, also when the relay
    // dropped it; 2 dismissed; 3 closed by a call; 4 other), or the user chose
    // the action with the app's `key`.
    struct Hooks {
        std::function<void(const std::string& container, std::uint32_t id, std::uint32_t reason)> closed;
        std::function<void(const std::string& container, std::uint32_t id, const std::string& key)> action;
    };
    // `wayland_display`: the session's socket name, for the mako it starts.
    NotificationRelay(wl_event_loop* loop, std::string wayland_display, Hooks hooks);
    ~NotificationRelay();
    NotificationRelay(const NotificationRelay&) = delete;
    NotificationRelay& operator=(const NotificationRelay&) = delete;

    // `color`: the container's "#rrggbb", or "".
    void notify(const std::string& container, const std::string& color, const ContainerNotification& n);
    void close(const std::string& container, std::uint32_t id);
    nlohmann::json status() const;

private:
    struct Queued {
        std::string container;
        std::uint32_t id;  // the agent's; 0 for the session's own notices
        std::string app, summary, body;
        std::uint32_t replaces_host;
        int urgency, expire_ms;
        std::vector<NotificationAction> actions;
    };
    // A container notification the host's daemon shows, by the host's id.
    struct Shown {
        std::string container;
        std::uint32_t id;               // the agent's
        std::vector<std::string> keys;  // the app's action keys, by host key
    };
    struct Call {
        NotificationRelay* relay;
        std::string container;
        std::uint32_t id;
        std::vector<std::string> keys;
    };
    void connect();
    void start_bus();
    void start_mako();
    void write_mako_config();
    void ask_capabilities();
    void send_queued();
    void forward(const Queued& q);
    void drop_bus(const std::string& why);
    void watch_bus();
    void report_drops();
    void lost(const std::string& container, std::uint32_t id);
    void remember(const Call& call, std::uint32_t host_id);
    void forget(std::uint32_t host_id);
    void watch_signals();
    static int on_closed(sd_bus_message* m, void* data, sd_bus_error* error);
    static int on_action(sd_bus_message* m, void* data, sd_bus_error* error);
    static int on_bus(int fd, uint32_t mask, void* data);
    static int on_bus_timer(void* data);
    static int on_retry(void* data);
    static int on_drops(void* data);
    static int on_capabilities(sd_bus_message* m, void* data, sd_bus_error* error);
    static int on_notified(sd_bus_message* m, void* data, sd_bus_error* error);

    wl_event_loop* loop_;
    std::string wayland_display_;
    Hooks hooks_;
    std::string address_;  // the host's session bus
    sd_bus* bus_ = nullptr;
    wl_event_source* bus_source_ = nullptr;
    wl_event_source* bus_timer_ = nullptr;
    wl_event_source* retry_ = nullptr;
    wl_event_source* drops_timer_ = nullptr;
    int retries_ = 0;
    bool ready_ = false;   // a daemon answered GetCapabilities
    bool markup_ = false;  // it renders body markup: bodies are escaped
    pid_t own_bus_ = -1, mako_ = -1;
    int mako_starts_ = 0;
    std::deque<Queued> queue_;
    std::map<std::string, TokenBucket> buckets_;
    std::map<std::string, std::string> colors_;
    std::map<std::string, std::uint64_t> dropped_, unreported_;
    std::uint64_t forwarded_ = 0, failed_ = 0;
    // The host daemon's id of each container notification it shows (for
    // replaces and CloseNotification), and the way back; the oldest
    // forgotten first, a closed one at once.
    std::map<std::pair<std::string, std::uint32_t>, std::uint32_t> host_ids_;
    std::map<std::uint32_t, Shown> shown_;
    std::deque<std::uint32_t> host_id_order_;
    std::map<std::uint64_t, Call> calls_;
    std::uint64_t next_call_ = 1;
};

}  // namespace ctop
