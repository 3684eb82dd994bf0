/* pt-sync.c: the delivery engine (see pt-sync.h): libcurl multi on GLib sources,
 * request building for EPCIS capture and webhooks, and what each answer means.
 *
 * Workload: usually idle (asleep until a commit to station.db, a back-off's end or a
 * delivery's retry; pt-store-watch.h); after an outage a backlog of up to days of events
 * drains as fast as the platform accepts it.
 *
 * Answers, and what happens to the items of the request:
 *   2xx                     delivered (EPCIS 202 + Location: the capture job is
 *                           followed until it finishes first)
 *   no answer, 429, 503     the link or platform is down: items untouched, the whole
 *                           connector backs off (Retry-After honoured)
 *   408, 409, 425, 5xx      the items count an attempt and wait their own back-off;
 *                           on retry an EPCIS document holds one batch only, so a
 *                           batch the platform keeps refusing cannot stall others
 *   413                     EPCIS: the document is split (limit halved), items due now
 *   other 4xx, failed job   several items: each is sent alone next, to find the culprit;
 *                           one EPCIS event: quarantined (kept with the answer, shown and
 *                           raised as an alert) and its batch goes on without it, so a
 *                           poisoned event cannot hold back a recall behind it; one
 *                           webhook item: failed for good, its batch waits
 * Order: a batch with an item in flight, failed or waiting is left out of selection
 * (pt_store_sync_ready), so its items leave one after another; an EPCIS document
 * may hold several items of a batch, in order, captured all or nothing (rollback).
 * Capture limits: an OPTIONS {url}/capture once per run, before the first document,
 * and the headers of every capture answer give GS1-EPCIS-Capture-Limit and
 * GS1-EPCIS-Capture-File-Size-Limit; without them max_batch= and
 * PT_SYNC_DOC_BYTES_DEFAULT apply, and a 413 halves the count. */
#include "pt-sync.h"

#include "pt-sync-hub.h"
#include "pt-sync-private.h"

#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-store-hub-sync.h"
#include "pt-store-sync.h"
#include "pt-store-watch.h"
#include "pt-sync-config.h"
#include "pt-time.h"

#include <curl/curl.h>
#include <glib-unix.h>
#include <string.h>
#include <time.h>

static void dispatch(Conn *conn);
static void start_job_poll(Req *req);

/* ---- libcurl on the GLib main loop ------------------------------------ */

static void collect_done(PtSync *sync);

static gboolean
on_fd_ready(int fd, GIOCondition cond, gpointer data)
{
  PtSync *sync = data;
  int action = ((cond & G_IO_IN) ? CURL_CSELECT_IN : 0) |
               ((cond & G_IO_OUT) ? CURL_CSELECT_OUT : 0) |
               ((cond & (G_IO_ERR | G_IO_HUP)) ? CURL_CSELECT_ERR : 0);
  int running;
  curl_multi_socket_action(sync->multi, fd, action, &running);
  collect_done(sync);
  return G_SOURCE_CONTINUE;
}

static int
on_socket(CURL *easy, curl_socket_t fd, int what, void *userp, void *socketp)
{
  PtSync *sync = userp;
  g_hash_table_remove(sync->watches, GINT_TO_POINTER(fd));
  if (what == CURL_POLL_REMOVE)
    return 0;
  GIOCondition cond =
      ((what & CURL_POLL_IN) ? G_IO_IN : 0) | ((what & CURL_POLL_OUT) ? G_IO_OUT : 0);
  guint id = g_unix_fd_add(fd, cond, on_fd_ready, sync);
  g_hash_table_insert(sync->watches, GINT_TO_POINTER(fd), GUINT_TO_POINTER(id));
  return 0;
}

static gboolean
on_curl_timeout(gpointer data)
{
  PtSync *sync = data;
  sync->curl_timer = 0;
  int running;
  curl_multi_socket_action(sync->multi, CURL_SOCKET_TIMEOUT, 0, &running);
  collect_done(sync);
  return G_SOURCE_REMOVE;
}

static int
on_curl_timer(CURLM *multi, long timeout_ms, void *userp)
{
  PtSync *sync = userp;
  if (sync->curl_timer)
    g_source_remove(sync->curl_timer);
  sync->curl_timer = timeout_ms >= 0 ? g_timeout_add((guint)timeout_ms, on_curl_timeout, sync) : 0;
  return 0;
}

static void
remove_watch(gpointer id)
{
  g_source_remove(GPOINTER_TO_UINT(id));
}

static gint64
now_ns(void)
{
  return pt_now_ns();
}

/* Runs one state change as its own transaction; a failure is logged (the rows
 * stay "sending" and are recovered at the next start). */
typedef gboolean (*TxnFunc)(Req *req, gpointer data, GError **error);

