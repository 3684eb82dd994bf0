/* pt-evidence.c: cutting evidence clips from the store's segments and attaching them to
 * batch events.  A cut reads at demux speed (pt-clip.c); it runs in the CLI process or a
 * worker thread, never on the station's main loop. */
#include "pt-evidence.h"

#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-recording-config.h"
#include "pt-store-video.h"
#include "pt-time.h"

#include <glib/gstdio.h>

static gboolean
clip_error(GError *clip_err, GError **error)
{
  PtError code = PT_ERROR_FAILED;
  if (clip_err->domain == PT_CLIP_ERROR) {
    switch ((PtClipError)clip_err->code) {
    case PT_CLIP_ERROR_RANGE:
      code = PT_ERROR_INVALID;
      break;
    case PT_CLIP_ERROR_NO_FOOTAGE:
      code = PT_ERROR_NOT_FOUND;
      break;
    case PT_CLIP_ERROR_READ:
    case PT_CLIP_ERROR_WRITE:
      code = PT_ERROR_IO;
      break;
    case PT_CLIP_ERROR_FORMAT:
      break;
    }
  }
  g_set_error(error, PT_ERROR, code, "clip: %s", clip_err->message);
  g_error_free(clip_err);
  return FALSE;
}

/* Camera names become file names: the same rule as pt_camera_config_validate(). */
static gboolean
check_camera(const char *camera, GError **error)
{
  if (!g_regex_match_simple("^[A-Za-z0-9_-]{1,32}$", camera, 0, 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "camera '%s' is not a camera name (1-32 of A-Z a-z 0-9 _ -)", camera);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_evidence_cut(PtStation *station, PtStore *store, const char *camera, gint64 from_ns,
                gint64 to_ns, const char *out_path, PtClipResult *result, GError **error)
{
  PtMask mask = {0};
  if (!check_camera(camera, error) || !pt_recording_camera_mask(station, camera, &mask, error))
    return FALSE;
  if (from_ns >= to_ns) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "clip: --from must be before --to");
    return FALSE;
  }
  gint64 closed_end = 0;
  if (!pt_store_segments_readable_end(store, camera, &closed_end, error))
    return FALSE;
  if (closed_end == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "clip: no recordings of camera '%s'", camera);
    return FALSE;
  }
  /* A clip that silently stops short would misstate what was filmed. */
  if (to_ns > closed_end) {
    g_autofree char *end = pt_time_format(closed_end);
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "clip: camera '%s' has closed footage only up to %s; the rest is still being "
                "recorded (try again when its segment closes) or was not recorded",
                camera, end);
    return FALSE;
  }
  g_autoptr(GPtrArray) rows = pt_store_segments_for_clip(store, camera, from_ns, to_ns, error);
  if (!rows)
    return FALSE;
  if (rows->len == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "clip: camera '%s' recorded nothing in that range (or it was deleted)", camera);
    return FALSE;
  }
  g_autofree PtClipSegment *segs = g_new0(PtClipSegment, rows->len);
  for (guint i = 0; i < rows->len; i++) {
    PtSegmentRow *r = g_ptr_array_index(rows, i);
    segs[i] = (PtClipSegment){.path = r->path, .start_ns = r->start_ns, .end_ns = r->end_ns};
  }
  GError *clip_err = NULL;
  if (!pt_clip_export(segs, rows->len, from_ns, to_ns, &mask, out_path, result, &clip_err))
    return clip_error(clip_err, error);
  return TRUE;
}

char *
pt_evidence_clip_path(PtStation *station, gint64 batch_id, const char *camera, gint64 from_ns,
                      GError **error)
{
  if (!check_camera(camera, error))
    return NULL;
  g_autofree char *batch_dir = g_strdup_printf("batch-%" G_GINT64_FORMAT, batch_id);
  g_autofree char *data_dir = g_canonicalize_filename(station->dir, NULL);
  g_autofree char *dir = g_build_filename(data_dir, "clips", batch_dir, NULL);
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    int e = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "mkdir %s: %s", dir, g_strerror(e));
    return NULL;
  }
  g_autoptr(GDateTime) at = g_date_time_new_from_unix_utc(from_ns / G_GINT64_CONSTANT(1000000000));
  g_autofree char *stamp = g_date_time_format(at, "%Y%m%dT%H%M%SZ");
  g_autofree char *uuid = g_uuid_string_random();
  /* Unique without a lookup: two events may clip the same camera and second. */
  g_autofree char *name = g_strdup_printf("%s-%s-%.8s.mp4", camera, stamp, uuid);
  return g_build_filename(dir, name, NULL);
}

gboolean
pt_evidence_add_event(PtStation *station, PtStore *store, PtBatch *batch, const PtEventSpec *spec,
                      const char *camera, gint64 from_ns, gint64 to_ns, PtEventRow *out,
                      GError **error)
{
  /* Refuse what pt_batch_add_event() would refuse before spending a cut on it. */
  if (!check_camera(camera, error))
    return FALSE;
  if (!spec->step || !pt_epcis_is_biz_step(spec->step)) {
    g_autofree char *allowed = pt_epcis_join(pt_epcis_biz_steps);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "unknown step '%s'; allowed: %s",
                spec->step ? spec->step : "", allowed);
    return FALSE;
  }
  g_autofree char *path = pt_evidence_clip_path(station, batch->id, camera, from_ns, error);
  if (!path)
    return FALSE;
  PtClipResult res = {0};
  if (!pt_evidence_cut(station, store, camera, from_ns, to_ns, path, &res, error))
    return FALSE;
  PtEvidence evidence = {.camera = camera,
                         .from_ns = res.start_ns,
                         .to_ns = res.end_ns,
                         .path = path,
                         .sha256 = res.sha256,
                         .bytes = res.bytes};
  PtEventSpec with_clip = *spec;
  with_clip.evidence = &evidence;
  if (!pt_batch_add_event(station, store, batch, &with_clip, out, error)) {
    g_unlink(path);
    return FALSE;
  }
  return TRUE;
}
