/* pt-store-grading.c: the SQL of vision grading: gradings and their graded fruit.
 *
 * Workload: one INSERT per fruit leaving the grading camera's view (10-15 a second per lane,
 * a few per transaction), the open grading looked up once a second by the grading feed, and
 * one summary per close or `grade show` (GROUP BY over one grading's rows, indexed). */
#include "pt-store-grading.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

#define GRADING_COLUMNS                                                                            \
  "id, batch_id, profile, declared_class, mm_per_px, model_version, opened_ns, closed_ns, "        \
  "event_id, disposition"

static const char sql_grading_insert[] =
    "INSERT INTO gradings (batch_id, profile, declared_class, mm_per_px, model_version, "
    "opened_ns) VALUES (?, ?, ?, ?, ?, ?)";
static const char sql_grading_open[] =
    "SELECT " GRADING_COLUMNS " FROM gradings WHERE batch_id = ? AND closed_ns IS NULL";
static const char sql_grading_newest[] =
    "SELECT " GRADING_COLUMNS " FROM gradings WHERE batch_id = ? ORDER BY id DESC LIMIT 1";
static const char sql_grading_newest_open[] =
    "SELECT " GRADING_COLUMNS " FROM gradings WHERE closed_ns IS NULL ORDER BY id DESC LIMIT 1";
static const char sql_grading_close[] =
    "UPDATE gradings SET closed_ns = ?, event_id = ?, disposition = ? "
    "WHERE id = ? AND closed_ns IS NULL";
static const char sql_fruit_insert[] =
    "INSERT INTO graded_fruit (grading_id, graded_ns, source, class, size_code, diameter_mm, "
    "length_mm, weight_g, ripe_fraction, green_fraction, defect_count, defect_area_mm2, "
    "defect_largest_mm2, defect_longest_mm, defect_kind, views, rule, confidence) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_fruit_still[] = "UPDATE graded_fruit SET still = ? WHERE id = ?";
static const char sql_count_stills[] = "SELECT count(still) FROM graded_fruit WHERE grading_id = ?";
/* Each count comes with its fruit's weight and how many of them have none: tolerances by
 * weight need both. */
#define WEIGHT_COLUMNS ", total(weight_g), count(*) FILTER (WHERE weight_g <= 0)"
static const char sql_count_class[] = "SELECT class, count(*)" WEIGHT_COLUMNS " FROM graded_fruit "
                                      "WHERE grading_id = ? GROUP BY class ORDER BY class";
static const char sql_count_size[] =
    "SELECT coalesce(size_code, ''), count(*)" WEIGHT_COLUMNS " FROM graded_fruit "
    "WHERE grading_id = ? GROUP BY 1 ORDER BY min(diameter_mm) DESC";
static const char sql_count_kind[] =
    "SELECT defect_kind, count(*)" WEIGHT_COLUMNS " FROM graded_fruit "
    "WHERE grading_id = ? AND defect_kind IS NOT NULL GROUP BY 1 ORDER BY 1";
static const char sql_stats[] =
    "SELECT count(*), count(*) FILTER (WHERE defect_count > 0), total(defect_area_mm2), "
    "coalesce(max(defect_area_mm2), 0), coalesce(max(defect_longest_mm), 0), "
    "coalesce(avg(diameter_mm), 0), coalesce(min(diameter_mm), 0), "
    "coalesce(max(diameter_mm), 0), total(weight_g), "
    "count(*) FILTER (WHERE diameter_mm < ?1), count(*) FILTER (WHERE diameter_mm < ?1 - ?2), "
    "total(weight_g) FILTER (WHERE diameter_mm < ?1), "
    "total(weight_g) FILTER (WHERE diameter_mm < ?1 - ?2), "
    "count(*) FILTER (WHERE diameter_mm < ?1 AND weight_g <= 0), "
    "count(*) FILTER (WHERE diameter_mm < ?1 - ?2 AND weight_g <= 0), "
    "count(*) FILTER (WHERE weight_g > 0) "
    "FROM graded_fruit WHERE grading_id = ?3";
