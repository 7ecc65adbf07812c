// Workspace scene trees.
#include "workspace.hpp"

#include <cstdio>
#include <functional>
#include <stdexcept>

namespace ctop {

Workspace::Workspace(std::string name, Color color, wlr_scene_node* parent)
    : name_(std::move(name)), color_(color), tree_(wlr_scene_tree_create(parent)),
      content_(wlr_scene_tree_create(&tree_->node)), x11_overlay_(wlr_scene_tree_create(&tree_->node)),
      labels_(wlr_scene_tree_create(&tree_->node))
{
    wlr_scene_node_set_enabled(&tree_->node, false);
}

Workspace::~Workspace()
{
    wlr_scene_node_destroy(&tree_->node);
}

void Workspace::set_visible(bool visible)
{
    wlr_scene_node_set_enabled(&tree_->node, visible);
}

bool Workspace::visible() const
{
    return tree_->node.state.enabled;
}

}  // namespace ctop
