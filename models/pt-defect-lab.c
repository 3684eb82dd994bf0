/* pt-defect-lab.c: the peel rules for photos (PtPeelInput.lab): every pixel measured in
 * CIE L*a*b* against the fruit's own median peel and its local and shading references, so
 * mould, rot and dark spots are found whatever the light and the background, while gloss,
 * the darker limb, the underside's shadow and leaves are not counted.  Thresholds live in
 * pt-grade-tuning.h. Cost: one Lab conversion per crop pixel and a few passes, within
 * pt_peel_analyse(). */
#include "pt-grade-tuning.h"
#include "pt-internal.h"
#include "pt-peel.h"

#include <math.h>
#include <string.h>

/* The chroma (C*) of the most chromatic tenth of the @n pixels of histogram @hc. */
static int
chroma_top_tenth(const guint32 *hc, guint32 n)
{
  guint32 acc = 0;

  for (int c = 255; c >= 0; c--) {
    acc += hc[c];
    if (10 * acc >= n)
      return c;
  }
  return 0;
}

/* The peel's colour as the median of @pk's inner pixels of chroma @cut or more (those clipped
 * in a channel or two among them), when they are at least PT_PEEL_LAB_PALE_FACE_PEEL_SHARE of
 * the @n pixels the face is judged on; else the peel is left as it is. */
static void
peel_from_chromatic(PtPeel *pk, double cut, guint32 n)
{
  const PtPeelInput *in = pk->in;
  guint32 cl[256] = {0}, ca[256] = {0}, cb[256] = {0}, chromatic = 0;

  for (gsize i = 0; i < pk->n; i++) {
    const float *p = pk->lab + 3 * i;
    int r, g, b;

    if (!pk->inner[i] || p[1] * p[1] + p[2] * p[2] < cut * cut)
      continue;
    pt_ycc_to_rgb(in->y[i], in->cb[i], in->cr[i], &r, &g, &b);
    if (pt_clipped_channels(r, g, b) == 3)
      continue;
    cl[pk->ly[i]]++;
    ca[CLAMP((int)lrintf(p[1]) + 128, 0, 255)]++;
    cb[CLAMP((int)lrintf(p[2]) + 128, 0, 255)]++;
    chromatic++;
  }
  if (chromatic == 0 || chromatic < PT_PEEL_LAB_PALE_FACE_PEEL_SHARE * n)
    return;
  pk->peel_l = pt_hist_median(cl, 256, chromatic) / 2.55;
  pk->peel_a = pt_hist_median(ca, 256, chromatic) - 128;
  pk->peel_b = pt_hist_median(cb, 256, chromatic) - 128;
  pk->peel_c = sqrt(pk->peel_a * pk->peel_a + pk->peel_b * pk->peel_b);
}

/* With in->lab: L*a*b* of every inner pixel, the brightness plane as L* (0..255), and the
 * peel's median colour over the inner pixels that are not specular highlights.  The median
 * holds while up to half the face is defect, which is rot's extent on a rotten fruit.  Mould
 * spreads further, and a warm light gives white mould part of the peel's chroma: when the
 * profile looks for mould and the median is washed out against the face's most chromatic
 * pixels, the peel is the median of the chromatic pixels, if they are a real part of the
 * face, so that the pale rest reads as mould against it. */
