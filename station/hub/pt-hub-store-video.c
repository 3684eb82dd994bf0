/* pt-hub-store-video.c: the video relay's tables (see pt-hub-store-video.h). */
#include "pt-hub-store-video.h"

#include "pt-error.h"
#include "pt-hub-store-private.h"
#include "pt-limits.h"

#include <string.h>

/* A station that never polls never prunes: each ask also drops that station's asks past any
 * life, so a buyer asking for load after load holds at most a couple of minutes of rows (the
 * ask being renewed is left to the insert's update). */
static const char sql_want[] =
    "WITH gone AS (DELETE FROM video_wants WHERE station_id = $1 AND asked_at < now() - "
    "make_interval(secs => $7::integer) AND (gln, load_id, kind, camera, part) <> "
    "($2, $3::bigint, $4, $5, $6::integer)) "
    "INSERT INTO video_wants (station_id, gln, load_id, kind, camera, part) "
    "SELECT $1, $2, $3::bigint, $4, $5, $6::integer FROM stations WHERE id = $1 "
    "ON CONFLICT (station_id, gln, load_id, kind, camera, part) DO UPDATE SET asked_at = now()";

/* Prunes, then lists.  A data-modifying CTE's rows are gone only after the statement, so the
 * list filters by age itself. */
static const char sql_wants[] =
    "WITH gone AS (DELETE FROM video_wants WHERE station_id = $1 AND asked_at < now() - "
    "  make_interval(secs => CASE kind WHEN 'clip' THEN $3::integer ELSE $2::integer END)), "
    "old AS (DELETE FROM video_files WHERE station_id = $1 AND stored_at < now() - "
    "  make_interval(secs => CASE WHEN left(name, 5) = 'clip/' THEN $5::integer "
    "  ELSE $4::integer END)) "
    "SELECT coalesce(json_agg(json_build_object('kind', w.kind, 'gln', w.gln, 'load', w.load_id, "
    "  'camera', w.camera, 'part', w.part, 'have', CASE w.kind WHEN 'clip' THEN "
    "  (SELECT count(*) FROM video_files f WHERE f.station_id = w.station_id AND "
    "   left(f.name, length(w.prefix)) = w.prefix) END) ORDER BY w.asked_at), '[]') "
    "FROM (SELECT *, 'clip/' || load_id || '/' || camera || '/' || part || '/c' AS prefix "
    "  FROM video_wants WHERE station_id = $1 AND asked_at >= now() - "
    "  make_interval(secs => CASE kind WHEN 'clip' THEN $3::integer ELSE $2::integer END) "
    "  ORDER BY asked_at LIMIT $6::integer) w";

static const char sql_asked[] =
    "SELECT EXISTS (SELECT 1 FROM video_wants WHERE station_id = $1 AND kind = $2 "
    "AND ($3::text IS NULL OR gln = $3) AND load_id = $4::bigint AND camera = $5 "
    "AND part = $6::integer AND asked_at >= now() - make_interval(secs => $7::integer))";

static const char sql_polled[] =
    "UPDATE stations SET video_polled_at = now(), last_heard = now() WHERE id = $1";

static const char sql_poll_age[] =
    "SELECT floor(extract(epoch FROM now() - video_polled_at)) FROM stations WHERE id = $1";

static const char sql_put[] =
    "INSERT INTO video_files (station_id, name, body) VALUES ($1, $2, $3::bytea) "
    "ON CONFLICT (station_id, name) DO UPDATE SET body = EXCLUDED.body, stored_at = now()";

static const char sql_drop[] =
    "DELETE FROM video_files WHERE station_id = $1 AND left(name, length($2)) = $2";

static const char sql_get[] =
    "SELECT body FROM video_files WHERE station_id = $1 AND name = $2 "
    "AND ($3::integer = 0 OR stored_at >= now() - make_interval(secs => $3::integer))";

static const char sql_count[] =
    "SELECT count(*) FROM video_files WHERE station_id = $1 AND left(name, length($2)) = $2";

/* A load is named by its loading and departing events (pt:loadId, pt-load.c), grouped per
 * station; a buyer's are those whose destination is its GLN, as the bundle's buyer view
 * decides (pt_bundle_event_shown()). */
