/* test-store.c: schema migrations by user_version, refusal of a newer schema,
 * the lock contract between two writers, lot generation, and the Event Hash ID column
 * filled for events stored before it. */
#include "pt-error.h"
#include "pt-event-hash.h"
#include "pt-json.h"
#include "pt-store.h"
#include "pt-store-print.h"
#include "pt-store-signed.h"
#include "pt-store-sync.h"
#include "pt-test-station.h"
#include "pt-trace.h"

#include <sqlite3.h>
#include <string.h>

static char *
tmp_db(void)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("packtrace-store-XXXXXX", &error);
  g_assert_no_error(error);
  return g_build_filename(dir, "station.db", NULL);
}

static int
raw_exec_int(const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &s, NULL), ==, SQLITE_OK);
  int v = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int(s, 0) : -1;
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

/* Returns: (transfer full): the first column of the first row of @sql. */
static char *
raw_exec_text(const char *path, const char *sql)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db, sql, -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  char *v = g_strdup((const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

static void
test_fresh_database_migrates(void)
{
  g_autofree char *path = tmp_db();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_store_open(path, TRUE, 100, &error);
  g_assert_no_error(error);
  g_assert_cmpint(pt_store_schema_version(store), ==, PT_STORE_SCHEMA_VERSION);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                     "('batches', 'events', 'events_by_batch')"),
                  ==, 3);
}

static void
test_wal_and_foreign_keys(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open(ts->station->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1, &s, NULL), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  g_assert_cmpstr((const char *)sqlite3_column_text(s, 0), ==, "wal");
  sqlite3_finalize(s);
  sqlite3_close(db);

  /* An event for a batch that does not exist is refused by the foreign key. */
  PtEventRow row = {.seq = 1,
                    .batch_id = 999,
                    .event_id = (char *)"urn:uuid:x",
                    .step = (char *)"inspecting",
                    .body = (char *)"{}",
                    .body_len = 2};
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_store_event_insert(ts->store, &row, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
}

static void
test_newer_schema_refused(void)
{
  g_autofree char *path = tmp_db();
  g_assert_cmpint(raw_exec_int(path, "PRAGMA user_version = 99"), ==, -1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_store_open(path, FALSE, 100, &error);
  g_assert_null(store);
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, "schema version 99"));
}

static void
test_version0_with_data_is_kept(void)
{
  /* A version-0 file (e.g. one a user made by hand) is migrated, not replaced. */
  g_autofree char *path = tmp_db();
  raw_exec_int(path, "CREATE TABLE notes (x TEXT)");
  raw_exec_int(path, "INSERT INTO notes VALUES ('kept')");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_store_open(path, FALSE, 100, &error);
  g_assert_no_error(error);
  g_assert_cmpint(raw_exec_int(path, "PRAGMA user_version"), ==, PT_STORE_SCHEMA_VERSION);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM notes"), ==, 1);
}

static void
test_locked_database(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) other = pt_store_open(ts->station->db_path, FALSE, 50, &error);
  g_assert_no_error(error);
  g_assert_true(pt_store_begin(ts->store, &error));
  gint64 t0 = g_get_monotonic_time();
  g_assert_false(pt_store_begin(other, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_BUSY);
  g_assert_nonnull(strstr(error->message, "locked"));
  /* It waited for the lock (busy timeout), then gave up. */
  g_assert_cmpint(g_get_monotonic_time() - t0, >=, 40 * 1000);
  pt_store_rollback(ts->store);
  g_clear_error(&error);
  g_assert_true(pt_store_begin(other, &error));
  pt_store_rollback(other);
}

