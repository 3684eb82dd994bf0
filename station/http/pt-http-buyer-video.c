/* pt-http-buyer-video.c: the buyer portal's loads and their video (pt-load-video.h):
 *
 *   GET /api/v1/buyer/loads?limit=&offset=                  the loads to the buyer's GLN
 *   GET /api/v1/buyer/loads/{id}/video                      its cameras, window, live or
 *                                                            recorded parts
 *   GET /api/v1/buyer/loads/{id}/video/{camera}/live/{file}  HLS while the load is open
 *   GET /api/v1/buyer/loads/{id}/video/{camera}/recorded/{n}      part n: its clip's facts
 *   GET /api/v1/buyer/loads/{id}/video/{camera}/recorded/{n}.mp4  that clip (byte ranges)
 *
 * Buyers and up (never a public route: a consumer gets no video of a load).  A buyer scoped
 * to a GLN sees only the loads going there; another's load, and a camera that is not one of
 * the load's, answer 404 as if they did not exist, like the batch routes.  Live video of a
 * closed load and a recording of an open one answer 409; a recording whose end is still
 * being recorded 503 with Retry-After.  A load is shown without its plate and driver, as in
 * the batch search (pt-store-buyer.h). */
#include "pt-http-buyer-video.h"

#include "pt-http-live.h"
#include "pt-http-respond.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-load-video.h"
#include "pt-time.h"

#include <string.h>

#define LOADS_URL "/api/v1/buyer/loads"

static char *
video_url(const PtLoadVideo *v)
{
  return g_strdup_printf(LOADS_URL "/%" G_GINT64_FORMAT "/video", v->load->id);
}

/* The load as a buyer sees it: no plate, driver or phone. */
static json_t *
load_json(PtStore *store, const PtLoadVideo *v, GError **error)
{
  const PtLoad *l = v->load;
  g_autoptr(GPtrArray) items = pt_store_load_items(store, l->id, error);
  if (!items)
    return NULL;
  json_t *lots = json_array();
  for (guint i = 0; i < items->len; i++) {
    const PtLoadItem *it = g_ptr_array_index(items, i);
    json_array_append_new(lots, json_pack("{sI ss ss}", "batch_id", (json_int_t)it->batch_id, "lot",
                                          it->lot, "gtin", it->gtin));
  }
  json_t *o = json_pack("{sI ss ss so}", "id", (json_int_t)l->id, "seal", l->seal, "state",
                        l->closed_ns ? "departed" : "loading", "lots", lots);
  json_object_set_new(o, "destination", pt_json_string_or_null(l->destination));
  json_object_set_new(o, "destination_gln", pt_json_string_or_null(l->destination_gln));
  json_object_set_new(o, "bol", pt_json_string_or_null(l->bol));
  json_object_set_new(o, "desadv", pt_json_string_or_null(l->desadv));
  json_object_set_new(o, "po", pt_json_string_or_null(l->po));
  json_object_set_new(o, "opened", pt_time_json(l->opened_ns));
  json_object_set_new(o, "closed", pt_time_json(l->closed_ns));
  json_t *cams = json_array();
  for (guint i = 0; i < v->cameras->len; i++)
    json_array_append_new(cams, json_string(g_ptr_array_index(v->cameras, i)));
  json_object_set_new(o, "cameras", cams);
  g_autofree char *url = video_url(v);
  json_object_set_new(o, "video", json_string(url));
  return o;
}

/* GET /api/v1/buyer/loads?limit=&offset= */
static enum MHD_Result
list_loads(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  int limit = PT_LOAD_VIDEO_LIST_DEFAULT, offset = 0;
  if (!pt_http_query_int(call->c, "limit", 1, PT_LOAD_VIDEO_LIST_MAX, &limit, &error) ||
      !pt_http_query_int(call->c, "offset", 0, G_MAXINT - PT_LOAD_VIDEO_LIST_MAX, &offset, &error))
    return pt_http_respond_gerror(call->c, error);
  gboolean more = FALSE;
  g_autoptr(GPtrArray) list = pt_load_video_list(
      call->http->station, call->store, call->who->scope_gln, limit, offset, &more, &error);
  if (!list)
    return pt_http_respond_gerror(call->c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < list->len; i++) {
    json_t *o = load_json(call->store, g_ptr_array_index(list, i), &error);
    if (!o) {
      json_decref(arr);
      return pt_http_respond_gerror(call->c, error);
    }
    json_array_append_new(arr, o);
  }
  json_t *o =
      json_pack("{so si si sb}", "loads", arr, "limit", limit, "offset", offset, "more", more);
  json_object_set_new(o, "scope_gln", pt_json_string_or_null(call->who->scope_gln));
  return pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL);
}

static PtLoadVideo *
open_video(const PtHttpCall *call, GError **error)
{
  return pt_load_video_open(call->http->station, call->store, call->args[0], call->who->scope_gln,
                            error);
}

static json_t *
window_json(gint64 from_ns, gint64 to_ns)
{
  json_t *o = json_object();
  json_object_set_new(o, "from", pt_time_json(from_ns));
  json_object_set_new(o, "to", pt_time_json(to_ns));
  return o;
}

/* GET /api/v1/buyer/loads/{id}/video: {load, window: {from, to (null while loading),
 * margin_seconds}, cameras: [{name, live (the playlist's URL while loading, else null),
 * recorded: [{part, from, to, facts, clip}] (empty while loading), truncated}]} */