static void
in_txn(Req *req, TxnFunc fn, gpointer data)
{
  PtStore *store = req->conn->sync->store;
  g_autoptr(GError) error = NULL;
  if (!pt_store_begin(store, &error) || !fn(req, data, &error) || !pt_store_commit(store, &error)) {
    pt_store_rollback(store);
    g_warning("sync %s: cannot record delivery state: %s", req->conn->cfg->name, error->message);
  }
}

static const gint64 *
req_ids(Req *req)
{
  return (const gint64 *)(gpointer)req->ids->data;
}

static gboolean
txn_delivered(Req *req, gpointer data, GError **error)
{
  return pt_store_sync_delivered(req->conn->sync->store, req->conn->cfg->name, req_ids(req),
                                 req->ids->len, now_ns(), error);
}

typedef struct {
  gint64 next_ns;
  int status;
  const char *text;
  gboolean quarantine; /* txn_refused: one event refused on its own */
} Release;

static gboolean
txn_release(Req *req, gpointer data, GError **error)
{
  Release *r = data;
  PtStore *store = req->conn->sync->store;
  const char *name = req->conn->cfg->name;
  return pt_store_sync_release(store, name, req_ids(req), req->ids->len, r->next_ns, r->status,
                               r->text, error) &&
         (!r->text || pt_store_sync_note_error(store, name, r->text, now_ns(), error));
}

static gboolean
txn_refused(Req *req, gpointer data, GError **error)
{
  Release *r = data;
  PtStore *store = req->conn->sync->store;
  const char *name = req->conn->cfg->name;
  gboolean ok;
  if (req->ids->len > 1)
    ok = pt_store_sync_set_solo(store, name, req_ids(req), req->ids->len, error);
  else if (r->quarantine)
    ok = pt_store_sync_quarantine(store, name, req_ids(req)[0], r->status, r->text, error);
  else
    ok = pt_store_sync_fail(store, name, req_ids(req)[0], r->status, r->text, error);
  return ok && pt_store_sync_note_error(store, name, r->text, now_ns(), error);
}

static void
outcome_delivered(Req *req)
{
  in_txn(req, txn_delivered, NULL);
  pt_sync_conn_ok(req->conn);
  pt_sync_req_free(req);
}

static void
outcome_link_down(Req *req, const char *why)
{
  Release r = {.text = why};
  in_txn(req, txn_release, &r);
  pt_sync_conn_backoff(req->conn, req->retry_after_s, why);
  pt_sync_req_free(req);
}

static void
outcome_retry_later(Req *req, const char *why)
{
  Release r = {.next_ns =
                   now_ns() + pt_sync_backoff_ms(req->conn->cfg, req->max_attempts + 1) * 1000000,
               .status = (int)req->status,
               .text = why};
  in_txn(req, txn_release, &r);
  pt_sync_conn_ok(req->conn);
  pt_sync_req_free(req);
}

static void
outcome_refused(Req *req, const char *why)
{
  Release r = {.status = (int)req->status,
               .text = why,
               .quarantine = req->kind == REQ_CAPTURE || req->kind == REQ_JOB};
  if (req->ids->len == 1)
    g_message("sync %s: %s: %s", req->conn->cfg->name,
              r.quarantine ? "event quarantined, the queue goes on" : "refused for good", why);
  in_txn(req, txn_refused, &r);
  pt_sync_conn_ok(req->conn);
  pt_sync_req_free(req);
}

static void
read_limits(Conn *conn, CURL *e)
{
  struct curl_header *h;
  guint64 n;
  if (curl_easy_header(e, "GS1-EPCIS-Capture-Limit", 0, CURLH_HEADER, -1, &h) == CURLHE_OK &&
      g_ascii_string_to_unsigned(h->value, 10, 1, G_MAXINT, &n, NULL))
    conn->limit_events = (int)n;
  if (curl_easy_header(e, "GS1-EPCIS-Capture-File-Size-Limit", 0, CURLH_HEADER, -1, &h) ==
          CURLHE_OK &&
      g_ascii_string_to_unsigned(h->value, 10, 1, G_MAXINT64, &n, NULL))
    conn->limit_bytes = (gint64)n;
}

