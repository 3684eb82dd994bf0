/* pt-defect.c: peel analysis of one fruit: defect regions, stickers and
 * colour coverage, on the fruit's analysis crop.
 *
 * The sound peel is modelled per fruit, not per variety, so lighting and
 * ripeness drift cost nothing (López-García et al. 2010 model sound peel
 * the same way):
 *   - brightness: the local mean luma of the peel around each pixel
 *     (masked box filter over integral images, window about a third of the
 *     fruit radius, computed twice so defects do not darken their own
 *     reference); a pixel well below it is dark, well above it is exposed
 *     flesh;
 *   - colour: the dominant chroma of the fruit (mode of a Cb/Cr histogram);
 *     brown pixels on a yellow or green peel are russet, washed-out pixels on
 *     a saturated peel are mould.
 * A band along the silhouette is left out: the sphere darkens and blurs
 * there and the belt bleeds in; other views of the rotating fruit see it.
 * Stickers (white paper, foreign print colours) are found first and cut out
 * with a margin, so neither they nor their print count as defects.
 * Areas and lengths are taken back onto the fruit surface with an ellipsoid
 * model, because the standards' limits are surface areas.  Photos (PtPeelInput.lab) are
 * judged by the L*a*b* rules of pt-defect-lab.c instead of the belt's luma and chroma.
 * A large fruit is analysed on a half-resolution copy (PtPeelInput.fine, pt_peel_coarse()):
 * that pass finds the peel's colour, references and candidate defects, and only the
 * candidates and their borders are classified and measured again at the crop's
 * resolution (refine_candidates()), so a defect's area costs its own pixels, not the
 * fruit's. */
#include "pt-grade-tuning.h"
#include "pt-internal.h"
#include "pt-peel.h"

#include <math.h>
#include <string.h>

/* pt_ycc_hue_sat(), inlined into the loop over a crop's inner peel. */
static inline void
ycc_hue_sat(int y, int cb, int cr, double *hue, double *sat, int *value)
{
  int r, g, b, mx, mn;
  double h;

  pt_ycc_to_rgb(y, cb, cr, &r, &g, &b);
  mx = MAX(r, MAX(g, b));
  mn = MIN(r, MIN(g, b));
  *value = mx;
  *sat = mx > 0 ? (double)(mx - mn) / mx : 0;
  if (mx == mn)
    h = 0;
  else if (mx == r)
    h = 60.0 * (g - b) / (mx - mn);
  else if (mx == g)
    h = 120.0 + 60.0 * (b - r) / (mx - mn);
  else
    h = 240.0 + 60.0 * (r - g) / (mx - mn);
  *hue = h < 0 ? h + 360 : h;
}

void
pt_ycc_hue_sat(int y, int cb, int cr, double *hue, double *sat, int *value)
{
  ycc_hue_sat(y, cb, cr, hue, sat, value);
}

/* pt_hue_in_range(), inlined into the loops over a crop's inner peel. */
static inline gboolean
hue_in_range(double hue, const double range[2])
{
  if (range[0] < 0)
    return FALSE;
  if (range[0] <= range[1])
    return hue >= range[0] && hue <= range[1];
  return hue >= range[0] || hue <= range[1];
}

gboolean
pt_hue_in_range(double hue, const double range[2])
{
  return hue_in_range(hue, range);
}

void
pt_peel_result_clear(PtPeelResult *out)
{
  pt_models_buf_clear(&out->b_work);
  pt_models_buf_clear(&out->b_labels);
  pt_models_buf_clear(&out->b_parent);
  pt_models_buf_clear(&out->b_integral);
  pt_models_buf_clear(&out->b_basis);
  pt_models_buf_clear(&out->b_fine_work);
  pt_models_buf_clear(&out->b_fine_labels);
  pt_models_buf_clear(&out->b_fine_parent);
  pt_models_buf_clear(&out->b_fine_basis);
}

/* Masked box mean of luma: (sum, count) integral images over pixels with
 * use[i] set; mean[i] gets the mean over the window of half-size @r where
 * want[i] is set (only the inner peel is classified), -1 elsewhere. */
static void
local_mean(const guint8 *y, const guint8 *use, const guint8 *want, int w, int h, int r,
           gint64 *isum, gint32 *icnt, float *mean)
{
  int iw = w + 1;

  for (int x = 0; x <= w; x++) {
    isum[x] = 0;
    icnt[x] = 0;
  }
  for (int j = 0; j < h; j++) {
    gint64 rs = 0;
    gint32 rc = 0;

    isum[(gsize)(j + 1) * iw] = 0;
    icnt[(gsize)(j + 1) * iw] = 0;
    for (int i = 0; i < w; i++) {
      gsize p = (gsize)j * w + i;

      if (use[p]) {
        rs += y[p];
        rc++;
      }
      isum[(gsize)(j + 1) * iw + i + 1] = isum[(gsize)j * iw + i + 1] + rs;
      icnt[(gsize)(j + 1) * iw + i + 1] = icnt[(gsize)j * iw + i + 1] + rc;
    }
  }
  for (int j = 0; j < h; j++) {
    int y0 = MAX(0, j - r), y1 = MIN(h, j + r + 1);

    for (int i = 0; i < w; i++) {
      int x0 = MAX(0, i - r), x1 = MIN(w, i + r + 1);
      gint64 s;
      gint32 c;

      if (!want[(gsize)j * w + i]) {
        mean[(gsize)j * w + i] = -1.0f;
        continue;
      }
      s = isum[(gsize)y1 * iw + x1] - isum[(gsize)y0 * iw + x1] - isum[(gsize)y1 * iw + x0] +
          isum[(gsize)y0 * iw + x0];
      c = icnt[(gsize)y1 * iw + x1] - icnt[(gsize)y0 * iw + x1] - icnt[(gsize)y1 * iw + x0] +
          icnt[(gsize)y0 * iw + x0];

      mean[(gsize)j * w + i] = c > 0 ? (float)s / c : -1.0f;
    }
  }
}

/* Smooth shading model of the sound peel: luma as a linear function of
 * 1, z, u, v, z*u, z*v, where (u, v) are the pixel's coordinates along the
 * fruit's axes normalised by its semi-axes and z the height of the ellipsoid
 * there (Lambert: a sphere darkens toward its rim; u and v: light from one
 * side).  Fitted by least squares three times, each time leaving out the
 * pixels well below the last fit, so defects up to a third of the face do
 * not pull it down.  The model's coefficients are a PtShading (pt-peel.h). */
static void
axes_init(PtAxes *ax, const PtShape *s)
{
  ax->cx = s->cx;
  ax->cy = s->cy;
  ax->cs = cos(s->angle);
  ax->sn = sin(s->angle);
  ax->inv_major = 1.0 / MAX(s->major, 1);
  ax->inv_minor = 1.0 / MAX(s->minor, 1);
}

/* Solves a NB x NB system by Gaussian elimination with partial pivoting. */
static gboolean
solve(double a[NB][NB], double r[NB], double x[NB])
{
  for (int col = 0; col < NB; col++) {
    int piv = col;

    for (int row = col + 1; row < NB; row++)
      if (fabs(a[row][col]) > fabs(a[piv][col]))
        piv = row;
    if (fabs(a[piv][col]) < 1e-9)
      return FALSE;
    if (piv != col) {
      for (int k = 0; k < NB; k++) {
        double t = a[col][k];

        a[col][k] = a[piv][k];
        a[piv][k] = t;
      }
      {
        double t = r[col];

        r[col] = r[piv];
        r[piv] = t;
      }
    }
    for (int row = col + 1; row < NB; row++) {
      double f = a[row][col] / a[col][col];

      for (int k = col; k < NB; k++)
        a[row][k] -= f * a[col][k];
      r[row] -= f * r[col];
    }
  }
  for (int row = NB - 1; row >= 0; row--) {
    double v = r[row];

    for (int k = row + 1; k < NB; k++)
      v -= a[row][k] * x[k];
    x[row] = v / a[row][row];
  }
  return TRUE;
}

/* Fitted on every second pixel of every second row: the model has six
 * smooth terms, a quarter of the peel determines them as well.  @use is
 * within the inner peel, whose basis is in @pk->uvz. */
static void
fit_shading(const PtPeel *pk, const guint8 *y, const guint8 *use, double fallback, PtShading *sh)
{
  int w = pk->w, h = pk->h;

  sh->fallback = fallback;
  for (int iter = 0; iter < 3; iter++) {
    double a[NB][NB] = {{0}}, r[NB] = {0}, c[NB];
    double n = 0;

    for (int j = 0; j < h; j += 2)
      for (int i = 0; i < w; i += 2) {
        gsize k = (gsize)j * w + i;
        double b[NB], fit = 0;

        if (!use[k])
          continue;
        pt_peel_basis_px(pk, k, b);
        if (iter > 0) {
          for (int p = 0; p < NB; p++)
            fit += sh->c[p] * b[p];
          if (y[k] < 0.85 * fit)
            continue;
        }
        /* Unrolled: with constant indices the sums stay in registers (same sums, same
         * order). */
#pragma GCC unroll 6
        for (int p = 0; p < NB; p++) {
#pragma GCC unroll 6
          for (int q = p; q < NB; q++)
            a[p][q] += b[p] * b[q];
          r[p] += b[p] * y[k];
        }
        n++;
      }
    for (int p = 0; p < NB; p++)
      for (int q = 0; q < p; q++)
        a[p][q] = a[q][p];
    if (n < 4 * NB || !solve(a, r, c))
      return;
    memcpy(sh->c, c, sizeof c);
    sh->fallback = 0;
  }
}

