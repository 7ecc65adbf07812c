// View: one toplevel window, the workspace it belongs to, and the decoration
// we draw around it: a border and a label strip in the workspace's colour.
// The decoration sits above the client's surfaces in the scene, so nothing a
// client draws can cover it. Subclasses speak the window's protocol
// (xdg-shell in xdg_view.cpp, X11 in xwayland.cpp).
#pragma once

#include "listener.hpp"
#include "surface_tree.hpp"
#include "wlr.hpp"

#include <memory>
#include <string>

namespace ctop {

class Server;
class Workspace;

class View {
public:
    static constexpr int border_width = 4;
    static constexpr int title_height = 22;
    static constexpr int min_content_height = 24;

    View(Server& server, Workspace& workspace, std::string container);
    virtual ~View();
    View(const View&) = delete;
    View& operator=(const View&) = delete;

    Server& server() { return server_; }
    Workspace& workspace() const { return *workspace_; }
    // The container the client connected from; empty for host clients.
    const std::string& container() const { return container_; }
    bool mapped() const { return mapped_; }
    wlr_scene_node* node() const { return &tree_->node; }

    // Both sanitised (text.hpp): safe for labels, the CLI and logs.
    virtual std::string title() const = 0;
    virtual std::string app_id() const = 0;
    virtual wlr_surface* surface() const = 0;
    virtual const char* kind() const = 0;  // "wayland" or "x11"
    // Surface commits since the view was created: frames the client sent.
    uint64_t commits() const { return commits_; }

    // Position of the window's content (inside the border) in layout coordinates.
    int x() const { return x_; }
    int y() const { return y_; }
    wlr_box content_box() const { return {x_, y_, width_, height_}; }
    // Inside the border, relative to the content's top-left: the content, or
    // more when the content is smaller than a frame may be.
    wlr_box frame_inner_box() const;
    void move_to(int x, int y);
    void raise();  // above the other windows of its workspace, label included
    void toggle_maximized();
    // What the client (or the user) asked for, honoured as asked, not toggled.
    void set_maximized(bool maximized);
    // Fullscreen covers the usable area (all but the bar, which keeps naming
    // the workspace's container); refused when the container's policy says
    // `fullscreen = false`. A notice names the container on entering.
    void set_fullscreen(bool fullscreen);
    bool fullscreen() const { return fullscreen_; }
    // Minimised windows are hidden until focused again (Super+Tab).
    void set_minimized(bool minimized);
    bool minimized() const { return minimized_; }
    // The window this one is a dialog of (same container), if any.
    virtual View* parent_view() const { return nullptr; }
    // Interactive resize (seat_grab.cpp): asks the client for a content size.
    void request_content_size(int width, int height) { request_size(width, height); }
    // The client's own limits on its content size; 0 = none.
    struct SizeLimits {
        int min_width = 0, min_height = 0, max_width = 0, max_height = 0;
    };
    virtual SizeLimits size_limits() const { return {}; }
    virtual void set_activated(bool active) = 0;
    virtual void close() = 0;
    // The usable area changed (a panel reserved room): a maximized or
    // fullscreen window is fitted to it again.
    void usable_area_changed();

protected:
    // Subclass hooks.
    virtual void request_size(int width, int height) = 0;
    virtual void set_maximized_state(bool maximized) = 0;
    virtual void set_fullscreen_state(bool fullscreen) = 0;
    virtual void moved() {}

    // Called by subclasses from their protocol events.
    void attach_surface_node(wlr_scene_node* node);  // the client's surfaces, below the decoration
    // Before the first configure: a window that asks to start maximized or
    // fullscreen is told that state and its size at once, so that its first
    // frame fits (the map then applies the state as usual).
    void start_in_state(bool maximized, bool fullscreen);
    void mapped_at(int width, int height);  // places and shows the view
    void unmapped();
    void resized(int width, int height);
    void update_label();
    void count_commit() { ++commits_; }

private:
    void update_decoration();
    void place_initially(int width, int height);
    void show_frame(bool shown);
    wlr_box normal_box();  // what leaving maximized or fullscreen returns to

    Server& server_;
    Workspace* workspace_;
    std::string container_;
    wlr_scene_tree* tree_;         // positioned at the content's top-left
    wlr_scene_tree* decoration_;   // borders, above the client's surfaces
    wlr_scene_tree* label_tree_;   // title strip and label, in the workspace's label layer
    wlr_scene_rect* edges_[4];     // top (incl. title strip), bottom, left, right
    wlr_scene_rect* backdrop_[2];  // right of and below a content smaller than its frame
    wlr_scene_buffer* label_ = nullptr;
    std::string label_text_;
    int label_for_width_ = 0;
    int x_ = 0, y_ = 0;
    int width_ = 0, height_ = 0;
    bool mapped_ = false;
    uint64_t commits_ = 0;
    bool maximized_ = false;
    bool fullscreen_ = false;
    bool minimized_ = false;
    bool placed_ = false;
    bool normal_size_known_ = true;   // false while it never had a size of its own
    wlr_box saved_box_{};             // before maximising
    wlr_box saved_fullscreen_box_{};  // before going fullscreen
};

// An xdg-shell toplevel.
class XdgView final : public View {
public:
    XdgView(Server& server, wlr_xdg_surface* xdg, Workspace& workspace, std::string container);
    ~XdgView() override;

    std::string title() const override;
    std::string app_id() const override;
    wlr_surface* surface() const override { return xdg_->surface; }
    const char* kind() const override { return "wayland"; }
    void set_activated(bool active) override { wlr_xdg_toplevel_set_activated(xdg_, active); }
    void close() override { wlr_xdg_toplevel_send_close(xdg_); }
    SizeLimits size_limits() const override;

    // Popups of this window hang below this node (origin: the window geometry's top-left).
    wlr_scene_node* popup_parent_node() const { return &popups_->node; }
    // The usable output area in the toplevel's surface coordinates, the box
    // wlr_xdg_popup_unconstrain_from_box() expects.
    wlr_box usable_area_in_surface_coords() const;

private:
    void request_size(int width, int height) override;
    void set_maximized_state(bool maximized) override;
    void set_fullscreen_state(bool fullscreen) override;
    View* parent_view() const override;
    void on_map();
    void on_commit();
    void on_request_maximize();
    void on_request_fullscreen();
    void keep_main_surface_still(const wlr_box& geo);

    wlr_xdg_surface* xdg_;
    std::unique_ptr<ClippedSurfaceTree> surfaces_;
    wlr_scene_tree* popups_;
    wlr_box last_geo_{};              // the window geometry at the last commit while mapped
    bool implicit_geometry_ = false;  // ... and whether the client left it unset
    Listener map_, unmap_, destroy_, commit_, set_title_, request_maximize_, request_fullscreen_, request_minimize_;
    Listener request_move_, request_resize_;
};

}  // namespace ctop
