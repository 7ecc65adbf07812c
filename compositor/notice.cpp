// Showing and hiding the compositor's notice.
#include "notice.hpp"

#include "color.hpp"
#include "label.hpp"

namespace ctop {

void Notice::show(const std::string& message, const wlr_box& area)
{
    hide();
    wlr_buffer* buffer = render_label(message, Color::from_hex("#ffd700"), 28, area.width);
    shown_ = wlr_scene_buffer_create(&layer_->node, buffer);
    wlr_scene_node_set_position(&shown_->node, area.x + (area.width - buffer->width) / 2, area.y + area.height - 40);
    wlr_buffer_drop(buffer);
    timer_.arm(loop_, 4000, [this] { hide(); });
}

void Notice::hide()
{
    if (shown_) wlr_scene_node_destroy(&shown_->node);
    shown_ = nullptr;
}

}  // namespace ctop
