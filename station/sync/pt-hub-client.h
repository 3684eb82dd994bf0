/* pt-hub-client.h: the station's side of the co-op hub's protocol (station/hub/PROTOCOL.md):
 * how a request is signed with the station key, and the two calls a command makes and waits
 * for (enrolment, and the hub's view of the station).  The sync worker's own requests
 * (pt-sync-hub.c) are signed here too.
 *
 * A request carries PT-Station (pt_keys_station_id()), PT-Date (RFC 3339 UTC, seconds) and
 * PT-Signature: base64 Ed25519 over SHA-256 of
 *   "packtrace-hub-1\n" METHOD "\n" PATH[?QUERY] "\n" DATE "\n" hex(SHA-256(body))
 * so a hub that holds the station's public key knows who sent it, that nothing in it was
 * changed, and (by the date) that it is not an old request played again. */
#pragma once

#include "pt-keys.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_HUB_SIGN_CONTEXT "packtrace-hub-1"

/* Returns: (transfer full): the text that is hashed and signed for a request. */
char *pt_hub_signing_text(const char *method, const char *path_query, const char *date,
                          const guint8 body_sha256[PT_HASH_LEN]);

/* The three header lines ("PT-Station: ...", "PT-Date: ...", "PT-Signature: ...") for
 * @method to @url (its path and query are signed) with a body whose SHA-256 is @body_sha256,
 * dated @now_s (Unix seconds).  Returns: (transfer full) (array zero-terminated=1). */
char **pt_hub_sign_headers(const PtKeys *keys, const char *method, const char *url,
                           const guint8 body_sha256[PT_HASH_LEN], gint64 now_s, GError **error);

/* Returns: (transfer full): @base (a connector's url=) with @path appended, one '/' between. */
char *pt_hub_url(const char *base, const char *path);

typedef struct {
  const char *url;     /* the hub's base URL */
  const char *ca_file; /* nullable */
  const char *proxy;   /* nullable: none */
  int timeout_ms;
} PtHubTarget;

/* One signed request, waited for: @body (nullable, borrowed) is sent as JSON.  @status_out
 * receives the HTTP status; the answer is parsed when it is JSON, else given as
 * {"text": "..."}.  Fails only when no answer came.  Returns: (transfer full). */
json_t *pt_hub_call(const PtHubTarget *target, const PtKeys *keys, const char *method,
                    const char *path, json_t *body, long *status_out, GError **error);

/* POST /hub/v1/enrol {code, public_key (hex), name}: redeems a one-time code the hub's admin
 * gave.  Returns: (transfer full): the hub's answer. */
json_t *pt_hub_enrol(const PtHubTarget *target, const PtKeys *keys, const char *code,
                     const char *name, GError **error);

/* GET /hub/v1/station: what the hub holds of this station; a clear error when the hub does
 * not know the station's key.  Returns: (transfer full). */
json_t *pt_hub_station(const PtHubTarget *target, const PtKeys *keys, GError **error);

G_END_DECLS
