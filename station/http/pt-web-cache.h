/* pt-web-cache.h: the consumer pages of recently viewed batches: their public facts (from
 * which each view's HTML is rendered in the reader's language with its scan count,
 * trace/pt-consumer-page.h) and their JSON answer as a ready libmicrohttpd response, most
 * recently used first, bounded in entries and bytes; and the page last rendered in each
 * language, served again while the view count it shows is still the count.
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
#include <jansson.h>
#include <microhttpd.h>

G_BEGIN_DECLS

typedef struct _PtWebCache PtWebCache;

/* Returns: (transfer full): an empty cache holding at most @max_entries entries and
 * @max_bytes bytes of bodies. */
PtWebCache *pt_web_cache_new(guint max_entries, gsize max_bytes);
/* Safe on NULL. */
void pt_web_cache_free(PtWebCache *cache);

/* The facts and JSON answer of @lot read at (@batch_id, @rev), made the most recently used;
 * FALSE when there are none (an entry at another revision is dropped).  @data, @json:
 * (out) (transfer none): valid until the next _put() or _free(); queue the response, do not
 * destroy it. */
gboolean pt_web_cache_get(PtWebCache *cache, const char *lot, gint64 batch_id, gint64 rev,
                          json_t **data, struct MHD_Response **json);

/* Stores the facts and answer of @lot at (@batch_id, @rev), replacing any older entry and
 * evicting the least recently used ones past the bounds.  @data, @json: (transfer full).
 * @bytes: what the entry holds (twice the JSON text's length); an entry larger than the byte
 * bound is not kept (both are released). */
void pt_web_cache_put(PtWebCache *cache, const char *lot, gint64 batch_id, gint64 rev, json_t *data,
                      struct MHD_Response *json, gsize bytes);

/* The page last rendered for language @lang (0 or 1) of @lot's entry, when it was rendered
 * with the same view count @scans and first view @first_ns (all else on it is the entry's
 * facts); NULL otherwise.  Call after a _get() or _put() of @lot.  Returns: (transfer none):
 * valid until the next _put(), _set_html() or _free(). */
const char *pt_web_cache_html(PtWebCache *cache, const char *lot, guint lang, gint64 scans,
                              gint64 first_ns, gsize *len);
/* Keeps @html (transfer full, @len bytes) as @lot's page in language @lang (0 or 1) for
 * @scans and @first_ns, replacing the one before; freed at once when @lot has no entry. */
void pt_web_cache_set_html(PtWebCache *cache, const char *lot, guint lang, gint64 scans,
                           gint64 first_ns, char *html, gsize len);

/* Entries and body bytes held now. */
guint pt_web_cache_entries(const PtWebCache *cache);
gsize pt_web_cache_bytes(const PtWebCache *cache);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtWebCache, pt_web_cache_free)

G_END_DECLS
