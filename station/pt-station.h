/* pt-station.h: one station's data directory: station.ini, keys/, station.db.
 * The config and keys are read once and shared read-only by every thread; each
 * thread opens its own store connection. */
#pragma once

#include "pt-config.h"
#include "pt-keys.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *dir;
  char *db_path;
  PtConfig *config;
  PtKeys *keys;
} PtStation;

/* Creates @dir (or uses an empty existing one): station.ini with a fresh operator
 * token, a new key pair, and the database.  Refuses a directory that already holds
 * a station.  Returns: (transfer full). */
PtStation *pt_station_init(const char *dir, GError **error);

/* Opens an initialised data directory.  Returns: (transfer full). */
PtStation *pt_station_open(const char *dir, GError **error);
void pt_station_free(PtStation *station);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtStation, pt_station_free)

/* Returns: (transfer full): a new connection to the station's database. */
PtStore *pt_station_store(PtStation *station, GError **error);

G_END_DECLS
