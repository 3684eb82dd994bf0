/* pt-hub-query.c: the EPCIS 2.0 Query Interface, GET /events (see pt-hub-query.h). */
#include "pt-hub-query.h"

#include "pt-bundle.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-gs1.h"
#include "pt-hub-buyer.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

#define DL_GTIN_PREFIX "https://id.gs1.org/01/"
#define TOKEN_VERSION  "k1"

static const char *const event_types[] = {"ObjectEvent", "AggregationEvent", "TransactionEvent",
                                          "TransformationEvent", "AssociationEvent"};

/* The list parameters, where each goes, and the CBV prefixes a value may carry. */
typedef enum {
  P_EVENT_TYPE,
  P_GE_EVENT_TIME,
  P_LT_EVENT_TIME,
  P_GE_RECORD_TIME,
  P_LT_RECORD_TIME,
  P_BIZ_STEP,
  P_DISPOSITION,
  P_EPC,
  P_EPC_CLASS,
  P_BIZ_LOCATION,
  P_READ_POINT,
  P_PER_PAGE,
  P_NEXT_PAGE_TOKEN,
  N_PARAMS,
} Param;

static const char *const param_names[N_PARAMS] = {
    "eventType",    "GE_eventTime",   "LT_eventTime",  "GE_recordTime",  "LT_recordTime",
    "EQ_bizStep",   "EQ_disposition", "MATCH_epc",     "MATCH_epcClass", "EQ_bizLocation",
    "EQ_readPoint", "perPage",        "nextPageToken",
};

static gboolean
is_list(Param p)
{
  return p == P_EVENT_TYPE || p == P_BIZ_STEP || p == P_DISPOSITION || p == P_EPC ||
         p == P_EPC_CLASS || p == P_BIZ_LOCATION || p == P_READ_POINT;
}

/* A CBV value as the events store it (the bare word): "shipping" for
 * https://ref.gs1.org/cbv/BizStep-shipping or urn:epcglobal:cbv:bizstep:shipping. */
static const char *
cbv_bare(const char *value, const char *web_prefix, const char *urn_prefix)
{
  if (g_str_has_prefix(value, web_prefix))
    return value + strlen(web_prefix);
  if (g_str_has_prefix(value, urn_prefix))
    return value + strlen(urn_prefix);
  return value;
}

/* RFC 3339 time into UTC text with microseconds.  Returns: (transfer full) (nullable). */
static char *
time_utc(const char *text)
{
  g_autoptr(GDateTime) t = g_date_time_new_from_iso8601(text, NULL);
  if (!t)
    return NULL;
  g_autoptr(GDateTime) utc = g_date_time_to_utc(t);
  return g_date_time_format(utc, "%Y-%m-%dT%H:%M:%S.%fZ");
}

/* urn:epc:class:lgtin:CP.IR.LOT as its Digital Link class (https://id.gs1.org/01/GTIN/10/LOT,
 * the lot as given: an EPC URN escapes as a URI does).  Returns: (transfer full) (nullable). */
static char *
lgtin_urn_to_dl(const char *urn)
{
  const char *rest = urn + strlen("urn:epc:class:lgtin:");
  g_auto(GStrv) parts = g_strsplit(rest, ".", 3);
  if (g_strv_length(parts) != 3 || strlen(parts[0]) + strlen(parts[1]) != 13 || !parts[1][0])
    return NULL;
  char gtin[15];
  g_snprintf(gtin, sizeof gtin, "%c%s%s0", parts[1][0], parts[0], parts[1] + 1);
  int check = pt_gs1_check_digit(gtin, 13);
  if (check < 0 || !parts[2][0])
    return NULL;
  gtin[13] = (char)('0' + check);
  return g_strdup_printf(DL_GTIN_PREFIX "%s/10/%s", gtin, parts[2]);
}

/* One MATCH_epcClass value into @q: an exact class, or any lot of a GTIN for the pattern
 * https://id.gs1.org/01/GTIN/10/ followed by a star (or the GTIN and a star). */
