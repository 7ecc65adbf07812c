// Dispatching an action (their names are in action.hpp).
#include "action.hpp"

#include "clipboard.hpp"
#include "keybindings.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "view.hpp"

namespace ctop {

void run_action(Server& server, const Binding& b)
{
    View* focused = server.seat().focused_view();
    switch (b.action) {
    case Action::Workspace:
        server.switch_to_slot(b.arg);
        break;
    case Action::NextWorkspace:
        server.cycle_workspace(+1);
        break;
    case Action::PrevWorkspace:
        server.cycle_workspace(-1);
        break;
    case Action::FocusNext:
        server.seat().focus_next_view();
        break;
    case Action::CloseView:
        if (focused) focused->close();
        break;
    case Action::ToggleMaximize:
        if (focused) focused->toggle_maximized();
        break;
    case Action::ClipboardExport:
        server.clipboard().export_focused();
        break;
    case Action::ClipboardImport:
        server.clipboard().import_focused();
        break;
    case Action::SwitchVt:
        server.switch_vt(b.arg);
        break;
    case Action::Launcher:
        if (server.on_launcher) server.on_launcher();
        break;
    case Action::Terminal:
        if (server.on_terminal) server.on_terminal();
        break;
    case Action::Quit:
        if (server.on_quit_requested) server.on_quit_requested();
        else server.terminate();
        break;
    }
}

}  // namespace ctop
