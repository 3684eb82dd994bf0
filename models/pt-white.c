/* pt-white.c: the colour of a photo's light, read from the neutral surfaces it shows (paper,
 * a white or grey light box, a tray), and taken out of the analysis crops, so that the peel
 * rules, which judge chroma and hue in CIE L*a*b* against a neutral at a* = b* = 0, see the
 * colours a camera balanced for that light would have recorded.  A phone balances its
 * photos itself, but not exactly: a warm lamp left uncorrected gives white mould the
 * peel's chroma (issue 15, eval-real --white-balance).  A lamp so far from the camera's
 * balance that no lit surface reads neutral is read off the lit, unclipped surfaces whose
 * cast lies on the lights' locus (PT_WHITE_MAX_CAST_CHROMA).  White paper exposed long in
 * shade clips in green and blue, not in red: its blue is given back along that locus
 * (PT_WHITE_LOCUS_SLOPE), as taken it reads cyan.  A black light box shows no lit
 * neutral, but its floor is the light's colour dimmed, with its dye's own lean: a cast
 * well beyond such a lean is the light's, and that much of it is taken out.  Photos without
 * either round their fruit (a pile filling the frame, a close-up) are left as taken; the
 * fruit itself never counts, as its white mould is no light's colour.  A pixel clipped in
 * every channel stays so, and under a light read off a black floor any clipped channel does
 * (pt_white_apply ()).
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

/* The neutral samples of a photo's background, in linear light, and its dark ones summed. */
typedef struct {
  float *lin; /* 3 a sample */
  guint n, total, cap;
  double a, b;
  double dark[3];
  guint n_dark;
  /* Lit samples too chromatic for a neutral under a light near the camera's balance, as a
   * sheet under a lamp far warmer or cooler than it is: 3 a sample, from the end of lin. */
  guint n_cast;
  double cast_a, cast_b;
} Neutral;

/* A neutral sample @lin clipped in blue and not in red (@r, @b its sRGB levels) holds a lower
 * bound of its blue: it is raised to the lights' locus's value for its red over green when
 * that is higher (PT_WHITE_LOCUS_SLOPE).  Returns whether it was. */
static gboolean
locus_unclip(float lin[3], int r, int b)
{
  float blue;

  if (b < PT_PEEL_LAB_CLIPPED || r >= PT_PEEL_LAB_CLIPPED || lin[0] <= 0 || lin[1] <= 0)
    return FALSE;
  blue = lin[1] * powf(lin[0] / lin[1], (float)PT_WHITE_LOCUS_SLOPE);
  if (blue <= lin[2])
    return FALSE;
  lin[2] = blue;
  return TRUE;
}

static void
set_linear(float lin[3], int r, int g, int b)
{
  lin[0] = srgb_to_linear_table[r];
  lin[1] = srgb_to_linear_table[g];
  lin[2] = srgb_to_linear_table[b];
}

static void
neutral_add(Neutral *nt, int y, int cb, int cr)
{
  int r, g, bl;
  float lab[3], *s;
  double chroma2;

  nt->total++;
  pt_ycc_to_rgb(y, cb, cr, &r, &g, &bl);
  /* White in every channel: its colour is lost (a channel clipped alone still leaves the
   * others' share, and white paper under a warm lamp clips red first). */
  if (pt_clipped_channels(r, g, bl) == 3)
    return;
  pt_ycc_to_lab(y, cb, cr, lab);
  if (lab[0] <= PT_WHITE_DARK_MAX_L) {
    nt->dark[0] += srgb_to_linear_table[r];
    nt->dark[1] += srgb_to_linear_table[g];
    nt->dark[2] += srgb_to_linear_table[bl];
    nt->n_dark++;
    return;
  }
  chroma2 = lab[1] * lab[1] + lab[2] * lab[2];
  if (lab[0] < PT_WHITE_MIN_L || nt->n + nt->n_cast >= nt->cap)
    return;
  if (chroma2 <= PT_WHITE_MAX_CHROMA * PT_WHITE_MAX_CHROMA) {
    s = nt->lin + 3 * (gsize)nt->n++;
    set_linear(s, r, g, bl);
    /* White paper in shade, exposed long, clips in green and blue: as taken it reads cyan, no
     * light's cast; its cast is read once the locus has given its blue back. */
    if (locus_unclip(s, r, bl))
      pt_linear_to_lab(s[0], s[1], s[2], lab);
    nt->a += lab[1];
    nt->b += lab[2];
    return;
  }
  /* A channel clipped makes the sample's colour the sensor's, not the light's: white paper
   * in a photo exposed long, its red and green clipped, reads yellow. */
  if (chroma2 > PT_WHITE_MAX_CAST_CHROMA * PT_WHITE_MAX_CAST_CHROMA ||
      pt_clipped_channels(r, g, bl) > 0)
    return;
  s = nt->lin + 3 * (gsize)(nt->cap - 1 - nt->n_cast++);
  nt->cast_a += lab[1];
  nt->cast_b += lab[2];
  set_linear(s, r, g, bl);
}

