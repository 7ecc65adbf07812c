// The compositor's life cycle, workspaces and views (focus is the seat's:
// seat_focus.cpp).
#include "server.hpp"

#include "activation.hpp"
#include "bar.hpp"
#include "blit_renderer.hpp"
#include "budget.hpp"
#include "clipboard.hpp"
#include "idle.hpp"
#include "label.hpp"
#include "layer_shell.hpp"
#include "notice.hpp"
#include "output.hpp"
#include "popup.hpp"
#include "seat.hpp"
#include "surface_tree.hpp"
#include "test_pointer.hpp"
#include "view.hpp"
#include "xwayland.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <optional>
#include <vector>
#include <stdexcept>
#include <string_view>

namespace ctop {
namespace {

// Keeps every toplevel in server-side decoration mode: the border and label
// are ours, and a client-drawn title bar would only compete with them.
struct DecorationMode {
    explicit DecorationMode(wlr_xdg_toplevel_decoration_v1* deco) : deco(deco)
    {
        request_mode.connect(&deco->events.request_mode, [this](void*) { apply(); });
        destroy.connect(&deco->events.destroy, [this](void*) { delete this; });
        apply();
    }
    void apply()
    {
        wlr_xdg_toplevel_decoration_v1_set_mode(this->deco, WLR_XDG_TOPLEVEL_DECORATION_V1_MODE_SERVER_SIDE);
    }
    wlr_xdg_toplevel_decoration_v1* deco;
    Listener request_mode, destroy;
};

const Color host_color = Color::from_hex("#808080");

// What takes a point: the topmost node covering it, as wlr_scene_node_at
// (wlroots 0.15) finds, except that a client's surface takes it only where
// its input region does. Elsewhere the point falls through to what lies
// below, but only to surfaces of the same client (the parent under a
// subsurface with an empty input region, a window of the app under another
// of its windows): a window never passes clicks on to another client's
// window or our decoration behind it, which the user cannot see there.
struct InputHit {
    wlr_scene_node* node = nullptr;  // decided: what takes the point
    wlr_surface* surface = nullptr;  // the client surface, if one does
    double sx = 0, sy = 0;
    wlr_scene_node* refused = nullptr;  // the topmost surface shown there that does not take it
    wl_client* refused_by = nullptr;
};

bool take(InputHit& hit, wlr_scene_node* node, wlr_surface* surface, double sx, double sy)
{
    if (hit.refused && (!surface || wl_resource_get_client(surface->resource) != hit.refused_by)) {
        hit.node = hit.refused;  // swallowed: nobody's input
        return true;
    }
    hit.node = node;
    hit.surface = surface;
    hit.sx = sx;
    hit.sy = sy;
    return true;
}

void refuse(InputHit& hit, wlr_scene_node* node, wlr_surface* surface)
{
    if (hit.refused) return;
    hit.refused = node;
    hit.refused_by = wl_resource_get_client(surface->resource);
}

// True once decided; (lx, ly) in the coordinates of node's parent.
bool find_input(wlr_scene_node* node, double lx, double ly, InputHit& hit)
{
    if (!node->state.enabled) return false;
    lx -= node->state.x;
    ly -= node->state.y;
    wlr_scene_node* child;
    wl_list_for_each_reverse(child, &node->state.children, state.link)
        if (find_input(child, lx, ly, hit)) return true;
    int width = 0, height = 0;
    switch (node->type) {
    case WLR_SCENE_NODE_ROOT:
    case WLR_SCENE_NODE_TREE:
        return false;
    case WLR_SCENE_NODE_SURFACE: {
        wlr_surface* s = wlr_scene_surface_from_node(node)->surface;
        int w = s->current.width, h = s->current.height;
        if (lx < 0 || ly < 0 || lx >= w || ly >= h) return false;
        if (!wlr_surface_point_accepts_input(s, lx, ly)) return refuse(hit, node, s), false;
        return take(hit, node, s, lx, ly);
    }
    case WLR_SCENE_NODE_RECT: {
        auto* rect = reinterpret_cast<wlr_scene_rect*>(node);  // the node is its first member
        width = rect->width;
        height = rect->height;
        break;
    }
    case WLR_SCENE_NODE_BUFFER: {
        if (ClippedSurfaceTree* tree = ClippedSurfaceTree::owning(node)) {  // a window's surface, cropped
            wlr_surface* s;
            double sx, sy;
            switch (tree->hit(node, lx, ly, &s, &sx, &sy)) {
            case ClippedSurfaceTree::Hit::Outside:
                return false;
            case ClippedSurfaceTree::Hit::Refused:
                return refuse(hit, node, s), false;
            case ClippedSurfaceTree::Hit::Accepted:
                return take(hit, node, s, sx, sy);
            }
        }
        auto* buffer = reinterpret_cast<wlr_scene_buffer*>(node);  // our label
        width = buffer->dst_width ? buffer->dst_width : buffer->buffer ? buffer->buffer->width : 0;
        height = buffer->dst_height ? buffer->dst_height : buffer->buffer ? buffer->buffer->height : 0;
        if (!buffer->dst_width && buffer->transform % 2) std::swap(width, height);
        break;
    }
    }
    if (lx < 0 || ly < 0 || lx >= width || ly >= height) return false;
    return take(hit, node, nullptr, lx, ly);
}

bool has_display_env()
{
    return std::getenv("WAYLAND_DISPLAY") || std::getenv("WAYLAND_SOCKET") || std::getenv("DISPLAY");
}

// The DRM card nodes there are; wlroots would wait for one forever.
std::vector<std::string> drm_cards()
{
    std::vector<std::string> cards;
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator("/dev/dri", ec))
        if (e.path().filename().string().rfind("card", 0) == 0) cards.push_back(e.path().string());
    return cards;
}

// wlroots' own log format, less one line: with the headless backend (no DRM
// fd) the renderer looks for a GPU render node that pixman does not need, and
// logs an error when there is none (a server, CI). That only misleads.
timespec log_start{};

void headless_log(wlr_log_importance importance, const char* fmt, va_list args)
{
    if (importance > wlr_log_get_verbosity()) return;
    if (std::strstr(fmt, "drmGetDevices2") || std::strstr(fmt, "DRM render node")) return;
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    long ms = (now.tv_sec - log_start.tv_sec) * 1000 + (now.tv_nsec - log_start.tv_nsec) / 1000000;
    static const char* const headers[] = {"", "[ERROR]", "[INFO]", "[DEBUG]"};
    std::fprintf(stderr, "%02ld:%02ld:%02ld.%03ld %s ", ms / 3600000, ms / 60000 % 60, ms / 1000 % 60, ms % 1000,
                 headers[std::min<int>(importance, 3)]);
    std::vfprintf(stderr, fmt, args);
    std::fputc('\n', stderr);
}

}  // namespace

