// Seat: keyboards, the pointer, the keyboard focus and where their events
// go. Compositor keybindings are matched here before any client sees a key;
// keys and pointer events only ever reach views of the current workspace.
#pragma once

#include "event_source.hpp"
#include "listener.hpp"
#include "wlr.hpp"

#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace ctop {

class DragAndDrop;
class PointerConstraints;
class Server;
class View;
class Workspace;

class Seat {
public:
    explicit Seat(Server& server);
    ~Seat();

    wlr_seat* wlr() const { return seat_; }
    wlr_cursor* cursor() const { return cursor_; }
    void add_input(wlr_input_device* device);

    // Focus (seat_focus.cpp, sway's seat_set_focus): mapped views, most
    // recently focused first; the keyboard goes to the focused one unless a
    // layer surface (a launcher) holds it.
    const std::list<View*>& focus_stack() const { return focus_stack_; }
    View* focused_view() const { return focused_; }
    // The container whose clipboard the focused client sees (host_identity for the host).
    std::string focused_container() const;
    void set_focus(View* view);  // nullptr clears; a view of another workspace is refused
    // Focus to the workspace's most recently focused view (but `except`), or to nothing.
    void focus_top_of(const Workspace& ws, const View* except = nullptr);
    void focus_next_view();
    void view_mapped(View& view);     // a new window on the current workspace takes the focus
    void view_unmapped(View& view);   // focus moves on to the next window
    void view_minimized(View& view);  // the same
    // Gives the keyboard to a layer surface that wants it (a launcher), or
    // back to the focused window when none does any more.
    void update_keyboard_focus();
    bool layer_has_keyboard() const { return layer_keyboard_ != nullptr; }

    void focus_surface(wlr_surface* surface);  // keyboard focus, nullptr clears
    // Keyboard focus to a menu holding a popup grab, or back from it to its
    // parent: past the grab, which swallows every other change of focus.
    void focus_within_popup_grab(wlr_surface* surface);
    void clear_pointer_focus();
    // Re-picks the surface under a still pointer, now: after workspaces
    // switched or a window unmapped.
    void refresh_pointer(uint32_t time_msec = 0);
    // The same, once whatever is being handled now is done: after windows
    // moved, resized, mapped or restacked, and after every commit of a
    // window's surfaces (a subsurface moved, a surface resized or changed its
    // input region). It runs before the next client request is handled (so a
    // wl_display.sync after a commit is answered after the pointer's enter),
    // or else when the loop goes idle; many changes, one re-pick.
    void schedule_pointer_refresh();
    void forget_view(View& view);           // drops grabs that point at a dying view
    void output_added(wlr_output* output);  // loads the cursor theme at its scale, shows the cursor there
    // The theme's arrow at scale 1, or nullptr without a theme: X servers
    // get it as their root window's cursor (xwayland.cpp).
    wlr_xcursor_image* default_cursor_image() const;

    // Interactive move and resize (seat_grab.cpp). The requests come from
    // clients (xdg_toplevel.move/resize) and are honoured only while that
    // client holds the one button press `serial` names. X11's
    // _NET_WM_MOVERESIZE names no press (no serial): it is honoured while
    // the window's client holds the pointer on it with one button down.
    void request_move(View& view, wlr_seat_client* client, std::optional<uint32_t> serial);
    void request_resize(View& view, wlr_seat_client* client, std::optional<uint32_t> serial, uint32_t edges);

