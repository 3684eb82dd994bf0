/* pt-keys.h: the station's Ed25519 key pair (libsodium).  The secret key lives in
 * keys/station.key (mode 0600, never printed); the public key in keys/station.pub.  After a
 * key rotation (pt-key-chain.h) these are the current pair, and keys/anchor.pub keeps the
 * station's first public key: its identity (the station id is the anchor's) and the start
 * of its key chain. */
#pragma once

#include "pt-record.h"

#include <glib.h>
#include <sodium.h>

G_BEGIN_DECLS

typedef struct {
  guint8 public_key[PT_PUB_LEN]; /* the key that signs now */
  guint8 *secret_key;            /* sodium_malloc'd, crypto_sign_SECRETKEYBYTES */
  guint8 anchor_key[PT_PUB_LEN]; /* the station's first key: public_key until a rotation */
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
/* Loads the pair under @dir/keys and checks that the halves belong together; the anchor from
 * keys/anchor.pub when there is one. */
PtKeys *pt_keys_load(const char *dir, GError **error);
/* Loads the pair in @secret_path and @public_path, its own anchor.  Returns: (transfer full). */
PtKeys *pt_keys_load_files(const char *secret_path, const char *public_path, GError **error);
void pt_keys_free(PtKeys *keys);
/* Writes @keys' anchor key to @dir/keys/anchor.pub (crash-safe), once: an anchor already
 * there must be the same key. */
gboolean pt_keys_write_anchor(const PtKeys *keys, const char *dir, GError **error);
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
