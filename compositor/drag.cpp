#include "drag.hpp"

#include "client_policy.hpp"
#include "server.hpp"

#include <algorithm>

namespace ctop {
namespace {

// A drag icon is the client's drawing on top of the windows; bigger than
// this it is cut (a text snapshot, a file's thumbnail fit well inside).
constexpr int max_icon_size = 256;

wl_client* client_of(wlr_surface* surface)
{
    return wl_resource_get_client(surface->resource);
}

}  // namespace

DragAndDrop::DragAndDrop(Server& server, wlr_seat* seat) : server_(server), seat_(seat)
{
    request_.connect(&seat->events.request_start_drag,
                     [this](void* data) { on_request(static_cast<wlr_seat_request_start_drag_event*>(data)); });
    start_.connect(&seat->events.start_drag, [this](void* data) { on_start(static_cast<wlr_drag*>(data)); });
}

DragAndDrop::~DragAndDrop()
{
    icon_.reset();
}

bool DragAndDrop::active() const
{
    return drag_ != nullptr;
}

void DragAndDrop::on_request(wlr_seat_request_start_drag_event* event)
{
    // Only while the client holds the press that started it (the serial
    // names it) and only on the surface it pressed: nobody drags without
    // the user's hand on the button.
    if (wlr_seat_validate_pointer_grab_serial(seat_, event->origin, event->serial)) {
        wlr_seat_start_pointer_drag(seat_, event->drag, event->serial);
        return;
    }
    wlr_log(WLR_DEBUG, "drag refused: no button press of its client holds the pointer");
    if (event->drag->source) wlr_data_source_destroy(event->drag->source);
}

void DragAndDrop::on_start(wlr_drag* drag)
{
    drag_ = drag;
    destroy_.connect(&drag->events.destroy, [this](void*) { end(); });
    if (drag->icon) show_icon(drag->icon);
}

wlr_surface* DragAndDrop::allowed_target(wlr_surface* surface) const
{
    if (!drag_ || !surface || !drag_->seat_client) return nullptr;
    const ClientPolicy& policy = server_.policy();
    return policy.container_of(client_of(surface)) == policy.container_of(drag_->seat_client->client) ? surface
                                                                                                      : nullptr;
}

void DragAndDrop::show_icon(wlr_drag_icon* icon)
{
    icon_surface_ = icon->surface;
    icon_destroy_.connect(&icon->events.destroy, [this](void*) {
        icon_map_.disconnect();
        icon_unmap_.disconnect();
        icon_destroy_.disconnect();
        icon_.reset();
        icon_surface_ = nullptr;
    });
    icon_map_.connect(&icon->events.map, [this](void*) { map_icon(); });
    icon_unmap_.connect(&icon->events.unmap, [this](void*) { icon_.reset(); });
    if (icon->mapped) map_icon();
}

void DragAndDrop::map_icon()
{
    icon_ = std::make_unique<ClippedSurfaceTree>(&server_.overlay_layer()->node, icon_surface_, server_.layout());
    pointer_moved(x_, y_);
}

void DragAndDrop::pointer_moved(double lx, double ly)
{
    x_ = lx;
    y_ = ly;
    if (!icon_) return;
    // The icon's top-left sits at the pointer plus the offset its client
    // gave; shown only inside the usable area (never over the bar), and
    // at most max_icon_size square.
    int ix = static_cast<int>(lx) + icon_surface_->sx, iy = static_cast<int>(ly) + icon_surface_->sy;
    wlr_box area = server_.usable_area();
    wlr_box icon{ix, iy, std::min(icon_surface_->current.width, max_icon_size),
                 std::min(icon_surface_->current.height, max_icon_size)};
    wlr_box shown{};
    if (!wlr_box_intersection(&shown, &icon, &area)) {
        wlr_scene_node_set_enabled(icon_->node(), false);
        return;
    }
    wlr_scene_node_set_enabled(icon_->node(), true);
    wlr_scene_node_set_position(icon_->node(), ix, iy);
    icon_->set_clip({shown.x - ix, shown.y - iy, shown.width, shown.height});
}

void DragAndDrop::end()
{
    destroy_.disconnect();
    icon_map_.disconnect();
    icon_unmap_.disconnect();
    icon_destroy_.disconnect();
    icon_.reset();
    icon_surface_ = nullptr;
    drag_ = nullptr;
    if (on_end) on_end();
}

}  // namespace ctop
