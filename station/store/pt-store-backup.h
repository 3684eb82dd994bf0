/* pt-store-backup.h: a consistent copy of a live station.db, and the checks a copy must pass
 * before anyone relies on it (pt-backup.c, `packtrace backup` and `restore`). */
#pragma once

#include "pt-record.h"

#include <glib.h>

G_BEGIN_DECLS

/* Copies the database at @src_path into the new file @dest_path with SQLite's online backup
 * API: one snapshot, consistent as of a single moment, taken while other connections go on
 * writing (a WAL reader does not block writers).  @dest_path must not exist.  The copy is
 * fsynced and in rollback-journal mode, one self-contained file. */
gboolean pt_store_backup(const char *src_path, const char *dest_path, GError **error);

typedef struct {
  int schema_version;
  gint64 n_events;               /* events in the log */
  gint64 last_seq;               /* 0 for an empty log */
  guint8 last_hash[PT_HASH_LEN]; /* the station chain's head; zeros for an empty log */
} PtStoreCopyInfo;

/* Opens @path read-only (nothing is written beside it, not even a journal), runs SQLite's
 * integrity check and reads the log's extent into @info.  Fails with PT_ERROR_TAMPERED when
 * the integrity check reports anything, PT_ERROR_MALFORMED when @path is not a station
 * database. */
gboolean pt_store_check_copy(const char *path, PtStoreCopyInfo *info, GError **error);

G_END_DECLS
