/* pt-trace.c: appending signed events to the chained log, reading a batch's documents out
 * of it, and auditing it.
 * The append is the station's hottest write path: one canonical dump, one Event Hash ID,
 * one SHA-256, one signature and two INSERTs (event and outbox) per event; the record is
 * parsed again only when it holds a real number (reads_back_as_is()).  From a transaction's
 * second append on, the signature and the Event Hash ID are made on another core
 * (pt-signer.h) and the row is written before the transaction's next statement
 * (pt_store_owe()). */
#include "pt-trace.h"

#include "pt-batch-signed.h"
#include "pt-bundle.h"
#include "pt-canon.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-event-check.h"
#include "pt-event-hash.h"
#include "pt-json.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-sha256.h"
#include "pt-signer.h"
#include "pt-store-event-hash.h"
#include "pt-store-keys.h"
#include "pt-store-signed.h"
#include "pt-store-sync.h"
#include "pt-time.h"
#include "pt-trace-keys.h"

#include <string.h>

static void
set_hash_member(json_t *event, const char *key, gboolean present, const guint8 *hash)
{
  if (!present) {
    json_object_del(event, key);
    return;
  }
  char hex[PT_HASH_LEN * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, hash, PT_HASH_LEN);
  json_object_set_new(event, key, json_string(hex));
}

/* TRUE when @stored (nullable: it did not parse), @row's record as a verifier parses it,
 * writes back to the same bytes.  An integral number past 2^53 (1e20 is written
 * "100000000000000000000") reads back as an integer that C readers cannot take exactly, or at
 * all past 2^63: such a record could be signed but never verified, so it is refused here. */
static gboolean
reads_back(const json_t *stored, const PtEventRow *row, GError **error)
{
  gsize len = 0;
  g_autofree char *again = stored ? pt_canon_dump(stored, &len, NULL) : NULL;
  if (again && len == row->body_len && memcmp(again, row->body, len) == 0)
    return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
              "the event holds a number that does not read back exactly (an integral value "
              "beyond 2^53); not signed");
  return FALSE;
}

/* TRUE when @v, already written canonically, reads back as the very same tree, so that its
 * Event Hash ID may be taken from @v without parsing the record again: it holds no real
 * number (-0.0 and 5.0 are written "0" and "5" and read back as integers; a real may be
 * written past 2^53) and every string and member name is UTF-8 without NUL (the reader
 * refuses both).  Integers within 2^53, true, false and null write and read back exactly;
 * member order does not matter to the Event Hash ID, which sorts.  The canonical writer has
 * bounded the depth already. */
static gboolean
reads_back_as_is(const json_t *v)
{
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member)
    {
      if (!g_utf8_validate(key, -1, NULL) || !reads_back_as_is(member))
        return FALSE;
    }
    return TRUE;
  }
  case JSON_ARRAY:
    for (gsize i = 0; i < json_array_size(v); i++)
      if (!reads_back_as_is(json_array_get(v, i)))
        return FALSE;
    return TRUE;
  case JSON_STRING:
    return g_utf8_validate_len(json_string_value(v), json_string_length(v), NULL);
  case JSON_REAL:
    return FALSE;
  default:
    return TRUE;
  }
}

/* Signed times are only as good as the clock: one that went back (a dead RTC battery, a
 * wrong manual setting) would sign records "before" the ones already made. */
static gboolean
clock_not_behind(const PtEventRow *heads, gint64 now, GError **error)
{
  if (!heads->has_prev_station ||
      now >= heads->record_time_ns - PT_CLOCK_BACK_TOLERANCE_S * G_GINT64_CONSTANT(1000000000))
    return TRUE;
  g_autofree char *last = pt_time_format(heads->record_time_ns);
  g_autofree char *clock = pt_time_format(now);
  g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
              "the system clock (%s) is behind the last signed record (%s) by more than %d s: "
              "set the clock (is a time service running?) before recording",
              clock, last, PT_CLOCK_BACK_TOLERANCE_S);
  return FALSE;
}

/* The time from which @keys sign: 0 before any rotation, else the last rotation's "from".
 * Fails when @keys are not the last rotation's new key: a retired key never signs again.
 * The chain's signatures are the verifiers' to check; signing reads the last record only. */
