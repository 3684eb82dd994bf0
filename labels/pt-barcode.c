/* pt-barcode.c: libqrencode and libzint behind one matrix type.  Called once per
 * rendered label; symbols are small (at most a few thousand modules). */
#include "pt-barcode.h"

#include <errno.h>
#include <math.h>
#include <qrencode.h>
#include <string.h>
#include <zint.h>

#include "pt-labels-limits.h"

G_DEFINE_QUARK(packtrace_barcode_error, pt_barcode_error)

static PtBarcode *
barcode_new(PtSymbology symbology, int cols, int rows, int quiet)
{
  PtBarcode *bc = g_new0(PtBarcode, 1);
  bc->symbology = symbology;
  bc->cols = cols;
  bc->rows = rows;
  bc->quiet = quiet;
  bc->modules = g_malloc0((gsize)cols * (gsize)rows);
  return bc;
}

void
pt_barcode_free(PtBarcode *bc)
{
  if (!bc)
    return;
  g_free(bc->modules);
  g_free(bc);
}

gboolean
pt_barcode_dark(const PtBarcode *bc, int x, int y)
{
  if (x < 0 || y < 0 || x >= bc->cols || y >= bc->rows)
    return FALSE;
  return bc->modules[(gsize)y * (gsize)bc->cols + (gsize)x] != 0;
}

PtBarcode *
pt_barcode_qr(const char *data, PtQrEcLevel ec, GError **error)
{
  static const QRecLevel levels[] = {[PT_QR_EC_M] = QR_ECLEVEL_M,
                                     [PT_QR_EC_L] = QR_ECLEVEL_L,
                                     [PT_QR_EC_Q] = QR_ECLEVEL_Q,
                                     [PT_QR_EC_H] = QR_ECLEVEL_H};
  g_return_val_if_fail((guint)ec < G_N_ELEMENTS(levels), NULL);
  gsize n = strlen(data);
  if (n == 0 || n > PT_DL_URI_MAX) {
    g_set_error(error, PT_BARCODE_ERROR, PT_BARCODE_ERROR_ENCODE,
                "QR data must have 1 to %d bytes, got %zu", PT_DL_URI_MAX, n);
    return NULL;
  }
  /* Byte mode on purpose: scanners hand the exact bytes back, and the Digital Link
   * must come back byte for byte. */
  QRcode *qr = QRcode_encodeData((int)n, (const unsigned char *)data, 0, levels[ec]);
  if (!qr) {
    g_set_error(error, PT_BARCODE_ERROR, PT_BARCODE_ERROR_ENCODE,
                "QR encoding of %zu bytes failed: %s", n, g_strerror(errno));
    return NULL;
  }
  PtBarcode *bc = barcode_new(PT_SYMBOL_QR, qr->width, qr->width, PT_QR_QUIET_MODULES);
  for (gsize i = 0; i < (gsize)qr->width * (gsize)qr->width; i++)
    bc->modules[i] = qr->data[i] & 1;
  QRcode_free(qr);
  return bc;
}

PtBarcode *
pt_barcode_gs1(PtSymbology symbology, const char *bracketed, GError **error)
{
  g_return_val_if_fail(symbology == PT_SYMBOL_GS1_128 || symbology == PT_SYMBOL_GS1_DATAMATRIX,
                       NULL);
  PtBarcode *bc = NULL;
  struct zint_symbol *sym = ZBarcode_Create();
  if (!sym) {
    g_set_error(error, PT_BARCODE_ERROR, PT_BARCODE_ERROR_ENCODE, "zint: out of memory");
    return NULL;
  }
  sym->symbology = symbology == PT_SYMBOL_GS1_128 ? BARCODE_GS1_128 : BARCODE_DATAMATRIX;
  sym->input_mode = GS1_MODE;
  sym->show_hrt = 0;
  sym->output_options = BARCODE_NO_QUIET_ZONES;
  if (symbology == PT_SYMBOL_GS1_DATAMATRIX)
    sym->option_3 = DM_SQUARE;
  /* Warnings (non-compliant data) are errors: a label must scan everywhere. */
  sym->warn_level = WARN_FAIL_ALL;
  int rc = ZBarcode_Encode(sym, (const unsigned char *)bracketed, 0);
  if (rc == 0)
    rc = ZBarcode_Buffer_Vector(sym, 0);
  if (rc != 0) {
    g_set_error(error, PT_BARCODE_ERROR, PT_BARCODE_ERROR_ENCODE, "%s: %s",
                symbology == PT_SYMBOL_GS1_128 ? "GS1-128" : "GS1 DataMatrix", sym->errtxt);
    goto out_delete;
  }
  /* The vector output is zint's public view of the modules: rectangles in units of
   * width/cols per module, merged along rows. */
  int rows = symbology == PT_SYMBOL_GS1_128 ? 1 : sym->rows;
  double mx = sym->vector->width / sym->width;
  double my = sym->vector->height / rows;
  bc = barcode_new(symbology, sym->width, rows,
                   symbology == PT_SYMBOL_GS1_128 ? PT_GS1_128_QUIET_MODULES : PT_DM_QUIET_MODULES);
  for (struct zint_vector_rect *r = sym->vector->rectangles; r; r = r->next) {
    int x0 = (int)lround(r->x / mx), x1 = (int)lround((r->x + r->width) / mx);
    int y0 = (int)lround(r->y / my), y1 = (int)lround((r->y + r->height) / my);
    for (int y = MAX(y0, 0); y < MIN(MAX(y1, y0 + 1), rows); y++)
      for (int x = MAX(x0, 0); x < MIN(x1, bc->cols); x++)
        bc->modules[(gsize)y * (gsize)bc->cols + (gsize)x] = 1;
  }
out_delete:
  ZBarcode_Delete(sym);
  return bc;
}