/* Every fruit (class NULL) first, then per class. */
static const char sql_class_stats[] =
    "SELECT NULL, count(*), avg(diameter_mm), min(diameter_mm), max(diameter_mm), "
    "avg(ripe_fraction), min(ripe_fraction), max(ripe_fraction), avg(defect_area_mm2), "
    "max(defect_area_mm2) FROM graded_fruit WHERE grading_id = ?1 HAVING count(*) > 0 "
    "UNION ALL "
    "SELECT class, count(*), avg(diameter_mm), min(diameter_mm), max(diameter_mm), "
    "avg(ripe_fraction), min(ripe_fraction), max(ripe_fraction), avg(defect_area_mm2), "
    "max(defect_area_mm2) FROM graded_fruit WHERE grading_id = ?1 GROUP BY class";
static const char sql_stills[] = "SELECT still FROM graded_fruit "
                                 "WHERE grading_id = ? AND still IS NOT NULL ORDER BY id";
#define STILL_COLUMNS "id, graded_ns, class, defect_kind, defect_area_mm2, diameter_mm, still"
static const char sql_still_list[] = "SELECT " STILL_COLUMNS " FROM graded_fruit "
                                     "WHERE grading_id = ? AND still IS NOT NULL "
                                     "ORDER BY id DESC LIMIT ?";
static const char sql_still_get[] = "SELECT " STILL_COLUMNS " FROM graded_fruit "
                                    "WHERE grading_id = ? AND id = ? AND still IS NOT NULL";

void
pt_grading_row_free(PtGradingRow *row)
{
  if (!row)
    return;
  g_free(row->profile);
  g_free(row->declared_class);
  g_free(row->model_version);
  g_free(row->event_id);
  g_free(row->disposition);
  g_free(row);
}

gboolean
pt_store_grading_insert(PtStore *store, PtGradingRow *row, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_grading_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, row->batch_id);
  sqlite3_bind_text(s, 2, row->profile, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, row->declared_class, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 4, row->mm_per_px);
  sqlite3_bind_text(s, 5, row->model_version, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 6, row->opened_ns);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "the batch already has an open grading");
    return FALSE;
  }
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "insert grading", error);
  row->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

static PtGradingRow *
grading_get_one(PtStore *store, const char *sql, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql, error);
  if (!s)
    return NULL;
  if (batch_id)
    sqlite3_bind_int64(s, 1, batch_id);
  int rc = sqlite3_step(s);
  PtGradingRow *row = NULL;
  if (rc == SQLITE_ROW) {
    row = g_new0(PtGradingRow, 1);
    row->id = sqlite3_column_int64(s, 0);
    row->batch_id = sqlite3_column_int64(s, 1);
    row->profile = pt_store_column_dup(s, 2);
    row->declared_class = pt_store_column_dup(s, 3);
    row->mm_per_px = sqlite3_column_double(s, 4);
    row->model_version = pt_store_column_dup(s, 5);
    row->opened_ns = sqlite3_column_int64(s, 6);
    row->closed_ns = sqlite3_column_int64(s, 7);
    row->event_id = pt_store_column_dup(s, 8);
    row->disposition = pt_store_column_dup(s, 9);
  } else if (rc == SQLITE_DONE) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no open grading");
  } else {
    pt_store_set_sqlite_error(store, rc, "read grading", error);
  }
  sqlite3_reset(s);
  return row;
}

PtGradingRow *
pt_store_grading_get_open(PtStore *store, gint64 batch_id, GError **error)
{
  return grading_get_one(store, sql_grading_open, batch_id, error);
}

