// Workspace tabs rendered with the label painter.
#include "bar.hpp"

#include "label.hpp"
#include "server.hpp"

namespace ctop {

Bar::Bar(Server& server, wlr_scene_node* parent) : server_(server), tree_(wlr_scene_tree_create(parent))
{
    const float dark[4] = {0.08f, 0.08f, 0.09f, 1.0f};
    background_ = wlr_scene_rect_create(&tree_->node, 0, height, dark);
}

Bar::~Bar()
{
    wlr_scene_node_destroy(&tree_->node);
}

void Bar::rebuild()
{
    // Drop the old tabs (everything but the background).
    wlr_scene_node *child, *tmp;
    wl_list_for_each_safe(child, tmp, &tree_->node.state.children, state.link)
        if (child != &background_->node) wlr_scene_node_destroy(child);

    wlr_box area = server_.output_box();
    wlr_scene_node_set_position(&tree_->node, area.x, area.y);
    wlr_scene_rect_set_size(background_, area.width, height);
    int x = 4;
    for (const auto& ws : server_.workspaces()) {
        bool current = ws.get() == &server_.current_workspace();
        Color c = ws->color();
        // Dimmed unless current, or asking for attention (then marked "!" too).
        if (!current && !ws->wants_attention()) c = Color{c.r * 0.45f, c.g * 0.45f, c.b * 0.45f};
        std::string text = std::to_string(server_.slot_of(*ws)) + " " + ws->name();
        if (ws->wants_attention()) text += " !";
        wlr_buffer* buffer = render_label(text, c, height - 4, area.width / 4);
        wlr_scene_buffer* tab = wlr_scene_buffer_create(&tree_->node, buffer);
        wlr_scene_node_set_position(&tab->node, x, 2);
        x += buffer->width + 4;
        wlr_buffer_drop(buffer);
    }
}

}  // namespace ctop
