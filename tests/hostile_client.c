/* hostile_client: a Wayland client that tries, from inside a container, what
 * ctopbroker must refuse. Its findings go to stdout as one JSON object; the
 * test (hostile_test.cpp) decides what counts as a failure.
 *
 *   hostile_client bind NAME VERSION INTERFACE
 *       bind a global by its numeric name even though it was not advertised
 *   hostile_client listen SECONDS [WINDOWS]
 *       map WINDOWS toplevels (default 1) and record keyboard focus, keys and
 *       clipboard offers for SECONDS; read any offered text clipboard
 *   hostile_client grabby SECONDS
 *       map a toplevel that asks to be moved and resized (xdg_toplevel.move/
 *       resize) with the serial of every pointer enter and motion, and to be
 *       moved with the serial of every button press
 *   hostile_client lock SECONDS
 *       map a toplevel that locks the pointer (persistently) and prints
 *       "locked", "unlocked" and "relative DX DY" lines as they happen
 *   hostile_client surfaces N
 *       create N wl_surfaces as fast as the socket takes them
 *   hostile_client buffer WIDTH HEIGHT [COUNT]
 *       create COUNT (default 1) shm buffers of that size in one pool, attach
 *       and commit the first
 *   hostile_client clients N
 *       open N more connections to the compositor; count those that work
 *   hostile_client forge SECONDS
 *       map a toplevel whose window geometry is 1x1 but whose buffer is a
 *       640x120 red "label", with a green 300x300 subsurface at (-50, -50),
 *       titled with terminal escapes, bidi overrides and invalid UTF-8
 *   hostile_client sprawl SECONDS DELAY
 *       map a toplevel that sets no window geometry: a blue 200x100 surface
 *       with a green 60x40 subsurface at (-30, -20); after DELAY seconds the
 *       subsurface jumps to (-60, -40), growing the implicit geometry left and up
 *   hostile_client inhibit SECONDS
 *       map a toplevel with an idle inhibitor on it (as a video player does)
 *   hostile_client activate SECONDS DELAY
 *       map two toplevels; after DELAY seconds ask (xdg-activation) for the
 *       first one, the one that does not have the focus, to be activated
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>
#include <wayland-client.h>

#include "pointer-constraints-unstable-v1-client-protocol.h"
#include "relative-pointer-unstable-v1-client-protocol.h"
#include "idle-inhibit-unstable-v1-client-protocol.h"
#include "xdg-activation-v1-client-protocol.h"
#include "xdg-shell-client-protocol.h"

static struct wl_compositor *compositor;
static struct wl_shm *shm;
static struct wl_seat *seat;
static struct xdg_wm_base *wm_base;
static struct wl_data_device_manager *ddm;
static struct wl_subcompositor *subcompositor;
static struct zwp_pointer_constraints_v1 *constraints;
static struct zwp_relative_pointer_manager_v1 *relative;
static struct xdg_activation_v1 *activation;
static struct zwp_idle_inhibit_manager_v1 *inhibit_manager;
static int enters, keys, offers, selections_non_null;
static struct wl_data_offer *current_offer;
static int offer_has_text;
static char clipboard[256];

static void noop() {}

static void registry_global(void *data, struct wl_registry *r, uint32_t name, const char *iface, uint32_t version)
{
    if (!strcmp(iface, "wl_compositor")) compositor = wl_registry_bind(r, name, &wl_compositor_interface, 4);
    else if (!strcmp(iface, "wl_shm")) shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
    else if (!strcmp(iface, "wl_seat")) seat = wl_registry_bind(r, name, &wl_seat_interface, 5);
    else if (!strcmp(iface, "xdg_wm_base")) wm_base = wl_registry_bind(r, name, &xdg_wm_base_interface, 1);
    else if (!strcmp(iface, "zwp_pointer_constraints_v1"))
        constraints = wl_registry_bind(r, name, &zwp_pointer_constraints_v1_interface, 1);
    else if (!strcmp(iface, "zwp_relative_pointer_manager_v1"))
        relative = wl_registry_bind(r, name, &zwp_relative_pointer_manager_v1_interface, 1);
    else if (!strcmp(iface, "wl_subcompositor"))
        subcompositor = wl_registry_bind(r, name, &wl_subcompositor_interface, 1);
    else if (!strcmp(iface, "zwp_idle_inhibit_manager_v1"))
        inhibit_manager = wl_registry_bind(r, name, &zwp_idle_inhibit_manager_v1_interface, 1);
    else if (!strcmp(iface, "xdg_activation_v1"))
        activation = wl_registry_bind(r, name, &xdg_activation_v1_interface, 1);
    else if (!strcmp(iface, "wl_data_device_manager"))
        ddm = wl_registry_bind(r, name, &wl_data_device_manager_interface, 3);
}
static const struct wl_registry_listener registry_listener = {registry_global, noop};

static void kb_enter(void *d, struct wl_keyboard *k, uint32_t s, struct wl_surface *surf, struct wl_array *keys_)
{
    enters++;
}
static void kb_key(void *d, struct wl_keyboard *k, uint32_t s, uint32_t t, uint32_t key, uint32_t state)
{
    keys++;
}
static const struct wl_keyboard_listener kb_listener = {.keymap = (void *)noop,
                                                        .enter = kb_enter,
                                                        .leave = (void *)noop,
                                                        .key = kb_key,
                                                        .modifiers = (void *)noop,
                                                        .repeat_info = (void *)noop};

static void offer_mime(void *d, struct wl_data_offer *o, const char *mime)
{
    if (!strcmp(mime, "text/plain") || !strcmp(mime, "text/plain;charset=utf-8")) offer_has_text = 1;
}
static const struct wl_data_offer_listener offer_listener = {
    .offer = offer_mime, .source_actions = (void *)noop, .action = (void *)noop};
static void dd_data_offer(void *d, struct wl_data_device *dd, struct wl_data_offer *o)
{
    offers++;
    offer_has_text = 0;
    wl_data_offer_add_listener(o, &offer_listener, NULL);
}
static void dd_selection(void *d, struct wl_data_device *dd, struct wl_data_offer *o)
{
    current_offer = o;
    if (o) selections_non_null++;
}
static const struct wl_data_device_listener dd_listener = {.data_offer = dd_data_offer,
                                                           .enter = (void *)noop,
                                                           .leave = (void *)noop,
                                                           .motion = (void *)noop,
                                                           .drop = (void *)noop,
                                                           .selection = dd_selection};

static void ping(void *d, struct xdg_wm_base *b, uint32_t serial)
{
    xdg_wm_base_pong(b, serial);
}
static const struct xdg_wm_base_listener wm_listener = {ping};

struct window {
    struct wl_surface *surface;
    struct xdg_surface *xdg;
    struct wl_buffer *buffer;
};
static void xdg_configure(void *data, struct xdg_surface *x, uint32_t serial)
{
    struct window *w = data;
    xdg_surface_ack_configure(x, serial);
    wl_surface_attach(w->surface, w->buffer, 0, 0);
    wl_surface_commit(w->surface);
}
static const struct xdg_surface_listener xdg_listener = {xdg_configure};

static struct wl_buffer *make_colored_buffer(int w, int h, uint32_t color)
{
    int fd = memfd_create("hostile", MFD_CLOEXEC);
    ftruncate(fd, w * h * 4);
    uint32_t *px = mmap(NULL, w * h * 4, PROT_WRITE, MAP_SHARED, fd, 0);
    for (int i = 0; i < w * h; i++) px[i] = color;
    struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, w * h * 4);
    struct wl_buffer *b = wl_shm_pool_create_buffer(pool, 0, w, h, w * 4, WL_SHM_FORMAT_XRGB8888);
    wl_shm_pool_destroy(pool);
    close(fd);
    return b;
}

static struct wl_buffer *make_buffer(int w, int h)
{
    return make_colored_buffer(w, h, 0xff202020);
}

static void map_window(struct window *w, int i)
{
    w->surface = wl_compositor_create_surface(compositor);
    w->xdg = xdg_wm_base_get_xdg_surface(wm_base, w->surface);
    xdg_surface_add_listener(w->xdg, &xdg_listener, w);
    struct xdg_toplevel *top = xdg_surface_get_toplevel(w->xdg);
    char title[64];
    snprintf(title, sizeof title, "hostile-%d", i);
    xdg_toplevel_set_title(top, title);
    xdg_toplevel_set_app_id(top, "hostile");
    w->buffer = make_buffer(120, 80);
    wl_surface_commit(w->surface);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void read_offer(struct wl_display *display)
{
    if (!current_offer || !offer_has_text) return;
    int p[2];
    if (pipe(p) != 0) return;
    wl_data_offer_receive(current_offer, "text/plain", p[1]);
    close(p[1]);
    wl_display_flush(display);
    size_t got = 0;
    double deadline = now() + 3;
    while (got < sizeof clipboard - 1 && now() < deadline) {
        struct pollfd pfd = {p[0], POLLIN, 0};
        if (poll(&pfd, 1, 100) <= 0) continue;
        ssize_t n = read(p[0], clipboard + got, sizeof clipboard - 1 - got);
        if (n <= 0) break;
        got += n;
    }
    close(p[0]);
}

static int cmd_bind(struct wl_display *display, uint32_t name, uint32_t version, const char *iface)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    /* A fake interface of that name: binding sends only name+interface+version. */
    static struct wl_interface fake;
    fake.name = iface;
    fake.version = version;
    wl_registry_bind(registry, name, &fake, version);
    int rc = wl_display_roundtrip(display);
    int err = wl_display_get_error(display);
    printf("{\"bound\": %s, \"error\": %d}\n", (rc >= 0 && err == 0) ? "true" : "false", err);
    return 0;
}

