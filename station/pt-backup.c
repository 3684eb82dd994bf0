/* pt-backup.c: `packtrace backup` and `restore`: copies of a station that are consistent,
 * listed, checked, and proven by restoring them.
 *
 * Workload: an operator's command or a nightly timer; it reads the database once through
 * SQLite's backup API and every evidence file once, hashing as it copies.  The folder is
 * written under NAME.partial and renamed only when whole, so a backup cut short by a power
 * cut or a full disk never looks complete. */
#include "pt-backup.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-pallet.h"
#include "pt-station.h"
#include "pt-store-backup.h"
#include "pt-trace.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <unistd.h>

#define MANIFEST_FILE "backup.json"
#define DB_FILE       "station.db"

/* What a backup holds besides the database: the station's identity and settings, and the
 * evidence its records point at.  Recordings are large and kept only on request. */
static const char *const always_copied[] = {"station.ini", "keys", "clips", "stills", "evidence"};
#define RECORDINGS "recordings"

/* json_t owned by a scope. */
typedef json_t BackupJson;
static void
backup_json_unref(BackupJson *json)
{
  json_decref(json);
}
G_DEFINE_AUTOPTR_CLEANUP_FUNC(BackupJson, backup_json_unref)

void
pt_backup_report_clear(PtBackupReport *report)
{
  g_clear_pointer(&report->path, g_free);
  g_clear_pointer(&report->station_id, g_free);
  g_clear_pointer(&report->last_hash, g_free);
}

void
pt_restore_report_clear(PtRestoreReport *report)
{
  g_clear_pointer(&report->replaced, g_free);
}

static gboolean
io_fail(GError **error, int err, const char *what, const char *path)
{
  g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s %s: %s", what, path, g_strerror(err));
  return FALSE;
}

/* Copies @src to the new file @dst (mode @mode), fsynced; the SHA-256 of what was written in
 * @digest.  With @dst NULL, only hashes @src. */
static gboolean
copy_hash(const char *src, const char *dst, int mode, guint8 digest[PT_HASH_LEN], guint64 *size,
          GError **error)
{
  int in = open(src, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (in < 0)
    return io_fail(error, errno, "cannot read", src);
  int out = -1;
  if (dst && (out = open(dst, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)) < 0) {
    int saved = errno;
    close(in);
    return io_fail(error, saved, "cannot create", dst);
  }
  crypto_hash_sha256_state state;
  crypto_hash_sha256_init(&state);
  guint8 buf[PT_BACKUP_COPY_CHUNK];
  *size = 0;
  gboolean ok = TRUE;
  for (;;) {
    ssize_t got = read(in, buf, sizeof buf);
    if (got < 0 && errno == EINTR)
      continue;
    if (got < 0) {
      ok = io_fail(error, errno, "cannot read", src);
      break;
    }
    if (got == 0)
      break;
    crypto_hash_sha256_update(&state, buf, (unsigned long long)got);
    *size += (guint64)got;
    for (ssize_t done = 0; out >= 0 && done < got;) {
      ssize_t put = write(out, buf + done, (size_t)(got - done));
      if (put < 0 && errno == EINTR)
        continue;
      if (put < 0) {
        ok = io_fail(error, errno, "cannot write", dst);
        break;
      }
      done += put;
    }
    if (!ok)
      break;
  }
  crypto_hash_sha256_final(&state, digest);
  if (ok && out >= 0 && fsync(out) != 0)
    ok = io_fail(error, errno, "cannot sync", dst);
  if (out >= 0)
    close(out);
  close(in);
  return ok;
}

static int
compare_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

typedef struct {
  json_t *files; /* [{path, size, sha256}] */
  guint64 bytes;
} Listing;

static gboolean
add_listed(Listing *listing, const char *rel, guint64 size, const guint8 digest[PT_HASH_LEN])
{
  g_autofree char *hex = pt_hex_encode(digest, PT_HASH_LEN);
  json_array_append_new(
      listing->files, json_pack("{sssIss}", "path", rel, "size", (json_int_t)size, "sha256", hex));
  listing->bytes += size;
  return TRUE;
}

/* Copies @rel (a file or a folder, relative to @from) into @to, listing every regular file.
 * Symbolic links and special files are not followed or copied. */
static gboolean
copy_entry(const char *from, const char *to, const char *rel, Listing *listing, GError **error)
{
  g_autofree char *src = g_build_filename(from, rel, NULL);
  g_autofree char *dst = g_build_filename(to, rel, NULL);
  GStatBuf st;
  if (g_lstat(src, &st) != 0)
    return errno == ENOENT ? TRUE : io_fail(error, errno, "cannot read", src);
  if (S_ISREG(st.st_mode)) {
    guint8 digest[PT_HASH_LEN];
    guint64 size = 0;
    return copy_hash(src, dst, (int)(st.st_mode & 0700), digest, &size, error) &&
           add_listed(listing, rel, size, digest);
  }
  if (!S_ISDIR(st.st_mode))
    return TRUE;
  if (g_mkdir(dst, 0700) != 0)
    return io_fail(error, errno, "cannot create", dst);
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open(src, 0, &local);
  if (!dir) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s", local->message);
    return FALSE;
  }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (const char *name; (name = g_dir_read_name(dir));)
    g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_names);
  for (guint i = 0; i < names->len; i++) {
    g_autofree char *child = g_build_filename(rel, g_ptr_array_index(names, i), NULL);
    if (!copy_entry(from, to, child, listing, error))
      return FALSE;
  }
  return pt_file_sync(dst, error);
}