static void
test_lot_generation(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec = {.product = "Kiwi", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(PtBatch) a = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_autoptr(PtBatch) b = pt_batch_create(ts->station, ts->store, &spec, &error);
  spec.lot = "PT2611250041"; /* typed by hand: the counter continues after it */
  g_autoptr(PtBatch) c = pt_batch_create(ts->station, ts->store, &spec, &error);
  spec.lot = "PT261125X";
  g_autoptr(PtBatch) d = pt_batch_create(ts->station, ts->store, &spec, &error);
  spec.lot = NULL;
  g_autoptr(PtBatch) e = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(a->lot, ==, "PT2611250001");
  g_assert_cmpstr(b->lot, ==, "PT2611250002");
  g_assert_cmpstr(e->lot, ==, "PT2611250042");
  spec.lot = "PT2611250002";
  g_autoptr(PtBatch) dup = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_assert_null(dup);
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
}

/* What schemas 19 to 23 changed, undone to make a database of an earlier schema (the
 * outbox keeps schema 22's shape, which the migrations take as they took schema 21's). */
#define UNDO_SCHEMAS_19_22                                                                         \
  "DROP TABLE attachments; "                                                                       \
  "DROP INDEX events_by_hash_key; DROP INDEX events_without_hash_id; "                             \
  "CREATE INDEX events_by_hash_id ON events (hash_id); "                                           \
  "ALTER TABLE load_batches DROP COLUMN quantity; "                                                \
  "DROP TABLE recall_notices; DROP TABLE recalls; "                                                \
  "DROP TABLE pallet_cases; DROP TABLE pallets; DROP TABLE sscc_serials; "                         \
  "ALTER TABLE loads DROP COLUMN po; "

static void
test_version2_gains_print_jobs(void)
{
  /* A station made before label printing and sync (schema 2) keeps its batches and
   * gains the print queue and the outbox. */
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 1);
  pt_test_sql(ts, UNDO_SCHEMAS_19_22
              "DROP TABLE key_rotations; DROP TABLE hub_evidence; DROP TABLE hub_quarantine; "
              "DROP TABLE hub_sync; "
              "DROP TABLE print_jobs; DROP TABLE sync_deliveries; "
              "DROP TABLE sync_connectors; DROP TABLE outbox; DROP TABLE graded_fruit; "
              "DROP TABLE gradings; DROP TABLE driver_photos; DROP TABLE driver_requests; "
              "DROP TABLE driver_loads; DROP TABLE driver_tokens; DROP TABLE drivers; "
              "DROP TABLE load_refusals; DROP TABLE load_batches; "
              "DROP TABLE sessions; DROP TABLE users; DROP TABLE api_keys; "
              "DROP TABLE evidence_pending; DROP TABLE scan_days; DROP TABLE loads; "
              "DROP TABLE scans; DROP INDEX batches_by_gtin; DROP TABLE public_revs; "
              "DROP TRIGGER public_rev_batches_insert; DROP TRIGGER public_rev_batches_update; "
              "DROP TRIGGER public_rev_batches_delete; DROP TRIGGER public_rev_events_insert; "
              "ALTER TABLE batches DROP COLUMN demo; "
              "DROP INDEX events_by_hash_id; DROP TRIGGER events_hash_id_once; "
              "ALTER TABLE events DROP COLUMN hash_id; "
              "PRAGMA user_version = 2");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_store_open(ts->station->db_path, FALSE, 100, &error);
  g_assert_no_error(error);
  g_assert_cmpint(pt_store_schema_version(store), ==, PT_STORE_SCHEMA_VERSION);
  const char *path = ts->station->db_path;
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM print_jobs"), ==, 0);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM events"), ==, 2);
  /* The events already in the log are queued for platforms added later. */
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM outbox"), ==, 2);
}