static const char sql_loads[] =
    "SELECT coalesce(json_agg(x.j ORDER BY x.opened DESC, x.station_id, x.load), '[]') "
    "FROM ("
    "  SELECT json_build_object('id', e.station_id || '-' || l.load, 'station', "
    "e.station_id, "
    "    'station_name', min(s.name), 'load', l.load, "
    "    'destination', min(e.body::jsonb->>'pt:destinationName'), "
    "    'destination_gln', "
    "min(substr(e.body::jsonb->'destinationList'->0->>'destination', 24)), "
    "    'seal', min(e.body::jsonb->>'pt:sealNumber'), "
    "    'opened', " PT_HUB_SQL_TS(
        "min(e.event_time)") ", "
                             "    'closed', " PT_HUB_SQL_TS(
                                 "max(e.event_time) FILTER (WHERE e.biz_step = "
                                 "'departing')") ", "
                                                 "    'state', CASE WHEN "
                                                 "bool_or(e.biz_step = 'departing') THEN "
                                                 "'departed' ELSE 'loading' END, "
                                                 "    'lots', json_agg(DISTINCT "
                                                 "jsonb_build_object('lot', e.lot, 'gtin', "
                                                 "e.gtin)) "
                                                 "      FILTER (WHERE e.lot IS NOT NULL), "
                                                 "    'cameras', NULL) AS j, "
                                                 "min(e.event_time) AS opened, "
                                                 "e.station_id, l.load "
                                                 "  FROM events e JOIN stations s ON s.id "
                                                 "= e.station_id, "
                                                 "    LATERAL (SELECT "
                                                 "(e.body::jsonb->>'pt:loadId')::bigint AS "
                                                 "load) l "
                                                 "  WHERE e.biz_step IN ('loading', "
                                                 "'departing') "
                                                 "    AND "
                                                 "jsonb_typeof(e.body::jsonb->'pt:loadId') "
                                                 "= 'number' "
                                                 "    AND ($1::text IS NULL OR "
                                                 "e.body::jsonb->'destinationList' @> "
                                                 "jsonb_build_array("
                                                 "      jsonb_build_object('destination', "
                                                 "'https://id.gs1.org/414/' || $1::text))) "
                                                 "  GROUP BY e.station_id, l.load ORDER BY "
                                                 "min(e.event_time) DESC, e.station_id, "
                                                 "l.load "
                                                 "  LIMIT $2::integer OFFSET $3::integer) "
                                                 "x";

gboolean
pt_hub_store_video_want(PtHubStore *store, const PtHubVideoWant *want, GError **error)
{
  char load[24], part[16];
  g_snprintf(load, sizeof load, "%" G_GINT64_FORMAT, want->load_id);
  g_snprintf(part, sizeof part, "%d", want->part);
  char life[16];
  g_snprintf(life, sizeof life, "%d", MAX(PT_HUB_VIDEO_WANT_TTL_S, PT_HUB_VIDEO_CLIP_TTL_S));
  const char *params[] = {want->station_id, want->gln, load, want->kind, want->camera, part, life};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "record a video ask", sql_want, 7, params,
                                 PGRES_COMMAND_OK, error);
  if (!res)
    return FALSE;
  gboolean known = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  if (!known)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no such load video");
  return known;
}

json_t *
pt_hub_store_video_wants(PtHubStore *store, const char *station_id, GError **error)
{
  char ttl[16], clip_ttl[16], keep[16], clip_keep[16], max[16];
  g_snprintf(ttl, sizeof ttl, "%d", PT_HUB_VIDEO_WANT_TTL_S);
  g_snprintf(clip_ttl, sizeof clip_ttl, "%d", PT_HUB_VIDEO_CLIP_TTL_S);
  g_snprintf(keep, sizeof keep, "%d", PT_HUB_VIDEO_LIVE_KEEP_S);
  g_snprintf(clip_keep, sizeof clip_keep, "%d", PT_HUB_VIDEO_CLIP_KEEP_S);
  g_snprintf(max, sizeof max, "%d", PT_HUB_VIDEO_WANTS_MAX);
  const char *params[] = {station_id, ttl, clip_ttl, keep, clip_keep, max};
  return pt_hub_pq_json(store, FALSE, "read video asks", sql_wants, 6, params, error);
}

