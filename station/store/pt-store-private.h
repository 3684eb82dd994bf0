/* pt-store-private.h: what the topic files of the store (pt-store-<topic>.c) share with
 * pt-store.c: the connection, the cached prepared statements and the error mapping.  Only
 * store files include it, so SQL stays inside the store module. */
#pragma once

#include "pt-store-video.h"
#include "pt-store.h"

#include <sqlite3.h>

G_BEGIN_DECLS

/* Returns: (transfer none): the statement for @sql, prepared once per connection and reset.
 * @sql must be a string with static storage: it is cached by its address. */
sqlite3_stmt *pt_store_stmt(PtStore *store, const char *sql, GError **error);

/* Returns: (transfer none): the connection. */
sqlite3 *pt_store_db(PtStore *store);

/* Maps SQLite result @rc to a PT_ERROR code and message.  Returns: FALSE. */
gboolean pt_store_set_sqlite_error(PtStore *store, int rc, const char *what, GError **error);

/* Migration 1 -> 2, kept next to the statements that use it (pt-store-video.c). */
#define PT_STORE_VIDEO_MIGRATION                                                                   \
  "CREATE TABLE segments ("                                                                        \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  camera TEXT NOT NULL,"                                                                        \
  "  path TEXT NOT NULL UNIQUE,"                                                                   \
  "  start_ns INTEGER NOT NULL,"                                                                   \
  "  end_ns INTEGER,"                                                                              \
  "  bytes INTEGER,"                                                                               \
  "  sha256 TEXT,"                                                                                 \
  "  state TEXT NOT NULL"                                                                          \
  "    CHECK (state IN ('open', 'closed', 'recovered', 'lost', 'deleted')),"                       \
  "  reason TEXT);"                                                                                \
  "CREATE INDEX segments_by_camera ON segments (camera, start_ns);"                                \
  "CREATE INDEX segments_by_state ON segments (state, start_ns);"                                  \
  "CREATE TABLE gaps ("                                                                            \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  camera TEXT NOT NULL,"                                                                        \
  "  from_ns INTEGER NOT NULL,"                                                                    \
  "  to_ns INTEGER NOT NULL,"                                                                      \
  "  reason TEXT NOT NULL);"                                                                       \
  "CREATE INDEX gaps_by_camera ON gaps (camera, from_ns);"                                         \
  "CREATE TABLE clips ("                                                                           \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"                                           \
  "  event_seq INTEGER NOT NULL UNIQUE REFERENCES events (seq),"                                   \
  "  camera TEXT NOT NULL,"                                                                        \
  "  from_ns INTEGER NOT NULL,"                                                                    \
  "  to_ns INTEGER NOT NULL,"                                                                      \
  "  path TEXT NOT NULL,"                                                                          \
  "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"                                            \
  "  bytes INTEGER NOT NULL,"                                                                      \
  "  created_ns INTEGER NOT NULL,"                                                                 \
  "  expired_ns INTEGER);"                                                                         \
  "CREATE INDEX clips_by_camera ON clips (camera, from_ns);"

/* Migration 18 -> 19, kept next to the statements that use it (pt-store-pallet.c).  A pallet
 * row is never deleted and a serial reference never goes down (triggers), so an SSCC once
 * allocated stays taken in this database; sscc_serials keeps the last serial per SSCC range
 * (extension digit + company prefix), so a prefix changed back does not start over.  A pallet
 * put on a load names it; a load gains a purchase order number beside bol and desadv. */
