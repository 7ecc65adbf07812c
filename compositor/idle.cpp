// Idle activity and inhibitors that count only while visible.
#include "idle.hpp"

#include "seat.hpp"
#include "server.hpp"
#include "view.hpp"

namespace ctop {

Idle::Idle(Server& server, wl_display* display, wlr_seat* seat)
    : server_(server), seat_(seat), idle_(wlr_idle_create(display))
{
    wlr_idle_inhibit_manager_v1* manager = wlr_idle_inhibit_v1_create(display);
    new_inhibitor_.connect(&manager->events.new_inhibitor,
                           [this](void* data) { on_new_inhibitor(static_cast<wlr_idle_inhibitor_v1*>(data)); });
}

void Idle::on_new_inhibitor(wlr_idle_inhibitor_v1* wlr)
{
    // Entries of destroyed inhibitors go now, outside their own callbacks.
    inhibitors_.remove_if([](const auto& i) { return i->wlr == nullptr; });
    auto inhibitor = std::make_unique<Inhibitor>();
    inhibitor->wlr = wlr;
    Inhibitor* raw = inhibitor.get();
    raw->destroy.connect(&wlr->events.destroy, [this, raw](void*) {
        // Its entry is pruned later: a listener is not destroyed while it runs.
        raw->wlr = nullptr;
        update();
    });
    inhibitors_.push_back(std::move(inhibitor));
    update();
}

Idle::~Idle() = default;

void Idle::activity()
{
    wlr_idle_notify_activity(idle_, seat_);
}

void Idle::update()
{
    bool inhibited = false;
    for (const auto& inhibitor : inhibitors_) {
        if (!inhibitor->wlr) continue;
        wlr_surface* root = wlr_surface_get_root_surface(inhibitor->wlr->surface);
        for (View* v : server_.seat().focus_stack())
            if (v->surface() == root && v->mapped() && &v->workspace() == &server_.current_workspace())
                inhibited = true;
    }
    if (inhibited == inhibited_) return;
    inhibited_ = inhibited;
    wlr_idle_set_enabled(idle_, seat_, !inhibited);
    wlr_log(WLR_DEBUG, "idle %s", inhibited ? "inhibited by a visible window" : "allowed");
}

}  // namespace ctop
