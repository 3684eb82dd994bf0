/* test-trace.c: the signed chain end to end: append, audit, export a bundle,
 * verify it, and every way of tampering that verify and audit must catch. */
#include "pt-bundle.h"
#include "pt-canon.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-event-hash.h"
#include "pt-limits.h"
#include "pt-signer.h"
#include "pt-test-station.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <sqlite3.h>
#include <string.h>

static json_t *
export_bundle(PtTestStation *ts, PtBatch *b)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *text = pt_trace_bundle(ts->store, ts->station->config, ts->station->keys, b,
                                          PT_BUNDLE_FULL, NULL, &len, &error);
  g_assert_no_error(error);
  json_t *bundle = json_loadb(text, len, 0, NULL);
  g_assert_nonnull(bundle);
  return bundle;
}

/* Verifies @bundle; returns the error (NULL when valid). */
static GError *
verify(json_t *bundle, const guint8 *key)
{
  char *text = json_dumps(bundle, JSON_COMPACT);
  GError *error = NULL;
  PtVerifyResult result;
  gboolean ok = pt_bundle_verify(text, strlen(text), key, &result, &error);
  free(text);
  if (ok) {
    g_assert_null(error);
    pt_verify_result_clear(&result);
  } else {
    g_assert_nonnull(error);
  }
  return error;
}

static json_t *
events_of(json_t *bundle)
{
  return json_object_get(json_object_get(json_object_get(bundle, "epcis"), "epcisBody"),
                         "eventList");
}

static void
assert_tampered(json_t *bundle, const char *needle)
{
  g_autoptr(GError) error = verify(bundle, NULL);
  g_assert_error(error, PT_ERROR, PT_ERROR_TAMPERED);
  if (!strstr(error->message, needle))
    g_error("expected '%s' in: %s", needle, error->message);
}

static void
test_untouched_bundle_is_valid(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 4);
  g_autoptr(PtBatch) other = pt_test_batch(ts, 2); /* interleaves the station log */
  json_t *bundle = export_bundle(ts, b);
  g_assert_cmpuint(json_array_size(events_of(bundle)), ==, 5);
  g_autoptr(GError) error = verify(bundle, ts->station->keys->public_key);
  g_assert_no_error(error);

  /* Each proof names its event's GS1 Event Hash ID, which verify hands back in order, and
   * the plain EPCIS document lists the same IDs. */
  char *text = json_dumps(bundle, JSON_COMPACT);
  PtVerifyResult result;
  g_assert_true(pt_bundle_verify(text, strlen(text), NULL, &result, &error));
  free(text);
  g_assert_cmpuint(result.hash_ids->len, ==, 5);
  gsize doc_len = 0;
  g_autofree char *doc_text =
      pt_trace_epcis(ts->store, ts->station->config, b, PT_BUNDLE_FULL, NULL, &doc_len, &error);
  g_assert_no_error(error);
  json_t *doc = json_loadb(doc_text, doc_len, 0, NULL);
  json_t *listed = json_object_get(doc, "pt:eventHashIds");
  g_assert_cmpuint(json_array_size(listed), ==, 5);
  for (guint i = 0; i < 5; i++) {
    json_t *event = json_array_get(events_of(bundle), i);
    g_autofree char *id = pt_event_hash_id(event, NULL, &error);
    g_assert_no_error(error);
    const char *in_proof = json_string_value(
        json_object_get(json_array_get(json_object_get(bundle, "proofs"), i), "hashId"));
    g_assert_cmpstr(in_proof, ==, id);
    g_assert_cmpstr(result.hash_ids->pdata[i], ==, id);
    g_assert_cmpstr(json_string_value(json_array_get(listed, i)), ==, id);
  }
  pt_verify_result_clear(&result);
  json_decref(doc);

  /* A bundle from before proofs carried hashId still verifies. */
  for (guint i = 0; i < 5; i++)
    json_object_del(json_array_get(json_object_get(bundle, "proofs"), i), "hashId");
  g_autoptr(GError) old = verify(bundle, NULL);
  g_assert_no_error(old);
  json_decref(bundle);
}

