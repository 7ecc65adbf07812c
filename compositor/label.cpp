// A wlr_buffer backed by a cairo image surface, and the label painter.
#include "label.hpp"

#include <cairo.h>
#include <drm_fourcc.h>

#include <algorithm>

namespace ctop {
namespace {

struct CairoBuffer {
    wlr_buffer base;  // first member: wlr hands us &base
    cairo_surface_t* surface;
};

void cairo_buffer_destroy(wlr_buffer* buffer)
{
    auto* cb = reinterpret_cast<CairoBuffer*>(buffer);
    cairo_surface_destroy(cb->surface);
    delete cb;
}

bool cairo_buffer_begin(wlr_buffer* buffer, uint32_t flags, void** data, uint32_t* format, size_t* stride)
{
    auto* cb = reinterpret_cast<CairoBuffer*>(buffer);
    if (flags & WLR_BUFFER_DATA_PTR_ACCESS_WRITE) return false;
    *data = cairo_image_surface_get_data(cb->surface);
    *format = DRM_FORMAT_ARGB8888;  // cairo's ARGB32 is native-endian, as is DRM's on little-endian
    *stride = cairo_image_surface_get_stride(cb->surface);
    return true;
}

void cairo_buffer_end(wlr_buffer*) {}

const wlr_buffer_impl cairo_buffer_impl = {
    .destroy = cairo_buffer_destroy,
    .get_dmabuf = nullptr,
    .get_shm = nullptr,
    .begin_data_ptr_access = cairo_buffer_begin,
    .end_data_ptr_access = cairo_buffer_end,
};

}  // namespace

Color text_color_on(Color bg)
{
    float luma = 0.299f * bg.r + 0.587f * bg.g + 0.114f * bg.b;
    return luma > 0.55f ? Color{0, 0, 0} : Color{1, 1, 1};
}

namespace {

struct Font {
    double size;
    cairo_font_weight_t weight;
};

double text_width(const std::string& text, Font font)
{
    cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t* m = cairo_create(scratch);
    cairo_select_font_face(m, "sans-serif", CAIRO_FONT_SLANT_NORMAL, font.weight);
    cairo_set_font_size(m, font.size);
    cairo_text_extents_t ext;
    cairo_text_extents(m, text.c_str(), &ext);
    cairo_destroy(m);
    cairo_surface_destroy(scratch);
    return ext.x_advance;
}

void draw_text(cairo_t* cr, const std::string& text, Font font, Color color, double x, int height)
{
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, font.weight);
    cairo_set_font_size(cr, font.size);
    cairo_font_extents_t fext;
    cairo_font_extents(cr, &fext);
    cairo_set_source_rgb(cr, color.r, color.g, color.b);
    cairo_move_to(cr, x, (height - (fext.ascent + fext.descent)) / 2 + fext.ascent);
    cairo_show_text(cr, text.c_str());
}

wlr_buffer* wrap(cairo_surface_t* surface, int width, int height)
{
    cairo_surface_flush(surface);
    auto* cb = new CairoBuffer{};
    cb->surface = surface;
    wlr_buffer_init(&cb->base, &cairo_buffer_impl, width, height);
    return &cb->base;
}

Font owner_font(int height)
{
    return {height * 0.62, CAIRO_FONT_WEIGHT_BOLD};
}
Font title_font(int height)
{
    return {height * 0.58, CAIRO_FONT_WEIGHT_NORMAL};
}
int padding(int height)
{
    return height / 3;
}

}  // namespace

int label_owner_width(const std::string& owner, int height)
{
    return static_cast<int>(text_width(owner, owner_font(height))) + 2 * padding(height) + 4;
}

wlr_buffer* render_view_label(const std::string& owner, const std::string& title, Color background, int height,
                              int max_width)
{
    const int pad = padding(height);
    const int owner_w = label_owner_width(owner, height);
    int title_w = title.empty() ? 0 : static_cast<int>(text_width(title, title_font(height))) + 2 * pad;
    int width = std::max(owner_w, std::min(owner_w + title_w, max_width));
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    cairo_t* cr = cairo_create(surface);

    // The title strip: a darker shade, plain text, cut at the label's end.
    Color dark{background.r * 0.55f, background.g * 0.55f, background.b * 0.55f};
    cairo_set_source_rgb(cr, dark.r, dark.g, dark.b);
    cairo_paint(cr);
    if (!title.empty()) {
        cairo_save(cr);
        cairo_rectangle(cr, owner_w, 0, width - owner_w, height);
        cairo_clip(cr);
        draw_text(cr, title, title_font(height), text_color_on(dark), owner_w + pad, height);
        cairo_restore(cr);
    }
    // The owner box: full colour, bold name, outlined in the text colour.
    Color fg = text_color_on(background);
    cairo_set_source_rgb(cr, background.r, background.g, background.b);
    cairo_rectangle(cr, 0, 0, owner_w, height);
    cairo_fill(cr);
    cairo_set_source_rgb(cr, fg.r, fg.g, fg.b);
    cairo_set_line_width(cr, 2);
    cairo_rectangle(cr, 1, 1, owner_w - 2, height - 2);
    cairo_stroke(cr);
    draw_text(cr, owner, owner_font(height), fg, pad + 2, height);
    cairo_destroy(cr);
    return wrap(surface, width, height);
}

wlr_buffer* render_label(const std::string& text, Color background, int height, int max_width)
{
    const double font_size = height * 0.65;
    const int padding = height / 3;

    // Measure on a scratch surface first: the strip is as wide as the text.
    cairo_surface_t* scratch = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, 1, 1);
    cairo_t* m = cairo_create(scratch);
    cairo_select_font_face(m, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(m, font_size);
    cairo_text_extents_t ext;
    cairo_text_extents(m, text.c_str(), &ext);
    cairo_font_extents_t fext;
    cairo_font_extents(m, &fext);
    cairo_destroy(m);
    cairo_surface_destroy(scratch);

    int width = std::clamp(static_cast<int>(ext.x_advance) + 2 * padding, 1, std::max(1, max_width));
    cairo_surface_t* surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, width, height);
    cairo_t* cr = cairo_create(surface);
    cairo_set_source_rgba(cr, background.r, background.g, background.b, background.a);
    cairo_paint(cr);
    Color fg = text_color_on(background);
    cairo_set_source_rgb(cr, fg.r, fg.g, fg.b);
    cairo_select_font_face(cr, "sans-serif", CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
    cairo_set_font_size(cr, font_size);
    double baseline = (height - (fext.ascent + fext.descent)) / 2 + fext.ascent;
    cairo_move_to(cr, padding, baseline);
    cairo_show_text(cr, text.c_str());
    cairo_destroy(cr);
    cairo_surface_flush(surface);

    auto* cb = new CairoBuffer{};
    cb->surface = surface;
    wlr_buffer_init(&cb->base, &cairo_buffer_impl, width, height);
    return &cb->base;
}

}  // namespace ctop
