/* pt-hub-routes.c: the one list of the hub's route tables (see pt-hub-routes.h). */
#include "pt-hub-routes.h"

#include "pt-hub-buyer.h"
#include "pt-hub-notices.h"
#include "pt-hub-ns.h"
#include "pt-hub-profile.h"
#include "pt-hub-quality.h"
#include "pt-hub-recall.h"
#include "pt-hub-query.h"
#include "pt-hub-status.h"
#include "pt-hub-video.h"
#include "pt-hub-web.h"

#include <string.h>

/* The compressed links last: a root path of ten base64 characters is a route's before it is a
 * compressed link. */
static const PtHubRouteTable *const tables[] = {
    &pt_hub_web_routes,     &pt_hub_query_routes,      &pt_hub_buyer_routes,
    &pt_hub_quality_routes, &pt_hub_status_routes,     &pt_hub_ns_routes,
    &pt_hub_notice_routes,  &pt_hub_recall_routes,     &pt_hub_video_routes,
    &pt_hub_profile_routes, &pt_hub_compressed_routes,
};

const PtHubRoute *
pt_hub_routes_find(const char *url)
{
  for (gsize t = 0; t < G_N_ELEMENTS(tables); t++) {
    for (gsize i = 0; i < tables[t]->n_routes; i++) {
      const PtHubRoute *r = &tables[t]->routes[i];
      gsize n = strlen(r->path);
      gboolean prefix = n > 0 && r->path[n - 1] == '/';
      if ((prefix ? strncmp(url, r->path, n) == 0 && url[n] : strcmp(url, r->path) == 0) &&
          (!r->accepts || r->accepts(url)))
        return r;
    }
  }
  return NULL;
}
