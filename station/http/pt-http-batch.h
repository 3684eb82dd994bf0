/* pt-http-batch.h: the batch routes of the station API (pt-http-batch.c). */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_batch_routes;

/* Answers the evidence clip of @batch_id's @n-th event (1-based, as the timeline numbers them):
 * the file, checked against the size recorded with its signed hash, with that hash as ETag and
 * X-Clip-SHA256; one byte range when asked (206, or 416 for a range outside it, pt-range.h).
 * Who may see it is the caller's decision. */
enum MHD_Result pt_http_batch_respond_clip(struct MHD_Connection *c, PtStore *store,
                                           gint64 batch_id, gint64 n);

G_END_DECLS
