/* pt-print-queue.c: claims, sends, retries and recovery of label print jobs, and the
 * worker that retries them under `packtrace run` (design in pt-print-queue.h).
 * Workload: a handful of jobs per batch; a pass every second that usually finds
 * nothing due. */
#include "pt-print-queue.h"

#include "pt-batch-signed.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-label-batch.h"
#include "pt-limits.h"
#include "pt-print.h"
#include "pt-store-watch.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#define LOCK_DIR "print-locks"

static char *
lock_path(PtStation *station, gint64 id)
{
  g_autofree char *name = g_strdup_printf("%" G_GINT64_FORMAT ".lock", id);
  return g_build_filename(station->dir, LOCK_DIR, name, NULL);
}

/* Takes the job's lock without waiting.  *@fd_out is the locked descriptor, or -1
 * when another process (or thread) holds it, or, without @create, when there is no
 * lock file. */
static gboolean
job_lock(PtStation *station, gint64 id, gboolean create, int *fd_out, GError **error)
{
  g_autofree char *path = lock_path(station, id);
  *fd_out = -1;
  if (create) {
    g_autofree char *dir = g_path_get_dirname(path);
    if (g_mkdir_with_parents(dir, 0700) != 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", dir, g_strerror(errno));
      return FALSE;
    }
  }
  int fd = open(path, O_RDWR | O_CLOEXEC | (create ? O_CREAT : 0), 0600);
  if (fd < 0 && !create && errno == ENOENT)
    return TRUE;
  if (fd < 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot open %s: %s", path, g_strerror(errno));
    return FALSE;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int e = errno;
    close(fd);
    if (e == EWOULDBLOCK)
      return TRUE;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot lock %s: %s", path, g_strerror(e));
    return FALSE;
  }
  *fd_out = fd;
  return TRUE;
}

/* Removes the lock file while still holding it, then lets go: whoever opens the path
 * afterwards finds nothing, which recovery reads as "owner gone" only for a job whose
 * state, written before this, still says printing. */
static void
job_unlock(PtStation *station, gint64 id, int fd)
{
  g_autofree char *path = lock_path(station, id);
  g_unlink(path);
  close(fd);
}

/* Inserts @job unless the queue is full. */
static gboolean
insert_job(PtStore *store, PtPrintJob *job, GError **error)
{
  gint64 pending = 0;
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!pt_store_print_job_count_pending(store, &pending, error))
    goto out_rollback;
  if (pending >= PT_PRINT_QUEUE_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "the print queue is full: %" G_GINT64_FORMAT " jobs are not done yet (at most %d)",
                pending, PT_PRINT_QUEUE_MAX);
    goto out_rollback;
  }
  if (!pt_store_print_job_insert(store, job, error) || !pt_store_commit(store, error))
    goto out_rollback;
  return TRUE;

out_rollback:
  pt_store_rollback(store);
  return FALSE;
}

/* @reason_out receives (transfer full) (nullable) why @batch's label may not be printed,
 * by its signed record. */
static gboolean
signed_refusal(PtStation *station, PtStore *store, const PtBatch *batch, char **reason_out,
               GError **error)
{
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, error))
    return FALSE;
  *reason_out = pt_batch_signed_refusal(&st, "printed");
  return TRUE;
}

PtPrintJob *
pt_print_queue_add(PtStation *station, PtStore *store, const PtBatch *batch,
                   PtLabelTemplate template_, const char *printer, guint copies, GError **error)
{
  /* The signed record decides and is what the label says, whatever the row was set to. */
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, error))
    return NULL;
  g_autofree char *refused = pt_batch_signed_refusal(&st, "printed");
  if (refused) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s", refused);
    return NULL;
  }
  g_autoptr(GBytes) zpl =
      pt_batch_label_render(station->config, st.facts, template_, PT_LABEL_ZPL, 0, copies, error);
  if (!zpl)
    return NULL;
  g_autoptr(PtPrintJob) job = g_new0(PtPrintJob, 1);
  job->batch_id = batch->id;
  job->lot = g_strdup(batch->lot);
  job->template_ = g_strdup(pt_label_template_to_string(template_));
  job->printer = g_strdup(printer);
  job->copies = copies ? (int)copies : 1;
  job->created_ns = job->updated_ns = job->next_attempt_ns = pt_now_ns();
  job->sha256 = pt_label_sha256(zpl);
  job->job = g_steal_pointer(&zpl);
  if (!insert_job(store, job, error))
    return NULL;
  return g_steal_pointer(&job);
}

