/* pt-store-print.h: the print_jobs table: label jobs waiting for, being sent to, or
 * done at a thermal printer.  The queue logic (claims, retries, recovery) is in
 * pt-print-queue.c; this is only its storage. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Job states.  queued: waits for next_attempt_ns (a new job, or one whose last
 * attempt failed: last_error says why).  printing: one process is sending it now.
 * done: the printer took it and the print event is in the log.  failed: not retried
 * automatically (see pt-print-queue.h); an operator requeues it.  cancelled: an operator
 * took it out of the queue before it was sent; never sent, final. */
#define PT_PRINT_JOB_QUEUED    "queued"
#define PT_PRINT_JOB_PRINTING  "printing"
#define PT_PRINT_JOB_DONE      "done"
#define PT_PRINT_JOB_FAILED    "failed"
#define PT_PRINT_JOB_CANCELLED "cancelled"

/* What the last attempt met (error_kind), for words in the reader's language: address,
 * connect, timeout, closed, too-large (the printer, pt-print.h), refused (the batch may not
 * be printed), interrupted (the station stopped mid-job). */

typedef struct {
  gint64 id;
  gint64 batch_id;
  char *lot; /* the batch's lot, read with the job */
  char *template_;
  char *printer; /* host[:port] */
  int copies;
  char *state;
  int attempts;
  char *last_error; /* nullable */
  char *error_kind; /* nullable: see above; NULL for jobs from before schema 17 */
  gint64 created_ns;
  gint64 updated_ns;
  gint64 next_attempt_ns; /* 0: none (printing, done, failed) */
  char *sha256;           /* hex SHA-256 of the job's bytes */
  gsize job_len;
  GBytes *job; /* the ZPL; NULL in listings */
} PtPrintJob;

void pt_print_job_free(PtPrintJob *job);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPrintJob, pt_print_job_free)

/* Inserts @job as queued, due at @job->next_attempt_ns; sets @job->id. */
gboolean pt_store_print_job_insert(PtStore *store, PtPrintJob *job, GError **error);

/* Returns: (transfer full) (nullable): the job with its bytes; PT_ERROR_NOT_FOUND
 * when absent. */
PtPrintJob *pt_store_print_job_get(PtStore *store, gint64 id, GError **error);

/* Returns: (transfer full) (element-type PtPrintJob): newest first, without bytes. */
GPtrArray *pt_store_print_job_list(PtStore *store, int limit, GError **error);

/* Ids (oldest first, at most @limit) of jobs in @state that are due at @now_ns
 * (next_attempt_ns unset or <= @now_ns).  Returns: (transfer full) (element-type gint64). */
GArray *pt_store_print_job_ids(PtStore *store, const char *state, gint64 now_ns, int limit,
                               GError **error);

/* The earliest next attempt of the jobs in @state into *@next_ns_out: 0 for one due at
 * once, -1 for none. */
gboolean pt_store_print_job_next(PtStore *store, const char *state, gint64 *next_ns_out,
                                 GError **error);

/* Jobs not yet done (queued, printing or failed). */
gboolean pt_store_print_job_count_pending(PtStore *store, gint64 *n_out, GError **error);

/* Moves job @id from @from to @to in one statement, so of two processes only one
 * wins; @changed says whether this call did.  @last_error: (nullable) NULL keeps the
 * old one and its kind; else @error_kind (nullable) replaces the kind.  @next_attempt_ns:
 * 0 clears it.  @count_attempt adds one to attempts. */
gboolean pt_store_print_job_transition(PtStore *store, gint64 id, const char *from, const char *to,
                                       const char *last_error, const char *error_kind,
                                       gint64 next_attempt_ns, gboolean count_attempt,
                                       gint64 now_ns, gboolean *changed, GError **error);

/* The state of the queue at one printer address: jobs neither done nor cancelled. */
typedef struct {
  char *printer;    /* the address the jobs go to */
  gint64 queued;    /* waiting, retrying ones included */
  gint64 retrying;  /* queued after a failed attempt */
  gint64 printing;  /* being sent now */
  gint64 failed;    /* given up: wait for an operator */
  char *last_error; /* nullable: the newest error of a retrying or failed job */
  char *error_kind; /* nullable: its kind */
  gint64 since_ns;  /* created_ns of the oldest retrying or failed job, or 0 */
} PtPrinterQueue;

void pt_printer_queue_free(PtPrinterQueue *queue);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPrinterQueue, pt_printer_queue_free)

/* Returns: (transfer full) (element-type PtPrinterQueue): one per address with jobs not done
 * or cancelled, by address. */
GPtrArray *pt_store_print_queues(PtStore *store, GError **error);

G_END_DECLS