/* Copies what the answer says before the handle goes. */
static void
read_answer(Req *req)
{
  CURL *e = req->easy;
  struct curl_header *h;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &req->status);
  req->answered_ns = pt_now_ns();
  if (curl_easy_header(e, "Date", 0, CURLH_HEADER, -1, &h) == CURLHE_OK) {
    time_t when = curl_getdate(h->value, NULL);
    req->date_s = when > 0 ? (gint64)when : 0;
  }
  if (curl_easy_header(e, "Retry-After", 0, CURLH_HEADER, -1, &h) == CURLHE_OK) {
    guint64 n;
    g_autofree char *v = g_strstrip(g_strdup(h->value));
    if (g_ascii_string_to_unsigned(v, 10, 0, G_MAXINT64, &n, NULL))
      req->retry_after_s = (gint64)MIN(n, (guint64)PT_SYNC_RETRY_AFTER_MAX_S);
    else {
      time_t when = curl_getdate(v, NULL);
      if (when > 0)
        req->retry_after_s = CLAMP((gint64)(when - time(NULL)), 0, PT_SYNC_RETRY_AFTER_MAX_S);
    }
  }
  if (curl_easy_header(e, "Location", 0, CURLH_HEADER, -1, &h) == CURLHE_OK) {
    /* Relative to the capture URL. */
    CURLU *u = curl_url();
    char *abs = NULL;
    if (curl_url_set(u, CURLUPART_URL, req->url, 0) == CURLUE_OK &&
        curl_url_set(u, CURLUPART_URL, h->value, 0) == CURLUE_OK &&
        curl_url_get(u, CURLUPART_URL, &abs, 0) == CURLUE_OK)
      req->location = g_strdup(abs);
    curl_free(abs);
    curl_url_cleanup(u);
  }
  if (req->kind == REQ_PROBE || req->kind == REQ_CAPTURE)
    read_limits(req->conn, e);
}

static gboolean
transient_status(long status)
{
  return status == 408 || status == 409 || status == 425 || status >= 500;
}

