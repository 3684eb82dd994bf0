/* bench-station.c: the station core's figures, each against a baseline measured
 * in the same process: signed events appended per second (durable transactions of
 * 1,000 and of 1), against Ed25519 signing alone on one core (a burst signs on a second core
 * when one is free, trace/pt-signer.h, so the rate depends on what else the box runs; the CPU
 * time per event, both threads', is printed beside it); export + verify of a batch of
 * 10,000 events against reading its rows and checking its signatures alone, and the peak
 * memory of `packtrace verify` for 1,000 and 10,000 events.  Prints medians of several runs.
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
#include <sys/resource.h>

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

static gboolean
count_row(const PtEventRow *row, gpointer n, GError **error)
{
  ++*(gint64 *)n;
  return TRUE;
}

/* Seconds that @n Ed25519 verifications take on one core. */
static double
verify_rate_s(PtStation *st, int n)
{
  guint8 hash[PT_HASH_LEN] = {0}, sig[PT_SIG_LEN];
  pt_keys_sign(st->keys, hash, sig);
  double t0 = now_s();
  for (int i = 0; i < n; i++)
    g_assert_true(pt_keys_verify(st->keys->public_key, hash, sig));
  return now_s() - t0;
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

static double
cpu_s(void)
{
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

static void
print_figure(const char *what, double *v, const char *unit)
{
  double m = median(v, RUNS); /* sorts @v */
  printf("%-42s %8.3f %s (median of %d; min %.3f max %.3f)\n", what, m, unit, RUNS, v[0],
         v[RUNS - 1]);
}

/* Peak resident memory of `packtrace verify FILE` on @text, in MB: the figure that shows
 * verify's memory does not grow with the bundle.  Measured by /usr/bin/time, whose child
 * starts small: a child forked from this process would count the bench's own pages. */
static double
verify_peak_mb(const char *dir, const char *text, gsize len, gint64 n)
{
  g_autofree char *name = g_strdup_printf("bundle-%" G_GINT64_FORMAT ".json", n);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autofree char *report = g_build_filename(dir, "time.txt", NULL);
  g_assert_true(g_file_set_contents(path, text, (gssize)len, NULL));
  const char *argv[] = {"/usr/bin/time",  "-f",     "%M", "-o", report,
                        PT_PACKTRACE_BIN, "verify", path, NULL};
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, NULL, &status, &error));
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_autofree char *kb = NULL;
  g_assert_true(g_file_get_contents(report, &kb, NULL, NULL));
  g_unlink(path);
  g_unlink(report);
  return g_ascii_strtod(kb, NULL) / 1024.0;
}

/* Export + verify of one batch of 10,000 events, each against its floor measured in the same
 * run: reading the rows alone (export), Ed25519 verification of as many signatures alone
 * (verify); then verify's peak memory for 1,000 and 10,000 events. */
