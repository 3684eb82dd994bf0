/* pt-http-timeline.c: the recordings timeline of the dashboard (operators; pt-timeline.h).
 *
 *   GET  /api/v1/timeline?camera=NAME&from=T&to=T  a day's spans, gaps, events, retention
 *   GET  /api/v1/timeline/at?camera=NAME&t=T       the segment and offset that play instant T
 *   GET  /api/v1/timeline/segments/{id}            a readable segment (video/x-matroska, Range)
 *   GET  /api/v1/timeline/segments/{id}/pieces/{k} a masked camera's: piece k, masked (video/mp4)
 *   POST /api/v1/timeline/export {camera, from, to} a range cut as a clip: name, SHA-256, link
 *   GET  /api/v1/timeline/exports/{name}           that clip (video/mp4, Range)
 *
 * T is RFC 3339 (the browser sends its local day's bounds in UTC).  A segment is named by its
 * id in station.db, a clip by the name the export gave it: no client ever names a path. */
#include "pt-http-timeline.h"

#include "pt-http-respond.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-time.h"
#include "pt-timeline.h"

#define SEGMENT_TYPE "video/x-matroska"

static const char *
query(const PtHttpCall *call, const char *name)
{
  return MHD_lookup_connection_value(call->c, MHD_GET_ARGUMENT_KIND, name);
}

/* Query argument @name as an RFC 3339 time; required. */
static gboolean
query_time(const PtHttpCall *call, const char *name, gint64 *out, GError **error)
{
  const char *v = query(call, name);
  if (!v) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s= is required (RFC 3339)", name);
    return FALSE;
  }
  return pt_time_parse(v, out, error);
}

static const char *
query_camera(const PtHttpCall *call, GError **error)
{
  const char *camera = query(call, "camera");
  if (!camera || !*camera)
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "camera= is required");
  return camera && *camera ? camera : NULL;
}

/* GET /api/v1/timeline: pt_timeline_day(). */
static enum MHD_Result
get_timeline(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  gint64 from = 0, to = 0;
  const char *camera = query_camera(call, &error);
  if (!camera || !query_time(call, "from", &from, &error) || !query_time(call, "to", &to, &error))
    return pt_http_respond_gerror(call->c, error);
  json_t *day =
      pt_timeline_day(call->http->station, call->store, camera, from, to, pt_now_ns(), &error);
  return day ? pt_http_respond_json(call->c, MHD_HTTP_OK, day, NULL)
             : pt_http_respond_gerror(call->c, error);
}

/* What the player loads: {id (the segment's), piece (masked cameras only), start, end,
 * start_ns, end_ns, url}. */
static json_t *
play_json(const PtTimelinePlay *p)
{
  g_autofree char *start = pt_time_format(p->start_ns);
  g_autofree char *end = pt_time_format(p->end_ns);
  g_autofree char *url =
      p->piece < 0 ? g_strdup_printf("/api/v1/timeline/segments/%" G_GINT64_FORMAT, p->segment_id)
                   : g_strdup_printf("/api/v1/timeline/segments/%" G_GINT64_FORMAT "/pieces/%d",
                                     p->segment_id, p->piece);
  json_t *o =
      json_pack("{sIsssssIsIss}", "id", (json_int_t)p->segment_id, "start", start, "end", end,
                "start_ns", (json_int_t)p->start_ns, "end_ns", (json_int_t)p->end_ns, "url", url);
  if (p->piece >= 0)
    json_object_set_new(o, "piece", json_integer(p->piece));
  return o;
}

/* GET /api/v1/timeline/at: {segment, offset (seconds into it), in_gap, next (nullable)}; on a
 * masked camera "segment" and "next" are pieces. */
static enum MHD_Result
get_at(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  gint64 at = 0;
  const char *camera = query_camera(call, &error);
  if (!camera || !query_time(call, "t", &at, &error))
    return pt_http_respond_gerror(call->c, error);
  PtTimelineSpot spot;
  if (!pt_timeline_locate(call->http->station, call->store, camera, at, &spot, &error))
    return pt_http_respond_gerror(call->c, error);
  json_t *o = json_pack("{sosfsb}", "segment", play_json(&spot.play), "offset",
                        (double)spot.offset_ns / 1e9, "in_gap", spot.in_gap);
  json_object_set_new(o, "next", spot.has_next ? play_json(&spot.next) : json_null());
  return pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL);
}

