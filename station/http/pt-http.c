/* pt-http.c: the station's HTTP server: the libmicrohttpd daemon, its lifecycle, and
 * reading each request's body before the dispatcher (pt-http-dispatch.c) answers it from
 * the route tables (pt-http-routes.c).
 *
 * Read requests (GET /api/v1/batches/{id}) dominate; they run on the worker threads with a
 * per-thread SQLite connection and no shared lock.  Bodies are read into a buffer capped at
 * the route's limit (PT_HTTP_BODY_MAX unless the route allows more); over it the request
 * gets 413 without buffering the rest.
 *
 * One client cannot hold the station: libmicrohttpd closes connections over
 * PT_HTTP_PER_ADDRESS_MAX from one address at once, and the total (PT_HTTP_CONNECTIONS_MAX)
 * leaves room for many addresses.  libmicrohttpd 0.9.75's connection timeout is an idle
 * timer (every byte received restarts it), so a client sending one header byte a second
 * kept its connection for ever; each connection therefore gets a deadline for its request's
 * headers ([http] header_timeout_s, from the connection or the previous request's end), and
 * a sweep thread shuts down, at the earliest deadline (batched by PT_HTTP_SWEEP_MS; asleep while
 * no connection has one), the sockets past it: libmicrohttpd then
 * reads end of file and closes the connection on its own thread.  The sweep touches a socket
 * only under the table's lock, and libmicrohttpd reports a connection closed (removing it
 * from the table) before it closes the socket, so a reused descriptor is never shut down.
 * Sign-ins wait for argon2id on a pool (pt-http-auth.c) with their connection suspended,
 * which needs MHD_ALLOW_SUSPEND_RESUME. */
#include "pt-http.h"

#include "pt-http-auth.h"
#include "pt-http-dispatch.h"
#include "pt-http-respond.h"
#include "pt-http-routes.h"
#include "pt-http-tls.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <microhttpd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <sodium.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>

/* One open connection, in http->conns: its socket and its header deadline. */
typedef struct {
  int fd;
  gint64 deadline_us; /* monotonic; 0: headers are in (or the socket is shut down) */
} Conn;

static Conn *
conn_of(struct MHD_Connection *c)
{
  const union MHD_ConnectionInfo *info =
      MHD_get_connection_info(c, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
  return info ? info->socket_context : NULL;
}

/* Under conns_lock: a deadline was set; wakes the sweep if it sleeps past it. */
static void
sweep_wake(PtHttp *http, gint64 deadline_us)
{
  if (deadline_us && deadline_us < http->sweep_until) {
    http->sweep_until = deadline_us;
    g_cond_signal(&http->sweep_cond);
  }
}

/* Sets @c's header deadline: @s seconds from now, or none (0). */
static void
conn_deadline(PtHttp *http, struct MHD_Connection *c, int s)
{
  Conn *conn = conn_of(c);
  if (!conn)
    return;
  g_mutex_lock(&http->conns_lock);
  conn->deadline_us = s ? g_get_monotonic_time() + s * G_GINT64_CONSTANT(1000000) : 0;
  sweep_wake(http, conn->deadline_us);
  g_mutex_unlock(&http->conns_lock);
}

static void
on_connection(void *cls, struct MHD_Connection *c, void **socket_context,
              enum MHD_ConnectionNotificationCode code)
{
  PtHttp *http = cls;
  if (code == MHD_CONNECTION_NOTIFY_STARTED) {
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    Conn *conn = g_new(Conn, 1);
    conn->fd = info ? info->connect_fd : -1;
    conn->deadline_us = g_get_monotonic_time() +
                        http->station->config->http_header_timeout_s * G_GINT64_CONSTANT(1000000);
    g_mutex_lock(&http->conns_lock);
    g_hash_table_add(http->conns, conn);
    sweep_wake(http, conn->deadline_us);
    g_mutex_unlock(&http->conns_lock);
    *socket_context = conn;
  } else if (*socket_context) {
    g_mutex_lock(&http->conns_lock);
    g_hash_table_remove(http->conns, *socket_context);
    g_mutex_unlock(&http->conns_lock);
    *socket_context = NULL;
  }
}

static gpointer
sweep_main(gpointer data)
{
  PtHttp *http = data;
  g_mutex_lock(&http->conns_lock);
  while (!http->sweep_stop) {
    gint64 now = g_get_monotonic_time();
    gint64 next = G_MAXINT64;
    GHashTableIter it;
    gpointer key;
    g_hash_table_iter_init(&it, http->conns);
    while (g_hash_table_iter_next(&it, &key, NULL)) {
      Conn *conn = key;
      if (conn->deadline_us && now > conn->deadline_us && conn->fd >= 0) {
        shutdown(conn->fd, SHUT_RDWR);
        conn->deadline_us = 0;
      } else if (conn->deadline_us && conn->fd >= 0) {
        next = MIN(next, conn->deadline_us);
      }
    }
    /* Asleep until the earliest header deadline (rounded up to PT_HTTP_SWEEP_MS so a burst
     * of connections is one pass), or with none until a connection sets one: an idle
     * station's sweep never wakes. */
    http->sweep_until = next;
    if (next == G_MAXINT64)
      g_cond_wait(&http->sweep_cond, &http->conns_lock);
    else
      g_cond_wait_until(&http->sweep_cond, &http->conns_lock,
                        MAX(next + 1, now + PT_HTTP_SWEEP_MS * 1000));
  }
  g_mutex_unlock(&http->conns_lock);
  return NULL;
}

/* PT_HTTP_CONNECTIONS_MAX sockets need more descriptors than a shell's usual soft limit of
 * 1024: raise it to what the hard limit allows. */
static void
raise_fd_limit(void)
{
  struct rlimit lim;
  rlim_t want = PT_HTTP_CONNECTIONS_MAX + 256;
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < want) {
    lim.rlim_cur = MIN(want, lim.rlim_max);
    if (setrlimit(RLIMIT_NOFILE, &lim) != 0)
      g_message("http: cannot raise the open file limit to %lu", (unsigned long)want);
  }
}

