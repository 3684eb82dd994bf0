/* pt-cert-cn.c: the compliance certificate (承诺达标合格证) as a one-page PDF.
 *
 * Layout after the certificate's template: the title, the promise with its three ticks
 * (不使用禁用农药兽药、停用兽药和非法添加物; 常规农药兽药残留不超标; 对承诺的真实性负责), the basis
 * of the promise (one of four ticked), then the fields, and the batch's QR beside them.  Text
 * is laid out by pango as plain text (never markup: a grower's name is not parsed).
 *
 * Workload: one page per request; a few ms. */
#include "pt-cert-cn.h"

#include "pt-barcode.h"
#include "pt-label-types.h"
#include "pt-labels-limits.h"

#include <cairo-pdf.h>
#include <pango/pangocairo.h>
#include <string.h>

#define PAGE_W_PT (148.0 / 25.4 * 72.0) /* A6 landscape */
#define PAGE_H_PT (105.0 / 25.4 * 72.0)
#define MARGIN_PT 18.0
#define QR_PT     96.0
#define CERT_FONT "Noto Sans CJK SC"

static const char *const bases[] = {"委托检测", "自我检测", "内部质量控制", "自我承诺"};

static cairo_status_t
append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append(closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* Draws @text at (@x, @y) in a box @w wide; returns the height used. */
static double
draw_text(cairo_t *cr, const char *text, double x, double y, double w, double size, gboolean bold,
          PangoAlignment align)
{
  PangoLayout *layout = pango_cairo_create_layout(cr);
  PangoFontDescription *fd = pango_font_description_from_string(CERT_FONT);
  pango_font_description_set_absolute_size(fd, size * PANGO_SCALE);
  if (bold)
    pango_font_description_set_weight(fd, PANGO_WEIGHT_BOLD);
  pango_layout_set_font_description(layout, fd);
  pango_layout_set_width(layout, (int)(w * PANGO_SCALE));
  pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR);
  pango_layout_set_alignment(layout, align);
  pango_layout_set_text(layout, text, -1);
  int pw, ph;
  pango_layout_get_size(layout, &pw, &ph);
  cairo_move_to(cr, x, y);
  pango_cairo_show_layout(cr, layout);
  pango_font_description_free(fd);
  g_object_unref(layout);
  return (double)ph / PANGO_SCALE;
}

static gboolean
check_field(const char *name, const char *value, GError **error)
{
  if (!value || !*value || strlen(value) > PT_CERT_FIELD_MAX || !g_utf8_validate(value, -1, NULL)) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                "certificate field %s is empty, not UTF-8 or over %d bytes", name,
                PT_CERT_FIELD_MAX);
    return FALSE;
  }
  return TRUE;
}

GBytes *
pt_cert_cn_pdf(const PtCertCn *cert, GError **error)
{
  const struct {
    const char *name, *value;
  } fields[] = {
      {"product", cert->product},   {"quantity", cert->quantity},
      {"producer", cert->producer}, {"origin", cert->origin},
      {"contact", cert->contact},   {"issued", cert->issued},
      {"lot", cert->lot},           {"inspection", cert->inspection},
      {"basis", cert->basis},       {"packer", cert->packer},
      {"link", cert->link},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
    if (!check_field(fields[i].name, fields[i].value, error))
      return NULL;
  g_autoptr(PtBarcode) qr = pt_barcode_qr(cert->link, PT_QR_EC_M, error);
  if (!qr)
    return NULL;

  GByteArray *out = g_byte_array_new();
  cairo_surface_t *surface =
      cairo_pdf_surface_create_for_stream(append_bytes, out, PAGE_W_PT, PAGE_H_PT);
  cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE, "承诺达标合格证");
  cairo_t *cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  cairo_set_line_width(cr, 1.0);
  cairo_rectangle(cr, MARGIN_PT / 2, MARGIN_PT / 2, PAGE_W_PT - MARGIN_PT, PAGE_H_PT - MARGIN_PT);
  cairo_stroke(cr);

  double x = MARGIN_PT, w = PAGE_W_PT - 2 * MARGIN_PT, y = MARGIN_PT;
  y += draw_text(cr, "承诺达标合格证", x, y, w, 16, TRUE, PANGO_ALIGN_CENTER) + 4;
  y += draw_text(cr,
                 "我承诺对生产销售的食用农产品：\n"
                 "☑ 不使用禁用农药兽药、停用兽药和非法添加物\n"
                 "☑ 常规农药兽药残留不超标\n"
                 "☑ 对承诺的真实性负责",
                 x, y, w, 8.5, FALSE, PANGO_ALIGN_LEFT) +
       2;
  g_autoptr(GString) basis = g_string_new("承诺依据：");
  for (gsize i = 0; i < G_N_ELEMENTS(bases); i++)
    g_string_append_printf(basis, "%s %s  ", strcmp(cert->basis, bases[i]) == 0 ? "☑" : "☐",
                           bases[i]);
  y += draw_text(cr, basis->str, x, y, w, 8.5, FALSE, PANGO_ALIGN_LEFT) + 4;

  cairo_move_to(cr, x, y);
  cairo_line_to(cr, x + w, y);
  cairo_stroke(cr);
  y += 4;

  double text_w = w - QR_PT - 8;
  g_autofree char *body =
      g_strdup_printf("产品名称：%s\n"
                      "数量（重量）：%s\n"
                      "批次：%s\n"
                      "种植养殖生产者信息：%s\n"
                      "产地：%s\n"
                      "联系方式：%s\n"
                      "检测结果：%s\n"
                      "开具日期：%s\n"
                      "开具单位：%s",
                      cert->product, cert->quantity, cert->lot, cert->producer, cert->origin,
                      cert->contact, cert->inspection, cert->issued, cert->packer);
  draw_text(cr, body, x, y, text_w, 8.5, FALSE, PANGO_ALIGN_LEFT);

  /* The QR, quiet zone included, at the right of the fields. */
  int n = qr->cols + 2 * qr->quiet;
  double module = QR_PT / n, qx = x + w - QR_PT, qy = y;
  for (int r = 0; r < qr->rows; r++)
    for (int c = 0; c < qr->cols; c++)
      if (pt_barcode_dark(qr, c, r))
        cairo_rectangle(cr, qx + (c + qr->quiet) * module, qy + (r + qr->quiet) * module, module,
                        module);
  cairo_fill(cr);
  draw_text(cr, "扫码追溯", qx, qy + QR_PT, QR_PT, 7, FALSE, PANGO_ALIGN_CENTER);

  cairo_show_page(cr);
  cairo_destroy(cr);
  cairo_surface_finish(surface);
  cairo_status_t status = cairo_surface_status(surface);
  cairo_surface_destroy(surface);
  if (status != CAIRO_STATUS_SUCCESS) {
    g_byte_array_unref(out);
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_RENDER, "certificate PDF: %s",
                cairo_status_to_string(status));
    return NULL;
  }
  return g_byte_array_free_to_bytes(out);
}
