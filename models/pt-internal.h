/* pt-internal.h: what the models/ files share and nothing else sees:
 * frame sampling, the segmentation result, per-fruit analysis crops and the
 * scratch buffers a grader reuses between frames. */
#pragma once

#include "pt-grade-tuning.h"
#include "pt-models.h"

#include <math.h>
#include <string.h>

G_BEGIN_DECLS

/* pt-image.c */
void pt_frame_sample(const PtFrame *frame, int x0, int y0, int w, int h, int step, guint8 *out_y,
                     guint8 *out_cb, guint8 *out_cr);
/* Full-range YCbCr to RGB; inline, as the peel analyses convert every pixel of a crop. */
static inline void
pt_ycc_to_rgb(int y, int cb, int cr, int *r, int *g, int *b)
{
  int u = cb - 128, v = cr - 128;

  *r = CLAMP(y + ((359 * v + 128) >> 8), 0, 255);
  *g = CLAMP(y - ((88 * u + 183 * v + 128) >> 8), 0, 255);
  *b = CLAMP(y + ((454 * u + 128) >> 8), 0, 255);
}

/* Full-range RGB to YCbCr, as frames are sampled.  For r, g, b in 0..255 the chroma sums reach
 * 1 at least (-32512 >> 8 is -127) and 256 at most (pure blue, pure red): only the top needs
 * clamping. */
static inline void
pt_rgb_to_ycc(int r, int g, int b, guint8 *y, guint8 *cb, guint8 *cr)
{
  *y = (guint8)((77 * r + 150 * g + 29 * b + 128) >> 8);
  *cb = (guint8)MIN(128 + ((-43 * r - 85 * g + 128 * b + 128) >> 8), 255);
  *cr = (guint8)MIN(128 + ((128 * r - 107 * g - 21 * b + 128) >> 8), 255);
}

/* How many of a pixel's channels are clipped (at or above PT_PEEL_LAB_CLIPPED): 0, a colour
 * as seen; 1 or 2, a colour whose brightest channels the sensor's range cut (an orange's red
 * clips first); 3, white, its colour lost. */
static inline int
pt_clipped_channels(int r, int g, int b)
{
  return (r >= PT_PEEL_LAB_CLIPPED) + (g >= PT_PEEL_LAB_CLIPPED) + (b >= PT_PEEL_LAB_CLIPPED);
}

/* A growable buffer with a hard cap (the caps follow from pt-models-limits.h). */
typedef struct {
  void *data;
  gsize size;
} PtBuf;

void *pt_models_buf_get(PtBuf *buf, gsize size);
void pt_models_buf_clear(PtBuf *buf);

/* pt-segment.c: finding fruit in a downscaled copy of the frame. */
typedef struct {
  int x0, y0, x1, y1; /* bounding box in work pixels, x1/y1 exclusive */
  int area;           /* work pixels */
  int label;          /* value in the label map */
} PtBlob;

typedef struct {
  /* The searched rectangle of the frame and its downscale factor. */
  int rx, ry, rw, rh;
  int f;
  int w, h;
  guint8 *y, *cb, *cr; /* work planes, w*h */
  guint8 *feat;        /* difference from the belt, w*h */
  gint32 *labels;      /* 0 belt, else a blob label, w*h */
  gint32 *territory;   /* labels grown by one work pixel */
  /* Belt model: luma as a plane over frame coordinates, chroma constant. */
  double belt_a, belt_b, belt_c;
  int belt_cb, belt_cr;
  int lo, hi; /* hysteresis thresholds on feat */
  PtBlob blobs[PT_GRADER_MAX_FRUIT];
  guint n_blobs;
  /* scratch */
  PtBuf b_planes, b_feat, b_labels, b_territory, b_tmp, b_tmp2, b_order;
} PtSegmentation;

