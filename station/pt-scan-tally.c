/* pt-scan-tally.c: the in-memory scan counts and their writer thread (see pt-scan-tally.h).
 * The lock guards only the pending table; SQLite runs on the writer with it released. */
#include "pt-scan-tally.h"

#include "pt-limits.h"
#include "pt-store-web.h"
#include "pt-store.h"

#include <string.h>

#define DAY_NS    (G_GINT64_CONSTANT(86400) * 1000000000)
#define WINDOW_NS (PT_SCAN_CLIENT_WINDOW_S * G_GINT64_CONSTANT(1000000000))

/* The request the calling thread is answering (pt_scan_viewer_set()). */
typedef struct {
  gboolean set;
  gboolean counts;
  char client[PT_SCAN_CLIENT_MAX + 1];
} Viewer;

static GPrivate viewer_key = G_PRIVATE_INIT(g_free);

void
pt_scan_viewer_set(const char *client, gboolean counts)
{
  Viewer *v = g_private_get(&viewer_key);
  if (!v) {
    v = g_new0(Viewer, 1);
    g_private_set(&viewer_key, v);
  }
  v->set = TRUE;
  v->counts = counts;
  g_strlcpy(v->client, client, sizeof v->client);
}

void
pt_scan_viewer_clear(void)
{
  Viewer *v = g_private_get(&viewer_key);
  if (v)
    v->set = FALSE;
}

/* A batch's views on one UTC day: views either side of midnight are counted apart, so the
 * daily series puts each on its own day. */
typedef struct {
  gint64 batch_id, day;
} Key;

typedef struct {
  gint64 n, first_ns, last_ns;
} Pending;

static guint
key_hash(gconstpointer k)
{
  const Key *key = k;
  return g_int64_hash(&key->batch_id) ^ (guint)key->day;
}

static gboolean
key_equal(gconstpointer a, gconstpointer b)
{
  const Key *x = a, *y = b;
  return x->batch_id == y->batch_id && x->day == y->day;
}

struct _PtScanTally {
  PtStation *station; /* borrowed */
  GThread *writer;
  GMutex lock; /* guards the fields below */
  GCond cond;
  GHashTable *pending; /* Key * -> Pending * */
  GHashTable *seen;    /* "BATCH CLIENT" -> gint64 * the view counted last, both owned */
  guint64 dropped;     /* views not counted: a table was full */
  gboolean stopping;
};

static GHashTable *
pending_new(void)
{
  return g_hash_table_new_full(key_hash, key_equal, g_free, g_free);
}

/* One transaction for every batch viewed in the interval. */
static void
write_pending(PtScanTally *tally, PtStore **store, GHashTable *pending)
{
  g_autoptr(GError) error = NULL;
  if (!*store)
    *store = pt_station_store(tally->station, &error);
  if (!*store || !pt_store_begin(*store, &error)) {
    g_warning("scans: %u batches' counts lost: %s", g_hash_table_size(pending), error->message);
    return;
  }
  GHashTableIter it;
  gpointer key, value;
  g_hash_table_iter_init(&it, pending);
  while (g_hash_table_iter_next(&it, &key, &value)) {
    const Pending *p = value;
    if (!pt_store_scan_count(*store, ((const Key *)key)->batch_id, p->n, p->first_ns, p->last_ns,
                             &error))
      break;
  }
  if (error || !pt_store_commit(*store, &error)) {
    pt_store_rollback(*store);
    g_warning("scans: %u batches' counts lost: %s", g_hash_table_size(pending), error->message);
  }
}

/* Forgets the (batch, client) pairs whose window is over; the caller holds the lock. */
static void
forget_seen(PtScanTally *tally, gint64 now_ns)
{
  GHashTableIter it;
  gpointer value;
  g_hash_table_iter_init(&it, tally->seen);
  while (g_hash_table_iter_next(&it, NULL, &value))
    if (now_ns - *(gint64 *)value >= WINDOW_NS)
      g_hash_table_iter_remove(&it);
}