/* Surface weight of a pixel: 1/cos of the angle between the view and the
 * surface normal of an ellipsoid with the silhouette's axes, capped at 2. */
static double
surface_weight(const PtAxes *ax, double x, double y)
{
  double u = ((x - ax->cx) * ax->cs + (y - ax->cy) * ax->sn) * ax->inv_major;
  double v = (-(x - ax->cx) * ax->sn + (y - ax->cy) * ax->cs) * ax->inv_minor;
  double z2 = 1 - u * u - v * v;

  return 1.0 / sqrt(MAX(z2, 0.25));
}

/* Length along the surface between two image points: the chord between
 * their lifts onto the ellipsoid, bent to an arc of the mean radius. */
static double
surface_length(const PtShape *s, double x0, double y0, double x1, double y1)
{
  double c = cos(s->angle), sn = sin(s->angle);
  double p[2][3];
  double pts[2][2] = {{x0, y0}, {x1, y1}};
  double depth = s->minor, chord, radius, half;

  for (int k = 0; k < 2; k++) {
    double dx = pts[k][0] - s->cx, dy = pts[k][1] - s->cy;
    double u = dx * c + dy * sn, v = -dx * sn + dy * c;
    double nu = u / MAX(s->major, 1), nv = v / MAX(s->minor, 1);

    p[k][0] = u;
    p[k][1] = v;
    p[k][2] = depth * sqrt(MAX(0, 1 - nu * nu - nv * nv));
  }
  chord =
      sqrt((p[1][0] - p[0][0]) * (p[1][0] - p[0][0]) + (p[1][1] - p[0][1]) * (p[1][1] - p[0][1]) +
           (p[1][2] - p[0][2]) * (p[1][2] - p[0][2]));
  radius = 0.5 * (s->major + s->minor);
  half = chord / (2 * radius);
  if (radius <= 0 || half >= 1)
    return chord;
  return 2 * radius * asin(half);
}

typedef struct {
  double weight; /* surface-weighted pixel count */
  double ratio_sum, hue_x, hue_y, sat_sum;
  int n, n_dark, n_bright, n_russet, n_pale, n_faded;
  int x0, y0, x1, y1;
  gboolean scar; /* measured as a scar (find_scars ()) */
} Region;

static PtDefectKind
classify(const Region *r, double length_px, const PtGradeProfile *p)
{
  double ratio = r->ratio_sum / r->n;
  double hue = atan2(r->hue_y, r->hue_x) * 180 / G_PI;
  double width = r->n / MAX(length_px, 1);

  if (hue < 0)
    hue += 360;
  if (r->n_bright * 2 > r->n)
    return PT_DEFECT_CUT;
  if (r->scar)
    return PT_DEFECT_SCAR;
  if (r->n_pale * 2 > r->n)
    return PT_DEFECT_MOULD;
  /* Russet: mostly brown-on-yellow pixels, or a moderately dark patch of
   * russet brown (hue 24..42); darker brown is rot, not russet. */
  if (p->russet && (r->n_russet * 2 > r->n || (ratio >= 0.5 && hue >= 24 && hue <= 42)))
    return PT_DEFECT_RUSSET;
  if (length_px >= PT_PEEL_CUT_ELONGATION * width && length_px >= PT_PEEL_CUT_MIN_PX)
    return PT_DEFECT_CUT;
  if (ratio >= 0.55 && r->n >= 40)
    return PT_DEFECT_BRUISE;
  return PT_DEFECT_DARK_SPOT;
}

static void
insert_defect(PtPeelResult *out, const PtDefect *d)
{
  guint pos = out->n_defects;

  /* Keep the largest PT_FRUIT_MAX_DEFECTS, largest first; equal areas keep
   * scan order, so the list is deterministic. */
  while (pos > 0 && out->defects[pos - 1].area_mm2 < d->area_mm2)
    pos--;
  if (pos >= PT_FRUIT_MAX_DEFECTS)
    return;
  if (out->n_defects == PT_FRUIT_MAX_DEFECTS)
    out->n_defects--;
  memmove(&out->defects[pos + 1], &out->defects[pos], (out->n_defects - pos) * sizeof(PtDefect));
  out->defects[pos] = *d;
  out->n_defects++;
}

static void
peel_result_reset(PtPeelResult *out)
{
  out->n_defects = 0;
  out->count = 0;
  out->total_mm2 = out->largest_mm2 = out->longest_mm = out->russet_mm2 = 0;
  out->n_stickers = 0;
  out->ripe_fraction = out->green_fraction = 0;
}

static void
peel_init(PtPeel *pk, const PtPeelInput *in, PtPeelResult *out)
{
  int w = in->w, h = in->h;
  gsize n = (gsize)w * h;

  pk->in = in;
  pk->p = in->profile;
  pk->shape = in->shape;
  pk->out = out;
  pk->w = w;
  pk->h = h;
  pk->n = n;
  pk->mmpx2 = in->mm_per_px * in->mm_per_px;
  /* Floats first, so they are aligned; then the byte planes. */
  /* The spans last, so the planes lie where they did. */
  pk->hue = pt_models_buf_get(&out->b_work,
                              n * sizeof(float) * 8 + n * 5 + (2 * (gsize)h + 1) * sizeof(gint32));
  pk->sat = pk->hue + n;
  pk->mean = pk->sat + n;
  pk->lab = pk->mean + n;
  pk->lmean = pk->lab + 3 * n;
  pk->cmean = pk->lmean + n;
  pk->faded = FALSE;
  pk->inner = (guint8 *)(pk->cmean + n);
  pk->cls = pk->inner + n;
  pk->tmp = pk->inner + 2 * n;
  pk->near = pk->inner + 4 * n;
  pk->span = (gint32 *)(((guintptr)(pk->inner + 5 * n) + 3) & ~(guintptr)3);
  pk->ly = in->y;
  pk->dist = pt_models_buf_get(&out->b_labels, n * sizeof(gint32) * 2);
  pk->labels = pk->dist + n;
  pk->parent = pt_models_buf_get(&out->b_parent, (n + 4) * sizeof(gint32));
  pk->isum = pt_models_buf_get(&out->b_integral,
                               (gsize)(w + 1) * (h + 1) * (sizeof(gint64) + sizeof(gint32)));
  pk->icnt = (gint32 *)(pk->isum + (gsize)(w + 1) * (h + 1));
  pk->uvz = pt_models_buf_get(&out->b_basis, 3 * n * sizeof(double));
  axes_init(&pk->axes, pk->shape);
}

/* Inner peel: the mask minus a rim band of 8% of the short radius, where
 * the sphere darkens and the belt bleeds in. */
static void
find_inner_peel(PtPeel *pk)
{
  int rim;

  rim = (int)MAX(2.0, (pk->in->lab ? PT_PEEL_LAB_RIM : 0.08) * pk->shape->minor);
  pt_erode_octagon(pk->in->mask, pk->w, pk->h, 3 * rim, pk->inner);
  for (int y = 0; y < pk->h; y++) {
    const guint8 *row = pk->inner + (gsize)y * pk->w;
    int x0 = 0, x1 = pk->w;

    while (x0 < x1 && !row[x0])
      x0++;
    while (x1 > x0 && !row[x1 - 1])
      x1--;
    pk->span[2 * y] = x0;
    pk->span[2 * y + 1] = x1;
  }
}

/* Mode of the Cb/Cr histogram; 3x3 bins smooth it against quantisation.  The 3x3 sums
 * are taken as sums of three row sums over a copy with a border of empty bins: whole
 * numbers, so the same sums as bin by bin with the bounds checked, and the mode is still
 * the first largest in the same order. */
static void
chroma_mode(guint32 hist[32][32], int *bcb, int *bcr)
{
  guint32 rows[34][32], best = 0;

  *bcb = 0;
  *bcr = 0;
  memset(rows[0], 0, sizeof rows[0]);
  memset(rows[33], 0, sizeof rows[33]);
  for (int a = 0; a < 32; a++) {
    rows[a + 1][0] = hist[a][0] + hist[a][1];
    for (int b = 1; b < 31; b++)
      rows[a + 1][b] = hist[a][b - 1] + hist[a][b] + hist[a][b + 1];
    rows[a + 1][31] = hist[a][30] + hist[a][31];
  }
  for (int a = 0; a < 32; a++)
    for (int b = 0; b < 32; b++) {
      guint32 s = rows[a][b] + rows[a + 1][b] + rows[a + 2][b];

      if (s > best) {
        best = s;
        *bcb = a;
        *bcr = b;
      }
    }
}

/* Per-pixel hue and saturation of the inner peel, and the dominant peel
 * chroma: the fruit's own colour is the reference, not the variety's.
 * FALSE when no inner pixel lies near the mode (nothing to judge). */
static gboolean
find_peel_colour(PtPeel *pk)
{
  const PtPeelInput *in = pk->in;
  guint32 hist[32][32];
  int bcb, bcr, value;
  double sy = 0, scb = 0, scr = 0, cnt = 0;

  memset(hist, 0, sizeof hist);
  /* Both passes visit the inner pixels in raster order, row span by row span. */
  PT_PEEL_FOR_SPANS(pk, i)
  {
    double hh, ss;
    int v;

    if (!pk->inner[i])
      continue;
    ycc_hue_sat(in->y[i], in->cb[i], in->cr[i], &hh, &ss, &v);
    pk->hue[i] = (float)hh;
    pk->sat[i] = (float)ss;
    hist[in->cb[i] >> 3][in->cr[i] >> 3]++;
  }
  chroma_mode(hist, &bcb, &bcr);
  PT_PEEL_FOR_SPANS(pk, i)
  {
    if (!pk->inner[i] || ABS((in->cb[i] >> 3) - bcb) > 1 || ABS((in->cr[i] >> 3) - bcr) > 1)
      continue;
    sy += in->y[i];
    scb += in->cb[i];
    scr += in->cr[i];
    cnt++;
  }
  if (cnt == 0)
    return FALSE;
  pt_ycc_hue_sat((int)(sy / cnt), (int)(scb / cnt), (int)(scr / cnt), &pk->peel_hue, &pk->peel_sat,
                 &value);
  pk->peel_y = sy / cnt;
  return TRUE;
}

