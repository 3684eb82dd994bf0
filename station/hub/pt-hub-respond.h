/* pt-hub-respond.h: how the hub's public routes answer (pt-hub-web.c, pt-hub-status.c): the
 * common headers (types, caching, no sniffing, the pages' Content-Security-Policy), errors in
 * the form the client asked for, and If-None-Match. */
#pragma once

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>

G_BEGIN_DECLS

/* Content-Type @type, Cache-Control @cache, and for HTML the pages' policy. */
void pt_hub_headers(struct MHD_Response *r, const char *type, const char *cache);
/* As pt_hub_headers() for a page of type text/html whose Content-Security-Policy is @csp. */
void pt_hub_page_headers(struct MHD_Response *r, const char *cache, const char *csp);
/* Queues @r (taken) with @status. */
enum MHD_Result pt_hub_queue(struct MHD_Connection *c, unsigned status, struct MHD_Response *r);
/* Sends @body (taken: g_malloc'd, @len bytes) with Cache-Control: no-store. */
enum MHD_Result pt_hub_respond_text(struct MHD_Connection *c, unsigned status, const char *type,
                                    char *body, gsize len);
/* TRUE when the client asks for JSON rather than HTML. */
gboolean pt_hub_wants_json(struct MHD_Connection *c);
/* Returns: (transfer full): @value (taken) as compact JSON text, g_malloc'd, its length in
 * @len_out. */
char *pt_hub_json_text(json_t *value, gsize *len_out);
/* An error as {"error": MESSAGE} for JSON clients, a line of HTML for the others. */
enum MHD_Result pt_hub_respond_error(struct MHD_Connection *c, unsigned status,
                                     const char *message);
/* The same with the status of @error's code (pt_error_http_status()). */
enum MHD_Result pt_hub_respond_gerror(struct MHD_Connection *c, const GError *error);
/* TRUE when the request's If-None-Match names @etag (or is "*"). */
gboolean pt_hub_etag_matches(struct MHD_Connection *c, const char *etag);

G_END_DECLS
