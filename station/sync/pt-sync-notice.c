/* pt-sync-notice.c: sending recall notices, and the worker thread of `packtrace run` that
 * sends and escalates them (pt-sync-notice.h).
 *
 * Workload: nothing at all most days; a recall sends a few dozen notices at once, a drill up to
 * a few hundred.  A round is bounded (PT_RECALL_SEND_BATCH_MAX requests, each with its own
 * timeout), so the thread is never stuck longer than one request's timeout. */
#include "pt-sync-notice.h"

#include "pt-error.h"
#include "pt-hub-client.h"
#include "pt-hub-sign.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-log.h"
#include "pt-store-recall.h"
#include "pt-store-watch.h"
#include "pt-sync-private.h"
#include "pt-time.h"

#include <gio/gio.h>
#include <string.h>

typedef struct {
  gint64 id;
  gint64 attempts;
  CURL *easy;
  struct curl_slist *headers;
  char *body;
  GString *answer;
  char errbuf[CURL_ERROR_SIZE];
  gboolean done;
  CURLcode rc;
  long status;
  char *why; /* set when it could not even be sent */
} Send;

static void
send_free(Send *s)
{
  if (s->easy)
    curl_easy_cleanup(s->easy);
  curl_slist_free_all(s->headers);
  g_free(s->body);
  g_free(s->why);
  if (s->answer)
    g_string_free(s->answer, TRUE);
  g_free(s);
}

static size_t
on_write(char *ptr, size_t size, size_t n, void *user)
{
  GString *answer = user;
  gsize len = size * n;
  gsize room = PT_RECALL_ANSWER_MAX - MIN(answer->len, (gsize)PT_RECALL_ANSWER_MAX);
  g_string_append_len(answer, ptr, (gssize)MIN(len, room));
  return len;
}

static const PtSyncConnector *
find_connector(GPtrArray *connectors, const char *name)
{
  for (guint i = 0; name && i < connectors->len; i++) {
    const PtSyncConnector *c = connectors->pdata[i];
    if (strcmp(c->name, name) == 0)
      return c;
  }
  return NULL;
}

/* Builds @s's request to @c; FALSE (with @s->why) when it cannot be made. */
static gboolean
prepare(Send *s, const PtSyncConnector *c, const char *stored, gboolean escalation,
        const PtKeys *keys, gint64 now_ns, int timeout_ms)
{
  g_autoptr(GError) local = NULL;
  json_t *body = pt_json_parse(stored, strlen(stored), &local);
  if (!body) {
    s->why = g_strdup_printf("the stored notice does not parse: %s", local->message);
    return FALSE;
  }
  /* The second notice of an escalation says so; the rest is the first one's. */
  if (escalation) {
    json_object_set_new(body, "escalation", json_true());
    json_object_set_new(body, "escalated", pt_time_json(now_ns));
  }
  s->body = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
  const char *notice_id = json_string_value(json_object_get(body, "notice_id"));
  gboolean drill = json_is_true(json_object_get(body, "drill"));
  g_autofree char *key = g_strdup_printf("Idempotency-Key: %s%s", notice_id ? notice_id : "",
                                         escalation ? "#escalation" : "");
  g_autofree char *kind = g_strdup_printf(
      "X-Packtrace-Notice: %s", drill ? "drill" : json_string_value(json_object_get(body, "kind")));
  json_decref(body);
  gsize len = strlen(s->body);
  /* A hub takes the notice at its own endpoint; a webhook at its URL. */
  g_autofree char *url =
      c->type == PT_SYNC_HUB ? pt_hub_client_url(c->url, PT_HUB_NOTICES_PATH) : g_strdup(c->url);
  g_auto(GStrv) auth = pt_hub_client_sign(keys, "POST", url, s->body, len, now_ns, &local);
  if (!auth) {
    s->why = g_strdup_printf("cannot sign for %s: %s", url, local->message);
    return FALSE;
  }
  s->headers = curl_slist_append(s->headers, "Content-Type: application/json");
  s->headers = curl_slist_append(s->headers, key);
  s->headers = curl_slist_append(s->headers, kind);
  for (guint i = 0; auth[i]; i++)
    s->headers = curl_slist_append(s->headers, auth[i]);
  if (c->secret) {
    g_autofree char *sig = pt_sync_webhook_signature(c->secret, s->body, len);
    g_autofree char *line = g_strconcat("X-Packtrace-Signature: ", sig, NULL);
    s->headers = curl_slist_append(s->headers, line);
  }
  if (c->bearer) {
    g_autofree char *line = g_strconcat("Authorization: Bearer ", c->bearer, NULL);
    s->headers = curl_slist_append(s->headers, line);
  }
  s->answer = g_string_new(NULL);
  CURL *e = s->easy = curl_easy_init();
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, s->headers);
  curl_easy_setopt(e, CURLOPT_POSTFIELDS, s->body);
  curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, s->answer);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, s->errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)MIN(timeout_ms, c->connect_timeout_ms));
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)MIN(timeout_ms, c->timeout_ms));
  curl_easy_setopt(e, CURLOPT_PROXY, c->proxy ? c->proxy : "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "packtrace/" PACKTRACE_VERSION);
  curl_easy_setopt(e, CURLOPT_PRIVATE, s);
  if (c->ca_file)
    curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_file);
  return TRUE;
}

