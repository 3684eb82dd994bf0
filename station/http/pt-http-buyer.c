/* pt-http-buyer.c: the buyer portal's API: the batch search (JSON, or CSV for a
 * spreadsheet) and the loads and evidence clips of one batch.  Each batch found carries its
 * consumer page scans per day and the spike flag of pt-scan-signal.h (the counterfeit
 * signal); and the views across batches (GET /api/v1/buyer/stats, pt-store-buyer-stats.h).
 * The rest of a batch's record
 * (timeline, EPCIS document, signed bundle, grading, clip files) is served by the batch
 * routes of pt-http-batch.c.
 *
 * A buyer scoped to a GLN sees only batches on loads to that GLN, and of those loads only
 * their own: the scope is a parameter of every query (pt-store-buyer.c), and a batch out of
 * scope answers 404 as if it did not exist. */
#include "pt-http-buyer.h"

#include "pt-http-respond.h"

#include "pt-batch-signed.h"
#include "pt-batch.h"
#include "pt-error.h"
#include "pt-gs1.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-scan-signal.h"
#include "pt-store-buyer-stats.h"
#include "pt-text.h"
#include "pt-store-buyer.h"
#include "pt-time.h"

#include <math.h>
#include <string.h>

#define SEARCH_URL "/api/v1/search"

enum { VIEW_CLIPS, VIEW_LOADS };

static const char *const stats_params[] = {"from", "to", "grower", "gtin"};

static const char *const search_params[] = {"lot",   "gtin",    "grower", "date",   "from",  "to",
                                            "grade", "verdict", "limit",  "offset", "format"};

static json_t *
load_to_json(const PtBuyerLoad *l)
{
  json_t *o = json_pack("{sI ss}", "id", (json_int_t)l->id, "seal", l->seal);
  json_object_set_new(o, "destination", pt_json_string_or_null(l->destination));
  json_object_set_new(o, "destination_gln", pt_json_string_or_null(l->destination_gln));
  json_object_set_new(o, "bol", pt_json_string_or_null(l->bol));
  json_object_set_new(o, "desadv", pt_json_string_or_null(l->desadv));
  json_object_set_new(o, "po", pt_json_string_or_null(l->po));
  json_object_set_new(o, "opened", pt_time_json(l->opened_ns));
  json_object_set_new(o, "closed", pt_time_json(l->closed_ns));
  json_object_set_new(o, "loaded", pt_time_json(l->loaded_ns));
  json_object_set_new(o, "loading_event_id", pt_json_string_or_null(l->event_id));
  return o;
}

static json_t *
loads_to_json(GPtrArray *loads)
{
  json_t *arr = json_array();
  for (guint i = 0; i < loads->len; i++)
    json_array_append_new(arr, load_to_json(g_ptr_array_index(loads, i)));
  return arr;
}

/* The share of @grading's fruit graded below its declared class, in percent to one decimal
 * (what "outside tolerance" means to a buyer), or -1 without graded fruit. */
static double
below_class_percent(json_t *grading)
{
  static const char *const order[] = {"Extra", "I", "II", "out"};
  const char *declared = json_string_value(json_object_get(grading, "declared_class"));
  gsize rank = 0;
  while (rank < G_N_ELEMENTS(order) && g_strcmp0(order[rank], declared) != 0)
    rank++;
  json_int_t below = 0, all = 0;
  size_t i;
  json_t *k;
  json_array_foreach(json_object_get(grading, "classes"), i, k)
  {
    const char *name = json_string_value(json_object_get(k, "class"));
    json_int_t n = json_integer_value(json_object_get(k, "count"));
    gsize r = 0;
    while (r < G_N_ELEMENTS(order) && g_strcmp0(order[r], name) != 0)
      r++;
    all += n;
    if (r > rank)
      below += n;
  }
  return all > 0 ? round(1000.0 * (double)below / (double)all) / 10 : -1;
}

/* The signed verdict of @grading ({declared_class, disposition, n_fruit, classes}), or null:
 * {declared_class, conformant, below_class_percent, fruit}. */