/* queued -> printing, and the job with its bytes.  *@job_out stays NULL when the job
 * is not queued. */
static gboolean
claim(PtStore *store, gint64 id, PtPrintJob **job_out, GError **error)
{
  gboolean changed = FALSE;
  *job_out = NULL;
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!pt_store_print_job_transition(store, id, PT_PRINT_JOB_QUEUED, PT_PRINT_JOB_PRINTING, NULL,
                                     NULL, 0, TRUE, pt_now_ns(), &changed, error))
    goto out_rollback;
  if (changed && !(*job_out = pt_store_print_job_get(store, id, error)))
    goto out_rollback;
  if (!pt_store_commit(store, error))
    goto out_rollback;
  return TRUE;

out_rollback:
  pt_store_rollback(store);
  g_clear_pointer(job_out, pt_print_job_free);
  return FALSE;
}

/* The print event.  Printing a label is an ObjectEvent OBSERVE with bizStep
 * "encoding": CBV's step for writing an identifier into a barcode (or tag), and the
 * label is exactly that for the batch's class-level identifier (GTIN + lot, as the
 * Digital Link QR and the GS1-128).  The identifier was commissioned with the batch,
 * so the action is OBSERVE, not ADD, and there is no "encoded" disposition (CBV keeps
 * it for identifiers not yet tied to an object).  Not "packing": that step is
 * aggregation into containers, which printing a label does not do. */
static json_t *
print_event(const PtConfig *config, const PtBatch *batch, const PtPrintJob *job, gint64 now)
{
  json_t *ev = pt_epcis_event_new(config, batch, "encoding", now, 0, NULL);
  json_object_set_new(ev, "pt:labelTemplate", json_string(job->template_));
  json_object_set_new(ev, "pt:labelFormat", json_string("zpl"));
  json_object_set_new(ev, "pt:printer", json_string(job->printer));
  json_object_set_new(ev, "pt:copies", json_integer(job->copies));
  json_object_set_new(ev, "pt:labelSha256", json_string(job->sha256));
  json_object_set_new(ev, "pt:printJob", json_integer(job->id));
  return ev;
}

/* printing -> done with the event, in one transaction. */
static gboolean
record_done(PtStation *station, PtStore *store, const PtPrintJob *job, GError **error)
{
  gint64 now = pt_now_ns();
  gboolean changed = FALSE;
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!pt_store_print_job_transition(store, job->id, PT_PRINT_JOB_PRINTING, PT_PRINT_JOB_DONE, NULL,
                                     NULL, 0, FALSE, now, &changed, error))
    goto out_rollback;
  if (!changed) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "print job %" G_GINT64_FORMAT " changed state while this process held its lock",
                job->id);
    goto out_rollback;
  }
  PtBatch *batch = pt_store_batch_get(store, job->batch_id, error);
  if (!batch)
    goto out_rollback;
  json_t *ev = print_event(station->config, batch, job, now);
  gboolean ok = pt_trace_append(store, station->keys, batch->id, "encoding", now, ev, NULL, error);
  json_decref(ev);
  pt_batch_free(batch);
  if (!ok || !pt_store_commit(store, error))
    goto out_rollback;
  return TRUE;

out_rollback:
  pt_store_rollback(store);
  return FALSE;
}