/* The method as /metrics names it: a static string, never the client's own text.  Interning
 * whatever a client sends as a method would grow the process's quark table by one entry per
 * new word, for ever, and give /metrics one series per word: a hostile client could grow
 * both without bound. */
static const char *
method_label(const char *method)
{
  static const char *const known[] = {"GET",     "HEAD",    "POST",  "PUT",  "DELETE",
                                      "OPTIONS", "CONNECT", "TRACE", "PATCH"};
  for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
    if (strcmp(method, known[i]) == 0)
      return known[i];
  return "other";
}

/* Called once per request, before libmicrohttpd percent-decodes the target: the Digital
 * Link resolver splits the path on the '/' the client sent, so that a lot "A/B" (sent as
 * A%2FB) stays one segment.  What it returns is the request's *con_cls. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *c)
{
  PtHttpRequest *req = g_new0(PtHttpRequest, 1);
  req->start_us = g_get_monotonic_time();
  req->body = g_string_new(NULL);
  if (strlen(uri) <= PT_HTTP_URL_MAX)
    req->raw_url = g_strdup(uri);
  return req;
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  PtHttp *http = cls;
  PtHttpRequest *req = *con_cls;
  if (req->resume) {
    pt_http_current_request_set(req);
    enum MHD_Result r = req->resume(http, c, req);
    pt_http_current_request_set(NULL);
    return r;
  }
  if (!req->started) {
    req->started = TRUE;
    req->method = method_label(method);
    conn_deadline(http, c, 0);
    req->max = pt_http_dispatch_body_max(pt_http_routes, pt_http_n_routes, url);
    const char *len =
        MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    guint64 n;
    if (len && g_ascii_string_to_unsigned(len, 10, 0, G_MAXUINT64, &n, NULL) && n > req->max)
      req->too_large = TRUE;
    return MHD_YES;
  }
  if (*upload_data_size) {
    if (!req->too_large && req->body->len + *upload_data_size <= req->max)
      g_string_append_len(req->body, upload_data, (gssize)*upload_data_size);
    else
      req->too_large = TRUE;
    *upload_data_size = 0;
    return MHD_YES;
  }
  pt_http_current_request_set(req);
  enum MHD_Result r = pt_http_dispatch(http, pt_http_routes, pt_http_n_routes, c, url, method, req);
  pt_http_current_request_set(NULL);
  return r;
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  PtHttp *http = cls;
  PtHttpRequest *req = *con_cls;
  if (!req)
    return;
  /* The next request on this connection has its own deadline for its headers. */
  if (toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
    conn_deadline(http, c, http->station->config->http_header_timeout_s);
  if (req->status && http->metrics)
    pt_http_metrics_observe(http->metrics, req->route, req->method, req->status,
                            (double)(g_get_monotonic_time() - req->start_us) / 1e6);
  if (req->job_free)
    req->job_free(req->job);
  g_string_free(req->body, TRUE);
  g_free(req->raw_url);
  g_free(req);
  *con_cls = NULL;
}