static void
test_tampered_bundles_fail(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 4);
  json_t *orig = export_bundle(ts, b);
  json_t *t;

  /* A changed field of an event. */
  t = json_deep_copy(orig);
  json_object_set_new(json_array_get(events_of(t), 2), "disposition",
                      json_string("non_conformant"));
  assert_tampered(t, "event 3");
  json_decref(t);

  /* A number written differently but equal is not a change. */
  t = json_deep_copy(orig);
  json_t *q = json_object_get(
      json_array_get(json_object_get(json_array_get(events_of(t), 0), "quantityList"), 0),
      "quantity");
  g_assert_cmpfloat(json_real_value(q), ==, 1200.5);
  g_autoptr(GError) same = verify(t, NULL);
  g_assert_no_error(same);
  json_decref(t);

  /* A middle event removed (with its proof). */
  t = json_deep_copy(orig);
  json_array_remove(events_of(t), 2);
  json_array_remove(json_object_get(t, "proofs"), 2);
  assert_tampered(t, "events removed");
  json_decref(t);

  /* The last event removed and the head count edited: the head signature breaks. */
  t = json_deep_copy(orig);
  json_array_remove(events_of(t), 4);
  json_array_remove(json_object_get(t, "proofs"), 4);
  json_object_set_new(json_object_get(t, "head"), "count", json_integer(4));
  assert_tampered(t, "head signature");
  json_decref(t);

  /* Two events swapped with their proofs. */
  t = json_deep_copy(orig);
  json_t *e1 = json_incref(json_array_get(events_of(t), 1));
  json_t *p1 = json_incref(json_array_get(json_object_get(t, "proofs"), 1));
  json_array_set(events_of(t), 1, json_array_get(events_of(t), 2));
  json_array_set_new(events_of(t), 2, e1);
  json_array_set(json_object_get(t, "proofs"), 1, json_array_get(json_object_get(t, "proofs"), 2));
  json_array_set_new(json_object_get(t, "proofs"), 2, p1);
  assert_tampered(t, "chain broken");
  json_decref(t);

  /* A signature byte changed. */
  t = json_deep_copy(orig);
  json_t *proof = json_array_get(json_object_get(t, "proofs"), 0);
  g_autofree char *sig = g_strdup(json_string_value(json_object_get(proof, "signature")));
  sig[10] = sig[10] == '0' ? '1' : '0';
  json_object_set_new(proof, "signature", json_string(sig));
  assert_tampered(t, "signature does not verify");
  json_decref(t);

  /* A proof's hashId that is not its event's Event Hash ID. */
  t = json_deep_copy(orig);
  json_t *p3 = json_array_get(json_object_get(t, "proofs"), 3);
  json_object_set(p3, "hashId",
                  json_object_get(json_array_get(json_object_get(t, "proofs"), 2), "hashId"));
  assert_tampered(t, "event 4");
  json_decref(t);

  /* The document header changed. */
  t = json_deep_copy(orig);
  json_object_set_new(json_object_get(t, "epcis"), "creationDate",
                      json_string("2020-01-01T00:00:00.000Z"));
  assert_tampered(t, "document header");
  json_decref(t);

  /* Signed by another key than the one the buyer trusts. */
  guint8 other[PT_PUB_LEN];
  memcpy(other, ts->station->keys->public_key, PT_PUB_LEN);
  other[0] ^= 1;
  g_autoptr(GError) wrong_key = verify(orig, other);
  g_assert_error(wrong_key, PT_ERROR, PT_ERROR_TAMPERED);

  json_decref(orig);
}

/* Large bundles are checked on several threads; the first problem in event order
 * is still the one reported. */
static void
test_large_bundle_reports_first_problem(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 599);
  json_t *orig = export_bundle(ts, b);
  g_autoptr(GError) clean = verify(orig, ts->station->keys->public_key);
  g_assert_no_error(clean);
  json_t *t = json_deep_copy(orig);
  json_object_set_new(json_array_get(events_of(t), 450), "pt:note", json_string("x"));
  json_object_set_new(json_array_get(events_of(t), 120), "pt:note", json_string("y"));
  assert_tampered(t, "event 121 ");
  json_decref(t);
  json_decref(orig);
}

