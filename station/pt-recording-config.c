/* pt-recording-config.c: reading [camera NAME] sections and [recording] from station.ini
 * into PtCameraConfig and the retention policy.  Read once at start (run) or per command
 * (event add --camera, clip); never on a hot path. */
#include "pt-recording-config.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <string.h>

#define CAMERA_GROUP_PREFIX "camera "

static gboolean G_GNUC_PRINTF(3, 4)
    config_error(GError **error, const char *group, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "station.ini [%s]: %s", group, what);
  return FALSE;
}

static char *
get_string(GKeyFile *kf, const char *group, const char *key)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);
  if (v)
    g_strstrip(v);
  return v;
}

/* "1048576", "512M", "2G": binary multiples. */
static gboolean
parse_bytes(const char *text, guint64 *out)
{
  static const char units[] = "KMGT";
  gsize n = strlen(text);
  unsigned shift = 0;
  if (n > 1) {
    const char *u = strchr(units, g_ascii_toupper(text[n - 1]));
    if (u && *u) {
      shift = 10 * (unsigned)(u - units + 1);
      n--;
    }
  }
  g_autofree char *digits = g_strndup(text, n);
  guint64 v;
  if (!g_ascii_string_to_unsigned(digits, 10, 0, G_MAXUINT64 >> shift, &v, NULL))
    return FALSE;
  *out = v << shift;
  return TRUE;
}

static gboolean
get_bytes(GKeyFile *kf, const char *group, const char *key, guint64 fallback, guint64 *out,
          GError **error)
{
  g_autofree char *v = get_string(kf, group, key);
  *out = fallback;
  if (!v || !*v)
    return TRUE;
  if (!parse_bytes(v, out))
    return config_error(error, group, "%s '%s' is not a byte count (e.g. 500G)", key, v);
  return TRUE;
}

static gboolean
get_int(GKeyFile *kf, const char *group, const char *key, int lo, int hi, int *out, GError **error)
{
  g_autofree char *v = get_string(kf, group, key);
  guint64 n;
  if (!v || !*v)
    return TRUE;
  if (!g_ascii_string_to_unsigned(v, 10, (guint64)lo, (guint64)hi, &n, NULL))
    return config_error(error, group, "%s '%s' must be %d..%d", key, v, lo, hi);
  *out = (int)n;
  return TRUE;
}

/* scan_region=X,Y,WIDTH,HEIGHT in the source's pixels; empty: the whole frame. */
static gboolean
get_region(GKeyFile *kf, const char *group, PtCameraConfig *cam, GError **error)
{
  g_autofree char *v = get_string(kf, group, "scan_region");
  if (!v || !*v)
    return TRUE;
  g_auto(GStrv) parts = g_strsplit(v, ",", 5);
  int *out[] = {&cam->scan_x, &cam->scan_y, &cam->scan_w, &cam->scan_h};
  guint64 n[4];
  gboolean ok = g_strv_length(parts) == 4;
  for (guint i = 0; ok && i < 4; i++)
    ok = g_ascii_string_to_unsigned(g_strstrip(parts[i]), 10, i < 2 ? 0 : 2, PT_DIMENSION_MAX,
                                    &n[i], NULL);
  if (!ok)
    return config_error(error, group,
                        "scan_region '%s' must be X,Y,WIDTH,HEIGHT in pixels (size 2..%d)", v,
                        PT_DIMENSION_MAX);
  for (guint i = 0; i < 4; i++)
    *out[i] = (int)n[i];
  return TRUE;
}

/* privacy_mask=X,Y,W,H[;...] in the camera's pixels or percent, privacy_mask_style=black|blur. */
static gboolean
get_mask(GKeyFile *kf, const char *group, PtCameraConfig *cam, GError **error)
{
  g_autofree char *rects = get_string(kf, group, "privacy_mask");
  g_autofree char *style = get_string(kf, group, "privacy_mask_style");
  g_autoptr(GError) local = NULL;
  if (style && *style && !pt_mask_style_from_string(style, &cam->mask.style, &local))
    return config_error(error, group, "%s", local->message);
  if (rects && *rects && !pt_mask_parse(rects, &cam->mask, &local))
    return config_error(error, group, "%s", local->message);
  if (style && *style && cam->mask.n_rects == 0)
    return config_error(error, group, "privacy_mask_style '%s' without a privacy_mask", style);
  return TRUE;
}

