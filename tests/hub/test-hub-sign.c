/* test-hub-sign.c: the hub request signature (pt-hub-sign.h) and the event wire form
 * (pt-hub-wire.h): a signed request checks, and each altered part of it is refused. */
#include "pt-error.h"
#include "pt-hub-sign.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-time.h"

#include <glib/gstdio.h>
#include <string.h>

static PtKeys *
make_keys(char **dir_out)
{
  g_autoptr(GError) error = NULL;
  *dir_out = g_dir_make_tmp("pt-hub-sign-XXXXXX", &error);
  g_assert_no_error(error);
  PtKeys *keys = pt_keys_create(*dir_out, &error);
  g_assert_no_error(error);
  return keys;
}

static void
remove_dir(char *dir)
{
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", dir);
  g_assert_cmpint(system(cmd), ==, 0);
  g_free(dir);
}

static void
test_sign_check(void)
{
  char *dir = NULL, *dir2 = NULL;
  g_autoptr(PtKeys) keys = make_keys(&dir);
  g_autoptr(PtKeys) other = make_keys(&dir2);
  const char body[] = "{\"seq\":1,\"hash\":\"00\"}";
  gint64 now = pt_now_ns();
  g_auto(PtHubAuth) auth = {0};
  pt_hub_sign_request(keys, "POST", "/hub/v1/head", body, strlen(body), now, &auth);
  g_assert_true(pt_hub_station_id_is_valid(auth.station));

  g_autoptr(GError) error = NULL;
  g_assert_true(pt_hub_check_request(keys->public_key, auth.station, auth.date, auth.signature,
                                     "POST", "/hub/v1/head", body, strlen(body), now, 300, &error));
  g_assert_no_error(error);

  struct {
    const char *method, *target, *body;
    gint64 now;
    const guint8 *key;
    const char *reason;
  } bad[] = {
      {"PUT", "/hub/v1/head", body, now, keys->public_key, "bad request signature"},
      {"POST", "/hub/v1/head?x=1", body, now, keys->public_key, "bad request signature"},
      {"POST", "/hub/v1/head", "{\"seq\":2,\"hash\":\"00\"}", now, keys->public_key,
       "bad request signature"},
      {"POST", "/hub/v1/head", body, now + G_GINT64_CONSTANT(301000000000), keys->public_key,
       "off the hub's clock"},
      {"POST", "/hub/v1/head", body, now, other->public_key, "is not the id of the key"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_clear_error(&error);
    g_assert_false(pt_hub_check_request(bad[i].key, auth.station, auth.date, auth.signature,
                                        bad[i].method, bad[i].target, bad[i].body,
                                        strlen(bad[i].body), bad[i].now, 300, &error));
    g_assert_error(error, PT_ERROR, PT_ERROR_TAMPERED);
    g_assert_nonnull(strstr(error->message, bad[i].reason));
  }
  /* The other key's signature under this station's id. */
  g_auto(PtHubAuth) forged = {0};
  pt_hub_sign_request(other, "POST", "/hub/v1/head", body, strlen(body), now, &forged);
  g_clear_error(&error);
  g_assert_false(pt_hub_check_request(keys->public_key, auth.station, forged.date, forged.signature,
                                      "POST", "/hub/v1/head", body, strlen(body), now, 300,
                                      &error));
  g_assert_nonnull(strstr(error->message, "bad request signature"));
  g_clear_error(&error);
  g_assert_false(pt_hub_check_request(keys->public_key, auth.station, auth.date, NULL, "POST",
                                      "/hub/v1/head", body, strlen(body), now, 300, &error));
  g_assert_nonnull(strstr(error->message, "missing PT-Signature"));
  g_clear_error(&error);
  g_assert_false(pt_hub_check_request(keys->public_key, auth.station, auth.date, "AAAA", "POST",
                                      "/hub/v1/head", body, strlen(body), now, 300, &error));
  g_assert_nonnull(strstr(error->message, "not base64"));
  remove_dir(dir);
  remove_dir(dir2);
}

static void
test_wire_round_trip(void)
{
  const char *body =
      "{\"bizStep\":\"loading\",\"pt:clipSha256\":"
      "\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\","
      "\"pt:photos\":[{\"kind\":\"seal\",\"sha256\":"
      "\"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\"},"
      "{\"sha256\":\"not hex\"}],\"pt:attachments\":[{\"role\":\"certificate\","
      "\"sha256\":\"cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc\"}],"
      "\"quantityList\":[{\"epcClass\":"
      "\"https://id.gs1.org/01/09506000134352/10/A%2FB1\"}]}";
  PtEventRow row = {.seq = 7,
                    .event_id = g_strdup("urn:uuid:1"),
                    .step = g_strdup("loading"),
                    .event_time_ns = G_GINT64_CONSTANT(1700000000123000000),
                    .record_time_ns = G_GINT64_CONSTANT(1700000001000000000),
                    .body = g_strdup(body),
                    .body_len = strlen(body),
                    .has_prev_station = TRUE};
  memset(row.hash, 0x11, sizeof row.hash);
  memset(row.prev_station_hash, 0x22, sizeof row.prev_station_hash);
  memset(row.signature, 0x33, sizeof row.signature);
  json_t *wire = pt_hub_wire_event(&row, "A/B1", "09506000134352");

  PtEventRow back = {0};
  g_autofree char *lot = NULL, *gtin = NULL;
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_hub_wire_read_event(wire, &back, &lot, &gtin, &error));
  g_assert_no_error(error);
  g_assert_cmpint(back.seq, ==, 7);
  g_assert_cmpstr(back.body, ==, body);
  g_assert_cmpint(back.event_time_ns, ==, row.event_time_ns);
  g_assert_true(back.has_prev_station);
  g_assert_false(back.has_prev_batch);
  g_assert_cmpmem(back.signature, PT_SIG_LEN, row.signature, PT_SIG_LEN);
  g_assert_cmpstr(lot, ==, "A/B1");

  json_t *event = pt_json_parse(body, strlen(body), &error);
  g_autoptr(GPtrArray) refs = pt_hub_event_evidence(event);
  g_assert_cmpint(refs->len, ==, 3);
  g_assert_cmpstr(refs->pdata[0], ==,
                  "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
  /* An operator's attachment (a certificate) is named like a still or a photo. */
  g_assert_cmpstr(refs->pdata[2], ==,
                  "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc");
  g_autofree char *bg = NULL, *bl = NULL;
  g_assert_true(pt_hub_event_batch(event, &bg, &bl));
  g_assert_cmpstr(bg, ==, "09506000134352");
  g_assert_cmpstr(bl, ==, "A/B1");
  json_decref(event);

  /* Form errors name the member. */
  json_object_set_new(wire, "hash", json_string("ABC"));
  pt_event_row_clear(&back);
  g_clear_pointer(&lot, g_free);
  g_clear_pointer(&gtin, g_free);
  g_assert_false(pt_hub_wire_read_event(wire, &back, &lot, &gtin, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
  g_assert_nonnull(strstr(error->message, "\"hash\""));
  g_clear_error(&error);
  json_object_del(wire, "hash");
  json_object_set_new(wire, "extra", json_true());
  pt_event_row_clear(&back);
  g_assert_false(pt_hub_wire_read_event(wire, &back, &lot, &gtin, &error));
  g_assert_nonnull(strstr(error->message, "\"extra\""));
  pt_event_row_clear(&back);
  json_decref(wire);
  pt_event_row_clear(&row);
}

/* The wire's hex: exactly 2n lowercase digits, decoded in one pass; anything else refused,
 * a short string without reading past its end. */
static void
test_hex(void)
{
  guint8 out[4];
  g_assert_true(pt_hub_hex_decode("00a9ff10", out, 4));
  g_assert_cmpmem(out, 4, "\x00\xa9\xff\x10", 4);
  g_assert_true(pt_hub_is_hex("00a9ff10", 4));
  const char *bad[] = {"00A9ff10", "00a9ff1", "00a9ff100", "00a9ff1g",
                       "0",        "",        "00a9 f10",  "0xa9ff10"};
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_false(pt_hub_hex_decode(bad[i], out, 4));
    g_assert_false(pt_hub_is_hex(bad[i], 4));
  }
  g_assert_false(pt_hub_hex_decode(NULL, out, 4));
  /* Exactly as long as the input: a heap copy, so ASan sees any read past the terminator. */
  g_autofree char *odd = g_strdup("00a");
  g_assert_false(pt_hub_hex_decode(odd, out, 4));
  g_assert_false(pt_hub_is_hex(odd, 4));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/hub/sign", test_sign_check);
  g_test_add_func("/hub/wire", test_wire_round_trip);
  g_test_add_func("/hub/hex", test_hex);
  return g_test_run();
}
