// BlitRenderer: wlroots 0.15's pixman renderer with one fast path added.
//
// That renderer draws every texture through a pixman transform, even one that
// only moves it by whole pixels; pixman then fetches pixel by pixel instead
// of copying rows (measured: 3.3 ms against 0.6 ms for a 1280x720 window on
// this project's 2-core test machine). Every window here sits below the bar
// and inside a frame, so every window was drawn the slow way, every frame.
// The wrapper draws an unscaled, unrotated, fully opaque texture at a
// whole-pixel position as a plain composite at an offset, and hands
// everything else to the pixman renderer unchanged.
#pragma once

struct wlr_renderer;

namespace ctop {

// Wraps `pixman` (a renderer from wlr_pixman_renderer_create or
// wlr_renderer_autocreate that is pixman); the wrapper owns it and destroys
// it with itself. Any other renderer is returned as it is.
wlr_renderer* with_fast_blits(wlr_renderer* pixman);

}  // namespace ctop