static gboolean
get_bool(GKeyFile *kf, const char *group, const char *key, gboolean *out, GError **error)
{
  g_autofree char *v = get_string(kf, group, key);
  if (!v || !*v)
    return TRUE;
  if (g_ascii_strcasecmp(v, "true") == 0 || strcmp(v, "1") == 0)
    *out = TRUE;
  else if (g_ascii_strcasecmp(v, "false") == 0 || strcmp(v, "0") == 0)
    *out = FALSE;
  else
    return config_error(error, group, "%s '%s' must be true or false", key, v);
  return TRUE;
}

/* source=v4l2:/dev/video0 | rtsp://... | rtsps://... | file:PATH | test[:PATTERN] */
static gboolean
parse_source(const char *data_dir, const char *group, const char *source, PtCameraConfig *cam,
             GError **error)
{
  if (g_str_has_prefix(source, "rtsp://") || g_str_has_prefix(source, "rtsps://")) {
    cam->kind = PT_SOURCE_RTSP;
    cam->location = g_strdup(source);
  } else if (g_str_has_prefix(source, "v4l2:")) {
    cam->kind = PT_SOURCE_V4L2;
    cam->location = g_strdup(source + 5);
  } else if (g_str_has_prefix(source, "file:")) {
    cam->kind = PT_SOURCE_FILE;
    /* Relative paths are relative to the data directory, so a station folder moves whole. */
    cam->location = g_canonicalize_filename(source + 5, data_dir);
  } else if (strcmp(source, "test") == 0 || g_str_has_prefix(source, "test:")) {
    cam->kind = PT_SOURCE_TEST;
    cam->location = source[4] == ':' ? g_strdup(source + 5) : NULL;
  } else {
    return config_error(error, group,
                        "source '%s' is not v4l2:DEVICE, rtsp://URL, file:PATH or test[:PATTERN]",
                        source);
  }
  return TRUE;
}

/* analysis_source=rtsp://... | file:PATH: the H.264 substream the camera's analysis reads.
 * Checked beside the main source by pt_camera_config_validate(). */
static gboolean
get_analysis_source(const char *data_dir, GKeyFile *kf, const char *group, PtCameraConfig *cam,
                    GError **error)
{
  g_autofree char *v = get_string(kf, group, "analysis_source");
  if (!v || !*v)
    return TRUE;
  if (g_str_has_prefix(v, "rtsp://") || g_str_has_prefix(v, "rtsps://")) {
    cam->analysis_kind = PT_SOURCE_RTSP;
    cam->analysis_location = g_strdup(v);
  } else if (g_str_has_prefix(v, "file:") && v[5] != '\0') {
    cam->analysis_kind = PT_SOURCE_FILE;
    cam->analysis_location = g_canonicalize_filename(v + 5, data_dir);
  } else {
    return config_error(error, group,
                        "analysis_source '%s' is not rtsp://URL or file:PATH (the camera's "
                        "H.264 substream)",
                        v);
  }
  return TRUE;
}

