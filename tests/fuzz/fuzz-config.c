/* fuzz-config.c: libFuzzer target for station.ini: each input is the file's text, read by
 * every reader the station has for it: pt_config_load ([station], [http], [store], [labels],
 * [labels.zh]), the cameras and recording policy, the sync connectors, the grading settings
 * and the loading docks.  Any text must load or give an error, never a crash, a leak or a
 * GLib critical. */
#include "pt-error.h"
#include "pt-grading.h"
#include "pt-load.h"
#include "pt-recording-config.h"
#include "pt-station.h"
#include "pt-sync-config.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static char *data_dir;
static char *ini_path;

static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer unused)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) {
    g_log_writer_standard_streams(level, fields, n_fields, NULL);
    abort();
  }
  return G_LOG_WRITER_HANDLED;
}

static void
cleanup(void)
{
  g_remove(ini_path);
  g_rmdir(data_dir);
  g_free(ini_path);
  g_free(data_dir);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  g_log_set_writer_func(log_writer, NULL, NULL);
  const char *base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
  char *templ = g_build_filename(base, "packtrace-fuzz-config-XXXXXX", NULL);
  data_dir = g_mkdtemp(templ);
  if (!data_dir)
    abort();
  ini_path = g_build_filename(data_dir, "station.ini", NULL);
  atexit(cleanup);
  return 0;
}

/* Every refusal is one of the station's errors with a message to show. */
static void
check_error(GError *error)
{
  if (!error || error->domain != PT_ERROR || !error->message[0]) {
    fprintf(stderr, "fuzz-config: failed without a station error: %s\n",
            error ? error->message : "(none)");
    abort();
  }
  g_error_free(error);
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  GError *error = NULL;
  if (!g_file_set_contents(ini_path, (const char *)data, (gssize)size, NULL))
    abort();
  PtConfig *config = pt_config_load(ini_path, &error);
  if (!config) {
    check_error(error);
    return 0;
  }
  /* The readers take the station for its directory and config only. */
  PtStation station = {.dir = data_dir, .config = config};
  PtRecordingConfig *rc = pt_recording_config_load(&station, &error);
  if (rc)
    pt_recording_config_free(rc);
  else
    check_error(g_steal_pointer(&error));
  GPtrArray *connectors = pt_sync_connectors_load(config, data_dir, &error);
  if (connectors)
    g_ptr_array_unref(connectors);
  else
    check_error(g_steal_pointer(&error));
  PtGradingSettings grading = {0};
  if (pt_grading_settings_load(config, &grading, &error))
    pt_grading_settings_clear(&grading);
  else
    check_error(g_steal_pointer(&error));
  char *camera = pt_load_dock_camera(&station, "1", &error);
  if (error)
    check_error(g_steal_pointer(&error));
  g_free(camera);
  pt_config_free(config);
  return 0;
}
