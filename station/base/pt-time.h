/* pt-time.h: the station's clock and time format.  Times below the UI are UTC nanoseconds
 * since the epoch (0 means "never"); what leaves the station is RFC 3339 in UTC with
 * milliseconds, as EPCIS writes it. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Now, as UTC nanoseconds since the epoch. */
gint64 pt_now_ns(void);

/* Returns: (transfer full): "2026-11-25T07:19:07.123Z" (EPCIS uses milliseconds). */
char *pt_time_format(gint64 ns);

/* Returns: (transfer full): pt_time_format(@ns) as a JSON string, or JSON null for 0 (never
 * happened). */
json_t *pt_time_json(gint64 ns);

/* Parses an RFC 3339 date-time with an explicit offset into UTC nanoseconds. */
gboolean pt_time_parse(const char *text, gint64 *ns_out, GError **error);

G_END_DECLS
