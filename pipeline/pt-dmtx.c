/* pt-dmtx.c: the `ptdmtx` element (see pt-dmtx.h for its launch line and messages).
 *
 * An in-place GstVideoFilter that never writes: each frame's luma plane is handed to libdmtx as it
 * lies in the mapped buffer (rows with their stride, top row first), read-only.  libdmtx looks for
 * a symbol's finder edges from every pixel outward, which on a busy frame without a symbol takes
 * far longer than a frame lasts; its deadline (the `timeout` property) is what bounds the element,
 * and the scan branch in front of it (rate, region, scale, motion gate) is what bounds how often it
 * runs.  Properties are read under the object lock once per frame. */
#include "pt-dmtx.h"

#include "pt-pipeline-limits.h"

#include <dmtx.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(pt_dmtx_debug);
#define GST_CAT_DEFAULT pt_dmtx_debug

#define GS1_SEPARATOR 0x1d /* GS: how GS1 transmits an FNC1 after a variable-length value */

enum {
  PROP_0,
  PROP_TIMEOUT,
  PROP_MAX_SYMBOLS,
};

struct _PtDmtx {
  GstVideoFilter parent;

  /* Properties (object lock) */
  guint timeout_ms;
  guint max_symbols;
};

G_DEFINE_TYPE(PtDmtx, pt_dmtx, GST_TYPE_VIDEO_FILTER)

/* Posts zbar's "barcode" message for the @n_text bytes of @text read in @buf, unless they
 * are no text (binary Data Matrix payloads are no code of ours). */
static void
post_symbol(PtDmtx *self, GstBuffer *buf, const unsigned char *text, gsize n_text)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM(self);
  /* The leading FNC1 only says "GS1"; zbar leaves it out of a GS1-128 too. */
  if (n_text > 0 && text[0] == GS1_SEPARATOR) {
    text++;
    n_text--;
  }
  if (n_text == 0 || memchr(text, '\0', n_text) != NULL ||
      !g_utf8_validate((const char *)text, (gssize)n_text, NULL)) {
    GST_DEBUG_OBJECT(self, "a symbol of %" G_GSIZE_FORMAT " bytes that is no text", n_text);
    return;
  }
  g_autofree char *symbol = g_strndup((const char *)text, n_text);
  GstClockTime ts = GST_BUFFER_PTS(buf);
  GstClockTime running = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, ts);
  GstClockTime stream = gst_segment_to_stream_time(&trans->segment, GST_FORMAT_TIME, ts);
  GstStructure *s =
      gst_structure_new("barcode", "timestamp", G_TYPE_UINT64, ts, "stream-time", G_TYPE_UINT64,
                        stream, "running-time", G_TYPE_UINT64, running, "duration", G_TYPE_UINT64,
                        GST_BUFFER_DURATION(buf), "type", G_TYPE_STRING, "DataMatrix", "symbol",
                        G_TYPE_STRING, symbol, "quality", G_TYPE_INT, 1, NULL);
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