static void
test_malformed_bundles(void)
{
  const char *cases[] = {"",
                         "{",
                         "[]",
                         "{\"format\":\"packtrace-bundle/1\"}",
                         "{\"format\":\"other\",\"epcis\":{}}",
                         "\"x\""};
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    PtVerifyResult result;
    g_autoptr(GError) error = NULL;
    g_assert_false(pt_bundle_verify(cases[i], strlen(cases[i]), NULL, &result, &error));
    g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  }
}

static void
assert_malformed(json_t *bundle, const char *needle)
{
  g_autoptr(GError) error = verify(bundle, NULL);
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  if (!strstr(error->message, needle))
    g_error("expected '%s' in: %s", needle, error->message);
}

/* Signs @bundle's head again with @keys, as a station would that wrote it. */
static void
resign_head(json_t *bundle, const PtKeys *keys)
{
  json_t *head = json_object_get(bundle, "head");
  json_t *unsigned_head = json_deep_copy(head);
  json_object_del(unsigned_head, "signature");
  gsize len = 0;
  g_autofree char *canon = pt_canon_dump(unsigned_head, &len, NULL);
  json_decref(unsigned_head);
  guint8 digest[PT_HASH_LEN], sig[PT_SIG_LEN];
  crypto_hash_sha256(digest, (const guint8 *)canon, len);
  pt_keys_sign(keys, digest, sig);
  g_autofree char *hex = pt_hex_encode(sig, PT_SIG_LEN);
  json_object_set_new(head, "signature", json_string(hex));
}

/* verify is strict: unknown members at the root and in proofs are refused by name, hex is
 * lowercase only, and the head's station id must be the one derived from the signing key. */
static void
test_verify_strict(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 2);
  json_t *orig = export_bundle(ts, b);
  json_t *t;
  g_autofree char *station_id = pt_keys_station_id(ts->station->keys->public_key);
  g_assert_cmpstr(json_string_value(json_object_get(json_object_get(orig, "head"), "stationId")),
                  ==, station_id);

  t = json_deep_copy(orig);
  json_object_set_new(t, "comment", json_string("trust me"));
  assert_malformed(t, "unknown member \"comment\" in the bundle");
  json_decref(t);

  t = json_deep_copy(orig);
  json_object_set_new(json_array_get(json_object_get(t, "proofs"), 1), "verified", json_true());
  assert_malformed(t, "unknown member \"verified\" in a proof");
  json_decref(t);

  /* The same hash in capitals: one value, another spelling. */
  t = json_deep_copy(orig);
  json_t *proof = json_array_get(json_object_get(t, "proofs"), 1);
  g_autofree char *upper = g_ascii_strup(json_string_value(json_object_get(proof, "hash")), -1);
  json_object_set_new(proof, "hash", json_string(upper));
  assert_tampered(t, "event 2");
  json_decref(t);

  t = json_deep_copy(orig);
  json_t *head = json_object_get(t, "head");
  g_autofree char *key_upper =
      g_ascii_strup(json_string_value(json_object_get(head, "publicKey")), -1);
  json_object_set_new(head, "publicKey", json_string(key_upper));
  assert_malformed(t, "lowercase");
  json_decref(t);

  /* A station id that is not the key's, in a head the key did sign. */
  t = json_deep_copy(orig);
  json_object_set_new(json_object_get(t, "head"), "stationId", json_string("0000000000000000"));
  resign_head(t, ts->station->keys);
  assert_tampered(t, "station id 0000000000000000");
  json_decref(t);

  json_decref(orig);
}

/* The public view of a batch whose inspecting events carry operators' notes: those events are
 * redacted (proof only) and the bundle still verifies; a redacted proof cannot be altered,
 * dropped or half-redacted unseen. */
