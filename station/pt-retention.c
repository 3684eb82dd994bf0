/* pt-retention.c: the retention pass (see pt-retention.h).  Runs on the main loop after
 * every closed segment and on a timer; a pass is one indexed query plus one unlink and one
 * UPDATE per deleted file, so it stays far below a millisecond per segment kept. */
#include "pt-retention.h"

#include "pt-error.h"
#include "pt-store-video.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sys/statvfs.h>

gboolean
pt_retention_free_bytes(const char *path, guint64 *free_out, GError **error)
{
  struct statvfs st;
  if (statvfs(path, &st) != 0) {
    int e = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "statvfs %s: %s", path, g_strerror(e));
    return FALSE;
  }
  *free_out = (guint64)st.f_bavail * (guint64)st.f_frsize;
  return TRUE;
}

static gboolean
expire_clips(PtStore *store, const PtRetentionPolicy *policy, gint64 now_ns,
             PtRetentionReport *report, GError **error)
{
  g_autoptr(GPtrArray) clips =
      pt_store_clips_to_expire(store, now_ns - policy->evidence_keep_ns, error);
  if (!clips)
    return FALSE;
  for (guint i = 0; i < clips->len; i++) {
    PtClipRow *clip = g_ptr_array_index(clips, i);
    if (g_unlink(clip->path) != 0 && errno != ENOENT) {
      int e = errno;
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "delete expired clip %s: %s", clip->path,
                  g_strerror(e));
      return FALSE;
    }
    if (!pt_store_clip_mark_expired(store, clip->id, now_ns, error))
      return FALSE;
    report->expired_clips++;
  }
  return TRUE;
}

static gboolean
needs_room(const PtRetentionPolicy *policy, PtRetentionReport *report, gboolean for_quota)
{
  gboolean low = policy->min_free_bytes && report->free_bytes < policy->min_free_bytes;
  gboolean over = for_quota && policy->quota_bytes && report->recorded_bytes > policy->quota_bytes;
  return low || over;
}

/* Deletes segments of @rows, oldest first, whose in_clip equals @in_clip, while room is
 * needed (@for_quota: the quota counts, else only free space). */
static gboolean
delete_oldest(PtStore *store, const PtRetentionPolicy *policy, GPtrArray *rows, gboolean in_clip,
              gboolean for_quota, PtRetentionReport *report, GError **error)
{
  for (guint i = 0; i < rows->len && needs_room(policy, report, for_quota); i++) {
    PtSegmentRow *seg = g_ptr_array_index(rows, i);
    if (seg->in_clip != in_clip || g_strcmp0(seg->state, PT_SEGSTATE_DELETED) == 0)
      continue;
    if (policy->busy_paths && g_hash_table_contains(policy->busy_paths, seg->path))
      continue;
    if (g_unlink(seg->path) != 0 && errno != ENOENT) {
      int e = errno;
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "delete segment %s: %s", seg->path, g_strerror(e));
      return FALSE;
    }
    gboolean low = policy->min_free_bytes && report->free_bytes < policy->min_free_bytes;
    const char *reason = !low      ? "retention: over quota_bytes"
                         : in_clip ? "retention: below min_free_bytes (a kept clip holds a copy)"
                                   : "retention: below min_free_bytes";
    if (!pt_store_segment_mark_deleted(store, seg->id, reason, error))
      return FALSE;
    g_free(seg->state);
    seg->state = g_strdup(PT_SEGSTATE_DELETED);
    report->deleted_segments++;
    report->deleted_in_clip += in_clip;
    report->freed_bytes += seg->bytes;
    report->recorded_bytes -= MIN(report->recorded_bytes, seg->bytes);
    if (policy->min_free_bytes &&
        !pt_retention_free_bytes(policy->recordings_dir, &report->free_bytes, error))
      return FALSE;
  }
  return TRUE;
}

gboolean
pt_retention_run(PtStore *store, const PtRetentionPolicy *policy, gint64 now_ns,
                 PtRetentionReport *report, GError **error)
{
  *report = (PtRetentionReport){0};
  if (!expire_clips(store, policy, now_ns, report, error))
    return FALSE;
  guint64 total = 0;
  g_autoptr(GPtrArray) rows = pt_store_segments_for_retention(store, &total, error);
  if (!rows || !pt_retention_free_bytes(policy->recordings_dir, &report->free_bytes, error))
    return FALSE;
  report->recorded_bytes = total + policy->busy_bytes;
  if (!delete_oldest(store, policy, rows, FALSE, TRUE, report, error) ||
      !delete_oldest(store, policy, rows, TRUE, FALSE, report, error))
    return FALSE;
  report->over_quota = policy->quota_bytes && report->recorded_bytes > policy->quota_bytes;
  report->low_space = policy->min_free_bytes && report->free_bytes < policy->min_free_bytes;
  return TRUE;
}
