/* x_focus_client: an X11 client that gets keyboard focus and then hides its
 * window without closing it — the move that once left wlroots' window manager
 * believing the client still had focus after the compositor moved it away.
 *
 *   x_focus_client SECONDS
 *       map a window, wait (up to SECONDS) for FocusIn, print "focused",
 *       unmap it, print "unmapped", then stay connected for SECONDS
 */
#include "x_client.h"

#include <unistd.h>

static int wait_focus(xcb_connection_t *c, double seconds)
{
    double end = x_now() + seconds;
    while (x_now() < end) {
        xcb_generic_event_t *ev;
        while ((ev = xcb_poll_for_event(c))) {
            int type = ev->response_type & 0x7f;
            free(ev);
            if (type == XCB_FOCUS_IN) return 1;
        }
        if (xcb_connection_has_error(c)) return 0;
        usleep(20000);
    }
    return 0;
}

int main(int argc, char **argv)
{
    double seconds = argc > 1 ? atof(argv[1]) : 10;
    xcb_screen_t *screen;
    xcb_connection_t *c = x_connect("x_focus_client", &screen);
    uint32_t values[] = {screen->white_pixel, XCB_EVENT_MASK_FOCUS_CHANGE | XCB_EVENT_MASK_EXPOSURE};
    xcb_window_t w =
        x_titled_window(c, screen, 0, 0, 200, 100, XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, values, "x_focus_client");
    xcb_map_window(c, w);
    xcb_flush(c);
    if (!wait_focus(c, seconds)) {
        printf("never focused\n");
        return 2;
    }
    printf("focused\n");
    fflush(stdout);
    xcb_unmap_window(c, w);
    xcb_flush(c);
    x_sync(c);  // the unmap reached the server
    printf("unmapped\n");
    fflush(stdout);
    sleep((unsigned)seconds);
    xcb_disconnect(c);
    return 0;
}
