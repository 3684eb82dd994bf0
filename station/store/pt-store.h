/* pt-store.h: the station's SQLite store.  All SQL of the station lives in
 * pt-store.c; every statement is prepared once per connection and bound, never built
 * from input.  One PtStore is one connection: the CLI has one, each HTTP worker
 * thread has its own (WAL lets readers and one writer work at once). */
#pragma once

#include "pt-keys.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtStore PtStore;

typedef struct {
  gint64 id;
  char *lot;
  char *gtin; /* 14 digits */
  char *product;
  char *variety;      /* nullable */
  char *origin;       /* nullable */
  char *grower;       /* nullable */
  char *harvest_date; /* YYYY-MM-DD, nullable */
  char *pack_date;    /* YYYY-MM-DD */
  gboolean has_quantity;
  double quantity;
  char *uom;           /* UN/CEFACT Rec 20 code, nullable */
  char *status;        /* "active", "held" or "recalled" */
  char *status_reason; /* nullable */
  gint64 created_ns;
  gint64 n_events;
  gboolean demo; /* made by the demo (pt-demo-seed.c): never queued for sync */
} PtBatch;

void pt_batch_free(PtBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtBatch, pt_batch_free)

typedef struct {
  gint64 seq; /* position in the station log, 1, 2, 3, ... */
  gint64 batch_id;
  char *event_id;
  char *step;
  gint64 event_time_ns;
  gint64 record_time_ns;
  char *body; /* canonical JSON: the bytes that were hashed */
  gsize body_len;
  guint8 hash[PT_HASH_LEN];
  gboolean has_prev_batch;
  guint8 prev_batch_hash[PT_HASH_LEN];
  gboolean has_prev_station;
  guint8 prev_station_hash[PT_HASH_LEN];
  guint8 signature[PT_SIG_LEN];
} PtEventRow;

void pt_event_row_clear(PtEventRow *row);

/* The schema version this build writes (PRAGMA user_version). */
#define PT_STORE_SCHEMA_VERSION 13

/* Opens (and with @create, creates) the database at @path and migrates it to
 * PT_STORE_SCHEMA_VERSION.  A database newer than this build is refused.
 * Returns: (transfer full). */
PtStore *pt_store_open(const char *path, gboolean create, int busy_timeout_ms, GError **error);
void pt_store_close(PtStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtStore, pt_store_close)

int pt_store_schema_version(PtStore *store);

/* Write transactions take the write lock up front (BEGIN IMMEDIATE) so that the
 * chain heads read inside cannot change before the append. */
gboolean pt_store_begin(PtStore *store, GError **error);
gboolean pt_store_commit(PtStore *store, GError **error);
void pt_store_rollback(PtStore *store);

/* Batches */
gboolean pt_store_batch_insert(PtStore *store, PtBatch *batch, GError **error);
/* Returns: (transfer full) (nullable): NULL with PT_ERROR_NOT_FOUND when absent. */
PtBatch *pt_store_batch_get(PtStore *store, gint64 id, GError **error);
PtBatch *pt_store_batch_get_by_lot(PtStore *store, const char *lot, GError **error);
/* Returns: (transfer full) (element-type PtBatch): newest first. */
GPtrArray *pt_store_batch_list(PtStore *store, int limit, int offset, GError **error);
gboolean pt_store_batch_set_status(PtStore *store, gint64 id, const char *status,
                                   const char *reason, GError **error);
/* Highest counter N among lots "@prefix<digits>" (0 when none). */
gboolean pt_store_lot_counter_max(PtStore *store, const char *prefix, int *max_out, GError **error);

/* Events: append-only (triggers refuse UPDATE and DELETE). */
gboolean pt_store_chain_heads(PtStore *store, gint64 batch_id, PtEventRow *heads, GError **error);
gboolean pt_store_event_insert(PtStore *store, const PtEventRow *row, GError **error);

/* Calls @fn for each event of @batch_id (or of the whole log when @batch_id is 0) in
 * log order.  @row is valid during the call only.  @fn returns FALSE to stop with
 * its error. */
typedef gboolean (*PtEventFunc)(const PtEventRow *row, gpointer user_data, GError **error);
gboolean pt_store_events_foreach(PtStore *store, gint64 batch_id, PtEventFunc fn,
                                 gpointer user_data, GError **error);

/* Vision grading (pt-store-grading.c).  A grading collects the graded fruit of one batch
 * under one profile, calibration and declared class; closing it writes the inspecting
 * event, whose id the row keeps.  At most one open grading per batch. */
