/* pt-label-cache.c: the static parts of label templates, kept between renders.  A
 * day's printing is thousands of labels of a few products: everything on them but the
 * codes, lot, dates, grower, grade and weight is the same, so the cairo backend draws
 * that part once per (template, format, resolution, font, static content) and copies
 * it, and the ZPL backend formats it once.  The key spells out every static item in full, so a
 * change to any of them is a different entry, never a stale one.  Looked up once per
 * label, from any thread; a few dozen entries, least recently used evicted. */
#include <string.h>

#include "pt-label-private.h"

typedef struct {
  char *key;
  GBytes *value;
} CacheEntry;

static GMutex cache_lock;
static GQueue cache_entries = G_QUEUE_INIT; /* (element-type CacheEntry), most recent first */
static gsize cache_bytes;

static void
entry_free(CacheEntry *e)
{
  g_free(e->key);
  g_bytes_unref(e->value);
  g_free(e);
}

char *
pt_label_static_key(const PtLabelLayout *layout, PtLabelFormat format, guint dpi,
                    const char *family)
{
  GString *k = g_string_sized_new(1024);
  g_string_append_printf(k, "t%d f%d d%u %zu:%s %a %a\n", (int)layout->template_, (int)format, dpi,
                         strlen(family), family, layout->width_pt, layout->height_pt);
  for (guint i = 0; i < layout->items->len; i++) {
    const PtLabelItem *it = g_ptr_array_index(layout->items, i);
    if (it->varies) {
      g_string_append(k, "V\n");
      continue;
    }
    g_string_append_printf(k, "%d %a %a %a %a", (int)it->kind, it->x, it->y, it->w, it->h);
    if (it->kind == PT_ITEM_TEXT)
      g_string_append_printf(k, " %a %a %d %d %d %zu:%s", it->size_pt, it->min_pt, it->bold,
                             (int)it->align, it->max_lines, strlen(it->text), it->text);
    else
      g_string_append_printf(k, " %a", it->line_pt);
    g_string_append_c(k, '\n');
  }
  return g_string_free(k, FALSE);
}

GBytes *
pt_label_cache_get(const char *key)
{
  GBytes *ret = NULL;
  g_mutex_lock(&cache_lock);
  for (GList *l = cache_entries.head; l; l = l->next) {
    CacheEntry *e = l->data;
    if (strcmp(e->key, key) == 0) {
      g_queue_unlink(&cache_entries, l);
      g_queue_push_head_link(&cache_entries, l);
      ret = g_bytes_ref(e->value);
      break;
    }
  }
  g_mutex_unlock(&cache_lock);
  return ret;
}

void
pt_label_cache_put(const char *key, GBytes *value)
{
  gsize n = g_bytes_get_size(value);
  if (n > PT_LABEL_CACHE_BYTES / 4)
    return;
  g_mutex_lock(&cache_lock);
  for (GList *l = cache_entries.head; l; l = l->next) {
    CacheEntry *e = l->data;
    if (strcmp(e->key, key) == 0)
      goto out_unlock; /* another thread drew the same part meanwhile */
  }
  while (cache_entries.length >= PT_LABEL_CACHE_ENTRIES || cache_bytes + n > PT_LABEL_CACHE_BYTES) {
    CacheEntry *old = g_queue_pop_tail(&cache_entries);
    cache_bytes -= g_bytes_get_size(old->value);
    entry_free(old);
  }
  CacheEntry *e = g_new0(CacheEntry, 1);
  e->key = g_strdup(key);
  e->value = g_bytes_ref(value);
  g_queue_push_head(&cache_entries, e);
  cache_bytes += n;
out_unlock:
  g_mutex_unlock(&cache_lock);
}

void
pt_label_cache_clear(void)
{
  g_mutex_lock(&cache_lock);
  CacheEntry *e;
  while ((e = g_queue_pop_head(&cache_entries)))
    entry_free(e);
  cache_bytes = 0;
  g_mutex_unlock(&cache_lock);
}