void
pt_peel_find_lab(PtPeel *pk)
{
  const PtPeelInput *in = pk->in;
  guint8 *lq = pk->inner + 3 * pk->n;
  guint32 hl[256] = {0}, ha[256] = {0}, hb[256] = {0}, hc[256] = {0}, total = 0;
  guint32 cl[256] = {0}, ca[256] = {0}, cb[256] = {0}, cc[256] = {0}, partial = 0, judged;
  guint32 chromatic = 0, chromatic_clipped = 0;
  double hue;
  int top;

  for (gsize i = 0; i < pk->n; i++) {
    float *p = pk->lab + 3 * i;
    int r, g, b, clipped;

    if (in->lab_pixels)
      memcpy(p, in->lab_pixels + 3 * i, 3 * sizeof(float));
    else
      pt_ycc_to_lab(in->y[i], in->cb[i], in->cr[i], p);
    lq[i] = (guint8)CLAMP(lrintf(p[0] * 2.55f), 0, 255);
    if (!pk->inner[i])
      continue;
    pt_ycc_to_rgb(in->y[i], in->cb[i], in->cr[i], &r, &g, &b);
    /* A peel clipped in a channel or two (an orange's red in a bright photo) has lost the
     * colour the median needs, but not its place among the face's chromatic pixels. */
    clipped = pt_clipped_channels(r, g, b);
    if (clipped > 0) {
      if (clipped < 3) {
        cc[CLAMP((int)lrintf(pt_lab_chroma(p)), 0, 255)]++;
        cl[lq[i]]++;
        ca[CLAMP((int)lrintf(p[1]) + 128, 0, 255)]++;
        cb[CLAMP((int)lrintf(p[2]) + 128, 0, 255)]++;
        partial++;
      }
      continue;
    }
    hl[lq[i]]++;
    ha[CLAMP((int)lrintf(p[1]) + 128, 0, 255)]++;
    hb[CLAMP((int)lrintf(p[2]) + 128, 0, 255)]++;
    hc[CLAMP((int)lrintf(pt_lab_chroma(p)), 0, 255)]++;
    total++;
  }
  pk->ly = lq;
  judged = total;
  if (total == 0)
    total = 1;
  /* The face's most chromatic tenth, clipped pixels among them (below).  When most of the
   * face's chromatic pixels (PT_PEEL_LAB_PALE_FACE_SPLIT of that tenth's chroma) are clipped
   * in a channel or two, a warm light over-exposing the peel's red rather than a white
   * mould's clipped the same way, the peel is what the face's pixels read as they are,
   * clipped ones too, as they are then judged (pt_peel_class_lab ()): on a light box's black
   * under a warm lamp, with no white to read the light from, every pixel of an orange's face
   * may clip in red (fruit-freshness on black under 4500 K: 12 rotten oranges whose white
   * mould daylight shows graded Extra, the mould judged on nothing). */
  for (int k = 0; k < 256; k++)
    hc[k] += cc[k];
  top = chroma_top_tenth(hc, total + partial);
  for (int k = (int)ceil(PT_PEEL_LAB_PALE_FACE_SPLIT * top); k < 256; k++) {
    chromatic += hc[k] - cc[k];
    chromatic_clipped += cc[k];
  }
  pk->clipped_face = chromatic_clipped > chromatic;
  if (pk->clipped_face) {
    for (int k = 0; k < 256; k++) {
      hl[k] += cl[k];
      ha[k] += ca[k];
      hb[k] += cb[k];
    }
    judged += partial;
  }
  judged = MAX(judged, 1);
  pk->peel_l = pt_hist_median(hl, 256, judged) / 2.55;
  pk->peel_a = pt_hist_median(ha, 256, judged) - 128;
  pk->peel_b = pt_hist_median(hb, 256, judged) - 128;
  pk->peel_c = sqrt(pk->peel_a * pk->peel_a + pk->peel_b * pk->peel_b);
  /* A face partly washed out (mould over much of it, or a colour cast that gives the mould
   * some of the peel's chroma) drags the median towards the mould.  When the profile looks
   * for mould and the median's chroma is under PT_PEEL_LAB_PALE_FACE_RATIO of the face's most
   * chromatic tenth, or under PT_PEEL_LAB_MIN_PEEL_CHROMA, the peel is the median of the
   * chromatic pixels (at least PT_PEEL_LAB_PALE_FACE_SPLIT of that tenth's chroma, and
   * PT_PEEL_LAB_MIN_PEEL_CHROMA), if they are a real part of the face.  Pixels clipped in
   * some channels but not all count among them: in a bright light box photo, or under a warm
   * lamp, most of the sound peel clips in red. */
  if (pk->p->mould &&
      (pk->peel_c < PT_PEEL_LAB_MIN_PEEL_CHROMA || pk->peel_c < PT_PEEL_LAB_PALE_FACE_RATIO * top))
    peel_from_chromatic(pk, MAX(PT_PEEL_LAB_MIN_PEEL_CHROMA, PT_PEEL_LAB_PALE_FACE_SPLIT * top),
                        total + partial);
  hue = atan2(pk->peel_b, pk->peel_a) * 180 / G_PI;
  pk->peel_h = hue < 0 ? hue + 360 : hue;
  pk->peel_y = pk->peel_l * 2.55;
  /* Still washed out: grey or grey-green mould over the face, what is left of the peel's
   * colour under a tenth of it (mostly in the rim band, left out).  Nothing on the face is
   * the peel to judge it against; on a fruit whose profile looks for mould the washed-out
   * face is itself the mould. */
  pk->pale_face = in->pale_face_mould && pk->p->mould && pk->peel_c < PT_PEEL_LAB_MIN_PEEL_CHROMA;
}