/* Segments the rectangle (rx, ry, rw, rh) of @frame.  Blobs smaller than
 * @min_area_px (frame pixels) are dropped; with @split, touching fruit are
 * cut apart (distance transform + watershed); without it only the largest
 * blob is kept (one fruit per ROI). */
void pt_fruit_segment(PtSegmentation *seg, const PtFrame *frame, int rx, int ry, int rw, int rh,
                      double min_area_px, gboolean split);
void pt_fruit_segmentation_clear(PtSegmentation *seg);

/* pt-propose.c: up to @max boxes (frame pixels, within the searched rectangle) that may each
 * hold one fruit of at least @min_area_px, from @seg's work image: the round stretches of
 * its chromatic pixels, the deepest first.  For a photo the search found nothing in.
 * Returns how many. */
guint pt_propose_fruit(const PtSegmentation *seg, double min_area_px, PtRoi *boxes, guint max);

/* The 3x3 linear system @a x = @r by Cramer's rule (the normal equations of a plane or a
 * circle fitted by least squares).  Returns the determinant: the caller judges whether it
 * is too small for @x to mean anything; 0 leaves @x untouched. */
static inline double
pt_solve3(const double a[3][3], const double r[3], double x[3])
{
  double det = a[0][0] * (a[1][1] * a[2][2] - a[1][2] * a[2][1]) -
               a[0][1] * (a[1][0] * a[2][2] - a[1][2] * a[2][0]) +
               a[0][2] * (a[1][0] * a[2][1] - a[1][1] * a[2][0]);

  if (det == 0)
    return 0;
  for (int c = 0; c < 3; c++) {
    double m[3][3];

    memcpy(m, a, sizeof m);
    for (int i = 0; i < 3; i++)
      m[i][c] = r[i];
    x[c] = (m[0][0] * (m[1][1] * m[2][2] - m[1][2] * m[2][1]) -
            m[0][1] * (m[1][0] * m[2][2] - m[1][2] * m[2][0]) +
            m[0][2] * (m[1][0] * m[2][1] - m[1][1] * m[2][0])) /
           det;
  }
  return det;
}

/* pt_fruit_feature () with the belt plane's two products given: @ax is belt_a * fx and @by
 * belt_b * fy, so a loop over a grid computes each once per column and once per row (the
 * same products summed in the same order, so the same value). */
static inline int
pt_fruit_feature_at(const PtSegmentation *seg, double ax, double by, int y, int cb, int cr)
{
  double belt = ax + by + seg->belt_c;
  int dy = (int)(y - belt);
  int dc = ABS(cb - seg->belt_cb) + ABS(cr - seg->belt_cr);
  int v = ABS(dy) + 2 * dc;

  return MIN(v, 255);
}

/* Difference of one pixel from the belt model; the same measure at every
 * scale so the analysis crop agrees with the search image. */
static inline int
pt_fruit_feature(const PtSegmentation *seg, int fx, int fy, int y, int cb, int cr)
{
  return pt_fruit_feature_at(seg, seg->belt_a * fx, seg->belt_b * fy, y, cb, cr);
}

/* pt-segment.c: the runs of @value in each row of @mask (x0 <= x < x1, row y's from row[y]
 * to row[y + 1]), each joined in the union-find forest @parent (at most n / 2 + h / 2 runs)
 * to the runs of the row above it touches: by a shared column, or also diagonally when
 * @diagonal (8-connected).  A run's index is its raster order and the smaller index wins a
 * union, so each piece's root is its first run.  Used by the labelling, the hole filling and
 * the grader's largest piece. */
typedef struct {
  gint32 *x0, *x1, *row;
  gint32 n;
} PtRuns;
void pt_runs_join(const guint8 *mask, int w, int h, guint8 value, gboolean diagonal, PtRuns *runs,
                  gint32 *parent);
void pt_runs_clear(PtRuns *runs);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtRuns, pt_runs_clear)
/* The root of run @r (paths halved on the way). */
gint32 pt_runs_root(gint32 *parent, gint32 r);

