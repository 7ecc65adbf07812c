// Idle: input activity for host idle daemons (swayidle over
// org_kde_kwin_idle, host clients only) and idle inhibitors (video players,
// also in containers). An inhibitor counts only while its window is mapped on
// the visible workspace: a container in the background cannot keep the
// screen awake.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

#include <list>
#include <memory>

namespace ctop {

class Server;

class Idle {
public:
    Idle(Server& server, wl_display* display, wlr_seat* seat);
    ~Idle();
    Idle(const Idle&) = delete;
    Idle& operator=(const Idle&) = delete;

    void activity();  // any input
    void update();    // after windows mapped or unmapped, or workspaces switched
    bool inhibited() const { return inhibited_; }

private:
    void on_new_inhibitor(wlr_idle_inhibitor_v1* inhibitor);
    struct Inhibitor {
        wlr_idle_inhibitor_v1* wlr;
        Listener destroy;
    };

    Server& server_;
    wlr_seat* seat_;
    wlr_idle* idle_;
    std::list<std::unique_ptr<Inhibitor>> inhibitors_;
    bool inhibited_ = false;
    Listener new_inhibitor_;
};

}  // namespace ctop
