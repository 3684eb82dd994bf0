/* pt-test-util.c: helpers for tests/pipeline (see pt-test-util.h). */
#include "pt-test-util.h"

#include <glib/gstdio.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

static gboolean failed;

void
pt_test_fail(void)
{
  failed = TRUE;
  exit(1);
}

/* After main's g_auto cleanups, so only objects the test or the library leaked are alive. */
static void
deinit_at_exit(void)
{
  if (!failed)
    gst_deinit();
}

void
pt_test_init(int *argc, char ***argv, ...)
{
  g_autoptr(GError) error = NULL;
  va_list ap;
  const char *name;

  if (!pt_pipeline_init(argc, argv, &error)) {
    g_print("SKIP: %s\n", error->message);
    exit(PT_TEST_SKIP);
  }
  atexit(deinit_at_exit);
  va_start(ap, argv);
  while ((name = va_arg(ap, const char *)) != NULL) {
    g_autoptr(GstElementFactory) f = gst_element_factory_find(name);

    if (f == NULL) {
      g_print("SKIP: GStreamer element %s is not installed\n", name);
      exit(PT_TEST_SKIP);
    }
  }
  va_end(ap);
}

char *
pt_test_tmpdir(const char *what)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *tmpl = g_strdup_printf("pt-%s-XXXXXX", what);
  char *dir = g_dir_make_tmp(tmpl, &error);

  PT_CHECK(dir != NULL, "%s", error->message);
  return dir;
}

void
pt_test_rmtree(const char *path)
{
  GDir *dir = g_dir_open(path, 0, NULL);
  const char *name;

  if (dir == NULL) {
    g_unlink(path);
    return;
  }
  while ((name = g_dir_read_name(dir)) != NULL) {
    g_autofree char *child = g_build_filename(path, name, NULL);

    pt_test_rmtree(child);
  }
  g_dir_close(dir);
  g_rmdir(path);
}

static void
segment_free(gpointer data)
{
  PtTestSegment *s = data;

  g_free(s->path);
  g_free(s->sha256);
  g_free(s);
}

static void
gap_free(gpointer data)
{
  PtTestGap *g = data;

  g_free(g->reason);
  g_free(g);
}

PtTestRecorder *
pt_test_recorder_new(void)
{
  PtTestRecorder *rec = g_new0(PtTestRecorder, 1);

  rec->opened = g_ptr_array_new_with_free_func(segment_free);
  rec->closed = g_ptr_array_new_with_free_func(segment_free);
  rec->gaps = g_ptr_array_new_with_free_func(gap_free);
  rec->states = g_array_new(FALSE, FALSE, sizeof(PtCameraState));
  rec->state_codes = g_array_new(FALSE, FALSE, sizeof(int));
  return rec;
}

void
pt_test_recorder_free(PtTestRecorder *rec)
{
  g_ptr_array_unref(rec->opened);
  g_ptr_array_unref(rec->closed);
  g_ptr_array_unref(rec->gaps);
  g_array_unref(rec->states);
  g_array_unref(rec->state_codes);
  g_free(rec);
}

static PtTestSegment *
copy_segment(const PtSegmentInfo *info)
{
  PtTestSegment *s = g_new0(PtTestSegment, 1);

  s->path = g_strdup(info->path);
  s->start_ns = info->start_ns;
  s->end_ns = info->end_ns;
  s->bytes = info->bytes;
  s->sha256 = g_strdup(info->sha256);
  s->complete = info->complete;
  return s;
}

static void
on_opened(PtCamera *cam, const PtSegmentInfo *seg, gpointer data)
{
  PtTestRecorder *rec = data;

  g_print("opened %s start=%" G_GINT64_FORMAT "\n", seg->path, seg->start_ns);
  g_ptr_array_add(rec->opened, copy_segment(seg));
}

