// Input routing: keyboards (bindings first), the cursor, touch and the test
// keyboard. Focus is in seat_focus.cpp, move and resize in seat_grab.cpp.
#include "seat.hpp"

#include "clock.hpp"
#include "drag.hpp"
#include "idle.hpp"
#include "keybindings.hpp"
#include "layer_shell.hpp"
#include "pointer_constraints.hpp"
#include "server.hpp"
#include "text.hpp"
#include "view.hpp"

#include <linux/input-event-codes.h>

#include <algorithm>
#include <cstdlib>
#include <cstdio>
#include <set>
#include <vector>

namespace ctop {
namespace {

// XCURSOR_THEME and XCURSOR_SIZE as every toolkit reads them; the
// system's default theme (Adwaita on Debian) at 24 px otherwise.
wlr_xcursor_manager* create_xcursor_manager()
{
    const char* theme = std::getenv("XCURSOR_THEME");
    const char* size_env = std::getenv("XCURSOR_SIZE");
    int size = size_env ? std::atoi(size_env) : 0;
    if (size < 8 || size > 256) size = 24;
    return wlr_xcursor_manager_create(theme && *theme ? theme : nullptr, size);
}

}  // namespace

class Seat::Keyboard {
public:
    Keyboard(Seat& seat, wlr_input_device* device) : seat_(seat), device_(device)
    {
        xkb_context* ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
        // From config.toml; what it leaves empty comes from XKB_DEFAULT_*.
        const ServerOptions& o = seat.server_.options();
        auto name = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
        xkb_rule_names names{nullptr, name(o.xkb_model), name(o.xkb_layout), name(o.xkb_variant), name(o.xkb_options)};
        xkb_keymap* keymap = xkb_keymap_new_from_names(ctx, &names, XKB_KEYMAP_COMPILE_NO_FLAGS);
        if (!keymap) {
            wlr_log(WLR_ERROR,
                    "invalid keymap settings (config.toml [keyboard] or XKB_DEFAULT_*); using the us layout");
            xkb_rule_names us{nullptr, nullptr, "us", nullptr, nullptr};
            keymap = xkb_keymap_new_from_names(ctx, &us, XKB_KEYMAP_COMPILE_NO_FLAGS);
        }
        wlr_keyboard_set_keymap(device->keyboard, keymap);
        xkb_keymap_unref(keymap);
        xkb_context_unref(ctx);
        wlr_keyboard_set_repeat_info(device->keyboard, o.repeat_rate, o.repeat_delay);

        key_.connect(&device->keyboard->events.key,
                     [this](void* data) { seat_.on_key(*this, static_cast<wlr_event_keyboard_key*>(data)); });
        modifiers_.connect(&device->keyboard->events.modifiers, [this](void*) { on_modifiers(); });
        destroy_.connect(&device->events.destroy, [this](void*) {
            seat_.keyboards_.remove_if([this](const auto& kb) { return kb.get() == this; });
        });
    }
    wlr_input_device* device() const { return device_; }
    wlr_keyboard* wlr() const { return device_->keyboard; }
    // Keys whose press ran a binding: their release is swallowed too.
    std::set<uint32_t> consumed;

private:
    void on_modifiers()
    {
        wlr_seat_set_keyboard(seat_.seat_, device_);
        wlr_seat_keyboard_notify_modifiers(seat_.seat_, &device_->keyboard->modifiers);
    }