/* When a failed notice is tried again: 0 (never) for an answer that will not change. */
static gint64
next_try(const Send *s, gint64 now_ns)
{
  gboolean transient = s->rc != CURLE_OK || s->status == 408 || s->status == 409 ||
                       s->status == 425 || s->status == 429 || s->status >= 500;
  if (!transient || s->attempts + 1 >= PT_RECALL_ATTEMPTS_MAX)
    return 0;
  gint64 wait_s = MIN((gint64)1 << MIN(s->attempts, 20), (gint64)PT_RECALL_RETRY_MAX_S);
  return now_ns + wait_s * G_GINT64_CONSTANT(1000000000);
}

static gboolean
record(PtStore *store, GPtrArray *sends, PtNoticeRound *round, GError **error)
{
  gint64 now = pt_now_ns();
  if (!pt_store_begin(store, error))
    return FALSE;
  for (guint i = 0; i < sends->len; i++) {
    Send *s = sends->pdata[i];
    gboolean ok = !s->why && s->rc == CURLE_OK && s->status >= 200 && s->status < 300;
    g_autofree char *why =
        s->why ? g_strdup(s->why)
        : s->rc != CURLE_OK
            ? g_strdup_printf("%s", s->errbuf[0] ? s->errbuf : curl_easy_strerror(s->rc))
        : !ok ? g_strdup_printf("HTTP %ld: %.200s", s->status, s->answer->str)
              : NULL;
    gint64 next = ok || s->why ? 0 : next_try(s, now);
    if (!pt_store_notice_delivery(store, s->id, ok, (int)s->status, why, now, next, error)) {
      pt_store_rollback(store);
      return FALSE;
    }
    round->delivered += ok;
    round->failed += !ok && next == 0;
    if (!ok)
      pt_log(G_LOG_LEVEL_WARNING, (PtLogSubject){0}, "recall notice %" G_GINT64_FORMAT ": %s%s",
             s->id, why, next ? " (will retry)" : " (failed for good)");
  }
  return pt_store_commit(store, error);
}

gboolean
pt_sync_notices_send(PtStore *store, const PtConfig *config, const char *data_dir,
                     const PtKeys *keys, gint64 now_ns, int timeout_ms, PtNoticeRound *round_out,
                     GError **error)
{
  PtNoticeRound round = {0};
  g_autoptr(GPtrArray) connectors = pt_sync_connectors_load(config, data_dir, error);
  if (!connectors)
    return FALSE;
  json_t *due = pt_store_notices_due(store, now_ns, PT_RECALL_SEND_BATCH_MAX, error);
  if (!due)
    return FALSE;
  g_autoptr(GPtrArray) sends = g_ptr_array_new_with_free_func((GDestroyNotify)send_free);
  CURLM *multi = curl_multi_init();
  gsize i;
  json_t *n;
  json_array_foreach(due, i, n)
  {
    Send *s = g_new0(Send, 1);
    s->id = json_integer_value(json_object_get(n, "id"));
    s->attempts = json_integer_value(json_object_get(n, "attempts"));
    g_ptr_array_add(sends, s);
    const char *name = json_string_value(json_object_get(n, "connector"));
    const PtSyncConnector *c = find_connector(connectors, name);
    if (!c) {
      s->why = g_strdup_printf("connector %s is no longer in station.ini", name ? name : "");
      continue;
    }
    if (!prepare(s, c, json_string_value(json_object_get(n, "body")),
                 json_integer_value(json_object_get(n, "escalation")) != 0, keys, now_ns,
                 timeout_ms))
      continue;
    curl_multi_add_handle(multi, s->easy);
    round.sent++;
  }
  json_decref(due);
  int running = 0;
  do {
    CURLMcode mc = curl_multi_perform(multi, &running);
    if (mc == CURLM_OK && running)
      mc = curl_multi_poll(multi, NULL, 0, 200, NULL);
    if (mc != CURLM_OK)
      break;
    CURLMsg *msg;
    int left;
    while ((msg = curl_multi_info_read(multi, &left))) {
      if (msg->msg != CURLMSG_DONE)
        continue;
      Send *s = NULL;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
      s->rc = msg->data.result;
      curl_easy_getinfo(msg->easy_handle, CURLINFO_RESPONSE_CODE, &s->status);
      s->done = TRUE;
    }
  } while (running);
  for (guint j = 0; j < sends->len; j++) {
    Send *s = sends->pdata[j];
    if (s->easy)
      curl_multi_remove_handle(multi, s->easy);
    if (s->easy && !s->done && !s->why)
      s->rc = CURLE_OPERATION_TIMEDOUT;
  }
  curl_multi_cleanup(multi);
  gboolean ok = sends->len == 0 || record(store, sends, &round, error);
  if (round_out)
    *round_out = round;
  return ok;
}

