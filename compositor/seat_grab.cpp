// Interactive move and resize: by the compositor (label and border drags,
// Super+drag) and on a client's request from its own title bar, which is
// honoured only during a button press that client really received.
#include "seat.hpp"

#include "pointer_constraints.hpp"
#include "server.hpp"
#include "view.hpp"

#include <linux/input-event-codes.h>

#include <algorithm>
#include <cmath>

namespace ctop {

// Which edges of `view` the point is on: its border, outside the content.
// The title strip above the content is for moving, not resizing.
uint32_t Seat::border_edges(const View& view, double lx, double ly) const
{
    wlr_box box = view.content_box();
    if (ly < box.y) return 0;
    uint32_t edges = 0;
    if (lx < box.x) edges |= WLR_EDGE_LEFT;
    if (lx >= box.x + box.width) edges |= WLR_EDGE_RIGHT;
    if (ly >= box.y + box.height) edges |= WLR_EDGE_BOTTOM;
    return edges;
}

// A press the compositor keeps for itself: on our decoration (label: move,
// border: resize), or with Super held anywhere on a window (left: move,
// right: resize from the nearest corner). Returns true when it began a grab.
bool Seat::start_compositor_grab(View& view, uint32_t button, bool on_surface)
{
    wlr_keyboard* kb = wlr_seat_get_keyboard(seat_);
    bool super = kb && (wlr_keyboard_get_modifiers(kb) & WLR_MODIFIER_LOGO);
    if (super && button == BTN_LEFT) {
        begin_move(view);
        return true;
    }
    if (super && button == BTN_RIGHT) {
        wlr_box box = view.content_box();
        uint32_t edges = (cursor_->x < box.x + box.width / 2.0 ? WLR_EDGE_LEFT : WLR_EDGE_RIGHT) |
                         (cursor_->y < box.y + box.height / 2.0 ? WLR_EDGE_TOP : WLR_EDGE_BOTTOM);
        begin_resize(view, edges);
        return true;
    }
    if (on_surface || button != BTN_LEFT) return false;
    if (uint32_t edges = border_edges(view, cursor_->x, cursor_->y)) begin_resize(view, edges);
    else begin_move(view);
    return true;
}

bool Seat::client_may_grab(View& view, wlr_seat_client* client, std::optional<uint32_t> serial, const char* what) const
{
    // The client must hold the pointer over this very window with exactly
    // one button down, pressed in the event `serial` names (X11: any press
    // it received; a client that holds no press cannot start a grab).
    wlr_surface* focused = seat_->pointer_state.focused_surface;
    bool pressed = serial ? wlr_seat_validate_pointer_grab_serial(seat_, nullptr, *serial)
                          : seat_->pointer_state.button_count == 1 && delivered_buttons_.size() == 1;
    bool ok = grab_ == Grab::None && view.mapped() && &view.workspace() == &server_.current_workspace() && client &&
              client->seat == seat_ && seat_->pointer_state.focused_client == client && focused &&
              wlr_surface_get_root_surface(focused) == view.surface() && pressed;
    if (!ok)
        wlr_log(WLR_DEBUG, "%s request from a window of %s refused: no matching button press", what,
                is_host(view.container()) ? "the host" : view.container().c_str());
    return ok;
}

void Seat::request_move(View& view, wlr_seat_client* client, std::optional<uint32_t> serial)
{
    if (!client_may_grab(view, client, serial, "move")) return;
    begin_move(view);
    from_press();
}

void Seat::request_resize(View& view, wlr_seat_client* client, std::optional<uint32_t> serial, uint32_t edges)
{
    const uint32_t all = WLR_EDGE_TOP | WLR_EDGE_BOTTOM | WLR_EDGE_LEFT | WLR_EDGE_RIGHT;
    if (edges == 0 || (edges & ~all)) return;  // xdg-shell's resize_edge values map onto these bits
    if (!client_may_grab(view, client, serial, "resize")) return;
    begin_resize(view, edges);
    from_press();
}

// A client's request comes a round trip after its press (longer through
// X11), and the pointer may have moved on: the drag counts from where the
// button went down, so the window catches up with the pointer at once.
void Seat::from_press()
{
    grab_cx_ = press_x_;
    grab_cy_ = press_y_;
    update_grab();
}

void Seat::begin_move(View& view)
{
    grab_ = Grab::Move;
    grabbed_ = &view;
    grab_cx_ = cursor_->x;
    grab_cy_ = cursor_->y;
    grab_box_ = view.content_box();
    settling_ = nullptr;  // a move ends waiting for an earlier resize: the user placed it anew
    grab_commit_.disconnect();
    constraints_->suspended_ = true;
    constraints_->release();
    wlr_seat_pointer_notify_clear_focus(seat_);  // the window's client sees no motion while it moves
    set_cursor_image("grabbing");
}

void Seat::begin_resize(View& view, uint32_t edges)
{
    grab_ = Grab::Resize;
    grabbed_ = &view;
    grab_cx_ = cursor_->x;
    grab_cy_ = cursor_->y;
    grab_box_ = view.content_box();
    grab_edges_ = edges;
    grab_width_ = grab_box_.width;
    grab_height_ = grab_box_.height;
    settling_ = nullptr;
    constraints_->suspended_ = true;
    constraints_->release();
    wlr_seat_pointer_notify_clear_focus(seat_);
    set_cursor_image(wlr_xcursor_get_resize_name(static_cast<wlr_edges>(edges)));
    // Dragging a left or top edge keeps the opposite edge still: the window
    // moves once the client has drawn its new size.
    grab_commit_.connect(&view.surface()->events.commit, [this](void*) {
        if (grab_ == Grab::Resize && grabbed_) keep_opposite_edges(*grabbed_);
    });
}

// The edges opposite the dragged ones stay where they were when the drag
// began, whatever size the client drew.
void Seat::keep_opposite_edges(View& view)
{
    wlr_box now = view.content_box();
    int x = grab_edges_ & WLR_EDGE_LEFT ? grab_box_.x + grab_box_.width - now.width : now.x;
    int y = grab_edges_ & WLR_EDGE_TOP ? grab_box_.y + grab_box_.height - now.height : now.y;
    if (x != now.x || y != now.y) view.move_to(x, y);
}

// The button is up, but the client has not drawn the size the drag asked
// for (a slow client, or one that never resizes): the window goes now where
// that size puts its dragged edges, under the pointer where the user let go,
// rather than waiting for a frame that may never come. When the client does
// draw a new size, its opposite edges are put back where they were.
void Seat::settle_resize()
{
    View& view = *grabbed_;
    wlr_box now = view.content_box();
    grab_commit_.disconnect();
    if (now.width == grab_width_ && now.height == grab_height_) return;
    int x = grab_edges_ & WLR_EDGE_LEFT ? grab_box_.x + grab_box_.width - grab_width_ : now.x;
    int y = grab_edges_ & WLR_EDGE_TOP ? grab_box_.y + grab_box_.height - grab_height_ : now.y;
    view.move_to(x, y);
    settling_ = &view;
    grab_commit_.connect(&view.surface()->events.commit, [this, now](void*) {
        wlr_box drawn = settling_->content_box();
        if (drawn.width == now.width && drawn.height == now.height) return;  // not the new size yet
        keep_opposite_edges(*settling_);
        settling_ = nullptr;
        grab_commit_.disconnect();
    });
}

void Seat::update_grab()
{
    if (!grabbed_) return;
    int dx = static_cast<int>(std::lround(cursor_->x - grab_cx_));
    int dy = static_cast<int>(std::lround(cursor_->y - grab_cy_));
    if (grab_ == Grab::Move) {
        grabbed_->move_to(grab_box_.x + dx, grab_box_.y + dy);
        return;
    }
    int width = grab_box_.width, height = grab_box_.height;
    if (grab_edges_ & WLR_EDGE_LEFT) width -= dx;
    if (grab_edges_ & WLR_EDGE_RIGHT) width += dx;
    if (grab_edges_ & WLR_EDGE_TOP) height -= dy;
    if (grab_edges_ & WLR_EDGE_BOTTOM) height += dy;
    View::SizeLimits limits = grabbed_->size_limits();
    auto clamp = [](int v, int lo, int hi) { return std::max(std::max(lo, 1), hi > 0 ? std::min(v, hi) : v); };
    width = clamp(width, limits.min_width, limits.max_width);
    height = clamp(height, limits.min_height, limits.max_height);
    grab_width_ = width;
    grab_height_ = height;
    grabbed_->request_content_size(width, height);
}

void Seat::end_grab()
{
    if (grab_ == Grab::Resize && grabbed_) settle_resize();
    else grab_commit_.disconnect();
    grab_ = Grab::None;
    grabbed_ = nullptr;
    constraints_->suspended_ = false;
    refresh_pointer();  // the pointer enters whatever is under it now
}

void Seat::forget_view(View& view)
{
    if (settling_ == &view) {
        settling_ = nullptr;
        grab_commit_.disconnect();
    }
    if (grabbed_ != &view) return;
    grab_ = Grab::None;
    grabbed_ = nullptr;
    grab_commit_.disconnect();
    constraints_->suspended_ = false;
}

}  // namespace ctop