static void
finish_job(Req *req, CURLcode rc)
{
  g_autofree char *why = NULL;
  if (rc == CURLE_OK && req->status == 200) {
    json_t *job = pt_json_parse(req->response->str, req->response->len, NULL);
    gboolean running = job && json_is_true(json_object_get(job, "running"));
    gboolean success = job && json_is_true(json_object_get(job, "success"));
    char *errors =
        job ? json_dumps(json_object_get(job, "errors"), JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
    if (job && !running)
      why = g_strdup_printf("capture job failed: %s", errors ? errors : "no errors given");
    free(errors);
    json_decref(job);
    if (job && !running) {
      if (success)
        outcome_delivered(req);
      else
        outcome_refused(req, why);
      return;
    }
  } else if (rc == CURLE_OK && req->status >= 400 && req->status < 500) {
    /* The platform forgot the job: send the items again (same eventIDs). */
    g_autofree char *lost = pt_sync_req_describe(req, "capture job lost");
    outcome_retry_later(req, lost);
    return;
  }
  if (g_get_monotonic_time() > req->job_deadline_us) {
    outcome_retry_later(req, "capture job did not finish in time");
    return;
  }
  start_job_poll(req);
}

static void
finish(Req *req, CURLcode rc)
{
  Conn *conn = req->conn;
  long st = req->status;
  g_autofree char *why = NULL;

  if (req->kind == REQ_PROBE) {
    conn->probing = FALSE;
    if (rc != CURLE_OK) {
      why = g_strdup_printf("cannot reach %s: %s", req->url,
                            req->errbuf[0] ? req->errbuf : curl_easy_strerror(rc));
      Release r = {.text = why};
      in_txn(req, txn_release, &r);
      pt_sync_conn_backoff(conn, -1, why);
    } else {
      /* Any answer will do: limits are read when advertised, defaults otherwise. */
      conn->probed = TRUE;
    }
    pt_sync_req_free(req);
    return;
  }
  if (req->kind == REQ_JOB) {
    finish_job(req, rc);
    return;
  }
  if (conn->hub) {
    pt_sync_hub_finish(req, rc);
    return;
  }
  if (rc != CURLE_OK) {
    why = g_strdup_printf("no answer from %s: %s", req->url,
                          req->errbuf[0] ? req->errbuf : curl_easy_strerror(rc));
    outcome_link_down(req, why);
    return;
  }
  g_autofree char *what = g_strdup_printf("HTTP %ld", st);
  why = pt_sync_req_describe(req, what);
  if (st >= 200 && st < 300) {
    if (req->kind == REQ_CAPTURE && st == 202 && req->location) {
      req->kind = REQ_JOB;
      g_free(req->url);
      req->url = g_steal_pointer(&req->location);
      g_clear_pointer(&req->body, g_free);
      curl_slist_free_all(req->headers);
      req->headers = NULL;
      req->common_headers = FALSE;
      pt_sync_req_header(req, "GS1-EPCIS-Version: 2.0.0");
      req->poll_ms = 10; /* loopback and fast platforms finish at once; slow ones back off */
      req->job_deadline_us = g_get_monotonic_time() + PT_SYNC_JOB_TIMEOUT_S * G_USEC_PER_SEC;
      start_job_poll(req);
      return;
    }
    outcome_delivered(req);
  } else if (st == 429 || st == 503) {
    outcome_link_down(req, why);
  } else if (st == 413 && req->kind == REQ_CAPTURE && req->ids->len > 1) {
    /* Split: retry right away with half as many, unless the platform said how many. */
    conn->split_limit = (int)req->ids->len / 2;
    Release r = {.text = why};
    in_txn(req, txn_release, &r);
    pt_sync_req_free(req);
  } else if (transient_status(st)) {
    outcome_retry_later(req, why);
  } else {
    outcome_refused(req, why);
  }
}

static void
collect_done(PtSync *sync)
{
  CURLMsg *msg;
  int left;
  gboolean any = FALSE;
  while ((msg = curl_multi_info_read(sync->multi, &left))) {
    if (msg->msg != CURLMSG_DONE)
      continue;
    CURL *e = msg->easy_handle;
    CURLcode rc = msg->data.result;
    Req *req = NULL;
    curl_easy_getinfo(e, CURLINFO_PRIVATE, (char **)&req);
    read_answer(req);
    curl_multi_remove_handle(sync->multi, e);
    req->attached = FALSE;
    curl_easy_cleanup(e);
    req->easy = NULL;
    finish(req, rc);
    any = TRUE;
  }
  if (any)
    pt_sync_kick(sync);
}

static gboolean
on_job_poll(gpointer data)
{
  Req *req = data;
  req->poll_source = 0;
  pt_sync_req_send(req, "GET");
  return G_SOURCE_REMOVE;
}

static void
start_job_poll(Req *req)
{
  req->poll_source = g_timeout_add((guint)req->poll_ms, on_job_poll, req);
  req->poll_ms = MIN(req->poll_ms * 2, PT_SYNC_JOB_POLL_MAX_MS);
}

/* ---- selection: what goes into the next request ------------------------ */

static gboolean
mark_sending(Conn *conn, GArray *ids)
{
  PtStore *store = conn->sync->store;
  g_autoptr(GError) error = NULL;
  if (pt_store_begin(store, &error) &&
      pt_store_sync_mark_sending(store, conn->cfg->name, (const gint64 *)(gpointer)ids->data,
                                 ids->len, &error) &&
      pt_store_commit(store, &error))
    return TRUE;
  pt_store_rollback(store);
  g_warning("sync %s: %s", conn->cfg->name, error->message);
  return FALSE;
}

static void
start_probe(Conn *conn)
{
  conn->probing = TRUE;
  Req *req = pt_sync_req_new(conn, REQ_PROBE, g_strdup(conn->capture_url));
  pt_sync_req_header(req, "GS1-EPCIS-Version: 2.0.0");
  pt_sync_req_send(req, "OPTIONS");
}

typedef struct {
  GString *doc;
  GArray *ids;
  int limit;
  gsize byte_limit;
  gsize suffix_len;
  gint64 restrict_batch; /* 0: any batch */
  GHashTable *closed;    /* batch ids left out of this document */
  int max_attempts;
  gint64 too_big;                  /* outbox id of an event that alone exceeds the size limit */
  crypto_hash_sha256_state handle; /* over the taken events' hashes: the idempotency handle */
} DocBuilder;

static void
doc_take(DocBuilder *b, const PtSyncItem *it)
{
  if (b->ids->len)
    g_string_append_c(b->doc, ',');
  g_string_append_len(b->doc, it->body, (gssize)it->body_len);
  crypto_hash_sha256_update(&b->handle, it->hash, PT_HASH_LEN);
  g_array_append_val(b->ids, it->outbox_id);
  b->max_attempts = MAX(b->max_attempts, it->attempts);
}

static gboolean
doc_add(const PtSyncItem *it, gpointer data)
{
  DocBuilder *b = data;
  gboolean empty = b->ids->len == 0;
  if (g_hash_table_contains(b->closed, &it->batch_id))
    return TRUE;
  if (it->solo || (it->attempts > 0 && !empty && b->restrict_batch != it->batch_id)) {
    if (!empty) {
      g_hash_table_add(b->closed, g_memdup2(&it->batch_id, sizeof it->batch_id));
      return TRUE;
    }
  } else if (b->restrict_batch && it->batch_id != b->restrict_batch) {
    return TRUE;
  }
  if (b->doc->len + it->body_len + 1 + b->suffix_len > b->byte_limit) {
    if (empty)
      b->too_big = it->outbox_id;
    return FALSE;
  }
  if (empty && it->attempts > 0)
    b->restrict_batch = it->batch_id;
  doc_take(b, it);
  return !it->solo && (int)b->ids->len < b->limit;
}

/* Builds and sends one capture document.  Returns: FALSE when nothing is due. */
static gboolean
start_capture(Conn *conn)
{
  PtSync *sync = conn->sync;
  g_autoptr(GError) error = NULL;
  json_t *skeleton = pt_epcis_document_new(sync->config, now_ns());
  char *text = json_dumps(skeleton, JSON_COMPACT);
  json_decref(skeleton);
  const char *slot = strstr(text, "\"eventList\":[]");
  g_assert(slot);
  gsize split = (gsize)(slot - text) + strlen("\"eventList\":[");

  int limit = conn->cfg->max_batch;
  if (conn->limit_events)
    limit = MIN(limit, conn->limit_events);
  if (conn->split_limit)
    limit = MIN(limit, conn->split_limit);
  DocBuilder b = {
      .doc = g_string_new_len(text, (gssize)split),
      .ids = g_array_new(FALSE, FALSE, sizeof(gint64)),
      .limit = limit,
      .byte_limit = conn->limit_bytes ? (gsize)conn->limit_bytes : PT_SYNC_DOC_BYTES_DEFAULT,
      .suffix_len = strlen(text + split),
      .closed = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
  };
  crypto_hash_sha256_init(&b.handle);
  gboolean ok = pt_store_sync_ready(sync->store, conn->cfg->name, now_ns(),
                                    limit + PT_SYNC_HEAD_SCAN, doc_add, &b, &error);
  g_string_append(b.doc, text + split);
  free(text);
  g_hash_table_unref(b.closed);
  gboolean sent = FALSE;
  if (!ok) {
    g_warning("sync %s: %s", conn->cfg->name, error->message);
  } else if (b.too_big) {
    g_autofree char *why = g_strdup_printf(
        "event is larger than the platform's capture size limit (%zu bytes)", b.byte_limit);
    PtStore *store = sync->store;
    if (!pt_store_begin(store, &error) ||
        !pt_store_sync_fail(store, conn->cfg->name, b.too_big, 413, why, &error) ||
        !pt_store_commit(store, &error)) {
      pt_store_rollback(store);
      g_warning("sync %s: %s", conn->cfg->name, error->message);
    } else {
      sent = TRUE; /* look again: the next event may fit */
    }
  } else if (b.ids->len && mark_sending(conn, b.ids)) {
    Req *req = pt_sync_req_new(conn, REQ_CAPTURE, g_strdup(conn->capture_url));
    g_array_append_vals(req->ids, b.ids->data, b.ids->len);
    req->max_attempts = b.max_attempts;
    req->body_len = b.doc->len;
    req->body = g_string_free(g_steal_pointer(&b.doc), FALSE);
    pt_sync_req_header(req, "Content-Type: application/ld+json");
    pt_sync_req_header(req, "GS1-EPCIS-Version: 2.0.0");
    pt_sync_req_header(req, "GS1-CBV-Version: 2.0.0");
    pt_sync_req_header(req, "GS1-Capture-Error-Behaviour: rollback");
    /* The same events (a retry after a lost answer) carry the same handle, so a repository
     * can tell a repeat from a new capture: SHA-256 over their hashes, in document order. */
    guint8 handle[crypto_hash_sha256_BYTES];
    crypto_hash_sha256_final(&b.handle, handle);
    g_autofree char *handle_hex = pt_hex_encode(handle, sizeof handle);
    pt_sync_req_header(req, "Idempotency-Key: sha256:%s", handle_hex);
    pt_sync_req_send(req, "POST");
    sent = TRUE;
  }
  if (b.doc)
    g_string_free(b.doc, TRUE);
  g_array_unref(b.ids);
  return sent;
}

/* @mark (nullable) stands for the event's stored record in the fields: splice_event() puts the
 * record there byte for byte after the template has placed it. */
static json_t *
item_fields(PtSync *sync, const PtSyncItem *it, const char *mark)
{
  json_t *f = json_pack("{ssssssssssss}", "kind", it->is_event ? "event" : "batch", "key", it->key,
                        "station_id", sync->config->station_id, "lot", it->lot, "gtin", it->gtin,
                        "product", it->product);
  json_object_set_new(f, "variety", pt_json_string_or_null(it->variety));
  json_object_set_new(f, "origin", pt_json_string_or_null(it->origin));
  json_object_set_new(f, "grower", pt_json_string_or_null(it->grower));
  if (it->is_event) {
    g_autofree char *when = pt_time_format(it->event_time_ns);
    g_autofree char *hash = pt_hex_encode(it->hash, PT_HASH_LEN);
    g_autofree char *sig = pt_hex_encode(it->signature, PT_SIG_LEN);
    json_t *event = mark ? json_string(mark) : NULL;
    json_object_set_new(f, "event_id", json_string(it->key));
    json_object_set_new(f, "step", json_string(it->step));
    json_object_set_new(f, "event_time", json_string(when));
    json_object_set_new(f, "seq", json_integer(it->seq));
    json_object_set_new(f, "hash", json_string(hash));
    json_object_set_new(f, "signature", json_string(sig));
    json_object_set_new(f, "event", event ? event : json_null());
  } else {
    g_autofree char *when = pt_time_format(it->created_ns);
    json_object_set_new(f, "status", json_string(it->status));
    json_object_set_new(f, "reason", pt_json_string_or_null(it->reason));
    json_object_set_new(f, "changed", json_string(when));
  }
  return f;
}

/* Returns: (transfer full): @text (a JSON text from json_dumps) with every JSON string that is
 * exactly @mark replaced by @it's stored record, and @mark inside a longer string by the
 * record as string content.  Signed records leave as they were hashed: parsed and dumped again
 * by jansson (REAL_PRECISION(15)) 72.77000000000001 would become 72.77 and fail to verify. */
static char *
splice_event(const char *text, const char *mark, const PtSyncItem *it, gsize *len_out)
{
  json_t *m = json_string(mark);
  char *quoted = json_dumps(m, JSON_ENCODE_ANY);
  json_decref(m);
  g_autofree char *escaped = g_strndup(quoted + 1, strlen(quoted) - 2);
  json_t *r = json_stringn(it->body, it->body_len);
  char *record = r ? json_dumps(r, JSON_ENCODE_ANY) : NULL;
  json_decref(r);
  g_autofree char *record_inner = record ? g_strndup(record + 1, strlen(record) - 2) : g_strdup("");
  GString *out = g_string_sized_new(strlen(text) + it->body_len);
  for (const char *p = text; *p;) {
    if (g_str_has_prefix(p, quoted)) {
      g_string_append_len(out, it->body, (gssize)it->body_len);
      p += strlen(quoted);
    } else if (g_str_has_prefix(p, escaped)) {
      g_string_append(out, record_inner);
      p += strlen(escaped);
    } else {
      g_string_append_c(out, *p++);
    }
  }
  free(quoted);
  free(record);
  *len_out = out->len;
  return g_string_free(out, FALSE);
}

char *
pt_sync_webhook_signature(const char *secret, const char *body, gsize len)
{
  g_autofree char *t = g_strdup_printf("%" G_GINT64_FORMAT, g_get_real_time() / G_USEC_PER_SEC);
  crypto_auth_hmacsha256_state st;
  guint8 mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256_init(&st, (const guint8 *)secret, strlen(secret));
  crypto_auth_hmacsha256_update(&st, (const guint8 *)t, strlen(t));
  crypto_auth_hmacsha256_update(&st, (const guint8 *)".", 1);
  crypto_auth_hmacsha256_update(&st, (const guint8 *)body, len);
  crypto_auth_hmacsha256_final(&st, mac);
  g_autofree char *hex = pt_hex_encode(mac, sizeof mac);
  return g_strdup_printf("t=%s,v1=%s", t, hex);
}

typedef struct {
  Conn *conn;
  GHashTable *batches; /* heads taken, one per batch */
  GPtrArray *reqs;
  guint room;
} HeadPicker;

static gboolean
pick_head(const PtSyncItem *it, gpointer data)
{
  HeadPicker *p = data;
  if (g_hash_table_contains(p->batches, &it->batch_id))
    return TRUE;
  g_hash_table_add(p->batches, g_memdup2(&it->batch_id, sizeof it->batch_id));
  Conn *conn = p->conn;
  /* A random mark: no recorded text can hold it by chance or by design. */
  g_autofree char *uuid = g_uuid_string_random();
  g_autofree char *mark = g_strconcat("\x01pt-event-", uuid, "\x01", NULL);
  json_t *fields = item_fields(conn->sync, it, mark);
  json_t *body = conn->cfg->template ? pt_sync_template_apply(conn->cfg->template, fields)
                                     : json_incref(fields);
  json_decref(fields);
  char *text = json_dumps(body, JSON_COMPACT | JSON_REAL_PRECISION(15));
  json_decref(body);
  Req *req = pt_sync_req_new(conn, REQ_WEBHOOK, g_strdup(conn->cfg->url));
  req->body = it->is_event ? splice_event(text, mark, it, &req->body_len) : g_strdup(text);
  if (!it->is_event)
    req->body_len = strlen(text);
  free(text);
  req->max_attempts = it->attempts;
  g_array_append_val(req->ids, it->outbox_id);
  g_autofree char *sig = pt_sync_webhook_signature(conn->cfg->secret, req->body, req->body_len);
  pt_sync_req_header(req, "Content-Type: application/json");
  pt_sync_req_header(req, "Idempotency-Key: %s", it->key);
  pt_sync_req_header(req, "X-Packtrace-Signature: %s", sig);
  pt_sync_req_header(req, "X-Packtrace-Station: %s", conn->sync->config->station_id);
  g_ptr_array_add(p->reqs, req);
  return p->reqs->len < p->room;
}

static void
start_webhooks(Conn *conn)
{
  g_autoptr(GError) error = NULL;
  HeadPicker p = {
      .conn = conn,
      .batches = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL),
      .reqs = g_ptr_array_new(),
      .room = PT_SYNC_INFLIGHT_MAX - conn->n_reqs,
  };
  gboolean ok = pt_store_sync_ready(conn->sync->store, conn->cfg->name, now_ns(), PT_SYNC_HEAD_SCAN,
                                    pick_head, &p, &error);
  if (!ok)
    g_warning("sync %s: %s", conn->cfg->name, error->message);
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  for (guint i = 0; i < p.reqs->len; i++)
    g_array_append_vals(ids, ((Req *)p.reqs->pdata[i])->ids->data, 1);
  gboolean marked = ok && ids->len && mark_sending(conn, ids);
  for (guint i = 0; i < p.reqs->len; i++) {
    if (marked)
      pt_sync_req_send(p.reqs->pdata[i], "POST");
    else
      pt_sync_req_free(p.reqs->pdata[i]);
  }
  g_ptr_array_unref(p.reqs);
  g_hash_table_unref(p.batches);
}

