/* pt-web-cache.h: rendered consumer pages (HTML and JSON) of recently viewed batches, as
 * ready libmicrohttpd responses, most recently used first, bounded in entries and bytes.
 *
 * An entry is keyed by lot and stamped with the batch id and public revision it was rendered
 * at (PtPublicRev, pt-store.h); a lookup names the revision the store has now and only an
 * exact match is served, so a page can be stale only if the store's revision is.
 *
 * Not thread-safe: each HTTP worker thread keeps its own (pt-web.c), so the hot path takes no
 * lock.  A response handed out stays valid for its connection after eviction, because
 * libmicrohttpd counts the references a queued response holds.
 *
 * Lifecycle: pt_web_cache_new() -> _get()/_put() on one thread -> pt_web_cache_free(). */
#pragma once

#include <glib.h>
#include <microhttpd.h>

G_BEGIN_DECLS

typedef struct _PtWebCache PtWebCache;

/* Returns: (transfer full): an empty cache holding at most @max_entries entries and
 * @max_bytes bytes of bodies. */
PtWebCache *pt_web_cache_new(guint max_entries, gsize max_bytes);
/* Safe on NULL. */
void pt_web_cache_free(PtWebCache *cache);

/* The responses for @lot rendered at (@batch_id, @rev), made the most recently used; FALSE
 * when there are none (an entry at another revision is dropped).  @html, @json:
 * (out) (transfer none): valid until the next _put() or _free(); queue them, do not destroy. */
gboolean pt_web_cache_get(PtWebCache *cache, const char *lot, gint64 batch_id, gint64 rev,
                          struct MHD_Response **html, struct MHD_Response **json);

/* Stores the responses for @lot at (@batch_id, @rev), replacing any older entry and evicting
 * the least recently used ones past the bounds.  @html, @json: (transfer full).  @bytes: the
 * size of both bodies; an entry larger than the byte bound is not kept (the responses are
 * released). */
void pt_web_cache_put(PtWebCache *cache, const char *lot, gint64 batch_id, gint64 rev,
                      struct MHD_Response *html, struct MHD_Response *json, gsize bytes);

/* Entries and body bytes held now. */
guint pt_web_cache_entries(const PtWebCache *cache);
gsize pt_web_cache_bytes(const PtWebCache *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtWebCache, pt_web_cache_free)

G_END_DECLS
