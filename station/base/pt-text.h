/* pt-text.h: the checks every piece of operator text passes before it is stored or signed
 * (product names, notes, reasons, plates). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks operator text: UTF-8, 1 (when @required; NULL passes otherwise) to @max bytes, no
 * control characters.  The error names @what. */
gboolean pt_check_text(const char *what, const char *text, gsize max, gboolean required,
                       GError **error);

/* Appends @value as one CSV cell (RFC 4180: quoted when it holds a comma, quote, CR or LF;
 * quotes doubled).  A cell starting with = + - @ TAB or CR gets a leading ' so that a
 * spreadsheet shows it as text instead of running it as a formula.  NULL is empty. */
void pt_csv_cell(GString *out, const char *value);

G_END_DECLS
