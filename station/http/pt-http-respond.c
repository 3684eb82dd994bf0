/* pt-http-respond.c: the answers every route of the station API sends (JSON, errors with
 * their status, 429 with Retry-After), what they read a request with (JSON body, query
 * numbers, client address) and the per-thread store.  Called by every other file of http/;
 * calls none of them. */
#include "pt-http-respond.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-range.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* One connection per worker thread, closed when the thread exits. */
static GPrivate thread_store = G_PRIVATE_INIT((GDestroyNotify)pt_store_close);
/* Content-addressed: the same name is the same bytes forever. */
#define EVIDENCE_CACHE "public, max-age=31536000, immutable"

static GPrivate current_request; /* PtHttpRequest *, borrowed */

void
pt_http_current_request_set(PtHttpRequest *req)
{
  g_private_set(&current_request, req);
}

PtStore *
pt_http_worker_store(PtHttp *http, GError **error)
{
  PtStore *store = g_private_get(&thread_store);
  if (!store) {
    store = pt_station_store(http->station, error);
    if (store)
      g_private_set(&thread_store, store);
  }
  return store;
}

/* Queues @r (its reference is dropped) with the station's common headers plus @name: @value
 * (@name NULL: none). */
static enum MHD_Result
queue(struct MHD_Connection *c, unsigned status, const char *type, struct MHD_Response *r,
      const char *name, const char *value)
{
  PtHttpRequest *req = g_private_get(&current_request);
  if (req)
    req->status = status;
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (name)
    MHD_add_response_header(r, name, value);
  if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
    MHD_add_response_header(r, MHD_HTTP_HEADER_RETRY_AFTER, "1");
  if (status == MHD_HTTP_UNAUTHORIZED)
    MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

enum MHD_Result
pt_http_respond_with(struct MHD_Connection *c, unsigned status, const char *type, char *body,
                     gsize len, const char *name, const char *value)
{
  return queue(c, status, type, MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE),
               name, value);
}

enum MHD_Result
pt_http_respond_bytes(struct MHD_Connection *c, unsigned status, const char *type, GBytes *body)
{
  gsize len = 0;
  const void *data = g_bytes_get_data(body, &len);
  struct MHD_Response *r = MHD_create_response_from_buffer_with_free_callback_cls(
      len, (void *)data, (MHD_ContentReaderFreeCallback)g_bytes_unref, g_bytes_ref(body));
  return queue(c, status, type, r, NULL, NULL);
}

static enum MHD_Result
respond_file(struct MHD_Connection *c, int fd, guint64 size, const char *type, const char *sha256,
             const char *cache)
{
  PtHttpRequest *req = g_private_get(&current_request);
  guint64 start = 0, len = size;
  const char *range = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
  PtRangeAnswer answer = pt_range_parse(range, size, &start, &len);
  struct MHD_Response *r;
  unsigned status;
  if (answer == PT_RANGE_UNSATISFIABLE) {
    close(fd);
    r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    g_autofree char *unsat = pt_range_content_range(0, 0, size);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, unsat);
    status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
  } else {
    /* MHD owns @fd from here and closes it with the response. */
    r = MHD_create_response_from_fd_at_offset64(len, fd, (int64_t)start);
    if (answer == PT_RANGE_PARTIAL) {
      g_autofree char *content_range = pt_range_content_range(start, len, size);
      MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
    }
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
    status = answer == PT_RANGE_PARTIAL ? MHD_HTTP_PARTIAL_CONTENT : MHD_HTTP_OK;
  }
  MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (sha256 && status != MHD_HTTP_RANGE_NOT_SATISFIABLE) {
    g_autofree char *etag = g_strdup_printf("\"%s\"", sha256);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, "X-Clip-SHA256", sha256);
  }
  if (req)
    req->status = status;
  enum MHD_Result ret = MHD_queue_response(c, status, r);
  MHD_destroy_response(r);
  return ret;
}

enum MHD_Result
pt_http_respond_file(struct MHD_Connection *c, int fd, guint64 size, const char *type,
                     const char *sha256)
{
  return respond_file(c, fd, size, type, sha256, "no-store");
}

