// Cropped surface trees (see surface_tree.hpp).
#include "surface_tree.hpp"

#include <drm_fourcc.h>
extern "C" {
#include <wlr/render/pixman.h>
}

#include <unordered_map>
#include <vector>

namespace ctop {
namespace {

// Root node → tree, for pointer look-ups and frame callbacks.
std::unordered_map<wlr_scene_node*, ClippedSurfaceTree*>& registry()
{
    static std::unordered_map<wlr_scene_node*, ClippedSurfaceTree*> trees;
    return trees;
}

std::function<void()>& change_hook()
{
    static std::function<void()> hook;
    return hook;
}

bool contains(const wlr_box& outer, const wlr_box& inner)
{
    return inner.x >= outer.x && inner.y >= outer.y && inner.x + inner.width <= outer.x + outer.width &&
           inner.y + inner.height <= outer.y + outer.height;
}

// wlroots 0.15's pixman renderer ignores the x/y of a texture's source box
// (only its size scales): a buffer node cropped on its left or top would show
// the wrong pixels. For pixman textures we hand the scene a buffer that is a
// window into the client's shm data instead, starting at the crop's corner.
struct CropBuffer {
    wlr_buffer base;  // first member: wlroots hands us &base
    wlr_buffer* source;
    int x, y;
};

int bytes_per_pixel(uint32_t format)
{
    switch (format) {
    case DRM_FORMAT_ARGB8888:
    case DRM_FORMAT_XRGB8888:
    case DRM_FORMAT_ABGR8888:
    case DRM_FORMAT_XBGR8888:
    case DRM_FORMAT_RGBA8888:
    case DRM_FORMAT_RGBX8888:
    case DRM_FORMAT_BGRA8888:
    case DRM_FORMAT_BGRX8888:
    case DRM_FORMAT_ARGB2101010:
    case DRM_FORMAT_XRGB2101010:
    case DRM_FORMAT_ABGR2101010:
    case DRM_FORMAT_XBGR2101010:
        return 4;
    case DRM_FORMAT_RGB888:
    case DRM_FORMAT_BGR888:
        return 3;
    case DRM_FORMAT_RGB565:
    case DRM_FORMAT_BGR565:
        return 2;
    default:
        return 0;
    }
}

void crop_buffer_destroy(wlr_buffer* buffer)
{
    auto* cb = reinterpret_cast<CropBuffer*>(buffer);
    wlr_buffer_unlock(cb->source);
    delete cb;
}

bool crop_buffer_begin(wlr_buffer* buffer, uint32_t flags, void** data, uint32_t* format, size_t* stride)
{
    auto* cb = reinterpret_cast<CropBuffer*>(buffer);
    if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) return false;
    void* base;
    if (!wlr_buffer_begin_data_ptr_access(cb->source, flags, &base, format, stride)) return false;
    int bpp = bytes_per_pixel(*format);
    if (bpp == 0) {
        wlr_buffer_end_data_ptr_access(cb->source);
        return false;
    }
    *data = static_cast<char*>(base) + static_cast<size_t>(cb->y) * *stride + static_cast<size_t>(cb->x) * bpp;
    return true;
}

void crop_buffer_end(wlr_buffer* buffer)
{
    wlr_buffer_end_data_ptr_access(reinterpret_cast<CropBuffer*>(buffer)->source);
}

const wlr_buffer_impl crop_buffer_impl = {
    .destroy = crop_buffer_destroy,
    .get_dmabuf = nullptr,
    .get_shm = nullptr,
    .begin_data_ptr_access = crop_buffer_begin,
    .end_data_ptr_access = crop_buffer_end,
};

// The part of `source` at (x, y) of the given size (buffer pixels), or
// nullptr when its pixels cannot be read. The caller drops its reference.
wlr_buffer* crop_of(wlr_buffer* source, int x, int y, int width, int height)
{
    void* data;
    uint32_t format;
    size_t stride;
    if (!wlr_buffer_begin_data_ptr_access(source, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride))
        return nullptr;
    wlr_buffer_end_data_ptr_access(source);
    if (bytes_per_pixel(format) == 0 || x < 0 || y < 0 || width <= 0 || height <= 0 || x + width > source->width ||
        y + height > source->height)
        return nullptr;
    auto* cb = new CropBuffer{{}, wlr_buffer_lock(source), x, y};
    wlr_buffer_init(&cb->base, &crop_buffer_impl, width, height);
    return &cb->base;
}

}  // namespace