/* Connected components (8-way) of mask pixels equal to @value; writes
 * labels 1..n into @labels (in order of first appearance) and returns n.  @parent needs
 * w*h entries (the union-find forest of its runs). */
int pt_label_components(const guint8 *mask, int w, int h, guint8 value, gint32 *labels,
                        gint32 *parent);

/* Chamfer 3-4 distance (3 per pixel step) from each nonzero @mask pixel to
 * the nearest zero pixel, or to the image edge too with @edge_is_zero. */
void pt_distance_transform(const guint8 *mask, int w, int h, gboolean edge_is_zero, gint32 *d);

/* The median bin of an integer histogram of @n bins holding @total counts: the first whose
 * running count reaches half of @total (the last bin when none does). */
static inline int
pt_hist_median(const guint32 *hist, int n, guint32 total)
{
  guint32 acc = 0;

  for (int i = 0; i < n; i++) {
    acc += hist[i];
    if (2 * acc >= total)
      return i;
  }
  return n - 1;
}

/* pt-white.c: the colour of a photo's light, from the neutral surfaces round its fruit: the
 * gains (R, G, B, linear light) that make them neutral, whether a channel clipped stays
 * clipped when they are applied (a light read off a black floor) or is scaled too (a lit
 * white surface's), and the colour white light has once they are (R, G, B, mean 1): neutral,
 * but for the part of a black floor's lean left in as its dye's (a lamp mirrored in the peel
 * adds light of that colour). */
typedef struct {
  float gains[3];
  gboolean keep_clipped;
  float light[3];
} PtWhite;

/* The light read from the frame's samples outside the inner ellipses (PT_ROI_LOST_ELLIPSE) of
 * its @n_rois boxes: fills @white and returns TRUE, or FALSE (gains 1) when they are too few
 * or their cast is none or not a light's. */
gboolean pt_white_estimate(const PtFrame *frame, const PtRoi *rois, guint n_rois, PtWhite *white);
/* The same for a photo graded whole, read round the fruit @seg found: every pixel of a blob's
 * territory (its pixels grown by one work pixel) is a fruit's. */
gboolean pt_white_estimate_around(const PtFrame *frame, const PtSegmentation *seg, PtWhite *white);
/* Applies @white to @n full-range YCbCr samples in place. */
void pt_white_apply(const PtWhite *white, guint8 *y, guint8 *cb, guint8 *cr, gsize n);
/* Each sRGB level (0..255) in linear light, 0..1: 256 entries. */
const float *pt_srgb_linear_table(void);

/* pt-open.c: opens the 0/1 @mask by the chamfer 3-4 disc of radius 15% of its equivalent
 * radius (3 per pixel step, at least one pixel): the pixels of the mask within that disc of
 * a pixel whose disc lies in the mask, where it lies inside the image. */
void pt_open_octagon(guint8 *mask, int w, int h);
/* Sets @out (w * h) to 1 where the 0/1 @mask's chamfer 3-4 distance with the image edge as
 * zero (pt_distance_transform ()) exceeds @r3, else 0: the pixels whose disc of radius @r3
 * lies in the mask and the image. */
void pt_erode_octagon(const guint8 *mask, int w, int h, gint32 r3, guint8 *out);

/* Sets every mask hole (0 pixels not reachable from the border) to 1.
 * @stack needs w*h entries (the union-find forest of its runs of 0). */
void pt_fill_holes(guint8 *mask, int w, int h, gint32 *stack);

/* pt-measure.c: geometry of a binary mask of at most PT_SHAPE_MAX_ROWS rows. */
#define PT_SHAPE_MAX_ROWS MAX(PT_SEG_WORK_SIDE, PT_ANALYSIS_MAX_SIDE)
typedef struct {
  double area_px;
  double cx, cy;             /* centroid */
  double major, minor;       /* principal semi-axes from the moments (px) */
  double angle;              /* of the major axis, radians */
  double min_width;          /* narrowest caliper of the pixel union */
  double max_width;          /* widest caliper */
  double feret_angle;        /* direction of the widest caliper */
  double fx0, fy0, fx1, fy1; /* the two hull points farthest apart */
  PtPoint hull[4 * PT_SHAPE_MAX_ROWS + 8];
  guint n_hull;
} PtShape;

