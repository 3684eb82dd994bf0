/* pt-http-print.c: label printing from the operator dashboard.
 *
 *   GET  /api/v1/printers                   the printers of station.ini ([printer NAME]), each
 *                                           with its queue: waiting, retrying, failed, the
 *                                           last error and since when; and any other address
 *                                           jobs wait for (typed before printers were set)
 *   POST /api/v1/print-jobs                 bulk printing: one queued job per batch
 *   GET  /api/v1/print-jobs[?ids=1,2,3]     those jobs' states (a progress bar), else the
 *                                           newest PT_PRINT_LIST_MAX jobs (the job list)
 *   POST /api/v1/print-jobs/{id}/retry      a failed job queued again, a waiting one due now
 *   POST /api/v1/print-jobs/{id}/cancel     a waiting or failed job never sent
 *
 * A printer is named, not typed: once station.ini has a [printer NAME] the body's "printer"
 * must be one of those names, so a label cannot go to a mistyped address; a station with none
 * takes HOST[:PORT] as before.  All operator only; writes carry the session's CSRF token
 * (checked by the dispatcher).  Workload: the dashboard asks for the list every few seconds;
 * each answer is one grouped read of print_jobs, which holds a few jobs per batch. */
#include "pt-http-print.h"

#include "pt-http-respond.h"

#include "pt-batch.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-labels-limits.h"
#include "pt-limits.h"
#include "pt-print-queue.h"
#include "pt-store-dash.h"
#include "pt-time.h"

#include <string.h>

/* The printer's name and label when station.ini has one at @address. */
static void
set_printer_names(json_t *o, const GPtrArray *printers, const char *address)
{
  const PtPrinter *p = pt_printer_by_address(printers, address);
  json_object_set_new(o, "printer_name", p ? json_string(p->name) : json_null());
  json_object_set_new(o, "printer_label", p ? pt_json_string_or_null(p->label) : json_null());
}

/* What the printer met, in English; the dashboard has the same words in both languages
 * (ui-kit.js, "d.pk.KIND"). */
static const char *
problem_text(const char *kind)
{
  static const struct {
    const char *kind, *text;
  } words[] = {
      {"connect", "cannot connect"},
      {"timeout", "stopped taking the job"},
      {"closed", "closed the connection mid-job"},
      {"address", "address not found"},
      {"too-large", "job too large"},
      {"refused", "batch may not be printed"},
      {"interrupted", "interrupted mid-job"},
  };
  for (gsize i = 0; kind && i < G_N_ELEMENTS(words); i++)
    if (strcmp(words[i].kind, kind) == 0)
      return words[i].text;
  return NULL;
}

/* "Printer Dock label printer (127.0.0.1:9101): cannot connect — retrying, 3 jobs waiting" */
static char *
alert_text(const char *who, const PtPrinterQueue *q)
{
  const char *problem = problem_text(q->error_kind);
  GString *s = g_string_new(NULL);
  g_string_append_printf(s, "Printer %s: %s —", who,
                         problem         ? problem
                         : q->last_error ? q->last_error
                                         : "no answer");
  const char *sep = " ";
  if (q->retrying) {
    g_string_append_printf(s, "%sretrying", sep);
    sep = ", ";
  }
  if (q->queued) {
    g_string_append_printf(s, "%s%" G_GINT64_FORMAT " %s waiting", sep, q->queued,
                           q->queued == 1 ? "job" : "jobs");
    sep = ", ";
  }
  if (q->failed)
    g_string_append_printf(s, "%s%" G_GINT64_FORMAT " failed", sep, q->failed);
  return g_string_free(s, FALSE);
}

/* One printer's queue: the configured printer @p (nullable) at @q's address (@q nullable: no
 * job waits for it). */
