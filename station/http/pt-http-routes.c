/* pt-http-routes.c: the registry of the route files.  A new route file adds its table here;
 * the server and the dispatcher never name a route file. */
#include "pt-http-routes.h"

#include "pt-http-admin.h"
#include "pt-http-auth.h"
#include "pt-http-batch.h"
#include "pt-http-buyer-video.h"
#include "pt-http-buyer.h"
#include "pt-http-dash.h"
#include "pt-http-driver.h"
#include "pt-http-export.h"
#include "pt-http-live.h"
#include "pt-http-load.h"
#include "pt-http-ns.h"
#include "pt-http-pallet.h"
#include "pt-http-print.h"
#include "pt-http-recall.h"
#include "pt-http-station.h"
#include "pt-http-timeline.h"
#include "pt-web.h"

const PtHttpRouteTable *const pt_http_routes[] = {
    &pt_http_station_routes,     &pt_http_session_routes,  &pt_http_batch_routes,
    &pt_http_buyer_routes,       &pt_http_load_routes,     &pt_http_driver_routes,
    &pt_http_dash_routes,        &pt_http_print_routes,    &pt_http_admin_routes,
    &pt_http_pallet_routes,      &pt_http_recall_routes,   &pt_http_export_routes,
    &pt_http_ns_routes,          &pt_http_timeline_routes, &pt_http_live_routes,
    &pt_http_buyer_video_routes, &pt_web_routes,
};

const gsize pt_http_n_routes = G_N_ELEMENTS(pt_http_routes);
