/* pt-file.h: crash-safe file writes (temp file, fsync, rename, directory fsync) for
 * config, keys, exports and labels, and bounded whole-file reads. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Writes @len bytes to @path so that after a crash the file holds either the old or
 * the new content, never a mix.  @mode is applied to the new file before rename. */
gboolean pt_file_write_atomic(const char *path, const void *data, gsize len, int mode,
                              GError **error);

/* Reads @path whole, refusing files over @max bytes.
 * Returns: (transfer full): NUL-terminated contents, length in @len_out. */
char *pt_file_read(const char *path, gsize max, gsize *len_out, GError **error);

G_END_DECLS
