// Workspaces: one for the host and one per container. A view lives in exactly
// one workspace; only the current workspace's scene tree is enabled, so the
// others are neither drawn nor reachable by the pointer.
#pragma once

#include "color.hpp"
#include "identity.hpp"
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
    bool is_host() const { return ctop::is_host(name_); }
    // Client content (windows and their popups) goes in tree(); X11
    // override-redirect windows (menus, tooltips), each in a thin frame of the
    // workspace's colour, in x11_overlay_layer() above it; the labels naming
    // each window's container go in label_layer(), above all of it, so
    // nothing a client draws in this workspace can cover a label.
    wlr_scene_tree* tree() const { return content_; }
    wlr_scene_tree* x11_overlay_layer() const { return x11_overlay_; }
    wlr_scene_tree* label_layer() const { return labels_; }
    void set_visible(bool visible);
    bool visible() const;
    // A window here asked for the focus while the user was elsewhere (xdg-activation).
    bool wants_attention() const { return wants_attention_; }
    void set_wants_attention(bool wants) { wants_attention_ = wants; }

private:
    std::string name_;
    Color color_;
    wlr_scene_tree* tree_;
    wlr_scene_tree* content_;
    wlr_scene_tree* x11_overlay_;
    wlr_scene_tree* labels_;
    bool wants_attention_ = false;
};

}  // namespace ctop
