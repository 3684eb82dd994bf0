/* pt-sha256.c: SHA-256 by GnuTLS, with libsodium's as the fallback (see pt-sha256.h). */
#include "pt-sha256.h"

#include <gnutls/crypto.h>
#include <sodium.h>

G_STATIC_ASSERT(PT_SHA256_LEN == crypto_hash_sha256_BYTES);

void
pt_sha256(guint8 out[PT_SHA256_LEN], const void *data, gsize len)
{
  /* GnuTLS refuses a digest only when a policy (a system crypto policy, FIPS mode) forbids
   * it; the hash must still be the same, so it is computed the portable way then. */
  if (gnutls_hash_fast(GNUTLS_DIG_SHA256, data, len, out) < 0)
    crypto_hash_sha256(out, data, len);
}
