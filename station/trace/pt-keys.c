/* pt-keys.c: Ed25519 key pair files and signing.  Signatures cover the SHA-256 of an
 * event's canonical JSON, so a verifier hashes once and checks 32 bytes. */
#include "pt-keys.h"

#include "pt-error.h"
#include "pt-file.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>

#define KEY_SECRET_FILE "station.key"
#define KEY_PUBLIC_FILE "station.pub"
#define KEY_ANCHOR_FILE "anchor.pub"

char *
pt_hex_encode(const guint8 *bytes, gsize len)
{
  char *hex = g_malloc(len * 2 + 1);
  sodium_bin2hex(hex, len * 2 + 1, bytes, len);
  return hex;
}

gboolean
pt_hex_decode(const char *hex, guint8 *out, gsize len)
{
  size_t got = 0;
  const char *end = NULL;
  if (strlen(hex) != len * 2)
    return FALSE;
  if (sodium_hex2bin(out, len, hex, len * 2, NULL, &got, &end) != 0)
    return FALSE;
  return got == len && *end == '\0';
}

char *
pt_keys_station_id(const guint8 public_key[PT_PUB_LEN])
{
  guint8 digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, public_key, PT_PUB_LEN);
  return pt_hex_encode(digest, 8);
}

static PtKeys *
keys_alloc(void)
{
  PtKeys *keys = g_new0(PtKeys, 1);
  keys->secret_key = sodium_malloc(crypto_sign_SECRETKEYBYTES);
  g_assert(keys->secret_key);
  return keys;
}

PtKeys *
pt_keys_new_ephemeral(void)
{
  PtKeys *keys = keys_alloc();
  crypto_sign_keypair(keys->public_key, keys->secret_key);
  memcpy(keys->anchor_key, keys->public_key, PT_PUB_LEN);
  return keys;
}

