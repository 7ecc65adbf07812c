// Containers' notifications to the host's daemon (see notification_relay.hpp).
#include "notification_relay.hpp"

#include "audio_messages.hpp"
#include "child_process.hpp"
#include "paths.hpp"

#include "wlr.hpp"

#include <systemd/sd-bus.h>

#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>

namespace ctop {
using nlohmann::json;

namespace {

constexpr const char* daemon_name = "org.freedesktop.Notifications";
constexpr const char* daemon_path = "/org/freedesktop/Notifications";
// Per container: 10 at once, then one a second. A well-behaved app never
// notices; a flood shows its first 10 and one line saying how many were dropped.
constexpr double burst = 10, per_second = 1;
// What waits while the host's daemon starts, all containers together.
constexpr size_t max_queued = 64;
constexpr size_t max_host_ids = 512;
// Host keys for actions are one digit (on_action).
static_assert(max_notify_actions <= 10);
// The bus and the daemon get 5 s to come up (a try every 100 ms).
constexpr int max_retries = 50;
constexpr int max_mako_starts = 3;

std::int64_t now_ms()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

// The host's session bus, as its clients find it.
std::string host_bus_address()
{
    if (const char* a = std::getenv("DBUS_SESSION_BUS_ADDRESS"); a && *a) return a;
    struct stat st {};
    std::string bus = paths::runtime_dir() / "bus";
    if (stat(bus.c_str(), &st) == 0 && S_ISSOCK(st.st_mode)) return "unix:path=" + bus;
    return {};
}

// A name the mako config can match: the container's category.
std::string category_of(const std::string& container)
{
    return "ctopbroker." + container;
}

}  // namespace

NotificationRelay::NotificationRelay(wl_event_loop* loop, std::string wayland_display, Hooks hooks)
    : loop_(loop), wayland_display_(std::move(wayland_display)), hooks_(std::move(hooks)), address_(host_bus_address())
{
}

NotificationRelay::~NotificationRelay()
{
    if (bus_source_) wl_event_source_remove(bus_source_);
    if (bus_timer_) wl_event_source_remove(bus_timer_);
    if (retry_) wl_event_source_remove(retry_);
    if (drops_timer_) wl_event_source_remove(drops_timer_);
    if (bus_) sd_bus_flush_close_unref(bus_);
    // Ours go with the session (they also have a parent-death signal).
    if (mako_ > 0) kill(mako_, SIGTERM);
    if (own_bus_ > 0) kill(own_bus_, SIGTERM);
}

void NotificationRelay::notify(const std::string& container, const std::string& color, const ContainerNotification& n)
{
    if (!color.empty() && colors_[container] != color) {
        colors_[container] = color;
        if (mako_ > 0) write_mako_config();
    }
    auto bucket = buckets_.try_emplace(container, burst, per_second).first;
    if (!bucket->second.take(now_ms())) {
        ++dropped_[container];
        ++unreported_[container];
        if (!drops_timer_) {
            drops_timer_ = wl_event_loop_add_timer(loop_, &NotificationRelay::on_drops, this);
            wl_event_source_timer_update(drops_timer_, 2000);
        }
        lost(container, n.id);
        return;
    }
    std::uint32_t replaces = 0;
    if (auto it = host_ids_.find({container, n.replaces}); n.replaces && it != host_ids_.end()) replaces = it->second;
    std::string app = n.app.empty() ? container : container + ": " + n.app;
    queue_.push_back({container, n.id, app, n.summary, n.body, replaces, n.urgency, n.expire_ms, n.actions});
    if (queue_.size() > max_queued) {
        ++dropped_[queue_.front().container];
        lost(queue_.front().container, queue_.front().id);
        queue_.pop_front();
    }
    if (!bus_) connect();
    send_queued();
}

void NotificationRelay::close(const std::string& container, std::uint32_t id)
{
    auto it = host_ids_.find({container, id});
    if (it == host_ids_.end() || !bus_ || !ready_) return;
    sd_bus_call_method_async(bus_, nullptr, daemon_name, daemon_path, daemon_name, "CloseNotification", nullptr,
                             nullptr, "u", it->second);
    watch_bus();
}

json NotificationRelay::status() const
{
    json dropped = json::object();
    for (const auto& [c, n] : dropped_) dropped[c] = n;
    return {{"bus", address_},         {"connected", ready_},
            {"own_bus", own_bus_ > 0}, {"mako", mako_ > 0 ? json(mako_) : json()},
            {"forwarded", forwarded_}, {"failed", failed_},
            {"queued", queue_.size()}, {"dropped", dropped}};
}

// No host bus: one of our own, where this session's host apps and the mako
// it starts find it.
void NotificationRelay::start_bus()
{
    std::string path = paths::broker_runtime_dir() / "host-bus";
    unlink(path.c_str());
    address_ = "unix:path=" + path;
    try {
        own_bus_ =
            start_dependent_child({"dbus-daemon", "--session", "--nofork", "--nopidfile", "--address=" + address_});
        wlr_log(WLR_INFO, "notifications: no session bus on the host: started one at %s", path.c_str());
        // Nothing runs on a new bus: our mako, at once, before a client's
        // call could have the bus activate one without our config.
        start_mako();
    } catch (const std::exception& e) {
        wlr_log(WLR_ERROR, "notifications: %s (install dbus-daemon)", e.what());
    }
}

void NotificationRelay::connect()
{
    if (bus_ || retry_) return;
    // None, or ours and it died (the session reaped it).
    if (address_.empty() || (own_bus_ > 0 && retries_ == 0 && kill(own_bus_, 0) != 0)) start_bus();
    sd_bus* bus = nullptr;
    int r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, address_.c_str());
    if (r >= 0) r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0) r = sd_bus_start(bus);
    if (r < 0) {
        sd_bus_unref(bus);
        // Our own bus may not listen yet.
        if (own_bus_ > 0 && ++retries_ <= max_retries) {
            retry_ = wl_event_loop_add_timer(loop_, &NotificationRelay::on_retry, this);
            wl_event_source_timer_update(retry_, 100);
            return;
        }
        wlr_log(WLR_ERROR, "notifications: cannot connect to the host's session bus %s: %s", address_.c_str(),
                std::strerror(-r));
        failed_ += queue_.size();
        for (const auto& q : queue_) lost(q.container, q.id);
        queue_.clear();
        retries_ = 0;
        return;
    }
    bus_ = bus;
    bus_source_ = wl_event_loop_add_fd(loop_, sd_bus_get_fd(bus_), WL_EVENT_READABLE, &NotificationRelay::on_bus, this);
    bus_timer_ = wl_event_loop_add_timer(loop_, &NotificationRelay::on_bus_timer, this);
    watch_signals();
    ask_capabilities();
}

