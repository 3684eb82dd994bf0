/* pt-file.h: crash-safe file writes (temp file, fsync, rename, directory fsync) for
 * config, keys, exports and labels, bounded whole-file reads, the lock that keeps one
 * process per data directory, and the pruning of file caches. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @len bytes to @path so that after a crash the file holds either the old or
 * the new content, never a mix.  @mode is applied to the new file before rename. */
gboolean pt_file_write_atomic(const char *path, const void *data, gsize len, int mode,
                              GError **error);

/* fsync(2) of the file or directory @path: its data, or the names it holds. */
gboolean pt_file_sync(const char *path, GError **error);

/* Reads @path whole, refusing files over @max bytes.
 * Returns: (transfer full): NUL-terminated contents, length in @len_out. */
char *pt_file_read(const char *path, gsize max, gsize *len_out, GError **error);

/* Takes an exclusive lock on @path (created if missing) that lasts until the returned
 * descriptor is closed or the process ends, even by SIGKILL, and writes @holder (who holds it:
 * "pid 123, started ...") into the file.  When another process holds the lock, fails with
 * PT_ERROR_BUSY naming that holder's text.  Returns: the descriptor to close, or -1. */
int pt_file_lock(const char *path, const char *holder, GError **error);

/* A cache folder kept to its newest files: of the files of @dir whose names @name_ok accepts,
 * all but the @keep newest (by modification time) are removed, each after @before_remove
 * (nullable) was called with its path (to remove a companion file first).  A file that
 * cannot be removed is only logged. */
void pt_file_prune_newest(const char *dir, gboolean (*name_ok)(const char *name), guint keep,
                          void (*before_remove)(const char *path));

G_END_DECLS
