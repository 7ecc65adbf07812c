// The control protocol's requests: their schema and their typed form.
#include "control_protocol.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace ctop {

std::optional<nlohmann::json> parse_request(std::string_view line)
{
    nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded() || !request.is_object()) return std::nullopt;
    auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) return std::nullopt;
    return request;
}

namespace {

enum class FieldType { String, Bool, Number, Integer, Strings };

struct Field {
    const char* name;
    FieldType type;
    bool required;
};

struct CommandSchema {
    const char* cmd;
    std::vector<Field> fields;
};

// Every field a command's handler in broker/session/session.cpp reads.
const std::vector<CommandSchema>& request_schema()
{
    using T = FieldType;
    static const std::vector<CommandSchema> commands = {
        {"status", {}},
        {"views", {}},
        {"key", {{"combo", T::String, true}}},
        {"type", {{"text", T::String, true}}},
        {"workspace", {{"slot", T::Integer, false}, {"name", T::String, false}}},
        {"socket", {{"name", T::String, true}}},
        {"spawn",
         {{"name", T::String, true},
          {"lxcpath", T::String, false},
          {"argv", T::Strings, false},
          {"env", T::Strings, false},
          {"desktop", T::Bool, false}}},
        {"stop", {{"name", T::String, true}, {"lxcpath", T::String, false}}},
        {"clipboard", {}},
        {"apps", {{"name", T::String, false}}},
        {"audio",
         {{"name", T::String, true}, {"mute", T::Bool, false}, {"volume", T::Number, false}, {"mic", T::Bool, false}}},
        {"notify", {{"message", T::String, true}}},
        {"quit", {}},
    };
    return commands;
}

const char* describe(FieldType t)
{
    switch (t) {
    case FieldType::String:
        return "a string";
    case FieldType::Bool:
        return "true or false";
    case FieldType::Number:
        return "a number";
    case FieldType::Integer:
        return "a whole number";
    case FieldType::Strings:
        return "a list of strings";
    }
    return "?";
}

bool fits(const nlohmann::json& v, FieldType t)
{
    switch (t) {
    case FieldType::String:
        return v.is_string();
    case FieldType::Bool:
        return v.is_boolean();
    case FieldType::Number:
        return v.is_number();
    case FieldType::Integer:  // handlers read an int
        return v.is_number_integer() && v.get<std::int64_t>() >= INT32_MIN && v.get<std::int64_t>() <= INT32_MAX &&
               !(v.is_number_unsigned() && v.get<std::uint64_t>() > INT32_MAX);
    case FieldType::Strings:
        return v.is_array() && std::all_of(v.begin(), v.end(), [](const nlohmann::json& e) { return e.is_string(); });
    }
    return false;
}

}  // namespace

std::string check_request_fields(const nlohmann::json& request)
{
    if (!request.is_object()) return "malformed request: expected a JSON object";
    auto cmd = request.find("cmd");
    if (cmd == request.end() || !cmd->is_string()) return "field 'cmd': expected a string (the command name)";
    for (const CommandSchema& c : request_schema()) {
        if (*cmd != c.cmd) continue;
        for (const Field& f : c.fields) {
            auto v = request.find(f.name);
            if (v == request.end()) {
                if (f.required) return std::string(c.cmd) + ": field '" + f.name + "' is missing";
                continue;
            }
            if (!fits(*v, f.type))
                return std::string(c.cmd) + ": field '" + f.name + "': expected " + describe(f.type) + ", got " +
                       v->type_name();
        }
        return "";
    }
    return "";
}

}  // namespace ctop

