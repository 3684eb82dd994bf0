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

/* The load with its video's URL. */
static json_t *
load_json(PtStore *store, const PtLoadVideo *v, GError **error)
{
  json_t *o = pt_load_video_load_json(store, v, error);
  if (o) {
    g_autofree char *url = video_url(v);
    json_object_set_new(o, "video", json_string(url));
  }
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

/* GET /api/v1/buyer/loads/{id}/video: pt_load_video_json() with the URLs: the load's video,
 * each camera's live playlist while loading (else null), each recorded part's facts and clip. */
static enum MHD_Result
get_video(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtLoadVideo) v = open_video(call, &error);
  json_t *o = v ? pt_load_video_json(call->store, v, &error) : NULL;
  if (!o)
    return pt_http_respond_gerror(call->c, error);
  g_autofree char *base = video_url(v);
  json_object_set_new(json_object_get(o, "load"), "video", json_string(base));
  gsize i, j;
  json_t *cam, *part;
  json_array_foreach(json_object_get(o, "cameras"), i, cam)
  {
    /* Camera names are [A-Za-z0-9_-] (pt-camera-config.h): nothing to escape. */
    const char *name = json_string_value(json_object_get(cam, "name"));
    json_object_set_new(cam, "live",
                        json_is_true(json_object_get(cam, "live"))
                            ? json_sprintf("%s/%s/live/" PT_LIVE_PLAYLIST_NAME, base, name)
                            : json_null());
    json_array_foreach(json_object_get(cam, "recorded"), j, part)
    {
      int n = (int)json_integer_value(json_object_get(part, "part"));
      json_object_set_new(part, "facts", json_sprintf("%s/%s/recorded/%d", base, name, n));
      json_object_set_new(part, "clip", json_sprintf("%s/%s/recorded/%d.mp4", base, name, n));
    }
  }
  return pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL);
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
  json_t *o = pt_load_clip_json(call->args[1], &out);
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