static PtCameraConfig *
load_camera(PtStation *station, PtRecordingConfig *rc, const char *group, GError **error)
{
  GKeyFile *kf = station->config->keyfile;
  g_autoptr(PtCameraConfig) cam = g_new0(PtCameraConfig, 1);
  pt_camera_config_init(cam);
  cam->name = g_strstrip(g_strdup(group + strlen(CAMERA_GROUP_PREFIX)));
  cam->output_root = g_strdup(rc->recordings_dir);
  cam->live_dir = g_build_filename(rc->live_dir, cam->name, NULL);
  g_autofree char *role = get_string(kf, group, "role");
  g_autofree char *source = get_string(kf, group, "source");
  g_autoptr(GError) local = NULL;
  if (!role || !pt_camera_role_from_string(role, &cam->role, &local)) {
    config_error(error, group, "role must be picking, grading or loading");
    return NULL;
  }
  if (!source || !*source) {
    config_error(error, group, "source is required");
    return NULL;
  }
  g_autofree char *data_dir = g_canonicalize_filename(station->dir, NULL);
  if (!parse_source(data_dir, group, source, cam, error) ||
      !get_analysis_source(data_dir, kf, group, cam, error))
    return NULL;
  int seconds = (int)(PT_SEGMENT_DEFAULT_NS / GST_SECOND);
  if (!get_int(kf, group, "segment_seconds", (int)(PT_SEGMENT_MIN_NS / GST_SECOND),
               (int)(PT_SEGMENT_MAX_NS / GST_SECOND), &seconds, error) ||
      !get_int(kf, group, "width", 0, PT_DIMENSION_MAX, &cam->width, error) ||
      !get_int(kf, group, "height", 0, PT_DIMENSION_MAX, &cam->height, error) ||
      !get_int(kf, group, "fps", 0, PT_FPS_MAX, &cam->fps, error) ||
      !get_int(kf, group, "scan_fps", 1, PT_SCAN_FPS_MAX, &cam->scan_fps, error) ||
      !get_int(kf, group, "scan_width", PT_SCAN_WIDTH_MIN, PT_DIMENSION_MAX, &cam->scan_width,
               error) ||
      !get_region(kf, group, cam, error) ||
      !get_bool(kf, group, "scan_motion", &cam->scan_motion, error))
    return NULL;
  g_autofree char *overlay = get_string(kf, group, "timestamp_overlay");
  if (overlay && *overlay && strcmp(overlay, "none") != 0) {
    if (strcmp(overlay, "qr") != 0) {
      config_error(error, group, "timestamp_overlay '%s' must be none or qr", overlay);
      return NULL;
    }
    cam->timestamp_overlay = PT_TIMESTAMP_OVERLAY_QR;
  }
  int idle = (int)(PT_LIVE_IDLE_NS / GST_SECOND);
  if (!get_int(kf, group, "live_idle_seconds", (int)(PT_LIVE_IDLE_MIN_NS / GST_SECOND),
               (int)(PT_LIVE_IDLE_MAX_NS / GST_SECOND), &idle, error))
    return NULL;
  cam->live_idle_ns = (GstClockTime)idle * GST_SECOND;
  if (!get_mask(kf, group, cam, error))
    return NULL;
  int hold = (int)cam->scan_hold_ms;
  if (!get_int(kf, group, "scan_hold_ms", 0, PT_SCAN_HOLD_MS_MAX, &hold, error))
    return NULL;
  cam->scan_hold_ms = (guint)hold;
  cam->segment_ns = (GstClockTime)seconds * GST_SECOND;
  if (!pt_camera_config_validate(cam, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "station.ini [%s]: %s", group, local->message);
    return NULL;
  }
  return g_steal_pointer(&cam);
}