static void
test_version17_print_jobs_cancel(void)
{
  /* Schema 18 lets a print job be cancelled and keeps the kind of its last error: a queue of
   * schema 17 keeps every job as it was, with no kind, and takes the new state after. */
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 1);
  g_autofree char *old = g_strdup_printf(
      UNDO_SCHEMAS_19_22
      "DROP TABLE print_jobs;"
      "CREATE TABLE print_jobs (id INTEGER PRIMARY KEY,"
      "  batch_id INTEGER NOT NULL REFERENCES batches (id),"
      "  template TEXT NOT NULL CHECK (template IN ('case', 'pallet')),"
      "  format TEXT NOT NULL CHECK (format = 'zpl'), printer TEXT NOT NULL,"
      "  copies INTEGER NOT NULL CHECK (copies >= 1),"
      "  state TEXT NOT NULL CHECK (state IN ('queued', 'printing', 'done', 'failed')),"
      "  attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, created_ns INTEGER NOT NULL,"
      "  updated_ns INTEGER NOT NULL, next_attempt_ns INTEGER, job BLOB NOT NULL,"
      "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64));"
      "CREATE INDEX print_jobs_by_state ON print_jobs (state, next_attempt_ns);"
      "INSERT INTO print_jobs VALUES (7, %" G_GINT64_FORMAT ", 'case', 'zpl', '10.0.0.1:9100', 2,"
      "  'failed', 3, 'cannot connect to printer 10.0.0.1:9100', 1, 2, NULL, x'5e5841',"
      "  '%064d');"
      "PRAGMA user_version = 17",
      b->id, 0);
  pt_test_sql(ts, old);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_store_open(ts->station->db_path, FALSE, 100, &error);
  g_assert_no_error(error);
  g_assert_cmpint(pt_store_schema_version(store), ==, PT_STORE_SCHEMA_VERSION);
  g_autoptr(PtPrintJob) job = pt_store_print_job_get(store, 7, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(job->state, ==, "failed");
  g_assert_cmpint(job->attempts, ==, 3);
  g_assert_cmpint(job->copies, ==, 2);
  g_assert_cmpstr(job->printer, ==, "10.0.0.1:9100");
  g_assert_cmpstr(job->last_error, ==, "cannot connect to printer 10.0.0.1:9100");
  g_assert_null(job->error_kind);
  g_assert_cmpmem(g_bytes_get_data(job->job, NULL), g_bytes_get_size(job->job), "^XA", 3);
  const char *path = ts->station->db_path;
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM sqlite_master WHERE "
                                     "name = 'print_jobs_by_state'"),
                  ==, 1);
  gboolean changed = FALSE;
  g_assert_true(pt_store_print_job_transition(store, 7, "failed", "cancelled", NULL, NULL, 0, FALSE,
                                              3, &changed, &error));
  g_assert_no_error(error);
  g_assert_true(changed);
  /* The CHECK still holds for anything else. */
  g_assert_false(pt_store_print_job_transition(store, 7, "cancelled", "lost", NULL, NULL, 0, FALSE,
                                               4, &changed, &error));
  g_assert_nonnull(error);
}

static gboolean
check_hash_id(const PtEventRow *row, gpointer user_data, GError **error)
{
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  g_assert_nonnull(event);
  g_autofree char *expected = pt_event_hash_id(event, NULL, error);
  json_decref(event);
  g_assert_cmpstr(row->hash_id, ==, expected);
  (*(int *)user_data)++;
  return TRUE;
}

