// Layer surfaces: their scene trees, their placement on the output and the
// exclusive zones they reserve, their popups, and who gets the keyboard.
#include "layer_shell.hpp"

#include "seat.hpp"
#include "server.hpp"

#include <algorithm>
#include <cstring>

namespace ctop {
namespace {

constexpr uint32_t anchor_top = ZWLR_LAYER_SURFACE_V1_ANCHOR_TOP;
constexpr uint32_t anchor_bottom = ZWLR_LAYER_SURFACE_V1_ANCHOR_BOTTOM;
constexpr uint32_t anchor_left = ZWLR_LAYER_SURFACE_V1_ANCHOR_LEFT;
constexpr uint32_t anchor_right = ZWLR_LAYER_SURFACE_V1_ANCHOR_RIGHT;

// One axis of a layer surface's placement. Anchored to both edges it is
// centred between its margins (stretched between them for a size of 0); to
// one, it sits at that edge, its margin away; to neither, it is centred in the
// area. A margin counts only on an edge the surface is anchored to
// (wlr-layer-shell set_margin: "no effect" elsewhere).
void place_axis(int bound_pos, int bound_size, uint32_t size, bool to_start, bool to_end, int32_t margin_start,
                int32_t margin_end, int* pos, int* out_size)
{
    if (!to_start) margin_start = 0;
    if (!to_end) margin_end = 0;
    // Never larger than the area it is placed in: a client's wish (or a
    // garbage size) would otherwise come back as a buffer over its budget.
    int room = std::max(1, bound_size - margin_start - margin_end);
    int s = size ? static_cast<int>(std::min<uint32_t>(size, static_cast<uint32_t>(room))) : room;
    *out_size = std::max(1, s);
    if (to_start && !to_end) *pos = bound_pos + margin_start;
    else if (to_end && !to_start) *pos = bound_pos + bound_size - *out_size - margin_end;
    else *pos = bound_pos + margin_start + (room - *out_size) / 2;
}

// wlr-layer-shell: a size of 0 asks for the whole length between two opposite
// anchors, so it is an error without both of them. wlroots 0.15 does not
// check it; a surface left unchecked would be configured to fill the area.
bool size_is_valid(wlr_layer_surface_v1* layer)
{
    const wlr_layer_surface_v1_state& st = layer->current;
    const char* wrong = nullptr;
    if (st.desired_width == 0 && (st.anchor & (anchor_left | anchor_right)) != (anchor_left | anchor_right))
        wrong = "width 0 requested without anchoring both the left and the right edge";
    else if (st.desired_height == 0 && (st.anchor & (anchor_top | anchor_bottom)) != (anchor_top | anchor_bottom))
        wrong = "height 0 requested without anchoring both the top and the bottom edge";
    if (!wrong) return true;
    wl_resource_post_error(layer->resource, ZWLR_LAYER_SURFACE_V1_ERROR_INVALID_SIZE, "%s", wrong);
    return false;
}

// The edge an exclusive zone is taken from: the surface is anchored to that
// edge alone, or to it and both edges beside it (a panel along one side).
uint32_t exclusive_edge(uint32_t anchor)
{
    for (uint32_t edge : {anchor_top, anchor_bottom, anchor_left, anchor_right}) {
        uint32_t across = edge & (anchor_top | anchor_bottom) ? anchor_left | anchor_right : anchor_top | anchor_bottom;
        if (anchor == edge || anchor == (edge | across)) return edge;
    }
    return 0;
}

void reserve(wlr_box& usable, uint32_t edge, int amount)
{
    amount = std::clamp(amount, 0, edge & (anchor_top | anchor_bottom) ? usable.height : usable.width);
    if (edge == anchor_top) usable.y += amount;
    if (edge & (anchor_top | anchor_bottom)) usable.height -= amount;
    if (edge == anchor_left) usable.x += amount;
    if (edge & (anchor_left | anchor_right)) usable.width -= amount;
}

// The layer surface `surface` belongs to: itself, through subsurfaces, or
// through a chain of xdg popups (bounded: the chain is the client's).
wlr_layer_surface_v1* layer_of(wlr_surface* surface)
{
    for (int depth = 0; surface && depth < 64; ++depth) {
        surface = wlr_surface_get_root_surface(surface);
        if (wlr_surface_is_layer_surface(surface)) return wlr_layer_surface_v1_from_wlr_surface(surface);
        if (!wlr_surface_is_xdg_surface(surface)) return nullptr;
        wlr_xdg_surface* xdg = wlr_xdg_surface_from_wlr_surface(surface);
        if (!xdg || xdg->role != WLR_XDG_SURFACE_ROLE_POPUP || !xdg->popup) return nullptr;
        surface = xdg->popup->parent;
    }
    return nullptr;
}

}  // namespace

// A popup (menu, tooltip) of a layer surface or of one of its popups. Drawn
// in the popup layer, above every window; deletes itself with its surface.
class LayerPopup {
public:
    LayerPopup(Seat& seat, wlr_xdg_popup* popup, wlr_scene_node* parent, const wlr_box& constraint)
        : seat_(seat), popup_(popup)
    {
        // wlroots' scene keeps the tree at the popup's place relative to its
        // parent and destroys it with the surface.
        node_ = wlr_scene_xdg_surface_create(parent, popup->base);
        wlr_box box = constraint;
        wlr_xdg_popup_unconstrain_from_box(popup, &box);
        new_popup_.connect(&popup->base->events.new_popup, [this, constraint](void* data) {
            new LayerPopup(seat_, static_cast<wlr_xdg_popup*>(data), node_, constraint);
        });
        map_.connect(&popup->base->events.map, [this](void*) { take_keyboard(); });
        unmap_.connect(&popup->base->events.unmap, [this](void*) { return_keyboard(); });
        destroy_.connect(&popup->base->events.destroy, [this](void*) { delete this; });
    }

private:
    // As for a window's menus (XdgPopup): a menu that grabs gets the keyboard
    // (xdg-shell: "the top most grabbing popup will always have keyboard
    // focus"), if its client has it already; wlroots 0.15 leaves it where it was.
    void take_keyboard()
    {
        wlr_seat* seat = seat_.wlr();
        wlr_seat_client* focused = seat->keyboard_state.focused_client;
        bool grabbing = popup_->seat == seat && seat->keyboard_state.grab != seat->keyboard_state.default_grab;
        if (!grabbing || !focused || focused->client != wl_resource_get_client(popup_->base->resource)) return;
        seat_.focus_within_popup_grab(popup_->base->surface);
    }
    // It closes: the keyboard goes back to what opened it (its parent menu, or
    // the layer surface if that takes the keyboard at all), never to a surface
    // no longer shown.
    void return_keyboard()
    {
        if (seat_.wlr()->keyboard_state.focused_surface != popup_->base->surface) return;
        wlr_surface* parent = popup_->parent;
        bool shown = false;
        if (parent && wlr_surface_is_xdg_surface(parent)) shown = wlr_xdg_surface_from_wlr_surface(parent)->mapped;
        else if (parent && wlr_surface_is_layer_surface(parent)) {
            wlr_layer_surface_v1* layer = wlr_layer_surface_v1_from_wlr_surface(parent);
            shown = layer->mapped &&
                    layer->current.keyboard_interactive != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE;
        }
        seat_.focus_within_popup_grab(shown ? parent : nullptr);
    }