/* Lab hue angle of @lab in degrees, 0..360. */
static inline double
lab_hue(const float lab[3])
{
  double hue = atan2(lab[2], lab[1]) * 180 / G_PI;

  return hue < 0 ? hue + 360 : hue;
}

/* Whether the hue of @lab (of @chroma, over 0) lies more than the angle whose cosine is
 * @cos_angle from the peel's (of a chroma over 0): the angle between their (a*, b*) vectors,
 * which is pt_peel_hue_diff () of their hues, without an arctangent a pixel. */
static inline gboolean
hue_apart(const PtPeel *pk, const float lab[3], double chroma, double cos_angle)
{
  return lab[1] * pk->peel_a + lab[2] * pk->peel_b < cos_angle * chroma * pk->peel_c;
}

/* The C_* flags of inner pixel @i measured in L*a*b* against the fruit's own peel: its
 * lightness against the local and shading references (so the darker limb and the light
 * from one side do not count), its chroma and hue against the peel's median.
 *   - specular highlights (clipped, or well above both references, and washed out) are
 *     gloss, sound while small (pt_peel_settle_gloss ());
 *   - dark: below the profile's dark_ratio of the reference (dark spots, deep rot);
 *   - rot: darker and duller than the peel (brown);
 *   - mould: washed out at about the peel's lightness (white, grey), or a hue far from the
 *     peel's (blue-green spores).
 * Sets mean[i] to the darker reference for the regions. */
