/* bench-buyer-stats.c: the buyer's views across batches (pt_store_buyer_stats(), one
 * aggregate statement) on a station of 5,000 graded batches of 10 growers over a year, with
 * 20 more events each
 * (105,000 events), against reading every event's body once (what counting them in C would
 * cost at the least), measured in the same process.  Prints medians of several runs. */
#include "pt-station.h"
#include "pt-store-buyer-stats.h"

#include <sodium.h>
#include <sqlite3.h>
#include <stdio.h>

#define RUNS      7
#define N_BATCHES 5000
#define N_OTHER   20

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

static void
exec(sqlite3 *db, const char *sql)
{
  char *msg = NULL;
  if (sqlite3_exec(db, sql, NULL, NULL, &msg) != SQLITE_OK)
    g_error("%s: %s", sql, msg);
}

/* The batches and their events, written straight into the file: the statement reads the
 * bodies, not the proofs, so hashes and signatures are left zero. */
static void
fill(const char *db_path)
{
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open(db_path, &db), ==, SQLITE_OK);
  exec(db, "BEGIN");
  for (int i = 0; i < N_BATCHES; i++) {
    g_autofree char *sql = g_strdup_printf(
        "INSERT INTO batches (id, lot, gtin, product, grower, pack_date, quantity, uom, status, "
        "created_ns) VALUES (%d, 'L%d', '09506000134352', 'Oranges', 'grower %d', "
        "date('2026-01-01', '+%d days'), 100, 'KGM', 'active', 1);"
        "INSERT INTO events (batch_id, event_id, step, event_time_ns, record_time_ns, body, hash, "
        "signature) VALUES (%d, 'e', 'inspecting', 1, 1, '{\"disposition\":\"%s\","
        "\"pt:declaredClass\":\"I\",\"pt:gradeDistribution\":{\"Extra\":20,\"I\":70,\"II\":8,"
        "\"out\":2},\"pt:sizeDistribution\":{\"3\":40,\"4\":60},\"pt:defects\":{\"fruitByKind\":"
        "{\"bruise\":5,\"none\":95}}}', zeroblob(32), zeroblob(64));",
        i + 1, i, i % 10, i % 365, i + 1, i % 7 ? "conformant" : "non_conformant");
    exec(db, sql);
    for (int k = 0; k < N_OTHER; k++) {
      g_autofree char *other = g_strdup_printf(
          "INSERT INTO events (batch_id, event_id, step, event_time_ns, record_time_ns, body, "
          "hash, signature) VALUES (%d, 'o', 'sensor_reporting', 1, 1, '{\"pt:camera\":\"c%d\"}',"
          " zeroblob(32), zeroblob(64))",
          i + 1, k);
      exec(db, other);
    }
  }
  exec(db, "COMMIT");
  sqlite3_close(db);
}

int
main(void)
{
  g_assert_cmpint(sodium_init(), >=, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("packtrace-bench-XXXXXX", &error);
  g_assert_no_error(error);
  g_autofree char *dir = g_build_filename(tmp, "data", NULL);
  g_autoptr(PtStation) st = pt_station_init(dir, &error);
  g_assert_no_error(error);
  g_autofree char *db_path = g_build_filename(dir, "station.db", NULL);
  fill(db_path);
  g_autoptr(PtStore) store = pt_station_store(st, &error);
  g_assert_no_error(error);
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_stmt *all = NULL;
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT body FROM events", -1, &all, NULL), ==, SQLITE_OK);

  double stats_t[RUNS], read_t[RUNS];
  guint rows = 0;
  for (int r = 0; r < RUNS; r++) {
    double t0 = now_s();
    PtBuyerStatsQuery q = {0};
    g_autoptr(GPtrArray) got = pt_store_buyer_stats(store, &q, &error);
    g_assert_no_error(error);
    stats_t[r] = now_s() - t0;
    rows = got->len;
    t0 = now_s();
    gsize bytes = 0;
    while (sqlite3_step(all) == SQLITE_ROW)
      bytes += (gsize)sqlite3_column_bytes(all, 0);
    sqlite3_reset(all);
    read_t[r] = now_s() - t0;
    g_assert_cmpuint(bytes, >, 0);
  }
  sqlite3_finalize(all);
  sqlite3_close(db);
  /* median() sorts: afterwards [0] is the minimum and [RUNS - 1] the maximum. */
  double views = median(stats_t, RUNS), reads = median(read_t, RUNS);
  printf("views across %d batches (%d events), one statement: %8.1f ms (median of %d, min %.1f "
         "max %.1f; %u rows)\n",
         N_BATCHES, N_BATCHES * (N_OTHER + 1), 1000 * views, RUNS, 1000 * stats_t[0],
         1000 * stats_t[RUNS - 1], rows);
  printf("baseline: read every event's body once:              %8.1f ms (median of %d, min %.1f "
         "max %.1f)\n",
         1000 * reads, RUNS, 1000 * read_t[0], 1000 * read_t[RUNS - 1]);
  printf("views / baseline:                                     %8.2fx\n", views / reads);
  g_clear_pointer(&store, pt_store_close);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", tmp);
  g_spawn_command_line_sync(cmd, NULL, NULL, NULL, NULL);
  return 0;
}
