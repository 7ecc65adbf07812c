// Per-container X servers started on demand, and X11 windows as views.
#include "xwayland.hpp"

#include "clipboard.hpp"
#include "seat.hpp"
#include "server.hpp"
#include "text.hpp"
#include "workspace.hpp"

#include <drm_fourcc.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <stdexcept>

namespace ctop {
namespace {

constexpr int start_timeout_ms = 20000;

int listen_unix(const std::string& path)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    if (path.size() >= sizeof addr.sun_path) {
        close(fd);
        errno = ENAMETOOLONG;
        return -1;
    }
    std::strcpy(addr.sun_path, path.c_str());
    unlink(path.c_str());
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0 ||
        chmod(path.c_str(), 0666) != 0) {
        int err = errno;
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

// Connecting to wlroots' (lazy) X socket is what makes it start Xwayland.
int poke(int display)
{
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::snprintf(addr.sun_path, sizeof addr.sun_path, "/tmp/.X11-unix/X%d", display);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 && errno != EINPROGRESS) {
        close(fd);
        return -1;
    }
    return fd;
}

// The bounding box of the pixels of a surface's current buffer that are
// part of the window rather than its drop shadow, in buffer coordinates: at
// least half as opaque as the most opaque pixel on the middle row and column
// (a menu's body crosses both, at one alpha all over while it fades in; its
// shadow stays far below). Each edge is scanned inwards and stops at its
// first such row or column: a shadow costs its width, not the window's area.
// The whole buffer when its pixels cannot be read (a dmabuf), have no alpha,
// or are all transparent (a menu's first frame as it starts to fade in: it
// must stay shown, or it gets no frame callbacks and never draws the next).
wlr_box visible_bounds(wlr_surface* surface)
{
    wlr_client_buffer* shown = surface->buffer;
    wlr_buffer* source = shown ? shown->source : nullptr;
    if (!source) return {0, 0, surface->current.buffer_width, surface->current.buffer_height};
    const int w = source->width, h = source->height;
    wlr_box whole{0, 0, w, h};
    void* data;
    uint32_t format;
    size_t stride;
    if (!wlr_buffer_begin_data_ptr_access(source, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride))
        return whole;
    if (format != DRM_FORMAT_ARGB8888 || stride < static_cast<size_t>(w) * 4) {
        wlr_buffer_end_data_ptr_access(source);
        return whole;
    }
    auto alpha = [&](int x, int y) {
        uint32_t px;
        std::memcpy(&px, static_cast<const char*>(data) + y * stride + x * 4, 4);
        return px >> 24;
    };
    uint32_t peak = 0;
    for (int x = 0; x < w; ++x) peak = std::max(peak, alpha(x, h / 2));
    for (int y = 0; y < h; ++y) peak = std::max(peak, alpha(w / 2, y));
    const uint32_t min_alpha = std::max<uint32_t>(1, peak / 2);
    auto row_visible = [&](int y, int x0, int x1) {
        for (int x = x0; x < x1; ++x)
            if (alpha(x, y) >= min_alpha) return true;
        return false;
    };
    auto column_visible = [&](int x, int y0, int y1) {
        for (int y = y0; y < y1; ++y)
            if (alpha(x, y) >= min_alpha) return true;
        return false;
    };
    int top = 0, bottom = h, left = 0, right = w;
    while (top < bottom && !row_visible(top, 0, w)) ++top;
    while (bottom > top && !row_visible(bottom - 1, 0, w)) --bottom;
    while (left < right && !column_visible(left, top, bottom)) ++left;
    while (right > left && !column_visible(right - 1, top, bottom)) --right;
    wlr_buffer_end_data_ptr_access(source);
    if (top >= bottom || left >= right) return whole;
    return {left, top, right - left, bottom - top};
}

void drain(int listen_fd)
{
    fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
    int c;
    while ((c = accept4(listen_fd, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK)) >= 0) close(c);
}

}  // namespace

