/* pt-store-backup.c: SQLite's online backup of station.db and the read-only check of a copy.
 *
 * Workload: a backup reads the whole database once (tens of MB for a season), in one step:
 * the snapshot is consistent because the source is read inside one read transaction, and in WAL
 * mode that transaction does not hold the station's writers up. */
#include "pt-store-backup.h"

#include "pt-error.h"
#include "pt-file.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

static gboolean
sqlite_fail(sqlite3 *db, int rc, const char *what, const char *path, GError **error)
{
  g_set_error(error, PT_ERROR,
              rc == SQLITE_BUSY || rc == SQLITE_LOCKED ? PT_ERROR_BUSY : PT_ERROR_IO, "%s %s: %s",
              what, path, db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
  return FALSE;
}

gboolean
pt_store_backup(const char *src_path, const char *dest_path, GError **error)
{
  if (g_file_test(dest_path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s already exists", dest_path);
    return FALSE;
  }
  sqlite3 *src = NULL;
  sqlite3 *dest = NULL;
  gboolean ok = FALSE;
  int rc = sqlite3_open_v2(src_path, &src, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    sqlite_fail(src, rc, "cannot open", src_path, error);
    goto out;
  }
  sqlite3_busy_timeout(src, 10000);
  rc = sqlite3_open_v2(dest_path, &dest,
                       SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK) {
    sqlite_fail(dest, rc, "cannot create", dest_path, error);
    goto out;
  }
  sqlite3_backup *backup = sqlite3_backup_init(dest, "main", src, "main");
  if (!backup) {
    sqlite_fail(dest, sqlite3_errcode(dest), "cannot back up into", dest_path, error);
    goto out;
  }
  /* All pages in one step: a step that copies part of the database and a later one that
   * finds it changed would start over, and a busy station could keep that going for ever. */
  rc = sqlite3_backup_step(backup, -1);
  int finish = sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE) {
    sqlite_fail(src, rc, "cannot read", src_path, error);
    goto out;
  }
  if (finish != SQLITE_OK) {
    sqlite_fail(dest, finish, "cannot write", dest_path, error);
    goto out;
  }
  /* The copy stands alone: no -wal file beside it to lose on the way to a USB stick. */
  rc = sqlite3_exec(dest, "PRAGMA journal_mode = DELETE", NULL, NULL, NULL);
  if (rc != SQLITE_OK) {
    sqlite_fail(dest, rc, "cannot finish", dest_path, error);
    goto out;
  }
  ok = TRUE;
out:
  sqlite3_close_v2(dest);
  sqlite3_close_v2(src);
  if (ok)
    ok = pt_file_sync(dest_path, error);
  if (!ok)
    g_unlink(dest_path);
  return ok;
}

static gboolean
query_int64(sqlite3 *db, const char *sql, gint64 *out, const char *path, GError **error)
{
  sqlite3_stmt *s = NULL;
  int rc = sqlite3_prepare_v2(db, sql, -1, &s, NULL);
  if (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    *out = sqlite3_column_int64(s, 0);
    sqlite3_finalize(s);
    return TRUE;
  }
  sqlite3_finalize(s);
  g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s is not a station database: %s", path,
              sqlite3_errmsg(db));
  return FALSE;
}

static const char sql_integrity[] = "PRAGMA integrity_check";
static const char sql_version[] = "PRAGMA user_version";
static const char sql_count[] = "SELECT count(*) FROM events";
static const char sql_last_seq[] = "SELECT coalesce(max(seq), 0) FROM events";
static const char sql_hash_at[] = "SELECT hash FROM events WHERE seq = ?";

static gboolean
check_db(sqlite3 *db, const char *path, PtStoreCopyInfo *info, GError **error)
{
  sqlite3_stmt *s = NULL;
  if (sqlite3_prepare_v2(db, sql_integrity, -1, &s, NULL) != SQLITE_OK) {
    sqlite3_finalize(s);
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s is not an SQLite database: %s", path,
                sqlite3_errmsg(db));
    return FALSE;
  }
  g_autoptr(GString) problems = g_string_new(NULL);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *line = (const char *)sqlite3_column_text(s, 0);
    if (g_strcmp0(line, "ok") != 0 && problems->len < 400)
      g_string_append_printf(problems, "%s%s", problems->len ? "; " : "", line ? line : "?");
  }
  sqlite3_finalize(s);
  if (rc != SQLITE_DONE) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s is not an SQLite database: %s", path,
                sqlite3_errmsg(db));
    return FALSE;
  }
  if (problems->len) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s fails SQLite's integrity check: %s", path,
                problems->str);
    return FALSE;
  }
  gint64 version = 0;
  if (!query_int64(db, sql_version, &version, path, error))
    return FALSE;
  if (version <= 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s is not a station database (no schema)",
                path);
    return FALSE;
  }
  info->schema_version = (int)version;
  if (!query_int64(db, sql_count, &info->n_events, path, error) ||
      !query_int64(db, sql_last_seq, &info->last_seq, path, error))
    return FALSE;
  if (info->last_seq == 0)
    return TRUE;
  gboolean found = FALSE;
  if (sqlite3_prepare_v2(db, sql_hash_at, -1, &s, NULL) == SQLITE_OK &&
      sqlite3_bind_int64(s, 1, info->last_seq) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW &&
      sqlite3_column_bytes(s, 0) == PT_HASH_LEN) {
    memcpy(info->last_hash, sqlite3_column_blob(s, 0), PT_HASH_LEN);
    found = TRUE;
  }
  sqlite3_finalize(s);
  if (!found)
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s: the last event has no hash", path);
  return found;
}

gboolean
pt_store_check_copy(const char *path, PtStoreCopyInfo *info, GError **error)
{
  memset(info, 0, sizeof *info);
  /* immutable=1: read as a plain file, so a copy on read-only media or in a folder nobody may
   * write opens, and nothing (journal, -shm) is created beside it. */
  g_autofree char *escaped = g_uri_escape_string(path, "/", FALSE);
  g_autofree char *uri = g_strdup_printf("file:%s?mode=ro&immutable=1", escaped);
  sqlite3 *db = NULL;
  int rc =
      sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  gboolean ok = rc == SQLITE_OK ? check_db(db, path, info, error)
                                : sqlite_fail(db, rc, "cannot open", path, error);
  sqlite3_close_v2(db);
  return ok;
}
