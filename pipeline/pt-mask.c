/* pt-mask.c: privacy masks (see pt-mask.h): the rectangles' text form, and the `ptmask`
 * element.  Parsing runs once per camera at start; the element runs on every frame of a
 * watched live view, a clip being cut and the tap's frames, so a frame costs one pass over
 * the rectangles' pixels: a fill for black, PT_MASK_BLUR_PASSES running-sum box blurs each
 * way for blur, whatever the radius.  The frame is written in place; GstBaseTransform copies
 * a buffer that others (the recording's branch of a tee) still hold. */
#include "pt-mask.h"

#include "pt-camera-config.h"

#include <string.h>

GST_DEBUG_CATEGORY_STATIC(pt_mask_debug);
#define GST_CAT_DEFAULT pt_mask_debug

#define MASK_FORMATS     "{ I420, YV12, NV12, NV21, Y42B, Y444 }"
#define BLACK_LUMA       16  /* video range black */
#define NEUTRAL_CHROMA   128 /* no colour */
#define RECT_FIELDS      4
#define RECT_TEXT_MAX_SZ 48  /* "8192,8192,8192,8192;" or "100.00%,...;" with room */
#define PERCENT_SCALE    100 /* PtMaskRect's percent units: hundredths of a percent */
#define PERCENT_FULL     (100 * PERCENT_SCALE)

static const char *const style_names[] = {"black", "blur"};

static gboolean G_GNUC_PRINTF(2, 3) mask_fail(GError **error, const char *fmt, ...)
{
  g_autofree char *what = NULL;
  va_list ap;

  va_start(ap, fmt);
  what = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG, what);
  return FALSE;
}

/* "12.5%" as hundredths of a percent (1250): digits, at most two decimals, then '%'. */
static gboolean
parse_percent(const char *text, guint64 *out)
{
  guint64 whole = 0, frac = 0;
  int decimals = 0;
  const char *p = text;

  if (!g_ascii_isdigit(*p))
    return FALSE;
  for (; g_ascii_isdigit(*p) && whole <= 100; p++)
    whole = whole * 10 + (guint64)(*p - '0');
  if (*p == '.') {
    for (p++; g_ascii_isdigit(*p) && decimals < 2; p++, decimals++)
      frac = frac * 10 + (guint64)(*p - '0');
    if (decimals == 0)
      return FALSE;
  }
  if (*p != '%' || p[1] != '\0' || whole > 100)
    return FALSE;
  for (; decimals < 2; decimals++)
    frac *= 10;
  *out = whole * PERCENT_SCALE + frac;
  return TRUE;
}

/* One rectangle, "X,Y,W,H" in pixels or every field in percent. */
static gboolean
parse_rect(const char *text, PtMaskRect *out, GError **error)
{
  g_auto(GStrv) f = g_strsplit(text, ",", RECT_FIELDS + 1);
  guint64 v[RECT_FIELDS];
  gboolean ok = g_strv_length(f) == RECT_FIELDS;
  guint percents = 0;

  for (guint k = 0; ok && k < RECT_FIELDS; k++) {
    const char *field = g_strstrip(f[k]);

    if (strchr(field, '%') != NULL) {
      ok = parse_percent(field, &v[k]) && (k < 2 || v[k] > 0);
      percents++;
    } else {
      ok = g_ascii_string_to_unsigned(field, 10, k < 2 ? 0 : PT_MASK_RECT_MIN_PX, PT_DIMENSION_MAX,
                                      &v[k], NULL);
    }
  }
  if (!ok || (percents != 0 && percents != RECT_FIELDS))
    return mask_fail(error,
                     "privacy_mask rectangle '%s' must be X,Y,WIDTH,HEIGHT in pixels (sides "
                     "%d..%d) or all four in percent of the frame (e.g. 75%%,0%%,25%%,12.5%%)",
                     text, PT_MASK_RECT_MIN_PX, PT_DIMENSION_MAX);
  if (percents != 0 && (v[0] + v[2] > PERCENT_FULL || v[1] + v[3] > PERCENT_FULL))
    return mask_fail(error, "privacy_mask rectangle '%s' ends past 100%% of the frame", text);
  if (percents == 0 && (v[0] + v[2] > PT_DIMENSION_MAX || v[1] + v[3] > PT_DIMENSION_MAX))
    return mask_fail(error, "privacy_mask rectangle '%s' ends past %d pixels", text,
                     PT_DIMENSION_MAX);
  *out = (PtMaskRect){(int)v[0], (int)v[1], (int)v[2], (int)v[3], percents != 0};
  return TRUE;
}

