/* bench-station.c: the station core's figures, each against a baseline measured
 * in the same process: signed events appended per second (durable transactions of
 * 1,000 and of 1), against Ed25519 signing alone; export + verify of a batch of
 * 10,000 events.  Prints medians of several runs.
 *   bench-station [append|bundle]   (default both; one part alone is what a profiler wants) */
#include "pt-batch.h"
#include "pt-bundle.h"
#include "pt-epcis.h"
#include "pt-keys.h"
#include "pt-time.h"
#include "pt-trace.h"

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
now_s(void)
{
  return g_get_monotonic_time() / 1e6;
}

static PtStation *
fresh_station(char **dir_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("packtrace-bench-XXXXXX", &error);
  g_assert_no_error(error);
  *dir_out = g_build_filename(tmp, "data", NULL);
  PtStation *st = pt_station_init(*dir_out, &error);
  g_assert_no_error(error);
  return st;
}

/* Appends @n inspecting events to @batch, @per_txn to a transaction.
 * Returns: events per second. */
static double
append_rate(PtStation *st, PtStore *store, PtBatch *batch, int n, int per_txn)
{
  g_autoptr(GError) error = NULL;
  double t0 = now_s();
  for (int i = 0; i < n; i += per_txn) {
    g_assert_true(pt_store_begin(store, &error));
    for (int j = 0; j < per_txn && i + j < n; j++) {
      gint64 t = pt_now_ns();
      json_t *ev = pt_epcis_event_new(st->config, batch, "inspecting", t, 0, NULL);
      json_object_set_new(ev, "disposition", json_string("conformant"));
      json_object_set_new(ev, "pt:grade", json_pack("{sssi}", "class", "I", "size", 4));
      g_assert_true(pt_trace_append(store, st->keys, batch->id, "inspecting", t, ev, NULL, &error));
      json_decref(ev);
    }
    g_assert_true(pt_store_commit(store, &error));
  }
  return n / (now_s() - t0);
}

static double
sign_rate(PtStation *st, int n)
{
  guint8 hash[PT_HASH_LEN] = {0}, sig[PT_SIG_LEN];
  double t0 = now_s();
  for (int i = 0; i < n; i++) {
    hash[0] = (guint8)i;
    pt_keys_sign(st->keys, hash, sig);
  }
  return n / (now_s() - t0);
}

/* Export + verify of one batch of 10,000 events, printed. */
static void
bench_bundle(PtStation *st, PtStore *store)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec2 = {.product = "Kiwi", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(PtBatch) big = pt_batch_create(st, store, &spec2, &error);
  g_assert_no_error(error);
  append_rate(st, store, big, 9999, 1000);
  g_autoptr(PtBatch) fresh = pt_store_batch_get(store, big->id, &error);
  double export_t[RUNS], verify_t[RUNS];
  gsize bytes = 0;
  for (int r = 0; r < RUNS; r++) {
    double t0 = now_s();
    char *text =
        pt_trace_bundle(store, st->config, st->keys, fresh, PT_BUNDLE_FULL, NULL, &bytes, &error);
    g_assert_no_error(error);
    double t1 = now_s();
    PtVerifyResult result;
    g_assert_true(pt_bundle_verify(text, bytes, st->keys->public_key, &result, &error));
    g_assert_cmpint(result.n_events, ==, 10000);
    pt_verify_result_clear(&result);
    double t2 = now_s();
    g_free(text);
    export_t[r] = t1 - t0;
    verify_t[r] = t2 - t1;
  }
  double e = median(export_t, RUNS), v = median(verify_t, RUNS);
  printf("export bundle, 10,000 events (%.1f MB):   %8.3f s (median of %d)\n", bytes / 1e6, e,
         RUNS);
  printf("verify bundle, 10,000 events:             %8.3f s (median of %d)\n", v, RUNS);
  printf("export + verify:                          %8.3f s (goal < 1 s)\n", e + v);
}

int
main(int argc, char **argv)
{
  const char *only = argc > 1 ? argv[1] : NULL;
  if (argc > 2 || (only && strcmp(only, "append") != 0 && strcmp(only, "bundle") != 0)) {
    fprintf(stderr, "usage: bench-station [append|bundle]\n");
    return 2;
  }
  g_assert_cmpint(sodium_init(), >=, 0);
  g_autofree char *dir = NULL;
  g_autoptr(PtStation) st = fresh_station(&dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_station_store(st, &error);
  g_assert_no_error(error);
  PtBatchSpec spec = {.product = "Oranges", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(PtBatch) batch = pt_batch_create(st, store, &spec, &error);
  g_assert_no_error(error);

  double sign[RUNS], batched[RUNS], single[RUNS];
  for (int r = 0; r < RUNS && (!only || strcmp(only, "append") == 0); r++) {
    sign[r] = sign_rate(st, 20000);
    batched[r] = append_rate(st, store, batch, 20000, 1000);
    single[r] = append_rate(st, store, batch, 300, 1);
  }
  if (!only || strcmp(only, "append") == 0) {
    double s = median(sign, RUNS), b = median(batched, RUNS), o = median(single, RUNS);
    printf("append, durable, 1000 events/transaction: %8.0f events/s (median of %d; min %.0f "
           "max %.0f)\n",
           b, RUNS, batched[0], batched[RUNS - 1]);
    printf("append, durable, 1 event/transaction:     %8.0f events/s (median of %d; min %.0f "
           "max %.0f)\n",
           o, RUNS, single[0], single[RUNS - 1]);
    printf("baseline Ed25519 sign alone:              %8.0f signs/s;  batched append = %.2fx of "
           "signing alone\n",
           s, b / s);
  }

  if (!only || strcmp(only, "bundle") == 0)
    bench_bundle(st, store);
  g_autofree char *parent = g_path_get_dirname(dir);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", parent);
  return system(cmd) == 0 ? 0 : 1;
}
