/* pt-text-cache.c: a worker's rendered batch answers by revision (see pt-text-cache.h). */
#include "pt-text-cache.h"

#include <string.h>

typedef struct {
  char *key;
  gint64 rev;
  GBytes *text;
  gsize size;
  GList *link; /* in @order, least recently used first */
} Entry;

struct _PtTextCache {
  GHashTable *entries; /* key -> Entry (owned) */
  GQueue order;
  gsize bytes, max_bytes;
  guint max_entries;
};

static void
entry_free(gpointer data)
{
  Entry *e = data;
  g_free(e->key);
  g_bytes_unref(e->text);
  g_free(e);
}

PtTextCache *
pt_text_cache_new(guint max_entries, gsize max_bytes)
{
  PtTextCache *cache = g_new0(PtTextCache, 1);
  cache->entries = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, entry_free);
  g_queue_init(&cache->order);
  cache->max_entries = max_entries;
  cache->max_bytes = max_bytes;
  return cache;
}

void
pt_text_cache_free(PtTextCache *cache)
{
  if (!cache)
    return;
  g_queue_clear(&cache->order);
  g_hash_table_unref(cache->entries);
  g_free(cache);
}

static void
remove_entry(PtTextCache *cache, Entry *e)
{
  g_queue_delete_link(&cache->order, e->link);
  cache->bytes -= e->size;
  g_hash_table_remove(cache->entries, e->key);
}

GBytes *
pt_text_cache_get(PtTextCache *cache, const char *key, gint64 rev)
{
  Entry *e = g_hash_table_lookup(cache->entries, key);
  if (!e)
    return NULL;
  if (e->rev != rev) {
    remove_entry(cache, e);
    return NULL;
  }
  g_queue_unlink(&cache->order, e->link);
  g_queue_push_tail_link(&cache->order, e->link);
  return g_bytes_ref(e->text);
}

void
pt_text_cache_put(PtTextCache *cache, const char *key, gint64 rev, GBytes *text)
{
  gsize size = g_bytes_get_size(text) + strlen(key);
  Entry *old = g_hash_table_lookup(cache->entries, key);
  if (old)
    remove_entry(cache, old);
  if (size > cache->max_bytes || cache->max_entries == 0)
    return;
  while (cache->order.head && (cache->bytes + size > cache->max_bytes ||
                               g_hash_table_size(cache->entries) >= cache->max_entries))
    remove_entry(cache, cache->order.head->data);
  Entry *e = g_new0(Entry, 1);
  e->key = g_strdup(key);
  e->rev = rev;
  e->text = g_bytes_ref(text);
  e->size = size;
  g_queue_push_tail(&cache->order, e);
  e->link = cache->order.tail;
  cache->bytes += size;
  g_hash_table_insert(cache->entries, e->key, e);
}

guint
pt_text_cache_entries(const PtTextCache *cache)
{
  return g_hash_table_size(cache->entries);
}

gsize
pt_text_cache_bytes(const PtTextCache *cache)
{
  return cache->bytes;
}
