// Server: the compositor's life cycle (tinywl's shape): display, backend,
// renderer, scene, shells, seat, workspaces and views. The broker drives it
// through the public methods; nothing here blocks the event loop.
#pragma once

#include "client_policy.hpp"
#include "container_rules.hpp"
#include "keybindings.hpp"
#include "listener.hpp"
#include "wlr.hpp"
#include "workspace.hpp"

#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ctop {

class Activation;
class Bar;
class Idle;
class LayerShell;
class Notice;
class ClientBudgets;
class ContainerXServer;
class RetiredXwaylands;
class ClipboardBroker;
class Output;
class Seat;
class TestPointer;
class View;

enum class BackendKind { Auto, Headless, Nested, Drm };

struct ServerOptions {
    BackendKind backend = BackendKind::Auto;
    bool test_input = false;  // a virtual keyboard the control socket can type on
    int headless_width = 1280;
    int headless_height = 720;
    int headless_refresh_hz = 60;  // the benchmarks raise it to measure what the compositor can do
    // Keyboard: empty names fall back to XKB_DEFAULT_* and then xkbcommon's defaults.
    std::string xkb_model, xkb_layout, xkb_variant, xkb_options;
    int repeat_rate = 25, repeat_delay = 600;
    double output_scale = 1.0;  // every output's, from config.toml [output] scale
    // The bar along the top, which names the workspace's container and which
    // no client can cover: always on in a session (no flag or config key turns
    // it off). Only the wlcs integration's host configuration runs without it:
    // the suite's layer-shell tests assume an output with no exclusive zone of
    // the compositor's own (docs/conformance.md).
    bool bar = true;
};

class Server {
public:
    explicit Server(const ServerOptions& options);  // throws std::runtime_error
    ~Server();
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    wl_display* display() const { return display_; }
    wl_event_loop* loop() const { return wl_display_get_event_loop(display_); }
    const std::string& socket_name() const { return socket_name_; }
    const char* backend_name() const { return backend_name_; }
    // Frames the outputs have committed (drawn) since the start.
    uint64_t frames() const { return frames_; }
    void count_frame() { ++frames_; }
    void run();
    void terminate() { wl_display_terminate(display_); }

    ClientPolicy& policy() { return *policy_; }
    Seat& seat() { return *seat_; }
    Idle& idle() { return *idle_; }
    ClipboardBroker& clipboard() { return *clipboard_; }
    Keybindings& keybindings() { return keybindings_; }
    LayerShell& layer_shell() { return *layer_shell_; }
    const ServerOptions& options() const { return options_; }
    wlr_output_layout* layout() const { return layout_; }
    wlr_scene* scene() const { return scene_; }
    wlr_compositor* compositor() const { return compositor_; }
    wlr_xdg_shell* xdg_shell() const { return xdg_shell_; }
    // The headless backend (the headless session's, or the one --test-input
    // adds), on which tests create virtual input devices; nullptr otherwise.
    wlr_backend* headless_backend() const { return headless_; }

    // A container's life in the compositor: admit() gives it its workspace
    // and rules (again at each spawn, as its policy may have changed);
    // release() forgets everything of it and retires its workspace. Its
    // sockets and X server are the session's (broker/session/container_session.hpp).
    void admit(const std::string& container, const ContainerRules& rules);
    void release(const std::string& container);
    RetiredXwaylands& retired_xwaylands() { return *retired_xwaylands_; }
    // Destroys the container's X11 windows (with their listeners) now.
    void destroy_x11_views(const std::string& container);
    std::filesystem::path xwayland_state_dir() const;  // where launchers find their container

    // Workspaces: slot 1 is the host, containers get the next free slots.
    Workspace& host_workspace() { return *workspaces_.front(); }
    Workspace& workspace_for(const std::string& container);  // created on first use
    Workspace* find_workspace(const std::string& name);
    // Removes a container's workspace now, or when its last window is gone.
    void retire_workspace(const std::string& name);
    const std::vector<std::unique_ptr<Workspace>>& workspaces() const { return workspaces_; }
    Workspace& current_workspace() { return *current_; }
    void switch_to(Workspace& ws);
    bool switch_to_slot(int slot);  // 1-based; false when no such workspace
    void cycle_workspace(int direction);
    int slot_of(const Workspace& ws) const;
    // Marks `ws` in the bar until the user switches to it; never switches.
    void request_attention(Workspace& ws);