static int cmd_listen(struct wl_display *display, double seconds, int windows)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!compositor || !shm || !seat || !wm_base || !ddm) {
        printf("{\"error\": \"missing globals\"}\n");
        return 2;
    }
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    wl_keyboard_add_listener(wl_seat_get_keyboard(seat), &kb_listener, NULL);
    wl_data_device_add_listener(wl_data_device_manager_get_data_device(ddm, seat), &dd_listener, NULL);
    struct window w[16];
    if (windows > 16) windows = 16;
    for (int i = 0; i < windows; i++) map_window(&w[i], i);
    double end = now() + seconds;
    while (now() < end) {
        wl_display_flush(display);
        struct pollfd pfd = {wl_display_get_fd(display), POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0 && wl_display_dispatch(display) < 0) break;
        wl_display_dispatch_pending(display);
    }
    read_offer(display);
    char escaped[600];
    size_t j = 0;
    for (size_t i = 0; clipboard[i] && j < sizeof escaped - 7; i++) {
        unsigned char c = clipboard[i];
        if (c == '"' || c == '\\') {
            escaped[j++] = '\\';
            escaped[j++] = c;
        } else if (c < 0x20) j += snprintf(escaped + j, 7, "\\u%04x", c);
        else escaped[j++] = c;
    }
    escaped[j] = 0;
    printf("{\"enters\": %d, \"keys\": %d, \"offers\": %d, \"selections\": %d, \"clipboard\": \"%s\"}\n", enters, keys,
           offers, selections_non_null, escaped);
    return 0;
}