/* The C_* flags of inner pixel @i against the local mean and @shading;
 * leaves the darker of the two references in mean[i] for the regions.  Inline: it runs
 * once a pass at every inner pixel, and a call a pixel cost a fifth of its work. */
G_ALWAYS_INLINE static inline guint8
pixel_class(PtPeel *pk, const PtShading *shading, gsize i)
{
  const PtPeelInput *in = pk->in;
  const PtGradeProfile *p = pk->p;
  const float *hue = pk->hue, *sat = pk->sat;
  double m = pk->mean[i], yv = in->y[i], ratio, shade, hi_ref;
  guint8 c = C_NONE;
  int r, g, b;

  if (m <= 0)
    m = pk->peel_y;
  /* Dark only against both references, bright only against both: the
   * local mean misreads smooth shading near the rim and next to a large
   * dark patch, the shading model misreads small areas. */
  shade = pt_peel_shading_px(pk, shading, i);
  hi_ref = MAX(m, shade);
  m = MIN(m, shade);
  pk->mean[i] = (float)m;
  ratio = yv / MAX(m, 1.0);
  if (ratio < p->dark_ratio && m - yv >= 8)
    c |= C_DARK;
  /* RGB only for the few pixels that are bright otherwise: clipped ones are a highlight. */
  if (yv > p->bright_ratio * hi_ref && yv - hi_ref >= 20 && sat[i] >= 0.15) {
    pt_ycc_to_rgb(in->y[i], in->cb[i], in->cr[i], &r, &g, &b);
    if (MAX(r, MAX(g, b)) < 250)
      c |= C_BRIGHT;
  }
  /* White paper, or a saturated colour that is neither the peel's nor
   * the variety's ripe or green colour: a sticker. */
  if ((ratio > 1.2 && sat[i] < 0.2 && yv > 0.5 * 255) ||
      (sat[i] > 0.35 && pt_peel_hue_diff(hue[i], pk->peel_hue) > 60 &&
       !hue_in_range(hue[i], p->ripe_hue) && !hue_in_range(hue[i], p->green_hue)))
    c |= C_STICKER;
  if (p->russet && pk->peel_hue >= 40 && hue[i] >= 20 && hue[i] <= pk->peel_hue - 8 &&
      sat[i] >= 0.25 && yv < 0.95 * pk->peel_y && ratio < 0.92)
    c |= C_RUSSET;
  if (p->mould && pk->peel_sat >= 0.3 && sat[i] < 0.45 * pk->peel_sat && ratio >= 0.75 &&
      ratio <= 1.3)
    c |= C_PALE;
  return c;
}

/* The chroma (C*) of inner pixel @i. */
static inline float
px_chroma(const PtPeel *pk, gsize i)
{
  return pt_lab_chroma(pk->lab + 3 * i);
}

/* The local mean of the peel's chroma round each inner pixel (@pk->cmean), over the pixels
 * the second pass takes its references from, in the window of half-size @win the lightness's
 * is taken in; the chroma bytes go through @pk->near, free until the refinement.  From here
 * on the pass classifies C_FADED.  A scar over a few percent of the face is part of its own
 * reference, so grow_faded () takes a faded core out to the whole scar (leaving the face's
 * faded pixels out of the reference found 0.65 of scars over 4% against 0.38, but took 7 more
 * sound oranges of 530 on black). */
static void
local_chroma(PtPeel *pk, int win)
{
  PT_PEEL_FOR_SPANS(pk, i)
  pk->near[i] = (guint8)MIN(255.0f, px_chroma(pk, i) + 0.5f);
  local_mean(pk->near, pk->tmp, pk->inner, pk->w, pk->h, win, pk->isum, pk->icnt, pk->cmean);
  pk->faded = TRUE;
}

/* Brightness reference in two passes: the second leaves out what the
 * first found (and in photos the deep patches inside the face,
 * pt_peel_drop_deep_patches ()), so a large defect does not drag its own
 * reference down. */
static void
classify_pixels(PtPeel *pk)
{
  const PtPeelInput *in = pk->in;
  int win = (int)MAX(2.0, 0.33 * pk->shape->minor);
  PtShading shading;

  memcpy(pk->tmp, pk->inner, pk->n);
  for (int pass = 0; pass < 2; pass++) {
    local_mean(pk->ly, pk->tmp, pk->inner, pk->w, pk->h, win, pk->isum, pk->icnt, pk->mean);
    if (pass == 1 && in->lab && pk->p->scars)
      local_chroma(pk, win);
    fit_shading(pk, pk->ly, pk->tmp, pk->peel_y, &shading);
    if (pass == 1 && in->fine) {
      memcpy(pk->lmean, pk->mean, pk->n * sizeof(float));
      pk->shading = shading;
    }
    /* Outside the row spans there is no inner pixel: C_NONE there, and 0 in tmp. */
    memset(pk->cls, C_NONE, pk->n);
    PT_PEEL_FOR_SPANS(pk, i)
    pk->cls[i] = !pk->inner[i] ? C_NONE
                 : in->lab     ? pt_peel_class_lab(pk, &shading, i)
                               : pixel_class(pk, &shading, i);
    if (pass == 0) {
      memset(pk->tmp, 0, pk->n);
      PT_PEEL_FOR_SPANS(pk, i)
      pk->tmp[i] = pk->inner[i] && pk->cls[i] == C_NONE;
      if (in->lab)
        pt_peel_drop_deep_patches(pk, &shading);
    }
  }
}

/* Stickers: regions of sticker pixels of at least 15 mm2 are cut out with
 * a margin of a quarter of their size (print, glue edge, shadow).  Sticker
 * pixels within 8% of the short radius of each other are one label: print
 * splits a label's white into pieces. */
static void
cut_out_stickers(PtPeel *pk)
{
  int w = pk->w, h = pk->h, nreg;
  guint8 *cls = pk->cls, *tmp = pk->tmp;
  gint32 *labels = pk->labels;
  gboolean any = FALSE;

  for (gsize i = 0; i < pk->n; i++) {
    tmp[i] = (cls[i] & C_STICKER) == 0;
    any |= !tmp[i];
  }
  /* Most fruit carry no sticker: nothing to join or cut out. */
  if (!any)
    return;
  pt_distance_transform(tmp, w, h, FALSE, pk->dist);
  {
    gint32 join = (gint32)(3 * MAX(2.0, 0.08 * pk->shape->minor));

    for (gsize i = 0; i < pk->n; i++)
      tmp[i] = pk->inner[i] && pk->dist[i] <= join;
  }
  nreg = pt_label_components(tmp, w, h, 1, labels, pk->parent);
  if (nreg > 0) {
    int *bx = g_new0(int, (gsize)nreg * 5);

    for (int l = 0; l < nreg; l++) {
      bx[l * 5] = w;
      bx[l * 5 + 1] = h;
      bx[l * 5 + 2] = -1;
      bx[l * 5 + 3] = -1;
    }
    for (int y = 0; y < h; y++)
      for (int x = 0; x < w; x++) {
        gint32 l = labels[(gsize)y * w + x] - 1;

        if (l < 0)
          continue;
        bx[l * 5] = MIN(bx[l * 5], x);
        bx[l * 5 + 1] = MIN(bx[l * 5 + 1], y);
        bx[l * 5 + 2] = MAX(bx[l * 5 + 2], x);
        bx[l * 5 + 3] = MAX(bx[l * 5 + 3], y);
        bx[l * 5 + 4] += (cls[(gsize)y * w + x] & C_STICKER) != 0;
      }
    for (int l = 0; l < nreg; l++) {
      int mx, my;

      if (bx[l * 5 + 4] * pk->mmpx2 < 15.0)
        continue;
      pk->out->n_stickers++;
      mx = (bx[l * 5 + 2] - bx[l * 5] + 1) / 4 + 1;
      my = (bx[l * 5 + 3] - bx[l * 5 + 1] + 1) / 4 + 1;
      for (int y = MAX(0, bx[l * 5 + 1] - my); y <= MIN(h - 1, bx[l * 5 + 3] + my); y++)
        for (int x = MAX(0, bx[l * 5] - mx); x <= MIN(w - 1, bx[l * 5 + 2] + mx); x++)
          cls[(gsize)y * w + x] = C_STICKER;
    }
    g_free(bx);
  }
}

static void close_candidates(PtPeel *pk);

/* Defect candidates into tmp, closed by one pixel so a speckled patch is
 * one region.  Candidates and the pixels the closing adds are inner peel,
 * which keeps at least two pixels from the crop's edge, so their 3 x 3
 * neighbourhoods need no bounds checks.  Most of the peel is sound: each pass looks at
 * eight pixels a word and steps over a word with nothing to do (the same pixels as
 * pixel by pixel). */
