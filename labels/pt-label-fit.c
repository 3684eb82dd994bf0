/* pt-label-fit.c: fitting a laid-out item into its box at a backend's resolution: text
 * with pango (the largest size that fits, drawn by cairo or as a 1-bit image for ZPL) and
 * a barcode's module size.  Both backends call these; nothing here knows an output format.
 * Runs for every text and barcode of every label rendered. */
#include <cairo.h>
#include <math.h>
#include <pango/pangocairo.h>
#include <string.h>

#include "pt-label-private.h"

PangoContext *
pt_label_pango_context(void)
{
  PangoContext *ctx = pango_font_map_create_context(pango_cairo_font_map_get_default());
  cairo_font_options_t *fo = cairo_font_options_create();
  /* Unhinted metrics: a box fits the same text at 203 dpi, 300 dpi and in vector output. */
  cairo_font_options_set_hint_metrics(fo, CAIRO_HINT_METRICS_OFF);
  cairo_font_options_set_hint_style(fo, CAIRO_HINT_STYLE_NONE);
  pango_cairo_context_set_font_options(ctx, fo);
  cairo_font_options_destroy(fo);
  return ctx;
}

PangoLayout *
pt_label_fit_text(PangoContext *ctx, const PtLabelItem *item, guint dpi, const char *family,
                  PangoRectangle *logical, GError **error)
{
  int wd = pt_label_dots(item->w, dpi), hd = pt_label_dots(item->h, dpi);
  g_autoptr(PangoLayout) layout = pango_layout_new(ctx);
  g_autoptr(PangoFontDescription) font = pango_font_description_from_string(family);
  pango_font_description_set_weight(font, item->bold ? PANGO_WEIGHT_BOLD : PANGO_WEIGHT_NORMAL);
  pango_layout_set_text(layout, item->text, -1);
  pango_layout_set_width(layout, wd * PANGO_SCALE);
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout, item->align);
  for (double pt = item->size_pt; pt >= item->min_pt - 1e-9; pt -= 0.5) {
    pango_font_description_set_absolute_size(font, pt * dpi / 72.0 * PANGO_SCALE);
    pango_layout_set_font_description(layout, font);
    if (pt == item->size_pt && pango_layout_get_unknown_glyphs_count(layout) > 0) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_FONT,
                  "%s: no installed font has glyphs for all of '%s' (install fonts-noto-cjk)",
                  item->name, item->text);
      return NULL;
    }
    pango_layout_get_pixel_extents(layout, NULL, logical);
    if (pango_layout_get_line_count(layout) <= item->max_lines && logical->height <= hd &&
        logical->width <= wd)
      return g_steal_pointer(&layout);
  }
  g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_TOO_LONG,
              "%s does not fit its %.0fx%.0f pt box in %d line%s even at %.1f pt: '%s'", item->name,
              item->w, item->h, item->max_lines, item->max_lines > 1 ? "s" : "", item->min_pt,
              item->text);
  return NULL;
}

gboolean
pt_label_text_bitmap(PangoContext *ctx, const PtLabelItem *item, guint dpi, const char *family,
                     GByteArray **bits, int *x_dots, int *y_dots, int *width_dots, int *height_dots,
                     GError **error)
{
  PangoRectangle logical;
  g_autoptr(PangoLayout) layout = pt_label_fit_text(ctx, item, dpi, family, &logical, error);
  if (!layout)
    return FALSE;
  int w = MAX(logical.width, 1), h = MAX(logical.height, 1);
  cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_A8, w, h);
  cairo_t *cr = cairo_create(surface);
  cairo_move_to(cr, -logical.x, -logical.y);
  pango_cairo_show_layout(cr, layout);
  cairo_destroy(cr);
  cairo_surface_flush(surface);

  int bpr = (w + 7) / 8;
  GByteArray *out = g_byte_array_sized_new((guint)(bpr * h));
  g_byte_array_set_size(out, (guint)(bpr * h));
  memset(out->data, 0, out->len);
  const guint8 *px = cairo_image_surface_get_data(surface);
  int stride = cairo_image_surface_get_stride(surface);
  for (int yy = 0; yy < h; yy++)
    for (int xx = 0; xx < w; xx++)
      if (px[yy * stride + xx] >= 128)
        out->data[yy * bpr + xx / 8] |= (guint8)(0x80 >> (xx % 8));
  cairo_surface_destroy(surface);

  *bits = out;
  *x_dots = pt_label_dots(item->x, dpi) + logical.x;
  *y_dots = pt_label_dots(item->y, dpi) + (pt_label_dots(item->h, dpi) - logical.height) / 2;
  *width_dots = w;
  *height_dots = h;
  return TRUE;
}

/* GS1's smallest GS1-128 module at @dpi, rounded up to whole dots. */
static int
gs1_128_min_dots(guint dpi)
{
  return (int)ceil(PT_GS1_128_X_MIN_MM * dpi / 25.4 - 0.01);
}

gboolean
pt_label_gs1_128_fits(const PtBarcode *bc, double box_w_pt)
{
  static const guint dpis[] = {203, 300};
  for (gsize i = 0; i < G_N_ELEMENTS(dpis); i++)
    if ((bc->cols + 2 * bc->quiet) * gs1_128_min_dots(dpis[i]) > pt_label_dots(box_w_pt, dpis[i]))
      return FALSE;
  return TRUE;
}

int
pt_label_module_dots(const PtLabelItem *item, guint dpi, int max_dots, GError **error)
{
  const PtBarcode *bc = item->barcode;
  int wd = pt_label_dots(item->w, dpi), hd = pt_label_dots(item->h, dpi);
  int total_w = bc->cols + 2 * bc->quiet;
  int m, min_dots;
  if (bc->symbology == PT_SYMBOL_GS1_128) {
    /* Preferred X 0.33 mm; never below GS1's 0.25 mm, rounded to whole dots. */
    int pref = MAX(1, (int)lround(0.33 * dpi / 25.4));
    min_dots = gs1_128_min_dots(dpi);
    m = MIN(pref, wd / total_w);
  } else {
    min_dots = PT_QR_MODULE_MIN_DOTS;
    m = MIN(wd / total_w, hd / (bc->rows + 2 * bc->quiet));
  }
  if (max_dots > 0)
    m = MIN(m, max_dots);
  if (m < min_dots) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_TOO_LONG,
                "the %s for '%s' is %d modules wide with its quiet zone; at the smallest module "
                "(%d dots at %u dpi) it needs %.1f mm but its box is %.1f mm",
                bc->symbology == PT_SYMBOL_QR        ? "QR code"
                : bc->symbology == PT_SYMBOL_GS1_128 ? "GS1-128"
                                                     : "GS1 DataMatrix",
                item->data, total_w, min_dots, dpi, total_w * min_dots * 25.4 / dpi,
                item->w * 25.4 / 72.0);
    return 0;
  }
  return m;
}