ContainerXServer::ContainerXServer(Server& server, std::string container, const std::filesystem::path& runtime_dir,
                                   LaunchInfo launch_info)
    : server_(server), container_(std::move(container)), socket_path_(runtime_dir / "X0"),
      launch_info_(std::move(launch_info))
{
    fd_ = listen_unix(socket_path_.string());
    if (fd_ < 0)
        throw std::runtime_error("container '" + container_ + "': cannot create its X socket " + socket_path_.string() +
                                 ": " + std::strerror(errno));
    // Tag Xwayland's Wayland connection the moment wlroots creates it, before
    // it can bind a single global.
    client_created_.self = this;
    client_created_.listener.notify = [](wl_listener* l, void* data) {
        reinterpret_cast<ClientCreated*>(l)->self->on_client_created(static_cast<wl_client*>(data));
    };
    wl_display_add_client_created_listener(server_.display(), &client_created_.listener);
    arm();
}

void ContainerXServer::on_client_created(wl_client* client)
{
    if (xwayland_ && xwayland_->server && xwayland_->server->wl_fd[0] >= 0 &&
        wl_client_get_fd(client) == xwayland_->server->wl_fd[0]) {
        server_.policy().tag(client, container_);
        watch_client(client);
    }
}

ContainerXServer::~ContainerXServer()
{
    shut_down();
    if (watch_) wl_event_source_remove(watch_);
    if (idle_) wl_event_source_remove(idle_);
    wl_list_remove(&client_created_.listener.link);
    if (wm_fd_ >= 0) close(wm_fd_);
    close(fd_);
    unlink(socket_path_.c_str());
}

pid_t ContainerXServer::pid() const
{
    // The launcher records the pid of the Xwayland it runs (wlroots only
    // knows its own helper's).
    if (!ready_) return -1;
    std::ifstream in(server_.xwayland_state_dir() / (std::to_string(display_) + ".pid"));
    pid_t pid = -1;
    in >> pid;
    return pid;
}

std::filesystem::path ContainerXServer::info_file() const
{
    return server_.xwayland_state_dir() / (std::to_string(display_) + ".json");
}

void ContainerXServer::arm()
{
    if (!watch_)
        watch_ = wl_event_loop_add_fd(server_.loop(), fd_, WL_EVENT_READABLE, &ContainerXServer::on_connection, this);
}

void ContainerXServer::set_inheritable(bool inheritable)
{
    int flags = fcntl(fd_, F_GETFD);
    fcntl(fd_, F_SETFD, inheritable ? flags & ~FD_CLOEXEC : flags | FD_CLOEXEC);
}

int ContainerXServer::on_connection(int, uint32_t, void* data)
{
    auto* self = static_cast<ContainerXServer*>(data);
    wl_event_source_remove(self->watch_);
    self->watch_ = nullptr;
    self->start();
    return 0;
}

void ContainerXServer::start()
{
    ++starts_;
    wlr_log(WLR_INFO, "container %s: first X client, starting its Xwayland", container_.c_str());
    xwayland_ = wlr_xwayland_create(server_.display(), server_.compositor(), true);
    if (!xwayland_) {
        wlr_log(WLR_ERROR, "container %s: cannot set up Xwayland", container_.c_str());
        drain(fd_);  // waiting X clients fail now instead of hanging
        arm();
        return;
    }
    display_ = xwayland_->server->display;
    // Its private selection seat, never the user's: see ClipboardBroker.
    server_.clipboard().attach_xwayland(container_, xwayland_);
    // X windows without a cursor of their own (GTK4's header bar, a window
    // under a pointer coming back from a move) show the root window's; left
    // unset, that is X's "X", which looks like something went wrong.
    if (wlr_xcursor_image* arrow = server_.seat().default_cursor_image())
        wlr_xwayland_set_cursor(xwayland_, arrow->buffer, arrow->width * 4, arrow->width, arrow->height,
                                arrow->hotspot_x, arrow->hotspot_y);
    ready_listener_.connect(&xwayland_->events.ready, [this](void*) { on_ready(); });
    new_surface_.connect(&xwayland_->events.new_surface,
                         [this](void* d) { on_new_surface(static_cast<wlr_xwayland_surface*>(d)); });

    // The launcher finds the container and our socket through this file; the
    // socket must survive wlroots' fork+exec until Xwayland is up.
    std::filesystem::create_directories(server_.xwayland_state_dir());
    std::ofstream(info_file()) << launch_info_(fd_) << "\n";
    set_inheritable(true);
    poke_fd_ = poke(display_);
    timer_ = wl_event_loop_add_timer(server_.loop(), &ContainerXServer::on_start_timeout, this);
    wl_event_source_timer_update(timer_, start_timeout_ms);
}

