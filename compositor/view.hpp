// View: one toplevel window (xdg-shell today, Xwayland later), the workspace
// it belongs to, and the decoration we draw around it: a border and a label
// strip in the workspace's colour. The decoration sits above the client's
// surfaces in the scene, so nothing a client draws can cover it.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

#include <string>

namespace ctop {

class Server;
class Workspace;

class View {
public:
    static constexpr int border_width = 4;
    static constexpr int title_height = 22;

    View(Server& server, wlr_xdg_surface* xdg, Workspace& workspace, std::string container);
    ~View();
    View(const View&) = delete;
    View& operator=(const View&) = delete;

    Server& server() { return server_; }
    Workspace& workspace() const { return *workspace_; }
    // The container the client connected from; empty for host clients.
    const std::string& container() const { return container_; }
    std::string title() const;
    std::string app_id() const;
    bool mapped() const { return mapped_; }
    wlr_surface* surface() const { return xdg_->surface; }
    wlr_xdg_surface* xdg() const { return xdg_; }
    wl_client* client() const;
    wlr_scene_node* node() const { return &tree_->node; }

    // Position of the window's content (inside the border) in layout coordinates.
    int x() const { return x_; }
    int y() const { return y_; }
    wlr_box content_box() const;
    void move_to(int x, int y);
    void set_activated(bool active);
    void toggle_maximized();
    void close();

private:
    void on_map();
    void on_unmap();
    void on_commit();
    void update_decoration();
    void update_label();
    void place_initially();

    Server& server_;
    wlr_xdg_surface* xdg_;
    Workspace* workspace_;
    std::string container_;
    wlr_scene_tree* tree_;          // positioned at the content's top-left
    wlr_scene_node* surface_node_;  // the client's surfaces and popups
    wlr_scene_tree* decoration_;    // above surface_node_
    wlr_scene_rect* edges_[4];      // top (incl. title strip), bottom, left, right
    wlr_scene_buffer* label_ = nullptr;
    std::string label_text_;
    int label_for_width_ = 0;
    int x_ = 0, y_ = 0;
    int width_ = 0, height_ = 0;
    bool mapped_ = false;
    bool maximized_ = false;
    wlr_box saved_box_{};

    Listener map_, unmap_, destroy_, commit_, set_title_, request_maximize_, request_fullscreen_,
        request_move_, request_resize_;
};

}  // namespace ctop
