/* pt-label-content.h: what a label says and the codes derived from it: the content is
 * validated here once, for the layout and for callers that want the codes alone. */
#pragma once

#include <glib.h>

#include "pt-label-types.h"

G_BEGIN_DECLS

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

/* One lot on a pallet, for the logistic label.  Strings (transfer none). */
typedef struct {
  const char *gtin;    /* required: GTIN-8/12/13/14 of the cases */
  const char *lot;     /* required: AI 10 */
  const char *product; /* required: what the cases hold, as the case label names it */
  guint cases;         /* required: 1 or more */
} PtLogisticLine;

/* What a GS1 logistic label (a pallet's) says: its SSCC, who ships it and what is on it.  A
 * pallet of one lot also carries that lot as (02) GTIN (37) count (10) lot. */
typedef struct {
  const char *sscc;             /* required: 18 digits, check digit checked */
  const char *supplier_name;    /* nullable */
  const char *supplier_address; /* nullable */
  const PtLogisticLine *lines;  /* the lots on it; at most PT_LOGISTIC_LINES_MAX are listed */
  guint n_lines;
} PtLogisticContent;

/* Validates @content and derives its codes into @out: element_hri "(00)SSCC", element_raw
 * "00SSCC"; gtin14 and voice_pick are empty and digital_link NULL. */
gboolean pt_logistic_codes(const PtLogisticContent *content, PtLabelCodes *out, GError **error);

G_END_DECLS
