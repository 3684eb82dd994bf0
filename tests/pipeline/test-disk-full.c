/* test-disk-full.c: the disk fills while recording.  The camera must stop cleanly with
 * PT_CAMERA_ERROR_DISK_FULL (no restart loop), every segment closed before stays intact
 * (hash and decode), the one being written stays readable, and the station can start the
 * camera again once there is space.
 *
 * The disk is a 1 MiB tmpfs when this process may mount one (root); otherwise the same
 * write failure comes from RLIMIT_FSIZE with SIGXFSZ ignored (EFBIG instead of ENOSPC). */
#include "pt-test-util.h"

#include <glib/gstdio.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>

static PtTestRecorder *rec;
static PtCamera *cam;

static gboolean
failed(gpointer data)
{
  return pt_camera_get_state(cam) == PT_CAMERA_FAILED;
}

static gboolean
opened_again(gpointer data)
{
  return rec->opened->len > GPOINTER_TO_UINT(data);
}

int
main(int argc, char **argv)
{
  g_autofree char *root = NULL;
  g_autofree char *disk = NULL;
  g_autoptr(GError) error = NULL;
  PtCameraConfig cfg;
  gboolean mounted;
  struct rlimit unlimited = {RLIM_INFINITY, RLIM_INFINITY};
  int code = -1;
  guint complete = 0, before;

  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", NULL);
  root = pt_test_tmpdir("disk-full");
  disk = g_build_filename(root, "disk", NULL);
  g_mkdir(disk, 0755);
  mounted = mount("tmpfs", disk, "tmpfs", 0, "size=1m") == 0;

  rec = pt_test_recorder_new();
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("full");
  cfg.location = g_strdup("snow"); /* incompressible: x264 spends its whole 2 Mbit/s */
  cfg.output_root = g_strdup(disk);
  cfg.width = 320;
  cfg.height = 240;
  cfg.fps = 25;
  if (mounted) {
    g_print("recording onto a 1 MiB tmpfs\n");
    cfg.segment_ns = GST_SECOND;
  } else {
    struct rlimit small = {300 * 1024, RLIM_INFINITY};

    g_print("cannot mount a tmpfs; limiting file size with RLIMIT_FSIZE\n");
    cfg.segment_ns = 60 * GST_SECOND;
    signal(SIGXFSZ, SIG_IGN);
    PT_CHECK(setrlimit(RLIMIT_FSIZE, &small) == 0, "setrlimit");
  }
  cam = pt_camera_new(&cfg, pt_test_callbacks(), rec, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(failed, NULL, 20000), "recording did not stop on a full disk");
  pt_test_spin(1500); /* a FAILED camera must stay down, not restart */
  PT_CHECK(pt_camera_get_state(cam) == PT_CAMERA_FAILED, "camera restarted by itself");
  pt_camera_stop(cam);
  if (!mounted)
    setrlimit(RLIMIT_FSIZE, &unlimited);

  PT_CHECK(pt_test_recorder_saw_state(rec, PT_CAMERA_FAILED, &code) &&
               code == PT_CAMERA_ERROR_DISK_FULL,
           "failure code %d, wanted DISK_FULL", code);
  PT_CHECK(!pt_test_recorder_saw_state(rec, PT_CAMERA_RECONNECTING, NULL), "disk full retried");
  PT_CHECK(rec->closed->len == rec->opened->len && rec->closed->len >= 1, "%u opened, %u closed",
           rec->opened->len, rec->closed->len);
  for (guint i = 0; i < rec->closed->len; i++) {
    PtTestSegment *c = g_ptr_array_index(rec->closed, i);
    PtSegmentProbe probe;

    pt_test_check_segment_file(c);
    PT_CHECK(pt_segment_probe(c->path, c->start_ns, PT_PROBE_DECODE, &probe, &error), "%s",
             error ? error->message : "");
    g_print("%s: complete=%d %s, %" G_GUINT64_FORMAT " frames\n", c->path, c->complete,
            pt_segment_verdict_to_string(probe.verdict), probe.decoded_frames);
    if (c->complete) {
      complete++;
      PT_CHECK(probe.verdict == PT_SEGMENT_INTACT && probe.decoded_frames == probe.frames,
               "a segment closed before the disk filled is damaged");
    } else {
      /* The segment being written when space ran out: what reached the disk decodes. */
      PT_CHECK(i == rec->closed->len - 1, "only the last segment may be incomplete");
      PT_CHECK(probe.verdict == PT_SEGMENT_LOST || probe.decoded_frames > 0, "unreadable");
    }
    pt_segment_probe_clear(&probe);
  }
  PT_CHECK(!mounted || complete >= 1, "no complete segment before the disk filled");
  PT_CHECK(mounted || ((PtTestSegment *)g_ptr_array_index(rec->closed, 0))->bytes > 0,
           "nothing recorded before the file size limit");

  /* Space is back (the station's retention deleted footage): start again. */
  for (guint i = 0; i < rec->closed->len; i++)
    g_unlink(((PtTestSegment *)g_ptr_array_index(rec->closed, i))->path);
  before = rec->opened->len;
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(opened_again, GUINT_TO_POINTER(before), 10000),
           "no recording after space came back");
  /* The time the full disk kept it down is a gap, from about the last frame written to the
   * stop above (pt_camera_stop() ends the open gap). */
  PtTestSegment *resumed = g_ptr_array_index(rec->opened, before);
  PtTestSegment *last = g_ptr_array_index(rec->closed, rec->closed->len - 1);
  PT_CHECK(rec->gaps->len == 1, "%u gaps for one stop on a full disk", rec->gaps->len);
  PtTestGap *gap = g_ptr_array_index(rec->gaps, 0);
  PT_CHECK(gap->to_ns <= resumed->start_ns && gap->to_ns - gap->from_ns >= GST_SECOND &&
               ABS(gap->from_ns - last->end_ns) < GST_SECOND && gap->reason && *gap->reason,
           "gap %" G_GINT64_FORMAT "..%" G_GINT64_FORMAT
           " (%s), last footage ended %" G_GINT64_FORMAT ", resumed at %" G_GINT64_FORMAT,
           gap->from_ns, gap->to_ns, gap->reason, last->end_ns, resumed->start_ns);
  pt_camera_free(cam);
  if (mounted)
    PT_CHECK(umount(disk) == 0, "umount %s", disk);
  pt_camera_config_clear(&cfg);
  pt_test_recorder_free(rec);
  pt_test_rmtree(root);
  g_print("ok\n");
  return 0;
}
