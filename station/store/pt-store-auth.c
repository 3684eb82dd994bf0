/* pt-store-auth.c: the SQL of users, API keys, sessions and buyer scopes.
 *
 * Workload: a handful of users and keys, changed by hand now and then.  Every request with
 * a cookie or an API key reads one row by primary key or unique index; a session's last use
 * is written at most once a minute (see pt-auth.c), logins insert one row. */
#include "pt-store-auth.h"

#include "pt-error.h"
#include "pt-store-private.h"

static const char sql_user_insert[] =
    "INSERT INTO users (name, role, scope_gln, password_hash, created_ns) VALUES (?, ?, ?, ?, ?)";
static const char sql_user_get[] =
    "SELECT id, name, role, scope_gln, created_ns, password_hash FROM users WHERE name = ?";
static const char sql_user_delete[] = "DELETE FROM users WHERE name = ?";
static const char sql_user_list[] =
    "SELECT id, name, role, scope_gln, created_ns FROM users ORDER BY name";
static const char sql_key_insert[] = "INSERT INTO api_keys (name, role, scope_gln, key_hash, "
                                     "created_ns) VALUES (?, ?, ?, ?, ?)";
static const char sql_key_get[] = "SELECT id, name, role, scope_gln, created_ns, revoked_ns FROM "
                                  "api_keys WHERE key_hash = ? AND revoked_ns IS NULL";
static const char sql_key_revoke[] =
    "UPDATE api_keys SET revoked_ns = ? WHERE id = ? AND revoked_ns IS NULL";
static const char sql_key_list[] =
    "SELECT id, name, role, scope_gln, created_ns, revoked_ns FROM api_keys ORDER BY id";
static const char sql_session_insert[] =
    "INSERT INTO sessions (id_hash, user_id, csrf, created_ns, last_ns) VALUES (?, ?, ?, ?, ?)";
static const char sql_session_get[] =
    "SELECT u.id, u.name, u.role, u.scope_gln, u.created_ns, s.csrf, s.created_ns, s.last_ns "
    "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = ?";
static const char sql_session_touch[] = "UPDATE sessions SET last_ns = ? WHERE id_hash = ?";
static const char sql_session_delete[] = "DELETE FROM sessions WHERE id_hash = ?";
static const char sql_session_purge[] = "DELETE FROM sessions WHERE last_ns < ? OR created_ns < ?";
static const char sql_batch_ids_to[] =
    "SELECT DISTINCT lb.batch_id FROM load_batches lb JOIN loads l ON l.id = lb.load_id "
    "WHERE l.destination_gln = ? ORDER BY lb.batch_id DESC LIMIT ? OFFSET ?";

void
pt_account_free(PtAccount *account)
{
  if (!account)
    return;
  g_free(account->name);
  g_free(account->role);
  g_free(account->scope_gln);
  g_free(account);
}

/* Columns 0-4: id, name, role, scope_gln, created_ns. */
static PtAccount *
account_from_row(sqlite3_stmt *s)
{
  PtAccount *a = g_new0(PtAccount, 1);
  a->id = sqlite3_column_int64(s, 0);
  a->name = pt_store_column_dup(s, 1);
  a->role = pt_store_column_dup(s, 2);
  a->scope_gln = pt_store_column_dup(s, 3);
  a->created_ns = sqlite3_column_int64(s, 4);
  return a;
}

gboolean
pt_store_user_insert(PtStore *store, const char *name, const char *role, const char *scope_gln,
                     const char *password_hash, gint64 created_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_user_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, role, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 3, scope_gln);
  sqlite3_bind_text(s, 4, password_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 5, created_ns);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "user %s exists already", name);
    return FALSE;
  }
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "insert user", error);
  return TRUE;
}

PtAccount *
pt_store_user_get(PtStore *store, const char *name, char **password_hash_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_user_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  PtAccount *a = NULL;
  if (rc == SQLITE_ROW) {
    a = account_from_row(s);
    *password_hash_out = pt_store_column_dup(s, 5);
  } else if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read user", error);
  }
  sqlite3_reset(s);
  return a;
}

gboolean
pt_store_user_delete(PtStore *store, const char *name, gboolean *found, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_user_delete, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
  if (!pt_store_step_done(store, s, "delete user", error))
    return FALSE;
  *found = sqlite3_changes(pt_store_db(store)) == 1;
  return TRUE;
}