Server::Server(const ServerOptions& options) : options_(options)
{
    display_ = wl_display_create();
    try {
        create_backend(options);
        renderer_ = wlr_renderer_autocreate(backend_);
        if (!renderer_) throw std::runtime_error("could not create a renderer (try WLR_RENDERER=pixman)");
        // CTOPBROKER_SLOW_BLITS=1 keeps wlroots' own pixman drawing: the bench
        // runs both in one go to show what the fast path changes.
        const char* slow = std::getenv("CTOPBROKER_SLOW_BLITS");
        if (!slow || std::string_view(slow) != "1") renderer_ = with_fast_blits(renderer_);
        wlr_renderer_init_wl_display(renderer_, display_);
        allocator_ = wlr_allocator_autocreate(backend_, renderer_);
        if (!allocator_) throw std::runtime_error("could not create a buffer allocator");
    } catch (...) {
        // ~Server does not run for a server that failed here; the display
        // takes the backend with it.
        if (renderer_) wlr_renderer_destroy(renderer_);
        wl_display_destroy(display_);
        throw;
    }

    // Every global is created before any client can connect, and the policy's
    // filter is in place before the first one: no window without a filter.
    policy_ = std::make_unique<ClientPolicy>(display_);
    budgets_ = std::make_unique<ClientBudgets>(display_, *policy_);
    compositor_ = wlr_compositor_create(display_, renderer_);
    wlr_data_device_manager_create(display_);
    wlr_primary_selection_v1_device_manager_create(display_);
    wlr_viewporter_create(display_);
    layout_ = wlr_output_layout_create();
    wlr_xdg_output_manager_v1_create(display_, layout_);
    wlr_screencopy_manager_v1_create(display_);  // host clients only: see ClientPolicy
    wlr_export_dmabuf_manager_v1_create(display_);
    wlr_data_control_manager_v1_create(display_);
    wlr_gamma_control_manager_v1_create(display_);

    scene_ = wlr_scene_create();
    wlr_scene_attach_output_layout(scene_, layout_);
    wlr_scene_set_presentation(scene_, wlr_presentation_create(display_, backend_));
    workspace_layer_ = wlr_scene_tree_create(&scene_->node);
    layer_shell_ = std::make_unique<LayerShell>(*this, &workspace_layer_->node);  // host clients only: see ClientPolicy
    overlay_layer_ = wlr_scene_tree_create(&scene_->node);  // created last: above every layer surface
    if (options.bar) bar_ = std::make_unique<Bar>(*this, &overlay_layer_->node);
    notice_ = std::make_unique<Notice>(loop(), overlay_layer_);

    workspaces_.push_back(std::make_unique<Workspace>(host_identity, host_color, &workspace_layer_->node));
    current_ = workspaces_.front().get();
    current_->set_visible(true);

    xdg_shell_ = wlr_xdg_shell_create(display_);
    new_xdg_surface_.connect(&xdg_shell_->events.new_surface,
                             [this](void* data) { on_new_xdg_surface(static_cast<wlr_xdg_surface*>(data)); });
    auto* deco_manager = wlr_xdg_decoration_manager_v1_create(display_);
    new_decoration_.connect(&deco_manager->events.new_toplevel_decoration,
                            [](void* data) { new DecorationMode(static_cast<wlr_xdg_toplevel_decoration_v1*>(data)); });

    seat_ = std::make_unique<Seat>(*this);
    // A surface that moved, resized, restacked or (un)mapped under a still
    // pointer gets (or loses) it now, not on the next motion.
    ClippedSurfaceTree::set_change_hook([this] { seat_->schedule_pointer_refresh(); });
    policy_->set_user_seat(seat_->wlr()->global);
    activation_ = std::make_unique<Activation>(*this, display_);
    idle_ = std::make_unique<Idle>(*this, display_, seat_->wlr());
    retired_xwaylands_ = std::make_unique<RetiredXwaylands>(loop());
    clipboard_ = std::make_unique<ClipboardBroker>(*this);
    // An output resized (a nested session's window), moved or rescaled: the
    // bar spans it again and its layer surfaces are placed anew.
    layout_change_.connect(&layout_->events.change, [this](void*) { on_layout_change(); });
    new_output_.connect(&backend_->events.new_output,
                        [this](void* data) { on_new_output(static_cast<wlr_output*>(data)); });
    new_input_.connect(&backend_->events.new_input,
                       [this](void* data) { on_new_input(static_cast<wlr_input_device*>(data)); });

    if (options.test_input) {
        if (!headless_) {
            headless_ = wlr_headless_backend_create(display_);
            wlr_multi_backend_add(backend_, headless_);
        }
        wlr_headless_add_input_device(headless_, WLR_INPUT_DEVICE_KEYBOARD);
        wlr_headless_add_input_device(headless_, WLR_INPUT_DEVICE_POINTER);
    }
    if (options.backend == BackendKind::Headless || std::string(backend_name_) == "headless") {
        wlr_output* output = wlr_headless_add_output(headless_, options.headless_width, options.headless_height);
        wlr_output_set_custom_mode(output, options.headless_width, options.headless_height,
                                   options.headless_refresh_hz * 1000);
    }

    const char* socket = wl_display_add_socket_auto(display_);
    if (!socket) throw std::runtime_error("could not create a Wayland socket in $XDG_RUNTIME_DIR");
    socket_name_ = socket;
    if (!wlr_backend_start(backend_)) throw std::runtime_error("could not start the backend");
}

