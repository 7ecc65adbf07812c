// Pointer constraints (lock/confine, for games and 3D views) and relative
// motion. A constraint is active only while its surface has both the pointer
// and the keyboard focus — which the seat gives only to windows of the
// visible workspace — so focus moving elsewhere, a workspace switch or the
// window going away releases the pointer at once.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

namespace ctop {

class PointerConstraints {
public:
    PointerConstraints(wl_display* display, wlr_seat* seat);
    ~PointerConstraints();
    PointerConstraints(const PointerConstraints&) = delete;
    PointerConstraints& operator=(const PointerConstraints&) = delete;

    // Re-evaluates which constraint may be active; after any focus change.
    void update();
    // Relative motion for the client with the pointer; then the motion the
    // cursor may make: (0, 0) while locked, clipped to the region while
    // confined. True when the pointer stays on the constraint's surface.
    bool constrain_motion(uint32_t time_msec, double* dx, double* dy, double udx, double udy);
    void release();  // deactivates whatever is active (grabs, teardown)

private:
    void activate(wlr_pointer_constraint_v1* constraint);

    wlr_seat* seat_;
    wlr_pointer_constraints_v1* constraints_;
    wlr_relative_pointer_manager_v1* relative_;
    wlr_pointer_constraint_v1* active_ = nullptr;
    bool suspended_ = false;  // during a compositor grab
    Listener new_constraint_, active_destroy_;
    friend class Seat;
};

}  // namespace ctop
