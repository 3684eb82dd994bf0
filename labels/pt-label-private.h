/* pt-label-private.h: what the templates hand to the backends.  A template becomes a
 * list of boxes in points (1/72 in) from the label's top-left corner; the cairo and
 * ZPL backends turn each box into dots at their resolution and fit text into it.
 * Calls run one way: pt-label.c (the front door) -> pt-label-layout.c and the backends
 * (pt-label-cairo.c, pt-label-zpl.c) -> pt-label-fit.c -> pt-label-content.c and
 * pt-label-types.c.  Nothing here includes pt-label.h. */
#pragma once

#include <cairo.h>
#include <pango/pango.h>

#include "pt-label-content.h"
#include "pt-label-types.h"
#include "pt-labels-limits.h"

G_BEGIN_DECLS

#define PT_LABEL_DEFAULT_FONT "Noto Sans CJK SC"

typedef enum {
  PT_ITEM_TEXT,
  PT_ITEM_BARCODE,
  PT_ITEM_RULE, /* a rectangle outline, or a line when h == 0 */
} PtItemKind;

typedef struct {
  PtItemKind kind;
  double x, y, w, h; /* points */
  /* PT_ITEM_TEXT */
  const char *name; /* field name for error messages */
  char *text;       /* (owned) */
  double size_pt;   /* preferred size; shrunk down to min_pt to fit */
  double min_pt;
  gboolean bold;
  PangoAlignment align;
  int max_lines;
  /* PT_ITEM_BARCODE: centred in its box; a linear symbol's bars fill the height */
  PtBarcode *barcode; /* (owned) */
  char *data;         /* (owned) data as given to a printer: Digital Link, or HRI form */
  PtQrEcLevel qr_ec;  /* QR only */
  guint n_ai;         /* GS1 symbols: how many element strings @data holds */
  /* PT_ITEM_RULE */
  double line_pt;
  /* TRUE for what changes from lot to lot (codes, lot, dates, grower, grade, weight):
   * drawn on every label; the other items are the template's static part, drawn once
   * per distinct static content and resolution and then copied (pt-label-cache.c). */
  gboolean varies;
} PtLabelItem;

typedef struct {
  PtLabelTemplate template_;
  double width_pt, height_pt;
  GPtrArray *items; /* (element-type PtLabelItem) (owned) */
  PtLabelCodes codes;
} PtLabelLayout;

/* Validates @content and lays out @template_.  Returns: (transfer full) (nullable). */
PtLabelLayout *pt_label_layout_new(const PtLabelContent *content, PtLabelTemplate template_,
                                   const PtLabelOptions *options, GError **error);
/* Validates @content and lays out the 4 x 6 in GS1 logistic label.  Its template_ is
 * PT_LABEL_PALLET (the size); it is never cached.  Returns: (transfer full) (nullable). */
PtLabelLayout *pt_label_layout_logistic(const PtLogisticContent *content, GError **error);
void pt_label_layout_free(PtLabelLayout *layout);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtLabelLayout, pt_label_layout_free)

static inline int
pt_label_dots(double pt, guint dpi)
{
  return (int)(pt * dpi / 72.0 + 0.5);
}

/* pt-label-fit.c: text and barcodes fitted into their boxes, for both backends. */

/* Module size in dots for barcode @item at @dpi (at most @max_dots, 0 = no cap), or
 * 0 with PT_LABEL_ERROR_TOO_LONG when the symbol does not fit its box at the smallest
 * module we print. */
int pt_label_module_dots(const PtLabelItem *item, guint dpi, int max_dots, GError **error);

/* TRUE when GS1-128 @bc, quiet zones included, fits a box @box_w_pt wide at GS1's smallest
 * module (whole dots) at each resolution labels are rendered at, 203 and 300 dpi: the rule
 * pt_label_module_dots() refuses by. */
gboolean pt_label_gs1_128_fits(const PtBarcode *bc, double box_w_pt);

/* Lays text @item out at the largest size (step 0.5 pt) from size_pt down to min_pt
 * that fits its box at @dpi.  Returns: (transfer full) (nullable): the layout, with
 * its logical extents in @logical (dots). */
PangoLayout *pt_label_fit_text(PangoContext *ctx, const PtLabelItem *item, guint dpi,
                               const char *family, PangoRectangle *logical, GError **error);

/* A pango context with fixed font options (no hinting) so text measures the same in
 * every backend.  Returns: (transfer full). */
PangoContext *pt_label_pango_context(void);

/* Renders text @item as a 1-bit image (1 = black, MSB first, rows padded to bytes) of
 * its logical extents; @x_dots/@y_dots give its top-left on the label. */
gboolean pt_label_text_bitmap(PangoContext *ctx, const PtLabelItem *item, guint dpi,
                              const char *family, GByteArray **bits, int *x_dots, int *y_dots,
                              int *width_dots, int *height_dots, GError **error);

/* The backends, called by pt-label.c only.  Each returns (transfer full) (nullable)
 * the file's bytes.  pt_label_cairo_render() draws every item (PNG, PDF, SVG);
 * pt_label_cairo_png() copies the static part from the cache and draws the varying items
 * only; pt_label_zpl_render() takes the static items' ZPL from the cache when @cached. */
GBytes *pt_label_cairo_render(const PtLabelLayout *layout, PtLabelFormat format, guint dpi,
                              const char *family, GError **error);
GBytes *pt_label_cairo_png(const PtLabelLayout *layout, guint dpi, const char *family,
                           GError **error);
GBytes *pt_label_zpl_render(const PtLabelLayout *layout, guint dpi, const char *family,
                            guint copies, gboolean cached, GError **error);

/* pt-label-png.c: writes RGB24 @surface as a PNG (8-bit grey when it has no colour,
 * else 8-bit RGB), zlib's fastest level.  @surface: (transfer none).
 * Returns: (transfer full) (nullable). */
GBytes *pt_label_png_encode(cairo_surface_t *surface, GError **error);

/* pt-label-cache.c: the static parts of templates, by key; thread-safe, bounded by
 * PT_LABEL_CACHE_ENTRIES and PT_LABEL_CACHE_BYTES, least recently used evicted. */

/* The key of @layout's static part: template, format, resolution, font and every item
 * that does not vary, spelt out in full.  Returns: (transfer full). */
char *pt_label_static_key(const PtLabelLayout *layout, PtLabelFormat format, guint dpi,
                          const char *family);
/* Returns: (transfer full) (nullable): the part stored under @key, or NULL. */
GBytes *pt_label_cache_get(const char *key);
/* Stores @value (transfer none: a reference is taken) under @key unless it is larger
 * than a quarter of the cache or @key is already there. */
void pt_label_cache_put(const char *key, GBytes *value);
/* Drops every entry (tests, and the bench's cold figures). */
void pt_label_cache_clear(void);

/* The plain path: every item drawn, cairo's own PNG writer, no cache.  What
 * pt_label_render() did before the cache; the reference the tests compare the fast path
 * with and the bench's baseline.  Arguments and result as pt_label_render(). */
GBytes *pt_label_render_uncached(const PtLabelContent *content, PtLabelTemplate template_,
                                 PtLabelFormat format, const PtLabelOptions *options,
                                 GError **error);

G_END_DECLS