    Seat& seat_;
    wlr_input_device* device_;
    Listener key_, modifiers_, destroy_;
};

Seat::Seat(Server& server)
    : server_(server), seat_(wlr_seat_create(server.display(), "seat0")), cursor_(wlr_cursor_create()),
      xcursors_(create_xcursor_manager())
{
    wlr_cursor_attach_output_layout(cursor_, server.layout());
    wlr_xcursor_manager_load(xcursors_, 1);
    set_cursor_image("left_ptr");

    constraints_ = std::make_unique<PointerConstraints>(server.display(), seat_);
    drag_ = std::make_unique<DragAndDrop>(server, seat_);
    drag_->on_end = [this] { schedule_pointer_refresh(); };
    request_logger_ = wl_display_add_protocol_logger(server.display(), &Seat::on_request, this);
    motion_.connect(&cursor_->events.motion,
                    [this](void* data) { on_relative_motion(static_cast<wlr_event_pointer_motion*>(data)); });
    motion_absolute_.connect(&cursor_->events.motion_absolute, [this](void* data) {
        on_absolute_motion(static_cast<wlr_event_pointer_motion_absolute*>(data));
    });
    button_.connect(&cursor_->events.button,
                    [this](void* data) { on_button(static_cast<wlr_event_pointer_button*>(data)); });
    axis_.connect(&cursor_->events.axis, [this](void* data) { on_axis(static_cast<wlr_event_pointer_axis*>(data)); });
    frame_.connect(&cursor_->events.frame, [this](void*) { wlr_seat_pointer_notify_frame(seat_); });
    touch_down_.connect(&cursor_->events.touch_down,
                        [this](void* data) { on_touch_down(static_cast<wlr_event_touch_down*>(data)); });
    touch_motion_.connect(&cursor_->events.touch_motion,
                          [this](void* data) { on_touch_motion(static_cast<wlr_event_touch_motion*>(data)); });
    touch_up_.connect(&cursor_->events.touch_up,
                      [this](void* data) { on_touch_up(static_cast<wlr_event_touch_up*>(data)); });
    touch_frame_.connect(&cursor_->events.touch_frame, [this](void*) { wlr_seat_touch_notify_frame(seat_); });
    request_cursor_.connect(&seat_->events.request_set_cursor, [this](void* data) {
        on_request_cursor(static_cast<wlr_seat_pointer_request_set_cursor_event*>(data));
    });
    watch_popup_grabs();
}

Seat::~Seat()
{
    wl_protocol_logger_destroy(request_logger_);
    if (refresh_idle_) wl_event_source_remove(refresh_idle_);
    drag_.reset();
    constraints_.reset();
    keyboards_.clear();
    // The listeners live in the cursor's and the seat's signal lists: off
    // them before the cursor is freed (members are destroyed after this body).
    for (Listener* l : {&motion_, &motion_absolute_, &button_, &axis_, &frame_, &request_cursor_, &grab_commit_,
                        &touch_down_, &touch_motion_, &touch_up_, &touch_frame_, &keyboard_grab_begin_})
        l->disconnect();
    wlr_xcursor_manager_destroy(xcursors_);
    wlr_cursor_destroy(cursor_);
}

void Seat::add_input(wlr_input_device* device)
{
    switch (device->type) {
    case WLR_INPUT_DEVICE_KEYBOARD:
        keyboards_.push_back(std::make_unique<Keyboard>(*this, device));
        wlr_seat_set_keyboard(seat_, device);
        break;
    case WLR_INPUT_DEVICE_POINTER:
        wlr_cursor_attach_input_device(cursor_, device);
        has_pointer_ = true;
        break;
    case WLR_INPUT_DEVICE_TOUCH:
        wlr_cursor_attach_input_device(cursor_, device);
        has_touch_ = true;
        break;
    default:
        break;
    }
    update_capabilities();
}

void Seat::update_capabilities()
{
    uint32_t caps = WL_SEAT_CAPABILITY_POINTER;  // always: the nested/headless cursor exists too
    if (!keyboards_.empty()) caps |= WL_SEAT_CAPABILITY_KEYBOARD;
    if (has_touch_) caps |= WL_SEAT_CAPABILITY_TOUCH;
    wlr_seat_set_capabilities(seat_, caps);
}

// --- touch: a finger goes to the surface it lands on, like a click ------------

void Seat::on_touch_down(wlr_event_touch_down* ev)
{
    double lx, ly, sx, sy;
    wlr_cursor_absolute_to_layout_coords(cursor_, ev->device, ev->x, ev->y, &lx, &ly);
    wlr_surface* surface = nullptr;
    View* view = server_.view_at(lx, ly, &surface, &sx, &sy);
    server_.idle().activity();
    if (view) set_focus(view);
    if (!surface) return;  // our decoration or the background: no client sees this finger
    int32_t id = ev->touch_id;
    auto point = std::make_unique<TouchPoint>();
    point->origin_x = lx - sx;
    point->origin_y = ly - sy;
    // A finger on a surface that goes away is lifted for its client: it
    // would otherwise wait for an up that never comes (wlroots only forgets
    // the surface).
    point->surface_destroy.connect(&surface->events.destroy, [this, id](void*) {
        wlr_seat_touch_notify_up(seat_, now_msec(), id);
        wlr_seat_touch_notify_frame(seat_);
        touch_points_.erase(id);  // destroys this listener: nothing after it
    });
    touch_points_[id] = std::move(point);
    wlr_seat_touch_notify_down(seat_, surface, ev->time_msec, id, sx, sy);
}

void Seat::on_touch_motion(wlr_event_touch_motion* ev)
{
    auto it = touch_points_.find(ev->touch_id);
    if (it == touch_points_.end()) return;  // went down outside any client surface
    double lx, ly;
    wlr_cursor_absolute_to_layout_coords(cursor_, ev->device, ev->x, ev->y, &lx, &ly);
    // Relative to the surface it went down on, wherever the finger goes.
    wlr_seat_touch_notify_motion(seat_, ev->time_msec, ev->touch_id, lx - it->second->origin_x,
                                 ly - it->second->origin_y);
}

void Seat::on_touch_up(wlr_event_touch_up* ev)
{
    if (!touch_points_.erase(ev->touch_id)) return;
    wlr_seat_touch_notify_up(seat_, ev->time_msec, ev->touch_id);
}

void Seat::on_key(Keyboard& kb, wlr_event_keyboard_key* event)
{
    server_.idle().activity();
    uint32_t keycode = event->keycode + 8;  // evdev → xkb
    if (event->state == WL_KEYBOARD_KEY_STATE_PRESSED) {
        if (run_binding(kb, keycode)) {
            kb.consumed.insert(keycode);
            return;
        }
    } else if (kb.consumed.erase(keycode)) {
        return;  // the press ran a binding; no client saw it, none sees the release
    }
    wlr_seat_set_keyboard(seat_, kb.device());
    wlr_seat_keyboard_notify_key(seat_, event->time_msec, event->keycode, event->state);
}

bool Seat::run_binding(Keyboard& kb, uint32_t keycode)
{
    xkb_keymap* keymap = kb.wlr()->keymap;
    xkb_layout_index_t layout = xkb_state_key_get_layout(kb.wlr()->xkb_state, keycode);
    const xkb_keysym_t* syms = nullptr;
    // Level 0: Super+Shift+c is matched as 'c' with Shift, not as 'C'.
    int n = xkb_keymap_key_get_syms_by_level(keymap, keycode, layout, 0, &syms);
    const Binding* b = server_.keybindings().match(wlr_keyboard_get_modifiers(kb.wlr()), syms, n);
    if (!b) return false;
    run_action(server_, *b);
    return true;
}

void Seat::focus_surface(wlr_surface* surface)
{
    if (!surface) {
        wlr_seat_keyboard_notify_clear_focus(seat_);
        constraints_->update();
        return;
    }
    wlr_keyboard* kb = wlr_seat_get_keyboard(seat_);
    if (kb) wlr_seat_keyboard_notify_enter(seat_, surface, kb->keycodes, kb->num_keycodes, &kb->modifiers);
    else wlr_seat_keyboard_notify_enter(seat_, surface, nullptr, 0, nullptr);
    constraints_->update();  // a pointer constraint of the window that lost focus ends here
}

void Seat::focus_within_popup_grab(wlr_surface* surface)
{
    wlr_keyboard* kb = wlr_seat_get_keyboard(seat_);
    if (kb) wlr_seat_keyboard_enter(seat_, surface, kb->keycodes, kb->num_keycodes, &kb->modifiers);
    else wlr_seat_keyboard_enter(seat_, surface, nullptr, 0, nullptr);
    constraints_->update();
}

void Seat::clear_pointer_focus()
{
    wlr_seat_pointer_notify_clear_focus(seat_);
}

void Seat::refresh_pointer(uint32_t time_msec)
{
    // A compositor move or resize owns the pointer until it ends (end_grab
    // re-picks then).
    if (grab_ != Grab::None) return;
    wlr_surface* before = seat_->pointer_state.focused_surface;
    wl_fixed_t x = wl_fixed_from_double(seat_->pointer_state.sx), y = wl_fixed_from_double(seat_->pointer_state.sy);
    process_motion(time_msec ? time_msec : now_msec());
    // Enter and leave come with their own frame; a motion alone needs one,
    // as no device frame follows it (clients apply pointer events per frame).
    if (before && seat_->pointer_state.focused_surface == before &&
        (wl_fixed_from_double(seat_->pointer_state.sx) != x || wl_fixed_from_double(seat_->pointer_state.sy) != y))
        wlr_seat_pointer_notify_frame(seat_);
}

void Seat::schedule_pointer_refresh()
{
    if (refresh_pending_) return;
    refresh_pending_ = true;
    // Nothing else waiting: the loop's idle time.
    refresh_idle_ = wl_event_loop_add_idle(
        server_.loop(),
        [](void* data) {
            auto* self = static_cast<Seat*>(data);
            self->refresh_idle_ = nullptr;
            self->flush_pointer_refresh();
        },
        this);
}

void Seat::flush_pointer_refresh()
{
    if (!refresh_pending_) return;
    refresh_pending_ = false;
    if (refresh_idle_) wl_event_source_remove(refresh_idle_);
    refresh_idle_ = nullptr;
    refresh_pointer();
}

void Seat::on_request(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message*)
{
    // The request before this one is done (a commit with every listener of
    // it): what it changed is under the pointer before this one is handled,
    // so a client's wl_display.sync after a commit is answered after it.
    if (type == WL_PROTOCOL_LOGGER_REQUEST) static_cast<Seat*>(data)->flush_pointer_refresh();
}

void Seat::on_relative_motion(wlr_event_pointer_motion* ev)
{
    on_motion(ev->device, ev->time_msec, ev->delta_x, ev->delta_y, ev->unaccel_dx, ev->unaccel_dy);
}

void Seat::on_absolute_motion(wlr_event_pointer_motion_absolute* ev)
{
    // Absolute devices (the nested backend, the test pointer) move by the
    // difference: relative motion and constraints apply to them too.
    double lx, ly;
    wlr_cursor_absolute_to_layout_coords(cursor_, ev->device, ev->x, ev->y, &lx, &ly);
    double dx = lx - cursor_->x, dy = ly - cursor_->y;
    on_motion(ev->device, ev->time_msec, dx, dy, dx, dy);
}

void Seat::on_axis(wlr_event_pointer_axis* ev)
{
    server_.idle().activity();
    wlr_seat_pointer_notify_axis(seat_, ev->time_msec, ev->orientation, ev->delta, ev->delta_discrete, ev->source);
}

void Seat::on_request_cursor(wlr_seat_pointer_request_set_cursor_event* ev)
{
    // Only the client under the pointer may choose its image.
    if (grab_ == Grab::None && ev->seat_client == seat_->pointer_state.focused_client) {
        wlr_cursor_set_surface(cursor_, ev->surface, ev->hotspot_x, ev->hotspot_y);
        cursor_image_.clear();
    }
}

void Seat::on_motion(wlr_input_device* device, uint32_t time_msec, double dx, double dy, double udx, double udy)
{
    server_.idle().activity();
    bool held = grab_ == Grab::None && constraints_->constrain_motion(time_msec, &dx, &dy, udx, udy);
    // The surface's origin in the layout, before the cursor moves.
    double origin_x = cursor_->x - seat_->pointer_state.sx, origin_y = cursor_->y - seat_->pointer_state.sy;
    wlr_cursor_move(cursor_, device, dx, dy);
    if (held && delivered_buttons_.empty()) {
        // A locked or confined pointer cannot leave its surface: the motion
        // is the surface's even where another window's frame (our label, a
        // border) is drawn over it, which would otherwise take the pointer
        // and end the confinement under the user's hand.
        wlr_seat_pointer_notify_motion(seat_, time_msec, cursor_->x - origin_x, cursor_->y - origin_y);
        return;
    }
    process_motion(time_msec, true);
}

void Seat::process_motion(uint32_t time_msec, bool hand_moved)
{
    if (grab_ != Grab::None) {
        update_grab();
        return;
    }
    if (drag_->active()) return drag_motion(time_msec);
    if (!delivered_buttons_.empty() && seat_->pointer_state.focused_surface) {
        // Implicit grab: while a button is held, the surface it was pressed
        // on keeps the pointer, even outside it (text selection, scrollbars).
        wlr_seat_pointer_notify_motion(seat_, time_msec, cursor_->x - press_origin_x_, cursor_->y - press_origin_y_);
        return;
    }
    wlr_surface* surface = nullptr;
    double sx = 0, sy = 0;
    View* view = server_.view_at(cursor_->x, cursor_->y, &surface, &sx, &sy);
    if (!surface) {
        // Our decoration or the background: our image, and no client sees the pointer.
        uint32_t edges = view ? border_edges(*view, cursor_->x, cursor_->y) : 0;
        set_cursor_image(edges ? wlr_xcursor_get_resize_name(static_cast<wlr_edges>(edges)) : "left_ptr");
        wlr_seat_pointer_notify_clear_focus(seat_);
        constraints_->update();
        return;
    }
    bool entering = seat_->pointer_state.focused_surface != surface;
    if (entering) cursor_image_.clear();  // the client sets its own
    wlr_seat_pointer_notify_enter(seat_, surface, sx, sy);
    wlr_seat_pointer_notify_motion(seat_, time_msec, sx, sy);
    // Only for a pointer that moved: a window that maps or moves under a still
    // pointer may not have its new X position in Xwayland yet, and a motion
    // computed from the old one hovers (tooltips) where the pointer is not.
    if (entering && hand_moved && wlr_surface_is_xwayland_surface(surface)) send_entry_motion(time_msec, sx, sy);
    constraints_->update();
}

void Seat::drag_motion(uint32_t time_msec)
{
    // The drag's grab turns enter and motion into wl_data_device events for
    // the surface under the pointer, if it may see the drag (drag.hpp).
    drag_->pointer_moved(cursor_->x, cursor_->y);
    wlr_surface* surface = nullptr;
    double sx = 0, sy = 0;
    server_.view_at(cursor_->x, cursor_->y, &surface, &sx, &sy);
    surface = drag_->allowed_target(surface);
    if (!surface) return wlr_seat_pointer_notify_clear_focus(seat_);
    wlr_seat_pointer_notify_enter(seat_, surface, sx, sy);
    wlr_seat_pointer_notify_motion(seat_, time_msec, sx, sy);
}

// Xwayland turns wl_pointer.enter into an X crossing event but no motion
// event, and Chromium then takes a click in its window for one at a stale
// position. wlroots drops a motion at the position the enter just gave as a
// duplicate, so it is sent here, as a hand's first motion inside would be.
void Seat::send_entry_motion(uint32_t time_msec, double sx, double sy)
{
    wlr_seat_client* client = seat_->pointer_state.focused_client;
    if (!client) return;
    wl_resource* resource;
    wl_resource_for_each(resource, &client->pointers)
    {
        if (wlr_seat_client_from_pointer_resource(resource))  // not an inert one
            wl_pointer_send_motion(resource, time_msec, wl_fixed_from_double(sx), wl_fixed_from_double(sy));
    }
    wlr_seat_pointer_send_frame(seat_);
}

void Seat::output_added(wlr_output* output)
{
    wlr_xcursor_manager_load(xcursors_, output->scale);
    // wlr_cursor shows an image only on the outputs that existed when it was set.
    std::string image = cursor_image_.empty() ? "left_ptr" : cursor_image_;
    cursor_image_.clear();
    set_cursor_image(image.c_str());
}

wlr_xcursor_image* Seat::default_cursor_image() const
{
    wlr_xcursor* arrow = wlr_xcursor_manager_get_xcursor(xcursors_, "left_ptr", 1);
    return arrow && arrow->image_count > 0 ? arrow->images[0] : nullptr;
}

void Seat::set_cursor_image(const char* name)
{
    if (cursor_image_ == name) return;  // re-setting restarts animated cursors
    cursor_image_ = name;
    wlr_xcursor_manager_set_cursor_image(xcursors_, name, cursor_);
}

void Seat::on_button(wlr_event_pointer_button* ev)
{
    server_.idle().activity();
    if (ev->state == WLR_BUTTON_RELEASED) {
        // A press a client saw is released to it too (with a grab running it
        // has no pointer focus, so only the seat's button count learns of it).
        if (delivered_buttons_.erase(ev->button)) {
            wlr_seat_pointer_notify_button(seat_, ev->time_msec, ev->button, ev->state);
            // The implicit grab ends: the pointer enters whatever is under it now.
            if (delivered_buttons_.empty() && grab_ == Grab::None) process_motion(ev->time_msec);
        }
        if (grab_ != Grab::None && seat_->pointer_state.button_count == 0 && delivered_buttons_.empty()) end_grab();
        return;
    }
    if (grab_ != Grab::None) return;  // more buttons during a grab go nowhere
    wlr_surface* surface = nullptr;
    double sx, sy;
    View* view = server_.view_at(cursor_->x, cursor_->y, &surface, &sx, &sy);
    if (view) {
        set_focus(view);
        // Inside the content but no surface takes it (an input region's
        // hole): the window's, not our border's, so no move starts there.
        wlr_box content = view->content_box();
        bool on_content = surface || wlr_box_contains_point(&content, cursor_->x, cursor_->y);
        if (start_compositor_grab(*view, ev->button, on_content)) return;
    } else if (surface) {
        server_.layer_shell().pressed(surface);  // a launcher or panel asking for the keyboard on demand
    }
    if (delivered_buttons_.empty()) {
        press_origin_x_ = cursor_->x - seat_->pointer_state.sx;
        press_origin_y_ = cursor_->y - seat_->pointer_state.sy;
        press_x_ = cursor_->x;
        press_y_ = cursor_->y;
    }
    delivered_buttons_.insert(ev->button);
    wlr_seat_pointer_notify_button(seat_, ev->time_msec, ev->button, ev->state);
}

// --- the test keyboard -------------------------------------------------------

namespace {

// Finds a key producing `sym` at level 0 or 1 (1 = with Shift) in layout 0.
bool find_key(xkb_keymap* keymap, xkb_keysym_t sym, uint32_t* keycode, bool* shift)
{
    for (xkb_keycode_t kc = xkb_keymap_min_keycode(keymap); kc <= xkb_keymap_max_keycode(keymap); ++kc) {
        for (xkb_level_index_t level = 0; level < 2; ++level) {
            const xkb_keysym_t* syms;
            int n = xkb_keymap_key_get_syms_by_level(keymap, kc, 0, level, &syms);
            for (int i = 0; i < n; ++i) {
                if (syms[i] == sym) {
                    *keycode = kc;
                    *shift = level == 1;
                    return true;
                }
            }
        }
    }
    return false;
}

void send_key(wlr_keyboard* kb, uint32_t evdev_code, bool pressed)
{
    wlr_event_keyboard_key ev{};
    ev.time_msec = now_msec();
    ev.keycode = evdev_code;
    ev.update_state = true;
    ev.state = pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED;
    wlr_keyboard_notify_key(kb, &ev);
}

struct ModifierKey {
    uint32_t bit;
    uint32_t evdev;
};
constexpr ModifierKey modifier_keys[] = {
    {WLR_MODIFIER_LOGO, KEY_LEFTMETA},
    {WLR_MODIFIER_CTRL, KEY_LEFTCTRL},
    {WLR_MODIFIER_ALT, KEY_LEFTALT},
    {WLR_MODIFIER_SHIFT, KEY_LEFTSHIFT},
};

void press_with_modifiers(wlr_keyboard* kb, uint32_t modifiers, uint32_t xkb_keycode)
{
    for (const auto& m : modifier_keys)
        if (modifiers & m.bit) send_key(kb, m.evdev, true);
    send_key(kb, xkb_keycode - 8, true);
    send_key(kb, xkb_keycode - 8, false);
    for (const auto& m : modifier_keys)
        if (modifiers & m.bit) send_key(kb, m.evdev, false);
}

}  // namespace

std::string Seat::type_combo(const std::string& text)
{
    wlr_keyboard* kb = server_.test_keyboard();
    if (!kb) return "the session has no test keyboard (start it with --test-input)";
    std::string error;
    auto combo = parse_combo(text, &error);
    if (!combo) return error;
    uint32_t keycode;
    bool shift;
    if (!find_key(kb->keymap, combo->keysym, &keycode, &shift)) return "no key in the keymap produces '" + text + "'";
    press_with_modifiers(kb, combo->modifiers | (shift ? WLR_MODIFIER_SHIFT : 0), keycode);
    return {};
}

namespace {

constexpr size_t max_typed_chars = 4096;

// UTF-8 → keysyms; an empty string, or what is wrong and where.
std::string text_to_keysyms(const std::string& text, std::vector<xkb_keysym_t>* out)
{
    for (size_t i = 0; i < text.size();) {
        size_t at = i;
        char32_t cp = decode_utf8(text, i);
        if (cp == 0xFFFD && text.compare(at, 3, "\xEF\xBF\xBD") != 0)  // not a U+FFFD typed as such
            return "type: the text is not valid UTF-8 (byte " + std::to_string(at) + ")";
        xkb_keysym_t sym = cp == '\n' ? XKB_KEY_Return : cp == '\t' ? XKB_KEY_Tab : XKB_KEY_NoSymbol;
        if (sym == XKB_KEY_NoSymbol && (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))) {
            char hex[16];
            std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(cp));
            return std::string("type: control character ") + hex + " cannot be typed (only \\n and \\t)";
        }
        if (sym == XKB_KEY_NoSymbol) sym = xkb_utf32_to_keysym(cp);
        if (sym == XKB_KEY_NoSymbol) return "type: no keysym for the character at byte " + std::to_string(at);
        if (out->size() == max_typed_chars)
            return "type: at most " + std::to_string(max_typed_chars) + " characters at a time";
        out->push_back(sym);
    }
    return {};
}