static struct xdg_toplevel *grabby_top;
static uint32_t last_enter_serial;
static int grab_requests;
static void grabby_enter(void *d, struct wl_pointer *p, uint32_t serial, struct wl_surface *s, wl_fixed_t x,
                         wl_fixed_t y)
{
    last_enter_serial = serial;
    /* A grab without a click: must be refused. */
    xdg_toplevel_move(grabby_top, seat, serial);
    xdg_toplevel_resize(grabby_top, seat, serial, XDG_TOPLEVEL_RESIZE_EDGE_BOTTOM_RIGHT);
    grab_requests += 2;
}
static void grabby_motion(void *d, struct wl_pointer *p, uint32_t time, wl_fixed_t x, wl_fixed_t y)
{
    xdg_toplevel_move(grabby_top, seat, last_enter_serial);
    grab_requests++;
}
static void grabby_button(void *d, struct wl_pointer *p, uint32_t serial, uint32_t time, uint32_t button,
                          uint32_t state)
{
    /* The one legitimate case: a move during the press. */
    if (state == WL_POINTER_BUTTON_STATE_PRESSED) xdg_toplevel_move(grabby_top, seat, serial);
}
static const struct wl_pointer_listener grabby_pointer = {.enter = grabby_enter,
                                                          .leave = (void *)noop,
                                                          .motion = grabby_motion,
                                                          .button = grabby_button,
                                                          .axis = (void *)noop,
                                                          .frame = (void *)noop,
                                                          .axis_source = (void *)noop,
                                                          .axis_stop = (void *)noop,
                                                          .axis_discrete = (void *)noop};

