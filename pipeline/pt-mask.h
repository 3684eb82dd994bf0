/* pt-mask.h: a camera's privacy mask (rectangles in the camera's pixels, covered black or
 * blurred) and the `ptmask` element that applies it to raw video in place:
 *
 *   gst-launch-1.0 videotestsrc ! video/x-raw,format=I420,width=320,height=240 ! \
 *     ptmask rects="0,0,80,60;200,100,40,40" style=blur ! autovideosink
 *
 * The element goes wherever people see a camera (the live view, evidence clips and exports,
 * the frame tap behind thumbnails and grading stills), never in front of the recording: the
 * recorded segments, whose hashes are signed, stay as the camera saw it.  A rectangle that
 * does not fit the frame (an H.264 camera's size is known only once it streams) covers the
 * whole frame and posts a warning naming the camera and the value: a mask that cannot be
 * placed fails closed, never open. */
#pragma once

#include "pt-pipeline-limits.h"

#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

typedef enum {
  PT_MASK_STYLE_BLACK, /* the default: nothing of the rectangle is left */
  PT_MASK_STYLE_BLUR,  /* shapes and colours stay, features go */
} PtMaskStyle;

typedef struct {
  /* Pixels of the camera's frame; with @percent, hundredths of a percent of its width (x, w)
   * and height (y, h), 0..10000, for a camera whose frame size is not known (an H.264
   * camera's, until it streams) or changes (a main stream and a substream). */
  int x, y, w, h;
  gboolean percent;
} PtMaskRect;

typedef struct {
  guint n_rects; /* 0: no mask */
  PtMaskRect rects[PT_MASK_RECTS_MAX];
  PtMaskStyle style;
} PtMask;

/* Reads "X,Y,W,H[;X,Y,W,H...]" into @mask's rectangles (style untouched): each rectangle in
 * pixels, or with every one of its four numbers a percentage of the frame ("75%,0%,25%,12.5%",
 * two decimals at most).  Refuses garbage, a side under PT_MASK_RECT_MIN_PX (or 0%), a
 * rectangle past PT_DIMENSION_MAX (or 100%), a rectangle mixing the two, and more than
 * PT_MASK_RECTS_MAX rectangles; the error quotes the offending part. */
gboolean pt_mask_parse(const char *text, PtMask *mask, GError **error);
/* The rectangles as pt_mask_parse() reads them.  Returns: (transfer full) */
char *pt_mask_to_string(const PtMask *mask);
/* "black" or "blur".  Returns: (transfer none) */
const char *pt_mask_style_to_string(PtMaskStyle style);
gboolean pt_mask_style_from_string(const char *text, PtMaskStyle *style, GError **error);
/* TRUE when every rectangle lies inside a @width x @height frame (one in percent always
 * does); else the error names the first one that does not. */
gboolean pt_mask_fits(const PtMask *mask, int width, int height, GError **error);
/* @r in the pixels of a @width x @height frame: a percentage rounded outwards, at least one
 * pixel each way (a mask errs on the side of covering). */
PtMaskRect pt_mask_rect_pixels(const PtMaskRect *r, int width, int height);
/* Covers @mask's rectangles in @frame (mapped writable; 8-bit YUV: I420, YV12, NV12, NV21,
 * Y42B, Y444).  With @cover_all, the whole frame is covered instead. */
void pt_mask_apply(const PtMask *mask, gboolean cover_all, GstVideoFrame *frame);

#define PT_TYPE_MASK (pt_mask_get_type())
G_DECLARE_FINAL_TYPE(PtMaskFilter, pt_mask, PT, MASK, GstVideoFilter)

/* Registers "ptmask" for this process (@plugin NULL) or with @plugin.  Safe to call more
 * than once. */
gboolean pt_mask_register(GstPlugin *plugin);
/* Adds `videoconvert ! ptmask` for @mask to @bin, linked; @camera names the camera in the
 * element's warnings.  @first, @last: (out) (transfer none) the two ends.  A decoder's
 * output in a format ptmask does not take is converted; an I420 stream passes through. */
gboolean pt_mask_add(GstBin *bin, const PtMask *mask, const char *camera, GstElement **first,
                     GstElement **last, GError **error);

G_END_DECLS
