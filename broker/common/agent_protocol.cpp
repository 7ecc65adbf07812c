// Reading and writing the agent's lines (see agent_protocol.hpp).
#include "agent_protocol.hpp"

#include "audio_messages.hpp"
#include "notifications.hpp"
#include "text.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ctop {
using nlohmann::json;

namespace {

// Linux never hands out pids above 2^22.
constexpr std::uint64_t max_pid = 4194304;
// Ids the session gives requests stay below 2^53 (exact in any JSON reader).
constexpr std::uint64_t max_id = std::uint64_t{1} << 53;

bool fail(std::string* problem, const std::string& why)
{
    if (problem) *problem = why;
    return false;
}

bool unsigned_field(const json& msg, const char* key, std::uint64_t min, std::uint64_t max, std::uint64_t* out,
                    std::string* problem)
{
    auto it = msg.find(key);
    if (it == msg.end()) return fail(problem, std::string("no '") + key + "'");
    // nlohmann keeps a non-negative literal as unsigned, a negative one as signed.
    if (!it->is_number_unsigned()) return fail(problem, std::string("'") + key + "' is not a whole number >= 0");
    *out = it->get<std::uint64_t>();
    if (*out < min || *out > max) return fail(problem, std::string("'") + key + "' is out of range");
    return true;
}

// A string field of at most `max` bytes, made printable; `required` or "".
bool text_field(const json& msg, const char* key, size_t max, bool required, std::string* out, std::string* problem)
{
    auto it = msg.find(key);
    if (it == msg.end()) return required ? fail(problem, std::string("no '") + key + "'") : true;
    if (!it->is_string()) return fail(problem, std::string("'") + key + "' is not a string");
    const auto& text = it->get_ref<const std::string&>();
    if (text.size() > max) return fail(problem, std::string("'") + key + "' is longer than " + std::to_string(max));
    if (required && text.empty()) return fail(problem, std::string("'") + key + "' is empty");
    *out = printable(text, max);
    // C1 controls (U+0080..U+009F) act as escapes on some terminals too.
    for (size_t i = 0; i + 1 < out->size(); ++i)
        if (static_cast<unsigned char>((*out)[i]) == 0xc2 && (static_cast<unsigned char>((*out)[i + 1]) & 0xe0) == 0x80)
            out->replace(i, 2, "?");
    return true;
}

bool parse_apps(const json& list, std::vector<DesktopApp>* apps, std::string* problem)
{
    if (!list.is_array()) return fail(problem, "'apps' is not an array");
    if (list.size() > max_agent_apps) return fail(problem, "more than " + std::to_string(max_agent_apps) + " apps");
    for (const auto& entry : list) {
        if (!entry.is_object()) return fail(problem, "an app is not an object");
        DesktopApp app;
        if (!text_field(entry, "id", max_app_id, true, &app.id, problem) ||
            !text_field(entry, "name", max_app_name, true, &app.name, problem) ||
            !text_field(entry, "exec", max_app_exec, true, &app.exec, problem) ||
            !text_field(entry, "icon", max_app_icon, false, &app.icon, problem))
            return false;
        apps->push_back(std::move(app));
    }
    return true;
}

bool parse_reply(const json& msg, AgentMessage* out, std::string* problem)
{
    out->kind = AgentMessage::Kind::reply;
    if (!unsigned_field(msg, "id", 1, max_id, &out->id, problem)) return false;
    auto ok = msg.find("ok");
    if (ok == msg.end() || !ok->is_boolean()) return fail(problem, "'ok' is not true or false");
    out->ok = ok->get<bool>();
    if (!out->ok) return text_field(msg, "error", max_agent_error, true, &out->error, problem);
    if (msg.contains("pid")) {
        std::uint64_t pid;
        if (!unsigned_field(msg, "pid", 1, max_pid, &pid, problem)) return false;
        out->pid = static_cast<pid_t>(pid);
    }
    if (msg.contains("apps")) {
        out->apps.emplace();
        if (!parse_apps(msg["apps"], &*out->apps, problem)) return false;
    }
    return true;
}

// A notification's text: the agent cut it to `max` bytes; more is a broken
// agent. Only a body is markup (the specification's summary is plain text).
bool notification_text(const json& msg, const char* key, size_t max, size_t shown, bool body, std::string* out,
                       std::string* problem)
{
    auto it = msg.find(key);
    if (it == msg.end()) return true;
    if (!it->is_string()) return fail(problem, std::string("'") + key + "' is not a string");
    const auto& text = it->get_ref<const std::string&>();
    if (text.size() > max) return fail(problem, std::string("'") + key + "' is longer than " + std::to_string(max));
    *out = sanitize_notification_text(text, shown, body, body);
    return true;
}

// The agent drops what an app offered beyond the limits, so more here is a
// broken agent; labels are shown by the host, so they are sanitised.
bool parse_actions(const json& msg, std::vector<NotificationAction>* actions, std::string* problem)
{
    auto it = msg.find("actions");
    if (it == msg.end()) return true;
    if (!it->is_array()) return fail(problem, "'actions' is not an array");
    if (it->size() > max_notify_actions)
        return fail(problem, "more than " + std::to_string(max_notify_actions) + " actions");
    for (const auto& pair : *it) {
        if (!pair.is_array() || pair.size() != 2 || !pair[0].is_string() || !pair[1].is_string())
            return fail(problem, "an action is not a [key, label] pair");
        const auto& key = pair[0].get_ref<const std::string&>();
        const auto& label = pair[1].get_ref<const std::string&>();
        if (!valid_action_key(key)) return fail(problem, "an action's key is empty, too long or not printable");
        if (label.size() > max_action_label)
            return fail(problem, "an action's label is longer than " + std::to_string(max_action_label));
        for (const auto& a : *actions)
            if (a.key == key) return fail(problem, "two actions have the same key");
        actions->push_back({key, sanitize_notification_text(label, shown_action_label, false, false)});
    }
    return true;
}

bool parse_notification(const json& msg, bool close, AgentMessage* out, std::string* problem)
{
    ContainerNotification& n = out->notification;
    std::uint64_t id, replaces = 0, urgency = 1, expire = 0;
    if (!unsigned_field(msg, "id", 1, UINT32_MAX, &id, problem)) return false;
    n.id = static_cast<std::uint32_t>(id);
    out->kind = close ? AgentMessage::Kind::close : AgentMessage::Kind::notify;
    if (close) return true;
    if (msg.contains("replaces") && !unsigned_field(msg, "replaces", 0, UINT32_MAX, &replaces, problem)) return false;
    if (msg.contains("urgency") && !unsigned_field(msg, "urgency", 0, 2, &urgency, problem)) return false;
    if (msg.contains("expire_ms") && !unsigned_field(msg, "expire_ms", 0, 3600 * 1000, &expire, problem)) return false;
    n.replaces = static_cast<std::uint32_t>(replaces);
    n.urgency = static_cast<int>(urgency);
    n.expire_ms = msg.contains("expire_ms") ? static_cast<int>(expire) : -1;
    return notification_text(msg, "app", max_notify_app, shown_notify_app, false, &n.app, problem) &&
           notification_text(msg, "summary", max_notify_summary, shown_notify_summary, false, &n.summary, problem) &&
           notification_text(msg, "body", max_notify_body, shown_notify_body, true, &n.body, problem) &&
           parse_actions(msg, &n.actions, problem);
}

bool parse_event(const json& msg, const std::string& event, AgentMessage* out, std::string* problem)
{
    if (event == "notify" || event == "close") return parse_notification(msg, event == "close", out, problem);
    std::uint64_t pid;
    if (!unsigned_field(msg, "pid", 1, max_pid, &pid, problem)) return false;
    out->pid = static_cast<pid_t>(pid);
    if (event == "started") {
        out->kind = AgentMessage::Kind::started;
        return true;
    }
    if (event != "exited") return fail(problem, "unknown event");
    out->kind = AgentMessage::Kind::exited;
    std::uint64_t status;
    if (!unsigned_field(msg, "status", 0, 0xffff, &status, problem)) return false;
    out->status = static_cast<int>(status);
    return true;
}

// A list of strings (absent: empty).
bool strings_field(const json& msg, const char* key, std::vector<std::string>* out, std::string* problem)
{
    auto it = msg.find(key);
    if (it == msg.end()) return true;
    if (!it->is_array()) return fail(problem, std::string("'") + key + "' is not a list");
    for (const auto& s : *it) {
        if (!s.is_string()) return fail(problem, std::string("'") + key + "' holds a non-string");
        out->push_back(s.get<std::string>());
    }
    return true;
}

bool parse_spawn(const json& msg, AgentSpawn* out, std::string* problem)
{
    if (!strings_field(msg, "argv", &out->argv, problem) || !strings_field(msg, "env", &out->env, problem))
        return false;
    if (out->argv.empty() || out->argv[0].empty()) return fail(problem, "nothing to run (empty argv)");
    if (auto cwd = msg.find("cwd"); cwd != msg.end()) {
        if (!cwd->is_string()) return fail(problem, "'cwd' is not a string");
        out->cwd = cwd->get<std::string>();
    }
    return true;
}

// An event the session sent: the agent's id of a notification and what
// became of it on the host.
AgentEvent session_event(const json& msg)
{
    auto id = msg.find("notification");
    if (id == msg.end() || !id->is_number_unsigned() || id->get<std::uint64_t>() > UINT32_MAX) return {};
    auto n = static_cast<std::uint32_t>(id->get<std::uint64_t>());
    auto kind = msg.find("event");
    if (!kind->is_string()) return {};
    auto reason = msg.find("reason");
    if (*kind == "closed" && reason != msg.end() && reason->is_number_unsigned())
        return AgentNotificationClosed{
            n, static_cast<std::uint32_t>(std::min<std::uint64_t>(reason->get<std::uint64_t>(), 4))};
    auto key = msg.find("key");
    if (*kind == "action" && key != msg.end() && key->is_string())
        return AgentNotificationAction{n, key->get<std::string>()};
    return {};
}

}  // namespace

