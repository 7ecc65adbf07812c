// xdg_popup: menus, popovers, tooltips and their submenus. A popup's scene
// tree is a child of its parent's (the toplevel's popup layer or the parent
// popup's), so it lives in its window's workspace, moves with it and stays
// below that window's label. Its position comes from the client's
// positioner, slid or flipped by wlroots into the usable output area; a
// popup drawn bigger than configured is slid back in as far as it fits, and
// what it draws is cropped to the usable area.
#pragma once

#include "listener.hpp"
#include "surface_tree.hpp"
#include "wlr.hpp"

#include <memory>

namespace ctop {

class XdgView;

class XdgPopup {
public:
    // Created once the popup's xdg_surface is added (its first commit), so
    // wlroots is sure to emit its destroy event: the popup deletes itself then.
    XdgPopup(XdgView& view, wlr_xdg_surface* xdg, wlr_scene_node* parent_node);
    ~XdgPopup();
    XdgPopup(const XdgPopup&) = delete;
    XdgPopup& operator=(const XdgPopup&) = delete;

    // Child popups hang below this node (origin: this popup's geometry top-left).
    wlr_scene_node* node() const { return &tree_->node; }
    XdgView& view() const { return view_; }

private:
    void on_map();
    void on_unmap();
    void update();
    void take_keyboard();
    void return_keyboard();

    XdgView& view_;
    wlr_xdg_surface* xdg_;
    wlr_scene_tree* tree_;
    std::unique_ptr<ClippedSurfaceTree> surfaces_;
    Listener map_, unmap_, commit_, destroy_;
};

}  // namespace ctop