static gint64
backoff_ns(int attempts)
{
  gint64 ms = PT_PRINT_RETRY_MIN_MS;
  for (int i = 1; i < attempts && ms < PT_PRINT_RETRY_MAX_MS; i++)
    ms *= 2;
  return MIN(ms, PT_PRINT_RETRY_MAX_MS) * G_GINT64_CONSTANT(1000000);
}

/* printing -> @to with @reason (of kind @kind, see pt-store-print.h); queued again after the
 * backoff for @to == queued. */
static gboolean
record_not_printed(PtStore *store, const PtPrintJob *job, const char *to, const char *reason,
                   const char *kind, GError **error)
{
  gint64 now = pt_now_ns();
  gint64 next = strcmp(to, PT_PRINT_JOB_QUEUED) == 0 ? now + backoff_ns(job->attempts) : 0;
  gboolean changed = FALSE;
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!pt_store_print_job_transition(store, job->id, PT_PRINT_JOB_PRINTING, to, reason, kind, next,
                                     FALSE, now, &changed, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  return TRUE;
}

/* The kind of a failed send, as pt-store-print.h names them. */
static const char *
error_kind(const GError *send_error)
{
  if (send_error->domain != PT_PRINT_ERROR)
    return "connect";
  switch ((PtPrintError)send_error->code) {
  case PT_PRINT_ERROR_ADDRESS:
    return "address";
  case PT_PRINT_ERROR_CONNECT:
    return "connect";
  case PT_PRINT_ERROR_TIMEOUT:
    return "timeout";
  case PT_PRINT_ERROR_CLOSED:
    return "closed";
  case PT_PRINT_ERROR_TOO_LARGE:
    return "too-large";
  }
  return "connect";
}

gboolean
pt_print_queue_attempt(PtStation *station, PtStore *store, gint64 id, PtPrintOutcome *outcome,
                       char **reason, GError **error)
{
  const PtLabelSettings *settings = station->config->labels;
  PtPrintJob *job = NULL;
  PtBatch *batch = NULL;
  GError *send_error = NULL;
  gboolean ok = FALSE;
  int fd;
  *outcome = PT_PRINT_OUTCOME_SKIPPED;
  *reason = NULL;
  if (!job_lock(station, id, TRUE, &fd, error))
    return FALSE;
  if (fd < 0)
    return TRUE;
  if (!claim(store, id, &job, error))
    goto out_unlock;
  if (!job) {
    ok = TRUE;
    goto out_unlock;
  }
  /* A batch held or recalled after the job was queued: its label must not go out. */
  batch = pt_store_batch_get(store, job->batch_id, error);
  if (!batch)
    goto out_free_job;
  if (!signed_refusal(station, store, batch, reason, error))
    goto out_free_batch;
  if (*reason) {
    *outcome = PT_PRINT_OUTCOME_FAILED;
    ok = record_not_printed(store, job, PT_PRINT_JOB_FAILED, *reason, "refused", error);
    goto out_free_batch;
  }
  PtPrintOptions options = {.connect_timeout_ms = settings->connect_timeout_ms,
                            .io_timeout_ms = settings->io_timeout_ms};
  if (pt_print_send(job->printer, job->job, &options, &send_error)) {
    *outcome = PT_PRINT_OUTCOME_DONE;
    ok = record_done(station, store, job, error);
    if (!ok)
      g_prefix_error(error,
                     "print job %" G_GINT64_FORMAT " was sent to %s but could not be recorded, "
                     "so it stays 'printing' and will be marked failed, never re-sent: ",
                     job->id, job->printer);
    goto out_free_batch;
  }
  *reason = g_strdup(send_error->message);
  *outcome = PT_PRINT_OUTCOME_RETRY;
  const char *kind = error_kind(send_error);
  g_error_free(send_error);
  ok = record_not_printed(store, job, PT_PRINT_JOB_QUEUED, *reason, kind, error);

out_free_batch:
  pt_batch_free(batch);
out_free_job:
  pt_print_job_free(job);
out_unlock:
  job_unlock(station, id, fd);
  return ok;
}

/* Whether job @id's owner is gone; then *@fd_out may hold its (now our) lock. */
static gboolean
owner_gone(PtStation *station, gint64 id, gboolean *gone, int *fd_out, GError **error)
{
  char *path = lock_path(station, id);
  gboolean exists = g_file_test(path, G_FILE_TEST_EXISTS);
  g_free(path);
  if (!job_lock(station, id, FALSE, fd_out, error))
    return FALSE;
  /* A file nobody holds: the owner died holding it.  No file: removed by hand
   * (owners create it before they claim the job). */
  *gone = *fd_out >= 0 || !exists;
  return TRUE;
}

gboolean
pt_print_queue_recover(PtStation *station, PtStore *store, guint *n_out, GError **error)
{
  static const char reason[] =
      "interrupted while printing: the printer may already have printed it, so it is not "
      "re-sent automatically; check the printer, then `packtrace label jobs --requeue ID`";
  GArray *ids = pt_store_print_job_ids(store, PT_PRINT_JOB_PRINTING, G_MAXINT64, 1, error);
  if (!ids)
    return FALSE;
  /* Nearly every pass finds none: look before taking the write lock. */
  gboolean none = ids->len == 0;
  g_clear_pointer(&ids, g_array_unref);
  if (n_out)
    *n_out = 0;
  if (none)
    return TRUE;
  GArray *locks = g_array_new(FALSE, FALSE, sizeof(int));
  GArray *locked_ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  guint n = 0;
  gboolean ok = FALSE;
  /* Under the write lock no owner can write its result, so "printing" read here
   * stays true while its owner's lock tells whether the owner is alive. */
  if (!pt_store_begin(store, error))
    goto out_free;
  ids = pt_store_print_job_ids(store, PT_PRINT_JOB_PRINTING, G_MAXINT64, PT_PRINT_QUEUE_MAX, error);
  if (!ids)
    goto out_release;
  for (guint i = 0; i < ids->len; i++) {
    gint64 id = g_array_index(ids, gint64, i);
    int fd = -1;
    gboolean gone = FALSE, changed = FALSE;
    if (!owner_gone(station, id, &gone, &fd, error))
      goto out_release;
    if (fd >= 0) {
      g_array_append_val(locks, fd);
      g_array_append_val(locked_ids, id);
    }
    if (!gone)
      continue;
    if (!pt_store_print_job_transition(store, id, PT_PRINT_JOB_PRINTING, PT_PRINT_JOB_FAILED,
                                       reason, "interrupted", 0, FALSE, pt_now_ns(), &changed,
                                       error))
      goto out_release;
    n += changed;
  }
  ok = pt_store_commit(store, error);

out_release:
  if (!ok)
    pt_store_rollback(store);
  for (guint i = 0; i < locks->len; i++)
    job_unlock(station, g_array_index(locked_ids, gint64, i), g_array_index(locks, int, i));
out_free:
  if (ids)
    g_array_unref(ids);
  g_array_unref(locks);
  g_array_unref(locked_ids);
  if (ok && n_out)
    *n_out = n;
  return ok;
}

gboolean
pt_print_queue_pass(PtStation *station, PtStore *store, gboolean force, PtPrintPassStats *stats,
                    GCancellable *cancellable, GError **error)
{
  memset(stats, 0, sizeof *stats);
  if (!pt_print_queue_recover(station, store, &stats->recovered, error))
    return FALSE;
  g_autoptr(GArray) ids = pt_store_print_job_ids(
      store, PT_PRINT_JOB_QUEUED, force ? G_MAXINT64 : pt_now_ns(), PT_PRINT_PASS_MAX, error);
  if (!ids)
    return FALSE;
  for (guint i = 0; i < ids->len && !g_cancellable_is_cancelled(cancellable); i++) {
    gint64 id = g_array_index(ids, gint64, i);
    PtPrintOutcome outcome;
    g_autofree char *reason = NULL;
    if (!pt_print_queue_attempt(station, store, id, &outcome, &reason, error))
      return FALSE;
    switch (outcome) {
    case PT_PRINT_OUTCOME_DONE:
      stats->done++;
      g_message("print job %" G_GINT64_FORMAT " printed", id);
      break;
    case PT_PRINT_OUTCOME_RETRY:
      stats->retry++;
      g_message("print job %" G_GINT64_FORMAT " waits for a retry: %s", id, reason);
      break;
    case PT_PRINT_OUTCOME_FAILED:
      stats->failed++;
      g_message("print job %" G_GINT64_FORMAT " failed: %s", id, reason);
      break;
    case PT_PRINT_OUTCOME_SKIPPED:
      break;
    }
  }
  return TRUE;
}

/* Moves job @id from the first of @from that it is in to @to, due at @next_ns (0: none).
 * Fails with PT_ERROR_CONFLICT (saying @why) when it is in none of them, PT_ERROR_NOT_FOUND
 * when there is no such job. */
static gboolean
move_job(PtStore *store, gint64 id, const char *const *from, const char *to, gint64 next_ns,
         const char *why, GError **error)
{
  PtPrintJob *job = NULL;
  gboolean changed = FALSE;
  gint64 now = pt_now_ns();
  if (!pt_store_begin(store, error))
    return FALSE;
  for (guint i = 0; from[i] && !changed; i++)
    if (!pt_store_print_job_transition(store, id, from[i], to, NULL, NULL, next_ns, FALSE, now,
                                       &changed, error))
      goto out_rollback;
  if (!changed) {
    job = pt_store_print_job_get(store, id, error);
    if (job)
      g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "print job %" G_GINT64_FORMAT " is %s: %s",
                  id, job->state, why);
    goto out_rollback;
  }
  return pt_store_commit(store, error);

out_rollback:
  pt_store_rollback(store);
  pt_print_job_free(job);
  return FALSE;
}