static void
find_defect_candidates(PtPeel *pk)
{
  const guint8 *cls = pk->cls;
  guint8 *tmp = pk->tmp;
  const guint64 ones = 0x0101010101010101ULL, lo7 = 0x7f7f7f7f7f7f7f7fULL;
  gsize i = 0;

  /* A candidate: any class but a sticker or a faded pixel (a scar's, find_scars ()).  Per
   * byte: high bit set when the byte less those bits (16, 64) is nonzero, cleared when the
   * sticker bit (shifted up by 3) is set. */
  for (; i + 8 <= pk->n; i += 8) {
    guint64 v, d, nz;

    memcpy(&v, cls + i, 8);
    d = v & ~(ones * (C_STICKER | C_FADED));
    nz = ((d & lo7) + lo7) | d;
    v = ((nz & ~(v << 3)) >> 7) & ones;
    memcpy(tmp + i, &v, 8);
  }
  for (; i < pk->n; i++)
    tmp[i] = (cls[i] & ~C_FADED) != C_NONE && !(cls[i] & C_STICKER);
  close_candidates(pk);
}

/* Closes the candidates in @pk->tmp (1, else 0) by one pixel, adding inner pixels that are no
 * sticker only. */
static void
close_candidates(PtPeel *pk)
{
  int w = pk->w, h = pk->h;
  const guint8 *cls = pk->cls, *inner = pk->inner;
  guint8 *tmp = pk->tmp;
  const guint64 ones = 0x0101010101010101ULL;
  gsize i = 0;

  /* Dilation: a pixel next to a candidate (value 1) becomes 2; the 2s do not spread.  A
   * word of eight pixels whose rows above, at and below hold no 1 from one column left of
   * it to one right of it has nothing to do. */
  for (int y = 1; y + 1 < h; y++) {
    int x = 1;

    while (x + 1 < w) {
      int x_end = x + 1;

      if (x + 9 <= w) {
        const guint8 *row = tmp + (gsize)y * w + x;
        guint64 a, b, any = 0;

        for (int r = -1; r <= 1; r++) {
          memcpy(&a, row + (gssize)r * w - 1, 8);
          memcpy(&b, row + (gssize)r * w + 1, 8);
          any |= a | b;
        }
        if ((any & ones) == 0) {
          x += 8;
          continue;
        }
        x_end = x + 8;
      }
      for (; x < x_end; x++) {
        gsize k = (gsize)y * w + x;
        const guint8 *up = tmp + k - w, *dn = tmp + k + w, *md = tmp + k;

        if (tmp[k] || !inner[k] || (cls[k] & C_STICKER))
          continue;
        if (((up[-1] | up[0] | up[1] | md[-1] | md[1] | dn[-1] | dn[0] | dn[1]) & 1) != 0)
          tmp[k] = 2;
      }
    }
  }
  /* Erosion of what the dilation added, in raster order: a 2 stays (as 3) only when none
   * of its neighbours is 0, counting the 2s already dropped above and to its left.  Bytes
   * are 0 to 3 here, so a 2 is bit 1 without bit 0. */
  for (int y = 1; y + 1 < h; y++) {
    int x = 1;

    while (x + 1 < w) {
      int x_end = x + 1;

      if (x + 9 <= w) {
        guint64 v;

        memcpy(&v, tmp + (gsize)y * w + x, 8);
        if (((v >> 1) & ~v & ones) == 0) {
          x += 8;
          continue;
        }
        x_end = x + 8;
      }
      for (; x < x_end; x++) {
        gsize k = (gsize)y * w + x;
        const guint8 *up = tmp + k - w, *dn = tmp + k + w, *md = tmp + k;

        if (tmp[k] != 2)
          continue;
        tmp[k] = up[-1] && up[0] && up[1] && md[-1] && md[1] && dn[-1] && dn[0] && dn[1] ? 3 : 0;
      }
    }
  }
  /* Left are 0, 1 and 3 (every 2 became 3 or 0): bit 0 says which are candidates. */
  for (i = 0; i + 8 <= pk->n; i += 8) {
    guint64 v;

    memcpy(&v, tmp + i, 8);
    v &= ones;
    memcpy(tmp + i, &v, 8);
  }
  for (; i < pk->n; i++)
    tmp[i] &= 1;
}

/* Statistics of the @nreg labelled candidate regions, which lie within columns @bx0..@bx1
 * and rows @by0..@by1.  Returns: (transfer full): at least one entry, so the caller frees
 * it whatever @nreg is. */
static Region *
collect_regions(const PtPeel *pk, int nreg, int bx0, int by0, int bx1, int by1)
{
  int w = pk->w, h = pk->h;
  const guint8 *cls = pk->cls;
  const float *hue = pk->hue, *sat = pk->sat;
  Region *regs = g_new0(Region, MAX(nreg, 1));

  for (int l = 0; l < nreg; l++) {
    regs[l].x0 = w;
    regs[l].y0 = h;
    regs[l].x1 = -1;
    regs[l].y1 = -1;
  }
  for (int y = by0; y <= by1; y++)
    for (int x = bx0; x <= bx1; x++) {
      gsize i = (gsize)y * w + x;
      gint32 l = pk->labels[i] - 1;
      Region *r;
      double m;

      if (l < 0)
        continue;
      r = &regs[l];
      m = pk->mean[i] > 0 ? pk->mean[i] : pk->peel_y;
      r->n++;
      r->weight += surface_weight(&pk->axes, x + 0.5, y + 0.5);
      r->ratio_sum += pk->ly[i] / MAX(m, 1.0);
      r->hue_x += cos(hue[i] * G_PI / 180) * sat[i];
      r->hue_y += sin(hue[i] * G_PI / 180) * sat[i];
      r->sat_sum += sat[i];
      r->n_dark += (cls[i] & C_DARK) != 0;
      r->n_bright += (cls[i] & C_BRIGHT) != 0;
      r->n_russet += (cls[i] & C_RUSSET) != 0;
      r->n_pale += (cls[i] & C_PALE) != 0;
      r->n_faded += (cls[i] & C_FADED) != 0;
      r->x0 = MIN(r->x0, x);
      r->y0 = MIN(r->y0, y);
      r->x1 = MAX(r->x1, x);
      r->y1 = MAX(r->y1, y);
    }
  return regs;
}

/* The centre of region @rs in the frame of the fruit of @shape: @u along its long axis,
 * @v along its short one, in pixels from its centre. */
static void
in_fruit_frame(const PtShape *shape, const PtShape *rs, double *u, double *v)
{
  double c = cos(shape->angle), sn = sin(shape->angle);

  *u = (rs->cx - shape->cx) * c + (rs->cy - shape->cy) * sn;
  *v = -(rs->cx - shape->cx) * sn + (rs->cy - shape->cy) * c;
}

/* The stem end of an elongated fruit shows as a small dark spot at an end
 * of its long axis; @rs is the spot's shape. */
static gboolean
is_stem_end(const PtShape *shape, const PtShape *rs)
{
  double u, v, rad = 0.3 * shape->minor;

  in_fruit_frame(shape, rs, &u, &v);
  return fabs(u) >= 0.55 * shape->major && fabs(v) <= 0.35 * shape->minor &&
         rs->area_px <= G_PI * rad * rad;
}

/* Whether region @rs lies at the limb of the fruit of @shape, its centre at least
 * PT_PEEL_CREASE_RHO of the way out along the fruit's ellipse, and, with @along, runs along
 * it: its long axis within PT_PEEL_CREASE_MAX_TILT of the ellipse's tangent there. */
static gboolean
at_limb(const PtShape *shape, const PtShape *rs, gboolean along)
{
  double a = MAX(shape->major, 1.0), b = MAX(shape->minor, 1.0), u, v, tu, tv, t;
  double au = cos(rs->angle - shape->angle), av = sin(rs->angle - shape->angle);

  in_fruit_frame(shape, rs, &u, &v);
  if ((u * u) / (a * a) + (v * v) / (b * b) < PT_PEEL_CREASE_RHO * PT_PEEL_CREASE_RHO)
    return FALSE;
  if (!along)
    return TRUE;
  /* The tangent is normal to the gradient of u^2 / a^2 + v^2 / b^2; the axis (au, av) is in
   * the same frame. */
  tu = -v / (b * b);
  tv = u / (a * a);
  t = hypot(tu, tv);
  return t > 0 && fabs(au * tu + av * tv) / t >= cos(PT_PEEL_CREASE_MAX_TILT * G_PI / 180);
}

/* A photo shows the stem end or the calyx wherever the fruit happens to lie: a small,
 * fairly compact, dark patch (a stem seen from the side is a short bar), or, out of focus, a
 * grey one a little darker than the peel (PT_PEEL_CALYX_GREY_LIGHT), where mould's spores
 * are as light as the peel or lighter.  pt_peel_analyse () leaves out the largest such patch
 * of a view (a view shows at most one of the two ends face-on); more, or larger, are
 * defects. */
static gboolean
is_calyx_like(const PtPeel *pk, const Region *r, const PtDefect *d, double elongation)
{
  return (d->kind != PT_DEFECT_MOULD || (r->ratio_sum / r->n < PT_PEEL_CALYX_GREY_LIGHT &&
                                         r->n <= PT_PEEL_CALYX_GREY_SHARE * pk->shape->area_px)) &&
         r->n <= PT_PEEL_CALYX_MAX_SHARE * pk->shape->area_px &&
         elongation <= PT_PEEL_CALYX_MAX_ELONGATION;
}

/* Whether pale region @r (label @l + 1) is a soft highlight rather than mould: a lamp's
 * reflection grows lighter all the way to one peak, so its lightness falls with the
 * distance from that peak across the whole patch (Pearson correlation at or below
 * PT_PEEL_LAB_HIGHLIGHT_R), where mould is a plateau of spores, lighter or darker in
 * patches.  The peak lies within PT_PEEL_LAB_HIGHLIGHT_PEAK_OFF of the patch's equivalent
 * radius of its centre: a light box lit from its roof makes a mould patch lighter towards
 * its top, a fall as steady as a highlight's but from its edge. */
