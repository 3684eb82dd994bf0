/* pt-hub-web.h: the hub's public face for every station of the co-op, on one domain: the GS1
 * Digital Link resolver behind the printed QR codes, the consumer page (the station's own,
 * rendered by trace/pt-consumer-page.c in the reader's language, checked by consumer.js), the
 * public EPCIS document and signed bundle of a batch, its evidence, and the per-station status for
 * the co-op's admin.
 *
 *   GET /01/{gtin}/10/{lot}[?..]  as the station's resolver (station/http/pt-web.h): the page,
 *                                 its JSON (Accept: application/json), linkType=gs1:epcis,
 *                                 linkType=pt:traceBundle, linkType=pt:clip&n=N; &station=ID
 *                                 picks one station when several hold the lot
 *   GET /01/{gtin}                the product's page
 *   GET /{compressed}             a compressed Digital Link, answered as its uncompressed one
 *   GET /.well-known/gs1resolver  the resolver description file
 *   OPTIONS on the three above    the CORS preflight (204)
 * The resolver's decisions (links, linkType, linkset, Link header, decompression) are
 * labels/pt-gs1-resolver.h's, the station's too; ?linkType=gs1:recallStatus answers the
 * batch's last signed status change.
 *   GET /static/{name}            the pages' assets
 *   GET /evidence/{sha256}        evidence bytes that an event the public sees references
 *   GET /hub/status               the page of every station's sync state (pt-hub-status.h)
 *
 * Caching: pages, resolver answers and documents carry a strong ETag derived from the heads of
 * the batch at the hub (per station: events held and the last one's hash) and the
 * representation, and Cache-Control: public, max-age=PT_HUB_PAGE_MAX_AGE_S, must-revalidate;
 * If-None-Match answers 304 after one indexed read, or none when the page cache holds the
 * answer (pt_hub_web_set_cache()).  A hold or recall is an event of the batch: it changes the
 * ETag the moment it is stored, and its NOTIFY drops the cached answers of every hub process. */
#pragma once

#include "pt-hub-cache.h"
#include "pt-hub-routes.h"
#include "pt-keys.h"

#include <glib.h>

G_BEGIN_DECLS

/* The serving context of one hub process: its signing key (loaded from @key_dir/keys, made
 * there when missing; @key_dir NULL: a key of this process only, for tests and a first try:
 * the hub signs the heads of the bundles it serves, the station's records keep the station's
 * signatures, and several hub processes behind one name must share the key), the host of the
 * documents' namespace (@public_host, the label domain), and the bearer token of the status API
 * (@status_token, nullable: no status API).  Returns: (transfer full). */
PtHubWeb *pt_hub_web_new(const char *key_dir, const char *public_host, const char *status_token,
                         GError **error);
void pt_hub_web_free(PtHubWeb *web);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtHubWeb, pt_hub_web_free)

/* Answers the resolver's pages and documents from @cache (transfer none, nullable: none; it
 * must outlive @web) when it holds them, and keeps what it renders there. */
void pt_hub_web_set_cache(PtHubWeb *web, PtHubCache *cache);

/* The hub's key pair (transfer none): signs bundle heads and the video players' capabilities
 * (pt-hub-video.h). */
const PtKeys *pt_hub_web_keys(const PtHubWeb *web);
/* The status API's bearer token, NULL when it is off. */
const char *pt_hub_web_status_token(const PtHubWeb *web);
/* Views of the page of a lot never packed, of a GTIN packed (labels that may be fake), since
 * the process started.  Any thread. */
guint pt_hub_web_unknown_lots(const PtHubWeb *web);

/* The routes above (pt-hub-routes.c lists them). */
extern const PtHubRouteTable pt_hub_web_routes;
/* The compressed Digital Links (one base64 segment at the root): listed after every other
 * table, so that no route of theirs is taken for one. */
extern const PtHubRouteTable pt_hub_compressed_routes;

G_END_DECLS
