/* test-config.c: PtCameraConfig validation and the names used in station.ini. */
#include "pt-test-util.h"

static PtCameraConfig
good(void)
{
  PtCameraConfig c;

  pt_camera_config_init(&c);
  c.name = g_strdup("dock_2-a");
  c.output_root = g_strdup("/tmp/x");
  return c;
}

static void
expect_invalid(PtCameraConfig *c, const char *what)
{
  g_autoptr(GError) error = NULL;

  PT_CHECK(!pt_camera_config_validate(c, &error), "%s accepted", what);
  PT_CHECK(g_error_matches(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG), "%s: wrong error",
           what);
  g_print("rejected %s: %s\n", what, error->message);
  pt_camera_config_clear(c);
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtCameraConfig) copy = NULL;
  PtCameraConfig c;
  PtCameraRole role;
  PtSourceKind kind;

  pt_test_init(&argc, &argv, "videotestsrc", NULL);
  c = good();
  PT_CHECK(pt_camera_config_validate(&c, &error), "%s", error ? error->message : "");
  PT_CHECK(c.segment_ns == 60 * GST_SECOND, "default segment is 60 s");
  copy = pt_camera_config_copy(&c);
  PT_CHECK(copy->name != c.name && g_strcmp0(copy->name, c.name) == 0, "deep copy");
  pt_camera_config_clear(&c);

  c = good();
  g_free(c.name);
  c.name = g_strdup("bad/name");
  expect_invalid(&c, "a slash in the name");
  c = good();
  g_free(c.name);
  c.name = g_strnfill(PT_CAMERA_NAME_MAX + 1, 'a');
  expect_invalid(&c, "a long name");
  c = good();
  c.kind = PT_SOURCE_RTSP;
  c.location = g_strdup("http://cam/stream");
  expect_invalid(&c, "an http URL for rtsp");
  c = good();
  c.kind = PT_SOURCE_FILE;
  expect_invalid(&c, "a file source without a file");
  c = good();
  c.location = g_strdup("no-such-pattern");
  expect_invalid(&c, "an unknown test pattern");
  c = good();
  c.segment_ns = GST_SECOND / 2;
  expect_invalid(&c, "a 0.5 s segment");
  c = good();
  c.tap_fps = PT_TAP_FPS_MAX + 1;
  expect_invalid(&c, "a tap rate over the limit");
  c = good();
  c.backoff_max_ms = c.backoff_initial_ms - 1;
  expect_invalid(&c, "a backoff maximum below its start");
  c = good();
  g_clear_pointer(&c.output_root, g_free);
  expect_invalid(&c, "no output root");

  /* An analysis substream: only beside an H.264 main stream, and only an H.264 one. */
  c = good();
  c.kind = PT_SOURCE_RTSP;
  c.location = g_strdup("rtsp://cam/main");
  c.analysis_kind = PT_SOURCE_RTSP;
  c.analysis_location = g_strdup("rtsp://cam/sub");
  PT_CHECK(pt_camera_config_validate(&c, &error), "%s", error ? error->message : "");
  copy = (pt_camera_config_free(copy), pt_camera_config_copy(&c));
  PT_CHECK(copy->analysis_location != c.analysis_location &&
               g_strcmp0(copy->analysis_location, "rtsp://cam/sub") == 0,
           "analysis_location copied");
  pt_camera_config_clear(&c);
  c = good();
  c.analysis_kind = PT_SOURCE_RTSP;
  c.analysis_location = g_strdup("rtsp://cam/sub");
  expect_invalid(&c, "a substream beside a raw test source");
  c = good();
  c.kind = PT_SOURCE_FILE;
  c.location = g_strdup("/tmp/main.mkv");
  c.analysis_kind = PT_SOURCE_TEST;
  c.analysis_location = g_strdup("ball");
  expect_invalid(&c, "a raw test source as the substream");
  c = good();
  c.kind = PT_SOURCE_FILE;
  c.location = g_strdup("/tmp/main.mkv");
  c.analysis_kind = PT_SOURCE_RTSP;
  c.analysis_location = g_strdup("http://cam/sub");
  expect_invalid(&c, "an http URL for the substream");
  c = good();
  PT_CHECK(c.analysis_hold_ns == PT_ANALYSIS_HOLD_NS, "analysis hold default");
  c.analysis_hold_ns = 0;
  expect_invalid(&c, "no analysis hold (torn down at every close of a load)");
  c = good();
  c.analysis_hold_ns = PT_ANALYSIS_HOLD_MAX_NS + 1;
  expect_invalid(&c, "an analysis hold above its maximum");

  PT_CHECK(pt_camera_role_from_string("Loading", &role, NULL) && role == PT_CAMERA_ROLE_LOADING,
           "role name");
  PT_CHECK(!pt_camera_role_from_string("packing", &role, NULL), "unknown role accepted");
  PT_CHECK(pt_source_kind_from_string("rtsp", &kind, NULL) && kind == PT_SOURCE_RTSP, "kind");
  PT_CHECK(g_strcmp0(pt_source_kind_to_string(PT_SOURCE_V4L2), "v4l2") == 0, "kind name");
  PT_CHECK(pt_camera_new(&c, NULL, NULL, &error) == NULL, "camera from an empty config");
  /* The domains keep the project's identifier-shaped names: names with dashes are what
   * clang-format once broke into "pt - clip - error - quark". */
  PT_CHECK(g_strcmp0(g_quark_to_string(PT_CAMERA_ERROR), "packtrace_camera_error") == 0,
           "camera error domain is %s", g_quark_to_string(PT_CAMERA_ERROR));
  PT_CHECK(g_strcmp0(g_quark_to_string(PT_CLIP_ERROR), "packtrace_clip_error") == 0,
           "clip error domain is %s", g_quark_to_string(PT_CLIP_ERROR));
  g_print("ok\n");
  return 0;
}