static gboolean
signing_from(PtStore *store, const PtKeys *keys, gint64 *from_ns, GError **error)
{
  guint8 current[PT_PUB_LEN];
  /* Read once per write transaction: a burst of appends makes no statement before the rows
   * it owes are written (pt_store_owe()). */
  if (!pt_store_signer_known(store, current, from_ns)) {
    g_autoptr(GPtrArray) rows = pt_store_key_rotations(store, error);
    if (!rows)
      return FALSE;
    memcpy(current, keys->anchor_key, PT_PUB_LEN);
    *from_ns = 0;
    if (rows->len && !pt_key_rotation_peek(rows->pdata[rows->len - 1], current, from_ns, error))
      return FALSE;
    pt_store_signer_note(store, current, *from_ns);
  }
  if (sodium_memcmp(current, keys->public_key, PT_PUB_LEN) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "this process signs with a key that is not the station's current key (rotated "
                "since it started?); restart it to sign with the current key");
    return FALSE;
  }
  return TRUE;
}

static gboolean
insert_row(PtStore *store, const PtEventRow *row, GError **error)
{
  /* Same transaction: an event is never recorded without being queued for sync. */
  return pt_store_event_insert(store, row, error) && pt_store_outbox_add_event(store, row, error);
}

/* Writes one row handed to the signing thread, once it is signed. */
static gboolean
insert_signed(PtStore *store, PtSignJob *job, GError **error)
{
  PtEventRow row = {0};
  gboolean ok = pt_signer_finish(job, &row, error);
  /* SQLite rolls a transaction back on its own after some errors (a full disk): the row,
   * chained to rows that are gone, must not be written in a transaction of its own. */
  if (ok && !pt_store_in_write(store)) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO,
                "the database ended the transaction before event %" G_GINT64_FORMAT
                " was written; nothing of it was kept",
                row.seq);
    ok = FALSE;
  }
  ok = ok && insert_row(store, &row, error);
  pt_event_row_clear(&row);
  return ok;
}

/* Forgets rows handed to the signing thread (@jobs, a GQueue of PtSignJob, oldest first). */
static void
owed_drop(gpointer jobs)
{
  PtSignJob *job;
  while ((job = g_queue_pop_head(jobs))) {
    PtEventRow row = {0};
    pt_signer_finish(job, &row, NULL);
    pt_event_row_clear(&row);
  }
  g_queue_free(jobs);
}

/* The owed write of a burst's rows (pt_store_owe()): all of @jobs, in order. */
static gboolean
owed_insert(PtStore *store, gpointer jobs, GError **error)
{
  gboolean ok = TRUE;
  PtSignJob *job;
  while (ok && (job = g_queue_pop_head(jobs)))
    ok = insert_signed(store, job, error);
  owed_drop(jobs);
  return ok;
}

/* Signs @row in this thread: its Event Hash ID from @record, the event as readers parse its
 * stored text, and its signature over row->hash. */
static gboolean
sign_here(const PtKeys *keys, PtEventRow *row, const json_t *record, GError **error)
{
  row->hash_id = pt_event_hash_id(record, NULL, error);
  if (!row->hash_id)
    return FALSE;
  pt_keys_sign(keys, row->hash, row->signature);
  return TRUE;
}

/* Queues @row, after the rows the transaction owes, and writes those done, oldest first; the rest
 * stay owed to the store.  The signing thread signs it while it is less than four runs behind;
 * further behind (the other core busy with other work), this thread signs it itself rather
 * than wait, and waits only when six runs of rows are owed. */
static gboolean
append_ahead(PtStore *store, const PtKeys *keys, PtEventRow *row, const json_t *event,
             GError **error)
{
  gboolean thread = pt_signer_backlog() < 4 * PT_SIGNER_RUN;
  if (!thread && !sign_here(keys, row, event, error)) {
    pt_event_row_clear(row);
    return FALSE;
  }
  /* The log's head from now on, though written later; not before the row is sure to be. */
  pt_store_heads_note(store, row);
  PtSignJob *job = thread ? pt_signer_start(keys, row) : pt_signer_signed(row);
  GQueue *owed = pt_store_owed_take(store, owed_insert);
  if (!owed)
    owed = g_queue_new();
  g_queue_push_tail(owed, job);
  if (owed->length > 6 * PT_SIGNER_RUN)
    pt_signer_wait(g_queue_peek_head(owed));
  GQueue *ready = NULL;
  while (!g_queue_is_empty(owed) && pt_signer_done(g_queue_peek_head(owed))) {
    if (!ready)
      ready = g_queue_new();
    g_queue_push_tail(ready, g_queue_pop_head(owed));
  }
  /* Written as the store writes what is owed, so a failure stays with the transaction. */
  gboolean ok = !ready || (pt_store_owe(store, owed_insert, owed_drop, ready, error) &&
                           pt_store_settle(store, error));
  if (!ok || g_queue_is_empty(owed)) {
    owed_drop(owed);
    return ok;
  }
  return pt_store_owe(store, owed_insert, owed_drop, owed, error);
}

