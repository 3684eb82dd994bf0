/* pt-report-pdf.c: a text report rendered to A4 PDF (pt-report-pdf.h).  A few pages at most:
 * a drill's report is a page or two. */
#include "pt-report-pdf.h"

#include "pt-label-types.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>

#define PAGE_W   595.0 /* A4, points */
#define PAGE_H   842.0
#define MARGIN   50.0
#define LINE_GAP 2.0

static cairo_status_t
append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append(closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* Shows @text at the current y and moves it down.  Returns: the height used. */
static double
show(cairo_t *cr, PangoLayout *layout, const char *text, double y)
{
  pango_layout_set_text(layout, text, -1);
  int w, h;
  pango_layout_get_size(layout, &w, &h);
  cairo_move_to(cr, MARGIN, y);
  pango_cairo_show_layout(cr, layout);
  return (double)h / PANGO_SCALE + LINE_GAP;
}

GBytes *
pt_report_pdf(const char *title, const char *const *lines, GError **error)
{
  GByteArray *out = g_byte_array_new();
  cairo_surface_t *surface = cairo_pdf_surface_create_for_stream(append_bytes, out, PAGE_W, PAGE_H);
  cairo_t *cr = cairo_create(surface);
  PangoLayout *layout = pango_cairo_create_layout(cr);
  pango_layout_set_width(layout, (int)((PAGE_W - 2 * MARGIN) * PANGO_SCALE));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  PangoFontDescription *head = pango_font_description_from_string("Sans Bold 14");
  PangoFontDescription *body = pango_font_description_from_string("Monospace 8.5");
  int page = 1;
  double y = MARGIN;
  pango_layout_set_font_description(layout, head);
  y += show(cr, layout, title, y) + 8;
  pango_layout_set_font_description(layout, body);
  for (guint i = 0; lines[i]; i++) {
    pango_layout_set_text(layout, lines[i][0] ? lines[i] : " ", -1);
    int w, h;
    pango_layout_get_size(layout, &w, &h);
    if (y + (double)h / PANGO_SCALE > PAGE_H - MARGIN) {
      g_autofree char *foot = g_strdup_printf("%s, page %d", title, page++);
      show(cr, layout, foot, PAGE_H - MARGIN + 10);
      cairo_show_page(cr);
      y = MARGIN;
    }
    y += show(cr, layout, lines[i][0] ? lines[i] : " ", y);
  }
  g_autofree char *foot = g_strdup_printf("%s, page %d", title, page);
  show(cr, layout, foot, PAGE_H - MARGIN + 10);
  pango_font_description_free(head);
  pango_font_description_free(body);
  g_object_unref(layout);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t st = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER, "report PDF: %s",
                cairo_status_to_string(st));
    g_byte_array_unref(out);
    return NULL;
  }
  return g_byte_array_free_to_bytes(out);
}