/* Steps @s to its end, one account per row; @with_revoked reads column 5 as revoked_ns. */
static GPtrArray *
list_accounts(PtStore *store, sqlite3_stmt *s, gboolean with_revoked, const char *what,
              GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_account_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtAccount *a = account_from_row(s);
    if (with_revoked)
      a->revoked_ns = sqlite3_column_int64(s, 5);
    g_ptr_array_add(out, a);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, what, error);
    return NULL;
  }
  return out;
}

GPtrArray *
pt_store_user_list(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_user_list, error);
  return s ? list_accounts(store, s, FALSE, "list users", error) : NULL;
}

gboolean
pt_store_apikey_insert(PtStore *store, const char *name, const char *role, const char *scope_gln,
                       const char *key_hash, gint64 created_ns, gint64 *id_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_key_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, role, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 3, scope_gln);
  sqlite3_bind_text(s, 4, key_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 5, created_ns);
  if (!pt_store_step_done(store, s, "insert API key", error))
    return FALSE;
  *id_out = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

PtAccount *
pt_store_apikey_get_by_hash(PtStore *store, const char *key_hash, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_key_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, key_hash, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  PtAccount *a = NULL;
  if (rc == SQLITE_ROW)
    a = account_from_row(s);
  else if (rc != SQLITE_DONE)
    pt_store_set_sqlite_error(store, rc, "read API key", error);
  sqlite3_reset(s);
  return a;
}

gboolean
pt_store_apikey_revoke(PtStore *store, gint64 id, gint64 now_ns, gboolean *found, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_key_revoke, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, now_ns);
  sqlite3_bind_int64(s, 2, id);
  if (!pt_store_step_done(store, s, "revoke API key", error))
    return FALSE;
  *found = sqlite3_changes(pt_store_db(store)) == 1;
  return TRUE;
}

GPtrArray *
pt_store_apikey_list(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_key_list, error);
  return s ? list_accounts(store, s, TRUE, "list API keys", error) : NULL;
}

gboolean
pt_store_session_insert(PtStore *store, const char *id_hash, gint64 user_id, const char *csrf,
                        gint64 now_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_session_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, id_hash, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, user_id);
  sqlite3_bind_text(s, 3, csrf, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 4, now_ns);
  sqlite3_bind_int64(s, 5, now_ns);
  return pt_store_step_done(store, s, "insert session", error);
}

PtAccount *
pt_store_session_get(PtStore *store, const char *id_hash, char **csrf_out, gint64 *created_ns_out,
                     gint64 *last_ns_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_session_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, id_hash, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  PtAccount *a = NULL;
  if (rc == SQLITE_ROW) {
    a = account_from_row(s);
    *csrf_out = pt_store_column_dup(s, 5);
    *created_ns_out = sqlite3_column_int64(s, 6);
    *last_ns_out = sqlite3_column_int64(s, 7);
  } else if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read session", error);
  }
  sqlite3_reset(s);
  return a;
}

gboolean
pt_store_session_touch(PtStore *store, const char *id_hash, gint64 now_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_session_touch, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, now_ns);
  sqlite3_bind_text(s, 2, id_hash, -1, SQLITE_TRANSIENT);
  return pt_store_step_done(store, s, "touch session", error);
}

gboolean
pt_store_session_delete(PtStore *store, const char *id_hash, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_session_delete, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, id_hash, -1, SQLITE_TRANSIENT);
  return pt_store_step_done(store, s, "delete session", error);
}

gboolean
pt_store_session_purge(PtStore *store, gint64 idle_before_ns, gint64 created_before_ns,
                       GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_session_purge, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, idle_before_ns);
  sqlite3_bind_int64(s, 2, created_before_ns);
  return pt_store_step_done(store, s, "purge sessions", error);
}

GArray *
pt_store_batch_ids_to(PtStore *store, const char *gln, int limit, int offset, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_batch_ids_to, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, gln, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int(s, 2, limit);
  sqlite3_bind_int(s, 3, offset);
  GArray *ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(s, 0);
    g_array_append_val(ids, id);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_array_unref(ids);
    pt_store_set_sqlite_error(store, rc, "list buyer's batches", error);
    return NULL;
  }
  return ids;
}