int NotificationRelay::on_retry(void* data)
{
    auto* self = static_cast<NotificationRelay*>(data);
    wl_event_source_remove(self->retry_);
    self->retry_ = nullptr;
    if (!self->bus_) self->connect();
    else self->ask_capabilities();
    return 0;
}

// Whether a daemon answers, and whether it renders markup. Never activates
// one: the host's service file would start it without the session's display.
void NotificationRelay::ask_capabilities()
{
    sd_bus_message* m = nullptr;
    int r = sd_bus_message_new_method_call(bus_, &m, daemon_name, daemon_path, daemon_name, "GetCapabilities");
    if (r >= 0) r = sd_bus_message_set_auto_start(m, 0);
    if (r >= 0) r = sd_bus_call_async(bus_, nullptr, m, &NotificationRelay::on_capabilities, this, 2000 * 1000);
    sd_bus_message_unref(m);
    if (r < 0) {
        // Not dropped here: this may run inside sd_bus_process. The next
        // notification asks again.
        wlr_log(WLR_ERROR, "notifications: cannot ask the host's daemon for its capabilities: %s", std::strerror(-r));
        return;
    }
    watch_bus();
}

int NotificationRelay::on_capabilities(sd_bus_message* m, void* data, sd_bus_error*)
{
    auto* self = static_cast<NotificationRelay*>(data);
    if (sd_bus_message_is_method_error(m, nullptr)) {
        // Nobody owns the name: our mako, once; then wait for it to.
        if (self->mako_ <= 0 || kill(self->mako_, 0) != 0) self->start_mako();
        if (++self->retries_ > max_retries) {
            const sd_bus_error* e = sd_bus_message_get_error(m);
            wlr_log(WLR_ERROR, "notifications: no notification daemon on the host's session bus (%s)",
                    e && e->message ? printable(e->message, 200).c_str() : "no answer");
            self->failed_ += self->queue_.size();
            for (const auto& q : self->queue_) self->lost(q.container, q.id);
            self->queue_.clear();
            self->retries_ = 0;
            return 0;
        }
        if (!self->retry_) {
            self->retry_ = wl_event_loop_add_timer(self->loop_, &NotificationRelay::on_retry, self);
            wl_event_source_timer_update(self->retry_, 100);
        }
        return 0;
    }
    self->markup_ = false;
    if (sd_bus_message_enter_container(m, 'a', "s") > 0) {
        const char* cap;
        while (sd_bus_message_read(m, "s", &cap) > 0) self->markup_ |= std::strcmp(cap, "body-markup") == 0;
        sd_bus_message_exit_container(m);
    }
    self->ready_ = true;
    self->retries_ = 0;
    self->send_queued();
    return 0;
}

