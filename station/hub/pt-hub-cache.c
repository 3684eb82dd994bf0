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
  gboolean stop;
  char *dsn;
  GThread *thread;
};

static void
entry_free(gpointer data)
{
  Entry *e = data;
  g_free(e->key);
  g_free(e->etag);
  g_free(e->type);
  g_bytes_unref(e->body);
  g_free(e);
}

PtHubCache *
pt_hub_cache_new(gsize max_bytes)
{
  PtHubCache *cache = g_new0(PtHubCache, 1);
  g_mutex_init(&cache->lock);
  cache->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
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
    return;
  }
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
    if (store && pt_hub_store_listen(store, &error)) {
      set_listening(cache, TRUE);
      if (warned)
        g_message("hub: page cache listener connected again");
      warned = FALSE;
      while (!stopping(cache) &&
             pt_hub_store_notifications(store, PT_HUB_LISTEN_POLL_MS, on_batch, cache, &error))
        ;
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
  g_queue_clear(&cache->order);
  g_mutex_clear(&cache->lock);
  g_free(cache->dsn);
  g_free(cache);
}

GBytes *
pt_hub_cache_get(PtHubCache *cache, const char *key, char **etag_out, char **type_out)
{
  GBytes *body = NULL;
  g_mutex_lock(&cache->lock);
  Entry *e = cache->listening ? g_hash_table_lookup(cache->entries, key) : NULL;
  if (e) {
    body = g_bytes_ref(e->body);
    *etag_out = g_strdup(e->etag);
    *type_out = g_strdup(e->type);
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

void
pt_hub_cache_put(PtHubCache *cache, guint64 generation, const char *key, gint64 batch_id,
                 const char *etag, const char *type, GBytes *body)
{
  gsize size = g_bytes_get_size(body) + strlen(key) + strlen(etag) + strlen(type);
  g_mutex_lock(&cache->lock);
  if (cache->listening && cache->generation == generation && size <= cache->max_bytes) {
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