PtGradingRow *
pt_store_grading_get_newest(PtStore *store, gint64 batch_id, GError **error)
{
  g_autoptr(GError) local = NULL;
  PtGradingRow *row = grading_get_one(store, sql_grading_newest, batch_id, &local);
  if (!row && !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
    g_propagate_error(error, g_steal_pointer(&local));
  return row;
}

PtGradingRow *
pt_store_grading_newest_open(PtStore *store, GError **error)
{
  return grading_get_one(store, sql_grading_newest_open, 0, error);
}

gboolean
pt_store_grading_close(PtStore *store, gint64 id, gint64 closed_ns, const char *event_id,
                       const char *disposition, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_grading_close, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, closed_ns);
  sqlite3_bind_text(s, 2, event_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, disposition, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 4, id);
  if (!pt_store_step_done(store, s, "close grading", error))
    return FALSE;
  if (sqlite3_changes(pt_store_db(store)) != 1) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "grading %" G_GINT64_FORMAT " is not open", id);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_store_fruit_insert(PtStore *store, gint64 grading_id, const PtFruitRecord *f, gint64 *id_out,
                      GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_fruit_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, grading_id);
  sqlite3_bind_int64(s, 2, f->graded_ns);
  sqlite3_bind_text(s, 3, f->source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 4, f->klass, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 5, f->size_code);
  sqlite3_bind_double(s, 6, f->diameter_mm);
  sqlite3_bind_double(s, 7, f->length_mm);
  sqlite3_bind_double(s, 8, f->weight_g);
  sqlite3_bind_double(s, 9, f->ripe_fraction);
  sqlite3_bind_double(s, 10, f->green_fraction);
  sqlite3_bind_int64(s, 11, f->defect_count);
  sqlite3_bind_double(s, 12, f->defect_area_mm2);
  sqlite3_bind_double(s, 13, f->defect_largest_mm2);
  sqlite3_bind_double(s, 14, f->defect_longest_mm);
  pt_store_bind_text_or_null(s, 15, f->defect_kind);
  sqlite3_bind_int64(s, 16, f->views);
  sqlite3_bind_text(s, 17, f->rule, -1, SQLITE_TRANSIENT);
  sqlite3_bind_double(s, 18, f->confidence);
  if (!pt_store_step_done(store, s, "insert graded fruit", error))
    return FALSE;
  if (id_out)
    *id_out = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

gboolean
pt_store_fruit_set_still(PtStore *store, gint64 fruit_id, const char *still, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_fruit_still, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, still, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, fruit_id);
  return pt_store_step_done(store, s, "record evidence still", error);
}

gboolean
pt_store_grading_n_stills(PtStore *store, gint64 grading_id, gint64 *n_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_count_stills, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, grading_id);
  return pt_store_step_int64(store, s, "count evidence stills", n_out, error);
}

void
pt_grading_summary_clear(PtGradingSummary *summary)
{
  GArray *lists[] = {summary->classes, summary->sizes, summary->kinds};
  for (guint i = 0; i < G_N_ELEMENTS(lists); i++) {
    for (guint j = 0; lists[i] && j < lists[i]->len; j++)
      g_free(g_array_index(lists[i], PtCount, j).key);
    if (lists[i])
      g_array_unref(lists[i]);
  }
  if (summary->stills)
    g_ptr_array_unref(summary->stills);
  memset(summary, 0, sizeof *summary);
}

static GArray *
read_counts(PtStore *store, const char *sql, gint64 grading_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, grading_id);
  GArray *counts = g_array_new(FALSE, FALSE, sizeof(PtCount));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtCount c = {pt_store_column_dup(s, 0), sqlite3_column_int64(s, 1), sqlite3_column_double(s, 2),
                 sqlite3_column_int64(s, 3)};
    g_array_append_val(counts, c);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    for (guint j = 0; j < counts->len; j++)
      g_free(g_array_index(counts, PtCount, j).key);
    g_array_unref(counts);
    pt_store_set_sqlite_error(store, rc, "count graded fruit", error);
    return NULL;
  }
  return counts;
}

