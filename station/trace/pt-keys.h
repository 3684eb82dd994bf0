/* pt-keys.h: the station's Ed25519 key pair (libsodium).  The secret key lives in
 * keys/station.key (mode 0600, never printed); the public key in keys/station.pub. */
#pragma once

#include "pt-record.h"

#include <glib.h>
#include <sodium.h>

G_BEGIN_DECLS

typedef struct {
  guint8 public_key[PT_PUB_LEN];
  guint8 *secret_key; /* sodium_malloc'd, crypto_sign_SECRETKEYBYTES */
} PtKeys;

/* Creates a new pair under @dir/keys; fails if one is already there. */
PtKeys *pt_keys_create(const char *dir, GError **error);
/* Writes @keys as hex text: the secret key to @secret_path (0600), the public key to
 * @public_path, each crash-safe (pt_file_write_atomic()). */
gboolean pt_keys_write(const PtKeys *keys, const char *secret_path, const char *public_path,
                       GError **error);
/* A new pair in memory only (a hub without a key folder: its key lasts the process).
 * Returns: (transfer full). */
PtKeys *pt_keys_new_ephemeral(void);
/* Loads the pair under @dir/keys and checks that the halves belong together. */
PtKeys *pt_keys_load(const char *dir, GError **error);
void pt_keys_free(PtKeys *keys);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtKeys, pt_keys_free)

/* Signs the 32-byte event hash @hash. */
void pt_keys_sign(const PtKeys *keys, const guint8 hash[PT_HASH_LEN], guint8 sig[PT_SIG_LEN]);
gboolean pt_keys_verify(const guint8 public_key[PT_PUB_LEN], const guint8 hash[PT_HASH_LEN],
                        const guint8 sig[PT_SIG_LEN]);

/* Station id: the first 16 hex digits of SHA-256(public key). Returns: (transfer full). */
char *pt_keys_station_id(const guint8 public_key[PT_PUB_LEN]);

/* Hex helpers. Returns: (transfer full). */
char *pt_hex_encode(const guint8 *bytes, gsize len);
gboolean pt_hex_decode(const char *hex, guint8 *out, gsize len);

G_END_DECLS
