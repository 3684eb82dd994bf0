/* pt-camera-config.c: defaults, copying and validation of PtCameraConfig.  Runs once per
 * camera at start-up; everything later trusts a validated config. */
#include "pt-camera-config.h"

#include "pt-pipeline-limits.h"

#include <string.h>

G_DEFINE_QUARK(packtrace_camera_error, pt_camera_error)

static const char *const role_names[] = {"picking", "grading", "loading"};
static const char *const kind_names[] = {"v4l2", "rtsp", "file", "test"};

void
pt_camera_config_init(PtCameraConfig *config)
{
  memset(config, 0, sizeof(*config));
  config->role = PT_CAMERA_ROLE_PICKING;
  config->kind = PT_SOURCE_TEST;
  config->segment_ns = PT_SEGMENT_DEFAULT_NS;
  config->stall_ms = PT_STALL_DEFAULT_MS;
  config->backoff_initial_ms = PT_BACKOFF_INITIAL_MS;
  config->backoff_max_ms = PT_BACKOFF_MAX_MS;
  config->tap_format = PT_TAP_FORMAT_RGB;
  config->scan_fps = PT_SCAN_FPS_DEFAULT;
  config->scan_width = PT_SCAN_WIDTH_DEFAULT;
  config->scan_motion = TRUE;
  config->scan_hold_ms = PT_SCAN_HOLD_MS_DEFAULT;
  config->live_idle_ns = PT_LIVE_IDLE_NS;
  config->analysis_hold_ns = PT_ANALYSIS_HOLD_NS;
}

void
pt_camera_config_clear(PtCameraConfig *config)
{
  g_free(config->name);
  g_free(config->location);
  g_free(config->output_root);
  g_free(config->live_dir);
  g_free(config->analysis_location);
  pt_camera_config_init(config);
}

PtCameraConfig *
pt_camera_config_copy(const PtCameraConfig *config)
{
  PtCameraConfig *copy = g_new(PtCameraConfig, 1);

  *copy = *config;
  copy->name = g_strdup(config->name);
  copy->location = g_strdup(config->location);
  copy->output_root = g_strdup(config->output_root);
  copy->live_dir = g_strdup(config->live_dir);
  copy->analysis_location = g_strdup(config->analysis_location);
  return copy;
}

void
pt_camera_config_free(PtCameraConfig *config)
{
  if (config == NULL)
    return;
  pt_camera_config_clear(config);
  g_free(config);
}

const char *
pt_camera_role_to_string(PtCameraRole role)
{
  g_return_val_if_fail((guint)role < G_N_ELEMENTS(role_names), NULL);
  return role_names[role];
}

const char *
pt_source_kind_to_string(PtSourceKind kind)
{
  g_return_val_if_fail((guint)kind < G_N_ELEMENTS(kind_names), NULL);
  return kind_names[kind];
}

static gboolean
lookup(const char *what, const char *const *names, guint n_names, const char *text, guint *out,
       GError **error)
{
  for (guint i = 0; text != NULL && i < n_names; i++) {
    if (g_ascii_strcasecmp(text, names[i]) == 0) {
      *out = i;
      return TRUE;
    }
  }
  g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG, "unknown camera %s \"%s\"", what,
              text ? text : "(null)");
  return FALSE;
}

gboolean
pt_camera_role_from_string(const char *text, PtCameraRole *role, GError **error)
{
  guint i;

  if (!lookup("role", role_names, G_N_ELEMENTS(role_names), text, &i, error))
    return FALSE;
  *role = (PtCameraRole)i;
  return TRUE;
}

gboolean
pt_source_kind_from_string(const char *text, PtSourceKind *kind, GError **error)
{
  guint i;

  if (!lookup("source", kind_names, G_N_ELEMENTS(kind_names), text, &i, error))
    return FALSE;
  *kind = (PtSourceKind)i;
  return TRUE;
}

static gboolean
valid_name(const char *name)
{
  gsize len = name ? strlen(name) : 0;

  if (len == 0 || len > PT_CAMERA_NAME_MAX)
    return FALSE;
  for (gsize i = 0; i < len; i++) {
    if (!g_ascii_isalnum(name[i]) && name[i] != '-' && name[i] != '_')
      return FALSE;
  }
  return TRUE;
}

static gboolean G_GNUC_PRINTF(3, 4)
    config_fail(GError **error, const char *name, const char *fmt, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start(ap, fmt);
  what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG, "camera %s: %s",
              name ? name : "(unnamed)", what);
  return FALSE;
}