static enum MHD_Result
respond_segment(const PtHttpCall *call, const char *id_arg, const char *piece_arg)
{
  g_autoptr(GError) error = NULL;
  gint64 id = 0, piece = -1;
  if (!g_ascii_string_to_signed(id_arg, 10, 1, G_MAXINT64, &id, NULL))
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such segment", NULL);
  if (piece_arg && !g_ascii_string_to_signed(piece_arg, 10, 0, G_MAXINT, &piece, NULL))
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such piece", NULL);
  int fd = -1;
  guint64 size = 0;
  g_autoptr(PtSegmentRow) seg = pt_timeline_segment_open(call->http->station, call->store, id,
                                                         (int)piece, &fd, &size, &error);
  if (!seg)
    return pt_http_respond_gerror(call->c, error);
  /* A masked piece is not the recorded file: no ETag of the recording's hash. */
  return pt_http_respond_file(call->c, fd, size, piece >= 0 ? "video/mp4" : SEGMENT_TYPE,
                              piece >= 0 ? NULL : seg->sha256);
}

/* GET /api/v1/timeline/segments/{id}: the recording, whole or by range (409 on a masked
 * camera, whose recordings play by pieces). */
static enum MHD_Result
get_segment(const PtHttpCall *call)
{
  return respond_segment(call, call->args[0], NULL);
}

/* GET /api/v1/timeline/segments/{id}/pieces/{k}: a masked camera's piece, whole or by range. */
static enum MHD_Result
get_piece(const PtHttpCall *call)
{
  return respond_segment(call, call->args[0], call->args[1]);
}

/* POST /api/v1/timeline/export {"camera": NAME, "from": T, "to": T}: the clip's name, span,
 * size, SHA-256 and download link. */
static enum MHD_Result
post_export(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  json_t *body = pt_http_body_json(call->req, FALSE, &error);
  if (!body)
    return pt_http_respond_gerror(call->c, error);
  const char *camera = NULL, *from_text = NULL, *to_text = NULL;
  gint64 from = 0, to = 0;
  gboolean ok = json_unpack(body, "{s:s, s:s, s:s !}", "camera", &camera, "from", &from_text, "to",
                            &to_text) == 0;
  if (!ok)
    g_set_error(&error, PT_ERROR, PT_ERROR_INVALID,
                "body is {\"camera\": NAME, \"from\": RFC3339, \"to\": RFC3339}");
  PtTimelineExport out = {0};
  ok = ok && pt_time_parse(from_text, &from, &error) && pt_time_parse(to_text, &to, &error) &&
       pt_timeline_export(call->http->station, call->store, camera, from, to, &out, &error);
  json_decref(body);
  if (!ok)
    return pt_http_respond_gerror(call->c, error);
  g_autofree char *start = pt_time_format(out.start_ns);
  g_autofree char *end = pt_time_format(out.end_ns);
  g_autofree char *url = g_strdup_printf("/api/v1/timeline/exports/%s", out.name);
  return pt_http_respond_json(call->c, MHD_HTTP_CREATED,
                              json_pack("{sssssssIssss}", "name", out.name, "start", start, "end",
                                        end, "bytes", (json_int_t)out.bytes, "sha256", out.sha256,
                                        "url", url),
                              NULL);
}

/* GET /api/v1/timeline/exports/{name}: an exported clip, whole or by range. */
static enum MHD_Result
get_export(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  guint64 size = 0;
  int fd = pt_timeline_export_open(call->http->station, call->args[0], &size, &error);
  if (fd < 0)
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_file(call->c, fd, size, "video/mp4", NULL);
}

static const PtHttpRoute timeline_routes[] = {
    {"/api/v1/timeline", PT_HTTP_GET, PT_HTTP_OPERATOR, get_timeline},
    {"/api/v1/timeline/at", PT_HTTP_GET, PT_HTTP_OPERATOR, get_at},
    {"/api/v1/timeline/segments/{id}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_segment},
    {"/api/v1/timeline/segments/{id}/pieces/{k}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_piece},
    {"/api/v1/timeline/export", PT_HTTP_POST, PT_HTTP_OPERATOR, post_export},
    {"/api/v1/timeline/exports/{name}", PT_HTTP_GET, PT_HTTP_OPERATOR, get_export},
};

const PtHttpRouteTable pt_http_timeline_routes = {timeline_routes, G_N_ELEMENTS(timeline_routes)};