static void
test_version14_fills_hash_ids(void)
{
  /* Events written before schema 15 have no stored hash ID; the first opening fills it from
   * their signed bodies, and a filled one cannot be changed. */
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 2);
  pt_test_sql(ts, UNDO_SCHEMAS_19_22
              "DROP TABLE key_rotations; DROP TABLE hub_evidence; DROP TABLE hub_quarantine; "
              "DROP TABLE hub_sync; "
              "DROP INDEX events_by_hash_id; DROP TRIGGER events_hash_id_once; "
              "ALTER TABLE events DROP COLUMN hash_id; PRAGMA user_version = 14");
  const char *path = ts->station->db_path;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_station_store(ts->station, &error);
  g_assert_no_error(error);
  g_assert_cmpint(pt_store_schema_version(store), ==, PT_STORE_SCHEMA_VERSION);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM events WHERE hash_id IS NULL"), ==, 0);
  int n = 0;
  g_assert_true(pt_store_events_foreach(store, b->id, check_hash_id, &n, &error));
  g_assert_cmpint(n, ==, 3);

  g_autofree char *first = NULL;
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT hash_id FROM events ORDER BY seq", -1, &s, NULL),
                  ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  first = g_strdup((const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  g_assert_cmpint(sqlite3_exec(db, "UPDATE events SET hash_id = 'x'", NULL, NULL, NULL), ==,
                  SQLITE_CONSTRAINT);
  g_assert_cmpint(sqlite3_exec(db, "UPDATE events SET body = '{}'", NULL, NULL, NULL), ==,
                  SQLITE_CONSTRAINT);
  sqlite3_close(db);

  json_t *found = pt_trace_event_by_hash_id(store, first, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(json_string_value(json_object_get(json_object_get(found, "batch"), "lot")), ==,
                  b->lot);
  g_assert_cmpstr(json_string_value(json_object_get(found, "hashId")), ==, first);
  json_decref(found);
  g_autofree char *unknown = g_strdup(first);
  unknown[strlen(PT_EVENT_HASH_PREFIX)] = unknown[strlen(PT_EVENT_HASH_PREFIX)] == '0' ? '1' : '0';
  g_assert_null(pt_trace_event_by_hash_id(store, unknown, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error(&error);
  g_assert_null(pt_trace_event_by_hash_id(store, "urn:uuid:1", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
}

/* The outbox as schema 21 had it (every key, an event's too, in a UNIQUE index), and its index
 * of whole Event Hash IDs. */
#define OUTBOX_SCHEMA_21                                                                           \
  "DROP INDEX outbox_batch_keys;"                                                                  \
  "CREATE TABLE outbox_old (id INTEGER PRIMARY KEY,"                                               \
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"                                           \
  "  kind TEXT NOT NULL CHECK (kind IN ('event', 'batch')),"                                       \
  "  event_seq INTEGER REFERENCES events (seq), key TEXT NOT NULL UNIQUE,"                         \
  "  status TEXT, reason TEXT, created_ns INTEGER NOT NULL,"                                       \
  "  CHECK ((kind = 'event') = (event_seq IS NOT NULL)));"                                         \
  "INSERT INTO outbox_old SELECT * FROM outbox; DROP TABLE outbox;"                                \
  "ALTER TABLE outbox_old RENAME TO outbox;"                                                       \
  "DROP INDEX events_by_hash_key; DROP INDEX events_without_hash_id;"                              \
  "CREATE INDEX events_by_hash_id ON events (hash_id);"

static void
test_version21_outbox_keys(void)
{
  /* Schema 22 keeps only batch changes' keys unique: the outbox and the deliveries that name
   * its rows come through whole, the deliveries still refer to the outbox, and new events and
   * changes queue as before. */
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 2);
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_store_begin(ts->store, &error) &&
                pt_store_outbox_add_batch(ts->store, b->id, "held", "mould", &error) &&
                pt_store_commit(ts->store, &error));
  g_assert_no_error(error);
  const char *path = ts->station->db_path;
  pt_test_sql(ts, OUTBOX_SCHEMA_21
              "INSERT INTO sync_connectors (name, cursor) VALUES ('platform', 4);"
              "INSERT INTO sync_deliveries (connector, outbox_id, batch_id, state, attempts,"
              "  created_ns, http_status, last_error) VALUES"
              "  ('platform', 2, 1, 'pending', 0, 5, NULL, NULL),"
              "  ('platform', 3, 1, 'failed', 3, 6, 422, 'refused');"
              "DROP TABLE attachments; PRAGMA user_version = 21");
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM sqlite_master WHERE "
                                     "name = 'sqlite_autoindex_outbox_1'"),
                  ==, 1);
  static const char rows[] = "SELECT group_concat(id || kind || coalesce(event_seq, '') || key || "
                             "coalesce(status, '') || created_ns, ',') FROM outbox";
  g_autofree char *before = raw_exec_text(path, rows);

  g_autoptr(PtStore) store = pt_station_store(ts->station, &error);
  g_assert_no_error(error);
  g_assert_cmpint(pt_store_schema_version(store), ==, PT_STORE_SCHEMA_VERSION);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM outbox"), ==, 4);
  g_autofree char *after = raw_exec_text(path, rows);
  g_assert_cmpstr(after, ==, before);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM sqlite_master WHERE "
                                     "name = 'sqlite_autoindex_outbox_1'"),
                  ==, 0);
  g_assert_cmpint(raw_exec_int(path,
                               "SELECT count(*) FROM sync_deliveries WHERE "
                               "(outbox_id = 2 AND state = 'pending') OR (outbox_id = 3 "
                               "AND state = 'failed' AND attempts = 3 AND http_status = 422)"),
                  ==, 2);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM pragma_foreign_key_list("
                                     "'sync_deliveries') WHERE \"from\" = 'outbox_id' AND "
                                     "\"table\" = 'outbox'"),
                  ==, 1);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM pragma_foreign_key_check"), ==, 0);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM sqlite_master WHERE name IN "
                                     "('sync_deliveries_state', 'outbox_batch_keys', "
                                     "'events_by_hash_key', 'events_without_hash_id')"),
                  ==, 4);
  g_assert_cmpint(
      raw_exec_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'events_by_hash_id'"), ==,
      0);

  /* New events and changes queue; a batch change's key is still unique. */
  PtEventSpec ev = {.step = "inspecting", .disposition = "conformant"};
  g_assert_true(pt_batch_add_event(ts->station, store, b, &ev, NULL, &error));
  g_assert_no_error(error);
  g_assert_true(pt_store_begin(store, &error) &&
                pt_store_outbox_add_batch(store, b->id, "active", NULL, &error) &&
                pt_store_commit(store, &error));
  g_assert_no_error(error);
  g_assert_cmpint(raw_exec_int(path, "SELECT count(*) FROM outbox"), ==, 6);
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db,
                               "INSERT INTO outbox (batch_id, kind, key, created_ns) "
                               "SELECT batch_id, 'batch', key, 1 FROM outbox WHERE kind = 'batch'",
                               NULL, NULL, NULL),
                  ==, SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

