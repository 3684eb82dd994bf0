/* bench-recall.c: recall figures on a real SQLite store.
 * 1. The impact list of one lot (repacked into two, on three loads) among N signed events
 *    (PT_BENCH_RECALL_EVENTS, default 1,000,000: 10,000 lots of 100 events, 1,000 loads),
 *    against a baseline measured in the same run: reading that lot's own events alone.
 * 2. A drill's notices to 100 recipients (100 buyer GLNs, their notices to four buyers'
 *    webhooks, 25 sites each) on a receiver on loopback, until all are delivered, against the same
 * drill to one recipient. Medians of RUNS runs; goals: impact < 1 s, 100 notices delivered < 10 s.
 */
#include "pt-batch.h"
#include "pt-epcis.h"
#include "pt-gs1.h"
#include "pt-keys.h"
#include "pt-load.h"
#include "pt-recall.h"
#include "pt-time.h"
#include "pt-trace.h"
#include "pt-transform.h"
#include "sync-receiver.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

#define RUNS 5

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static double
median(double *v, int n)
{
  qsort(v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

static double
now_ms(void)
{
  return g_get_monotonic_time() / 1e3;
}

static PtStation *
fresh_station(const char *ini_extra)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("packtrace-bench-recall-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *dir = g_build_filename(tmp, "data", NULL);
  PtStation *st = pt_station_init(dir, &error);
  g_assert_no_error(error);
  if (!ini_extra)
    return st;
  g_autofree char *ini = g_build_filename(dir, "station.ini", NULL);
  g_autofree char *text = NULL;
  g_assert_true(g_file_get_contents(ini, &text, NULL, NULL));
  g_autofree char *more = g_strconcat(text, ini_extra, NULL);
  g_assert_true(g_file_set_contents(ini, more, -1, NULL));
  pt_station_free(st);
  st = pt_station_open(dir, &error);
  g_assert_no_error(error);
  return st;
}

/* A valid GLN: 4012345 and a 5-digit number, then its check digit. */
static char *
gln(int n)
{
  char body[13];
  g_snprintf(body, sizeof body, "4012345%05d", n);
  return g_strdup_printf("%s%d", body, pt_gs1_check_digit(body, 12));
}

static PtBatch *
lot(PtStation *st, PtStore *store, const char *name)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec = {.product = "Apples",
                      .gtin = "09506000134352",
                      .lot = name,
                      .grower = "Orchard",
                      .pack_date = "2026-11-25",
                      .has_quantity = TRUE,
                      .quantity = 100,
                      .uom = "KGM"};
  PtBatch *b = pt_batch_create(st, store, &spec, &error);
  g_assert_no_error(error);
  return b;
}

/* Puts @quantity KGM of @b (0: what its other loads left) on a new load to @to and closes it. */
static gint64
ship(PtStation *st, PtStore *store, PtBatch *b, const char *to, double quantity)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *plate = g_strdup_printf("P-%s", b->lot);
  PtLoadSpec ls = {.plate = plate, .seal = "S-1", .destination = to, .destination_gln = to};
  g_autoptr(PtLoad) load = pt_load_create(store, &ls, &error);
  g_assert_no_error(error);
  gboolean added = pt_load_add_batch(st, store, load->id, b, quantity, "operator", pt_now_ns(),
                                     NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_true(added);
  guint n = 0;
  g_assert_true(pt_load_close(st, store, load->id, &n, &error));
  return load->id;
}

/* Fills @store with about @n_events signed events: lots of 100 events made 100 lots to a
 * transaction (a durable commit each costs more than the events), and one lot of every 100
 * shipped to a buyer of its own. */
static void
fill(PtStation *st, PtStore *store, const char *prefix, int n_events)
{
  g_autoptr(GError) error = NULL;
  int n_lots = MAX(1, n_events / 100);
  double t0 = now_ms();
  for (int i = 0; i < n_lots; i += 100) {
    g_autoptr(PtBatch) first = NULL;
    g_assert_true(pt_store_begin(store, &error));
    for (int k = i; k < MIN(i + 100, n_lots); k++) {
      g_autofree char *name = g_strdup_printf("%s%06d", prefix, k);
      PtBatchSpec spec = {.product = "Apples",
                          .gtin = "09506000134352",
                          .lot = name,
                          .grower = "Orchard",
                          .pack_date = "2026-11-25",
                          .has_quantity = TRUE,
                          .quantity = 100,
                          .uom = "KGM"};
      PtBatch *b = pt_batch_create_locked(st, store, &spec, &error);
      g_assert_no_error(error);
      for (int j = 0; j < 98; j++) {
        gint64 t = pt_now_ns();
        json_t *ev = pt_epcis_event_new(st->config, b, "inspecting", t, 0, NULL);
        json_object_set_new(ev, "disposition", json_string("conformant"));
        g_assert_true(pt_trace_append(store, st->keys, b->id, "inspecting", t, ev, NULL, &error));
        json_decref(ev);
      }
      if (!first)
        first = b;
      else
        pt_batch_free(b);
    }
    g_assert_true(pt_store_commit(store, &error));
    g_autofree char *to = gln(i / 100 % 90000);
    ship(st, store, first, to, 0);
    if (i % 10000 == 0)
      fprintf(stderr, "  filled %d lots (%.0f s)\n", i, (now_ms() - t0) / 1000);
  }
}

static gboolean
count_event(const PtEventRow *row, gpointer data, GError **error)
{
  (*(int *)data)++;
  return TRUE;
}

static void
bench_impact(void)
{
  const char *env = g_getenv("PT_BENCH_RECALL_EVENTS");
  int n_events = env ? (int)g_ascii_strtoll(env, NULL, 10) : 1000000;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) st = fresh_station(NULL);
  g_autoptr(PtStore) store = pt_station_store(st, &error);
  g_assert_no_error(error);
  double t0 = now_ms();
  fill(st, store, "F", n_events);
  /* The lot of the recall, in the middle of the log: repacked in two, three loads. */
  g_autoptr(PtBatch) r = lot(st, store, "RECALL-1");
  PtTransformOutput outs[] = {{"RECALL-1A", 30}, {"RECALL-1B", 20}};
  PtTransformSpec ts = {.outputs = outs, .n_outputs = 2};
  g_autoptr(GPtrArray) made = NULL;
  g_assert_true(pt_transform_run(st, store, r, &ts, &made, NULL, &error));
  g_autofree char *g1 = gln(90001), *g2 = gln(90002), *g3 = gln(90003);
  ship(st, store, r, g1, 0);
  ship(st, store, made->pdata[0], g2, 0);
  ship(st, store, made->pdata[1], g3, 0);
  fill(st, store, "G", n_events / 10);
  int n = 0;
  g_assert_true(pt_store_events_foreach(store, 0, count_event, &n, &error));
  gint64 total = n;
  printf("store: %" G_GINT64_FORMAT " signed events, filled in %.0f s\n", total,
         (now_ms() - t0) / 1000);

  double impact[RUNS], base[RUNS];
  PtRecallQuery q = {.lot = "RECALL-1"};
  int lots = 0, dests = 0;
  for (int i = 0; i < RUNS; i++) {
    double a = now_ms();
    json_t *out = pt_recall_impact(st, store, &q, &error);
    impact[i] = now_ms() - a;
    g_assert_no_error(error);
    lots = (int)json_array_size(json_object_get(out, "lots"));
    dests = (int)json_array_size(json_object_get(out, "destinations"));
    json_decref(out);
    int k = 0;
    a = now_ms();
    g_assert_true(pt_store_events_foreach(store, r->id, count_event, &k, &error));
    base[i] = now_ms() - a;
  }
  g_assert_cmpint(lots, ==, 3);
  g_assert_cmpint(dests, ==, 3);
  /* median() sorts: afterwards [0] is the minimum and [RUNS - 1] the maximum. */
  double m_impact = median(impact, RUNS), m_base = median(base, RUNS);
  printf("impact list of one lot (3 lots, 3 destinations) among %" G_GINT64_FORMAT
         " events: %8.2f ms (median of %d, min %.2f max %.2f; goal < 1000 ms)\n",
         total, m_impact, RUNS, impact[0], impact[RUNS - 1]);
  printf("baseline, reading that lot's own events:            %8.2f ms (median of %d, min %.2f max "
         "%.2f); impact / baseline %.1fx\n",
         m_base, RUNS, base[0], base[RUNS - 1], m_base > 0 ? m_impact / m_base : 0);
}

