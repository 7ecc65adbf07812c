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

// A window's label: the container's name in a box of its own (bold, in the
// workspace colour, outlined) and the client's title after it in plain text on
// a darker strip. Nothing a title contains can draw that box, so a title can
// never pass for another container's name. The name is never cut: the label
// is at least label_owner_width() wide, the title is cut to max_width.
wlr_buffer* render_view_label(const std::string& owner, const std::string& title, Color background, int height,
                              int max_width);
int label_owner_width(const std::string& owner, int height);

// Black or white, whichever reads better on `background`.
Color text_color_on(Color background);

}  // namespace ctop