static void
test_redacted_bundle(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 3);
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *text = pt_trace_bundle(ts->store, ts->station->config, ts->station->keys, b,
                                          PT_BUNDLE_PUBLIC, NULL, &len, &error);
  g_assert_no_error(error);
  g_assert_null(strstr(text, "check 1"));
  PtVerifyResult result;
  g_assert_true(pt_bundle_verify(text, len, ts->station->keys->public_key, &result, &error));
  g_assert_no_error(error);
  g_assert_cmpint(result.n_events, ==, 4);
  g_assert_cmpuint(result.hash_ids->len, ==, 4);
  g_assert_cmpstr(result.hash_ids->pdata[0], !=, "");
  g_assert_cmpstr(result.hash_ids->pdata[1], ==, ""); /* redacted: its ID is not signed */
  pt_verify_result_clear(&result);
  json_t *orig = json_loadb(text, len, 0, NULL);
  g_assert_cmpuint(json_array_size(events_of(orig)), ==, 1);
  g_assert_cmpuint(json_array_size(json_object_get(orig, "proofs")), ==, 4);
  json_t *t;

  /* The hash of a redacted event changed: its signature no longer covers it. */
  t = json_deep_copy(orig);
  json_t *proof = json_array_get(json_object_get(t, "proofs"), 2);
  g_autofree char *hash = g_strdup(json_string_value(json_object_get(proof, "hash")));
  hash[0] = hash[0] == '0' ? '1' : '0';
  json_object_set_new(proof, "hash", json_string(hash));
  assert_tampered(t, "event 3");
  json_decref(t);

  /* A redacted event dropped. */
  t = json_deep_copy(orig);
  json_array_remove(json_object_get(t, "proofs"), 2);
  assert_tampered(t, "events removed");
  json_decref(t);

  /* "redacted" that is not true. */
  t = json_deep_copy(orig);
  json_object_set_new(json_array_get(json_object_get(t, "proofs"), 1), "redacted", json_false());
  assert_malformed(t, "redacted");
  json_decref(t);

  /* The shown event claimed as redacted: then it is one event too many. */
  t = json_deep_copy(orig);
  json_object_set_new(json_array_get(json_object_get(t, "proofs"), 0), "redacted", json_true());
  assert_tampered(t, "events added");
  json_decref(t);

  json_decref(orig);
}

static PtAuditReport
audit(PtTestStation *ts)
{
  PtAuditReport report;
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_trace_audit(ts->store, ts->station->keys->public_key, &report, &error));
  g_assert_no_error(error);
  return report;
}

/* Audits the log: @n_events events and no break. */
static void
assert_audit_clean(PtTestStation *ts, gint64 n_events)
{
  PtAuditReport r = audit(ts);
  g_assert_cmpint(r.n_events, ==, n_events);
  g_assert_cmpuint(r.n_breaks, ==, 0);
  pt_audit_report_clear(&r);
}

static void
test_audit_intact_and_events_append_only(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 3);
  g_autoptr(PtBatch) b = pt_test_batch(ts, 3);
  PtAuditReport r = audit(ts);
  g_assert_cmpint(r.n_events, ==, 8);
  g_assert_cmpint(r.n_batches, ==, 2);
  g_assert_cmpuint(r.n_breaks, ==, 0);
  pt_audit_report_clear(&r);
}

static void
append_one(PtTestStation *ts, PtStore *store, PtBatch *b, PtEventRow *out)
{
  g_autoptr(GError) error = NULL;
  gint64 t = pt_now_ns();
  json_t *ev = pt_epcis_event_new(ts->station->config, b, "inspecting", t, 0, NULL);
  g_assert_true(pt_trace_append(store, ts->station->keys, b->id, "inspecting", t, ev, out, &error));
  g_assert_no_error(error);
  json_decref(ev);
}

/* The heads a write transaction keeps in memory (pt_store_chain_heads()) never outlive it: a
 * rolled-back burst leaves no trace in the next one, another connection's appends are seen
 * at its next transaction, and a burst over several batches chains each to its own. */
