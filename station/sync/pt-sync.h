/* pt-sync.h: the sync worker of `packtrace run`: delivers the outbox to every
 * connector of station.ini with libcurl's multi interface, driven by the GLib main
 * loop (socket watches and a timer; nothing blocks the loop but short SQLite
 * transactions on the worker's own connection).
 *
 * Delivery is at-least-once: a delivery is marked done only after the platform
 * accepted it, so a crash or a lost answer sends it again.  Every request carries
 * the item's stable idempotency key (the eventID; for EPCIS the eventIDs inside the
 * document), so a platform that deduplicates on it sees each item exactly once.
 *
 * Lifecycle: pt_sync_start() -> (main loop runs) -> pt_sync_stop(). */
#pragma once

#include "pt-config.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtSync PtSync;

/* Reads the connectors of @config (borrowed; must outlive the worker; secrets files are
 * found under @data_dir), opens its own connection to the database at @db_path, puts deliveries a
 * dead process left in flight back in the queue and attaches to the default main context. Returns:
 * (transfer full). */
PtSync *pt_sync_start(const PtConfig *config, const char *data_dir, const char *db_path,
                      GError **error);

/* Cancels requests in flight (their deliveries go back to pending) and detaches. */
void pt_sync_stop(PtSync *sync);

G_END_DECLS