#define PT_STORE_PALLET_MIGRATION                                                                  \
  "CREATE TABLE sscc_serials ("                                                                    \
  "  range TEXT PRIMARY KEY,"                                                                      \
  "  last INTEGER NOT NULL CHECK (last >= 0));"                                                    \
  "CREATE TRIGGER sscc_serials_up BEFORE UPDATE ON sscc_serials WHEN NEW.last <= OLD.last"         \
  "  BEGIN SELECT RAISE(ABORT, 'SSCC serial references only go up'); END;"                         \
  "CREATE TRIGGER sscc_serials_kept BEFORE DELETE ON sscc_serials"                                 \
  "  BEGIN SELECT RAISE(ABORT, 'SSCC serial references are never given back'); END;"               \
  "CREATE TABLE pallets ("                                                                         \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  sscc TEXT NOT NULL UNIQUE CHECK (length(sscc) = 18),"                                         \
  "  created_ns INTEGER NOT NULL,"                                                                 \
  "  load_id INTEGER REFERENCES loads (id));"                                                      \
  "CREATE TRIGGER pallets_kept BEFORE DELETE ON pallets"                                           \
  "  BEGIN SELECT RAISE(ABORT, 'pallets are never deleted: their SSCC stays taken'); END;"         \
  "CREATE TABLE pallet_cases ("                                                                    \
  "  pallet_id INTEGER NOT NULL REFERENCES pallets (id),"                                          \
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"                                           \
  "  cases INTEGER NOT NULL CHECK (cases > 0),"                                                    \
  "  PRIMARY KEY (pallet_id, batch_id));"                                                          \
  "CREATE INDEX pallet_cases_by_batch ON pallet_cases (batch_id);"                                 \
  "ALTER TABLE loads ADD COLUMN po TEXT;"

/* Migration 14 -> 15, kept next to the statements that use it (pt-store-event-hash.c).  The
 * hash ID is derived from the signed body, so it may be filled in later for rows written
 * before it existed (SQL cannot compute it): the append-only trigger now guards the signed
 * columns by name, and a second one lets hash_id be set only once. */
#define PT_STORE_EVENT_HASH_MIGRATION                                                              \
  "ALTER TABLE events ADD COLUMN hash_id TEXT;"                                                    \
  "CREATE INDEX events_by_hash_id ON events (hash_id);"                                            \
  "DROP TRIGGER events_append_only_update;"                                                        \
  "CREATE TRIGGER events_append_only_update BEFORE UPDATE OF seq, batch_id, event_id, step,"       \
  "  event_time_ns, record_time_ns, body, hash, prev_batch_hash, prev_station_hash, signature"     \
  "  ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"                          \
  "CREATE TRIGGER events_hash_id_once BEFORE UPDATE OF hash_id ON events"                          \
  "  WHEN OLD.hash_id IS NOT NULL"                                                                 \
  "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"

/* Migration 7 -> 8, kept next to the statements that use it (pt-store-auth.c).  Secrets are
 * never stored: passwords as argon2id strings, API keys and session ids as SHA-256 (they are
 * 32 random bytes, so a fast hash is enough).  A user's sessions go with the user. */
#define PT_STORE_AUTH_MIGRATION                                                                    \
  "CREATE TABLE users ("                                                                           \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  name TEXT NOT NULL UNIQUE,"                                                                   \
  "  role TEXT NOT NULL CHECK (role IN ('admin', 'operator', 'buyer')),"                           \
  "  scope_gln TEXT CHECK (scope_gln IS NULL OR role = 'buyer'),"                                  \
  "  password_hash TEXT NOT NULL,"                                                                 \
  "  created_ns INTEGER NOT NULL);"                                                                \
  "CREATE TABLE api_keys ("                                                                        \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  name TEXT NOT NULL,"                                                                          \
  "  role TEXT NOT NULL CHECK (role IN ('operator', 'buyer')),"                                    \
  "  scope_gln TEXT CHECK (scope_gln IS NULL OR role = 'buyer'),"                                  \
  "  key_hash TEXT NOT NULL UNIQUE CHECK (length(key_hash) = 64),"                                 \
  "  created_ns INTEGER NOT NULL,"                                                                 \
  "  revoked_ns INTEGER);"                                                                         \
  "CREATE TABLE sessions ("                                                                        \
  "  id_hash TEXT PRIMARY KEY CHECK (length(id_hash) = 64),"                                       \
  "  user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,"                            \
  "  csrf TEXT NOT NULL,"                                                                          \
  "  created_ns INTEGER NOT NULL,"                                                                 \
  "  last_ns INTEGER NOT NULL) WITHOUT ROWID;"                                                     \
  "CREATE INDEX sessions_by_user ON sessions (user_id);"                                           \
  "CREATE INDEX loads_by_destination_gln ON loads (destination_gln);"

/* Migration 10 -> 11, kept next to the statement that reads it (pt-store-web.c).  Every write
 * to a table the consumer page is built from (batches, events, gradings, graded_fruit) bumps
 * its batch's rev in the writer's own transaction, so no committed change can be seen
 * without its new rev, whichever process or connection wrote it.  A row is made on a batch's
 * first write; a batch without one reads as rev 0. */
#define PT_STORE_PUBLIC_REV_MIGRATION                                                              \
  "CREATE TABLE public_revs (batch_id INTEGER PRIMARY KEY, rev INTEGER NOT NULL);"                 \
  "CREATE TRIGGER public_rev_batches_insert AFTER INSERT ON batches BEGIN"                         \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (NEW.id, 1)"                                   \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_batches_update AFTER UPDATE ON batches BEGIN"                         \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (OLD.id, 1)"                                   \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (NEW.id, 1)"                                   \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_batches_delete AFTER DELETE ON batches BEGIN"                         \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (OLD.id, 1)"                                   \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_events_insert AFTER INSERT ON events BEGIN"                           \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (NEW.batch_id, 1)"                             \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_gradings_insert AFTER INSERT ON gradings BEGIN"                       \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (NEW.batch_id, 1)"                             \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_gradings_update AFTER UPDATE ON gradings BEGIN"                       \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (OLD.batch_id, 1)"                             \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (NEW.batch_id, 1)"                             \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_gradings_delete AFTER DELETE ON gradings BEGIN"                       \
  "  INSERT INTO public_revs (batch_id, rev) VALUES (OLD.batch_id, 1)"                             \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_graded_fruit_insert AFTER INSERT ON graded_fruit BEGIN"               \
  "  INSERT INTO public_revs (batch_id, rev) SELECT batch_id, 1 FROM gradings WHERE id = "         \
  "NEW.grading_id"                                                                                 \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_graded_fruit_update AFTER UPDATE ON graded_fruit BEGIN"               \
  "  INSERT INTO public_revs (batch_id, rev) SELECT batch_id, 1 FROM gradings WHERE id = "         \
  "OLD.grading_id"                                                                                 \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  INSERT INTO public_revs (batch_id, rev) SELECT batch_id, 1 FROM gradings WHERE id = "         \
  "NEW.grading_id"                                                                                 \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"                                                                                         \
  "CREATE TRIGGER public_rev_graded_fruit_delete AFTER DELETE ON graded_fruit BEGIN"               \
  "  INSERT INTO public_revs (batch_id, rev) SELECT batch_id, 1 FROM gradings WHERE id = "         \
  "OLD.grading_id"                                                                                 \
  "    ON CONFLICT (batch_id) DO UPDATE SET rev = rev + 1;"                                        \
  "  END;"

/* The columns of an event row, in the order pt_store_events_each() reads them. */
#define PT_STORE_EVENT_COLUMNS                                                                     \
  "seq, batch_id, event_id, step, event_time_ns, record_time_ns, body, hash, prev_batch_hash, "    \
  "prev_station_hash, signature, hash_id"

/* Migration 15 -> 16, kept next to the statements that use it (pt-store-hub-sync.c).  A hub
 * connector's cursor is a station seq (sync_connectors.cursor); beside it the last chain head
 * the hub took, the hub's own view of the station, the events it quarantined and the evidence
 * it asked for.  All of it goes with its connector. */
#define PT_STORE_HUB_SYNC_MIGRATION                                                                \
  "CREATE TABLE hub_sync ("                                                                        \
  "  connector TEXT PRIMARY KEY REFERENCES sync_connectors (name) ON DELETE CASCADE,"              \
  "  head_seq INTEGER NOT NULL DEFAULT 0,"                                                         \
  "  view TEXT,"                                                                                   \
  "  view_ns INTEGER NOT NULL DEFAULT 0);"                                                         \
  "CREATE TABLE hub_quarantine ("                                                                  \
  "  connector TEXT NOT NULL REFERENCES sync_connectors (name) ON DELETE CASCADE,"                 \
  "  seq INTEGER NOT NULL,"                                                                        \
  "  reason TEXT NOT NULL,"                                                                        \
  "  at_ns INTEGER NOT NULL,"                                                                      \
  "  PRIMARY KEY (connector, seq)) WITHOUT ROWID;"                                                 \
  "CREATE TABLE hub_evidence ("                                                                    \
  "  connector TEXT NOT NULL REFERENCES sync_connectors (name) ON DELETE CASCADE,"                 \
  "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"                                            \
  "  state TEXT NOT NULL CHECK (state IN ('wanted', 'missing', 'refused', 'sent')),"               \
  "  error TEXT,"                                                                                  \
  "  at_ns INTEGER NOT NULL,"                                                                      \
  "  PRIMARY KEY (connector, sha256)) WITHOUT ROWID;"

/* Migration 16 -> 17, kept next to the statements that use it (pt-store-keys.c): the
 * station's signed key rotations, append-only like the log they sign. */
#define PT_STORE_KEYS_MIGRATION                                                                    \
  "CREATE TABLE key_rotations ("                                                                   \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  record TEXT NOT NULL,"                                                                        \
  "  signature BLOB NOT NULL CHECK (length(signature) = 64),"                                      \
  "  new_signature BLOB NOT NULL CHECK (length(new_signature) = 64));"                             \
  "CREATE TRIGGER key_rotations_append_only_update BEFORE UPDATE ON key_rotations"                 \
  "  BEGIN SELECT RAISE(ABORT, 'key rotations are append-only'); END;"                             \
  "CREATE TRIGGER key_rotations_append_only_delete BEFORE DELETE ON key_rotations"                 \
  "  BEGIN SELECT RAISE(ABORT, 'key rotations are append-only'); END;"

