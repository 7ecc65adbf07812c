// The control socket's protocol, shared by the session (its server) and the
// CLI (its client): one JSON object per line each way. A request names its
// command in "cmd"; its other fields are the typed request below of the same
// name. A reply is {"ok": true, ...} or {"ok": false, "error": "..."}.
//
// A request from the socket is first checked against its command's schema
// (check_request_fields: each field's name, type and whether it is required,
// and a message naming the field when it does not fit); only then is it read
// into its struct, so a handler never meets a wrong type.
#pragma once

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace ctop::control {

struct Key {
    std::string combo;  // "Super+Shift+C"
};
struct Type {
    std::string text;
};
struct Workspace {  // by slot (1 = the host) or by name
    std::optional<int> slot;
    std::string name;
};
struct Socket {
    std::string name;
};
struct Spawn {
    std::string name;
    std::string lxcpath;  // empty: the session's
    std::vector<std::string> argv, env;
    bool desktop = false;  // the policy's `desktop` filling its workspace (argv unused)
};
struct Stop {
    std::string name;
    std::string lxcpath;  // empty: the session's
};
struct Apps {
    std::string name;  // empty: every container's
};
struct Audio {  // fields left out are not changed
    std::string name;
    std::optional<bool> mute;
    std::optional<double> volume;  // 0 to 1.5
    std::optional<bool> mic;
};
struct Notify {
    std::string message;
};
// The test pointer (a session started with --test-input), in layout
// coordinates. Read with parse_pointer: its fields depend on the action.
struct Pointer {
    enum class Action { move, click, scroll, drag } action = Action::move;
    enum class Button { left, right, middle } button = Button::left;  // click, drag
    double x = 0, y = 0;                                              // move: where to; drag: where the press is
    double to_x = 0, to_y = 0;                                        // drag: where the release is
    int dy = 0;                     // scroll: wheel steps, -100 to 100, not 0 (positive: down)
    std::vector<std::string> hold;  // drag: modifiers held, lower case: super, ctrl, alt, shift
};

void from_json(const nlohmann::json& j, Key& r);
void from_json(const nlohmann::json& j, Type& r);
void from_json(const nlohmann::json& j, Workspace& r);
void from_json(const nlohmann::json& j, Socket& r);
void from_json(const nlohmann::json& j, Spawn& r);
void from_json(const nlohmann::json& j, Stop& r);
void from_json(const nlohmann::json& j, Apps& r);
void from_json(const nlohmann::json& j, Audio& r);
void from_json(const nlohmann::json& j, Notify& r);

// The request line for a typed request, as the CLI sends it.
nlohmann::json request(const Key& r);
nlohmann::json request(const Type& r);
nlohmann::json request(const Workspace& r);
nlohmann::json request(const Socket& r);
nlohmann::json request(const Spawn& r);
nlohmann::json request(const Stop& r);
nlohmann::json request(const Apps& r);
nlohmann::json request(const Audio& r);
nlohmann::json request(const Notify& r);
nlohmann::json request(const Pointer& r);
// A command without fields: status, views, clipboard, quit.
nlohmann::json request(std::string_view cmd);

// A pointer request, or nothing with `error` naming the field that does not
// fit ("pointer: 'dy' must be -100 to 100, not 0").
std::optional<Pointer> parse_pointer(const nlohmann::json& j, std::string* error);
// "Super+Shift" → {"super", "shift"}: the names as a pointer request holds
// them (checked by parse_pointer, not here).
std::vector<std::string> modifier_names(std::string_view joined);

inline nlohmann::json ok()
{
    return {{"ok", true}};
}
inline nlohmann::json error(const std::string& message)
{
    return {{"ok", false}, {"error", message}};
}

}  // namespace ctop::control

namespace ctop {

// One request line → the request object, or nothing when it is not a JSON
// object with a string "cmd" (the caller replies with an error).
std::optional<nlohmann::json> parse_request(std::string_view line);

// Checks the fields a parsed request's command reads against that command's
// schema (name, JSON type, required or not): "" when they fit, else an error
// naming the field ("audio: field 'mute': expected true or false, got
// string"). Handlers then never meet a wrong type. Fields a command does not
// list are ignored (a newer CLI may send more); commands not listed
// ("pointer": parse_pointer, unknown ones) check their own.
std::string check_request_fields(const nlohmann::json& request);

}  // namespace ctop