gboolean
pt_mask_parse(const char *text, PtMask *mask, GError **error)
{
  g_auto(GStrv) parts = NULL;
  PtMask out = {.style = mask->style};
  guint n;

  if (text == NULL)
    return mask_fail(error, "%s", "privacy_mask has no rectangle (X,Y,WIDTH,HEIGHT)");
  if (strlen(text) > PT_MASK_TEXT_MAX)
    return mask_fail(error, "privacy_mask is longer than %d characters", PT_MASK_TEXT_MAX);
  parts = g_strsplit(text, ";", -1);
  n = g_strv_length(parts);
  /* A trailing ';' is harmless; an empty rectangle between two is not. */
  if (n > 0 && *g_strstrip(parts[n - 1]) == '\0')
    n--;
  if (n == 0)
    return mask_fail(error, "privacy_mask '%s' has no rectangle (X,Y,WIDTH,HEIGHT)", text);
  if (n > PT_MASK_RECTS_MAX)
    return mask_fail(error, "privacy_mask '%s' has %u rectangles, at most %d", text, n,
                     PT_MASK_RECTS_MAX);
  for (guint i = 0; i < n; i++) {
    if (!parse_rect(g_strstrip(parts[i]), &out.rects[i], error))
      return FALSE;
  }
  out.n_rects = n;
  *mask = out;
  return TRUE;
}

char *
pt_mask_to_string(const PtMask *mask)
{
  GString *s = g_string_sized_new(mask->n_rects * RECT_TEXT_MAX_SZ);

  for (guint i = 0; i < mask->n_rects; i++) {
    const PtMaskRect *r = &mask->rects[i];

    if (!r->percent) {
      g_string_append_printf(s, "%s%d,%d,%d,%d", i ? ";" : "", r->x, r->y, r->w, r->h);
      continue;
    }
    g_string_append(s, i ? ";" : "");
    for (guint k = 0; k < RECT_FIELDS; k++) {
      int v = k == 0 ? r->x : k == 1 ? r->y : k == 2 ? r->w : r->h;

      g_string_append_printf(s, "%s%d", k ? "," : "", v / PERCENT_SCALE);
      if (v % PERCENT_SCALE != 0)
        g_string_append_printf(s, ".%02d", v % PERCENT_SCALE);
      g_string_append_c(s, '%');
    }
  }
  return g_string_free(s, FALSE);
}

const char *
pt_mask_style_to_string(PtMaskStyle style)
{
  g_return_val_if_fail((guint)style < G_N_ELEMENTS(style_names), NULL);
  return style_names[style];
}

gboolean
pt_mask_style_from_string(const char *text, PtMaskStyle *style, GError **error)
{
  for (guint i = 0; text != NULL && i < G_N_ELEMENTS(style_names); i++) {
    if (strcmp(text, style_names[i]) == 0) {
      *style = (PtMaskStyle)i;
      return TRUE;
    }
  }
  return mask_fail(error, "privacy_mask_style '%s' must be black or blur", text ? text : "");
}