/* Also in migration 16 -> 17 (pt-store-hub-sync.c): a hub connector's last reading of the
 * hub's clock, from the Date of its answers: how far ahead of the station's it was, and when. */
#define PT_STORE_HUB_CLOCK_MIGRATION                                                               \
  "ALTER TABLE hub_sync ADD COLUMN clock_skew_ms INTEGER NOT NULL DEFAULT 0;"                      \
  "ALTER TABLE hub_sync ADD COLUMN clock_ns INTEGER NOT NULL DEFAULT 0;"

/* Migration 19 -> 20, kept next to the statements that use it (pt-store-recall.c).  A recall
 * (or hold, or drill) of a batch, and one notice per recipient: its state for the co-op
 * (sent, delivered, acknowledged, escalated) and, apart from it, its delivery's (queued, done,
 * failed, none for a buyer reached on the portal alone), so an escalation queues the second
 * notice without losing what the first one reached. */
#define PT_STORE_RECALL_MIGRATION                                                                  \
  "CREATE TABLE recalls ("                                                                         \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"                                           \
  "  kind TEXT NOT NULL CHECK (kind IN ('recall', 'hold', 'drill')),"                              \
  "  reason TEXT,"                                                                                 \
  "  event_id TEXT,"                                                                               \
  "  created_ns INTEGER NOT NULL);"                                                                \
  "CREATE INDEX recalls_by_batch ON recalls (batch_id);"                                           \
  "CREATE TABLE recall_notices ("                                                                  \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  recall_id INTEGER NOT NULL REFERENCES recalls (id),"                                          \
  "  recipient TEXT NOT NULL CHECK (recipient IN ('buyer', 'platform')),"                          \
  "  gln TEXT, name TEXT NOT NULL, connector TEXT,"                                                \
  "  quantity REAL NOT NULL DEFAULT 0, uom TEXT,"                                                  \
  "  state TEXT NOT NULL"                                                                          \
  "    CHECK (state IN ('sent', 'delivered', 'acknowledged', 'escalated')),"                       \
  "  delivery TEXT NOT NULL CHECK (delivery IN ('queued', 'done', 'failed', 'none')),"             \
  "  escalation INTEGER NOT NULL DEFAULT 0,"                                                       \
  "  attempts INTEGER NOT NULL DEFAULT 0,"                                                         \
  "  next_ns INTEGER NOT NULL DEFAULT 0,"                                                          \
  "  http_status INTEGER, last_error TEXT,"                                                        \
  "  body TEXT NOT NULL,"                                                                          \
  "  created_ns INTEGER NOT NULL,"                                                                 \
  "  delivered_ns INTEGER, acked_ns INTEGER, escalated_ns INTEGER,"                                \
  "  ack_by TEXT, ack_on_hand REAL, ack_action TEXT);"                                             \
  "CREATE INDEX recall_notices_by_recall ON recall_notices (recall_id);"                           \
  "CREATE INDEX recall_notices_by_gln ON recall_notices (gln);"                                    \
  "CREATE INDEX recall_notices_queued ON recall_notices (delivery, next_ns)"                       \
  "  WHERE delivery = 'queued';"

/* Returns: (transfer full): the PtSegmentRow (pt-store-video.h) of a row whose first columns
 * are the segments table's id, camera, path, start_ns, end_ns, bytes, sha256, state, reason. */
PtSegmentRow *pt_store_segment_from_row(sqlite3_stmt *s);
/* Binds @v, or NULL when @v is NULL. */
void pt_store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v);
/* Returns: (transfer full) (nullable): column @i as a new string. */
char *pt_store_column_dup(sqlite3_stmt *s, int i);
/* Returns: (transfer full) (nullable): the LIKE pattern "%@text%" with LIKE's wildcards and
 * the escape character '\\' escaped (for "LIKE ? ESCAPE '\\'"), or NULL for NULL. */