/* Whether a cast of @a, @b (C*a*b* at mid grey) is a light's to take out: a light's colour
 * lies along the daylight and lamp locus, warm (yellow, a little red) to cool (blue); a
 * surface cast mostly red or green is a coloured surface, not the light. */
static gboolean
light_cast(double a, double b)
{
  return hypot(a, b) >= PT_WHITE_MIN_CAST && fabs(a) <= PT_WHITE_MAX_A_SHARE * fabs(b);
}

/* The gains that make @med neutral at its luminance. */
static void
gains_for(const double med[3], float gains[3])
{
  double y = 0.2126 * med[0] + 0.7152 * med[1] + 0.0722 * med[2];

  for (int c = 0; c < 3; c++)
    gains[c] = (float)(y / med[c]);
}

/* A light box's black floor (most of the photo round the fruit): its mean colour is the
 * light's, dimmed, and its dye's own lean, read at mid grey for the cast.  A lean of up to
 * PT_WHITE_DARK_TINT is the floor's as likely as the light's, so only the cast beyond it
 * is taken out: the gains for the whole cast, raised to the share of it past the lean; the
 * floor's colour under them is the light's as the peel rules see it. */
static gboolean
dark_floor_finish(const Neutral *nt, PtWhite *white)
{
  double mean[3], y, cast, share;
  float lab[3];

  if (nt->n_dark == 0 || nt->n_dark < PT_WHITE_DARK_MIN_SHARE * nt->total)
    return FALSE;
  for (int c = 0; c < 3; c++)
    mean[c] = nt->dark[c] / nt->n_dark;
  y = 0.2126 * mean[0] + 0.7152 * mean[1] + 0.0722 * mean[2];
  if (MAX(mean[0], MAX(mean[1], mean[2])) < PT_WHITE_DARK_MIN_LINEAR ||
      MIN(mean[0], MIN(mean[1], mean[2])) <= 0)
    return FALSE;
  pt_linear_to_lab((float)(0.18 * mean[0] / y), (float)(0.18 * mean[1] / y),
                   (float)(0.18 * mean[2] / y), lab);
  cast = hypot(lab[1], lab[2]);
  if (cast <= PT_WHITE_DARK_TINT || cast > PT_WHITE_DARK_MAX_CAST || !light_cast(lab[1], lab[2]))
    return FALSE;
  share = (cast - PT_WHITE_DARK_TINT) / cast;
  gains_for(mean, white->gains);
  y = 0;
  for (int c = 0; c < 3; c++) {
    white->gains[c] = powf(white->gains[c], (float)share);
    y += mean[c] * white->gains[c] / 3;
  }
  for (int c = 0; c < 3; c++)
    white->light[c] = (float)(mean[c] * white->gains[c] / y);
  white->keep_clipped = TRUE;
  return TRUE;
}

/* The gains that make @nt's median neutral, or its dark floor's (dark_floor_finish ()), or
 * FALSE (gains 1). */
