/* pt-hub-respond.c: the hub's public answers (see pt-hub-respond.h). */
#include "pt-hub-respond.h"

#include "pt-error.h"

#include <string.h>

#define PAGE_CSP                                                                                   \
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "                \
  "media-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "                    \
  "frame-ancestors 'none'"

void
pt_hub_headers(struct MHD_Response *r, const char *type, const char *cache)
{
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  if (g_str_has_prefix(type, "text/html"))
    MHD_add_response_header(r, "Content-Security-Policy", PAGE_CSP);
}

void
pt_hub_page_headers(struct MHD_Response *r, const char *cache, const char *csp)
{
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "text/html; charset=utf-8");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  MHD_add_response_header(r, "Referrer-Policy", "no-referrer");
  MHD_add_response_header(r, "Content-Security-Policy", csp);
}

enum MHD_Result
pt_hub_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r)
{
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

/* Sends @body (taken: g_malloc'd) uncached. */
enum MHD_Result
pt_hub_respond_text(struct MHD_Connection *c, unsigned status, const char *type, char *body,
                    gsize len)
{
  struct MHD_Response *r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
  pt_hub_headers(r, type, "no-store");
  return pt_hub_queue(c, status, r);
}

gboolean
pt_hub_wants_json(struct MHD_Connection *c)
{
  const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  return accept && (strstr(accept, "application/json") || strstr(accept, "application/ld+json")) &&
         !strstr(accept, "text/html");
}

/* Returns: (transfer full): @value (taken) as compact JSON text, g_malloc'd. */
char *
pt_hub_json_text(json_t *value, gsize *len_out)
{
  char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(value);
  char *copy = g_strdup(text);
  free(text);
  *len_out = strlen(copy);
  return copy;
}

/* Errors in the form the client asked for: a line of HTML for a phone, JSON for an app. */
enum MHD_Result
pt_hub_respond_error(struct MHD_Connection *c, unsigned status, const char *message)
{
  g_autofree char *valid = g_utf8_make_valid(message, -1);
  gsize len = 0;
  if (pt_hub_wants_json(c)) {
    char *text = pt_hub_json_text(json_pack("{ss}", "error", valid), &len);
    return pt_hub_respond_text(c, status, "application/json; charset=utf-8", text, len);
  }
  g_autofree char *escaped = g_markup_escape_text(valid, -1);
  char *html = g_strdup_printf("<!doctype html><meta charset=\"utf-8\">"
                               "<meta name=\"viewport\" content=\"width=device-width\">"
                               "<title>packtrace</title><p>%s</p>\n",
                               escaped);
  return pt_hub_respond_text(c, status, "text/html; charset=utf-8", html, strlen(html));
}

enum MHD_Result
pt_hub_respond_gerror(struct MHD_Connection *c, const GError *error)
{
  unsigned status = pt_error_http_status(error);
  if (status >= 500)
    g_warning("hub: %s", error->message);
  return pt_hub_respond_error(c, status, error->message);
}

gboolean
pt_hub_etag_matches(struct MHD_Connection *c, const char *etag)
{
  const char *match =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
  if (!match)
    return FALSE;
  if (strcmp(match, "*") == 0)
    return TRUE;
  /* A list: "a", "b" (weak validators compare by their tag for If-None-Match). */
  g_auto(GStrv) tags = g_strsplit(match, ",", -1);
  for (gsize i = 0; tags[i]; i++) {
    const char *t = g_strstrip(tags[i]);
    if (g_str_has_prefix(t, "W/"))
      t += 2;
    if (strcmp(t, etag) == 0)
      return TRUE;
  }
  return FALSE;
}
