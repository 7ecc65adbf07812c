// Workspaces: one for the host and one per container. A view lives in exactly
// one workspace; only the current workspace's scene tree is enabled, so the
// others are neither drawn nor reachable by the pointer.
#pragma once

#include "color.hpp"
#include "wlr.hpp"

#include <array>
#include <string>

namespace ctop {

class Workspace {
public:
    Workspace(std::string name, Color color, wlr_scene_node* parent);
    ~Workspace();
    Workspace(const Workspace&) = delete;
    Workspace& operator=(const Workspace&) = delete;

    const std::string& name() const { return name_; }
    const Color& color() const { return color_; }
    void set_color(Color c) { color_ = c; }
    bool is_host() const { return name_ == "host"; }
    wlr_scene_tree* tree() const { return tree_; }
    void set_visible(bool visible);
    bool visible() const;

private:
    std::string name_;
    Color color_;
    wlr_scene_tree* tree_;
};

}  // namespace ctop
