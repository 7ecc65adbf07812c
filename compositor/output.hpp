// Output: one monitor (or headless/nested window) and its frame loop.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace ctop {

class Server;

class Output {
public:
    Output(Server& server, wlr_output* output);
    wlr_output* wlr() const { return output_; }

private:
    void on_frame();  // the output wants a frame: the scene is drawn
    Server& server_;
    wlr_output* output_;
    wlr_scene_output* scene_output_;
    Listener frame_, commit_, destroy_;
};

}  // namespace ctop