void ContainerXServer::on_ready()
{
    set_inheritable(false);
    if (poke_fd_ >= 0) close(poke_fd_);
    poke_fd_ = -1;
    if (timer_) wl_event_source_remove(timer_);
    timer_ = nullptr;
    // wlroots' host-side X sockets have done their job (the lazy start):
    // close them so nothing on the host can reach this container's X server.
    wlr_xwayland_server* s = xwayland_->server;
    for (int& x : s->x_fd) {
        if (x < 0) continue;
        drain(x);
        close(x);
        x = -1;
    }
    std::string host_socket = "/tmp/.X11-unix/X" + std::to_string(display_);
    unlink(host_socket.c_str());
    // The xwm owns wm_fd[0] (its xcb connection); our duplicate lets us hang
    // that connection up when we retire this server (see RetiredXwaylands).
    if (s->wm_fd[0] >= 0) wm_fd_ = fcntl(s->wm_fd[0], F_DUPFD_CLOEXEC, 0);
    ready_ = true;
    wlr_log(WLR_INFO, "container %s: Xwayland ready (pid %d)", container_.c_str(), s->pid);
}

// Registered when wlroots creates Xwayland's client, so it runs before
// wlroots' own destroy listener: that one closes wm_fd[0] although the xwm's
// xcb connection still owns it (and closes it again later, maybe after the
// number was reused). Taking it out of wlroots' hands leaves one owner.
void ContainerXServer::watch_client(wl_client* client)
{
    if (!wl_list_empty(&client_destroy_.link) && client_destroy_.link.next) wl_list_remove(&client_destroy_.link);
    client_destroy_.notify = [](wl_listener* l, void*) {
        ContainerXServer* self = wl_container_of(l, self, client_destroy_);
        wl_list_remove(&self->client_destroy_.link);
        wl_list_init(&self->client_destroy_.link);
        if (self->xwayland_ && self->xwayland_->xwm) self->xwayland_->server->wm_fd[0] = -1;
        // When Xwayland goes (exit, crash, kill), go back to waiting for a client.
        wlr_log(WLR_INFO, "container %s: Xwayland exited", self->container_.c_str());
        self->shut_down_later();
    };
    wl_client_add_destroy_listener(client, &client_destroy_);
}

int ContainerXServer::on_start_timeout(void* data)
{
    auto* self = static_cast<ContainerXServer*>(data);
    wlr_log(WLR_ERROR, "container %s: Xwayland did not start", self->container_.c_str());
    wl_event_source_remove(self->timer_);
    self->timer_ = nullptr;
    drain(self->fd_);
    self->shut_down_later();
    return 0;
}

void ContainerXServer::shut_down_later()
{
    // Not from inside wlroots' own callbacks: tear down on the next idle.
    if (idle_) return;
    idle_ = wl_event_loop_add_idle(
        server_.loop(),
        [](void* data) {
            auto* self = static_cast<ContainerXServer*>(data);
            self->idle_ = nullptr;
            self->shut_down();
            self->arm();
        },
        this);
}

void ContainerXServer::shut_down()
{
    if (!xwayland_) return;
    set_inheritable(false);
    if (timer_) wl_event_source_remove(timer_);
    timer_ = nullptr;
    if (poke_fd_ >= 0) close(poke_fd_);
    poke_fd_ = -1;
    if (!wl_list_empty(&client_destroy_.link) && client_destroy_.link.next) {
        wl_list_remove(&client_destroy_.link);
        wl_list_init(&client_destroy_.link);
    }
    ready_listener_.disconnect();
    new_surface_.disconnect();
    // Our windows go first, with their listeners: wlroots destroys its X
    // surfaces later, with the xwm, and nothing of ours may still hear them.
    while (!popups_.empty()) delete *popups_.begin();
    server_.destroy_x11_views(container_);
    std::error_code ec;
    std::filesystem::remove(info_file(), ec);
    std::filesystem::remove(server_.xwayland_state_dir() / (std::to_string(display_) + ".pid"), ec);
    server_.retired_xwaylands().retire(xwayland_, wm_fd_);
    wm_fd_ = -1;
    xwayland_ = nullptr;
    ready_ = false;
    display_ = -1;
}