guint8
pt_peel_class_lab(PtPeel *pk, const PtShading *shading, gsize i)
{
  const PtPeelInput *in = pk->in;
  const PtGradeProfile *p = pk->p;
  const float *lab = pk->lab + 3 * i;
  int r, g, b;
  double m = pk->mean[i], shade, hi_ref, lq = pk->ly[i], ratio, chroma;
  guint8 c = C_NONE;
  int clipped;

  if (m <= 0)
    m = pk->peel_y;
  shade = pt_peel_shading_px(pk, shading, i);
  hi_ref = MAX(m, shade);
  m = MIN(m, shade);
  pk->mean[i] = (float)m;
  ratio = lq / MAX(m, 1.0);
  chroma = sqrt(lab[1] * lab[1] + lab[2] * lab[2]);
  pt_ycc_to_rgb(in->y[i], in->cb[i], in->cr[i], &r, &g, &b);
  /* A clipped pixel's colour is lost.  Clipped in every channel it is white: the lamp's
   * highlight, or a white surface the exposure drove past the sensor's range (white mould
   * in a brightly exposed photo), so gloss, which pt_peel_settle_gloss () tells from mould
   * by its extent as it does the unclipped highlight.  A peel's colour clips one channel
   * first (an orange's red at 1.2 times the exposure its green would need 3 times), and is
   * judged on nothing, unless most of the face's chromatic pixels are clipped so (a warm lamp
   * over-exposing the whole face's red, clipped_face): the peel was then read from them as
   * they are, and a pixel clipped in one channel alone is judged as read on one thing, whether
   * it is washed out against that peel, as white mould's cream is against the orange (its two
   * other channels tell that).  Clipped in two (a lamp mirrored) it stays judged on nothing. */
  clipped = pt_clipped_channels(r, g, b);
  if (clipped == 3)
    return C_GLOSS;
  if (clipped > 1 || (clipped == 1 && !pk->clipped_face))
    return C_NONE;
  /* A face of mould (pt_peel_find_lab ()): its washed-out pixels out of shadow are the
   * mould, as pt_roi_pale_middle () reads a ROI's. */
  if (pk->pale_face && chroma < PT_PEEL_LAB_MIN_PEEL_CHROMA &&
      lq >= PT_ROI_LOST_SHADOW * pk->peel_y)
    return C_PALE;
  if (lq - hi_ref >= 2.55 * PT_PEEL_LAB_SPECULAR_DL && chroma < pk->peel_c)
    return C_GLOSS;
  /* Its lightness, hue and darkness as read are not the pixel's (a washed-out patch of them
   * needs a highlight's extent to be mould, pt_peel_mostly_clipped ()). */
  if (clipped)
    return p->mould && ratio >= PT_PEEL_LAB_MOULD_MIN_RATIO &&
                   chroma < PT_PEEL_LAB_MOULD_CHROMA * pk->peel_c
               ? C_PALE
               : C_NONE;
  /* A leaf lying on the fruit: dark, saturated green well away from the peel's hue, or a
   * lit leaf of chlorophyll's own strong green (clementines are sold with leaves).  It is
   * left out like a sticker; a green patch of the peel itself is lighter than a shaded
   * leaf and duller or yellower than a lit one, and counts in the colour coverage.  The hue
   * (an arctangent) only for the pixels it can decide: green has a* < 0 < b*. */
  if (lab[1] < 0 && lab[2] > 0 && chroma >= PT_PEEL_LAB_LEAF_CHROMA &&
      pt_peel_hue_diff(lab_hue(lab), pk->peel_h) >= PT_PEEL_LAB_LEAF_HUE_WIDTH) {
    double leaf_gap = pt_peel_hue_diff(lab_hue(lab), PT_PEEL_LAB_LEAF_HUE);

    if ((ratio < p->dark_ratio && leaf_gap <= PT_PEEL_LAB_LEAF_HUE_WIDTH) ||
        (chroma >= PT_PEEL_LAB_LIT_LEAF_CHROMA && leaf_gap <= PT_PEEL_LAB_LIT_LEAF_HUE_WIDTH))
      return C_STICKER;
  }
  if (ratio < p->dark_ratio && m - lq >= 2.55 * PT_PEEL_LAB_MIN_DL)
    c |= C_DARK;
  if (m - lq >= 2.55 * PT_PEEL_LAB_ROT_DL && chroma < PT_PEEL_LAB_ROT_CHROMA * pk->peel_c)
    c |= C_DARK;
  if (p->mould && pk->peel_c >= PT_PEEL_LAB_MIN_PEEL_CHROMA &&
      ratio >= PT_PEEL_LAB_MOULD_MIN_RATIO &&
      (chroma < PT_PEEL_LAB_MOULD_CHROMA * pk->peel_c ||
       (chroma >= PT_PEEL_LAB_MOULD_HUE_CHROMA &&
        hue_apart(pk, lab, chroma, cos(PT_PEEL_LAB_MOULD_HUE * G_PI / 180)))))
    c |= C_PALE;
  /* A scar's buff, as light as the peel or lighter, has lost much of the colour of the peel
   * round it; the local chroma, not the face's, is the reference, as the sound peel's own
   * colour varies over the face (a yellower cheek, a paler stem end, a sheen).  Only where
   * the peel faces the camera (z, the unit sphere's height over the ellipse): towards the
   * limb the peel mirrors more of the light as it turns away, and sound peel reads faded. */
  if (c == C_NONE && pk->faded && pk->peel_c >= PT_PEEL_LAB_MIN_PEEL_CHROMA &&
      pt_peel_reads_faded(pk, i, ratio, chroma, PT_PEEL_LAB_FADED_CHROMA))
    c = C_FADED;
  return c;
}

