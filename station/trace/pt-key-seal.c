/* pt-key-seal.c: passphrase-sealed copies of the station key (see pt-key-seal.h).  Secrets
 * live in sodium_malloc'd memory and are wiped after use. */
#include "pt-key-seal.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-json.h"
#include "pt-limits.h"

#include <errno.h>
#include <string.h>

/* XSalsa20-Poly1305 key from @passphrase: argon2id13, moderate limits.  Returns FALSE when
 * the machine cannot spare the memory. */
static gboolean
derive(guint8 key[crypto_secretbox_KEYBYTES], const char *passphrase,
       const guint8 salt[crypto_pwhash_SALTBYTES], unsigned long long ops, size_t mem,
       GError **error)
{
  if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase, strlen(passphrase), salt, ops, mem,
                    crypto_pwhash_ALG_ARGON2ID13) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED,
                "not enough memory to derive the key from the passphrase (%zu MiB)", mem >> 20);
    return FALSE;
  }
  return TRUE;
}

char *
pt_key_seal(const PtKeys *keys, const char *passphrase, GError **error)
{
  if (strlen(passphrase) < PT_KEY_PASSPHRASE_MIN) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the passphrase must be at least %d characters",
                PT_KEY_PASSPHRASE_MIN);
    return NULL;
  }
  guint8 salt[crypto_pwhash_SALTBYTES];
  guint8 nonce[crypto_secretbox_NONCEBYTES];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  unsigned long long ops = crypto_pwhash_OPSLIMIT_MODERATE;
  size_t mem = crypto_pwhash_MEMLIMIT_MODERATE;
  guint8 *box_key = sodium_malloc(crypto_secretbox_KEYBYTES);
  guint8 box[crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES];
  gboolean ok = box_key && derive(box_key, passphrase, salt, ops, mem, error);
  if (ok)
    crypto_secretbox_easy(box, keys->secret_key, crypto_sign_SECRETKEYBYTES, nonce, box_key);
  sodium_free(box_key);
  if (!ok)
    return NULL;
  g_autofree char *pub = pt_hex_encode(keys->public_key, PT_PUB_LEN);
  g_autofree char *id = pt_keys_station_id(keys->anchor_key);
  g_autofree char *salt_hex = pt_hex_encode(salt, sizeof salt);
  g_autofree char *nonce_hex = pt_hex_encode(nonce, sizeof nonce);
  g_autofree char *box_hex = pt_hex_encode(box, sizeof box);
  json_t *doc = json_pack("{sssssss{sssIsIss}ssss}", "format", PT_KEY_SEAL_FORMAT, "station_id", id,
                          "public_key", pub, "kdf", "name", "argon2id13", "opslimit",
                          (json_int_t)ops, "memlimit", (json_int_t)mem, "salt", salt_hex, "nonce",
                          nonce_hex, "sealed_secret_key", box_hex);
  /* A rotated key names the station's first key too: the station id is the anchor's, and a
   * data directory restored from this file alone needs it (keys/anchor.pub). */
  if (sodium_memcmp(keys->anchor_key, keys->public_key, PT_PUB_LEN) != 0) {
    g_autofree char *anchor = pt_hex_encode(keys->anchor_key, PT_PUB_LEN);
    json_object_set_new(doc, "anchor_key", json_string(anchor));
  }
  char *text = json_dumps(doc, JSON_INDENT(2));
  json_decref(doc);
  char *out = g_strconcat(text, "\n", NULL);
  free(text);
  return out;
}

static gboolean
hex_member(json_t *obj, const char *name, guint8 *out, gsize len, GError **error)
{
  const char *hex = json_string_value(json_object_get(obj, name));
  if (!hex || !pt_hex_decode(hex, out, len)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "sealed key: \"%s\" is not %zu bytes of hex",
                name, len);
    return FALSE;
  }
  return TRUE;
}