static void
on_closed(PtCamera *cam, const PtSegmentInfo *seg, gpointer data)
{
  PtTestRecorder *rec = data;

  g_print("closed %s start=%" G_GINT64_FORMAT " end=%" G_GINT64_FORMAT
          " (%.3f s) bytes=%" G_GUINT64_FORMAT " complete=%d sha=%s\n",
          seg->path, seg->start_ns, seg->end_ns, (seg->end_ns - seg->start_ns) / 1e9, seg->bytes,
          seg->complete, seg->sha256);
  g_ptr_array_add(rec->closed, copy_segment(seg));
}

static void
on_gap(PtCamera *cam, gint64 from, gint64 to, const char *reason, gpointer data)
{
  PtTestRecorder *rec = data;
  PtTestGap *g = g_new0(PtTestGap, 1);

  g_print("gap %.3f s: %s\n", (to - from) / 1e9, reason);
  g->from_ns = from;
  g->to_ns = to;
  g->reason = g_strdup(reason);
  g_ptr_array_add(rec->gaps, g);
}

static void
on_state(PtCamera *cam, PtCameraState state, const GError *error, gpointer data)
{
  PtTestRecorder *rec = data;
  int code = error ? error->code : -1;

  g_print("state %s%s%s\n", pt_camera_state_to_string(state), error ? ": " : "",
          error ? error->message : "");
  g_array_append_val(rec->states, state);
  g_array_append_val(rec->state_codes, code);
}

static void
on_frame(PtCamera *cam, PtTapFrame *frame, gpointer data)
{
  PtTestRecorder *rec = data;

  /* Written from the streaming thread, read after the camera stopped. */
  rec->frame_width = frame->width;
  rec->frame_height = frame->height;
  rec->frame_stride = frame->stride[0];
  if (rec->first_frame_utc == 0)
    rec->first_frame_utc = frame->utc_ns;
  rec->last_frame_utc = frame->utc_ns;
  g_atomic_int_inc(&rec->frames);
  if (rec->tap_sleep_ms > 0)
    g_usleep(rec->tap_sleep_ms * 1000);
}

const PtCameraCallbacks *
pt_test_callbacks(void)
{
  static const PtCameraCallbacks cbs = {
      .segment_opened = on_opened,
      .segment_closed = on_closed,
      .gap = on_gap,
      .state_changed = on_state,
      .frame = on_frame,
  };
  return &cbs;
}

/* The recorder behind a test's user_data whose first member is its PtTestRecorder *. */
static PtTestRecorder *
first_rec(gpointer data)
{
  return *(PtTestRecorder **)data;
}

static void
via_opened(PtCamera *camera, const PtSegmentInfo *s, gpointer data)
{
  on_opened(camera, s, first_rec(data));
}

static void
via_closed(PtCamera *camera, const PtSegmentInfo *s, gpointer data)
{
  on_closed(camera, s, first_rec(data));
}

static void
via_gap(PtCamera *camera, gint64 from, gint64 to, const char *reason, gpointer data)
{
  on_gap(camera, from, to, reason, first_rec(data));
}

static void
via_state(PtCamera *camera, PtCameraState state, const GError *error, gpointer data)
{
  on_state(camera, state, error, first_rec(data));
}

void
pt_test_callbacks_via_first(PtCameraCallbacks *cbs)
{
  cbs->segment_opened = via_opened;
  cbs->segment_closed = via_closed;
  cbs->gap = via_gap;
  cbs->state_changed = via_state;
}

gboolean
pt_test_recorder_saw_state(PtTestRecorder *rec, PtCameraState state, int *code_out)
{
  for (guint i = 0; i < rec->states->len; i++) {
    if (g_array_index(rec->states, PtCameraState, i) == state) {
      if (code_out != NULL)
        *code_out = g_array_index(rec->state_codes, int, i);
      return TRUE;
    }
  }
  return FALSE;
}