/* A window whose input region is empty: what it covers must not get the
 * clicks aimed at it (a see-through decoy over another client's window). */
static int cmd_hole(struct wl_display *display, double seconds, int width, int height)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!compositor || !shm || !wm_base) {
        printf("{\"error\": \"missing globals\"}\n");
        return 2;
    }
    if (width < 1 || width > 4096 || height < 1 || height > 4096) return 2;
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    struct window w;
    w.surface = wl_compositor_create_surface(compositor);
    w.xdg = xdg_wm_base_get_xdg_surface(wm_base, w.surface);
    xdg_surface_add_listener(w.xdg, &xdg_listener, &w);
    struct xdg_toplevel *top = xdg_surface_get_toplevel(w.xdg);
    xdg_toplevel_set_app_id(top, "hole");
    struct wl_region *empty = wl_compositor_create_region(compositor);
    wl_surface_set_input_region(w.surface, empty);
    wl_region_destroy(empty);
    w.buffer = make_buffer(width, height);
    wl_surface_commit(w.surface);
    double end = now() + seconds;
    while (now() < end && wl_display_dispatch(display) >= 0) {
    }
    return 0;
}

static int cmd_grabby(struct wl_display *display, double seconds)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!compositor || !shm || !seat || !wm_base) {
        printf("{\"error\": \"missing globals\"}\n");
        return 2;
    }
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    wl_pointer_add_listener(wl_seat_get_pointer(seat), &grabby_pointer, NULL);
    struct window w;
    w.surface = wl_compositor_create_surface(compositor);
    w.xdg = xdg_wm_base_get_xdg_surface(wm_base, w.surface);
    xdg_surface_add_listener(w.xdg, &xdg_listener, &w);
    grabby_top = xdg_surface_get_toplevel(w.xdg);
    xdg_toplevel_set_app_id(grabby_top, "grabby");
    w.buffer = make_buffer(200, 150);
    wl_surface_commit(w.surface);
    double end = now() + seconds;
    while (now() < end) {
        wl_display_flush(display);
        struct pollfd pfd = {wl_display_get_fd(display), POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0 && wl_display_dispatch(display) < 0) break;
        wl_display_dispatch_pending(display);
    }
    printf("{\"grab_requests\": %d}\n", grab_requests);
    return 0;
}

static void locked(void *d, struct zwp_locked_pointer_v1 *l)
{
    printf("locked\n");
    fflush(stdout);
}
static void unlocked(void *d, struct zwp_locked_pointer_v1 *l)
{
    printf("unlocked\n");
    fflush(stdout);
}
static const struct zwp_locked_pointer_v1_listener locked_listener = {locked, unlocked};
static void relative_motion(void *d, struct zwp_relative_pointer_v1 *r, uint32_t hi, uint32_t lo, wl_fixed_t dx,
                            wl_fixed_t dy, wl_fixed_t udx, wl_fixed_t udy)
{
    printf("relative %.0f %.0f\n", wl_fixed_to_double(dx), wl_fixed_to_double(dy));
    fflush(stdout);
}
static const struct zwp_relative_pointer_v1_listener relative_listener = {relative_motion};

