/* pt-store-grading.h: vision grading in the store: gradings of a batch, their graded fruit,
 * and the summary a closing inspecting event carries. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* A grading collects the graded fruit of one batch under one profile, calibration and
 * declared class; closing it writes the inspecting event, whose id the row keeps.  At most one open
 * grading per batch. */
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

/* One evidence still: a fruit graded below the batch's declared class, and its picture. */
typedef struct {
  gint64 fruit_id;
  gint64 graded_ns;
  char *klass;       /* II or out (whatever is below the declared class) */
  char *defect_kind; /* nullable: the kind of its largest defect */
  double defect_area_mm2, diameter_mm;
  char *still; /* the JPEG's path, relative to the data directory */
} PtFruitStill;

void pt_fruit_still_free(PtFruitStill *still);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtFruitStill, pt_fruit_still_free)

/* The stills of grading @grading_id, newest first, at most @limit.
 * Returns: (transfer full) (element-type PtFruitStill). */
GPtrArray *pt_store_grading_stills(PtStore *store, gint64 grading_id, int limit, GError **error);

/* Returns: (transfer full): fruit @fruit_id's still in grading @grading_id; PT_ERROR_NOT_FOUND
 * when that fruit has none. */
PtFruitStill *pt_store_grading_still_get(PtStore *store, gint64 grading_id, gint64 fruit_id,
                                         GError **error);

typedef struct {
  char *key;
  gint64 count;
  double weight_g;    /* estimated grams of those fruit; unweighed fruit add nothing */
  gint64 n_unweighed; /* of those, fruit without a weight (no size known) */
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
  /* Weight of those two groups, for tolerances by weight, and how many of their fruit (and of
   * the whole grading: n_fruit - n_weighed) have no weight. */
  double undersize_weight_g, below_floor_weight_g;
  gint64 n_undersize_unweighed, n_below_floor_unweighed, n_weighed;
  GPtrArray *stills; /* (element-type utf8): evidence stills, oldest first */
} PtGradingSummary;

void pt_grading_summary_clear(PtGradingSummary *summary);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtGradingSummary, pt_grading_summary_clear)

/* Counts and statistics of the fruit of grading @grading_id.  @min_diameter_mm and
 * @floor_mm define n_undersize and n_below_floor. */
gboolean pt_store_grading_summary(PtStore *store, gint64 grading_id, double min_diameter_mm,
                                  double floor_mm, PtGradingSummary *summary, GError **error);

/* The measurements of one class of a grading's fruit (or of all of them), as the inspecting
 * event's sensor reports give them. */
typedef struct {
  char *klass; /* Extra, I, II or out; NULL: every graded fruit */
  gint64 n_fruit;
  double diameter_mean_mm, diameter_min_mm, diameter_max_mm;
  double ripe_mean, ripe_min, ripe_max; /* fractions of sound peel in the ripe hue range */
  double defect_area_mean_mm2, defect_area_max_mm2;
} PtClassStats;

/* Returns: (transfer full) (element-type PtClassStats): the whole grading first, then each
 * class that has fruit, by name; g_array_unref() frees the names too. */
GArray *pt_store_grading_class_stats(PtStore *store, gint64 grading_id, GError **error);

G_END_DECLS