    // Views; the focus and its stack are the seat's (seat().focus_stack()).
    void add_view(std::unique_ptr<View> view);
    void view_destroyed(View& view);
    // Per-container policy (broker/common/policy.hpp: fullscreen = true|false).
    bool fullscreen_allowed(const std::string& container) const
    {
        auto it = fullscreen_allowed_.find(container);
        return it == fullscreen_allowed_.end() || it->second;
    }
    // Desktop mode: the next Xephyr window `container` maps fills its
    // workspace. Xephyr asks with a _NET_WM_STATE property set before it
    // maps, which wlroots 0.15's window manager can miss (and then overwrite
    // at the map request) when it comes before the window's events are
    // selected. Only for a container whose policy allows fullscreen.
    void expect_desktop(const std::string& container, bool expected);
    // Whether `view`, mapping, is the desktop expected in its container (then no longer expected).
    bool take_expected_desktop(const View& view);
    // A layer surface reserved or gave back room: maximized and fullscreen
    // windows follow the usable area.
    void usable_area_changed();
    View* view_at(double lx, double ly, wlr_surface** surface, double* sx, double* sy);
    void switch_vt(int vt);  // on a DRM session only
    void output_destroyed(Output& output);

    // The whole layout, and the part of it views are placed in (below the bar,
    // less the layer surfaces' exclusive zones).
    wlr_box output_box() const;
    wlr_box usable_area() const;
    // The strip the bar reserves along the top of every output (0 without it).
    int bar_height() const;
    // Above every workspace and its labels: the bar, notices, a drag's icon.
    wlr_scene_tree* overlay_layer() const { return overlay_layer_; }
    bool has_test_input() const { return test_keyboard_ != nullptr; }
    wlr_keyboard* test_keyboard() const { return test_keyboard_; }
    TestPointer* test_pointer() const { return test_pointer_.get(); }

    // Notices the user must see (cross-container copies, refusals): logged
    // and shown briefly on screen by the compositor.
    void notify(const std::string& message);

    // Hooks the broker sets.
    std::function<void(const std::string& message)> on_notice;
    std::function<void()> on_quit_requested;
    std::function<void()> on_launcher;  // Super+D
    std::function<void()> on_terminal;  // Super+Return

private:
    uint64_t frames_ = 0;
    void create_backend(const ServerOptions& options);
    void on_new_output(wlr_output* output);
    void on_new_input(wlr_input_device* device);
    void on_layout_change();
    void on_new_xdg_surface(wlr_xdg_surface* surface);
    void on_new_popup(wlr_xdg_surface* popup);

    ServerOptions options_;
    wl_display* display_ = nullptr;
    wlr_backend* backend_ = nullptr;
    wlr_backend* headless_ = nullptr;  // for the test keyboard, when there is one
    const char* backend_name_ = "auto";
    wlr_renderer* renderer_ = nullptr;
    wlr_allocator* allocator_ = nullptr;
    wlr_scene* scene_ = nullptr;
    wlr_scene_tree* workspace_layer_ = nullptr;
    wlr_scene_tree* overlay_layer_ = nullptr;  // compositor notices, above every view
    wlr_output_layout* layout_ = nullptr;
    wlr_xdg_shell* xdg_shell_ = nullptr;
    wlr_compositor* compositor_ = nullptr;
    std::unique_ptr<RetiredXwaylands> retired_xwaylands_;
    wlr_keyboard* test_keyboard_ = nullptr;
    std::unique_ptr<TestPointer> test_pointer_;
    std::string socket_name_;

    std::unique_ptr<ClientPolicy> policy_;
    std::unique_ptr<ClientBudgets> budgets_;
    std::unique_ptr<Seat> seat_;
    std::unique_ptr<ClipboardBroker> clipboard_;
    std::unique_ptr<Bar> bar_;
    std::unique_ptr<Activation> activation_;
    std::unique_ptr<Idle> idle_;
    std::unique_ptr<LayerShell> layer_shell_;
    Keybindings keybindings_;
    std::vector<std::unique_ptr<Output>> outputs_;
    std::vector<std::unique_ptr<Workspace>> workspaces_;
    Workspace* current_ = nullptr;
    std::set<std::string> retiring_;  // workspaces removed once their last view is gone
    std::map<std::string, bool> fullscreen_allowed_;
    std::map<std::string, int> desktops_expected_;  // container → desktop spawns whose window has not mapped
    std::vector<std::unique_ptr<View>> owned_views_;
    std::unique_ptr<Notice> notice_;

    Listener new_output_, new_input_, new_xdg_surface_, new_decoration_, layout_change_;
};

}  // namespace ctop