/* Measures the pixels of @mask equal to @value inside (x0,y0)-(x1,y1).
 * @xs needs 4*(y1-y0)+8 PtPoint entries of scratch. */
void pt_shape_measure(const guint8 *mask, int stride, int x0, int y0, int x1, int y1, guint8 value,
                      PtShape *shape, PtPoint *xs);

/* pt-defect.c: peel analysis of one fruit's crop. */
typedef struct _PtPeelInput {
  int w, h;
  const guint8 *y, *cb, *cr;
  const guint8 *mask;   /* 1 = fruit */
  double mm_per_px;     /* of the crop (frame scale times step) */
  const PtShape *shape; /* of the mask, crop coordinates */
  const PtGradeProfile *profile;
  /* Defects as colour anomalies in CIE L*a*b* against the fruit's median peel
   * (pt-grade-tuning.h), for photos without a controlled light; else the belt's
   * luma and chroma rules. */
  gboolean lab;
  /* With lab, nullable: the crop's L*a*b* (3 floats a pixel) when the caller has it
   * already (ROI grading converts it once, pt_roi_lab()). */
  const float *lab_pixels;
  /* With lab, for a profile that looks for mould: a face washed out all over, with too
   * little peel-coloured part to be judged against, is mould (a photo graded whole; a ROI's
   * pale middle is pt_roi_pale_middle()'s). */
  gboolean pale_face_mould;
  /* With lab, nullable (neutral): the colour white light has in the crop (PtWhite's light). */
  const float *light;
  /* Nullable: the same fruit at @fine_scale times this input's resolution (a box-downsampled
   * input is analysed, pt_peel_coarse()).  Then this input only finds where defects may
   * be; each candidate region and its border are classified again and measured on @fine,
   * and the defects come back in @fine's coordinates and scale. */
  const struct _PtPeelInput *fine;
  int fine_scale;
  /* With @fine: each pixel's darkest fine pixel, as luma or with @lab as L* times 2.55, so a
   * spot too small to darken a coarse pixel's mean enough is still looked at. */
  const guint8 *dark;
} PtPeelInput;

typedef struct {
  PtDefect defects[PT_FRUIT_MAX_DEFECTS]; /* crop coordinates */
  guint n_defects;
  guint count;
  double total_mm2, largest_mm2, longest_mm, russet_mm2;
  guint n_stickers;
  double ripe_fraction, green_fraction;
  PtBuf b_work, b_labels, b_parent, b_integral, b_basis;
  PtBuf b_fine_work, b_fine_labels, b_fine_parent, b_fine_basis;
} PtPeelResult;

void pt_peel_analyse(const PtPeelInput *in, PtPeelResult *out);
/* Adds @d (crop coordinates) to @out's totals and its kept list.  @d: (transfer none). */
void pt_peel_result_add(PtPeelResult *out, const PtDefect *d);
void pt_peel_result_clear(PtPeelResult *out);
/* Box-downsamples @fine's planes and mask by @k into @y, @cb, @cr and @mask (each
 * (fine->w / k) * (fine->h / k); a coarse pixel is fruit when at least half its fine
 * pixels are) and the darkest fine pixel of each into @dark (PtPeelInput.dark), for the
 * analysis at reduced resolution (PtPeelInput.fine). */
void pt_peel_coarse(const PtPeelInput *fine, int k, guint8 *y, guint8 *cb, guint8 *cr, guint8 *mask,
                    guint8 *dark);

