/* x11_frame_client: frame_client's X11 twin, for the paths that carry X
 * (xpra). It maps one window and uploads a full-size image (every pixel
 * changed) per frame with PutImage, waiting for the server after each frame so
 * frames never queue up. It prints one JSON line with the frames it sent and
 * for how long; what reached the screen is counted by the compositor.
 *
 *   x11_frame_client [--seconds S] [--size WxH]
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xcb/xcb.h>

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char** argv)
{
    int width = 1280, height = 720;
    double seconds = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0) seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--size") == 0) sscanf(argv[i + 1], "%dx%d", &width, &height);
    }
    xcb_connection_t* c = xcb_connect(NULL, NULL);
    if (xcb_connection_has_error(c)) {
        fprintf(stderr, "x11_frame_client: cannot open the X display\n");
        return 1;
    }
    xcb_screen_t* screen = xcb_setup_roots_iterator(xcb_get_setup(c)).data;
    if (screen->root_depth != 24) {
        fprintf(stderr, "x11_frame_client: needs a 24-bit root visual\n");
        return 1;
    }
    xcb_window_t win = xcb_generate_id(c);
    uint32_t values[] = {screen->black_pixel};
    xcb_create_window(c, XCB_COPY_FROM_PARENT, win, screen->root, 0, 0, (uint16_t)width, (uint16_t)height, 0,
                      XCB_WINDOW_CLASS_INPUT_OUTPUT, screen->root_visual, XCB_CW_BACK_PIXEL, values);
    const char* title = "ctopbroker x11 frame bench";
    xcb_change_property(c, XCB_PROP_MODE_REPLACE, win, XCB_ATOM_WM_NAME, XCB_ATOM_STRING, 8, (uint32_t)strlen(title),
                        title);
    xcb_map_window(c, win);
    xcb_gcontext_t gc = xcb_generate_id(c);
    xcb_create_gc(c, gc, win, 0, NULL);
    xcb_flush(c);

    /* Strips small enough for a core PutImage request. */
    const int strip = 64;
    uint32_t* pixels = malloc((size_t)width * strip * 4);
    int frames = 0;
    double start = now_s(), end = start + seconds;
    while (now_s() < end) {
        uint32_t color = (uint32_t)(frames * 0x010307u) & 0xffffffu;
        for (size_t i = 0; i < (size_t)width * strip; i++) pixels[i] = color;
        for (int y = 0; y < height; y += strip) {
            int h = y + strip > height ? height - y : strip;
            xcb_put_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, win, gc, (uint16_t)width, (uint16_t)h, 0, (int16_t)y, 0, 24,
                          (uint32_t)width * (uint32_t)h * 4, (const uint8_t*)pixels);
        }
        free(xcb_get_input_focus_reply(c, xcb_get_input_focus(c), NULL));
        if (xcb_connection_has_error(c)) {
            fprintf(stderr, "x11_frame_client: lost the X server\n");
            return 1;
        }
        frames++;
    }
    double elapsed = now_s() - start;
    printf("{\"frames\": %d, \"seconds\": %.4f, \"fps\": %.2f}\n", frames, elapsed, frames / elapsed);
    free(pixels);
    xcb_disconnect(c);
    return 0;
}