static json_t *
printer_json(const PtPrinter *p, const PtPrinterQueue *q, const char *address)
{
  json_t *o = json_pack("{ss}", "address", address);
  json_object_set_new(o, "name", p ? json_string(p->name) : json_null());
  json_object_set_new(o, "label", p ? pt_json_string_or_null(p->label) : json_null());
  json_object_set_new(o, "template",
                      p ? json_string(pt_label_template_to_string(p->template_)) : json_null());
  json_object_set_new(o, "default", json_boolean(p && p->is_default));
  json_object_set_new(o, "configured", json_boolean(p != NULL));
  json_object_set_new(o, "queued", json_integer(q ? q->queued : 0));
  json_object_set_new(o, "retrying", json_integer(q ? q->retrying : 0));
  json_object_set_new(o, "printing", json_integer(q ? q->printing : 0));
  json_object_set_new(o, "failed", json_integer(q ? q->failed : 0));
  json_object_set_new(o, "last_error", pt_json_string_or_null(q ? q->last_error : NULL));
  json_object_set_new(o, "error_kind", pt_json_string_or_null(q ? q->error_kind : NULL));
  json_object_set_new(o, "since", pt_time_json(q ? q->since_ns : 0));
  return o;
}

/* The configured printers in file order, then the other addresses jobs wait for. */
static json_t *
printers_json(PtHttp *http, PtStore *store, GError **error)
{
  const GPtrArray *printers = http->station->config->printers;
  g_autoptr(GPtrArray) queues = pt_store_print_queues(store, error);
  if (!queues)
    return NULL;
  json_t *list = json_array();
  for (guint i = 0; i < printers->len; i++) {
    const PtPrinter *p = g_ptr_array_index(printers, i);
    const PtPrinterQueue *q = NULL;
    for (guint k = 0; k < queues->len && !q; k++)
      if (strcmp(((PtPrinterQueue *)g_ptr_array_index(queues, k))->printer, p->address) == 0)
        q = g_ptr_array_index(queues, k);
    json_array_append_new(list, printer_json(p, q, p->address));
  }
  for (guint k = 0; k < queues->len; k++) {
    const PtPrinterQueue *q = g_ptr_array_index(queues, k);
    if (!pt_printer_by_address(printers, q->printer))
      json_array_append_new(list, printer_json(NULL, q, q->printer));
  }
  return list;
}

json_t *
pt_http_print_status(PtHttp *http, PtStore *store, json_t *alerts, GError **error)
{
  PtPrintSummary sum = {0};
  if (!pt_store_print_summary(store, &sum, error))
    return NULL;
  json_t *printers = printers_json(http, store, error);
  if (!printers)
    return NULL;
  size_t i;
  json_t *p;
  json_array_foreach(printers, i, p)
  {
    json_int_t retrying = json_integer_value(json_object_get(p, "retrying"));
    json_int_t failed = json_integer_value(json_object_get(p, "failed"));
    if (!retrying && !failed)
      continue;
    const char *name = json_string_value(json_object_get(p, "name"));
    const char *label = json_string_value(json_object_get(p, "label"));
    const char *address = json_string_value(json_object_get(p, "address"));
    g_autofree char *who =
        name ? g_strdup_printf("%s (%s)", label ? label : name, address) : g_strdup(address);
    PtPrinterQueue q = {.queued = json_integer_value(json_object_get(p, "queued")),
                        .retrying = retrying,
                        .failed = failed,
                        .last_error = (char *)json_string_value(json_object_get(p, "last_error")),
                        .error_kind = (char *)json_string_value(json_object_get(p, "error_kind"))};
    g_autofree char *text = alert_text(who, &q);
    json_t *a = json_pack("{sssssO}", "kind", "printer", "text", text, "since",
                          json_object_get(p, "since"));
    json_object_set_new(a, "subject", json_string(name ? name : address));
    json_object_set_new(a, "who", json_string(who));
    json_object_set(a, "printer", p);
    json_array_append_new(alerts, a);
  }
  json_t *o = json_pack("{sIsIsIsIsIsI}", "queued", (json_int_t)sum.queued, "printing",
                        (json_int_t)sum.printing, "done", (json_int_t)sum.done, "failed",
                        (json_int_t)sum.failed, "retrying", (json_int_t)sum.retrying, "cancelled",
                        (json_int_t)sum.cancelled);
  json_object_set_new(o, "printers", printers);
  return o;
}

static enum MHD_Result
get_printers(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  json_t *list = printers_json(call->http, call->store, &error);
  if (!list)
    return pt_http_respond_gerror(call->c, error);
  /* A typed address is taken only while station.ini names no printer. */
  gboolean typed = call->http->station->config->printers->len == 0;
  return pt_http_respond_json(call->c, MHD_HTTP_OK,
                              json_pack("{sosb}", "printers", list, "typed_address", typed), NULL);
}