namespace ctop::control {
namespace {

template <typename T> std::optional<T> optional_field(const nlohmann::json& j, const char* name)
{
    auto it = j.find(name);
    if (it == j.end() || it->is_null()) return std::nullopt;
    return it->get<T>();
}

}  // namespace

void from_json(const nlohmann::json& j, Key& r)
{
    r.combo = j.value("combo", "");
}
void from_json(const nlohmann::json& j, Type& r)
{
    r.text = j.value("text", "");
}

void from_json(const nlohmann::json& j, Workspace& r)
{
    r.slot = optional_field<int>(j, "slot");
    r.name = j.value("name", "");
}

void from_json(const nlohmann::json& j, Socket& r)
{
    r.name = j.value("name", "");
}

void from_json(const nlohmann::json& j, Spawn& r)
{
    r.name = j.value("name", "");
    r.lxcpath = j.value("lxcpath", "");
    r.argv = j.value("argv", std::vector<std::string>{});
    r.env = j.value("env", std::vector<std::string>{});
    r.desktop = j.value("desktop", false);
}

void from_json(const nlohmann::json& j, Stop& r)
{
    r.name = j.value("name", "");
    r.lxcpath = j.value("lxcpath", "");
}

void from_json(const nlohmann::json& j, Apps& r)
{
    r.name = j.value("name", "");
}

void from_json(const nlohmann::json& j, Audio& r)
{
    r.name = j.value("name", "");
    r.mute = optional_field<bool>(j, "mute");
    r.volume = optional_field<double>(j, "volume");
    r.mic = optional_field<bool>(j, "mic");
}

void from_json(const nlohmann::json& j, Notify& r)
{
    r.message = j.value("message", "");
}

nlohmann::json request(std::string_view cmd)
{
    return {{"cmd", cmd}};
}
nlohmann::json request(const Key& r)
{
    return {{"cmd", "key"}, {"combo", r.combo}};
}
nlohmann::json request(const Type& r)
{
    return {{"cmd", "type"}, {"text", r.text}};
}

nlohmann::json request(const Workspace& r)
{
    if (r.slot) return {{"cmd", "workspace"}, {"slot", *r.slot}};
    return {{"cmd", "workspace"}, {"name", r.name}};
}

nlohmann::json request(const Socket& r)
{
    return {{"cmd", "socket"}, {"name", r.name}};
}

nlohmann::json request(const Spawn& r)
{
    nlohmann::json j = {{"cmd", "spawn"}, {"name", r.name}};
    // A desktop's command is the policy's, never the request's.
    if (r.desktop) j["desktop"] = true;
    else j["argv"] = r.argv;
    if (!r.lxcpath.empty()) j["lxcpath"] = r.lxcpath;
    if (!r.env.empty()) j["env"] = r.env;
    return j;
}

nlohmann::json request(const Stop& r)
{
    nlohmann::json j = {{"cmd", "stop"}, {"name", r.name}};
    if (!r.lxcpath.empty()) j["lxcpath"] = r.lxcpath;
    return j;
}

nlohmann::json request(const Apps& r)
{
    nlohmann::json j = {{"cmd", "apps"}};
    if (!r.name.empty()) j["name"] = r.name;
    return j;
}

nlohmann::json request(const Audio& r)
{
    nlohmann::json j = {{"cmd", "audio"}, {"name", r.name}};
    if (r.mute) j["mute"] = *r.mute;
    if (r.volume) j["volume"] = *r.volume;
    if (r.mic) j["mic"] = *r.mic;
    return j;
}

nlohmann::json request(const Notify& r)
{
    return {{"cmd", "notify"}, {"message", r.message}};
}

namespace {

const char* const action_names[] = {"move", "click", "scroll", "drag"};
const char* const button_names[] = {"left", "right", "middle"};
const char* const modifiers[] = {"super", "ctrl", "alt", "shift"};

// The index of `name` in `names`, or -1.
template <size_t N> int index_of(const char* const (&names)[N], std::string_view name)
{
    for (size_t i = 0; i < N; ++i)
        if (name == names[i]) return static_cast<int>(i);
    return -1;
}

// A number field of a pointer request, or a message naming it.
std::string number_field(const nlohmann::json& j, const char* name, double* out)
{
    auto it = j.find(name);
    if (it == j.end()) return std::string("pointer: missing '") + name + "'";
    if (!it->is_number()) return std::string("pointer: '") + name + "' must be a number";
    *out = it->get<double>();
    return {};
}

std::string button_field(const nlohmann::json& j, Pointer::Button* out)
{
    auto it = j.find("button");
    if (it == j.end()) return {};
    int i = it->is_string() ? index_of(button_names, it->get_ref<const std::string&>()) : -1;
    if (i < 0) return "pointer: 'button' must be left, right or middle";
    *out = static_cast<Pointer::Button>(i);
    return {};
}

std::string hold_field(const nlohmann::json& j, std::vector<std::string>* out)
{
    auto it = j.find("hold");
    if (it == j.end()) return {};
    const char* bad = "pointer: 'hold' must be modifiers joined by '+' (Super, Ctrl, Alt, Shift)";
    if (!it->is_string() || it->get_ref<const std::string&>().size() > 64) return bad;
    *out = modifier_names(it->get_ref<const std::string&>());
    for (const std::string& name : *out)
        if (index_of(modifiers, name) < 0) return bad;
    return {};
}

std::string scroll_field(const nlohmann::json& j, int* out)
{
    auto it = j.find("dy");
    if (it == j.end() || !it->is_number_integer()) return "pointer: 'dy' must be a whole number of wheel steps";
    long long dy = it->is_number_unsigned() && it->get<std::uint64_t>() > 100 ? 101 : it->get<long long>();
    if (dy < -100 || dy > 100 || dy == 0) return "pointer: 'dy' must be -100 to 100, not 0";
    *out = static_cast<int>(dy);
    return {};
}

// The fields of `r.action`; "" when they fit.
std::string action_fields(const nlohmann::json& j, Pointer& r)
{
    using A = Pointer::Action;
    if (r.action == A::move) {
        std::string err = number_field(j, "x", &r.x);
        return err.empty() ? number_field(j, "y", &r.y) : err;
    }
    if (std::string err = button_field(j, &r.button); !err.empty()) return err;
    if (r.action == A::click) return {};
    if (r.action == A::scroll) return scroll_field(j, &r.dy);
    double* coords[4] = {&r.x, &r.y, &r.to_x, &r.to_y};
    const char* names[4] = {"x1", "y1", "x2", "y2"};
    for (int i = 0; i < 4; ++i)
        if (std::string err = number_field(j, names[i], coords[i]); !err.empty()) return err;
    return hold_field(j, &r.hold);
}

}  // namespace

std::vector<std::string> modifier_names(std::string_view joined)
{
    std::vector<std::string> names;
    for (size_t start = 0; start <= joined.size();) {
        size_t plus = std::min(joined.find('+', start), joined.size());
        std::string name(joined.substr(start, plus - start));
        std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
        names.push_back(std::move(name));
        start = plus + 1;
    }
    return names;
}

std::optional<Pointer> parse_pointer(const nlohmann::json& j, std::string* error)
{
    auto action = j.find("action");
    int a =
        action != j.end() && action->is_string() ? index_of(action_names, action->get_ref<const std::string&>()) : -1;
    Pointer r;
    std::string err = "pointer: 'action' must be one of move, click, scroll, drag";
    if (a >= 0) {
        r.action = static_cast<Pointer::Action>(a);
        err = action_fields(j, r);
    }
    if (err.empty()) return r;
    if (error) *error = err;
    return std::nullopt;
}

nlohmann::json request(const Pointer& r)
{
    nlohmann::json j = {{"cmd", "pointer"}, {"action", action_names[static_cast<int>(r.action)]}};
    const char* button = button_names[static_cast<int>(r.button)];
    switch (r.action) {
    case Pointer::Action::move:
        j.update({{"x", r.x}, {"y", r.y}});
        break;
    case Pointer::Action::click:
        j["button"] = button;
        break;
    case Pointer::Action::scroll:
        j["dy"] = r.dy;
        break;
    case Pointer::Action::drag: {
        j.update({{"x1", r.x}, {"y1", r.y}, {"x2", r.to_x}, {"y2", r.to_y}, {"button", button}});
        std::string hold;
        for (const std::string& name : r.hold) hold += (hold.empty() ? "" : "+") + name;
        if (!hold.empty()) j["hold"] = hold;
        break;
    }
    }
    return j;
}

}  // namespace ctop::control
