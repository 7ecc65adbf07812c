/* x_window_client: X11 windows for the attack and X11 tests, in raw xcb.
 *
 *   x_window_client override X Y W H RRGGBB SECONDS
 *       an override-redirect window (what menus and tooltips are) at X,Y,
 *       W x H, filled with the colour; prints "mapped" once it is drawn
 *   x_window_client toplevel W H RRGGBB SECONDS [hostile-move]
 *       an ordinary window; prints "motion X Y" for each pointer motion it
 *       sees, and on a press of button 1 does what a client-drawn title bar
 *       does: lets go of its implicit grab and sends _NET_WM_MOVERESIZE to
 *       the root (a resize from the bottom-right corner when the press is
 *       within 24 px of it, else a move); prints "pressed X Y" and "asked".
 *       With hostile-move it also asks for a move once, 2 s after mapping,
 *       with no button held (prints "asked without a press").
 *   x_window_client flood N SECONDS
 *       N ordinary 40x30 windows mapped at once; prints "mapped N" once the
 *       X server has them all, then stays connected for SECONDS
 */
#include "x_client.h"

#include <unistd.h>

enum { NET_WM_MOVERESIZE_SIZE_BOTTOMRIGHT = 4, NET_WM_MOVERESIZE_MOVE = 8 };

static xcb_atom_t atom(xcb_connection_t *c, const char *name)
{
    xcb_intern_atom_reply_t *r = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, strlen(name), name), NULL);
    xcb_atom_t a = r ? r->atom : XCB_ATOM_NONE;
    free(r);
    return a;
}

static void fill(xcb_connection_t *c, xcb_window_t w, xcb_gcontext_t gc, int width, int height)
{
    xcb_rectangle_t r = {0, 0, (uint16_t)width, (uint16_t)height};
    xcb_poly_fill_rectangle(c, w, gc, 1, &r);
}

static void moveresize(xcb_connection_t *c, xcb_screen_t *screen, xcb_window_t w, int root_x, int root_y,
                       uint32_t direction)
{
    xcb_client_message_event_t ev;
    memset(&ev, 0, sizeof ev);
    ev.response_type = XCB_CLIENT_MESSAGE;
    ev.format = 32;
    ev.window = w;
    ev.type = atom(c, "_NET_WM_MOVERESIZE");
    ev.data.data32[0] = (uint32_t)root_x;
    ev.data.data32[1] = (uint32_t)root_y;
    ev.data.data32[2] = direction;
    ev.data.data32[3] = 1; /* button 1 */
    ev.data.data32[4] = 1; /* source: an application */
    xcb_ungrab_pointer(c, XCB_CURRENT_TIME);
    xcb_send_event(c, 0, screen->root, XCB_EVENT_MASK_SUBSTRUCTURE_REDIRECT | XCB_EVENT_MASK_SUBSTRUCTURE_NOTIFY,
                   (const char *)&ev);
    xcb_flush(c);
}

static int flood(int count, double seconds)
{
    xcb_screen_t *screen;
    xcb_connection_t *c = x_connect("x_window_client", &screen);
    for (int i = 0; i < count; ++i) {
        xcb_window_t w = xcb_generate_id(c);
        xcb_create_window(c, XCB_COPY_FROM_PARENT, w, screen->root, (int16_t)(i % 500), (int16_t)(i % 300), 40, 30, 0,
                          XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, XCB_CW_BACK_PIXEL, &screen->white_pixel);
        xcb_map_window(c, w);
    }
    x_sync(c); /* all of it reached the server */
    printf("mapped %d\n", count);
    double end = x_now() + seconds;
    while (x_now() < end && !xcb_connection_has_error(c)) {
        free(xcb_poll_for_event(c));
        usleep(20000);
    }
    xcb_disconnect(c);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc == 4 && strcmp(argv[1], "flood") == 0) return flood(atoi(argv[2]), atof(argv[3]));
    int override = argc > 1 && strcmp(argv[1], "override") == 0;
    if ((override && argc < 8) || (!override && (argc < 6 || strcmp(argv[1], "toplevel") != 0))) {
        fprintf(stderr, "usage: x_window_client override X Y W H RRGGBB SECONDS\n"
                        "       x_window_client toplevel W H RRGGBB SECONDS [hostile-move]\n"
                        "       x_window_client flood N SECONDS\n");
        return 2;
    }
    int x = override ? atoi(argv[2]) : 0, y = override ? atoi(argv[3]) : 0;
    int width = atoi(argv[override ? 4 : 2]), height = atoi(argv[override ? 5 : 3]);
    uint32_t rgb = (uint32_t)strtoul(argv[override ? 6 : 4], NULL, 16);
    double seconds = atof(argv[override ? 7 : 5]);
    int hostile = !override && argc > 6 && strcmp(argv[6], "hostile-move") == 0;

    xcb_screen_t *screen;
    xcb_connection_t *c = x_connect("x_window_client", &screen);
    uint32_t mask = XCB_CW_BACK_PIXEL | XCB_CW_OVERRIDE_REDIRECT | XCB_CW_EVENT_MASK;
    uint32_t values[] = {rgb, (uint32_t) override,
                         XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_BUTTON_PRESS | XCB_EVENT_MASK_POINTER_MOTION |
                             XCB_EVENT_MASK_STRUCTURE_NOTIFY};
    xcb_window_t w = x_titled_window(c, screen, x, y, width, height, mask, values,
                                     override ? "x_window_client menu" : "x_window_client");
    xcb_gcontext_t gc = xcb_generate_id(c);
    uint32_t gc_values[] = {rgb};
    xcb_create_gc(c, gc, w, XCB_GC_FOREGROUND, gc_values);
    xcb_map_window(c, w);
    xcb_flush(c);

    double end = x_now() + seconds, hostile_at = x_now() + 2;
    int announced = 0;
    while (x_now() < end && !xcb_connection_has_error(c)) {
        xcb_generic_event_t *ev;
        while ((ev = xcb_poll_for_event(c))) {
            switch (ev->response_type & 0x7f) {
            case XCB_EXPOSE:
                fill(c, w, gc, width, height);
                xcb_flush(c);
                x_sync(c); /* drawn */
                if (!announced) printf("mapped\n");
                announced = 1;
                break;
            case XCB_CONFIGURE_NOTIFY: {
                xcb_configure_notify_event_t *cn = (xcb_configure_notify_event_t *)ev;
                width = cn->width;
                height = cn->height;
                break;
            }
            case XCB_MOTION_NOTIFY: {
                xcb_motion_notify_event_t *m = (xcb_motion_notify_event_t *)ev;
                printf("motion %d %d\n", m->event_x, m->event_y);
                break;
            }
            case XCB_BUTTON_PRESS: {
                xcb_button_press_event_t *b = (xcb_button_press_event_t *)ev;
                printf("pressed %d %d\n", b->event_x, b->event_y);
                if (b->detail == 1 && !override) {
                    int corner = b->event_x >= width - 24 && b->event_y >= height - 24;
                    moveresize(c, screen, w, b->root_x, b->root_y,
                               corner ? NET_WM_MOVERESIZE_SIZE_BOTTOMRIGHT : NET_WM_MOVERESIZE_MOVE);
                    printf("asked\n");
                }
                break;
            }
            }
            free(ev);
        }
        if (hostile && x_now() >= hostile_at) {
            hostile = 0;
            moveresize(c, screen, w, 10, 10, NET_WM_MOVERESIZE_MOVE);
            printf("asked without a press\n");
        }
        usleep(10000);
    }
    xcb_disconnect(c);
    return 0;
}
