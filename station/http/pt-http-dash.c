/* pt-http-dash.c: the operator dashboard's live routes.
 *
 *   GET  /api/v1/status                        disk, retention, print queue, sync, cameras,
 *                                              the station's time zone and the alerts drawn
 *                                              from them and from held or recalled batches
 *                                              on open loads (the print queue's part is
 *                                              pt-http-print.c's, with the printing routes)
 *   GET  /api/v1/cameras/{name}/thumbnail.jpg  the camera's live JPEG (pt-thumbs.h)
 *   POST /api/v1/batches/{id}/grading/open     {"declared_class": "Extra|I|II", "profile",
 *                                              "mm_per_px"}: opens the batch's grading (201)
 *   POST /api/v1/batches/{id}/grading/close    closes it: the signed inspecting event with
 *                                              its tolerance decision; answers the grading
 *   GET  /api/v1/grades?batches=1,2,3          each batch's last closed grading (class,
 *                                              disposition), the batch list's verdict
 *   GET  /api/v1/batches/{id}/grading/stills   the evidence stills of the batch's newest
 *                                              grading: fruit graded below the declared
 *                                              class, with class and defect
 *   GET  /api/v1/gradings/{g}/stills/{f}.jpg   one of them; written once and never changed,
 *                                              so cached privately for a day (ETag, 304)
 *
 * All operator only (they show the shed and the printers).  The dashboard polls them every
 * second or few; each is a handful of indexed reads, a statvfs() and at most one JPEG encode
 * per camera and second. */
#include "pt-http-dash.h"

#include "pt-http-print.h"
#include "pt-http-respond.h"

#include "pt-batch.h"
#include "pt-clock.h"
#include "pt-error.h"
#include "pt-grading.h"
#include "pt-json.h"
#include "pt-label-batch.h"
#include "pt-labels-limits.h"
#include "pt-limits.h"
#include "pt-print-queue.h"
#include "pt-recall.h"
#include "pt-recorder.h"
#include "pt-recording-config.h"
#include "pt-store-dash.h"
#include "pt-store-grading.h"
#include "pt-store-hub-sync.h"
#include "pt-sync-status.h"
#include "pt-time.h"

#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

/* One alert: @kind camera | recording | disk | sync | clock | load-batch | recall (printer: see
 * pt-http-print.c); @since
 * nullable.  The text does not repeat the kind (the dashboard shows it before the text).
 * Returns: (transfer none) the alert, for the fields of its kind. */
static json_t *add_alert(json_t *alerts, const char *kind, const char *subject, json_t *since,
                         const char *fmt, ...) G_GNUC_PRINTF(5, 6);
static json_t *
add_alert(json_t *alerts, const char *kind, const char *subject, json_t *since, const char *fmt,
          ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *text = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  json_t *a = json_pack("{ssss}", "kind", kind, "text", text);
  json_object_set_new(a, "subject", pt_json_string_or_null(subject));
  json_object_set_new(a, "since", since ? since : json_null());
  json_array_append_new(alerts, a);
  return a;
}

static json_t *
disk_json(PtHttp *http, json_t *alerts, GError **error)
{
  const char *dir = http->station->dir;
  struct statvfs st;
  if (statvfs(dir, &st) != 0) {
    int e = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "statvfs %s: %s", dir, g_strerror(e));
    return NULL;
  }
  guint64 total = (guint64)st.f_blocks * st.f_frsize;
  guint64 avail = (guint64)st.f_bavail * st.f_frsize;
  guint64 used = total - (guint64)st.f_bfree * st.f_frsize;
  double free_pct = total ? 100.0 * (double)avail / (double)total : 0.0;
  int low_pct = http->station->config->disk_low_percent;
  gboolean low = low_pct > 0 && free_pct < low_pct;
  if (low)
    add_alert(alerts, "disk", dir, NULL, "disk low: %.1f%% free (%.1f GB) on %s, alert under %d%%",
              free_pct, (double)avail / 1e9, dir, low_pct);
  /* Clips, stills and segments are many small files: inodes can run out before bytes. */
  double inodes_pct = st.f_files ? 100.0 * (double)st.f_favail / (double)st.f_files : 100.0;
  if (low_pct > 0 && st.f_files && inodes_pct < low_pct)
    add_alert(alerts, "disk", dir, NULL, "inodes low: %.1f%% free on %s, alert under %d%%",
              inodes_pct, dir, low_pct);
  return json_pack("{sssIsIsIsfsfsisb}", "path", dir, "total_bytes", (json_int_t)total,
                   "used_bytes", (json_int_t)used, "free_bytes", (json_int_t)avail, "free_percent",
                   free_pct, "inodes_free_percent", inodes_pct, "low_percent", low_pct, "low", low);
}

