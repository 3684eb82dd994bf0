/* pt-white.c: the colour of a photo's light, read from the neutral surfaces it shows (paper,
 * a white or grey light box, a tray), and taken out of the analysis crops, so that the peel
 * rules, which judge chroma and hue in CIE L*a*b* against a neutral at a* = b* = 0, see the
 * colours a camera balanced for that light would have recorded.  A phone balances its
 * photos itself, but not exactly: a warm lamp left uncorrected gives white mould the
 * peel's chroma (issue 15, eval-real --white-balance).  Photos without enough neutral
 * surface round their fruit (a pile filling the frame, a black light box, a close-up) are
 * left as taken; the fruit itself never counts, as its white mould is no light's colour.
 * Cost: one pass over a sampled grid of the frame (at most PT_WHITE_SAMPLES pixels) per
 * graded photo, and a table look-up per crop pixel. */
#include "pt-grade-tuning.h"
#include "pt-internal.h"

#include <math.h>
#include <stdlib.h>

/* sRGB <-> linear light: 256 decodes, and encodes at LINEAR_STEPS + 1 points. */
#define LINEAR_STEPS 4096
static float srgb_to_linear_table[256];
static guint8 linear_to_srgb_table[LINEAR_STEPS + 1];

static void
init_tables(void)
{
  static gsize done = 0;

  if (g_once_init_enter(&done)) {
    for (int i = 0; i < 256; i++) {
      double v = i / 255.0;

      srgb_to_linear_table[i] = (float)(v <= 0.04045 ? v / 12.92 : pow((v + 0.055) / 1.055, 2.4));
    }
    for (int i = 0; i <= LINEAR_STEPS; i++) {
      double v = (double)i / LINEAR_STEPS;
      double s = v <= 0.0031308 ? 12.92 * v : 1.055 * pow(v, 1 / 2.4) - 0.055;

      linear_to_srgb_table[i] = (guint8)CLAMP(lround(255 * s), 0, 255);
    }
    g_once_init_leave(&done, 1);
  }
}