static int cmd_lock(struct wl_display *display, double seconds)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!compositor || !shm || !seat || !wm_base || !constraints || !relative) {
        printf("missing globals\n");
        return 2;
    }
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    struct wl_pointer *pointer = wl_seat_get_pointer(seat);
    struct window w;
    map_window(&w, 0);
    struct zwp_locked_pointer_v1 *lock = zwp_pointer_constraints_v1_lock_pointer(
        constraints, w.surface, pointer, NULL, ZWP_POINTER_CONSTRAINTS_V1_LIFETIME_PERSISTENT);
    zwp_locked_pointer_v1_add_listener(lock, &locked_listener, NULL);
    zwp_relative_pointer_v1_add_listener(zwp_relative_pointer_manager_v1_get_relative_pointer(relative, pointer),
                                         &relative_listener, NULL);
    double end = now() + seconds;
    while (now() < end) {
        wl_display_flush(display);
        struct pollfd pfd = {wl_display_get_fd(display), POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0 && wl_display_dispatch(display) < 0) break;
        wl_display_dispatch_pending(display);
    }
    return 0;
}

static int bind_globals(struct wl_display *display)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    return wl_display_roundtrip(display) < 0 || !compositor || !shm ? -1 : 0;
}

/* Flushes everything queued, waiting for room in the socket; -1 once the
 * compositor is gone. */
static int flush_all(struct wl_display *display)
{
    while (wl_display_flush(display) < 0) {
        if (errno != EAGAIN) return -1;
        struct pollfd p = {wl_display_get_fd(display), POLLOUT, 0};
        poll(&p, 1, 1000);
    }
    struct pollfd in = {wl_display_get_fd(display), POLLIN, 0};
    if (poll(&in, 1, 0) > 0 && wl_display_dispatch(display) < 0) return -1;
    return 0;
}

/* What ended the connection: 0 while it works, else the errno and, for a
 * protocol error, its code. */
static void print_outcome(struct wl_display *display, const char *counted, long n)
{
    int err = wl_display_get_error(display);
    uint32_t code = 0;
    if (err == EPROTO) wl_display_get_protocol_error(display, NULL, &code);
    printf("{\"%s\": %ld, \"error\": %d, \"protocol_error\": %u}\n", counted, n, err, code);
}

static int cmd_surfaces(struct wl_display *display, long n)
{
    if (bind_globals(display) < 0) return 2;
    long created = 0;
    while (created < n) {
        for (int i = 0; i < 200 && created < n; i++, created++) wl_compositor_create_surface(compositor);
        if (flush_all(display) < 0) break;
    }
    if (!wl_display_get_error(display)) wl_display_roundtrip(display);
    print_outcome(display, "created", created);
    return 0;
}

static int cmd_buffer(struct wl_display *display, int width, int height, int count)
{
    if (bind_globals(display) < 0) return 2;
    struct wl_surface *surface = wl_compositor_create_surface(compositor);
    int fd = memfd_create("hostile-buffer", MFD_CLOEXEC);
    off_t one = (off_t)width * height * 4, size = one * count;
    if (fd < 0 || size > INT32_MAX || ftruncate(fd, size) != 0) return 2; /* sparse: no memory is used */
    struct wl_shm_pool *pool = wl_shm_create_pool(shm, fd, (int32_t)size);
    struct wl_buffer *first = NULL;
    for (int i = 0; i < count; i++) {
        struct wl_buffer *b =
            wl_shm_pool_create_buffer(pool, (int32_t)(one * i), width, height, width * 4, WL_SHM_FORMAT_XRGB8888);
        if (!first) first = b;
    }
    wl_surface_attach(surface, first, 0, 0);
    wl_surface_commit(surface);
    wl_display_roundtrip(display);
    wl_display_roundtrip(display);
    print_outcome(display, "width", width);
    return 0;
}

static int cmd_clients(struct wl_display *display, int n)
{
    int working = wl_display_roundtrip(display) >= 0;
    struct wl_display **extra = calloc(n > 0 ? n : 1, sizeof *extra);
    for (int i = 0; i < n; i++) {
        extra[i] = wl_display_connect(NULL);
        if (extra[i] && wl_display_roundtrip(extra[i]) >= 0) working++;
    }
    printf("{\"working\": %d}\n", working);
    fflush(stdout);
    /* All of them were open until now, the end. */
    for (int i = 0; i < n; i++)
        if (extra[i]) wl_display_disconnect(extra[i]);
    free(extra);
    return 0;
}

