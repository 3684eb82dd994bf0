/* pt-store.c: SQLite schema, migrations, connections and transactions, batches and the
 * event log (the other tables' statements live in the pt-store-*.c files beside it).
 *
 * Workload: appends (one signed event per INSERT, usually one per transaction, in
 * bursts of thousands when grading) and reads by batch from the HTTP workers.  WAL
 * mode with synchronous=FULL: a commit that returned is on disk, because the client
 * that was told "recorded" must find the event after a power cut. */
#include "pt-store.h"

#include "pt-store-attachment.h"

#include "pt-error.h"
#include "pt-limits.h"
#include "pt-store-private.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

typedef enum {
  STMT_BATCH_INSERT,
  STMT_BATCH_GET,
  STMT_BATCH_GET_LOT,
  STMT_BATCH_LIST,
  STMT_BATCH_STATUS,
  STMT_LOT_GLOB,
  STMT_HEAD_STATION,
  STMT_HEAD_BATCH,
  STMT_EVENT_INSERT,
  STMT_EVENTS_BATCH,
  STMT_EVENTS_ALL,
  STMT_BEGIN,
  STMT_COMMIT,
  STMT_ROLLBACK,
  N_STMTS
} StmtId;

#define BATCH_COLUMNS                                                                              \
  "id, lot, gtin, product, variety, origin, grower, harvest_date, pack_date, quantity, uom, "      \
  "status, status_reason, created_ns, (SELECT count(*) FROM events e WHERE e.batch_id = b.id), "   \
  "demo"

static const char *const stmt_sql[N_STMTS] = {
    [STMT_BATCH_INSERT] = "INSERT INTO batches (lot, gtin, product, variety, origin, grower, "
                          "harvest_date, pack_date, quantity, uom, status, created_ns, demo) "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'active', ?, ?)",
    [STMT_BATCH_GET] = "SELECT " BATCH_COLUMNS " FROM batches b WHERE id = ?",
    [STMT_BATCH_GET_LOT] = "SELECT " BATCH_COLUMNS " FROM batches b WHERE lot = ?",
    [STMT_BATCH_LIST] = "SELECT " BATCH_COLUMNS " FROM batches b ORDER BY id DESC LIMIT ? OFFSET ?",
    [STMT_BATCH_STATUS] = "UPDATE batches SET status = ?, status_reason = ? WHERE id = ?",
    [STMT_LOT_GLOB] = "SELECT lot FROM batches WHERE lot GLOB ?",
    [STMT_HEAD_STATION] = "SELECT seq, hash, record_time_ns FROM events ORDER BY seq DESC LIMIT 1",
    [STMT_HEAD_BATCH] = "SELECT hash FROM events WHERE batch_id = ? ORDER BY seq DESC LIMIT 1",
    [STMT_EVENT_INSERT] = "INSERT INTO events (" PT_STORE_EVENT_COLUMNS ") "
                          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
    [STMT_EVENTS_BATCH] =
        "SELECT " PT_STORE_EVENT_COLUMNS " FROM events WHERE batch_id = ? ORDER BY seq",
    [STMT_EVENTS_ALL] = "SELECT " PT_STORE_EVENT_COLUMNS " FROM events ORDER BY seq",
    [STMT_BEGIN] = "BEGIN IMMEDIATE",
    [STMT_COMMIT] = "COMMIT",
    [STMT_ROLLBACK] = "ROLLBACK",
};