static void
dispatch(Conn *conn)
{
  if (g_get_monotonic_time() < conn->backoff_until_us)
    return;
  if (conn->hub) {
    pt_sync_hub_dispatch(conn);
    return;
  }
  if (conn->cfg->type == PT_SYNC_WEBHOOK) {
    if (conn->n_reqs < PT_SYNC_INFLIGHT_MAX)
      start_webhooks(conn);
    return;
  }
  /* Learn the platform's capture limits once per run before the first document. */
  if (!conn->probed) {
    if (!conn->probing)
      start_probe(conn);
    return;
  }
  while (conn->n_reqs < PT_SYNC_INFLIGHT_MAX && start_capture(conn))
    ;
}

/* ---- the outbox poll --------------------------------------------------- */

static void
pump(PtSync *sync)
{
  g_autoptr(GError) error = NULL;
  gint64 max;
  if (!pt_store_outbox_max(sync->store, &max, &error)) {
    g_warning("sync: %s", error->message);
    return;
  }
  if (max > sync->outbox_seen) {
    gboolean ok = pt_store_begin(sync->store, &error);
    for (guint i = 0; ok && i < sync->conns->len; i++) {
      Conn *conn = sync->conns->pdata[i];
      if (conn->hub)
        continue; /* the log itself is a hub connector's queue */
      PtSyncQueueSpec spec = pt_sync_connector_spec(conn->cfg);
      ok = pt_store_sync_queue(sync->store, &spec, max, &error);
    }
    if (ok && pt_store_commit(sync->store, &error)) {
      sync->outbox_seen = max;
    } else {
      pt_store_rollback(sync->store);
      g_warning("sync: cannot queue new events: %s", error->message);
      return;
    }
  }
  for (guint i = 0; i < sync->conns->len; i++) {
    Conn *conn = sync->conns->pdata[i];
    gint64 gen;
    /* `sync retry` (CLI or HTTP) bumps the generation: drop the back-off now. */
    if (pt_store_sync_retry_gen(sync->store, conn->cfg->name, &gen, NULL) &&
        gen != conn->retry_gen) {
      conn->retry_gen = gen;
      conn->backoff_until_us = 0;
      conn->backoff_attempts = 0;
    }
    dispatch(conn);
  }
}

