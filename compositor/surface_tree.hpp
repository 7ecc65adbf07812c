// ClippedSurfaceTree: a client's surface with its subsurfaces, drawn through
// wlr_scene_buffer nodes cropped to a clip box. Nothing a client draws
// outside the box (CSD shadows, stray subsurfaces, a huge buffer behind a
// 1x1 window geometry) reaches the screen or takes pointer input.
//
// wlroots 0.15's scene draws a wlr_scene_surface whole and cannot clip; its
// wlr_scene_buffer can be cropped (source box + destination size), so we show
// each surface's current client buffer through one. What the scene did for
// its surface nodes we do here: frame callbacks (send_frame_done_all, from
// the output's frame), wl_surface.enter, and the surface under the pointer.
// Why and at what cost: docs/design.md.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

#include <functional>
#include <map>
#include <memory>

namespace ctop {

class ClippedSurfaceTree {
public:
    ClippedSurfaceTree(wlr_scene_node* parent, wlr_surface* root, wlr_output_layout* layout);
    ~ClippedSurfaceTree();
    ClippedSurfaceTree(const ClippedSurfaceTree&) = delete;
    ClippedSurfaceTree& operator=(const ClippedSurfaceTree&) = delete;

    // Origin: the root surface's top-left.
    wlr_scene_node* node() const { return &tree_->node; }
    // In the root surface's coordinates. Until set, nothing is shown.
    void set_clip(const wlr_box& clip);

    // The tree a scene node (as found by wlr_scene_node_at) belongs to, if any.
    static ClippedSurfaceTree* owning(wlr_scene_node* node);
    // For a buffer node of this tree and a point in it (node-local): outside
    // the part shown, or on it and then whether the surface's input region
    // takes it; the surface and the point in its coordinates are set then.
    enum class Hit { Outside, Refused, Accepted };
    Hit hit(wlr_scene_node* node, double nx, double ny, wlr_surface** surface, double* sx, double* sy) const;
    // Frame callbacks of every surface of every tree the user can see.
    static void send_frame_done_all(const timespec* now);
    // Called after a tree changed what it shows (a commit in it, a new
    // clip), once the scene is up to date: the seat re-picks the surface
    // under the pointer then. One hook for all trees, as the registry.
    static void set_change_hook(std::function<void()> hook);

private:
    struct Entry;
    static constexpr int max_depth = 16;  // subsurface nesting shown at most

    Entry& entry_for(wlr_surface* surface);
    void rebuild();
    void walk(wlr_surface* surface, int x, int y, bool mapped, int depth);
    void show(Entry& e, int x, int y, bool mapped);
    void drop_stale();

    wlr_scene_tree* tree_;
    wlr_surface* root_;
    wlr_output_layout* layout_;
    wl_event_loop* loop_;
    wlr_box clip_{0, 0, 0, 0};
    std::map<wlr_surface*, std::unique_ptr<Entry>> entries_;
    wl_event_source* cleanup_ = nullptr;
};

}  // namespace ctop