gboolean
pt_mask_fits(const PtMask *mask, int width, int height, GError **error)
{
  for (guint i = 0; i < mask->n_rects; i++) {
    const PtMaskRect *r = &mask->rects[i];

    if (!r->percent && (r->x + r->w > width || r->y + r->h > height))
      return mask_fail(error, "privacy_mask rectangle '%d,%d,%d,%d' is outside the %dx%d frame",
                       r->x, r->y, r->w, r->h, width, height);
  }
  return TRUE;
}

/* One box blur of the @n samples at @p, @step bytes apart, radius @r, the edges repeated;
 * @tmp holds @n bytes.  A running sum: the same cost for any radius. */
static void
box_pass(guint8 *p, int n, int step, int r, guint8 *tmp)
{
  int div = 2 * r + 1;
  guint sum;

  for (int i = 0; i < n; i++)
    tmp[i] = p[i * step];
  sum = tmp[0] * (guint)(r + 1);
  for (int k = 1; k <= r; k++)
    sum += tmp[MIN(k, n - 1)];
  for (int i = 0; i < n; i++) {
    p[i * step] = (guint8)((sum + (guint)div / 2) / (guint)div);
    sum += tmp[MIN(i + r + 1, n - 1)];
    sum -= tmp[MAX(i - r, 0)];
  }
}

/* Covers the component @c of @frame inside the frame's pixel rectangle @r. */
static void
cover_component(GstVideoFrame *frame, guint c, const PtMaskRect *r, PtMaskStyle style)
{
  const GstVideoFormatInfo *finfo = frame->info.finfo;
  int wsub = GST_VIDEO_FORMAT_INFO_W_SUB(finfo, c), hsub = GST_VIDEO_FORMAT_INFO_H_SUB(finfo, c);
  int cw = GST_VIDEO_FRAME_COMP_WIDTH(frame, c), ch = GST_VIDEO_FRAME_COMP_HEIGHT(frame, c);
  /* Outward rounding: a subsampled chroma sample that touches the rectangle is covered. */
  int x0 = r->x >> wsub, y0 = r->y >> hsub;
  int x1 = MIN(GST_VIDEO_SUB_SCALE(wsub, r->x + r->w), cw);
  int y1 = MIN(GST_VIDEO_SUB_SCALE(hsub, r->y + r->h), ch);
  int stride = GST_VIDEO_FRAME_COMP_STRIDE(frame, c);
  int pstride = GST_VIDEO_FRAME_COMP_PSTRIDE(frame, c);
  guint8 *base = GST_VIDEO_FRAME_COMP_DATA(frame, c);
  int w = x1 - x0, h = y1 - y0;

  if (w <= 0 || h <= 0)
    return;
  base += (gsize)y0 * stride + (gsize)x0 * pstride;
  if (style == PT_MASK_STYLE_BLACK) {
    guint8 value = c == 0 ? BLACK_LUMA : NEUTRAL_CHROMA;

    for (int y = 0; y < h; y++) {
      guint8 *row = base + (gsize)y * stride;

      if (pstride == 1)
        memset(row, value, (gsize)w);
      else
        for (int x = 0; x < w; x++)
          row[x * pstride] = value;
    }
    return;
  }
  int radius = MAX(1, MIN(w, h) / PT_MASK_BLUR_DIVISOR);
  g_autofree guint8 *tmp = g_malloc(MAX(w, h));

  for (int pass = 0; pass < PT_MASK_BLUR_PASSES; pass++) {
    for (int y = 0; y < h; y++)
      box_pass(base + (gsize)y * stride, w, pstride, radius, tmp);
    for (int x = 0; x < w; x++)
      box_pass(base + (gsize)x * pstride, h, stride, radius, tmp);
  }
}

