/* pt-store-driver.c: the SQL of drivers' phones: drivers, login tokens, joined loads, stored
 * answers by idempotency key, and photos.
 *
 * Workload: a few drivers, a handful of tokens each; one token read (by primary key) per phone
 * request, one stored-answer lookup and one insert per scan, a few photos per truck.  Every
 * query is by primary key or index. */
#include "pt-store-driver.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

static const char sql_driver_insert[] =
    "INSERT INTO drivers (name, phone, created_ns) VALUES (?, ?, ?)";
static const char sql_driver_get[] = "SELECT id, name, phone, created_ns FROM drivers WHERE id = ?";
static const char sql_driver_list[] =
    "SELECT d.id, d.name, d.phone, d.created_ns, (SELECT count(*) FROM driver_tokens t "
    "WHERE t.driver_id = d.id AND t.revoked_ns IS NULL AND t.expires_ns > ?) FROM drivers d "
    "ORDER BY d.id";
static const char sql_token_insert[] =
    "INSERT INTO driver_tokens (driver_id, hash, created_ns, expires_ns) VALUES (?, ?, ?, ?)";
static const char sql_token_get[] =
    "SELECT driver_id, hash, created_ns, expires_ns, revoked_ns FROM driver_tokens WHERE id = ?";
static const char sql_revoke[] = "UPDATE driver_tokens SET revoked_ns = ? "
                                 "WHERE driver_id = ? AND revoked_ns IS NULL AND expires_ns > ?";
static const char sql_join[] =
    "INSERT OR IGNORE INTO driver_loads (driver_id, load_id, joined_ns) VALUES (?, ?, ?)";
static const char sql_joined[] =
    "SELECT count(*) FROM driver_loads WHERE driver_id = ? AND load_id = ?";
static const char sql_request_get[] =
    "SELECT status, body FROM driver_requests WHERE driver_id = ? AND key = ?";
static const char sql_request_put[] = "INSERT OR IGNORE INTO driver_requests (driver_id, key, "
                                      "status, body, created_ns) VALUES (?, ?, ?, ?, ?)";
static const char sql_photo_insert[] =
    "INSERT INTO driver_photos (load_id, driver_id, kind, path, sha256, width, height, bytes, "
    "taken_ns) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_photos[] =
    "SELECT id, load_id, driver_id, kind, path, sha256, width, height, bytes, taken_ns "
    "FROM driver_photos WHERE load_id = ? ORDER BY id";

void
pt_driver_free(PtDriver *driver)
{
  if (!driver)
    return;
  g_free(driver->name);
  g_free(driver->phone);
  g_free(driver);
}

void
pt_driver_photo_free(PtDriverPhoto *photo)
{
  if (!photo)
    return;
  g_free(photo->kind);
  g_free(photo->path);
  g_free(photo->sha256);
  g_free(photo);
}

static PtDriver *
driver_from_row(sqlite3_stmt *s)
{
  PtDriver *d = g_new0(PtDriver, 1);
  d->id = sqlite3_column_int64(s, 0);
  d->name = pt_store_column_dup(s, 1);
  d->phone = pt_store_column_dup(s, 2);
  d->created_ns = sqlite3_column_int64(s, 3);
  return d;
}

gboolean
pt_store_driver_insert(PtStore *store, PtDriver *driver, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_driver_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, driver->name, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 2, driver->phone);
  sqlite3_bind_int64(s, 3, driver->created_ns);
  if (!pt_store_step_done(store, s, "insert driver", error))
    return FALSE;
  driver->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

PtDriver *
pt_store_driver_get(PtStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_driver_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, id);
  int rc = sqlite3_step(s);
  PtDriver *d = NULL;
  if (rc == SQLITE_ROW)
    d = driver_from_row(s);
  else if (rc == SQLITE_DONE)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no driver %" G_GINT64_FORMAT, id);
  else
    pt_store_set_sqlite_error(store, rc, "read driver", error);
  sqlite3_reset(s);
  return d;
}

GPtrArray *
pt_store_driver_list(PtStore *store, gint64 now_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_driver_list, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, now_ns);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_driver_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtDriver *d = driver_from_row(s);
    d->n_active_tokens = sqlite3_column_int64(s, 4);
    g_ptr_array_add(out, d);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, "list drivers", error);
    return NULL;
  }
  return out;
}

gboolean
pt_store_driver_token_insert(PtStore *store, PtDriverToken *token, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_token_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, token->driver_id);
  sqlite3_bind_blob(s, 2, token->hash, PT_DRIVER_HASH_LEN, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 3, token->created_ns);
  sqlite3_bind_int64(s, 4, token->expires_ns);
  if (!pt_store_step_done(store, s, "insert driver token", error))
    return FALSE;
  token->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

