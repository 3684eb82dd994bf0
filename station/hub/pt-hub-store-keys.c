/* pt-hub-store-keys.c: the key_rotations table of the hub: the rotation records a station sent
 * (POST /hub/v1/rotations) that verified against the chain the hub held.  A few rows per
 * station over its life, read with every authenticated request (pt_hub_store_station_get()),
 * written once per rotation. */
#include "pt-error.h"
#include "pt-hub-store-private.h"
#include "pt-keys.h"

#include <string.h>

static const char sql_rotations[] =
    "SELECT idx, record, encode(signature, 'hex'), encode(new_signature, 'hex') "
    "FROM key_rotations WHERE station_id = $1 ORDER BY idx";
static const char sql_rotation_add[] =
    "INSERT INTO key_rotations (station_id, idx, record, signature, new_signature, new_key, "
    "after_seq) VALUES ($1, $2::integer, $3, decode($4, 'hex'), decode($5, 'hex'), "
    "decode($6, 'hex'), $7::bigint)";

PtKeyChain *
pt_hub_store_key_chain(PtHubStore *store, const char *station_id, const guint8 anchor[PT_PUB_LEN],
                       GError **error)
{
  const char *params[] = {station_id};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "read key rotations", sql_rotations, 1, params,
                                 PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  g_autoptr(PtKeyChain) chain = pt_key_chain_new(anchor);
  gboolean ok = TRUE;
  for (int i = 0; ok && i < PQntuples(res); i++) {
    PtKeyRotationRow row = {.id = pt_hub_pq_int(res, i, 0)};
    row.record = pt_hub_pq_text(res, i, 1);
    row.record_len = strlen(row.record);
    g_autoptr(GError) local = NULL;
    if (row.id != i + 1 || !pt_hub_pq_hex(res, i, 2, row.signature, PT_SIG_LEN) ||
        !pt_hub_pq_hex(res, i, 3, row.new_signature, PT_SIG_LEN) ||
        !pt_key_chain_add(chain, &row, &local)) {
      /* Only verified records are stored: this is the database changed behind the hub. */
      g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED,
                  "station %s: stored key rotation %d does not verify: %s", station_id, i + 1,
                  local ? local->message : "out of order or not hex");
      ok = FALSE;
    }
    pt_key_rotation_row_clear(&row);
  }
  PQclear(res);
  return ok ? g_steal_pointer(&chain) : NULL;
}

gboolean
pt_hub_store_key_rotation_add(PtHubStore *store, const char *station_id, guint index,
                              const PtKeyRotationRow *rotation, const guint8 new_key[PT_PUB_LEN],
                              gint64 after_seq, GError **error)
{
  char idx[16], seq[32];
  g_snprintf(idx, sizeof idx, "%u", index);
  g_snprintf(seq, sizeof seq, "%" G_GINT64_FORMAT, after_seq);
  g_autofree char *record = g_strndup(rotation->record, rotation->record_len);
  g_autofree char *sig = pt_hex_encode(rotation->signature, PT_SIG_LEN);
  g_autofree char *new_sig = pt_hex_encode(rotation->new_signature, PT_SIG_LEN);
  g_autofree char *key = pt_hex_encode(new_key, PT_PUB_LEN);
  const char *params[] = {station_id, idx, record, sig, new_sig, key, seq};
  PGresult *res = pt_hub_pq_exec(store, FALSE, "add key rotation", sql_rotation_add, 7, params,
                                 PGRES_COMMAND_OK, error);
  gboolean ok = res != NULL;
  PQclear(res);
  return ok;
}
