/* input_client: the input latency bench's Wayland client. It maps one xdg
 * toplevel with a single shm buffer and writes one line per input event to
 * --out, stamped with CLOCK_MONOTONIC as its handler runs (containers share
 * the host's monotonic clock, so the bench can subtract the session's own
 * stamp of when it received the injected event):
 *
 *   ready <ns>     the window is drawn and has keyboard focus
 *   key <ns>       wl_keyboard.key, pressed (releases are not written)
 *   motion <ns>    wl_pointer.motion
 *
 *   input_client [--size WxH] --out FILE
 */
#define _GNU_SOURCE
#include "toplevel.h"

#include <sys/mman.h>
#include <unistd.h>

static struct {
    struct toplevel win;
    struct wl_seat* seat;
    bool focused, ready;
    FILE* out;
} app = {.win = {.width = 1280, .height = 720, .follow_configure = true}};

/* Stamp first, write after: the stamp is the moment the handler runs. */
static void record(const char* what)
{
    uint64_t t = now_ns();
    fprintf(app.out, "%s %llu\n", what, (unsigned long long)t);
    fflush(app.out);
}

static void maybe_ready(void)
{
    if (app.ready || !app.win.drawn || !app.focused) return;
    app.ready = true;
    record("ready");
}

static void key_enter(void* d, struct wl_keyboard* k, uint32_t serial, struct wl_surface* s, struct wl_array* keys)
{
    app.focused = true;
    maybe_ready();
}
static void key_leave(void* d, struct wl_keyboard* k, uint32_t serial, struct wl_surface* s)
{
    app.focused = false;
}
static void key_key(void* d, struct wl_keyboard* k, uint32_t serial, uint32_t time, uint32_t key, uint32_t state)
{
    if (state == WL_KEYBOARD_KEY_STATE_PRESSED) record("key");
}
static void key_keymap(void* d, struct wl_keyboard* k, uint32_t format, int32_t fd, uint32_t size)
{
    close(fd);
}
static const struct wl_keyboard_listener keyboard_listener = {key_keymap, key_enter, key_leave, key_key, noop, noop};

static void pointer_motion(void* d, struct wl_pointer* p, uint32_t time, wl_fixed_t x, wl_fixed_t y)
{
    record("motion");
}
static const struct wl_pointer_listener pointer_listener = {noop, noop, pointer_motion, noop, noop,
                                                            noop, noop, noop,           noop};

static void seat_caps(void* d, struct wl_seat* seat, uint32_t caps)
{
    static bool have_keyboard, have_pointer;
    if ((caps & WL_SEAT_CAPABILITY_KEYBOARD) && !have_keyboard) {
        have_keyboard = true;
        wl_keyboard_add_listener(wl_seat_get_keyboard(seat), &keyboard_listener, NULL);
    }
    if ((caps & WL_SEAT_CAPABILITY_POINTER) && !have_pointer) {
        have_pointer = true;
        wl_pointer_add_listener(wl_seat_get_pointer(seat), &pointer_listener, NULL);
    }
}
static const struct wl_seat_listener seat_listener = {seat_caps, noop};

static void bind_seat(struct wl_registry* r, uint32_t name, const char* iface)
{
    if (strcmp(iface, wl_seat_interface.name) != 0 || app.seat) return;
    app.seat = wl_registry_bind(r, name, &wl_seat_interface, 5);
    wl_seat_add_listener(app.seat, &seat_listener, NULL);
}

static void frame_done(void* data, struct wl_callback* cb, uint32_t time)
{
    wl_callback_destroy(cb);
    app.win.drawn = true;
    maybe_ready();
}
static const struct wl_callback_listener frame_listener = {frame_done};

static void draw(void)
{
    size_t stride = (size_t)app.win.width * 4, size = stride * app.win.height;
    int fd = memfd_create("input_client", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)size) != 0) {
        perror("input_client: memfd");
        exit(1);
    }
    uint32_t* pixels = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    for (size_t i = 0; i < size / 4; i++) pixels[i] = 0xff336699u;
    struct wl_shm_pool* pool = wl_shm_create_pool(app.win.shm, fd, (int32_t)size);
    struct wl_buffer* b =
        wl_shm_pool_create_buffer(pool, 0, app.win.width, app.win.height, (int32_t)stride, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    wl_surface_attach(app.win.surface, b, 0, 0);
    wl_surface_damage_buffer(app.win.surface, 0, 0, app.win.width, app.win.height);
    wl_callback_add_listener(wl_surface_frame(app.win.surface), &frame_listener, NULL);
    wl_surface_commit(app.win.surface);
}

int main(int argc, char** argv)
{
    const char* out = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--size") == 0) sscanf(argv[i + 1], "%dx%d", &app.win.width, &app.win.height);
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
    }
    if (!out || app.win.width < 1 || app.win.height < 1) {
        fprintf(stderr, "usage: input_client [--size WxH] --out FILE\n");
        return 2;
    }
    app.out = fopen(out, "w");
    if (!app.out) {
        perror("input_client: --out");
        return 1;
    }
    app.win.bind_extra = bind_seat;
    toplevel_connect(&app.win, "input_client");
    if (!app.seat) {
        fprintf(stderr, "input_client: the compositor lacks wl_seat\n");
        return 1;
    }
    toplevel_map(&app.win, "ctopbroker input bench");
    draw();
    while (wl_display_dispatch(app.win.display) >= 0) {
    }
    return 0;
}
