/* pt-http-ns.c: the JSON-LD context of the "pt:" extensions, where the station's events name
 * it (pt_epcis_context_url()):
 *
 *   GET /ns/packtrace/v1/context.jsonld   anyone: application/ld+json, readable cross-origin
 *
 * Workload: a JSON-LD processor fetches it once per document it expands (most cache it); a
 * few kilobytes compiled into the program, never read from disk. */
#include "pt-http-ns.h"

#include "pt-http-respond.h"

#include "pt-epcis.h"

#include <gio/gio.h>

static enum MHD_Result
get_context(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) doc =
      g_resources_lookup_data(PT_EPCIS_PT_CONTEXT_RESOURCE, G_RESOURCE_LOOKUP_FLAGS_NONE, &error);
  if (!doc)
    return pt_http_respond_error(call->c, MHD_HTTP_INTERNAL_SERVER_ERROR, error->message, NULL);
  gsize len = 0;
  const void *data = g_bytes_get_data(doc, &len);
  /* Browsers' JSON-LD processors load contexts cross-origin. */
  return pt_http_respond_with(call->c, MHD_HTTP_OK, "application/ld+json", g_memdup2(data, len),
                              len, "Access-Control-Allow-Origin", "*");
}

static const PtHttpRoute routes[] = {
    {PT_EPCIS_PT_CONTEXT_PATH, PT_HTTP_GET, PT_HTTP_PUBLIC, get_context, 0, 0},
};

const PtHttpRouteTable pt_http_ns_routes = {routes, G_N_ELEMENTS(routes)};
