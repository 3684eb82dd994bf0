/* pt-label-cairo.c: the cairo backend for PNG, PDF and SVG.  Everything is drawn in dots
 * of the layout resolution; vector surfaces are scaled to points, so bars and modules sit
 * on whole dots in every format.  Text is fitted by pt-label-fit.c.  A PNG starts from a
 * copy of its template's static part (pt-label-cache.c), only the items that vary are
 * drawn on it, and pt-label-png.c writes it out; the plain path (every item drawn, cairo's
 * PNG writer) stays for PDF and SVG and as the reference that the fast one is checked
 * against. */
#include <cairo-pdf.h>
#include <cairo-svg.h>
#include <cairo.h>
#include <math.h>
#include <string.h>
#include <pango/pangocairo.h>

#include "pt-label-private.h"

/* Draws text @item; the layout is positioned so its logical box is vertically
 * centred in the item's box. */
static gboolean
draw_text(cairo_t *cr, PangoContext *ctx, const PtLabelItem *item, guint dpi, const char *family,
          GError **error)
{
  PangoRectangle logical;
  g_autoptr(PangoLayout) layout = pt_label_fit_text(ctx, item, dpi, family, &logical, error);
  if (!layout)
    return FALSE;
  double x = pt_label_dots(item->x, dpi);
  double y = pt_label_dots(item->y, dpi) + (pt_label_dots(item->h, dpi) - logical.height) / 2.0 -
             logical.y;
  cairo_move_to(cr, x, floor(y));
  pango_cairo_show_layout(cr, layout);
  return TRUE;
}

static gboolean
draw_barcode(cairo_t *cr, const PtLabelItem *item, guint dpi, GError **error)
{
  const PtBarcode *bc = item->barcode;
  int m = pt_label_module_dots(item, dpi, 0, error);
  if (m == 0)
    return FALSE;
  int bx = pt_label_dots(item->x, dpi), by = pt_label_dots(item->y, dpi);
  int bw = pt_label_dots(item->w, dpi), bh = pt_label_dots(item->h, dpi);
  gboolean linear = bc->rows == 1;
  int mh = linear ? bh : m;
  int x0 = bx + (bw - bc->cols * m) / 2;
  int y0 = linear ? by : by + (bh - bc->rows * m) / 2;
  for (int y = 0; y < bc->rows; y++) {
    for (int x = 0; x < bc->cols;) {
      if (!pt_barcode_dark(bc, x, y)) {
        x++;
        continue;
      }
      int run = 1;
      while (pt_barcode_dark(bc, x + run, y))
        run++;
      cairo_rectangle(cr, x0 + x * m, y0 + y * mh, run * m, mh);
      x += run;
    }
  }
  cairo_fill(cr);
  return TRUE;
}

static void
draw_rule(cairo_t *cr, const PtLabelItem *item, guint dpi)
{
  double t = MAX(1, pt_label_dots(item->line_pt, dpi));
  double x = pt_label_dots(item->x, dpi), y = pt_label_dots(item->y, dpi);
  double w = pt_label_dots(item->w, dpi), h = pt_label_dots(item->h, dpi);
  if (h == 0) {
    cairo_rectangle(cr, x, y, w, t);
  } else {
    cairo_rectangle(cr, x, y, w, t);
    cairo_rectangle(cr, x, y + h - t, w, t);
    cairo_rectangle(cr, x, y, t, h);
    cairo_rectangle(cr, x + w - t, y, t, h);
  }
  cairo_fill(cr);
}

