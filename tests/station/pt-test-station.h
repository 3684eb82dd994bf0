/* pt-test-station.h: a station in a fresh temporary directory for tests. */
#pragma once

#include "pt-batch.h"
#include "pt-station.h"

#include <gio/gio.h>

typedef struct {
  char *dir;
  PtStation *station;
  PtStore *store;
} PtTestStation;

PtTestStation *pt_test_station_new(void);
void pt_test_station_free(PtTestStation *ts);
/* Removes @path and everything below it (a test's temporary folder). */
void pt_test_remove_tree(const char *path);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtTestStation, pt_test_station_free)

/* A batch of oranges with @n_extra inspecting events after commissioning. */
PtBatch *pt_test_batch(PtTestStation *ts, int n_extra);

/* Runs SQL on the station's database through a separate raw connection, as an
 * attacker with file access would. */
void pt_test_sql(PtTestStation *ts, const char *sql);

/* Starts `packtrace run` on @ts's data directory on a free loopback port; the server
 * dies with the test process.  Returns: (transfer full): the server; its base URL in
 * @url_out (transfer full). */
GSubprocess *pt_test_station_run(PtTestStation *ts, char **url_out);

/* How much longer than on a plain build a test may wait for something to happen: the
 * integer PT_TEST_TIME_SCALE (1 .. 20; the sanitizer setup sets it, see tests/meson.build),
 * 1 when unset.  Multiply fixed waits by it, never lengthen them for everyone. */
guint pt_test_time_scale(void);

/* Stops @server with SIGTERM and asserts a clean exit (status 0, not the signal). */
void pt_test_station_stop(GSubprocess *server);