static int
cmp_float(const void *a, const void *b)
{
  float x = *(const float *)a, y = *(const float *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* The neutral samples of a photo's background, in linear light. */
typedef struct {
  float *lin; /* 3 a sample */
  guint n, total, cap;
  double a, b;
} Neutral;

static void
neutral_add(Neutral *nt, int y, int cb, int cr)
{
  int r, g, bl;
  float lab[3];

  nt->total++;
  pt_ycc_to_rgb(y, cb, cr, &r, &g, &bl);
  /* White in every channel: its colour is lost (a channel clipped alone still leaves the
   * others' share, and white paper under a warm lamp clips red first). */
  if (MIN(r, MIN(g, bl)) >= PT_PEEL_LAB_CLIPPED || nt->n >= nt->cap)
    return;
  pt_ycc_to_lab(y, cb, cr, lab);
  if (lab[0] < PT_WHITE_MIN_L ||
      lab[1] * lab[1] + lab[2] * lab[2] > PT_WHITE_MAX_CHROMA * PT_WHITE_MAX_CHROMA)
    return;
  nt->lin[3 * nt->n] = srgb_to_linear_table[r];
  nt->lin[3 * nt->n + 1] = srgb_to_linear_table[g];
  nt->lin[3 * nt->n + 2] = srgb_to_linear_table[bl];
  nt->a += lab[1];
  nt->b += lab[2];
  nt->n++;
}

/* The gains that make @nt's median neutral, or FALSE (gains 1). */
static gboolean
neutral_finish(Neutral *nt, float gains[3])
{
  g_autofree float *chan = NULL;
  double med[3], a, b, y;
  guint n = nt->n;

  gains[0] = gains[1] = gains[2] = 1.0f;
  if (n == 0 || n < PT_WHITE_MIN_SHARE * nt->total)
    return FALSE;
  a = nt->a / n;
  b = nt->b / n;
  /* A light's colour lies along the daylight and lamp locus, warm (yellow, a little red) to
   * cool (blue): a surface cast mostly red or green is a coloured surface, not the light. */
  if (hypot(a, b) < PT_WHITE_MIN_CAST || fabs(a) > PT_WHITE_MAX_A_SHARE * fabs(b))
    return FALSE;
  chan = g_new(float, n);
  for (int c = 0; c < 3; c++) {
    for (guint i = 0; i < n; i++)
      chan[i] = nt->lin[3 * i + c];
    qsort(chan, n, sizeof *chan, cmp_float);
    med[c] = MAX(chan[n / 2], 1e-4f);
  }
  y = 0.2126 * med[0] + 0.7152 * med[1] + 0.0722 * med[2];
  for (int c = 0; c < 3; c++)
    gains[c] = (float)(y / med[c]);
  return TRUE;
}

/* Where a photo's fruit lie: its boxes (@rois), or the blobs a whole photo's search found. */
typedef struct {
  const PtRoi *rois;
  guint n_rois;
  const PtSegmentation *seg; /* nullable */
} FruitWhere;

/* Whether frame pixel centre (@px, @py) lies on a fruit: in a box's inner ellipse, or in the
 * territory of a blob (its pixels grown by one work pixel). */
static gboolean
on_fruit(const FruitWhere *where, double px, double py)
{
  const PtSegmentation *seg = where->seg;

  /* A box's inner ellipse is its fruit's face, whose white mould is no light's colour. */
  for (guint i = 0; i < where->n_rois; i++) {
    const PtRoi *r = &where->rois[i];
    double dx = ((px - r->x) / (r->width / 2.0) - 1) / PT_ROI_LOST_ELLIPSE,
           dy = ((py - r->y) / (r->height / 2.0) - 1) / PT_ROI_LOST_ELLIPSE;

    if (dx * dx + dy * dy <= 1.0)
      return TRUE;
  }
  if (seg) {
    int wx = (int)((px - seg->rx) / seg->f), wy = (int)((py - seg->ry) / seg->f);

    return wx >= 0 && wy >= 0 && wx < seg->w && wy < seg->h &&
           seg->territory[(gsize)wy * seg->w + wx] != 0;
  }
  return FALSE;
}

/* The light read from the samples of @frame off the fruit @where says. */
static gboolean
estimate(const PtFrame *frame, const FruitWhere *where, float gains[3])
{
  int step = MAX(1, (int)ceil(sqrt((double)frame->width * frame->height / PT_WHITE_SAMPLES)));
  int gw = (frame->width + step - 1) / step, gh = (frame->height + step - 1) / step;
  g_autofree float *lin = g_new(float, 3 * (gsize)gw * gh);
  Neutral nt = {lin, 0, 0, (guint)gw * gh, 0, 0};

  init_tables();
  for (int gy = 0; gy < gh; gy++)
    for (int gx = 0; gx < gw; gx++) {
      guint8 y, cb, cr;

      if (on_fruit(where, gx * step + 0.5, gy * step + 0.5))
        continue;
      pt_frame_sample(frame, gx * step, gy * step, 1, 1, 1, &y, &cb, &cr);
      neutral_add(&nt, y, cb, cr);
    }
  return neutral_finish(&nt, gains);
}

gboolean
pt_white_estimate(const PtFrame *frame, const PtRoi *rois, guint n_rois, float gains[3])
{
  FruitWhere where = {rois, n_rois, NULL};

  return estimate(frame, &where, gains);
}

gboolean
pt_white_estimate_around(const PtFrame *frame, const PtSegmentation *seg, float gains[3])
{
  FruitWhere where = {NULL, 0, seg};

  return estimate(frame, &where, gains);
}

const float *
pt_srgb_linear_table(void)
{
  init_tables();
  return srgb_to_linear_table;
}

void
pt_white_apply(const float gains[3], guint8 *y, guint8 *cb, guint8 *cr, gsize n)
{
  init_tables();
  for (gsize i = 0; i < n; i++) {
    int rgb[3];

    pt_ycc_to_rgb(y[i], cb[i], cr[i], &rgb[0], &rgb[1], &rgb[2]);
    for (int c = 0; c < 3; c++) {
      float l = srgb_to_linear_table[rgb[c]] * gains[c];

      rgb[c] = linear_to_srgb_table[(int)lrintf(CLAMP(l, 0.0f, 1.0f) * LINEAR_STEPS)];
    }
    pt_rgb_to_ycc(rgb[0], rgb[1], rgb[2], &y[i], &cb[i], &cr[i]);
  }
}