void NotificationRelay::start_mako()
{
    if (mako_starts_ >= max_mako_starts) return;
    ++mako_starts_;
    write_mako_config();
    std::string config = paths::broker_runtime_dir() / "mako.config";
    try {
        mako_ = start_dependent_child({"mako", "-c", config},
                                      {"WAYLAND_DISPLAY=" + wayland_display_, "DBUS_SESSION_BUS_ADDRESS=" + address_});
        wlr_log(WLR_INFO, "notifications: no notification daemon on the host: started mako (pid %d)", mako_);
    } catch (const std::exception& e) {
        wlr_log(WLR_ERROR, "notifications: %s (install mako-notifier)", e.what());
    }
}

// Each container's notifications framed in its colour (matched by the
// category the relay sets; the container cannot set it).
void NotificationRelay::write_mako_config()
{
    std::string path = paths::broker_runtime_dir() / "mako.config";
    std::string text = "# Written by ctopbroker-session for the mako it starts: one section per container.\n"
                       "default-timeout=15000\nmax-history=20\n";
    for (const auto& [container, color] : colors_)
        text += "\n[category=\"" + category_of(container) + "\"]\nborder-color=" + color + "\n";
    std::string tmp = path + ".new";
    std::ofstream(tmp, std::ios::trunc) << text;
    if (std::rename(tmp.c_str(), path.c_str()) != 0) return;
    if (bus_ && ready_ && mako_ > 0)
        sd_bus_call_method_async(bus_, nullptr, daemon_name, "/fr/emersion/Mako", "fr.emersion.Mako", "Reload", nullptr,
                                 nullptr, "");
}

void NotificationRelay::send_queued()
{
    if (!bus_ || !ready_) return;
    while (!queue_.empty()) {
        forward(queue_.front());
        queue_.pop_front();
    }
    watch_bus();
}

void NotificationRelay::forward(const Queued& q)
{
    std::string body = markup_ ? escape_markup(q.body) : q.body;
    std::string category = category_of(q.container);
    sd_bus_message* m = nullptr;
    int r = sd_bus_message_new_method_call(bus_, &m, daemon_name, daemon_path, daemon_name, "Notify");
    if (r >= 0) r = sd_bus_message_set_auto_start(m, 0);
    if (r >= 0)
        r = sd_bus_message_append(m, "susss", q.app.c_str(), q.replaces_host, "", q.summary.c_str(), body.c_str());
    // The host gets keys of the session's own ("default", else the action's
    // index) and the sanitised labels; the app's keys stay here.
    std::vector<std::string> keys;
    if (r >= 0) r = sd_bus_message_open_container(m, 'a', "s");
    for (size_t i = 0; r >= 0 && i < q.actions.size(); ++i) {
        const NotificationAction& a = q.actions[i];
        std::string host_key = a.key == "default" ? "default" : std::to_string(i);
        r = sd_bus_message_append(m, "ss", host_key.c_str(), a.label.c_str());
        keys.push_back(a.key);
    }
    if (r >= 0) r = sd_bus_message_close_container(m);
    if (r >= 0)
        r = sd_bus_message_append(m, "a{sv}", 3, "urgency", "y", static_cast<std::uint8_t>(q.urgency), "category", "s",
                                  category.c_str(), "x-ctopbroker-container", "s", q.container.c_str());
    if (r >= 0) r = sd_bus_message_append(m, "i", static_cast<std::int32_t>(q.expire_ms));
    std::uint64_t call = next_call_++;
    Call& c = calls_[call] = {this, q.container, q.id, std::move(keys)};
    if (r >= 0) r = sd_bus_call_async(bus_, nullptr, m, &NotificationRelay::on_notified, &c, 5000 * 1000);
    sd_bus_message_unref(m);
    if (r < 0) {
        calls_.erase(call);
        ++failed_;
        lost(q.container, q.id);
        wlr_log(WLR_ERROR, "notifications: container %s: cannot send it: %s", q.container.c_str(), std::strerror(-r));
    }
}