// The keymap the test keyboard switches to for characters its own keymap
// lacks (as wtype does): one key per keysym, keycodes from 9 up, no
// modifiers needed. Keycodes stay below 256 so Xwayland can map them too.
constexpr size_t max_temporary_keys = 240;

xkb_keymap* temporary_keymap(const std::vector<xkb_keysym_t>& syms)
{
    std::string keycodes, symbols;
    for (size_t i = 0; i < syms.size(); ++i) {
        char name[64];
        xkb_keysym_get_name(syms[i], name, sizeof name);
        keycodes += "<K" + std::to_string(i) + "> = " + std::to_string(9 + i) + ";\n";
        symbols += "key <K" + std::to_string(i) + "> {[ " + name + " ]};\n";
    }
    std::string text = "xkb_keymap {\n"
                       "xkb_keycodes \"ctop\" { minimum = 8; maximum = 255;\n" +
                       keycodes +
                       "};\n"
                       "xkb_types \"ctop\" { include \"complete\" };\n"
                       "xkb_compatibility \"ctop\" { include \"complete\" };\n"
                       "xkb_symbols \"ctop\" {\n" +
                       symbols + "};\n};\n";
    xkb_context* ctx = xkb_context_new(XKB_CONTEXT_NO_FLAGS);
    xkb_keymap* keymap =
        xkb_keymap_new_from_string(ctx, text.c_str(), XKB_KEYMAP_FORMAT_TEXT_V1, XKB_KEYMAP_COMPILE_NO_FLAGS);
    xkb_context_unref(ctx);
    return keymap;
}

}  // namespace

