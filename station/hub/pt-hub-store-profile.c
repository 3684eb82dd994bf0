/* pt-hub-store-profile.c: the stations' public profiles and logos (see
 * pt-hub-store-profile.h). */
#include "pt-hub-store-profile.h"

#include "pt-error.h"
#include "pt-hub-store-private.h"

#include <string.h>

/* A station uploads its logo before the profile naming it: the logo its profile names now
 * stays (pages show it until the new profile arrives), any other is an older upload. */
static const char sql_logo_put[] =
    "WITH gone AS (DELETE FROM profile_logos WHERE station_id = $1 "
    "  AND sha256 <> decode($2, 'hex') AND sha256 IS DISTINCT FROM "
    "  (SELECT logo_sha256 FROM station_profiles WHERE station_id = $1)) "
    "INSERT INTO profile_logos (station_id, sha256, media_type, data) "
    "VALUES ($1, decode($2, 'hex'), $3, $4::bytea) ON CONFLICT DO NOTHING";

gboolean
pt_hub_store_logo_put(PtHubStore *store, const char *station_id, const char *sha256_hex,
                      const char *media_type, const void *data, gsize len, gboolean *stored_out,
                      GError **error)
{
  /* The bytes travel in binary: text bytea would double them. */
  const char *params[] = {station_id, sha256_hex, media_type, data ? data : ""};
  int lengths[] = {0, 0, 0, (int)len};
  int formats[] = {0, 0, 0, 1};
  PGresult *res = pt_hub_pq_exec_bin(store, FALSE, "store logo", sql_logo_put, 4, params, lengths,
                                     formats, PGRES_COMMAND_OK, error);
  if (!res)
    return FALSE;
  *stored_out = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  return TRUE;
}

static const char sql_logo_held[] =
    "SELECT count(*) FROM profile_logos WHERE station_id = $1 AND sha256 = decode($2, 'hex')";

/* Only a profile that differs from the one held is written: a station restarting sends the
 * same one, which must not empty every hub's page cache. */
static const char sql_profile_put[] =
    "INSERT INTO station_profiles (station_id, profile, sha256, logo_sha256) "
    "VALUES ($1, $2, decode($3, 'hex'), decode($4, 'hex')) ON CONFLICT (station_id) DO UPDATE "
    "SET profile = EXCLUDED.profile, sha256 = EXCLUDED.sha256, "
    "logo_sha256 = EXCLUDED.logo_sha256, updated_at = now() "
    "WHERE station_profiles.sha256 <> EXCLUDED.sha256";

static const char sql_logos_prune[] = "DELETE FROM profile_logos WHERE station_id = $1 "
                                      "AND sha256 IS DISTINCT FROM decode($2, 'hex')";

static gboolean
profile_put_tx(PtHubStore *store, const char *station_id, const char *text, const char *sha256_hex,
               const char *logo_sha256, gboolean *changed_out, GError **error)
{
  if (logo_sha256) {
    const char *params[] = {station_id, logo_sha256};
    PGresult *res = pt_hub_pq_exec(store, FALSE, "profile logo held", sql_logo_held, 2, params,
                                   PGRES_TUPLES_OK, error);
    if (!res)
      return FALSE;
    gboolean held = pt_hub_pq_int(res, 0, 0) > 0;
    PQclear(res);
    if (!held) {
      g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                  "the profile names logo %s, which this station has not uploaded: "
                  "PUT /hub/v1/profile/logo/%s first",
                  logo_sha256, logo_sha256);
      return FALSE;
    }
  }
  const char *params[] = {station_id, text, sha256_hex, logo_sha256};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "store profile", sql_profile_put, 4, params,
                                 PGRES_COMMAND_OK, error);
  if (!res)
    return FALSE;
  *changed_out = strcmp(PQcmdTuples(res), "1") == 0;
  PQclear(res);
  if (!*changed_out)
    return TRUE;
  const char *prune[] = {station_id, logo_sha256};
  /* Every page of the station shows the profile: every hub process drops its page cache
   * (delivered at commit). */
  return pt_hub_pq_command(store, "drop old logos", sql_logos_prune, 2, prune, error) &&
         pt_hub_pq_command(store, "notify profile", "NOTIFY " PT_HUB_BATCH_CHANNEL ", 'all'", 0,
                           NULL, error);
}

gboolean
pt_hub_store_profile_put(PtHubStore *store, const char *station_id, const char *text,
                         const char *sha256_hex, const char *logo_sha256, gboolean *changed_out,
                         GError **error)
{
  if (!pt_hub_store_begin(store, error))
    return FALSE;
  if (!profile_put_tx(store, station_id, text, sha256_hex, logo_sha256, changed_out, error)) {
    pt_hub_store_rollback(store);
    return FALSE;
  }
  return pt_hub_store_commit(store, error);
}

static const char sql_profile_get[] =
    "SELECT profile, encode(sha256, 'hex') FROM station_profiles WHERE station_id = $1";

gboolean
pt_hub_store_profile_get(PtHubStore *store, const char *station_id, gboolean read, char **text_out,
                         char **sha256_out, GError **error)
{
  const char *params[] = {station_id};
  PGresult *res = pt_hub_pq_exec(store, read, "read profile", sql_profile_get, 1, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return FALSE;
  *text_out = PQntuples(res) == 1 ? pt_hub_pq_text(res, 0, 0) : NULL;
  *sha256_out = PQntuples(res) == 1 ? pt_hub_pq_text(res, 0, 1) : NULL;
  PQclear(res);
  return TRUE;
}

static const char sql_logo_get[] =
    "SELECT l.media_type, l.data FROM profile_logos l JOIN station_profiles p "
    "ON p.station_id = l.station_id AND p.logo_sha256 = l.sha256 "
    "WHERE l.sha256 = decode($1, 'hex') LIMIT 1";

GBytes *
pt_hub_store_logo_get(PtHubStore *store, const char *sha256_hex, char **type_out, GError **error)
{
  const char *params[] = {sha256_hex};
  /* Binary results: the bytes come back as they are. */
  if (PQstatus(store->r) == CONNECTION_BAD)
    PQreset(store->r);
  PGresult *res = PQexecParams(store->r, sql_logo_get, 1, NULL, params, NULL, NULL, 1);
  if (PQresultStatus(res) != PGRES_TUPLES_OK) {
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY, "database: read logo: %s",
                PQresultErrorMessage(res));
    PQclear(res);
    return NULL;
  }
  GBytes *out = NULL;
  if (PQntuples(res) == 1) {
    *type_out = g_strndup(PQgetvalue(res, 0, 0), PQgetlength(res, 0, 0));
    out = g_bytes_new(PQgetvalue(res, 0, 1), PQgetlength(res, 0, 1));
  } else {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no such logo");
  }
  PQclear(res);
  return out;
}
