/* pt-packgrade.c: the `packgrade` element (see pt-packgrade.h for its launch line and output).
 *
 * An in-place GstVideoFilter that never writes pixels: it maps each graded frame read-only
 * (no copy, even behind a tee), grades it, then attaches the ROI metas to the buffer, which
 * the base class has made writable.  All grading state lives on the streaming thread; the
 * properties are read under the object lock when the element starts. */
#include "pt-packgrade.h"

#include "pt-pipeline-limits.h"

GST_DEBUG_CATEGORY_STATIC(pt_packgrade_debug);
#define GST_CAT_DEFAULT pt_packgrade_debug

#define DEFAULT_PROFILE      "orange-unece"
#define DEFAULT_MM_PER_PX    0.3
#define DEFAULT_DIRECTION    PT_BELT_ANY
#define DEFAULT_MAX_MISSED   2
#define DEFAULT_MIN_INTERVAL 0

enum {
  PROP_0,
  PROP_PROFILE,
  PROP_MM_PER_PX,
  PROP_BELT_DIRECTION,
  PROP_MAX_MISSED,
  PROP_MIN_INTERVAL,
  PROP_FRUIT_COUNT,
};

struct _PtPackgrade {
  GstVideoFilter parent;

  /* Properties (object lock) */
  char *profile_name;
  double mm_per_px;
  PtBeltDirection direction;
  guint max_missed;
  guint64 min_interval;
  guint64 fruit_count; /* tracks ended, read by applications */

  /* Streaming thread only, between start and stop */
  PtGradeProfile *profile;
  PtGrader *grader;
  PtFruitTracker *tracker;
  GstClockTime last_graded;
};

G_DEFINE_TYPE(PtPackgrade, pt_packgrade, GST_TYPE_VIDEO_FILTER)

#define PT_TYPE_BELT_DIRECTION (pt_belt_direction_get_type())
static GType
pt_belt_direction_get_type(void)
{
  static GType type = 0;
  static const GEnumValue values[] = {
      {PT_BELT_ANY, "Direction unknown: nearest centroid only", "any"},
      {PT_BELT_RIGHT, "Fruit move towards the right edge", "right"},
      {PT_BELT_LEFT, "Fruit move towards the left edge", "left"},
      {PT_BELT_DOWN, "Fruit move towards the bottom edge", "down"},
      {PT_BELT_UP, "Fruit move towards the top edge", "up"},
      {0, NULL, NULL},
  };

  if (g_once_init_enter(&type))
    g_once_init_leave(&type, g_enum_register_static("PtBeltDirection", values));
  return type;
}

GstStructure *
pt_packgrade_fruit_structure(const char *name, const PtFruit *f)
{
  return gst_structure_new(
      name, "class", G_TYPE_STRING, pt_grade_class_to_string(f->klass), "rule", G_TYPE_STRING,
      f->rule, "confidence", G_TYPE_DOUBLE, f->confidence, "size-code", G_TYPE_STRING, f->size_code,
      "diameter-mm", G_TYPE_DOUBLE, f->diameter_mm, "length-mm", G_TYPE_DOUBLE, f->length_mm,
      "area-mm2", G_TYPE_DOUBLE, f->area_mm2, "weight-g", G_TYPE_DOUBLE, f->weight_g,
      "ripe-fraction", G_TYPE_DOUBLE, f->ripe_fraction, "green-fraction", G_TYPE_DOUBLE,
      f->green_fraction, "defect-count", G_TYPE_UINT, f->defect_count, "defect-area-mm2",
      G_TYPE_DOUBLE, f->defect_total_mm2, "defect-largest-mm2", G_TYPE_DOUBLE,
      f->defect_largest_mm2, "defect-longest-mm", G_TYPE_DOUBLE, f->defect_longest_mm,
      "defect-kind", G_TYPE_STRING,
      f->n_defects > 0 ? pt_defect_kind_to_string(f->defects[0].kind) : "", "partial",
      G_TYPE_BOOLEAN, f->partial, NULL);
}

