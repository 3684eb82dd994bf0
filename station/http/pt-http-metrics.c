/* pt-http-metrics.c: counters behind one mutex (a few hundred nanoseconds a request), keyed
 * by route and method; at most one entry per route table row and method, plus "unmatched". */
#include "pt-http-metrics.h"

#include "pt-prom.h"

#include <string.h>

/* Upper bounds of the duration buckets, seconds: a page answers in milliseconds, a sign-in
 * (argon2id) in a few hundred, a large bundle in seconds. */
static const double bucket_le[] = {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
#define N_BUCKETS G_N_ELEMENTS(bucket_le)

typedef struct {
  const char *route;
  const char *method;
  guint64 buckets[N_BUCKETS]; /* not cumulative: counted in the first bucket that holds it */
  guint64 count;
  double sum;
  GHashTable *statuses; /* status (GUINT_TO_POINTER) -> count (GSIZE_TO_POINTER) */
} Series;

struct _PtHttpMetrics {
  GMutex lock;
  GHashTable *series; /* "route method" -> Series */
  gint unknown_lots;  /* atomic: views of unknown lots since start */
};

static void
series_free(gpointer data)
{
  Series *s = data;
  g_hash_table_destroy(s->statuses);
  g_free(s);
}

PtHttpMetrics *
pt_http_metrics_new(void)
{
  PtHttpMetrics *m = g_new0(PtHttpMetrics, 1);
  g_mutex_init(&m->lock);
  m->series = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, series_free);
  return m;
}

void
pt_http_metrics_free(PtHttpMetrics *metrics)
{
  if (!metrics)
    return;
  g_hash_table_destroy(metrics->series);
  g_mutex_clear(&metrics->lock);
  g_free(metrics);
}

void
pt_http_metrics_observe(PtHttpMetrics *metrics, const char *route, const char *method,
                        unsigned status, double seconds)
{
  route = route ? route : "unmatched";
  method = method ? method : "?";
  char key[256];
  g_snprintf(key, sizeof key, "%s %s", route, method);
  g_mutex_lock(&metrics->lock);
  Series *s = g_hash_table_lookup(metrics->series, key);
  if (!s) {
    s = g_new0(Series, 1);
    s->route = route;
    s->method = method;
    s->statuses = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(metrics->series, g_strdup(key), s);
  }
  gsize i = 0;
  while (i < N_BUCKETS && seconds > bucket_le[i])
    i++;
  if (i < N_BUCKETS)
    s->buckets[i]++;
  s->count++;
  s->sum += seconds;
  gpointer k = GUINT_TO_POINTER(status);
  gsize n = GPOINTER_TO_SIZE(g_hash_table_lookup(s->statuses, k));
  g_hash_table_insert(s->statuses, k, GSIZE_TO_POINTER(n + 1));
  g_mutex_unlock(&metrics->lock);
}

static int
compare_keys(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void
pt_http_metrics_unknown_lot(PtHttpMetrics *metrics)
{
  g_atomic_int_inc(&metrics->unknown_lots);
}

void
pt_http_metrics_render(PtHttpMetrics *metrics, GString *out)
{
  pt_prom_family(out, "packtrace_unknown_lot_views_total", "counter",
                 "Consumer page views of a lot never packed here, of a GTIN packed here: labels "
                 "that may be fake.");
  pt_prom_sample(out, "packtrace_unknown_lot_views_total",
                 (double)g_atomic_int_get(&metrics->unknown_lots), NULL);
  g_mutex_lock(&metrics->lock);
  guint n = 0;
  g_autofree gpointer *keys = g_hash_table_get_keys_as_array(metrics->series, &n);
  qsort(keys, n, sizeof *keys, compare_keys);
  pt_prom_family(out, "packtrace_http_requests_total", "counter",
                 "HTTP requests answered, by route (the route table's path), method and status.");
  for (guint i = 0; i < n; i++) {
    Series *s = g_hash_table_lookup(metrics->series, keys[i]);
    GHashTableIter it;
    gpointer status, count;
    g_hash_table_iter_init(&it, s->statuses);
    while (g_hash_table_iter_next(&it, &status, &count)) {
      char code[16];
      g_snprintf(code, sizeof code, "%u", GPOINTER_TO_UINT(status));
      pt_prom_sample(out, "packtrace_http_requests_total", (double)GPOINTER_TO_SIZE(count), "route",
                     s->route, "method", s->method, "code", code, NULL);
    }
  }
  pt_prom_family(out, "packtrace_http_request_duration_seconds", "histogram",
                 "Time from a request's first line to its answer, by route and method.");
  for (guint i = 0; i < n; i++) {
    Series *s = g_hash_table_lookup(metrics->series, keys[i]);
    guint64 cumulative = 0;
    for (gsize b = 0; b < N_BUCKETS; b++) {
      char le[G_ASCII_DTOSTR_BUF_SIZE];
      cumulative += s->buckets[b];
      g_ascii_dtostr(le, sizeof le, bucket_le[b]);
      pt_prom_sample(out, "packtrace_http_request_duration_seconds_bucket", (double)cumulative,
                     "route", s->route, "method", s->method, "le", le, NULL);
    }
    pt_prom_sample(out, "packtrace_http_request_duration_seconds_bucket", (double)s->count, "route",
                   s->route, "method", s->method, "le", "+Inf", NULL);
    pt_prom_sample(out, "packtrace_http_request_duration_seconds_sum", s->sum, "route", s->route,
                   "method", s->method, NULL);
    pt_prom_sample(out, "packtrace_http_request_duration_seconds_count", (double)s->count, "route",
                   s->route, "method", s->method, NULL);
  }
  g_mutex_unlock(&metrics->lock);
}