    Seat& seat_;
    wlr_xdg_popup* popup_;
    wlr_scene_node* node_;
    Listener new_popup_, map_, unmap_, destroy_;
};

class LayerSurface {
public:
    LayerSurface(LayerShell& shell, wlr_layer_surface_v1* layer)
        : shell_(shell), layer_(layer), kind_(layer->current.layer),
          tree_(wlr_scene_tree_create(&shell.tree_for(kind_)->node)),
          popups_(wlr_scene_tree_create(&shell.popup_tree()->node))
    {
        layer->data = this;
        wlr_scene_subsurface_tree_create(&tree_->node, layer->surface);
        wlr_scene_node_set_enabled(&tree_->node, false);
        map_.connect(&layer->events.map, [this](void*) { mapped_changed(true); });
        unmap_.connect(&layer->events.unmap, [this](void*) { mapped_changed(false); });
        commit_.connect(&layer->surface->events.commit, [this](void*) { committed(); });
        new_popup_.connect(&layer->events.new_popup, [this](void* data) {
            new LayerPopup(shell_.server().seat(), static_cast<wlr_xdg_popup*>(data), &popups_->node,
                           popup_constraint());
        });
        output_destroy_.connect(&layer->output->events.destroy, [this](void*) {
            // Its output is gone: the client is told (closed) and may ask again.
            output_destroy_.disconnect();
            wlr_layer_surface_v1_destroy(layer_);  // emits destroy: this is deleted
        });
        destroy_.connect(&layer->events.destroy, [this](void*) { shell_.remove(this); });
    }
    ~LayerSurface()
    {
        layer_->data = nullptr;
        wlr_scene_node_destroy(&tree_->node);
        wlr_scene_node_destroy(&popups_->node);
    }
    LayerSurface(const LayerSurface&) = delete;
    LayerSurface& operator=(const LayerSurface&) = delete;