/* Removes the folder @path and what it holds, never following a symbolic link. */
static gboolean
remove_tree(const char *path, GError **error)
{
  GStatBuf st;
  if (g_lstat(path, &st) != 0)
    return errno == ENOENT ? TRUE : io_fail(error, errno, "cannot remove", path);
  if (S_ISDIR(st.st_mode)) {
    g_autoptr(GError) local = NULL;
    g_autoptr(GDir) dir = g_dir_open(path, 0, &local);
    if (!dir) {
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s", local->message);
      return FALSE;
    }
    for (const char *name; (name = g_dir_read_name(dir));) {
      g_autofree char *child = g_build_filename(path, name, NULL);
      if (!remove_tree(child, error))
        return FALSE;
    }
    if (g_rmdir(path) != 0)
      return io_fail(error, errno, "cannot remove", path);
    return TRUE;
  }
  if (g_unlink(path) != 0)
    return io_fail(error, errno, "cannot remove", path);
  return TRUE;
}

/* The dated name of a backup kept in a folder of backups: sorts by time. */
static char *
dated_name(const char *station_id)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
  return g_strdup_printf("packtrace-%s-%s", station_id, stamp);
}

/* Removes the oldest complete backups of @station_id in @folder beyond @keep. */
static gboolean
prune(const char *folder, const char *station_id, int keep, guint *n_pruned, GError **error)
{
  g_autofree char *prefix = g_strdup_printf("packtrace-%s-", station_id);
  g_autoptr(GError) local = NULL;
  g_autoptr(GDir) dir = g_dir_open(folder, 0, &local);
  if (!dir) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s", local->message);
    return FALSE;
  }
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  for (const char *name; (name = g_dir_read_name(dir));)
    if (g_str_has_prefix(name, prefix) && !g_str_has_suffix(name, ".partial"))
      g_ptr_array_add(names, g_strdup(name));
  g_ptr_array_sort(names, compare_names);
  for (guint i = 0; names->len > (guint)keep && i < names->len - (guint)keep; i++) {
    g_autofree char *path = g_build_filename(folder, g_ptr_array_index(names, i), NULL);
    if (!remove_tree(path, error))
      return FALSE;
    (*n_pruned)++;
  }
  return TRUE;
}

