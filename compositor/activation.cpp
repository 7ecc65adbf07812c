// Focus requests from clients, held to the focused container.
#include "activation.hpp"

#include "seat.hpp"
#include "server.hpp"
#include "view.hpp"

namespace ctop {

Activation::Activation(Server& server, wl_display* display) : server_(server)
{
    wlr_xdg_activation_v1* activation = wlr_xdg_activation_v1_create(display);
    request_.connect(&activation->events.request_activate, [this](void* data) {
        on_request(static_cast<wlr_xdg_activation_v1_request_activate_event*>(data));
    });
}

void Activation::on_request(wlr_xdg_activation_v1_request_activate_event* event)
{
    View* target = nullptr;
    for (View* v : server_.seat().focus_stack())
        if (v->surface() == event->surface) target = v;
    if (!target) return;  // not a mapped toplevel
    bool visible = &target->workspace() == &server_.current_workspace();
    if (visible && target->container() == server_.seat().focused_container()) {
        server_.seat().set_focus(target);
        return;
    }
    // Another container (or a hidden workspace): the bar says so, nothing more.
    server_.request_attention(target->workspace());
}

}  // namespace ctop