static gboolean
add_epc_class(PtHubEventQuery *q, const char *v, char **message)
{
  if (g_str_has_prefix(v, "urn:epc:class:lgtin:")) {
    char *dl = lgtin_urn_to_dl(v);
    if (!dl) {
      *message = g_strdup_printf("MATCH_epcClass: %s is not an LGTIN class URN", v);
      return FALSE;
    }
    g_ptr_array_add(q->epc_classes, dl);
    return TRUE;
  }
  if (!strchr(v, '*')) {
    g_ptr_array_add(q->epc_classes, g_strdup(v));
    return TRUE;
  }
  gsize n = strlen(DL_GTIN_PREFIX);
  char digits[15] = {0};
  const char *p = v + n;
  gsize d = 0;
  while (g_str_has_prefix(v, DL_GTIN_PREFIX) && g_ascii_isdigit(p[d]) && d < 14)
    d++;
  gboolean ok = d >= 8 && (strcmp(p + d, "/10/*") == 0 || strcmp(p + d, "/*") == 0);
  char gtin[PT_GS1_GTIN_LEN + 1];
  if (ok) {
    memcpy(digits, p, d);
    ok = pt_gs1_gtin14(digits, gtin, NULL);
  }
  if (!ok) {
    *message = g_strdup_printf("MATCH_epcClass: the only pattern is " DL_GTIN_PREFIX
                               "{GTIN}/10/* (any lot of a GTIN), not %s",
                               v);
    return FALSE;
  }
  g_ptr_array_add(q->class_gtins, g_strdup(gtin));
  return TRUE;
}

static GPtrArray *
list_new(void)
{
  return g_ptr_array_new_with_free_func(g_free);
}

static gboolean
add_value(PtHubEventQuery *q, Param p, const char *v, char **message)
{
  if (!*v) {
    *message = g_strdup_printf("%s: an empty value", param_names[p]);
    return FALSE;
  }
  switch (p) {
  case P_EVENT_TYPE:
    for (gsize i = 0; i < G_N_ELEMENTS(event_types); i++)
      if (strcmp(v, event_types[i]) == 0) {
        g_ptr_array_add(q->event_types, g_strdup(v));
        return TRUE;
      }
    *message = g_strdup_printf("eventType: unknown event type %s", v);
    return FALSE;
  case P_BIZ_STEP:
    g_ptr_array_add(q->biz_steps, g_strdup(cbv_bare(v, "https://ref.gs1.org/cbv/BizStep-",
                                                    "urn:epcglobal:cbv:bizstep:")));
    return TRUE;
  case P_DISPOSITION:
    g_ptr_array_add(q->dispositions, g_strdup(cbv_bare(v, "https://ref.gs1.org/cbv/Disp-",
                                                       "urn:epcglobal:cbv:disp:")));
    return TRUE;
  case P_EPC:
    g_ptr_array_add(q->epcs, g_strdup(v));
    return TRUE;
  case P_EPC_CLASS:
    return add_epc_class(q, v, message);
  case P_BIZ_LOCATION:
    g_ptr_array_add(q->biz_locations, g_strdup(v));
    return TRUE;
  case P_READ_POINT:
    g_ptr_array_add(q->read_points, g_strdup(v));
    return TRUE;
  default:
    g_assert_not_reached();
  }
}

