// Seat: keyboards, the pointer and where their events go. Compositor
// keybindings are matched here before any client sees a key; keys and pointer
// events only ever reach views of the current workspace.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

#include <list>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ctop {

class Server;
class View;

class Seat {
public:
    explicit Seat(Server& server);
    ~Seat();

    wlr_seat* wlr() const { return seat_; }
    wlr_cursor* cursor() const { return cursor_; }
    void add_input(wlr_input_device* device);
    void focus_surface(wlr_surface* surface);  // keyboard focus, nullptr clears
    void clear_pointer_focus();
    void refresh_pointer(uint32_t time_msec = 0);  // re-pick after windows moved or workspaces switched
    void forget_view(View& view);  // drops grabs that point at a dying view

    // Presses and releases `combo` ("Super+2", "a", "Shift+x") on the test keyboard.
    // Returns an empty string on success, else why not.
    std::string type_combo(const std::string& combo);
    // Any Unicode text; characters the keymap lacks are typed on a temporary one.
    std::string type_text(const std::string& text);

private:
    class Keyboard;
    void on_key(Keyboard& kb, wlr_event_keyboard_key* event);
    bool run_binding(Keyboard& kb, uint32_t xkb_keycode);
    void process_motion(uint32_t time_msec);
    void update_capabilities();
    std::string type_with_temporary_keymap(const std::vector<xkb_keysym_t>& syms);

    Server& server_;
    wlr_seat* seat_;
    wlr_cursor* cursor_;
    wlr_xcursor_manager* xcursors_;
    std::list<std::unique_ptr<Keyboard>> keyboards_;
    bool has_pointer_ = false;
    enum class Grab { None, Move } grab_ = Grab::None;
    View* grabbed_ = nullptr;
    double grab_dx_ = 0, grab_dy_ = 0;

    Listener motion_, motion_absolute_, button_, axis_, frame_, request_cursor_;
    friend class Server;
};

}  // namespace ctop