gboolean
pt_print_queue_requeue(PtStore *store, gint64 id, GError **error)
{
  static const char *const from[] = {PT_PRINT_JOB_FAILED, PT_PRINT_JOB_QUEUED, NULL};
  return move_job(store, id, from, PT_PRINT_JOB_QUEUED, pt_now_ns(),
                  "only a failed or waiting job is retried", error);
}

gboolean
pt_print_queue_cancel(PtStore *store, gint64 id, GError **error)
{
  static const char *const from[] = {PT_PRINT_JOB_QUEUED, PT_PRINT_JOB_FAILED, NULL};
  /* A job being sent may be on paper already: it finishes (done, or queued or failed again,
   * and then it can be cancelled). */
  return move_job(store, id, from, PT_PRINT_JOB_CANCELLED, 0,
                  "only a waiting or failed job is cancelled; a job being printed cannot be, "
                  "try again once its attempt is over",
                  error);
}

struct _PtPrintWorker {
  PtStation *station;
  PtStore *store; /* used by one pass at a time, on the pass's thread */
  GCancellable *cancellable;
  GSource *timer;         /* the next attempt due (ready time), -1: none */
  GFileMonitor *db_watch; /* a job queued, requeued or finished, here or by the CLI */
  gboolean busy;          /* a pass is running; read and written on the main context only */
  gboolean again;         /* something changed while it ran: one more pass after it */
};

