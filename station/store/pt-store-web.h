/* pt-store-web.h: what the consumer page reads and counts: scans per batch and per day,
 * a GTIN's batches, and the revision that keys a page in the cache. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Adds @n views of @batch_id's consumer page (the QR was scanned), the first and last at
 * @first_ns and @last_ns (pt-scan-tally.c batches them). */
gboolean pt_store_scan_count(PtStore *store, gint64 batch_id, gint64 n, gint64 first_ns,
                             gint64 last_ns, GError **error);
/* Scans of @batch_id so far (0 when never scanned). */
gboolean pt_store_scan_get(PtStore *store, gint64 batch_id, gint64 *count_out, GError **error);
/* Scans of @batch_id so far and the first one's time (UTC ns); both 0 when never scanned. */
gboolean pt_store_scan_summary(PtStore *store, gint64 batch_id, gint64 *count_out,
                               gint64 *first_ns_out, GError **error);
/* The daily scans of @batch_id from UTC day @first_day (days since 1970-01-01) on: @days_out
 * and @counts_out receive (transfer full) (element-type gint64) the days that had scans, in
 * order. */
gboolean pt_store_scan_days(PtStore *store, gint64 batch_id, gint64 first_day, GArray **days_out,
                            GArray **counts_out, GError **error);
/* The batches of @gtin: their number and the newest one's product (transfer full, nullable
 * when there are none). */
gboolean pt_store_gtin_summary(PtStore *store, const char *gtin, gint64 *n_out, char **product_out,
                               GError **error);

/* What keys a batch's cached consumer page: its id, GTIN and the revision of its public facts,
 * which every committed write to them raises (migration 10 -> 11). */
typedef struct {
  gint64 batch_id;
  char gtin[15];
  gint64 rev;
} PtPublicRev;

/* The key of lot @lot's page; PT_ERROR_NOT_FOUND when no batch has that lot. */
gboolean pt_store_public_rev(PtStore *store, const char *lot, PtPublicRev *out, GError **error);
/* The key of the batch with lot @lot (nullable), else, when no batch has that lot, of the
 * batch with id @id (0: none): pt_batch_lookup()'s order, in one statement, so a reader that
 * names a batch by its reference learns the batch and its revision in one read.
 * PT_ERROR_NOT_FOUND when neither names a batch. */
gboolean pt_store_public_rev_ref(PtStore *store, const char *lot, gint64 id, PtPublicRev *out,
                                 GError **error);

G_END_DECLS
