/* pt-store-keys.c: the SQL of the key rotations table (see pt-store-keys.h).
 *
 * Workload: a handful of rows over a station's life.  Every signing and every check of a
 * batch's signed facts reads them all (one short table scan), a rotation writes one. */
#include "pt-store-keys.h"

#include "pt-error.h"
#include "pt-limits.h"
#include "pt-store-private.h"

#include <string.h>

static const char sql_insert[] =
    "INSERT INTO key_rotations (record, signature, new_signature) VALUES (?, ?, ?)";
static const char sql_all[] =
    "SELECT id, record, signature, new_signature FROM key_rotations ORDER BY id LIMIT ?";

gboolean
pt_store_key_rotation_insert(PtStore *store, const PtKeyRotationRow *row, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, row->record, (int)row->record_len, SQLITE_STATIC);
  sqlite3_bind_blob(s, 2, row->signature, PT_SIG_LEN, SQLITE_STATIC);
  sqlite3_bind_blob(s, 3, row->new_signature, PT_SIG_LEN, SQLITE_STATIC);
  pt_store_signer_forget(store);
  return pt_store_step_done(store, s, "record key rotation", error);
}

static void
row_free(gpointer p)
{
  pt_key_rotation_row_clear(p);
  g_free(p);
}

GPtrArray *
pt_store_key_rotations(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_all, error);
  if (!s)
    return NULL;
  /* One more than a chain may hold, so the chain's own check names the excess. */
  sqlite3_bind_int(s, 1, PT_KEY_ROTATIONS_MAX + 1);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func(row_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtKeyRotationRow *row = g_new0(PtKeyRotationRow, 1);
    g_ptr_array_add(rows, row);
    row->id = sqlite3_column_int64(s, 0);
    row->record = pt_store_column_dup(s, 1);
    row->record_len = (gsize)sqlite3_column_bytes(s, 1);
    /* The table's CHECKs hold both signatures at their length. */
    if (sqlite3_column_bytes(s, 2) == PT_SIG_LEN)
      memcpy(row->signature, sqlite3_column_blob(s, 2), PT_SIG_LEN);
    if (sqlite3_column_bytes(s, 3) == PT_SIG_LEN)
      memcpy(row->new_signature, sqlite3_column_blob(s, 3), PT_SIG_LEN);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read key rotations", error);
    return NULL;
  }
  return g_steal_pointer(&rows);
}
