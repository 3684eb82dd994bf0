/* pt-hub-cache.h: the hub's consumer answers (page HTML, JSON, public EPCIS document, bundle)
 * kept in memory, so that a page view at a scan peak costs no PostgreSQL query.
 *
 * An entry is keyed by what identifies the representation (GTIN, lot, station choice,
 * representation: pt-hub-web.c builds the key) and tagged with the batch it shows; it holds
 * the body, the body gzipped, its media type and its ETag.  Bounded in bytes
 * (PT_HUB_PAGE_CACHE_BYTES), the oldest entries leave first.
 *
 * Freshness across hub processes on one database: ingest sends NOTIFY pt_hub_batch with the
 * batch id in the transaction that stores the batch's events (pt-hub-store-events.c); a
 * listener thread of every hub process (pt_hub_cache_start()) LISTENs on a connection of its
 * own and drops that batch's entries the moment the notification is delivered (at commit).
 * While the listener is not connected nothing is cached (a notification could be missed); when
 * its connection is lost the whole cache is dropped before it reconnects.  An answer read from
 * the database while a drop happened is not stored (pt_hub_cache_generation()).
 *
 * Reads from a streaming replica (read_dsn) are cached too: a notification comes from the
 * primary, possibly before the replica has replayed the change.  Each answer is read at a WAL
 * position (pt_hub_store_wal_lsn(), taken before the read), and after a notification the
 * listener reads the primary's position; until the replica has replayed past it, an answer
 * for that batch is served but not kept, so a replica's stale answer is never cached.
 *
 * Thread-safe: one mutex around a hash table; the hot path holds it for a lookup and a ref. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtHubCache PtHubCache;

/* Returns: (transfer full): an empty cache of at most @max_bytes bodies, not caching until
 * pt_hub_cache_start() has connected its listener. */
PtHubCache *pt_hub_cache_new(gsize max_bytes);
/* Stops the listener (when started) and frees.  Safe on NULL. */
void pt_hub_cache_free(PtHubCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtHubCache, pt_hub_cache_free)

/* Starts the listener thread on @dsn (the primary: notifications are not replicated). */
void pt_hub_cache_start(PtHubCache *cache, const char *dsn);

/* The body for @key, with @etag_out and @type_out (transfer full) and, when @gz_out is not
 * NULL, the body gzipped (transfer full, nullable: not kept); NULL when not held.
 * Returns: (transfer full) (nullable). */
GBytes *pt_hub_cache_get(PtHubCache *cache, const char *key, char **etag_out, char **type_out,
                         GBytes **gz_out);

/* The drop count now: take it before reading what pt_hub_cache_put() will store. */
guint64 pt_hub_cache_generation(PtHubCache *cache);

/* Keeps @body (transfer none, referenced) and @gz (nullable, the same gzipped: a client that
 * takes gzip is served it without compressing per view) for @key of batch @batch_id, read at
 * WAL position @read_lsn, unless the listener is down, a drop happened since @generation, the
 * read had not seen a change notified for the batch (a replica behind), or the entry alone
 * exceeds the bound. */
void pt_hub_cache_put(PtHubCache *cache, guint64 generation, gint64 read_lsn, const char *key,
                      gint64 batch_id, const char *etag, const char *type, GBytes *body,
                      GBytes *gz);

/* Drops the entries of @batch_id; 0: every entry. */
void pt_hub_cache_drop(PtHubCache *cache, gint64 batch_id);

/* TRUE while the listener is connected (answers may be cached). */
gboolean pt_hub_cache_listening(PtHubCache *cache);
/* Entries and body bytes held now. */
guint pt_hub_cache_entries(PtHubCache *cache);
gsize pt_hub_cache_bytes(PtHubCache *cache);

G_END_DECLS