static int cmd_forge(struct wl_display *display, double seconds)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!compositor || !shm || !wm_base || !subcompositor) {
        printf("{\"error\": \"missing globals\"}\n");
        return 2;
    }
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    struct window w;
    w.surface = wl_compositor_create_surface(compositor);
    w.xdg = xdg_wm_base_get_xdg_surface(wm_base, w.surface);
    xdg_surface_add_listener(w.xdg, &xdg_listener, &w);
    struct xdg_toplevel *top = xdg_surface_get_toplevel(w.xdg);
    /* Line erase, an OSC 52 clipboard write, a right-to-left override, bytes that are not UTF-8. */
    xdg_toplevel_set_title(top, "bank \x1b[2K\x1b]52;c;aGk=\x07\xe2\x80\xae\xff\xfe evil");
    xdg_toplevel_set_app_id(top, "forger\x1b[31m");
    xdg_surface_set_window_geometry(w.xdg, 0, 0, 1, 1);
    w.buffer = make_colored_buffer(640, 120, 0xffff0000);

    struct wl_surface *stray = wl_compositor_create_surface(compositor);
    struct wl_subsurface *sub = wl_subcompositor_get_subsurface(subcompositor, stray, w.surface);
    wl_subsurface_set_position(sub, -50, -50);
    wl_surface_attach(stray, make_colored_buffer(300, 300, 0xff00ff00), 0, 0);
    wl_surface_commit(stray);
    wl_surface_commit(w.surface);

    double end = now() + seconds;
    while (now() < end) {
        wl_display_flush(display);
        struct pollfd pfd = {wl_display_get_fd(display), POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0 && wl_display_dispatch(display) < 0) break;
        wl_display_dispatch_pending(display);
    }
    printf("{\"error\": %d}\n", wl_display_get_error(display));
    return 0;
}

static int cmd_sprawl(struct wl_display *display, double seconds, double delay)
{
    if (bind_globals(display) || !wm_base || !subcompositor) return 2;
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    struct window w;
    w.surface = wl_compositor_create_surface(compositor);
    w.xdg = xdg_wm_base_get_xdg_surface(wm_base, w.surface);
    xdg_surface_add_listener(w.xdg, &xdg_listener, &w);
    struct xdg_toplevel *top = xdg_surface_get_toplevel(w.xdg);
    xdg_toplevel_set_title(top, "sprawl");
    w.buffer = make_colored_buffer(200, 100, 0xff0000ff);

    struct wl_surface *side = wl_compositor_create_surface(compositor);
    struct wl_subsurface *sub = wl_subcompositor_get_subsurface(subcompositor, side, w.surface);
    wl_subsurface_set_position(sub, -30, -20);
    wl_surface_attach(side, make_colored_buffer(60, 40, 0xff00ff00), 0, 0);
    wl_surface_commit(side);
    wl_surface_commit(w.surface);

    double start = now(), end = start + seconds;
    int jumped = 0;
    while (now() < end) {
        if (!jumped && now() >= start + delay) {
            /* Applied with the parent's next commit (a synchronised subsurface). */
            wl_subsurface_set_position(sub, -60, -40);
            wl_surface_commit(w.surface);
            jumped = 1;
        }
        wl_display_flush(display);
        struct pollfd pfd = {wl_display_get_fd(display), POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0 && wl_display_dispatch(display) < 0) break;
        wl_display_dispatch_pending(display);
    }
    printf("{\"error\": %d}\n", wl_display_get_error(display));
    return 0;
}

static int cmd_inhibit(struct wl_display *display, double seconds)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!compositor || !shm || !wm_base || !inhibit_manager) {
        printf("missing globals\n");
        return 2;
    }
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    struct window w;
    map_window(&w, 0);
    zwp_idle_inhibit_manager_v1_create_inhibitor(inhibit_manager, w.surface);
    double end = now() + seconds;
    while (now() < end) {
        wl_display_flush(display);
        struct pollfd pfd = {wl_display_get_fd(display), POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0 && wl_display_dispatch(display) < 0) break;
        wl_display_dispatch_pending(display);
    }
    return 0;
}

