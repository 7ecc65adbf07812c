// What a container's agent (helpers/agent.cpp) and the session say to each
// other over the agent's socket: one JSON object a line, bounded, each kind
// rendered and parsed here only. The session sends a hello (AgentHello), then
// requests (AgentCall) with an id; the agent answers each and reports events.
// The agent runs inside the container as its user, so the session reads every
// line it sends as hostile: parse_agent_message checks each field's type,
// range and size, and makes text printable (fuzzed: tests/fuzz/agent_reply.cpp).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace ctop {

// The longest line either side takes; a longer one ends the agent.
inline constexpr size_t max_agent_line = 512 * 1024;
// What an app list may hold (a .desktop file's fields are cut to these).
inline constexpr size_t max_agent_apps = 512;
inline constexpr size_t max_app_name = 128;
inline constexpr size_t max_app_exec = 1024;
inline constexpr size_t max_app_icon = 256;
inline constexpr size_t max_app_id = 128;
inline constexpr size_t max_agent_error = 512;

// The session's first line: which container the agent joins.
struct AgentHello {
    std::string container;
    std::string lxcpath;  // empty: liblxc's default
};
// Start an app in the container as its user; the reply names its pid.
struct AgentSpawn {
    std::vector<std::string> argv;  // never empty
    std::vector<std::string> env;
    std::string cwd = "/home/user";
};
// List the container's applications (its .desktop entries).
struct AgentListApps {};
using AgentCall = std::variant<AgentSpawn, AgentListApps>;
// What the session tells the agent without asking (no id, no answer): the
// host closed the container's notification (the specification's reason, 1
// to 4), or the user chose one of its actions.
struct AgentNotificationClosed {
    std::uint32_t notification = 0;  // the agent's id for it
    std::uint32_t reason = 0;
};
struct AgentNotificationAction {
    std::uint32_t notification = 0;
    std::string key;
};
// monostate: an event the agent does not know, or whose fields do not fit
// (ignored, as a newer session's may be).
using AgentEvent = std::variant<std::monostate, AgentNotificationClosed, AgentNotificationAction>;

struct AgentRequest {
    std::uint64_t id = 0;
    AgentCall call;
    std::optional<AgentEvent> event;  // set for a line without an id: `call` is not
};

std::string agent_hello_line(const AgentHello& hello);
// nullopt, with `problem` saying why, when the line is not a hello (the
// container's name is checked by the agent, against liblxc's rules).
std::optional<AgentHello> parse_agent_hello(std::string_view line, std::string* problem);
// Request `id` as its line (without the newline); text that is not UTF-8 is
// replaced, not refused.
std::string agent_request_line(std::uint64_t id, const AgentCall& call);
// nullopt, with `problem` saying why, when the line is neither a request nor
// an event; `id` is set as soon as the line has one, so the agent can answer it.
std::optional<AgentRequest> parse_agent_request(std::string_view line, std::uint64_t* id, std::string* problem);

// One application the container offers (its .desktop entry).
struct DesktopApp {
    std::string id;    // the file's name without ".desktop": firefox-esr
    std::string name;  // Name=: Firefox ESR
    std::string exec;  // Exec= with its field codes (%u, %F...) removed
    std::string icon;  // Icon=
};

// One of a notification's actions: the app's key (sent back to it alone
// when invoked) and its label (sanitised, shown by the host).
struct NotificationAction {
    std::string key, label;
};

// A notification an app in the container sent to the agent's
// org.freedesktop.Notifications, as the session reads it: every text field
// sanitised (notifications.hpp), numbers in range.
struct ContainerNotification {
    std::uint32_t id = 0;        // the agent's id for it (the app's)
    std::uint32_t replaces = 0;  // the agent's id of one it replaces, or 0
    std::string app, summary, body;
    int urgency = 1;                          // 0 low, 1 normal, 2 critical
    int expire_ms = -1;                       // -1: the daemon's default
    std::vector<NotificationAction> actions;  // at most max_notify_actions, keys valid and distinct
};

struct AgentMessage {
    enum class Kind { reply, exited, started, notify, close } kind = Kind::reply;
    // reply: the answer to request `id`.
    std::uint64_t id = 0;
    bool ok = false;
    std::string error;  // when !ok: printable, capped
    pid_t pid = 0;      // spawn: the app's pid inside the container; exited: whose; started: the agent's host pid
    std::optional<std::vector<DesktopApp>> apps;  // an "apps" reply
    int status = 0;                               // exited: a wait status
    ContainerNotification notification;           // notify; close: its id alone
};

// nullopt, with `problem` saying what was wrong, when the line is not a
// message the agent may send.
std::optional<AgentMessage> parse_agent_message(std::string_view line, std::string* problem);

// The same fields as a line, as the agent writes them (without the newline).
std::string agent_reply_line(std::uint64_t id, const std::string& error);  // ok = error.empty()
std::string agent_spawned_line(std::uint64_t id, pid_t pid);
std::string agent_apps_line(std::uint64_t id, const std::vector<DesktopApp>& apps);
std::string agent_exited_line(pid_t pid, int status);
std::string agent_started_line(pid_t host_pid);
// Fields longer than the limits in notifications.hpp are cut (bytes).
std::string agent_notify_line(const ContainerNotification& n);
std::string agent_close_line(std::uint32_t id);

// The session's events as lines: AgentNotificationClosed, AgentNotificationAction.
std::string agent_closed_event(std::uint32_t id, std::uint32_t reason);
std::string agent_action_event(std::uint32_t id, const std::string& key);

}  // namespace ctop