/* The keyset token: base64url of "k1 DIGEST TIME STATION SEQ". */
static char *
token_make(const char *digest, const PtHubQueryRow *last)
{
  g_autofree char *plain = g_strdup_printf(TOKEN_VERSION " %s %s %s %" G_GINT64_FORMAT, digest,
                                           last->event_time, last->station_id, last->seq);
  gsize n = sodium_base64_ENCODED_LEN(strlen(plain), sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  char *out = g_malloc(n);
  sodium_bin2base64(out, n, (const guint8 *)plain, strlen(plain),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return out;
}

static gboolean
token_read(const char *token, const char *digest, PtHubEventQuery *q, char **message)
{
  guint8 plain[256];
  gsize len = 0;
  if (strlen(token) > 300 ||
      sodium_base642bin(plain, sizeof plain - 1, token, strlen(token), NULL, &len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    *message = g_strdup("nextPageToken: not a token this hub made");
    return FALSE;
  }
  plain[len] = '\0';
  g_auto(GStrv) f = g_strsplit((const char *)plain, " ", -1);
  guint64 seq = 0;
  g_autofree char *t = g_strv_length(f) == 5 ? time_utc(f[2]) : NULL;
  if (!t || strcmp(f[0], TOKEN_VERSION) != 0 || strlen(f[3]) != 16 ||
      !g_ascii_string_to_unsigned(f[4], 10, 1, G_MAXINT64, &seq, NULL)) {
    *message = g_strdup("nextPageToken: not a token this hub made");
    return FALSE;
  }
  if (strcmp(f[1], digest) != 0) {
    *message = g_strdup("nextPageToken: made for another query (same parameters needed)");
    return FALSE;
  }
  q->after_time = g_steal_pointer(&t);
  q->after_station = g_strdup(f[3]);
  q->after_seq = (gint64)seq;
  return TRUE;
}

static int
find_param(const char *name)
{
  for (int p = 0; p < N_PARAMS; p++)
    if (strcmp(param_names[p], name) == 0)
      return p;
  return -1;
}

gboolean
pt_hub_query_parse(GPtrArray *args, PtHubEventQuery *q, guint *per_page_out, char digest_out[17],
                   char **message)
{
  memset(q, 0, sizeof *q);
  q->event_types = list_new();
  q->biz_steps = list_new();
  q->dispositions = list_new();
  q->epcs = list_new();
  q->epc_classes = list_new();
  q->class_gtins = list_new();
  q->biz_locations = list_new();
  q->read_points = list_new();
  *per_page_out = PT_HUB_QUERY_PAGE_DEFAULT;
  gboolean seen[N_PARAMS] = {FALSE};
  const char *token = NULL;
  /* The digest covers the query's parameters in order, without the page ones. */
  crypto_hash_sha256_state digest;
  crypto_hash_sha256_init(&digest);
  for (guint i = 0; args && i < args->len; i++) {
    const PtHubArg *a = args->pdata[i];
    int p = find_param(a->name);
    if (p < 0) {
      *message = g_strdup_printf("unknown query parameter %s", a->name);
      return FALSE;
    }
    if (seen[p] && !is_list(p)) {
      *message = g_strdup_printf("%s given twice", a->name);
      return FALSE;
    }
    seen[p] = TRUE;
    if (p != P_PER_PAGE && p != P_NEXT_PAGE_TOKEN) {
      crypto_hash_sha256_update(&digest, (const guint8 *)a->name, strlen(a->name) + 1);
      crypto_hash_sha256_update(&digest, (const guint8 *)a->value, strlen(a->value) + 1);
    }
    if (is_list(p)) {
      g_auto(GStrv) values = g_strsplit(a->value, ",", -1);
      if (g_strv_length(values) > PT_HUB_QUERY_VALUES_MAX) {
        *message = g_strdup_printf("%s: more than %d values", a->name, PT_HUB_QUERY_VALUES_MAX);
        return FALSE;
      }
      for (char **v = values; *v; v++)
        if (!add_value(q, p, *v, message))
          return FALSE;
      continue;
    }
    if (p == P_PER_PAGE) {
      guint64 n = 0;
      if (!g_ascii_string_to_unsigned(a->value, 10, 1, PT_HUB_QUERY_PAGE_MAX, &n, NULL)) {
        *message = g_strdup_printf("perPage must be 1..%d", PT_HUB_QUERY_PAGE_MAX);
        return FALSE;
      }
      *per_page_out = (guint)n;
      continue;
    }
    if (p == P_NEXT_PAGE_TOKEN) {
      token = a->value;
      continue;
    }
    char *t = time_utc(a->value);
    if (!t) {
      *message = g_strdup_printf("%s: not an RFC 3339 time with its offset: %s", a->name, a->value);
      return FALSE;
    }
    char **slot = p == P_GE_EVENT_TIME    ? &q->ge_event_time
                  : p == P_LT_EVENT_TIME  ? &q->lt_event_time
                  : p == P_GE_RECORD_TIME ? &q->ge_record_time
                                          : &q->lt_record_time;
    *slot = t;
  }
  guint8 hash[crypto_hash_sha256_BYTES];
  crypto_hash_sha256_final(&digest, hash);
  g_autofree char *hex = pt_hex_encode(hash, 8);
  memcpy(digest_out, hex, 17);
  return !token || token_read(token, digest_out, q, message);
}

static void
reply_query_error(PtHubReply *reply, const char *title)
{
  json_t *problem = json_pack("{sssssi}", "type", "epcisException:QueryParameterException", "title",
                              title, "status", 400);
  char *text = json_dumps(problem, JSON_COMPACT);
  json_decref(problem);
  pt_hub_reply_take(reply, 400, "application/problem+json", text);
}

/* The target of the next page: this query's parameters (page ones replaced). */
static char *
next_link(GPtrArray *args, guint per_page, const char *token)
{
  GString *s = g_string_new("</events?");
  for (guint i = 0; args && i < args->len; i++) {
    const PtHubArg *a = args->pdata[i];
    if (strcmp(a->name, "perPage") == 0 || strcmp(a->name, "nextPageToken") == 0)
      continue;
    g_string_append_uri_escaped(s, a->name, NULL, FALSE);
    g_string_append_c(s, '=');
    g_string_append_uri_escaped(s, a->value, NULL, FALSE);
    g_string_append_c(s, '&');
  }
  g_string_append_printf(s, "perPage=%u&nextPageToken=%s>; rel=\"next\"", per_page, token);
  return g_string_free(s, FALSE);
}

/* TRUE when @row is shown to the caller: every event to an admin, what the buyer view of a
 * bundle shows to a buyer. */
static gboolean
row_shown(const PtHubQueryRow *row, PtHubRole role, const char *gln)
{
  if (role == PT_HUB_ROLE_ADMIN)
    return TRUE;
  json_t *event = pt_json_parse(row->body, row->body_len, NULL);
  gboolean shown = event && pt_bundle_event_shown(event, PT_BUNDLE_BUYER, gln);
  json_decref(event);
  return shown;
}

/* GET /events */
static void
events_query(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  PtHubRole role;
  g_autofree char *gln = NULL;
  if (!pt_hub_authorize(call, reply, &role, &gln))
    return;
  g_auto(PtHubEventQuery) q = {0};
  guint per_page = 0;
  char digest[17];
  g_autofree char *message = NULL;
  if (!pt_hub_query_parse(args, &q, &per_page, digest, &message)) {
    reply_query_error(reply, message);
    return;
  }
  /* Keyset pages of the store; a buyer's hidden events are skipped, so a page is filled from
   * further rows, and one more shown event says whether there is a next page. */
  g_autoptr(GPtrArray) shown =
      g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_query_row_free);
  gboolean more = FALSE;
  g_autoptr(GError) error = NULL;
  while (!more) {
    guint want = per_page + 1 - shown->len;
    g_autoptr(GPtrArray) rows = pt_hub_store_events_query(call->store, &q, want, &error);
    if (!rows) {
      pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
      return;
    }
    for (guint i = 0; i < rows->len && !more; i++) {
      PtHubQueryRow *row = rows->pdata[i];
      g_free(q.after_time);
      g_free(q.after_station);
      q.after_time = g_strdup(row->event_time);
      q.after_station = g_strdup(row->station_id);
      q.after_seq = row->seq;
      if (!row_shown(row, role, gln))
        continue;
      if (shown->len == per_page)
        more = TRUE;
      else
        g_ptr_array_add(shown, g_steal_pointer(&rows->pdata[i]));
    }
    if (rows->len < want)
      break;
  }
  /* The document is written here around the records, each spliced in as stored. */
  g_autofree char *now = pt_time_format(pt_now_ns());
  GString *doc = g_string_new("{\"@context\":[\"" PT_EPCIS_CONTEXT_URL "\"],");
  g_string_append_printf(doc,
                         "\"type\":\"EPCISQueryDocument\",\"schemaVersion\":\"2.0\","
                         "\"creationDate\":\"%s\",\"epcisBody\":{\"queryResults\":{"
                         "\"queryName\":\"SimpleEventQuery\",\"resultsBody\":{\"eventList\":[",
                         now);
  for (guint i = 0; i < shown->len; i++) {
    const PtHubQueryRow *row = shown->pdata[i];
    if (i)
      g_string_append_c(doc, ',');
    g_string_append_len(doc, row->body, (gssize)row->body_len);
  }
  g_string_append(doc, "]}}}}");
  if (more) {
    g_autofree char *token = token_make(digest, shown->pdata[shown->len - 1]);
    g_autofree char *link = next_link(args, per_page, token);
    pt_hub_reply_header(reply, "Link", link);
  }
  pt_hub_reply_header(reply, "GS1-EPCIS-Version", "2.0.0");
  pt_hub_reply_header(reply, "GS1-CBV-Version", "2.0.0");
  pt_hub_reply_take(reply, 200, "application/ld+json", g_string_free(doc, FALSE));
}

static enum MHD_Result
on_events(const PtHubCall *call)
{
  return pt_hub_reply_run(call, events_query);
}

static const PtHubRoute routes[] = {
    {"/events", on_events},
};

const PtHubRouteTable pt_hub_query_routes = {routes, G_N_ELEMENTS(routes)};