gboolean
pt_store_grading_summary(PtStore *store, gint64 grading_id, double min_diameter_mm, double floor_mm,
                         PtGradingSummary *sum, GError **error)
{
  memset(sum, 0, sizeof *sum);
  sum->stills = g_ptr_array_new_with_free_func(g_free);
  if (!(sum->classes = read_counts(store, sql_count_class, grading_id, error)) ||
      !(sum->sizes = read_counts(store, sql_count_size, grading_id, error)) ||
      !(sum->kinds = read_counts(store, sql_count_kind, grading_id, error)))
    goto out_clear;

  sqlite3_stmt *s = pt_store_stmt(store, sql_stats, error);
  if (!s)
    goto out_clear;
  sqlite3_bind_double(s, 1, min_diameter_mm);
  sqlite3_bind_double(s, 2, floor_mm);
  sqlite3_bind_int64(s, 3, grading_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    sum->n_fruit = sqlite3_column_int64(s, 0);
    sum->n_with_defects = sqlite3_column_int64(s, 1);
    sum->defect_area_total_mm2 = sqlite3_column_double(s, 2);
    sum->defect_area_max_mm2 = sqlite3_column_double(s, 3);
    sum->defect_longest_max_mm = sqlite3_column_double(s, 4);
    sum->diameter_mean_mm = sqlite3_column_double(s, 5);
    sum->diameter_min_mm = sqlite3_column_double(s, 6);
    sum->diameter_max_mm = sqlite3_column_double(s, 7);
    sum->weight_total_g = sqlite3_column_double(s, 8);
    sum->n_undersize = sqlite3_column_int64(s, 9);
    sum->n_below_floor = sqlite3_column_int64(s, 10);
    sum->undersize_weight_g = sqlite3_column_double(s, 11);
    sum->below_floor_weight_g = sqlite3_column_double(s, 12);
    sum->n_undersize_unweighed = sqlite3_column_int64(s, 13);
    sum->n_below_floor_unweighed = sqlite3_column_int64(s, 14);
    sum->n_weighed = sqlite3_column_int64(s, 15);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW) {
    pt_store_set_sqlite_error(store, rc, "grading statistics", error);
    goto out_clear;
  }

  s = pt_store_stmt(store, sql_stills, error);
  if (!s)
    goto out_clear;
  sqlite3_bind_int64(s, 1, grading_id);
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(sum->stills, pt_store_column_dup(s, 0));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read evidence stills", error);
    goto out_clear;
  }
  return TRUE;

out_clear:
  pt_grading_summary_clear(sum);
  return FALSE;
}

static void
class_stats_clear(gpointer data)
{
  g_free(((PtClassStats *)data)->klass);
}

GArray *
pt_store_grading_class_stats(PtStore *store, gint64 grading_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_class_stats, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, grading_id);
  g_autoptr(GArray) stats = g_array_new(FALSE, TRUE, sizeof(PtClassStats));
  g_array_set_clear_func(stats, class_stats_clear);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtClassStats c = {
        .klass = pt_store_column_dup(s, 0),
        .n_fruit = sqlite3_column_int64(s, 1),
        .diameter_mean_mm = sqlite3_column_double(s, 2),
        .diameter_min_mm = sqlite3_column_double(s, 3),
        .diameter_max_mm = sqlite3_column_double(s, 4),
        .ripe_mean = sqlite3_column_double(s, 5),
        .ripe_min = sqlite3_column_double(s, 6),
        .ripe_max = sqlite3_column_double(s, 7),
        .defect_area_mean_mm2 = sqlite3_column_double(s, 8),
        .defect_area_max_mm2 = sqlite3_column_double(s, 9),
    };
    g_array_append_val(stats, c);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "grading statistics per class", error);
    return NULL;
  }
  return g_steal_pointer(&stats);
}

void
pt_fruit_still_free(PtFruitStill *still)
{
  if (!still)
    return;
  g_free(still->klass);
  g_free(still->defect_kind);
  g_free(still->still);
  g_free(still);
}

static PtFruitStill *
still_from_row(sqlite3_stmt *s)
{
  PtFruitStill *f = g_new0(PtFruitStill, 1);
  f->fruit_id = sqlite3_column_int64(s, 0);
  f->graded_ns = sqlite3_column_int64(s, 1);
  f->klass = pt_store_column_dup(s, 2);
  f->defect_kind = pt_store_column_dup(s, 3);
  f->defect_area_mm2 = sqlite3_column_double(s, 4);
  f->diameter_mm = sqlite3_column_double(s, 5);
  f->still = pt_store_column_dup(s, 6);
  return f;
}

GPtrArray *
pt_store_grading_stills(PtStore *store, gint64 grading_id, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_still_list, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, grading_id);
  sqlite3_bind_int(s, 2, limit);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_fruit_still_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(list, still_from_row(s));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "list evidence stills", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}

PtFruitStill *
pt_store_grading_still_get(PtStore *store, gint64 grading_id, gint64 fruit_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_still_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, grading_id);
  sqlite3_bind_int64(s, 2, fruit_id);
  int rc = sqlite3_step(s);
  PtFruitStill *f = NULL;
  if (rc == SQLITE_ROW)
    f = still_from_row(s);
  else if (rc == SQLITE_DONE)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "grading %" G_GINT64_FORMAT " has no still of fruit %" G_GINT64_FORMAT, grading_id,
                fruit_id);
  else
    pt_store_set_sqlite_error(store, rc, "read an evidence still", error);
  sqlite3_reset(s);
  return f;
}