static json_t *
verdict_json(json_t *grading)
{
  if (!grading || !json_string_value(json_object_get(grading, "declared_class")))
    return json_null();
  const char *disposition = json_string_value(json_object_get(grading, "disposition"));
  json_t *o = json_pack("{sO}", "declared_class", json_object_get(grading, "declared_class"));
  json_object_set_new(o, "conformant",
                      disposition ? json_boolean(g_str_has_suffix(disposition, "conformant") &&
                                                 !g_str_has_suffix(disposition, "non_conformant"))
                                  : json_null());
  double pct = below_class_percent(grading);
  json_object_set_new(o, "below_class_percent", pct >= 0 ? json_real(pct) : json_null());
  json_object_set(o, "fruit", json_object_get(grading, "n_fruit"));
  return o;
}

/* @grading: (nullable) (transfer none) the hit's signed grading. */
static json_t *
hit_to_json(PtHttp *http, const PtBuyerHit *hit, json_t *grading)
{
  json_t *o = pt_batch_to_json(http->station->config, hit->batch);
  json_object_set_new(o, "grade", pt_json_string_or_null(hit->grade));
  json_object_set_new(o, "verdict", verdict_json(grading));
  json_object_set_new(o, "loads", loads_to_json(hit->loads));
  g_autofree char *base = g_strdup_printf("/api/v1/batches/%" G_GINT64_FORMAT, hit->batch->id);
  json_t *links = json_object();
  json_object_set_new(links, "timeline", json_string(base));
  static const char *const views[] = {"epcis", "bundle", "grading", "clips", "loads"};
  for (gsize i = 0; i < G_N_ELEMENTS(views); i++) {
    g_autofree char *href = g_strdup_printf("%s/%s", base, views[i]);
    json_object_set_new(links, views[i], json_string(href));
  }
  json_object_set_new(o, "links", links);
  return o;
}

/* Joins one field of every load with ';' (a CSV cell of a multi-valued field). */
static char *
join_loads(GPtrArray *loads, int field)
{
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < loads->len; i++) {
    const PtBuyerLoad *l = g_ptr_array_index(loads, i);
    if (i)
      g_string_append_c(s, ';');
    if (field == 0)
      g_string_append_printf(s, "%" G_GINT64_FORMAT, l->id);
    else if (field == 1 ? l->destination != NULL : l->destination_gln != NULL)
      g_string_append(s, field == 1 ? l->destination : l->destination_gln);
  }
  return g_string_free(s, FALSE);
}

/* @signals: (element-type json_t) each hit's pt_scan_signal_json(); @gradings: (element-type
 * json_t) each hit's signed grading or NULL.  The text starts with a UTF-8 byte order mark:
 * without it Excel on a Chinese Windows reads the file as GBK and garbles every Chinese name. */
