/* pt-report-pdf.h: a plain text report as an A4 PDF (cairo + pango): a title, then lines of
 * text, paginated, each page numbered.  Used for the mock-recall drill's report, which an
 * auditor files; the signed JSON beside it is what verifies. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Renders @title and @lines (NULL-terminated, UTF-8, Chinese included) to PDF.
 * Returns: (transfer full): the PDF's bytes, or NULL with @error. */
GBytes *pt_report_pdf(const char *title, const char *const *lines, GError **error);

G_END_DECLS