gboolean
pt_test_wait(gboolean (*cond)(gpointer data), gpointer data, guint timeout_ms)
{
  gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;

  while (!cond(data) && g_get_monotonic_time() < deadline) {
    if (!g_main_context_iteration(NULL, FALSE))
      g_usleep(5000);
  }
  return cond(data);
}

static gboolean
never(gpointer data)
{
  return FALSE;
}

void
pt_test_spin(guint ms)
{
  pt_test_wait(never, NULL, ms);
}

void
pt_test_check_segment_file(const PtTestSegment *seg)
{
  g_autoptr(GError) error = NULL;
  guint64 bytes = 0;
  g_autofree char *sha = pt_file_sha256(seg->path, &bytes, &error);

  PT_CHECK(sha != NULL, "%s", error ? error->message : "");
  PT_CHECK(bytes == seg->bytes,
           "%s: %" G_GUINT64_FORMAT " bytes on disk, %" G_GUINT64_FORMAT " reported", seg->path,
           bytes, seg->bytes);
  PT_CHECK(g_strcmp0(sha, seg->sha256) == 0, "%s: sha %s != reported %s", seg->path, sha,
           seg->sha256);
  /* pt_file_sha256() is GnuTLS's; GLib's own SHA-256 of the same bytes is the independent
   * check that the hash is the file's. */
  g_autofree char *data = NULL;
  gsize len = 0;
  PT_CHECK(g_file_get_contents(seg->path, &data, &len, &error), "%s", error ? error->message : "");
  g_autofree char *want = g_compute_checksum_for_data(G_CHECKSUM_SHA256, (guchar *)data, len);
  PT_CHECK(g_strcmp0(sha, want) == 0, "%s: sha %s, GLib's SHA-256 %s", seg->path, sha, want);
}

static void
on_media_configure(GstRTSPMediaFactory *f, GstRTSPMedia *media, gpointer data)
{
  PtTestRtsp *rtsp = data;

  if (rtsp->configure != NULL)
    rtsp->configure(f, media, rtsp->configure_data);
}

void
pt_test_rtsp_start(PtTestRtsp *rtsp)
{
  GstRTSPMountPoints *mounts;
  GstRTSPMediaFactory *factory;
  g_autofree char *service = g_strdup_printf("%d", rtsp->port);

  rtsp->server = gst_rtsp_server_new();
  gst_rtsp_server_set_address(rtsp->server, "127.0.0.1");
  gst_rtsp_server_set_service(rtsp->server, service);
  mounts = gst_rtsp_server_get_mount_points(rtsp->server);
  factory = gst_rtsp_media_factory_new();
  gst_rtsp_media_factory_set_launch(factory, rtsp->launch);
  gst_rtsp_media_factory_set_shared(factory, rtsp->shared);
  g_signal_connect(factory, "media-configure", G_CALLBACK(on_media_configure), rtsp);
  gst_rtsp_mount_points_add_factory(mounts, "/cam", factory);
  g_object_unref(mounts);
  rtsp->source_id = gst_rtsp_server_attach(rtsp->server, NULL);
  PT_CHECK(rtsp->source_id != 0, "cannot start the RTSP server on port %d", rtsp->port);
  rtsp->port = gst_rtsp_server_get_bound_port(rtsp->server);
  g_print("rtsp server on port %d\n", rtsp->port);
}

static GstRTSPFilterResult
remove_client(GstRTSPServer *server, GstRTSPClient *client, gpointer data)
{
  return GST_RTSP_FILTER_REMOVE;
}

void
pt_test_rtsp_stop(PtTestRtsp *rtsp)
{
  g_source_remove(rtsp->source_id);
  rtsp->source_id = 0;
  gst_rtsp_server_client_filter(rtsp->server, remove_client, NULL);
  g_clear_object(&rtsp->server);
  pt_test_spin(200);
}

char *
pt_test_rtsp_url(PtTestRtsp *rtsp)
{
  return g_strdup_printf("rtsp://127.0.0.1:%d/cam", rtsp->port);
}
