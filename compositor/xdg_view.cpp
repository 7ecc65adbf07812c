// xdg-shell toplevels as views.
#include "view.hpp"

#include "popup.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "text.hpp"

#include <algorithm>

namespace ctop {

XdgView::XdgView(Server& server, wlr_xdg_surface* xdg, Workspace& workspace, std::string container)
    : View(server, workspace, std::move(container)), xdg_(xdg)
{
    // The client's surfaces, cropped to its window geometry, below our
    // border; its popups above the border (a menu reaching past the window
    // is not crossed by its frame) and still below every label.
    surfaces_ = std::make_unique<ClippedSurfaceTree>(node(), xdg->surface, server.layout());
    attach_surface_node(surfaces_->node());
    popups_ = wlr_scene_tree_create(node());  // the view's last child: above the decoration
    xdg->data = this;
    // Created on the first commit, before the first configure goes out:
    // states asked for before it (Firefox asks for maximized on a small
    // screen, foot --fullscreen) and their size go out with it.
    start_in_state(xdg->toplevel->requested.maximized, xdg->toplevel->requested.fullscreen);

    map_.connect(&xdg->events.map, [this](void*) { on_map(); });
    unmap_.connect(&xdg->events.unmap, [this](void*) { unmapped(); });
    destroy_.connect(&xdg->events.destroy, [this](void*) { this->server().view_destroyed(*this); });
    commit_.connect(&xdg->surface->events.commit, [this](void*) {
        count_commit();
        on_commit();
    });
    set_title_.connect(&xdg->toplevel->events.set_title, [this](void*) { update_label(); });
    // States are honoured as asked, never toggled: GTK sends unset_maximized
    // before its first map. Before the map the request only needs a configure
    // back; the map handler applies what was asked.
    request_maximize_.connect(&xdg->toplevel->events.request_maximize, [this](void*) { on_request_maximize(); });
    request_minimize_.connect(&xdg->toplevel->events.request_minimize, [this](void*) {
        if (mapped() && xdg_->toplevel->requested.minimized) set_minimized(true);
    });
    // A title bar drawn by the client asks us to move or resize its window;
    // the seat checks the request against a real button press.
    request_move_.connect(&xdg->toplevel->events.request_move, [this](void* data) {
        auto* ev = static_cast<wlr_xdg_toplevel_move_event*>(data);
        this->server().seat().request_move(*this, ev->seat, ev->serial);
    });
    request_resize_.connect(&xdg->toplevel->events.request_resize, [this](void* data) {
        auto* ev = static_cast<wlr_xdg_toplevel_resize_event*>(data);
        this->server().seat().request_resize(*this, ev->seat, ev->serial, ev->edges);
    });
    // Fullscreen keeps the bar naming the container (View::set_fullscreen);
    // the policy may refuse it, and then the client gets its state back.
    request_fullscreen_.connect(&xdg->toplevel->events.request_fullscreen, [this](void*) { on_request_fullscreen(); });
}

void XdgView::on_map()
{
    wlr_box geo;
    wlr_xdg_surface_get_geometry(xdg_, &geo);
    on_commit();
    mapped_at(geo.width, geo.height);
    // Mapped again, its main surface is where it was when it unmapped.
    keep_main_surface_still(geo);
    // States asked for before the window mapped (foot --fullscreen).
    if (xdg_->toplevel->requested.fullscreen) set_fullscreen(true);
    else if (xdg_->toplevel->requested.maximized) set_maximized(true);
}

void XdgView::on_request_maximize()
{
    if (!xdg_->added) return;
    if (!mapped()) return (void)wlr_xdg_surface_schedule_configure(xdg_);
    set_maximized(xdg_->toplevel->requested.maximized);
}

void XdgView::on_request_fullscreen()
{
    if (!xdg_->added) return;
    if (!mapped()) return (void)wlr_xdg_surface_schedule_configure(xdg_);
    set_fullscreen(xdg_->toplevel->requested.fullscreen);
}

XdgView::~XdgView()
{
    xdg_->data = nullptr;
    surfaces_.reset();
}

std::string XdgView::title() const
{
    const char* t = xdg_->toplevel ? xdg_->toplevel->title : nullptr;
    return sanitize_title(t ? t : "");
}

std::string XdgView::app_id() const
{
    const char* a = xdg_->toplevel ? xdg_->toplevel->app_id : nullptr;
    return sanitize_title(a ? a : "");
}

View::SizeLimits XdgView::size_limits() const
{
    const wlr_xdg_toplevel_state& st = xdg_->toplevel->current;
    auto dim = [](uint32_t v) { return static_cast<int>(std::min<uint32_t>(v, 1 << 15)); };
    return {dim(st.min_width), dim(st.min_height), dim(st.max_width), dim(st.max_height)};
}

void XdgView::on_commit()
{
    // The window geometry's top-left sits at our content origin; whatever
    // the client draws outside its geometry (CSD shadows) is cropped away.
    wlr_box geo;
    wlr_xdg_surface_get_geometry(xdg_, &geo);
    if (mapped()) keep_main_surface_still(geo);
    wlr_scene_node_set_position(surfaces_->node(), -geo.x, -geo.y);
    surfaces_->set_clip(geo);
    if (mapped()) resized(geo.width, geo.height);
}

void XdgView::keep_main_surface_still(const wlr_box& geo)
{
    // A client that never set a window geometry has the bounds of all its
    // surfaces as one (xdg-shell), so a subsurface moving to a negative
    // offset moves the geometry's top-left. The window grows to the left or
    // up then, and its main surface stays where the user sees it, rather
    // than every surface jumping right or down. A geometry the client set
    // keeps its own top-left in place instead: GTK changes its shadow's
    // width on focus changes, and the window itself must not move then.
    bool implicit = xdg_->current.geometry.width == 0;
    if (implicit && implicit_geometry_ && (geo.x != last_geo_.x || geo.y != last_geo_.y))
        move_to(x() + geo.x - last_geo_.x, y() + geo.y - last_geo_.y);
    implicit_geometry_ = implicit;
    last_geo_ = geo;
}

wlr_box XdgView::usable_area_in_surface_coords() const
{
    wlr_box area = const_cast<XdgView*>(this)->server().usable_area();
    wlr_box geo;
    wlr_xdg_surface_get_geometry(xdg_, &geo);
    return {area.x - x() + geo.x, area.y - y() + geo.y, area.width, area.height};
}

void XdgView::request_size(int width, int height)
{
    if (xdg_->added) wlr_xdg_toplevel_set_size(xdg_, width, height);
}

View* XdgView::parent_view() const
{
    wlr_xdg_surface* parent = xdg_->toplevel ? xdg_->toplevel->parent : nullptr;
    return parent && parent->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL ? static_cast<XdgView*>(parent->data) : nullptr;
}

void XdgView::set_fullscreen_state(bool fullscreen)
{
    if (xdg_->added) wlr_xdg_toplevel_set_fullscreen(xdg_, fullscreen);
}

void XdgView::set_maximized_state(bool maximized)
{
    if (xdg_->added) wlr_xdg_toplevel_set_maximized(xdg_, maximized);
}

}  // namespace ctop