typedef struct {
  gint64 id;
  gint64 batch_id;
  char *profile;
  char *declared_class; /* "Extra", "I" or "II" */
  double mm_per_px;
  char *model_version;
  gint64 opened_ns;
  gint64 closed_ns;  /* 0 while open */
  char *event_id;    /* nullable: the inspecting event, once closed */
  char *disposition; /* nullable: conformant / non_conformant, once closed */
} PtGradingRow;

void pt_grading_row_free(PtGradingRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtGradingRow, pt_grading_row_free)

/* Sets @row->id.  PT_ERROR_CONFLICT when the batch already has an open grading. */
gboolean pt_store_grading_insert(PtStore *store, PtGradingRow *row, GError **error);
/* The open grading of @batch_id.  Returns: (transfer full): NULL with PT_ERROR_NOT_FOUND. */
PtGradingRow *pt_store_grading_get_open(PtStore *store, gint64 batch_id, GError **error);
/* The newest grading of @batch_id, open or closed.  Returns: (transfer full) (nullable). */
PtGradingRow *pt_store_grading_get_newest(PtStore *store, gint64 batch_id, GError **error);
/* The most recently opened grading still open on the station (what `run` feeds).
 * Returns: (transfer full): NULL with PT_ERROR_NOT_FOUND when none is open. */
PtGradingRow *pt_store_grading_newest_open(PtStore *store, GError **error);
gboolean pt_store_grading_close(PtStore *store, gint64 id, gint64 closed_ns, const char *event_id,
                                const char *disposition, GError **error);

typedef struct {
  gint64 graded_ns;
  const char *source;
  const char *klass;     /* Extra, I, II or out */
  const char *size_code; /* nullable: no band of the profile holds the size */
  double diameter_mm, length_mm, weight_g, ripe_fraction, green_fraction;
  gint64 defect_count;
  double defect_area_mm2, defect_largest_mm2, defect_longest_mm;
  const char *defect_kind; /* nullable: no defect */
  gint64 views;
  const char *rule;
  double confidence;
} PtFruitRecord;

/* Inside a transaction.  @id_out (nullable) receives the row id. */
gboolean pt_store_fruit_insert(PtStore *store, gint64 grading_id, const PtFruitRecord *fruit,
                               gint64 *id_out, GError **error);
gboolean pt_store_fruit_set_still(PtStore *store, gint64 fruit_id, const char *still,
                                  GError **error);
gboolean pt_store_grading_n_stills(PtStore *store, gint64 grading_id, gint64 *n_out,
                                   GError **error);

typedef struct {
  char *key;
  gint64 count;
} PtCount;

typedef struct {
  gint64 n_fruit;
  GArray *classes; /* (element-type PtCount): class -> fruit, by class name */
  GArray *sizes;   /* (element-type PtCount): size code ("" = none) -> fruit */
  GArray *kinds;   /* (element-type PtCount): kind of the largest defect -> fruit */
  gint64 n_with_defects;
  double defect_area_total_mm2, defect_area_max_mm2, defect_longest_max_mm;
  double diameter_mean_mm, diameter_min_mm, diameter_max_mm;
  double weight_total_g;
  gint64 n_undersize;   /* diameter below the minimum given to the query */
  gint64 n_below_floor; /* diameter below the minimum less the floor */
  GPtrArray *stills;    /* (element-type utf8): evidence stills, oldest first */
} PtGradingSummary;

void pt_grading_summary_clear(PtGradingSummary *summary);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtGradingSummary, pt_grading_summary_clear)

/* Counts and statistics of the fruit of grading @grading_id.  @min_diameter_mm and
 * @floor_mm define n_undersize and n_below_floor. */
gboolean pt_store_grading_summary(PtStore *store, gint64 grading_id, double min_diameter_mm,
                                  double floor_mm, PtGradingSummary *summary, GError **error);

/* The consumer page (pt-store-web.c). */

/* Adds @n views of @batch_id's consumer page (the QR was scanned), the first and last at
 * @first_ns and @last_ns (pt-scan-tally.c batches them). */
gboolean pt_store_scan_count(PtStore *store, gint64 batch_id, gint64 n, gint64 first_ns,
                             gint64 last_ns, GError **error);
/* Scans of @batch_id so far (0 when never scanned). */
gboolean pt_store_scan_get(PtStore *store, gint64 batch_id, gint64 *count_out, GError **error);
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
/* A read transaction: the page is rendered from one snapshot, the one its key was read in.
 * _end() is safe to call when _begin() failed. */
gboolean pt_store_read_begin(PtStore *store, GError **error);
void pt_store_read_end(PtStore *store);

G_END_DECLS
