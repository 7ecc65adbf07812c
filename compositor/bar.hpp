// Bar: the strip along the top of the screen listing the workspaces, each
// in its container's colour, the current one marked. Drawn by the
// compositor, so a client can neither hide nor imitate it.
#pragma once

#include "wlr.hpp"

namespace ctop {

class Server;

class Bar {
public:
    static constexpr int height = 24;

    Bar(Server& server, wlr_scene_node* parent);
    ~Bar();
    void rebuild();  // after workspaces or outputs changed

private:
    Server& server_;
    wlr_scene_tree* tree_;
    wlr_scene_rect* background_;
};

}  // namespace ctop