int NotificationRelay::on_notified(sd_bus_message* m, void* data, sd_bus_error*)
{
    auto* call = static_cast<Call*>(data);
    NotificationRelay* self = call->relay;
    std::uint32_t host_id = 0;
    if (sd_bus_message_is_method_error(m, nullptr) || sd_bus_message_read(m, "u", &host_id) < 0) {
        ++self->failed_;
        self->lost(call->container, call->id);
        // The daemon went away: ask again (and start ours) before the next one.
        self->ready_ = false;
    } else {
        ++self->forwarded_;
        self->remember(*call, host_id);
    }
    for (auto it = self->calls_.begin(); it != self->calls_.end(); ++it)
        if (&it->second == call) {
            self->calls_.erase(it);
            break;
        }
    if (!self->ready_ && !self->retry_) self->ask_capabilities();
    return 0;
}

// A container notification that will never show: its app hears it expired
// (an app waiting for its close would wait for ever).
void NotificationRelay::lost(const std::string& container, std::uint32_t id)
{
    if (id && hooks_.closed) hooks_.closed(container, id, 1);
}

void NotificationRelay::remember(const Call& call, std::uint32_t host_id)
{
    if (!call.id) return;  // the session's own notice
    // A daemon's id for another container's notification, reused: that one is gone.
    if (auto it = shown_.find(host_id); it != shown_.end() && it->second.container != call.container) forget(host_id);
    host_ids_[{call.container, call.id}] = host_id;
    if (shown_.insert_or_assign(host_id, Shown{call.container, call.id, call.keys}).second)
        host_id_order_.push_back(host_id);
    while (host_id_order_.size() > max_host_ids) {
        forget(host_id_order_.front());  // closed ones are gone already
        host_id_order_.pop_front();
    }
}

void NotificationRelay::forget(std::uint32_t host_id)
{
    auto it = shown_.find(host_id);
    if (it == shown_.end()) return;
    auto key = std::make_pair(it->second.container, it->second.id);
    if (auto h = host_ids_.find(key); h != host_ids_.end() && h->second == host_id) host_ids_.erase(h);
    shown_.erase(it);
}

// The daemon's signals, from the name's owner only (the bus filters on
// the sender; a host client cannot fake them).
void NotificationRelay::watch_signals()
{
    int r = sd_bus_match_signal_async(bus_, nullptr, daemon_name, daemon_path, daemon_name, "NotificationClosed",
                                      &NotificationRelay::on_closed, nullptr, this);
    if (r >= 0)
        r = sd_bus_match_signal_async(bus_, nullptr, daemon_name, daemon_path, daemon_name, "ActionInvoked",
                                      &NotificationRelay::on_action, nullptr, this);
    if (r < 0)
        wlr_log(WLR_ERROR, "notifications: cannot hear the host's daemon (closes and actions stay on the host): %s",
                std::strerror(-r));
}

int NotificationRelay::on_closed(sd_bus_message* m, void* data, sd_bus_error*)
{
    auto* self = static_cast<NotificationRelay*>(data);
    std::uint32_t host_id, reason;
    if (sd_bus_message_read(m, "uu", &host_id, &reason) < 0) return 0;
    auto it = self->shown_.find(host_id);
    if (it == self->shown_.end()) return 0;  // not a container's
    std::string container = it->second.container;
    std::uint32_t id = it->second.id;
    self->forget(host_id);
    if (self->hooks_.closed) self->hooks_.closed(container, id, reason >= 1 && reason <= 4 ? reason : 4);
    return 0;
}