/* Migration N takes the schema from version N to N+1.  Later issues append. */
static const char *const migrations[] = {
    /* 0 -> 1: batches and the signed event log */
    "CREATE TABLE batches ("
    "  id INTEGER PRIMARY KEY,"
    "  lot TEXT NOT NULL UNIQUE,"
    "  gtin TEXT NOT NULL CHECK (length(gtin) = 14),"
    "  product TEXT NOT NULL,"
    "  variety TEXT, origin TEXT, grower TEXT,"
    "  harvest_date TEXT, pack_date TEXT NOT NULL,"
    "  quantity REAL, uom TEXT,"
    "  status TEXT NOT NULL CHECK (status IN ('active', 'held', 'recalled')),"
    "  status_reason TEXT,"
    "  created_ns INTEGER NOT NULL);"
    "CREATE TABLE events ("
    "  seq INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  event_id TEXT NOT NULL," /* an errorDeclaration repeats its event's eventID */
    "  step TEXT NOT NULL,"
    "  event_time_ns INTEGER NOT NULL,"
    "  record_time_ns INTEGER NOT NULL,"
    "  body TEXT NOT NULL,"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32),"
    "  prev_batch_hash BLOB,"
    "  prev_station_hash BLOB,"
    "  signature BLOB NOT NULL CHECK (length(signature) = 64));"
    "CREATE INDEX events_by_batch ON events (batch_id, seq);"
    "CREATE TRIGGER events_append_only_update BEFORE UPDATE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;"
    "CREATE TRIGGER events_append_only_delete BEFORE DELETE ON events"
    "  BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;",
    /* 1 -> 2: recorded segments, recording gaps and evidence clips (pt-store-video.c) */
    PT_STORE_VIDEO_MIGRATION,
    /* 2 -> 3: label print jobs (pt-store-print.c).  The ZPL is kept so a retry
     * sends exactly the bytes whose hash the print event records. */
    "CREATE TABLE print_jobs ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  template TEXT NOT NULL CHECK (template IN ('case', 'pallet')),"
    "  format TEXT NOT NULL CHECK (format = 'zpl'),"
    "  printer TEXT NOT NULL,"
    "  copies INTEGER NOT NULL CHECK (copies >= 1),"
    "  state TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  created_ns INTEGER NOT NULL,"
    "  updated_ns INTEGER NOT NULL,"
    "  next_attempt_ns INTEGER,"
    "  job BLOB NOT NULL,"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64));"
    "CREATE INDEX print_jobs_by_state ON print_jobs (state, next_attempt_ns);",
    /* 3 -> 4: the sync outbox and per-connector delivery state (pt-store-sync.c) */
    "CREATE TABLE outbox ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('event', 'batch')),"
    "  event_seq INTEGER REFERENCES events (seq),"
    "  key TEXT NOT NULL UNIQUE,"
    "  status TEXT, reason TEXT,"
    "  created_ns INTEGER NOT NULL,"
    "  CHECK ((kind = 'event') = (event_seq IS NOT NULL)));"
    "INSERT INTO outbox (batch_id, kind, event_seq, key, created_ns)"
    "  SELECT batch_id, 'event', seq,"
    "    event_id || iif(instr(body, '" PT_STORE_DECLARATION_MARK "') > 0,"
    "                    '" PT_STORE_DECLARATION_KEY_SUFFIX "', ''),"
    "    record_time_ns FROM events ORDER BY seq;"
    "CREATE TABLE sync_connectors ("
    "  name TEXT PRIMARY KEY,"
    "  cursor INTEGER NOT NULL,"
    "  delivered INTEGER NOT NULL DEFAULT 0,"
    "  last_ok_ns INTEGER,"
    "  last_error TEXT, last_error_ns INTEGER,"
    "  retry_gen INTEGER NOT NULL DEFAULT 0);"
    "CREATE TABLE sync_deliveries ("
    "  connector TEXT NOT NULL REFERENCES sync_connectors (name) ON DELETE CASCADE,"
    "  outbox_id INTEGER NOT NULL REFERENCES outbox (id),"
    "  batch_id INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'failed')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  solo INTEGER NOT NULL DEFAULT 0,"
    "  next_ns INTEGER NOT NULL DEFAULT 0,"
    "  created_ns INTEGER NOT NULL,"
    "  http_status INTEGER, last_error TEXT,"
    "  PRIMARY KEY (connector, outbox_id)) WITHOUT ROWID;"
    "CREATE INDEX sync_deliveries_state ON sync_deliveries (connector, state, next_ns, batch_id);",
    /* 4 -> 5: vision grading of a batch: the grading (profile, calibration, declared class;
     * closed by its inspecting event) and one row per graded fruit (pt-store-grading.c) */
    "CREATE TABLE gradings ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  profile TEXT NOT NULL,"
    "  declared_class TEXT NOT NULL CHECK (declared_class IN ('Extra', 'I', 'II')),"
    "  mm_per_px REAL NOT NULL CHECK (mm_per_px > 0),"
    "  model_version TEXT NOT NULL,"
    "  opened_ns INTEGER NOT NULL,"
    "  closed_ns INTEGER,"
    "  event_id TEXT,"
    "  disposition TEXT);"
    "CREATE UNIQUE INDEX gradings_one_open ON gradings (batch_id) WHERE closed_ns IS NULL;"
    "CREATE TABLE graded_fruit ("
    "  id INTEGER PRIMARY KEY,"
    "  grading_id INTEGER NOT NULL REFERENCES gradings (id),"
    "  graded_ns INTEGER NOT NULL,"
    "  source TEXT NOT NULL," /* image file or camera name */
    "  class TEXT NOT NULL CHECK (class IN ('Extra', 'I', 'II', 'out')),"
    "  size_code TEXT,"
    "  diameter_mm REAL NOT NULL, length_mm REAL NOT NULL, weight_g REAL NOT NULL,"
    "  ripe_fraction REAL NOT NULL, green_fraction REAL NOT NULL,"
    "  defect_count INTEGER NOT NULL, defect_area_mm2 REAL NOT NULL,"
    "  defect_largest_mm2 REAL NOT NULL, defect_longest_mm REAL NOT NULL,"
    "  defect_kind TEXT,"
    "  views INTEGER NOT NULL,"
    "  rule TEXT NOT NULL,"
    "  confidence REAL NOT NULL,"
    "  still TEXT);" /* evidence JPEG, relative to the data directory */
    "CREATE INDEX graded_fruit_by_grading ON graded_fruit (grading_id, id);",
    /* 5 -> 6: loads (trucks leaving the shed), the batches on them with their loading
     * event, and refused attempts (pt-store-load.c) */
    "CREATE TABLE loads ("
    "  id INTEGER PRIMARY KEY,"
    "  plate TEXT NOT NULL, seal TEXT NOT NULL,"
    "  driver_name TEXT, driver_phone TEXT,"
    "  destination TEXT, destination_gln TEXT,"
    "  bol TEXT, desadv TEXT,"
    "  dock TEXT,"
    "  opened_ns INTEGER NOT NULL,"
    "  closed_ns INTEGER);"
    "CREATE UNIQUE INDEX loads_one_open_per_dock ON loads (dock) "
    "  WHERE closed_ns IS NULL AND dock IS NOT NULL;"
    "CREATE TABLE load_batches ("
    "  load_id INTEGER NOT NULL REFERENCES loads (id),"
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  event_seq INTEGER NOT NULL UNIQUE REFERENCES events (seq),"
    "  added_ns INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  PRIMARY KEY (load_id, batch_id)) WITHOUT ROWID;"
    "CREATE INDEX load_batches_by_batch ON load_batches (batch_id);"
    "CREATE TABLE load_refusals ("
    "  id INTEGER PRIMARY KEY,"
    "  load_id INTEGER NOT NULL REFERENCES loads (id),"
    "  batch_id INTEGER REFERENCES batches (id),"
    "  refused_ns INTEGER NOT NULL,"
    "  source TEXT NOT NULL,"
    "  reason TEXT NOT NULL);"
    "CREATE INDEX load_refusals_by_load ON load_refusals (load_id, id);",
    /* 6 -> 7: consumer page views per batch (pt-store-web.c) */
    "CREATE TABLE scans ("
    "  batch_id INTEGER PRIMARY KEY REFERENCES batches (id),"
    "  count INTEGER NOT NULL,"
    "  first_ns INTEGER NOT NULL,"
    "  last_ns INTEGER NOT NULL);"
    "CREATE INDEX batches_by_gtin ON batches (gtin, id);",
    /* 7 -> 8: users, API keys and sessions (pt-store-auth.c) */
    PT_STORE_AUTH_MIGRATION,
    /* 8 -> 9: drivers and their phone logins (only a hash of each token), the loads each
     * driver opened or joined, the answers to their requests by idempotency key, and the
     * photos of plate and seal they took (pt-store-driver.c) */
    "CREATE TABLE drivers ("
    "  id INTEGER PRIMARY KEY,"
    "  name TEXT NOT NULL,"
    "  phone TEXT,"
    "  created_ns INTEGER NOT NULL);"
    "CREATE TABLE driver_tokens ("
    "  id INTEGER PRIMARY KEY,"
    "  driver_id INTEGER NOT NULL REFERENCES drivers (id),"
    "  hash BLOB NOT NULL CHECK (length(hash) = 32),"
    "  created_ns INTEGER NOT NULL,"
    "  expires_ns INTEGER NOT NULL,"
    "  revoked_ns INTEGER);"
    "CREATE INDEX driver_tokens_by_driver ON driver_tokens (driver_id);"
    "CREATE TABLE driver_loads ("
    "  driver_id INTEGER NOT NULL REFERENCES drivers (id),"
    "  load_id INTEGER NOT NULL REFERENCES loads (id),"
    "  joined_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (driver_id, load_id)) WITHOUT ROWID;"
    "CREATE TABLE driver_requests ("
    "  driver_id INTEGER NOT NULL REFERENCES drivers (id),"
    "  key TEXT NOT NULL,"
    "  status INTEGER NOT NULL,"
    "  body TEXT NOT NULL,"
    "  created_ns INTEGER NOT NULL,"
    "  PRIMARY KEY (driver_id, key)) WITHOUT ROWID;"
    "CREATE TABLE driver_photos ("
    "  id INTEGER PRIMARY KEY,"
    "  load_id INTEGER NOT NULL REFERENCES loads (id),"
    "  driver_id INTEGER NOT NULL REFERENCES drivers (id),"
    "  kind TEXT NOT NULL CHECK (kind IN ('plate', 'seal')),"
    "  path TEXT NOT NULL UNIQUE," /* relative to the data directory */
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"
    "  width INTEGER NOT NULL, height INTEGER NOT NULL,"
    "  bytes INTEGER NOT NULL,"
    "  taken_ns INTEGER NOT NULL);"
    "CREATE INDEX driver_photos_by_load ON driver_photos (load_id, id);",
    /* 9 -> 10: loading events whose clip is still being recorded (pt-store-evidence.c) */
    "CREATE TABLE evidence_pending ("
    "  event_seq INTEGER PRIMARY KEY REFERENCES events (seq),"
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  load_id INTEGER NOT NULL REFERENCES loads (id),"
    "  camera TEXT NOT NULL,"
    "  from_ns INTEGER NOT NULL,"
    "  to_ns INTEGER NOT NULL,"
    "  created_ns INTEGER NOT NULL);"
    "CREATE INDEX evidence_pending_by_end ON evidence_pending (to_ns);",
    /* 10 -> 11: consumer page views per batch and UTC day, the buyer portal's counterfeit
     * signal (pt-store-web.c).  Views counted before it are put on the day of the last one:
     * the only day the old table knows. */
    "CREATE TABLE scan_days ("
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  day INTEGER NOT NULL," /* days since 1970-01-01, UTC */
    "  count INTEGER NOT NULL,"
    "  PRIMARY KEY (batch_id, day)) WITHOUT ROWID;"
    "INSERT INTO scan_days (batch_id, day, count) "
    "  SELECT batch_id, last_ns / 86400000000000, count FROM scans;",
    /* 11 -> 12: the revision of each batch's public facts, which keys the consumer page's
     * cache (pt-web-cache.h) */
    PT_STORE_PUBLIC_REV_MIGRATION,
    /* 12 -> 13: a gap is written when it opens (to_ns NULL until recording resumes), so an
     * outage or a stop the station does not live through is still on record
     * (pt-store-video.c); at most one open gap per camera. */
    "CREATE TABLE gaps_new ("
    "  id INTEGER PRIMARY KEY,"
    "  camera TEXT NOT NULL,"
    "  from_ns INTEGER NOT NULL,"
    "  to_ns INTEGER CHECK (to_ns >= from_ns),"
    "  reason TEXT NOT NULL);"
    "INSERT INTO gaps_new (id, camera, from_ns, to_ns, reason)"
    "  SELECT id, camera, from_ns, max(to_ns, from_ns), reason FROM gaps ORDER BY id;"
    "DROP TABLE gaps;"
    "ALTER TABLE gaps_new RENAME TO gaps;"
    "CREATE INDEX gaps_by_camera ON gaps (camera, from_ns);"
    "CREATE UNIQUE INDEX gaps_one_open ON gaps (camera) WHERE to_ns IS NULL;"
    /* ... and demo batches (pt-demo-seed.c) are marked, never to be synced: those of
     * stations made before are known by what the demo writes (lot, product, grower); what
     * they had queued leaves the outbox. */
    "ALTER TABLE batches ADD COLUMN demo INTEGER NOT NULL DEFAULT 0;"
    "UPDATE batches SET demo = 1 WHERE lot GLOB 'DEMO-[0-9][0-9][0-9][0-9]'"
    "  AND product = 'Demo oranges' AND grower = 'Demo orchard (not a real batch)';"
    "DELETE FROM sync_deliveries WHERE batch_id IN (SELECT id FROM batches WHERE demo);"
    "DELETE FROM outbox WHERE batch_id IN (SELECT id FROM batches WHERE demo);",
    /* 13 -> 14: an event a platform refuses on its own is quarantined: kept with the answer
     * and shown, but no longer holding back the events of its batch behind it (pt-sync.c). */
    "CREATE TABLE sync_deliveries_new ("
    "  connector TEXT NOT NULL REFERENCES sync_connectors (name) ON DELETE CASCADE,"
    "  outbox_id INTEGER NOT NULL REFERENCES outbox (id),"
    "  batch_id INTEGER NOT NULL,"
    "  state TEXT NOT NULL CHECK (state IN ('pending', 'sending', 'failed', 'quarantined')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  solo INTEGER NOT NULL DEFAULT 0,"
    "  next_ns INTEGER NOT NULL DEFAULT 0,"
    "  created_ns INTEGER NOT NULL,"
    "  http_status INTEGER, last_error TEXT,"
    "  PRIMARY KEY (connector, outbox_id)) WITHOUT ROWID;"
    "INSERT INTO sync_deliveries_new SELECT connector, outbox_id, batch_id, state, attempts, solo,"
    "  next_ns, created_ns, http_status, last_error FROM sync_deliveries;"
    "DROP TABLE sync_deliveries;"
    "ALTER TABLE sync_deliveries_new RENAME TO sync_deliveries;"
    "CREATE INDEX sync_deliveries_state ON sync_deliveries (connector, state, next_ns, batch_id);",
    /* 14 -> 15: each event's GS1 Event Hash ID, for lookups by it (pt-store-event-hash.c) */
    PT_STORE_EVENT_HASH_MIGRATION,
    /* 15 -> 16: the hub connector's own state (pt-store-hub-sync.c) */
    PT_STORE_HUB_SYNC_MIGRATION,
    /* 16 -> 17: the station's signed key rotations (pt-store-keys.c), and a hub connector's
     * reading of the hub's clock (pt-store-hub-sync.c) */
    PT_STORE_KEYS_MIGRATION PT_STORE_HUB_CLOCK_MIGRATION,
    /* 17 -> 18: an operator cancels a print job that never printed (state 'cancelled'), and
     * a job keeps what kind of error its last attempt met, for the dashboard's own words
     * (pt-store-print.c).  Jobs from before have no kind. */
    "CREATE TABLE print_jobs_new ("
    "  id INTEGER PRIMARY KEY,"
    "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
    "  template TEXT NOT NULL CHECK (template IN ('case', 'pallet')),"
    "  format TEXT NOT NULL CHECK (format = 'zpl'),"
    "  printer TEXT NOT NULL,"
    "  copies INTEGER NOT NULL CHECK (copies >= 1),"
    "  state TEXT NOT NULL"
    "    CHECK (state IN ('queued', 'printing', 'done', 'failed', 'cancelled')),"
    "  attempts INTEGER NOT NULL DEFAULT 0,"
    "  last_error TEXT,"
    "  error_kind TEXT,"
    "  created_ns INTEGER NOT NULL,"
    "  updated_ns INTEGER NOT NULL,"
    "  next_attempt_ns INTEGER,"
    "  job BLOB NOT NULL,"
    "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64));"
    "INSERT INTO print_jobs_new (id, batch_id, template, format, printer, copies, state, attempts,"
    "  last_error, created_ns, updated_ns, next_attempt_ns, job, sha256)"
    "  SELECT id, batch_id, template, format, printer, copies, state, attempts, last_error,"
    "  created_ns, updated_ns, next_attempt_ns, job, sha256 FROM print_jobs ORDER BY id;"
    "DROP TABLE print_jobs;"
    "ALTER TABLE print_jobs_new RENAME TO print_jobs;"
    "CREATE INDEX print_jobs_by_state ON print_jobs (state, next_attempt_ns);",
    /* 18 -> 19: pallets by SSCC, the cases of each lot on them, and the serial references
     * allocated, which never go back (pt-store-pallet.c) */
    PT_STORE_PALLET_MIGRATION,
    /* 19 -> 20: recalls and their notices per recipient (pt-store-recall.c) */
    PT_STORE_RECALL_MIGRATION,
    /* 20 -> 21: how much of a loose lot each load carried: a lot split over two trucks was
     * counted whole on each.  NULL on the rows before: the whole lot (pt-load.c). */
    "ALTER TABLE load_batches ADD COLUMN quantity REAL;",
    /* 21 -> 22: outbox rows of events no longer in a unique index of their random keys
     * (pt-store-sync.c), Event Hash IDs indexed by a short key (pt-store-event-hash.c) */
    PT_STORE_OUTBOX_KEYS_MIGRATION PT_STORE_HASH_KEY_MIGRATION,
    /* 22 -> 23: files an operator attached to a batch for the consumer page, a product photo
     * or a certificate, each named by a signed event (pt-store-attachment.c) */
    PT_STORE_ATTACHMENT_MIGRATION,
};

