/* pt-hub-notices.c: recall and hold notices through the hub (see pt-hub-notices.h). */
#include "pt-hub-notices.h"

#include "pt-error.h"
#include "pt-hub-buyer.h"
#include "pt-hub-ingest.h"
#include "pt-hub-reply.h"
#include "pt-hub-store-notices.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-text.h"

#include <string.h>

#define NOTICE_TYPE  "packtrace-recall-notice/1"
#define NOTICES_PATH "/api/v1/buyer/notices"

/* What every buyer's notice of @recall shares: all but the parts that are one buyer's. */
static json_t *
shared_part(json_t *recall)
{
  static const char *const own[] = {"buyers", "recipient", "lots",        "shipped",
                                    "notice", "notice_id", "acknowledge", NULL};
  json_t *out = json_deep_copy(recall);
  for (const char *const *k = own; *k; k++)
    json_object_del(out, *k);
  return out;
}

/* The notice @buyer (a part of @recall) is shown: the station's notice to that buyer, its
 * acknowledgement made on the hub.  Returns: (transfer full). */
static char *
buyer_notice(json_t *recall, json_t *buyer, const char *station_id, gint64 number)
{
  g_autoptr(GString) path = g_string_new(NOTICES_PATH);
  g_string_append_printf(path, "/%s/%" G_GINT64_FORMAT "/ack", station_id, number);
  json_t *n = shared_part(recall);
  json_object_set(n, "notice", json_object_get(buyer, "notice"));
  json_object_set(n, "notice_id", json_object_get(buyer, "notice_id"));
  json_object_set_new(n, "recipient",
                      json_pack("{sssOsO}", "kind", "buyer", "gln", json_object_get(buyer, "gln"),
                                "name", json_object_get(buyer, "name")));
  json_object_set(n, "lots", json_object_get(buyer, "lots"));
  json_object_set(n, "shipped", json_object_get(buyer, "shipped"));
  json_object_set_new(n, "acknowledge", json_pack("{ssss}", "method", "POST", "path", path->str));
  char *text = json_dumps(n, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(n);
  return text;
}

/* NULL when @buyer is a well-formed part, else what is wrong with it. */
static const char *
buyer_fault(json_t *buyer)
{
  json_t *number = json_object_get(buyer, "notice");
  if (!json_is_object(buyer))
    return "is not an object";
  if (!json_is_integer(number) || json_integer_value(number) < 1)
    return "has no notice number (an integer from 1)";
  if (!json_is_string(json_object_get(buyer, "notice_id")))
    return "has no notice_id";
  if (!pt_hub_gln_valid(json_string_value(json_object_get(buyer, "gln"))))
    return "has no gln of 13 digits";
  if (!json_is_string(json_object_get(buyer, "name")))
    return "has no name";
  if (!json_is_array(json_object_get(buyer, "lots")) ||
      !json_is_object(json_object_get(buyer, "shipped")))
    return "has no lots (an array) or shipped (an object)";
  return NULL;
}

json_t *
pt_hub_notices_ingest(PtHubStore *store, const PtHubStation *station, const char *body, gsize len,
                      GError **error)
{
  json_t *recall = pt_hub_body_object(body, len, error);
  if (!recall)
    return NULL;
  json_t *answer = NULL;
  g_autofree PtHubNoticeSpec *specs = NULL;
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func(free);
  const char *kind = json_string_value(json_object_get(recall, "kind"));
  const char *lot = json_string_value(json_object_get(recall, "lot"));
  json_t *buyers = json_object_get(recall, "buyers");
  gsize n = json_array_size(buyers);
  if (g_strcmp0(json_string_value(json_object_get(recall, "type")), NOTICE_TYPE) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "type must be \"" NOTICE_TYPE "\"");
    goto out;
  }
  if (g_strcmp0(json_string_value(json_object_get(recall, "station_id")), station->id) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "station_id must be the sending station's, %s",
                station->id);
    goto out;
  }
  if (g_strcmp0(kind, "recall") != 0 && g_strcmp0(kind, "hold") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "kind must be recall or hold");
    goto out;
  }
  if (!json_is_boolean(json_object_get(recall, "drill"))) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "drill must be true or false");
    goto out;
  }
  if (!pt_check_text("lot", lot, PT_HUB_NAME_MAX, TRUE, error))
    goto out;
  if (!json_is_array(buyers) || n == 0 || n > PT_RECALL_NOTICES_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "buyers must be an array of 1 to %d notices",
                PT_RECALL_NOTICES_MAX);
    goto out;
  }
  specs = g_new0(PtHubNoticeSpec, n);
  gsize i;
  json_t *b;
  json_array_foreach(buyers, i, b)
  {
    const char *fault = buyer_fault(b);
    if (fault) {
      g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "buyers[%zu] %s", i, fault);
      goto out;
    }
    gint64 number = json_integer_value(json_object_get(b, "notice"));
    char *text = buyer_notice(recall, b, station->id, number);
    g_ptr_array_add(texts, text);
    specs[i] = (PtHubNoticeSpec){.notice = number,
                                 .gln = json_string_value(json_object_get(b, "gln")),
                                 .kind = kind,
                                 .drill = json_is_true(json_object_get(recall, "drill")),
                                 .lot = lot,
                                 .body = text};
  }
  guint stored = 0;
  if (!pt_hub_store_notices_add(store, station->id, specs, (guint)n, &stored, error))
    goto out;
  answer = json_pack("{sIsI}", "stored", (json_int_t)stored, "notices", (json_int_t)n);
