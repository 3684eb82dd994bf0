/* pt-load-video.c: a buyer's video of a load (see pt-load-video.h).
 *
 * Workload: a buyer watching a load live asks about once a second for the playlist and for
 * each segment (a load read by id, station.ini's cameras, a file read); the portal's list
 * reads a page of loads.  A closed load's recording is cut once per part and camera (a stream
 * copy), then served from its file with byte ranges as the player seeks. */
#include "pt-load-video.h"

#include "pt-error.h"
#include "pt-evidence.h"
#include "pt-file.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-live-view.h"
#include "pt-load.h"
#include "pt-recording-config.h"
#include "pt-store-video.h"
#include "pt-time.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <jansson.h>
#include <string.h>
#include <sys/stat.h>

/* One cut at a time in the process: a clip asked for by two players at once is cut once, and
 * the cuts never compete with the cameras for more than one core. */
static GMutex cut_lock;

void
pt_load_video_free(PtLoadVideo *v)
{
  if (!v)
    return;
  pt_load_free(v->load);
  if (v->cameras)
    g_ptr_array_unref(v->cameras);
  g_free(v);
}

/* Takes @load (transfer full) with the cameras at its dock (of @rc,
 * pt_load_cameras_config()'s) and its window. */
static PtLoadVideo *
video_new(PtStation *station, const PtRecordingConfig *rc, PtLoad *load)
{
  PtLoadVideo *v = g_new0(PtLoadVideo, 1);
  v->load = load;
  v->cameras = pt_load_dock_cameras_in(station, rc, load->dock);
  v->from_ns = load->opened_ns - PT_LOAD_VIDEO_MARGIN_NS;
  v->to_ns = load->closed_ns ? load->closed_ns + PT_LOAD_VIDEO_MARGIN_NS : 0;
  return v;
}

PtLoadVideo *
pt_load_video_open(PtStation *station, PtStore *store, const char *id, const char *scope_gln,
                   GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(PtLoad) load = pt_load_lookup(store, id, &local);
  if (!load && !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  /* Another buyer's load reads exactly as one that does not exist. */
  if (!load || (scope_gln && g_strcmp0(load->destination_gln, scope_gln) != 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no such load");
    return NULL;
  }
  g_autoptr(PtRecordingConfig) rc = pt_load_cameras_config(station, error);
  return rc ? video_new(station, rc, g_steal_pointer(&load)) : NULL;
}

GPtrArray *
pt_load_video_list(PtStation *station, PtStore *store, const char *scope_gln, int limit, int offset,
                   gboolean *more_out, GError **error)
{
  g_autoptr(GPtrArray) loads = pt_store_load_list_to(store, scope_gln, limit + 1, offset, error);
  if (!loads)
    return NULL;
  *more_out = loads->len > (guint)limit;
  /* station.ini read once for the page, not once a load. */
  g_autoptr(PtRecordingConfig) rc = pt_load_cameras_config(station, error);
  if (!rc)
    return NULL;
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_load_video_free);
  for (guint i = 0; i < loads->len && i < (guint)limit; i++) {
    PtLoad *load = g_ptr_array_index(loads, i);
    loads->pdata[i] = NULL; /* the video's now */
    g_ptr_array_add(out, video_new(station, rc, load));
  }
  return out;
}

guint
pt_load_video_parts(const PtLoadVideo *v, gboolean *truncated_out)
{
  gint64 span = v->to_ns - v->from_ns;
  guint64 n = v->to_ns ? (guint64)((span + PT_LOAD_VIDEO_PART_NS - 1) / PT_LOAD_VIDEO_PART_NS) : 0;
  if (truncated_out)
    *truncated_out = n > PT_LOAD_VIDEO_PARTS_MAX;
  return (guint)MIN(n, (guint64)PT_LOAD_VIDEO_PARTS_MAX);
}

void
pt_load_video_part_window(const PtLoadVideo *v, guint part, gint64 *from_ns, gint64 *to_ns)
{
  g_return_if_fail(part >= 1);
  *from_ns = v->from_ns + (gint64)(part - 1) * PT_LOAD_VIDEO_PART_NS;
  *to_ns = MIN(*from_ns + PT_LOAD_VIDEO_PART_NS, v->to_ns);
}

/* @camera is one of the load's loading cameras; else, as for another's load, not found. */
static gboolean
check_camera(const PtLoadVideo *v, const char *camera, GError **error)
{
  for (guint i = 0; i < v->cameras->len; i++)
    if (strcmp(g_ptr_array_index(v->cameras, i), camera) == 0)
      return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "load %" G_GINT64_FORMAT " has no camera %s",
              v->load->id, camera);
  return FALSE;
}

