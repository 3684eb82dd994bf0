/* pt-hub-ns.c: the JSON-LD context of the "pt:" extensions at the same path as on a station,
 * so a processor handed a hub's documents can load it from the hub:
 *
 *   GET /ns/packtrace/v1/context.jsonld   application/ld+json, readable cross-origin
 *
 * Workload: fetched once per document a processor expands; compiled into the program. */
#include "pt-hub-ns.h"

#include "pt-hub-respond.h"

#include "pt-epcis.h"

#include <gio/gio.h>

static enum MHD_Result
respond_context(const PtHubCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) doc =
      g_resources_lookup_data(PT_EPCIS_PT_CONTEXT_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (!doc)
    return pt_hub_respond_error(call->c, MHD_HTTP_INTERNAL_SERVER_ERROR, error->message);
  gsize len = 0;
  const void *data = g_bytes_get_data(doc, &len);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, g_memdup2(data, len), MHD_RESPMEM_MUST_FREE);
  pt_hub_headers(r, "application/ld+json", "public, max-age=86400");
  /* Browsers' JSON-LD processors load contexts cross-origin. */
  MHD_add_response_header(r, "Access-Control-Allow-Origin", "*");
  return pt_hub_queue(call->c, MHD_HTTP_OK, r);
}

static const PtHubRoute routes[] = {
    {PT_EPCIS_PT_CONTEXT_PATH, respond_context},
};

const PtHubRouteTable pt_hub_ns_routes = {routes, G_N_ELEMENTS(routes)};
