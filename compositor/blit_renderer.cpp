// The pixman renderer with whole-pixel blits (see blit_renderer.hpp).
#include "blit_renderer.hpp"

#include "wlr.hpp"

extern "C" {
#define static
#include <wlr/render/interface.h>
#include <wlr/render/pixman.h>
#undef static
}

#include <cmath>
#include <memory>
#include <unordered_map>

namespace ctop {
namespace {

struct BlitRenderer;

// The buffer a texture was made from. The pixman renderer keeps that buffer
// locked and, around every draw, opens it for reading: for a client's shm
// buffer that arms libwayland's SIGBUS guard (a client may shrink its pool
// under us) and tells whether the pool was remapped elsewhere.
struct Source {
    BlitRenderer* owner;
    wlr_texture* texture;
    wlr_buffer* buffer;
    wl_listener buffer_destroy;
};

struct BlitRenderer {
    wlr_renderer base;  // first: wlroots hands us &base
    wlr_renderer* inner;
    std::unordered_map<wlr_texture*, std::unique_ptr<Source>> sources;
};

BlitRenderer* self(wlr_renderer* r)
{
    return reinterpret_cast<BlitRenderer*>(r);
}
wlr_renderer* inner(wlr_renderer* r)
{
    return self(r)->inner;
}

void forget(Source* source)
{
    wl_list_remove(&source->buffer_destroy.link);
    source->owner->sources.erase(source->texture);  // destroys source
}

wlr_texture* texture_from_buffer(wlr_renderer* r, wlr_buffer* buffer)
{
    wlr_texture* texture = inner(r)->impl->texture_from_buffer(inner(r), buffer);
    if (!texture) return nullptr;
    // A texture at the address of one destroyed earlier replaces its entry.
    if (auto old = self(r)->sources.find(texture); old != self(r)->sources.end()) forget(old->second.get());
    auto source = std::make_unique<Source>(Source{self(r), texture, buffer, {}});
    // The texture holds a lock on the buffer: while the buffer lives the
    // entry is right; once it is destroyed the texture is gone too.
    source->buffer_destroy.notify = [](wl_listener* l, void*) {
        Source* s = wl_container_of(l, s, buffer_destroy);
        forget(s);
    };
    wl_signal_add(&buffer->events.destroy, &source->buffer_destroy);
    self(r)->sources[texture] = std::move(source);
    return texture;
}

// Whether `matrix` (texture box -> output pixels, before the renderer scales
// by the source box) draws `box` unscaled, unrotated, at whole pixels.
bool whole_pixel_copy(const wlr_fbox* box, const float matrix[9])
{
    return box->x == 0 && box->y == 0 && matrix[0] == static_cast<float>(box->width) &&
           matrix[4] == static_cast<float>(box->height) && matrix[1] == 0 && matrix[3] == 0 && matrix[6] == 0 &&
           matrix[7] == 0 && matrix[8] == 1 && std::floor(matrix[2]) == matrix[2] &&
           std::floor(matrix[5]) == matrix[5] && std::fabs(matrix[2]) < (1 << 20) && std::fabs(matrix[5]) < (1 << 20);
}

bool blit(BlitRenderer* r, wlr_texture* texture, const wlr_fbox* box, const float matrix[9])
{
    auto it = r->sources.find(texture);
    if (it == r->sources.end()) return false;
    pixman_image_t* image = wlr_pixman_texture_get_image(texture);
    void* data;
    uint32_t format;
    size_t stride;
    wlr_buffer* buffer = it->second->buffer;
    if (!wlr_buffer_begin_data_ptr_access(buffer, WLR_BUFFER_DATA_PTR_ACCESS_READ, &data, &format, &stride))
        return false;
    // Remapped since the texture was made: the pixman renderer remakes its image.
    bool same = data == pixman_image_get_data(image);
    if (same)
        pixman_image_composite32(PIXMAN_OP_OVER, image, nullptr, wlr_pixman_renderer_get_current_image(r->inner), 0, 0,
                                 0, 0, static_cast<int32_t>(matrix[2]), static_cast<int32_t>(matrix[5]),
                                 static_cast<int32_t>(box->width), static_cast<int32_t>(box->height));
    wlr_buffer_end_data_ptr_access(buffer);
    return same;
}

bool render_subtexture(wlr_renderer* r, wlr_texture* texture, const wlr_fbox* box, const float matrix[9], float alpha)
{
    if (alpha == 1.0f && wlr_texture_is_pixman(texture) && whole_pixel_copy(box, matrix) &&
        blit(self(r), texture, box, matrix))
        return true;
    return inner(r)->impl->render_subtexture_with_matrix(inner(r), texture, box, matrix, alpha);
}

void destroy(wlr_renderer* r)
{
    BlitRenderer* b = self(r);
    while (!b->sources.empty()) forget(b->sources.begin()->second.get());
    wlr_renderer_destroy(b->inner);
    delete b;
}

const wlr_renderer_impl blit_impl = {
    .bind_buffer = [](wlr_renderer* r, wlr_buffer* buffer) { return inner(r)->impl->bind_buffer(inner(r), buffer); },
    .begin = [](wlr_renderer* r, uint32_t width, uint32_t height) { inner(r)->impl->begin(inner(r), width, height); },
    .end =
        [](wlr_renderer* r) {
            if (inner(r)->impl->end) inner(r)->impl->end(inner(r));
        },
    .clear = [](wlr_renderer* r, const float color[4]) { inner(r)->impl->clear(inner(r), color); },
    .scissor = [](wlr_renderer* r, wlr_box* box) { inner(r)->impl->scissor(inner(r), box); },
    .render_subtexture_with_matrix = render_subtexture,
    .render_quad_with_matrix =
        [](wlr_renderer* r, const float color[4], const float matrix[9]) {
            inner(r)->impl->render_quad_with_matrix(inner(r), color, matrix);
        },
    .get_shm_texture_formats = [](wlr_renderer* r,
                                  size_t* len) { return inner(r)->impl->get_shm_texture_formats(inner(r), len); },
    .get_dmabuf_texture_formats = [](wlr_renderer* r) -> const wlr_drm_format_set* {
        auto f = inner(r)->impl->get_dmabuf_texture_formats;
        return f ? f(inner(r)) : nullptr;
    },
    .get_render_formats = [](wlr_renderer* r) -> const wlr_drm_format_set* {
        auto f = inner(r)->impl->get_render_formats;
        return f ? f(inner(r)) : nullptr;
    },
    .preferred_read_format = [](wlr_renderer* r) -> uint32_t {
        auto f = inner(r)->impl->preferred_read_format;
        return f ? f(inner(r)) : 0;
    },
    .read_pixels =
        [](wlr_renderer* r, uint32_t fmt, uint32_t* flags, uint32_t stride, uint32_t width, uint32_t height,
           uint32_t src_x, uint32_t src_y, uint32_t dst_x, uint32_t dst_y, void* data) {
            auto f = inner(r)->impl->read_pixels;
            return f && f(inner(r), fmt, flags, stride, width, height, src_x, src_y, dst_x, dst_y, data);
        },
    .destroy = destroy,
    .get_drm_fd =
        [](wlr_renderer* r) {
            auto f = inner(r)->impl->get_drm_fd;
            return f ? f(inner(r)) : -1;
        },
    .get_render_buffer_caps = [](wlr_renderer* r) -> uint32_t {
        auto f = inner(r)->impl->get_render_buffer_caps;
        return f ? f(inner(r)) : 0;
    },
    .texture_from_buffer = texture_from_buffer,
};

}  // namespace

wlr_renderer* with_fast_blits(wlr_renderer* pixman)
{
    if (!pixman || !wlr_renderer_is_pixman(pixman)) return pixman;
    auto* b = new BlitRenderer{{}, pixman, {}};
    wlr_renderer_init(&b->base, &blit_impl);
    return &b->base;
}

}  // namespace ctop
