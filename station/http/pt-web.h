/* pt-web.h: the pages of web-ui/ (compiled in as a GResource) and the GS1 Digital Link
 * resolver behind the printed QR codes: routes of the station's HTTP server, anyone may
 * call them (limited per client address).
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

#include "pt-http-route.h"

G_BEGIN_DECLS

/* The routes above.  @url is the decoded path without the query (as libmicrohttpd gives
 * it); consumer page views are counted in the server's scan tally. */
extern const PtHttpRouteTable pt_web_routes;

G_END_DECLS