std::string Seat::type_text(const std::string& text)
{
    wlr_keyboard* kb = server_.test_keyboard();
    if (!kb) return "the session has no test keyboard (start it with --test-input)";
    std::vector<xkb_keysym_t> syms;
    if (std::string err = text_to_keysyms(text, &syms); !err.empty()) return err;

    struct Stroke {
        uint32_t keycode;
        bool shift;
    };
    std::vector<Stroke> strokes;
    for (xkb_keysym_t sym : syms) {
        Stroke st;
        if (!find_key(kb->keymap, sym, &st.keycode, &st.shift)) return type_with_temporary_keymap(syms);
        strokes.push_back(st);
    }
    for (const Stroke& st : strokes) press_with_modifiers(kb, st.shift ? WLR_MODIFIER_SHIFT : 0, st.keycode);
    return {};
}

// Some characters are in no key of the keymap: the whole text is typed on
// temporary keymaps, then the real one comes back. The seat sends each keymap
// change to the clients before the keys that need it, in order.
std::string Seat::type_with_temporary_keymap(const std::vector<xkb_keysym_t>& syms)
{
    wlr_keyboard* kb = server_.test_keyboard();
    wlr_input_device* device = nullptr;
    for (const auto& k : keyboards_)
        if (k->wlr() == kb) device = k->device();
    if (!device) return "the session has no test keyboard (start it with --test-input)";
    wlr_seat_set_keyboard(seat_, device);  // keymap changes reach clients through the seat's keyboard
    xkb_keymap* real = xkb_keymap_ref(kb->keymap);
    std::string err;
    size_t start = 0;
    while (start < syms.size() && err.empty()) {
        // As many characters as distinct keysyms fit in one temporary keymap.
        std::vector<xkb_keysym_t> keys;
        std::vector<uint32_t> codes;
        size_t end = start;
        for (; end < syms.size(); ++end) {
            auto it = std::find(keys.begin(), keys.end(), syms[end]);
            if (it == keys.end()) {
                if (keys.size() == max_temporary_keys) break;
                keys.push_back(syms[end]);
                it = keys.end() - 1;
            }
            codes.push_back(9 + static_cast<uint32_t>(it - keys.begin()));
        }
        xkb_keymap* temp = temporary_keymap(keys);
        if (!temp) {
            err = "type: could not build a keymap for the text";
            break;
        }
        wlr_keyboard_set_keymap(kb, temp);
        xkb_keymap_unref(temp);
        for (uint32_t code : codes) press_with_modifiers(kb, 0, code);
        start = end;
    }
    wlr_keyboard_set_keymap(kb, real);
    xkb_keymap_unref(real);
    return err;
}

}  // namespace ctop