/* The next time the outbox must be looked at with no commit to tell: a connector's back-off
 * ends, a delivery's retry is due.  Without the watch, every PT_SYNC_POLL_MS as before. */
static void
arm(PtSync *sync)
{
  gint64 now_us = g_get_monotonic_time(), now = now_ns();
  gint64 due = sync->db_watch ? G_MAXINT64 : now_us + PT_SYNC_POLL_MS * 1000;
  for (guint i = 0; i < sync->conns->len; i++) {
    Conn *conn = sync->conns->pdata[i];
    gint64 next = 0;
    if (conn->backoff_until_us > now_us)
      due = MIN(due, conn->backoff_until_us);
    if (!conn->hub && pt_store_sync_next_due(sync->store, conn->cfg->name, now, &next, NULL) &&
        next > 0)
      due = MIN(due, now_us + (next - now) / 1000);
  }
  g_source_set_ready_time(sync->timer, due == G_MAXINT64 ? -1 : due + 1000);
}

static gboolean
on_timer(gpointer data)
{
  pump(data);
  arm(data);
  return G_SOURCE_CONTINUE;
}

static void
on_db_changed(gpointer data)
{
  pump(data);
  arm(data);
}

static gboolean
timer_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  return callback(data);
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

static gboolean
on_kick(gpointer data)
{
  PtSync *sync = data;
  sync->kick_source = 0;
  for (guint i = 0; i < sync->conns->len; i++)
    dispatch(sync->conns->pdata[i]);
  arm(sync);
  return G_SOURCE_REMOVE;
}

