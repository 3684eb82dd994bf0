/* pt-timeline.c: a camera's recordings timeline (see pt-timeline.h).
 *
 * Workload: one day's answer per dashboard view of a camera (a few indexed reads, at most
 * PT_TIMELINE_SEGMENTS_MAX segment rows folded into spans), one instant lookup per seek or
 * segment boundary played, and an export now and then (stream copy, no re-encode). */
#include "pt-timeline.h"

#include "pt-error.h"
#include "pt-evidence.h"
#include "pt-file.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-recording-config.h"
#include "pt-store-timeline.h"
#include "pt-time.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS_PER_DAY (86400.0 * 1e9)

/* The recording settings of station.ini, with the demo cameras when it runs them, and
 * @camera's own.  Returns: (transfer full). */
static PtRecordingConfig *
load_camera(PtStation *station, const char *camera, const PtCameraConfig **cam_out, GError **error)
{
  g_autoptr(PtRecordingConfig) rc = pt_recording_config_load(station, error);
  if (!rc)
    return NULL;
  if (rc->demo)
    pt_recording_config_add_demo(rc);
  const PtCameraConfig *cam = camera ? pt_recording_config_camera(rc, camera) : NULL;
  if (camera && !cam) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no camera '%s' on this station", camera);
    return NULL;
  }
  if (cam_out)
    *cam_out = cam;
  return g_steal_pointer(&rc);
}

static gboolean
readable(const PtSegmentRow *r)
{
  return g_strcmp0(r->state, PT_SEGSTATE_CLOSED) == 0 ||
         g_strcmp0(r->state, PT_SEGSTATE_RECOVERED) == 0;
}

static json_t *
span_json(gint64 from_ns, gint64 to_ns, gint64 n, gboolean recording)
{
  g_autofree char *from = pt_time_format(from_ns);
  g_autofree char *to = pt_time_format(to_ns);
  return json_pack("{sssssIsIsIsb}", "from", from, "to", to, "from_ns", (json_int_t)from_ns,
                   "to_ns", (json_int_t)to_ns, "segments", (json_int_t)n, "recording", recording);
}

static json_t *
gap_json(gint64 from_ns, gint64 to_ns, const char *reason, const char *kind)
{
  g_autofree char *from = pt_time_format(from_ns);
  json_t *o = json_pack("{sssIssss}", "from", from, "from_ns", (json_int_t)from_ns, "reason",
                        reason ? reason : "", "kind", kind);
  g_autofree char *to = to_ns ? pt_time_format(to_ns) : NULL;
  json_object_set_new(o, "to", to ? json_string(to) : json_null());
  json_object_set_new(o, "to_ns", to_ns ? json_integer(to_ns) : json_null());
  return o;
}

/* Folds @segs (oldest first) into recorded spans: readable segments less than
 * PT_TIMELINE_JOIN_NS apart are one span; the segment being written is a span that is still
 * recording (up to @now_ns); a deleted or lost one breaks the span and is listed in @gaps.
 * An open segment with a newer one after it is not being written: the muxer never finalized
 * it (a camera's restart, a kill) and its recovery is probing it.  What it holds is not
 * known yet, so it is left out until the probe says (recovered: it joins its span; lost: a
 * gap), rather than drawn as footage up to now over everything after it. */
static json_t *
fold_spans(GPtrArray *segs, gint64 now_ns, json_t *gaps, gboolean *truncated)
{
  json_t *spans = json_array();
  gint64 from = 0, to = 0, n = 0;
  for (guint i = 0; i < segs->len; i++) {
    PtSegmentRow *r = g_ptr_array_index(segs, i);
    gboolean open = g_strcmp0(r->state, PT_SEGSTATE_OPEN) == 0;
    if (open && i + 1 < segs->len)
      continue;
    if (!readable(r) && !open) {
      if (n)
        json_array_append_new(spans, span_json(from, to, n, FALSE));
      n = 0;
      json_array_append_new(
          gaps, gap_json(r->start_ns, r->end_ns ? r->end_ns : r->start_ns, r->reason, r->state));
      continue;
    }
    gint64 end = open ? MAX(now_ns, r->start_ns) : r->end_ns;
    if (n && r->start_ns - to <= PT_TIMELINE_JOIN_NS) {
      to = MAX(to, end);
      n++;
    } else {
      if (n)
        json_array_append_new(spans, span_json(from, to, n, FALSE));
      from = r->start_ns;
      to = end;
      n = 1;
    }
    if (open) {
      json_array_append_new(spans, span_json(from, to, n, TRUE));
      n = 0;
    }
    if (json_array_size(spans) >= PT_TIMELINE_SPANS_MAX) {
      *truncated = TRUE;
      n = 0;
      break;
    }
  }
  if (n)
    json_array_append_new(spans, span_json(from, to, n, FALSE));
  return spans;
}

