/* pt-store-metrics.h: the counts /metrics reads from station.db on each scrape. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 events;                 /* signed events in the log */
  gint64 active, held, recalled; /* batches by status */
} PtStoreLogCounts;

/* Two indexed aggregate reads (events by their primary key, batches by status). */
gboolean pt_store_log_counts(PtStore *store, PtStoreLogCounts *out, GError **error);

G_END_DECLS
