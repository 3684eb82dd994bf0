/* pt-hub-cache.c: the hub's consumer answers in memory (see pt-hub-cache.h). */
#include "pt-hub-cache.h"

#include "pt-hub-store.h"
#include "pt-limits.h"

#include <string.h>

typedef struct {
  char *key;
  gint64 batch_id;
  char *etag;
  char *type;
  GBytes *body;
  GBytes *gz; /* nullable: the body gzipped, compressed once when it was kept */
  gsize size;
  GList *link; /* in order, oldest first */
} Entry;

struct _PtHubCache {
  GMutex lock;
  GHashTable *entries; /* key -> Entry (owned) */
  GQueue order;        /* (element-type Entry) oldest first */
  gsize bytes, max_bytes;
  guint64 generation; /* drops so far */
  gboolean listening;
  /* Fences: an answer read at WAL position R is kept only when R is at or past the position
   * of every change notified for its batch (per batch in @fences, FENCE_PENDING until the
   * listener has read the position) and past @floor (the position when the listener last
   * connected, or where a full table of fences collapsed).  On a primary a read sees every
   * notified commit and passes at once; a replica's read passes once it has replayed them. */
  GHashTable *fences; /* batch id (gint64 *) -> position (gint64 *), both owned */
  gint64 floor;
  gboolean stop;
  char *dsn;
  GThread *thread;
};

#define FENCE_PENDING G_MAXINT64

static void
entry_free(gpointer data)
{
  Entry *e = data;
  g_free(e->key);
  g_free(e->etag);
  g_free(e->type);
  g_bytes_unref(e->body);
  if (e->gz)
    g_bytes_unref(e->gz);
  g_free(e);
}

PtHubCache *
pt_hub_cache_new(gsize max_bytes)
{
  PtHubCache *cache = g_new0(PtHubCache, 1);
  g_mutex_init(&cache->lock);
  cache->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
  cache->fences = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  cache->floor = FENCE_PENDING;
  g_queue_init(&cache->order);
  cache->max_bytes = max_bytes;
  return cache;
}

/* With the lock held. */
static void
remove_entry(PtHubCache *cache, Entry *e)
{
  g_queue_delete_link(&cache->order, e->link);
  cache->bytes -= e->size;
  g_hash_table_remove(cache->entries, e->key);
}

/* With the lock held. */
static void
drop_locked(PtHubCache *cache, gint64 batch_id)
{
  cache->generation++;
  if (batch_id == 0) {
    g_hash_table_remove_all(cache->entries);
    g_queue_clear(&cache->order);
    cache->bytes = 0;
    /* Nothing is kept again until the listener has read where the WAL stands. */
    g_hash_table_remove_all(cache->fences);
    cache->floor = FENCE_PENDING;
    return;
  }
  if (g_hash_table_size(cache->fences) >= PT_HUB_CACHE_FENCES_MAX) {
    /* Bounded: the pending fences collapse into the floor, set at the next position read. */
    g_hash_table_remove_all(cache->fences);
    cache->floor = FENCE_PENDING;
  }
  g_hash_table_insert(cache->fences, g_memdup2(&batch_id, sizeof batch_id),
                      g_memdup2(&(gint64){FENCE_PENDING}, sizeof(gint64)));
  for (GList *l = cache->order.head; l;) {
    Entry *e = l->data;
    l = l->next;
    if (e->batch_id == batch_id)
      remove_entry(cache, e);
  }
}

void
pt_hub_cache_drop(PtHubCache *cache, gint64 batch_id)
{
  g_mutex_lock(&cache->lock);
  drop_locked(cache, batch_id);
  g_mutex_unlock(&cache->lock);
}

static void
set_listening(PtHubCache *cache, gboolean listening)
{
  g_mutex_lock(&cache->lock);
  /* Whatever was cached may have missed a notification: start again from nothing. */
  drop_locked(cache, 0);
  cache->listening = listening;
  g_mutex_unlock(&cache->lock);
}

/* The listener has read @lsn after the notifications so far: every pending fence, and a
 * pending floor, is that position (at or past each notified commit). */
static void
settle_fences(PtHubCache *cache, gint64 lsn)
{
  g_mutex_lock(&cache->lock);
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, cache->fences);
  while (g_hash_table_iter_next(&it, NULL, &value))
    if (*(gint64 *)value == FENCE_PENDING)
      *(gint64 *)value = lsn;
  if (cache->floor == FENCE_PENDING)
    cache->floor = lsn;
  g_mutex_unlock(&cache->lock);
}

static gboolean
stopping(PtHubCache *cache)
{
  g_mutex_lock(&cache->lock);
  gboolean stop = cache->stop;
  g_mutex_unlock(&cache->lock);
  return stop;
}

static void
on_batch(gint64 batch_id, gpointer user_data)
{
  pt_hub_cache_drop(user_data, batch_id);
}

