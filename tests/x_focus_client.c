/* x_focus_client: an X11 client that gets keyboard focus and then hides its
 * window without closing it — the move that once left wlroots' window manager
 * believing the client still had focus after the compositor moved it away.
 *
 *   x_focus_client SECONDS
 *       map a window, wait (up to SECONDS) for FocusIn, print "focused",
 *       unmap it, print "unmapped", then stay connected for SECONDS
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xcb/xcb.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int wait_focus(xcb_connection_t *c, double seconds)
{
    double end = now() + seconds;
    while (now() < end) {
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
    xcb_connection_t *c = xcb_connect(NULL, NULL);
    if (xcb_connection_has_error(c)) {
        fprintf(stderr, "x_focus_client: cannot connect to the X server\n");
        return 1;
    }
    xcb_screen_t *screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    xcb_window_t w = xcb_generate_id(c);
    uint32_t values[] = {screen->white_pixel, XCB_EVENT_MASK_FOCUS_CHANGE | XCB_EVENT_MASK_EXPOSURE};
    xcb_create_window(c, XCB_COPY_FROM_PARENT, w, screen->root, 0, 0, 200, 100, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT,
                      screen->root_visual, XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, values);
    const char *title = "x_focus_client";
    xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8, strlen(title), title);
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
    free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));  // the unmap reached the server
    printf("unmapped\n");
    fflush(stdout);
    sleep((unsigned)seconds);
    xcb_disconnect(c);
    return 0;
}