/* A drill of one lot shipped to @n recipients, each a webhook of the receiver.  Returns: ms
 * until every notice was delivered. */
static double
drill_to(Receiver *rx, int n)
{
  /* Four buyers' systems, each taking the notices of a quarter of the sites (GLNs). */
  g_autoptr(GString) ini = g_string_new("\n");
  for (int k = 0; k < 4 && k < n; k++) {
    g_string_append_printf(ini,
                           "[sync buyer%d]\ntype=webhook\nurl=http://127.0.0.1:%u/hook/%d\n"
                           "secret=bench-recall-secret-0123456\ngln=",
                           k, rx_port(rx), k);
    for (int i = k; i < n; i += 4) {
      g_autofree char *g = gln(i);
      g_string_append_printf(ini, "%s%s", i == k ? "" : ",", g);
    }
    g_string_append(ini, "\n");
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) st = fresh_station(ini->str);
  g_autoptr(PtStore) store = pt_station_store(st, &error);
  g_assert_no_error(error);
  g_autoptr(PtBatch) b = lot(st, store, "DRILL-1");
  /* A loose lot is shared out: each truck takes its part, none the whole lot again. */
  for (int i = 0; i < n; i++) {
    g_autofree char *g = gln(i);
    ship(st, store, b, g, b->quantity / n);
  }
  g_autofree char *reports = g_build_filename(st->dir, "reports", NULL);
  PtDrillSpec spec = {.wait_s = 0, .deliver_wait_s = 60, .out_dir = reports};
  g_autofree char *json_path = NULL, *pdf_path = NULL;
  guint before = rx_n_arrivals(rx);
  json_t *report = pt_recall_drill(st, b, &spec, &json_path, &pdf_path, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(rx_n_arrivals(rx) - before, ==, (guint)n);
  json_t *ms = json_object_get(json_object_get(report, "steps"), "all_delivered_ms");
  g_assert_true(json_is_number(ms));
  double v = json_number_value(ms);
  json_decref(report);
  return v;
}

static void
bench_notices(void)
{
  Receiver *rx = rx_new(0, "bench-recall-secret-0123456", NULL, NULL);
  double hundred[RUNS], one[RUNS];
  for (int i = 0; i < RUNS; i++) {
    one[i] = drill_to(rx, 1);
    hundred[i] = drill_to(rx, 100);
  }
  g_assert_cmpuint(rx_bad_signatures(rx), ==, 0);
  double m_hundred = median(hundred, RUNS), m_one = median(one, RUNS);
  printf("drill, notices to 100 recipients delivered on loopback: %8.1f ms (median of %d, min %.1f "
         "max %.1f; goal < 10000 ms)\n",
         m_hundred, RUNS, hundred[0], hundred[RUNS - 1]);
  printf("baseline, the same drill to 1 recipient:               %8.1f ms (median of %d, min %.1f "
         "max %.1f); 100 / 1 recipient %.1fx\n",
         m_one, RUNS, one[0], one[RUNS - 1], m_one > 0 ? m_hundred / m_one : 0);
  rx_free(rx);
}

int
main(int argc, char **argv)
{
  g_assert_cmpint(sodium_init(), >=, 0);
  if (argc < 2 || strcmp(argv[1], "impact") != 0)
    bench_notices();
  if (argc < 2 || strcmp(argv[1], "notices") != 0)
    bench_impact();
  return 0;
}
