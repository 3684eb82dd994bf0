/* pt-text-cache.h: one HTTP worker's answers rendered from a batch's records (the batch API's
 * JSON, its EPCIS document), kept while the batch's revision is unchanged, least recently used
 * out first, bounded in entries and bytes.
 *
 * An entry is keyed by what names the representation (batch, view, buyer scope: the caller
 * builds the key) and stamped with the batch's revision (PtPublicRev, pt-store-web.h), which
 * every committed write to the batch's records raises.  A lookup names the revision the store
 * has now and only an exact match is served.  The caller reads the revision before rendering,
 * so what an entry holds is never older than its stamp (a write landing meanwhile gives newer
 * content under an older stamp, which the next lookup drops).
 *
 * Not thread-safe: each worker thread keeps its own, so the hot path takes no lock.
 * Lifecycle: pt_text_cache_new() -> _get()/_put() on one thread -> pt_text_cache_free(). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtTextCache PtTextCache;

/* Returns: (transfer full): an empty cache of at most @max_entries entries and @max_bytes
 * bytes of text. */
PtTextCache *pt_text_cache_new(guint max_entries, gsize max_bytes);
/* Safe on NULL. */
void pt_text_cache_free(PtTextCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtTextCache, pt_text_cache_free)

/* The text kept for @key at revision @rev, made the most recently used; NULL when there is
 * none (an entry at another revision is dropped).  Returns: (transfer full) (nullable). */
GBytes *pt_text_cache_get(PtTextCache *cache, const char *key, gint64 rev);

/* Keeps @text (transfer none, referenced) for @key at @rev, replacing an older entry and
 * evicting the least recently used past the bounds; a text over the byte bound is not kept. */
void pt_text_cache_put(PtTextCache *cache, const char *key, gint64 rev, GBytes *text);

/* Entries and bytes held now. */
guint pt_text_cache_entries(const PtTextCache *cache);
gsize pt_text_cache_bytes(const PtTextCache *cache);

G_END_DECLS