static void
post_fruit(PtPackgrade *self, GPtrArray *finished)
{
  for (guint i = 0; i < finished->len; i++) {
    const PtTrackedFruit *t = g_ptr_array_index(finished, i);
    GstStructure *s = pt_packgrade_fruit_structure(PT_PACKGRADE_MESSAGE, &t->fruit);

    gst_structure_set(s, "track-id", G_TYPE_UINT64, t->id, "views", G_TYPE_UINT, t->n_views,
                      "first-pts", G_TYPE_UINT64, (guint64)t->first_ts, "last-pts", G_TYPE_UINT64,
                      (guint64)t->last_ts, NULL);
    GST_OBJECT_LOCK(self);
    self->fruit_count++;
    GST_OBJECT_UNLOCK(self);
    gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
  }
}

static void
flush_tracks(PtPackgrade *self)
{
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func(pt_tracked_fruit_free);

  if (self->tracker == NULL)
    return;
  pt_fruit_tracker_flush(self->tracker, finished);
  post_fruit(self, finished);
}

static gboolean
pt_packgrade_start(GstBaseTransform *trans)
{
  PtPackgrade *self = PT_PACKGRADE(trans);
  g_autoptr(GError) error = NULL;
  g_autofree char *name = NULL;
  PtFruitTrackerOptions options = {0};
  double mm_per_px;

  GST_OBJECT_LOCK(self);
  name = g_strdup(self->profile_name);
  mm_per_px = self->mm_per_px;
  options.direction = self->direction;
  options.max_missed = self->max_missed;
  self->fruit_count = 0;
  GST_OBJECT_UNLOCK(self);

  self->profile = pt_grade_profile_load(name, &error);
  if (self->profile != NULL)
    self->grader = pt_grader_new(self->profile, mm_per_px, &error);
  if (self->grader == NULL) {
    GST_ELEMENT_ERROR(self, RESOURCE, SETTINGS, ("%s", error->message), (NULL));
    g_clear_pointer(&self->profile, pt_grade_profile_free);
    return FALSE;
  }
  self->tracker = pt_fruit_tracker_new(self->profile, &options);
  self->last_graded = GST_CLOCK_TIME_NONE;
  return TRUE;
}

static gboolean
pt_packgrade_stop(GstBaseTransform *trans)
{
  PtPackgrade *self = PT_PACKGRADE(trans);

  g_clear_pointer(&self->tracker, pt_fruit_tracker_free);
  g_clear_pointer(&self->grader, pt_grader_free);
  g_clear_pointer(&self->profile, pt_grade_profile_free);
  return TRUE;
}

static gboolean
pt_packgrade_sink_event(GstBaseTransform *trans, GstEvent *event)
{
  PtPackgrade *self = PT_PACKGRADE(trans);

  /* Fruit still in view at the end, or before a seek, are counted with the views seen. */
  if (GST_EVENT_TYPE(event) == GST_EVENT_EOS || GST_EVENT_TYPE(event) == GST_EVENT_FLUSH_STOP) {
    flush_tracks(self);
    self->last_graded = GST_CLOCK_TIME_NONE;
  }
  return GST_BASE_TRANSFORM_CLASS(pt_packgrade_parent_class)->sink_event(trans, event);
}

static gboolean
map_frame(const GstVideoFrame *vf, PtFrame *frame)
{
  GstVideoFormat format = GST_VIDEO_FRAME_FORMAT(vf);

  *frame = (PtFrame){.width = GST_VIDEO_FRAME_WIDTH(vf), .height = GST_VIDEO_FRAME_HEIGHT(vf)};
  frame->format = format == GST_VIDEO_FORMAT_I420 ? PT_PIXEL_I420 : PT_PIXEL_RGB;
  for (guint p = 0; p < GST_VIDEO_FRAME_N_PLANES(vf) && p < 3; p++) {
    frame->data[p] = GST_VIDEO_FRAME_PLANE_DATA(vf, p);
    frame->stride[p] = GST_VIDEO_FRAME_PLANE_STRIDE(vf, p);
  }
  return format == GST_VIDEO_FORMAT_I420 || format == GST_VIDEO_FORMAT_RGB;
}