static gpointer
writer_main(gpointer data)
{
  PtScanTally *tally = data;
  PtStore *store = NULL;
  gboolean last = FALSE;
  while (!last) {
    g_mutex_lock(&tally->lock);
    /* Asleep until a view is counted (or dropped), then up to PT_SCAN_FLUSH_MS more so a
     * burst of views is one transaction: no clock wakes an idle station. */
    while (!tally->stopping && !g_hash_table_size(tally->pending) && !tally->dropped)
      g_cond_wait(&tally->cond, &tally->lock);
    gint64 until = g_get_monotonic_time() + PT_SCAN_FLUSH_MS * 1000;
    while (!tally->stopping && g_cond_wait_until(&tally->cond, &tally->lock, until))
      ;
    last = tally->stopping;
    GHashTable *pending = tally->pending;
    tally->pending = pending_new();
    forget_seen(tally, g_get_real_time() * 1000);
    guint64 dropped = tally->dropped;
    tally->dropped = 0;
    g_mutex_unlock(&tally->lock);
    if (dropped)
      g_warning("scans: %" G_GUINT64_FORMAT " views not counted (over %d batches a second, "
                "or %d batch and client pairs an hour)",
                dropped, PT_SCAN_PENDING_MAX, PT_SCAN_SEEN_MAX);
    if (g_hash_table_size(pending))
      write_pending(tally, &store, pending);
    g_hash_table_unref(pending);
  }
  pt_store_close(store);
  return NULL;
}

PtScanTally *
pt_scan_tally_new(PtStation *station)
{
  PtScanTally *tally = g_new0(PtScanTally, 1);
  tally->station = station;
  g_mutex_init(&tally->lock);
  g_cond_init(&tally->cond);
  tally->pending = pending_new();
  tally->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  tally->writer = g_thread_new("pt-scans", writer_main, tally);
  return tally;
}

void
pt_scan_tally_add(PtScanTally *tally, gint64 batch_id, gint64 now_ns)
{
  Key key = {batch_id, now_ns / DAY_NS};
  const Viewer *v = g_private_get(&viewer_key);
  if (v && v->set && !v->counts)
    return;
  char seen_key[32 + PT_SCAN_CLIENT_MAX];
  if (v && v->set)
    g_snprintf(seen_key, sizeof seen_key, "%" G_GINT64_FORMAT " %s", batch_id, v->client);
  g_mutex_lock(&tally->lock);
  gboolean idle = !g_hash_table_size(tally->pending) && !tally->dropped;
  if (v && v->set) {
    gint64 *last = g_hash_table_lookup(tally->seen, seen_key);
    if (last && now_ns - *last < WINDOW_NS && now_ns >= *last)
      goto out;
    /* Pairs are forgotten at each flush; a full table may hold pairs whose window ended since
     * the last one. */
    if (!last && g_hash_table_size(tally->seen) >= PT_SCAN_SEEN_MAX)
      forget_seen(tally, now_ns);
    if (!last && g_hash_table_size(tally->seen) >= PT_SCAN_SEEN_MAX) {
      tally->dropped++;
      goto out;
    }
    if (!last) {
      last = g_new(gint64, 1);
      g_hash_table_insert(tally->seen, g_strdup(seen_key), last);
    }
    *last = now_ns;
  }
  Pending *p = g_hash_table_lookup(tally->pending, &key);
  if (p) {
    p->n++;
    p->last_ns = MAX(p->last_ns, now_ns);
  } else if (g_hash_table_size(tally->pending) < PT_SCAN_PENDING_MAX) {
    p = g_new(Pending, 1);
    *p = (Pending){1, now_ns, now_ns};
    g_hash_table_insert(tally->pending, g_memdup2(&key, sizeof key), p);
  } else {
    tally->dropped++;
  }
out:
  if (idle && (g_hash_table_size(tally->pending) || tally->dropped))
    g_cond_signal(&tally->cond); /* the writer sleeps with no deadline while idle */
  g_mutex_unlock(&tally->lock);
}

void
pt_scan_tally_free(PtScanTally *tally)
{
  if (!tally)
    return;
  g_mutex_lock(&tally->lock);
  tally->stopping = TRUE;
  g_cond_signal(&tally->cond);
  g_mutex_unlock(&tally->lock);
  g_thread_join(tally->writer);
  g_hash_table_unref(tally->pending);
  g_hash_table_unref(tally->seen);
  g_mutex_clear(&tally->lock);
  g_cond_clear(&tally->cond);
  g_free(tally);
}