// The host's key back to the app's: "default", or an index into its keys.
int NotificationRelay::on_action(sd_bus_message* m, void* data, sd_bus_error*)
{
    auto* self = static_cast<NotificationRelay*>(data);
    std::uint32_t host_id;
    const char* host_key;
    if (sd_bus_message_read(m, "us", &host_id, &host_key) < 0) return 0;
    auto it = self->shown_.find(host_id);
    if (it == self->shown_.end()) return 0;
    const std::vector<std::string>& keys = it->second.keys;
    std::string key;
    if (std::strcmp(host_key, "default") == 0) {
        if (std::find(keys.begin(), keys.end(), "default") != keys.end()) key = "default";
    } else if (std::strlen(host_key) == 1 && host_key[0] >= '0' &&
               static_cast<size_t>(host_key[0] - '0') < keys.size()) {
        key = keys[host_key[0] - '0'];
        if (key == "default") key.clear();  // offered to the host as "default" only
    }
    if (!key.empty() && self->hooks_.action) self->hooks_.action(it->second.container, it->second.id, key);
    return 0;
}

// What a flood cost: one notice per container, labelled like its own.
void NotificationRelay::report_drops()
{
    for (auto& [container, n] : unreported_) {
        if (n == 0) continue;
        queue_.push_back({container, 0, container + ": ctopbroker", "Notifications dropped",
                          std::to_string(n) + " notifications from container " + container +
                              " were not shown: it sent more than " + std::to_string(int(burst)) +
                              " at once or more than " + std::to_string(int(per_second)) + " a second.",
                          0, 1, -1});
        n = 0;
    }
    if (queue_.size() > max_queued) queue_.erase(queue_.begin(), queue_.end() - max_queued);
    if (!bus_) connect();
    send_queued();
}

int NotificationRelay::on_drops(void* data)
{
    auto* self = static_cast<NotificationRelay*>(data);
    wl_event_source_remove(self->drops_timer_);
    self->drops_timer_ = nullptr;
    self->report_drops();
    return 0;
}

void NotificationRelay::drop_bus(const std::string& why)
{
    wlr_log(WLR_ERROR, "notifications: the host's session bus %s: %s", address_.c_str(), why.c_str());
    if (bus_source_) wl_event_source_remove(bus_source_);
    if (bus_timer_) wl_event_source_remove(bus_timer_);
    bus_source_ = bus_timer_ = nullptr;
    if (bus_) sd_bus_flush_close_unref(bus_);
    bus_ = nullptr;
    ready_ = false;
    calls_.clear();
}

// The fd's mask and the timer follow what sd-bus waits for.
void NotificationRelay::watch_bus()
{
    if (!bus_) return;
    int events = sd_bus_get_events(bus_);
    std::uint32_t mask = (events & POLLIN ? WL_EVENT_READABLE : 0) | (events & POLLOUT ? WL_EVENT_WRITABLE : 0);
    wl_event_source_fd_update(bus_source_, mask | WL_EVENT_READABLE);
    std::uint64_t usec = 0;
    int ms = 0;
    if (sd_bus_get_timeout(bus_, &usec) > 0 && usec != UINT64_MAX) {
        timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        std::uint64_t now = std::uint64_t(ts.tv_sec) * 1000000 + std::uint64_t(ts.tv_nsec) / 1000;
        ms = usec <= now ? 1 : static_cast<int>(std::min<std::uint64_t>((usec - now) / 1000 + 1, INT_MAX));
    }
    wl_event_source_timer_update(bus_timer_, ms);  // 0: none
}

int NotificationRelay::on_bus(int, uint32_t mask, void* data)
{
    auto* self = static_cast<NotificationRelay*>(data);
    int r = 0;
    // Bounded: the host's bus cannot hold the compositor's loop.
    for (int i = 0; i < 256 && (r = sd_bus_process(self->bus_, nullptr)) > 0; ++i) {
    }
    if (r < 0 || (mask & (WL_EVENT_HANGUP | WL_EVENT_ERROR)) || !sd_bus_is_open(self->bus_)) {
        self->drop_bus("it closed the connection");
        return 0;
    }
    self->watch_bus();
    // More is waiting in sd-bus's buffer: the next turn of the loop goes on.
    if (r > 0) wl_event_source_timer_update(self->bus_timer_, 1);
    return 0;
}

int NotificationRelay::on_bus_timer(void* data)
{
    return on_bus(-1, 0, data);
}

}  // namespace ctop
