/* test-key-rotate.c: a station's key rotation on a real data directory and SQLite file: the
 * log audits and a batch's bundle verifies across rotations (events of one batch on both
 * sides, full and public views), the signed facts still read as verified; a forged rotation
 * (signed by a key not in the chain) is refused by audit and by bundle verify; an event
 * signed by the old key after the rotation is refused by the signer, audit and verify; an
 * interrupted rotation is finished; every malformed or forged rotation record is refused. */
#include "pt-batch-signed.h"
#include "pt-bundle.h"
#include "pt-canon.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-key-chain.h"
#include "pt-key-rotate.h"
#include "pt-store-keys.h"
#include "pt-test-station.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

static void
add_event(PtTestStation *ts, PtBatch *b, const char *note)
{
  g_autoptr(GError) error = NULL;
  PtEventSpec ev = {.step = "inspecting", .disposition = "conformant", .note = note};
  g_assert_true(pt_batch_add_event(ts->station, ts->store, b, &ev, NULL, &error));
  g_assert_no_error(error);
}

static void
rotate(PtTestStation *ts, guint want_keys)
{
  g_autoptr(GError) error = NULL;
  PtKeyRotateResult r;
  guint8 before[PT_PUB_LEN];
  memcpy(before, ts->station->keys->public_key, PT_PUB_LEN);
  g_assert_true(pt_key_rotate(ts->station, &r, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(r.n_keys, ==, want_keys);
  g_assert_false(r.resumed);
  g_assert_cmpmem(r.previous_key, PT_PUB_LEN, before, PT_PUB_LEN);
  g_assert_cmpmem(r.new_key, PT_PUB_LEN, ts->station->keys->public_key, PT_PUB_LEN);
  g_assert_true(memcmp(before, r.new_key, PT_PUB_LEN) != 0);
}

/* Audits @ts; returns the report's breaks joined by newlines ("" when intact). */
static char *
audit(PtTestStation *ts, guint *n_keys)
{
  g_autoptr(GError) error = NULL;
  PtAuditReport report;
  g_assert_true(pt_trace_audit(ts->store, ts->station->keys->anchor_key, &report, &error));
  g_assert_no_error(error);
  g_ptr_array_add(report.breaks, NULL);
  char *all = g_strjoinv("\n", (char **)report.breaks->pdata);
  if (n_keys)
    *n_keys = report.n_keys;
  pt_audit_report_clear(&report);
  return all;
}

static char *
bundle_text(PtTestStation *ts, PtBatch *b, PtBundleView view, gsize *len)
{
  g_autoptr(GError) error = NULL;
  char *text = pt_trace_bundle(ts->store, ts->station->config, ts->station->keys, b, view, NULL,
                               len, &error);
  g_assert_no_error(error);
  return text;
}

/* Verifies @text against the station's anchor; the error (NULL when valid). */
static GError *
verify_text(const char *text, gsize len, const guint8 *anchor, guint *n_keys)
{
  GError *error = NULL;
  PtVerifyResult result;
  if (pt_bundle_verify(text, len, anchor, &result, &error)) {
    if (n_keys)
      *n_keys = result.n_keys;
    pt_verify_result_clear(&result);
  }
  return error;
}

static void
test_rotate_across(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 2);
  guint8 anchor[PT_PUB_LEN];
  memcpy(anchor, ts->station->keys->public_key, PT_PUB_LEN);
  rotate(ts, 2);
  g_assert_cmpmem(ts->station->keys->anchor_key, PT_PUB_LEN, anchor, PT_PUB_LEN);
  add_event(ts, b, "after the first rotation");
  g_autoptr(PtBatch) b2 = pt_test_batch(ts, 1);
  rotate(ts, 3);
  add_event(ts, b, "after the second rotation");

  guint n_keys = 0;
  g_autofree char *breaks = audit(ts, &n_keys);
  g_assert_cmpstr(breaks, ==, "");
  g_assert_cmpuint(n_keys, ==, 3);

  /* Full and public (notes redacted) views, events of the batch under all three keys. */
  for (int view = PT_BUNDLE_FULL; view <= PT_BUNDLE_PUBLIC; view++) {
    gsize len = 0;
    g_autofree char *text = bundle_text(ts, b, view, &len);
    n_keys = 0;
    g_autoptr(GError) error = verify_text(text, len, anchor, &n_keys);
    g_assert_no_error(error);
    g_assert_cmpuint(n_keys, ==, 3);
  }
  /* The station id stays the anchor's: the first key is the trust anchor. */
  g_autofree char *id = pt_keys_station_id(anchor);
  g_assert_cmpstr(id, ==, ts->station->config->station_id);

  /* The batch's signed facts, on both sides of the rotations, still verify. */
  g_autoptr(GError) error = NULL;
  g_assert_true(
      pt_batch_change_status(ts->station, ts->store, b2, PT_BATCH_HOLD, "after rotating", &error));
  g_assert_no_error(error);
  g_auto(PtBatchSigned) st = {0};
  g_assert_true(pt_batch_signed_read(ts->store, anchor, b2, &st, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(st.mismatches->len, ==, 0);
  g_assert_cmpstr(st.facts->status, ==, "held");

  /* A station reopened from its data directory signs with the new key. */
  g_autoptr(PtStation) again = pt_station_open(ts->dir, &error);
  g_assert_no_error(error);
  g_assert_cmpmem(again->keys->public_key, PT_PUB_LEN, ts->station->keys->public_key, PT_PUB_LEN);
  g_assert_cmpmem(again->keys->anchor_key, PT_PUB_LEN, anchor, PT_PUB_LEN);
}

/* The last event of the log re-signed by @keys, as if a stolen retired key had signed it. */
static void
resign_last_event(PtTestStation *ts, const PtKeys *keys)
{
  sqlite3 *db = NULL;
  g_autofree char *path = g_build_filename(ts->dir, "station.db", NULL);
  g_assert_cmpint(sqlite3_open(path, &db), ==, SQLITE_OK);
  sqlite3_stmt *s = NULL;
  g_assert_cmpint(sqlite3_prepare_v2(db, "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                                     -1, &s, NULL),
                  ==, SQLITE_OK);
  g_assert_cmpint(sqlite3_step(s), ==, SQLITE_ROW);
  gint64 seq = sqlite3_column_int64(s, 0);
  guint8 hash[PT_HASH_LEN], sig[PT_SIG_LEN];
  memcpy(hash, sqlite3_column_blob(s, 1), PT_HASH_LEN);
  sqlite3_finalize(s);
  sqlite3_close(db);
  pt_keys_sign(keys, hash, sig);
  g_autofree char *sig_hex = pt_hex_encode(sig, PT_SIG_LEN);
  g_autofree char *sql =
      g_strdup_printf("DROP TRIGGER events_append_only_update;"
                      "UPDATE events SET signature = X'%s' WHERE seq = %" G_GINT64_FORMAT ";",
                      sig_hex, seq);
  pt_test_sql(ts, sql);
}

static void
test_old_key_after_rotation(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtKeys) old = pt_keys_load(ts->dir, &error);
  g_assert_no_error(error);
  rotate(ts, 2);

  /* The signer: a process still holding the old key cannot sign after the rotation. */
  json_t *event = pt_epcis_event_new(ts->station->config, b, "inspecting", pt_now_ns(), 0, NULL);
  g_assert_true(pt_store_begin(ts->store, &error));
  gboolean ok =
      pt_trace_append(ts->store, old, b->id, "inspecting", pt_now_ns(), event, NULL, &error);
  pt_store_rollback(ts->store);
  json_decref(event);
  g_assert_false(ok);
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
  g_clear_error(&error);

  /* An event after the rotation whose signature is the old key's. */
  add_event(ts, b, "after the rotation");
  g_autofree char *intact = audit(ts, NULL);
  g_assert_cmpstr(intact, ==, "");
  resign_last_event(ts, old);
  g_autofree char *breaks = audit(ts, NULL);
  g_assert_nonnull(strstr(breaks, "signature does not verify"));

  gsize len = 0;
  g_autofree char *text = bundle_text(ts, b, PT_BUNDLE_FULL, &len);
  g_autoptr(GError) refused = verify_text(text, len, NULL, NULL);
  g_assert_error(refused, PT_ERROR, PT_ERROR_TAMPERED);
  g_assert_nonnull(strstr(refused->message, "not in force at its time"));
}

/* Signs @head (a bundle's) with @keys, as pt-bundle.c does: over SHA-256 of its canonical
 * form without "signature". */
static void
sign_head(json_t *head, const PtKeys *keys)
{
  json_object_del(head, "signature");
  gsize len = 0;
  g_autofree char *canon = pt_canon_dump(head, &len, NULL);
  guint8 digest[PT_HASH_LEN], sig[PT_SIG_LEN];
  crypto_hash_sha256(digest, (const guint8 *)canon, len);
  pt_keys_sign(keys, digest, sig);
  g_autofree char *hex = pt_hex_encode(sig, PT_SIG_LEN);
  json_object_set_new(head, "signature", json_string(hex));
}

static void
test_forged_rotation(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 1);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtKeys) rogue = pt_keys_new_ephemeral();
  const PtKeys *keys = ts->station->keys;

  /* A record naming the station's key as the one handing over, signed by another key. */
  PtKeyRotationRow forged = {0};
  guint8 last_hash[PT_HASH_LEN];
  PtEventRow heads = {0};
  g_assert_true(pt_store_chain_heads(ts->store, 0, &heads, &error));
  memcpy(last_hash, heads.prev_station_hash, PT_HASH_LEN);
  g_assert_true(pt_key_rotation_make(keys, rogue, keys->anchor_key, pt_now_ns() + 1000000,
                                     heads.seq - 1, last_hash, &forged, &error));
  guint8 hash[PT_HASH_LEN];
  crypto_hash_sha256(hash, (const guint8 *)forged.record, forged.record_len);
  pt_keys_sign(rogue, hash, forged.signature);

  /* The chain refuses it... */
  g_autoptr(PtKeyChain) chain = pt_key_chain_new(keys->anchor_key);
  g_assert_false(pt_key_chain_add(chain, &forged, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_TAMPERED);
  g_assert_nonnull(strstr(error->message, "not signed by the key in force"));
  g_clear_error(&error);

  /* ...a bundle whose head names it (and is signed by its new key) is refused... */
  gsize len = 0;
  g_autofree char *text = bundle_text(ts, b, PT_BUNDLE_FULL, &len);
  json_t *bundle = json_loadb(text, len, 0, NULL);
  json_t *head = json_object_get(bundle, "head");
  json_t *record = json_loadb(forged.record, forged.record_len, 0, NULL);
  g_autofree char *sig_hex = pt_hex_encode(forged.signature, PT_SIG_LEN);
  g_autofree char *new_hex = pt_hex_encode(forged.new_signature, PT_SIG_LEN);
  json_object_set_new(
      head, "keyChain",
      json_pack("[{sossss}]", "record", record, "signature", sig_hex, "newKeySignature", new_hex));
  sign_head(head, rogue);
  g_autofree char *forged_text = json_dumps(bundle, JSON_COMPACT);
  json_decref(bundle);
  g_autoptr(GError) refused = verify_text(forged_text, strlen(forged_text), NULL, NULL);
  g_assert_error(refused, PT_ERROR, PT_ERROR_TAMPERED);
  g_assert_nonnull(strstr(refused->message, "not signed by the key in force"));

  /* ...and so is one stored in the station's table (written past the signer, as an attacker
   * with the file would). */
  g_assert_true(pt_store_key_rotation_insert(ts->store, &forged, &error));
  g_assert_no_error(error);
  g_autofree char *breaks = audit(ts, NULL);
  g_assert_nonnull(strstr(breaks, "key rotation 1 (and the keys after it) refused"));
  g_assert_nonnull(strstr(breaks, "not signed by the key in force"));
  pt_key_rotation_row_clear(&forged);
  pt_event_row_clear(&heads);
}

/* A rotation that stopped after its record was committed and before the key files changed:
 * the station refuses to sign until `key rotate` finishes it. */
static void
test_interrupted_rotation(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = pt_test_batch(ts, 0);
  g_autoptr(GError) error = NULL;
  g_autofree char *keys_dir = g_build_filename(ts->dir, "keys", NULL);
  g_autofree char *sec = g_build_filename(keys_dir, "station.key", NULL);
  g_autofree char *pub = g_build_filename(keys_dir, "station.pub", NULL);
  g_autofree char *saved_sec = NULL, *saved_pub = NULL;
  g_assert_true(g_file_get_contents(sec, &saved_sec, NULL, NULL));
  g_assert_true(g_file_get_contents(pub, &saved_pub, NULL, NULL));
  rotate(ts, 2);
  g_autofree char *next_sec = g_build_filename(keys_dir, "next.key", NULL);
  g_autofree char *next_pub = g_build_filename(keys_dir, "next.pub", NULL);
  /* Step 4 undone: next.* back, the old pair in place. */
  g_assert_true(pt_keys_write(ts->station->keys, next_sec, next_pub, &error));
  g_assert_true(g_file_set_contents(sec, saved_sec, -1, NULL));
  g_assert_true(g_file_set_contents(pub, saved_pub, -1, NULL));
  g_assert_cmpint(g_chmod(sec, 0600), ==, 0);

  g_autoptr(PtStation) reopened = pt_station_open(ts->dir, &error);
  g_assert_no_error(error);
  PtEventSpec ev = {.step = "inspecting", .disposition = "conformant"};
  g_assert_false(pt_batch_add_event(reopened, ts->store, b, &ev, NULL, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
  g_clear_error(&error);

  PtKeyRotateResult r;
  g_assert_true(pt_key_rotate(reopened, &r, &error));
  g_assert_no_error(error);
  g_assert_true(r.resumed);
  g_assert_cmpuint(r.n_keys, ==, 2);
  g_assert_false(g_file_test(next_sec, G_FILE_TEST_EXISTS));
  g_assert_true(pt_batch_add_event(reopened, ts->store, b, &ev, NULL, &error));
  g_assert_no_error(error);
  g_autofree char *breaks = audit(ts, NULL);
  g_assert_cmpstr(breaks, ==, "");
}

/* A rotation record with its members in canonical order; the last %s is more members. */
#define RECORD_FORMAT                                                                              \
  "{\"afterHash\":%s,\"afterSeq\":%d,\"format\":\"%s\",\"from\":\"%s\","                           \
  "\"newKey\":\"%s\",\"previousKey\":\"%s\",\"stationId\":\"%s\"%s}"

/* A rotation row from @old to @next whose record is @record (as given, canonical or not),
 * signed by both. */
static PtKeyRotationRow
signed_row(const PtKeys *old, const PtKeys *next, const char *record)
{
  PtKeyRotationRow row = {.id = 1, .record = g_strdup(record), .record_len = strlen(record)};
  guint8 hash[PT_HASH_LEN];
  crypto_hash_sha256(hash, (const guint8 *)record, row.record_len);
  pt_keys_sign(old, hash, row.signature);
  pt_keys_sign(next, hash, row.new_signature);
  return row;
}

/* Each way a rotation record can be wrong is refused, naming it, and leaves the chain as it
 * was; a bundle's key chain goes through the same checks. */
static void
test_chain_refusals(void)
{
  g_autoptr(PtKeys) a = pt_keys_new_ephemeral();
  g_autoptr(PtKeys) b = pt_keys_new_ephemeral();
  g_autoptr(PtKeys) c = pt_keys_new_ephemeral();
  memcpy(b->anchor_key, a->public_key, PT_PUB_LEN);
  g_autofree char *id = pt_keys_station_id(a->public_key);
  g_autofree char *ka = pt_hex_encode(a->public_key, PT_PUB_LEN);
  g_autofree char *kb = pt_hex_encode(b->public_key, PT_PUB_LEN);
  g_autofree char *kc = pt_hex_encode(c->public_key, PT_PUB_LEN);
  g_autofree char *upper = g_ascii_strup(kb, -1);
  g_autofree char *hash = g_strnfill(64, 'a');
  g_autofree char *quoted_hash = g_strdup_printf("\"%s\"", hash);
  struct {
    const char *name;
    char *record;
    const PtKeys *old, *next;
    int code;
    const char *says;
  } cases[] = {
      {"valid",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT,
                       "2026-12-01T00:00:00.000Z", kb, ka, id, ""),
       a, b, -1, NULL},
      {"unknown member",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT,
                       "2026-12-01T00:00:00.000Z", kb, ka, id, ",\"zz\":1"),
       a, b, PT_ERROR_MALFORMED, "unknown member"},
      {"another format",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, "packtrace-key-rotation/9",
                       "2026-12-01T00:00:00.000Z", kb, ka, id, ""),
       a, b, PT_ERROR_MALFORMED, "not a packtrace-key-rotation/1"},
      {"uppercase hex",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT,
                       "2026-12-01T00:00:00.000Z", upper, ka, id, ""),
       a, b, PT_ERROR_MALFORMED, "lowercase hex"},
      {"a time that is not one",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT, "yesterday", kb, ka,
                       id, ""),
       a, b, PT_ERROR_MALFORMED, "from (a time)"},
      {"afterSeq without afterHash",
       g_strdup_printf(RECORD_FORMAT, "null", 3, PT_KEY_ROTATION_FORMAT, "2026-12-01T00:00:00.000Z",
                       kb, ka, id, ""),
       a, b, PT_ERROR_MALFORMED, "afterHash must name"},
      {"another station",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT,
                       "2026-12-01T00:00:00.000Z", kb, ka, "0123456789abcdef", ""),
       a, b, PT_ERROR_TAMPERED, "another station"},
      {"from a key not in force",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT,
                       "2026-12-01T00:00:00.000Z", kb, kc, id, ""),
       c, b, PT_ERROR_TAMPERED, "not the one in force"},
      {"no proof of possession",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT,
                       "2026-12-01T00:00:00.000Z", kb, ka, id, ""),
       a, c, PT_ERROR_TAMPERED, "not signed by its new key"},
      {"back to the anchor",
       g_strdup_printf(RECORD_FORMAT, quoted_hash, 3, PT_KEY_ROTATION_FORMAT,
                       "2026-12-01T00:00:00.000Z", ka, ka, id, ""),
       a, a, PT_ERROR_TAMPERED, "a key used before"},
      {"not canonical",
       g_strdup_printf("{\"format\":\"%s\",\"afterHash\":null,\"afterSeq\":0,\"from\":"
                       "\"2026-12-01T00:00:00.000Z\",\"newKey\":\"%s\",\"previousKey\":\"%s\","
                       "\"stationId\":\"%s\"}",
                       PT_KEY_ROTATION_FORMAT, kb, ka, id),
       a, b, PT_ERROR_MALFORMED, "canonical form"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(PtKeyChain) chain = pt_key_chain_new(a->public_key);
    PtKeyRotationRow row = signed_row(cases[i].old, cases[i].next, cases[i].record);
    g_autoptr(GError) error = NULL;
    gboolean ok = pt_key_chain_add(chain, &row, &error);
    if (cases[i].code < 0) {
      g_assert_no_error(error);
      g_assert_cmpuint(pt_key_chain_length(chain), ==, 2);
      g_assert_cmpuint(pt_key_chain_index_for_seq(chain, 3), ==, 0);
      g_assert_cmpuint(pt_key_chain_index_for_seq(chain, 4), ==, 1);
      /* A second rotation from the same time goes back: refused. */
      PtKeyRotationRow again = signed_row(b, c, cases[i].record);
      g_autoptr(GError) back = NULL;
      g_assert_false(pt_key_chain_add(chain, &again, &back));
      g_assert_error(back, PT_ERROR, PT_ERROR_TAMPERED);
      pt_key_rotation_row_clear(&again);
    } else {
      if (ok || !g_error_matches(error, PT_ERROR, cases[i].code) ||
          !strstr(error->message, cases[i].says))
        g_error("%s: expected code %d saying '%s', got: %s", cases[i].name, cases[i].code,
                cases[i].says, error ? error->message : "accepted");
      g_assert_cmpuint(pt_key_chain_length(chain), ==, 1);
    }
    pt_key_rotation_row_clear(&row);
    g_free(cases[i].record);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/keys/rotate-across", test_rotate_across);
  g_test_add_func("/keys/old-key-after-rotation", test_old_key_after_rotation);
  g_test_add_func("/keys/forged-rotation", test_forged_rotation);
  g_test_add_func("/keys/interrupted-rotation", test_interrupted_rotation);
  g_test_add_func("/keys/chain-refusals", test_chain_refusals);
  return g_test_run();
}