PtKeys *
pt_key_unseal(const char *text, gsize len, const char *passphrase, GError **error)
{
  g_autoptr(GError) local = NULL;
  json_t *doc = pt_json_parse(text, len, &local);
  if (!doc) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "not a sealed key: %s", local->message);
    return NULL;
  }
  json_t *kdf = json_object_get(doc, "kdf");
  json_t *ops = json_object_get(kdf, "opslimit");
  json_t *mem = json_object_get(kdf, "memlimit");
  PtKeys *keys = NULL;
  guint8 pub[PT_PUB_LEN], salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES];
  guint8 box[crypto_secretbox_MACBYTES + crypto_sign_SECRETKEYBYTES];
  if (g_strcmp0(json_string_value(json_object_get(doc, "format")), PT_KEY_SEAL_FORMAT) != 0 ||
      g_strcmp0(json_string_value(json_object_get(kdf, "name")), "argon2id13") != 0 ||
      !json_is_integer(ops) || !json_is_integer(mem) ||
      json_integer_value(ops) < (json_int_t)crypto_pwhash_OPSLIMIT_MIN ||
      json_integer_value(ops) > (json_int_t)PT_KEY_SEAL_OPS_MAX ||
      json_integer_value(mem) < (json_int_t)crypto_pwhash_MEMLIMIT_MIN ||
      json_integer_value(mem) > (json_int_t)PT_KEY_SEAL_MEM_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
                "not a %s file (or its limits are out of "
                "range)",
                PT_KEY_SEAL_FORMAT);
    goto out;
  }
  if (!hex_member(doc, "public_key", pub, sizeof pub, error) ||
      !hex_member(kdf, "salt", salt, sizeof salt, error) ||
      !hex_member(doc, "nonce", nonce, sizeof nonce, error) ||
      !hex_member(doc, "sealed_secret_key", box, sizeof box, error))
    goto out;
  guint8 *box_key = sodium_malloc(crypto_secretbox_KEYBYTES);
  keys = g_new0(PtKeys, 1);
  keys->secret_key = sodium_malloc(crypto_sign_SECRETKEYBYTES);
  gboolean ok = box_key && keys->secret_key &&
                derive(box_key, passphrase, salt, (unsigned long long)json_integer_value(ops),
                       (size_t)json_integer_value(mem), error);
  if (ok && crypto_secretbox_open_easy(keys->secret_key, box, sizeof box, nonce, box_key) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "wrong passphrase, or the sealed key is damaged");
    ok = FALSE;
  }
  sodium_free(box_key);
  guint8 derived[PT_PUB_LEN];
  if (ok) {
    crypto_sign_ed25519_sk_to_pk(derived, keys->secret_key);
    memcpy(keys->public_key, derived, PT_PUB_LEN);
    memcpy(keys->anchor_key, derived, PT_PUB_LEN);
    if (sodium_memcmp(derived, pub, PT_PUB_LEN) != 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "the sealed secret key is not the pair of the public key it names");
      ok = FALSE;
    }
  }
  if (ok && json_object_get(doc, "anchor_key"))
    ok = hex_member(doc, "anchor_key", keys->anchor_key, PT_PUB_LEN, error);
  if (!ok)
    g_clear_pointer(&keys, pt_keys_free);
out:
  json_decref(doc);
  return keys;
}

gboolean
pt_key_save(const PtKeys *keys, const char *dir, GError **error)
{
  g_autofree char *kdir = g_build_filename(dir, "keys", NULL);
  g_autofree char *sec = g_build_filename(kdir, "station.key", NULL);
  g_autofree char *pub = g_build_filename(kdir, "station.pub", NULL);
  if (g_file_test(sec, G_FILE_TEST_EXISTS) || g_file_test(pub, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s already holds a key; not replacing it",
                kdir);
    return FALSE;
  }
  if (g_mkdir_with_parents(kdir, 0700) != 0) {
    int saved = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", kdir, g_strerror(saved));
    return FALSE;
  }
  return pt_keys_write(keys, sec, pub, error) &&
         (sodium_memcmp(keys->anchor_key, keys->public_key, PT_PUB_LEN) == 0 ||
          pt_keys_write_anchor(keys, dir, error));
}
