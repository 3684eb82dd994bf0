/* pt-hub-query.h: the EPCIS 2.0 Query Interface of the hub, REST binding: GET /events with
 * the standard query parameters (route table pt_hub_query_routes in pt-hub-route.h).
 *
 *   eventType, GE_eventTime, LT_eventTime, GE_recordTime, LT_recordTime, EQ_bizStep,
 *   EQ_disposition, MATCH_epc, MATCH_epcClass, EQ_bizLocation, EQ_readPoint (lists: repeat
 *   the parameter or separate values with commas), perPage, nextPageToken.
 *
 * The answer is an EPCISQueryDocument whose queryResults.resultsBody.eventList holds each
 * event's signed record verbatim (never parsed and written again), in (eventTime, station,
 * seq) order; a further page is announced by `Link: <...>; rel="next"` whose nextPageToken is
 * an opaque keyset token (the last event's key and a digest of the query: a token used with
 * another query is refused).  An unknown or malformed parameter answers 400 with an RFC 7807
 * body of type epcisException:QueryParameterException.
 *
 * Access: a bearer token (pt-hub-buyer.h).  An admin sees every event; a buyer sees what a
 * buyer sees in the station's bundles (pt_bundle_event_shown(), PT_BUNDLE_BUYER scoped to
 * its GLN): no operator's note, no event of a load to another buyer. */
#pragma once

#include "pt-hub-reply.h"
#include "pt-hub-store-query.h"

G_BEGIN_DECLS

/* Reads the EPCIS parameters @args (element-type PtHubArg) into @query and @per_page_out;
 * on FALSE @message_out (transfer full) says what is wrong (the 400's title).  @digest_out:
 * 16 hex digits naming the query without its page parameters. */
gboolean pt_hub_query_parse(GPtrArray *args, PtHubEventQuery *query, guint *per_page_out,
                            char digest_out[17], char **message_out);

/* GET /events (pt-hub-routes.c lists it). */
extern const PtHubRouteTable pt_hub_query_routes;

G_END_DECLS
