/* pt-label.c: the front door of label rendering: checks the options, lays the template
 * out (pt-label-layout.c, which validates the content) and hands the layout to the cairo
 * or ZPL backend (PNG and ZPL through the cache of templates' static parts).  Runs once
 * per label printed or previewed. */
#include "pt-label.h"

#include "pt-label-private.h"
#include "pt-labels-limits.h"

/* The checks every front door makes: @dpi_out the resolution, @copies_out the ZPL copies. */
static gboolean
check_options(const PtLabelOptions *options, PtLabelFormat format, guint *dpi_out,
              guint *copies_out, GError **error)
{
  guint dpi = options->dpi;
  if (dpi == 0)
    dpi = (format == PT_LABEL_PNG || format == PT_LABEL_ZPL) ? 203 : 300;
  if (dpi < PT_LABEL_DPI_MIN || dpi > PT_LABEL_DPI_MAX) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                "resolution must be %d to %d dpi, got %u", PT_LABEL_DPI_MIN, PT_LABEL_DPI_MAX, dpi);
    return FALSE;
  }
  guint copies = options->copies ? options->copies : 1;
  if (copies > PT_LABEL_COPIES_MAX) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID, "copies must be 1 to %d, got %u",
                PT_LABEL_COPIES_MAX, copies);
    return FALSE;
  }
  *dpi_out = dpi;
  *copies_out = copies;
  return TRUE;
}

static GBytes *
render(const PtLabelContent *content, PtLabelTemplate template_, PtLabelFormat format,
       const PtLabelOptions *options, gboolean cached, GError **error)
{
  static const PtLabelOptions defaults = {0};
  if (!options)
    options = &defaults;
  guint dpi, copies;
  if (!check_options(options, format, &dpi, &copies, error))
    return NULL;
  const char *family = options->font_family ? options->font_family : PT_LABEL_DEFAULT_FONT;
  g_autoptr(PtLabelLayout) layout = pt_label_layout_new(content, template_, options, error);
  if (!layout)
    return NULL;
  if (format == PT_LABEL_ZPL)
    return pt_label_zpl_render(layout, dpi, family, copies, cached, error);
  if (format == PT_LABEL_PNG && cached)
    return pt_label_cairo_png(layout, dpi, family, error);
  return pt_label_cairo_render(layout, format, dpi, family, error);
}

GBytes *
pt_label_render_logistic(const PtLogisticContent *content, PtLabelFormat format,
                         const PtLabelOptions *options, GError **error)
{
  static const PtLabelOptions defaults = {0};
  if (!options)
    options = &defaults;
  guint dpi, copies;
  if (!check_options(options, format, &dpi, &copies, error))
    return NULL;
  const char *family = options->font_family ? options->font_family : PT_LABEL_DEFAULT_FONT;
  g_autoptr(PtLabelLayout) layout = pt_label_layout_logistic(content, error);
  if (!layout)
    return NULL;
  /* Every pallet's label differs (its SSCC): nothing to gain from the template cache. */
  if (format == PT_LABEL_ZPL)
    return pt_label_zpl_render(layout, dpi, family, copies, FALSE, error);
  return pt_label_cairo_render(layout, format, dpi, family, error);
}

GBytes *
pt_label_render(const PtLabelContent *content, PtLabelTemplate template_, PtLabelFormat format,
                const PtLabelOptions *options, GError **error)
{
  return render(content, template_, format, options, TRUE, error);
}

GBytes *
pt_label_render_uncached(const PtLabelContent *content, PtLabelTemplate template_,
                         PtLabelFormat format, const PtLabelOptions *options, GError **error)
{
  return render(content, template_, format, options, FALSE, error);
}