static enum MHD_Result
respond_csv(struct MHD_Connection *c, GPtrArray *hits, GPtrArray *signals, GPtrArray *gradings)
{
  static const char *const header[] = {"id",      "lot",           "gtin",
                                       "product", "variety",       "origin",
                                       "grower",  "harvest_date",  "pack_date",
                                       "created", "status",        "status_reason",
                                       "grade",   "verdict",       "below_class_percent",
                                       "loads",   "destinations",  "destination_glns",
                                       "scans",   "scan_spike_day"};
  GString *out = g_string_new("\xEF\xBB\xBF");
  for (gsize i = 0; i < G_N_ELEMENTS(header); i++) {
    if (i)
      g_string_append_c(out, ',');
    g_string_append(out, header[i]);
  }
  g_string_append(out, "\r\n");
  for (guint i = 0; i < hits->len; i++) {
    const PtBuyerHit *h = g_ptr_array_index(hits, i);
    const PtBatch *b = h->batch;
    g_autofree char *id = g_strdup_printf("%" G_GINT64_FORMAT, b->id);
    g_autofree char *created = pt_time_format(b->created_ns);
    g_autofree char *loads = join_loads(h->loads, 0);
    g_autofree char *dests = join_loads(h->loads, 1);
    g_autofree char *glns = join_loads(h->loads, 2);
    json_t *signal = g_ptr_array_index(signals, i);
    g_autofree char *scans = g_strdup_printf("%" JSON_INTEGER_FORMAT,
                                             json_integer_value(json_object_get(signal, "total")));
    const char *spike_day =
        json_string_value(json_object_get(json_object_get(signal, "spike"), "day"));
    json_t *grading = g_ptr_array_index(gradings, i);
    double pct = grading ? below_class_percent(grading) : -1;
    g_autofree char *below = pct >= 0 ? g_strdup_printf("%.1f", pct) : NULL;
    const char *cells[] = {id,           b->lot,     b->gtin,   b->product,
                           b->variety,   b->origin,  b->grower, b->harvest_date,
                           b->pack_date, created,    b->status, b->status_reason,
                           h->grade,     h->verdict, below,     loads,
                           dests,        glns,       scans,     spike_day};
    G_STATIC_ASSERT(G_N_ELEMENTS(cells) == G_N_ELEMENTS(header));
    for (gsize k = 0; k < G_N_ELEMENTS(cells); k++) {
      if (k)
        g_string_append_c(out, ',');
      pt_csv_cell(out, cells[k]);
    }
    g_string_append(out, "\r\n");
  }
  gsize len = out->len;
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, g_string_free(out, FALSE), MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE,
                          "text/csv; charset=utf-8; header=present");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION,
                          "attachment; filename=\"packtrace-batches.csv\"");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

typedef struct {
  const char *const *known; /* the parameters the route takes */
  gsize n_known;
  const char *unknown; /* the first parameter it does not take */
} ParamCheck;

static enum MHD_Result
check_param(void *cls, enum MHD_ValueKind kind, const char *key, const char *value)
{
  ParamCheck *check = cls;
  for (gsize i = 0; i < check->n_known; i++)
    if (strcmp(key, check->known[i]) == 0)
      return MHD_YES;
  check->unknown = key;
  return MHD_NO;
}

/* The query argument @name, or NULL when absent or empty (an empty form field). */
static const char *
arg(struct MHD_Connection *c, const char *name)
{
  const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, name);
  return v && v[0] ? v : NULL;
}

/* A calendar date written YYYY-MM-DD. */
static gboolean
check_day(const char *name, const char *v, GError **error)
{
  int f[3] = {0, 0, 0};
  gboolean ok = strlen(v) == 10 && v[4] == '-' && v[7] == '-';
  for (int i = 0; ok && i < 10; i++) {
    if (i == 4 || i == 7)
      continue;
    int d = g_ascii_digit_value(v[i]);
    ok = d >= 0;
    int *part = &f[i < 4 ? 0 : i < 7 ? 1 : 2];
    *part = *part * 10 + d;
  }
  if (!ok || !g_date_valid_dmy((GDateDay)f[2], (GDateMonth)f[1], (GDateYear)f[0])) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s must be a date YYYY-MM-DD, got \"%s\"", name,
                v);
    return FALSE;
  }
  return TRUE;
}

