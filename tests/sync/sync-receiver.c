/* sync-receiver.c: the loopback sales platform of the sync tests (see
 * sync-receiver.h). */
#include "sync-receiver.h"

#include "pt-canon.h"
#include "pt-json.h"

#include <microhttpd.h>
#include <netinet/in.h>
#include <sodium.h>
#include <string.h>

#define RX_BODY_MAX (64 * 1024 * 1024)

typedef struct {
  gint64 t_recv, t_answer;
  int status;
} LogEntry;

struct _Receiver {
  struct MHD_Daemon *daemon;
  guint16 port;
  char *secret;
  char *cert, *key;
  GMutex lock;
  RxDecide decide;
  gpointer decide_data;
  int capture_limit;
  int delay_ms;
  guint n_requests;
  GPtrArray *arrivals;
  GArray *log;
  guint bad_sig, bad_headers, job_polls, max_capture;
  guint next_job;
  GHashTable *jobs; /* job id -> polls so far */
};

typedef struct {
  GString *body;
  gint64 t_recv;
} Conn;

void
rx_arrival_free(RxArrival *a)
{
  g_free(a->path);
  g_free(a->key);
  g_free(a->lot);
  g_free(a->kind);
  g_free(a);
}

static void
record(Receiver *rx, const char *path, const char *key, const char *lot, const char *kind)
{
  RxArrival *a = g_new0(RxArrival, 1);
  a->path = g_strdup(path);
  a->key = g_strdup(key);
  a->lot = g_strdup(lot);
  a->kind = g_strdup(kind);
  a->t_us = g_get_monotonic_time();
  a->t_real_us = g_get_real_time();
  g_ptr_array_add(rx->arrivals, a);
}

static gboolean
signature_ok(Receiver *rx, const char *header, const GString *body)
{
  if (!header || !g_str_has_prefix(header, "t="))
    return FALSE;
  const char *comma = strstr(header, ",v1=");
  if (!comma)
    return FALSE;
  g_autofree char *t = g_strndup(header + 2, comma - header - 2);
  gint64 when = g_ascii_strtoll(t, NULL, 10);
  if (ABS(g_get_real_time() / G_USEC_PER_SEC - when) > 300)
    return FALSE;
  guint8 mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, (const guint8 *)rx->secret, strlen(rx->secret));
  crypto_auth_hmacsha256_update(&st, (const guint8 *)t, strlen(t));
  crypto_auth_hmacsha256_update(&st, (const guint8 *)".", 1);
  crypto_auth_hmacsha256_update(&st, (const guint8 *)body->str, body->len);
  crypto_auth_hmacsha256_final(&st, mac);
  char hex[sizeof mac * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, mac, sizeof mac);
  return strcmp(comma + 4, hex) == 0;
}

static char *
lot_of_event(json_t *ev)
{
  const char *cls = json_string_value(
      json_object_get(json_array_get(json_object_get(ev, "quantityList"), 0), "epcClass"));
  const char *p = cls ? strstr(cls, "/10/") : NULL;
  return p ? g_strdup(p + 4) : NULL;
}