G_STATIC_ASSERT(G_N_ELEMENTS(migrations) == PT_STORE_SCHEMA_VERSION);

/* The log's heads as this connection's write transaction left them.  Inside BEGIN IMMEDIATE no
 * other connection can append, so what this one read or inserted stays the head until the
 * transaction ends: a burst of appends reads each head once, not twice per event.  Valid only
 * while @open is set and SQLite still holds the transaction (an I/O error or a full disk can
 * roll it back on its own); emptied at every begin, commit and rollback. */
typedef struct {
  gboolean open; /* pt_store_begin() succeeded and no commit or rollback since */
  gboolean station_known;
  gboolean has_station; /* the log has an event */
  gint64 last_seq;
  gint64 last_record_time_ns;
  guint8 station_hash[PT_HASH_LEN];
  GHashTable *batches; /* batch id (gint64 *) -> its last event's hash (guint8[32]) */
  /* The signing key and its start as worked out from the key rotations (pt_store_signer_note()):
   * the rotations change only by an insert on this connection, which forgets them. */
  gboolean signer_known;
  guint8 signer_key[PT_PUB_LEN];
  gint64 signer_from_ns;
  guint appended; /* events this transaction appended (noted or inserted) */
} HeadsCache;

/* A write this connection owes the database (pt_store_owe()), and the error of the last one
 * that failed: sticky until the transaction is rolled back, so that it cannot commit. */