static struct wl_surface *activate_target;
static void token_done(void *d, struct xdg_activation_token_v1 *t, const char *token)
{
    xdg_activation_v1_activate(activation, token, activate_target);
    xdg_activation_token_v1_destroy(t);
    printf("requested\n");
    fflush(stdout);
}
static const struct xdg_activation_token_v1_listener token_listener = {token_done};

static int cmd_activate(struct wl_display *display, double seconds, double delay)
{
    struct wl_registry *registry = wl_display_get_registry(display);
    wl_registry_add_listener(registry, &registry_listener, NULL);
    wl_display_roundtrip(display);
    if (!compositor || !shm || !seat || !wm_base || !activation) {
        printf("missing globals\n");
        return 2;
    }
    xdg_wm_base_add_listener(wm_base, &wm_listener, NULL);
    struct window w[2];
    map_window(&w[0], 0);
    wl_display_roundtrip(display);
    map_window(&w[1], 1);
    activate_target = w[0].surface;
    double start = now(), end = start + seconds;
    int asked = 0;
    while (now() < end) {
        if (!asked && now() > start + delay) {
            struct xdg_activation_token_v1 *t = xdg_activation_v1_get_activation_token(activation);
            xdg_activation_token_v1_add_listener(t, &token_listener, NULL);
            xdg_activation_token_v1_commit(t);
            asked = 1;
        }
        wl_display_flush(display);
        struct pollfd pfd = {wl_display_get_fd(display), POLLIN, 0};
        if (poll(&pfd, 1, 50) > 0 && wl_display_dispatch(display) < 0) break;
        wl_display_dispatch_pending(display);
    }
    return 0;
}

int main(int argc, char **argv)
{
    /* Static: what the connection holds is still reachable when the process
     * exits with it open (LeakSanitizer, in the sanitized test run, would
     * otherwise report it and exit before stdout's verdict is flushed). */
    static struct wl_display *display;
    display = wl_display_connect(NULL);
    if (!display) {
        printf("{\"error\": \"cannot connect\"}\n");
        return 2;
    }
    if (argc == 5 && !strcmp(argv[1], "bind"))
        return cmd_bind(display, strtoul(argv[2], NULL, 10), strtoul(argv[3], NULL, 10), argv[4]);
    if (argc == 3 && !strcmp(argv[1], "inhibit")) return cmd_inhibit(display, atof(argv[2]));
    if (argc == 4 && !strcmp(argv[1], "activate")) return cmd_activate(display, atof(argv[2]), atof(argv[3]));
    if (argc == 3 && !strcmp(argv[1], "lock")) return cmd_lock(display, atof(argv[2]));
    if (argc == 3 && !strcmp(argv[1], "grabby")) return cmd_grabby(display, atof(argv[2]));
    if (argc == 5 && !strcmp(argv[1], "hole")) return cmd_hole(display, atof(argv[2]), atoi(argv[3]), atoi(argv[4]));
    if (argc == 3 && !strcmp(argv[1], "forge")) return cmd_forge(display, atof(argv[2]));
    if (argc == 4 && !strcmp(argv[1], "sprawl")) return cmd_sprawl(display, atof(argv[2]), atof(argv[3]));
    if (argc >= 3 && !strcmp(argv[1], "listen"))
        return cmd_listen(display, atof(argv[2]), argc > 3 ? atoi(argv[3]) : 1);
    if (argc == 3 && !strcmp(argv[1], "surfaces")) return cmd_surfaces(display, atol(argv[2]));
    if (argc >= 4 && !strcmp(argv[1], "buffer"))
        return cmd_buffer(display, atoi(argv[2]), atoi(argv[3]), argc > 4 ? atoi(argv[4]) : 1);
    if (argc == 3 && !strcmp(argv[1], "clients")) return cmd_clients(display, atoi(argv[2]));
    fprintf(stderr, "usage: hostile_client bind NAME VERSION INTERFACE | listen SECONDS [WINDOWS] | grabby SECONDS | "
                    "forge SECONDS\n"
                    "       hole SECONDS WIDTH HEIGHT\n"
                    "       lock SECONDS | surfaces N | buffer WIDTH HEIGHT [COUNT] | clients N\n");
    return 2;
}
