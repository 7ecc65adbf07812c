// Drag and drop (wl_data_device.start_drag) inside one container. A drag
// starts only from the button press its client holds, like a move; its data
// is offered only to windows of the container (or the host) it started in,
// so dragging is no way around the clipboard's per-container selections;
// its icon follows the pointer inside the usable area, never over the bar.
#pragma once

#include "listener.hpp"
#include "surface_tree.hpp"
#include "wlr.hpp"

#include <functional>
#include <memory>

namespace ctop {

class Server;

class DragAndDrop {
public:
    DragAndDrop(Server& server, wlr_seat* seat);
    ~DragAndDrop();
    DragAndDrop(const DragAndDrop&) = delete;
    DragAndDrop& operator=(const DragAndDrop&) = delete;

    bool active() const;
    // `surface` (under the pointer) if the drag may offer its data there, else nullptr.
    wlr_surface* allowed_target(wlr_surface* surface) const;
    void pointer_moved(double lx, double ly);  // the icon follows
    // Called when a drag ended (the pointer is the seat's again).
    std::function<void()> on_end;

private:
    void on_request(wlr_seat_request_start_drag_event* event);
    void on_start(wlr_drag* drag);
    void show_icon(wlr_drag_icon* icon);
    void map_icon();
    void end();

    Server& server_;
    wlr_seat* seat_;
    wlr_drag* drag_ = nullptr;
    std::unique_ptr<ClippedSurfaceTree> icon_;
    wlr_surface* icon_surface_ = nullptr;
    double x_ = 0, y_ = 0;
    Listener request_, start_, destroy_, icon_map_, icon_unmap_, icon_destroy_;
};

}  // namespace ctop
