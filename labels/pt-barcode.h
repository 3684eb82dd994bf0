/* pt-barcode.h: barcode symbols as module matrices.  QR codes come from libqrencode
 * (byte mode), GS1-128 and GS1 DataMatrix from libzint (GS1 mode, which also lints
 * the element string).  Renderers (cairo, ZPL) only place modules; no symbology is
 * encoded by hand here. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_BARCODE_ERROR (pt_barcode_error_quark())
GQuark pt_barcode_error_quark(void);

typedef enum {
  PT_BARCODE_ERROR_ENCODE, /* the library refused the data (too long, invalid GS1) */
} PtBarcodeError;

typedef enum {
  PT_SYMBOL_QR,
  PT_SYMBOL_GS1_128,
  PT_SYMBOL_GS1_DATAMATRIX,
} PtSymbology;

/* QR error correction; M (the default) first so that a zeroed option means M. */
typedef enum {
  PT_QR_EC_M = 0,
  PT_QR_EC_L,
  PT_QR_EC_Q,
  PT_QR_EC_H,
} PtQrEcLevel;

typedef struct {
  PtSymbology symbology;
  int cols, rows;  /* modules without quiet zone; a linear symbol has rows == 1 */
  int quiet;       /* quiet zone in modules on each side (left/right for linear) */
  guint8 *modules; /* (owned) cols * rows bytes, row-major, 1 = dark */
} PtBarcode;

/* Encodes @data (NUL-terminated, e.g. a Digital Link) as a byte-mode QR code with
 * the smallest version that holds it.  Returns: (transfer full) (nullable). */
PtBarcode *pt_barcode_qr(const char *data, PtQrEcLevel ec, GError **error);

/* Encodes a GS1 element string in bracket form ("[01]...[10]...", see
 * pt_gs1_element_string()) as GS1-128 or GS1 DataMatrix.  Returns: (transfer full)
 * (nullable). */
PtBarcode *pt_barcode_gs1(PtSymbology symbology, const char *bracketed, GError **error);

/* TRUE when module (@x, @y) is dark; coordinates outside the symbol are light. */
gboolean pt_barcode_dark(const PtBarcode *bc, int x, int y);

void pt_barcode_free(PtBarcode *bc);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtBarcode, pt_barcode_free)

G_END_DECLS