static gboolean
is_soft_highlight(const PtPeel *pk, const Region *r, int l)
{
  int w = pk->w, top = 0;
  double px = 0, py = 0, np = 0, sd = 0, sl = 0, sdd = 0, sll = 0, sdl = 0, var;
  double cx = 0, cy = 0;
  guint n = 0;

  for (int y = r->y0; y <= r->y1; y++)
    for (int x = r->x0; x <= r->x1; x++) {
      gsize k = (gsize)y * w + x;

      if (pk->labels[k] == l + 1)
        top = MAX(top, pk->ly[k]);
    }
  for (int y = r->y0; y <= r->y1; y++)
    for (int x = r->x0; x <= r->x1; x++) {
      gsize k = (gsize)y * w + x;

      if (pk->labels[k] == l + 1 && pk->ly[k] >= top - 2.55 * PT_PEEL_LAB_HIGHLIGHT_PEAK_DL) {
        px += x;
        py += y;
        np++;
      }
    }
  px /= MAX(np, 1);
  py /= MAX(np, 1);
  for (int y = r->y0; y <= r->y1; y++)
    for (int x = r->x0; x <= r->x1; x++) {
      gsize k = (gsize)y * w + x;
      double d, lq;

      if (pk->labels[k] != l + 1)
        continue;
      d = hypot(x - px, y - py);
      lq = pk->ly[k];
      cx += x;
      cy += y;
      sd += d;
      sl += lq;
      sdd += d * d;
      sll += lq * lq;
      sdl += d * lq;
      n++;
    }
  if (n < PT_PEEL_LAB_MIN_PX ||
      hypot(cx / n - px, cy / n - py) > PT_PEEL_LAB_HIGHLIGHT_PEAK_OFF * sqrt(n / G_PI))
    return FALSE;
  var = (sdd / n - (sd / n) * (sd / n)) * (sll / n - (sl / n) * (sl / n));
  return var > 0 && (sdl / n - (sd / n) * (sl / n)) / sqrt(var) <= PT_PEEL_LAB_HIGHLIGHT_R;
}

/* Whether pale region @r, whose pixels are set in @pk->tmp, is a lamp mirrored in the peel
 * as a line: a ring light round the lens, a strip light or a light box's tube draws a band
 * on a glossy fruit (a ring round its middle, bars at its sides) that is well lighter than
 * the peel round it (PT_PEEL_LAB_REFLECTION_RATIO), thin for the fruit
 * (PT_PEEL_LAB_REFLECTION_THICK of its short diameter at most) and long for its width
 * (PT_PEEL_LAB_REFLECTION_ELONGATION), where mould spreads as a patch.  The band's
 * thickness is twice the largest distance from a pixel of it to its outline. */
static gboolean
is_lamp_reflection(const PtPeel *pk, const Region *r)
{
  int bw = r->x1 - r->x0 + 3, bh = r->y1 - r->y0 + 3;
  g_autofree guint8 *mask = NULL;
  g_autofree gint32 *d = NULL;
  gint32 deepest = 0;
  double thick;

  if (r->ratio_sum / r->n < PT_PEEL_LAB_REFLECTION_RATIO)
    return FALSE;
  /* The region's box with a border of one pixel outside it. */
  mask = g_new0(guint8, (gsize)bw * bh);
  d = g_new(gint32, (gsize)bw * bh);
  for (int y = r->y0; y <= r->y1; y++)
    for (int x = r->x0; x <= r->x1; x++)
      mask[(gsize)(y - r->y0 + 1) * bw + (x - r->x0 + 1)] = pk->tmp[(gsize)y * pk->w + x];
  pt_distance_transform(mask, bw, bh, TRUE, d);
  for (gsize i = 0; i < (gsize)bw * bh; i++)
    deepest = MAX(deepest, d[i]);
  thick = 2.0 * deepest / 3.0;
  return thick <= PT_PEEL_LAB_REFLECTION_THICK * 2 * pk->shape->minor &&
         r->n >= PT_PEEL_LAB_REFLECTION_ELONGATION * thick * thick;
}

/* Measures region @r (label @l + 1) as a defect on the fruit surface into
 * @d; FALSE when it is too small to count, is the stem end or (in Lab) is a
 * pale patch too small to be mould or a soft highlight. */
static gboolean
measure_region(PtPeel *pk, const Region *r, int l, PtDefect *d, double *elongation)
{
  const PtGradeProfile *p = pk->p;
  const PtShape *shape = pk->shape;
  int w = pk->w;
  PtShape *rs;
  PtPoint *xs;
  double area = r->weight * pk->mmpx2, length_px;
  double min_share = r->scar ? PT_PEEL_LAB_FADED_MIN_SHARE : PT_PEEL_LAB_MOULD_MIN_SHARE;
  gboolean crease;

  if (area < p->min_defect_mm2 ||
      (pk->in->lab && r->n < MAX(PT_PEEL_LAB_MIN_PX, PT_PEEL_LAB_MIN_SHARE * shape->area_px)))
    return FALSE;
  rs = g_new(PtShape, 1);
  xs = g_new(PtPoint, 4 * (gsize)(r->y1 - r->y0 + 1) + 8);
  for (int y = r->y0; y <= r->y1; y++)
    for (int x = r->x0; x <= r->x1; x++)
      pk->tmp[(gsize)y * w + x] = pk->labels[(gsize)y * w + x] == l + 1;
  pt_shape_measure(pk->tmp, w, r->x0, r->y0, r->x1 + 1, r->y1 + 1, 1, rs, xs);
  length_px = rs->max_width;
  *elongation = rs->max_width / MAX(rs->min_width, 1.0);
  if (p->stem_at_poles && is_stem_end(shape, rs)) {
    g_free(xs);
    g_free(rs);
    return FALSE;
  }

  memset(d, 0, sizeof *d);
  d->x = r->x0;
  d->y = r->y0;
  d->width = r->x1 - r->x0 + 1;
  d->height = r->y1 - r->y0 + 1;
  d->area_mm2 = area;
  d->length_mm = surface_length(shape, rs->fx0, rs->fy0, rs->fx1, rs->fy1) * pk->in->mm_per_px;
  d->contrast = r->ratio_sum / r->n;
  d->kind = classify(r, length_px, p);
  /* In a photo, a dark streak along the limb is the crease where the fruit meets a
   * neighbour, or the shadow it casts, and a small dark spot there where it touches one: no
   * cut, no spot. */
  crease = pk->in->lab && ((d->kind == PT_DEFECT_CUT && at_limb(shape, rs, TRUE)) ||
                           (d->kind == PT_DEFECT_DARK_SPOT && at_limb(shape, rs, FALSE)));
  g_free(xs);
  g_free(rs);
  if (crease)
    return FALSE;
  /* A small pale patch on a glossy photo is sheen more often than spores, or a scar; one read
   * through a clipped channel is mould from a highlight's extent. */
  if (pk->in->lab && d->kind == PT_DEFECT_MOULD && !r->scar &&
      pt_peel_mostly_clipped(pk, r->x0, r->y0, r->x1, r->y1, l + 1))
    min_share = PT_PEEL_LAB_CLIPPED_MOULD_MIN_SHARE;
  return !(pk->in->lab && (d->kind == PT_DEFECT_MOULD || r->scar) &&
           (r->n < min_share * pk->shape->area_px || is_soft_highlight(pk, r, l) ||
            is_lamp_reflection(pk, r)));
}

/* Adds @d to the totals and the kept list, and marks its region (label
 * @l + 1 inside @r's box) so colour coverage skips it. */
void
pt_peel_result_add(PtPeelResult *out, const PtDefect *d)
{
  out->count++;
  if (d->kind == PT_DEFECT_RUSSET)
    out->russet_mm2 += d->area_mm2;
  out->total_mm2 += d->area_mm2;
  out->largest_mm2 = MAX(out->largest_mm2, d->area_mm2);
  out->longest_mm = MAX(out->longest_mm, d->length_mm);
  insert_defect(out, d);
}

static void
record_defect(PtPeel *pk, const Region *r, int l, const PtDefect *d)
{
  int w = pk->w;

  pt_peel_result_add(pk->out, d);
  for (int y = r->y0; y <= r->y1; y++)
    for (int x = r->x0; x <= r->x1; x++)
      if (pk->labels[(gsize)y * w + x] == l + 1)
        pk->cls[(gsize)y * w + x] = C_STICKER;
}

/* Colour coverage over the inner peel (stickers left out): grey pixels count as sound but as
 * neither colour.  A pixel clipped in two channels or more has lost its hue and counts not at
 * all: an orange's red and green both clipped read yellow, hue 60 (the green band's edge),
 * which is what a light box on black does to a fruit when the camera exposes for the black
 * (eval-real --on-black --exposure 2.5: 38 of 530 sound oranges out for green colour).  One
 * channel clipped leaves a bound on the hue (an orange's red clipped reads yellower than it
 * is, never green), which counts as read. */
