/* pt-hub-client.h: the station's side of the co-op hub's protocol (station/hub/PROTOCOL.md):
 * how a request is signed with the station key, and the two calls a command makes and waits
 * for (enrolment, and the hub's view of the station).  The sync worker's own requests
 * (pt-sync-hub.c) are signed here too.
 *
 * The signature itself is trace/pt-hub-sign.h's, shared with the hub. */
#pragma once

#include "pt-keys.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The header lines ("PT-Station: ...", "PT-Date: ...", "PT-Signature: ...") that sign
 * @method to @url (its path and query are the signed target) at @now_ns, as pt-hub-sign.h
 * does, for a body given by its SHA-256 @body_sha256 rather than its bytes: an evidence file
 * is streamed from disk, and its hash, checked first, is its name.  Returns: (transfer full)
 * (array zero-terminated=1). */
char **pt_hub_client_sign_hashed(const PtKeys *keys, const char *method, const char *url,
                                 const guint8 body_sha256[PT_HASH_LEN], gint64 now_ns,
                                 GError **error);

/* The same for a body in memory (@body nullable when @body_len is 0), through
 * pt_hub_sign_request().  Returns: (transfer full) (array zero-terminated=1). */
char **pt_hub_client_sign(const PtKeys *keys, const char *method, const char *url, const void *body,
                          gsize body_len, gint64 now_ns, GError **error);

/* Returns: (transfer full): @base (a connector's url=) with @path appended, one '/' between. */
char *pt_hub_client_url(const char *base, const char *path);

typedef struct {
  const char *url;     /* the hub's base URL */
  const char *ca_file; /* nullable */
  const char *proxy;   /* nullable: none */
  int timeout_ms;
} PtHubTarget;

/* One signed request, waited for: @body (nullable, borrowed) is sent as JSON.  @status_out
 * receives the HTTP status; the answer is parsed when it is JSON, else given as
 * {"text": "..."}.  Fails only when no answer came.  Returns: (transfer full). */
json_t *pt_hub_client_call(const PtHubTarget *target, const PtKeys *keys, const char *method,
                           const char *path, json_t *body, long *status_out, GError **error);

/* The same for any body: @body (nullable when @len is 0, borrowed) sent as it is, with
 * Content-Type @content_type (nullable: none); a GET sends none.  Returns: (transfer full). */
json_t *pt_hub_client_send(const PtHubTarget *target, const PtKeys *keys, const char *method,
                           const char *path, const void *body, gsize len, const char *content_type,
                           long *status_out, GError **error);

/* POST /hub/v1/enrol {code, public_key (hex), name}: redeems a one-time code the hub's admin
 * gave.  Returns: (transfer full): the hub's answer. */
json_t *pt_hub_client_enrol(const PtHubTarget *target, const PtKeys *keys, const char *code,
                            const char *name, GError **error);

/* GET /hub/v1/station: what the hub holds of this station; a clear error when the hub does
 * not know the station's key.  Returns: (transfer full). */
json_t *pt_hub_client_station(const PtHubTarget *target, const PtKeys *keys, GError **error);

G_END_DECLS