void Server::create_backend(const ServerOptions& options)
{
    BackendKind kind = options.backend;
    if (kind == BackendKind::Auto) {
        // A display around us: nest. A seat we can take (a TTY login) and a
        // GPU: DRM. Anything else (CI, ssh): headless, so the session still
        // serves clients. Say which, and why: it decides what the user sees.
        bool seat = std::getenv("XDG_SEAT") || isatty(STDIN_FILENO);
        if (has_display_env()) {
            kind = BackendKind::Nested;
            wlr_log(WLR_INFO, "backend: nested (WAYLAND_DISPLAY or DISPLAY is set)");
        } else if (seat && !drm_cards().empty()) {
            kind = BackendKind::Drm;
            wlr_log(WLR_INFO, "backend: drm (%s, and %s exists)",
                    std::getenv("XDG_SEAT") ? "XDG_SEAT is set" : "stdin is a terminal", drm_cards().front().c_str());
        } else {
            kind = BackendKind::Headless;
            wlr_log(WLR_INFO, "backend: headless (%s)",
                    seat ? "a seat, but no DRM device in /dev/dri"
                         : "no WAYLAND_DISPLAY or DISPLAY, no XDG_SEAT and stdin is not a terminal");
        }
    }
    if (kind == BackendKind::Headless) {
        // Headless has no GPU to rely on: pixman draws exactly, everywhere.
        setenv("WLR_RENDERER", "pixman", 0);
        setenv("WLR_LIBINPUT_NO_DEVICES", "1", 0);
        clock_gettime(CLOCK_MONOTONIC, &log_start);
        wlr_log_init(wlr_log_get_verbosity(), headless_log);
        backend_ = wlr_multi_backend_create(display_);
        headless_ = wlr_headless_backend_create(display_);
        wlr_multi_backend_add(backend_, headless_);
        backend_name_ = "headless";
        return;
    }
    if (kind == BackendKind::Nested && !has_display_env())
        throw std::runtime_error("--nested needs WAYLAND_DISPLAY or DISPLAY of a running session");
    if (kind == BackendKind::Drm) {
        // Fail here rather than wait in wlroots for a card that never comes.
        if (drm_cards().empty())
            throw std::runtime_error("--backend drm: no DRM device (/dev/dri has no card*: no GPU, or its kernel "
                                     "driver is not loaded); use --headless, or --nested inside a running session");
        // wlroots would nest instead if it saw a display.
        for (const char* var : {"WAYLAND_DISPLAY", "WAYLAND_SOCKET", "DISPLAY"}) unsetenv(var);
    }
    backend_ = wlr_backend_autocreate(display_);
    if (!backend_)
        throw std::runtime_error(kind == BackendKind::Drm
                                     ? "could not take the seat for DRM/KMS (run from a TTY login with seatd or "
                                       "logind, or use --headless)"
                                     : "could not open a window in the running session (or use --headless)");
    backend_name_ = kind == BackendKind::Drm ? "drm" : "nested";
}

