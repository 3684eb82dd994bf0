/* pt-trace.h: the station log of signed, hash-chained trace records: appending to it (signed
 * with trace/, written with store/, queued for sync in the same transaction), reading a
 * batch's documents out of it, and auditing it.
 *
 * An event's record is its canonical JSON (pt-canon.h).  Before hashing, the event
 * names the previous event of its batch ("pt:prevEvent") and the previous event of
 * the whole station log ("pt:prevStationEvent"), both as hex SHA-256, so one Ed25519
 * signature over SHA-256(record) covers the event and both chain links.  A changed,
 * removed or reordered event breaks a link or a signature; re-linking needs the
 * station's secret key.
 *
 * Keys.  The station signs with one key at a time.  A rotation (pt-key-chain.h) is made
 * inside the log's write lock, after its last event and from a time after that event's, and
 * from then on only the new key signs; the first key stays the anchor every verifier starts
 * from. */
#pragma once

#include "pt-bundle.h"
#include "pt-config.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-store.h"
#include "pt-trace-keys.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Hands signing over from @keys (the chain's last key) to @new_keys: a rotation record after
 * the log's last event, signed by both, stored in the same transaction as the caller's
 * pt_store_begin()/pt_store_commit().  When @out is not NULL it receives the record (clear it
 * with pt_key_rotation_row_clear()). */
gboolean pt_trace_rotate_key(PtStore *store, const PtKeys *keys, const PtKeys *new_keys,
                             PtKeyRotationRow *out, GError **error);

/* Completes @event (eventID as urn:uuid, recordTime, chain links), signs it and
 * appends it to the log.  @keys must be the chain's last key (a retired key is refused).  Must run
 * inside pt_store_begin()/pt_store_commit() so the chain heads cannot move.  @event is modified in
 * place.  When @out is not NULL it receives the stored row (clear it with pt_event_row_clear()).
 * From a transaction's second append on, when @out is NULL, the row may be signed on another core
 * and written before the transaction's next statement (pt_store_owe()): a failure to write it
 * comes back from that statement, a later append or the commit, and loses the transaction. */
gboolean pt_trace_append(PtStore *store, const PtKeys *keys, gint64 batch_id, const char *step,
                         gint64 event_time_ns, json_t *event, PtEventRow *out, GError **error);

/* The EPCIS 2.0 document of @batch's events that @view shows (@buyer_gln: the scope of a
 * PT_BUNDLE_BUYER view, nullable), in log order (GS1 schema valid), each event its stored
 * record byte for byte; its length in @len_out.  Returns: (transfer full). */
char *pt_trace_epcis(PtStore *store, const PtConfig *config, const PtBatch *batch,
                     PtBundleView view, const char *buyer_gln, gsize *len_out, GError **error);

/* The signed trace bundle of @batch in @view (pt-bundle.h): what `packtrace verify` and the
 * consumer's browser check, its length in @len_out.  Returns: (transfer full). */
char *pt_trace_bundle(PtStore *store, const PtConfig *config, const PtKeys *keys,
                      const PtBatch *batch, PtBundleView view, const char *buyer_gln,
                      gsize *len_out, GError **error);

/* Fills the stored GS1 Event Hash ID of events written before schema 15 stored it (SQL
 * cannot compute it), in write transactions of PT_HASH_ID_FILL_BATCH events.  After the first
 * run it finds nothing.  pt_station_store() runs it on every opening. */
gboolean pt_trace_fill_hash_ids(PtStore *store, GError **error);

/* The event whose GS1 Event Hash ID is @hash_id, as {hashId, eventID, step, seq, event,
 * batch: {lot, gtin}}.  PT_ERROR_INVALID for a malformed ID, PT_ERROR_NOT_FOUND when no
 * event has it.  Returns: (transfer full). */
json_t *pt_trace_event_by_hash_id(PtStore *store, const char *hash_id, GError **error);

/* The same as text, its stored record spliced in byte for byte, for @view (@buyer_gln: a
 * buyer's scope, nullable): an event the view does not show (pt-bundle.h) has "redacted": true
 * and no "event".  @batch_id_out receives the event's batch, @len_out the text's length.
 * Returns: (transfer full). */
char *pt_trace_event_text(PtStore *store, const char *hash_id, PtBundleView view,
                          const char *buyer_gln, gint64 *batch_id_out, gsize *len_out,
                          GError **error);

typedef struct {
  gint64 n_events;
  gint64 n_batches;
  guint n_keys;      /* the keys of the chain followed: 1 + the rotations that verify */
  guint n_breaks;    /* problems found */
  GPtrArray *breaks; /* (element-type utf8): one line per problem, at most 100 */
} PtAuditReport;

void pt_audit_report_clear(PtAuditReport *report);

/* Walks the whole log: the key chain from @anchor (each rotation signed by the key in force
 * and its new key), contiguous sequence, each record's hash, its signature by the key in
 * force at its seq (and its record time under the same key), both chain links and the stored
 * columns against the record; then SQLite's integrity check of the file, and every batch row
 * against its signed facts (pt-batch-signed.h), naming the batch, field, row value and signed value
 * of each difference.  A file that fails the integrity check is reported as such and not read
 * further.  Returns FALSE only when the log cannot be read; breaks are in @report. */
gboolean pt_trace_audit(PtStore *store, const guint8 anchor[PT_PUB_LEN], PtAuditReport *report,
                        GError **error);

G_END_DECLS