gboolean
pt_store_driver_token_get(PtStore *store, gint64 id, PtDriverToken *out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_token_get, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, id);
  int rc = sqlite3_step(s);
  gboolean ok = FALSE;
  if (rc == SQLITE_ROW && sqlite3_column_bytes(s, 1) == PT_DRIVER_HASH_LEN) {
    out->id = id;
    out->driver_id = sqlite3_column_int64(s, 0);
    memcpy(out->hash, sqlite3_column_blob(s, 1), PT_DRIVER_HASH_LEN);
    out->created_ns = sqlite3_column_int64(s, 2);
    out->expires_ns = sqlite3_column_int64(s, 3);
    out->revoked_ns = sqlite3_column_int64(s, 4);
    ok = TRUE;
  } else if (rc == SQLITE_DONE) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no driver token %" G_GINT64_FORMAT, id);
  } else {
    pt_store_set_sqlite_error(store, rc, "read driver token", error);
  }
  sqlite3_reset(s);
  return ok;
}

gboolean
pt_store_driver_revoke(PtStore *store, gint64 driver_id, gint64 now_ns, gint64 *n_out,
                       GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_revoke, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, now_ns);
  sqlite3_bind_int64(s, 2, driver_id);
  sqlite3_bind_int64(s, 3, now_ns);
  if (!pt_store_step_done(store, s, "revoke driver tokens", error))
    return FALSE;
  *n_out = sqlite3_changes(pt_store_db(store));
  return TRUE;
}

gboolean
pt_store_driver_load_join(PtStore *store, gint64 driver_id, gint64 load_id, gint64 now_ns,
                          GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_join, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, driver_id);
  sqlite3_bind_int64(s, 2, load_id);
  sqlite3_bind_int64(s, 3, now_ns);
  return pt_store_step_done(store, s, "join load", error);
}

gboolean
pt_store_driver_load_joined(PtStore *store, gint64 driver_id, gint64 load_id, gboolean *joined_out,
                            GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_joined, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, driver_id);
  sqlite3_bind_int64(s, 2, load_id);
  gint64 n = 0;
  if (!pt_store_step_int64(store, s, "read joined load", &n, error))
    return FALSE;
  *joined_out = n > 0;
  return TRUE;
}

gboolean
pt_store_driver_request_get(PtStore *store, gint64 driver_id, const char *key, int *status_out,
                            char **body_out, GError **error)
{
  *body_out = NULL;
  sqlite3_stmt *s = pt_store_stmt(store, sql_request_get, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, driver_id);
  sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    *status_out = sqlite3_column_int(s, 0);
    *body_out = pt_store_column_dup(s, 1);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read stored answer", error);
  return TRUE;
}

gboolean
pt_store_driver_request_put(PtStore *store, gint64 driver_id, const char *key, int status,
                            const char *body, gint64 now_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_request_put, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, driver_id);
  sqlite3_bind_text(s, 2, key, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 3, status);
  sqlite3_bind_text(s, 4, body, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 5, now_ns);
  return pt_store_step_done(store, s, "store answer", error);
}

gboolean
pt_store_driver_photo_insert(PtStore *store, PtDriverPhoto *photo, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_photo_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, photo->load_id);
  sqlite3_bind_int64(s, 2, photo->driver_id);
  sqlite3_bind_text(s, 3, photo->kind, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, photo->path, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 5, photo->sha256, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 6, photo->width);
  sqlite3_bind_int(s, 7, photo->height);
  sqlite3_bind_int64(s, 8, photo->bytes);
  sqlite3_bind_int64(s, 9, photo->taken_ns);
  if (!pt_store_step_done(store, s, "insert driver photo", error))
    return FALSE;
  photo->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

GPtrArray *
pt_store_driver_photos(PtStore *store, gint64 load_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_photos, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, load_id);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_driver_photo_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtDriverPhoto *p = g_new0(PtDriverPhoto, 1);
    p->id = sqlite3_column_int64(s, 0);
    p->load_id = sqlite3_column_int64(s, 1);
    p->driver_id = sqlite3_column_int64(s, 2);
    p->kind = pt_store_column_dup(s, 3);
    p->path = pt_store_column_dup(s, 4);
    p->sha256 = pt_store_column_dup(s, 5);
    p->width = sqlite3_column_int(s, 6);
    p->height = sqlite3_column_int(s, 7);
    p->bytes = sqlite3_column_int64(s, 8);
    p->taken_ns = sqlite3_column_int64(s, 9);
    g_ptr_array_add(out, p);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, "list driver photos", error);
    return NULL;
  }
  return out;
}
