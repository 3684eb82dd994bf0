/* pt-test-station.c: temporary stations for the tests. */
#include "pt-test-station.h"

#include <signal.h>
#include <sodium.h>
#include <string.h>
#include <sys/prctl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

PtTestStation *
pt_test_station_new(void)
{
  g_assert_cmpint(sodium_init(), >=, 0);
  PtTestStation *ts = g_new0(PtTestStation, 1);
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp("packtrace-test-XXXXXX", &error);
  g_assert_no_error(error);
  ts->dir = g_build_filename(tmp, "data", NULL);
  ts->station = pt_station_init(ts->dir, &error);
  g_assert_no_error(error);
  /* `packtrace run` on a station without cameras would make and record demo footage: not
   * what these tests measure, and seconds of CPU each. */
  g_autofree char *ini = g_build_filename(ts->dir, "station.ini", NULL);
  g_key_file_set_string(ts->station->config->keyfile, "recording", "demo", "off");
  g_key_file_save_to_file(ts->station->config->keyfile, ini, &error);
  g_assert_no_error(error);
  ts->store = pt_station_store(ts->station, &error);
  g_assert_no_error(error);
  return ts;
}

void
pt_test_remove_tree(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  if (dir) {
    const char *name;
    while ((name = g_dir_read_name(dir))) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      pt_test_remove_tree(child);
    }
    g_dir_close(dir);
  }
  g_remove(path);
}

void
pt_test_station_free(PtTestStation *ts)
{
  pt_store_close(ts->store);
  pt_station_free(ts->station);
  g_autofree char *parent = g_path_get_dirname(ts->dir);
  pt_test_remove_tree(parent);
  g_free(ts->dir);
  g_free(ts);
}

PtBatch *
pt_test_batch(PtTestStation *ts, int n_extra)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec = {.product = "Oranges",
                      .gtin = "09506000134352",
                      .variety = "Navel",
                      .origin = "CN",
                      .harvest_date = "2026-11-20",
                      .pack_date = "2026-11-25",
                      .has_quantity = TRUE,
                      .quantity = 1200.5};
  PtBatch *b = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_assert_no_error(error);
  for (int i = 0; i < n_extra; i++) {
    g_autofree char *note = g_strdup_printf("check %d", i);
    PtEventSpec ev = {.step = "inspecting", .disposition = "conformant", .note = note};
    g_assert_true(pt_batch_add_event(ts->station, ts->store, b, &ev, NULL, &error));
    g_assert_no_error(error);
  }
  return b;
}

void
pt_test_sql(PtTestStation *ts, const char *sql)
{
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open(ts->station->db_path, &db), ==, SQLITE_OK);
  char *msg = NULL;
  int rc = sqlite3_exec(db, sql, NULL, NULL, &msg);
  if (rc != SQLITE_OK)
    g_error("%s: %s", sql, msg);
  sqlite3_close(db);
}

static void
die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

GSubprocess *
pt_test_station_run(PtTestStation *ts, char **url_out)
{
  g_autofree char *bin =
      g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher =
      g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  /* A failed assertion aborts the test; the server must not outlive it. */
  g_subprocess_launcher_set_child_setup(launcher, die_with_parent, NULL, NULL);
  GSubprocess *server = g_subprocess_launcher_spawn(launcher, &error, bin, "run", "--data", ts->dir,
                                                    "--listen", "127.0.0.1:0", NULL);
  g_assert_no_error(error);
  g_autoptr(GDataInputStream) in = g_data_input_stream_new(g_subprocess_get_stdout_pipe(server));
  g_autofree char *line = g_data_input_stream_read_line(in, NULL, NULL, &error);
  g_assert_no_error(error);
  g_assert_nonnull(line);
  const char *url = strstr(line, "http://");
  g_assert_nonnull(url);
  *url_out = g_strndup(url, strcspn(url, " "));
  return server;
}

void
pt_test_station_stop(GSubprocess *server)
{
  g_subprocess_send_signal(server, SIGTERM);
  g_autoptr(GError) error = NULL;
  g_assert_true(g_subprocess_wait(server, NULL, &error));
  g_assert_true(g_subprocess_get_if_exited(server));
  g_assert_cmpint(g_subprocess_get_exit_status(server), ==, 0);
}

guint
pt_test_time_scale(void)
{
  const char *env = g_getenv("PT_TEST_TIME_SCALE");
  guint64 scale = 1;

  if (env != NULL && (!g_ascii_string_to_unsigned(env, 10, 1, 20, &scale, NULL)))
    g_error("PT_TEST_TIME_SCALE=%s: not a whole number from 1 to 20", env);
  return (guint)scale;
}