static enum MHD_Result
get_video(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtLoadVideo) v = open_video(call, &error);
  json_t *load = v ? load_json(call->store, v, &error) : NULL;
  if (!load)
    return pt_http_respond_gerror(call->c, error);
  g_autofree char *base = video_url(v);
  json_t *window = window_json(v->from_ns, v->to_ns);
  json_object_set_new(window, "margin_seconds", json_integer(PT_LOAD_VIDEO_MARGIN_NS / 1000000000));
  gboolean truncated = FALSE;
  guint parts = pt_load_video_parts(v, &truncated);
  json_t *cams = json_array();
  for (guint i = 0; i < v->cameras->len; i++) {
    const char *name = g_ptr_array_index(v->cameras, i);
    /* Camera names are [A-Za-z0-9_-] (pt-camera-config.h): nothing to escape. */
    g_autofree char *live = g_strdup_printf("%s/%s/live/" PT_LIVE_PLAYLIST_NAME, base, name);
    json_t *recorded = json_array();
    for (guint p = 1; p <= parts; p++) {
      gint64 from = 0, to = 0;
      pt_load_video_part_window(v, p, &from, &to);
      g_autofree char *facts = g_strdup_printf("%s/%s/recorded/%u", base, name, p);
      g_autofree char *clip = g_strdup_printf("%s.mp4", facts);
      json_t *part = window_json(from, to);
      json_object_set_new(part, "part", json_integer(p));
      json_object_set_new(part, "facts", json_string(facts));
      json_object_set_new(part, "clip", json_string(clip));
      json_array_append_new(recorded, part);
    }
    json_array_append_new(cams, json_pack("{ss so so sb}", "name", name, "live",
                                          v->load->closed_ns ? json_null() : json_string(live),
                                          "recorded", recorded, "truncated", truncated));
  }
  return pt_http_respond_json(
      call->c, MHD_HTTP_OK,
      json_pack("{so so so}", "load", load, "window", window, "cameras", cams), NULL);
}

/* GET .../video/{camera}/live/{file} */
static enum MHD_Result
get_live(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtLoadVideo) v = open_video(call, &error);
  g_autoptr(GBytes) body = NULL;
  if (v)
    body = pt_load_video_live(v, g_atomic_pointer_get(&call->http->recorder), call->args[1],
                              call->args[2], &error);
  return pt_http_live_respond(call->c, call->args[2], body, error);
}

/* @text is a part's number, 1 to PT_LOAD_VIDEO_PARTS_MAX, with @suffix after it. */
static guint
parse_part(const char *text, const char *suffix)
{
  gsize n = strlen(text), s = strlen(suffix);
  if (n <= s || n - s > 2 || strcmp(text + n - s, suffix) != 0)
    return 0;
  g_autofree char *digits = g_strndup(text, n - s);
  guint64 part = 0;
  if (!g_ascii_string_to_unsigned(digits, 10, 1, PT_LOAD_VIDEO_PARTS_MAX, &part, NULL))
    return 0;
  return (guint)part;
}

/* GET .../video/{camera}/recorded/{n} and {n}.mp4 */
static enum MHD_Result
get_recorded(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  const char *file = call->args[2];
  gboolean clip = g_str_has_suffix(file, ".mp4");
  guint part = parse_part(file, clip ? ".mp4" : "");
  if (!part)
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such part of the recording",
                                 NULL);
  g_autoptr(PtLoadVideo) v = open_video(call, &error);
  PtLoadClip out;
  int fd = -1;
  if (!v || !pt_load_video_clip(call->http->station, call->store, v, call->args[1], part, &out,
                                clip ? &fd : NULL, &error)) {
    /* The end of the window is seconds from being recorded: the page asks again. */
    if (g_error_matches(error, PT_ERROR, PT_ERROR_BUSY)) {
      json_t *o = json_pack("{ss ss}", "error", error->message, "code", "recording-pending");
      g_autofree char *text = json_dumps(o, JSON_COMPACT);
      json_decref(o);
      return pt_http_respond_with(call->c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json",
                                  g_strdup(text), strlen(text), "Retry-After", "2");
    }
    return pt_http_respond_gerror(call->c, error);
  }
  if (clip)
    return pt_http_respond_file(call->c, fd, out.bytes, "video/mp4", out.sha256);
  g_autofree char *url = g_strdup_printf(LOADS_URL "/%" G_GINT64_FORMAT "/video/%s/recorded/%u.mp4",
                                         v->load->id, call->args[1], part);
  json_t *o = window_json(out.from_ns, out.to_ns);
  json_object_set_new(o, "part", json_integer(part));
  json_object_set_new(o, "camera", json_string(call->args[1]));
  json_object_set_new(o, "start", pt_time_json(out.start_ns));
  json_object_set_new(o, "end", pt_time_json(out.end_ns));
  json_object_set_new(o, "from_ns", json_integer(out.from_ns));
  json_object_set_new(o, "to_ns", json_integer(out.to_ns));
  json_object_set_new(o, "start_ns", json_integer(out.start_ns));
  json_object_set_new(o, "end_ns", json_integer(out.end_ns));
  json_object_set_new(o, "bytes", json_integer((json_int_t)out.bytes));
  json_object_set_new(o, "sha256", json_string(out.sha256));
  json_object_set_new(o, "url", json_string(url));
  return pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL);
}

static const PtHttpRoute routes[] = {
    {LOADS_URL, PT_HTTP_GET, PT_HTTP_BUYER, list_loads},
    {LOADS_URL "/{id}/video", PT_HTTP_GET, PT_HTTP_BUYER, get_video},
    {LOADS_URL "/{id}/video/{camera}/live/{file}", PT_HTTP_GET, PT_HTTP_BUYER, get_live},
    {LOADS_URL "/{id}/video/{camera}/recorded/{file}", PT_HTTP_GET, PT_HTTP_BUYER, get_recorded},
};

const PtHttpRouteTable pt_http_buyer_video_routes = {routes, G_N_ELEMENTS(routes)};