static enum MHD_Result
answer(struct MHD_Connection *c, int status, const char *body, int retry_after,
       const char *location, int limit)
{
  const char *text = body ? body : "";
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_MUST_COPY);
  if (retry_after >= 0) {
    char v[16];
    g_snprintf(v, sizeof v, "%d", retry_after);
    MHD_add_response_header(r, "Retry-After", v);
  }
  if (location)
    MHD_add_response_header(r, "Location", location);
  if (limit > 0) {
    char v[16];
    g_snprintf(v, sizeof v, "%d", limit);
    MHD_add_response_header(r, "GS1-EPCIS-Capture-Limit", v);
  }
  enum MHD_Result ret = MHD_queue_response(c, (unsigned)status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result
handle(Receiver *rx, struct MHD_Connection *c, const char *method, const char *path, Conn *conn)
{
  const char *hdr_key = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Idempotency-Key");
  const char *hdr_sig = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "X-Packtrace-Signature");
  const char *epcis_v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "GS1-EPCIS-Version");
  const char *cbv_v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "GS1-CBV-Version");
  gboolean capture = strcmp(path, "/capture") == 0 || g_str_has_suffix(path, "/capture");
  gboolean job = strstr(path, "/capture/") != NULL;

  if (rx->delay_ms)
    g_usleep((gulong)rx->delay_ms * 1000);
  g_mutex_lock(&rx->lock);
  rx->n_requests++;
  RxRequest req = {.method = method, .path = path, .key = hdr_key, .n = rx->n_requests};
  RxAnswer ans = {.retry_after_s = -1};
  int status;
  const char *location = NULL;
  char location_buf[64];
  const char *body = NULL;
  int limit = 0;
  json_t *parsed = NULL;
  g_autoptr(GPtrArray) lots = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GPtrArray) keys = g_ptr_array_new(); /* borrowed from @parsed */

  if (strcmp(method, "OPTIONS") == 0 && capture) {
    status = 204;
    limit = rx->capture_limit;
  } else if (job && strcmp(method, "GET") == 0) {
    rx->job_polls++;
    guint polls = GPOINTER_TO_UINT(g_hash_table_lookup(rx->jobs, path)) + 1;
    g_hash_table_insert(rx->jobs, g_strdup(path), GUINT_TO_POINTER(polls));
    status = 200;
    body = polls == 1 ? "{\"running\":true,\"success\":false}"
                      : "{\"running\":false,\"success\":true,\"errors\":[]}";
  } else if (strcmp(method, "POST") == 0) {
    parsed = pt_json_parse(conn->body->str, conn->body->len, NULL);
    if (capture) {
      if (g_strcmp0(epcis_v, "2.0.0") != 0 || g_strcmp0(cbv_v, "2.0.0") != 0)
        rx->bad_headers++;
      json_t *list = json_object_get(json_object_get(parsed, "epcisBody"), "eventList");
      gsize i;
      json_t *ev;
      /* The idempotency handle: SHA-256 over the events' own hashes (each over its canonical
       * form), in document order. */
      crypto_hash_sha256_state handle;
      crypto_hash_sha256_init(&handle);
      json_array_foreach(list, i, ev)
      {
        gsize canon_len = 0;
        g_autofree char *canon = pt_canon_dump(ev, &canon_len, NULL);
        guint8 event_hash[crypto_hash_sha256_BYTES];
        crypto_hash_sha256(event_hash, (const guint8 *)(canon ? canon : ""), canon_len);
        crypto_hash_sha256_update(&handle, event_hash, sizeof event_hash);
      }
      guint8 digest[crypto_hash_sha256_BYTES];
      crypto_hash_sha256_final(&handle, digest);
      char hex[2 * crypto_hash_sha256_BYTES + 1];
      sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
      g_autofree char *want_key = g_strconcat("sha256:", hex, NULL);
      if (g_strcmp0(hdr_key, want_key) != 0)
        rx->bad_headers++;
      json_array_foreach(list, i, ev)
      {
        g_ptr_array_add(lots, lot_of_event(ev));
        g_ptr_array_add(keys, (gpointer)json_string_value(json_object_get(ev, "eventID")));
      }
      req.n_events = (guint)json_array_size(list);
      req.lots = lots;
      req.keys = keys;
    } else {
      if (!signature_ok(rx, hdr_sig, conn->body))
        rx->bad_sig++;
      req.lot = json_string_value(json_object_get(parsed, "lot"));
      if (!req.lot)
        req.lot = json_string_value(json_object_get(parsed, "batch"));
    }
    if (rx->decide)
      rx->decide(rx, &req, &ans, rx->decide_data);
    status = ans.status ? ans.status : capture ? 202 : 200;
    body = ans.body;
    if (status >= 200 && status < 300) {
      if (capture) {
        json_t *list = json_object_get(json_object_get(parsed, "epcisBody"), "eventList");
        gsize i;
        json_t *ev;
        json_array_foreach(list, i, ev)
        {
          g_autofree char *lot = lot_of_event(ev);
          record(rx, path, json_string_value(json_object_get(ev, "eventID")), lot, "event");
        }
        rx->max_capture = MAX(rx->max_capture, (guint)json_array_size(list));
        g_snprintf(location_buf, sizeof location_buf, "/capture/%u", ++rx->next_job);
        location = location_buf;
      } else {
        record(rx, path, hdr_key, req.lot, json_string_value(json_object_get(parsed, "kind")));
      }
    }
  } else {
    status = 405;
  }
  LogEntry e = {.t_recv = conn->t_recv, .t_answer = g_get_monotonic_time(), .status = status};
  if (ans.close)
    e.status = -1;
  g_array_append_val(rx->log, e);
  g_mutex_unlock(&rx->lock);
  json_decref(parsed);
  if (ans.close)
    return MHD_NO;
  return answer(c, status, body, ans.retry_after_s, location, limit);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *c, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_size, void **con_cls)
{
  Conn *conn = *con_cls;
  if (!conn) {
    conn = g_new0(Conn, 1);
    conn->body = g_string_new(NULL);
    conn->t_recv = g_get_monotonic_time();
    *con_cls = conn;
    return MHD_YES;
  }
  if (*upload_size) {
    if (conn->body->len + *upload_size <= RX_BODY_MAX)
      g_string_append_len(conn->body, upload_data, (gssize)*upload_size);
    *upload_size = 0;
    return MHD_YES;
  }
  return handle(cls, c, method, url, conn);
}

static void
on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  Conn *conn = *con_cls;
  if (!conn)
    return;
  g_string_free(conn->body, TRUE);
  g_free(conn);
  *con_cls = NULL;
}