/* Pass thread: when the next pass is due with nothing else happening (monotonic us, -1:
 * never): a waiting job's next attempt, or while a job is being printed (maybe by a process
 * that dies, which writes nothing) PT_PRINT_POLL_MS, so its owner's death is noticed.  A
 * job queued or requeued is a commit, which the watch reports; without the watch the queue
 * is looked at every PT_PRINT_POLL_MS as before. */
static gint64
next_pass(PtPrintWorker *w)
{
  g_autoptr(GError) error = NULL;
  gint64 now = pt_now_ns(), next = -1, printing = -1;
  gint64 poll_ns = PT_PRINT_POLL_MS * G_GINT64_CONSTANT(1000000);
  if (!w->store || !pt_store_print_job_next(w->store, PT_PRINT_JOB_QUEUED, &next, &error) ||
      !pt_store_print_job_next(w->store, PT_PRINT_JOB_PRINTING, &printing, &error)) {
    if (error)
      g_warning("print queue: %s", error->message);
    next = now + poll_ns;
  }
  if (printing >= 0 || w->db_watch == NULL)
    next = next < 0 ? now + poll_ns : MIN(next, now + poll_ns);
  if (next < 0)
    return -1;
  /* A job due now that the pass could not take (the database busy, another process on it)
   * is tried again after a pause, not in a loop. */
  next = MAX(next, now + PT_PRINT_WAKE_RATE_MS * G_GINT64_CONSTANT(1000000));
  return g_get_monotonic_time() + (next - now) / 1000 + 1000;
}