static void
colour_coverage(PtPeel *pk)
{
  const PtPeelInput *in = pk->in;
  const PtGradeProfile *p = pk->p;
  /* Two channels at PT_PEEL_LAB_CLIPPED give at least this luma (red's and green's weights):
   * the other pixels need no RGB. */
  const int clip_y = (int)(0.88 * PT_PEEL_LAB_CLIPPED);
  guint n_sound = 0, n_ripe = 0, n_green = 0;

  PT_PEEL_FOR_SPANS(pk, i)
  {
    if (!pk->inner[i] || (pk->cls[i] & C_STICKER))
      continue;
    if (in->y[i] >= clip_y) {
      int r, g, b;

      pt_ycc_to_rgb(in->y[i], in->cb[i], in->cr[i], &r, &g, &b);
      if (pt_clipped_channels(r, g, b) >= 2)
        continue;
    }
    n_sound++;
    if (pk->sat[i] < 0.12)
      continue;
    n_ripe += hue_in_range(pk->hue[i], p->ripe_hue);
    n_green += hue_in_range(pk->hue[i], p->green_hue);
  }
  if (n_sound > 0) {
    pk->out->ripe_fraction = (double)n_ripe / n_sound;
    pk->out->green_fraction = (double)n_green / n_sound;
  }
}

/* Labels @pk's defect candidates (in tmp, all within columns @bx0..@bx1 and rows
 * @by0..@by1), measures each region and records the ones that count; in photos the largest
 * calyx-like one is left out.  Only those rows are labelled (full rows are contiguous, and
 * labels go in raster order, so they are the labels the whole plane would get), and the
 * labels of the other rows are left unset: nothing reads them. */
static void
measure_candidates(PtPeel *pk, int bx0, int by0, int bx1, int by1)
{
  gsize off = (gsize)by0 * pk->w;
  int nreg =
      pt_label_components(pk->tmp + off, pk->w, by1 - by0 + 1, 1, pk->labels + off, pk->parent);
  Region *regs = collect_regions(pk, nreg, bx0, by0, bx1, by1);
  PtDefect *found = g_new0(PtDefect, MAX(nreg, 1));
  /* Of each region: 0 left out, KEEP counted, CALYX_LIKE counted unless it is the calyx. */
  enum { KEEP = 1, CALYX_LIKE = 2 };
  guint8 *keep = g_new0(guint8, MAX(nreg, 1));
  int calyx = -1;

  for (int l = 0; l < nreg; l++) {
    double elongation = 0;

    if (!measure_region(pk, &regs[l], l, &found[l], &elongation))
      continue;
    keep[l] = KEEP;
    if (pk->in->lab && is_calyx_like(pk, &regs[l], &found[l], elongation)) {
      gboolean grey = found[l].kind == PT_DEFECT_MOULD;

      keep[l] |= CALYX_LIKE;
      /* The largest, a dark one before a grey one: a calyx in focus is dark, and a grey
       * patch away from it is mould (one a warm lamp darkens). */
      if (calyx < 0 ||
          (grey == (found[calyx].kind == PT_DEFECT_MOULD) ? regs[l].n > regs[calyx].n : !grey))
        calyx = l;
    }
  }
  for (int l = 0; l < nreg; l++) {
    /* The calyx's other pieces (its button, its ring's shadow, a sepal), which a finer
     * crop resolves apart, lie within PT_PEEL_CALYX_SPREAD of the diameter of it. */
    if (!keep[l] || l == calyx ||
        (calyx >= 0 && (keep[l] & CALYX_LIKE) &&
         hypot((regs[l].x0 + regs[l].x1 - regs[calyx].x0 - regs[calyx].x1) / 2.0,
               (regs[l].y0 + regs[l].y1 - regs[calyx].y0 - regs[calyx].y1) / 2.0) <=
             PT_PEEL_CALYX_SPREAD * sqrt(4 * pk->shape->area_px / G_PI)))
      continue;
    record_defect(pk, &regs[l], l, &found[l]);
  }
  g_free(keep);
  g_free(found);
  g_free(regs);
}

/* Whether pixel @j is a highlight's or a lamp's core: clipped in a channel at least (a lamp
 * mirrored in an orange clips its red first) and washed out as mould is. */
static gboolean
is_lamp_light(const PtPeel *pk, gsize j)
{
  int r, g, b;

  pt_ycc_to_rgb(pk->in->y[j], pk->in->cb[j], pk->in->cr[j], &r, &g, &b);
  return pt_clipped_channels(r, g, b) > 0 &&
         pt_lab_chroma(pk->lab + 3 * j) < PT_PEEL_LAB_MOULD_CHROMA * pk->peel_c;
}

/* Grows the faded patches in @pk->tmp, breadth first (@pk->labels the queue), through the
 * pixels round them that would be faded under PT_PEEL_LAB_FADED_GROW_CHROMA of the local
 * chroma: a large scar lowers its own reference, so that only its core reads faded. */
static void
grow_faded(PtPeel *pk)
{
  gint32 *queue = pk->labels;
  gsize head = 0, tail = 0;
  int w = pk->w, h = pk->h;

  PT_PEEL_FOR_SPANS(pk, i)
  if (pk->tmp[i])
    queue[tail++] = (gint32)i;
  while (head < tail) {
    gsize i = (gsize)queue[head++];
    int x = (int)(i % w), y = (int)(i / w);
    gssize next[4] = {x > 0 ? (gssize)i - 1 : -1, x + 1 < w ? (gssize)i + 1 : -1,
                      y > 0 ? (gssize)i - w : -1, y + 1 < h ? (gssize)i + w : -1};

    for (int k = 0; k < 4; k++) {
      gssize j = next[k];

      if (j < 0 || pk->tmp[j] || !pk->inner[j] || pk->cls[j] != C_NONE ||
          !pt_peel_reads_faded(pk, (gsize)j, pk->ly[j] / MAX(pk->mean[j], 1.0),
                               px_chroma(pk, (gsize)j), PT_PEEL_LAB_FADED_GROW_CHROMA))
        continue;
      pk->tmp[j] = 1;
      queue[tail++] = (gint32)j;
    }
  }
}

/* How many pixels of region @r's box, one pixel wider, glint: PT_PEEL_LAB_GLINT_RATIO times as
 * light as their reference, counted on the full-resolution plane when there is one (in its
 * pixels, scaled to @pk's), where a glint is a pixel or two. */
static double
glints(const PtPeel *pk, const Region *r)
{
  const PtPeelInput *fin = pk->in->fine;
  int k = fin ? pk->in->fine_scale : 1;
  int x0 = MAX(0, r->x0 - 1), y0 = MAX(0, r->y0 - 1);
  int x1 = MIN(pk->w - 1, r->x1 + 1), y1 = MIN(pk->h - 1, r->y1 + 1);
  guint32 n = 0;

  for (int y = y0 * k; y < (y1 + 1) * k && (!fin || y < fin->h); y++)
    for (int x = x0 * k; x < (x1 + 1) * k && (!fin || x < fin->w); x++) {
      gsize i = (gsize)(y / k) * pk->w + x / k;
      double light;

      if (!pk->inner[i] || pk->mean[i] <= 0)
        continue;
      if (fin) {
        gsize j = (gsize)y * fin->w + x;
        float lab[3];

        if (!fin->mask[j])
          continue;
        pt_ycc_to_lab(fin->y[j], fin->cb[j], fin->cr[j], lab);
        light = 2.55 * lab[0];
      } else {
        light = pk->ly[i];
      }
      n += light > PT_PEEL_LAB_GLINT_RATIO * pk->mean[i];
    }
  return (double)n / (k * k);
}

/* Whether region @r (label @label in @pk->labels, its pixels set in @pk->tmp) has an edge: the
 * sound peel within PT_PEEL_LAB_FADED_RING of the short semi-axis round it holds
 * PT_PEEL_LAB_FADED_EDGE times its mean chroma.  The ring is the box's pixels within that
 * many of the region (a square's reach), dilated a row then a column at a time, through
 * @pk->near. */
static gboolean
has_edge(PtPeel *pk, const Region *r, int label)
{
  int w = pk->w, reach = MAX(2, (int)lround(PT_PEEL_LAB_FADED_RING * pk->shape->minor));
  int x0 = MAX(0, r->x0 - reach), y0 = MAX(0, r->y0 - reach);
  int x1 = MIN(w - 1, r->x1 + reach), y1 = MIN(pk->h - 1, r->y1 + reach);
  double in_sum = 0, ring_sum = 0;
  guint32 n_in = 0, n_ring = 0;

  /* near: whether a region pixel lies within reach along the row. */
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++) {
      guint8 v = 0;

      for (int u = MAX(x0, x - reach); u <= MIN(x1, x + reach) && !v; u++) {
        gsize j = (gsize)y * w + u;

        v = pk->tmp[j] && pk->labels[j] == label;
      }
      pk->near[(gsize)y * w + x] = v;
    }
  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++) {
      gsize i = (gsize)y * w + x;
      gboolean near = FALSE;

      if (pk->tmp[i]) {
        if (pk->labels[i] == label) {
          in_sum += px_chroma(pk, i);
          n_in++;
        }
        continue;
      }
      if (!pk->inner[i] || pk->cls[i] != C_NONE)
        continue;
      for (int v = MAX(y0, y - reach); v <= MIN(y1, y + reach) && !near; v++)
        near = pk->near[(gsize)v * w + x];
      if (near) {
        ring_sum += px_chroma(pk, i);
        n_ring++;
      }
    }
  return n_in > 0 && n_ring > 0 && ring_sum / n_ring >= PT_PEEL_LAB_FADED_EDGE * (in_sum / n_in);
}