static GstFlowReturn
pt_packgrade_transform_ip(GstBaseTransform *trans, GstBuffer *buf)
{
  PtPackgrade *self = PT_PACKGRADE(trans);
  GstVideoFilter *filter = GST_VIDEO_FILTER(trans);
  GstClockTime pts = GST_BUFFER_PTS(buf);
  g_autoptr(GPtrArray) finished = g_ptr_array_new_with_free_func(pt_tracked_fruit_free);
  g_autoptr(PtGradeResult) result = NULL;
  g_autoptr(GError) error = NULL;
  guint64 ids[PT_GRADER_MAX_FRUIT];
  guint64 min_interval;
  GstVideoFrame vf;
  PtFrame frame;

  if (!filter->negotiated)
    return GST_FLOW_NOT_NEGOTIATED;
  GST_OBJECT_LOCK(self);
  min_interval = self->min_interval;
  GST_OBJECT_UNLOCK(self);
  if (min_interval > 0 && GST_CLOCK_TIME_IS_VALID(pts) &&
      GST_CLOCK_TIME_IS_VALID(self->last_graded) && pts >= self->last_graded &&
      pts - self->last_graded < min_interval)
    return GST_FLOW_OK;

  /* NO_REF: a mapped frame holding a buffer ref would make the buffer read-only for the
   * metas below. */
  if (!gst_video_frame_map(&vf, &filter->in_info, buf,
                           GST_MAP_READ | GST_VIDEO_FRAME_MAP_FLAG_NO_REF)) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, ("could not map the video frame"), (NULL));
    return GST_FLOW_ERROR;
  }
  if (map_frame(&vf, &frame))
    result = pt_fruit_tracker_grade(self->tracker, self->grader, &frame, NULL, 0,
                                    GST_CLOCK_TIME_IS_VALID(pts) ? (gint64)pts : -1, ids, finished,
                                    &error);
  gst_video_frame_unmap(&vf);
  if (result == NULL) {
    /* A frame the grader refuses (over a size limit) passes ungraded; the stream goes on. */
    GST_ELEMENT_WARNING(self, STREAM, FAILED, ("frame not graded"),
                        ("%s", error ? error->message : "unsupported format"));
    return GST_FLOW_OK;
  }
  self->last_graded = pts;

  for (guint i = 0; i < result->n_fruit; i++) {
    const PtFruit *f = &result->fruit[i];
    GstVideoRegionOfInterestMeta *meta = gst_buffer_add_video_region_of_interest_meta(
        buf, "fruit", (guint)f->x, (guint)f->y, (guint)f->width, (guint)f->height);
    GstStructure *s = pt_packgrade_fruit_structure("grade", f);

    gst_structure_set(s, "track-id", G_TYPE_UINT64, ids[i], NULL);
    meta->id = (gint)(ids[i] & G_MAXINT);
    gst_video_region_of_interest_meta_add_param(meta, s);
  }
  post_fruit(self, finished);
  return GST_FLOW_OK;
}