gboolean
pt_peel_mostly_clipped(const PtPeel *pk, int x0, int y0, int x1, int y1, gint32 label)
{
  const PtPeelInput *in = pk->in;
  guint32 n = 0, clipped = 0;

  if (!pk->clipped_face)
    return FALSE;
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++) {
      gsize k = (gsize)y * pk->w + x;
      int r, g, b;

      if (pk->labels[k] != label)
        continue;
      pt_ycc_to_rgb(in->y[k], in->cb[k], in->cr[k], &r, &g, &b);
      n++;
      clipped += pt_clipped_channels(r, g, b) > 0;
    }
  return 2 * clipped > n;
}

gboolean
pt_peel_reads_faded(const PtPeel *pk, gsize i, double ratio, double chroma, double bound)
{
  return ratio >= PT_PEEL_LAB_MOULD_MIN_RATIO && pk->cmean[i] > 0 &&
         pk->uvz[3 * i + 2] >= PT_PEEL_LAB_FADED_MIN_Z && chroma < bound * pk->cmean[i];
}

/* What the sound peel says of its light, in linear light, over the inner pixels of no class:
 * lit, its strongest channel's PT_PEEL_LAB_LIT_QUANTILE (a peel clipped in that channel reads
 * 1: a white surface lit as it clips too), white ones left out, 0 when there are none; rgb,
 * the median of each channel over the pixels clipped in none. */
typedef struct {
  double lit, rgb[3];
} PeelLight;

static void
read_peel_light(const PtPeel *pk, PeelLight *pl)
{
  const PtPeelInput *in = pk->in;
  const float *linear = pt_srgb_linear_table();
  guint32 hist[256] = {0}, chan[3][256] = {{0}}, n = 0, unclipped = 0, acc = 0;
  int level = 0;

  for (gsize i = 0; i < pk->n; i++) {
    int rgb[3], clipped;

    if (!pk->inner[i] || pk->cls[i] != C_NONE)
      continue;
    pt_ycc_to_rgb(in->y[i], in->cb[i], in->cr[i], &rgb[0], &rgb[1], &rgb[2]);
    clipped = pt_clipped_channels(rgb[0], rgb[1], rgb[2]);
    if (clipped == 3)
      continue;
    hist[MAX(rgb[0], MAX(rgb[1], rgb[2]))]++;
    n++;
    if (clipped > 0)
      continue;
    for (int c = 0; c < 3; c++)
      chan[c][rgb[c]]++;
    unclipped++;
  }
  pl->lit = 0;
  for (int c = 0; c < 3; c++)
    pl->rgb[c] = unclipped ? linear[pt_hist_median(chan[c], 256, unclipped)] : 0;
  if (n == 0)
    return;
  while (level < 255 && (acc += hist[level]) < PT_PEEL_LAB_LIT_QUANTILE * n)
    level++;
  pl->lit = linear[level];
}

/* How much of the colour of @peel (linear RGB) @patch keeps, fitted by least squares as
 * @patch = s @peel + g @light: s, and g in @added (nullable); -1 when @peel has @light's
 * colour. */
static double
kept_colour(const double patch[3], const double peel[3], const double light[3], double *added)
{
  double qq = 0, ql = 0, ll = 0, pq = 0, pl = 0, det;

  for (int c = 0; c < 3; c++) {
    qq += peel[c] * peel[c];
    ql += peel[c] * light[c];
    ll += light[c] * light[c];
    pq += patch[c] * peel[c];
    pl += patch[c] * light[c];
  }
  det = qq * ll - ql * ql;
  if (det < 1e-6 * qq * ll)
    return -1;
  if (added)
    *added = (qq * pl - ql * pq) / det;
  return (pq * ll - pl * ql) / det;
}