/* The frame a raw source is asked for is known now; an H.264 source's only once it streams
 * (then ptmask covers the whole frame of a mask that does not fit, pt-mask.h). */
static gboolean
validate_mask(const PtCameraConfig *c, GError **error)
{
  g_autoptr(GError) local = NULL;
  int w = c->width, h = c->height;

  if (c->mask.n_rects > PT_MASK_RECTS_MAX || (guint)c->mask.style > PT_MASK_STYLE_BLUR)
    return config_fail(error, c->name, "%s", "privacy_mask has too many rectangles or no style");
  for (guint i = 0; i < c->mask.n_rects; i++) {
    const PtMaskRect *r = &c->mask.rects[i];
    /* In pixels, or in hundredths of a percent of the frame (pt-mask.h). */
    int min_side = r->percent ? 1 : PT_MASK_RECT_MIN_PX;
    int max_end = r->percent ? 100 * 100 : PT_DIMENSION_MAX;

    if (r->x < 0 || r->y < 0 || r->w < min_side || r->h < min_side || r->x + r->w > max_end ||
        r->y + r->h > max_end)
      return config_fail(error, c->name, "privacy_mask rectangle '%d,%d,%d,%d' is out of range",
                         r->x, r->y, r->w, r->h);
  }
  if (c->kind == PT_SOURCE_TEST) {
    w = w ? w : PT_TEST_DEFAULT_WIDTH;
    h = h ? h : PT_TEST_DEFAULT_HEIGHT;
  }
  if ((c->kind == PT_SOURCE_TEST || c->kind == PT_SOURCE_V4L2) && w > 0 && h > 0 &&
      !pt_mask_fits(&c->mask, w, h, &local))
    return config_fail(error, c->name, "%s", local->message);
  return TRUE;
}

/* A substream saves decoding only beside an H.264 main stream: a raw source's frames are
 * decoded already, and the tap and scan read them for nothing. */
static gboolean
validate_analysis(const PtCameraConfig *c, GError **error)
{
  const char *loc = c->analysis_location;

  if (c->kind != PT_SOURCE_RTSP && c->kind != PT_SOURCE_FILE)
    return config_fail(error, c->name,
                       "analysis_source needs an H.264 main source (rtsp or file), not %s: a "
                       "raw source's frames are analysed as they are",
                       pt_source_kind_to_string(c->kind));
  if (c->analysis_kind != PT_SOURCE_RTSP && c->analysis_kind != PT_SOURCE_FILE)
    return config_fail(error, c->name, "analysis_source must be an rtsp:// URL or a file, not %s",
                       pt_source_kind_to_string(c->analysis_kind));
  if (loc[0] == '\0' || strlen(loc) > PT_CAMERA_LOCATION_MAX)
    return config_fail(error, c->name, "%s", "analysis_source is empty or too long");
  if (c->analysis_kind == PT_SOURCE_RTSP && !g_str_has_prefix(loc, "rtsp://") &&
      !g_str_has_prefix(loc, "rtsps://"))
    return config_fail(error, c->name, "analysis_source \"%s\" is not an rtsp:// URL", loc);
  if (c->ref_width < 0 || c->ref_height < 0 || c->ref_width > PT_DIMENSION_MAX ||
      c->ref_height > PT_DIMENSION_MAX)
    return config_fail(error, c->name, "%s", "reference frame size out of range");
  return TRUE;
}