static gpointer
listen_thread(gpointer data)
{
  PtHubCache *cache = data;
  gboolean warned = FALSE;
  while (!stopping(cache)) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtHubStore) store = pt_hub_store_open(cache->dsn, NULL, &error);
    gint64 lsn = 0;
    /* Listening first, then the position: a commit missed before LISTEN lies before it. */
    if (store && pt_hub_store_listen(store, &error)) {
      set_listening(cache, TRUE);
      if (pt_hub_store_wal_lsn(store, FALSE, &lsn, &error)) {
        settle_fences(cache, lsn);
        if (warned)
          g_message("hub: page cache listener connected again");
        warned = FALSE;
        guint64 seen = pt_hub_cache_generation(cache);
        while (!stopping(cache) &&
               pt_hub_store_notifications(store, PT_HUB_LISTEN_POLL_MS, on_batch, cache, &error)) {
          guint64 now = pt_hub_cache_generation(cache);
          if (now == seen)
            continue;
          if (!pt_hub_store_wal_lsn(store, FALSE, &lsn, &error))
            break;
          settle_fences(cache, lsn);
          seen = now;
        }
      }
      set_listening(cache, FALSE);
    }
    if (error && !warned) {
      g_message("hub: page cache off until the listener reconnects: %s", error->message);
      warned = TRUE;
    }
    if (!stopping(cache))
      g_usleep(PT_HUB_LISTEN_POLL_MS * 1000);
  }
  return NULL;
}

void
pt_hub_cache_start(PtHubCache *cache, const char *dsn)
{
  g_return_if_fail(!cache->thread);
  cache->dsn = g_strdup(dsn);
  cache->thread = g_thread_new("hub-cache-listen", listen_thread, cache);
}

void
pt_hub_cache_free(PtHubCache *cache)
{
  if (!cache)
    return;
  if (cache->thread) {
    g_mutex_lock(&cache->lock);
    cache->stop = TRUE;
    g_mutex_unlock(&cache->lock);
    g_thread_join(cache->thread);
  }
  g_hash_table_unref(cache->entries);
  g_hash_table_unref(cache->fences);
  g_queue_clear(&cache->order);
  g_mutex_clear(&cache->lock);
  g_free(cache->dsn);
  g_free(cache);
}

GBytes *
pt_hub_cache_get(PtHubCache *cache, const char *key, char **etag_out, char **type_out,
                 GBytes **gz_out)
{
  GBytes *body = NULL;
  g_mutex_lock(&cache->lock);
  Entry *e = cache->listening ? g_hash_table_lookup(cache->entries, key) : NULL;
  if (e) {
    body = g_bytes_ref(e->body);
    *etag_out = g_strdup(e->etag);
    *type_out = g_strdup(e->type);
    if (gz_out)
      *gz_out = e->gz ? g_bytes_ref(e->gz) : NULL;
  }
  g_mutex_unlock(&cache->lock);
  return body;
}

guint64
pt_hub_cache_generation(PtHubCache *cache)
{
  g_mutex_lock(&cache->lock);
  guint64 g = cache->generation;
  g_mutex_unlock(&cache->lock);
  return g;
}

/* With the lock held: whether a read at @read_lsn has seen every change notified for
 * @batch_id; a fence it passes is no longer needed (every later read starts past it). */
static gboolean
passes_fences(PtHubCache *cache, gint64 batch_id, gint64 read_lsn)
{
  if (read_lsn < cache->floor)
    return FALSE;
  gint64 *fence = g_hash_table_lookup(cache->fences, &batch_id);
  if (!fence)
    return TRUE;
  if (read_lsn < *fence)
    return FALSE;
  g_hash_table_remove(cache->fences, &batch_id);
  return TRUE;
}

void
pt_hub_cache_put(PtHubCache *cache, guint64 generation, gint64 read_lsn, const char *key,
                 gint64 batch_id, const char *etag, const char *type, GBytes *body, GBytes *gz)
{
  gsize size = g_bytes_get_size(body) + (gz ? g_bytes_get_size(gz) : 0) + strlen(key) +
               strlen(etag) + strlen(type);
  g_mutex_lock(&cache->lock);
  if (cache->listening && cache->generation == generation && size <= cache->max_bytes &&
      passes_fences(cache, batch_id, read_lsn)) {
    Entry *old = g_hash_table_lookup(cache->entries, key);
    if (old)
      remove_entry(cache, old);
    while (cache->bytes + size > cache->max_bytes && cache->order.head)
      remove_entry(cache, cache->order.head->data);
    Entry *e = g_new0(Entry, 1);
    e->key = g_strdup(key);
    e->batch_id = batch_id;
    e->etag = g_strdup(etag);
    e->type = g_strdup(type);
    e->body = g_bytes_ref(body);
    e->gz = gz ? g_bytes_ref(gz) : NULL;
    e->size = size;
    g_queue_push_tail(&cache->order, e);
    e->link = cache->order.tail;
    cache->bytes += size;
    g_hash_table_insert(cache->entries, e->key, e);
  }
  g_mutex_unlock(&cache->lock);
}

gboolean
pt_hub_cache_listening(PtHubCache *cache)
{
  g_mutex_lock(&cache->lock);
  gboolean l = cache->listening;
  g_mutex_unlock(&cache->lock);
  return l;
}

guint
pt_hub_cache_entries(PtHubCache *cache)
{
  g_mutex_lock(&cache->lock);
  guint n = g_hash_table_size(cache->entries);
  g_mutex_unlock(&cache->lock);
  return n;
}

gsize
pt_hub_cache_bytes(PtHubCache *cache)
{
  g_mutex_lock(&cache->lock);
  gsize n = cache->bytes;
  g_mutex_unlock(&cache->lock);
  return n;
}