gboolean
pt_backup_create(const char *data_dir, const char *dest, const PtBackupOptions *options,
                 PtBackupReport *report, GError **error)
{
  memset(report, 0, sizeof *report);
  g_autoptr(PtStation) station = pt_station_open(data_dir, error);
  if (!station)
    return FALSE;
  const char *id = station->config->station_id;
  if (options->keep > 0) {
    if (g_mkdir_with_parents(dest, 0700) != 0)
      return io_fail(error, errno, "cannot create", dest);
    g_autofree char *name = dated_name(id);
    report->path = g_build_filename(dest, name, NULL);
  } else {
    report->path = g_strdup(dest);
  }
  if (g_file_test(report->path, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "%s already exists; a backup goes into a new folder", report->path);
    return FALSE;
  }
  g_autofree char *partial = g_strconcat(report->path, ".partial", NULL);
  if (g_file_test(partial, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "%s is left from a backup that did not finish; remove it first", partial);
    return FALSE;
  }
  if (g_mkdir(partial, 0700) != 0)
    return io_fail(error, errno, "cannot create", partial);

  /* The database first: every evidence file its snapshot names exists by then and is copied
   * after it (evidence is written before the row that points at it, and never rewritten). */
  Listing listing = {json_array(), 0};
  g_autoptr(BackupJson) files = listing.files;
  g_autofree char *db_copy = g_build_filename(partial, DB_FILE, NULL);
  PtStoreCopyInfo info;
  guint8 digest[PT_HASH_LEN];
  guint64 size = 0;
  gboolean ok = pt_store_backup(station->db_path, db_copy, error) &&
                pt_store_check_copy(db_copy, &info, error) &&
                copy_hash(db_copy, NULL, 0, digest, &size, error) &&
                add_listed(&listing, DB_FILE, size, digest);
  for (gsize i = 0; ok && i < G_N_ELEMENTS(always_copied); i++)
    ok = copy_entry(data_dir, partial, always_copied[i], &listing, error);
  if (ok && options->recordings)
    ok = copy_entry(data_dir, partial, RECORDINGS, &listing, error);
  if (ok) {
    g_autoptr(GDateTime) now = g_date_time_new_now_utc();
    g_autofree char *created = g_date_time_format_iso8601(now);
    g_autofree char *head = info.last_seq ? pt_hex_encode(info.last_hash, PT_HASH_LEN) : NULL;
    g_autoptr(BackupJson) manifest =
        json_pack("{sssssssis{sIsIso}sO}", "format", PT_BACKUP_FORMAT, "station_id", id, "created",
                  created, "schema_version", info.schema_version, "log", "events",
                  (json_int_t)info.n_events, "last_seq", (json_int_t)info.last_seq, "last_hash",
                  head ? json_string(head) : json_null(), "files", files);
    g_autofree char *text = json_dumps(manifest, JSON_INDENT(2));
    g_autofree char *manifest_path = g_build_filename(partial, MANIFEST_FILE, NULL);
    ok = pt_file_write_atomic(manifest_path, text, strlen(text), 0600, error) &&
         pt_file_sync(partial, error);
    report->last_hash = g_steal_pointer(&head);
  }
  if (ok && g_rename(partial, report->path) != 0)
    ok = io_fail(error, errno, "cannot rename into", report->path);
  if (!ok) {
    remove_tree(partial, NULL);
    return FALSE;
  }
  g_autofree char *parent = g_path_get_dirname(report->path);
  if (!pt_file_sync(parent, error))
    return FALSE;
  report->station_id = g_strdup(id);
  report->n_events = info.n_events;
  report->last_seq = info.last_seq;
  report->n_files = (guint)json_array_size(files);
  report->bytes = listing.bytes;
  return options->keep <= 0 || prune(dest, id, options->keep, &report->n_pruned, error);
}

/* A listed path is a plain relative path under one of the folders a backup holds. */
static gboolean
listed_path_ok(const char *rel)
{
  if (!rel || !*rel || g_path_is_absolute(rel) || strstr(rel, "//") || strchr(rel, '\\'))
    return FALSE;
  g_auto(GStrv) parts = g_strsplit(rel, "/", -1);
  for (char **p = parts; *p; p++)
    if (!**p || strcmp(*p, ".") == 0 || strcmp(*p, "..") == 0)
      return FALSE;
  if (strcmp(parts[0], DB_FILE) == 0 || strcmp(parts[0], RECORDINGS) == 0)
    return TRUE;
  for (gsize i = 0; i < G_N_ELEMENTS(always_copied); i++)
    if (strcmp(parts[0], always_copied[i]) == 0)
      return TRUE;
  return FALSE;
}

