/* pt-sync-notice.h: delivering recall notices (station/sync/RECALL-NOTICES.md).  Each queued
 * notice is one POST to its connector's URL, its body signed with the station's Ed25519 key in
 * the hub protocol's headers (PT-Station, PT-Date, PT-Signature; trace/pt-hub-sign.h) and, for
 * a connector with a secret, with the webhook HMAC too.  A 2xx marks it delivered; anything
 * else is tried again with back-off, and an answer that will never change (4xx other than 408,
 * 409, 425, 429) fails it for good.
 *
 * Two users: the notice worker of `packtrace run` (a thread of its own with its own database
 * connection, which also escalates the notices whose deadline passed) and the drill, which
 * sends its notices at once and waits.  Both send every due notice at the same time on one
 * libcurl multi handle.
 *
 * Lifecycle of the worker: pt_notice_worker_start() -> (runs) -> pt_notice_worker_stop(). */
#pragma once

#include "pt-config.h"
#include "pt-keys.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int sent;      /* requests made */
  int delivered; /* answered 2xx */
  int failed;    /* failed for good */
} PtNoticeRound;

/* Sends every notice due at @now_ns (at most PT_RECALL_SEND_BATCH_MAX), all at once, each
 * request allowed @timeout_ms, and records each outcome.  @config, @data_dir and @keys are
 * borrowed.  @round (nullable) receives the counts. */
gboolean pt_sync_notices_send(PtStore *store, const PtConfig *config, const char *data_dir,
                              const PtKeys *keys, gint64 now_ns, int timeout_ms,
                              PtNoticeRound *round, GError **error);

typedef struct _PtNoticeWorker PtNoticeWorker;

/* Starts the thread: it escalates the buyers' notices older than @ack_deadline_ns that are
 * not acknowledged, sends what is due and asks hubs for acknowledgements, then sleeps until
 * the next of those is due, a write to station.db (watched from the thread-default main
 * context of the caller, the station's loop) or pt_notice_worker_kick() wakes it.
 * @config, @data_dir and @keys are borrowed and must outlive the worker.  Returns: (transfer
 * full). */
PtNoticeWorker *pt_notice_worker_start(const PtConfig *config, const char *data_dir,
                                       const char *db_path, const PtKeys *keys,
                                       gint64 ack_deadline_ns, GError **error);
void pt_notice_worker_kick(PtNoticeWorker *worker);
/* Waits for the round in progress and stops the thread. */
void pt_notice_worker_stop(PtNoticeWorker *worker);

G_END_DECLS