gboolean
pt_trace_append(PtStore *store, const PtKeys *keys, gint64 batch_id, const char *step,
                gint64 event_time_ns, json_t *event, PtEventRow *out, GError **error)
{
  PtEventRow row = {0};
  gint64 from_ns = 0;
  if (!pt_store_chain_heads(store, batch_id, &row, error))
    return FALSE;
  row.batch_id = batch_id;
  row.event_time_ns = event_time_ns;
  gint64 now = pt_now_ns();
  if (!clock_not_behind(&row, now, error) || !signing_from(store, keys, &from_ns, error)) {
    pt_event_row_clear(&row);
    return FALSE;
  }
  /* A verifier with one batch's events picks each one's key by its recordTime
   * (pt-key-chain.h): a clock a little behind a rotation must not sign "before" it. */
  row.record_time_ns = MAX(now, from_ns);

  const char *given_id = json_string_value(json_object_get(event, "eventID"));
  if (given_id) {
    row.event_id = g_strdup(given_id);
  } else {
    g_autofree char *uuid = g_uuid_string_random();
    row.event_id = g_strconcat("urn:uuid:", uuid, NULL);
    json_object_set_new(event, "eventID", json_string(row.event_id));
  }
  row.step = g_strdup(step);
  g_autofree char *record_time = pt_time_format(row.record_time_ns);
  json_object_set_new(event, "recordTime", json_string(record_time));
  set_hash_member(event, PT_EXT_PREV_EVENT, row.has_prev_batch, row.prev_batch_hash);
  set_hash_member(event, PT_EXT_PREV_STATION_EVENT, row.has_prev_station, row.prev_station_hash);

  row.body = pt_canon_dump(event, &row.body_len, error);
  gboolean ok = row.body != NULL;
  gboolean as_is = ok && reads_back_as_is(event);
  if (ok)
    pt_sha256(row.hash, row.body, row.body_len);
  if (as_is && !out && pt_store_appended(store) > 0) {
    /* From a transaction's second append on, a burst: the signature and the Event Hash ID on
     * the second core; the row is written before the transaction's next statement, the next
     * append's included.  A single append (the usual transaction) is done here whole, with no
     * thread to wake. */
    return append_ahead(store, keys, &row, event, error);
  }
  if (as_is) {
    ok = sign_here(keys, &row, event, error);
  } else if (ok) {
    /* From the record as every reader will parse it, not from @event: a real -0.0 or 5.0
     * is written "0" or "5", which reads back as an integer with another Event Hash ID. */
    json_t *stored = pt_json_parse(row.body, row.body_len, NULL);
    ok = reads_back(stored, &row, error) && sign_here(keys, &row, stored, error);
    json_decref(stored);
  }
  ok = ok && insert_row(store, &row, error);
  if (ok && out)
    *out = row;
  else
    pt_event_row_clear(&row);
  return ok;
}

gboolean
pt_trace_rotate_key(PtStore *store, const PtKeys *keys, const PtKeys *new_keys,
                    PtKeyRotationRow *out, GError **error)
{
  const gint64 ms = G_GINT64_CONSTANT(1000000);
  PtEventRow heads = {0};
  gint64 from_ns = 0;
  gint64 now = pt_now_ns();
  if (!pt_store_chain_heads(store, 0, &heads, error))
    return FALSE;
  if (!clock_not_behind(&heads, now, error) || !signing_from(store, keys, &from_ns, error))
    return FALSE;
  /* Strictly after the last record and the last rotation, to the millisecond recordTime is
   * written in: every event before is the old key's by time as well as by seq. */
  gint64 from = MAX(now, MAX(heads.record_time_ns, from_ns) + ms) / ms * ms;
  gint64 after_seq = heads.has_prev_station ? heads.seq - 1 : 0;
  PtKeyRotationRow row = {0};
  gboolean ok =
      pt_key_rotation_make(keys, new_keys, keys->anchor_key, from, after_seq,
                           heads.has_prev_station ? heads.prev_station_hash : NULL, &row, error) &&
      pt_store_key_rotation_insert(store, &row, error);
  if (ok && out)
    *out = row;
  else
    pt_key_rotation_row_clear(&row);
  return ok;
}