Server::~Server()
{
    ClippedSurfaceTree::set_change_hook(nullptr);
    test_pointer_.reset();  // before the backend destroys its device
    // X servers whose xwm has not gone yet are left to wlroots: destroying the
    // display destroys the compositor (and with it each xwm) before them.
    retired_xwaylands_.reset();
    wl_display_destroy_clients(display_);
    notice_.reset();
    layout_change_.disconnect();  // the bar and the layer shell go now
    layer_shell_.reset();
    owned_views_.clear();
    clipboard_.reset();
    bar_.reset();
    idle_.reset();
    seat_.reset();
    activation_.reset();
    workspaces_.clear();
    new_output_.disconnect();
    new_input_.disconnect();
    new_xdg_surface_.disconnect();
    new_decoration_.disconnect();
    wlr_backend_destroy(backend_);
    outputs_.clear();
    budgets_.reset();
    policy_.reset();
    wl_display_destroy(display_);
    // The layout before the scene: wlroots 0.15's scene-to-layout link
    // (wlr_scene_attach_output_layout) listens for the scene's destruction on
    // the layout's destroy signal, so a scene destroyed first leaves it
    // dangling, and destroying the layout then writes to freed memory.
    wlr_output_layout_destroy(layout_);
    wlr_scene_node_destroy(&scene_->node);
    wlr_allocator_destroy(allocator_);
    wlr_renderer_destroy(renderer_);
}