enum MHD_Result
pt_http_respond_evidence(struct MHD_Connection *c, int fd, guint64 size, const char *type,
                         const char *sha256)
{
  g_autofree char *etag = g_strdup_printf("\"%s\"", sha256);
  const char *match =
      MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_IF_NONE_MATCH);
  if (match && strcmp(match, etag) == 0) {
    close(fd);
    PtHttpRequest *req = g_private_get(&current_request);
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, EVIDENCE_CACHE);
    if (req)
      req->status = MHD_HTTP_NOT_MODIFIED;
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
    MHD_destroy_response(r);
    return ret;
  }
  return respond_file(c, fd, size, type, sha256, EVIDENCE_CACHE);
}

enum MHD_Result
pt_http_respond(struct MHD_Connection *c, unsigned status, const char *type, char *body, gsize len,
                const char *allow)
{
  return pt_http_respond_with(c, status, type, body, len, allow ? MHD_HTTP_HEADER_ALLOW : NULL,
                              allow);
}

enum MHD_Result
pt_http_respond_too_many(struct MHD_Connection *c, guint retry_after_s, json_t *value)
{
  g_autofree char *retry = g_strdup_printf("%u", MAX(retry_after_s, 1u));
  json_object_set_new(value, "retry_after", json_integer(MAX(retry_after_s, 1u)));
  char *text = json_dumps(value, JSON_COMPACT);
  json_decref(value);
  return pt_http_respond_with(c, MHD_HTTP_TOO_MANY_REQUESTS, "application/json; charset=utf-8",
                              text, strlen(text), MHD_HTTP_HEADER_RETRY_AFTER, retry);
}

enum MHD_Result
pt_http_respond_json(struct MHD_Connection *c, unsigned status, json_t *value, const char *type)
{
  char *text = json_dumps(value, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(value);
  /* jansson allocates with malloc, which MHD_RESPMEM_MUST_FREE frees. */
  return pt_http_respond(c, status, type ? type : "application/json; charset=utf-8", text,
                         strlen(text), NULL);
}

enum MHD_Result
pt_http_respond_error(struct MHD_Connection *c, unsigned status, const char *message,
                      const char *allow)
{
  /* Messages quote the request, which need not be UTF-8; JSON must be (json_pack refuses
   * anything else). */
  g_autofree char *valid = g_utf8_make_valid(message, -1);
  json_t *value = json_pack("{ss}", "error", valid);
  char *text = json_dumps(value, JSON_COMPACT);
  json_decref(value);
  return pt_http_respond(c, status, "application/json; charset=utf-8", text, strlen(text), allow);
}

enum MHD_Result
pt_http_respond_coded(struct MHD_Connection *c, unsigned status, const char *code,
                      const char *message, json_t *params)
{
  g_autofree char *valid = g_utf8_make_valid(message, -1);
  json_t *value = json_pack("{ssssso}", "error", valid, "code", code, "params",
                            params ? params : json_object());
  return pt_http_respond_json(c, status, value, NULL);
}

enum MHD_Result
pt_http_respond_gerror(struct MHD_Connection *c, const GError *error)
{
  unsigned status = pt_error_http_status(error);
  if (status >= 500)
    g_warning("http: %s", error->message);
  return pt_http_respond_error(c, status, error->message, NULL);
}

gboolean
pt_http_query_page(struct MHD_Connection *c, int *limit, int *offset, GError **error)
{
  *limit = PT_LIST_LIMIT_DEFAULT;
  *offset = 0;
  return pt_http_query_int(c, "limit", 1, PT_LIST_LIMIT_MAX, limit, error) &&
         pt_http_query_int(c, "offset", 0, G_MAXINT, offset, error);
}

char *
pt_http_client_address(struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
  char host[NI_MAXHOST];
  if (!info || !info->client_addr ||
      getnameinfo(info->client_addr,
                  info->client_addr->sa_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                           : sizeof(struct sockaddr_in),
                  host, sizeof host, NULL, 0, NI_NUMERICHOST) != 0)
    return g_strdup("unknown");
  return g_strdup(host);
}

json_t *
pt_http_body_json(const PtHttpRequest *req, gboolean empty_is_object, GError **error)
{
  if (empty_is_object && req->body->len == 0)
    return json_object();
  return pt_json_parse(req->body->str, req->body->len, error);
}

gboolean
pt_http_query_int(struct MHD_Connection *c, const char *name, int lo, int hi, int *out,
                  GError **error)
{
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  guint64 n;
  if (!v)
    return TRUE;
  if (!g_ascii_string_to_unsigned(v, 10, (guint64)lo, (guint64)hi, &n, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s must be an integer %d..%d", name, lo, hi);
    return FALSE;
  }
  *out = (int)n;
  return TRUE;
}
