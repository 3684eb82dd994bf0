/* pt-gzip.h: gzip for the compiled-in text assets the station and the hub serve (scripts,
 * styles, the translation table), compressed once at start, and for the consumer page and its
 * signed bundle, compressed per view: sent to clients that accept it, so the consumer page's
 * first view stays small on a slow phone network. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Returns: (transfer full): @data in the gzip format (RFC 1952), at the best compression. */
GBytes *pt_gzip(GBytes *data);
/* The same at zlib's @level (1 fastest .. 9 best): 1 for an answer made per request. */
GBytes *pt_gzip_level(GBytes *data, int level);

/* Whether a request's Accept-Encoding value @accept (nullable) takes gzip: listed, and not
 * with q=0. */
gboolean pt_gzip_accepted(const char *accept);

G_END_DECLS
