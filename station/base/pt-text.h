/* pt-text.h: the checks every piece of operator text passes before it is stored or signed
 * (product names, notes, reasons, plates). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Checks operator text: UTF-8, 1 (when @required; NULL passes otherwise) to @max bytes, no
 * control characters.  The error names @what. */
gboolean pt_check_text(const char *what, const char *text, gsize max, gboolean required,
                       GError **error);

G_END_DECLS
