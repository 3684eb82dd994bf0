/* pt-key-seal.h: the station's secret key sealed under a passphrase, for safe-keeping away
 * from the box (`packtrace key export` / `key import`).  A sealed key is a small JSON file:
 * the public key, station id (and, for a rotated key, the station's first key) in clear, the
 * secret key encrypted with XSalsa20-Poly1305 under a key derived from the passphrase by
 * argon2id (libsodium's "moderate" limits: about a second and 256 MiB to try one passphrase). */
#pragma once

#include "pt-keys.h"

#include <glib.h>

G_BEGIN_DECLS

#define PT_KEY_SEAL_FORMAT "packtrace-sealed-key/1"

/* Seals @keys' secret key under @passphrase (at least PT_KEY_PASSPHRASE_MIN bytes).
 * Returns: (transfer full): the file's text. */
char *pt_key_seal(const PtKeys *keys, const char *passphrase, GError **error);

/* Opens a sealed key; the public key it names must be the one the secret key derives.
 * PT_ERROR_INVALID for a wrong passphrase or a damaged file (the two cannot be told apart),
 * PT_ERROR_MALFORMED for a file that is not a sealed key.  Returns: (transfer full). */
PtKeys *pt_key_unseal(const char *text, gsize len, const char *passphrase, GError **error);

/* Writes @keys as @dir/keys/station.key (0600) and station.pub, and a rotated key's anchor as
 * keys/anchor.pub; refuses to replace a key. */
gboolean pt_key_save(const PtKeys *keys, const char *dir, GError **error);

G_END_DECLS