/* Whether gloss patch @l of @pk->labels (@n pixels, marked in @pk->tmp) adds light to the
 * peel rather than covering it: a lamp mirrored (PT_PEEL_LAB_LAMP_KEEP), its light white or
 * of the colour read round the fruit (@pk->in->light).  Judged on its pixels clipped in no
 * channel, at least half of it, against the peel of no class within PT_PEEL_LAB_LAMP_RING
 * pixels of it and the face's peel (@pl). */
static gboolean
patch_adds_light(const PtPeel *pk, int l, guint32 n, const PeelLight *pl)
{
  const guint8 *tmp = pk->tmp;
  const float *linear = pt_srgb_linear_table();
  const int reach = PT_PEEL_LAB_LAMP_RING;
  int x0 = pk->w, y0 = pk->h, x1 = -1, y1 = -1;
  double patch[3] = {0}, ring[3] = {0}, lights[2][3] = {{1, 1, 1}, {1, 1, 1}};
  guint32 npatch = 0, nring = 0;
  int n_lights = 1;

#define IN_PATCH(i) (tmp[i] && pk->labels[i] == l)
  for (int y = 0; y < pk->h; y++)
    for (int x = 0; x < pk->w; x++)
      if (IN_PATCH((gsize)y * pk->w + x)) {
        x0 = MIN(x0, x), x1 = MAX(x1, x);
        y0 = MIN(y0, y), y1 = MAX(y1, y);
      }
  for (int y = MAX(0, y0 - reach); y <= MIN(pk->h - 1, y1 + reach); y++)
    for (int x = MAX(0, x0 - reach); x <= MIN(pk->w - 1, x1 + reach); x++) {
      gsize i = (gsize)y * pk->w + x;
      gboolean near = FALSE;
      int rgb[3];

      if (!pk->inner[i] || (!IN_PATCH(i) && pk->cls[i] != C_NONE))
        continue;
      pt_ycc_to_rgb(pk->in->y[i], pk->in->cb[i], pk->in->cr[i], &rgb[0], &rgb[1], &rgb[2]);
      if (pt_clipped_channels(rgb[0], rgb[1], rgb[2]) > 0)
        continue;
      if (IN_PATCH(i)) {
        for (int c = 0; c < 3; c++)
          patch[c] += linear[rgb[c]];
        npatch++;
        continue;
      }
      for (int v = MAX(0, y - reach); v <= MIN(pk->h - 1, y + reach) && !near; v++)
        for (int u = MAX(0, x - reach); u <= MIN(pk->w - 1, x + reach) && !near; u++)
          near = IN_PATCH((gsize)v * pk->w + u);
      if (!near)
        continue;
      for (int c = 0; c < 3; c++)
        ring[c] += linear[rgb[c]];
      nring++;
    }
#undef IN_PATCH
  if (2 * npatch < n || npatch < PT_PEEL_LAB_MIN_PX || nring < PT_PEEL_LAB_MIN_PX)
    return FALSE;
  for (int c = 0; c < 3; c++) {
    patch[c] /= npatch;
    ring[c] /= nring;
  }
  /* Under white light, and under the light read round the fruit if it is not white: a black
   * floor's lean is its dye's as likely as the light's (pt-white.c). */
  for (int c = 0; c < 3 && pk->in->light; c++) {
    lights[1][c] = pk->in->light[c];
    n_lights = fabs(lights[1][c] - 1.0) > 1e-3 ? 2 : n_lights;
  }
  for (int k = 0; k < n_lights; k++) {
    double lift = 0;

    if (kept_colour(patch, ring, lights[k], &lift) >= PT_PEEL_LAB_LAMP_KEEP &&
        lift >= PT_PEEL_LAB_LAMP_MIN_LIFT &&
        kept_colour(patch, pl->rgb, lights[k], NULL) >= PT_PEEL_LAB_LAMP_KEEP)
      return TRUE;
  }
  return FALSE;
}