static json_t *
events_json(GPtrArray *rows)
{
  json_t *arr = json_array();
  for (guint i = 0; i < rows->len; i++) {
    PtTimelineEventRow *e = g_ptr_array_index(rows, i);
    g_autofree char *time = pt_time_format(e->event_time_ns);
    json_t *o =
        json_pack("{sssIsIsssIssss}", "time", time, "time_ns", (json_int_t)e->event_time_ns, "seq",
                  (json_int_t)e->seq, "step", e->step, "batch_id", (json_int_t)e->batch_id, "lot",
                  e->lot, "evidence", e->pending ? "pending" : "clip");
    json_object_set_new(o, "load_id", e->load_id ? json_integer(e->load_id) : json_null());
    json_array_append_new(arr, o);
  }
  return arr;
}

/* What viewers of the camera never see: null, or the style and the rectangles (pixels). */
static json_t *
mask_json(const PtMask *mask)
{
  if (mask->n_rects == 0)
    return json_null();
  json_t *rects = json_array();
  for (guint i = 0; i < mask->n_rects; i++) {
    const PtMaskRect *r = &mask->rects[i];
    /* A rectangle in percent of the frame says so; its numbers are percentages. */
    json_array_append_new(
        rects, r->percent ? json_pack("{sfsfsfsfss}", "x", r->x / 100.0, "y", r->y / 100.0, "width",
                                      r->w / 100.0, "height", r->h / 100.0, "unit", "%")
                          : json_pack("{sisisisiss}", "x", r->x, "y", r->y, "width", r->w, "height",
                                      r->h, "unit", "px"));
  }
  return json_pack("{ssso}", "style", pt_mask_style_to_string(mask->style), "rects", rects);
}

static json_t *
retention_json(const PtRecordingConfig *rc, const PtCameraConfig *cam, gint64 oldest_ns,
               gint64 now_ns)
{
  json_t *o = json_pack("{sIsIsIsi}", "segment_seconds", (json_int_t)(cam->segment_ns / 1000000000),
                        "quota_bytes", (json_int_t)rc->quota_bytes, "min_free_bytes",
                        (json_int_t)rc->min_free_bytes, "evidence_days", rc->evidence_days);
  g_autofree char *oldest = oldest_ns ? pt_time_format(oldest_ns) : NULL;
  json_object_set_new(o, "oldest", oldest ? json_string(oldest) : json_null());
  json_object_set_new(o, "oldest_ns", oldest_ns ? json_integer(oldest_ns) : json_null());
  json_object_set_new(o, "kept_days",
                      oldest_ns ? json_real((double)(now_ns - oldest_ns) / NS_PER_DAY)
                                : json_null());
  json_object_set_new(o, "privacy_mask", mask_json(&cam->mask));
  return o;
}