typedef struct {
  PtStoreOwedWrite write;
  GDestroyNotify drop;
  gpointer data;
  GError *failed;
} Owed;

struct _PtStore {
  sqlite3 *db;
  char *path;
  int busy_timeout_ms;
  sqlite3_stmt *stmts[N_STMTS];
  GHashTable *topic_stmts; /* SQL text (static, by address) -> sqlite3_stmt *, see below */
  GHashTable *cached;      /* the statements of topic_stmts, as a set */
  HeadsCache heads;
  Owed owed;
};

/* The owed write's data, no longer owed. */
static gpointer
owed_take(Owed *o)
{
  gpointer data = o->data;
  o->write = NULL;
  o->drop = NULL;
  o->data = NULL;
  return data;
}

/* Runs the owed write, if any, before a statement of the connection: every statement sees the
 * rows the transaction has written. */
static gboolean
settle(PtStore *store, GError **error)
{
  Owed *o = &store->owed;
  if (o->failed) {
    g_set_error(error, o->failed->domain, o->failed->code, "%s (this transaction is lost)",
                o->failed->message);
    return FALSE;
  }
  if (!o->write)
    return TRUE;
  PtStoreOwedWrite write = o->write;
  gpointer data = owed_take(o);
  GError *local = NULL;
  if (write(store, data, &local))
    return TRUE;
  o->failed = g_error_copy(local);
  g_propagate_error(error, local);
  return FALSE;
}

/* Forgets the owed write without running it, and its failure: the transaction is gone. */
static void
owed_drop(PtStore *store)
{
  Owed *o = &store->owed;
  if (o->drop)
    o->drop(o->data);
  g_clear_error(&o->failed);
  memset(o, 0, sizeof *o);
}

gboolean
pt_store_owe(PtStore *store, PtStoreOwedWrite write, GDestroyNotify drop, gpointer data,
             GError **error)
{
  if (!settle(store, error)) {
    drop(data);
    return FALSE;
  }
  store->owed.write = write;
  store->owed.drop = drop;
  store->owed.data = data;
  return TRUE;
}

gpointer
pt_store_owed_take(PtStore *store, PtStoreOwedWrite write)
{
  Owed *o = &store->owed;
  return o->write && o->write == write ? owed_take(o) : NULL;
}

gboolean
pt_store_settle(PtStore *store, GError **error)
{
  return settle(store, error);
}

gboolean
pt_store_set_sqlite_error(PtStore *store, int rc, const char *what, GError **error)
{
  int primary = rc & 0xff;
  const char *msg = store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc);
  switch (primary) {
  case SQLITE_BUSY:
  case SQLITE_LOCKED:
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY,
                "database %s is locked by another writer (waited %d ms)", store->path,
                store->busy_timeout_ms);
    break;
  case SQLITE_READONLY:
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "database %s is read-only: %s", store->path, msg);
    break;
  case SQLITE_FULL:
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "disk full writing %s", store->path);
    break;
  case SQLITE_CONSTRAINT:
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s: %s", what, msg);
    break;
  case SQLITE_CORRUPT:
  case SQLITE_NOTADB:
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "database %s is damaged: %s", store->path, msg);
    break;
  default:
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "%s: %s", what, msg);
  }
  return FALSE;
}

static sqlite3_stmt *
stmt(PtStore *store, StmtId id, GError **error)
{
  if (!settle(store, error))
    return NULL;
  sqlite3_stmt *s = store->stmts[id];
  if (!s) {
    int rc = sqlite3_prepare_v3(store->db, stmt_sql[id], -1, SQLITE_PREPARE_PERSISTENT,
                                &store->stmts[id], NULL);
    if (rc != SQLITE_OK) {
      pt_store_set_sqlite_error(store, rc, "prepare", error);
      return NULL;
    }
    return store->stmts[id];
  }
  sqlite3_reset(s);
  sqlite3_clear_bindings(s);
  return s;
}

