/* pt-web-cache.c: the LRU of consumer pages' facts and JSON answers (pt-web-cache.h).
 *
 * Workload: a lookup per consumer page view (thousands a second, mostly of the few batches
 * on the shelves that day) and a put per change of a batch's public facts (an event, a hold,
 * a grading): a hash table by lot for the lookup and a queue for the recency order. */
#include "pt-web-cache.h"

#include <jansson.h>

typedef struct {
  char *lot; /* also the hash table's key */
  gint64 batch_id, rev;
  json_t *data;              /* one reference, ours */
  struct MHD_Response *json; /* one reference, ours */
  gsize bytes;
  GList link; /* in PtWebCache.order; data is the entry */
  struct {
    char *text; /* owned, nullable */
    gsize len;
    gint64 scans, first_ns;
  } html[2]; /* per language (PtLang) */
} Entry;

struct _PtWebCache {
  guint max_entries;
  gsize max_bytes;
  gsize bytes;
  GHashTable *by_lot; /* lot (owned by the entry) -> Entry */
  GQueue order;       /* most recently used first */
};

static void
entry_free(Entry *e)
{
  json_decref(e->data);
  MHD_destroy_response(e->json);
  g_free(e->html[0].text);
  g_free(e->html[1].text);
  g_free(e->lot);
  g_free(e);
}

PtWebCache *
pt_web_cache_new(guint max_entries, gsize max_bytes)
{
  PtWebCache *cache = g_new0(PtWebCache, 1);
  cache->max_entries = max_entries;
  cache->max_bytes = max_bytes;
  cache->by_lot = g_hash_table_new(g_str_hash, g_str_equal);
  g_queue_init(&cache->order);
  return cache;
}

static void
drop(PtWebCache *cache, Entry *e)
{
  g_hash_table_remove(cache->by_lot, e->lot);
  g_queue_unlink(&cache->order, &e->link);
  cache->bytes -= e->bytes;
  entry_free(e);
}

void
pt_web_cache_free(PtWebCache *cache)
{
  if (!cache)
    return;
  while (cache->order.head)
    drop(cache, cache->order.head->data);
  g_hash_table_unref(cache->by_lot);
  g_free(cache);
}

gboolean
pt_web_cache_get(PtWebCache *cache, const char *lot, gint64 batch_id, gint64 rev, json_t **data,
                 struct MHD_Response **json)
{
  Entry *e = g_hash_table_lookup(cache->by_lot, lot);
  if (!e)
    return FALSE;
  if (e->batch_id != batch_id || e->rev != rev) {
    drop(cache, e);
    return FALSE;
  }
  g_queue_unlink(&cache->order, &e->link);
  g_queue_push_head_link(&cache->order, &e->link);
  *data = e->data;
  *json = e->json;
  return TRUE;
}

void
pt_web_cache_put(PtWebCache *cache, const char *lot, gint64 batch_id, gint64 rev, json_t *data,
                 struct MHD_Response *json, gsize bytes)
{
  Entry *old = g_hash_table_lookup(cache->by_lot, lot);
  if (old)
    drop(cache, old);
  Entry *e = g_new0(Entry, 1);
  *e = (Entry){.lot = g_strdup(lot),
               .batch_id = batch_id,
               .rev = rev,
               .data = data,
               .json = json,
               .bytes = bytes,
               .link = {.data = e}};
  if (bytes > cache->max_bytes || cache->max_entries == 0) {
    entry_free(e);
    return;
  }
  while (cache->order.length >= cache->max_entries || cache->bytes + bytes > cache->max_bytes)
    drop(cache, cache->order.tail->data);
  g_hash_table_insert(cache->by_lot, e->lot, e);
  g_queue_push_head_link(&cache->order, &e->link);
  cache->bytes += bytes;
}

const char *
pt_web_cache_html(PtWebCache *cache, const char *lot, guint lang, gint64 scans, gint64 first_ns,
                  gsize *len)
{
  Entry *e = g_hash_table_lookup(cache->by_lot, lot);
  if (!e || lang > 1 || !e->html[lang].text || e->html[lang].scans != scans ||
      e->html[lang].first_ns != first_ns)
    return NULL;
  *len = e->html[lang].len;
  return e->html[lang].text;
}

void
pt_web_cache_set_html(PtWebCache *cache, const char *lot, guint lang, gint64 scans, gint64 first_ns,
                      char *html, gsize len)
{
  Entry *e = g_hash_table_lookup(cache->by_lot, lot);
  if (!e || lang > 1 || e->bytes + len > cache->max_bytes) {
    g_free(html);
    return;
  }
  /* Counted in the entry's bytes, so the bound holds the pages too. */
  e->bytes -= e->html[lang].len;
  cache->bytes -= e->html[lang].len;
  g_free(e->html[lang].text);
  e->html[lang].text = html;
  e->html[lang].len = len;
  e->html[lang].scans = scans;
  e->html[lang].first_ns = first_ns;
  e->bytes += len;
  cache->bytes += len;
}

guint
pt_web_cache_entries(const PtWebCache *cache)
{
  return cache->order.length;
}

gsize
pt_web_cache_bytes(const PtWebCache *cache)
{
  return cache->bytes;
}