char *pt_store_like_contains(const char *text);
/* Steps a statement that returns no rows and resets it. */
/* A statement for a walk over rows that may run inside another walk of the same @sql (a
 * callback that reads the store): the connection's prepared one when it is not in the middle
 * of a walk, else a private one.  Hand it to pt_store_events_each(), which gives it back.
 * @sql is static text, known by its address as with pt_store_stmt(). */
sqlite3_stmt *pt_store_walk_stmt(PtStore *store, const char *sql, GError **error);
/* Steps @s (stolen: a statement of pt_store_walk_stmt() or one prepared for the call, finalized
 * here), a SELECT of the events columns in pt-store.c's order, and calls @fn with each row (its
 * strings borrowed from the statement for the call); @what names the read in an error. */
gboolean pt_store_events_each(PtStore *store, sqlite3_stmt *s, PtEventFunc fn, gpointer user_data,
                              const char *what, GError **error);

gboolean pt_store_step_done(PtStore *store, sqlite3_stmt *s, const char *what, GError **error);

/* Steps a statement that returns one row of one integer into @out, and resets it. */
gboolean pt_store_step_int64(PtStore *store, sqlite3_stmt *s, const char *what, gint64 *out,
                             GError **error);

/* Migration 21 -> 22, kept next to the statements that use it (pt-store-sync.c).  An event's
 * outbox row is found by its id and its event seq, both integers that grow with the log, and
 * never by its key: the UNIQUE index on the keys (random eventIDs) cost each append a random
 * page of a large index, read and written.  Only the random keys of batch changes are held
 * unique now; an event's key is its eventID (an errorDeclaration's with a suffix), one per
 * signed event since pt_trace_append() makes the IDs and pt_batch_declare_error() declares an
 * event once.  SQLite cannot drop a column's UNIQUE, so the table is rebuilt; the deliveries
 * that name its rows move to a new table first, whose reference the rename carries over. */
