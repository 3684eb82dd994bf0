/* pt-store-attachment.c: the SQL of a batch's attached files (see pt-store-attachment.h).
 *
 * Workload: a few attachments per batch, written by hand; read by hash for each view of a
 * photo or certificate that a page's HTTP cache did not answer.  Every query is by index. */
#include "pt-store-attachment.h"

#include "pt-error.h"
#include "pt-limits.h"
#include "pt-store-private.h"

static const char sql_insert[] =
    "INSERT INTO attachments (batch_id, event_id, role, sha256, media_type, bytes, path, "
    "created_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_find[] =
    "SELECT id, batch_id, event_id, role, sha256, media_type, bytes, path, created_ns "
    "FROM attachments WHERE sha256 = ?1 AND (?2 <= 0 OR batch_id = ?2) ORDER BY id LIMIT ?3";
static const char sql_count[] = "SELECT count(*) FROM attachments WHERE batch_id = ?";

void
pt_attachment_row_free(PtAttachmentRow *row)
{
  if (!row)
    return;
  g_free(row->event_id);
  g_free(row->role);
  g_free(row->sha256);
  g_free(row->media_type);
  g_free(row->path);
  g_free(row);
}

gboolean
pt_store_attachment_insert(PtStore *store, PtAttachmentRow *row, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, row->batch_id);
  sqlite3_bind_text(s, 2, row->event_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, row->role, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, row->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 5, row->media_type, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 6, row->bytes);
  sqlite3_bind_text(s, 7, row->path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 8, row->created_ns);
  if (!pt_store_step_done(store, s, "insert attachment", error))
    return FALSE;
  row->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

GPtrArray *
pt_store_attachments_by_sha(PtStore *store, const char *sha256, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_find, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, batch_id);
  sqlite3_bind_int(s, 3, PT_ATTACH_PER_BATCH_MAX);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_attachment_row_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtAttachmentRow *row = g_new0(PtAttachmentRow, 1);
    row->id = sqlite3_column_int64(s, 0);
    row->batch_id = sqlite3_column_int64(s, 1);
    row->event_id = pt_store_column_dup(s, 2);
    row->role = pt_store_column_dup(s, 3);
    row->sha256 = pt_store_column_dup(s, 4);
    row->media_type = pt_store_column_dup(s, 5);
    row->bytes = sqlite3_column_int64(s, 6);
    row->path = pt_store_column_dup(s, 7);
    row->created_ns = sqlite3_column_int64(s, 8);
    g_ptr_array_add(out, row);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, "find attachments", error);
    return NULL;
  }
  return out;
}

gboolean
pt_store_attachment_count(PtStore *store, gint64 batch_id, gint64 *n_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_count, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  int rc = sqlite3_step(s);
  *n_out = rc == SQLITE_ROW ? sqlite3_column_int64(s, 0) : 0;
  sqlite3_reset(s);
  if (rc != SQLITE_ROW) {
    pt_store_set_sqlite_error(store, rc, "count attachments", error);
    return FALSE;
  }
  return TRUE;
}