/* Scars, once the other defects are recorded (their pixels stickers by then): patches of faded
 * pixels (C_FADED) and the pale pixels among them (too few for mould on their own), grown
 * through the peel round them that is nearly faded (grow_faded ()), more faded than pale, no
 * lighter than a scar, without a sheen's glints (glints ()), with an edge (has_edge ()), as
 * large as PT_PEEL_LAB_FADED_MIN_SHARE of the fruit, not a soft highlight or a lamp mirrored as a
 * line, and touching no lamp's light (pt-grade-tuning.h says why each): a light box's panel
 * mirrored in a glossy fruit fades the peel along its soft edge as a scar does (eval-real
 * --on-black --gloss panel: 54 more sound oranges of 530 took a scar before).  They are labelled
 * apart from the other candidates, so a faded rim never joins a dark or pale patch, or grows it
 * past its own limits.  On the coarse plane only (the fine one classifies no faded pixel): the
 * local chroma is taken on it. */
static void
find_scars(PtPeel *pk)
{
  gboolean any = FALSE;
  int nreg;
  Region *regs;

  if (!pk->faded)
    return;
  PT_PEEL_FOR_SPANS(pk, i)
  any |= (pk->cls[i] & C_FADED) != 0;
  if (!any)
    return;
  for (gsize i = 0; i < pk->n; i++)
    pk->tmp[i] = (pk->cls[i] & (C_FADED | C_PALE)) && !(pk->cls[i] & C_STICKER);
  close_candidates(pk);
  grow_faded(pk);
  nreg = pt_label_components(pk->tmp, pk->w, pk->h, 1, pk->labels, pk->parent);
  regs = collect_regions(pk, nreg, 0, 0, pk->w - 1, pk->h - 1);
  /* A patch touching a lamp's light is its halo. */
  for (int y = 1; y + 1 < pk->h; y++)
    for (int x = 1; x + 1 < pk->w; x++) {
      gsize i = (gsize)y * pk->w + x;

      if (pk->tmp[i] && (is_lamp_light(pk, i - 1) || is_lamp_light(pk, i + 1) ||
                         is_lamp_light(pk, i - pk->w) || is_lamp_light(pk, i + pk->w)))
        regs[pk->labels[i] - 1].n_faded = 0;
    }
  for (int l = 0; l < nreg; l++) {
    Region *r = &regs[l];
    PtDefect d;
    double elongation;

    if (r->n_faded <= r->n_pale || r->ratio_sum > PT_PEEL_LAB_FADED_MAX_LIGHT * r->n ||
        glints(pk, r) > PT_PEEL_LAB_GLINT_SHARE * r->n || !has_edge(pk, r, l + 1))
      continue;
    r->scar = TRUE;
    /* A calyx's patch, darker than the peel round it, is the calyx softened: a photo out of
     * focus or a small one mixes its dark ring into the olive sepals and the peel round them,
     * which then read duller than the peel and not dark enough to be dark, where a scar's buff
     * is as light as the peel round it or lighter. */
    if (!measure_region(pk, r, l, &d, &elongation) ||
        (is_calyx_like(pk, r, &d, elongation) &&
         r->ratio_sum < PT_PEEL_LAB_CALYX_FADED_LIGHT * r->n))
      continue;
    /* The other defects are measured on the fine plane, and their boxes are its pixels. */
    if (pk->in->fine) {
      d.x *= pk->in->fine_scale;
      d.y *= pk->in->fine_scale;
      d.width *= pk->in->fine_scale;
      d.height *= pk->in->fine_scale;
    }
    record_defect(pk, r, l, &d);
  }
  g_free(regs);
}

/* The planes of the analysis at full resolution, from the result's fine scratch buffers,
 * and the sound peel's colour as the coarse analysis @pk found it. */
static void
fine_init(PtPeel *fk, const PtPeel *pk)
{
  const PtPeelInput *fin = pk->in->fine;
  PtPeelResult *out = pk->out;
  int w = fin->w, h = fin->h;
  gsize n = (gsize)w * h;

  memset(fk, 0, sizeof *fk);
  fk->in = fin;
  fk->p = fin->profile;
  fk->shape = fin->shape;
  fk->out = out;
  fk->w = w;
  fk->h = h;
  fk->n = n;
  fk->mmpx2 = fin->mm_per_px * fin->mm_per_px;
  fk->hue = pt_models_buf_get(&out->b_fine_work, n * sizeof(float) * 6 + n * 4);
  fk->sat = fk->hue + n;
  fk->mean = fk->sat + n;
  fk->lab = fk->mean + n;
  fk->inner = (guint8 *)(fk->lab + 3 * n);
  fk->cls = fk->inner + n;
  fk->tmp = fk->inner + 2 * n;
  fk->ly = fin->lab ? fk->inner + 3 * n : fin->y;
  fk->labels = pt_models_buf_get(&out->b_fine_labels, n * sizeof(gint32));
  fk->parent = pt_models_buf_get(&out->b_fine_parent, (n + 4) * sizeof(gint32));
  fk->uvz = pt_models_buf_get(&out->b_fine_basis, 3 * n * sizeof(double));
  axes_init(&fk->axes, fk->shape);
  fk->peel_hue = pk->peel_hue;
  fk->peel_sat = pk->peel_sat;
  fk->peel_y = pk->peel_y;
  fk->peel_l = pk->peel_l;
  fk->peel_a = pk->peel_a;
  fk->peel_b = pk->peel_b;
  fk->peel_c = pk->peel_c;
  fk->peel_h = pk->peel_h;
  fk->pale_face = pk->pale_face;
  fk->clipped_face = pk->clipped_face;
}

/* The coarse local mean at fine pixel (@fx, @fy): bilinear between the centres of the
 * coarse pixels round it that have one (inner peel); -1 when none has. */
static float
fine_local_mean(const PtPeel *pk, int k, int fx, int fy)
{
  double u = (fx + 0.5) / k - 0.5, v = (fy + 0.5) / k - 0.5;
  int x0 = (int)floor(u), y0 = (int)floor(v);
  double ax = u - x0, ay = v - y0, sum = 0, wsum = 0;

  for (int dy = 0; dy < 2; dy++)
    for (int dx = 0; dx < 2; dx++) {
      int x = CLAMP(x0 + dx, 0, pk->w - 1), y = CLAMP(y0 + dy, 0, pk->h - 1);
      double wgt = (dx ? ax : 1 - ax) * (dy ? ay : 1 - ay);
      float m = pk->lmean[(gsize)y * pk->w + x];

      if (m > 0 && wgt > 0) {
        sum += wgt * m;
        wsum += wgt;
      }
    }
  return wsum > 0 ? (float)(sum / wsum) : -1.0f;
}

/* Classifies the fine pixels of the inner peel that lie within one coarse pixel of a
 * defect candidate (coarse tmp), against the coarse peel colour, shading model and an
 * interpolated local mean, then measures and records their regions at full resolution:
 * the coarse pass finds where defects are, the fine one how large they are.  Recorded
 * defects are marked on the coarse classes too, so the colour coverage leaves them out. */
