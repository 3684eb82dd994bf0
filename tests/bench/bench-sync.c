/* bench-sync.c: the sync worker's figures against the loopback platform of
 * tests/sync: events delivered per second with EPCIS capture (batched, jobs
 * followed) and with webhooks (one signed request per event, 8 batches in
 * parallel), medians of several runs; the time to drain a backlog of 100,000
 * events; and the CPU the worker uses while a backlog waits on a dead link. */
#include "pt-batch.h"
#include "pt-epcis.h"
#include "pt-store-sync.h"
#include "pt-sync.h"
#include "pt-time.h"
#include "pt-trace.h"
#include "sync-receiver.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>

#define RUNS    3
#define SECRET  "bench-secret-0123456789"
#define N_EPCIS 20000
#define N_HOOK  4000
#define N_DRAIN 100000
#define BATCHES 8

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double
now_s(void)
{
  return g_get_monotonic_time() / 1e6;
}

/* A station with @n inspecting events spread over BATCHES batches and one
 * connector: [sync bench] @type pointing at @url. */
static PtStation *
station_with_backlog(int n, const char *type, const char *url, char **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("packtrace-bench-sync-XXXXXX", &error);
  g_assert_no_error(error);
  *dir_out = g_build_filename(tmp, "data", NULL);
  PtStation *st = pt_station_init(*dir_out, &error);
  g_assert_no_error(error);
  g_autofree char *ini = g_build_filename(*dir_out, "station.ini", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
  g_autofree char *more = g_strdup_printf("%s\n[sync bench]\ntype=%s\nurl=%s\nsecret=%s\n"
                                          "from_start=true\nretry_min_ms=50\nretry_max_ms=500\n",
                                          text, type, url, SECRET);
  g_assert_true(g_file_set_contents(ini, more, -1, NULL));
  pt_station_free(st);
  st = pt_station_open(*dir_out, &error);
  g_assert_no_error(error);

  g_autoptr(PtStore) store = pt_station_store(st, &error);
  g_assert_no_error(error);
  PtBatch *batches[BATCHES];
  for (int i = 0; i < BATCHES; i++) {
    PtBatchSpec spec = {.product = "Oranges", .gtin = "09506000134352"};
    batches[i] = pt_batch_create(st, store, &spec, &error);
    g_assert_no_error(error);
  }
  for (int i = BATCHES; i < n; i += 1000) {
    g_assert_true(pt_store_begin(store, &error));
    for (int j = i; j < i + 1000 && j < n; j++) {
      PtBatch *b = batches[j % BATCHES];
      gint64 t = pt_now_ns();
      json_t *ev = pt_epcis_event_new(st->config, b, "inspecting", t, 0, NULL);
      json_object_set_new(ev, "disposition", json_string("conformant"));
      g_assert_true(pt_trace_append(store, st->keys, b->id, "inspecting", t, ev, NULL, &error));
      json_decref(ev);
    }
    g_assert_true(pt_store_commit(store, &error));
  }
  for (int i = 0; i < BATCHES; i++)
    pt_batch_free(batches[i]);
  return st;
}

static void
remove_station(PtStation *st, char *dir)
{
  g_autofree char *parent = g_path_get_dirname(dir);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", parent);
  pt_station_free(st);
  g_assert_cmpint(system(cmd), ==, 0);
  g_free(dir);
}

typedef struct {
  Receiver *rx;
  guint want;
  GMainLoop *loop;
  double t_done;
} Drain;

static gboolean
check_drained(gpointer data)
{
  Drain *d = data;
  if (rx_n_arrivals(d->rx) < d->want)
    return G_SOURCE_CONTINUE;
  d->t_done = now_s();
  g_main_loop_quit(d->loop);
  return G_SOURCE_REMOVE;
}

/* Returns: events per second from start to the last arrival. */
static double
deliver(const char *type, int n, double *seconds_out)
{
  Receiver *rx = rx_new(0, SECRET, NULL, NULL);
  g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u/%s", rx_port(rx),
                                         strcmp(type, "epcis") == 0 ? "" : "hook");
  char *dir = NULL;
  PtStation *st = station_with_backlog(n, type, url, &dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  Drain d = {.rx = rx, .want = (guint)n, .loop = loop};
  double t0 = now_s();
  PtSync *sync = pt_sync_start(st->config, st->dir, st->db_path, &error);
  g_assert_no_error(error);
  guint check = g_timeout_add(5, check_drained, &d);
  g_main_loop_run(loop);
  pt_sync_stop(sync);
  if (!d.t_done)
    g_source_remove(check);
  rx_free(rx);
  remove_station(st, dir);
  double s = d.t_done - t0;
  if (seconds_out)
    *seconds_out = s;
  return n / s;
}

/* The median of RUNS deliveries' rates; @min and @max get the slowest and the fastest. */
static double
median_rate(const char *type, int n, double *min, double *max)
{
  double v[RUNS];
  for (int i = 0; i < RUNS; i++)
    v[i] = deliver(type, n, NULL);
  qsort(v, RUNS, sizeof *v, cmp_double);
  *min = v[0];
  *max = v[RUNS - 1];
  return v[RUNS / 2];
}

static double
cpu_s(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static gboolean
quit_loop(gpointer loop)
{
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

/* CPU share of the worker while 10,000 events wait on a link that refuses. */
static double
idle_cpu(double seconds)
{
  Receiver *rx = rx_new(0, SECRET, NULL, NULL);
  g_autofree char *url = g_strdup_printf("http://127.0.0.1:%u/hook", rx_port(rx));
  rx_free(rx); /* nothing listens there now */
  char *dir = NULL;
  PtStation *st = station_with_backlog(10000, "webhook", url, &dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  PtSync *sync = pt_sync_start(st->config, st->dir, st->db_path, &error);
  g_assert_no_error(error);
  double c0 = cpu_s();
  g_timeout_add((guint)(seconds * 1000), quit_loop, loop);
  g_main_loop_run(loop);
  double used = cpu_s() - c0;
  pt_sync_stop(sync);
  remove_station(st, dir);
  return used / seconds;
}

static void
quiet_log(const gchar *domain, GLogLevelFlags level, const gchar *message, gpointer data)
{
}

int
main(void)
{
  g_assert_cmpint(sodium_init(), >=, 0);
  g_log_set_handler(NULL, G_LOG_LEVEL_MESSAGE, quiet_log, NULL);
  printf("sync, loopback platform (tests/sync/sync-receiver.c), median of %d runs\n", RUNS);
  double lo, hi;
  double epcis = median_rate("epcis", N_EPCIS, &lo, &hi);
  printf(
      "  EPCIS capture, batched (max_batch 500), %d events:   %8.0f events/s (min %.0f max %.0f)\n",
      N_EPCIS, epcis, lo, hi);
  double hook = median_rate("webhook", N_HOOK, &lo, &hi);
  printf(
      "  webhook, one signed request per event, %d events:   %8.0f events/s (min %.0f max %.0f)\n",
      N_HOOK, hook, lo, hi);
  printf("  batching gain (EPCIS / webhook, the baseline): %.1fx\n", epcis / hook);
  double s;
  deliver("epcis", N_DRAIN, &s);
  printf("  drain a backlog of %d events (EPCIS):            %8.2f s\n", N_DRAIN, s);
  double cpu = idle_cpu(3.0);
  printf("  CPU while 10,000 events wait on a dead link:        %8.2f %% of a core\n", cpu * 100);
  return 0;
}