PtMaskRect
pt_mask_rect_pixels(const PtMaskRect *r, int width, int height)
{
  if (!r->percent)
    return *r;
  /* Outwards: floor the start, ceil the end. */
  gint64 x0 = (gint64)r->x * width / PERCENT_FULL, y0 = (gint64)r->y * height / PERCENT_FULL;
  gint64 x1 = ((gint64)(r->x + r->w) * width + PERCENT_FULL - 1) / PERCENT_FULL;
  gint64 y1 = ((gint64)(r->y + r->h) * height + PERCENT_FULL - 1) / PERCENT_FULL;
  x0 = MIN(x0, MAX(width - 1, 0));
  y0 = MIN(y0, MAX(height - 1, 0));
  return (PtMaskRect){(int)x0, (int)y0, (int)MAX(MIN(x1, width) - x0, 1),
                      (int)MAX(MIN(y1, height) - y0, 1), FALSE};
}

void
pt_mask_apply(const PtMask *mask, gboolean cover_all, GstVideoFrame *frame)
{
  int width = GST_VIDEO_FRAME_WIDTH(frame), height = GST_VIDEO_FRAME_HEIGHT(frame);
  PtMaskRect all = {0, 0, width, height, FALSE};
  guint n = cover_all ? 1 : mask->n_rects;

  for (guint i = 0; i < n; i++) {
    PtMaskRect r = cover_all ? all : pt_mask_rect_pixels(&mask->rects[i], width, height);

    for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(frame); c++)
      cover_component(frame, c, &r, cover_all ? PT_MASK_STYLE_BLACK : mask->style);
  }
}

/* ---- the element ---- */

enum {
  PROP_0,
  PROP_RECTS,
  PROP_STYLE,
  PROP_CAMERA,
};

struct _PtMaskFilter {
  GstVideoFilter parent;

  /* Properties and what set_info decided (object lock) */
  PtMask mask;
  char *camera;
  gboolean cover_all; /* the rectangles do not fit this stream's frame */
};

G_DEFINE_TYPE(PtMaskFilter, pt_mask, GST_TYPE_VIDEO_FILTER)

static GType
pt_mask_style_get_type(void)
{
  static gsize type = 0;
  static const GEnumValue values[] = {
      {PT_MASK_STYLE_BLACK, "Black", "black"},
      {PT_MASK_STYLE_BLUR, "Blurred", "blur"},
      {0, NULL, NULL},
  };

  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("PtMaskStyle", values));
  return type;
}

static gboolean
pt_mask_set_info(GstVideoFilter *filter, GstCaps *in_caps, GstVideoInfo *in_info, GstCaps *out_caps,
                 GstVideoInfo *out_info)
{
  PtMaskFilter *self = PT_MASK(filter);
  g_autoptr(GError) error = NULL;
  g_autofree char *camera = NULL;
  gboolean fits;

  GST_OBJECT_LOCK(self);
  fits = pt_mask_fits(&self->mask, GST_VIDEO_INFO_WIDTH(in_info), GST_VIDEO_INFO_HEIGHT(in_info),
                      &error);
  self->cover_all = !fits;
  camera = g_strdup(self->camera);
  GST_OBJECT_UNLOCK(self);
  if (!fits)
    GST_ELEMENT_WARNING(self, STREAM, FORMAT,
                        ("camera %s: %s: the whole frame is covered until the mask is fixed in "
                         "station.ini",
                         camera ? camera : "(unnamed)", error->message),
                        (NULL));
  return TRUE;
}

static GstFlowReturn
pt_mask_transform_frame_ip(GstVideoFilter *filter, GstVideoFrame *frame)
{
  PtMaskFilter *self = PT_MASK(filter);
  PtMask mask;
  gboolean cover_all;

  GST_OBJECT_LOCK(self);
  mask = self->mask;
  cover_all = self->cover_all;
  GST_OBJECT_UNLOCK(self);
  pt_mask_apply(&mask, cover_all, frame);
  return GST_FLOW_OK;
}

