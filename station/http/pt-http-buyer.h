/* pt-http-buyer.h: the buyer portal's routes (pt-http-buyer.c): the batch search
 * (GET /api/v1/search, JSON or CSV) and a batch's evidence clips and loads
 * (GET /api/v1/batches/{id}/clips, /loads).  Buyers, operators and admins only. */
#pragma once

#include "pt-http-route.h"

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_buyer_routes;

/* Appends @value as one CSV cell (RFC 4180: quoted when it holds a comma, quote, CR or LF;
 * quotes doubled).  A cell starting with = + - @ TAB or CR gets a leading ' so that a
 * spreadsheet shows it as text instead of running it as a formula.  NULL is empty. */
void pt_csv_cell(GString *out, const char *value);

G_END_DECLS
