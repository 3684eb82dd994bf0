/* pt-hub-sign.c: signing and checking hub requests (see pt-hub-sign.h). */
#include "pt-hub-sign.h"

#include "pt-error.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

void
pt_hub_auth_clear(PtHubAuth *auth)
{
  g_free(auth->station);
  g_free(auth->date);
  g_free(auth->signature);
  memset(auth, 0, sizeof *auth);
}

void
pt_hub_sign_digest(const char *method, const char *target, const char *date, const void *body,
                   gsize body_len, guint8 digest[PT_HASH_LEN])
{
  guint8 body_hash[PT_HASH_LEN];
  char body_hex[PT_HASH_LEN * 2 + 1];
  crypto_hash_sha256(body_hash, body_len ? body : (const void *)"", body_len);
  sodium_bin2hex(body_hex, sizeof body_hex, body_hash, sizeof body_hash);

  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  const char *parts[] = {PT_HUB_SIGN_CONTEXT, method, target, date};
  for (gsize i = 0; i < G_N_ELEMENTS(parts); i++) {
    crypto_hash_sha256_update(&st, (const guint8 *)parts[i], strlen(parts[i]));
    crypto_hash_sha256_update(&st, (const guint8 *)"\n", 1);
  }
  crypto_hash_sha256_update(&st, (const guint8 *)body_hex, PT_HASH_LEN * 2);
  crypto_hash_sha256_final(&st, digest);
}

void
pt_hub_sign_request(const PtKeys *keys, const char *method, const char *target, const void *body,
                    gsize body_len, gint64 now_ns, PtHubAuth *out)
{
  guint8 digest[PT_HASH_LEN], sig[PT_SIG_LEN];
  memset(out, 0, sizeof *out);
  out->station = pt_keys_station_id(keys->anchor_key);
  out->date = pt_time_format(now_ns);
  pt_hub_sign_digest(method, target, out->date, body, body_len, digest);
  pt_keys_sign(keys, digest, sig);
  out->signature = g_base64_encode(sig, sizeof sig);
}

gboolean
pt_hub_station_id_is_valid(const char *station)
{
  if (!station || strlen(station) != PT_HUB_STATION_ID_LEN)
    return FALSE;
  for (const char *p = station; *p; p++)
    if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return TRUE;
}

gboolean
pt_hub_check_request(const guint8 public_key[PT_PUB_LEN], const char *station, const char *date,
                     const char *signature, const char *method, const char *target,
                     const void *body, gsize body_len, gint64 now_ns, int skew_s, GError **error)
{
  return pt_hub_check_request_rotated(public_key, public_key, station, date, signature, method,
                                      target, body, body_len, now_ns, skew_s, error);
}

gboolean
pt_hub_check_request_rotated(const guint8 anchor[PT_PUB_LEN], const guint8 public_key[PT_PUB_LEN],
                             const char *station, const char *date, const char *signature,
                             const char *method, const char *target, const void *body,
                             gsize body_len, gint64 now_ns, int skew_s, GError **error)
{
  if (!station || !date || !signature) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "missing %s header",
                !station ? PT_HUB_HEADER_STATION
                         : (!date ? PT_HUB_HEADER_DATE : PT_HUB_HEADER_SIG));
    return FALSE;
  }
  g_autofree char *expected = pt_keys_station_id(anchor);
  if (strcmp(station, expected) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s %s is not the id of the key (%s)",
                PT_HUB_HEADER_STATION, station, expected);
    return FALSE;
  }
  gint64 when = 0;
  if (!pt_time_parse(date, &when, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s is not an RFC 3339 time",
                PT_HUB_HEADER_DATE);
    return FALSE;
  }
  gint64 off_s = (when > now_ns ? when - now_ns : now_ns - when) / G_GINT64_CONSTANT(1000000000);
  if (off_s > skew_s) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED,
                "request date is %" G_GINT64_FORMAT " s off the hub's clock (allowed %d s)", off_s,
                skew_s);
    return FALSE;
  }
  /* Decoded by hand into a fixed buffer: g_base64_decode() would accept any length. */
  guint8 sig[PT_SIG_LEN];
  gsize sig_len = 0;
  gsize b64_len = strlen(signature);
  if (b64_len != ((PT_SIG_LEN + 2) / 3) * 4 ||
      sodium_base642bin(sig, sizeof sig, signature, b64_len, NULL, &sig_len, NULL,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      sig_len != PT_SIG_LEN) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s is not base64 of 64 bytes",
                PT_HUB_HEADER_SIG);
    return FALSE;
  }
  guint8 digest[PT_HASH_LEN];
  pt_hub_sign_digest(method, target, date, body, body_len, digest);
  if (!pt_keys_verify(public_key, digest, sig)) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "bad request signature");
    return FALSE;
  }
  return TRUE;
}
