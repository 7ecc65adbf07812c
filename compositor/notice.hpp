// Notice: the line of text the compositor shows near the bottom of the screen
// for a few seconds (a cross-container copy, a refused fullscreen). Drawn in
// the overlay above every view, so no client can hide or imitate it.
#pragma once

#include "event_source.hpp"
#include "wlr.hpp"

#include <string>

namespace ctop {

class Notice {
public:
    Notice(wl_event_loop* loop, wlr_scene_tree* layer) : loop_(loop), layer_(layer) {}
    ~Notice() { hide(); }
    Notice(const Notice&) = delete;
    Notice& operator=(const Notice&) = delete;

    // Replaces what is shown, centred in `area`, for four seconds.
    void show(const std::string& message, const wlr_box& area);
    void hide();

private:
    wl_event_loop* loop_;
    wlr_scene_tree* layer_;
    wlr_scene_buffer* shown_ = nullptr;
    Timer timer_;
};

}  // namespace ctop
