/* pt-print-queue.h: label print jobs that survive printer outages and restarts.
 *
 * A job is the ZPL of one label (with its copies) for one printer, kept in the store
 * before the first byte is sent.  An attempt claims the job (queued -> printing) under
 * the write lock, sends it outside any transaction, then records the result: done
 * together with the batch's signed print event, or queued again with the printer's
 * error and a doubling backoff (PT_PRINT_RETRY_MIN_MS .. PT_PRINT_RETRY_MAX_MS).
 *
 * Each job prints once.  A done job is never sent again.  A job found 'printing'
 * whose process is gone (the station stopped, or the result could not be written
 * after the send) may or may not be on paper: raw port 9100 has no job ids to ask
 * the printer about, so re-sending could print it twice.  Recovery marks it failed
 * and leaves the decision to an operator (`packtrace label jobs --requeue ID`, or --cancel ID,
 * or the dashboard's buttons).
 * "Process is gone" is told by an flock() on print-locks/ID.lock in the data
 * directory, held from before the claim until after the result is written; the
 * kernel drops it when the process dies, so no pid or timeout guessing is needed. */
#pragma once

#include "pt-label.h"
#include "pt-station.h"
#include "pt-store-print.h"

#include <gio/gio.h>
#include <glib.h>

G_BEGIN_DECLS

/* Renders @batch's ZPL (@template_, @copies) and queues it for @printer (host[:port]),
 * due now.  Refuses a batch that is held or recalled, and a full queue.
 * Returns: (transfer full): the new job. */
PtPrintJob *pt_print_queue_add(PtStation *station, PtStore *store, const PtBatch *batch,
                               PtLabelTemplate template_, const char *printer, guint copies,
                               GError **error);

typedef enum {
  PT_PRINT_OUTCOME_SKIPPED, /* not queued (done, failed) or another process has it */
  PT_PRINT_OUTCOME_DONE,    /* the printer took it; the event is in the log */
  PT_PRINT_OUTCOME_RETRY,   /* the printer failed; the job waits for its next attempt */
  PT_PRINT_OUTCOME_FAILED,  /* given up without sending (the batch is no longer active) */
} PtPrintOutcome;

/* One attempt at job @id.  Blocks for up to the printer timeouts: never call it on
 * the main loop.  @reason: (out) (transfer full) (nullable): why the attempt did not
 * print.  Returns FALSE only when the store or the lock file failed. */
gboolean pt_print_queue_attempt(PtStation *station, PtStore *store, gint64 id,
                                PtPrintOutcome *outcome, char **reason, GError **error);

/* Marks jobs left 'printing' by a process that is gone as failed.  @n_out: (nullable). */
gboolean pt_print_queue_recover(PtStation *station, PtStore *store, guint *n_out, GError **error);

typedef struct {
  guint recovered, done, retry, failed;
} PtPrintPassStats;

/* Recovers, then attempts the queued jobs that are due (every queued job with
 * @force), at most PT_PRINT_PASS_MAX, stopping early when @cancellable fires. */
gboolean pt_print_queue_pass(PtStation *station, PtStore *store, gboolean force,
                             PtPrintPassStats *stats, GCancellable *cancellable, GError **error);

/* Puts failed job @id back in the queue, due now; a job waiting for its next attempt is made
 * due now.  PT_ERROR_CONFLICT for a job in another state, PT_ERROR_NOT_FOUND for none. */
gboolean pt_print_queue_requeue(PtStore *store, gint64 id, GError **error);

/* Takes queued or failed job @id out of the queue (state cancelled): it is never sent.  A job
 * being printed (or done, or cancelled) is refused with PT_ERROR_CONFLICT; none with
 * PT_ERROR_NOT_FOUND. */
gboolean pt_print_queue_cancel(PtStore *store, gint64 id, GError **error);

/* The retry loop of `packtrace run`: on the thread-default main context, a commit to
 * station.db (a job queued or requeued, here or by the CLI; pt-store-watch.h) or the next
 * attempt's deadline starts a pass on a worker thread (GTask), or one more after the running
 * one; nothing wakes it while no job waits (PT_PRINT_POLL_MS only while a job is printing).
 * Lifecycle: start -> (main loop runs) -> stop, which waits for a pass in flight (bounded by the
 * printer timeouts).  @station is borrowed. */
typedef struct _PtPrintWorker PtPrintWorker;
PtPrintWorker *pt_print_worker_start(PtStation *station);
void pt_print_worker_stop(PtPrintWorker *worker);

G_END_DECLS
