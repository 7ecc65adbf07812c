// What every window has: placement in its workspace, our decoration, moves
// and maximize.
#include "view.hpp"

#include "label.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "workspace.hpp"

#include <algorithm>

namespace ctop {

namespace {

// `box` (a window's content) shrunk and moved so that it and its frame fit
// `area`, or as it was when it fits. A window that went fullscreen before it
// took the smaller size it was asked for at map (Xephyr maps as large as the
// output) would otherwise come back under the bar and past the bottom.
wlr_box fitted(wlr_box box, const wlr_box& area)
{
    const int b = View::border_width, t = View::title_height;
    int max_w = std::max(1, area.width - 2 * b), max_h = std::max(1, area.height - 2 * b - t);
    if (box.width <= max_w && box.height <= max_h) return box;
    box.width = std::min(box.width, max_w);
    box.height = std::min(box.height, max_h);
    box.x = std::clamp(box.x, area.x + b, std::max(area.x + b, area.x + area.width - b - box.width));
    box.y = std::clamp(box.y, area.y + t + b, std::max(area.y + t + b, area.y + area.height - b - box.height));
    return box;
}

}  // namespace

View::View(Server& server, Workspace& workspace, std::string container)
    : server_(server), workspace_(&workspace), container_(std::move(container))
{
    tree_ = wlr_scene_tree_create(&workspace.tree()->node);
    tree_->node.data = this;
    decoration_ = wlr_scene_tree_create(&tree_->node);
    // The title strip and the label live in the workspace's label layer,
    // above every window's content and popups (workspace.hpp).
    label_tree_ = wlr_scene_tree_create(&workspace.label_layer()->node);
    label_tree_->node.data = this;
    auto color = workspace.color().rgba();
    edges_[0] = wlr_scene_rect_create(&label_tree_->node, 0, 0, color.data());
    for (int i = 1; i < 4; ++i) edges_[i] = wlr_scene_rect_create(&decoration_->node, 0, 0, color.data());
    const float backdrop[4] = {0.12f, 0.12f, 0.13f, 1.0f};
    for (auto*& rect : backdrop_) rect = wlr_scene_rect_create(&tree_->node, 0, 0, backdrop);
    wlr_scene_node_set_enabled(&tree_->node, false);
    wlr_scene_node_set_enabled(&label_tree_->node, false);
}

View::~View()
{
    server_.seat().forget_view(*this);
    wlr_scene_node_destroy(&label_tree_->node);
    wlr_scene_node_destroy(&tree_->node);
}

void View::raise()
{
    wlr_scene_node_raise_to_top(&tree_->node);
    wlr_scene_node_raise_to_top(&label_tree_->node);
    server_.seat().schedule_pointer_refresh();  // now above what the pointer was on
}

void View::attach_surface_node(wlr_scene_node* node)
{
    wlr_scene_node_reparent(node, &tree_->node);
    wlr_scene_node_place_below(node, &decoration_->node);
}

void View::place_initially(int width, int height)
{
    // A window never starts larger than the usable area (below the bar, with
    // room for its frame): a bigger one is asked to shrink.
    const int b = border_width, t = title_height;
    wlr_box area = server_.usable_area();
    int max_w = std::max(1, area.width - 2 * b), max_h = std::max(1, area.height - 2 * b - t);
    int w = std::min(width, max_w), h = std::min(height, max_h);
    if (w != width || h != height) request_size(w, h);

    // Dialogs centre on their parent; other windows cascade.
    int x, y;
    if (View* parent = parent_view(); parent && &parent->workspace() == workspace_ && parent->mapped()) {
        wlr_box p = parent->content_box();
        x = p.x + (p.width - w) / 2;
        y = p.y + (p.height - h) / 2;
    } else {
        int count = 0;
        for (View* v : server_.seat().focus_stack()) count += &v->workspace() == workspace_;
        int offset = (count % 8) * 32;
        x = area.x + b + 16 + offset;
        y = area.y + t + b + 16 + offset;
    }
    // The whole frame inside the usable area, label included.
    x = std::clamp(x, area.x + b, std::max(area.x + b, area.x + area.width - b - w));
    y = std::clamp(y, area.y + t + b, std::max(area.y + t + b, area.y + area.height - b - h));
    move_to(x, y);
}

void View::start_in_state(bool maximized, bool fullscreen)
{
    if (fullscreen && !server_.fullscreen_allowed(container_)) fullscreen = false;  // told at map, with a notice
    if (!maximized && !fullscreen) return;
    const int b = border_width, t = title_height;
    wlr_box area = server_.usable_area();
    if (fullscreen) request_size(area.width, area.height);
    else request_size(area.width - 2 * b, area.height - 2 * b - t);
    if (fullscreen) set_fullscreen_state(true);
    else set_maximized_state(true);
    normal_size_known_ = false;
}

wlr_box View::normal_box()
{
    if (normal_size_known_) return fitted(content_box(), server_.usable_area());
    // The window never had a size of its own (it started maximized or
    // fullscreen): leaving that state, it gets three quarters of the usable
    // area, centred, frame included.
    normal_size_known_ = true;
    const int b = border_width, t = title_height;
    wlr_box area = server_.usable_area();
    int w = std::max(1, (area.width - 2 * b) * 3 / 4), h = std::max(1, (area.height - 2 * b - t) * 3 / 4);
    return {area.x + (area.width - w) / 2, area.y + t + b + (area.height - t - 2 * b - h) / 2, w, h};
}

void View::mapped_at(int width, int height)
{
    mapped_ = true;
    if (!placed_) place_initially(width, height);  // a window mapped again stays where it was
    placed_ = true;
    resized(width, height);
    wlr_scene_node_set_enabled(&tree_->node, true);
    wlr_scene_node_set_enabled(&label_tree_->node, true);
    server_.seat().view_mapped(*this);
}

void View::unmapped()
{
    mapped_ = false;
    if (fullscreen_) show_frame(true);
    fullscreen_ = minimized_ = maximized_ = false;
    wlr_scene_node_set_enabled(&tree_->node, false);
    wlr_scene_node_set_enabled(&label_tree_->node, false);
    server_.seat().view_unmapped(*this);
}

void View::resized(int width, int height)
{
    if (width == width_ && height == height_) return;
    width_ = width;
    height_ = height;
    update_decoration();
    server_.seat().schedule_pointer_refresh();  // the border moved with the new size
}

wlr_box View::frame_inner_box() const
{
    // Never smaller than the container's name: a window whose geometry is
    // 1x1 still gets a frame whose label names its container in full.
    const std::string& owner = container_;
    int min_width = std::max(1, label_owner_width(owner, title_height) - 2 * border_width);
    return {0, 0, std::max(width_, min_width), std::max(height_, min_content_height)};
}

void View::update_decoration()
{
    const int b = border_width, t = title_height;
    wlr_box f = frame_inner_box();
    wlr_scene_rect_set_size(edges_[0], f.width + 2 * b, t + b);  // title strip + top border
    wlr_scene_node_set_position(&edges_[0]->node, -b, -b - t);
    wlr_scene_rect_set_size(edges_[1], f.width + 2 * b, b);
    wlr_scene_node_set_position(&edges_[1]->node, -b, f.height);
    wlr_scene_rect_set_size(edges_[2], b, f.height);
    wlr_scene_node_set_position(&edges_[2]->node, -b, 0);
    wlr_scene_rect_set_size(edges_[3], b, f.height);
    wlr_scene_node_set_position(&edges_[3]->node, f.width, 0);
    // Inside the frame but outside the client's content (a window smaller
    // than its frame): our own backdrop, so nothing else shows through there.
    wlr_scene_rect_set_size(backdrop_[0], f.width - width_, f.height);
    wlr_scene_node_set_position(&backdrop_[0]->node, width_, 0);
    wlr_scene_rect_set_size(backdrop_[1], width_, f.height - height_);
    wlr_scene_node_set_position(&backdrop_[1]->node, 0, height_);
    update_label();
}

void View::update_label()
{
    // The container name comes from the socket the client connected to, never
    // from the client; the title is the client's (sanitised) and is drawn
    // apart from the name (label.hpp).
    const std::string& owner = container_;
    std::string title = this->title();
    int max_width = frame_inner_box().width + 2 * border_width;
    std::string key = owner + '\0' + title;
    if (key == label_text_ && max_width == label_for_width_) return;
    label_text_ = key;
    label_for_width_ = max_width;
    if (label_) wlr_scene_node_destroy(&label_->node);
    wlr_buffer* buffer = render_view_label(owner, title, workspace_->color(), title_height, max_width);
    label_ = wlr_scene_buffer_create(&label_tree_->node, buffer);
    wlr_buffer_drop(buffer);  // the scene holds its own reference
    wlr_scene_node_set_position(&label_->node, -border_width, -border_width - title_height);
}

void View::move_to(int x, int y)
{
    x_ = x;
    y_ = y;
    wlr_scene_node_set_position(&tree_->node, x_, y_);
    wlr_scene_node_set_position(&label_tree_->node, x_, y_);
    moved();
    server_.seat().schedule_pointer_refresh();  // moved under or away from a still pointer
}

void View::set_maximized(bool maximized)
{
    if (maximized == maximized_ || fullscreen_) return set_maximized_state(maximized_);  // tell the current state
    toggle_maximized();
}

void View::show_frame(bool shown)
{
    wlr_scene_node_set_enabled(&decoration_->node, shown);
    wlr_scene_node_set_enabled(&label_tree_->node, shown && mapped_ && !minimized_);
    for (auto* rect : backdrop_) wlr_scene_node_set_enabled(&rect->node, shown);
}

void View::set_fullscreen(bool fullscreen)
{
    if (fullscreen == fullscreen_) return set_fullscreen_state(fullscreen_);
    if (fullscreen && !server_.fullscreen_allowed(container_)) {
        server_.notify("Fullscreen refused for " + container_ + " (policy: fullscreen = false)");
        return set_fullscreen_state(false);
    }
    fullscreen_ = fullscreen;
    if (fullscreen) {
        // The usable area, not the output: the bar stays visible above it,
        // naming this workspace's container in its colour.
        saved_fullscreen_box_ = normal_box();
        wlr_box area = server_.usable_area();
        show_frame(false);
        move_to(area.x, area.y);
        request_size(area.width, area.height);
        raise();
        if (workspace_->visible())  // a background container cannot flood the screen with notices
            server_.notify(container_ + " is fullscreen (the bar names it; Super+F leaves)");
    } else {
        show_frame(true);
        move_to(saved_fullscreen_box_.x, saved_fullscreen_box_.y);
        request_size(saved_fullscreen_box_.width, saved_fullscreen_box_.height);
    }
    set_fullscreen_state(fullscreen_);
}

void View::set_minimized(bool minimized)
{
    if (minimized == minimized_ || !mapped_) return;
    minimized_ = minimized;
    wlr_scene_node_set_enabled(&tree_->node, !minimized);
    show_frame(!fullscreen_);
    if (minimized) server_.seat().view_minimized(*this);
    server_.seat().schedule_pointer_refresh();
}

void View::usable_area_changed()
{
    if (!mapped_ || (!fullscreen_ && !maximized_)) return;
    const int b = border_width, t = title_height;
    wlr_box area = server_.usable_area();
    if (fullscreen_) {
        move_to(area.x, area.y);
        request_size(area.width, area.height);
    } else {
        move_to(area.x + b, area.y + b + t);
        request_size(area.width - 2 * b, area.height - 2 * b - t);
    }
}

void View::toggle_maximized()
{
    if (fullscreen_) return set_fullscreen(false);  // Super+F leaves fullscreen first
    if (!maximized_) {
        saved_box_ = normal_box();
        wlr_box area = server_.usable_area();
        move_to(area.x + border_width, area.y + border_width + title_height);
        request_size(area.width - 2 * border_width, area.height - 2 * border_width - title_height);
    } else {
        move_to(saved_box_.x, saved_box_.y);
        request_size(saved_box_.width, saved_box_.height);
    }
    maximized_ = !maximized_;
    set_maximized_state(maximized_);
}

}  // namespace ctop
