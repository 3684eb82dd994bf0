/* pt-sync-req.c: one request of a connector on the sync worker's libcurl multi handle
 * (building, sending, freeing, describing its answer) and a connector's back-off when its
 * link or platform is down.  Shared by the delivery engine (pt-sync.c) and the hub
 * connector (pt-sync-hub.c), which both decide what an answer means; this file decides
 * nothing. */
#include "pt-sync-private.h"

#include "pt-limits.h"

#include <string.h>

static size_t
on_write(char *ptr, size_t size, size_t n, void *user)
{
  Req *req = user;
  gsize len = size * n;
  gsize room = PT_SYNC_RESPONSE_MAX - MIN(req->response->len, (gsize)PT_SYNC_RESPONSE_MAX);
  g_string_append_len(req->response, ptr, (gssize)MIN(len, room));
  return len;
}

void
pt_sync_req_free(Req *req)
{
  Conn *conn = req->conn;
  if (req->attached)
    curl_multi_remove_handle(conn->sync->multi, req->easy);
  if (req->easy)
    curl_easy_cleanup(req->easy);
  if (req->poll_source)
    g_source_remove(req->poll_source);
  curl_slist_free_all(req->headers);
  if (req->upload)
    fclose(req->upload);
  g_free(req->evidence);
  g_free(req->body);
  g_free(req->url);
  g_free(req->location);
  g_string_free(req->response, TRUE);
  g_array_unref(req->ids);
  conn->reqs = g_list_remove(conn->reqs, req);
  conn->n_reqs--;
  g_free(req);
}

Req *
pt_sync_req_new(Conn *conn, ReqKind kind, char *url)
{
  Req *req = g_new0(Req, 1);
  req->conn = conn;
  req->kind = kind;
  req->url = url;
  req->response = g_string_new(NULL);
  req->ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  req->retry_after_s = -1;
  conn->reqs = g_list_prepend(conn->reqs, req);
  conn->n_reqs++;
  return req;
}

void
pt_sync_req_header(Req *req, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *line = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  req->headers = curl_slist_append(req->headers, line);
}

/* Creates the easy handle for @req and hands it to the multi handle. */
void
pt_sync_req_send(Req *req, const char *method)
{
  const PtSyncConnector *cfg = req->conn->cfg;
  CURL *e = curl_easy_init();
  req->easy = e;
  g_string_truncate(req->response, 0);
  g_clear_pointer(&req->location, g_free);
  req->status = 0;
  req->retry_after_s = -1;
  req->errbuf[0] = '\0';
  curl_easy_setopt(e, CURLOPT_URL, req->url);
  curl_easy_setopt(e, CURLOPT_PRIVATE, req);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, req);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, req->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  /* HTTP/2 when the platform offers it over TLS; HTTP/1.1 otherwise. */
  curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)cfg->timeout_ms);
  curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
  if (cfg->ca_file)
    curl_easy_setopt(e, CURLOPT_CAINFO, cfg->ca_file);
  /* Only the configured proxy: trace data is not rerouted by a service's environment. */
  curl_easy_setopt(e, CURLOPT_PROXY, cfg->proxy ? cfg->proxy : "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "packtrace/" PACKTRACE_VERSION);
  if (!req->common_headers) {
    if (cfg->bearer)
      pt_sync_req_header(req, "Authorization: Bearer %s", cfg->bearer);
    /* Large bodies would otherwise wait for "100 Continue" from servers that never send it. */
    pt_sync_req_header(req, "Expect:");
    req->common_headers = TRUE;
  }
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, req->headers);
  if (req->upload) {
    /* Streamed from the file by curl's own fread: an evidence clip is never held in memory. */
    curl_easy_setopt(e, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(e, CURLOPT_READDATA, req->upload);
    curl_easy_setopt(e, CURLOPT_INFILESIZE_LARGE, (curl_off_t)req->upload_len);
  } else if (strcmp(method, "POST") == 0 || (strcmp(method, "PUT") == 0 && req->body)) {
    /* A small PUT (the hub profile, its logo) sends its body from memory, as a POST does. */
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
    if (strcmp(method, "PUT") == 0)
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  } else if (strcmp(method, "GET") != 0) {
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  }
  curl_multi_add_handle(req->conn->sync->multi, e);
  req->attached = TRUE;
}

/* Exponential back-off with equal jitter: half fixed, half random, so stations cut
 * off together do not all come back in the same second. */
gint64
pt_sync_backoff_ms(const PtSyncConnector *cfg, int attempt)
{
  double d = cfg->retry_min_ms;
  for (int i = 1; i < attempt && d < cfg->retry_max_ms; i++)
    d *= 2;
  d = MIN(d, (double)cfg->retry_max_ms);
  return (gint64)(d / 2 + g_random_double() * d / 2);
}

/* Makes sure the worker's timer (pt-sync.c arms it for every deadline it knows) fires by
 * monotonic time @until_us, a back-off's end, at the latest.  Here rather than in pt-sync.c,
 * whose engine calls into this file: the back-off is the one that asks. */
static void
wake_at(PtSync *sync, gint64 until_us)
{
  gint64 ready = g_source_get_ready_time(sync->timer);
  if (ready < 0 || until_us + 1000 < ready)
    g_source_set_ready_time(sync->timer, until_us + 1000);
}

/* The link or the platform is down: nothing about these items was decided. */
void
pt_sync_conn_backoff(Conn *conn, gint64 retry_after_s, const char *why)
{
  gint64 ms = retry_after_s >= 0 ? retry_after_s * 1000
                                 : pt_sync_backoff_ms(conn->cfg, ++conn->backoff_attempts);
  conn->backoff_until_us = g_get_monotonic_time() + ms * 1000;
  wake_at(conn->sync, conn->backoff_until_us);
  if (!conn->link_down)
    g_message("sync %s: %s; retrying in %" G_GINT64_FORMAT " ms", conn->cfg->name, why, ms);
  conn->link_down = TRUE;
}

void
pt_sync_conn_ok(Conn *conn)
{
  if (conn->link_down)
    g_message("sync %s: delivering again", conn->cfg->name);
  conn->link_down = FALSE;
  conn->backoff_attempts = 0;
}

/* "HTTP 400: <body>", the body cut to PT_SYNC_ERROR_BODY_MAX and made valid UTF-8. */
char *
pt_sync_req_describe(Req *req, const char *what)
{
  gsize n = MIN(req->response->len, (gsize)PT_SYNC_ERROR_BODY_MAX);
  g_autofree char *body = g_utf8_make_valid(req->response->str, (gssize)n);
  g_strstrip(body);
  return g_strdup_printf("%s%s%s%s", what, *body ? ": " : "", body,
                         req->response->len > n ? " [...]" : "");
}
