/* pt-store-print.c: SQL of the print_jobs table (schema: migration 1 -> 2 in pt-store.c).
 * Workload: a few jobs per batch; the running station asks for due jobs and the next one
 * after each commit to station.db and at each job's next attempt, so those queries are index
 * lookups on (state, next_attempt_ns). */
#include "pt-store-print.h"

#include "pt-error.h"
#include "pt-store-private.h"

#define JOB_COLUMNS                                                                                \
  "j.id, j.batch_id, b.lot, j.template, j.printer, j.copies, j.state, j.attempts, j.last_error, "  \
  "j.created_ns, j.updated_ns, j.next_attempt_ns, j.sha256, length(j.job), j.error_kind"

static const char sql_insert[] =
    "INSERT INTO print_jobs (batch_id, template, format, printer, copies, state, attempts, "
    "created_ns, updated_ns, next_attempt_ns, job, sha256) "
    "VALUES (?, ?, 'zpl', ?, ?, 'queued', 0, ?, ?, ?, ?, ?)";
static const char sql_get[] = "SELECT " JOB_COLUMNS ", j.job FROM print_jobs j "
                              "JOIN batches b ON b.id = j.batch_id WHERE j.id = ?";
static const char sql_list[] = "SELECT " JOB_COLUMNS " FROM print_jobs j "
                               "JOIN batches b ON b.id = j.batch_id ORDER BY j.id DESC LIMIT ?";
static const char sql_ids[] =
    "SELECT id FROM print_jobs WHERE state = ? AND "
    "(next_attempt_ns IS NULL OR next_attempt_ns <= ?) ORDER BY id LIMIT ?";
static const char sql_next[] =
    "SELECT coalesce(min(coalesce(next_attempt_ns, 0)), -1) FROM print_jobs WHERE state = ?";
static const char sql_pending[] =
    "SELECT count(*) FROM print_jobs WHERE state NOT IN ('done', 'cancelled')";
static const char sql_transition[] =
    "UPDATE print_jobs SET state = ?1, last_error = coalesce(?2, last_error), "
    "error_kind = CASE WHEN ?2 IS NULL THEN error_kind ELSE ?8 END, "
    "next_attempt_ns = ?3, attempts = attempts + ?4, updated_ns = ?5 WHERE id = ?6 AND state = ?7";
/* A retrying or failed job is trouble; the newest one's error speaks for its printer. */
#define TROUBLE "((state = 'queued' AND attempts > 0) OR state = 'failed')"
static const char sql_queues[] =
    "SELECT p.printer, sum(p.state = 'queued'), sum(p.state = 'queued' AND p.attempts > 0), "
    "sum(p.state = 'printing'), sum(p.state = 'failed'), "
    "min(CASE WHEN " TROUBLE " THEN p.created_ns END), "
    "(SELECT t.last_error FROM print_jobs t WHERE t.printer = p.printer AND t.last_error IS NOT "
    "NULL AND (t.state = 'failed' OR (t.state = 'queued' AND t.attempts > 0)) "
    "ORDER BY t.updated_ns DESC LIMIT 1), "
    "(SELECT t.error_kind FROM print_jobs t WHERE t.printer = p.printer AND t.last_error IS NOT "
    "NULL AND (t.state = 'failed' OR (t.state = 'queued' AND t.attempts > 0)) "
    "ORDER BY t.updated_ns DESC LIMIT 1) "
    "FROM print_jobs p WHERE p.state IN ('queued', 'printing', 'failed') "
    "GROUP BY p.printer ORDER BY p.printer";

void
pt_print_job_free(PtPrintJob *job)
{
  if (!job)
    return;
  g_free(job->lot);
  g_free(job->template_);
  g_free(job->printer);
  g_free(job->state);
  g_free(job->last_error);
  g_free(job->error_kind);
  g_free(job->sha256);
  g_clear_pointer(&job->job, g_bytes_unref);
  g_free(job);
}

static PtPrintJob *
job_from_row(sqlite3_stmt *s, gboolean with_bytes)
{
  PtPrintJob *j = g_new0(PtPrintJob, 1);
  j->id = sqlite3_column_int64(s, 0);
  j->batch_id = sqlite3_column_int64(s, 1);
  j->lot = pt_store_column_dup(s, 2);
  j->template_ = pt_store_column_dup(s, 3);
  j->printer = pt_store_column_dup(s, 4);
  j->copies = sqlite3_column_int(s, 5);
  j->state = pt_store_column_dup(s, 6);
  j->attempts = sqlite3_column_int(s, 7);
  j->last_error = pt_store_column_dup(s, 8);
  j->created_ns = sqlite3_column_int64(s, 9);
  j->updated_ns = sqlite3_column_int64(s, 10);
  j->next_attempt_ns = sqlite3_column_int64(s, 11);
  j->sha256 = pt_store_column_dup(s, 12);
  j->job_len = (gsize)sqlite3_column_int64(s, 13);
  j->error_kind = pt_store_column_dup(s, 14);
  if (with_bytes)
    j->job = g_bytes_new(sqlite3_column_blob(s, 15), (gsize)sqlite3_column_bytes(s, 15));
  return j;
}

