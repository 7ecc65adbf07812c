/* What the raw-xcb clients of the tests (x_window_client, x_focus_client) and
 * of the bench (x11_frame_client, x11_input_client) share:
 * the clock, the connection, a titled window, and waiting until the server
 * has what was sent. */
#pragma once

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xcb/xcb.h>

static inline double x_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* The display in $DISPLAY and its first screen; exits naming `who` when
 * there is none. */
static inline xcb_connection_t *x_connect(const char *who, xcb_screen_t **screen)
{
    xcb_connection_t *c = xcb_connect(NULL, NULL);
    if (xcb_connection_has_error(c)) {
        fprintf(stderr, "%s: cannot connect to the X server\n", who);
        exit(1);
    }
    *screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    return c;
}

/* An unmapped top-level window with WM_NAME `title`; `mask` and `values` as
 * for xcb_create_window. */
static inline xcb_window_t x_titled_window(xcb_connection_t *c, xcb_screen_t *screen, int x, int y, int width,
                                           int height, uint32_t mask, const uint32_t *values, const char *title)
{
    xcb_window_t w = xcb_generate_id(c);
    xcb_create_window(c, XCB_COPY_FROM_PARENT, w, screen->root, (int16_t)x, (int16_t)y, (uint16_t)width,
                      (uint16_t)height, 0, XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, mask, values);
    xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8, strlen(title), title);
    return w;
}

/* Returns once the server has handled every request sent before (a round
 * trip). */
static inline void x_sync(xcb_connection_t *c)
{
    free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
}
