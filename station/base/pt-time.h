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

/* The years every parsed time and date must fall in, first and last included: by default
 * PT_TIME_YEARS_FIRST_DEFAULT..PT_TIME_YEARS_LAST_DEFAULT; a station sets its own
 * ([station] years) once at start, before any thread parses a time.  Both lie within
 * PT_TIME_MIN_YEAR..PT_TIME_MAX_YEAR - 1. */
void pt_time_set_years(int first, int last);
void pt_time_years(int *first, int *last);

/* The offset from UTC of @tz at @utc_ns, as EPCIS's eventTimeZoneOffset writes it:
 * "+08:00", "-03:30", "+00:00".  @out has room for 7 bytes. */
void pt_time_zone_offset(GTimeZone *tz, gint64 utc_ns, char out[7]);

/* The zone of [station] time_zone: an IANA name ("Asia/Shanghai"), "UTC", or a fixed
 * offset "+hh:mm" / "-hh:mm".  Returns: (transfer full), or NULL with @error. */
GTimeZone *pt_time_zone_new(const char *name, GError **error);

/* Like pt_time_parse(), but the offset may be left out: the time is then read in @tz.
 * @offset_out receives the offset the time was given in ("Z" as "+00:00"), or @tz's at
 * that instant. */
gboolean pt_time_parse_zoned(const char *text, GTimeZone *tz, gint64 *ns_out, char offset_out[7],
                             GError **error);

G_END_DECLS
