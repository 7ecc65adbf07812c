// TestPointer: the virtual pointer of `session --test-input`, a headless
// wlroots pointer device. Its events are emitted on the device itself, so they
// take the path a mouse's events take (wlr_cursor → Seat): focus-on-click,
// bindings, grabs and the client checks all apply to them.
#pragma once

#include "wlr.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace ctop {

class Server;

class TestPointer {
public:
    TestPointer(Server& server, wlr_input_device* device);
    ~TestPointer();
    TestPointer(const TestPointer&) = delete;
    TestPointer& operator=(const TestPointer&) = delete;

    // Each returns an empty string on success, else why not. Coordinates are
    // layout coordinates and must lie on an output.
    std::string move(double x, double y);
    // Presses `button` where the cursor is and releases it click_hold_ms later
    // (apps open context menus on the press and grab them while it is held),
    // then calls `done`.
    void click(uint32_t button, std::function<void(const std::string&)> done);
    std::string scroll(int steps);  // wheel steps, positive = down
    // Moves to (x1, y1), presses `button` (with the evdev modifier keys
    // `hold` down on the test keyboard), moves to (x2, y2) in steps
    // spread over time (clients answer a press with requests such as
    // xdg_toplevel.move, and need the loop to run in between), rests there,
    // releases, and then calls `done` with "" or the error. Never blocks the
    // event loop.
    void drag(double x1, double y1, double x2, double y2, uint32_t button, std::vector<uint32_t> hold,
              std::function<void(const std::string&)> done);

    static constexpr int drag_steps = 12;
    static constexpr int drag_step_ms = 25;
    static constexpr int drag_rest_ms = 200;  // still at the target before the release
    static constexpr int click_hold_ms = 60;

private:
    std::string check_position(double x, double y) const;
    void warp(double x, double y);
    void button(uint32_t button, bool pressed);
    void frame();
    void hold_keys(const std::vector<uint32_t>& keys, bool pressed);
    static int on_drag_timer(void* data);
    void drag_step();

    Server& server_;
    wlr_input_device* device_;
    wl_event_source* timer_ = nullptr;
    struct Drag {
        double x1, y1, x2, y2;
        uint32_t button;
        std::vector<uint32_t> hold;
        int steps;        // moves between press and release
        int interval_ms;  // between them
        int step = -1;    // -1: pressed, not moved yet
        std::function<void(const std::string&)> done;
    };
    std::unique_ptr<Drag> drag_;
};

}  // namespace ctop