typedef struct {
  PtStore *store;
  gint64 batch_id;
  int outer, inner;
  GString *order;
} Walk;

static gboolean
count_inner(const PtEventRow *row, gpointer user_data, GError **error)
{
  Walk *w = user_data;
  w->inner++;
  return TRUE;
}

static gboolean
walk_nested(const PtEventRow *row, gpointer user_data, GError **error)
{
  Walk *w = user_data;
  w->outer++;
  g_string_append_printf(w->order, "%" G_GINT64_FORMAT " ", row->seq);
  /* The same walk inside the walk: the outer one's statement must not be reset under it. */
  return pt_store_events_foreach(w->store, w->batch_id, count_inner, w, error) &&
         pt_store_batch_fact_events(w->store, w->batch_id, count_inner, w, error);
}

/* Walks reuse the connection's statements, and one inside another of the same SQL gets its own:
 * each sees every row, in order, and the walks after them still work. */
static void
test_nested_walks(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 3);
  g_autoptr(GError) error = NULL;
  for (int round = 0; round < 3; round++) {
    Walk w = {.store = ts->store, .batch_id = b->id, .order = g_string_new(NULL)};
    g_assert_true(pt_store_events_foreach(ts->store, b->id, walk_nested, &w, &error));
    g_assert_no_error(error);
    g_assert_cmpint(w.outer, ==, 4);
    /* Four events each time, and the batch's one signed fact (its commissioning). */
    g_assert_cmpint(w.inner, ==, 4 * (4 + 1));
    g_assert_cmpstr(w.order->str, ==, "1 2 3 4 ");
    g_string_free(w.order, TRUE);
    Walk facts = {.store = ts->store, .batch_id = b->id, .order = g_string_new(NULL)};
    g_assert_true(pt_store_batch_fact_events(ts->store, b->id, walk_nested, &facts, &error));
    g_assert_cmpint(facts.outer, ==, 1);
    g_string_free(facts.order, TRUE);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/store/fresh", test_fresh_database_migrates);
  g_test_add_func("/store/wal-fk", test_wal_and_foreign_keys);
  g_test_add_func("/store/newer-refused", test_newer_schema_refused);
  g_test_add_func("/store/v0-kept", test_version0_with_data_is_kept);
  g_test_add_func("/store/locked", test_locked_database);
  g_test_add_func("/store/lots", test_lot_generation);
  g_test_add_func("/store/v2-gains-print-jobs", test_version2_gains_print_jobs);
  g_test_add_func("/store/v14-fills-hash-ids", test_version14_fills_hash_ids);
  g_test_add_func("/store/v17-print-jobs-cancel", test_version17_print_jobs_cancel);
  g_test_add_func("/store/v21-outbox-keys", test_version21_outbox_keys);
  g_test_add_func("/store/nested-walks", test_nested_walks);
  return g_test_run();
}
