// Keyboard focus (sway's seat_set_focus is the model): the stack of mapped
// views, the one that has the keyboard, a layer surface that takes it over
// (a launcher), and the popup grabs that would otherwise hold it.
#include "seat.hpp"

#include "clipboard.hpp"
#include "idle.hpp"
#include "layer_shell.hpp"
#include "server.hpp"
#include "view.hpp"
#include "workspace.hpp"

#include <cstring>

namespace ctop {
namespace {

bool is_x11(const View* view)
{
    return view && std::strcmp(view->kind(), "x11") == 0;
}

}  // namespace

void Seat::watch_popup_grabs()
{
    keyboard_grab_begin_.connect(&seat_->events.keyboard_grab_begin, [this](void*) {
        // Checked once wlroots has finished setting the grab up.
        grab_check_.schedule(server_.loop(), [this] { check_popup_grab(); });
    });
}

void Seat::view_mapped(View& view)
{
    focus_stack_.push_back(&view);
    // A new window takes focus only inside the current workspace: a container
    // cannot pull the user away from what they are typing into.
    if (&view.workspace() == &server_.current_workspace()) set_focus(&view);
    schedule_pointer_refresh();  // mapped under a still pointer
    server_.idle().update();
}

void Seat::view_unmapped(View& view)
{
    bool had_focus = focused_ == &view;
    focus_stack_.remove(&view);
    if (had_focus) {
        // Tell the window it lost focus: an X window left active would keep
        // its X server believing it may read and set selections.
        view.set_activated(false);
        focused_ = nullptr;
        focus_top_of(server_.current_workspace());
    }
    refresh_pointer();
    server_.idle().update();
}

void Seat::view_minimized(View& view)
{
    if (focused_ != &view) return;
    focus_top_of(server_.current_workspace(), &view);
    refresh_pointer();
}

void Seat::focus_top_of(const Workspace& ws, const View* except)
{
    // The workspace's most recently focused view, or nothing.
    View* next = nullptr;
    for (View* v : focus_stack_)
        if (&v->workspace() == &ws && v != except && !v->minimized()) {
            next = v;
            break;
        }
    set_focus(next);
}

void Seat::set_focus(View* view)
{
    if (view && &view->workspace() != &server_.current_workspace()) return;  // never focus an invisible view
    // A window chosen: a layer surface that had the keyboard on demand gives it back.
    if (view && server_.layer_shell().release_on_demand()) update_keyboard_focus();
    // Before the keyboard enters the new client: it must be offered its own
    // container's clipboard, never the previous one's.
    if (!layer_keyboard_)
        server_.clipboard().focus_container(view ? view->container() : server_.current_workspace().name(),
                                            is_x11(view));
    if (view && view->minimized()) view->set_minimized(false);  // focusing brings it back
    if (focused_ == view) return;
    end_popup_grab();
    if (focused_) focused_->set_activated(false);
    focused_ = view;
    if (!view) {
        if (!layer_keyboard_) focus_surface(nullptr);
        return;
    }
    focus_stack_.remove(view);
    focus_stack_.push_front(view);
    view->raise();
    view->set_activated(true);
    // A layer surface holding the keyboard keeps it (a launcher open over a
    // workspace switch); the window gets it when the launcher goes.
    if (!layer_keyboard_) focus_surface(view->surface());
}

void Seat::update_keyboard_focus()
{
    wlr_surface* layer = server_.layer_shell().keyboard_surface();
    if (layer == layer_keyboard_) return;
    layer_keyboard_ = layer;
    if (layer) {
        // A menu's grab would swallow the keyboard's move (and keep the menu
        // open under the launcher).
        if (wlr_xdg_popup_grab* grab = active_popup_grab();
            grab && grab->client != wl_resource_get_client(layer->resource))
            end_popup_grab();
        // Layer surfaces are host clients: they see the host's clipboard,
        // never the focused container's.
        server_.clipboard().focus_container(host_identity);
        focus_surface(layer);
        return;
    }
    server_.clipboard().focus_container(focused_container(), is_x11(focused_));
    focus_surface(focused_ ? focused_->surface() : nullptr);
}

std::string Seat::focused_container() const
{
    if (focused_) return focused_->container();
    return server_.current_workspace().name();
}

void Seat::focus_next_view()
{
    // The least recently focused view of this workspace comes next.
    for (auto it = focus_stack_.rbegin(); it != focus_stack_.rend(); ++it)
        if (&(*it)->workspace() == &server_.current_workspace() && *it != focused_) {
            set_focus(*it);
            return;
        }
}

// --- popup grabs --------------------------------------------------------------

wlr_xdg_popup_grab* Seat::active_popup_grab() const
{
    wlr_xdg_popup_grab* grab;
    wl_list_for_each(grab, &server_.xdg_shell()->popup_grabs, link)
        if (grab->seat == seat_ &&
            (seat_->keyboard_state.grab == &grab->keyboard_grab || seat_->pointer_state.grab == &grab->pointer_grab))
            return grab;
    return nullptr;
}

void Seat::end_popup_grab()
{
    // wlroots' popup grab swallows keyboard enter/leave: focus cannot move
    // while it lasts. Cancelling it dismisses the popups (popup_done).
    wlr_xdg_popup_grab* grab = active_popup_grab();
    if (!grab) return;
    if (seat_->keyboard_state.grab == &grab->keyboard_grab) wlr_seat_keyboard_end_grab(seat_);
    if (seat_->pointer_state.grab == &grab->pointer_grab) wlr_seat_pointer_end_grab(seat_);
}

void Seat::check_popup_grab()
{
    // wlroots 0.15 does not check the serial of xdg_popup.grab: any client,
    // in any workspace, could take the keyboard and pointer with a menu.
    // Only the client that has the keyboard focus may.
    wlr_xdg_popup_grab* grab = active_popup_grab();
    if (!grab) return;
    wlr_seat_client* focused = seat_->keyboard_state.focused_client;
    if (focused && focused->client == grab->client) return;
    // A panel's menu: the popups of layer surfaces (host clients only) may
    // grab though their panel never takes the keyboard.
    wlr_xdg_popup* first =
        wl_list_empty(&grab->popups) ? nullptr : wl_container_of(grab->popups.next, first, grab_link);
    if (first && server_.layer_shell().owns(first->base->surface)) return;
    const std::string& container = server_.policy().container_of(grab->client);
    wlr_log(WLR_INFO, "popup grab refused: %s does not have the keyboard focus",
            is_host(container) ? "a host client" : ("container " + container).c_str());
    end_popup_grab();
}

}  // namespace ctop
