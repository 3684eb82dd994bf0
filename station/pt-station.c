/* pt-station.c: creating and opening a station's data directory. */
#include "pt-station.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-keys.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#define CONFIG_FILE "station.ini"
#define DB_FILE     "station.db"

void
pt_station_free(PtStation *station)
{
  if (!station)
    return;
  g_free(station->dir);
  g_free(station->db_path);
  pt_config_free(station->config);
  pt_keys_free(station->keys);
  g_free(station);
}

PtStation *
pt_station_init(const char *dir, GError **error)
{
  g_autofree char *ini = g_build_filename(dir, CONFIG_FILE, NULL);
  if (g_file_test(ini, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s already holds a station (%s exists)", dir,
                ini);
    return NULL;
  }
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create data directory %s: %s", dir,
                g_strerror(errno));
    return NULL;
  }
  if (access(dir, W_OK) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "data directory %s is not writable: %s", dir,
                g_strerror(errno));
    return NULL;
  }
  g_autoptr(PtKeys) keys = pt_keys_create(dir, error);
  if (!keys)
    return NULL;
  g_autofree char *station_id = pt_keys_station_id(keys->public_key);
  guint8 token_bytes[24];
  randombytes_buf(token_bytes, sizeof token_bytes);
  g_autofree char *token = pt_hex_encode(token_bytes, sizeof token_bytes);
  g_autofree char *text = pt_config_template(station_id, token);
  /* The operator token is a secret: the file is readable by its owner only. */
  if (!pt_file_write_atomic(ini, text, strlen(text), 0600, error))
    return NULL;
  g_autoptr(PtStation) station = pt_station_open(dir, error);
  if (!station)
    return NULL;
  g_autoptr(PtStore) store = pt_store_open(station->db_path, TRUE, 5000, error);
  if (!store)
    return NULL;
  return g_steal_pointer(&station);
}

PtStation *
pt_station_open(const char *dir, GError **error)
{
  if (!g_file_test(dir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "data directory %s does not exist (run `packtrace init --data %s`)", dir, dir);
    return NULL;
  }
  g_autoptr(PtStation) station = g_new0(PtStation, 1);
  station->dir = g_strdup(dir);
  station->db_path = g_build_filename(dir, DB_FILE, NULL);
  g_autofree char *ini = g_build_filename(dir, CONFIG_FILE, NULL);
  if (!g_file_test(ini, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "%s is not a station data directory (no %s; run `packtrace init --data %s`)", dir,
                CONFIG_FILE, dir);
    return NULL;
  }
  station->config = pt_config_load(ini, error);
  if (!station->config)
    return NULL;
  /* Process-wide, set before any thread parses a time. */
  pt_time_set_years(station->config->years_first, station->config->years_last);
  station->keys = pt_keys_load(dir, error);
  if (!station->keys)
    return NULL;
  /* The station id names the first key, which a rotation keeps as the anchor. */
  g_autofree char *derived = pt_keys_station_id(station->keys->anchor_key);
  if (strcmp(derived, station->config->station_id) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [station] id %s does not belong to the key in %s/keys (expected %s)", ini,
                station->config->station_id, dir, derived);
    return NULL;
  }
  return g_steal_pointer(&station);
}

PtStore *
pt_station_store(PtStation *station, GError **error)
{
  if (!g_file_test(station->db_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "database %s is missing", station->db_path);
    return NULL;
  }
  g_autoptr(PtStore) store =
      pt_store_open(station->db_path, FALSE, station->config->busy_timeout_ms, error);
  /* Events recorded before the Event Hash ID was stored get it here, on whatever opens the
   * store first after the upgrade: every lookup then finds them, with no step to forget. */
  if (!store || !pt_trace_fill_hash_ids(store, error))
    return NULL;
  return g_steal_pointer(&store);
}