/* [recording]'s policy as the recorder reads it; null when the section is wrong (the
 * recorder has said why in its own alert). */
static json_t *
retention_json(PtHttp *http, PtStore *store, GError **error)
{
  gint64 recorded = 0;
  if (!pt_store_recorded_bytes(store, &recorded, error))
    return NULL;
  g_autoptr(GError) local = NULL;
  g_autoptr(PtRecordingConfig) rc = pt_recording_config_load(http->station, &local);
  json_t *o = json_pack("{sI}", "recordings_bytes", (json_int_t)recorded);
  json_object_set_new(o, "quota_bytes",
                      rc ? json_integer((json_int_t)rc->quota_bytes) : json_null());
  json_object_set_new(o, "min_free_bytes",
                      rc ? json_integer((json_int_t)rc->min_free_bytes) : json_null());
  json_object_set_new(o, "evidence_retention_days",
                      rc ? json_integer(rc->evidence_days) : json_null());
  return o;
}

/* A connector fails when deliveries gave up, or when its newest answer is an error and
 * something is still waiting. */
static json_t *
sync_json(PtHttp *http, PtStore *store, json_t *alerts, GError **error)
{
  json_t *status =
      pt_sync_status_json(http->station->config, http->station->dir, store, NULL, error);
  if (!status)
    return NULL;
  json_t *list = json_array();
  size_t i;
  json_t *c;
  json_array_foreach(json_object_get(status, "connectors"), i, c)
  {
    const char *name = json_string_value(json_object_get(c, "name"));
    json_int_t pending = json_integer_value(json_object_get(c, "pending"));
    json_int_t failed = json_integer_value(json_object_get(c, "failed"));
    const char *last_error = json_string_value(json_object_get(c, "last_error"));
    const char *err_at = json_string_value(json_object_get(c, "last_error_at"));
    const char *ok_at = json_string_value(json_object_get(c, "last_ok"));
    /* RFC 3339 UTC stamps of one format compare as text. */
    gboolean failing = failed > 0 || (last_error && pending > 0 && g_strcmp0(err_at, ok_at) > 0);
    if (failing)
      add_alert(alerts, "sync", name, err_at ? json_string(err_at) : NULL,
                "sync %s failing: %" JSON_INTEGER_FORMAT " pending, %" JSON_INTEGER_FORMAT
                " failed%s%s",
                name, pending, failed, last_error ? ": " : "", last_error ? last_error : "");
    json_int_t quarantined = json_integer_value(json_object_get(c, "quarantined"));
    if (quarantined > 0) {
      /* The first of them names the lot and what the platform said; the rest are in
       * GET /api/v1/sync and `packtrace sync status`. */
      json_t *first = NULL;
      size_t j;
      json_t *f;
      json_array_foreach(json_object_get(c, "failures"), j, f)
      {
        if (!first && g_strcmp0(json_string_value(json_object_get(f, "state")), "quarantined") == 0)
          first = f;
      }
      const char *lot = first ? json_string_value(json_object_get(first, "lot")) : NULL;
      const char *why = first ? json_string_value(json_object_get(first, "error")) : NULL;
      add_alert(alerts, "sync-quarantine", name, NULL,
                "sync %s: %" JSON_INTEGER_FORMAT
                " event(s) refused by the platform and quarantined (the queue goes on)%s%s%s%s",
                name, quarantined, lot ? "; lot " : "", lot ? lot : "", why ? ": " : "",
                why ? why : "");
    }
    json_t *o = json_pack("{sssIsIsIsb}", "name", name, "pending", (json_int_t)pending, "failed",
                          (json_int_t)failed, "quarantined", quarantined, "failing", failing);
    json_object_set(o, "last_ok", json_object_get(c, "last_ok"));
    json_object_set(o, "last_error", json_object_get(c, "last_error"));
    json_object_set(o, "oldest_pending_age_s", json_object_get(c, "oldest_pending_age_s"));
    json_array_append_new(list, o);
  }
  json_decref(status);
  return list;
}