/* The buyers' notices still open that a hub may hold an acknowledgement of: a JSON array of
 * their ids (empty when none).  Returns: (transfer full). */
static json_t *
open_buyer_notices(PtStore *store, GError **error)
{
  json_t *all = pt_store_notices_list(store, 0, NULL, PT_RECALL_LIST_MAX, error);
  if (!all)
    return NULL;
  json_t *ids = json_array();
  gsize i;
  json_t *n;
  json_array_foreach(all, i, n)
  {
    const char *state = json_string_value(json_object_get(n, "state"));
    if (!g_strcmp0(json_string_value(json_object_get(n, "recipient")), "buyer") &&
        json_is_string(json_object_get(n, "gln")) && g_strcmp0(state, "acknowledged") != 0)
      json_array_append(ids, json_object_get(n, "id"));
  }
  json_decref(all);
  return ids;
}

/* Records one acknowledgement @ack the hub holds, as the portal would: only for the buyer's
 * notice of that GLN, and only the first (one made on the station's own portal stands). */
static gboolean
record_hub_ack(PtStore *store, json_t *ack, const char *hub, guint *n_recorded, GError **error)
{
  gint64 id = json_integer_value(json_object_get(ack, "notice"));
  const char *gln = json_string_value(json_object_get(ack, "gln"));
  const char *by = json_string_value(json_object_get(ack, "by"));
  const char *action = json_string_value(json_object_get(ack, "action"));
  json_t *on_hand = json_object_get(ack, "quantity_on_hand");
  gint64 when = 0;
  if (id < 1 || !gln || !by || !action || !json_is_number(on_hand) ||
      !pt_time_parse(json_string_value(json_object_get(ack, "acknowledged")), &when, NULL)) {
    pt_log(G_LOG_LEVEL_WARNING, (PtLogSubject){0}, "hub %s: a malformed acknowledgement, ignored",
           hub);
    return TRUE;
  }
  if (!pt_store_begin(store, error))
    return FALSE;
  g_autoptr(GError) local = NULL;
  json_t *n = pt_store_notice_get(store, id, &local);
  gboolean ours = n && !g_strcmp0(json_string_value(json_object_get(n, "recipient")), "buyer") &&
                  !g_strcmp0(json_string_value(json_object_get(n, "gln")), gln);
  gboolean open =
      ours && g_strcmp0(json_string_value(json_object_get(n, "state")), "acknowledged") != 0;
  json_decref(n);
  if (open &&
      !pt_store_notice_ack(store, id, by, json_number_value(on_hand), action, when, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  if (!ours)
    pt_log(G_LOG_LEVEL_WARNING, (PtLogSubject){0},
           "hub %s: an acknowledgement of notice %" G_GINT64_FORMAT
           " by %s, not its buyer: ignored",
           hub, id, gln);
  *n_recorded += open;
  return pt_store_commit(store, error);
}

/* Asks each hub connector for the acknowledgements of the buyers' notices still open. */
static gboolean
pull_hub_acks(PtStore *store, const PtConfig *config, const char *data_dir, const PtKeys *keys,
              guint *n_recorded, gboolean *any_hub_out, gboolean *waits_out, GError **error)
{
  *waits_out = *any_hub_out = FALSE;
  g_autoptr(GPtrArray) connectors = pt_sync_connectors_load(config, data_dir, error);
  if (!connectors)
    return FALSE;
  gboolean any_hub = FALSE;
  for (guint i = 0; i < connectors->len; i++)
    any_hub |= ((PtSyncConnector *)connectors->pdata[i])->type == PT_SYNC_HUB;
  *any_hub_out = any_hub;
  if (!any_hub)
    return TRUE;
  json_t *ids = open_buyer_notices(store, error);
  if (!ids)
    return FALSE;
  *waits_out = json_array_size(ids) > 0;
  gboolean ok = TRUE;
  for (guint i = 0; ok && json_array_size(ids) && i < connectors->len; i++) {
    const PtSyncConnector *c = connectors->pdata[i];
    if (c->type != PT_SYNC_HUB)
      continue;
    PtHubTarget target = {
        .url = c->url, .ca_file = c->ca_file, .proxy = c->proxy, .timeout_ms = c->timeout_ms};
    json_t *body = json_pack("{sO}", "notices", ids);
    long status = 0;
    g_autoptr(GError) local = NULL;
    json_t *answer =
        pt_hub_client_call(&target, keys, "POST", PT_HUB_NOTICE_ACKS_PATH, body, &status, &local);
    json_decref(body);
    /* The hub away is the sync connector's to report; this asks again next time. */
    if (!answer || status != 200) {
      pt_log(G_LOG_LEVEL_DEBUG, (PtLogSubject){0}, "hub %s: acknowledgements not read: %s", c->name,
             answer ? "HTTP error" : local->message);
      json_decref(answer);
      continue;
    }
    gsize j;
    json_t *ack;
    json_array_foreach(json_object_get(answer, "acks"), j, ack)
    {
      if (!(ok = record_hub_ack(store, ack, c->name, n_recorded, error)))
        break;
    }
    json_decref(answer);
  }
  json_decref(ids);
  return ok;
}

struct _PtNoticeWorker {
  const PtConfig *config;
  const char *data_dir;
  const PtKeys *keys;
  gint64 ack_deadline_ns;
  gint64 next_hub_ack_ns; /* when to ask the hubs for acknowledgements next */
  gboolean any_hub;       /* a hub connector, as the last ask found */
  gboolean hub_waits;     /* a hub connector, and a buyer's notice open: ask again then */
  PtStore *store;
  GThread *thread;
  GMutex lock;
  GCond wake;
  gboolean stop, kicked;
  GFileMonitor *db_watch; /* main thread: station.db's log changed */
};

/* One round: escalates what is overdue, sends what is due, asks the hubs for acks when it is
 * time.  Returns when to run again (monotonic us): the next delivery or deadline, the next ask
 * of a hub while a buyer's notice is open, at most PT_RECALL_IDLE_WAKE_S away; a write to
 * station.db (a recall from the command line) wakes the thread before that. */
static gint64
worker_round(PtNoticeWorker *w)
{
  g_autoptr(GError) error = NULL;
  gint64 now = pt_now_ns();
  int escalated = 0;
  gboolean overdue = FALSE;
  /* The write lock only when a notice is overdue: the HTTP workers and the CLI write the same
   * database. */
  if (!pt_store_notices_overdue(w->store, now - w->ack_deadline_ns, &overdue, &error))
    goto out_log;
  if (overdue && !pt_store_begin(w->store, &error))
    goto out_log;
  if (overdue &&
      !pt_store_notices_escalate(w->store, now - w->ack_deadline_ns, now, &escalated, &error)) {
    pt_store_rollback(w->store);
    goto out_log;
  }
  if (overdue && !pt_store_commit(w->store, &error))
    goto out_log;
  if (escalated)
    pt_log(G_LOG_LEVEL_WARNING, (PtLogSubject){0},
           "%d recall notice(s) not acknowledged in time: escalated", escalated);
  if (!pt_sync_notices_send(w->store, w->config, w->data_dir, w->keys, now,
                            PT_RECALL_SEND_TIMEOUT_MS, NULL, &error))
    goto out_log;
  if (now >= w->next_hub_ack_ns) {
    guint acked = 0;
    w->next_hub_ack_ns = now + PT_RECALL_HUB_ACK_POLL_S * G_GINT64_CONSTANT(1000000000);
    if (!pull_hub_acks(w->store, w->config, w->data_dir, w->keys, &acked, &w->any_hub,
                       &w->hub_waits, &error))
      goto out_log;
    if (acked)
      pt_log(G_LOG_LEVEL_INFO, (PtLogSubject){0},
             "%u recall notice(s) acknowledged by their buyers on the hub", acked);
  }
  gint64 next = 0;
  gboolean open = FALSE;
  if (!pt_store_notices_next(w->store, w->ack_deadline_ns, &next, &open, &error))
    goto out_log;
  /* A buyer's notice written since the last ask (a recall made after it) waits on the hub too:
   * without this the next ask came only with the next write, or PT_RECALL_IDLE_WAKE_S later. */
  if (open && w->any_hub && !w->hub_waits) {
    json_t *ids = open_buyer_notices(w->store, &error);
    if (!ids)
      goto out_log;
    w->hub_waits = json_array_size(ids) > 0;
    json_decref(ids);
  }
  gint64 until = now + PT_RECALL_IDLE_WAKE_S * G_GINT64_CONSTANT(1000000000);
  if (next)
    until = MIN(until, MAX(next, now));
  if (open && w->hub_waits)
    until = MIN(until, w->next_hub_ack_ns);
  return g_get_monotonic_time() + (until - now) / 1000;

out_log:
  pt_log(G_LOG_LEVEL_WARNING, (PtLogSubject){0}, "recall notices: %s", error->message);
  /* The database busy or away: try again in a second. */
  return g_get_monotonic_time() + G_USEC_PER_SEC;
}

static gpointer
worker_main(gpointer data)
{
  PtNoticeWorker *w = data;
  g_mutex_lock(&w->lock);
  while (!w->stop) {
    w->kicked = FALSE;
    g_mutex_unlock(&w->lock);
    gint64 until = worker_round(w);
    g_mutex_lock(&w->lock);
    while (!w->stop && !w->kicked)
      if (!g_cond_wait_until(&w->wake, &w->lock, until))
        break;
  }
  g_mutex_unlock(&w->lock);
  return NULL;
}

/* Main thread: a transaction committed to station.db, here or in another process. */
static void
on_db_changed(gpointer data)
{
  pt_notice_worker_kick(data);
}

PtNoticeWorker *
pt_notice_worker_start(const PtConfig *config, const char *data_dir, const char *db_path,
                       const PtKeys *keys, gint64 ack_deadline_ns, GError **error)
{
  PtStore *store = pt_store_open(db_path, FALSE, config->busy_timeout_ms, error);
  if (!store)
    return NULL;
  PtNoticeWorker *w = g_new0(PtNoticeWorker, 1);
  w->config = config;
  w->data_dir = data_dir;
  w->keys = keys;
  w->ack_deadline_ns = ack_deadline_ns;
  w->store = store;
  g_mutex_init(&w->lock);
  g_cond_init(&w->wake);
  /* Notices a recall writes wake the thread (inotify on the write-ahead log; nothing polls).
   * Without the watch it still wakes at every due moment and every PT_RECALL_IDLE_WAKE_S. */
  g_autoptr(GError) local = NULL;
  w->db_watch = pt_store_watch_new(db_path, PT_RECALL_WAKE_RATE_MS, on_db_changed, w, &local);
  if (!w->db_watch)
    pt_log(G_LOG_LEVEL_WARNING, (PtLogSubject){0},
           "recall notices: cannot watch %s-wal (%s): a recall from the command line is sent "
           "within %d s",
           db_path, local->message, PT_RECALL_IDLE_WAKE_S);
  w->thread = g_thread_new("pt-notices", worker_main, w);
  return w;
}

void
pt_notice_worker_kick(PtNoticeWorker *w)
{
  g_mutex_lock(&w->lock);
  w->kicked = TRUE;
  g_cond_signal(&w->wake);
  g_mutex_unlock(&w->lock);
}

void
pt_notice_worker_stop(PtNoticeWorker *w)
{
  if (!w)
    return;
  if (w->db_watch) {
    g_file_monitor_cancel(w->db_watch);
    g_clear_object(&w->db_watch);
  }
  g_mutex_lock(&w->lock);
  w->stop = TRUE;
  g_cond_signal(&w->wake);
  g_mutex_unlock(&w->lock);
  g_thread_join(w->thread);
  pt_store_close(w->store);
  g_mutex_clear(&w->lock);
  g_cond_clear(&w->wake);
  g_free(w);
}