gboolean
pt_camera_config_validate(const PtCameraConfig *c, GError **error)
{
  gsize loc_len = c->location ? strlen(c->location) : 0;

  if (!valid_name(c->name))
    return config_fail(error, c->name, "name must be 1-%d characters of A-Z a-z 0-9 _ -",
                       PT_CAMERA_NAME_MAX);
  if ((guint)c->role >= G_N_ELEMENTS(role_names))
    return config_fail(error, c->name, "%s", "unknown role");
  if ((guint)c->kind >= G_N_ELEMENTS(kind_names))
    return config_fail(error, c->name, "%s", "unknown source kind");
  if (loc_len > PT_CAMERA_LOCATION_MAX)
    return config_fail(error, c->name, "%s", "location too long");
  if (c->kind != PT_SOURCE_TEST && loc_len == 0)
    return config_fail(error, c->name, "a %s source needs a location",
                       pt_source_kind_to_string(c->kind));
  if (c->kind == PT_SOURCE_RTSP && !g_str_has_prefix(c->location, "rtsp://") &&
      !g_str_has_prefix(c->location, "rtsps://"))
    return config_fail(error, c->name, "\"%s\" is not an rtsp:// URL", c->location);
  if (c->kind == PT_SOURCE_TEST && c->location != NULL) {
    GEnumClass *klass = NULL;
    GstElementFactory *f = gst_element_factory_find("videotestsrc");
    gboolean ok = FALSE;

    if (f != NULL) {
      g_autoptr(GstElement) probe = gst_element_factory_create(f, NULL);
      GParamSpec *ps = g_object_class_find_property(G_OBJECT_GET_CLASS(probe), "pattern");

      klass = G_PARAM_SPEC_ENUM(ps)->enum_class;
      ok = g_enum_get_value_by_nick(klass, c->location) != NULL;
      gst_object_unref(f);
    }
    if (!ok)
      return config_fail(error, c->name, "\"%s\" is not a videotestsrc pattern", c->location);
  }
  if (c->output_root == NULL || c->output_root[0] == '\0')
    return config_fail(error, c->name, "%s", "no output directory");
  if (c->segment_ns < PT_SEGMENT_MIN_NS || c->segment_ns > PT_SEGMENT_MAX_NS)
    return config_fail(error, c->name, "%s", "segment duration out of range (1 s .. 1 h)");
  if (c->width < 0 || c->height < 0 || c->width > PT_DIMENSION_MAX ||
      c->height > PT_DIMENSION_MAX || c->tap_width < 0 || c->tap_height < 0 ||
      c->tap_width > PT_DIMENSION_MAX || c->tap_height > PT_DIMENSION_MAX)
    return config_fail(error, c->name, "%s", "width/height out of range");
  if (c->fps < 0 || c->fps > PT_FPS_MAX || c->num_buffers < 0)
    return config_fail(error, c->name, "%s", "fps or num_buffers out of range");
  if (c->tap_fps < 0 || c->tap_fps > PT_TAP_FPS_MAX)
    return config_fail(error, c->name, "%s", "tap rate out of range");
  if (c->scan_fps < 1 || c->scan_fps > PT_SCAN_FPS_MAX || c->scan_width < PT_SCAN_WIDTH_MIN ||
      c->scan_width > PT_DIMENSION_MAX)
    return config_fail(error, c->name, "%s", "scan rate or width out of range");
  if (c->scan_x < 0 || c->scan_y < 0 || c->scan_w < 0 || c->scan_h < 0 ||
      c->scan_x > PT_DIMENSION_MAX || c->scan_y > PT_DIMENSION_MAX ||
      c->scan_w > PT_DIMENSION_MAX || c->scan_h > PT_DIMENSION_MAX ||
      (c->scan_w == 0) != (c->scan_h == 0))
    return config_fail(error, c->name, "%s", "scan region out of range (x, y, width, height)");
  if (c->scan_hold_ms > PT_SCAN_HOLD_MS_MAX)
    return config_fail(error, c->name, "%s", "scan hold out of range");
  if (c->timestamp_overlay != PT_TIMESTAMP_OVERLAY_NONE &&
      (c->kind == PT_SOURCE_RTSP || c->kind == PT_SOURCE_FILE))
    return config_fail(error, c->name, "%s",
                       "timestamp_overlay needs a raw source (test, v4l2): an H.264 source is "
                       "recorded as it comes, never encoded again");
  if (c->live_dir != NULL && !g_path_is_absolute(c->live_dir))
    return config_fail(error, c->name, "%s", "the live view folder must be an absolute path");
  if (c->live_idle_ns < PT_LIVE_IDLE_MIN_NS || c->live_idle_ns > PT_LIVE_IDLE_MAX_NS)
    return config_fail(error, c->name, "%s", "live view idle time out of range (1 s .. 10 min)");
  if (c->mask.n_rects > 0 && !validate_mask(c, error))
    return FALSE;
  if (c->analysis_location != NULL && !validate_analysis(c, error))
    return FALSE;
  if (c->analysis_hold_ns < PT_ANALYSIS_HOLD_MIN_NS ||
      c->analysis_hold_ns > PT_ANALYSIS_HOLD_MAX_NS)
    return config_fail(error, c->name, "%s", "analysis hold time out of range (0.1 s .. 10 min)");
  if (c->stall_ms < PT_STALL_MIN_MS || c->backoff_initial_ms == 0 ||
      c->backoff_max_ms < c->backoff_initial_ms)
    return config_fail(error, c->name, "%s", "stall or backoff times out of range");
  return TRUE;
}
