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
#define RECT_TEXT_MAX_SZ 48 /* "8192,8192,8192,8192;" with room */

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
    g_auto(GStrv) f = g_strsplit(parts[i], ",", RECT_FIELDS + 1);
    guint64 v[RECT_FIELDS];
    gboolean ok = g_strv_length(f) == RECT_FIELDS;

    for (guint k = 0; ok && k < RECT_FIELDS; k++)
      ok = g_ascii_string_to_unsigned(g_strstrip(f[k]), 10, k < 2 ? 0 : PT_MASK_RECT_MIN_PX,
                                      PT_DIMENSION_MAX, &v[k], NULL);
    if (!ok)
      return mask_fail(error,
                       "privacy_mask rectangle '%s' must be X,Y,WIDTH,HEIGHT in pixels "
                       "(sides %d..%d)",
                       g_strstrip(parts[i]), PT_MASK_RECT_MIN_PX, PT_DIMENSION_MAX);
    if (v[0] + v[2] > PT_DIMENSION_MAX || v[1] + v[3] > PT_DIMENSION_MAX)
      return mask_fail(error, "privacy_mask rectangle '%s' ends past %d pixels",
                       g_strstrip(parts[i]), PT_DIMENSION_MAX);
    out.rects[i] = (PtMaskRect){(int)v[0], (int)v[1], (int)v[2], (int)v[3]};
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

    g_string_append_printf(s, "%s%d,%d,%d,%d", i ? ";" : "", r->x, r->y, r->w, r->h);
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

    if (r->x + r->w > width || r->y + r->h > height)
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

void
pt_mask_apply(const PtMask *mask, gboolean cover_all, GstVideoFrame *frame)
{
  PtMaskRect all = {0, 0, GST_VIDEO_FRAME_WIDTH(frame), GST_VIDEO_FRAME_HEIGHT(frame)};
  guint n = cover_all ? 1 : mask->n_rects;

  for (guint i = 0; i < n; i++) {
    const PtMaskRect *r = cover_all ? &all : &mask->rects[i];

    for (guint c = 0; c < GST_VIDEO_FRAME_N_COMPONENTS(frame); c++)
      cover_component(frame, c, r, cover_all ? PT_MASK_STYLE_BLACK : mask->style);
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
      g_param_spec_string("rects", "Rectangles", "X,Y,WIDTH,HEIGHT[;...] in the frame's pixels", "",
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
