/* pt-json-scan.h: a reader of one large JSON text that never builds it whole.  It walks the
 * structure ('{', keys, ',', ']' ...) and hands out each value it is asked for as the bytes of
 * its span, which the caller parses on its own (jansson, bounded) or skips.  verify reads a
 * bundle of any number of events with it in memory bounded by the largest single value it
 * keeps, not by the bundle (pt-bundle.c).
 *
 * Every byte is either structure checked here (whitespace, brackets, commas, colons, the keys
 * read with pt_json_scan_key()) or inside a span handed out; what is inside a skipped value is
 * checked only for its extent (strings with their escapes, nesting up to PT_JSON_DEPTH_MAX),
 * so a caller parses every span whose content matters.
 *
 * The source is a buffer in memory or a file descriptor read with pread() through a window
 * that grows only to hold a value being captured (at most the @max of that call).  Two
 * readers over the same descriptor move independently (verify walks the events and their
 * proofs side by side).
 *
 * Errors: PT_ERROR_MALFORMED naming the byte offset, PT_ERROR_TOO_LARGE for a value over the
 * bound asked, PT_ERROR_IO for a failed read.
 * Lifecycle: pt_json_scan_new_mem()/_new_fd() -> calls -> pt_json_scan_free(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtJsonScan PtJsonScan;

/* Returns: (transfer full): a reader of @data (transfer none: must outlive the reader). */
PtJsonScan *pt_json_scan_new_mem(const char *data, gsize len);
/* Returns: (transfer full): a reader of @fd (borrowed) from offset 0, by pread() through a
 * window of @window bytes at first (PT_JSON_SCAN_WINDOW; the fuzz target tries tiny ones, so
 * that every value straddles a refill). */
PtJsonScan *pt_json_scan_new_fd(int fd, gsize window);
void pt_json_scan_free(PtJsonScan *scan);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtJsonScan, pt_json_scan_free)

/* Offset of the next byte to read. */
goffset pt_json_scan_offset(const PtJsonScan *scan);
/* Moves the reader to @offset (one it reported). */
void pt_json_scan_seek(PtJsonScan *scan, goffset offset);

/* Skips whitespace; the next byte, or -1 at the end of input (or after a read error, which
 * the next call that can fail reports). */
int pt_json_scan_peek(PtJsonScan *scan);
/* Skips whitespace and consumes @c, or fails naming what it found. */
gboolean pt_json_scan_expect(PtJsonScan *scan, char c, GError **error);
/* Inside an array or object opened before: TRUE in @more when an element follows (consuming
 * the ',' before it unless @first), FALSE after consuming @close. */
gboolean pt_json_scan_more(PtJsonScan *scan, char close, gboolean first, gboolean *more,
                           GError **error);
/* Reads an object's key and its ':'.  Returns: (transfer full): the key, its escapes decoded,
 * at most PT_JSON_SCAN_KEY_MAX bytes. */
char *pt_json_scan_key(PtJsonScan *scan, GError **error);
/* Skips one value; @n_items (nullable) receives the number of elements of an array (0 for
 * anything else); on failure, the elements begun so far (the last is the one that broke). */
gboolean pt_json_scan_skip(PtJsonScan *scan, gsize *n_items, GError **error);
/* Reads one value and returns its bytes, valid until the next call on @scan; over @max bytes
 * it fails with PT_ERROR_TOO_LARGE.  Returns: (transfer none). */
const char *pt_json_scan_value(PtJsonScan *scan, gsize max, gsize *len_out, GError **error);
/* Appends the @len bytes at @offset to @out, wherever the reader is. */
gboolean pt_json_scan_copy(PtJsonScan *scan, goffset offset, gsize len, GString *out,
                           GError **error);

G_END_DECLS