void Server::run()
{
    setenv("WAYLAND_DISPLAY", socket_name_.c_str(), 1);
    wlr_log(WLR_INFO, "ctopbroker session on WAYLAND_DISPLAY=%s (%s backend)", socket_name_.c_str(), backend_name_);
    wl_display_run(display_);
}

void Server::on_new_output(wlr_output* output)
{
    if (!wlr_output_init_render(output, allocator_, renderer_)) {
        wlr_log(WLR_ERROR, "output %s: cannot render to it", output->name);
        return;
    }
    outputs_.push_back(std::make_unique<Output>(*this, output));
    seat_->output_added(output);
    if (bar_) bar_->rebuild();
    layer_shell_->arrange_all();  // the layout may have moved the others
}

void Server::on_layout_change()
{
    if (bar_) bar_->rebuild();
    layer_shell_->arrange_all();
}

void Server::on_new_input(wlr_input_device* device)
{
    seat_->add_input(device);
    if (!wlr_input_device_is_headless(device)) return;
    if (device->type == WLR_INPUT_DEVICE_KEYBOARD) test_keyboard_ = device->keyboard;
    // The first headless pointer only: pointers added later (tests/wlcs)
    // come and go, and must not leave the test pointer on a freed device.
    if (device->type == WLR_INPUT_DEVICE_POINTER && !test_pointer_)
        test_pointer_ = std::make_unique<TestPointer>(*this, device);
}

void Server::output_destroyed(Output& output)
{
    if (layer_shell_) layer_shell_->output_removed(output.wlr());
    std::erase_if(outputs_, [&](const auto& o) { return o.get() == &output; });
}

wlr_box Server::output_box() const
{
    wlr_box* box = wlr_output_layout_get_box(layout_, nullptr);
    if (!box || box->width == 0) return {0, 0, 1280, 720};
    return *box;
}

int Server::bar_height() const
{
    return bar_ ? Bar::height : 0;
}

wlr_box Server::usable_area() const
{
    // Where windows go: the union of the outputs' usable areas (with one
    // output, exactly what the bar and the layer surfaces left of it).
    std::optional<wlr_box> total;
    for (const auto& o : outputs_) {
        std::optional<wlr_box> a = layer_shell_->usable_area(o->wlr());
        if (!a || wlr_box_empty(&*a)) continue;
        if (!total) {
            total = a;
            continue;
        }
        int x1 = std::min(total->x, a->x), y1 = std::min(total->y, a->y);
        int x2 = std::max(total->x + total->width, a->x + a->width);
        int y2 = std::max(total->y + total->height, a->y + a->height);
        total = wlr_box{x1, y1, x2 - x1, y2 - y1};
    }
    if (total) return *total;
    wlr_box box = output_box();
    box.y += bar_height();
    box.height -= bar_height();
    return box;
}