json_t *
pt_timeline_day(PtStation *station, PtStore *store, const char *camera, gint64 from_ns,
                gint64 to_ns, gint64 now_ns, GError **error)
{
  if (from_ns >= to_ns || to_ns - from_ns > PT_TIMELINE_WINDOW_MAX_NS) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "timeline: from must be before to, at most %d hours apart",
                (int)(PT_TIMELINE_WINDOW_MAX_NS / (3600 * G_GINT64_CONSTANT(1000000000))));
    return NULL;
  }
  const PtCameraConfig *cam = NULL;
  g_autoptr(PtRecordingConfig) rc = load_camera(station, camera, &cam, error);
  if (!rc)
    return NULL;
  g_autoptr(GPtrArray) segs =
      pt_store_segments_list(store, camera, from_ns, to_ns, PT_TIMELINE_SEGMENTS_MAX + 1, error);
  if (!segs)
    return NULL;
  g_autoptr(GPtrArray) gap_rows =
      pt_store_gaps_list(store, camera, from_ns, to_ns, PT_TIMELINE_GAPS_MAX + 1, error);
  if (!gap_rows)
    return NULL;
  g_autoptr(GPtrArray) events = pt_store_timeline_events(
      store, camera, from_ns, to_ns, PT_TIMELINE_CLIP_SPAN_NS, PT_TIMELINE_EVENTS_MAX + 1, error);
  if (!events)
    return NULL;
  gint64 oldest = 0;
  if (!pt_store_timeline_oldest(store, camera, &oldest, error))
    return NULL;

  gboolean truncated = segs->len > PT_TIMELINE_SEGMENTS_MAX ||
                       gap_rows->len > PT_TIMELINE_GAPS_MAX || events->len > PT_TIMELINE_EVENTS_MAX;
  g_ptr_array_set_size(segs, MIN(segs->len, PT_TIMELINE_SEGMENTS_MAX));
  g_ptr_array_set_size(gap_rows, MIN(gap_rows->len, PT_TIMELINE_GAPS_MAX));
  g_ptr_array_set_size(events, MIN(events->len, PT_TIMELINE_EVENTS_MAX));
  json_t *gaps = json_array();
  for (guint i = 0; i < gap_rows->len; i++) {
    PtGapRow *g = g_ptr_array_index(gap_rows, i);
    json_array_append_new(gaps, gap_json(g->from_ns, g->to_ns, g->reason, "gap"));
  }
  json_t *spans = fold_spans(segs, now_ns, gaps, &truncated);
  g_autofree char *from = pt_time_format(from_ns);
  g_autofree char *to = pt_time_format(to_ns);
  g_autofree char *now = pt_time_format(now_ns);
  return json_pack("{sssssssssssososososb}", "camera", cam->name, "role",
                   pt_camera_role_to_string(cam->role), "from", from, "to", to, "now", now, "spans",
                   spans, "gaps", gaps, "events", events_json(events), "retention",
                   retention_json(rc, cam, oldest, now_ns), "truncated", truncated);
}

/* Number of pieces of @seg on a masked camera: at least one. */
static int
piece_count(const PtSegmentRow *seg)
{
  gint64 len = MAX(seg->end_ns - seg->start_ns, 1);
  return (int)MIN((len + PT_TIMELINE_PIECE_NS - 1) / PT_TIMELINE_PIECE_NS, G_MAXINT);
}

static PtTimelinePlay
play_of(const PtSegmentRow *seg, int piece)
{
  if (piece < 0)
    return (PtTimelinePlay){seg->id, -1, seg->start_ns, seg->end_ns};
  gint64 start = seg->start_ns + (gint64)piece * PT_TIMELINE_PIECE_NS;
  return (PtTimelinePlay){seg->id, piece, start, MIN(start + PT_TIMELINE_PIECE_NS, seg->end_ns)};
}

gboolean
pt_timeline_locate(PtStation *station, PtStore *store, const char *camera, gint64 at_ns,
                   PtTimelineSpot *out, GError **error)
{
  *out = (PtTimelineSpot){0};
  const PtCameraConfig *cam = NULL;
  g_autoptr(PtRecordingConfig) rc = load_camera(station, camera, &cam, error);
  if (!rc)
    return FALSE;
  gboolean masked = cam->mask.n_rects > 0;
  g_autoptr(GError) local = NULL;
  g_autoptr(PtSegmentRow) seg =
      pt_store_timeline_segment_at(store, camera, at_ns, PT_TIMELINE_SEGMENT_MAX_NS, &local);
  gboolean in_gap = FALSE;
  if (!seg && !local) {
    seg = pt_store_timeline_segment_after(store, camera, at_ns, &local);
    in_gap = TRUE;
  }
  if (!seg) {
    if (!local) {
      g_autofree char *at = pt_time_format(at_ns);
      g_set_error(&local, PT_ERROR, PT_ERROR_NOT_FOUND,
                  "camera '%s' has no finished recording at or after %s", camera, at);
    }
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  gint64 offset = in_gap ? 0 : CLAMP(at_ns - seg->start_ns, 0, seg->end_ns - seg->start_ns);
  int piece = masked ? (int)MIN(offset / PT_TIMELINE_PIECE_NS, piece_count(seg) - 1) : -1;
  out->play = play_of(seg, piece);
  out->offset_ns = in_gap ? 0 : at_ns - out->play.start_ns;
  out->in_gap = in_gap;
  if (masked && piece + 1 < piece_count(seg)) {
    out->next = play_of(seg, piece + 1);
    out->has_next = TRUE;
    return TRUE;
  }
  g_autoptr(PtSegmentRow) next =
      pt_store_timeline_segment_after(store, camera, seg->start_ns, &local);
  if (local) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  if (next) {
    out->next = play_of(next, masked ? 0 : -1);
    out->has_next = TRUE;
  }
  return TRUE;
}

/* Opens @path for serving: a regular file of exactly @bytes when @bytes is not 0. */
static int
open_file(const char *path, guint64 bytes, guint64 *size_out, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
      (bytes && (guint64)st.st_size != bytes)) {
    int e = fd < 0 ? errno : 0;
    if (fd >= 0)
      close(fd);
    g_set_error(error, PT_ERROR, e == ENOENT ? PT_ERROR_NOT_FOUND : PT_ERROR_IO,
                "recording file %s is missing or changed", path);
    return -1;
  }
  if (size_out)
    *size_out = (guint64)st.st_size;
  return fd;
}

