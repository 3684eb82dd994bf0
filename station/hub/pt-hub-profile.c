/* pt-hub-profile.c: the stations' public profiles at the hub (see pt-hub-profile.h).
 *
 * The hub serves every shed's pages from one origin, so a logo is checked harder than the
 * station checks its own: an SVG is an image here, and one that could act as a document (a
 * script, an event handler, HTML inside it, entities that expand) is refused at upload, on top
 * of the policy the station also sends with it (no script runs, nothing is fetched).
 *
 * Workload: a profile and a logo per station start when they changed; a logo view per page
 * view until browsers and CDNs hold it (immutable). */
#include "pt-hub-profile.h"

#include "pt-error.h"
#include "pt-hub-respond.h"
#include "pt-hub-store-profile.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-profile-wire.h"
#include "pt-public-config.h"
#include "pt-sha256.h"

#include <string.h>

/* What makes an SVG more than a picture; matched without regard to case. */
static const char *const svg_refused[] = {"<script", "javascript:", "<foreignobject", "<!entity",
                                          "<iframe", "<embed",      "<object",        NULL};

/* The first refused thing @data holds, as a reason; NULL for a plain picture. */
static const char *
svg_hostile(const guint8 *data, gsize len)
{
  g_autofree char *lower = g_ascii_strdown((const char *)data, (gssize)len);
  /* A NUL inside cuts the copy short: what follows could hide anything. */
  if (strlen(lower) != len)
    return "a NUL byte";
  for (guint i = 0; svg_refused[i]; i++)
    if (strstr(lower, svg_refused[i]))
      return svg_refused[i];
  /* on...= attributes: onload, onclick, ... */
  for (const char *p = strstr(lower, "on"); p; p = strstr(p + 1, "on")) {
    if (p == lower || !(g_ascii_isspace(p[-1]) || p[-1] == '"' || p[-1] == '\'' || p[-1] == '/'))
      continue;
    const char *q = p + 2;
    while (g_ascii_isalpha(*q))
      q++;
    while (g_ascii_isspace(*q))
      q++;
    if (q > p + 2 && *q == '=')
      return "an event handler attribute (on...=)";
  }
  return NULL;
}

json_t *
pt_hub_profile_logo_ingest(PtHubStore *store, const PtHubStation *station, const char *sha256,
                           const void *data, gsize len, gboolean *stored_out, GError **error)
{
  if (!pt_hub_is_hex(sha256, PT_SHA256_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "a logo is named by 64 lowercase hex digits");
    return NULL;
  }
  if (len > PT_PUBLIC_LOGO_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "the logo is larger than %d bytes",
                PT_PUBLIC_LOGO_MAX);
    return NULL;
  }
  guint8 sum[PT_SHA256_LEN];
  pt_sha256(sum, data, len);
  g_autofree char *hex = pt_hex_encode(sum, PT_SHA256_LEN);
  if (strcmp(hex, sha256) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "bytes hash to %s, not to %s", hex, sha256);
    return NULL;
  }
  g_autoptr(GBytes) bytes = g_bytes_new_static(data, len);
  const char *type = len ? pt_public_logo_type(bytes) : NULL;
  if (!type) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the logo is not a PNG, JPEG or SVG image");
    return NULL;
  }
  const char *hostile = strcmp(type, "image/svg+xml") == 0 ? svg_hostile(data, len) : NULL;
  if (hostile) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "the SVG logo holds %s: the hub takes a picture only (no script, event handler, "
                "embedded document or entity)",
                hostile);
    return NULL;
  }
  if (!pt_hub_store_logo_put(store, station->id, sha256, type, data, len, stored_out, error))
    return NULL;
  json_t *out = json_pack("{sssb}", "sha256", sha256, "stored", 1);
  if (!*stored_out)
    json_object_set_new(out, "already", json_true());
  return out;
}

json_t *
pt_hub_profile_ingest(PtHubStore *store, const PtHubStation *station, const char *body, gsize len,
                      GError **error)
{
  g_autoptr(PtProfileWire) profile = pt_profile_wire_read(body, len, error);
  if (!profile)
    return NULL;
  guint8 sum[PT_SHA256_LEN];
  pt_sha256(sum, body, len);
  g_autofree char *hex = pt_hex_encode(sum, PT_SHA256_LEN);
  /* Kept verbatim, so the hash GET /hub/v1/station names is the one the station computed. */
  g_autofree char *text = g_strndup(body, len);
  gboolean changed = FALSE;
  if (!pt_hub_store_profile_put(store, station->id, text, hex, profile->logo_sha256, &changed,
                                error))
    return NULL;
  return json_pack("{sssssb}", "station", station->id, "sha256", hex, "changed", changed);
}

/* An SVG logo opened on its own is still only an image: no script, no fetch, no form. */
#define LOGO_CSP "default-src 'none'; style-src 'unsafe-inline'; sandbox"

static enum MHD_Result
respond_logo(const PtHubCall *call)
{
  const char *sha = call->url + strlen(PT_HUB_LOGO_URL);
  if (!pt_hub_is_hex(sha, PT_SHA256_LEN))
    return pt_hub_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such logo");
  g_autofree char *etag = g_strdup_printf("\"%s\"", sha);
  g_autoptr(GError) error = NULL;
  g_autofree char *type = NULL;
  g_autoptr(GBytes) bytes = pt_hub_store_logo_get(call->store, sha, &type, &error);
  if (!bytes)
    return pt_hub_respond_gerror(call->c, error);
  gboolean fresh = pt_hub_etag_matches(call->c, etag);
  gsize n = 0;
  const void *data = g_bytes_get_data(bytes, &n);
  struct MHD_Response *r =
      fresh ? MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT)
            : MHD_create_response_from_buffer(n, (void *)data, MHD_RESPMEM_MUST_COPY);
  /* Content-addressed: the same name is the same bytes forever. */
  pt_hub_headers(r, type, "public, max-age=31536000, immutable");
  MHD_add_response_header(r, "Content-Security-Policy", LOGO_CSP);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  return pt_hub_queue(call->c, fresh ? MHD_HTTP_NOT_MODIFIED : MHD_HTTP_OK, r);
}

static const PtHubRoute routes[] = {
    {PT_HUB_LOGO_URL, respond_logo},
};

const PtHubRouteTable pt_hub_profile_routes = {routes, G_N_ELEMENTS(routes)};
