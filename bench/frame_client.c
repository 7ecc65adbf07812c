/* frame_client: the benchmarks' Wayland client. It maps one xdg toplevel and
 * commits full-size shm buffers as fast as the compositor's frame callbacks
 * let it, with a presentation feedback on every commit. It prints one JSON
 * line: frames per second, commit-to-frame-done latency (min/median/max),
 * how many frames got a real presentation event (none on a headless output),
 * and the CLOCK_MONOTONIC times of its start and of its first drawn frame
 * (for spawn latency; containers share the host's monotonic clock).
 *
 *   frame_client [--frames N] [--warmup N] [--size WxH] [--out FILE]
 */
#define _GNU_SOURCE
#include "presentation-time-client-protocol.h"
#include "toplevel.h"

#include <sys/mman.h>
#include <unistd.h>

#define BUFFERS 3

struct buffer {
    struct wl_buffer* wl;
    uint32_t* pixels;
    bool busy;
};

static struct {
    struct toplevel win;
    struct wp_presentation* presentation;
    struct buffer buffers[BUFFERS];
    bool frame_done;
    int committed, presented, target;
    uint64_t first_present_ns;
    uint64_t first_present_cpu_wait_ns; /* runnable but not running, until the first frame */
    double* latencies;
    int n_latencies;
} app = {.win = {.width = 1280, .height = 720}};

/* Nanoseconds this process has waited for a CPU after its wake-ups: the
 * second field of /proc/self/schedstat (0 where the kernel has none). */
static uint64_t cpu_wait_ns(void)
{
    unsigned long long run = 0, wait = 0;
    FILE* f = fopen("/proc/self/schedstat", "r");
    if (f) {
        if (fscanf(f, "%llu %llu", &run, &wait) != 2) wait = 0;
        fclose(f);
    }
    return wait;
}

static void bind_presentation(struct wl_registry* r, uint32_t name, const char* iface)
{
    if (strcmp(iface, wp_presentation_interface.name) == 0)
        app.presentation = wl_registry_bind(r, name, &wp_presentation_interface, 1);
}

static void buffer_release(void* data, struct wl_buffer* b)
{
    ((struct buffer*)data)->busy = false;
}
static const struct wl_buffer_listener buffer_listener = {buffer_release};

/* The frame callback comes once the compositor has drawn the frame holding
 * this commit: on a headless output (which never reports a real present)
 * that is the moment it reached the screen's buffer. */
static void frame_done(void* data, struct wl_callback* cb, uint32_t time)
{
    uint64_t committed = (uint64_t)(uintptr_t)data, done = now_ns();
    wl_callback_destroy(cb);
    if (!app.first_present_ns) {
        app.first_present_ns = done;
        app.first_present_cpu_wait_ns = cpu_wait_ns();
    }
    app.latencies[app.n_latencies++] = (double)(done - committed) / 1e6;
    app.frame_done = true;
}
static const struct wl_callback_listener frame_listener = {frame_done};

static void feedback_presented(void* data, struct wp_presentation_feedback* f, uint32_t sec_hi, uint32_t sec_lo,
                               uint32_t nsec, uint32_t refresh, uint32_t seq_hi, uint32_t seq_lo, uint32_t flags)
{
    app.presented++;
    wp_presentation_feedback_destroy(f);
}
static void feedback_discarded(void* data, struct wp_presentation_feedback* f)
{
    wp_presentation_feedback_destroy(f);
}
static const struct wp_presentation_feedback_listener feedback_listener = {noop, feedback_presented,
                                                                           feedback_discarded};