static void
finalize_stmt(gpointer s)
{
  sqlite3_finalize(s);
}

sqlite3_stmt *
pt_store_stmt(PtStore *store, const char *sql, GError **error)
{
  if (!settle(store, error))
    return NULL;
  sqlite3_stmt *s = g_hash_table_lookup(store->topic_stmts, sql);
  if (s) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
    return s;
  }
  int rc = sqlite3_prepare_v3(store->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, NULL);
  if (rc != SQLITE_OK) {
    pt_store_set_sqlite_error(store, rc, "prepare", error);
    return NULL;
  }
  g_hash_table_insert(store->topic_stmts, (gpointer)sql, s);
  g_hash_table_add(store->cached, s);
  return s;
}

sqlite3_stmt *
pt_store_walk_stmt(PtStore *store, const char *sql, GError **error)
{
  if (!settle(store, error))
    return NULL;
  sqlite3_stmt *s = g_hash_table_lookup(store->topic_stmts, sql);
  if (!s || !sqlite3_stmt_busy(s))
    return pt_store_stmt(store, sql, error);
  s = NULL;
  int rc = sqlite3_prepare_v2(store->db, sql, -1, &s, NULL);
  if (rc != SQLITE_OK) {
    pt_store_set_sqlite_error(store, rc, "prepare", error);
    return NULL;
  }
  return s;
}

static void
walk_release(PtStore *store, sqlite3_stmt *s)
{
  if (g_hash_table_contains(store->cached, s)) {
    sqlite3_reset(s);
    sqlite3_clear_bindings(s);
  } else {
    sqlite3_finalize(s);
  }
}

sqlite3 *
pt_store_db(PtStore *store)
{
  /* No error to report here: a failure stays with the store, and the next statement or the
   * commit reports it. */
  settle(store, NULL);
  return store->db;
}

static gboolean
exec_simple(PtStore *store, StmtId id, GError **error)
{
  sqlite3_stmt *s = stmt(store, id, error);
  if (!s)
    return FALSE;
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, stmt_sql[id], error);
  return TRUE;
}

static gboolean
exec_sql(PtStore *store, const char *sql, GError **error)
{
  char *msg = NULL;
  int rc = sqlite3_exec(store->db, sql, NULL, NULL, &msg);
  sqlite3_free(msg);
  if (rc != SQLITE_OK)
    return pt_store_set_sqlite_error(store, rc, "schema", error);
  return TRUE;
}

static int
read_user_version(PtStore *store)
{
  sqlite3_stmt *s = NULL;
  int v = -1;
  if (sqlite3_prepare_v2(store->db, "PRAGMA user_version", -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int(s, 0);
  sqlite3_finalize(s);
  return v;
}

/* %Q: sqlite3_mprintf() quotes the file name as an SQL string. */
static const char sql_vacuum_into[] = "VACUUM INTO %Q";

/* An upgrade never leaves a station without the database it had: before the first migration
 * of a database at @version, a consistent copy goes to station.db.schema-VERSION.bak beside it
 * (kept if one is there already, from an upgrade that failed part way). */
static gboolean
backup_before_migrating(PtStore *store, int version, GError **error)
{
  g_autofree char *copy = g_strdup_printf("%s.schema-%d.bak", store->path, version);
  if (g_file_test(copy, G_FILE_TEST_EXISTS))
    return TRUE;
  char *sql = sqlite3_mprintf(sql_vacuum_into, copy);
  int rc = sqlite3_exec(store->db, sql, NULL, NULL, NULL);
  sqlite3_free(sql);
  /* Another connection opening the same database may have written it meanwhile. */
  if (rc != SQLITE_OK && !g_file_test(copy, G_FILE_TEST_EXISTS))
    return pt_store_set_sqlite_error(store, rc, "copy the database before upgrading it", error);
  return TRUE;
}

static gboolean
migrate(PtStore *store, GError **error)
{
  int version = read_user_version(store);
  if (version == PT_STORE_SCHEMA_VERSION)
    return TRUE;
  if (version < 0 || version > PT_STORE_SCHEMA_VERSION) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "database %s has schema version %d; this packtrace knows up to %d (a newer "
                "packtrace wrote it: run that one, or restore the copy taken before the upgrade)",
                store->path, version, PT_STORE_SCHEMA_VERSION);
    return FALSE;
  }
  if (version > 0 && !backup_before_migrating(store, version, error))
    return FALSE;
  if (!pt_store_begin(store, error))
    return FALSE;
  /* Re-read under the write lock: another process may have migrated meanwhile. */
  version = read_user_version(store);
  for (; version < PT_STORE_SCHEMA_VERSION; version++) {
    g_autofree char *bump = g_strdup_printf("PRAGMA user_version = %d", version + 1);
    if (!exec_sql(store, migrations[version], error) || !exec_sql(store, bump, error)) {
      pt_store_rollback(store);
      return FALSE;
    }
  }
  return pt_store_commit(store, error);
}

PtStore *
pt_store_open(const char *path, gboolean create, int busy_timeout_ms, GError **error)
{
  g_autoptr(PtStore) store = g_new0(PtStore, 1);
  store->path = g_strdup(path);
  store->busy_timeout_ms = busy_timeout_ms;
  store->topic_stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, finalize_stmt);
  store->cached = g_hash_table_new(g_direct_hash, g_direct_equal);
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX | (create ? SQLITE_OPEN_CREATE : 0);
  int rc = sqlite3_open_v2(path, &store->db, flags, NULL);
  if (rc != SQLITE_OK) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot open database %s: %s", path,
                store->db ? sqlite3_errmsg(store->db) : sqlite3_errstr(rc));
    return NULL;
  }
  sqlite3_extended_result_codes(store->db, 1);
  sqlite3_busy_timeout(store->db, busy_timeout_ms);
  g_autofree char *pragmas =
      g_strdup_printf("PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; "
                      "PRAGMA foreign_keys = ON; PRAGMA cache_size = -%d; "
                      "PRAGMA wal_autocheckpoint = %d;",
                      PT_STORE_CACHE_KB, PT_STORE_WAL_CHECKPOINT_PAGES);
  if (!exec_sql(store, pragmas, error))
    return NULL;
  /* journal_mode can silently stay "delete" (read-only directory): check it took. */
  sqlite3_stmt *s = NULL;
  gboolean wal = FALSE;
  if (sqlite3_prepare_v2(store->db, "PRAGMA journal_mode", -1, &s, NULL) == SQLITE_OK &&
      sqlite3_step(s) == SQLITE_ROW)
    wal = g_ascii_strcasecmp((const char *)sqlite3_column_text(s, 0), "wal") == 0;
  sqlite3_finalize(s);
  if (!wal) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO,
                "database %s cannot use write-ahead logging (is its folder writable?)", path);
    return NULL;
  }
  if (!migrate(store, error))
    return NULL;
  return g_steal_pointer(&store);
}

