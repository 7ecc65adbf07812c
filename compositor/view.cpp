// xdg toplevels: mapping into their container's workspace, our decoration,
// moves and maximize.
#include "view.hpp"

#include "label.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "workspace.hpp"

#include <algorithm>

namespace ctop {

View::View(Server& server, wlr_xdg_surface* xdg, Workspace& workspace, std::string container)
    : server_(server), xdg_(xdg), workspace_(&workspace), container_(std::move(container))
{
    tree_ = wlr_scene_tree_create(&workspace.tree()->node);
    tree_->node.data = this;
    surface_node_ = wlr_scene_xdg_surface_create(&tree_->node, xdg);
    decoration_ = wlr_scene_tree_create(&tree_->node);  // created last: drawn above the client
    auto color = workspace.color().rgba();
    for (auto*& edge : edges_) edge = wlr_scene_rect_create(&decoration_->node, 0, 0, color.data());
    wlr_scene_node_set_enabled(&tree_->node, false);
    xdg->data = this;

    map_.connect(&xdg->events.map, [this](void*) { on_map(); });
    unmap_.connect(&xdg->events.unmap, [this](void*) { on_unmap(); });
    destroy_.connect(&xdg->events.destroy, [this](void*) { server_.view_destroyed(*this); });
    commit_.connect(&xdg->surface->events.commit, [this](void*) { on_commit(); });
    set_title_.connect(&xdg->toplevel->events.set_title, [this](void*) { update_label(); });
    request_maximize_.connect(&xdg->toplevel->events.request_maximize, [this](void*) {
        toggle_maximized();
    });
    request_fullscreen_.connect(&xdg->toplevel->events.request_fullscreen, [this](void*) {
        // Fullscreen would hide our label; we offer maximize instead.
        if (xdg_->added) wlr_xdg_surface_schedule_configure(xdg_);
    });
    request_move_.connect(&xdg->toplevel->events.request_move, [](void*) {});
    request_resize_.connect(&xdg->toplevel->events.request_resize, [](void*) {});
}

View::~View()
{
    server_.seat().forget_view(*this);
    if (label_) wlr_scene_node_destroy(&label_->node);
    wlr_scene_node_destroy(&tree_->node);
}

std::string View::title() const
{
    const char* t = xdg_->toplevel ? xdg_->toplevel->title : nullptr;
    return t ? t : "";
}

std::string View::app_id() const
{
    const char* a = xdg_->toplevel ? xdg_->toplevel->app_id : nullptr;
    return a ? a : "";
}

wl_client* View::client() const { return wl_resource_get_client(xdg_->resource); }

wlr_box View::content_box() const { return {x_, y_, width_, height_}; }

void View::place_initially()
{
    // Cascade new windows inside the usable area, leaving room for the label.
    wlr_box area = server_.usable_area();
    int count = 0;
    for (View* v : server_.views()) count += &v->workspace() == workspace_;
    int offset = (count % 8) * 32;
    x_ = area.x + border_width + 16 + offset;
    y_ = area.y + title_height + border_width + 16 + offset;
    wlr_scene_node_set_position(&tree_->node, x_, y_);
}

void View::on_map()
{
    mapped_ = true;
    place_initially();
    on_commit();
    wlr_scene_node_set_enabled(&tree_->node, true);
    server_.view_mapped(*this);
}

void View::on_unmap()
{
    mapped_ = false;
    wlr_scene_node_set_enabled(&tree_->node, false);
    server_.view_unmapped(*this);
}

void View::on_commit()
{
    wlr_box geo;
    wlr_xdg_surface_get_geometry(xdg_, &geo);
    // The client's window geometry starts at (geo.x, geo.y) of its surface; put
    // that point at our content origin so CSD shadows fall outside the border.
    wlr_scene_node_set_position(surface_node_, -geo.x, -geo.y);
    if (geo.width != width_ || geo.height != height_) {
        width_ = geo.width;
        height_ = geo.height;
        update_decoration();
    }
}

void View::update_decoration()
{
    const int b = border_width, t = title_height;
    wlr_scene_rect_set_size(edges_[0], width_ + 2 * b, t + b);  // title strip + top border
    wlr_scene_node_set_position(&edges_[0]->node, -b, -b - t);
    wlr_scene_rect_set_size(edges_[1], width_ + 2 * b, b);
    wlr_scene_node_set_position(&edges_[1]->node, -b, height_);
    wlr_scene_rect_set_size(edges_[2], b, height_);
    wlr_scene_node_set_position(&edges_[2]->node, -b, 0);
    wlr_scene_rect_set_size(edges_[3], b, height_);
    wlr_scene_node_set_position(&edges_[3]->node, width_, 0);
    update_label();
}

void View::update_label()
{
    // The container name comes from the socket the client connected to, never
    // from the client; the title is the client's and is shown after it.
    std::string owner = container_.empty() ? "host" : container_;
    std::string title = this->title();
    std::string text = title.empty() ? owner : owner + " | " + title;
    int max_width = std::max(1, width_ + 2 * border_width);
    if (text == label_text_ && max_width == label_for_width_) return;
    label_text_ = text;
    label_for_width_ = max_width;
    if (label_) wlr_scene_node_destroy(&label_->node);
    wlr_buffer* buffer = render_label(text, workspace_->color(), title_height, max_width);
    label_ = wlr_scene_buffer_create(&decoration_->node, buffer);
    wlr_buffer_drop(buffer);  // the scene holds its own reference
    wlr_scene_node_set_position(&label_->node, -border_width, -border_width - title_height);
}

void View::move_to(int x, int y)
{
    x_ = x;
    y_ = y;
    wlr_scene_node_set_position(&tree_->node, x_, y_);
}

void View::set_activated(bool active) { wlr_xdg_toplevel_set_activated(xdg_, active); }

void View::toggle_maximized()
{
    if (!xdg_->added) return;
    if (!maximized_) {
        saved_box_ = content_box();
        wlr_box area = server_.usable_area();
        move_to(area.x + border_width, area.y + border_width + title_height);
        wlr_xdg_toplevel_set_size(xdg_, area.width - 2 * border_width,
                                  area.height - 2 * border_width - title_height);
    } else {
        move_to(saved_box_.x, saved_box_.y);
        wlr_xdg_toplevel_set_size(xdg_, saved_box_.width, saved_box_.height);
    }
    maximized_ = !maximized_;
    wlr_xdg_toplevel_set_maximized(xdg_, maximized_);
}

void View::close() { wlr_xdg_toplevel_send_close(xdg_); }

}  // namespace ctop