out:
  json_decref(recall);
  return answer;
}

json_t *
pt_hub_notices_acks(PtHubStore *store, const PtHubStation *station, const char *body, gsize len,
                    GError **error)
{
  json_t *o = pt_hub_body_object(body, len, error);
  if (!o)
    return NULL;
  json_t *answer = NULL;
  json_t *list = json_object_get(o, "notices");
  gsize n = json_array_size(list);
  g_autofree gint64 *ids = NULL;
  if (json_object_size(o) != 1 || !json_is_array(list) || n > PT_RECALL_NOTICES_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
                "the body must be {\"notices\": [N, ...]} with at most %d numbers",
                PT_RECALL_NOTICES_MAX);
    goto out;
  }
  ids = g_new0(gint64, MAX(n, 1));
  gsize i;
  json_t *v;
  json_array_foreach(list, i, v)
  {
    if (!json_is_integer(v) || json_integer_value(v) < 1) {
      g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "notices[%zu] is not a notice number", i);
      goto out;
    }
    ids[i] = json_integer_value(v);
  }
  json_t *acks = pt_hub_store_notice_acks(store, station->id, ids, (guint)n, error);
  if (acks)
    answer = json_pack("{so}", "acks", acks);
out:
  json_decref(o);
  return answer;
}

/* GET /api/v1/buyer/notices: a buyer's own notices, or (an admin) every buyer's. */
static void
notices_list(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  PtHubCaller who = {0};
  static const char *const none[] = {NULL};
  g_autoptr(GError) error = NULL;
  if (!pt_hub_authorize_as(call, reply, &who) || !pt_hub_args_check(args, none, reply))
    goto out;
  json_t *notices = pt_hub_store_notices_list(
      call->store, who.role == PT_HUB_ROLE_BUYER ? who.gln : NULL, PT_RECALL_LIST_MAX, &error);
  if (!notices) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    goto out;
  }
  json_t *scope = who.role == PT_HUB_ROLE_BUYER ? json_string(who.gln) : json_null();
  pt_hub_reply_json(reply, 200, json_pack("{soso}", "scope", scope, "notices", notices));
out:
  pt_hub_caller_clear(&who);
}

/* POST /api/v1/buyer/notices/{station}/{N}/ack: the buyer the notice went to, and only it. */
static void
notice_ack(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  PtHubCaller who = {0};
  g_auto(GStrv) parts = g_strsplit(call->url + strlen(NOTICES_PATH "/"), "/", -1);
  guint64 number = 0;
  json_t *body = NULL;
  g_autoptr(GError) error = NULL;
  if (g_strv_length(parts) != 3 || strcmp(parts[2], "ack") != 0 || strlen(parts[0]) > 64 ||
      !g_ascii_string_to_unsigned(parts[1], 10, 1, G_MAXINT64, &number, NULL)) {
    pt_hub_reply_error(reply, 404, "no such notice: /api/v1/buyer/notices/{station}/{N}/ack");
    goto out;
  }
  if (strcmp(call->method, "POST") != 0) {
    pt_hub_reply_error(reply, 405, "acknowledge with POST");
    pt_hub_reply_header(reply, "Allow", "POST");
    goto out;
  }
  if (!pt_hub_authorize_as(call, reply, &who))
    goto out;
  if (who.role != PT_HUB_ROLE_BUYER) {
    pt_hub_reply_error(reply, 403, "only the buyer a notice went to acknowledges it");
    goto out;
  }
  body = pt_hub_body_object(call->body, call->body_len, &error);
  json_t *on_hand = body ? json_object_get(body, "quantity_on_hand") : NULL;
  const char *action = body ? json_string_value(json_object_get(body, "action")) : NULL;
  if (body && (!json_is_number(on_hand) || !(json_number_value(on_hand) >= 0) ||
               json_number_value(on_hand) > 1e12)) {
    g_set_error(&error, PT_ERROR, PT_ERROR_INVALID,
                "quantity_on_hand must be a number from 0 (none left)");
  } else if (body) {
    pt_check_text("action", action, PT_RECALL_ACTION_MAX, TRUE, &error);
  }
  json_t *n = NULL;
  if (!error) {
    g_autofree char *by = g_strdup_printf("%s (hub)", who.name);
    n = pt_hub_store_notice_ack(call->store, parts[0], (gint64)number, who.gln, by,
                                json_number_value(on_hand), action, &error);
  }
  if (!n) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    goto out;
  }
  pt_hub_reply_json(reply, 200, n);
out:
  json_decref(body);
  pt_hub_caller_clear(&who);
}

static enum MHD_Result
on_list(const PtHubCall *call)
{
  return pt_hub_reply_run(call, notices_list);
}

static enum MHD_Result
on_ack(const PtHubCall *call)
{
  return pt_hub_reply_run(call, notice_ack);
}

static const PtHubRoute routes[] = {
    {NOTICES_PATH, on_list},
    {NOTICES_PATH "/", on_ack, .post = TRUE},
};

const PtHubRouteTable pt_hub_notice_routes = {routes, G_N_ELEMENTS(routes)};