void
pt_audit_report_clear(PtAuditReport *report)
{
  if (report->breaks)
    g_ptr_array_unref(report->breaks);
  memset(report, 0, sizeof *report);
}

typedef struct {
  const PtKeyChain *chain;
  PtAuditReport *report;
  gint64 last_seq;
  gboolean have_last;
  guint8 last_hash[PT_HASH_LEN];
  GHashTable *batch_heads; /* batch id -> guint8[32] */
} AuditState;

static void G_GNUC_PRINTF(3, 4)
    audit_break(AuditState *st, const PtEventRow *row, const char *fmt, ...)
{
  st->report->n_breaks++;
  if (st->report->breaks->len >= PT_AUDIT_BREAKS_MAX)
    return;
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_ptr_array_add(st->report->breaks, g_strdup_printf("event seq %" G_GINT64_FORMAT
                                                      " (%s, batch %" G_GINT64_FORMAT "): %s",
                                                      row->seq, row->event_id ? row->event_id : "?",
                                                      row->batch_id, what));
}

static gboolean
audit_row(const PtEventRow *row, gpointer user_data, GError **error)
{
  AuditState *st = user_data;
  st->report->n_events++;

  if (row->seq != st->last_seq + 1)
    audit_break(st, row, "sequence jumps from %" G_GINT64_FORMAT " (events removed)", st->last_seq);

  /* The key in force at this place of the log; its time must say the same. */
  guint index = pt_key_chain_index_for_seq(st->chain, row->seq);
  if (pt_key_chain_index_at_time(st->chain, row->record_time_ns) != index)
    audit_break(st, row, "its record time puts it under another key than its place in the log");
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
  json_t *event = pt_event_check(row, pt_key_chain_key(st->chain, index), FALSE, failures);
  for (guint i = 0; i < failures->len; i++)
    audit_break(st, row, "%s", (char *)failures->pdata[i]);
  if (event) {
    if (!pt_event_link_matches(event, PT_EXT_PREV_STATION_EVENT, st->have_last, st->last_hash))
      audit_break(st, row, "station chain broken: previous event is not the one it names");
    guint8 *head = g_hash_table_lookup(st->batch_heads, &row->batch_id);
    if (!pt_event_link_matches(event, PT_EXT_PREV_EVENT, head != NULL, head))
      audit_break(st, row,
                  "batch chain broken: previous event of the batch is not the one it "
                  "names");
    json_decref(event);
  }

  /* The chain goes on from the record as it is: the next event names this body's hash. */
  guint8 hash[PT_HASH_LEN];
  pt_sha256(hash, row->body, row->body_len);
  guint8 *copy = g_memdup2(hash, PT_HASH_LEN);
  gint64 *key = g_memdup2(&row->batch_id, sizeof row->batch_id);
  if (!g_hash_table_contains(st->batch_heads, key))
    st->report->n_batches++;
  g_hash_table_replace(st->batch_heads, key, copy);
  memcpy(st->last_hash, hash, PT_HASH_LEN);
  st->have_last = TRUE;
  st->last_seq = row->seq;
  /* A rotation made after this event names its hash: it is that place of the chain. */
  for (guint i = 1; i < pt_key_chain_length(st->chain); i++) {
    gint64 after_seq = 0;
    const guint8 *after = pt_key_chain_after(st->chain, i, &after_seq);
    if (after_seq == row->seq && sodium_memcmp(after, hash, PT_HASH_LEN) != 0)
      audit_break(st, row, "key rotation %u does not follow this event, though it names it", i);
  }
  return TRUE;
}

