/* x11_input_client: input_client's X11 twin, for the paths that carry X
 * (Xwayland in a container, xpra). It maps one window and writes one line per
 * input event to --out, stamped with CLOCK_MONOTONIC as its handler runs
 * (the same clock as the session's injection stamp; containers share it):
 *
 *   ready <ns>     the window is exposed and has the input focus
 *   key <ns>       KeyPress
 *   motion <ns>    MotionNotify
 *
 *   x11_input_client [--size WxH] --out FILE
 */
#include "x_client.h"

#include <stdbool.h>
#include <stdint.h>

static FILE* out;

/* Stamp first, write after: the stamp is the moment the handler runs. */
static void record(const char* what)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    fprintf(out, "%s %llu\n", what, (unsigned long long)ts.tv_sec * 1000000000ull + (unsigned long long)ts.tv_nsec);
    fflush(out);
}

static xcb_atom_t atom(xcb_connection_t* c, const char* name)
{
    xcb_intern_atom_reply_t* r = xcb_intern_atom_reply(c, xcb_intern_atom(c, 0, (uint16_t)strlen(name), name), NULL);
    xcb_atom_t a = r ? r->atom : XCB_ATOM_NONE;
    free(r);
    return a;
}

int main(int argc, char** argv)
{
    int width = 1280, height = 720;
    const char* path = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--size") == 0) sscanf(argv[i + 1], "%dx%d", &width, &height);
        else if (strcmp(argv[i], "--out") == 0) path = argv[i + 1];
    }
    if (!path || width < 1 || height < 1) {
        fprintf(stderr, "usage: x11_input_client [--size WxH] --out FILE\n");
        return 2;
    }
    out = fopen(path, "w");
    if (!out) {
        perror("x11_input_client: --out");
        return 1;
    }
    xcb_screen_t* screen;
    xcb_connection_t* c = x_connect("x11_input_client", &screen);
    uint32_t values[] = {0xff336699u, XCB_EVENT_MASK_EXPOSURE | XCB_EVENT_MASK_KEY_PRESS |
                                          XCB_EVENT_MASK_POINTER_MOTION | XCB_EVENT_MASK_FOCUS_CHANGE};
    const char* title = "ctopbroker x11 input bench";
    xcb_window_t w =
        x_titled_window(c, screen, 0, 0, width, height, XCB_CW_BACK_PIXEL | XCB_CW_EVENT_MASK, values, title);
    xcb_change_property(c, XCB_PROP_MODE_REPLACE, w, atom(c, "_NET_WM_NAME"), atom(c, "UTF8_STRING"), 8,
                        (uint32_t)strlen(title), title);
    xcb_map_window(c, w);
    xcb_flush(c);
    bool exposed = false, focused = false, ready = false;
    xcb_generic_event_t* ev;
    while ((ev = xcb_wait_for_event(c))) {
        switch (ev->response_type & 0x7f) {
        case XCB_KEY_PRESS:
            record("key");
            break;
        case XCB_MOTION_NOTIFY:
            record("motion");
            break;
        case XCB_EXPOSE:
            exposed = true;
            break;
        case XCB_FOCUS_IN:
            focused = true;
            break;
        case XCB_FOCUS_OUT:
            focused = false;
            break;
        }
        free(ev);
        if (!ready && exposed && focused) {
            ready = true;
            record("ready");
        }
    }
    return 0;
}
