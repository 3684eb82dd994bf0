/* pt-hub-ingest.h: what the hub does with a station's requests (station/hub/PROTOCOL.md):
 * authenticate it, then verify and store its events, heads and evidence, or enrol it.
 * Ingest verifies, then stores: each event against its own record and the station's key in
 * force at its seq, as audit picks it (the enrolled key, then each rotation's: pt-hub-keys.h;
 * trace/pt-event-check.h, the station audit's checks), then against what the hub holds
 * (identity, station chain, batch chain) inside one transaction per request with the
 * station's row locked.  A refused event is kept in quarantine with its reason.
 *
 * Workload: up to PT_HUB_EVENTS_PER_REQUEST_MAX events a request, from tens of stations at
 * once; the CPU work (hash, signature, JSON, Event Hash ID) happens before the transaction,
 * the database sees a handful of statements per request. */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* A request body that must be one JSON object (at most PT_HUB_BODY_MAX bytes): PT_ERROR_TOO_LARGE,
 * or PT_ERROR_MALFORMED naming what is wrong.  Returns: (transfer full). */
json_t *pt_hub_body_object(const char *body, gsize len, GError **error);

/* A request as the server read it: what the signature covers and the three headers. */
typedef struct {
  const char *method;
  const char *target;    /* path with query, as sent */
  const char *station;   /* PT-Station, nullable */
  const char *date;      /* PT-Date, nullable */
  const char *signature; /* PT-Signature, nullable */
  const char *body;      /* nullable when body_len is 0 */
  gsize body_len;
  gint64 now_ns;
} PtHubRequest;

/* Checks @req's signature against the current key of the station it names; refuses an
 * unknown or revoked station.  Fails with PT_ERROR_TAMPERED (401) and the reason, or a store
 * error.  Returns: (transfer full): the station. */
PtHubStation *pt_hub_authenticate(PtHubStore *store, const PtHubRequest *req, GError **error);
/* The same, the signature checked with @key (nullable: the last key of the station's chain at
 * the hub, which is what pt_hub_authenticate() does).  Returns: (transfer full). */
PtHubStation *pt_hub_authenticate_with(PtHubStore *store, const PtHubRequest *req,
                                       const guint8 *key, GError **error);

/* The SHA-256 under which an enrolment code is stored: of the code upper-cased, without the
 * dashes and spaces it is printed with, so "k7qf-2m9x" and "K7QF 2M9X" are one code. */
void pt_hub_enrol_code_hash(const char *code, guint8 hash[PT_HASH_LEN]);

/* A new enrolment code, 20 characters of an unambiguous 31-letter alphabet (99 bits) in groups of
 * four.  Returns: (transfer full). */
char *pt_hub_enrol_code_new(void);

/* POST /hub/v1/enrol: redeems a one-time code for the key in the body, the request signed by
 * that key.  Returns: (transfer full): the answer. */
json_t *pt_hub_enrol(PtHubStore *store, const PtHubRequest *req, GError **error);

/* POST /hub/v1/events of @station (authenticated): verifies and stores, answers per event.
 * Fails only for a body that cannot be read (PT_ERROR_MALFORMED, nothing stored), one over a
 * limit (PT_ERROR_TOO_LARGE) or the database (the transaction rolled back: nothing stored).
 * Returns: (transfer full). */
json_t *pt_hub_ingest_events(PtHubStore *store, const PtHubStation *station, const char *body,
                             gsize len, GError **error);

/* POST /hub/v1/head.  Returns: (transfer full): {"accepted": bool, "alert"?: reason}. */
json_t *pt_hub_ingest_head(PtHubStore *store, const PtHubStation *station, const char *body,
                           gsize len, GError **error);

/* PUT /hub/v1/evidence/{sha256}: @data must hash to @sha256 and be referenced by an event of
 * @station the hub holds, else PT_ERROR_CONFLICT with the reason.  @stored_out: TRUE when the
 * bytes are new.  Returns: (transfer full). */
json_t *pt_hub_ingest_evidence(PtHubStore *store, const PtHubStation *station, const char *sha256,
                               const char *media_type, const void *data, gsize len,
                               gboolean *stored_out, GError **error);

/* GET /hub/v1/station: what the hub holds of @station.  Returns: (transfer full). */
json_t *pt_hub_station_json(PtHubStore *store, const PtHubStation *station, GError **error);

G_END_DECLS