/* POST {"batches": [ID or lot, ...], "printer": NAME (or "host[:port]" on a station with no
 * [printer NAME]), "copies": N, "template": "case"|"pallet" (default: the printer's)}:
 * validates everything first, then queues one job per batch; the print worker of `packtrace
 * run` sends them.  201 {"jobs": [{id, lot}]}. */
static enum MHD_Result
post_print_jobs(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  static const char usage[] = "body is {\"batches\": [ID or lot, ...], \"printer\": NAME, "
                              "\"copies\": N, \"template\": \"case|pallet\"}";
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(call->req, FALSE, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  json_t *batches = json_object_get(body, "batches");
  json_t *printer = json_object_get(body, "printer");
  json_t *copies = json_object_get(body, "copies");
  json_t *tmpl = json_object_get(body, "template");
  const GPtrArray *printers = http->station->config->printers;
  PtLabelTemplate template_ = http->station->config->labels->template_;
  gboolean ok = json_is_array(batches) && json_array_size(batches) >= 1 &&
                json_array_size(batches) <= PT_PRINT_PROGRESS_MAX && json_is_string(printer) &&
                (!copies || (json_is_integer(copies) && json_integer_value(copies) >= 1 &&
                             json_integer_value(copies) <= PT_LABEL_COPIES_MAX)) &&
                (!tmpl || (json_is_string(tmpl) &&
                           pt_label_template_from_string(json_string_value(tmpl), &template_))) &&
                json_object_size(body) == (size_t)(2 + (copies != NULL) + (tmpl != NULL));
  if (!ok) {
    json_decref(body);
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, usage, NULL);
  }
  const PtPrinter *named = NULL;
  const char *address =
      pt_printer_resolve(printers, json_string_value(printer), printers->len == 0, &named, &error);
  if (!address) {
    json_t *params = json_pack("{ss}", "printer", json_string_value(printer));
    json_decref(body);
    return pt_http_respond_coded(c, MHD_HTTP_BAD_REQUEST, "unknown-printer", error->message,
                                 params);
  }
  if (named && !tmpl)
    template_ = named->template_;
  g_autoptr(GPtrArray) list = g_ptr_array_new_with_free_func((GDestroyNotify)pt_batch_free);
  size_t i;
  json_t *id;
  json_array_foreach(batches, i, id)
  {
    PtBatch *b = json_is_string(id) ? pt_batch_lookup(store, json_string_value(id), &error) : NULL;
    if (!b) {
      json_decref(body);
      return error ? pt_http_respond_gerror(c, error)
                   : pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, usage, NULL);
    }
    g_ptr_array_add(list, b);
  }
  json_t *jobs = json_array();
  for (guint k = 0; k < list->len; k++) {
    const PtBatch *b = g_ptr_array_index(list, k);
    g_autoptr(PtPrintJob) job =
        pt_print_queue_add(http->station, store, b, template_, address,
                           copies ? (guint)json_integer_value(copies) : 1, &error);
    /* Jobs queued before a refusal stay queued: the answer lists them with the error. */
    if (!job) {
      json_t *out = json_pack("{ssso}", "error", error->message, "jobs", jobs);
      json_decref(body);
      return pt_http_respond_json(c, pt_error_http_status(error), out, NULL);
    }
    json_array_append_new(jobs, json_pack("{sIss}", "id", (json_int_t)job->id, "lot", b->lot));
  }
  json_decref(body);
  return pt_http_respond_json(c, MHD_HTTP_CREATED, json_pack("{so}", "jobs", jobs), NULL);
}

static json_t *
job_json(const GPtrArray *printers, const PtPrintJob *j)
{
  json_t *o =
      json_pack("{sIsIsssssssi}", "id", (json_int_t)j->id, "batch_id", (json_int_t)j->batch_id,
                "lot", j->lot, "printer", j->printer, "state", j->state, "attempts", j->attempts);
  set_printer_names(o, printers, j->printer);
  json_object_set_new(o, "template", pt_json_string_or_null(j->template_));
  json_object_set_new(o, "copies", json_integer(j->copies));
  json_object_set_new(o, "last_error", pt_json_string_or_null(j->last_error));
  json_object_set_new(o, "error_kind", pt_json_string_or_null(j->error_kind));
  json_object_set_new(o, "created", pt_time_json(j->created_ns));
  json_object_set_new(o, "updated", pt_time_json(j->updated_ns));
  return o;
}