/* Reads and checks the search's parameters into @q; @gtin holds the GTIN's 14-digit form. */
static gboolean
parse_query(struct MHD_Connection *c, PtBuyerQuery *q, char gtin[PT_GS1_GTIN_LEN + 1],
            gboolean *csv_out, GError **error)
{
  ParamCheck check = {search_params, G_N_ELEMENTS(search_params), NULL};
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_param, &check);
  if (check.unknown) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "unknown parameter \"%s\" (the search takes lot, gtin, grower, date, from, to, "
                "grade, verdict, limit, offset and format)",
                check.unknown);
    return FALSE;
  }
  q->lot = arg(c, "lot");
  q->grower = arg(c, "grower");
  if (!pt_check_text("lot", q->lot, PT_TEXT_FIELD_MAX, FALSE, error) ||
      !pt_check_text("grower", q->grower, PT_TEXT_FIELD_MAX, FALSE, error))
    return FALSE;
  const char *g = arg(c, "gtin");
  if (g) {
    g_autoptr(GError) gs1 = NULL;
    if (!pt_gs1_gtin14(g, gtin, &gs1)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "gtin: %s", gs1->message);
      return FALSE;
    }
    q->gtin = gtin;
  }
  const char *date = arg(c, "date");
  if (!date || strcmp(date, "pack") == 0)
    q->date = PT_BUYER_DATE_PACK;
  else if (strcmp(date, "harvest") == 0)
    q->date = PT_BUYER_DATE_HARVEST;
  else if (strcmp(date, "created") == 0)
    q->date = PT_BUYER_DATE_CREATED;
  else {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "date must be pack, harvest or created");
    return FALSE;
  }
  q->from = arg(c, "from");
  q->to = arg(c, "to");
  if ((q->from && !check_day("from", q->from, error)) || (q->to && !check_day("to", q->to, error)))
    return FALSE;
  if (q->from && q->to && strcmp(q->from, q->to) > 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "from (%s) is after to (%s)", q->from, q->to);
    return FALSE;
  }
  static const char *const grades[] = {"Extra", "I", "II"};
  const char *grade = arg(c, "grade");
  for (gsize i = 0; grade && i < G_N_ELEMENTS(grades); i++)
    if (g_ascii_strcasecmp(grade, grades[i]) == 0)
      q->grade = grades[i];
  if (grade && !q->grade) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "grade must be Extra, I or II (the class a grading declared)");
    return FALSE;
  }
  static const char *const verdicts[] = {"conformant", "non_conformant"};
  const char *verdict = arg(c, "verdict");
  for (gsize i = 0; verdict && i < G_N_ELEMENTS(verdicts); i++)
    if (strcmp(verdict, verdicts[i]) == 0)
      q->verdict = verdicts[i];
  if (verdict && !q->verdict) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "verdict must be conformant or non_conformant");
    return FALSE;
  }
  q->limit = PT_BUYER_SEARCH_DEFAULT;
  q->offset = 0;
  if (!pt_http_query_int(c, "limit", 1, PT_BUYER_SEARCH_MAX, &q->limit, error) ||
      !pt_http_query_int(c, "offset", 0, G_MAXINT, &q->offset, error))
    return FALSE;
  const char *format = arg(c, "format");
  if (format && strcmp(format, "csv") != 0 && strcmp(format, "json") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "format must be json or csv");
    return FALSE;
  }
  const char *accept = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
  *csv_out = format ? strcmp(format, "csv") == 0 : accept && strstr(accept, "text/csv") != NULL;
  return TRUE;
}

/* The disposition of a signed grading as the search names it (conformant, non_conformant),
 * or NULL. */
static char *
verdict_word(json_t *grading)
{
  const char *d = json_string_value(json_object_get(grading, "disposition"));
  if (!d)
    return NULL;
  if (g_str_has_suffix(d, "non_conformant"))
    return g_strdup("non_conformant");
  return g_str_has_suffix(d, "conformant") ? g_strdup("conformant") : NULL;
}

/* Replaces @hit's batch and verdict with what its signed events state; @agrees says whether
 * the batches row said the same; @grading_out receives the signed grading (nullable). */
static gboolean
signed_hit(PtStore *store, const guint8 anchor[PT_PUB_LEN], PtBuyerHit *hit, gboolean *agrees,
           json_t **grading_out, GError **error)
{
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, anchor, hit->batch, &st, error))
    return FALSE;
  *agrees = st.mismatches->len == 0;
  pt_batch_free(hit->batch);
  hit->batch = g_steal_pointer(&st.facts);
  g_free(hit->grade);
  g_free(hit->verdict);
  hit->grade = st.grading
                   ? g_strdup(json_string_value(json_object_get(st.grading, "declared_class")))
                   : NULL;
  hit->verdict = st.grading ? verdict_word(st.grading) : NULL;
  *grading_out = st.grading ? json_incref(st.grading) : NULL;
  return TRUE;
}

static void
grading_unref(gpointer grading)
{
  if (grading)
    json_decref(grading);
}

