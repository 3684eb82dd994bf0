/* pt-http-buyer.h: the buyer portal's routes (pt-http-buyer.c): the batch search
 * (GET /api/v1/search, JSON or CSV) and a batch's evidence clips and loads
 * (GET /api/v1/batches/{id}/clips, /loads).  Buyers, operators and admins only. */
#pragma once

#include "pt-http-private.h"

G_BEGIN_DECLS

/* TRUE when @url is one of the routes above (whatever the method). */
gboolean pt_http_buyer_handles(const char *url);

/* Answers a request pt_http_buyer_handles() took. */
enum MHD_Result pt_http_buyer_route(PtHttp *http, struct MHD_Connection *c, const char *url,
                                    const char *method);

/* Appends @value as one CSV cell (RFC 4180: quoted when it holds a comma, quote, CR or LF;
 * quotes doubled).  A cell starting with = + - @ TAB or CR gets a leading ' so that a
 * spreadsheet shows it as text instead of running it as a formula.  NULL is empty. */
void pt_csv_cell(GString *out, const char *value);

G_END_DECLS