/* The recorder's cameras with an alert for each one not recording, and its own alerts
 * (recording disabled, retention) that name no camera. */
static json_t *
cameras_json(PtHttp *http, json_t *alerts)
{
  PtRecorder *recorder = g_atomic_pointer_get(&http->recorder);
  if (!recorder)
    return json_array();
  json_t *status = pt_recorder_status(recorder);
  json_t *cams = json_incref(json_object_get(status, "cameras"));
  size_t i;
  json_t *c;
  json_array_foreach(cams, i, c)
  {
    const char *state = json_string_value(json_object_get(c, "state"));
    if (g_strcmp0(state, "recording") == 0 || g_strcmp0(state, "starting") == 0)
      continue;
    const char *name = json_string_value(json_object_get(c, "name"));
    const char *why = json_string_value(json_object_get(c, "last_error"));
    add_alert(alerts, "camera", name, json_incref(json_object_get(c, "since")),
              "camera %s %s since %s%s%s", name, state,
              json_string_value(json_object_get(c, "since")), why ? ": " : "", why ? why : "");
  }
  json_t *texts = json_object_get(status, "alerts");
  json_t *t;
  json_array_foreach(texts, i, t)
  {
    /* Camera alerts are already there, with their state and since. */
    gboolean of_camera = FALSE;
    size_t j;
    json_array_foreach(cams, j, c)
    {
      const char *name = json_string_value(json_object_get(c, "name"));
      if (g_str_has_prefix(json_string_value(t), name) && json_string_value(t)[strlen(name)] == ':')
        of_camera = TRUE;
    }
    if (!of_camera)
      add_alert(alerts, "recording", NULL, NULL, "%s", json_string_value(t));
  }
  json_decref(status);
  return cams;
}

/* The grading `packtrace run` feeds (the newest open one), for the live counters; null when
 * none is open. */