void ContainerXServer::on_new_surface(wlr_xwayland_surface* xs)
{
    Workspace& ws = server_.workspace_for(container_);
    if (xs->override_redirect) {
        new XwaylandPopup(server_, popups_, xs, ws);
        return;
    }
    server_.add_view(std::make_unique<XwaylandView>(server_, xs, ws, container_));
}

// --- X11 toplevels ------------------------------------------------------------------

XwaylandView::XwaylandView(Server& server, wlr_xwayland_surface* xs, Workspace& workspace, std::string container)
    : View(server, workspace, std::move(container)), xs_(xs)
{
    xs->data = this;
    map_.connect(&xs->events.map, [this](void*) { on_map(); });
    unmap_.connect(&xs->events.unmap, [this](void*) { on_unmap(); });
    destroy_.connect(&xs->events.destroy, [this](void*) { this->server().view_destroyed(*this); });
    request_configure_.connect(&xs->events.request_configure, [this](void* data) {
        on_request_configure(static_cast<wlr_xwayland_surface_configure_event*>(data));
    });
    set_title_.connect(&xs->events.set_title, [this](void*) { update_label(); });
    // wlroots has already stored the requested _NET_WM_STATE: honour it as asked.
    request_maximize_.connect(&xs->events.request_maximize, [this](void*) {
        if (mapped()) set_maximized(xs_->maximized_horz || xs_->maximized_vert);
    });
    request_fullscreen_.connect(&xs->events.request_fullscreen, [this](void*) {
        if (mapped()) set_fullscreen(xs_->fullscreen);
        else wlr_xwayland_surface_set_fullscreen(xs_, false);  // decided once it maps
    });
    request_minimize_.connect(&xs->events.request_minimize, [this](void* data) {
        on_request_minimize(static_cast<wlr_xwayland_minimize_event*>(data));
    });
    // _NET_WM_MOVERESIZE (a client's own title bar or resize handles, e.g.
    // GTK's header bar or Chromium's tab strip): the same interactive grab as
    // xdg-shell's, on the press the pointer holds on this window.
    request_move_.connect(&xs->events.request_move, [this](void*) {
        if (mapped()) this->server().seat().request_move(*this, seat_client(), std::nullopt);
    });
    request_resize_.connect(&xs->events.request_resize, [this](void* data) {
        auto* ev = static_cast<wlr_xwayland_resize_event*>(data);
        if (mapped()) this->server().seat().request_resize(*this, seat_client(), std::nullopt, ev->edges);
    });
    request_activate_.connect(&xs->events.request_activate, [this](void*) {
        // Honoured only inside the current workspace (Seat::set_focus checks).
        if (mapped()) this->server().seat().set_focus(this);
    });
}

void XwaylandView::on_request_configure(wlr_xwayland_surface_configure_event* ev)
{
    // The size is the client's to ask for; the position stays ours.
    if (!mapped()) {
        requested_width_ = ev->width;
        requested_height_ = ev->height;
        wlr_xwayland_surface_configure(xs_, ev->x, ev->y, ev->width, ev->height);
    } else {
        wlr_xwayland_surface_configure(xs_, x(), y(), ev->width, ev->height);
    }
}

void XwaylandView::on_request_minimize(wlr_xwayland_minimize_event* ev)
{
    if (mapped()) set_minimized(ev->minimize);
    wlr_xwayland_surface_set_minimized(xs_, minimized());
}

XwaylandView::~XwaylandView()
{
    surfaces_.reset();
    xs_->data = nullptr;
}

std::string XwaylandView::title() const
{
    return sanitize_title(xs_->title ? xs_->title : "");
}

std::string XwaylandView::app_id() const
{
    return sanitize_title(xs_->class_ ? xs_->class_ : "");
}

