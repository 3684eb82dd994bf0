/* pt-sync-status.c: sync status and retry for the CLI and the HTTP API. */
#include "pt-sync-status.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-store-hub-sync.h"
#include "pt-store-sync.h"
#include "pt-sync-config.h"
#include "pt-time.h"

#include <string.h>

/* A hub connector: the same figures as the others (pending, delivered, quarantined, last
 * error) from its cursor over the log, and the hub's own view of the station. */
static json_t *
hub_status(PtStore *store, const PtSyncConnector *c, json_t *o, GError **error)
{
  g_auto(PtHubSyncCounts) h = {0};
  g_autoptr(GPtrArray) quarantined =
      pt_store_hub_sync_ensure(store, c->name, error) &&
              pt_store_hub_sync_counts(store, c->name, &h, error)
          ? pt_store_hub_sync_quarantined(store, c->name, PT_HUB_SYNC_QUARANTINE_SHOWN, error)
          : NULL;
  g_autoptr(GPtrArray) problems =
      quarantined
          ? pt_store_hub_sync_evidence_problems(store, c->name, PT_HUB_SYNC_QUARANTINE_SHOWN, error)
          : NULL;
  if (!problems) {
    json_decref(o);
    return NULL;
  }
  gint64 now = pt_now_ns();
  json_object_set_new(o, "pending", json_integer(h.max_seq - h.cursor));
  json_object_set_new(o, "in_flight", json_integer(0));
  json_object_set_new(o, "quarantined", json_integer(h.quarantined));
  json_object_set_new(o, "oldest_pending_age_s",
                      h.oldest_ns ? json_real((double)(now - h.oldest_ns) / 1e9) : json_null());
  json_t *failures = json_object_get(o, "failures");
  for (guint i = 0; i < quarantined->len; i++) {
    PtHubQuarantined *q = quarantined->pdata[i];
    json_array_append_new(failures,
                          json_pack("{sosososisssssI}", "key", pt_json_string_or_null(q->event_id),
                                    "lot", pt_json_string_or_null(q->lot), "http_status",
                                    json_null(), "attempts", 1, "error", q->reason, "state",
                                    "quarantined", "seq", (json_int_t)q->seq));
  }
  json_t *evidence_problems = json_array();
  for (guint i = 0; i < problems->len; i++) {
    PtHubEvidenceProblem *p = problems->pdata[i];
    json_array_append_new(evidence_problems,
                          json_pack("{ssssso}", "sha256", p->sha256, "state", p->state, "error",
                                    pt_json_string_or_null(p->error)));
  }
  json_t *view = h.view ? pt_json_parse(h.view, strlen(h.view), NULL) : NULL;
  json_object_set_new(
      o, "hub",
      json_pack("{sI sI sI so so s{sI sI sI sI so}}", "last_delivered_seq", (json_int_t)h.cursor,
                "station_seq", (json_int_t)h.max_seq, "head_published_seq", (json_int_t)h.head_seq,
                "view", view ? view : json_null(), "view_at", pt_time_json(h.view_ns), "evidence",
                "wanted", (json_int_t)h.evidence_wanted, "sent", (json_int_t)h.evidence_sent,
                "missing", (json_int_t)h.evidence_missing, "refused",
                (json_int_t)h.evidence_refused, "problems", evidence_problems));
  return o;
}

static json_t *
connector_status(PtStore *store, const PtSyncConnector *c, GError **error)
{
  PtSyncQueueSpec spec = pt_sync_connector_spec(c);
  PtSyncCounts n;
  /* A connector added by hand gets its state the first time anyone looks. */
  if (!pt_store_sync_connector_ensure(store, c->name, c->from_start, error) ||
      !pt_store_sync_counts(store, &spec, &n, error))
    return NULL;
  g_autoptr(GPtrArray) failures =
      pt_store_sync_failures(store, c->name, PT_SYNC_FAILURES_SHOWN, error);
  if (!failures) {
    pt_sync_counts_clear(&n);
    return NULL;
  }
  json_t *failed = json_array();
  for (guint i = 0; i < failures->len; i++) {
    PtSyncFailure *f = failures->pdata[i];
    json_array_append_new(
        failed, json_pack("{sssssosisoss}", "key", f->key, "lot", f->lot, "http_status",
                          f->http_status ? json_integer(f->http_status) : json_null(), "attempts",
                          f->attempts, "error", pt_json_string_or_null(f->error), "state",
                          f->quarantined ? "quarantined" : "failed"));
  }
  gint64 now = pt_now_ns();
  json_t *o =
      json_pack("{ss ss ss ss sI sI sI sI sI}", "name", c->name, "type", pt_sync_type_name(c->type),
                "url", c->url, "filter", c->filter, "pending", (json_int_t)(n.pending + n.unqueued),
                "in_flight", (json_int_t)n.sending, "failed", (json_int_t)n.failed, "quarantined",
                (json_int_t)n.quarantined, "delivered", (json_int_t)n.delivered);
  json_object_set_new(o, "oldest_pending_age_s",
                      n.oldest_ns ? json_real((double)(now - n.oldest_ns) / 1e9) : json_null());
  json_object_set_new(o, "last_ok", pt_time_json(n.last_ok_ns));
  json_object_set_new(o, "last_error", pt_json_string_or_null(n.last_error));
  json_object_set_new(o, "last_error_at", pt_time_json(n.last_error_ns));
  json_object_set_new(o, "failures", failed);
  pt_sync_counts_clear(&n);
  return c->type == PT_SYNC_HUB ? hub_status(store, c, o, error) : o;
}

static gboolean
known(GPtrArray *connectors, const char *name, GError **error)
{
  for (guint i = 0; i < connectors->len; i++)
    if (strcmp(((PtSyncConnector *)connectors->pdata[i])->name, name) == 0)
      return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no sync connector %s in station.ini", name);
  return FALSE;
}

json_t *
pt_sync_status_json(const PtConfig *config, const char *data_dir, PtStore *store, const char *name,
                    GError **error)
{
  g_autoptr(GPtrArray) connectors = pt_sync_connectors_load(config, data_dir, error);
  if (!connectors || (name && !known(connectors, name, error)))
    return NULL;
  json_t *list = json_array();
  for (guint i = 0; i < connectors->len; i++) {
    PtSyncConnector *c = connectors->pdata[i];
    if (name && strcmp(c->name, name) != 0)
      continue;
    json_t *o = connector_status(store, c, error);
    if (!o) {
      json_decref(list);
      return NULL;
    }
    json_array_append_new(list, o);
  }
  return json_pack("{so}", "connectors", list);
}

gint64
pt_sync_retry(const PtConfig *config, const char *data_dir, PtStore *store, const char *name,
              gboolean failed, GError **error)
{
  g_autoptr(GPtrArray) connectors = pt_sync_connectors_load(config, data_dir, error);
  if (!connectors || (name && !known(connectors, name, error)))
    return -1;
  gint64 n = 0;
  if (!pt_store_begin(store, error))
    return -1;
  gboolean ok = pt_store_sync_retry(store, name, failed, &n, error);
  /* A hub connector's "failed" are the evidence files it could not send. */
  for (guint i = 0; ok && failed && i < connectors->len; i++) {
    PtSyncConnector *c = connectors->pdata[i];
    gint64 more = 0;
    if (c->type == PT_SYNC_HUB && (!name || strcmp(name, c->name) == 0)) {
      ok = pt_store_hub_sync_ensure(store, c->name, error) &&
           pt_store_hub_sync_evidence_retry(store, c->name, &more, error);
      n += more;
    }
  }
  if (!ok || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return -1;
  }
  return n;
}