static gboolean
export_name_ok(const char *name)
{
  return name && g_regex_match_simple("^[0-9a-f]{32}\\.mp4$", name, 0, 0);
}

static gboolean
masked_name_ok(const char *name)
{
  /* (Whole renditions, seg-ID-DIGEST.mp4, of earlier versions are pruned alike.) */
  return name && g_regex_match_simple("^seg-[0-9]+-(p[0-9]+-)?[0-9a-f]{16}\\.mp4$", name, 0, 0);
}

/* The pieces being cut now, by file name: a second request for one waits for the first cut
 * (the player's prefetch of the next piece and its own request when it gets there) instead of
 * encoding it again. */
static GMutex cutting_lock;
static GCond cutting_done;
static GHashTable *cutting; /* char * name -> itself; under cutting_lock */

/* A masked camera's piece: [@play's span) of @seg cut through the mask (pt-clip.c: decoded,
 * masked, encoded; the first frame the one at the piece's start, so pieces played end to end
 * show every frame once) into DATA/clips/masked/seg-ID-pK-DIGEST.mp4 at its first request,
 * the worker waiting for it, then served as a file.  DIGEST is of the mask, so a changed mask
 * never serves an old piece.  The newest PT_TIMELINE_MASKED_KEPT are kept. */
static int
open_piece(const PtRecordingConfig *rc, const PtSegmentRow *seg, const PtTimelinePlay *play,
           const PtMask *mask, guint64 *size_out, GError **error)
{
  g_autofree char *dir = g_build_filename(rc->clips_dir, "masked", NULL);
  g_autofree char *rects = pt_mask_to_string(mask);
  g_autofree char *key = g_strdup_printf("%s %s", pt_mask_style_to_string(mask->style), rects);
  g_autofree char *digest = g_compute_checksum_for_string(G_CHECKSUM_SHA256, key, -1);
  g_autofree char *name =
      g_strdup_printf("seg-%" G_GINT64_FORMAT "-p%d-%.16s.mp4", seg->id, play->piece, digest);
  g_autofree char *path = g_build_filename(dir, name, NULL);

  g_mutex_lock(&cutting_lock);
  if (!cutting)
    cutting = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  while (g_hash_table_contains(cutting, name))
    g_cond_wait(&cutting_done, &cutting_lock);
  gboolean cut = !g_file_test(path, G_FILE_TEST_IS_REGULAR);
  if (cut)
    g_hash_table_add(cutting, g_strdup(name));
  g_mutex_unlock(&cutting_lock);
  if (cut) {
    gboolean ok = g_mkdir_with_parents(dir, 0750) == 0;
    if (!ok) {
      int e = errno;
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", dir, g_strerror(e));
    } else {
      PtClipSegment whole = {.path = seg->path, .start_ns = seg->start_ns, .end_ns = seg->end_ns};
      GError *clip_err = NULL;
      ok = pt_clip_export_full(&whole, 1, play->start_ns, play->end_ns, mask, PT_CLIP_EXACT_START,
                               path, NULL, &clip_err);
      if (!ok) {
        g_set_error(error, PT_ERROR, PT_ERROR_IO,
                    "masking segment %" G_GINT64_FORMAT " piece %d: %s", seg->id, play->piece,
                    clip_err->message);
        g_error_free(clip_err);
      }
    }
    g_mutex_lock(&cutting_lock);
    g_hash_table_remove(cutting, name);
    g_cond_broadcast(&cutting_done);
    g_mutex_unlock(&cutting_lock);
    if (!ok)
      return -1;
    pt_file_prune_newest(dir, masked_name_ok, PT_TIMELINE_MASKED_KEPT, NULL);
  }
  return open_file(path, 0, size_out, error);
}

