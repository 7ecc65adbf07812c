// The virtual pointer: events emitted on a headless pointer device.
#include "test_pointer.hpp"

#include "clock.hpp"
#include "seat.hpp"
#include "server.hpp"

#include <linux/input-event-codes.h>

#include <cmath>
#include <memory>

namespace ctop {

TestPointer::TestPointer(Server& server, wlr_input_device* device) : server_(server), device_(device) {}

TestPointer::~TestPointer()
{
    // A drag still running is dropped unanswered: the control socket is gone
    // by now, and its peer sees the connection close.
    if (timer_) wl_event_source_remove(timer_);
}

std::string TestPointer::check_position(double x, double y) const
{
    wlr_box box = server_.output_box();
    auto bad = [&](const char* field, double v, int lo, int hi) {
        return "pointer: '" + std::string(field) + "' is " +
               (std::isfinite(v) ? std::to_string(static_cast<long>(v)) : "not finite") + ", outside the outputs (" +
               std::to_string(lo) + "-" + std::to_string(hi - 1) + ")";
    };
    if (!std::isfinite(x) || x < box.x || x >= box.x + box.width) return bad("x", x, box.x, box.x + box.width);
    if (!std::isfinite(y) || y < box.y || y >= box.y + box.height) return bad("y", y, box.y, box.y + box.height);
    return {};
}

void TestPointer::warp(double x, double y)
{
    // Absolute events are fractions of the layout box wlr_cursor maps them to.
    wlr_box box = server_.output_box();
    wlr_event_pointer_motion_absolute ev{};
    ev.device = device_;
    ev.time_msec = now_msec();
    ev.x = (x - box.x) / box.width;
    ev.y = (y - box.y) / box.height;
    wl_signal_emit(&device_->pointer->events.motion_absolute, &ev);
    frame();
}

void TestPointer::button(uint32_t code, bool pressed)
{
    wlr_event_pointer_button ev{};
    ev.device = device_;
    ev.time_msec = now_msec();
    ev.button = code;
    ev.state = pressed ? WLR_BUTTON_PRESSED : WLR_BUTTON_RELEASED;
    wl_signal_emit(&device_->pointer->events.button, &ev);
    frame();
}

void TestPointer::frame()
{
    wl_signal_emit(&device_->pointer->events.frame, device_->pointer);
}

std::string TestPointer::move(double x, double y)
{
    if (drag_) return "pointer: a drag is running";
    std::string err = check_position(x, y);
    if (err.empty()) warp(x, y);
    return err;
}

void TestPointer::click(uint32_t code, std::function<void(const std::string&)> done)
{
    if (drag_) return done("pointer: a drag is running");
    if (!timer_) timer_ = wl_event_loop_add_timer(server_.loop(), &TestPointer::on_drag_timer, this);
    double x = server_.seat().cursor()->x, y = server_.seat().cursor()->y;
    drag_ = std::make_unique<Drag>(Drag{x, y, x, y, code, {}, 0, click_hold_ms, -1, std::move(done)});
    button(code, true);
    wl_event_source_timer_update(timer_, click_hold_ms);
}

std::string TestPointer::scroll(int steps)
{
    if (drag_) return "pointer: a drag is running";
    wlr_event_pointer_axis ev{};
    ev.device = device_;
    ev.time_msec = now_msec();
    ev.source = WLR_AXIS_SOURCE_WHEEL;
    ev.orientation = WLR_AXIS_ORIENTATION_VERTICAL;
    ev.delta = 15.0 * steps;  // what libinput reports for one wheel click
    ev.delta_discrete = steps;
    wl_signal_emit(&device_->pointer->events.axis, &ev);
    frame();
    return {};
}

void TestPointer::hold_keys(const std::vector<uint32_t>& keys, bool pressed)
{
    wlr_keyboard* kb = server_.test_keyboard();
    if (!kb) return;
    for (uint32_t key : keys) {
        wlr_event_keyboard_key ev{};
        ev.time_msec = now_msec();
        ev.keycode = key;
        ev.update_state = true;
        ev.state = pressed ? WL_KEYBOARD_KEY_STATE_PRESSED : WL_KEYBOARD_KEY_STATE_RELEASED;
        wlr_keyboard_notify_key(kb, &ev);
    }
}

void TestPointer::drag(double x1, double y1, double x2, double y2, uint32_t code, std::vector<uint32_t> hold,
                       std::function<void(const std::string&)> done)
{
    if (drag_) return done("pointer: a drag is running");
    std::string err = check_position(x1, y1);
    if (err.empty()) err = check_position(x2, y2);
    if (!err.empty()) return done(err);
    if (!timer_) timer_ = wl_event_loop_add_timer(server_.loop(), &TestPointer::on_drag_timer, this);
    drag_ = std::make_unique<Drag>(
        Drag{x1, y1, x2, y2, code, std::move(hold), drag_steps, drag_step_ms, -1, std::move(done)});
    warp(x1, y1);
    hold_keys(drag_->hold, true);
    button(code, true);
    wl_event_source_timer_update(timer_, drag_step_ms);
}

int TestPointer::on_drag_timer(void* data)
{
    static_cast<TestPointer*>(data)->drag_step();
    return 0;
}

void TestPointer::drag_step()
{
    if (!drag_) return;
    Drag& d = *drag_;
    if (++d.step < d.steps) {
        double t = static_cast<double>(d.step + 1) / d.steps;
        warp(d.x1 + (d.x2 - d.x1) * t, d.y1 + (d.y2 - d.y1) * t);
        wl_event_source_timer_update(timer_, d.interval_ms);
        return;
    }
    if (d.step == d.steps) {
        // At the target the hand rests a moment before letting go: a drop
        // target answers the drag's arrival (accepts a type) first.
        wl_event_source_timer_update(timer_, drag_rest_ms);
        return;
    }
    button(d.button, false);
    hold_keys(d.hold, false);
    auto done = std::move(d.done);
    drag_.reset();
    done("");
}

}  // namespace ctop