/* Opens @uri read-only and reads the schema version: the first read is where a WAL database
 * in a folder that cannot take its -shm file fails. */
static gboolean
open_ro_uri(PtStore *store, const char *uri, int *version_out)
{
  if (store->db) {
    sqlite3_close_v2(store->db);
    store->db = NULL;
  }
  int rc = sqlite3_open_v2(uri, &store->db,
                           SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL);
  if (rc != SQLITE_OK)
    return FALSE;
  sqlite3_extended_result_codes(store->db, 1);
  sqlite3_busy_timeout(store->db, store->busy_timeout_ms);
  *version_out = read_user_version(store);
  return *version_out >= 0;
}

PtStore *
pt_store_open_readonly(const char *path, GError **error)
{
  g_autoptr(PtStore) store = g_new0(PtStore, 1);
  store->path = g_strdup(path);
  store->busy_timeout_ms = 5000;
  store->topic_stmts = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, finalize_stmt);
  store->cached = g_hash_table_new(g_direct_hash, g_direct_equal);
  GStatBuf st;
  if (g_stat(path, &st) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "database %s is missing", path);
    return NULL;
  }
  if (st.st_size == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "database %s is empty (0 bytes): a station's log cannot be empty, `init` "
                "creates its schema",
                path);
    return NULL;
  }
  g_autofree char *escaped = g_uri_escape_string(path, "/", FALSE);
  g_autofree char *wal = g_strconcat(path, "-wal", NULL);
  g_autofree char *ro = g_strconcat("file:", escaped, "?mode=ro", NULL);
  g_autofree char *immutable = g_strconcat("file:", escaped, "?immutable=1", NULL);
  int version = -1;
  /* mode=ro reads the write-ahead log too but needs to write the -shm index; a copy in a
   * read-only folder cannot.  Without a write-ahead log to read, immutable=1 reads the file
   * alone and writes nothing beside it. */
  if (!open_ro_uri(store, ro, &version)) {
    if (g_stat(wal, &st) == 0 && st.st_size > 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_IO,
                  "cannot read %s read-only with its write-ahead log %s (%s): copy both to a "
                  "writable folder",
                  path, wal, store->db ? sqlite3_errmsg(store->db) : "cannot open");
      return NULL;
    }
    if (!open_ro_uri(store, immutable, &version)) {
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot open database %s read-only: %s", path,
                  store->db ? sqlite3_errmsg(store->db) : "cannot open");
      return NULL;
    }
  }
  if (version == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "database %s has no schema: it is not a station's log (`init` creates one "
                "beside the key)",
                path);
    return NULL;
  }
  if (version != PT_STORE_SCHEMA_VERSION) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "database %s has schema version %d; this packtrace reads %d read-only (open it "
                "once with this packtrace to migrate)",
                path, version, PT_STORE_SCHEMA_VERSION);
    return NULL;
  }
  return g_steal_pointer(&store);
}

void
pt_store_close(PtStore *store)
{
  if (!store)
    return;
  owed_drop(store);
  for (int i = 0; i < N_STMTS; i++)
    sqlite3_finalize(store->stmts[i]);
  if (store->cached)
    g_hash_table_destroy(store->cached);
  if (store->topic_stmts)
    g_hash_table_destroy(store->topic_stmts);
  if (store->heads.batches)
    g_hash_table_destroy(store->heads.batches);
  sqlite3_close_v2(store->db);
  g_free(store->path);
  g_free(store);
}

int
pt_store_schema_version(PtStore *store)
{
  return read_user_version(store);
}

static void
heads_forget(PtStore *store)
{
  HeadsCache *h = &store->heads;
  h->open = FALSE;
  h->station_known = FALSE;
  h->signer_known = FALSE;
  h->appended = 0;
  if (h->batches)
    g_hash_table_remove_all(h->batches);
}

/* TRUE while the heads this connection knows are the log's (see HeadsCache). */
static gboolean
heads_usable(PtStore *store)
{
  return store->heads.open && !sqlite3_get_autocommit(store->db);
}

gboolean
pt_store_begin(PtStore *store, GError **error)
{
  owed_drop(store); /* nothing is owed outside a transaction */
  heads_forget(store);
  if (!exec_simple(store, STMT_BEGIN, error))
    return FALSE;
  store->heads.open = TRUE;
  return TRUE;
}

gboolean
pt_store_commit(PtStore *store, GError **error)
{
  /* The rows owed are written first, inside the transaction (pt_store_owe()). */
  gboolean ok = settle(store, error);
  heads_forget(store);
  if (ok && exec_simple(store, STMT_COMMIT, error))
    return TRUE;
  pt_store_rollback(store);
  return FALSE;
}

void
pt_store_rollback(PtStore *store)
{
  owed_drop(store);
  heads_forget(store);
  if (!sqlite3_get_autocommit(store->db))
    exec_simple(store, STMT_ROLLBACK, NULL);
}

void
pt_store_bind_text_or_null(sqlite3_stmt *s, int i, const char *v)
{
  if (v)
    sqlite3_bind_text(s, i, v, -1, SQLITE_TRANSIENT);
  else
    sqlite3_bind_null(s, i);
}

char *
pt_store_column_dup(sqlite3_stmt *s, int i)
{
  const unsigned char *t = sqlite3_column_text(s, i);
  return t ? g_strdup((const char *)t) : NULL;
}

char *
pt_store_like_contains(const char *text)
{
  if (!text)
    return NULL;
  GString *p = g_string_sized_new(strlen(text) + 8);
  g_string_append_c(p, '%');
  for (const char *c = text; *c; c++) {
    if (*c == '%' || *c == '_' || *c == '\\')
      g_string_append_c(p, '\\');
    g_string_append_c(p, *c);
  }
  g_string_append_c(p, '%');
  return g_string_free(p, FALSE);
}

gboolean
pt_store_step_done(PtStore *store, sqlite3_stmt *s, const char *what, GError **error)
{
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, what, error);
  return TRUE;
}

gboolean
pt_store_step_int64(PtStore *store, sqlite3_stmt *s, const char *what, gint64 *out, GError **error)
{
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, what, error);
  return TRUE;
}