static void
pass_thread(GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  PtPrintWorker *w = task_data;
  g_autoptr(GError) error = NULL;
  PtPrintPassStats stats = {0};
  if (!w->store)
    w->store = pt_station_store(w->station, &error);
  if (!w->store || !pt_print_queue_pass(w->station, w->store, FALSE, &stats, cancellable, &error))
    g_warning("print queue: %s", error->message);
  /* A full pass may have left due jobs: the next follows at once. */
  g_task_return_int(task, stats.done + stats.retry + stats.failed >= PT_PRINT_PASS_MAX
                              ? g_get_monotonic_time()
                              : next_pass(w));
}

static void start_pass(PtPrintWorker *w);

static void
pass_done(GObject *source, GAsyncResult *result, gpointer user_data)
{
  PtPrintWorker *w = user_data;
  gint64 next = g_task_propagate_int(G_TASK(result), NULL);
  w->busy = FALSE;
  g_source_set_ready_time(w->timer, next);
  if (w->again)
    start_pass(w);
}

static void
start_pass(PtPrintWorker *w)
{
  if (w->busy) {
    w->again = TRUE;
    return;
  }
  if (g_cancellable_is_cancelled(w->cancellable))
    return;
  w->busy = TRUE;
  w->again = FALSE;
  g_source_set_ready_time(w->timer, -1);
  GTask *task = g_task_new(NULL, w->cancellable, pass_done, w);
  g_task_set_task_data(task, w, NULL);
  g_task_run_in_thread(task, pass_thread);
  g_object_unref(task);
}

static gboolean
on_timer(gpointer user_data)
{
  start_pass(user_data);
  return G_SOURCE_CONTINUE;
}

static void
on_db_changed(gpointer user_data)
{
  start_pass(user_data);
}

static gboolean
timer_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  return callback(data);
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

PtPrintWorker *
pt_print_worker_start(PtStation *station)
{
  g_autoptr(GError) error = NULL;
  PtPrintWorker *w = g_new0(PtPrintWorker, 1);
  w->station = station;
  w->cancellable = g_cancellable_new();
  w->timer = g_source_new(&timer_funcs, sizeof(GSource));
  g_source_set_callback(w->timer, on_timer, w, NULL);
  g_source_attach(w->timer, g_main_context_get_thread_default());
  w->db_watch =
      pt_store_watch_new(station->db_path, PT_PRINT_WAKE_RATE_MS, on_db_changed, w, &error);
  if (!w->db_watch)
    g_warning("print queue: cannot watch station.db (%s): looked at every %d ms", error->message,
              PT_PRINT_POLL_MS);
  /* Jobs left by a stop or an outage are looked at right away. */
  start_pass(w);
  return w;
}

void
pt_print_worker_stop(PtPrintWorker *w)
{
  if (!w)
    return;
  if (w->db_watch) {
    g_file_monitor_cancel(w->db_watch);
    g_object_unref(w->db_watch);
  }
  g_cancellable_cancel(w->cancellable);
  while (w->busy)
    g_main_context_iteration(NULL, TRUE);
  g_source_destroy(w->timer);
  g_source_unref(w->timer);
  pt_store_close(w->store);
  g_object_unref(w->cancellable);
  g_free(w);
}
