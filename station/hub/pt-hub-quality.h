/* pt-hub-quality.h: the co-op's quality index, GET /api/v1/quality (route table
 * pt_hub_quality_routes): grade mix, conformance rate, size and defect
 * kinds, volumes, holds and recalls, grouped by week (ISO), station, grower or variety.
 *
 *   by=week|station|grower|variety (default week), station=ID, grower=NAME, variety=NAME,
 *   from=YYYY-MM-DD, to=YYYY-MM-DD (the weeks these days fall in, inclusive)
 *
 * Read from tables that ingest keeps per week, station and batch (quality_weekly, and
 * quality_facets by the events trigger), in the transaction that stores the events: a request
 * sums those rows and never reads an event.  Counts come from the signed records: each
 * inspecting event's pt:gradeDistribution, pt:sizeDistribution, pt:defects, pt:declaredClass,
 * pt:fruitCount, pt:estimatedWeightKg and disposition; each holding event's pt:action.
 *
 * GET /coop is the co-op page that draws it (web-ui/coop.html and coop.js: plain SVG, no
 * library), asking for the token in the page.
 *
 * Access: a bearer token, buyer or admin; the index is the co-op's aggregate, the same for
 * every buyer (it names no load or buyer). */
#pragma once

#include "pt-hub-reply.h"
#include "pt-hub-store-query.h"

G_BEGIN_DECLS

/* The Monday (UTC) of the ISO week @date (YYYY-MM-DD) falls in, into @monday_out (11 bytes);
 * FALSE when @date is not a date. */
gboolean pt_hub_week_monday(const char *date, char monday_out[11]);

/* GET /api/v1/quality (pt-hub-routes.c lists it). */
extern const PtHubRouteTable pt_hub_quality_routes;

G_END_DECLS