void Server::on_new_xdg_surface(wlr_xdg_surface* xdg)
{
    if (xdg->role == WLR_XDG_SURFACE_ROLE_POPUP) return on_new_popup(xdg);
    if (xdg->role != WLR_XDG_SURFACE_ROLE_TOPLEVEL) return;
    wl_client* client = wl_resource_get_client(xdg->resource);
    const std::string& container = policy_->container_of(client);
    Workspace& ws = workspace_for(container);  // the host's is there from the start
    add_view(std::make_unique<XdgView>(*this, xdg, ws, container));
}

void Server::on_new_popup(wlr_xdg_surface* xdg)
{
    // The parent is the client's choice: only an xdg surface we placed
    // ourselves (a mapped toplevel or one of its popups) gets a child drawn.
    wlr_surface* parent = xdg->popup->parent;
    if (!parent || !wlr_surface_is_xdg_surface(parent)) return;
    wlr_xdg_surface* parent_xdg = wlr_xdg_surface_from_wlr_surface(parent);
    if (!parent_xdg || !parent_xdg->data) return;
    if (parent_xdg->role == WLR_XDG_SURFACE_ROLE_TOPLEVEL) {
        auto* view = static_cast<XdgView*>(parent_xdg->data);
        new XdgPopup(*view, xdg, view->popup_parent_node());
    } else if (parent_xdg->role == WLR_XDG_SURFACE_ROLE_POPUP) {
        auto* up = static_cast<XdgPopup*>(parent_xdg->data);
        new XdgPopup(up->view(), xdg, up->node());
    }
}

void Server::add_view(std::unique_ptr<View> view)
{
    retiring_.erase(view->container());  // a new window brings a retiring workspace back
    owned_views_.push_back(std::move(view));
}

void Server::destroy_x11_views(const std::string& container)
{
    std::vector<View*> doomed;
    for (const auto& v : owned_views_)
        if (v->container() == container && std::string_view(v->kind()) == "x11") doomed.push_back(v.get());
    for (View* v : doomed) view_destroyed(*v);
}

std::filesystem::path Server::xwayland_state_dir() const
{
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    return std::filesystem::path(runtime ? runtime : "/tmp") / "ctopbroker" / "xwayland";
}

// --- workspaces ---------------------------------------------------------------

Workspace& Server::workspace_for(const std::string& container)
{
    if (Workspace* ws = find_workspace(container)) return *ws;
    workspaces_.push_back(std::make_unique<Workspace>(container, color_for_name(container), &workspace_layer_->node));
    if (bar_) bar_->rebuild();
    return *workspaces_.back();
}

Workspace* Server::find_workspace(const std::string& name)
{
    for (auto& ws : workspaces_)
        if (ws->name() == name) return ws.get();
    return nullptr;
}

void Server::retire_workspace(const std::string& name)
{
    Workspace* ws = find_workspace(name);
    if (!ws || ws->is_host()) return;
    for (auto& v : owned_views_)
        if (&v->workspace() == ws) {
            retiring_.insert(name);
            return;
        }
    retiring_.erase(name);
    if (current_ == ws) switch_to(host_workspace());
    std::erase_if(workspaces_, [&](const auto& w) { return w.get() == ws; });
    if (bar_) bar_->rebuild();
}

int Server::slot_of(const Workspace& ws) const
{
    for (size_t i = 0; i < workspaces_.size(); ++i)
        if (workspaces_[i].get() == &ws) return static_cast<int>(i) + 1;
    return 0;
}

void Server::switch_to(Workspace& ws)
{
    if (&ws == current_) return;
    current_->set_visible(false);
    current_ = &ws;
    current_->set_visible(true);
    current_->set_wants_attention(false);
    seat_->focus_top_of(ws);  // focus follows the workspace
    seat_->refresh_pointer();
    idle_->update();  // inhibitors count only on the visible workspace
    if (bar_) bar_->rebuild();
    wlr_log(WLR_INFO, "workspace %d: %s", slot_of(ws), ws.name().c_str());
}

void Server::request_attention(Workspace& ws)
{
    if (&ws == current_ || ws.wants_attention()) return;
    ws.set_wants_attention(true);
    if (bar_) bar_->rebuild();
    wlr_log(WLR_INFO, "workspace %d (%s) wants attention", slot_of(ws), ws.name().c_str());
}