static gboolean
neutral_finish(Neutral *nt, PtWhite *white)
{
  g_autofree float *chan = NULL;
  double med[3];
  guint n = nt->n;
  const float *lin = nt->lin;

  white->gains[0] = white->gains[1] = white->gains[2] = 1.0f;
  white->light[0] = white->light[1] = white->light[2] = 1.0f;
  white->keep_clipped = FALSE;
  if (n == 0 || n < PT_WHITE_MIN_SHARE * nt->total) {
    if (dark_floor_finish(nt, white))
      return TRUE;
    /* No neutral and no black floor: a lamp far from the camera's balance, if the lit
     * surfaces too chromatic for a neutral are enough and their mean lies on its locus. */
    n = nt->n_cast;
    if (n == 0 || n < PT_WHITE_MIN_SHARE * nt->total || !light_cast(nt->cast_a / n, nt->cast_b / n))
      return FALSE;
    lin = nt->lin + 3 * (gsize)(nt->cap - n);
  } else if (!light_cast(nt->a / n, nt->b / n))
    return FALSE;
  chan = g_new(float, n);
  for (int c = 0; c < 3; c++) {
    for (guint i = 0; i < n; i++)
      chan[i] = lin[3 * i + c];
    qsort(chan, n, sizeof *chan, cmp_float);
    med[c] = MAX(chan[n / 2], 1e-4f);
  }
  gains_for(med, white->gains);
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
estimate(const PtFrame *frame, const FruitWhere *where, PtWhite *white)
{
  int step = MAX(1, (int)ceil(sqrt((double)frame->width * frame->height / PT_WHITE_SAMPLES)));
  int gw = (frame->width + step - 1) / step, gh = (frame->height + step - 1) / step;
  g_autofree float *lin = g_new(float, 3 * (gsize)gw * gh);
  Neutral nt = {lin, 0, 0, (guint)gw * gh, 0, 0, {0, 0, 0}, 0, 0, 0, 0};

  init_tables();
  for (int gy = 0; gy < gh; gy++)
    for (int gx = 0; gx < gw; gx++) {
      guint8 y, cb, cr;

      if (on_fruit(where, gx * step + 0.5, gy * step + 0.5))
        continue;
      pt_frame_sample(frame, gx * step, gy * step, 1, 1, 1, &y, &cb, &cr);
      neutral_add(&nt, y, cb, cr);
    }
  return neutral_finish(&nt, white);
}

gboolean
pt_white_estimate(const PtFrame *frame, const PtRoi *rois, guint n_rois, PtWhite *white)
{
  FruitWhere where = {rois, n_rois, NULL};

  return estimate(frame, &where, white);
}

gboolean
pt_white_estimate_around(const PtFrame *frame, const PtSegmentation *seg, PtWhite *white)
{
  FruitWhere where = {NULL, 0, seg};

  return estimate(frame, &where, white);
}

const float *
pt_srgb_linear_table(void)
{
  init_tables();
  return srgb_to_linear_table;
}

void
pt_white_apply(const PtWhite *white, guint8 *y, guint8 *cb, guint8 *cr, gsize n)
{
  init_tables();
  for (gsize i = 0; i < n; i++) {
    int rgb[3];
    gboolean keep_clipped;

    pt_ycc_to_rgb(y[i], cb[i], cr[i], &rgb[0], &rgb[1], &rgb[2]);
    /* A pixel clipped in every channel is white past the sensor's range, whatever the light:
     * it stays so, as the peel rules read it.  Under a light read off a black floor a
     * channel clipped alone stays clipped too: scaled below the clip, a lamp's highlight on
     * the peel (its red clipped under a warm lamp, its green and blue the peel's plus the
     * lamp's) read as a pale patch, mould, on sound fruit (lightbox-panel-warm).  A lit
     * white surface's light scales it: white mould, its red clipped under a warm lamp, is
     * then found on a white light box, where keeping it cost 0.990 to 0.927. */
    keep_clipped = white->keep_clipped || pt_clipped_channels(rgb[0], rgb[1], rgb[2]) == 3;
    for (int c = 0; c < 3; c++) {
      float l = srgb_to_linear_table[rgb[c]] * white->gains[c];

      if (keep_clipped && rgb[c] >= PT_PEEL_LAB_CLIPPED)
        continue;
      rgb[c] = linear_to_srgb_table[(int)lrintf(CLAMP(l, 0.0f, 1.0f) * LINEAR_STEPS)];
    }
    pt_rgb_to_ycc(rgb[0], rgb[1], rgb[2], &y[i], &cb[i], &cr[i]);
  }
}