/* Adds @line (transfer full) to @report. */
static void
report_line(PtAuditReport *report, char *line)
{
  report->n_breaks++;
  if (report->breaks->len < PT_AUDIT_BREAKS_MAX)
    g_ptr_array_add(report->breaks, line);
  else
    g_free(line);
}

typedef struct {
  PtAuditReport *report;
  const guint8 *public_key;
  PtStore *store;
} AuditFacts;

/* The batches row is a cache of the signed events: each field that differs is a break. */
static gboolean
audit_batch(const PtBatch *batch, gpointer user_data, GError **error)
{
  AuditFacts *af = user_data;
  g_auto(PtBatchSigned) signed_state = {0};
  if (!pt_batch_signed_read(af->store, af->public_key, batch, &signed_state, error))
    return FALSE;
  for (guint i = 0; i < signed_state.mismatches->len; i++)
    report_line(af->report,
                pt_fact_mismatch_describe(batch, g_ptr_array_index(signed_state.mismatches, i)));
  return TRUE;
}

/* The key chain from @anchor through the stored rotations that verify; each one that does
 * not is a break, and the keys after it are not followed. */
static PtKeyChain *
audit_key_chain(PtStore *store, const guint8 anchor[PT_PUB_LEN], PtAuditReport *report,
                GError **error)
{
  g_autoptr(GPtrArray) rows = pt_store_key_rotations(store, error);
  if (!rows)
    return NULL;
  PtKeyChain *chain = pt_key_chain_new(anchor);
  for (guint i = 0; i < rows->len; i++) {
    g_autoptr(GError) local = NULL;
    if (pt_key_chain_add(chain, rows->pdata[i], &local))
      continue;
    report_line(report, g_strdup_printf("key rotation %u (and the keys after it) refused: %s",
                                        i + 1, local->message));
    break;
  }
  report->n_keys = pt_key_chain_length(chain);
  return chain;
}

gboolean
pt_trace_audit(PtStore *store, const guint8 anchor[PT_PUB_LEN], PtAuditReport *report,
               GError **error)
{
  memset(report, 0, sizeof *report);
  report->breaks = g_ptr_array_new_with_free_func(g_free);
  AuditState st = {
      .report = report,
      .batch_heads = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, g_free),
  };
  /* The file first: a damaged one is named as such before a read of it fails. */
  g_autoptr(GPtrArray) problems = NULL;
  gboolean ok = pt_store_integrity_check(store, FALSE, &problems, error);
  for (guint i = 0; ok && i < problems->len; i++)
    report_line(report, g_strdup_printf("database file: %s", (char *)problems->pdata[i]));
  /* A damaged file is the finding: its rows are not read further. */
  gboolean damaged = ok && problems->len > 0;
  g_autoptr(PtKeyChain) chain =
      ok && !damaged ? audit_key_chain(store, anchor, report, error) : NULL;
  ok = ok && (damaged || chain);
  st.chain = chain;
  ok = ok && (damaged || pt_store_events_foreach(store, 0, audit_row, &st, error));
  g_hash_table_unref(st.batch_heads);
  AuditFacts facts = {.report = report, .public_key = anchor, .store = store};
  return ok && (damaged || pt_store_batches_foreach(store, audit_batch, &facts, error));
}

static gboolean
write_row(const PtEventRow *row, gpointer writer, GError **error)
{
  return pt_bundle_writer_add(writer, row, error);
}

char *
pt_trace_epcis(PtStore *store, const PtConfig *config, const PtBatch *batch, PtBundleView view,
               const char *buyer_gln, gsize *len_out, GError **error)
{
  g_autoptr(PtBundleWriter) w = pt_bundle_writer_new(config, FALSE, view, buyer_gln);
  if (!pt_store_events_foreach(store, batch->id, write_row, w, error))
    return NULL;
  return pt_bundle_writer_epcis(w, len_out, error);
}

char *
pt_trace_bundle(PtStore *store, const PtConfig *config, const PtKeys *keys, const PtBatch *batch,
                PtBundleView view, const char *buyer_gln, gsize *len_out, GError **error)
{
  g_autoptr(PtBundleWriter) w = pt_bundle_writer_new(config, TRUE, view, buyer_gln);
  g_autoptr(PtKeyChain) chain = pt_trace_key_chain(store, keys->anchor_key, error);
  if (!chain || !pt_store_events_foreach(store, batch->id, write_row, w, error))
    return NULL;
  pt_bundle_writer_set_key_chain(w, chain);
  return pt_bundle_writer_finish(w, keys, batch, len_out, error);
}