gboolean
pt_hub_store_video_polled(PtHubStore *store, const char *station_id, GError **error)
{
  const char *params[] = {station_id};
  return pt_hub_pq_command(store, "note a video poll", sql_polled, 1, params, error);
}

gboolean
pt_hub_store_video_poll_age(PtHubStore *store, const char *station_id, gint64 *age_s_out,
                            GError **error)
{
  const char *params[] = {station_id};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "read a station's last video poll", sql_poll_age, 1,
                                 params, PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  *age_s_out = PQntuples(res) == 1 && !PQgetisnull(res, 0, 0) ? pt_hub_pq_int(res, 0, 0) : -1;
  PQclear(res);
  return TRUE;
}

gboolean
pt_hub_store_video_asked(PtHubStore *store, const PtHubVideoWant *want, gboolean *asked_out,
                         GError **error)
{
  char load[24], part[16], life[16];
  g_snprintf(load, sizeof load, "%" G_GINT64_FORMAT, want->load_id);
  g_snprintf(part, sizeof part, "%d", want->part);
  g_snprintf(life, sizeof life, "%d",
             strcmp(want->kind, "clip") == 0 ? PT_HUB_VIDEO_CLIP_TTL_S : PT_HUB_VIDEO_WANT_TTL_S);
  const char *params[] = {want->station_id, want->kind, want->gln, load, want->camera, part, life};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "find a video ask", sql_asked, 7, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  *asked_out = strcmp(PQgetvalue(res, 0, 0), "t") == 0;
  PQclear(res);
  return TRUE;
}

gboolean
pt_hub_store_video_put(PtHubStore *store, const char *station_id, const char *name,
                       const void *data, gsize len, GError **error)
{
  /* The bytes travel in binary: text bytea would double them. */
  const char *params[] = {station_id, name, data ? data : ""};
  int lengths[] = {0, 0, (int)len};
  int formats[] = {0, 0, 1};
  PGresult *res = pt_hub_pq_exec_bin(store, FALSE, "store a video file", sql_put, 3, params,
                                     lengths, formats, PGRES_COMMAND_OK, error);
  if (!res)
    return FALSE;
  PQclear(res);
  return TRUE;
}

gboolean
pt_hub_store_video_drop(PtHubStore *store, const char *station_id, const char *prefix,
                        GError **error)
{
  const char *params[] = {station_id, prefix};
  return pt_hub_pq_command(store, "drop video files", sql_drop, 2, params, error);
}

GBytes *
pt_hub_store_video_get(PtHubStore *store, const char *station_id, const char *name, int max_age_s,
                       GError **error)
{
  char age[16];
  g_snprintf(age, sizeof age, "%d", max_age_s);
  const char *params[] = {station_id, name, age};
  /* Binary results: the bytes come back as they are.  From the primary: the station's push
   * of a moment ago must be seen. */
  if (PQstatus(store->w) == CONNECTION_BAD)
    PQreset(store->w);
  PGresult *res = PQexecParams(store->w, sql_get, 3, NULL, params, NULL, NULL, 1);
  if (!pt_hub_pq_ok(store->w, "read a video file", res, PGRES_TUPLES_OK, error)) {
    PQclear(res);
    return NULL;
  }
  GBytes *out = NULL;
  if (PQntuples(res) == 1)
    out = g_bytes_new(PQgetvalue(res, 0, 0), (gsize)PQgetlength(res, 0, 0));
  else
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "the station has not sent %s yet", name);
  PQclear(res);
  return out;
}

gint64
pt_hub_store_video_count(PtHubStore *store, const char *station_id, const char *prefix,
                         GError **error)
{
  const char *params[] = {station_id, prefix};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "count video files", sql_count, 2, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return -1;
  gint64 n = pt_hub_pq_int(res, 0, 0);
  PQclear(res);
  return n;
}

json_t *
pt_hub_store_video_loads(PtHubStore *store, const char *gln, int limit, int offset, GError **error)
{
  char l[16], o[16];
  g_snprintf(l, sizeof l, "%d", limit);
  g_snprintf(o, sizeof o, "%d", offset);
  const char *params[] = {gln, l, o};
  return pt_hub_pq_json(store, TRUE, "list loads", sql_loads, 3, params, error);
}