static json_t *
open_grading_json(PtStore *store, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(PtGradingRow) grading = pt_store_grading_newest_open(store, &local);
  if (!grading && g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
    return json_null();
  g_autoptr(PtBatch) batch = grading ? pt_store_batch_get(store, grading->batch_id, &local) : NULL;
  if (!batch) {
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  g_autofree char *opened = pt_time_format(grading->opened_ns);
  return json_pack("{sIsIssssss}", "id", (json_int_t)grading->id, "batch_id", (json_int_t)batch->id,
                   "lot", batch->lot, "product", batch->product, "opened", opened);
}

/* A held or recalled batch still on an open load: closing that load is refused until the
 * batch is taken off.  The alert carries load, plate, lot, status and reason for the
 * dashboard's own words and its "take off" action. */
static gboolean
held_alerts(PtStore *store, json_t *alerts, GError **error)
{
  g_autoptr(GPtrArray) held = pt_store_held_on_open_loads(store, PT_DASH_HELD_MAX, error);
  if (!held)
    return FALSE;
  for (guint i = 0; i < held->len; i++) {
    const PtDashHeld *h = g_ptr_array_index(held, i);
    json_t *a =
        add_alert(alerts, "load-batch", h->lot, NULL,
                  "%s is %s%s%s and on open load %" G_GINT64_FORMAT " (%s)", h->lot, h->status,
                  h->reason ? ": " : "", h->reason ? h->reason : "", h->load_id, h->plate);
    json_object_set_new(a, "load", json_integer((json_int_t)h->load_id));
    json_object_set_new(a, "plate", json_string(h->plate));
    json_object_set_new(a, "batch_id", json_integer((json_int_t)h->batch_id));
    json_object_set_new(a, "lot", json_string(h->lot));
    json_object_set_new(a, "status", json_string(h->status));
    json_object_set_new(a, "reason", pt_json_string_or_null(h->reason));
  }
  return TRUE;
}

/* A recall (or hold, or drill) with a buyer who did not acknowledge by [recall] ack_deadline:
 * the escalation's alert, with the recall's progress for the dashboard's own words. */
static gboolean
recall_alerts(PtStore *store, json_t *alerts, GError **error)
{
  json_t *all = pt_recall_progress(store, 0, error);
  if (!all)
    return FALSE;
  gsize i;
  json_t *r;
  json_array_foreach(json_object_get(all, "recalls"), i, r)
  {
    json_int_t escalated = json_integer_value(json_object_get(r, "escalated"));
    json_int_t acked = json_integer_value(json_object_get(r, "acknowledged"));
    json_int_t buyers = json_integer_value(json_object_get(r, "buyers"));
    if (!escalated || acked >= buyers)
      continue;
    const char *lot = json_string_value(json_object_get(r, "lot"));
    json_t *a = add_alert(alerts, "recall", lot, NULL,
                          "%s of %s: %s; %" JSON_INTEGER_FORMAT
                          " escalated (not acknowledged by the deadline)",
                          json_string_value(json_object_get(r, "kind")), lot,
                          json_string_value(json_object_get(r, "progress")), escalated);
    json_object_set(a, "recall", json_object_get(r, "id"));
    json_object_set(a, "kind_of_recall", json_object_get(r, "kind"));
  }
  json_decref(all);
  return TRUE;
}

/* The clock that signs every event: synchronised by a time service, and within
 * [alerts] clock_skew_s of each co-op hub's clock (read by the hub connector from its answers'
 * Date, pt-sync-hub.c, believed for PT_CLOCK_HUB_FRESH_S), or an alert. */
static json_t *
clock_json(PtHttp *http, PtStore *store, json_t *alerts, GError **error)
{
  PtClockStatus clock;
  pt_clock_status(&clock);
  g_autofree char *alert = pt_clock_alert(&clock);
  if (alert)
    add_alert(alerts, "clock", NULL, NULL, "%s", alert);
  g_autoptr(GPtrArray) clocks = pt_store_hub_clocks(store, error);
  if (!clocks)
    return NULL;
  gint64 now = pt_now_ns(), tolerance_ms = http->station->config->clock_skew_s * 1000;
  json_t *hubs = json_array();
  for (guint i = 0; i < clocks->len; i++) {
    const PtHubClock *h = clocks->pdata[i];
    gboolean fresh = now - h->at_ns < PT_CLOCK_HUB_FRESH_S * G_GINT64_CONSTANT(1000000000);
    gboolean off = fresh && tolerance_ms && ABS(h->skew_ms) > tolerance_ms;
    json_array_append_new(hubs,
                          json_pack("{sssfsosb}", "connector", h->connector, "skew_s",
                                    h->skew_ms / 1000.0, "at", pt_time_json(h->at_ns), "off", off));
    if (off)
      add_alert(alerts, "clock", h->connector, pt_time_json(h->at_ns),
                "the station's clock is %.0f s %s hub %s's (the Date of its answers), more than "
                "the %d s allowed: signed times may be wrong; check the time service",
                ABS(h->skew_ms) / 1000.0, h->skew_ms > 0 ? "behind" : "ahead of", h->connector,
                http->station->config->clock_skew_s);
  }
  return json_pack("{sbsbsfso}", "known", clock.known, "synchronised", clock.synchronised,
                   "max_error_s", clock.max_error_s, "hubs", hubs);
}

static enum MHD_Result
get_status(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *alerts = json_array();
  json_t *out = json_pack("{soss}", "time", pt_time_json(pt_now_ns()), "time_zone",
                          http->station->config->time_zone);
  json_t *v;
  if (!held_alerts(store, alerts, &error) || !recall_alerts(store, alerts, &error))
    goto fail;
  json_object_set_new(out, "cameras", cameras_json(http, alerts));
  if (!(v = disk_json(http, alerts, &error)))
    goto fail;
  json_object_set_new(out, "disk", v);
  if (!(v = retention_json(http, store, &error)))
    goto fail;
  json_object_set_new(out, "retention", v);
  if (!(v = pt_http_print_status(http, store, alerts, &error)))
    goto fail;
  json_object_set_new(out, "print", v);
  if (!(v = sync_json(http, store, alerts, &error)))
    goto fail;
  json_object_set_new(out, "sync", v);
  if (!(v = open_grading_json(store, &error)))
    goto fail;
  json_object_set_new(out, "grading", v);
  if (!(v = clock_json(http, store, alerts, &error)))
    goto fail;
  json_object_set_new(out, "clock", v);
  json_object_set_new(out, "alerts", alerts);
  return pt_http_respond_json(c, MHD_HTTP_OK, out, NULL);
fail:
  json_decref(alerts);
  json_decref(out);
  return pt_http_respond_gerror(c, error);
}

static enum MHD_Result
get_thumbnail(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  const char *name = call->args[0];
  PtRecorder *recorder = g_atomic_pointer_get(&call->http->recorder);
  g_autoptr(GError) error = NULL;
  gint64 utc_ns = -1;
  g_autoptr(GBytes) jpeg = NULL;
  if (!recorder)
    g_set_error(&error, PT_ERROR, PT_ERROR_NOT_FOUND, "no camera called %s", name);
  else
    jpeg = pt_recorder_thumbnail(recorder, name, &utc_ns, &error);
  /* No frame yet is the normal first answer (the request opens the tap): no warning. */
  if (!jpeg && g_error_matches(error, PT_ERROR, PT_ERROR_BUSY))
    return pt_http_respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, error->message, NULL);
  if (!jpeg)
    return pt_http_respond_gerror(c, error);
  gsize len;
  const void *data = g_bytes_get_data(jpeg, &len);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "image/jpeg");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  if (utc_ns > 0) {
    g_autofree char *when = pt_time_format(utc_ns);
    MHD_add_response_header(r, "X-Frame-Time", when);
  }
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

/* Parses @name, a comma-separated list of at most @max ids, into @ids. */
static gboolean
query_ids(struct MHD_Connection *c, const char *name, guint max, GArray *ids, GError **error)
{
  const char *text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  g_auto(GStrv) parts = g_strsplit(text ? text : "", ",", (gint)max + 1);
  for (guint i = 0; parts[i]; i++) {
    guint64 n;
    if (g_strv_length(parts) > max ||
        !g_ascii_string_to_unsigned(parts[i], 10, 1, G_MAXINT64, &n, NULL)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s is a comma-separated list of up to %u ids",
                  name, max);
      return FALSE;
    }
    gint64 v = (gint64)n;
    g_array_append_val(ids, v);
  }
  return TRUE;
}

