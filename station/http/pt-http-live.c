/* pt-http-live.c: the live view of a camera (pt-live-view.h), as HLS the browser's own
 * <video> element plays:
 *
 *   GET /api/v1/cameras/{name}/live/index.m3u8   the playlist; the first request starts the
 *                                                camera's branch and waits (bounded) for it
 *   GET /api/v1/cameras/{name}/live/seg00042.ts  one MPEG-TS segment of the playlist
 *
 * Operators only, like the thumbnails: a consumer's (public) route never serves live video.
 * 404 for an unknown camera or file, 503 with the reason for a camera that is not recording.
 * Workload: per viewer about one playlist and one segment a second; each is one file read. */
#include "pt-http-live.h"

#include "pt-http-respond.h"

#include "pt-error.h"
#include "pt-live-view.h"

static enum MHD_Result
respond_bytes(struct MHD_Connection *c, GBytes *bytes, const char *type, const char *cache)
{
  gsize len = 0;
  const void *data = g_bytes_get_data(bytes, &len);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, cache);
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

enum MHD_Result
pt_http_live_respond(struct MHD_Connection *c, const char *file, GBytes *body, const GError *error)
{
  /* A camera down is an answer the page shows, not a server fault to log. */
  if (!body && g_error_matches(error, PT_ERROR, PT_ERROR_BUSY))
    return pt_http_respond_error(c, MHD_HTTP_SERVICE_UNAVAILABLE, error->message, NULL);
  if (!body)
    return pt_http_respond_gerror(c, error);
  /* The playlist changes every segment: a player must always ask again.  A segment never
   * changes once listed, but is deleted seconds later: nothing to keep. */
  if (g_strcmp0(file, PT_LIVE_PLAYLIST_NAME) == 0)
    return respond_bytes(c, body, "application/vnd.apple.mpegurl", "no-cache");
  return respond_bytes(c, body, "video/mp2t", "private, max-age=60");
}

static enum MHD_Result
get_live_file(const PtHttpCall *call)
{
  const char *camera = call->args[0], *file = call->args[1];
  PtRecorder *recorder = g_atomic_pointer_get(&call->http->recorder);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) body = NULL;

  if (!recorder)
    g_set_error(&error, PT_ERROR, PT_ERROR_NOT_FOUND, "no camera called %s", camera);
  else if (g_strcmp0(file, PT_LIVE_PLAYLIST_NAME) == 0)
    body = pt_live_view_playlist(recorder, camera, PT_LIVE_VIEWER_OPERATOR, &error);
  else
    body = pt_live_view_segment(recorder, camera, file, PT_LIVE_VIEWER_OPERATOR, &error);
  return pt_http_live_respond(call->c, file, body, error);
}

static const PtHttpRoute routes[] = {
    {"/api/v1/cameras/{name}/live/{file}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_live_file},
};

const PtHttpRouteTable pt_http_live_routes = {routes, G_N_ELEMENTS(routes)};