static void
pt_mask_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PtMaskFilter *self = PT_MASK(object);
  g_autoptr(GError) error = NULL;
  PtMask parsed = {0};

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_RECTS:
    parsed.style = self->mask.style;
    if (g_value_get_string(value) == NULL || *g_value_get_string(value) == '\0')
      self->mask.n_rects = 0;
    else if (pt_mask_parse(g_value_get_string(value), &parsed, &error))
      self->mask = parsed;
    else
      GST_WARNING_OBJECT(self, "%s: rectangles kept as they were", error->message);
    break;
  case PROP_STYLE:
    self->mask.style = (PtMaskStyle)g_value_get_enum(value);
    break;
  case PROP_CAMERA:
    g_free(self->camera);
    self->camera = g_value_dup_string(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_mask_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PtMaskFilter *self = PT_MASK(object);

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_RECTS:
    g_value_take_string(value, pt_mask_to_string(&self->mask));
    break;
  case PROP_STYLE:
    g_value_set_enum(value, self->mask.style);
    break;
  case PROP_CAMERA:
    g_value_set_string(value, self->camera);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_mask_finalize(GObject *object)
{
  g_free(PT_MASK(object)->camera);
  G_OBJECT_CLASS(pt_mask_parent_class)->finalize(object);
}

static void
pt_mask_class_init(PtMaskFilterClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstVideoFilterClass *filter_class = GST_VIDEO_FILTER_CLASS(klass);
  GstCaps *caps = gst_caps_from_string(GST_VIDEO_CAPS_MAKE(MASK_FORMATS));
  const GParamFlags flags = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS;

  GST_DEBUG_CATEGORY_INIT(pt_mask_debug, "ptmask", 0, "privacy masks");
  gobject_class->set_property = pt_mask_set_property;
  gobject_class->get_property = pt_mask_get_property;
  gobject_class->finalize = pt_mask_finalize;
  g_object_class_install_property(
      gobject_class, PROP_RECTS,
      g_param_spec_string("rects", "Rectangles",
                          "X,Y,WIDTH,HEIGHT[;...] in the frame's pixels or percent", "",
                          flags | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(gobject_class, PROP_STYLE,
                                  g_param_spec_enum("style", "Style",
                                                    "How the rectangles are covered",
                                                    pt_mask_style_get_type(), PT_MASK_STYLE_BLACK,
                                                    flags | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_CAMERA,
      g_param_spec_string("camera", "Camera", "The camera named in warnings", NULL, flags));
  gst_element_class_set_static_metadata(element_class, "Privacy mask", "Filter/Effect/Video",
                                        "Covers rectangles of the frame, black or blurred",
                                        "packtrace");
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
  filter_class->set_info = pt_mask_set_info;
  filter_class->transform_frame_ip = pt_mask_transform_frame_ip;
}

static void
pt_mask_init(PtMaskFilter *self)
{
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}

gboolean
pt_mask_register(GstPlugin *plugin)
{
  return gst_element_register(plugin, "ptmask", GST_RANK_NONE, PT_TYPE_MASK);
}

gboolean
pt_mask_add(GstBin *bin, const PtMask *mask, const char *camera, GstElement **first,
            GstElement **last, GError **error)
{
  GstElement *conv, *filter;
  g_autofree char *rects = pt_mask_to_string(mask);

  pt_mask_register(NULL);
  conv = gst_element_factory_make("videoconvert", NULL);
  filter = gst_element_factory_make("ptmask", NULL);
  if (conv == NULL || filter == NULL) {
    g_clear_pointer(&conv, gst_object_unref);
    g_clear_pointer(&filter, gst_object_unref);
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN, "%s",
                "GStreamer element \"videoconvert\" is not installed");
    return FALSE;
  }
  g_object_set(filter, "rects", rects, "style", mask->style, "camera", camera, NULL);
  gst_bin_add_many(bin, conv, filter, NULL);
  if (!gst_element_link(conv, filter)) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_PLUGIN, "%s",
                "cannot link videoconvert to ptmask");
    return FALSE;
  }
  *first = conv;
  *last = filter;
  return TRUE;
}