/* GET ?batches=1,2,3: the last closed grading of each, as the gradings rows have it. */
static enum MHD_Result
get_grades(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
  g_autoptr(GPtrArray) grades = NULL;
  if (query_ids(call->c, "batches", PT_DASH_GRADES_MAX, ids, &error))
    grades = pt_store_last_grades(call->store, ids, &error);
  if (!grades)
    return pt_http_respond_gerror(call->c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < grades->len; i++) {
    const PtDashGrade *g = g_ptr_array_index(grades, i);
    json_t *o = json_pack("{sIss}", "batch_id", (json_int_t)g->batch_id, "declared_class",
                          g->declared_class);
    json_object_set_new(o, "disposition", pt_json_string_or_null(g->disposition));
    json_object_set_new(o, "closed", pt_time_json(g->closed_ns));
    json_array_append_new(arr, o);
  }
  return pt_http_respond_json(call->c, MHD_HTTP_OK, json_pack("{so}", "grades", arr), NULL);
}

/* The grading the dashboard opens for the camera to fill: the CLI's `grade open`. */
static enum MHD_Result
open_grading(const PtHttpCall *call)
{
  static const char usage[] = "body is {\"declared_class\": \"Extra|I|II\", \"profile\": NAME, "
                              "\"mm_per_px\": N}, every field optional";
  g_autoptr(GError) error = NULL;
  json_t *body = pt_http_body_json(call->req, TRUE, &error);
  if (!body)
    return pt_http_respond_gerror(call->c, error);
  json_t *klass = json_object_get(body, "declared_class");
  json_t *profile = json_object_get(body, "profile");
  json_t *mm = json_object_get(body, "mm_per_px");
  gboolean ok =
      (!klass || json_is_string(klass)) && (!profile || json_is_string(profile)) &&
      (!mm || (json_is_number(mm) && json_number_value(mm) > 0)) &&
      json_object_size(body) == (size_t)((klass != NULL) + (profile != NULL) + (mm != NULL));
  if (!ok) {
    json_decref(body);
    return pt_http_respond_error(call->c, MHD_HTTP_BAD_REQUEST, usage, NULL);
  }
  PtGradingSpec spec = {.profile = json_string_value(profile),
                        .mm_per_px = mm ? json_number_value(mm) : 0,
                        .declared_class = json_string_value(klass)};
  g_autoptr(PtBatch) batch = pt_batch_lookup(call->store, call->args[0], &error);
  g_autoptr(PtGradingRow) grading =
      batch ? pt_grading_open(call->http->station, call->store, batch, &spec, FALSE, &error) : NULL;
  json_decref(body);
  json_t *o = grading ? pt_grading_to_json(call->store, grading, &error) : NULL;
  return o ? pt_http_respond_json(call->c, MHD_HTTP_CREATED, o, NULL)
           : pt_http_respond_gerror(call->c, error);
}

