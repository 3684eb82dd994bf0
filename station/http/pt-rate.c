/* pt-rate.c: keyed token buckets (see pt-rate.h). */
#include "pt-rate.h"

#include <math.h>

typedef struct {
  double tokens;
  gint64 updated_us;
} Bucket;

struct _PtRateLimit {
  GMutex lock;
  GHashTable *buckets; /* char * key -> Bucket *, both owned */
  double per_second;
  double burst;
  guint max_keys;
};

PtRateLimit *
pt_rate_limit_new(double per_second, double burst, guint max_keys)
{
  g_return_val_if_fail(per_second > 0 && burst >= 1 && max_keys > 0, NULL);
  PtRateLimit *limit = g_new0(PtRateLimit, 1);
  g_mutex_init(&limit->lock);
  limit->buckets = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  limit->per_second = per_second;
  limit->burst = burst;
  limit->max_keys = max_keys;
  return limit;
}

void
pt_rate_limit_free(PtRateLimit *limit)
{
  if (!limit)
    return;
  g_hash_table_destroy(limit->buckets);
  g_mutex_clear(&limit->lock);
  g_free(limit);
}

static double
refilled(const PtRateLimit *limit, const Bucket *b, gint64 now_us)
{
  double t = b->tokens + (double)(now_us - b->updated_us) / 1e6 * limit->per_second;
  return MIN(t, limit->burst);
}

/* Makes room for one key: forget refilled buckets, else the longest idle one. */
static void
make_room(PtRateLimit *limit, gint64 now_us)
{
  GHashTableIter it;
  gpointer key, value;
  const char *oldest = NULL;
  gint64 oldest_us = G_MAXINT64;
  g_hash_table_iter_init(&it, limit->buckets);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    Bucket *b = value;
    if (refilled(limit, b, now_us) >= limit->burst) {
      g_hash_table_iter_remove(&it);
    } else if (b->updated_us < oldest_us) {
      oldest_us = b->updated_us;
      oldest = key;
    }
  }
  if (g_hash_table_size(limit->buckets) >= limit->max_keys && oldest)
    g_hash_table_remove(limit->buckets, oldest);
}

gboolean
pt_rate_limit_take(PtRateLimit *limit, const char *key, gint64 now_us, guint *retry_after_s)
{
  g_mutex_lock(&limit->lock);
  Bucket *b = g_hash_table_lookup(limit->buckets, key);
  if (!b) {
    if (g_hash_table_size(limit->buckets) >= limit->max_keys)
      make_room(limit, now_us);
    b = g_new(Bucket, 1);
    b->tokens = limit->burst;
    b->updated_us = now_us;
    g_hash_table_insert(limit->buckets, g_strdup(key), b);
  }
  b->tokens = refilled(limit, b, now_us);
  b->updated_us = now_us;
  gboolean ok = b->tokens >= 1;
  if (ok)
    b->tokens -= 1;
  else if (retry_after_s)
    *retry_after_s = (guint)ceil((1 - b->tokens) / limit->per_second);
  g_mutex_unlock(&limit->lock);
  return ok;
}
