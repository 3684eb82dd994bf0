/* pt-sha256.h: SHA-256 for the hashes the station computes once per event: a record's hash
 * (what is signed and chained) and its Event Hash ID, when signing, auditing and verifying.
 *
 * GnuTLS (a dependency of the HTTP server already) uses the CPU's SHA instructions where
 * there are any; libsodium's portable SHA-256 took 6.4 us for a 764-byte record where GnuTLS
 * took 0.9 us on the development box, which made hashing a fifth of each signed append. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_SHA256_LEN 32

/* Writes the SHA-256 of @len bytes at @data into @out. */
void pt_sha256(guint8 out[PT_SHA256_LEN], const void *data, gsize len);

G_END_DECLS
