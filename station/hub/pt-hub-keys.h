/* pt-hub-keys.h: POST /hub/v1/rotations (PROTOCOL.md, "Keys"): a station's key rotations,
 * checked against the chain the hub holds for it, and against the events it holds, before
 * the hub takes the new key for the station's requests and events.
 *
 * Workload: a few requests per station over its life (a rotation is rare, a connector sends
 * its chain once per rotation); each walks a chain of at most PT_KEY_ROTATIONS_MAX records. */
#pragma once

#include "pt-hub-ingest.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Authenticates @req with the last key of the chain in its body (or the station's current
 * key at the hub), checks that chain from the station's enrolled key, and stores the rotations
 * the hub does not hold yet.  A chain that does not verify, or that does not agree with the
 * rotations or events the hub holds, is refused with PT_ERROR_CONFLICT naming why, kept in
 * quarantine and raised as an alert; PT_ERROR_MALFORMED for a body that cannot be read,
 * PT_ERROR_TAMPERED for a request that does not authenticate.
 * Returns: (transfer full): {"station": id, "keys": N, "added": M}. */
json_t *pt_hub_ingest_rotations(PtHubStore *store, const PtHubRequest *req, GError **error);

G_END_DECLS
