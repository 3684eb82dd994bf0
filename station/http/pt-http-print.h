/* pt-http-print.h: the printing routes of the operator dashboard (pt-http-print.c), and the
 * print queue's part of GET /api/v1/status. */
#pragma once

#include "pt-http-route.h"

#include <jansson.h>

G_BEGIN_DECLS

extern const PtHttpRouteTable pt_http_print_routes;

/* The print queue for GET /api/v1/status: jobs by state, and one alert appended to @alerts
 * (transfer none) per printer in trouble, with the parts the dashboard words it from.
 * Returns: (transfer full): the status's "print" member. */
json_t *pt_http_print_status(PtHttp *http, PtStore *store, json_t *alerts, GError **error);

G_END_DECLS