void XwaylandView::on_map()
{
    surfaces_ = std::make_unique<ClippedSurfaceTree>(node(), xs_->surface, server().layout());
    attach_surface_node(surfaces_->node());
    surfaces_->set_clip({0, 0, xs_->surface->current.width, xs_->surface->current.height});
    commit_.connect(&xs_->surface->events.commit, [this](void*) {
        count_commit();
        int w = xs_->surface->current.width, h = xs_->surface->current.height;
        surfaces_->set_clip({0, 0, w, h});
        resized(w, h);
        if (awaited_width_ == w && awaited_height_ == h) hidden_frames_ = 0;
        else if (hidden_frames_ > 0) let_draw_while_hidden();
    });
    mapped_at(xs_->width, xs_->height);
    // Asked for before it mapped, or a container's desktop (Xephyr), whose
    // early request wlroots' window manager may have lost (Server::expect_desktop).
    if (xs_->fullscreen || server().take_expected_desktop(*this)) set_fullscreen(true);
    else if (xs_->maximized_horz || xs_->maximized_vert) set_maximized(true);
}

void XwaylandView::on_unmap()
{
    commit_.disconnect();
    unmapped();
    surfaces_.reset();
}

wlr_seat_client* XwaylandView::seat_client()
{
    if (!xs_->surface) return nullptr;
    return wlr_seat_client_for_wl_client(server().seat().wlr(), wl_resource_get_client(xs_->surface->resource));
}

void XwaylandView::set_activated(bool active)
{
    wlr_xwayland_surface_activate(xs_, active);
    if (active) wlr_xwayland_surface_restack(xs_, nullptr, XCB_STACK_MODE_ABOVE);
}

void XwaylandView::moved()
{
    // X clients place their menus from what they believe their position is.
    wlr_xwayland_surface_configure(xs_, x(), y(), xs_->width, xs_->height);
}

void XwaylandView::request_size(int width, int height)
{
    wlr_xwayland_surface_configure(xs_, x(), y(), width, height);
    awaited_width_ = width;
    awaited_height_ = height;
    hidden_frames_ = max_hidden_frames;
    let_draw_while_hidden();
}

void XwaylandView::let_draw_while_hidden()
{
    // Xwayland sends a window's next buffer only once the frame callback of
    // its last one is done, and a hidden workspace's windows get none: a
    // window resized there (a desktop filling its workspace) would keep its
    // old size until shown. Until it shows the size asked for, each of its
    // buffers is acknowledged at once, a bounded number of times.
    if (!surfaces_ || workspace().visible() || hidden_frames_ <= 0) return;
    --hidden_frames_;
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    wlr_surface_send_frame_done(xs_->surface, &now);
}

void XwaylandView::set_maximized_state(bool maximized)
{
    wlr_xwayland_surface_set_maximized(xs_, maximized);
}

void XwaylandView::set_fullscreen_state(bool fullscreen)
{
    wlr_xwayland_surface_set_fullscreen(xs_, fullscreen);
}

View* XwaylandView::parent_view() const
{
    return xs_->parent && !xs_->parent->override_redirect ? static_cast<XwaylandView*>(xs_->parent->data) : nullptr;
}

// --- override-redirect windows --------------------------------------------------------

XwaylandPopup::XwaylandPopup(Server& server, std::set<XwaylandPopup*>& registry, wlr_xwayland_surface* xs,
                             Workspace& workspace)
    : server_(server), registry_(registry), xs_(xs), workspace_(workspace),
      tree_(wlr_scene_tree_create(&workspace.x11_overlay_layer()->node))
{
    registry_.insert(this);
    wlr_scene_node_set_enabled(&tree_->node, false);
    auto color = workspace.color().rgba();
    for (auto*& rect : frame_) rect = wlr_scene_rect_create(&tree_->node, 0, 0, color.data());
    map_.connect(&xs->events.map, [this](void*) { on_map(); });
    unmap_.connect(&xs->events.unmap, [this](void*) { on_unmap(); });
    set_geometry_.connect(&xs->events.set_geometry, [this](void*) { update(); });
    destroy_.connect(&xs->events.destroy, [this](void*) { delete this; });
}

void XwaylandPopup::on_map()
{
    surfaces_ = std::make_unique<ClippedSurfaceTree>(&tree_->node, xs_->surface, server_.layout());
    wlr_scene_node_raise_to_top(&tree_->node);
    commit_.connect(&xs_->surface->events.commit, [this](void*) { on_commit(); });
    visible_ = visible_bounds(xs_->surface);
    update();
}