static GstFlowReturn
pt_dmtx_transform_ip(GstBaseTransform *trans, GstBuffer *buf)
{
  PtDmtx *self = PT_DMTX(trans);
  GstVideoFrame frame;

  GST_OBJECT_LOCK(self);
  guint timeout_ms = self->timeout_ms, max_symbols = self->max_symbols;
  GST_OBJECT_UNLOCK(self);
  if (!gst_video_frame_map(&frame, &GST_VIDEO_FILTER(self)->in_info, buf, GST_MAP_READ)) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, (NULL), ("frame not readable"));
    return GST_FLOW_ERROR;
  }
  int width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, 0);
  int height = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, 0);
  int stride = GST_VIDEO_FRAME_COMP_STRIDE(&frame, 0);
  /* libdmtx takes a non-const pointer but only reads the pixels of a decode. */
  DmtxImage *img =
      dmtxImageCreate(GST_VIDEO_FRAME_COMP_DATA(&frame, 0), width, height, DmtxPack8bppK);
  DmtxDecode *dec = NULL;
  if (img == NULL)
    goto out_unmap;
  dmtxImageSetProp(img, DmtxPropRowPadBytes, stride - width);
  /* libdmtx counts rows from the bottom; read from memory top row first, the symbol is seen
   * mirrored twice over, which is as printed (with DmtxFlipY nothing is decoded). */
  dmtxImageSetProp(img, DmtxPropImageFlip, DmtxFlipNone);
  dec = dmtxDecodeCreate(img, 1);
  if (dec == NULL)
    goto out_destroy_image;
  dmtxDecodeSetProp(dec, DmtxPropFnc1, GS1_SEPARATOR);
  DmtxTime deadline = dmtxTimeAdd(dmtxTimeNow(), (long)timeout_ms);
  guint n = 0;
  for (; n < max_symbols; n++) {
    DmtxRegion *reg = dmtxRegionFindNext(dec, &deadline);
    if (reg == NULL)
      break;
    DmtxMessage *msg = dmtxDecodeMatrixRegion(dec, reg, DmtxUndefined);
    GST_LOG_OBJECT(self, "a region at %" GST_TIME_FORMAT ": %s", GST_TIME_ARGS(GST_BUFFER_PTS(buf)),
                   msg != NULL ? "read" : "not decoded");
    if (msg != NULL) {
      post_symbol(self, buf, msg->output, (gsize)msg->outputIdx);
      dmtxMessageDestroy(&msg);
    }
    dmtxRegionDestroy(&reg);
  }
  GST_LOG_OBJECT(self, "%dx%d frame at %" GST_TIME_FORMAT ": %u regions", width, height,
                 GST_TIME_ARGS(GST_BUFFER_PTS(buf)), n);
  dmtxDecodeDestroy(&dec);
out_destroy_image:
  dmtxImageDestroy(&img);
out_unmap:
  gst_video_frame_unmap(&frame);
  return GST_FLOW_OK;
}

static void
pt_dmtx_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PtDmtx *self = PT_DMTX(object);

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_TIMEOUT:
    self->timeout_ms = g_value_get_uint(value);
    break;
  case PROP_MAX_SYMBOLS:
    self->max_symbols = g_value_get_uint(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_dmtx_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PtDmtx *self = PT_DMTX(object);

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_TIMEOUT:
    g_value_set_uint(value, self->timeout_ms);
    break;
  case PROP_MAX_SYMBOLS:
    g_value_set_uint(value, self->max_symbols);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_dmtx_class_init(PtDmtxClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  GstCaps *caps = gst_caps_from_string(GST_VIDEO_CAPS_MAKE("{ I420, NV12, GRAY8 }"));
  const GParamFlags playing =
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT(pt_dmtx_debug, "ptdmtx", 0, "Data Matrix reading (libdmtx)");
  gobject_class->set_property = pt_dmtx_set_property;
  gobject_class->get_property = pt_dmtx_get_property;
  g_object_class_install_property(
      gobject_class, PROP_TIMEOUT,
      g_param_spec_uint("timeout", "Timeout", "Milliseconds a frame may be searched for symbols", 1,
                        PT_SCAN_DMTX_TIMEOUT_MS_MAX, PT_SCAN_DMTX_TIMEOUT_MS, playing));
  g_object_class_install_property(
      gobject_class, PROP_MAX_SYMBOLS,
      g_param_spec_uint("max-symbols", "Maximum symbols", "Symbols read in one frame at most", 1,
                        PT_SCAN_DMTX_SYMBOLS_MAX, PT_SCAN_DMTX_SYMBOLS_DEFAULT, playing));
  gst_element_class_set_static_metadata(element_class, "Data Matrix reader",
                                        "Filter/Analyzer/Video",
                                        "Reads Data Matrix symbols (libdmtx) and posts them as "
                                        "zbar posts its barcodes",
                                        "packtrace");
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
  /* Replaces GstVideoFilter's, which would map the frame writable (a copy when shared). */
  trans_class->transform_ip = pt_dmtx_transform_ip;
  /* In-place, not passthrough: GstVideoFilter hands a passthrough filter no frame at all.
   * The scan branch's frames have no other holder, so in-place costs no copy. */
  trans_class->passthrough_on_same_caps = FALSE;
}

static void
pt_dmtx_init(PtDmtx *self)
{
  self->timeout_ms = PT_SCAN_DMTX_TIMEOUT_MS;
  self->max_symbols = PT_SCAN_DMTX_SYMBOLS_DEFAULT;
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}

gboolean
pt_dmtx_register(GstPlugin *plugin)
{
  return gst_element_register(plugin, "ptdmtx", GST_RANK_NONE, PT_TYPE_DMTX);
}
