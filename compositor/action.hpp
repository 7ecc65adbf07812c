// Actions: what a keybinding does. Their names (the keys of config.toml's
// [keybindings], listed in README.md) and their dispatch live here together,
// as in labwc's action.c.
#pragma once

#include <string_view>

namespace ctop {

class Server;
struct Binding;

enum class Action {
    Workspace,  // arg: 1-based workspace slot
    NextWorkspace,
    PrevWorkspace,
    FocusNext,
    CloseView,
    ToggleMaximize,
    ClipboardExport,  // copy the focused container's clipboard into the broker
    ClipboardImport,  // offer the broker's buffer to the focused container
    SwitchVt,         // arg: VT number
    Launcher,         // the app launcher (the session runs fuzzel)
    Terminal,         // a terminal in the focused container, or on the host
    Quit,
};

struct NamedAction {
    std::string_view name;
    Action action;
    int arg;
};

// The names config.toml's [keybindings] uses (header-only: the config
// parser and its fuzz harness link no compositor).
inline constexpr NamedAction named_actions[] = {
    {"workspace_1", Action::Workspace, 1},
    {"workspace_2", Action::Workspace, 2},
    {"workspace_3", Action::Workspace, 3},
    {"workspace_4", Action::Workspace, 4},
    {"workspace_5", Action::Workspace, 5},
    {"workspace_6", Action::Workspace, 6},
    {"workspace_7", Action::Workspace, 7},
    {"workspace_8", Action::Workspace, 8},
    {"workspace_9", Action::Workspace, 9},
    {"next_workspace", Action::NextWorkspace, 0},
    {"prev_workspace", Action::PrevWorkspace, 0},
    {"focus_next", Action::FocusNext, 0},
    {"close", Action::CloseView, 0},
    {"maximize", Action::ToggleMaximize, 0},
    {"clipboard_export", Action::ClipboardExport, 0},
    {"clipboard_import", Action::ClipboardImport, 0},
    {"launcher", Action::Launcher, 0},
    {"terminal", Action::Terminal, 0},
    {"quit", Action::Quit, 0},
};

// The action config.toml calls `name` ("workspace_3", "close"), or nullptr.
inline const NamedAction* find_action(std::string_view name)
{
    for (const auto& a : named_actions)
        if (a.name == name) return &a;
    return nullptr;
}

void run_action(Server& server, const Binding& binding);

}  // namespace ctop
