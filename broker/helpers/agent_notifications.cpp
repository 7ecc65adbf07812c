// The container's session bus and its notification server (see agent_notifications.hpp).
#include "agent_notifications.hpp"

#include "agent_protocol.hpp"
#include "app_environment.hpp"
#include "notifications.hpp"

#include <systemd/sd-bus.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <ctime>

namespace ctop {

namespace {

constexpr const char* notifications_path = "/org/freedesktop/Notifications";
constexpr const char* notifications_name = "org.freedesktop.Notifications";
// A bus that keeps dying is not restarted for ever; the agent's next start
// (a new agent after the session restarts it) tries again.
constexpr int max_daemon_starts = 10;
// Notifications whose closing is still to be reported to their app.
constexpr size_t max_showing = 1024;

std::int64_t now_ms()
{
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return std::int64_t{ts.tv_sec} * 1000 + ts.tv_nsec / 1000000;
}

NotificationServer* server_of(void* userdata)
{
    return static_cast<NotificationServer*>(userdata);
}

// Notify's hints: only "urgency" (a byte) is read; the rest is skipped.
int read_urgency(sd_bus_message* m, int* urgency)
{
    int r = sd_bus_message_enter_container(m, 'a', "{sv}");
    if (r < 0) return r;
    while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
        const char* key = nullptr;
        if ((r = sd_bus_message_read(m, "s", &key)) < 0) return r;
        std::uint8_t value = 1;
        if (std::strcmp(key, "urgency") == 0 && sd_bus_message_enter_container(m, 'v', "y") > 0) {
            if ((r = sd_bus_message_read(m, "y", &value)) < 0) return r;
            if ((r = sd_bus_message_exit_container(m)) < 0) return r;
            *urgency = value > 2 ? 2 : value;
        } else if ((r = sd_bus_message_skip(m, "v")) < 0) {
            return r;
        }
        if ((r = sd_bus_message_exit_container(m)) < 0) return r;
    }
    if (r < 0) return r;
    return sd_bus_message_exit_container(m);
}

// Notify's actions (key, label, ...): the first few read, the rest skipped.
int read_actions(sd_bus_message* m, std::vector<std::string>* actions)
{
    int r = sd_bus_message_enter_container(m, 'a', "s");
    if (r < 0) return r;
    const char* s;
    while ((r = sd_bus_message_read(m, "s", &s)) > 0)
        if (actions->size() < 4 * max_notify_actions) actions->push_back(s);
    if (r < 0) return r;
    return sd_bus_message_exit_container(m);
}

int method_notify(sd_bus_message* m, void* userdata, sd_bus_error*)
{
    const char *app, *icon, *summary, *body;
    std::uint32_t replaces;
    std::int32_t expire;
    int urgency = 1;
    std::vector<std::string> actions;
    int r = sd_bus_message_read(m, "susss", &app, &replaces, &icon, &summary, &body);
    if (r >= 0) r = read_actions(m, &actions);
    if (r >= 0) r = read_urgency(m, &urgency);
    if (r >= 0) r = sd_bus_message_read(m, "i", &expire);
    if (r < 0) return r;
    std::uint32_t id = server_of(userdata)->notify(app, replaces, summary, body, actions, urgency, expire);
    return sd_bus_reply_method_return(m, "u", id);
}

int method_close(sd_bus_message* m, void* userdata, sd_bus_error*)
{
    std::uint32_t id;
    int r = sd_bus_message_read(m, "u", &id);
    if (r < 0) return r;
    server_of(userdata)->close(id);
    return sd_bus_reply_method_return(m, "");
}

// Body text, with its markup (the session strips it), and a few actions
// (plain labels); no icons, sounds or persistence.
int method_capabilities(sd_bus_message* m, void*, sd_bus_error*)
{
    sd_bus_message* reply = nullptr;
    int r = sd_bus_message_new_method_return(m, &reply);
    if (r >= 0) r = sd_bus_message_append(reply, "as", 3, "actions", "body", "body-markup");
    if (r >= 0) r = sd_bus_send(nullptr, reply, nullptr);
    sd_bus_message_unref(reply);
    return r;
}

int method_server_information(sd_bus_message* m, void*, sd_bus_error*)
{
    return sd_bus_reply_method_return(m, "ssss", "ctopbroker", "ctopbroker", "1", "1.2");
}

const sd_bus_vtable notifications_vtable[] = {
    SD_BUS_VTABLE_START(0),
    SD_BUS_METHOD("Notify", "susssasa{sv}i", "u", method_notify, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("CloseNotification", "u", "", method_close, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetCapabilities", "", "as", method_capabilities, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_METHOD("GetServerInformation", "", "ssss", method_server_information, SD_BUS_VTABLE_UNPRIVILEGED),
    SD_BUS_SIGNAL("NotificationClosed", "uu", 0),
    SD_BUS_SIGNAL("ActionInvoked", "us", 0),
    SD_BUS_VTABLE_END};

}  // namespace

NotificationServer::NotificationServer(std::function<bool(const std::string& line)> send) : send_(std::move(send))
{
    connect();
}

NotificationServer::~NotificationServer()
{
    disconnect();
    if (daemon_ > 0) kill(daemon_, SIGTERM);
}

int NotificationServer::fd() const
{
    return bus_ ? sd_bus_get_fd(bus_) : -1;
}

short NotificationServer::events() const
{
    int e = bus_ ? sd_bus_get_events(bus_) : 0;
    return e > 0 ? static_cast<short>(e) : 0;
}

int NotificationServer::timeout_ms() const
{
    if (!bus_) return static_cast<int>(std::max<std::int64_t>(0, retry_at_ms_ - now_ms()));
    std::uint64_t usec;
    if (sd_bus_get_timeout(bus_, &usec) <= 0 || usec == UINT64_MAX) return -1;
    timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    std::uint64_t now = std::uint64_t(ts.tv_sec) * 1000000 + std::uint64_t(ts.tv_nsec) / 1000;
    return usec <= now ? 0 : static_cast<int>(std::min<std::uint64_t>((usec - now) / 1000 + 1, INT_MAX));
}

void NotificationServer::process()
{
    if (!bus_) {
        if (now_ms() >= retry_at_ms_) connect();
        return;
    }
    int r;
    while ((r = sd_bus_process(bus_, nullptr)) > 0) {
    }
    if (r < 0 || !sd_bus_is_open(bus_)) {
        std::fprintf(stderr, "ctopbroker agent: the container's session bus went away (%s): connecting again\n",
                     std::strerror(r < 0 ? -r : ECONNRESET));
        disconnect();
        retry_at_ms_ = now_ms() + 100;
    }
}

bool NotificationServer::reaped(pid_t pid)
{
    if (pid != daemon_ || pid <= 0) return false;
    daemon_ = -1;
    return true;
}

void NotificationServer::connect()
{
    sd_bus* bus = nullptr;
    int r = sd_bus_new(&bus);
    if (r >= 0) r = sd_bus_set_address(bus, session_bus_address);
    if (r >= 0) r = sd_bus_set_bus_client(bus, 1);
    if (r >= 0) r = sd_bus_start(bus);
    if (r >= 0)
        r = sd_bus_add_object_vtable(bus, nullptr, notifications_path, notifications_name, notifications_vtable, this);
    // Queued: an app that took the name first keeps it until it lets go.
    if (r >= 0) r = sd_bus_request_name_async(bus, nullptr, notifications_name, SD_BUS_NAME_QUEUE, nullptr, nullptr);
    if (r >= 0) {
        bus_ = bus;
        return;
    }
    sd_bus_unref(bus);
    // No bus listening (the worker starts one with the container; it died or
    // was never there): this agent starts one, as its child.
    if (daemon_ <= 0 && daemon_starts_ < max_daemon_starts) start_daemon();
    retry_at_ms_ = now_ms() + (daemon_ > 0 ? 100 : 2000);
}

void NotificationServer::disconnect()
{
    if (bus_) sd_bus_flush_close_unref(bus_);
    bus_ = nullptr;
}

void NotificationServer::start_daemon()
{
    ++daemon_starts_;
    unlink(session_bus_inside);  // a dead daemon's socket (or anything an app put there)
    std::string address = std::string("--address=") + session_bus_address;
    const char* argv[] = {"dbus-daemon", "--session", "--nofork", "--nopidfile", address.c_str(), nullptr};
    const char* envp[] = {"PATH=/usr/bin:/bin", "HOME=/home/user", "XDG_RUNTIME_DIR=/run/user/1000", nullptr};
    pid_t pid = fork();
    if (pid < 0) return;
    if (pid == 0) {
        sigset_t none;
        sigemptyset(&none);
        sigprocmask(SIG_SETMASK, &none, nullptr);
        signal(SIGPIPE, SIG_DFL);
        int null = open("/dev/null", O_RDWR);
        if (null >= 0) dup2(null, 0), dup2(null, 1);
        execvpe(argv[0], const_cast<char**>(argv), const_cast<char**>(envp));
        std::fprintf(stderr, "ctopbroker agent: cannot start the container's session bus: dbus-daemon: %s\n",
                     std::strerror(errno));
        _exit(127);
    }
    daemon_ = pid;
}

std::uint32_t NotificationServer::notify(const std::string& app, std::uint32_t replaces, const std::string& summary,
                                         const std::string& body, const std::vector<std::string>& actions, int urgency,
                                         int expire_ms)
{
    ContainerNotification n;
    n.id = replaces != 0 && showing_.count(replaces) ? replaces : next_id_++;
    if (next_id_ == 0) next_id_ = 1;
    n.replaces = n.id == replaces ? replaces : 0;
    // The session refuses a line with a bad or repeated key: such an action
    // is left out here, the notification still goes.
    for (size_t i = 0; i + 1 < actions.size() && n.actions.size() < max_notify_actions; i += 2) {
        bool repeated = false;
        for (const auto& a : n.actions) repeated |= a.key == actions[i];
        if (valid_action_key(actions[i]) && !repeated) n.actions.push_back({actions[i], actions[i + 1]});
    }
    n.app = app;
    n.summary = summary;
    n.body = body;
    n.urgency = urgency;
    n.expire_ms = expire_ms;
    showing_.insert(n.id);
    if (showing_.size() > max_showing) showing_.erase(showing_.begin());
    send_(agent_notify_line(n));
    return n.id;
}

void NotificationServer::close(std::uint32_t id)
{
    if (!showing_.count(id)) return;
    send_(agent_close_line(id));
    emit_closed(id, 3);  // closed by a call, as the specification asks
}

void NotificationServer::closed_by_host(std::uint32_t id, std::uint32_t reason)
{
    if (!showing_.count(id)) return;  // the app closed it first: its signal went then
    emit_closed(id, reason >= 1 && reason <= 4 ? reason : 4);
}

void NotificationServer::action_invoked(std::uint32_t id, const std::string& key)
{
    if (!showing_.count(id) || !bus_) return;
    sd_bus_emit_signal(bus_, notifications_path, notifications_name, "ActionInvoked", "us", id, key.c_str());
}

void NotificationServer::emit_closed(std::uint32_t id, std::uint32_t reason)
{
    showing_.erase(id);
    if (bus_) sd_bus_emit_signal(bus_, notifications_path, notifications_name, "NotificationClosed", "uu", id, reason);
}

}  // namespace ctop
