/* pt-hub-store-video.h: the video relay's two tables (schema 7): what buyers ask of a
 * station's load video (video_wants) and what the station pushed back (video_files), and the
 * list of loads a buyer may watch, read from the signed loading events the hub holds.
 *
 * Names of pushed files (PROTOCOL.md, "Video relay"):
 *   info/{gln|all}/{load}             the station's answer for that viewer (JSON)
 *   live/{load}/{camera}/{file}       a live playlist or segment
 *   clip/{load}/{camera}/{part}/facts the clip's facts (JSON), then its chunks .../c{k}
 * Both tables are transient: each poll of a station prunes its old asks and files, and notes
 * its time in stations.video_polled_at. */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct {
  const char *station_id;
  const char *gln; /* the buyer's scope; "" for an admin */
  gint64 load_id;
  const char *kind;   /* "info", "live", "clip" */
  const char *camera; /* "" for info */
  int part;           /* a clip's; 0 otherwise */
} PtHubVideoWant;

/* Records (or renews) an ask; PT_ERROR_NOT_FOUND for a station the hub does not know. */
gboolean pt_hub_store_video_want(PtHubStore *store, const PtHubVideoWant *want, GError **error);

/* The station's asks still alive, oldest first, at most PT_HUB_VIDEO_WANTS_MAX, each
 * {kind, gln, load, camera, part, have} (have: a clip's chunks held), after pruning what is
 * past its life.  Returns: (transfer full): a JSON array. */
json_t *pt_hub_store_video_wants(PtHubStore *store, const char *station_id, GError **error);

/* Notes that @station_id polled now (its last_heard too). */
gboolean pt_hub_store_video_polled(PtHubStore *store, const char *station_id, GError **error);
/* Seconds since @station_id last polled, -1 when it never did (its station does not relay). */
gboolean pt_hub_store_video_poll_age(PtHubStore *store, const char *station_id, gint64 *age_s_out,
                                     GError **error);

/* Whether @want is asked now (within its life); @want->gln NULL: by any buyer. */
gboolean pt_hub_store_video_asked(PtHubStore *store, const PtHubVideoWant *want,
                                  gboolean *asked_out, GError **error);

/* Stores (replaces) file @name of @station_id. */
gboolean pt_hub_store_video_put(PtHubStore *store, const char *station_id, const char *name,
                                const void *data, gsize len, GError **error);

/* Drops every file of @station_id whose name starts with @prefix (a clip cut anew). */
gboolean pt_hub_store_video_drop(PtHubStore *store, const char *station_id, const char *prefix,
                                 GError **error);

/* File @name of @station_id when it was stored within the last @max_age_s seconds (0: any
 * age); PT_ERROR_NOT_FOUND otherwise.  Returns: (transfer full). */
GBytes *pt_hub_store_video_get(PtHubStore *store, const char *station_id, const char *name,
                               int max_age_s, GError **error);

/* How many files of @station_id have names starting with @prefix. */
gint64 pt_hub_store_video_count(PtHubStore *store, const char *station_id, const char *prefix,
                                GError **error);

/* The loads whose loading events name @gln (nullable: every load) as destination, newest
 * first: [{id ("STATION-LOAD"), station, station_name, load, destination, destination_gln,
 * seal, opened, closed, state, lots: [{lot, gtin}]}].  Returns: (transfer full). */
json_t *pt_hub_store_video_loads(PtHubStore *store, const char *gln, int limit, int offset,
                                 GError **error);

G_END_DECLS