#define PT_STORE_OUTBOX_KEYS_MIGRATION                                                             \
  "CREATE TABLE outbox_new ("                                                                      \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"                                           \
  "  kind TEXT NOT NULL CHECK (kind IN ('event', 'batch')),"                                       \
  "  event_seq INTEGER REFERENCES events (seq),"                                                   \
  "  key TEXT NOT NULL,"                                                                           \
  "  status TEXT, reason TEXT,"                                                                    \
  "  created_ns INTEGER NOT NULL,"                                                                 \
  "  CHECK ((kind = 'event') = (event_seq IS NOT NULL)));"                                         \
  "INSERT INTO outbox_new (id, batch_id, kind, event_seq, key, status, reason, created_ns)"        \
  "  SELECT id, batch_id, kind, event_seq, key, status, reason, created_ns FROM outbox"            \
  "  ORDER BY id;"                                                                                 \
  "CREATE TABLE sync_deliveries_new ("                                                             \
  "  connector TEXT NOT NULL REFERENCES sync_connectors (name) ON DELETE CASCADE,"                 \
  "  outbox_id INTEGER NOT NULL REFERENCES outbox_new (id),"                                       \
  "  batch_id INTEGER NOT NULL,"                                                                   \
  "  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'failed', 'quarantined')),"        \
  "  attempts INTEGER NOT NULL DEFAULT 0,"                                                         \
  "  solo INTEGER NOT NULL DEFAULT 0,"                                                             \
  "  next_ns INTEGER NOT NULL DEFAULT 0,"                                                          \
  "  created_ns INTEGER NOT NULL,"                                                                 \
  "  http_status INTEGER, last_error TEXT,"                                                        \
  "  PRIMARY KEY (connector, outbox_id)) WITHOUT ROWID;"                                           \
  "INSERT INTO sync_deliveries_new SELECT connector, outbox_id, batch_id, state, attempts, solo,"  \
  "  next_ns, created_ns, http_status, last_error FROM sync_deliveries;"                           \
  "DROP TABLE sync_deliveries;"                                                                    \
  "DROP TABLE outbox;"                                                                             \
  "ALTER TABLE outbox_new RENAME TO outbox;"                                                       \
  "ALTER TABLE sync_deliveries_new RENAME TO sync_deliveries;"                                     \
  "CREATE INDEX sync_deliveries_state ON sync_deliveries (connector, state, next_ns, batch_id);"   \
  "CREATE UNIQUE INDEX outbox_batch_keys ON outbox (key) WHERE kind = 'batch';"

/* Also in migration 21 -> 22 (pt-store-event-hash.c): Event Hash IDs are looked up by 12 hex
 * digits of their digest (48 bits after "ni:///sha-256;"; the full ID is compared after), an index
 * a fifth the size of one on the whole 89-character ID, which a station's page cache holds at
 * millions of events: each append inserts a random key into it.  The events still without an ID are
 * found by a partial index that is empty once they are filled. */
#define PT_STORE_HASH_KEY_MIGRATION                                                                \
  "DROP INDEX events_by_hash_id;"                                                                  \
  "CREATE INDEX events_by_hash_key ON events (substr(hash_id, 15, 12));"                           \
  "CREATE INDEX events_without_hash_id ON events (seq) WHERE hash_id IS NULL;"

/* How the outbox tells an errorDeclaration record from the event it corrects. */
#define PT_STORE_DECLARATION_MARK       "\"errorDeclaration\":"
#define PT_STORE_DECLARATION_KEY_SUFFIX "#errorDeclaration"

G_END_DECLS
