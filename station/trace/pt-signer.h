/* pt-signer.h: an appended event's signature and Event Hash ID made on another core.
 *
 * A burst of appends in one transaction (pt_trace_append()) is about a third Ed25519 and a
 * tenth Event Hash ID; both need only the event's record and its SHA-256, so one thread of the
 * process makes them for the events an appender hands over while the appender writes earlier
 * ones and builds later ones.  The Event Hash ID is computed from the record as a reader parses
 * it, as verifiers compute it.  The thread starts at the first job and sleeps when it has
 * none; it is woken when PT_SIGNER_RUN jobs wait or when an appender waits for one.  Jobs are
 * done in the order given. */
#pragma once

#include "pt-keys.h"
#include "pt-record.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtSignJob PtSignJob;

/* Hands over @row to have its signature (over row->hash, with @keys) and its hash_id (from
 * row->body) made.  Takes @row's contents and clears *@row; @keys must outlive the job.
 * Returns: (transfer full): the job, for pt_signer_finish(). */
PtSignJob *pt_signer_start(const PtKeys *keys, PtEventRow *row);

/* A job for a @row the caller signed itself, done already: it keeps its place among the others.
 * Takes @row's contents and clears *@row. */
PtSignJob *pt_signer_signed(PtEventRow *row);

/* The jobs handed over that the thread has not done yet. */
guint pt_signer_backlog(void);

/* TRUE once @job is done: pt_signer_finish() will not wait. */
gboolean pt_signer_done(PtSignJob *job);

/* Waits until @job is done, waking the thread if it sleeps.  Jobs are done in order: the ones
 * handed over before it are done too. */
void pt_signer_wait(PtSignJob *job);

/* Waits for @job (pt_signer_wait()) and frees it, giving its row back in @row,
 * signed and with its hash_id.  FALSE when the record's Event Hash ID cannot be made (@row is
 * then cleared). */
gboolean pt_signer_finish(PtSignJob *job, PtEventRow *row, GError **error);

G_END_DECLS