/* The pale rim of a lamp mirrored in the peel is the reflection's: the patches of pale
 * pixels (C_PALE) touching gloss patch l of @pk->labels whose @state is 2 + its size (a
 * lamp, pt_peel_settle_gloss ()) and smaller than it lose their pale class. */
static void
clear_lamp_halo(PtPeel *pk, const guint32 *state, int nreg)
{
  int w = pk->w, h = pk->h, npale;
  g_autofree guint8 *pale = g_new(guint8, pk->n);
  g_autofree gint32 *labels = g_new(gint32, pk->n);
  g_autofree gint32 *parent = g_new(gint32, pk->n + 4);
  g_autofree guint32 *size = NULL, *touch = NULL;

  for (gsize i = 0; i < pk->n; i++)
    pale[i] = (pk->cls[i] & C_PALE) != 0;
  npale = pt_label_components(pale, w, h, 1, labels, parent);
  if (npale == 0)
    return;
  size = g_new0(guint32, (gsize)npale + 1);
  touch = g_new0(guint32, (gsize)npale + 1);
  for (gsize i = 0; i < pk->n; i++)
    size[labels[i]] += pale[i];
  /* The largest lamp each pale patch touches. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      gsize i = (gsize)y * w + x;
      gint32 l = pk->labels[i];
      gsize nb[4] = {i - 1, i + 1, i - (gsize)w, i + (gsize)w};
      gboolean ok[4] = {x > 0, x + 1 < w, y > 0, y + 1 < h};

      if (!pk->tmp[i] || l < 1 || l > nreg || state[l] < 2)
        continue;
      for (int k = 0; k < 4; k++)
        if (ok[k] && pale[nb[k]])
          touch[labels[nb[k]]] = MAX(touch[labels[nb[k]]], state[l] - 2);
    }
  for (gsize i = 0; i < pk->n; i++)
    if (pale[i] && size[labels[i]] < touch[labels[i]])
      pk->cls[i] &= (guint8)~C_PALE;
}

/* Light, washed-out pixels (C_GLOSS) are gloss where they form small spots: a glossy peel
 * mirrors the lamp in many.  A patch of them covering PT_PEEL_LAB_GLOSS_MAX_SHARE of the
 * fruit or more is white or grey mould on a chromatic peel (the profile looks for mould),
 * which is lighter than the peel as gloss is, unless it is a lamp mirrored: most of it
 * brighter than a diffuse surface lit as the peel can be (PT_PEEL_LAB_WHITE_OVER_PEEL), or
 * light added to the peel rather than a cover over it (patch_adds_light ()).  A lamp's pale
 * rim is its own too (clear_lamp_halo ()). */
void
pt_peel_settle_gloss(PtPeel *pk)
{
  gboolean mould = pk->p->mould && pk->peel_c >= PT_PEEL_LAB_MIN_PEEL_CHROMA;
  guint8 *tmp = pk->tmp;
  gboolean any = FALSE, judged = FALSE, lamp = FALSE;
  PeelLight pl = {0};
  int nreg;
  guint32 *count, *bright;
  const float *linear = pt_srgb_linear_table();

  for (gsize i = 0; i < pk->n; i++) {
    tmp[i] = pk->cls[i] == C_GLOSS;
    any |= tmp[i];
  }
  if (!any)
    return;
  nreg = mould ? pt_label_components(tmp, pk->w, pk->h, 1, pk->labels, pk->parent) : 0;
  count = g_new0(guint32, (gsize)nreg + 1);
  bright = g_new0(guint32, (gsize)nreg + 1);
  for (gsize i = 0; i < pk->n; i++)
    if (tmp[i] && nreg > 0)
      count[pk->labels[i]]++;
  for (int l = 1; l <= nreg && !judged; l++)
    judged = count[l] >= PT_PEEL_LAB_MIN_PX;
  if (judged) {
    read_peel_light(pk, &pl);
    for (gsize i = 0; i < pk->n && pl.lit > 0; i++)
      if (tmp[i]) {
        int r, g, b;

        pt_ycc_to_rgb(pk->in->y[i], pk->in->cb[i], pk->in->cr[i], &r, &g, &b);
        bright[pk->labels[i]] += linear[MIN(r, MIN(g, b))] > PT_PEEL_LAB_WHITE_OVER_PEEL * pl.lit;
      }
  }
  /* count[] becomes the patch's verdict: 0 gloss, 1 mould, or a lamp mirrored, 2 + its
   * size. */
  for (int l = 1; l <= nreg; l++) {
    guint32 n = count[l];
    gboolean wide = n >= PT_PEEL_LAB_GLOSS_MAX_SHARE * pk->shape->area_px;

    count[l] = wide;
    if (!wide && n < PT_PEEL_LAB_MIN_PX)
      continue;
    if (2 * bright[l] > n || (wide && patch_adds_light(pk, l, n, &pl))) {
      count[l] = 2 + n;
      lamp = TRUE;
    }
  }
  for (gsize i = 0; i < pk->n; i++)
    if (tmp[i])
      pk->cls[i] = nreg > 0 && count[pk->labels[i]] == 1 ? C_PALE : C_NONE;
  if (lamp)
    clear_lamp_halo(pk, count, nreg);
  g_free(bright);
  g_free(count);
}

/* Rot or a bruise wider than the local reference's window is its own reference: only its
 * rim reads dark.  Its pixels are dark against the shading model and the peel's median too,
 * and are left out of the reference's second pass, so that it reads dark against the peel
 * round it; a dark patch along the silhouette's rim band (more than
 * PT_PEEL_LAB_DEEP_RIM_SHARE of its border) is the fruit's underside in shadow, and stays. */
void
pt_peel_drop_deep_patches(PtPeel *pk, const PtShading *shading)
{
  int w = pk->w, h = pk->h, nreg;
  double deep = pk->p->dark_ratio * pk->peel_y;
  guint8 *mask = pk->cls;
  guint32 *edge, *border;
  gboolean any = FALSE;

  memset(mask, 0, pk->n);
  PT_PEEL_FOR_SPANS(pk, i)
  if (pk->inner[i] && pk->ly[i] < deep &&
      pk->ly[i] < pk->p->dark_ratio * pt_peel_shading_px(pk, shading, i)) {
    mask[i] = 1;
    any = TRUE;
  }
  if (!any)
    return;
  nreg = pt_label_components(mask, w, h, 1, pk->labels, pk->parent);
  edge = g_new0(guint32, 2 * ((gsize)nreg + 1));
  border = edge + nreg + 1;
  /* A patch's border: its pixels with a 4-neighbour outside it; along the rim: those with
   * one outside the inner peel (or the crop). */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      gsize i = (gsize)y * w + x;
      gsize nb[4] = {i - 1, i + 1, i - (gsize)w, i + (gsize)w};
      gboolean in_edge = x == 0 || x == w - 1 || y == 0 || y == h - 1;
      gboolean in_border = in_edge;

      if (!mask[i])
        continue;
      for (int k = 0; k < 4 && !in_edge; k++) {
        in_edge |= !pk->inner[nb[k]];
        in_border |= !mask[nb[k]];
      }
      edge[pk->labels[i]] += in_edge;
      border[pk->labels[i]] += in_border || in_edge;
    }
  for (gsize i = 0; i < pk->n; i++)
    if (mask[i] && edge[pk->labels[i]] <= PT_PEEL_LAB_DEEP_RIM_SHARE * border[pk->labels[i]])
      pk->tmp[i] = 0;
  g_free(edge);
}
