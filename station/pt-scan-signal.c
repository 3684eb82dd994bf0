/* pt-scan-signal.c: daily scan series and the spike rule (see pt-scan-signal.h). */
#include "pt-scan-signal.h"

#include "pt-limits.h"
#include "pt-store-web.h"

#include <stdlib.h>

#define DAY_NS (G_GINT64_CONSTANT(86400) * 1000000000)

static int
compare_count(const void *a, const void *b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return (x > y) - (x < y);
}

gboolean
pt_scan_find_spike(const gint64 *counts, gsize n, double *median_out, gsize *index_out)
{
  *median_out = 0;
  if (n == 0)
    return FALSE;
  g_autofree gint64 *sorted = g_memdup2(counts, n * sizeof *counts);
  qsort(sorted, n, sizeof *sorted, compare_count);
  double median = n % 2 ? (double)sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2.0;
  *median_out = median;
  gboolean found = FALSE;
  for (gsize i = 0; i < n; i++)
    if (counts[i] >= PT_SCAN_SPIKE_MIN && (double)counts[i] > PT_SCAN_SPIKE_FACTOR * median &&
        (!found || counts[i] > counts[*index_out])) {
      *index_out = i;
      found = TRUE;
    }
  return found;
}

const char *
pt_scan_spike_rule(void)
{
  return "a day with more than " G_STRINGIFY(
      PT_SCAN_SPIKE_FACTOR) " times the batch's median "
                            "daily scans and at least " G_STRINGIFY(PT_SCAN_SPIKE_MIN) " scans";
}

/* "YYYY-MM-DD" of UTC day @day.  Returns: (transfer full). */
static char *
day_text(gint64 day)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(day * 86400);
  return t ? g_date_time_format(t, "%F") : g_strdup("?");
}

json_t *
pt_scan_signal_json(PtStore *store, gint64 batch_id, gint64 now_ns, GError **error)
{
  gint64 total = 0;
  g_autoptr(GArray) days = NULL;
  g_autoptr(GArray) counts = NULL;
  gint64 first_day = now_ns / DAY_NS - (PT_SCAN_SERIES_DAYS - 1);
  if (!pt_store_scan_get(store, batch_id, &total, error) ||
      !pt_store_scan_days(store, batch_id, first_day, &days, &counts, error))
    return NULL;
  /* Zero-filled from the first day with scans to the last. */
  g_autoptr(GArray) series = g_array_new(FALSE, TRUE, sizeof(gint64));
  gint64 start = days->len ? g_array_index(days, gint64, 0) : 0;
  if (days->len)
    g_array_set_size(series, (guint)(g_array_index(days, gint64, days->len - 1) - start + 1));
  for (guint i = 0; i < days->len; i++)
    g_array_index(series, gint64, g_array_index(days, gint64, i) - start) =
        g_array_index(counts, gint64, i);
  double median = 0;
  gsize spike = 0;
  gboolean found =
      pt_scan_find_spike((const gint64 *)(void *)series->data, series->len, &median, &spike);
  json_t *arr = json_array();
  for (guint i = 0; i < series->len; i++) {
    g_autofree char *d = day_text(start + i);
    json_array_append_new(
        arr, json_pack("{sssI}", "day", d, "count", (json_int_t)g_array_index(series, gint64, i)));
  }
  json_t *o = json_pack("{sIsosfss}", "total", (json_int_t)total, "days", arr, "median_daily",
                        median, "rule", pt_scan_spike_rule());
  if (found) {
    g_autofree char *d = day_text(start + (gint64)spike);
    json_object_set_new(
        o, "spike",
        json_pack("{sssI}", "day", d, "count", (json_int_t)g_array_index(series, gint64, spike)));
  } else {
    json_object_set_new(o, "spike", json_null());
  }
  return o;
}