GBytes *
pt_load_video_live(const PtLoadVideo *v, PtRecorder *recorder, const char *camera, const char *file,
                   GError **error)
{
  if (!check_camera(v, camera, error))
    return NULL;
  if (v->load->closed_ns) {
    g_autofree char *at = pt_time_format(v->load->closed_ns);
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "load %" G_GINT64_FORMAT " left at %s: no more live video, its loading is "
                "recorded",
                v->load->id, at);
    return NULL;
  }
  if (!recorder) {
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY, "the station records no camera now");
    return NULL;
  }
  if (strcmp(file, PT_LIVE_PLAYLIST_NAME) == 0)
    return pt_live_view_playlist(recorder, camera, PT_LIVE_VIEWER_BUYER, error);
  return pt_live_view_segment(recorder, camera, file, PT_LIVE_VIEWER_BUYER, error);
}

/* ---- the recording, cut into clips ---- */

/* DATA/clips/loads/load-<id>-<camera>-<part>.mp4, and its facts beside it (.json).  Camera
 * names are station.ini's (checked at load): no path can leave the folder. */
static char *
clip_path(const char *dir, const PtLoadVideo *v, const char *camera, guint part, const char *ext)
{
  g_autofree char *name =
      g_strdup_printf("load-%" G_GINT64_FORMAT "-%s-%u.%s", v->load->id, camera, part, ext);
  return g_build_filename(dir, name, NULL);
}

/* The clip at @path as its facts file @info describes it, when both are there and agree with
 * the window asked (@want->from_ns, to_ns): the answer of an earlier cut. */
static gboolean
read_cut(const char *path, const char *info, PtLoadClip *want)
{
  g_autofree char *text = pt_file_read(info, PT_LOAD_VIDEO_CLIP_INFO_MAX, NULL, NULL);
  if (!text)
    return FALSE;
  g_autoptr(json_t) o = json_loads(text, 0, NULL);
  json_int_t from = 0, to = 0, start = 0, end = 0, bytes = 0;
  const char *sha = NULL;
  if (!o ||
      json_unpack(o, "{s:I, s:I, s:I, s:I, s:I, s:s}", "from_ns", &from, "to_ns", &to, "start_ns",
                  &start, "end_ns", &end, "bytes", &bytes, "sha256", &sha) != 0 ||
      from != want->from_ns || to != want->to_ns || strlen(sha) != 64)
    return FALSE;
  GStatBuf st;
  if (g_stat(path, &st) != 0 || (guint64)st.st_size != (guint64)bytes)
    return FALSE;
  want->start_ns = start;
  want->end_ns = end;
  want->bytes = (guint64)bytes;
  memcpy(want->sha256, sha, sizeof want->sha256);
  return TRUE;
}

static gboolean
write_cut(const char *info, const PtLoadClip *clip, GError **error)
{
  g_autoptr(json_t) o =
      json_pack("{sI sI sI sI sI ss}", "from_ns", (json_int_t)clip->from_ns, "to_ns",
                (json_int_t)clip->to_ns, "start_ns", (json_int_t)clip->start_ns, "end_ns",
                (json_int_t)clip->end_ns, "bytes", (json_int_t)clip->bytes, "sha256", clip->sha256);
  g_autofree char *text = json_dumps(o, JSON_COMPACT);
  return pt_file_write_atomic(info, text, strlen(text), 0640, error);
}