static void make_buffers(void)
{
    size_t stride = (size_t)app.win.width * 4, size = stride * app.win.height;
    int fd = memfd_create("frame_client", MFD_CLOEXEC);
    if (fd < 0 || ftruncate(fd, (off_t)(size * BUFFERS)) != 0) {
        perror("frame_client: memfd");
        exit(1);
    }
    uint8_t* data = mmap(NULL, size * BUFFERS, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    struct wl_shm_pool* pool = wl_shm_create_pool(app.win.shm, fd, (int32_t)(size * BUFFERS));
    for (int i = 0; i < BUFFERS; i++) {
        app.buffers[i].wl = wl_shm_pool_create_buffer(pool, (int32_t)(size * i), app.win.width, app.win.height,
                                                      (int32_t)stride, WL_SHM_FORMAT_XRGB8888);
        app.buffers[i].pixels = (uint32_t*)(data + size * i);
        wl_buffer_add_listener(app.buffers[i].wl, &buffer_listener, &app.buffers[i]);
    }
    wl_shm_pool_destroy(pool);
    close(fd);
}

static struct buffer* free_buffer(void)
{
    for (int i = 0; i < BUFFERS; i++)
        if (!app.buffers[i].busy) return &app.buffers[i];
    return NULL;
}

/* Every pixel changes every frame, as in a video or a game. */
static void draw_and_commit(struct buffer* b)
{
    uint32_t color = 0xff000000u | (uint32_t)(app.committed * 0x010307u & 0xffffffu);
    size_t n = (size_t)app.win.width * app.win.height;
    for (size_t i = 0; i < n; i++) b->pixels[i] = color;
    wl_surface_attach(app.win.surface, b->wl, 0, 0);
    wl_surface_damage_buffer(app.win.surface, 0, 0, app.win.width, app.win.height);
    uint64_t now = now_ns();
    wl_callback_add_listener(wl_surface_frame(app.win.surface), &frame_listener, (void*)(uintptr_t)now);
    if (app.presentation)
        wp_presentation_feedback_add_listener(wp_presentation_feedback(app.presentation, app.win.surface),
                                              &feedback_listener, NULL);
    wl_surface_commit(app.win.surface);
    b->busy = true;
    app.frame_done = false;
    app.committed++;
}

static int compare(const void* a, const void* b)
{
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

int main(int argc, char** argv)
{
    uint64_t start_ns = now_ns();
    int frames = 300, warmup = 30;
    const char* out = NULL;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--frames") == 0) frames = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--warmup") == 0) warmup = atoi(argv[i + 1]);
        else if (strcmp(argv[i], "--size") == 0) sscanf(argv[i + 1], "%dx%d", &app.win.width, &app.win.height);
        else if (strcmp(argv[i], "--out") == 0) out = argv[i + 1];
    }
    if (frames < 1 || app.win.width < 1 || app.win.height < 1) {
        fprintf(stderr, "usage: frame_client [--frames N] [--warmup N] [--size WxH] [--out FILE]\n");
        return 2;
    }
    app.win.bind_extra = bind_presentation;
    toplevel_connect(&app.win, "frame_client");
    struct wl_display* display = app.win.display;
    app.latencies = calloc((size_t)(frames + warmup + 8), sizeof(double));
    toplevel_map(&app.win, "ctopbroker frame bench");
    make_buffers();

    app.target = frames + warmup;
    uint64_t t0 = 0;
    int counted_from = 0;
    app.frame_done = true;
    while (app.committed < app.target) {
        struct buffer* b = app.frame_done ? free_buffer() : NULL;
        if (b) {
            if (app.committed == warmup) {
                t0 = now_ns();
                counted_from = app.committed;
            }
            draw_and_commit(b);
            wl_display_flush(display);
        }
        if (wl_display_dispatch(display) < 0) {
            fprintf(stderr, "frame_client: lost the compositor\n");
            return 1;
        }
    }
    while (!app.frame_done && wl_display_dispatch(display) >= 0) {
    }
    wl_display_roundtrip(display);
    double seconds = (double)(now_ns() - t0) / 1e9;
    int measured = app.committed - counted_from;

    /* Latencies of the measured frames only. */
    int skip = app.n_latencies > warmup ? warmup : 0;
    int n = app.n_latencies - skip;
    double* lat = app.latencies + skip;
    qsort(lat, (size_t)n, sizeof(double), compare);
    FILE* f = out ? fopen(out, "w") : stdout;
    if (!f) {
        perror("frame_client: --out");
        return 1;
    }
    fprintf(f,
            "{\"frames\": %d, \"seconds\": %.4f, \"fps\": %.2f, \"presented\": %d, \"latency_ms\": {\"min\": %.3f, "
            "\"median\": %.3f, \"max\": %.3f}, \"start_ns\": %llu, \"first_present_ns\": %llu, "
            "\"first_present_cpu_wait_ns\": %llu}\n",
            measured, seconds, measured / seconds, app.presented, n ? lat[0] : -1.0, n ? lat[n / 2] : -1.0,
            n ? lat[n - 1] : -1.0, (unsigned long long)start_ns, (unsigned long long)app.first_present_ns,
            (unsigned long long)app.first_present_cpu_wait_ns);
    if (out) fclose(f);
    wl_display_disconnect(display);
    return 0;
}