/* Closes the batch's open grading (the CLI's `grade close`) and answers it as closed, with
 * its disposition and the inspecting event's id. */
static enum MHD_Result
close_grading(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_batch_lookup(call->store, call->args[0], &error);
  PtEventRow row = {0};
  if (!batch || !pt_grading_close(call->http->station, call->store, batch, &row, &error))
    return pt_http_respond_gerror(call->c, error);
  g_autofree char *event_id = g_strdup(row.event_id);
  pt_event_row_clear(&row);
  g_autoptr(PtGradingRow) grading = pt_store_grading_get_newest(call->store, batch->id, &error);
  json_t *o = grading ? pt_grading_to_json(call->store, grading, &error) : NULL;
  if (!o)
    return pt_http_respond_gerror(call->c, error);
  json_object_set_new(o, "event_id", json_string(event_id));
  json_object_set_new(o, "lot", json_string(batch->lot));
  return pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL);
}

/* The stills of the batch's newest grading, newest first, each with the URL of its JPEG. */
static enum MHD_Result
get_grading_stills(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_batch_lookup(call->store, call->args[0], &error);
  g_autoptr(PtGradingRow) grading =
      batch ? pt_store_grading_get_newest(call->store, batch->id, &error) : NULL;
  if (batch && !grading && !error)
    g_set_error(&error, PT_ERROR, PT_ERROR_NOT_FOUND, "batch %s has never been graded", batch->lot);
  g_autoptr(GPtrArray) stills =
      grading ? pt_store_grading_stills(call->store, grading->id, PT_GRADE_STILLS_MAX, &error)
              : NULL;
  if (!stills)
    return pt_http_respond_gerror(call->c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < stills->len; i++) {
    const PtFruitStill *f = g_ptr_array_index(stills, i);
    g_autofree char *url =
        g_strdup_printf("/api/v1/gradings/%" G_GINT64_FORMAT "/stills/%" G_GINT64_FORMAT ".jpg",
                        grading->id, f->fruit_id);
    json_t *o = json_pack("{sIsssf}", "fruit", (json_int_t)f->fruit_id, "class", f->klass,
                          "diameter_mm", round(f->diameter_mm * 10) / 10);
    json_object_set_new(o, "defect_kind", pt_json_string_or_null(f->defect_kind));
    json_object_set_new(o, "defect_area_mm2", json_real(round(f->defect_area_mm2 * 10) / 10));
    json_object_set_new(o, "graded", pt_time_json(f->graded_ns));
    json_object_set_new(o, "url", json_string(url));
    json_array_append_new(arr, o);
  }
  return pt_http_respond_json(call->c, MHD_HTTP_OK,
                              json_pack("{sIsssssbso}", "grading", (json_int_t)grading->id, "lot",
                                        batch->lot, "declared_class", grading->declared_class,
                                        "open", grading->closed_ns == 0, "stills", arr),
                              NULL);
}