    wlr_layer_surface_v1* wlr() const { return layer_; }
    wlr_output* output() const { return layer_->output; }
    zwlr_layer_shell_v1_layer kind() const { return kind_; }
    bool mapped() const { return layer_->mapped; }
    zwlr_layer_surface_v1_keyboard_interactivity interactivity() const { return layer_->current.keyboard_interactive; }
    // Exclusive keyboard is honoured above the windows only (the protocol's
    // rule): below them it acts as on-demand.
    bool wants_exclusive_keyboard() const
    {
        return mapped() && kind_ >= ZWLR_LAYER_SHELL_V1_LAYER_TOP &&
               interactivity() == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_EXCLUSIVE;
    }

    // Places it within `full` (exclusive zone -1) or `usable`, configures it,
    // and takes its exclusive zone out of `usable`.
    void place(const wlr_box& full, wlr_box& usable)
    {
        const wlr_layer_surface_v1_state& st = layer_->current;
        const wlr_box& bounds = st.exclusive_zone == -1 ? full : usable;
        int x, y, w, h;
        place_axis(bounds.x, bounds.width, st.desired_width, st.anchor & anchor_left, st.anchor & anchor_right,
                   st.margin.left, st.margin.right, &x, &w);
        place_axis(bounds.y, bounds.height, st.desired_height, st.anchor & anchor_top, st.anchor & anchor_bottom,
                   st.margin.top, st.margin.bottom, &y, &h);
        wlr_scene_node_set_position(&tree_->node, x, y);
        wlr_scene_node_set_position(&popups_->node, x, y);
        box_ = {x, y, w, h};
        full_ = full;
        wlr_layer_surface_v1_configure(layer_, w, h);
        if (st.exclusive_zone <= 0 || !mapped()) return;
        uint32_t edge = exclusive_edge(st.anchor);
        int margin = edge == anchor_top      ? st.margin.top
                     : edge == anchor_bottom ? st.margin.bottom
                     : edge == anchor_left   ? st.margin.left
                                             : st.margin.right;
        if (edge) reserve(usable, edge, st.exclusive_zone + margin);
    }

private:
    void mapped_changed(bool mapped)
    {
        wlr_scene_node_set_enabled(&tree_->node, mapped);
        // A launcher or menu above the windows that takes the keyboard on
        // demand gets it as it appears, as in sway and labwc: the user just
        // opened it. A click on a window takes it back.
        if (mapped && kind_ >= ZWLR_LAYER_SHELL_V1_LAYER_TOP &&
            interactivity() == ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_ON_DEMAND)
            shell_.on_demand_ = this;
        shell_.arrange(output());
        shell_.keyboard_may_have_changed();
        shell_.server().seat().schedule_pointer_refresh();
    }
    void committed()
    {
        if (!layer_->current.committed) return;  // only a new buffer: nothing to re-place
        if (!size_is_valid(layer_)) return;      // the client is disconnected
        if (layer_->current.layer != kind_) {
            kind_ = layer_->current.layer;
            wlr_scene_node_reparent(&tree_->node, &shell_.tree_for(kind_)->node);
        }
        shell_.arrange(output());
        shell_.keyboard_may_have_changed();
    }
    // The output, in the coordinates of the layer surface (where wlroots
    // places its popups): a popup is slid or flipped to stay on it.
    wlr_box popup_constraint() const { return {full_.x - box_.x, full_.y - box_.y, full_.width, full_.height}; }