PtSegmentRow *
pt_timeline_segment_open(PtStation *station, PtStore *store, gint64 id, int piece, int *fd_out,
                         guint64 *size_out, GError **error)
{
  g_autoptr(PtSegmentRow) seg = pt_store_timeline_segment_get(store, id, error);
  if (!seg)
    return NULL;
  if (!readable(seg)) {
    g_set_error(error, PT_ERROR,
                g_strcmp0(seg->state, PT_SEGSTATE_OPEN) == 0 ? PT_ERROR_CONFLICT
                                                             : PT_ERROR_NOT_FOUND,
                "segment %" G_GINT64_FORMAT " is %s%s%s", id, seg->state, seg->reason ? ": " : "",
                seg->reason ? seg->reason : "");
    return NULL;
  }
  /* A camera no longer in station.ini has no mask any more (as for its clips). */
  g_autoptr(PtRecordingConfig) rc = load_camera(station, NULL, NULL, error);
  if (!rc)
    return NULL;
  const PtCameraConfig *cam = pt_recording_config_camera(rc, seg->camera);
  gboolean masked = cam && cam->mask.n_rects > 0;
  if (piece < 0 && masked) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "camera '%s' has a privacy mask: its recordings play masked, by pieces "
                "(/api/v1/timeline/segments/%" G_GINT64_FORMAT "/pieces/0 to %d)",
                seg->camera, id, piece_count(seg) - 1);
    return NULL;
  }
  if (piece >= 0 && (!masked || piece >= piece_count(seg))) {
    if (masked)
      g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                  "segment %" G_GINT64_FORMAT " has no piece %d (it has %d)", id, piece,
                  piece_count(seg));
    else
      g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                  "segment %" G_GINT64_FORMAT " is played whole: its camera has no privacy mask",
                  id);
    return NULL;
  }
  if (masked) {
    PtTimelinePlay play = play_of(seg, piece);
    *fd_out = open_piece(rc, seg, &play, &cam->mask, size_out, error);
  } else {
    *fd_out = open_file(seg->path, seg->bytes, size_out, error);
  }
  return *fd_out < 0 ? NULL : g_steal_pointer(&seg);
}

static char *
exports_dir(PtStation *station, GError **error)
{
  g_autoptr(PtRecordingConfig) rc = load_camera(station, NULL, NULL, error);
  return rc ? g_build_filename(rc->clips_dir, "exports", NULL) : NULL;
}

gboolean
pt_timeline_export(PtStation *station, PtStore *store, const char *camera, gint64 from_ns,
                   gint64 to_ns, PtTimelineExport *out, GError **error)
{
  if (from_ns >= to_ns || to_ns - from_ns > PT_TIMELINE_EXPORT_MAX_NS) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "export: from must be before to, at most %d minutes apart",
                (int)(PT_TIMELINE_EXPORT_MAX_NS / (60 * G_GINT64_CONSTANT(1000000000))));
    return FALSE;
  }
  g_autoptr(PtRecordingConfig) rc = load_camera(station, camera, NULL, error);
  if (!rc)
    return FALSE;
  g_autofree char *dir = g_build_filename(rc->clips_dir, "exports", NULL);
  if (g_mkdir_with_parents(dir, 0750) != 0) {
    int e = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "export: cannot create %s: %s", dir, g_strerror(e));
    return FALSE;
  }
  guint8 token[16];
  randombytes_buf(token, sizeof token);
  g_autofree char *hex = pt_hex_encode(token, sizeof token);
  g_snprintf(out->name, sizeof out->name, "%s.mp4", hex);
  g_autofree char *path = g_build_filename(dir, out->name, NULL);
  PtClipResult res;
  if (!pt_evidence_cut(station, store, camera, from_ns, to_ns, path, &res, error))
    return FALSE;
  out->start_ns = res.start_ns;
  out->end_ns = res.end_ns;
  out->bytes = res.bytes;
  memcpy(out->sha256, res.sha256, sizeof out->sha256);
  pt_file_prune_newest(dir, export_name_ok, PT_TIMELINE_EXPORTS_KEPT, NULL);
  return TRUE;
}

int
pt_timeline_export_open(PtStation *station, const char *name, guint64 *size_out, GError **error)
{
  if (!export_name_ok(name)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "not an export name (32 hex digits and .mp4)");
    return -1;
  }
  g_autofree char *dir = exports_dir(station, error);
  if (!dir)
    return -1;
  g_autofree char *path = g_build_filename(dir, name, NULL);
  return open_file(path, 0, size_out, error);
}
