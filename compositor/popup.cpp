// xdg_popup scene trees, their placement and their clip.
#include "popup.hpp"

#include "seat.hpp"
#include "server.hpp"
#include "view.hpp"

#include <algorithm>

namespace ctop {

XdgPopup::XdgPopup(XdgView& view, wlr_xdg_surface* xdg, wlr_scene_node* parent_node)
    : view_(view), xdg_(xdg), tree_(wlr_scene_tree_create(parent_node))
{
    xdg->data = this;
    surfaces_ = std::make_unique<ClippedSurfaceTree>(&tree_->node, xdg->surface, view.server().layout());
    // Before its first configure goes out (on idle): the geometry the client
    // is told is already the one that fits the usable area.
    wlr_box box = view.usable_area_in_surface_coords();
    wlr_xdg_popup_unconstrain_from_box(xdg->popup, &box);
    wlr_scene_node_set_enabled(&tree_->node, xdg->mapped);
    update();

    map_.connect(&xdg->events.map, [this](void*) { on_map(); });
    unmap_.connect(&xdg->events.unmap, [this](void*) { on_unmap(); });
    commit_.connect(&xdg->surface->events.commit, [this](void*) { update(); });
    destroy_.connect(&xdg->events.destroy, [this](void*) { delete this; });
}

void XdgPopup::on_map()
{
    update();
    wlr_scene_node_set_enabled(&tree_->node, true);
    take_keyboard();
}

void XdgPopup::on_unmap()
{
    wlr_scene_node_set_enabled(&tree_->node, false);
    return_keyboard();
}

XdgPopup::~XdgPopup()
{
    xdg_->data = nullptr;
    surfaces_.reset();
    wlr_scene_node_destroy(&tree_->node);  // with any child popup still in it
}

// xdg-shell: during a popup grab "the top most grabbing popup will always
// have keyboard focus" (arrow keys walk the menu, Escape closes it). wlroots
// 0.15 starts the grab but leaves the focus where it was, so it is moved
// here: only for a popup that grabbed, of the client that has the keyboard
// already (Seat::check_popup_grab ends any other client's grab).
void XdgPopup::take_keyboard()
{
    wlr_seat* seat = view_.server().seat().wlr();
    wlr_seat_client* focused = seat->keyboard_state.focused_client;
    bool grabbing = xdg_->popup->seat == seat && seat->keyboard_state.grab != seat->keyboard_state.default_grab;
    if (!grabbing || !focused || focused->client != wl_resource_get_client(xdg_->resource)) return;
    view_.server().seat().focus_within_popup_grab(xdg_->surface);
}

// The menu closes: the keyboard goes back to what it was opened from (its
// parent menu, or the window), not nowhere.
void XdgPopup::return_keyboard()
{
    wlr_seat* seat = view_.server().seat().wlr();
    if (seat->keyboard_state.focused_surface != xdg_->surface) return;
    wlr_surface* parent = xdg_->popup->parent;
    wlr_xdg_surface* parent_xdg =
        parent && wlr_surface_is_xdg_surface(parent) ? wlr_xdg_surface_from_wlr_surface(parent) : nullptr;
    if (!parent_xdg || !parent_xdg->mapped) parent = view_.mapped() ? view_.surface() : nullptr;
    view_.server().seat().focus_within_popup_grab(parent);
}

void XdgPopup::update()
{
    // popup->geometry: where the positioner (and wlroots' unconstraining)
    // put the popup's window geometry, relative to the parent's.
    const wlr_box& placed = xdg_->popup->geometry;
    wlr_box geo;
    wlr_xdg_surface_get_geometry(xdg_, &geo);
    wlr_scene_node_set_position(surfaces_->node(), -geo.x, -geo.y);

    // Clients may draw a menu bigger than it was configured (Firefox sizes
    // its context menu after the configure, and xdg-shell 2 cannot tell it
    // a new place): it is drawn whole, slid back into the usable area as
    // far as it fits, and never drawn outside that area.
    int px = 0, py = 0;
    wlr_scene_node_coords(tree_->node.parent, &px, &py);
    wlr_box area = view_.server().usable_area();
    int x = px + placed.x, y = py + placed.y;
    x = std::max(area.x, std::min(x, area.x + area.width - geo.width));
    y = std::max(area.y, std::min(y, area.y + area.height - geo.height));
    wlr_scene_node_set_position(&tree_->node, x - px, y - py);

    wlr_box area_local{area.x - x + geo.x, area.y - y + geo.y, area.width, area.height};
    wlr_box visible{};
    if (!wlr_box_intersection(&visible, &geo, &area_local)) visible = {0, 0, 0, 0};
    surfaces_->set_clip(visible);
}

}  // namespace ctop