void XwaylandPopup::on_unmap()
{
    commit_.disconnect();
    wlr_scene_node_set_enabled(&tree_->node, false);
    surfaces_.reset();
}

XwaylandPopup::~XwaylandPopup()
{
    registry_.erase(this);
    surfaces_.reset();
    wlr_scene_node_destroy(&tree_->node);
}

// --- X servers we are done with ----------------------------------------------------

void RetiredXwaylands::retire(wlr_xwayland* xwayland, int wm_fd)
{
    if (!xwayland->xwm) {
        wlr_xwayland_destroy(xwayland);
        if (wm_fd >= 0) close(wm_fd);
        return;
    }
    // The xwm's xcb connection owns wm_fd[0] and closes it; wlroots' server
    // must not close it a second time.
    if (xwayland->server) xwayland->server->wm_fd[0] = -1;
    // Both directions shut: the xwm's event source reports a hang-up at once.
    if (wm_fd >= 0) shutdown(wm_fd, SHUT_RDWR);
    entries_.push_back({xwayland, wm_fd});
    if (!timer_) timer_ = wl_event_loop_add_timer(loop_, &RetiredXwaylands::on_timer, this);
    wl_event_source_timer_update(timer_, 10);
}

int RetiredXwaylands::on_timer(void* data)
{
    auto* self = static_cast<RetiredXwaylands*>(data);
    std::erase_if(self->entries_, [](const Entry& e) {
        if (e.xwayland->xwm) return false;
        wlr_xwayland_destroy(e.xwayland);
        if (e.wm_fd >= 0) close(e.wm_fd);
        return true;
    });
    if (!self->entries_.empty()) wl_event_source_timer_update(self->timer_, 10);
    return 0;
}

RetiredXwaylands::~RetiredXwaylands()
{
    if (timer_) wl_event_source_remove(timer_);
    for (const Entry& e : entries_)
        if (e.wm_fd >= 0) close(e.wm_fd);
}

void XwaylandPopup::on_commit()
{
    wlr_box visible = visible_bounds(xs_->surface);
    if (visible.x == visible_.x && visible.y == visible_.y && visible.width == visible_.width &&
        visible.height == visible_.height)
        return;
    visible_ = visible;
    update();
}

void XwaylandPopup::update()
{
    if (!surfaces_) return;  // not mapped
    // What may be shown: the usable area, less room for the frame, so the
    // frame is always on screen around every pixel the window shows. A huge
    // window, or one placed off the output's edge or under the bar, is cut.
    const int f = frame_width;
    wlr_box area = server_.usable_area();
    wlr_box allowed{area.x + f, area.y + f, area.width - 2 * f, area.height - 2 * f};
    wlr_box window{xs_->x, xs_->y, xs_->width, xs_->height};
    wlr_box visible{window.x + visible_.x, window.y + visible_.y, visible_.width, visible_.height};
    wlr_box in_window{}, shown{};
    if (!wlr_box_intersection(&in_window, &visible, &window) || !wlr_box_intersection(&shown, &in_window, &allowed)) {
        wlr_scene_node_set_enabled(&tree_->node, false);
        return;
    }
    wlr_scene_node_set_position(&tree_->node, window.x, window.y);
    // In the window's own coordinates from here on.
    int x = shown.x - window.x, y = shown.y - window.y;
    surfaces_->set_clip({x, y, shown.width, shown.height});
    const wlr_box edges[4] = {
        {x - f, y - f, shown.width + 2 * f, f},             // top
        {x - f, y + shown.height, shown.width + 2 * f, f},  // bottom
        {x - f, y, f, shown.height},                        // left
        {x + shown.width, y, f, shown.height},              // right
    };
    auto color = workspace_.color().rgba();
    for (int i = 0; i < 4; ++i) {
        wlr_scene_rect_set_size(frame_[i], edges[i].width, edges[i].height);
        wlr_scene_rect_set_color(frame_[i], color.data());
        wlr_scene_node_set_position(&frame_[i]->node, edges[i].x, edges[i].y);
    }
    wlr_scene_node_set_enabled(&tree_->node, true);
}

}  // namespace ctop