gboolean
pt_trace_fill_hash_ids(PtStore *store, GError **error)
{
  gint64 after = 0;
  for (;;) {
    /* Read first, outside a transaction: on an up-to-date store (every opening but the first)
     * this is one index read and never takes the write lock. */
    g_autoptr(GPtrArray) rows =
        pt_store_events_missing_hash_id(store, after, PT_HASH_ID_FILL_BATCH, error);
    if (!rows)
      return FALSE;
    if (rows->len == 0)
      return TRUE;
    if (!pt_store_begin(store, error))
      return FALSE;
    gboolean ok = TRUE;
    for (guint i = 0; ok && i < rows->len; i++) {
      const PtEventRow *row = rows->pdata[i];
      after = row->seq;
      /* A body that is not an event is left without an ID; the audit reports it. */
      json_t *event = pt_json_parse(row->body, row->body_len, NULL);
      g_autofree char *hash_id = event ? pt_event_hash_id(event, NULL, NULL) : NULL;
      json_decref(event);
      /* Set only where still unset: another process may be filling at the same time. */
      if (hash_id)
        ok = pt_store_event_set_hash_id(store, row->seq, hash_id, error);
    }
    if (!ok || !pt_store_commit(store, error)) {
      pt_store_rollback(store);
      return FALSE;
    }
  }
}

json_t *
pt_trace_event_by_hash_id(PtStore *store, const char *hash_id, GError **error)
{
  if (!pt_event_hash_id_is_valid(hash_id)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "'%s' is not an Event Hash ID (ni:///sha-256;<64 hex>?ver=CBV2.0)", hash_id);
    return NULL;
  }
  PtEventRow row = {0};
  g_autofree char *lot = NULL, *gtin = NULL;
  if (!pt_store_event_find_by_hash_id(store, hash_id, &row, &lot, &gtin, error))
    return NULL;
  json_t *event = pt_json_parse(row.body, row.body_len, error);
  json_t *out = NULL;
  if (event)
    out = json_pack("{sssssssIsos{ssss}}", "hashId", row.hash_id, "eventID", row.event_id, "step",
                    row.step, "seq", (json_int_t)row.seq, "event", event, "batch", "lot", lot,
                    "gtin", gtin);
  pt_event_row_clear(&row);
  return out;
}

char *
pt_trace_event_text(PtStore *store, const char *hash_id, PtBundleView view, const char *buyer_gln,
                    gint64 *batch_id_out, gsize *len_out, GError **error)
{
  if (!pt_event_hash_id_is_valid(hash_id)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "'%s' is not an Event Hash ID (ni:///sha-256;<64 hex>?ver=CBV2.0)", hash_id);
    return NULL;
  }
  PtEventRow row = {0};
  g_autofree char *lot = NULL, *gtin = NULL;
  if (!pt_store_event_find_by_hash_id(store, hash_id, &row, &lot, &gtin, error))
    return NULL;
  char *out = NULL;
  json_t *event = pt_json_parse(row.body, row.body_len, error);
  if (event) {
    gboolean shown = pt_bundle_event_shown(event, view, buyer_gln);
    json_t *envelope =
        json_pack("{sssssssIs{ssss}}", "hashId", row.hash_id, "eventID", row.event_id, "step",
                  row.step, "seq", (json_int_t)row.seq, "batch", "lot", lot, "gtin", gtin);
    if (!shown)
      json_object_set_new(envelope, "redacted", json_true());
    char *text = json_dumps(envelope, JSON_COMPACT);
    GString *g = g_string_new(text);
    free(text);
    json_decref(envelope);
    json_decref(event);
    /* The stored record as the last member, byte for byte (pt-bundle.h). */
    if (shown) {
      g_string_truncate(g, g->len - 1);
      g_string_append(g, ",\"event\":");
      g_string_append_len(g, row.body, (gssize)row.body_len);
      g_string_append_c(g, '}');
    }
    *batch_id_out = row.batch_id;
    *len_out = g->len;
    out = g_string_free(g, FALSE);
  }
  pt_event_row_clear(&row);
  return out;
}
