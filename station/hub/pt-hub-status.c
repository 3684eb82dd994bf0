/* pt-hub-status.c: the co-op admin's view of every station's sync (see pt-hub-status.h):
 * GET /hub/v1/status, with the hub's status token.  Workload: an admin's page every 10 s; a
 * few indexed counts per station. */
#include "pt-hub-status.h"

#include "pt-hub-respond.h"
#include "pt-hub-web.h"

#include "pt-json.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

static gboolean
token_ok(const PtHubCall *call)
{
  const char *auth =
      MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  const char *want = pt_hub_web_status_token(call->web);
  if (!want || !auth || !g_str_has_prefix(auth, "Bearer "))
    return FALSE;
  const char *given = auth + strlen("Bearer ");
  gsize n = strlen(want);
  /* Same length first (not secret), then a comparison that does not stop at the first
   * difference. */
  return strlen(given) == n && sodium_memcmp(given, want, n) == 0;
}

static json_t *
station_status(const PtHubCall *call, const PtHubStation *st, GError **error)
{
  g_autoptr(GArray) gaps = pt_hub_store_station_gaps(call->store, st->id, PT_HUB_GAPS_MAX, error);
  if (!gaps)
    return NULL;
  g_autofree char *alerts_text =
      pt_hub_store_alerts_json(call->store, st->id, PT_HUB_STATUS_ALERTS_MAX, error);
  if (!alerts_text)
    return NULL;
  json_t *alerts = pt_json_parse(alerts_text, strlen(alerts_text), error);
  if (!alerts)
    return NULL;
  json_t *gap_list = json_array();
  for (guint i = 0; i + 1 < gaps->len; i += 2)
    json_array_append_new(gap_list, json_pack("[II]", (json_int_t)g_array_index(gaps, gint64, i),
                                              (json_int_t)g_array_index(gaps, gint64, i + 1)));
  json_t *head = st->head_seq > 0 ? json_pack("{sIss}", "seq", (json_int_t)st->head_seq, "hash",
                                              st->head_hash ? st->head_hash : "")
                                  : json_null();
  return json_pack("{ss ss sb so sI sI sI so so sI sI so so}", "station", st->id, "name", st->name,
                   "revoked", st->revoked, "last_heard", pt_json_string_or_null(st->last_heard),
                   "events", (json_int_t)st->n_events, "last_seq", (json_int_t)st->last_seq,
                   "contiguous_seq", (json_int_t)st->contiguous_seq, "head", head, "gaps", gap_list,
                   "quarantined", (json_int_t)st->n_quarantined, "alerts", (json_int_t)st->n_alerts,
                   "recent_alerts", alerts, "video_polled",
                   pt_json_string_or_null(st->video_polled));
}

static enum MHD_Result
respond_status(const PtHubCall *call)
{
  if (!pt_hub_web_status_token(call->web))
    return pt_hub_respond_error(
        call->c, MHD_HTTP_FORBIDDEN,
        "the status API is off: set status_token in hub.ini's [hub] section");
  if (!token_ok(call)) {
    static const char body[] = "{\"error\":\"a valid status token is required\"}";
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_PERSISTENT);
    pt_hub_headers(r, "application/json; charset=utf-8", "no-store");
    MHD_add_response_header(r, MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer");
    return pt_hub_queue(call->c, MHD_HTTP_UNAUTHORIZED, r);
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) stations = pt_hub_store_station_list(call->store, &error);
  if (!stations)
    return pt_hub_respond_gerror(call->c, error);
  json_t *list = json_array();
  for (guint i = 0; i < stations->len; i++) {
    json_t *one = station_status(call, stations->pdata[i], &error);
    if (!one) {
      json_decref(list);
      return pt_hub_respond_gerror(call->c, error);
    }
    json_array_append_new(list, one);
  }
  g_autofree char *now = pt_time_format(pt_now_ns());
  gsize len = 0;
  char *text =
      pt_hub_json_text(json_pack("{ss so sI}", "now", now, "stations", list, "unknown_lot_views",
                                 (json_int_t)pt_hub_web_unknown_lots(call->web)),
                       &len);
  return pt_hub_respond_text(call->c, MHD_HTTP_OK, "application/json; charset=utf-8", text, len);
}

static const PtHubRoute status_routes[] = {
    {"/hub/v1/status", respond_status},
};

const PtHubRouteTable pt_hub_status_routes = {status_routes, G_N_ELEMENTS(status_routes)};