    // Presses and releases `combo` ("Super+2", "a", "Shift+x") on the test keyboard.
    // Returns an empty string on success, else why not.
    std::string type_combo(const std::string& combo);
    // Any Unicode text; characters the keymap lacks are typed on a temporary one.
    std::string type_text(const std::string& text);

private:
    class Keyboard;
    void on_key(Keyboard& kb, wlr_event_keyboard_key* event);
    bool run_binding(Keyboard& kb, uint32_t xkb_keycode);
    void process_motion(uint32_t time_msec, bool hand_moved = false);  // hand_moved: a device moved it
    void drag_motion(uint32_t time_msec);                              // while a client's drag holds the pointer
    void send_entry_motion(uint32_t time_msec, double sx, double sy);
    void on_relative_motion(wlr_event_pointer_motion* event);
    void on_absolute_motion(wlr_event_pointer_motion_absolute* event);
    void on_axis(wlr_event_pointer_axis* event);
    void on_request_cursor(wlr_seat_pointer_request_set_cursor_event* event);
    void on_motion(wlr_input_device* device, uint32_t time_msec, double dx, double dy, double udx, double udy);
    void on_button(wlr_event_pointer_button* event);
    bool start_compositor_grab(View& view, uint32_t button, bool on_surface);
    bool client_may_grab(View& view, wlr_seat_client* client, std::optional<uint32_t> serial, const char* what) const;
    void begin_move(View& view);
    void begin_resize(View& view, uint32_t edges);
    void from_press();
    void update_grab();
    void end_grab();
    void keep_opposite_edges(View& view);
    void settle_resize();
    void set_cursor_image(const char* name);
    uint32_t border_edges(const View& view, double lx, double ly) const;
    void update_capabilities();
    void flush_pointer_refresh();
    static void on_request(void* data, wl_protocol_logger_type type, const wl_protocol_logger_message* message);
    void on_touch_down(wlr_event_touch_down* event);
    void on_touch_motion(wlr_event_touch_motion* event);
    void on_touch_up(wlr_event_touch_up* event);
    std::string type_with_temporary_keymap(const std::vector<xkb_keysym_t>& syms);
    void watch_popup_grabs();
    wlr_xdg_popup_grab* active_popup_grab() const;
    void end_popup_grab();
    void check_popup_grab();

    Server& server_;
    wlr_seat* seat_;
    wlr_cursor* cursor_;
    wlr_xcursor_manager* xcursors_;
    std::list<std::unique_ptr<Keyboard>> keyboards_;
    std::unique_ptr<PointerConstraints> constraints_;
    std::unique_ptr<DragAndDrop> drag_;
    bool has_pointer_ = false;
    bool has_touch_ = false;
    // A finger down on a client surface: the layout position of that
    // surface's origin then, so its motion stays relative to that surface.
    struct TouchPoint {
        double origin_x = 0, origin_y = 0;
        Listener surface_destroy;
    };
    std::map<int32_t, std::unique_ptr<TouchPoint>> touch_points_;
    enum class Grab { None, Move, Resize } grab_ = Grab::None;
    View* grabbed_ = nullptr;
    double grab_cx_ = 0, grab_cy_ = 0;                // the cursor where the grab began
    wlr_box grab_box_{};                              // the window's content box then
    uint32_t grab_edges_ = 0;                         // WLR_EDGE_* being dragged
    int grab_width_ = 0, grab_height_ = 0;            // the content size the resize asked for last
    View* settling_ = nullptr;                        // resized, its client not yet caught up with the size asked for
    std::set<uint32_t> delivered_buttons_;            // presses a client saw: it sees their release too
    double press_origin_x_ = 0, press_origin_y_ = 0;  // that surface's origin (layout) at the first press
    double press_x_ = 0, press_y_ = 0;                // the cursor then
    std::string cursor_image_;                        // our xcursor image; empty while a client's is shown
    bool refresh_pending_ = false;
    wl_event_source* refresh_idle_ = nullptr;
    wl_protocol_logger* request_logger_ = nullptr;
    std::list<View*> focus_stack_;  // mapped views, most recently focused first
    View* focused_ = nullptr;
    wlr_surface* layer_keyboard_ = nullptr;  // the layer surface given the keyboard, if any
    IdleCall grab_check_;

    Listener motion_, motion_absolute_, button_, axis_, frame_, request_cursor_, grab_commit_;
    Listener touch_down_, touch_motion_, touch_up_, touch_frame_, keyboard_grab_begin_;
    friend class Server;
};

}  // namespace ctop
