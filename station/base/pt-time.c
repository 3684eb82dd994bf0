/* pt-time.c: the station's one clock and its one time format.  Below the UI every time is
 * UTC nanoseconds since the epoch; EPCIS and the API write it as RFC 3339 with milliseconds. */
#include "pt-time.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <string.h>
#include <time.h>

gint64
pt_now_ns(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (gint64)ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

char *
pt_time_format(gint64 ns)
{
  gint64 secs = ns >= 0 ? ns / 1000000000 : (ns - 999999999) / 1000000000;
  int ms = (int)((ns - secs * 1000000000) / 1000000);
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(secs);
  if (!dt)
    return g_strdup("1970-01-01T00:00:00.000Z");
  /* Every signed record is dated here: numbers, not g_date_time_format()'s parser.  Nanoseconds
   * in a gint64 span the years 1677 to 2262, always four digits. */
  int y, mo, d;
  g_date_time_get_ymd(dt, &y, &mo, &d);
  return g_strdup_printf("%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", y, mo, d, g_date_time_get_hour(dt),
                         g_date_time_get_minute(dt), g_date_time_get_second(dt), ms);
}

json_t *
pt_time_json(gint64 ns)
{
  if (!ns)
    return json_null();
  g_autofree char *t = pt_time_format(ns);
  return json_string(t);
}

static int years_first = PT_TIME_YEARS_FIRST_DEFAULT;
static int years_last = PT_TIME_YEARS_LAST_DEFAULT;

void
pt_time_set_years(int first, int last)
{
  years_first = CLAMP(first, PT_TIME_MIN_YEAR, PT_TIME_MAX_YEAR - 1);
  years_last = CLAMP(last, years_first, PT_TIME_MAX_YEAR - 1);
}

void
pt_time_years(int *first, int *last)
{
  *first = years_first;
  *last = years_last;
}

/* @dt as UTC nanoseconds, refusing a time outside the years the station's nanosecond
 * integers and its users have a use for (pt-limits.h, [station] years), rather than
 * overflowing. */
static gboolean
to_ns(GDateTime *dt, const char *text, gint64 *ns_out, GError **error)
{
  gint64 secs = g_date_time_to_unix(dt);
  int year = g_date_time_get_year(dt);
  if (secs < PT_TIME_MIN_S || secs >= PT_TIME_MAX_S || year < years_first || year > years_last) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "time '%s' is outside the years %d to %d ([station] years)", text, years_first,
                years_last);
    return FALSE;
  }
  *ns_out = secs * G_GINT64_CONSTANT(1000000000) + (gint64)g_date_time_get_microsecond(dt) * 1000;
  return TRUE;
}

/* RFC 3339 as the station writes and reads it, compiled once for the process: the hub parses
 * four times per event it ingests, and compiling per call was a tenth of its ingest time.  A
 * GRegex is immutable and matched from any thread. */
static GRegex *
rfc3339_regex(void)
{
  static GRegex *regex;
  if (g_once_init_enter(&regex)) {
    GRegex *r = g_regex_new("^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?"
                            "([Zz]|[+-]\\d{2}:\\d{2})$",
                            G_REGEX_OPTIMIZE, 0, NULL);
    g_once_init_leave(&regex, r);
  }
  return regex;
}

gboolean
pt_time_parse(const char *text, gint64 *ns_out, GError **error)
{
  /* g_date_time_new_from_iso8601 also takes week dates and missing offsets;
   * RFC 3339 wants YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm). */
  if (!g_regex_match(rfc3339_regex(), text, 0, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "time '%s' is not RFC 3339 (e.g. 2026-11-25T07:30:00Z)", text);
    return FALSE;
  }
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, NULL);
  if (!dt) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "time '%s' does not exist", text);
    return FALSE;
  }
  return to_ns(dt, text, ns_out, error);
}

void
pt_time_zone_offset(GTimeZone *tz, gint64 utc_ns, char out[7])
{
  gint64 secs = utc_ns >= 0 ? utc_ns / 1000000000 : (utc_ns - 999999999) / 1000000000;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(secs);
  g_autoptr(GDateTime) local = dt ? g_date_time_to_timezone(dt, tz) : NULL;
  gint64 off_s = local ? g_date_time_get_utc_offset(local) / G_USEC_PER_SEC : 0;
  gint64 a = ABS(off_s);
  g_snprintf(out, 7, "%c%02d:%02d", off_s < 0 ? '-' : '+', (int)(a / 3600), (int)(a / 60 % 60));
}

GTimeZone *
pt_time_zone_new(const char *name, GError **error)
{
  /* GLib also reads POSIX TZ rules; a plain offset or a zoneinfo-style name is what the
   * key documents, and a name GLib cannot load gives NULL. */
  GTimeZone *tz = NULL;
  if (g_regex_match_simple("^[+-](0\\d|1[0-4]):[0-5]\\d$", name, 0, 0) ||
      g_regex_match_simple("^[A-Za-z][A-Za-z0-9_+-]*(/[A-Za-z0-9_+-]+)*$", name, 0, 0))
    tz = g_time_zone_new_identifier(name);
  if (!tz)
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "time zone '%s' is neither an IANA name (e.g. Asia/Shanghai) nor +hh:mm", name);
  return tz;
}

gboolean
pt_time_parse_zoned(const char *text, GTimeZone *tz, gint64 *ns_out, char offset_out[7],
                    GError **error)
{
  if (g_regex_match_simple("^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?$", text, 0,
                           0)) {
    g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, tz);
    if (!dt) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "time '%s' does not exist", text);
      return FALSE;
    }
    if (!to_ns(dt, text, ns_out, error))
      return FALSE;
    pt_time_zone_offset(tz, *ns_out, offset_out);
    return TRUE;
  }
  if (!pt_time_parse(text, ns_out, error))
    return FALSE;
  gsize n = strlen(text);
  if (text[n - 1] == 'Z' || text[n - 1] == 'z')
    g_strlcpy(offset_out, "+00:00", 7);
  else
    g_strlcpy(offset_out, text + n - 6, 7);
  return TRUE;
}