static void
bench_bundle(PtStation *st, PtStore *store, const char *dir)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec2 = {.product = "Kiwi", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(PtBatch) big = pt_batch_create(st, store, &spec2, &error);
  g_assert_no_error(error);
  append_rate(st, store, big, 9999, 1000);
  g_autoptr(PtBatch) fresh = pt_store_batch_get(store, big->id, &error);
  double export_t[RUNS], verify_t[RUNS], export_cpu[RUNS], verify_cpu[RUNS], rows_t[RUNS],
      sigs_t[RUNS];
  gsize bytes = 0;
  char *text = NULL;
  for (int r = 0; r < RUNS; r++) {
    double t0 = now_s();
    gint64 n_rows = 0;
    g_assert_true(pt_store_events_foreach(store, fresh->id, count_row, &n_rows, &error));
    g_assert_cmpint(n_rows, ==, 10000);
    rows_t[r] = now_s() - t0;
    g_free(text);
    double c0 = cpu_s();
    t0 = now_s();
    text =
        pt_trace_bundle(store, st->config, st->keys, fresh, PT_BUNDLE_FULL, NULL, &bytes, &error);
    g_assert_no_error(error);
    double t1 = now_s(), c1 = cpu_s();
    PtVerifyResult result;
    g_assert_true(pt_bundle_verify(text, bytes, st->keys->public_key, &result, &error));
    g_assert_cmpint(result.n_events, ==, 10000);
    pt_verify_result_clear(&result);
    double t2 = now_s(), c2 = cpu_s();
    export_t[r] = t1 - t0;
    verify_t[r] = t2 - t1;
    export_cpu[r] = c1 - c0;
    verify_cpu[r] = c2 - c1;
    sigs_t[r] = verify_rate_s(st, 10000);
  }
  double e = median(export_t, RUNS), v = median(verify_t, RUNS);
  double rows = median(rows_t, RUNS), sigs = median(sigs_t, RUNS);
  printf("bundle of 10,000 events: %.1f MB\n", bytes / 1e6);
  print_figure("export bundle, wall:", export_t, "s");
  print_figure("export bundle, CPU:", export_cpu, "s");
  print_figure("baseline: reading its rows alone:", rows_t, "s");
  printf("%-42s %8.2fx of reading the rows\n", "export / baseline:", e / rows);
  print_figure("verify bundle, wall:", verify_t, "s");
  print_figure("verify bundle, CPU (every thread):", verify_cpu, "s");
  print_figure("baseline: 10,000 Ed25519 verifies alone:", sigs_t, "s");
  printf("%-42s %8.2fx of the signature checks alone (one core)\n", "verify / baseline:", v / sigs);
  printf("%-42s %8.3f s (goal < 1 s)\n", "export + verify, wall:", e + v);

  /* Memory: the same check by `packtrace verify`, which reads the file as it checks it. */
  PtBatchSpec spec3 = {.product = "Lemons", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(PtBatch) small = pt_batch_create(st, store, &spec3, &error);
  g_assert_no_error(error);
  append_rate(st, store, small, 999, 1000);
  g_autoptr(PtBatch) small_fresh = pt_store_batch_get(store, small->id, &error);
  gsize small_bytes = 0;
  g_autofree char *small_text = pt_trace_bundle(store, st->config, st->keys, small_fresh,
                                                PT_BUNDLE_FULL, NULL, &small_bytes, &error);
  g_assert_no_error(error);
  double mb_small = verify_peak_mb(dir, small_text, small_bytes, 1000);
  double mb_big = verify_peak_mb(dir, text, bytes, 10000);
  printf("packtrace verify, peak RSS, 1,000 events:  %8.1f MB (bundle %.1f MB)\n", mb_small,
         small_bytes / 1e6);
  printf("packtrace verify, peak RSS, 10,000 events: %8.1f MB (bundle %.1f MB); %.2fx of 1,000\n",
         mb_big, bytes / 1e6, mb_big / mb_small);
  g_free(text);
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

  /* Wall rates, and CPU time per event and per signature: on a box shared with other work
   * the wall ratio swings with the neighbours, the CPU ratio much less. */
  double sign[RUNS], batched[RUNS], single[RUNS], sign_us[RUNS], batched_us[RUNS];
  for (int r = 0; r < RUNS && (!only || strcmp(only, "append") == 0); r++) {
    double c0 = cpu_s();
    sign[r] = sign_rate(st, 20000);
    double c1 = cpu_s();
    batched[r] = append_rate(st, store, batch, 20000, 1000);
    double c2 = cpu_s();
    sign_us[r] = (c1 - c0) / 20000 * 1e6;
    batched_us[r] = (c2 - c1) / 20000 * 1e6;
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
    double bu = median(batched_us, RUNS), su = median(sign_us, RUNS);
    print_figure("CPU per event, 1000 events/transaction:", batched_us, "us");
    print_figure("CPU per Ed25519 signature alone:", sign_us, "us");
    printf("%-42s %8.2fx of signing alone (by CPU time)\n", "batched append:", su / bu);
  }

  g_autofree char *parent = g_path_get_dirname(dir);
  if (!only || strcmp(only, "bundle") == 0)
    bench_bundle(st, store, parent);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", parent);
  return system(cmd) == 0 ? 0 : 1;
}