/* One still's JPEG.  A still is written once (temp file and rename) under a name of its
 * grading and fruit and never rewritten, so the browser keeps it a day and asks again with
 * If-None-Match only after that; it is private (operators only). */
static enum MHD_Result
get_grading_still(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  guint64 grading_id, fruit_id;
  g_autofree char *fruit = g_strdup(call->args[1]);
  gsize n = strlen(fruit);
  if (n > 4 && strcmp(fruit + n - 4, ".jpg") == 0)
    fruit[n - 4] = '\0';
  if (!g_ascii_string_to_unsigned(call->args[0], 10, 1, G_MAXINT64, &grading_id, NULL) ||
      !g_ascii_string_to_unsigned(fruit, 10, 1, G_MAXINT64, &fruit_id, NULL) || n <= 4)
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such still", NULL);
  g_autofree char *etag = g_strdup_printf("\"still-%" G_GUINT64_FORMAT "-%" G_GUINT64_FORMAT "\"",
                                          grading_id, fruit_id);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtFruitStill) still =
      pt_store_grading_still_get(call->store, (gint64)grading_id, (gint64)fruit_id, &error);
  if (!still)
    return pt_http_respond_gerror(c, error);
  static const char cache[] = "private, max-age=86400";
  const char *match = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "If-None-Match");
  if (match && strcmp(match, etag) == 0) {
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
    enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_NOT_MODIFIED, r);
    MHD_destroy_response(r);
    return ret;
  }
  /* The path is the station's own (pt-grading.c), but a row edited by hand must not name a
   * file outside stills/. */
  if (!g_str_has_prefix(still->still, "stills/") || strstr(still->still, ".."))
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such still", NULL);
  g_autofree char *path = g_build_filename(call->http->station->dir, still->still, NULL);
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    if (fd >= 0)
      close(fd);
    return pt_http_respond_error(c, MHD_HTTP_GONE, "the still's file is no longer there", NULL);
  }
  /* MHD owns @fd from here and closes it with the response. */
  struct MHD_Response *r = MHD_create_response_from_fd((uint64_t)st.st_size, fd);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "image/jpeg");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

static const PtHttpRoute dash_routes[] = {
    {"/api/v1/status", PT_HTTP_GET, PT_HTTP_OPERATOR, get_status},
    {"/api/v1/cameras/{name}/thumbnail.jpg", PT_HTTP_GET, PT_HTTP_OPERATOR, get_thumbnail},
    {"/api/v1/grades", PT_HTTP_GET, PT_HTTP_OPERATOR, get_grades},
    {"/api/v1/batches/{id}/grading/open", PT_HTTP_POST, PT_HTTP_OPERATOR, open_grading},
    {"/api/v1/batches/{id}/grading/close", PT_HTTP_POST, PT_HTTP_OPERATOR, close_grading},
    {"/api/v1/batches/{id}/grading/stills", PT_HTTP_GET, PT_HTTP_OPERATOR, get_grading_stills},
    {"/api/v1/gradings/{g}/stills/{f}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_grading_still},
};

const PtHttpRouteTable pt_http_dash_routes = {dash_routes, G_N_ELEMENTS(dash_routes)};
