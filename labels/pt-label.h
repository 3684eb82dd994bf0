/* pt-label.h: label content and rendering.  Two templates: the PTI case label
 * (4x2 in: GS1-128 (01)(13)(10), its human-readable line, voice pick code box,
 * commodity/variety, pack size, supplier) and the batch/pallet label (4x6 in: Digital
 * Link QR, product, variety, origin, grower, dates, grade, lot, weight, in Chinese and
 * English).  Output as PNG (any dpi, 203 and 300 are the printers'), PDF, SVG (cairo +
 * pango) or ZPL for Zebra-compatible thermal printers.
 *
 *   PtLabelContent c = { .gtin = "09506000134352", .lot = "ZG2611250007",
 *                        .pack_date = "261125", .link_host = "trace.example.coop",
 *                        .product_en = "Apples", ... };
 *   g_autoptr(GBytes) png = pt_label_render(&c, PT_LABEL_CASE, PT_LABEL_PNG, NULL, &error);
 */
#pragma once

#include <glib.h>

#include "pt-barcode.h"

G_BEGIN_DECLS

#define PT_LABEL_ERROR (pt_label_error_quark())
GQuark pt_label_error_quark(void);

typedef enum {
  PT_LABEL_ERROR_INVALID,  /* content: bad GTIN/lot/date, missing field, not UTF-8 */
  PT_LABEL_ERROR_TOO_LONG, /* text or barcode does not fit even at the minimum size */
  PT_LABEL_ERROR_FONT,     /* no installed font has glyphs for some text */
  PT_LABEL_ERROR_RENDER,   /* cairo / encoder failure, output over its bound */
} PtLabelError;

typedef enum {
  PT_LABEL_CASE,   /* 4 x 2 in, landscape */
  PT_LABEL_PALLET, /* 4 x 6 in, portrait */
} PtLabelTemplate;

typedef enum {
  PT_LABEL_PNG,
  PT_LABEL_PDF,
  PT_LABEL_SVG,
  PT_LABEL_ZPL,
} PtLabelFormat;

/* Case label symbol: GS1-128 (default, PTI) or GS1 DataMatrix. */
typedef enum {
  PT_LABEL_SYMBOL_GS1_128 = 0,
  PT_LABEL_SYMBOL_DATAMATRIX,
} PtLabelSymbol;

/* What a label says.  Every string is (transfer none), UTF-8, nullable unless marked
 * required; empty counts as absent. */
typedef struct {
  const char *gtin;         /* required: GTIN-8/12/13/14, printed and encoded as GTIN-14 */
  const char *lot;          /* required: AI 10 */
  const char *pack_date;    /* required: YYMMDD, AI 13 */
  const char *harvest_date; /* YYMMDD */
  const char *link_host;    /* required: Digital Link host[:port], e.g. trace.example.coop */
  const char *product_en;   /* required */
  const char *product_zh;
  const char *variety_en;
  const char *variety_zh;
  const char *origin_en;
  const char *origin_zh;
  const char *grade_en;
  const char *grade_zh;
  const char *grower;
  const char *supplier_name;
  const char *supplier_address;
  const char *pack_size; /* e.g. "40 lb carton, 88 ct" */
  double quantity;       /* net quantity in @uom; printed when > 0 and @uom is set */
  const char *uom;       /* "kg", "lb", "ct", ... */
} PtLabelContent;

typedef struct {
  guint dpi;                 /* 0: 203 for PNG and ZPL, 300 for PDF and SVG (layout grid) */
  PtQrEcLevel qr_ec;         /* default M */
  PtLabelSymbol case_symbol; /* default GS1-128 */
  const char *font_family;   /* (nullable) default "Noto Sans CJK SC" */
  guint copies;              /* ZPL only: labels the printer makes of the job (^PQ), 0 = 1;
                              * at most PT_LABEL_COPIES_MAX */
} PtLabelOptions;

/* The machine-readable data a label carries, for the station's --json and tests. */
typedef struct {
  char gtin14[15];
  char voice_pick[5]; /* "6359": first two digits small, last two large */
  char *digital_link; /* (owned) the QR data, uncompressed */
  char *element_hri;  /* (owned) "(01)...(13)...(10)..." */
  char *element_raw;  /* (owned) the same with GS (0x1D) where FNC1 goes */
} PtLabelCodes;

/* Validates @content (identifiers, dates, required fields, UTF-8 without control
 * characters, lengths) and derives its codes into @out (caller-allocated; clear with
 * pt_label_codes_clear()). */
gboolean pt_label_codes(const PtLabelContent *content, PtLabelCodes *out, GError **error);
void pt_label_codes_clear(PtLabelCodes *codes);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtLabelCodes, pt_label_codes_clear)

/* Renders @content with @template in @format.  Text that does not fit its box is
 * shrunk down to a minimum size, then refused (PT_LABEL_ERROR_TOO_LONG); it is never
 * clipped.  @options: (nullable) defaults as documented above.  Errors are
 * PT_LABEL_ERROR, or PT_BARCODE_ERROR when an encoder refuses the data.
 * Returns: (transfer full) (nullable): the file's bytes, NULL with @error set. */
GBytes *pt_label_render(const PtLabelContent *content, PtLabelTemplate template_,
                        PtLabelFormat format, const PtLabelOptions *options, GError **error);

/* Parse/print names: "case"/"pallet", "png"/"pdf"/"svg"/"zpl".  Return FALSE on an
 * unknown name. */
gboolean pt_label_template_from_string(const char *name, PtLabelTemplate *out);
gboolean pt_label_format_from_string(const char *name, PtLabelFormat *out);
const char *pt_label_format_to_string(PtLabelFormat format);
const char *pt_label_template_to_string(PtLabelTemplate template_);

G_END_DECLS