/* A request finished: fill the freed slot without waiting for the next poll. */
void
pt_sync_kick(PtSync *sync)
{
  if (!sync->kick_source)
    sync->kick_source = g_idle_add(on_kick, sync);
}

/* ---- lifecycle --------------------------------------------------------- */

static void
conn_free(Conn *conn)
{
  while (conn->reqs)
    pt_sync_req_free(conn->reqs->data);
  pt_sync_hub_free(conn->hub);
  g_free(conn->capture_url);
  g_free(conn);
}

PtSync *
pt_sync_start(const PtConfig *config, const char *data_dir, const char *db_path, GError **error)
{
  g_autoptr(GPtrArray) connectors = pt_sync_connectors_load(config, data_dir, error);
  if (!connectors)
    return NULL;
  PtStore *store = pt_store_open(db_path, FALSE, config->busy_timeout_ms, error);
  if (!store)
    return NULL;
  gboolean ok = pt_store_set_relaxed_durability(store, error) && pt_store_begin(store, error) &&
                pt_store_sync_recover(store, error);
  gboolean any_hub = FALSE;
  for (guint i = 0; ok && i < connectors->len; i++) {
    PtSyncConnector *c = connectors->pdata[i];
    ok = pt_store_sync_connector_ensure(store, c->name, c->from_start, error) &&
         (c->type != PT_SYNC_HUB || pt_store_hub_sync_ensure(store, c->name, error));
    any_hub |= c->type == PT_SYNC_HUB;
  }
  /* A hub's requests are signed with the station key, never with a shared secret alone. */
  g_autoptr(PtKeys) keys = ok && any_hub ? pt_keys_load(data_dir, error) : NULL;
  ok = ok && (!any_hub || keys);
  if (!ok || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    pt_store_close(store);
    return NULL;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  PtSync *sync = g_new0(PtSync, 1);
  sync->config = config;
  sync->data_dir = data_dir;
  sync->store = store;
  sync->keys = g_steal_pointer(&keys);
  sync->connectors = g_steal_pointer(&connectors);
  sync->conns = g_ptr_array_new_with_free_func((GDestroyNotify)conn_free);
  sync->watches = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, remove_watch);
  sync->multi = curl_multi_init();
  curl_multi_setopt(sync->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
  curl_multi_setopt(sync->multi, CURLMOPT_SOCKETDATA, sync);
  curl_multi_setopt(sync->multi, CURLMOPT_TIMERFUNCTION, on_curl_timer);
  curl_multi_setopt(sync->multi, CURLMOPT_TIMERDATA, sync);
  curl_multi_setopt(sync->multi, CURLMOPT_PIPELINING, (long)CURLPIPE_MULTIPLEX);
  for (guint i = 0; i < sync->connectors->len; i++) {
    Conn *conn = g_new0(Conn, 1);
    conn->sync = sync;
    conn->cfg = sync->connectors->pdata[i];
    if (conn->cfg->type == PT_SYNC_EPCIS) {
      g_autofree char *base = g_strdup(conn->cfg->url);
      while (g_str_has_suffix(base, "/"))
        base[strlen(base) - 1] = '\0';
      conn->capture_url = g_strconcat(base, "/capture", NULL);
    }
    pt_store_sync_retry_gen(store, conn->cfg->name, &conn->retry_gen, NULL);
    if (conn->cfg->type == PT_SYNC_HUB)
      conn->hub = pt_sync_hub_new(conn);
    g_ptr_array_add(sync->conns, conn);
  }
  sync->timer = g_source_new(&timer_funcs, sizeof(GSource));
  g_source_set_callback(sync->timer, on_timer, sync, NULL);
  g_source_attach(sync->timer, NULL);
  if (sync->conns->len) {
    g_autoptr(GError) local = NULL;
    sync->db_watch = pt_store_watch_new(db_path, PT_SYNC_WAKE_RATE_MS, on_db_changed, sync, &local);
    if (!sync->db_watch)
      g_warning("sync: cannot watch station.db (%s): the outbox is polled every %d ms",
                local->message, PT_SYNC_POLL_MS);
    /* What a stop or an outage left goes out at once. */
    g_source_set_ready_time(sync->timer, 0);
  }
  return sync;
}

static gboolean
txn_stop_release(Req *req, gpointer data, GError **error)
{
  return pt_store_sync_release(req->conn->sync->store, req->conn->cfg->name, req_ids(req),
                               req->ids->len, 0, 0, NULL, error);
}

void
pt_sync_stop(PtSync *sync)
{
  if (!sync)
    return;
  if (sync->db_watch) {
    g_file_monitor_cancel(sync->db_watch);
    g_object_unref(sync->db_watch);
  }
  g_source_destroy(sync->timer);
  g_source_unref(sync->timer);
  if (sync->kick_source)
    g_source_remove(sync->kick_source);
  for (guint i = 0; i < sync->conns->len; i++) {
    Conn *conn = sync->conns->pdata[i];
    /* A hub connector's cursor moves only on an answer: nothing to put back. */
    for (GList *l = conn->hub ? NULL : conn->reqs; l; l = l->next)
      if (((Req *)l->data)->ids->len)
        in_txn(l->data, txn_stop_release, NULL);
  }
  g_ptr_array_unref(sync->conns);
  /* Cached connections close now; their watches go with the table. */
  curl_multi_setopt(sync->multi, CURLMOPT_SOCKETFUNCTION, NULL);
  curl_multi_setopt(sync->multi, CURLMOPT_TIMERFUNCTION, NULL);
  curl_multi_cleanup(sync->multi);
  g_hash_table_unref(sync->watches);
  if (sync->curl_timer)
    g_source_remove(sync->curl_timer);
  g_ptr_array_unref(sync->connectors);
  pt_store_close(sync->store);
  pt_keys_free(sync->keys);
  g_free(sync);
}