static void
test_heads_across_transactions(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 1);
  g_autoptr(PtBatch) b = pt_test_batch(ts, 0);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) other = pt_station_store(ts->station, &error);
  g_assert_no_error(error);

  PtEventRow before = {0}, row = {0};
  g_assert_true(pt_store_chain_heads(ts->store, a->id, &before, &error));
  g_assert_cmpint(before.seq, ==, 4);

  /* Rolled back: the next transaction starts from the log as it was. */
  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 3; i++)
    append_one(ts, ts->store, i % 2 ? b : a, NULL);
  pt_store_rollback(ts->store);
  g_assert_true(pt_store_begin(ts->store, &error));
  append_one(ts, ts->store, a, &row);
  g_assert_cmpint(row.seq, ==, 4);
  g_assert_true(row.has_prev_batch);
  g_assert_cmpmem(row.prev_batch_hash, PT_HASH_LEN, before.prev_batch_hash, PT_HASH_LEN);
  g_assert_cmpmem(row.prev_station_hash, PT_HASH_LEN, before.prev_station_hash, PT_HASH_LEN);
  pt_event_row_clear(&row);
  g_assert_true(pt_store_commit(ts->store, &error));

  /* Another connection appends; this one's next transaction chains onto it. */
  g_assert_true(pt_store_begin(other, &error));
  append_one(ts, other, b, &row);
  g_assert_true(pt_store_commit(other, &error));
  g_assert_true(pt_store_begin(ts->store, &error));
  PtEventRow next = {0};
  append_one(ts, ts->store, b, &next);
  g_assert_cmpint(next.seq, ==, row.seq + 1);
  g_assert_cmpmem(next.prev_station_hash, PT_HASH_LEN, row.hash, PT_HASH_LEN);
  g_assert_cmpmem(next.prev_batch_hash, PT_HASH_LEN, row.hash, PT_HASH_LEN);
  pt_event_row_clear(&next);
  pt_event_row_clear(&row);
  /* Interleaved batches in one transaction, then appends outside any transaction. */
  for (int i = 0; i < 6; i++)
    append_one(ts, ts->store, i % 2 ? b : a, NULL);
  g_assert_true(pt_store_commit(ts->store, &error));
  append_one(ts, other, a, NULL);
  append_one(ts, ts->store, b, NULL);

  assert_audit_clean(ts, 14);
}

static gboolean
count_event(const PtEventRow *row, gpointer n, GError **error)
{
  ++*(int *)n;
  return TRUE;
}

static int
count_events(PtStore *store, gint64 batch_id)
{
  g_autoptr(GError) error = NULL;
  int n = 0;
  g_assert_true(pt_store_events_foreach(store, batch_id, count_event, &n, &error));
  g_assert_no_error(error);
  return n;
}

/* A burst in one transaction is signed on the second core (pt-signer.h) and its rows are written
 * before the transaction's next statement: a read inside it sees every event appended before
 * the read, an append that asks for its row gets it signed and in order after the rest, a
 * rollback keeps none of them, and what is committed audits clean (every signature, stored
 * Event Hash ID and link is checked).  More events than the thread's two runs are owed. */
static void
test_burst_signed_ahead(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 0);
  g_autoptr(PtBatch) b = pt_test_batch(ts, 0);
  g_autoptr(GError) error = NULL;

  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 50; i++) {
    append_one(ts, ts->store, i % 2 ? b : a, NULL);
    if (i == 20)
      g_assert_cmpint(count_events(ts->store, a->id), ==, 1 + 11);
    if (i == 30) {
      PtEventRow row = {0};
      append_one(ts, ts->store, a, &row);
      g_assert_cmpint(row.seq, ==, 2 + 31 + 1);
      g_assert_true(pt_keys_verify(ts->station->keys->public_key, row.hash, row.signature));
      g_assert_nonnull(row.hash_id);
      pt_event_row_clear(&row);
    }
  }
  g_assert_cmpint(count_events(ts->store, 0), ==, 2 + 51);
  g_assert_true(pt_store_commit(ts->store, &error));
  g_assert_no_error(error);

  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 40; i++)
    append_one(ts, ts->store, a, NULL);
  pt_store_rollback(ts->store);
  g_assert_cmpint(count_events(ts->store, 0), ==, 53);

  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 5; i++)
    append_one(ts, ts->store, b, NULL);
  g_assert_true(pt_store_commit(ts->store, &error));
  assert_audit_clean(ts, 58);
}