static void
refine_candidates(PtPeel *pk)
{
  const PtPeelInput *fin = pk->in->fine;
  int k = pk->in->fine_scale, cw = pk->w, ch = pk->h;
  gboolean lab = fin->lab;
  double min_dl = lab ? 2.55 * PT_PEEL_LAB_MIN_DL : 8;
  PtPeel fk;
  gboolean any = FALSE;
  int *cx, bx0 = cw, by0 = ch, bx1 = -1, by1 = -1, fx0, fy0, fx1, fy1;

  /* Seeds: the candidates, and inner pixels whose darkest fine pixel is dark against the
   * pixel's darker reference (left in mean by the classes) by the rules' dark test. */
  /* Candidates are inner pixels (the closing adds inner ones only), so outside the row
   * spans every seed is 0. */
  memset(pk->labels, 0, pk->n * sizeof(gint32));
  PT_PEEL_FOR_SPANS(pk, c)
  {
    double m = pk->mean[c];

    pk->labels[c] = pk->tmp[c];
    if (pk->tmp[c] || !pk->inner[c] || (pk->cls[c] & C_STICKER) || m <= 0)
      continue;
    pk->labels[c] = pk->in->dark[c] < pk->p->dark_ratio * m && m - pk->in->dark[c] >= min_dl;
  }
  /* ... dilated by one coarse pixel: a row pass, then a column pass.  Seeds are 0 or 1, so
   * an OR of the neighbours is the "any of them" test; without branches GCC vectorises the
   * rows. */
  for (int y = 0; y < ch; y++) {
    const gint32 *row = pk->labels + (gsize)y * cw;
    guint8 *out = pk->near + (gsize)y * cw;

    if (cw == 1) {
      out[0] = row[0] != 0;
      continue;
    }
    out[0] = (row[0] | row[1]) != 0;
    for (int x = 1; x + 1 < cw; x++)
      out[x] = (row[x - 1] | row[x] | row[x + 1]) != 0;
    out[cw - 1] = (row[cw - 2] | row[cw - 1]) != 0;
  }
  for (int y = 0; y < ch; y++) {
    guint8 *cur = pk->near + (gsize)y * cw, rany = 0;
    /* Past the plane's edge the row itself stands in, masked out. */
    const guint8 *up = y > 0 ? cur - cw : cur, *dn = y + 1 < ch ? cur + cw : cur;
    guint8 mu = y > 0, md = y + 1 < ch;

    /* Bit 1 marks the result, so the rows below still read this row's own pass in bit 0
     * (this row holds 0 or 1 until it is marked). */
    for (int x = 0; x < cw; x++) {
      guint8 nb = cur[x] | (up[x] & mu) | (dn[x] & md);

      cur[x] = (guint8)(cur[x] | (nb << 1));
      rany |= nb;
    }
    if (!rany)
      continue;
    any = TRUE;
    by0 = MIN(by0, y);
    by1 = y;
    for (int x = 0; x < cw; x++)
      if (cur[x] & 2) {
        bx0 = MIN(bx0, x);
        break;
      }
    for (int x = cw - 1; x >= 0; x--)
      if (cur[x] & 2) {
        bx1 = MAX(bx1, x);
        break;
      }
  }
  if (!any)
    return;
  fine_init(&fk, pk);
  /* The fine box [fx0, fx1] x [fy0, fy1]: the fine pixels of the coarse box of near pixels
   * (the last coarse column and row take the fine ones past k * cw and k * ch), widened by
   * two.  Only near pixels get a class other than C_NONE or C_STICKER, so the candidates,
   * the pixels the closing looks at (within one of a candidate) and the regions all lie
   * within one pixel of that box: outside it the classes only have to hold no candidate,
   * and C_NONE does (the classes the whole plane used to hold there were C_NONE, or
   * C_STICKER on a coarse pixel that is already a sticker, which the copy back at the end
   * only re-marked as one; the colour coverage reads no more than the sticker bit).  The
   * hue, saturation, mean, basis and L* planes are written at near pixels only, as before. */
  fx0 = MAX(0, bx0 * k - 2);
  fy0 = MAX(0, by0 * k - 2);
  fx1 = bx1 == cw - 1 ? fk.w - 1 : MIN(fk.w - 1, (bx1 + 1) * k + 1);
  fy1 = by1 == ch - 1 ? fk.h - 1 : MIN(fk.h - 1, (by1 + 1) * k + 1);
  memset(fk.cls, C_NONE, fk.n);
  /* The band of rows the closing reads (find_defect_candidates()) is not inner peel beyond
   * the box's columns: the buffer is reused from fruit to fruit. */
  memset(fk.inner + (gsize)fy0 * fk.w, 0, (gsize)(fy1 - fy0 + 1) * fk.w);
  /* The coarse column of each fine column, once: a division a pixel otherwise. */
  cx = g_new(int, MAX(fk.w, 1));
  for (int fx = 0; fx < fk.w; fx++)
    cx[fx] = MIN(fx / k, cw - 1);
  for (int fy = fy0; fy <= fy1; fy++) {
    int cy = MIN(fy / k, ch - 1);

    for (int fx = fx0; fx <= fx1; fx++) {
      gsize i = (gsize)fy * fk.w + fx, c = (gsize)cy * cw + cx[fx];
      double b[NB];
      int v;

      fk.inner[i] = fin->mask[i] && pk->inner[c];
      fk.cls[i] = C_NONE;
      if (!fk.inner[i])
        continue;
      if (pk->cls[c] & C_STICKER) {
        fk.cls[i] = C_STICKER;
        continue;
      }
      if (!(pk->near[c] & 2))
        continue;
      {
        double hh, ss;

        ycc_hue_sat(fin->y[i], fin->cb[i], fin->cr[i], &hh, &ss, &v);
        fk.hue[i] = (float)hh;
        fk.sat[i] = (float)ss;
      }
      if (lab) {
        float *p = fk.lab + 3 * i;

        pt_ycc_to_lab(fin->y[i], fin->cb[i], fin->cr[i], p);
        ((guint8 *)fk.ly)[i] = (guint8)CLAMP(lrintf(p[0] * 2.55f), 0, 255);
      }
      pt_peel_basis(&fk.axes, fx + 0.5, fy + 0.5, b);
      fk.uvz[3 * i] = b[2];
      fk.uvz[3 * i + 1] = b[3];
      fk.uvz[3 * i + 2] = b[1];
      fk.mean[i] = fine_local_mean(pk, k, fx, fy);
      fk.cls[i] = lab ? pt_peel_class_lab(&fk, &pk->shading, i) : pixel_class(&fk, &pk->shading, i);
      /* Gloss or mould was settled on the coarse patch's extent. */
      if (fk.cls[i] == C_GLOSS)
        fk.cls[i] = pk->cls[c] == C_PALE ? C_PALE : C_NONE;
    }
  }
  /* The candidates of the box's rows only (a band of full rows is contiguous): the closing
   * leaves the band's first and last rows alone, as it left those rows of the whole plane
   * (no candidate lies within one of them, or they are the plane's own edge rows), and the
   * rows outside the band hold no candidate. */
  {
    PtPeel band = fk;
    gsize off = (gsize)fy0 * fk.w;

    band.cls += off;
    band.inner += off;
    band.tmp += off;
    band.h = fy1 - fy0 + 1;
    band.n = (gsize)band.h * fk.w;
    find_defect_candidates(&band);
    memset(fk.tmp, 0, off);
    memset(fk.tmp + off + band.n, 0, fk.n - off - band.n);
  }
  measure_candidates(&fk, fx0, fy0, fx1, fy1);
  for (int fy = fy0; fy <= fy1; fy++) {
    const guint8 *frow = fk.cls + (gsize)fy * fk.w;
    guint8 *crow = pk->cls + (gsize)MIN(fy / k, ch - 1) * cw;

    for (int fx = fx0; fx <= fx1; fx++)
      if (frow[fx] == C_STICKER)
        crow[cx[fx]] = C_STICKER;
  }
  g_free(cx);
}

void
pt_peel_coarse(const PtPeelInput *fine, int k, guint8 *y, guint8 *cb, guint8 *cr, guint8 *mask,
               guint8 *dark)
{
  int w = fine->w / k, h = fine->h / k, kk = k * k;
  gsize fw = fine->w;

  if (k == 2 && !fine->lab) {
    /* PT_PEEL_COARSE_STEP's 2x2 block row by row without branches: the same sums, rounded
     * as below ((s + 2) / 4 of a sum that is not negative), and the darkest pixel's luma
     * is the block's smallest, whichever of equal ones the loop below picks; without
     * fine->lab nothing else of that pixel is read. */
    for (int j = 0; j < h; j++) {
      gsize f = (gsize)j * 2 * fw, o = (gsize)j * w;
      const guint8 *y0 = fine->y + f, *y1 = y0 + fw, *b0 = fine->cb + f, *b1 = b0 + fw;
      const guint8 *r0 = fine->cr + f, *r1 = r0 + fw, *m0 = fine->mask + f, *m1 = m0 + fw;

      for (int i = 0; i < w; i++) {
        int a = y0[2 * i], b = y0[2 * i + 1], c = y1[2 * i], d = y1[2 * i + 1];

        y[o + i] = (guint8)((a + b + c + d + 2) >> 2);
        cb[o + i] = (guint8)((b0[2 * i] + b0[2 * i + 1] + b1[2 * i] + b1[2 * i + 1] + 2) >> 2);
        cr[o + i] = (guint8)((r0[2 * i] + r0[2 * i + 1] + r1[2 * i] + r1[2 * i + 1] + 2) >> 2);
        mask[o + i] = 2 * (m0[2 * i] + m0[2 * i + 1] + m1[2 * i] + m1[2 * i + 1]) >= 4;
        dark[o + i] = (guint8)MIN(MIN(a, b), MIN(c, d));
      }
    }
    return;
  }
  for (int j = 0; j < h; j++)
    for (int i = 0; i < w; i++) {
      int sy = 0, scb = 0, scr = 0, sm = 0;
      gsize o = (gsize)j * w + i, darkest = 0;

      if (k == 2) {
        /* PT_PEEL_COARSE_STEP's 2x2 block unrolled: the same sums, and the darkest pixel
         * the first of the smallest in raster order as the loop below finds it. */
        gsize f = (gsize)j * 2 * fw + (gsize)i * 2, q[4] = {f, f + 1, f + fw, f + fw + 1};

        darkest = f;
#pragma GCC unroll 4
        for (int t = 0; t < 4; t++) {
          sy += fine->y[q[t]];
          scb += fine->cb[q[t]];
          scr += fine->cr[q[t]];
          sm += fine->mask[q[t]];
          if (fine->y[q[t]] < fine->y[darkest])
            darkest = q[t];
        }
      } else
        for (int dy = 0; dy < k; dy++) {
          gsize f = (gsize)(j * k + dy) * fine->w + (gsize)i * k;

          for (int dx = 0; dx < k; dx++) {
            sy += fine->y[f + dx];
            scb += fine->cb[f + dx];
            scr += fine->cr[f + dx];
            sm += fine->mask[f + dx];
            if ((dx == 0 && dy == 0) || fine->y[f + dx] < fine->y[darkest])
              darkest = f + dx;
          }
        }
      y[o] = (guint8)((sy + kk / 2) / kk);
      cb[o] = (guint8)((scb + kk / 2) / kk);
      cr[o] = (guint8)((scr + kk / 2) / kk);
      mask[o] = 2 * sm >= kk;
      dark[o] = fine->y[darkest];
      if (fine->lab) {
        float lab[3];

        pt_ycc_to_lab(fine->y[darkest], fine->cb[darkest], fine->cr[darkest], lab);
        dark[o] = (guint8)CLAMP(lrintf(lab[0] * 2.55f), 0, 255);
      }
    }
}

void
pt_peel_analyse(const PtPeelInput *in, PtPeelResult *out)
{
  PtPeel pk;

  peel_result_reset(out);
  if (in->shape->area_px < 16)
    return;
  peel_init(&pk, in, out);
  find_inner_peel(&pk);
  if (!find_peel_colour(&pk))
    return;
  if (in->lab)
    pt_peel_find_lab(&pk);
  pt_peel_fill_uvz(&pk);
  classify_pixels(&pk);
  pt_peel_settle_gloss(&pk);
  cut_out_stickers(&pk);
  find_defect_candidates(&pk);
  if (in->fine)
    refine_candidates(&pk);
  else
    measure_candidates(&pk, 0, 0, pk.w - 1, pk.h - 1);
  find_scars(&pk);
  colour_coverage(&pk);
}
