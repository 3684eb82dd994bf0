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

#include "pt-label-content.h"
#include "pt-label-types.h"

G_BEGIN_DECLS

/* Renders @content with @template in @format.  Text that does not fit its box is
 * shrunk down to a minimum size, then refused (PT_LABEL_ERROR_TOO_LONG); it is never
 * clipped.  @options: (nullable) defaults as documented with PtLabelOptions.  Errors are
 * PT_LABEL_ERROR, or PT_BARCODE_ERROR when an encoder refuses the data.
 * Returns: (transfer full) (nullable): the file's bytes, NULL with @error set. */
GBytes *pt_label_render(const PtLabelContent *content, PtLabelTemplate template_,
                        PtLabelFormat format, const PtLabelOptions *options, GError **error);

/* Renders the GS1 logistic label of a pallet (4 x 6 in): supplier, content (one lot: (02)
 * GTIN, (37) count, (10) lot, also as GS1-128; several: a list of lots and cases), total cases
 * and the SSCC as GS1-128 (00) with its human-readable line, in @format.  @options as
 * pt_label_render() (case_symbol and qr_ec do not apply).  Returns: (transfer full)
 * (nullable). */
GBytes *pt_label_render_logistic(const PtLogisticContent *content, PtLabelFormat format,
                                 const PtLabelOptions *options, GError **error);

G_END_DECLS