/* With the signing thread far behind (the other core busy with other work), an appender signs
 * its events itself: they keep their place among the rows owed and the log audits clean.  The
 * thread is kept busy by forty jobs of 400 KB records, tens of milliseconds of parsing, against
 * a burst that takes about one. */
static void
test_burst_signed_here(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 0);
  g_autoptr(PtKeys) keys = pt_keys_new_ephemeral();
  g_autoptr(GError) error = NULL;
  GString *big = g_string_new("[");
  for (int i = 0; i < 200000; i++)
    g_string_append(big, i ? ",1" : "1");
  g_string_append_c(big, ']');
  PtSignJob *busy[40];
  for (int i = 0; i < 40; i++) {
    PtEventRow row = {.body = g_strndup(big->str, big->len), .body_len = big->len};
    busy[i] = pt_signer_start(keys, &row);
  }
  g_string_free(big, TRUE);
  g_assert_cmpuint(pt_signer_backlog(), >=, 4 * PT_SIGNER_RUN);

  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 20; i++)
    append_one(ts, ts->store, a, NULL);
  /* Still four runs behind: every append of the burst signed its event itself. */
  g_assert_cmpuint(pt_signer_backlog(), >=, 4 * PT_SIGNER_RUN);
  g_assert_true(pt_store_commit(ts->store, &error));
  g_assert_no_error(error);
  assert_audit_clean(ts, 21);
  for (int i = 0; i < 40; i++) {
    PtEventRow row = {0};
    pt_signer_finish(busy[i], &row, NULL); /* not an event: no Event Hash ID */
    pt_event_row_clear(&row);
  }
}

/* A row of a burst that cannot be written loses the whole transaction: the failure comes back
 * from a later append or the commit, whichever first needs the row written, the commit fails,
 * and nothing of the burst is kept; the next transaction appends as before. */
static void
test_burst_failure_loses_transaction(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 0);
  g_autoptr(GError) error = NULL;
  pt_test_sql(ts, "CREATE TRIGGER test_refuse BEFORE INSERT ON events WHEN NEW.step = 'refused' "
                  "BEGIN SELECT RAISE(ABORT, 'refused by the test'); END");

  g_assert_true(pt_store_begin(ts->store, &error));
  int failed = 0;
  for (int i = 0; i < 40; i++) {
    gint64 t = pt_now_ns();
    const char *step = i == 5 ? "refused" : "inspecting";
    json_t *ev = pt_epcis_event_new(ts->station->config, a, step, t, 0, NULL);
    if (!pt_trace_append(ts->store, ts->station->keys, a->id, step, t, ev, NULL, &error)) {
      g_assert_nonnull(strstr(error->message, "refused by the test"));
      g_clear_error(&error);
      failed++;
    }
    json_decref(ev);
  }
  /* Every append after the failure came to light fails with it too. */
  g_assert_false(pt_store_commit(ts->store, &error));
  g_assert_nonnull(strstr(error->message, "refused by the test"));
  g_clear_error(&error);
  g_assert_cmpint(count_events(ts->store, 0), ==, 1);

  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 3; i++)
    append_one(ts, ts->store, a, NULL);
  g_assert_true(pt_store_commit(ts->store, &error));
  g_assert_no_error(error);
  assert_audit_clean(ts, 4);
  g_test_message("appends that failed before the commit: %d", failed);
}

/* A key rotation inside a burst: the rows signed before it are written before the rotation's
 * record, the retired key can sign nothing after it in the same transaction, the new one can,
 * and the log audits clean from the anchor. */