gboolean
pt_store_batch_insert(PtStore *store, PtBatch *b, GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_BATCH_INSERT, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, b->lot, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, b->gtin, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 3, b->product, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 4, b->variety);
  pt_store_bind_text_or_null(s, 5, b->origin);
  pt_store_bind_text_or_null(s, 6, b->grower);
  pt_store_bind_text_or_null(s, 7, b->harvest_date);
  sqlite3_bind_text(s, 8, b->pack_date, -1, SQLITE_TRANSIENT);
  if (b->has_quantity)
    sqlite3_bind_double(s, 9, b->quantity);
  else
    sqlite3_bind_null(s, 9);
  pt_store_bind_text_or_null(s, 10, b->uom);
  sqlite3_bind_int64(s, 11, b->created_ns);
  sqlite3_bind_int(s, 12, b->demo ? 1 : 0);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    if (rc == SQLITE_CONSTRAINT_UNIQUE) {
      g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "lot %s already exists on this station",
                  b->lot);
      return FALSE;
    }
    return pt_store_set_sqlite_error(store, rc, "insert batch", error);
  }
  b->id = sqlite3_last_insert_rowid(store->db);
  g_free(b->status);
  b->status = g_strdup("active");
  return TRUE;
}

static PtBatch *
batch_from_row(sqlite3_stmt *s)
{
  PtBatch *b = g_new0(PtBatch, 1);
  b->id = sqlite3_column_int64(s, 0);
  b->lot = pt_store_column_dup(s, 1);
  b->gtin = pt_store_column_dup(s, 2);
  b->product = pt_store_column_dup(s, 3);
  b->variety = pt_store_column_dup(s, 4);
  b->origin = pt_store_column_dup(s, 5);
  b->grower = pt_store_column_dup(s, 6);
  b->harvest_date = pt_store_column_dup(s, 7);
  b->pack_date = pt_store_column_dup(s, 8);
  b->has_quantity = sqlite3_column_type(s, 9) != SQLITE_NULL;
  b->quantity = sqlite3_column_double(s, 9);
  b->uom = pt_store_column_dup(s, 10);
  b->status = pt_store_column_dup(s, 11);
  b->status_reason = pt_store_column_dup(s, 12);
  b->created_ns = sqlite3_column_int64(s, 13);
  b->n_events = sqlite3_column_int64(s, 14);
  b->demo = sqlite3_column_int(s, 15) != 0;
  return b;
}

static PtBatch *
batch_get_one(PtStore *store, sqlite3_stmt *s, const char *what, GError **error)
{
  int rc = sqlite3_step(s);
  PtBatch *b = NULL;
  if (rc == SQLITE_ROW)
    b = batch_from_row(s);
  else if (rc == SQLITE_DONE)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no batch %s", what);
  else
    pt_store_set_sqlite_error(store, rc, "read batch", error);
  sqlite3_reset(s);
  return b;
}

PtBatch *
pt_store_batch_get(PtStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_BATCH_GET, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, id);
  g_autofree char *what = g_strdup_printf("%" G_GINT64_FORMAT, id);
  return batch_get_one(store, s, what, error);
}

PtBatch *
pt_store_batch_get_by_lot(PtStore *store, const char *lot, GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_BATCH_GET_LOT, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, lot, -1, SQLITE_TRANSIENT);
  g_autofree char *what = g_strdup_printf("with lot %s", lot);
  return batch_get_one(store, s, what, error);
}

GPtrArray *
pt_store_batch_list(PtStore *store, int limit, int offset, GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_BATCH_LIST, error);
  if (!s)
    return NULL;
  sqlite3_bind_int(s, 1, limit);
  sqlite3_bind_int(s, 2, offset);
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_batch_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(list, batch_from_row(s));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    pt_store_set_sqlite_error(store, rc, "list batches", error);
    return NULL;
  }
  return g_steal_pointer(&list);
}

gboolean
pt_store_batch_set_status(PtStore *store, gint64 id, const char *status, const char *reason,
                          GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_BATCH_STATUS, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, status, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 2, reason);
  sqlite3_bind_int64(s, 3, id);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "update batch status", error);
  return TRUE;
}

gboolean
pt_store_lot_counter_max(PtStore *store, const char *prefix, int *max_out, GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_LOT_GLOB, error);
  if (!s)
    return FALSE;
  g_autofree char *pattern = g_strconcat(prefix, "[0-9]*", NULL);
  sqlite3_bind_text(s, 1, pattern, -1, SQLITE_TRANSIENT);
  gsize n = strlen(prefix);
  int max = 0, rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    const char *lot = (const char *)sqlite3_column_text(s, 0);
    guint64 counter;
    /* Lots typed by hand may share the prefix; only all-digit tails count. */
    if (g_ascii_string_to_unsigned(lot + n, 10, 0, G_MAXINT, &counter, NULL) && (int)counter > max)
      max = (int)counter;
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read lots", error);
  *max_out = max;
  return TRUE;
}

static gboolean
read_station_head(PtStore *store, GError **error)
{
  HeadsCache *h = &store->heads;
  sqlite3_stmt *s = stmt(store, STMT_HEAD_STATION, error);
  if (!s)
    return FALSE;
  int rc = sqlite3_step(s);
  h->has_station = rc == SQLITE_ROW;
  h->last_seq = 0;
  h->last_record_time_ns = 0;
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_bytes(s, 1) != PT_HASH_LEN) {
      sqlite3_reset(s);
      return pt_store_set_sqlite_error(store, SQLITE_CORRUPT, "read chain head", error);
    }
    h->last_seq = sqlite3_column_int64(s, 0);
    memcpy(h->station_hash, sqlite3_column_blob(s, 1), PT_HASH_LEN);
    h->last_record_time_ns = sqlite3_column_int64(s, 2);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read chain head", error);
  h->station_known = TRUE;
  return TRUE;
}

/* *@present is FALSE when @batch_id has no event yet. */
static gboolean
read_batch_head(PtStore *store, gint64 batch_id, guint8 *hash, gboolean *present, GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_HEAD_BATCH, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  int rc = sqlite3_step(s);
  *present = rc == SQLITE_ROW;
  if (rc == SQLITE_ROW) {
    if (sqlite3_column_bytes(s, 0) != PT_HASH_LEN) {
      sqlite3_reset(s);
      return pt_store_set_sqlite_error(store, SQLITE_CORRUPT, "read batch chain head", error);
    }
    memcpy(hash, sqlite3_column_blob(s, 0), PT_HASH_LEN);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read batch chain head", error);
  return TRUE;
}

static void
heads_note_batch(PtStore *store, gint64 batch_id, const guint8 *hash)
{
  HeadsCache *h = &store->heads;
  if (!h->batches)
    h->batches = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free);
  g_hash_table_replace(h->batches, g_memdup2(&batch_id, sizeof batch_id),
                       g_memdup2(hash, PT_HASH_LEN));
}