/* libmicrohttpd's format strings, checked as such. */
static void on_mhd_log(void *cls, const char *fmt, va_list ap) G_GNUC_PRINTF(2, 0);

static void
on_mhd_log(void *cls, const char *fmt, va_list ap)
{
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  g_strchomp(msg);
  g_message("http: %s", msg);
}

/* Percent-decodes @s in place like libmicrohttpd's default, except that %00 stays as it
 * is: a decoded NUL would cut the path short ("/static/app.js%00.png" naming app.js). */
static size_t
unescape_keep_nul(void *cls, struct MHD_Connection *c, char *s)
{
  char *out = s;
  for (const char *in = s; *in;) {
    int hi, lo;
    if (in[0] == '%' && (hi = g_ascii_xdigit_value(in[1])) >= 0 &&
        (lo = g_ascii_xdigit_value(in[2])) >= 0 && (hi | lo) != 0) {
      *out++ = (char)(hi * 16 + lo);
      in += 3;
    } else {
      *out++ = *in++;
    }
  }
  *out = '\0';
  return (size_t)(out - s);
}

/* The server's state without its daemon: access settings, TLS files, rate limits, the scan
 * tally.  Returns: (transfer full), freed with pt_http_stop(). */
static PtHttp *
http_new(PtStation *station, gboolean threaded, GError **error)
{
  char *cert = NULL, *key = NULL;
  g_autofree char *docs_dir = g_build_filename(station->dir, "cache", "documents", NULL);
  PtHttpAuth *auth = pt_http_auth_new(station->config, threaded, error);
  PtDocCache *docs = auth ? pt_doc_cache_new(docs_dir, error) : NULL;
  if (!docs || !pt_http_tls_load(station, &cert, &key, error)) {
    pt_http_auth_free(auth);
    pt_doc_cache_free(docs);
    return NULL;
  }
  if (cert && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[http] tls_cert is set but this libmicrohttpd has no TLS support");
    pt_http_auth_free(auth);
    g_free(cert);
    g_free(key);
    return NULL;
  }
  PtHttp *http = g_new0(PtHttp, 1);
  http->metrics = pt_http_metrics_new();
  http->station = station;
  http->auth = auth;
  http->tls = cert != NULL;
  http->tls_pem[0] = cert;
  http->tls_pem[1] = key;
  http->driver_rate =
      pt_rate_limit_new(PT_DRIVER_RATE_PER_S, PT_DRIVER_RATE_BURST, PT_DRIVER_RATE_KEYS);
  http->scans = pt_scan_tally_new(station);
  http->docs = docs;
  g_mutex_init(&http->conns_lock);
  g_cond_init(&http->sweep_cond);
  http->conns = g_hash_table_new_full(NULL, NULL, g_free, NULL);
  return http;
}

PtHttp *
pt_http_start(PtStation *station, const char *host, guint16 port, GError **error)
{
  struct addrinfo hints = {
      .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE | AI_NUMERICSERV};
  struct addrinfo *ai = NULL;
  g_autofree char *service = g_strdup_printf("%u", port);
  int gai = getaddrinfo(host, service, &hints, &ai);
  if (gai != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "cannot resolve listen address %s: %s", host,
                gai_strerror(gai));
    return NULL;
  }
  PtHttp *http = http_new(station, TRUE, error);
  if (!http) {
    freeaddrinfo(ai);
    return NULL;
  }
  raise_fd_limit();
  char *cert = http->tls_pem[0], *key = http->tls_pem[1]; /* owned by @http */
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL | MHD_USE_ERROR_LOG |
                   MHD_ALLOW_SUSPEND_RESUME | (ai->ai_family == AF_INET6 ? MHD_USE_IPv6 : 0) |
                   (http->tls ? MHD_USE_TLS : 0);
  /* Without TLS the two certificate options are skipped: MHD_OPTION_ARRAY ends at them. */
  struct MHD_OptionItem tls_options[] = {
      {http->tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, cert},
      {MHD_OPTION_HTTPS_MEM_KEY, 0, key},
      {MHD_OPTION_END, 0, NULL}};
  http->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, http, MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http,
      MHD_OPTION_SOCK_ADDR, ai->ai_addr, MHD_OPTION_THREAD_POOL_SIZE, (unsigned)PT_HTTP_THREADS,
      MHD_OPTION_CONNECTION_LIMIT, (unsigned)PT_HTTP_CONNECTIONS_MAX,
      MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)PT_HTTP_PER_ADDRESS_MAX,
      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)station->config->http_timeout_s,
      MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)PT_HTTP_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED,
      on_completed, http, MHD_OPTION_NOTIFY_CONNECTION, on_connection, http,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, http, MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul,
      http, MHD_OPTION_ARRAY, tls_options, MHD_OPTION_END);
  freeaddrinfo(ai);
  if (!http->daemon) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO,
                "cannot listen on %s:%u (address in use or not available)", host, port);
    pt_http_stop(http);
    return NULL;
  }
  http->sweep = g_thread_new("pt-http-sweep", sweep_main, http);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_BIND_PORT);
  http->port = info ? info->port : port;
  return http;
}