static void
test_burst_across_rotation(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 0);
  g_autoptr(PtKeys) next = pt_keys_new_ephemeral();
  memcpy(next->anchor_key, ts->station->keys->anchor_key, PT_PUB_LEN);
  g_autoptr(GError) error = NULL;

  g_assert_true(pt_store_begin(ts->store, &error));
  for (int i = 0; i < 20; i++)
    append_one(ts, ts->store, a, NULL);
  g_assert_true(pt_trace_rotate_key(ts->store, ts->station->keys, next, NULL, &error));
  g_assert_no_error(error);
  gint64 t = pt_now_ns();
  json_t *ev = pt_epcis_event_new(ts->station->config, a, "inspecting", t, 0, NULL);
  g_assert_false(
      pt_trace_append(ts->store, ts->station->keys, a->id, "inspecting", t, ev, NULL, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
  g_clear_error(&error);
  json_decref(ev);
  for (int i = 0; i < 20; i++) {
    t = pt_now_ns();
    ev = pt_epcis_event_new(ts->station->config, a, "inspecting", t, 0, NULL);
    g_assert_true(pt_trace_append(ts->store, next, a->id, "inspecting", t, ev, NULL, &error));
    json_decref(ev);
  }
  g_assert_true(pt_store_commit(ts->store, &error));
  g_assert_no_error(error);
  PtAuditReport r = audit(ts);
  g_assert_cmpint(r.n_events, ==, 41);
  g_assert_cmpuint(r.n_keys, ==, 2);
  g_assert_cmpuint(r.n_breaks, ==, 0);
  pt_audit_report_clear(&r);
}

/* Every record's recordTime is written by pt_time_format(): against GDateTime's own format
 * (the oracle) over the whole range of nanoseconds in a gint64 (1677 to 2262), before 1970
 * and around it, at whole seconds and within them. */
static void
test_time_format(void)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed(23);
  const gint64 span = G_MAXINT64 / 1000000000 - 1;
  for (int i = 0; i < 5000; i++) {
    gint64 secs = i < 10 ? i - 5 : (gint64)((g_rand_double(rand) * 2 - 1) * (double)span);
    int ms = i % 7 == 0 ? 0 : g_rand_int_range(rand, 0, 1000);
    gint64 ns = secs * 1000000000 + ms * 1000000 + g_rand_int_range(rand, 0, 1000000);
    g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc(secs);
    g_assert_nonnull(dt);
    g_autofree char *base = g_date_time_format(dt, "%Y-%m-%dT%H:%M:%S");
    g_autofree char *expected = g_strdup_printf("%s.%03dZ", base, ms);
    g_autofree char *got = pt_time_format(ns);
    g_assert_cmpstr(got, ==, expected);
  }
}

/* Each case tampers with the database behind the store's back (dropping the
 * append-only triggers first, as someone with the file could) and expects audit
 * to name the event. */
static void
audit_case(const char *sql, const char *needle)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 3);
  g_autoptr(PtBatch) b = pt_test_batch(ts, 3);
  pt_test_sql(ts, "DROP TRIGGER events_append_only_update; "
                  "DROP TRIGGER events_append_only_delete;");
  pt_test_sql(ts, sql);
  PtAuditReport r = audit(ts);
  g_assert_cmpuint(r.n_breaks, >, 0);
  gboolean found = FALSE;
  for (guint i = 0; i < r.breaks->len; i++)
    found |= strstr(g_ptr_array_index(r.breaks, i), needle) != NULL;
  if (!found)
    g_error("audit after '%s' did not report '%s' (first: %s)", sql, needle,
            (char *)g_ptr_array_index(r.breaks, 0));
  pt_audit_report_clear(&r);
}

static void
test_audit_catches_tampering(void)
{
  audit_case("UPDATE events SET body = replace(body, 'conformant', 'non_conformant') "
             "WHERE seq = 3",
             "content altered");
  audit_case("DELETE FROM events WHERE seq = 6", "sequence jumps");
  /* Deleting and renumbering to hide the gap still breaks the chain. */
  audit_case("DELETE FROM events WHERE seq = 6; UPDATE events SET seq = seq - 1 WHERE seq > 6",
             "station chain broken");
  /* Swapping two events' positions. */
  audit_case("UPDATE events SET seq = -2 WHERE seq = 2; UPDATE events SET seq = 2 WHERE seq = 3; "
             "UPDATE events SET seq = 3 WHERE seq = -2",
             "chain broken");
}

