/* pt-web.h: the pages of web-ui/ (compiled in as a GResource) and the GS1 Digital Link
 * resolver behind the printed QR codes, served by pt-http.c.
 *
 *   GET /static/{name}           an asset of web-ui/ (ETag, cached an hour)
 *   GET /station                 the operator dashboard (reads the API with the token)
 *   GET /driver                  the driver's page (login QR: /driver#t=TOKEN)
 *   GET /01/{gtin}/10/{lot}[?..] the consumer page (HTML), its public JSON (Accept:
 *                                application/json), or the EPCIS document
 *                                (linkType=gs1:epcis); an unknown lot of a known GTIN
 *                                is 303 to /01/{gtin}
 *   GET /01/{gtin}               the product's page: that the station traces it */
#pragma once

#include "pt-scan-tally.h"
#include "pt-station.h"
#include "pt-store.h"

#include <microhttpd.h>

G_BEGIN_DECLS

/* Whether @url is one of the routes above (pt-http.c hands those to pt_web_respond). */
gboolean pt_web_handles(const char *url);

/* The HTTP worker's store connection.  Returns: (transfer none). */
typedef PtStore *(*PtWebStoreFunc)(gpointer user_data, GError **error);

/* Answers a request for one of pt_web_handles()'s routes.  @url is the decoded path
 * without the query (as libmicrohttpd gives it); page views are counted in @scans. */
enum MHD_Result pt_web_respond(PtStation *station, struct MHD_Connection *c, const char *url,
                               const char *method, PtScanTally *scans, PtWebStoreFunc get_store,
                               gpointer user_data);

G_END_DECLS