std::string agent_hello_line(const AgentHello& hello)
{
    return json{{"container", hello.container}, {"lxcpath", hello.lxcpath}}.dump(-1, ' ', false,
                                                                                 json::error_handler_t::replace);
}

std::optional<AgentHello> parse_agent_hello(std::string_view line, std::string* problem)
{
    json msg = json::parse(line, nullptr, false);
    AgentHello hello;
    if (msg.is_discarded() || !msg.is_object() || !msg.contains("container") || !msg["container"].is_string())
        return fail(problem, "expected {\"container\": NAME, \"lxcpath\": PATH} as the first line"), std::nullopt;
    hello.container = msg["container"].get<std::string>();
    if (auto lxcpath = msg.find("lxcpath"); lxcpath != msg.end()) {
        if (!lxcpath->is_string()) return fail(problem, "'lxcpath' is not a string"), std::nullopt;
        hello.lxcpath = lxcpath->get<std::string>();
    }
    return hello;
}

std::string agent_request_line(std::uint64_t id, const AgentCall& call)
{
    json msg = {{"id", id}};
    if (const auto* spawn = std::get_if<AgentSpawn>(&call))
        msg.update({{"op", "spawn"}, {"argv", spawn->argv}, {"env", spawn->env}, {"cwd", spawn->cwd}});
    else msg["op"] = "apps";
    return msg.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::optional<AgentRequest> parse_agent_request(std::string_view line, std::uint64_t* id, std::string* problem)
{
    *id = 0;
    if (line.size() > max_agent_line) return fail(problem, "line too long"), std::nullopt;
    json msg = json::parse(line, nullptr, false);
    if (!msg.is_discarded() && msg.is_object() && msg.contains("event") && !msg.contains("id")) {
        AgentRequest req;
        req.event = session_event(msg);
        return req;
    }
    if (msg.is_discarded() || !msg.is_object() || !msg.contains("id") || !msg["id"].is_number_unsigned())
        return fail(problem, "malformed request"), std::nullopt;
    AgentRequest req;
    req.id = *id = msg["id"].get<std::uint64_t>();
    auto op = msg.find("op");
    std::string name = op != msg.end() && op->is_string() ? op->get<std::string>() : "";
    if (name == "apps") {
        req.call = AgentListApps{};
        return req;
    }
    if (name != "spawn") return fail(problem, "unknown op '" + printable(name, 40) + "'"), std::nullopt;
    AgentSpawn spawn;
    if (!parse_spawn(msg, &spawn, problem)) return std::nullopt;
    req.call = std::move(spawn);
    return req;
}

std::optional<AgentMessage> parse_agent_message(std::string_view line, std::string* problem)
{
    if (line.size() > max_agent_line) return fail(problem, "line too long"), std::nullopt;
    json msg = json::parse(line, nullptr, false);
    if (msg.is_discarded() || !msg.is_object()) return fail(problem, "not a JSON object"), std::nullopt;
    AgentMessage out;
    auto event = msg.find("event");
    bool good;
    if (event == msg.end()) good = parse_reply(msg, &out, problem);
    else if (!event->is_string()) good = fail(problem, "'event' is not a string");
    else good = parse_event(msg, event->get<std::string>(), &out, problem);
    if (!good) return std::nullopt;
    return out;
}

std::string agent_reply_line(std::uint64_t id, const std::string& error)
{
    json msg = {{"id", id}, {"ok", error.empty()}};
    if (!error.empty()) msg["error"] = error.substr(0, max_agent_error);
    return msg.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string agent_spawned_line(std::uint64_t id, pid_t pid)
{
    return json{{"id", id}, {"ok", true}, {"pid", pid}}.dump();
}

std::string agent_apps_line(std::uint64_t id, const std::vector<DesktopApp>& apps)
{
    json list = json::array();
    for (const auto& a : apps) list.push_back({{"id", a.id}, {"name", a.name}, {"exec", a.exec}, {"icon", a.icon}});
    return json{{"id", id}, {"ok", true}, {"apps", list}}.dump(-1, ' ', false, json::error_handler_t::replace);
}

std::string agent_exited_line(pid_t pid, int status)
{
    return json{{"event", "exited"}, {"pid", pid}, {"status", status}}.dump();
}

std::string agent_started_line(pid_t host_pid)
{
    return json{{"event", "started"}, {"pid", host_pid}}.dump();
}

std::string agent_notify_line(const ContainerNotification& n)
{
    json msg = {{"event", "notify"},
                {"id", n.id},
                {"replaces", n.replaces},
                {"app", cut_utf8(n.app, max_notify_app)},
                {"summary", cut_utf8(n.summary, max_notify_summary)},
                {"body", cut_utf8(n.body, max_notify_body)},
                {"urgency", std::clamp(n.urgency, 0, 2)}};
    if (n.expire_ms >= 0) msg["expire_ms"] = std::min(n.expire_ms, 3600 * 1000);
    // The server kept only valid, distinct keys; labels are cut like the text.
    json actions = json::array();
    for (const auto& a : n.actions) {
        if (actions.size() == max_notify_actions) break;
        actions.push_back({a.key, cut_utf8(a.label, max_action_label)});
    }
    if (!actions.empty()) msg["actions"] = actions;
    // Invalid UTF-8 becomes U+FFFD, which may make a field longer than its
    // limit: the agent cuts again rather than send a line the session refuses.
    std::string line = msg.dump(-1, ' ', false, json::error_handler_t::replace);
    json back = json::parse(line);
    using Limit = std::pair<const char*, size_t>;
    for (auto [key, max] :
         {Limit{"app", max_notify_app}, Limit{"summary", max_notify_summary}, Limit{"body", max_notify_body}})
        back[key] = cut_utf8(back[key].get<std::string>(), max);
    if (back.contains("actions"))
        for (auto& a : back["actions"]) a[1] = cut_utf8(a[1].get<std::string>(), max_action_label);
    return back.dump();
}

std::string agent_close_line(std::uint32_t id)
{
    return json{{"event", "close"}, {"id", id}}.dump();
}

std::string agent_closed_event(std::uint32_t id, std::uint32_t reason)
{
    return json{{"event", "closed"}, {"notification", id}, {"reason", reason}}.dump();
}

std::string agent_action_event(std::uint32_t id, const std::string& key)
{
    return json{{"event", "action"}, {"notification", id}, {"key", key}}.dump(-1, ' ', false,
                                                                              json::error_handler_t::replace);
}

}  // namespace ctop