PtKeys *
pt_keys_create(const char *dir, GError **error)
{
  g_autofree char *kdir = g_build_filename(dir, "keys", NULL);
  g_autofree char *sec = g_build_filename(kdir, KEY_SECRET_FILE, NULL);
  g_autofree char *pub = g_build_filename(kdir, KEY_PUBLIC_FILE, NULL);
  if (g_file_test(sec, G_FILE_TEST_EXISTS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s already exists; not replacing a key", sec);
    return NULL;
  }
  if (g_mkdir_with_parents(kdir, 0700) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", kdir, g_strerror(errno));
    return NULL;
  }
  g_autoptr(PtKeys) keys = keys_alloc();
  crypto_sign_keypair(keys->public_key, keys->secret_key);
  memcpy(keys->anchor_key, keys->public_key, PT_PUB_LEN);
  if (!pt_keys_write(keys, sec, pub, error))
    return NULL;
  return g_steal_pointer(&keys);
}

gboolean
pt_keys_write(const PtKeys *keys, const char *secret_path, const char *public_path, GError **error)
{
  /* Stored as hex text so the files survive copy-paste and show damage plainly. */
  char sec_hex[crypto_sign_SECRETKEYBYTES * 2 + 2];
  sodium_bin2hex(sec_hex, sizeof sec_hex - 1, keys->secret_key, crypto_sign_SECRETKEYBYTES);
  sec_hex[crypto_sign_SECRETKEYBYTES * 2] = '\n';
  sec_hex[crypto_sign_SECRETKEYBYTES * 2 + 1] = '\0';
  gboolean ok = pt_file_write_atomic(secret_path, sec_hex, strlen(sec_hex), 0600, error);
  sodium_memzero(sec_hex, sizeof sec_hex);
  if (!ok)
    return FALSE;
  g_autofree char *pub_hex = pt_hex_encode(keys->public_key, PT_PUB_LEN);
  g_autofree char *pub_line = g_strconcat(pub_hex, "\n", NULL);
  return pt_file_write_atomic(public_path, pub_line, strlen(pub_line), 0644, error);
}

/* The anchor: keys/anchor.pub once the station has rotated its key, else the key itself. */
static gboolean
read_anchor(const char *dir, PtKeys *keys, GError **error)
{
  g_autofree char *path = g_build_filename(dir, "keys", KEY_ANCHOR_FILE, NULL);
  memcpy(keys->anchor_key, keys->public_key, PT_PUB_LEN);
  if (!g_file_test(path, G_FILE_TEST_EXISTS))
    return TRUE;
  g_autofree char *text = pt_file_read(path, 1024, NULL, error);
  if (!text)
    return FALSE;
  if (!pt_hex_decode(g_strstrip(text), keys->anchor_key, PT_PUB_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s is not a hex Ed25519 public key", path);
    return FALSE;
  }
  return TRUE;
}

PtKeys *
pt_keys_load(const char *dir, GError **error)
{
  g_autofree char *sec = g_build_filename(dir, "keys", KEY_SECRET_FILE, NULL);
  g_autofree char *pub = g_build_filename(dir, "keys", KEY_PUBLIC_FILE, NULL);
  g_autoptr(PtKeys) keys = pt_keys_load_files(sec, pub, error);
  if (!keys || !read_anchor(dir, keys, error))
    return NULL;
  return g_steal_pointer(&keys);
}

PtKeys *
pt_keys_load_files(const char *sec, const char *pub, GError **error)
{
  g_autoptr(PtKeys) keys = keys_alloc();

  g_autofree char *pub_text = pt_file_read(pub, 1024, NULL, error);
  if (!pub_text)
    return NULL;
  g_strstrip(pub_text);
  if (!pt_hex_decode(pub_text, keys->public_key, PT_PUB_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s is not a hex Ed25519 public key", pub);
    return NULL;
  }

  /* A secret key others can read is a key others may have copied: refuse it, with the fix. */
  GStatBuf st;
  if (g_stat(sec, &st) != 0) {
    int saved = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s: %s", sec, g_strerror(saved));
    return NULL;
  }
  if (st.st_mode & (S_IRWXG | S_IRWXO)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s is open to other users (mode %04o); make it private with: chmod 600 %s", sec,
                (unsigned)(st.st_mode & 07777), sec);
    return NULL;
  }
  char *sec_text = pt_file_read(sec, 1024, NULL, error);
  if (!sec_text)
    return NULL;
  g_strstrip(sec_text);
  gboolean ok = pt_hex_decode(sec_text, keys->secret_key, crypto_sign_SECRETKEYBYTES);
  sodium_memzero(sec_text, strlen(sec_text));
  g_free(sec_text);
  if (!ok) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s is not a hex Ed25519 secret key", sec);
    return NULL;
  }
  guint8 derived[PT_PUB_LEN];
  crypto_sign_ed25519_sk_to_pk(derived, keys->secret_key);
  if (sodium_memcmp(derived, keys->public_key, PT_PUB_LEN) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s and %s are not one key pair", sec, pub);
    return NULL;
  }
  memcpy(keys->anchor_key, keys->public_key, PT_PUB_LEN);
  return g_steal_pointer(&keys);
}

gboolean
pt_keys_write_anchor(const PtKeys *keys, const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename(dir, "keys", KEY_ANCHOR_FILE, NULL);
  g_autofree char *hex = pt_hex_encode(keys->anchor_key, PT_PUB_LEN);
  g_autofree char *line = g_strconcat(hex, "\n", NULL);
  g_autofree char *there =
      g_file_test(path, G_FILE_TEST_EXISTS) ? pt_file_read(path, 1024, NULL, error) : g_strdup("");
  if (!there)
    return FALSE;
  if (*there) {
    if (strcmp(g_strstrip(there), hex) == 0)
      return TRUE;
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s holds another anchor key; not replacing it",
                path);
    return FALSE;
  }
  return pt_file_write_atomic(path, line, strlen(line), 0644, error);
}

void
pt_keys_free(PtKeys *keys)
{
  if (!keys)
    return;
  sodium_free(keys->secret_key);
  g_free(keys);
}

void
pt_keys_sign(const PtKeys *keys, const guint8 hash[PT_HASH_LEN], guint8 sig[PT_SIG_LEN])
{
  crypto_sign_detached(sig, NULL, hash, PT_HASH_LEN, keys->secret_key);
}

gboolean
pt_keys_verify(const guint8 public_key[PT_PUB_LEN], const guint8 hash[PT_HASH_LEN],
               const guint8 sig[PT_SIG_LEN])
{
  return crypto_sign_verify_detached(sig, hash, PT_HASH_LEN, public_key) == 0;
}