PtHttp *
pt_http_start_unthreaded(PtStation *station, GError **error)
{
  PtHttp *http = http_new(station, FALSE, error);
  if (!http)
    return NULL;
  http->daemon = MHD_start_daemon(
      MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, http,
      MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, http, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)PT_HTTP_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT,
      (unsigned)station->config->http_timeout_s, MHD_OPTION_CONNECTION_MEMORY_LIMIT,
      (size_t)PT_HTTP_CONN_MEMORY, MHD_OPTION_NOTIFY_COMPLETED, on_completed, http,
      MHD_OPTION_URI_LOG_CALLBACK, on_uri, http, MHD_OPTION_UNESCAPE_CALLBACK, unescape_keep_nul,
      http, MHD_OPTION_END);
  if (!http->daemon) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_IO, "cannot start the HTTP daemon");
    pt_http_stop(http);
    return NULL;
  }
  return http;
}

gboolean
pt_http_add_connection(PtHttp *http, int fd, GError **error)
{
  struct sockaddr_in peer = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  /* MHD closes @fd even when it refuses it. */
  if (MHD_add_connection(http->daemon, fd, (const struct sockaddr *)&peer, sizeof peer) !=
      MHD_YES) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_IO, "the HTTP daemon refused a connection");
    return FALSE;
  }
  return TRUE;
}

guint
pt_http_poll(PtHttp *http)
{
  MHD_run(http->daemon);
  const union MHD_DaemonInfo *info =
      MHD_get_daemon_info(http->daemon, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
  return info ? info->num_connections : 0;
}

void
pt_http_set_recorder(PtHttp *http, PtRecorder *recorder)
{
  g_atomic_pointer_set(&http->recorder, recorder);
}

guint16
pt_http_port(PtHttp *http)
{
  return http->port;
}

gboolean
pt_http_tls(PtHttp *http)
{
  return http->tls;
}

void
pt_http_stop(PtHttp *http)
{
  if (!http)
    return;
  if (http->sweep) {
    g_mutex_lock(&http->conns_lock);
    http->sweep_stop = TRUE;
    g_cond_signal(&http->sweep_cond);
    g_mutex_unlock(&http->conns_lock);
    g_thread_join(http->sweep);
  }
  /* Sign-ins waiting for a password check are answered (resumed) before the daemon stops:
   * it must not stop with a connection suspended. */
  pt_http_auth_drain(http->auth);
  if (http->daemon)
    MHD_stop_daemon(http->daemon);
  pt_http_auth_free(http->auth);
  pt_rate_limit_free(http->driver_rate);
  for (gsize i = 0; i < G_N_ELEMENTS(http->tls_pem); i++)
    if (http->tls_pem[i]) {
      sodium_memzero(http->tls_pem[i], strlen(http->tls_pem[i]));
      g_free(http->tls_pem[i]);
    }
  /* After the daemon: no request counts a view any more. */
  pt_scan_tally_free(http->scans);
  pt_doc_cache_free(http->docs);
  g_hash_table_destroy(http->conns);
  g_mutex_clear(&http->conns_lock);
  g_cond_clear(&http->sweep_cond);
  pt_http_metrics_free(http->metrics);
  g_free(http);
}
