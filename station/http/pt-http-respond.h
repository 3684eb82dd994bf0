/* pt-http-respond.h: what every route of the HTTP server answers with, and reads its
 * request with (pt-http-respond.c).  The bottom of http/: it calls no other file of it.
 *
 * Every handler runs on an MHD worker thread: it takes the thread's own store from
 * pt_http_worker_store() and answers with exactly one pt_http_respond*() call. */
#pragma once

#include "pt-http-types.h"
#include "pt-store.h"

#include <glib.h>
#include <jansson.h>
#include <microhttpd.h>

G_BEGIN_DECLS

/* The calling worker thread's connection, opened on first use.  Returns: (transfer none). */
PtStore *pt_http_worker_store(PtHttp *http, GError **error);

/* The request the calling worker thread is answering (NULL: none): pt_http_respond_with()
 * notes its status there for /metrics.  Set by pt-http.c around each dispatch. */
void pt_http_current_request_set(PtHttpRequest *req);

/* Queues @body (malloc'ed, stolen) with the station's common headers; @allow is the Allow
 * header of a 405, or NULL. */
enum MHD_Result pt_http_respond(struct MHD_Connection *c, unsigned status, const char *type,
                                char *body, gsize len, const char *allow);
/* Queues @body (transfer none: referenced until sent, never copied) with the station's
 * common headers: a kept answer (pt-text-cache.h) goes out as it is kept. */
enum MHD_Result pt_http_respond_bytes(struct MHD_Connection *c, unsigned status, const char *type,
                                      GBytes *body);
/* The same with one more header @name: @value (@name NULL: none). */
enum MHD_Result pt_http_respond_with(struct MHD_Connection *c, unsigned status, const char *type,
                                     char *body, gsize len, const char *name, const char *value);
/* 429 with Retry-After: @value (stolen), a JSON object saying what was limited, gains
 * "retry_after" (seconds). */
enum MHD_Result pt_http_respond_too_many(struct MHD_Connection *c, guint retry_after_s,
                                         json_t *value);
/* Sends @value (stolen) as JSON; @type NULL means application/json. */
enum MHD_Result pt_http_respond_json(struct MHD_Connection *c, unsigned status, json_t *value,
                                     const char *type);
/* {"error": message}. */
enum MHD_Result pt_http_respond_error(struct MHD_Connection *c, unsigned status,
                                      const char *message, const char *allow);
/* {"error": message, "code": @code, "params": @params (stolen; NULL: {})}: an answer for a
 * page that shows its reader a translated line built from the code and its parameters
 * (the driver's page), the message staying for logs and tools. */
enum MHD_Result pt_http_respond_coded(struct MHD_Connection *c, unsigned status, const char *code,
                                      const char *message, json_t *params);
/* Sends the file open at @fd (stolen: closed with the answer or at once) of @size bytes,
 * whole (200) or the byte range the request's Range header asks (206; 416 outside it;
 * pt-range.h), with Accept-Ranges, Content-Type @type and, when @sha256 is not NULL, that
 * hash as ETag and X-Clip-SHA256.  Players seek through such ranges. */
enum MHD_Result pt_http_respond_file(struct MHD_Connection *c, int fd, guint64 size,
                                     const char *type, const char *sha256);
/* As pt_http_respond_file(), for a file named by its SHA-256 (@sha256, required): the same
 * name is the same bytes forever, so it may be cached for a year, and If-None-Match with that
 * name answers 304.  The consumer page's photo and certificates (/evidence/{sha256}). */
enum MHD_Result pt_http_respond_evidence(struct MHD_Connection *c, int fd, guint64 size,
                                         const char *type, const char *sha256);
/* @error mapped through pt_error_http_status(); 5xx are logged. */
enum MHD_Result pt_http_respond_gerror(struct MHD_Connection *c, const GError *error);

/* The request's body as JSON, whatever Content-Type says (`curl -d` sends form encoding);
 * with @empty_is_object an empty body is {}, so `curl -X POST URL` works.
 * Returns: (transfer full) (nullable): NULL with @error set. */
json_t *pt_http_body_json(const PtHttpRequest *req, gboolean empty_is_object, GError **error);

/* Reads the query argument @name into @out when present (untouched when absent). */
gboolean pt_http_query_int(struct MHD_Connection *c, const char *name, int lo, int hi, int *out,
                           GError **error);

/* The page of a list: ?limit=N (1..PT_LIST_LIMIT_MAX, PT_LIST_LIMIT_DEFAULT when absent)
 * and ?offset=N (from 0). */
gboolean pt_http_query_page(struct MHD_Connection *c, int *limit, int *offset, GError **error);

/* The client's address as text ("127.0.0.1", "::1"), for rate limits and logs.
 * Returns: (transfer full). */
char *pt_http_client_address(struct MHD_Connection *c);

G_END_DECLS
