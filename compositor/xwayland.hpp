// Xwayland per container. Each container gets its own X server, running
// inside the container's namespaces as its user (see broker/xwayland_launcher
// and docs/design.md), speaking Wayland to us as one of that container's
// clients, with this compositor as its window manager.
//
// The X socket is ours: we bind it in the container's runtime directory
// (visible inside as /run/ctopbroker/X0, linked from /tmp/.X11-unix/X0) and
// start Xwayland on the first connection. wlroots' own X sockets on the host
// are used only to trigger its lazy start and are closed once the server is
// up, so no X socket of a container exists outside it.
#pragma once

#include "listener.hpp"
#include "view.hpp"
#include "wlr.hpp"

#include <filesystem>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace ctop {

class Server;
class XwaylandPopup;

// wlroots 0.15's wlr_xwayland_destroy frees the wlr_xwayland but not its
// window manager (xwm): that lives on until its X connection hangs up or the
// wlr_compositor goes, and then writes into the freed wlr_xwayland. So an X
// server we are done with is retired here: its window-manager connection is
// shut down (the xwm sees the hang-up on the next dispatch and destroys
// itself) and the wlr_xwayland is freed only once its xwm is gone.
class RetiredXwaylands {
public:
    explicit RetiredXwaylands(wl_event_loop* loop) : loop_(loop) {}
    // Whatever is still here at the end is destroyed by wlroots with the
    // display: the compositor's destroy takes the xwm down first.
    ~RetiredXwaylands();
    // wm_fd: our duplicate of the window-manager socket, or -1; owned now.
    void retire(wlr_xwayland* xwayland, int wm_fd);

private:
    static int on_timer(void* data);
    struct Entry {
        wlr_xwayland* xwayland;
        int wm_fd;
    };
    wl_event_loop* loop_;
    wl_event_source* timer_ = nullptr;
    std::vector<Entry> entries_;
};
class Workspace;

class ContainerXServer {
public:
    // The launch information the launcher reads to find the container and
    // the X socket, which this server hands over as `x_fd` (the text is the
    // broker's: broker/common/xwayland_launch_info.hpp).
    using LaunchInfo = std::function<std::string(int x_fd)>;
    ContainerXServer(Server& server, std::string container, const std::filesystem::path& runtime_dir,
                     LaunchInfo launch_info);  // throws
    ~ContainerXServer();
    ContainerXServer(const ContainerXServer&) = delete;
    ContainerXServer& operator=(const ContainerXServer&) = delete;

    const std::string& container() const { return container_; }
    bool running() const { return ready_; }
    pid_t pid() const;
    int starts() const { return starts_; }

private:
    static int on_connection(int fd, uint32_t mask, void* data);
    static int on_start_timeout(void* data);
    void start();
    void on_ready();
    void on_new_surface(wlr_xwayland_surface* surface);
    void shut_down_later();  // after an exit or a failed start: back to waiting
    void shut_down();
    void arm();
    void set_inheritable(bool inheritable);
    void on_client_created(wl_client* client);  // Xwayland's own connection is tagged with the container
    void watch_client(wl_client* client);
    std::filesystem::path info_file() const;

    Server& server_;
    std::string container_;
    std::filesystem::path socket_path_;
    LaunchInfo launch_info_;
    int fd_ = -1;
    wl_event_source* watch_ = nullptr;
    wl_event_source* timer_ = nullptr;
    wl_event_source* idle_ = nullptr;
    wlr_xwayland* xwayland_ = nullptr;
    int poke_fd_ = -1;
    int wm_fd_ = -1;  // a duplicate of wlroots' window-manager socket, to hang it up
    int display_ = -1;
    bool ready_ = false;
    int starts_ = 0;
    struct ClientCreated {
        wl_listener listener;
        ContainerXServer* self;
    } client_created_{};
    wl_listener client_destroy_{};
    Listener ready_listener_, new_surface_;
    std::set<XwaylandPopup*> popups_;  // ours to destroy before the X server goes
};

// A managed X11 toplevel.
class XwaylandView final : public View {
public:
    XwaylandView(Server& server, wlr_xwayland_surface* xs, Workspace& workspace, std::string container);
    ~XwaylandView() override;
    std::string title() const override;
    std::string app_id() const override;
    wlr_surface* surface() const override { return xs_->surface; }
    const char* kind() const override { return "x11"; }
    void set_activated(bool active) override;
    void close() override { wlr_xwayland_surface_close(xs_); }

private:
    void request_size(int width, int height) override;
    void set_maximized_state(bool maximized) override;
    void set_fullscreen_state(bool fullscreen) override;
    View* parent_view() const override;
    void moved() override;
    void on_map();
    void on_unmap();
    void on_request_configure(wlr_xwayland_surface_configure_event* event);
    void on_request_minimize(wlr_xwayland_minimize_event* event);
    wlr_seat_client* seat_client();  // its Xwayland's, on the user's seat
    void let_draw_while_hidden();

    wlr_xwayland_surface* xs_;
    std::unique_ptr<ClippedSurfaceTree> surfaces_;
    int requested_width_ = 0, requested_height_ = 0;
    // The size last asked of it, and how many more of its buffers may be
    // acknowledged while its workspace is hidden before it shows that size.
    int awaited_width_ = 0, awaited_height_ = 0;
    int hidden_frames_ = 0;
    static constexpr int max_hidden_frames = 60;
    Listener map_, unmap_, destroy_, commit_, request_configure_, set_title_, request_maximize_, request_fullscreen_,
        request_activate_, request_minimize_, request_move_, request_resize_;
};

// Menus, tooltips and other override-redirect windows: placed where X says,
// undecorated by X's rules, never focused, and kept inside their container's
// workspace. X gives them no window manager, so a container could use one to
// draw an unframed fake window (another container's label and colours, a
// fake bar) anywhere: each is shown only inside the usable area, cut to it,
// in a thin frame of its container's colour around what is shown, in the
// workspace's layer above its windows and below every label and the bar.
class XwaylandPopup {
public:
    static constexpr int frame_width = 2;

    XwaylandPopup(Server& server, std::set<XwaylandPopup*>& registry, wlr_xwayland_surface* xs, Workspace& workspace);
    ~XwaylandPopup();

private:
    void update();  // after a map or a geometry change: what is shown, and the frame around it
    void on_map();
    void on_unmap();
    void on_commit();  // a new buffer: its visible part may have changed

    Server& server_;
    std::set<XwaylandPopup*>& registry_;
    wlr_xwayland_surface* xs_;
    Workspace& workspace_;
    wlr_scene_tree* tree_;  // at the window's X position
    wlr_scene_rect* frame_[4];
    std::unique_ptr<ClippedSurfaceTree> surfaces_;
    // The part of the window that is not its drop shadow, in its own
    // coordinates: menus of Chromium and others draw their shadow inside a
    // larger translucent window. Only that part is shown, framed.
    wlr_box visible_{};
    Listener map_, unmap_, destroy_, set_geometry_, commit_;
};

}  // namespace ctop