    LayerShell& shell_;
    wlr_layer_surface_v1* layer_;
    zwlr_layer_shell_v1_layer kind_;
    wlr_scene_tree* tree_;
    wlr_scene_tree* popups_;  // at the surface's position, in the popup layer
    wlr_box box_{};
    wlr_box full_{};
    Listener map_, unmap_, commit_, new_popup_, output_destroy_, destroy_;
};

LayerShell::LayerShell(Server& server, wlr_scene_node* windows)
    : server_(server), shell_(wlr_layer_shell_v1_create(server.display()))
{
    wlr_scene_node* parent = windows->parent;
    for (auto*& tree : layers_) tree = wlr_scene_tree_create(parent);
    popups_ = wlr_scene_tree_create(parent);
    // background < bottom < windows < top < overlay < popups
    wlr_scene_node_place_below(&layers_[ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM]->node, windows);
    wlr_scene_node_place_below(&layers_[ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND]->node,
                               &layers_[ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM]->node);
    wlr_scene_node_place_above(&layers_[ZWLR_LAYER_SHELL_V1_LAYER_TOP]->node, windows);
    wlr_scene_node_place_above(&layers_[ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY]->node,
                               &layers_[ZWLR_LAYER_SHELL_V1_LAYER_TOP]->node);
    wlr_scene_node_place_above(&popups_->node, &layers_[ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY]->node);
    new_surface_.connect(&shell_->events.new_surface,
                         [this](void* data) { add(static_cast<wlr_layer_surface_v1*>(data)); });
}

LayerShell::~LayerShell()
{
    new_surface_.disconnect();
    on_demand_ = nullptr;
    surfaces_.clear();
    for (auto* tree : layers_) wlr_scene_node_destroy(&tree->node);
    wlr_scene_node_destroy(&popups_->node);
}

void LayerShell::add(wlr_layer_surface_v1* layer)
{
    // Only host clients can bind the global (ClientPolicy), so a layer
    // surface is always the host's. It goes where it asked, else on the
    // output under the pointer.
    if (!layer->output) {
        wlr_cursor* cursor = server_.seat().cursor();
        layer->output = wlr_output_layout_output_at(server_.layout(), cursor->x, cursor->y);
        if (!layer->output) layer->output = wlr_output_layout_get_center_output(server_.layout());
    }
    if (!size_is_valid(layer)) return;  // the client is disconnected with it
    if (!layer->output) {
        wlr_log(WLR_ERROR, "layer surface %s: no output to show it on: closed", layer->namespace_);
        wlr_layer_surface_v1_destroy(layer);
        return;
    }
    surfaces_.push_back(std::make_unique<LayerSurface>(*this, layer));
    arrange(layer->output);  // its first configure
}

void LayerShell::remove(LayerSurface* surface)
{
    wlr_output* output = surface->output();
    if (on_demand_ == surface) on_demand_ = nullptr;
    std::erase_if(surfaces_, [&](const auto& s) { return s.get() == surface; });
    arrange(output);
    keyboard_may_have_changed();
}

void LayerShell::arrange(wlr_output* output)
{
    wlr_box* box = wlr_output_layout_get_box(server_.layout(), output);
    if (!box || wlr_box_empty(box)) return;
    const wlr_box full = *box;
    // The bar is the first exclusive zone: nothing covers it but what asks
    // for the whole output, and windows stay below it.
    wlr_box usable = full;
    wlr_box bar = server_.output_box();
    bar.height = server_.bar_height();
    wlr_box under_bar;
    if (wlr_box_intersection(&under_bar, &full, &bar)) reserve(usable, anchor_top, under_bar.height);
    // Surfaces with an exclusive zone first, top layer down, then the rest
    // in what they left.
    for (bool exclusive : {true, false})
        for (int layer = ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY; layer >= ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND; --layer)
            for (const auto& s : surfaces_)
                if (s->output() == output && s->kind() == layer && (s->wlr()->current.exclusive_zone > 0) == exclusive)
                    s->place(full, usable);
    auto it = usable_.find(output);
    bool changed = it == usable_.end() || std::memcmp(&it->second, &usable, sizeof usable) != 0;
    usable_[output] = usable;
    if (changed) server_.usable_area_changed();
}

void LayerShell::arrange_all()
{
    wlr_output_layout_output* lo;
    wl_list_for_each(lo, &server_.layout()->outputs, link) arrange(lo->output);
}

void LayerShell::output_removed(wlr_output* output)
{
    usable_.erase(output);
    server_.usable_area_changed();
}

std::optional<wlr_box> LayerShell::usable_area(wlr_output* output) const
{
    auto it = usable_.find(output);
    if (it == usable_.end()) return std::nullopt;
    return it->second;
}

wlr_surface* LayerShell::keyboard_surface() const
{
    // The most recently added of the highest layer wins.
    for (int layer = ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY; layer >= ZWLR_LAYER_SHELL_V1_LAYER_TOP; --layer)
        for (auto it = surfaces_.rbegin(); it != surfaces_.rend(); ++it)
            if ((*it)->kind() == layer && (*it)->wants_exclusive_keyboard()) return (*it)->wlr()->surface;
    if (on_demand_ && on_demand_->mapped() &&
        on_demand_->interactivity() != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE)
        return on_demand_->wlr()->surface;
    return nullptr;
}

bool LayerShell::pressed(wlr_surface* surface)
{
    wlr_layer_surface_v1* layer = layer_of(surface);
    if (!layer || !layer->data) return false;
    auto* s = static_cast<LayerSurface*>(layer->data);
    if (s->interactivity() != ZWLR_LAYER_SURFACE_V1_KEYBOARD_INTERACTIVITY_NONE && on_demand_ != s) {
        on_demand_ = s;
        keyboard_may_have_changed();
    }
    return true;
}

bool LayerShell::release_on_demand()
{
    if (!on_demand_) return false;
    on_demand_ = nullptr;
    return true;
}

bool LayerShell::owns(wlr_surface* surface) const
{
    return layer_of(surface) != nullptr;
}

void LayerShell::keyboard_may_have_changed()
{
    server_.seat().update_keyboard_focus();
}

std::vector<wlr_scene_node*> LayerShell::trees_above_windows() const
{
    return {&popups_->node, &layers_[ZWLR_LAYER_SHELL_V1_LAYER_OVERLAY]->node,
            &layers_[ZWLR_LAYER_SHELL_V1_LAYER_TOP]->node};
}

std::vector<wlr_scene_node*> LayerShell::trees_below_windows() const
{
    return {&layers_[ZWLR_LAYER_SHELL_V1_LAYER_BOTTOM]->node, &layers_[ZWLR_LAYER_SHELL_V1_LAYER_BACKGROUND]->node};
}

}  // namespace ctop