void
rx_start(Receiver *rx)
{
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
                   (rx->cert ? MHD_USE_TLS : 0);
  struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = g_htons(rx->port)};
  sa.sin_addr.s_addr = g_htonl(0x7f000001);
  if (rx->cert)
    rx->daemon = MHD_start_daemon(
        flags, rx->port, NULL, NULL, on_request, rx, MHD_OPTION_SOCK_ADDR, &sa,
        MHD_OPTION_LISTENING_ADDRESS_REUSE, 1, MHD_OPTION_NOTIFY_COMPLETED, on_completed, rx,
        MHD_OPTION_HTTPS_MEM_CERT, rx->cert, MHD_OPTION_HTTPS_MEM_KEY, rx->key, MHD_OPTION_END);
  else
    rx->daemon = MHD_start_daemon(flags, rx->port, NULL, NULL, on_request, rx, MHD_OPTION_SOCK_ADDR,
                                  &sa, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1,
                                  MHD_OPTION_NOTIFY_COMPLETED, on_completed, rx, MHD_OPTION_END);
  g_assert_nonnull(rx->daemon);
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(rx->daemon, MHD_DAEMON_INFO_BIND_PORT);
  rx->port = info->port;
}

void
rx_stop(Receiver *rx)
{
  if (rx->daemon)
    MHD_stop_daemon(rx->daemon);
  rx->daemon = NULL;
}

Receiver *
rx_new(guint16 port, const char *secret, const char *tls_cert, const char *tls_key)
{
  Receiver *rx = g_new0(Receiver, 1);
  g_mutex_init(&rx->lock);
  rx->port = port;
  rx->secret = g_strdup(secret);
  rx->cert = g_strdup(tls_cert);
  rx->key = g_strdup(tls_key);
  rx->arrivals = g_ptr_array_new_with_free_func((GDestroyNotify)rx_arrival_free);
  rx->log = g_array_new(FALSE, FALSE, sizeof(LogEntry));
  rx->jobs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  rx_start(rx);
  return rx;
}

guint16
rx_port(Receiver *rx)
{
  return rx->port;
}

void
rx_free(Receiver *rx)
{
  rx_stop(rx);
  g_ptr_array_unref(rx->arrivals);
  g_array_unref(rx->log);
  g_hash_table_unref(rx->jobs);
  g_mutex_clear(&rx->lock);
  g_free(rx->secret);
  g_free(rx->cert);
  g_free(rx->key);
  g_free(rx);
}

void
rx_set_decide(Receiver *rx, RxDecide fn, gpointer data)
{
  g_mutex_lock(&rx->lock);
  rx->decide = fn;
  rx->decide_data = data;
  g_mutex_unlock(&rx->lock);
}

void
rx_set_capture_limit(Receiver *rx, int events)
{
  g_mutex_lock(&rx->lock);
  rx->capture_limit = events;
  g_mutex_unlock(&rx->lock);
}

void
rx_set_delay_ms(Receiver *rx, int ms)
{
  rx->delay_ms = ms;
}

GPtrArray *
rx_arrivals(Receiver *rx)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)rx_arrival_free);
  g_mutex_lock(&rx->lock);
  for (guint i = 0; i < rx->arrivals->len; i++) {
    RxArrival *a = rx->arrivals->pdata[i], *copy = g_new0(RxArrival, 1);
    *copy = (RxArrival){g_strdup(a->path), g_strdup(a->key), g_strdup(a->lot),
                        g_strdup(a->kind), a->t_us,          a->t_real_us};
    g_ptr_array_add(out, copy);
  }
  g_mutex_unlock(&rx->lock);
  return out;
}

#define LOCKED_GET(field)                                                                          \
  guint v;                                                                                         \
  g_mutex_lock(&rx->lock);                                                                         \
  v = (field);                                                                                     \
  g_mutex_unlock(&rx->lock);                                                                       \
  return v

guint
rx_n_arrivals(Receiver *rx)
{
  LOCKED_GET(rx->arrivals->len);
}

guint
rx_bad_signatures(Receiver *rx)
{
  LOCKED_GET(rx->bad_sig);
}

guint
rx_bad_headers(Receiver *rx)
{
  LOCKED_GET(rx->bad_headers);
}

guint
rx_job_polls(Receiver *rx)
{
  LOCKED_GET(rx->job_polls);
}

guint
rx_max_capture(Receiver *rx)
{
  LOCKED_GET(rx->max_capture);
}

guint
rx_count_status(Receiver *rx, int status)
{
  guint n = 0;
  g_mutex_lock(&rx->lock);
  for (guint i = 0; i < rx->log->len; i++)
    n += g_array_index(rx->log, LogEntry, i).status == status;
  g_mutex_unlock(&rx->lock);
  return n;
}

gint64
rx_gap_after(Receiver *rx, int status)
{
  gint64 gap = 0;
  g_mutex_lock(&rx->lock);
  for (guint i = 0; i < rx->log->len && !gap; i++) {
    LogEntry *e = &g_array_index(rx->log, LogEntry, i);
    if (e->status != status)
      continue;
    for (guint j = 0; j < rx->log->len; j++) {
      LogEntry *n = &g_array_index(rx->log, LogEntry, j);
      if (n->t_recv > e->t_answer && (!gap || n->t_recv - e->t_answer < gap))
        gap = n->t_recv - e->t_answer;
    }
  }
  g_mutex_unlock(&rx->lock);
  return gap;
}