struct ClippedSurfaceTree::Entry {
    wlr_surface* surface;
    wlr_scene_tree* holder;              // positioned at the visible part's top-left
    wlr_scene_buffer* buffer = nullptr;  // the visible part of the surface's current buffer
    wlr_client_buffer* shown = nullptr;  // locked by `buffer` while shown, so never reused
    int crop_x = 0, crop_y = 0;          // the holder's origin in surface coordinates
    bool windowed = false;               // showing a CropBuffer
    bool seen = false;
    Listener commit, destroy;

    ~Entry() { wlr_scene_node_destroy(&holder->node); }
    void hide()
    {
        if (buffer) wlr_scene_node_destroy(&buffer->node);
        buffer = nullptr;
        shown = nullptr;
    }
};

ClippedSurfaceTree::ClippedSurfaceTree(wlr_scene_node* parent, wlr_surface* root, wlr_output_layout* layout)
    : tree_(wlr_scene_tree_create(parent)), root_(root), layout_(layout),
      loop_(wl_display_get_event_loop(wl_client_get_display(wl_resource_get_client(root->resource))))
{
    registry()[&tree_->node] = this;
    rebuild();
}

ClippedSurfaceTree::~ClippedSurfaceTree()
{
    registry().erase(&tree_->node);
    if (cleanup_) wl_event_source_remove(cleanup_);
    entries_.clear();
    wlr_scene_node_destroy(&tree_->node);
}

void ClippedSurfaceTree::set_clip(const wlr_box& clip)
{
    if (clip.x == clip_.x && clip.y == clip_.y && clip.width == clip_.width && clip.height == clip_.height) return;
    clip_ = clip;
    rebuild();
}

ClippedSurfaceTree::Entry& ClippedSurfaceTree::entry_for(wlr_surface* surface)
{
    auto& slot = entries_[surface];
    if (slot) return *slot;
    slot = std::make_unique<Entry>();
    Entry& e = *slot;
    e.surface = surface;
    e.holder = wlr_scene_tree_create(&tree_->node);
    e.commit.connect(&surface->events.commit, [this](void*) { rebuild(); });
    e.destroy.connect(&surface->events.destroy, [this, surface](void*) {
        // wlroots emits destroy with wlr_signal_emit_safe: our listener may go.
        if (surface == root_) root_ = nullptr;  // the owner goes next; show nothing till then
        entries_.erase(surface);
        if (change_hook()) change_hook()();  // what was below it is under the pointer now
    });
    // Outputs: every surface is told it is on them (what the scene's own
    // surface nodes would do), so clients pick their scale and refresh.
    wlr_output_layout_output* lo;
    wl_list_for_each(lo, &layout_->outputs, link) wlr_surface_send_enter(surface, lo->output);
    return e;
}

void ClippedSurfaceTree::rebuild()
{
    if (!root_) return;
    for (auto& [surface, e] : entries_) e->seen = false;
    walk(root_, 0, 0, true, 0);
    bool stale = false;
    for (auto& [surface, e] : entries_)
        if (!e->seen) {
            e->hide();
            stale = true;
        }
    // Entries no longer in the tree (a destroyed wl_subsurface) are dropped
    // later: this may run inside one of their own commit listeners.
    if (stale && !cleanup_)
        cleanup_ = wl_event_loop_add_idle(
            loop_, [](void* data) { static_cast<ClippedSurfaceTree*>(data)->drop_stale(); }, this);
    if (change_hook()) change_hook()();
}

void ClippedSurfaceTree::drop_stale()
{
    cleanup_ = nullptr;
    std::erase_if(entries_, [](const auto& kv) { return !kv.second->seen; });
}

void ClippedSurfaceTree::walk(wlr_surface* surface, int x, int y, bool mapped, int depth)
{
    // Unmapped subsurfaces get entries too: a desynchronised one maps on its
    // own commit, which only a listener on it can see.
    if (depth > max_depth) return;
    wlr_subsurface* sub;
    wl_list_for_each(sub, &surface->current.subsurfaces_below, current.link)
        walk(sub->surface, x + sub->current.x, y + sub->current.y, mapped && sub->mapped, depth + 1);
    Entry& e = entry_for(surface);
    if (e.seen) return;  // cannot happen with wlroots' subsurface rules; never loop
    e.seen = true;
    wlr_scene_node_raise_to_top(&e.holder->node);
    show(e, x, y, mapped);
    wl_list_for_each(sub, &surface->current.subsurfaces_above, current.link)
        walk(sub->surface, x + sub->current.x, y + sub->current.y, mapped && sub->mapped, depth + 1);
}

