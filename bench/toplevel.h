/* What the bench's Wayland clients (frame_client, input_client) share: the
 * clock, connecting and binding the globals every one of them needs
 * (wl_compositor, wl_shm, xdg_wm_base; a client's own `bind_extra` takes
 * the rest), and mapping one xdg toplevel. */
#pragma once

#include "xdg-shell-client-protocol.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wayland-client.h>

struct toplevel {
    struct wl_display* display;
    struct wl_compositor* compositor;
    struct wl_shm* shm;
    struct xdg_wm_base* wm;
    struct wl_surface* surface;
    struct xdg_toplevel* xdg;
    int width, height;     /* what the client draws */
    bool follow_configure; /* take a configure's size until the client draws */
    bool configured, drawn;
    void (*bind_extra)(struct wl_registry* r, uint32_t name, const char* iface);
};

static inline uint64_t now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* For events a client does not handle. */
static void noop() {}

static void toplevel_wm_ping(void* data, struct xdg_wm_base* wm, uint32_t serial)
{
    xdg_wm_base_pong(wm, serial);
}
static const struct xdg_wm_base_listener toplevel_wm_listener = {toplevel_wm_ping};

static void toplevel_global(void* data, struct wl_registry* r, uint32_t name, const char* iface, uint32_t version)
{
    struct toplevel* t = data;
    if (strcmp(iface, wl_compositor_interface.name) == 0)
        t->compositor = wl_registry_bind(r, name, &wl_compositor_interface, 4);
    else if (strcmp(iface, wl_shm_interface.name) == 0) t->shm = wl_registry_bind(r, name, &wl_shm_interface, 1);
    else if (strcmp(iface, xdg_wm_base_interface.name) == 0) {
        t->wm = wl_registry_bind(r, name, &xdg_wm_base_interface, 1);
        xdg_wm_base_add_listener(t->wm, &toplevel_wm_listener, NULL);
    } else if (t->bind_extra) t->bind_extra(r, name, iface);
}
static const struct wl_registry_listener toplevel_registry_listener = {toplevel_global, noop};

/* Connects to $WAYLAND_DISPLAY and binds the globals; exits naming `who`
 * when there is no compositor or it lacks one of the three. */
static inline void toplevel_connect(struct toplevel* t, const char* who)
{
    t->display = wl_display_connect(NULL);
    if (!t->display) {
        fprintf(stderr, "%s: cannot connect to a Wayland display\n", who);
        exit(1);
    }
    struct wl_registry* registry = wl_display_get_registry(t->display);
    wl_registry_add_listener(registry, &toplevel_registry_listener, t);
    wl_display_roundtrip(t->display);
    if (!t->compositor || !t->shm || !t->wm) {
        fprintf(stderr, "%s: the compositor lacks wl_compositor, wl_shm or xdg_wm_base\n", who);
        exit(1);
    }
}

static void toplevel_surface_configure(void* data, struct xdg_surface* s, uint32_t serial)
{
    xdg_surface_ack_configure(s, serial);
    ((struct toplevel*)data)->configured = true;
}
static const struct xdg_surface_listener toplevel_surface_listener = {toplevel_surface_configure};

static void toplevel_configure(void* data, struct xdg_toplevel* x, int32_t w, int32_t h, struct wl_array* states)
{
    struct toplevel* t = data;
    if (t->follow_configure && w > 0 && h > 0 && !t->drawn) {
        t->width = w;
        t->height = h;
    }
}
static void toplevel_close(void* data, struct xdg_toplevel* x)
{
    exit(0);
}
static const struct xdg_toplevel_listener toplevel_listener = {toplevel_configure, toplevel_close};

/* Maps a toplevel titled `title` and returns after its first configure. */
static inline void toplevel_map(struct toplevel* t, const char* title)
{
    t->surface = wl_compositor_create_surface(t->compositor);
    struct xdg_surface* xs = xdg_wm_base_get_xdg_surface(t->wm, t->surface);
    xdg_surface_add_listener(xs, &toplevel_surface_listener, t);
    t->xdg = xdg_surface_get_toplevel(xs);
    xdg_toplevel_add_listener(t->xdg, &toplevel_listener, t);
    xdg_toplevel_set_title(t->xdg, title);
    wl_surface_commit(t->surface);
    while (!t->configured && wl_display_dispatch(t->display) >= 0) {
    }
}
