/* x11_frame_client: frame_client's X11 twin, for the paths that carry X
 * (xpra). It maps one window and uploads a full-size image (every pixel
 * changed) per frame with PutImage, waiting for the server after each frame so
 * frames never queue up. It prints one JSON line with the frames it sent and
 * for how long; what reached the screen is counted by the compositor.
 *
 *   x11_frame_client [--seconds S] [--size WxH]
 */
#include "x_client.h"

#include <stdint.h>

int main(int argc, char** argv)
{
    int width = 1280, height = 720;
    double seconds = 5;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--seconds") == 0) seconds = atof(argv[i + 1]);
        else if (strcmp(argv[i], "--size") == 0) sscanf(argv[i + 1], "%dx%d", &width, &height);
    }
    xcb_screen_t* screen;
    xcb_connection_t* c = x_connect("x11_frame_client", &screen);
    if (screen->root_depth != 24) {
        fprintf(stderr, "x11_frame_client: needs a 24-bit root visual\n");
        return 1;
    }
    uint32_t values[] = {screen->black_pixel};
    xcb_window_t win =
        x_titled_window(c, screen, 0, 0, width, height, XCB_CW_BACK_PIXEL, values, "ctopbroker x11 frame bench");
    xcb_map_window(c, win);
    xcb_gcontext_t gc = xcb_generate_id(c);
    xcb_create_gc(c, gc, win, 0, NULL);
    xcb_flush(c);

    /* Strips small enough for a core PutImage request. */
    const int strip = 64;
    uint32_t* pixels = malloc((size_t)width * strip * 4);
    int frames = 0;
    double start = x_now(), end = start + seconds;
    while (x_now() < end) {
        uint32_t color = (uint32_t)(frames * 0x010307u) & 0xffffffu;
        for (size_t i = 0; i < (size_t)width * strip; i++) pixels[i] = color;
        for (int y = 0; y < height; y += strip) {
            int h = y + strip > height ? height - y : strip;
            xcb_put_image(c, XCB_IMAGE_FORMAT_Z_PIXMAP, win, gc, (uint16_t)width, (uint16_t)h, 0, (int16_t)y, 0, 24,
                          (uint32_t)width * (uint32_t)h * 4, (const uint8_t*)pixels);
        }
        x_sync(c);
        if (xcb_connection_has_error(c)) {
            fprintf(stderr, "x11_frame_client: lost the X server\n");
            return 1;
        }
        frames++;
    }
    double elapsed = x_now() - start;
    printf("{\"frames\": %d, \"seconds\": %.4f, \"fps\": %.2f}\n", frames, elapsed, frames / elapsed);
    free(pixels);
    xcb_disconnect(c);
    return 0;
}
