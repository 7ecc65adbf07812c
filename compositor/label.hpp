// Text rendered by the compositor (window labels, notices) into a wlr_buffer
// that the scene graph can show. Clients never touch these pixels.
#pragma once

#include "wlr.hpp"
#include "workspace.hpp"

#include <string>

namespace ctop {

// Renders `text` on a `background` strip of the given height; the width
// follows the text, capped at max_width. The caller owns the returned buffer
// and releases it with wlr_buffer_drop().
wlr_buffer* render_label(const std::string& text, Color background, int height, int max_width);

// Black or white, whichever reads better on `background`.
Color text_color_on(Color background);

}  // namespace ctop
