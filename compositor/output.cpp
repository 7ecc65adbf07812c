// Output set-up (preferred mode, auto layout) and per-frame scene commits.
#include "output.hpp"

#include "server.hpp"
#include "surface_tree.hpp"

namespace ctop {

Output::Output(Server& server, wlr_output* output) : server_(server), output_(output)
{
    if (!wl_list_empty(&output->modes)) {
        wlr_output_set_mode(output, wlr_output_preferred_mode(output));
    }
    wlr_output_enable(output, true);
    wlr_output_set_scale(output, static_cast<float>(server.options().output_scale));
    if (!wlr_output_commit(output)) wlr_log(WLR_ERROR, "output %s: could not enable", output->name);
    // The scene follows the layout (wlr_scene_attach_output_layout): adding
    // the output creates its scene output.
    wlr_output_layout_add_auto(server.layout(), output);
    scene_output_ = wlr_scene_get_scene_output(server.scene(), output);

    frame_.connect(&output->events.frame, [this](void*) { on_frame(); });
    commit_.connect(&output->events.commit, [this](void*) { server_.count_frame(); });
    destroy_.connect(&output->events.destroy, [this](void*) { server_.output_destroyed(*this); });
}

void Output::on_frame()
{
    if (!scene_output_) return;
    wlr_scene_output_commit(scene_output_);
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    wlr_scene_output_send_frame_done(scene_output_, &now);
    ClippedSurfaceTree::send_frame_done_all(&now);  // window surfaces are cropped buffers, not scene surfaces
}

}  // namespace ctop
