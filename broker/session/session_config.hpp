// SessionConfig: $XDG_CONFIG_HOME/ctopbroker/config.toml, read when the
// session starts. A missing file means the defaults; a bad one stops the
// session with the file, line and key.
//
//   [keyboard]
//   layout = "de"            # also model, variant, options (xkb rule names)
//   repeat_rate = 25
//   repeat_delay = 600
//   [keybindings]
//   next_workspace = "Super+n"   # action = combo; see README.md for the actions
//   autostart = ["work:firefox-esr", "chat:foot -e irssi", "office:--desktop"]
//   [output]
//   scale = 2                # HiDPI: 1 to 4, in steps of 0.25
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace ctop {

struct ServerOptions;
class Keybindings;

// One `autostart` entry, "CONTAINER:COMMAND ARGS..." (split at spaces, no
// quoting) or "CONTAINER:--desktop" (its policy's desktop).
struct AutostartEntry {
    std::string text;  // as written: messages name it
    std::string container;
    std::vector<std::string> argv;  // empty: the container's desktop
    bool desktop() const { return argv.empty(); }
    // The entry, or why it is not one ("expected CONTAINER:COMMAND ...").
    static AutostartEntry parse(const std::string& text);  // throws std::invalid_argument
};

struct SessionConfig {
    std::string xkb_model, xkb_layout, xkb_variant, xkb_options;
    int repeat_rate = 25, repeat_delay = 600;
    std::map<std::string, std::string> bindings;  // action name → combo
    double output_scale = 1.0;
    std::vector<AutostartEntry> autostart;  // started, in order per container, once the session runs
    std::filesystem::path file;             // where it was read from (messages name it)

    static SessionConfig load(const std::filesystem::path& file);  // throws std::runtime_error
    void apply(ServerOptions& options) const;
    void apply(Keybindings& keybindings) const;  // throws on an unknown action or combo
};

}  // namespace ctop