static gboolean
cut_name_ok(const char *name)
{
  return g_str_has_prefix(name, "load-") && g_str_has_suffix(name, ".mp4");
}

/* A clip's facts file goes with it. */
static void
remove_cut_info(const char *clip_path)
{
  g_autofree char *base = g_strndup(clip_path, strlen(clip_path) - strlen(".mp4"));
  g_autofree char *info = g_strconcat(base, ".json", NULL);
  if (g_unlink(info) != 0 && errno != ENOENT)
    g_warning("load video: cannot remove %s: %s", info, g_strerror(errno));
}

/* Where the recording of @camera ends for this window: @clip->to_ns, or the end of what was
 * recorded when the camera stopped before it.  PT_ERROR_BUSY while that end is still being
 * recorded. */
static gboolean
recorded_end(PtStore *store, const char *camera, PtLoadClip *clip, gint64 now_ns, GError **error)
{
  gint64 readable = 0;
  if (!pt_store_segments_readable_end(store, camera, &readable, error))
    return FALSE;
  if (readable >= clip->to_ns)
    return TRUE;
  g_autoptr(GPtrArray) open = pt_store_segments_open(store, error);
  if (!open)
    return FALSE;
  gboolean recording = FALSE;
  for (guint i = 0; i < open->len && !recording; i++)
    recording = g_strcmp0(((PtSegmentRow *)g_ptr_array_index(open, i))->camera, camera) == 0;
  if (recording || now_ns < clip->to_ns) {
    g_autofree char *at = pt_time_format(clip->to_ns);
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY,
                "camera %s is still recording the end of this load's video (%s): ask again when "
                "its segment closes",
                camera, at);
    return FALSE;
  }
  if (readable <= clip->from_ns) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "camera %s recorded nothing of this load",
                camera);
    return FALSE;
  }
  clip->to_ns = readable;
  return TRUE;
}

static int
open_clip(const char *path, GError **error)
{
  int fd = g_open(path, O_RDONLY | O_CLOEXEC, 0);
  if (fd < 0) {
    int e = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "open %s: %s", path, g_strerror(e));
  }
  return fd;
}

/* Holding the cut lock: the clip of @out's window at @path (with its facts @info), as
 * another thread may have cut it meanwhile, or cut now. */
static gboolean
cut_held(PtStation *station, PtStore *store, const char *camera, const char *dir, const char *path,
         const char *info, PtLoadClip *out, GError **error)
{
  if (!recorded_end(store, camera, out, pt_now_ns(), error))
    return FALSE;
  if (read_cut(path, info, out))
    return TRUE;
  if (g_mkdir_with_parents(dir, 0750) != 0) {
    int e = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "load video: cannot create %s: %s", dir,
                g_strerror(e));
    return FALSE;
  }
  PtClipResult res;
  if (!pt_evidence_cut(station, store, camera, out->from_ns, out->to_ns, path, &res, error))
    return FALSE;
  out->start_ns = res.start_ns;
  out->end_ns = res.end_ns;
  out->bytes = res.bytes;
  memcpy(out->sha256, res.sha256, sizeof out->sha256);
  if (!write_cut(info, out, error))
    return FALSE;
  /* A cache: a clip removed is cut again while its recordings last. */
  pt_file_prune_newest(dir, cut_name_ok, PT_LOAD_VIDEO_CLIPS_KEPT, remove_cut_info);
  return TRUE;
}

/* cut_held() under the cut lock: one cut at a time in the process. */
static gboolean
cut_locked(PtStation *station, PtStore *store, const char *camera, const char *dir,
           const char *path, const char *info, PtLoadClip *out, GError **error)
{
  g_mutex_lock(&cut_lock);
  gboolean ok = cut_held(station, store, camera, dir, path, info, out, error);
  g_mutex_unlock(&cut_lock);
  return ok;
}