/* GET /api/v1/search?lot=&gtin=&grower=&date=pack|harvest|created&from=&to=&grade=
 * &verdict=&limit=&offset=&format=json|csv */
static enum MHD_Result
search(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  const PtPrincipal *who = call->who;
  g_autoptr(GError) error = NULL;
  PtBuyerQuery q = {0};
  char gtin[PT_GS1_GTIN_LEN + 1];
  gboolean csv = FALSE;
  if (!parse_query(c, &q, gtin, &csv, &error))
    return pt_http_respond_gerror(c, error);
  q.scope_gln = who->scope_gln;
  PtStore *store = call->store;
  gboolean more = FALSE;
  g_autoptr(GPtrArray) hits = pt_store_buyer_search(store, &q, &more, &error);
  if (!hits)
    return pt_http_respond_gerror(c, error);
  g_autoptr(GPtrArray) signals = g_ptr_array_new_with_free_func((GDestroyNotify)json_decref);
  g_autoptr(GPtrArray) gradings = g_ptr_array_new_with_free_func(grading_unref);
  g_autoptr(GArray) verified = g_array_sized_new(FALSE, TRUE, sizeof(gboolean), hits->len);
  gint64 now = pt_now_ns();
  for (guint i = 0; i < hits->len; i++) {
    PtBuyerHit *h = g_ptr_array_index(hits, i);
    /* The list shows each batch as its signed events state it, like the batch's own page. */
    gboolean agrees = FALSE;
    json_t *grading = NULL;
    if (!signed_hit(store, http->station->keys->anchor_key, h, &agrees, &grading, &error))
      return pt_http_respond_gerror(c, error);
    g_ptr_array_add(gradings, grading);
    g_array_append_val(verified, agrees);
    json_t *signal = pt_scan_signal_json(store, h->batch->id, now, &error);
    if (!signal)
      return pt_http_respond_gerror(c, error);
    g_ptr_array_add(signals, signal);
  }
  if (csv)
    return respond_csv(c, hits, signals, gradings);
  json_t *arr = json_array();
  for (guint i = 0; i < hits->len; i++) {
    json_t *o = hit_to_json(http, g_ptr_array_index(hits, i), g_ptr_array_index(gradings, i));
    json_object_set(o, "scans", g_ptr_array_index(signals, i));
    json_object_set_new(o, "facts_verified", json_boolean(g_array_index(verified, gboolean, i)));
    json_array_append_new(arr, o);
  }
  json_t *o = json_pack("{so si si sb}", "batches", arr, "limit", q.limit, "offset", q.offset,
                        "more", more);
  json_object_set_new(o, "scope_gln", pt_json_string_or_null(who->scope_gln));
  json_object_set_new(o, "scan_spike_rule", json_string(pt_scan_spike_rule()));
  return pt_http_respond_json(c, MHD_HTTP_OK, o, NULL);
}

/* GET /api/v1/buyer/stats?from=&to=&grower=&gtin=: the views across batches (pack dates from
 * and to), counted by the store in one statement; a scoped buyer's counts cover only the
 * batches shipped to their GLN. */
