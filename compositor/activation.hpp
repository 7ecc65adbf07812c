// xdg-activation: a client asks for one of its windows to be raised and
// focused. Granted only for a window of the container that has the focus
// now; any other request only marks its workspace as wanting attention in
// the bar. No container can pull the user away from what they are doing.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace ctop {

class Server;

class Activation {
public:
    Activation(Server& server, wl_display* display);
    Activation(const Activation&) = delete;
    Activation& operator=(const Activation&) = delete;

private:
    void on_request(wlr_xdg_activation_v1_request_activate_event* event);

    Server& server_;
    Listener request_;
};

}  // namespace ctop