static void
pt_packgrade_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PtPackgrade *self = PT_PACKGRADE(object);

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_PROFILE:
    g_free(self->profile_name);
    self->profile_name = g_value_dup_string(value);
    break;
  case PROP_MM_PER_PX:
    self->mm_per_px = g_value_get_double(value);
    break;
  case PROP_BELT_DIRECTION:
    self->direction = g_value_get_enum(value);
    break;
  case PROP_MAX_MISSED:
    self->max_missed = g_value_get_uint(value);
    break;
  case PROP_MIN_INTERVAL:
    self->min_interval = g_value_get_uint64(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_packgrade_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PtPackgrade *self = PT_PACKGRADE(object);

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_PROFILE:
    g_value_set_string(value, self->profile_name);
    break;
  case PROP_MM_PER_PX:
    g_value_set_double(value, self->mm_per_px);
    break;
  case PROP_BELT_DIRECTION:
    g_value_set_enum(value, self->direction);
    break;
  case PROP_MAX_MISSED:
    g_value_set_uint(value, self->max_missed);
    break;
  case PROP_MIN_INTERVAL:
    g_value_set_uint64(value, self->min_interval);
    break;
  case PROP_FRUIT_COUNT:
    g_value_set_uint64(value, self->fruit_count);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_packgrade_finalize(GObject *object)
{
  PtPackgrade *self = PT_PACKGRADE(object);

  g_free(self->profile_name);
  G_OBJECT_CLASS(pt_packgrade_parent_class)->finalize(object);
}

static void
pt_packgrade_class_init(PtPackgradeClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  GstCaps *caps = gst_caps_from_string(GST_VIDEO_CAPS_MAKE("{ RGB, I420 }"));
  const GParamFlags ready = G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_READY;

  GST_DEBUG_CATEGORY_INIT(pt_packgrade_debug, "packgrade", 0, "fruit grading");
  gobject_class->set_property = pt_packgrade_set_property;
  gobject_class->get_property = pt_packgrade_get_property;
  gobject_class->finalize = pt_packgrade_finalize;

  g_object_class_install_property(
      gobject_class, PROP_PROFILE,
      g_param_spec_string("profile", "Grade profile",
                          "Name of a grade profile (models/profiles/NAME.ini or "
                          "$PACKTRACE_PROFILES_DIR)",
                          DEFAULT_PROFILE, ready));
  g_object_class_install_property(
      gobject_class, PROP_MM_PER_PX,
      g_param_spec_double("mm-per-px", "Calibration",
                          "Millimetres per pixel at the fruit's equator height", 0.001, 100.0,
                          DEFAULT_MM_PER_PX, ready));
  g_object_class_install_property(
      gobject_class, PROP_BELT_DIRECTION,
      g_param_spec_enum("belt-direction", "Belt direction",
                        "Way the fruit move through the picture; fruit are matched only along it",
                        PT_TYPE_BELT_DIRECTION, DEFAULT_DIRECTION, ready));
  g_object_class_install_property(
      gobject_class, PROP_MAX_MISSED,
      g_param_spec_uint("max-missed", "Missed frames",
                        "Graded frames a fruit may go unseen before it counts as gone", 0, 100,
                        DEFAULT_MAX_MISSED, ready));
  g_object_class_install_property(
      gobject_class, PROP_MIN_INTERVAL,
      g_param_spec_uint64("min-interval", "Minimum interval",
                          "Grade a frame only this long (ns of PTS) after the last graded one; "
                          "frames between pass ungraded (0 = grade every frame)",
                          0, G_MAXUINT64, DEFAULT_MIN_INTERVAL,
                          G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING));
  g_object_class_install_property(
      gobject_class, PROP_FRUIT_COUNT,
      g_param_spec_uint64("fruit-count", "Fruit count",
                          "Fruit counted (one packgrade-fruit message each) since start", 0,
                          G_MAXUINT64, 0, G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));

  gst_element_class_set_static_metadata(
      element_class, "Fruit grader", "Filter/Analyzer/Video",
      "Grades fruit on a belt by size, colour and defects against a grade profile, follows "
      "each fruit across frames and reports it once",
      "packtrace");
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);

  trans_class->start = pt_packgrade_start;
  trans_class->stop = pt_packgrade_stop;
  trans_class->sink_event = pt_packgrade_sink_event;
  /* Replaces GstVideoFilter's, which would map the frame writable (a copy when shared). */
  trans_class->transform_ip = pt_packgrade_transform_ip;
  trans_class->passthrough_on_same_caps = FALSE;
  gst_type_mark_as_plugin_api(PT_TYPE_BELT_DIRECTION, 0);
}

static void
pt_packgrade_init(PtPackgrade *self)
{
  self->profile_name = g_strdup(DEFAULT_PROFILE);
  self->mm_per_px = DEFAULT_MM_PER_PX;
  self->direction = DEFAULT_DIRECTION;
  self->max_missed = DEFAULT_MAX_MISSED;
  self->min_interval = DEFAULT_MIN_INTERVAL;
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}

gboolean
pt_packgrade_register(GstPlugin *plugin)
{
  return gst_element_register(plugin, "packgrade", GST_RANK_NONE, PT_TYPE_PACKGRADE);
}