void ClippedSurfaceTree::show(Entry& e, int x, int y, bool mapped)
{
    wlr_surface* s = e.surface;
    wlr_client_buffer* cb = s->buffer;
    wlr_box box{x, y, s->current.width, s->current.height};
    wlr_box visible;
    bool shown =
        mapped && cb && cb->texture && box.width > 0 && box.height > 0 && wlr_box_intersection(&visible, &box, &clip_);
    // A rotated or flipped buffer is shown whole or not at all.
    bool transformed = s->current.transform != WL_OUTPUT_TRANSFORM_NORMAL;
    if (shown && transformed && !contains(clip_, box)) shown = false;
    if (!shown) return e.hide();

    wlr_fbox src;
    wlr_surface_get_buffer_source_box(s, &src);
    if (!transformed) {
        double fx = src.width / box.width, fy = src.height / box.height;
        src = {src.x + (visible.x - x) * fx, src.y + (visible.y - y) * fy, visible.width * fx, visible.height * fy};
    }
    // Pixman cannot offset a source box (see CropBuffer): a crop window into
    // the client's pixels instead, remade whenever the crop moves.
    bool window = wlr_texture_is_pixman(cb->texture) && (src.x != 0 || src.y != 0);
    wlr_fbox window_src{src.x, src.y, src.width, src.height};
    if (e.buffer && (e.shown != cb || window || e.windowed)) e.hide();
    if (!e.buffer) {
        if (window) {
            wlr_buffer* crop = cb->source ? crop_of(cb->source, static_cast<int>(src.x), static_cast<int>(src.y),
                                                    static_cast<int>(src.width), static_cast<int>(src.height))
                                          : nullptr;
            if (!crop) return;  // cannot show it cropped: not at all
            e.buffer = wlr_scene_buffer_create(&e.holder->node, crop);
            wlr_buffer_drop(crop);
            src = {0, 0, window_src.width, window_src.height};
        } else {
            e.buffer = wlr_scene_buffer_create(&e.holder->node, &cb->base);
        }
        e.shown = cb;
        e.windowed = window;
    }
    wlr_scene_buffer_set_transform(e.buffer, s->current.transform);
    wlr_scene_buffer_set_source_box(e.buffer, &src);
    wlr_scene_buffer_set_dest_size(e.buffer, visible.width, visible.height);
    wlr_scene_node_set_position(&e.holder->node, visible.x, visible.y);
    e.crop_x = visible.x - x;
    e.crop_y = visible.y - y;
}

ClippedSurfaceTree* ClippedSurfaceTree::owning(wlr_scene_node* node)
{
    auto& trees = registry();
    for (; node; node = node->parent)
        if (auto it = trees.find(node); it != trees.end()) return it->second;
    return nullptr;
}

ClippedSurfaceTree::Hit ClippedSurfaceTree::hit(wlr_scene_node* node, double nx, double ny, wlr_surface** surface,
                                                double* sx, double* sy) const
{
    for (const auto& [s, e] : entries_)
        if (e->buffer && &e->buffer->node == node) {
            // Only the part shown takes input (the buffer is the crop's size).
            if (nx < 0 || ny < 0 || nx >= e->buffer->dst_width || ny >= e->buffer->dst_height) return Hit::Outside;
            *surface = s;
            *sx = nx + e->crop_x;
            *sy = ny + e->crop_y;
            // The surface's input region decides (the scene's buffer nodes know nothing of it).
            return wlr_surface_point_accepts_input(s, *sx, *sy) ? Hit::Accepted : Hit::Refused;
        }
    return Hit::Outside;
}

void ClippedSurfaceTree::set_change_hook(std::function<void()> hook)
{
    change_hook() = std::move(hook);
}

void ClippedSurfaceTree::send_frame_done_all(const timespec* now)
{
    int lx, ly;
    for (auto& [node, tree] : registry()) {
        if (!wlr_scene_node_coords(node, &lx, &ly)) continue;  // hidden workspace or unmapped
        for (auto& [surface, e] : tree->entries_)
            if (e->seen) wlr_surface_send_frame_done(surface, now);
    }
}

}  // namespace ctop