gboolean
pt_store_print_job_insert(PtStore *store, PtPrintJob *job, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_insert, error);
  if (!s)
    return FALSE;
  gsize len;
  const void *data = g_bytes_get_data(job->job, &len);
  sqlite3_bind_int64(s, 1, job->batch_id);
  sqlite3_bind_text(s, 2, job->template_, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 3, job->printer, -1, SQLITE_STATIC);
  sqlite3_bind_int(s, 4, job->copies);
  sqlite3_bind_int64(s, 5, job->created_ns);
  sqlite3_bind_int64(s, 6, job->created_ns);
  sqlite3_bind_int64(s, 7, job->next_attempt_ns);
  sqlite3_bind_blob64(s, 8, data, len, SQLITE_STATIC);
  sqlite3_bind_text(s, 9, job->sha256, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "insert print job", error);
  job->id = sqlite3_last_insert_rowid(pt_store_db(store));
  job->job_len = len;
  g_free(job->state);
  job->state = g_strdup(PT_PRINT_JOB_QUEUED);
  return TRUE;
}

PtPrintJob *
pt_store_print_job_get(PtStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, id);
  int rc = sqlite3_step(s);
  PtPrintJob *j = NULL;
  if (rc == SQLITE_ROW)
    j = job_from_row(s, TRUE);
  else if (rc == SQLITE_DONE)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no print job %" G_GINT64_FORMAT, id);
  else
    pt_store_set_sqlite_error(store, rc, "read print job", error);
  sqlite3_reset(s);
  return j;
}

GPtrArray *
pt_store_print_job_list(PtStore *store, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_list, error);
  if (!s)
    return NULL;
  sqlite3_bind_int(s, 1, limit);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_print_job_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(list, job_from_row(s, FALSE));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "list print jobs", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}

GArray *
pt_store_print_job_ids(PtStore *store, const char *state, gint64 now_ns, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_ids, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 2, now_ns);
  sqlite3_bind_int(s, 3, limit);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    gint64 id = sqlite3_column_int64(s, 0);
    g_array_append_val(ids, id);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read due print jobs", error);
    return NULL;
  }
  return g_steal_pointer(&ids);
}

gboolean
pt_store_print_job_next(PtStore *store, const char *state, gint64 *next_ns_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_next, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, state, -1, SQLITE_STATIC);
  return pt_store_step_int64(store, s, "read the next print job", next_ns_out, error);
}

gboolean
pt_store_print_job_count_pending(PtStore *store, gint64 *n_out, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_pending, error);
  if (!s)
    return FALSE;
  return pt_store_step_int64(store, s, "count print jobs", n_out, error);
}

gboolean
pt_store_print_job_transition(PtStore *store, gint64 id, const char *from, const char *to,
                              const char *last_error, const char *error_kind,
                              gint64 next_attempt_ns, gboolean count_attempt, gint64 now_ns,
                              gboolean *changed, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_transition, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, to, -1, SQLITE_STATIC);
  if (last_error)
    sqlite3_bind_text(s, 2, last_error, -1, SQLITE_TRANSIENT);
  if (next_attempt_ns)
    sqlite3_bind_int64(s, 3, next_attempt_ns);
  sqlite3_bind_int(s, 4, count_attempt ? 1 : 0);
  sqlite3_bind_int64(s, 5, now_ns);
  sqlite3_bind_int64(s, 6, id);
  sqlite3_bind_text(s, 7, from, -1, SQLITE_STATIC);
  if (error_kind)
    sqlite3_bind_text(s, 8, error_kind, -1, SQLITE_STATIC);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "update print job", error);
  *changed = sqlite3_changes(pt_store_db(store)) == 1;
  return TRUE;
}

void
pt_printer_queue_free(PtPrinterQueue *queue)
{
  if (!queue)
    return;
  g_free(queue->printer);
  g_free(queue->last_error);
  g_free(queue->error_kind);
  g_free(queue);
}

GPtrArray *
pt_store_print_queues(PtStore *store, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_queues, error);
  if (!s)
    return NULL;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_printer_queue_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtPrinterQueue *q = g_new0(PtPrinterQueue, 1);
    q->printer = pt_store_column_dup(s, 0);
    q->queued = sqlite3_column_int64(s, 1);
    q->retrying = sqlite3_column_int64(s, 2);
    q->printing = sqlite3_column_int64(s, 3);
    q->failed = sqlite3_column_int64(s, 4);
    q->since_ns = sqlite3_column_int64(s, 5);
    q->last_error = pt_store_column_dup(s, 6);
    q->error_kind = pt_store_column_dup(s, 7);
    g_ptr_array_add(list, q);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "read the print queue by printer", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}