/* Hue in degrees (0..360) and saturation (0..1) of a YCbCr pixel. */
void pt_ycc_hue_sat(int y, int cb, int cr, double *hue, double *sat, int *value);
gboolean pt_hue_in_range(double hue, const double range[2]);

/* CIE L*a*b* (D65) of a YCbCr pixel (pt-roi.c). */
void pt_ycc_to_lab(int y, int cb, int cr, float lab[3]);
/* CIE L*a*b* (D65) of a colour in linear sRGB (0..1 a channel). */
void pt_linear_to_lab(float r, float g, float b, float lab[3]);

/* pt-roi.c: the one fruit inside a given box, found without a belt model. */
typedef struct {
  int x0, y0, x1, y1; /* the box in crop pixels, x1/y1 exclusive */
} PtRoiBox;

typedef struct {
  int w, h; /* the crop: the box and a ring around it */
  const guint8 *y, *cb, *cr;
  PtRoiBox box;
} PtRoiInput;

typedef enum {
  PT_ROI_FOUND,
  PT_ROI_TOO_DARK,  /* the box's middle is too dark to judge */
  PT_ROI_NOT_FRUIT, /* nothing of one colour fills the box's middle */
  PT_ROI_LONE,      /* one fruit alone, small in a loose box: grade it in a box round it */
} PtRoiVerdict;

typedef struct {
  PtBuf b_lab, b_dq, b_labels, b_parent;
} PtRoiScratch;

/* Writes the fruit at the box's middle into @mask (w*h, 1 = fruit, holes filled, only
 * inside the box's ellipse), where its outline is cut (by the box, or by the ellipse where
 * the fruit's colour goes on) into @foreign, and the median Lab of the box's middle into
 * @seed_lab.  PT_ROI_LONE: the fruit lies alone and small in the box (a photo of one fruit
 * graded whole); @lone_bounds then receives x0, y0, x1, y1 (crop pixels, inclusive) of
 * what differs from the box's background at its middle, the fruit with any mould or rot
 * the peel's colour leaves out, for the caller to grade it in a box drawn round that. */
PtRoiVerdict pt_roi_find_fruit(const PtRoiInput *in, guint8 *mask, guint8 *foreign,
                               PtRoiScratch *scratch, float seed_lab[3], int lone_bounds[4]);
void pt_roi_scratch_clear(PtRoiScratch *scratch);

/* The crop's L*a*b* that pt_roi_find_fruit() left in @scratch for the same @in, 3 floats
 * a pixel.  Returns: (transfer none): valid until @scratch is used again. */
const float *pt_roi_lab(PtRoiScratch *scratch, const PtRoiInput *in);
/* The part of the box's inner ellipse that @mask (the fruit found, hull filled) leaves out,
 * when it is a defect: a box holds one fruit, so its inner ellipse is that fruit's face,
 * and what of it is not peel-coloured and lies to one side is a patch the peel's colour
 * lost (white mould on a white table, rot).  Reads the Lab that pt_roi_find_fruit() left
 * in @scratch for the same @in; @seed_lab is its peel colour.  TRUE and @defect (crop
 * pixels; area and length in pixels, the caller scales them) when there is one. */
gboolean pt_roi_lost_peel(const PtRoiInput *in, const guint8 *mask, PtRoiScratch *scratch,
                          const float seed_lab[3], PtDefect *defect);
/* A face rotten over its middle: when the box's middle (@seed_lab) has less chroma than a
 * peel (PT_ROI_BODY_MIN_CHROMA), the middle is white or grey mould, not peel, and the
 * fruit's (@mask) pixels of so little chroma, not in shadow, are one mould patch.  For
 * profiles that look for mould; the caller asks.  TRUE and @defect (crop pixels, as
 * pt_roi_lost_peel()) when the middle is such a patch. */
gboolean pt_roi_pale_middle(const PtRoiInput *in, const guint8 *mask, PtRoiScratch *scratch,
                            const float seed_lab[3], PtDefect *defect);

G_END_DECLS
