/* pt-store-dash.c: SQL of the dashboard's summaries (see pt-store-dash.h).  The dashboard
 * asks every few seconds; the print statements read the print_jobs table once, which stays
 * small (a few jobs per batch); a batch's last grade is one indexed look-up of its gradings;
 * the held batches on open loads walk the open loads' rows of
 * load_batches (a truck's worth each) by their primary key. */
#include "pt-store-dash.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

static const char sql_counts[] =
    "SELECT state, count(*), sum(state = 'queued' AND attempts > 0) FROM print_jobs GROUP BY state";

static const char sql_held_on_open[] =
    "SELECT l.id, l.plate, b.id, b.lot, b.status, b.status_reason FROM loads l "
    "JOIN load_batches lb ON lb.load_id = l.id JOIN batches b ON b.id = lb.batch_id "
    "WHERE l.closed_ns IS NULL AND b.status IN ('held', 'recalled') ORDER BY l.id, b.lot LIMIT ?";

static const char sql_last_grade[] =
    "SELECT declared_class, disposition, closed_ns FROM gradings "
    "WHERE batch_id = ? AND closed_ns IS NOT NULL ORDER BY closed_ns DESC, id DESC LIMIT 1";

static const char sql_recorded[] = "SELECT coalesce(sum(bytes), 0) FROM segments "
                                   "WHERE state IN ('closed', 'recovered')";
static const char sql_job_state[] =
    "SELECT j.id, j.batch_id, b.lot, j.printer, j.copies, j.state, j.attempts, j.last_error, "
    "j.error_kind, j.template, j.created_ns, j.updated_ns FROM print_jobs j JOIN batches b ON b.id "
    "= j.batch_id WHERE j.id = ?";

gboolean
pt_store_print_summary(PtStore *store, PtPrintSummary *out, GError **error)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s = pt_store_stmt(store, sql_counts, error);
  if (!s)
    return FALSE;
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *state = (const char *)sqlite3_column_text(s, 0);
    gint64 n = sqlite3_column_int64(s, 1);
    if (g_strcmp0(state, "queued") == 0)
      out->queued = n;
    else if (g_strcmp0(state, "printing") == 0)
      out->printing = n;
    else if (g_strcmp0(state, "done") == 0)
      out->done = n;
    else if (g_strcmp0(state, "failed") == 0)
      out->failed = n;
    else if (g_strcmp0(state, "cancelled") == 0)
      out->cancelled = n;
    out->retrying += sqlite3_column_int64(s, 2);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "count print jobs", error);
  return TRUE;
}

gboolean
pt_store_recorded_bytes(PtStore *store, gint64 *bytes_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_recorded, error);
  return s && pt_store_step_int64(store, s, "sum recorded bytes", bytes_out, error);
}

GPtrArray *
pt_store_print_jobs_by_id(PtStore *store, GArray *ids, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_job_state, error);
  if (!s)
    return NULL;
  g_autoptr(GPtrArray) jobs = g_ptr_array_new_with_free_func((GDestroyNotify)pt_print_job_free);
  for (guint i = 0; i < ids->len; i++) {
    sqlite3_bind_int64(s, 1, g_array_index(ids, gint64, i));
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
      PtPrintJob *j = g_new0(PtPrintJob, 1);
      j->id = sqlite3_column_int64(s, 0);
      j->batch_id = sqlite3_column_int64(s, 1);
      j->lot = pt_store_column_dup(s, 2);
      j->printer = pt_store_column_dup(s, 3);
      j->copies = sqlite3_column_int(s, 4);
      j->state = pt_store_column_dup(s, 5);
      j->attempts = sqlite3_column_int(s, 6);
      j->last_error = pt_store_column_dup(s, 7);
      j->error_kind = pt_store_column_dup(s, 8);
      j->template_ = pt_store_column_dup(s, 9);
      j->created_ns = sqlite3_column_int64(s, 10);
      j->updated_ns = sqlite3_column_int64(s, 11);
      g_ptr_array_add(jobs, j);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      pt_store_set_sqlite_error(store, rc, "read print jobs", error);
      return NULL;
    }
  }
  return g_steal_pointer(&jobs);
}

void
pt_dash_held_free(PtDashHeld *held)
{
  if (!held)
    return;
  g_free(held->plate);
  g_free(held->lot);
  g_free(held->status);
  g_free(held->reason);
  g_free(held);
}

GPtrArray *
pt_store_held_on_open_loads(PtStore *store, int max, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_held_on_open, error);
  if (!s)
    return NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_dash_held_free);
  sqlite3_bind_int(s, 1, max);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtDashHeld *h = g_new0(PtDashHeld, 1);
    h->load_id = sqlite3_column_int64(s, 0);
    h->plate = pt_store_column_dup(s, 1);
    h->batch_id = sqlite3_column_int64(s, 2);
    h->lot = pt_store_column_dup(s, 3);
    h->status = pt_store_column_dup(s, 4);
    h->reason = pt_store_column_dup(s, 5);
    g_ptr_array_add(list, h);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read the held batches on open loads", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}

void
pt_dash_grade_free(PtDashGrade *grade)
{
  if (!grade)
    return;
  g_free(grade->declared_class);
  g_free(grade->disposition);
  g_free(grade);
}

GPtrArray *
pt_store_last_grades(PtStore *store, GArray *batch_ids, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_last_grade, error);
  if (!s)
    return NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_dash_grade_free);
  for (guint i = 0; i < batch_ids->len; i++) {
    gint64 id = g_array_index(batch_ids, gint64, i);
    sqlite3_bind_int64(s, 1, id);
    int rc = sqlite3_step(s);
    if (rc == SQLITE_ROW) {
      PtDashGrade *g = g_new0(PtDashGrade, 1);
      g->batch_id = id;
      g->declared_class = pt_store_column_dup(s, 0);
      g->disposition = pt_store_column_dup(s, 1);
      g->closed_ns = sqlite3_column_int64(s, 2);
      g_ptr_array_add(list, g);
    }
    sqlite3_reset(s);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
      pt_store_set_sqlite_error(store, rc, "read the last grades", error);
      return NULL;
    }
  }
  return g_steal_pointer(&list);
}
