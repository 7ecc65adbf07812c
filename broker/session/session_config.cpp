// Parsing the session configuration.
#include "session_config.hpp"

#include "keybindings.hpp"
#include "server.hpp"

#include "container.hpp"
#include "toml_file.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>

namespace ctop {
namespace {

constexpr size_t max_autostart_entries = 64;
constexpr size_t max_autostart_bytes = 1024;

}  // namespace

AutostartEntry AutostartEntry::parse(const std::string& text)
{
    auto refuse = [](const std::string& why) { throw std::invalid_argument(why); };
    if (text.size() > max_autostart_bytes) refuse("longer than " + std::to_string(max_autostart_bytes) + " bytes");
    if (std::any_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20; }))
        refuse("control characters (a newline, a tab) in an entry");
    size_t colon = text.find(':');
    if (colon == std::string::npos) refuse("expected CONTAINER:COMMAND, e.g. \"work:firefox-esr\"");
    AutostartEntry e{text, text.substr(0, colon), {}};
    if (!containers::Container::valid_name(e.container) || e.container == "host")
        refuse("'" + e.container.substr(0, 64) +
               "' is not a container name (1-31 of a-z, 0-9 and '-', not starting with '-'; not 'host')");
    std::istringstream words(text.substr(colon + 1));
    for (std::string w; words >> w;) e.argv.push_back(w);
    if (e.argv.empty()) refuse("no command after '" + e.container + ":' (or --desktop for its desktop)");
    if (e.argv[0] == "--desktop") {
        if (e.argv.size() > 1) refuse("--desktop takes nothing after it (the command is the policy's `desktop`)");
        e.argv.clear();
    }
    return e;
}

SessionConfig SessionConfig::load(const std::filesystem::path& file)
{
    SessionConfig c;
    c.file = file;
    if (!std::filesystem::exists(file)) return c;
    toml::table t = read_toml_file(file);
    // "FILE:LINE: KEY: why": one message that says where to look.
    auto bad = [&](const toml::node& n, const std::string& key, const std::string& why) {
        std::string where = file.string();
        if (n.source().begin.line) where += ":" + std::to_string(n.source().begin.line);
        return std::runtime_error(where + ": " + key + ": " + why);
    };
    for (auto&& [key, node] : t) {
        std::string k(key.str());
        if (k == "autostart") continue;
        if (k != "keyboard" && k != "keybindings" && k != "output")
            throw bad(node, k.substr(0, 64),
                      "unknown key or section (known: autostart, keyboard, keybindings, output)");
        if (!node.is_table()) throw bad(node, k, "expected a table: [" + k + "]");
    }
    if (const toml::node* n = t.get("autostart")) {
        const toml::array* list = n->as_array();
        if (!list) throw bad(*n, "autostart", "expected a list like [\"work:firefox-esr\", \"chat:foot\"]");
        if (list->size() > max_autostart_entries)
            throw bad(*n, "autostart", "more than " + std::to_string(max_autostart_entries) + " entries");
        for (const auto& el : *list) {
            auto v = el.value_exact<std::string>();
            if (!v) throw bad(el, "autostart", "expected strings like \"work:firefox-esr\"");
            try {
                c.autostart.push_back(AutostartEntry::parse(*v));
            } catch (const std::invalid_argument& e) {
                std::string shown = v->substr(0, 64);
                std::replace_if(
                    shown.begin(), shown.end(), [](char ch) { return static_cast<unsigned char>(ch) < 0x20; }, '?');
                throw bad(el, "autostart", "\"" + shown + "\": " + e.what());
            }
        }
    }
    if (const toml::table* kb = t["keyboard"].as_table()) {
        for (auto&& [key, node] : *kb) {
            std::string k(key.str());
            if (k == "repeat_rate" || k == "repeat_delay") {
                auto v = node.value_exact<int64_t>();  // value<>() converts floats, past range too
                if (!v || *v < 0 || *v > 10000) throw bad(node, "keyboard." + k, "expected a number from 0 to 10000");
                (k == "repeat_rate" ? c.repeat_rate : c.repeat_delay) = static_cast<int>(*v);
                continue;
            }
            if (k != "model" && k != "layout" && k != "variant" && k != "options")
                throw bad(node, "keyboard." + k.substr(0, 64),
                          "unknown key (model, layout, variant, options, repeat_rate, repeat_delay)");
            auto v = node.value_exact<std::string>();
            if (!v) throw bad(node, "keyboard." + k, "expected a string");
            if (v->size() > 200) throw bad(node, "keyboard." + k, "longer than 200 characters");
            (k == "model"     ? c.xkb_model
             : k == "layout"  ? c.xkb_layout
             : k == "variant" ? c.xkb_variant
                              : c.xkb_options) = *v;
        }
    }
    if (const toml::table* kb = t["keybindings"].as_table()) {
        for (auto&& [key, node] : *kb) {
            std::string k(key.str());
            auto v = node.value_exact<std::string>();
            if (!v) throw bad(node, "keybindings." + k.substr(0, 64), "expected a combo like \"Super+n\"");
            // Each binding checked on its own, so a typo stops the session with its line.
            SessionConfig one;
            one.bindings[k] = *v;
            Keybindings probe;
            try {
                one.apply(probe);
            } catch (const std::runtime_error& e) {
                std::string what = e.what(), prefix = "keybindings." + k + ": ";
                throw bad(node, "keybindings." + k.substr(0, 64),
                          what.rfind(prefix, 0) == 0 ? what.substr(prefix.size()) : what);
            }
            c.bindings[k] = *v;
        }
    }
    if (const toml::table* out = t["output"].as_table()) {
        for (auto&& [key, node] : *out) {
            std::string k(key.str());
            if (k != "scale") throw bad(node, "output." + k.substr(0, 64), "unknown key (scale)");
            auto v = node.value<double>();  // integers convert too
            // Quarter steps: logical and physical pixels stay on a common grid.
            if (!v || !(*v >= 1.0 && *v <= 4.0) || std::floor(*v * 4) != *v * 4)
                throw bad(node, "output.scale", "expected a number from 1 to 4 in steps of 0.25, e.g. 2 or 1.5");
            c.output_scale = *v;
        }
    }
    return c;
}

void SessionConfig::apply(ServerOptions& o) const
{
    o.xkb_model = xkb_model;
    o.xkb_layout = xkb_layout;
    o.xkb_variant = xkb_variant;
    o.xkb_options = xkb_options;
    o.repeat_rate = repeat_rate;
    o.output_scale = output_scale;
    o.repeat_delay = repeat_delay;
}

void SessionConfig::apply(Keybindings& keybindings) const
{
    for (const auto& [action, combo_text] : bindings) {
        const NamedAction* found = find_action(action);
        if (!found) throw std::runtime_error("keybindings." + action + ": unknown action");
        std::string error;
        auto combo = parse_combo(combo_text, &error);
        if (!combo) throw std::runtime_error("keybindings." + action + ": " + error);
        keybindings.unbind(found->action, found->arg);
        keybindings.bind(*combo, found->action, found->arg);
    }
}

}  // namespace ctop