static gboolean tampered(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static gboolean
tampered(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s", msg);
  return FALSE;
}

/* Reads @src's backup.json: its format, the log's extent and a list of plain relative paths
 * under the folders a backup holds.  Returns: (transfer full) the list, or NULL. */
static json_t *
read_manifest(const char *src, GError **error)
{
  g_autofree char *path = g_build_filename(src, MANIFEST_FILE, NULL);
  gsize len = 0;
  g_autofree char *text = pt_file_read(path, PT_BACKUP_MANIFEST_MAX, &len, error);
  if (!text)
    return NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(BackupJson) manifest = pt_json_parse(text, len, &local);
  if (!manifest) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s: %s", path, local->message);
    return NULL;
  }
  json_t *files = json_object_get(manifest, "files");
  json_t *log = json_object_get(manifest, "log");
  json_t *head = json_object_get(log, "last_hash");
  if (g_strcmp0(json_string_value(json_object_get(manifest, "format")), PT_BACKUP_FORMAT) != 0 ||
      !json_is_array(files) || !json_is_integer(json_object_get(log, "events")) ||
      !(json_is_null(head) || json_is_string(head))) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s is not a %s list", path, PT_BACKUP_FORMAT);
    return NULL;
  }
  gboolean has_db = FALSE;
  size_t i;
  json_t *f;
  json_array_foreach(files, i, f)
  {
    const char *rel = json_string_value(json_object_get(f, "path"));
    const char *sha = json_string_value(json_object_get(f, "sha256"));
    guint8 digest[PT_HASH_LEN];
    if (!listed_path_ok(rel) || !sha || !pt_hex_decode(sha, digest, PT_HASH_LEN) ||
        !json_is_integer(json_object_get(f, "size"))) {
      g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s: entry %zu of \"files\" is not valid",
                  path, i);
      return NULL;
    }
    has_db |= strcmp(rel, DB_FILE) == 0;
  }
  if (!has_db) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "%s lists no %s", path, DB_FILE);
    return NULL;
  }
  return g_steal_pointer(&manifest);
}

/* Copies each listed file from @src into @to, checking its size and SHA-256 as it goes. */
static gboolean
copy_listed(const char *src, const char *to, json_t *files, GError **error)
{
  size_t i;
  json_t *f;
  json_array_foreach(files, i, f)
  {
    const char *rel = json_string_value(json_object_get(f, "path"));
    g_autofree char *from = g_build_filename(src, rel, NULL);
    g_autofree char *dst = g_build_filename(to, rel, NULL);
    g_autofree char *dir = g_path_get_dirname(dst);
    if (g_mkdir_with_parents(dir, 0700) != 0)
      return io_fail(error, errno, "cannot create", dir);
    guint8 digest[PT_HASH_LEN];
    guint64 size = 0;
    if (!copy_hash(from, dst, 0600, digest, &size, error))
      return FALSE;
    g_autofree char *got = pt_hex_encode(digest, PT_HASH_LEN);
    if (size != (guint64)json_integer_value(json_object_get(f, "size")) ||
        strcmp(got, json_string_value(json_object_get(f, "sha256"))) != 0)
      return tampered(error, "%s does not match %s (its size or SHA-256 differs)", from,
                      MANIFEST_FILE);
  }
  return TRUE;
}

/* The database copy is whole and its log ends where backup.json says. */
static gboolean
check_log(const char *db, json_t *manifest, GError **error)
{
  PtStoreCopyInfo info;
  if (!pt_store_check_copy(db, &info, error))
    return FALSE;
  json_t *log = json_object_get(manifest, "log");
  gint64 want = (gint64)json_integer_value(json_object_get(log, "events"));
  g_autofree char *head = info.last_seq ? pt_hex_encode(info.last_hash, PT_HASH_LEN) : NULL;
  if (info.n_events != want ||
      g_strcmp0(head, json_string_value(json_object_get(log, "last_hash"))) != 0)
    return tampered(error,
                    "%s holds %" G_GINT64_FORMAT " events ending at %s; %s says %" G_GINT64_FORMAT,
                    db, info.n_events, head ? head : "(none)", MANIFEST_FILE, want);
  return TRUE;
}

/* Moves a station that is in the way aside, holding its run lock so that no run starts
 * meanwhile.  Refuses a running one.  Returns: where it went, or NULL with @error. */
