/* pt-hub-store-notices.c: the notices table of the hub (see pt-hub-store-notices.h).  Written
 * by the station's signed POST /hub/v1/notices, read by buyers' tokens and by the station
 * asking for acknowledgements. */
#include "pt-hub-store-notices.h"

#include "pt-error.h"
#include "pt-hub-store-private.h"
#include "pt-json.h"

#include <string.h>

static const char sql_notices_add[] =
    "INSERT INTO notices (station_id, notice, gln, kind, drill, lot, body) "
    "SELECT $1, * FROM unnest($2::bigint[], $3::text[], $4::text[], $5::boolean[], $6::text[], "
    "$7::text[]) ON CONFLICT (station_id, notice) DO NOTHING";

/* One notice as listed: n is notices, s is stations. */
#define NOTICE_JSON                                                                                \
  "json_build_object('station', n.station_id, 'station_name', s.name, 'notice', n.notice, "        \
  "'gln', n.gln, 'kind', n.kind, 'drill', n.drill, 'lot', n.lot, 'received', " PT_HUB_SQL_TS(      \
      "n.received_at") ", 'acknowledged', " PT_HUB_SQL_TS("n.acked_at") ", 'by', n.ack_by, "       \
                                                                        "'quantity_on_hand', "     \
                                                                        "n.ack_on_hand, "          \
                                                                        "'action', "               \
                                                                        "n.ack_action, 'body', "   \
                                                                        "n.body::json)"

static const char sql_notices_list[] =
    "SELECT coalesce(json_agg(x.j ORDER BY x.received_at DESC, x.station_id, x.notice), '[]') "
    "FROM (SELECT " NOTICE_JSON " AS j, n.received_at, n.station_id, n.notice "
    "FROM notices n JOIN stations s ON s.id = n.station_id "
    "WHERE $1::text IS NULL OR n.gln = $1 ORDER BY n.received_at DESC, n.station_id, n.notice "
    "LIMIT $2::integer) x";

static const char sql_notice_acks[] =
    "SELECT coalesce(json_agg(json_build_object('notice', notice, 'gln', gln, "
    "'acknowledged', " PT_HUB_SQL_TS(
        "acked_at") ", 'by', ack_by, 'quantity_on_hand', ack_on_hand, 'action', "
                    "ack_action) ORDER BY notice), '[]') FROM notices "
                    "WHERE station_id = $1 AND notice = ANY ($2::bigint[]) AND acked_at IS NOT "
                    "NULL";

static const char sql_notice_ack[] =
    "UPDATE notices n SET acked_at = now(), ack_by = $4, ack_on_hand = $5::double precision, "
    "ack_action = $6 FROM stations s WHERE s.id = n.station_id AND n.station_id = $1 "
    "AND n.notice = $2::bigint AND n.gln = $3 AND n.acked_at IS NULL RETURNING " NOTICE_JSON;

static const char sql_notice_find[] =
    "SELECT gln, acked_at IS NOT NULL FROM notices WHERE station_id = $1 AND notice = $2::bigint";

gboolean
pt_hub_store_notices_add(PtHubStore *store, const char *station_id, const PtHubNoticeSpec *specs,
                         guint n, guint *stored_out, GError **error)
{
  GString *cols[6];
  for (guint c = 0; c < G_N_ELEMENTS(cols); c++)
    cols[c] = g_string_new("{");
  for (guint i = 0; i < n; i++) {
    char number[24];
    g_snprintf(number, sizeof number, "%" G_GINT64_FORMAT, specs[i].notice);
    pt_hub_pq_array_add(cols[0], number);
    pt_hub_pq_array_add(cols[1], specs[i].gln);
    pt_hub_pq_array_add(cols[2], specs[i].kind);
    pt_hub_pq_array_add(cols[3], specs[i].drill ? "t" : "f");
    pt_hub_pq_array_add(cols[4], specs[i].lot);
    pt_hub_pq_array_add(cols[5], specs[i].body);
  }
  const char *params[7] = {station_id};
  for (guint c = 0; c < G_N_ELEMENTS(cols); c++) {
    g_string_append_c(cols[c], '}');
    params[c + 1] = cols[c]->str;
  }
  PGresult *res = pt_hub_pq_exec(store, FALSE, "store notices", sql_notices_add, 7, params,
                                 PGRES_COMMAND_OK, error);
  for (guint c = 0; c < G_N_ELEMENTS(cols); c++)
    g_string_free(cols[c], TRUE);
  if (!res)
    return FALSE;
  *stored_out = (guint)g_ascii_strtoull(PQcmdTuples(res), NULL, 10);
  PQclear(res);
  return TRUE;
}

json_t *
pt_hub_store_notice_acks(PtHubStore *store, const char *station_id, const gint64 *ids, guint n,
                         GError **error)
{
  g_autoptr(GString) list = g_string_new("{");
  for (guint i = 0; i < n; i++)
    g_string_append_printf(list, "%s%" G_GINT64_FORMAT, i ? "," : "", ids[i]);
  g_string_append_c(list, '}');
  const char *params[] = {station_id, list->str};
  return pt_hub_pq_json(store, FALSE, "read acknowledgements", sql_notice_acks, 2, params, error);
}

json_t *
pt_hub_store_notices_list(PtHubStore *store, const char *gln, int limit, GError **error)
{
  char n[16];
  g_snprintf(n, sizeof n, "%d", limit);
  const char *params[] = {gln, n};
  return pt_hub_pq_json(store, FALSE, "list notices", sql_notices_list, 2, params, error);
}

json_t *
pt_hub_store_notice_ack(PtHubStore *store, const char *station_id, gint64 notice, const char *gln,
                        const char *by, double on_hand, const char *action, GError **error)
{
  char number[24], quantity[G_ASCII_DTOSTR_BUF_SIZE];
  g_snprintf(number, sizeof number, "%" G_GINT64_FORMAT, notice);
  g_ascii_dtostr(quantity, sizeof quantity, on_hand);
  const char *params[] = {station_id, number, gln, by, quantity, action};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "acknowledge a notice", sql_notice_ack, 6, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  json_t *out = PQntuples(res) == 1
                    ? pt_json_parse(PQgetvalue(res, 0, 0), (gsize)PQgetlength(res, 0, 0), error)
                    : NULL;
  PQclear(res);
  if (out || (error && *error))
    return out;
  /* Nothing changed: say why. */
  const char *find[] = {station_id, number};
  res = pt_hub_pq_exec(store, FALSE, "find a notice", sql_notice_find, 2, find, PGRES_TUPLES_OK,
                       error);
  if (!res)
    return NULL;
  if (PQntuples(res) == 0)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no notice %s of station %s", number,
                station_id);
  else if (strcmp(PQgetvalue(res, 0, 0), gln) != 0)
    g_set_error(error, PT_ERROR, PT_ERROR_FORBIDDEN,
                "notice %s of station %s is not addressed to %s", number, station_id, gln);
  else
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "notice %s of station %s is acknowledged already", number, station_id);
  PQclear(res);
  return NULL;
}