gboolean
pt_load_video_clip(PtStation *station, PtStore *store, const PtLoadVideo *v, const char *camera,
                   guint part, PtLoadClip *out, int *fd_out, GError **error)
{
  if (!check_camera(v, camera, error))
    return FALSE;
  if (!v->load->closed_ns) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "load %" G_GINT64_FORMAT " is still being loaded: watch it live", v->load->id);
    return FALSE;
  }
  if (part < 1 || part > pt_load_video_parts(v, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "load %" G_GINT64_FORMAT " has no part %u of its recording", v->load->id, part);
    return FALSE;
  }
  g_autoptr(PtRecordingConfig) rc = pt_recording_config_load(station, error);
  if (!rc)
    return FALSE;
  g_autofree char *dir = g_build_filename(rc->clips_dir, "loads", NULL);
  g_autofree char *path = clip_path(dir, v, camera, part, "mp4");
  g_autofree char *info = clip_path(dir, v, camera, part, "json");
  memset(out, 0, sizeof *out);
  out->part = part;
  pt_load_video_part_window(v, part, &out->from_ns, &out->to_ns);

  /* Cut already (the usual case): no lock, since both files are renamed into place whole;
   * a clip being cut again meanwhile differs from its facts and goes the long way. */
  if (!read_cut(path, info, out) &&
      !cut_locked(station, store, camera, dir, path, info, out, error))
    return FALSE;
  if (fd_out && (*fd_out = open_clip(path, error)) < 0)
    return FALSE;
  return TRUE;
}

/* The load as a buyer sees it: no plate, driver or phone. */
json_t *
pt_load_video_load_json(PtStore *store, const PtLoadVideo *v, GError **error)
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
  return o;
}

static json_t *
window_json(gint64 from_ns, gint64 to_ns)
{
  json_t *o = json_object();
  json_object_set_new(o, "from", pt_time_json(from_ns));
  json_object_set_new(o, "to", pt_time_json(to_ns));
  return o;
}

json_t *
pt_load_video_json(PtStore *store, const PtLoadVideo *v, GError **error)
{
  json_t *load = pt_load_video_load_json(store, v, error);
  if (!load)
    return NULL;
  json_t *window = window_json(v->from_ns, v->to_ns);
  json_object_set_new(window, "margin_seconds", json_integer(PT_LOAD_VIDEO_MARGIN_NS / 1000000000));
  gboolean truncated = FALSE;
  guint parts = pt_load_video_parts(v, &truncated);
  json_t *cams = json_array();
  for (guint i = 0; i < v->cameras->len; i++) {
    json_t *recorded = json_array();
    for (guint p = 1; p <= parts; p++) {
      gint64 from = 0, to = 0;
      pt_load_video_part_window(v, p, &from, &to);
      json_t *part = window_json(from, to);
      json_object_set_new(part, "part", json_integer(p));
      json_array_append_new(recorded, part);
    }
    json_array_append_new(cams, json_pack("{ss sb so sb}", "name", g_ptr_array_index(v->cameras, i),
                                          "live", !v->load->closed_ns, "recorded", recorded,
                                          "truncated", truncated));
  }
  return json_pack("{so so so}", "load", load, "window", window, "cameras", cams);
}

json_t *
pt_load_clip_json(const char *camera, const PtLoadClip *clip)
{
  json_t *o = window_json(clip->from_ns, clip->to_ns);
  json_object_set_new(o, "part", json_integer(clip->part));
  json_object_set_new(o, "camera", json_string(camera));
  json_object_set_new(o, "start", pt_time_json(clip->start_ns));
  json_object_set_new(o, "end", pt_time_json(clip->end_ns));
  json_object_set_new(o, "from_ns", json_integer(clip->from_ns));
  json_object_set_new(o, "to_ns", json_integer(clip->to_ns));
  json_object_set_new(o, "start_ns", json_integer(clip->start_ns));
  json_object_set_new(o, "end_ns", json_integer(clip->end_ns));
  json_object_set_new(o, "bytes", json_integer((json_int_t)clip->bytes));
  json_object_set_new(o, "sha256", json_string(clip->sha256));
  return o;
}