/* Someone who edits a record and stores its correct new hash still cannot sign it. */
static void
test_audit_rehashed_record(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 3);
  sqlite3 *db = NULL;
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_open(ts->station->db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_exec(db, "DROP TRIGGER events_append_only_update", NULL, NULL, NULL), ==,
                  SQLITE_OK);
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT body FROM events WHERE seq = 3", -1, &s, NULL), ==,
                  SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  g_autofree char *body = g_strdup((const char *)sqlite3_column_text(s, 0));
  sqlite3_finalize(s);
  char *at = strstr(body, "check 1");
  g_assert_nonnull(at);
  at[6] = '9';
  guint8 hash[PT_HASH_LEN];
  crypto_hash_sha256(hash, (const guint8 *)body, strlen(body));
  g_assert_cmpint(
      sqlite3_prepare_v2(db, "UPDATE events SET body = ?, hash = ? WHERE seq = 3", -1, &s, NULL),
      ==, SQLITE_OK);
  sqlite3_bind_text(s, 1, body, -1, SQLITE_STATIC);
  sqlite3_bind_blob(s, 2, hash, PT_HASH_LEN, SQLITE_STATIC);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_DONE);
  sqlite3_finalize(s);
  sqlite3_close(db);

  PtAuditReport r = audit(ts);
  g_assert_cmpuint(r.n_breaks, >=, 3);
  g_assert_nonnull(strstr(g_ptr_array_index(r.breaks, 0), "seq 3"));
  g_assert_nonnull(strstr(g_ptr_array_index(r.breaks, 0), "signature does not verify"));
  /* Its stored Event Hash ID is the one of the signed original. */
  g_assert_nonnull(strstr(g_ptr_array_index(r.breaks, 1), "seq 3"));
  g_assert_nonnull(strstr(g_ptr_array_index(r.breaks, 1), "hash_id column"));
  /* The next event still names the old hash. */
  g_assert_nonnull(strstr(g_ptr_array_index(r.breaks, 2), "seq 4"));
  pt_audit_report_clear(&r);
}

static void
test_appends_refused_in_sql(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) a = pt_test_batch(ts, 1);
  /* The triggers are what stops an accidental UPDATE in code. */
  sqlite3 *db = NULL;
  g_assert_cmpint(sqlite3_open(ts->station->db_path, &db), ==, SQLITE_OK);
  char *msg = NULL;
  g_assert_cmpint(sqlite3_exec(db, "UPDATE events SET step = 'x'", NULL, NULL, &msg), ==,
                  SQLITE_CONSTRAINT);
  g_assert_nonnull(strstr(msg, "append-only"));
  sqlite3_free(msg);
  g_assert_cmpint(sqlite3_exec(db, "DELETE FROM events", NULL, NULL, NULL), ==, SQLITE_CONSTRAINT);
  sqlite3_close(db);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/trace/bundle-valid", test_untouched_bundle_is_valid);
  g_test_add_func("/trace/bundle-tampered", test_tampered_bundles_fail);
  g_test_add_func("/trace/bundle-large", test_large_bundle_reports_first_problem);
  g_test_add_func("/trace/bundle-malformed", test_malformed_bundles);
  g_test_add_func("/trace/verify-strict", test_verify_strict);
  g_test_add_func("/trace/bundle-redacted", test_redacted_bundle);
  g_test_add_func("/trace/audit-intact", test_audit_intact_and_events_append_only);
  g_test_add_func("/trace/audit-tampered", test_audit_catches_tampering);
  g_test_add_func("/trace/audit-rehashed", test_audit_rehashed_record);
  g_test_add_func("/trace/append-only", test_appends_refused_in_sql);
  g_test_add_func("/trace/heads-across-transactions", test_heads_across_transactions);
  g_test_add_func("/trace/burst-signed-ahead", test_burst_signed_ahead);
  g_test_add_func("/trace/burst-signed-here", test_burst_signed_here);
  g_test_add_func("/trace/burst-failure", test_burst_failure_loses_transaction);
  g_test_add_func("/trace/burst-rotation", test_burst_across_rotation);
  g_test_add_func("/trace/time-format", test_time_format);
  return g_test_run();
}