/* GET ?ids=1,2,3: each job's state and the counts a progress bar needs; without ids, the
 * newest jobs. */
static enum MHD_Result
get_print_jobs(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  const GPtrArray *printers = call->http->station->config->printers;
  const char *text = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "ids");
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = NULL;
  if (!text) {
    jobs = pt_store_print_job_list(call->store, PT_PRINT_LIST_MAX, &error);
  } else {
    g_auto(GStrv) parts = g_strsplit(text, ",", PT_PRINT_PROGRESS_MAX + 1);
    g_autoptr(GArray) ids = g_array_new(FALSE, FALSE, sizeof(gint64));
    for (guint i = 0; parts[i]; i++) {
      guint64 n;
      if (g_strv_length(parts) > PT_PRINT_PROGRESS_MAX ||
          !g_ascii_string_to_unsigned(parts[i], 10, 1, G_MAXINT64, &n, NULL))
        return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST,
                                     "ids is a comma-separated list of up to 100 job ids", NULL);
      gint64 v = (gint64)n;
      g_array_append_val(ids, v);
    }
    jobs = pt_store_print_jobs_by_id(call->store, ids, &error);
  }
  if (!jobs)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  int done = 0, failed = 0, retrying = 0, cancelled = 0;
  for (guint i = 0; i < jobs->len; i++) {
    const PtPrintJob *j = g_ptr_array_index(jobs, i);
    done += strcmp(j->state, PT_PRINT_JOB_DONE) == 0;
    failed += strcmp(j->state, PT_PRINT_JOB_FAILED) == 0;
    cancelled += strcmp(j->state, PT_PRINT_JOB_CANCELLED) == 0;
    retrying += strcmp(j->state, PT_PRINT_JOB_QUEUED) == 0 && j->attempts > 0;
    json_array_append_new(arr, job_json(printers, j));
  }
  return pt_http_respond_json(c, MHD_HTTP_OK,
                              json_pack("{sosisisisisi}", "jobs", arr, "total", (int)jobs->len,
                                        "done", done, "failed", failed, "retrying", retrying,
                                        "cancelled", cancelled),
                              NULL);
}

/* POST /api/v1/print-jobs/{id}/retry|cancel: 200 with the job as it is now; 409 with code
 * job-printing (being sent) or job-final (done or cancelled). */
static enum MHD_Result
change_job(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  guint64 id;
  if (!g_ascii_string_to_unsigned(call->args[0], 10, 1, G_MAXINT64, &id, NULL))
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such print job", NULL);
  gboolean cancel = call->route->tag == 1;
  gboolean ok = cancel ? pt_print_queue_cancel(call->store, (gint64)id, &error)
                       : pt_print_queue_requeue(call->store, (gint64)id, &error);
  g_autoptr(PtPrintJob) job = pt_store_print_job_get(call->store, (gint64)id, ok ? &error : NULL);
  if (!ok && job && g_error_matches(error, PT_ERROR, PT_ERROR_CONFLICT)) {
    gboolean printing = strcmp(job->state, PT_PRINT_JOB_PRINTING) == 0;
    json_t *params = json_pack("{sIss}", "id", (json_int_t)id, "state", job->state);
    return pt_http_respond_coded(call->c, MHD_HTTP_CONFLICT,
                                 printing ? "job-printing" : "job-final", error->message, params);
  }
  if (!ok || !job)
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK,
                              job_json(call->http->station->config->printers, job), NULL);
}

static const PtHttpRoute print_routes[] = {
    {"/api/v1/printers", PT_HTTP_GET, PT_HTTP_OPERATOR, get_printers},
    {"/api/v1/print-jobs", PT_HTTP_GET, PT_HTTP_OPERATOR, get_print_jobs},
    {"/api/v1/print-jobs", PT_HTTP_POST, PT_HTTP_OPERATOR, post_print_jobs},
    {"/api/v1/print-jobs/{id}/retry", PT_HTTP_POST, PT_HTTP_OPERATOR, change_job, 0},
    {"/api/v1/print-jobs/{id}/cancel", PT_HTTP_POST, PT_HTTP_OPERATOR, change_job, 1},
};

const PtHttpRouteTable pt_http_print_routes = {print_routes, G_N_ELEMENTS(print_routes)};
