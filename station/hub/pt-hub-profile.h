/* pt-hub-profile.h: the stations' public profiles at the hub (PROTOCOL.md, "Public profile"):
 * what the consumer page of a station's lot says about who packed it, as the station's own page
 * says it from station.ini's [public] and location.
 *
 *   PUT /hub/v1/profile/logo/{sha256}  (station) the logo's bytes: PNG, JPEG or SVG by their
 *                                      first bytes, at most PT_PUBLIC_LOGO_MAX; an SVG with a
 *                                      script, an event handler, foreign content or an entity
 *                                      declaration is refused
 *   PUT /hub/v1/profile                (station) the profile (trace/pt-profile-wire.h),
 *                                      naming that logo by hash
 *   GET /logo/{sha256}                 (anyone) a logo a station's profile names now: immutable,
 *                                      and never a document that runs scripts
 *
 * Both station requests are signed like every other (pt_hub_authenticate()). */
#pragma once

#include "pt-hub-routes.h"
#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_HUB_PROFILE_PATH      "/hub/v1/profile"
#define PT_HUB_PROFILE_LOGO_PATH "/hub/v1/profile/logo/"
#define PT_HUB_LOGO_URL          "/logo/"

/* PUT /hub/v1/profile of @station (authenticated): checked (pt_profile_wire_read()), stored
 * when it differs from the one held.  PT_ERROR_MALFORMED / PT_ERROR_TOO_LARGE for the body,
 * PT_ERROR_CONFLICT for a logo not uploaded.  Returns: (transfer full): {"station", "sha256",
 * "changed"}. */
json_t *pt_hub_profile_ingest(PtHubStore *store, const PtHubStation *station, const char *body,
                              gsize len, GError **error);

/* PUT /hub/v1/profile/logo/{@sha256} of @station: @data must hash to @sha256 (else
 * PT_ERROR_CONFLICT), be a PNG, JPEG or safe SVG (else PT_ERROR_INVALID) of at most
 * PT_PUBLIC_LOGO_MAX bytes (else PT_ERROR_TOO_LARGE).  @stored_out: TRUE when new.
 * Returns: (transfer full). */
json_t *pt_hub_profile_logo_ingest(PtHubStore *store, const PtHubStation *station,
                                   const char *sha256, const void *data, gsize len,
                                   gboolean *stored_out, GError **error);

/* GET /logo/{sha256}. */
extern const PtHubRouteTable pt_hub_profile_routes;

G_END_DECLS
