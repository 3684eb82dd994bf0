/* pt-hub-sign.h: the signature on every request between a station and the co-op hub
 * (station/hub/PROTOCOL.md).  The station signs with its Ed25519 key (pt-keys.h) over
 * SHA-256 of "packtrace-hub-1\n" METHOD "\n" PATH-WITH-QUERY "\n" DATE "\n" hex(SHA-256(body));
 * the hub checks it against the key it registered for the station id.  Both sides link this
 * file, so the message is written in one place.  One SHA-256 of the body and one signature or
 * verification per request. */
#pragma once

#include "pt-keys.h"
#include "pt-record.h"

#include <glib.h>

G_BEGIN_DECLS

#define PT_HUB_SIGN_CONTEXT   "packtrace-hub-1"
#define PT_HUB_HEADER_STATION "PT-Station"
#define PT_HUB_HEADER_DATE    "PT-Date"
#define PT_HUB_HEADER_SIG     "PT-Signature"
#define PT_HUB_STATION_ID_LEN 16 /* hex digits of pt_keys_station_id() */
/* Recall notices to buyers through the hub (sync/RECALL-NOTICES.md), and their acks. */
#define PT_HUB_NOTICES_PATH     "/hub/v1/notices"
#define PT_HUB_NOTICE_ACKS_PATH "/hub/v1/notices/acks"

/* The three header values of one signed request. */
typedef struct {
  char *station;   /* pt_keys_station_id() of the key */
  char *date;      /* RFC 3339 UTC, pt_time_format() */
  char *signature; /* base64 of the Ed25519 signature */
} PtHubAuth;

void pt_hub_auth_clear(PtHubAuth *auth);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtHubAuth, pt_hub_auth_clear)

/* The 32-byte SHA-256 of the signed message for a request: @method (e.g. "POST"), @target (path
 * with query, as sent), @date (the PT-Date value), @body (nullable when @body_len is 0). */
void pt_hub_sign_digest(const char *method, const char *target, const char *date, const void *body,
                        gsize body_len, guint8 digest[PT_HASH_LEN]);

/* Signs a request made at @now_ns with @keys (the key in force; PT-Station names the station
 * by its anchor, keys->anchor_key); fills @out (caller clears it). */
void pt_hub_sign_request(const PtKeys *keys, const char *method, const char *target,
                         const void *body, gsize body_len, gint64 now_ns, PtHubAuth *out);

/* Checks a request's headers (@station, @date, @signature: each nullable, as received) against
 * @public_key: the station id must be the key's, the date within @skew_s seconds of @now_ns, the
 * signature must verify.  Fails with PT_ERROR_TAMPERED and a reason fit for the 401 body. */
gboolean pt_hub_check_request(const guint8 public_key[PT_PUB_LEN], const char *station,
                              const char *date, const char *signature, const char *method,
                              const char *target, const void *body, gsize body_len, gint64 now_ns,
                              int skew_s, GError **error);
/* The same for a station that rotated its key: the station id must be @anchor's (its first
 * key's), the signature @public_key's (the key in force). */
gboolean pt_hub_check_request_rotated(const guint8 anchor[PT_PUB_LEN],
                                      const guint8 public_key[PT_PUB_LEN], const char *station,
                                      const char *date, const char *signature, const char *method,
                                      const char *target, const void *body, gsize body_len,
                                      gint64 now_ns, int skew_s, GError **error);

/* TRUE when @station is a station id: 16 lowercase hex digits. */
gboolean pt_hub_station_id_is_valid(const char *station);

G_END_DECLS