bool Server::switch_to_slot(int slot)
{
    if (slot < 1 || slot > static_cast<int>(workspaces_.size())) return false;
    switch_to(*workspaces_[slot - 1]);
    return true;
}

void Server::cycle_workspace(int direction)
{
    int n = static_cast<int>(workspaces_.size());
    int index = slot_of(*current_) - 1;
    switch_to(*workspaces_[((index + direction) % n + n) % n]);
}

void Server::admit(const std::string& container, const ContainerRules& rules)
{
    Workspace& ws = workspace_for(container);
    if (rules.color) {
        ws.set_color(*rules.color);
        if (bar_) bar_->rebuild();
    }
    policy_->set_extra_globals(container, rules.extra_globals);
    fullscreen_allowed_[container] = rules.fullscreen;
    clipboard_->set_rules(container, rules.clipboard);
}

void Server::release(const std::string& container)
{
    policy_->forget_extra_globals(container);
    fullscreen_allowed_.erase(container);
    clipboard_->drop_container(container);
    retire_workspace(container);
}

// --- views ----------------------------------------------------------------------

void Server::expect_desktop(const std::string& container, bool expected)
{
    int& count = desktops_expected_[container];
    count = std::max(0, count + (expected ? 1 : -1));
    if (count == 0) desktops_expected_.erase(container);
}

bool Server::take_expected_desktop(const View& view)
{
    if (!desktops_expected_.count(view.container()) || view.app_id() != "Xephyr") return false;
    expect_desktop(view.container(), false);
    return true;
}

void Server::view_destroyed(View& view)
{
    if (view.mapped()) seat_->view_unmapped(view);
    std::string ws = view.workspace().name();
    std::erase_if(owned_views_, [&](const auto& v) { return v.get() == &view; });
    if (retiring_.count(ws)) retire_workspace(ws);
}

void Server::usable_area_changed()
{
    for (const auto& v : owned_views_) v->usable_area_changed();
}

namespace {

// A client surface of a layer tree (layer surfaces and their popups) at the point.
bool layer_surface_at(wlr_scene_node* tree, double lx, double ly, wlr_surface** surface, double* sx, double* sy)
{
    InputHit hit;
    if (!find_input(tree, lx, ly, hit) || !hit.surface) return false;
    *surface = hit.surface;
    *sx = hit.sx;
    *sy = hit.sy;
    return true;
}

}  // namespace

View* Server::view_at(double lx, double ly, wlr_surface** surface, double* sx, double* sy)
{
    // Layer surfaces above the windows (launchers, notifications) first.
    for (wlr_scene_node* tree : layer_shell_->trees_above_windows())
        if (layer_surface_at(tree, lx, ly, surface, sx, sy)) return nullptr;
    InputHit hit;
    if (!find_input(&workspace_layer_->node, lx, ly, hit)) hit.node = hit.refused;
    *surface = hit.surface;
    *sx = hit.sx;
    *sy = hit.sy;
    wlr_scene_node* node = hit.node;
    if (!node) {
        // Nothing of any window here: the desktop's own surfaces (wallpaper, desktop icons).
        for (wlr_scene_node* tree : layer_shell_->trees_below_windows())
            if (layer_surface_at(tree, lx, ly, surface, sx, sy)) return nullptr;
        return nullptr;
    }
    for (wlr_scene_node* n = node; n; n = n->parent)
        if (n->data) return static_cast<View*>(n->data);
    return nullptr;
}

void Server::switch_vt(int vt)
{
    if (auto* session = wlr_backend_get_session(backend_)) wlr_session_change_vt(session, vt);
}

// --- notices ------------------------------------------------------------------

void Server::notify(const std::string& message)
{
    wlr_log(WLR_INFO, "notice: %s", message.c_str());
    if (on_notice) on_notice(message);
    notice_->show(message, usable_area());
}

}  // namespace ctop