PtRecordingConfig *
pt_recording_config_load(PtStation *station, GError **error)
{
  GKeyFile *kf = station->config->keyfile;
  g_autoptr(PtRecordingConfig) rc = g_new0(PtRecordingConfig, 1);
  /* Rows store absolute paths, so they stay right whatever folder a command runs in. */
  g_autofree char *dir = g_canonicalize_filename(station->dir, NULL);
  rc->recordings_dir = g_build_filename(dir, "recordings", NULL);
  rc->clips_dir = g_build_filename(dir, "clips", NULL);
  rc->demo_dir = g_build_filename(dir, "demo", NULL);
  rc->live_dir = g_build_filename(dir, "live", NULL);
  rc->cameras = g_ptr_array_new_with_free_func((GDestroyNotify)pt_camera_config_free);
  rc->evidence_days = PT_EVIDENCE_DAYS_DEFAULT;
  g_autofree char *demo = get_string(kf, "recording", "demo");
  if (!get_bytes(kf, "recording", "quota_bytes", 0, &rc->quota_bytes, error) ||
      !get_bytes(kf, "recording", "min_free_bytes", PT_MIN_FREE_DEFAULT, &rc->min_free_bytes,
                 error) ||
      !get_int(kf, "recording", "evidence_retention_days", 1, PT_EVIDENCE_DAYS_MAX,
               &rc->evidence_days, error))
    return NULL;
  if (demo && strcmp(demo, "auto") != 0 && strcmp(demo, "off") != 0) {
    config_error(error, "recording", "demo '%s' must be auto or off", demo);
    return NULL;
  }
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  for (guint i = 0; groups[i]; i++) {
    if (!g_str_has_prefix(groups[i], CAMERA_GROUP_PREFIX))
      continue;
    if (rc->cameras->len == PT_CAMERAS_MAX) {
      g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "station.ini: more than %d cameras",
                  PT_CAMERAS_MAX);
      return NULL;
    }
    PtCameraConfig *cam = load_camera(station, rc, groups[i], error);
    if (!cam)
      return NULL;
    if (pt_recording_config_camera(rc, cam->name)) {
      config_error(error, groups[i], "a camera called %s is already configured", cam->name);
      pt_camera_config_free(cam);
      return NULL;
    }
    g_ptr_array_add(rc->cameras, cam);
  }
  rc->demo = rc->cameras->len == 0 && g_strcmp0(demo, "off") != 0;
  return g_steal_pointer(&rc);
}

void
pt_recording_config_add_demo(PtRecordingConfig *rc)
{
  for (guint role = PT_CAMERA_ROLE_PICKING; role <= PT_CAMERA_ROLE_LOADING; role++) {
    const char *name = pt_camera_role_to_string((PtCameraRole)role);
    PtCameraConfig *cam = g_new0(PtCameraConfig, 1);
    pt_camera_config_init(cam);
    cam->name = g_strdup_printf("demo-%s", name);
    cam->role = (PtCameraRole)role;
    cam->kind = PT_SOURCE_FILE;
    g_autofree char *file = g_strdup_printf("demo-%s.mkv", name);
    cam->location = g_build_filename(rc->demo_dir, file, NULL);
    cam->output_root = g_strdup(rc->recordings_dir);
    cam->live_dir = g_build_filename(rc->live_dir, cam->name, NULL);
    /* Short segments: the demo loads' evidence clips are cut seconds after the scans. */
    cam->segment_ns = PT_DEMO_SEGMENT_SECONDS * GST_SECOND;
    g_ptr_array_add(rc->cameras, cam);
  }
}

const PtCameraConfig *
pt_recording_config_camera(const PtRecordingConfig *rc, const char *name)
{
  for (guint i = 0; i < rc->cameras->len; i++) {
    const PtCameraConfig *cam = g_ptr_array_index(rc->cameras, i);
    if (strcmp(cam->name, name) == 0)
      return cam;
  }
  return NULL;
}

gboolean
pt_recording_camera_mask(PtStation *station, const char *name, PtMask *mask, GError **error)
{
  g_autoptr(PtRecordingConfig) rc = pt_recording_config_load(station, error);
  if (!rc)
    return FALSE;
  const PtCameraConfig *cam = pt_recording_config_camera(rc, name);
  memset(mask, 0, sizeof(*mask));
  if (cam)
    *mask = cam->mask;
  return TRUE;
}

void
pt_recording_config_free(PtRecordingConfig *rc)
{
  if (!rc)
    return;
  g_free(rc->recordings_dir);
  g_free(rc->clips_dir);
  g_free(rc->demo_dir);
  g_free(rc->live_dir);
  if (rc->cameras)
    g_ptr_array_unref(rc->cameras);
  g_free(rc);
}
