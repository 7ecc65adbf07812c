// Pointer lock and confinement, and relative motion.
#include "pointer_constraints.hpp"

namespace ctop {

PointerConstraints::PointerConstraints(wl_display* display, wlr_seat* seat)
    : seat_(seat), constraints_(wlr_pointer_constraints_v1_create(display)),
      relative_(wlr_relative_pointer_manager_v1_create(display))
{
    // A constraint made while its surface already has the focus applies now.
    new_constraint_.connect(&constraints_->events.new_constraint, [this](void*) { update(); });
}

PointerConstraints::~PointerConstraints()
{
    active_destroy_.disconnect();
}

void PointerConstraints::update()
{
    wlr_pointer_constraint_v1* want = nullptr;
    wlr_surface* pointer = seat_->pointer_state.focused_surface;
    wlr_surface* keyboard = seat_->keyboard_state.focused_surface;
    if (!suspended_ && pointer && keyboard && wlr_surface_get_root_surface(pointer) == keyboard) {
        want = wlr_pointer_constraints_v1_constraint_for_surface(constraints_, pointer, seat_);
        // It takes effect once the pointer is inside its region.
        if (want && !pixman_region32_contains_point(&want->region, static_cast<int>(seat_->pointer_state.sx),
                                                    static_cast<int>(seat_->pointer_state.sy), nullptr))
            want = want == active_ ? want : nullptr;
    }
    if (want != active_) activate(want);
}

void PointerConstraints::activate(wlr_pointer_constraint_v1* constraint)
{
    wlr_pointer_constraint_v1* old = active_;
    active_ = constraint;
    active_destroy_.disconnect();
    // May destroy a one-shot constraint: nothing of it is used afterwards.
    if (old) wlr_pointer_constraint_v1_send_deactivated(old);
    if (!constraint) return;
    active_destroy_.connect(&constraint->events.destroy, [this](void*) {
        active_destroy_.disconnect();
        active_ = nullptr;
    });
    wlr_pointer_constraint_v1_send_activated(constraint);
}

void PointerConstraints::release()
{
    activate(nullptr);
}

bool PointerConstraints::constrain_motion(uint32_t time_msec, double* dx, double* dy, double udx, double udy)
{
    wlr_relative_pointer_manager_v1_send_relative_motion(relative_, seat_, static_cast<uint64_t>(time_msec) * 1000, *dx,
                                                         *dy, udx, udy);
    if (!active_) return false;
    if (active_->type == WLR_POINTER_CONSTRAINT_V1_LOCKED) {
        *dx = *dy = 0;
        return true;
    }
    // Only from a point inside the region (the client may have changed it
    // under the pointer): then the motion ends inside it too.
    double sx = seat_->pointer_state.sx, sy = seat_->pointer_state.sy, nx, ny;
    if (!wlr_region_confine(&active_->region, sx, sy, sx + *dx, sy + *dy, &nx, &ny)) return false;
    *dx = nx - sx;
    *dy = ny - sy;
    return true;
}

}  // namespace ctop