/* Draws the items of @layout whose varies flag is @varies, in layout order. */
static gboolean
draw_items(cairo_t *cr, PangoContext *ctx, const PtLabelLayout *layout, gboolean varies, guint dpi,
           const char *family, GError **error)
{
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (guint i = 0; i < layout->items->len; i++) {
    const PtLabelItem *item = g_ptr_array_index(layout->items, i);
    if (item->varies != varies)
      continue;
    gboolean ok = TRUE;
    if (item->kind == PT_ITEM_TEXT)
      ok = draw_text(cr, ctx, item, dpi, family, error);
    else if (item->kind == PT_ITEM_BARCODE)
      ok = draw_barcode(cr, item, dpi, error);
    else
      draw_rule(cr, item, dpi);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

GBytes *
pt_label_cairo_png(const PtLabelLayout *layout, guint dpi, const char *family, GError **error)
{
  GBytes *ret = NULL;
  int wd = pt_label_dots(layout->width_pt, dpi), hd = pt_label_dots(layout->height_pt, dpi);
  cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wd, hd);
  cairo_t *cr = cairo_create(surface);
  PangoContext *ctx = pt_label_pango_context();
  gsize n_layer = (gsize)cairo_image_surface_get_stride(surface) * (gsize)hd;
  g_autofree char *key = pt_label_static_key(layout, PT_LABEL_PNG, dpi, family);
  g_autoptr(GBytes) layer = pt_label_cache_get(key);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER, "PNG surface: %s",
                cairo_status_to_string(cairo_surface_status(surface)));
    goto out_destroy;
  }
  if (layer && g_bytes_get_size(layer) == n_layer) {
    cairo_surface_flush(surface);
    memcpy(cairo_image_surface_get_data(surface), g_bytes_get_data(layer, NULL), n_layer);
    cairo_surface_mark_dirty(surface);
  } else {
    cairo_set_source_rgb(cr, 1, 1, 1);
    cairo_paint(cr);
    if (!draw_items(cr, ctx, layout, FALSE, dpi, family, error))
      goto out_destroy;
    cairo_surface_flush(surface);
    g_autoptr(GBytes) drawn = g_bytes_new(cairo_image_surface_get_data(surface), n_layer);
    pt_label_cache_put(key, drawn);
  }
  if (!draw_items(cr, ctx, layout, TRUE, dpi, family, error))
    goto out_destroy;
  ret = pt_label_png_encode(surface, error);

out_destroy:
  g_object_unref(ctx);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  return ret;
}

static cairo_status_t
append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
  GByteArray *out = closure;
  if ((gsize)out->len + length > PT_LABEL_FILE_MAX)
    return CAIRO_STATUS_WRITE_ERROR;
  g_byte_array_append(out, data, length);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
pt_label_cairo_render(const PtLabelLayout *layout, PtLabelFormat format, guint dpi,
                      const char *family, GError **error)
{
  GByteArray *out = g_byte_array_new();
  GBytes *ret = NULL;
  int wd = pt_label_dots(layout->width_pt, dpi), hd = pt_label_dots(layout->height_pt, dpi);
  cairo_surface_t *surface;
  switch (format) {
  case PT_LABEL_PNG:
    surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wd, hd);
    break;
  case PT_LABEL_PDF:
    surface =
        cairo_pdf_surface_create_for_stream(append_bytes, out, layout->width_pt, layout->height_pt);
    break;
  case PT_LABEL_SVG:
    surface =
        cairo_svg_surface_create_for_stream(append_bytes, out, layout->width_pt, layout->height_pt);
    break;
  default:
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER, "format %d is not a cairo format",
                (int)format);
    g_byte_array_unref(out);
    return NULL;
  }
  cairo_t *cr = cairo_create(surface);
  PangoContext *ctx = pt_label_pango_context();
  if (format != PT_LABEL_PNG)
    cairo_scale(cr, 72.0 / dpi, 72.0 / dpi);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);

  for (guint i = 0; i < layout->items->len; i++) {
    const PtLabelItem *item = g_ptr_array_index(layout->items, i);
    gboolean ok = TRUE;
    if (item->kind == PT_ITEM_TEXT)
      ok = draw_text(cr, ctx, item, dpi, family, error);
    else if (item->kind == PT_ITEM_BARCODE)
      ok = draw_barcode(cr, item, dpi, error);
    else
      draw_rule(cr, item, dpi);
    if (!ok)
      goto out_destroy;
  }
  cairo_show_page(cr);
  cairo_surface_flush(surface);
  if (format == PT_LABEL_PNG) {
    cairo_status_t st = cairo_surface_write_to_png_stream(surface, append_bytes, out);
    if (st != CAIRO_STATUS_SUCCESS) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER, "PNG output: %s",
                  cairo_status_to_string(st));
      goto out_destroy;
    }
  }
  cairo_surface_finish(surface);
  if (cairo_surface_status(surface) != CAIRO_STATUS_SUCCESS) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER, "%s output: %s",
                pt_label_format_to_string(format),
                cairo_status_to_string(cairo_surface_status(surface)));
    goto out_destroy;
  }
  ret = g_byte_array_free_to_bytes(g_steal_pointer(&out));

out_destroy:
  g_object_unref(ctx);
  cairo_destroy(cr);
  cairo_surface_destroy(surface);
  if (out)
    g_byte_array_unref(out);
  return ret;
}
