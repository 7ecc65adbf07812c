// `ctopbroker doctor`: checks, as the current user, what the session and its
// unprivileged containers need; prints each failure with its fix.
#pragma once

namespace ctop {

// Exit status: 0 when everything is in place.
int run_doctor();

}  // namespace ctop
