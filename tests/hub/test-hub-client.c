/* test-hub-client.c: the station connector's request signing (sync/pt-hub-client.h) against
 * the hub's check (trace/pt-hub-sign.h): a streamed upload, signed from its body's SHA-256
 * alone, carries the same signature as the same body signed from its bytes, and the hub's
 * check accepts both; the signed target is the URL's path and query, not its host. */
#include "pt-hub-client.h"
#include "pt-hub-sign.h"
#include "pt-keys.h"
#include "pt-time.h"

#include <string.h>

typedef struct {
  char *dir;
  PtKeys *keys;
} Fixture;

static void
fixture_set_up(Fixture *f, gconstpointer data)
{
  g_autoptr(GError) error = NULL;
  f->dir = g_dir_make_tmp("pt-hub-client-XXXXXX", &error);
  g_assert_no_error(error);
  f->keys = pt_keys_create(f->dir, &error);
  g_assert_no_error(error);
}

static void
fixture_tear_down(Fixture *f, gconstpointer data)
{
  pt_keys_free(f->keys);
  g_autofree char *cmd = g_strdup_printf("rm -rf '%s'", f->dir);
  g_assert_cmpint(system(cmd), ==, 0);
  g_free(f->dir);
}

/* The value of header @name in @lines ("Name: value"). */
static const char *
header(char **lines, const char *name)
{
  gsize n = strlen(name);
  for (guint i = 0; lines[i]; i++)
    if (strncmp(lines[i], name, n) == 0 && lines[i][n] == ':')
      return lines[i] + n + 2;
  return NULL;
}

static void
test_hashed_equals_bytes(Fixture *f, gconstpointer data)
{
  const char body[] = "a still, as the station keeps it, byte for byte \x01\x02";
  gsize len = sizeof body - 1;
  guint8 sha[PT_HASH_LEN];
  crypto_hash_sha256(sha, (const guint8 *)body, len);
  g_autofree char *hex = pt_hex_encode(sha, PT_HASH_LEN);
  g_autofree char *url = g_strconcat("http://127.0.0.1:8090/hub/v1/evidence/", hex, NULL);
  gint64 now = pt_now_ns();
  g_autoptr(GError) error = NULL;

  g_auto(GStrv) from_bytes = pt_hub_client_sign(f->keys, "PUT", url, body, len, now, &error);
  g_assert_no_error(error);
  g_auto(GStrv) from_hash = pt_hub_client_sign_hashed(f->keys, "PUT", url, sha, now, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(g_strv_length(from_hash), ==, 3);
  for (guint i = 0; i < 3; i++)
    g_assert_cmpstr(from_hash[i], ==, from_bytes[i]);

  g_autofree char *target = g_strconcat("/hub/v1/evidence/", hex, NULL);
  g_assert_true(pt_hub_check_request(
      f->keys->public_key, header(from_hash, "PT-Station"), header(from_hash, "PT-Date"),
      header(from_hash, "PT-Signature"), "PUT", target, body, len, now, 300, &error));
  g_assert_no_error(error);
  /* Other bytes under the same name: the hub's check refuses the signature. */
  g_assert_false(pt_hub_check_request(
      f->keys->public_key, header(from_hash, "PT-Station"), header(from_hash, "PT-Date"),
      header(from_hash, "PT-Signature"), "PUT", target, "other", 5, now, 300, &error));
  g_assert_nonnull(error);
}

static void
test_target_is_path_and_query(Fixture *f, gconstpointer data)
{
  gint64 now = pt_now_ns();
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = pt_hub_client_sign(
      f->keys, "GET", "https://hub.example.coop/hub/v1/station?x=1", NULL, 0, now, &error);
  g_assert_no_error(error);
  g_assert_true(pt_hub_check_request(f->keys->public_key, header(lines, "PT-Station"),
                                     header(lines, "PT-Date"), header(lines, "PT-Signature"), "GET",
                                     "/hub/v1/station?x=1", NULL, 0, now, 300, &error));
  g_assert_no_error(error);
  g_autofree char *id = pt_keys_station_id(f->keys->public_key);
  g_assert_cmpstr(header(lines, "PT-Station"), ==, id);

  g_auto(GStrv) none = pt_hub_client_sign(f->keys, "GET", "not a url", NULL, 0, now, &error);
  g_assert_null(none);
  g_assert_nonnull(error);
}

static void
test_url_join(void)
{
  g_autofree char *a = pt_hub_client_url("http://hub:8090", "/hub/v1/events");
  g_autofree char *b = pt_hub_client_url("http://hub:8090/co-op//", "/hub/v1/events");
  g_assert_cmpstr(a, ==, "http://hub:8090/hub/v1/events");
  g_assert_cmpstr(b, ==, "http://hub:8090/co-op/hub/v1/events");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add("/hub-client/hashed-equals-bytes", Fixture, NULL, fixture_set_up,
             test_hashed_equals_bytes, fixture_tear_down);
  g_test_add("/hub-client/target-is-path-and-query", Fixture, NULL, fixture_set_up,
             test_target_is_path_and_query, fixture_tear_down);
  g_test_add_func("/hub-client/url-join", test_url_join);
  return g_test_run();
}
