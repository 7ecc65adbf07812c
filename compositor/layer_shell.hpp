// LayerShell: wlr-layer-shell for host clients (launchers such as fuzzel,
// notification daemons such as mako, panels, wallpapers). Containers never
// see the global (ClientPolicy lists it as privileged): a layer surface is
// drawn above every workspace, on any output, and may take the keyboard.
//
// Layers, bottom to top: background, bottom, the workspaces' windows, top,
// overlay, the layer surfaces' popups, then the bar and notices, which no
// client covers. Each output's usable area (where windows go) is the output
// less the bar and the exclusive zones of its layer surfaces.
#pragma once

#include "listener.hpp"
#include "wlr.hpp"

#include <map>
#include <memory>
#include <optional>
#include <vector>

namespace ctop {

class Server;
class LayerSurface;

class LayerShell {
public:
    // The layer trees are placed around `windows` (the workspaces' tree).
    LayerShell(Server& server, wlr_scene_node* windows);
    ~LayerShell();
    LayerShell(const LayerShell&) = delete;
    LayerShell& operator=(const LayerShell&) = delete;

    // Places the layer surfaces of `output` and recomputes its usable area.
    void arrange(wlr_output* output);
    void arrange_all();
    void output_removed(wlr_output* output);
    // Layout coordinates; nullopt for an output never arranged.
    std::optional<wlr_box> usable_area(wlr_output* output) const;

    // The surface that should have the keyboard instead of any window: the
    // topmost mapped surface of the top or overlay layer asking for it
    // exclusively, else an on-demand one the user clicked. nullptr: windows.
    wlr_surface* keyboard_surface() const;
    // A press on `surface`: an on-demand layer surface takes the keyboard.
    // True when `surface` belongs to a layer surface.
    bool pressed(wlr_surface* surface);
    // A window was clicked or focused: an on-demand surface gives the keyboard up.
    bool release_on_demand();
    // `surface` is a layer surface, one of its subsurfaces or of its popups.
    bool owns(wlr_surface* surface) const;

    // Trees searched for input, topmost first: above the windows, below them.
    std::vector<wlr_scene_node*> trees_above_windows() const;
    std::vector<wlr_scene_node*> trees_below_windows() const;
    size_t count() const { return surfaces_.size(); }

private:
    friend class LayerSurface;
    void add(wlr_layer_surface_v1* layer);
    void remove(LayerSurface* surface);
    void keyboard_may_have_changed();
    wlr_scene_tree* tree_for(zwlr_layer_shell_v1_layer layer) const { return layers_[layer]; }
    wlr_scene_tree* popup_tree() const { return popups_; }
    Server& server() const { return server_; }

    Server& server_;
    wlr_layer_shell_v1* shell_;
    wlr_scene_tree* layers_[4];  // by zwlr_layer_shell_v1_layer
    wlr_scene_tree* popups_;
    std::vector<std::unique_ptr<LayerSurface>> surfaces_;  // in the order they were mapped
    std::map<wlr_output*, wlr_box> usable_;
    LayerSurface* on_demand_ = nullptr;  // clicked, and wants the keyboard on demand
    Listener new_surface_;
};

}  // namespace ctop
