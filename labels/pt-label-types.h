/* pt-label-types.h: the words every part of labels/ shares: the error domain, templates,
 * formats, symbols and render options, and the names they go by on a command line or in
 * the API.  The front door (pt-label.h) and the backends below it all include this; it
 * includes nothing of theirs. */
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

typedef struct {
  guint dpi;                 /* 0: 203 for PNG and ZPL, 300 for PDF and SVG (layout grid) */
  PtQrEcLevel qr_ec;         /* default M */
  PtLabelSymbol case_symbol; /* default GS1-128 */
  const char *font_family;   /* (nullable) default "Noto Sans CJK SC" */
  guint copies;              /* ZPL only: labels the printer makes of the job (^PQ), 0 = 1;
                              * at most PT_LABEL_COPIES_MAX */
} PtLabelOptions;

/* Parse/print names: "case"/"pallet", "png"/"pdf"/"svg"/"zpl".  Return FALSE on an
 * unknown name. */
gboolean pt_label_template_from_string(const char *name, PtLabelTemplate *out);
gboolean pt_label_format_from_string(const char *name, PtLabelFormat *out);
const char *pt_label_format_to_string(PtLabelFormat format);
const char *pt_label_template_to_string(PtLabelTemplate template_);

G_END_DECLS
