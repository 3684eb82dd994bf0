/* pt-time.c: the station's one clock and its one time format.  Below the UI every time is
 * UTC nanoseconds since the epoch; EPCIS and the API write it as RFC 3339 with milliseconds. */
#include "pt-time.h"

#include "pt-error.h"

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
  g_autofree char *base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf("%s.%03dZ", base, ms);
}

json_t *
pt_time_json(gint64 ns)
{
  if (!ns)
    return json_null();
  g_autofree char *t = pt_time_format(ns);
  return json_string(t);
}

gboolean
pt_time_parse(const char *text, gint64 *ns_out, GError **error)
{
  /* g_date_time_new_from_iso8601 also takes week dates and missing offsets;
   * RFC 3339 wants YYYY-MM-DDTHH:MM:SS[.frac](Z|+hh:mm). */
  if (!g_regex_match_simple("^\\d{4}-\\d{2}-\\d{2}[Tt ]\\d{2}:\\d{2}:\\d{2}(\\.\\d{1,9})?"
                            "([Zz]|[+-]\\d{2}:\\d{2})$",
                            text, 0, 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "time '%s' is not RFC 3339 (e.g. 2026-11-25T07:30:00Z)", text);
    return FALSE;
  }
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601(text, NULL);
  if (!dt) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "time '%s' does not exist", text);
    return FALSE;
  }
  *ns_out = g_date_time_to_unix(dt) * G_GINT64_CONSTANT(1000000000) +
            (gint64)g_date_time_get_microsecond(dt) * 1000;
  return TRUE;
}