static gboolean
clear_target(const char *data_dir, gboolean replace, char **replaced, GError **error)
{
  if (!g_file_test(data_dir, G_FILE_TEST_EXISTS))
    return TRUE;
  if (!g_file_test(data_dir, G_FILE_TEST_IS_DIR)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s is not a folder", data_dir);
    return FALSE;
  }
  g_autofree char *lock_path = g_build_filename(data_dir, "run.lock", NULL);
  g_autoptr(GError) local = NULL;
  int lock = pt_file_lock(lock_path, "packtrace restore\n", &local);
  if (lock < 0) {
    g_set_error(error, PT_ERROR, local->code == PT_ERROR_BUSY ? PT_ERROR_CONFLICT : local->code,
                "%s: a station is running there; stop it before restoring (%s)", data_dir,
                local->message);
    return FALSE;
  }
  g_autoptr(GDir) dir = g_dir_open(data_dir, 0, NULL);
  gboolean empty = TRUE;
  for (const char *name; dir && (name = g_dir_read_name(dir));)
    empty &= strcmp(name, "run.lock") == 0;
  if (empty) {
    g_unlink(lock_path);
    close(lock);
    return g_rmdir(data_dir) == 0 || io_fail(error, errno, "cannot replace", data_dir);
  }
  if (!replace) {
    close(lock);
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "%s already holds a station; restore into a new folder, or pass --replace to "
                "move it aside",
                data_dir);
    return FALSE;
  }
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree char *stamp = g_date_time_format(now, "%Y%m%dT%H%M%SZ");
  *replaced = g_strdup_printf("%s.replaced-%s", data_dir, stamp);
  gboolean ok =
      g_rename(data_dir, *replaced) == 0 || io_fail(error, errno, "cannot move", data_dir);
  close(lock);
  return ok;
}

/* The SSCC high-water file (pt-pallet.h) is not in backups: it stays with the station that
 * gave the serials, so a restored older station.db cannot give one of them again. */
static gboolean
carry_sscc_mark(const char *replaced, const char *staging, GError **error)
{
  if (!replaced)
    return TRUE;
  g_autofree char *from = g_build_filename(replaced, PT_SSCC_MARK_FILE, NULL);
  g_autofree char *to = g_build_filename(staging, PT_SSCC_MARK_FILE, NULL);
  g_autoptr(GError) local = NULL;
  gsize len = 0;
  g_autofree char *text = pt_file_read(from, PT_SSCC_MARK_MAX, &len, &local);
  if (!text) {
    if (g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
      return TRUE;
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  return pt_file_write_atomic(to, text, len, 0600, error);
}

gboolean
pt_backup_restore(const char *src, const char *data_dir, gboolean replace, PtRestoreReport *report,
                  GError **error)
{
  memset(report, 0, sizeof *report);
  g_autoptr(BackupJson) manifest = read_manifest(src, error);
  if (!manifest)
    return FALSE;
  /* Everything is copied and checked beside the target first; the target changes only when
   * the whole backup has proven to be what its list says. */
  g_autofree char *staging = g_strdup_printf("%s.restoring-%d", data_dir, (int)getpid());
  g_autofree char *parent = g_path_get_dirname(data_dir);
  if (g_mkdir_with_parents(parent, 0700) != 0 || g_mkdir(staging, 0700) != 0)
    return io_fail(error, errno, "cannot create", staging);
  g_autofree char *db = g_build_filename(staging, DB_FILE, NULL);
  gboolean ok = copy_listed(src, staging, json_object_get(manifest, "files"), error) &&
                check_log(db, manifest, error) &&
                clear_target(data_dir, replace, &report->replaced, error) &&
                carry_sscc_mark(report->replaced, staging, error);
  if (ok && g_rename(staging, data_dir) != 0)
    ok = io_fail(error, errno, "cannot rename into", data_dir);
  if (!ok) {
    remove_tree(staging, NULL);
    return FALSE;
  }
  if (!pt_file_sync(parent, error))
    return FALSE;

  /* Proven, not assumed: the restored station opens, and its whole log audits. */
  g_autoptr(PtStation) station = pt_station_open(data_dir, error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, error) : NULL;
  if (!store)
    return FALSE;
  PtAuditReport audit = {0};
  ok = pt_trace_audit(store, station->keys->anchor_key, &audit, error);
  if (ok && audit.n_breaks > 0)
    ok = tampered(error, "the restored log breaks (%u problems), first: %s", audit.n_breaks,
                  (const char *)g_ptr_array_index(audit.breaks, 0));
  report->n_events = audit.n_events;
  pt_audit_report_clear(&audit);
  return ok;
}