static enum MHD_Result
stats(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  ParamCheck check = {stats_params, G_N_ELEMENTS(stats_params), NULL};
  MHD_get_connection_values(c, MHD_GET_ARGUMENT_KIND, check_param, &check);
  if (check.unknown) {
    g_set_error(&error, PT_ERROR, PT_ERROR_INVALID,
                "unknown parameter \"%s\" (the views take from, to, grower and gtin)",
                check.unknown);
    return pt_http_respond_gerror(c, error);
  }
  PtBuyerStatsQuery q = {.from = arg(c, "from"),
                         .to = arg(c, "to"),
                         .grower = arg(c, "grower"),
                         .scope_gln = call->who->scope_gln};
  char gtin[PT_GS1_GTIN_LEN + 1];
  const char *g = arg(c, "gtin");
  if ((q.from && !check_day("from", q.from, &error)) || (q.to && !check_day("to", q.to, &error)) ||
      !pt_check_text("grower", q.grower, PT_TEXT_FIELD_MAX, FALSE, &error))
    return pt_http_respond_gerror(c, error);
  if (q.from && q.to && strcmp(q.from, q.to) > 0)
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "from is after to", NULL);
  if (g) {
    g_autoptr(GError) gs1 = NULL;
    if (!pt_gs1_gtin14(g, gtin, &gs1)) {
      g_set_error(&error, PT_ERROR, PT_ERROR_INVALID, "gtin: %s", gs1->message);
      return pt_http_respond_gerror(c, error);
    }
    q.gtin = gtin;
  }
  g_autoptr(GPtrArray) rows = pt_store_buyer_stats(call->store, &q, &error);
  if (!rows)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < rows->len; i++) {
    const PtBuyerStat *r = g_ptr_array_index(rows, i);
    json_array_append_new(
        arr, json_pack("[ssssf]", r->facet, r->week, r->grower, r->key ? r->key : "", r->amount));
  }
  json_t *o = json_pack("{s[sssss] so}", "columns", "facet", "week", "grower", "key", "amount",
                        "rows", arr);
  json_object_set_new(o, "scope_gln", pt_json_string_or_null(call->who->scope_gln));
  return pt_http_respond_json(c, MHD_HTTP_OK, o, NULL);
}

static json_t *
clip_to_json(gint64 batch_id, const PtBuyerClip *clip)
{
  g_autofree char *url = g_strdup_printf(
      "/api/v1/batches/%" G_GINT64_FORMAT "/clips/%" G_GINT64_FORMAT, batch_id, clip->position);
  json_t *o = json_pack("{sI ss ss ss ss sI}", "n", (json_int_t)clip->position, "step", clip->step,
                        "event_id", clip->event_id, "camera", clip->camera, "sha256", clip->sha256,
                        "bytes", (json_int_t)clip->bytes);
  json_object_set_new(o, "from", pt_time_json(clip->from_ns));
  json_object_set_new(o, "to", pt_time_json(clip->to_ns));
  json_object_set_new(o, "expired", json_boolean(clip->expired_ns != 0));
  json_object_set_new(o, "url", clip->expired_ns ? json_null() : json_string(url));
  return o;
}

/* GET /api/v1/batches/{id}/clips and /loads (the route's tag). */
static enum MHD_Result
batch_view(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  const PtPrincipal *who = call->who;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtBatch) batch = pt_batch_lookup(store, call->args[0], &error);
  gboolean visible = FALSE;
  if (!batch || !pt_store_buyer_in_scope(store, batch->id, who->scope_gln, &visible, &error))
    return pt_http_respond_gerror(c, error);
  if (!visible)
    return pt_http_respond_error(c, MHD_HTTP_NOT_FOUND, "no such batch", NULL);
  if (call->route->tag == VIEW_LOADS) {
    g_autoptr(GPtrArray) loads = pt_store_buyer_loads(store, batch->id, who->scope_gln, &error);
    if (!loads)
      return pt_http_respond_gerror(c, error);
    return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{so}", "loads", loads_to_json(loads)),
                                NULL);
  }
  g_autoptr(GPtrArray) clips = pt_store_buyer_clips(store, batch->id, &error);
  if (!clips)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < clips->len; i++)
    json_array_append_new(arr, clip_to_json(batch->id, g_ptr_array_index(clips, i)));
  return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{so}", "clips", arr), NULL);
}

static const PtHttpRoute buyer_routes[] = {
    {SEARCH_URL, PT_HTTP_GET, PT_HTTP_BUYER, search},
    {"/api/v1/buyer/stats", PT_HTTP_GET, PT_HTTP_BUYER, stats},
    {"/api/v1/batches/{id}/clips", PT_HTTP_GET, PT_HTTP_BUYER, batch_view, VIEW_CLIPS},
    {"/api/v1/batches/{id}/loads", PT_HTTP_GET, PT_HTTP_BUYER, batch_view, VIEW_LOADS},
};

const PtHttpRouteTable pt_http_buyer_routes = {buyer_routes, G_N_ELEMENTS(buyer_routes)};