gboolean
pt_store_chain_heads(PtStore *store, gint64 batch_id, PtEventRow *heads, GError **error)
{
  HeadsCache *h = &store->heads;
  gboolean usable = heads_usable(store);
  if (!usable)
    heads_forget(store);
  if (!h->station_known && !read_station_head(store, error))
    return FALSE;
  heads->has_prev_station = h->has_station;
  heads->seq = h->last_seq + 1;
  heads->record_time_ns = h->last_record_time_ns;
  if (h->has_station)
    memcpy(heads->prev_station_hash, h->station_hash, PT_HASH_LEN);

  const guint8 *known = h->batches ? g_hash_table_lookup(h->batches, &batch_id) : NULL;
  if (known) {
    heads->has_prev_batch = TRUE;
    memcpy(heads->prev_batch_hash, known, PT_HASH_LEN);
  } else if (!read_batch_head(store, batch_id, heads->prev_batch_hash, &heads->has_prev_batch,
                              error)) {
    return FALSE;
  } else if (heads->has_prev_batch && usable) {
    heads_note_batch(store, batch_id, heads->prev_batch_hash);
  }
  /* Outside a write transaction another connection may append at any time. */
  if (!usable)
    h->station_known = FALSE;
  return TRUE;
}

gboolean
pt_store_event_insert(PtStore *store, const PtEventRow *r, GError **error)
{
  sqlite3_stmt *s = stmt(store, STMT_EVENT_INSERT, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, r->seq);
  sqlite3_bind_int64(s, 2, r->batch_id);
  sqlite3_bind_text(s, 3, r->event_id, -1, SQLITE_STATIC);
  sqlite3_bind_text(s, 4, r->step, -1, SQLITE_STATIC);
  sqlite3_bind_int64(s, 5, r->event_time_ns);
  sqlite3_bind_int64(s, 6, r->record_time_ns);
  sqlite3_bind_text(s, 7, r->body, (int)r->body_len, SQLITE_STATIC);
  sqlite3_bind_blob(s, 8, r->hash, PT_HASH_LEN, SQLITE_STATIC);
  if (r->has_prev_batch)
    sqlite3_bind_blob(s, 9, r->prev_batch_hash, PT_HASH_LEN, SQLITE_STATIC);
  if (r->has_prev_station)
    sqlite3_bind_blob(s, 10, r->prev_station_hash, PT_HASH_LEN, SQLITE_STATIC);
  sqlite3_bind_blob(s, 11, r->signature, PT_SIG_LEN, SQLITE_STATIC);
  if (r->hash_id)
    sqlite3_bind_text(s, 12, r->hash_id, -1, SQLITE_STATIC);
  else
    sqlite3_bind_null(s, 12);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "insert event", error);
  pt_store_heads_note(store, r);
  return TRUE;
}

gboolean
pt_store_in_write(PtStore *store)
{
  return heads_usable(store);
}

void
pt_store_heads_note(PtStore *store, const PtEventRow *r)
{
  if (!heads_usable(store)) {
    heads_forget(store);
    return;
  }
  /* The row is the log's head now, for as long as this transaction holds (see HeadsCache);
   * a row noted before its insert (pt_store_owe()) is not noted again: a later one may be the
   * head by then. */
  HeadsCache *h = &store->heads;
  if (h->station_known && h->has_station && r->seq <= h->last_seq)
    return;
  h->station_known = TRUE;
  h->has_station = TRUE;
  h->last_seq = r->seq;
  h->last_record_time_ns = r->record_time_ns;
  memcpy(h->station_hash, r->hash, PT_HASH_LEN);
  heads_note_batch(store, r->batch_id, r->hash);
  h->appended++;
}

guint
pt_store_appended(PtStore *store)
{
  return heads_usable(store) ? store->heads.appended : 0;
}

gboolean
pt_store_signer_known(PtStore *store, guint8 key[PT_PUB_LEN], gint64 *from_ns)
{
  HeadsCache *h = &store->heads;
  if (!h->signer_known || !heads_usable(store))
    return FALSE;
  memcpy(key, h->signer_key, PT_PUB_LEN);
  *from_ns = h->signer_from_ns;
  return TRUE;
}

void
pt_store_signer_note(PtStore *store, const guint8 key[PT_PUB_LEN], gint64 from_ns)
{
  HeadsCache *h = &store->heads;
  h->signer_known = heads_usable(store);
  memcpy(h->signer_key, key, PT_PUB_LEN);
  h->signer_from_ns = from_ns;
}

void
pt_store_signer_forget(PtStore *store)
{
  store->heads.signer_known = FALSE;
}

static void
copy_blob(sqlite3_stmt *s, int i, guint8 *out, gsize len, gboolean *present)
{
  gboolean ok =
      sqlite3_column_type(s, i) == SQLITE_BLOB && (gsize)sqlite3_column_bytes(s, i) == len;
  if (ok)
    memcpy(out, sqlite3_column_blob(s, i), len);
  else
    memset(out, 0, len);
  if (present)
    *present = ok;
}

gboolean
pt_store_events_each(PtStore *store, sqlite3_stmt *s, PtEventFunc fn, gpointer user_data,
                     const char *what, GError **error)
{
  gboolean ok = TRUE;
  int rc;
  while (ok && (rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtEventRow row = {0};
    row.seq = sqlite3_column_int64(s, 0);
    row.batch_id = sqlite3_column_int64(s, 1);
    row.event_id = (char *)sqlite3_column_text(s, 2);
    row.step = (char *)sqlite3_column_text(s, 3);
    row.event_time_ns = sqlite3_column_int64(s, 4);
    row.record_time_ns = sqlite3_column_int64(s, 5);
    row.body = (char *)sqlite3_column_text(s, 6);
    row.body_len = (gsize)sqlite3_column_bytes(s, 6);
    copy_blob(s, 7, row.hash, PT_HASH_LEN, NULL);
    copy_blob(s, 8, row.prev_batch_hash, PT_HASH_LEN, &row.has_prev_batch);
    copy_blob(s, 9, row.prev_station_hash, PT_HASH_LEN, &row.has_prev_station);
    copy_blob(s, 10, row.signature, PT_SIG_LEN, NULL);
    row.hash_id = (char *)sqlite3_column_text(s, 11);
    ok = fn(&row, user_data, error);
  }
  if (ok && rc != SQLITE_DONE)
    ok = pt_store_set_sqlite_error(store, rc, what, error);
  walk_release(store, s);
  return ok;
}

gboolean
pt_store_events_foreach(PtStore *store, gint64 batch_id, PtEventFunc fn, gpointer user_data,
                        GError **error)
{
  /* A foreach may run inside another (audit inside export): the inner one gets a private
   * statement (pt_store_walk_stmt()). */
  sqlite3_stmt *s =
      pt_store_walk_stmt(store, stmt_sql[batch_id ? STMT_EVENTS_BATCH : STMT_EVENTS_ALL], error);
  if (!s)
    return FALSE;
  if (batch_id)
    sqlite3_bind_int64(s, 1, batch_id);
  return pt_store_events_each(store, s, fn, user_data, "read events", error);
}
