/* pt-roi.c: finding the one fruit inside a given box (grade --roi, a detector's boxes),
 * without a belt model: the background may be a table, a cloth, a light box or other
 * fruit.
 *
 * A box holds one fruit and its middle is that fruit's peel, so the peel colour is seeded
 * from the box's middle (median CIE Lab) and the fruit is the region of that colour
 * connected to the middle: every pixel's colour difference from the seed (lightness
 * down-weighted, a sphere's shading is mostly lightness) is split in two by Otsu's
 * threshold over the box, the component holding most of the middle is kept and its holes
 * (defects inside the peel) filled.  In a box looser than the fruit that region also holds
 * what is unlike the background next to the fruit (its shadow) and neighbours of its
 * colour, so when the middle's colour makes up most of it the fruit is that colour's part,
 * neighbours cut off by shape: the union of large discs joined to the largest near the
 * middle (keep_body ()).  The caller cuts off what clings to it and takes the convex hull,
 * so a defect on the outline still counts as fruit.  A box drawn off the fruit's centre may
 * have a lesion at its middle; a region of the middle's colour enclosed by a more
 * chromatic peel is that, and the fruit is grown again from the peel round it
 * (middle_is_lesion (): one more pass over the box).  Thresholds live in
 * pt-grade-tuning.h.  Cost: one Lab conversion and a few passes over the crop, which
 * PT_ANALYSIS_MAX_SIDE bounds; keep_body () adds three chamfer distance transforms and a
 * labelling of it (about 15% of a 12-box photo's grading). */
#include "pt-grade-tuning.h"
#include "pt-internal.h"

#include <math.h>
#include <string.h>

static float srgb_linear[256];

static gpointer
init_tables(gpointer data)
{
  (void)data;
  for (int i = 0; i < 256; i++) {
    double c = i / 255.0;

    srgb_linear[i] = (float)(c <= 0.04045 ? c / 12.92 : pow((c + 0.055) / 1.055, 2.4));
  }
  return NULL;
}

static inline float
lab_f(float t)
{
  return t > 0.008856f ? cbrtf(t) : 7.787f * t + 16.0f / 116.0f;
}

/* Recent conversions, per thread: a photo's crop repeats its colours (a peel's few
 * thousand shades over tens of thousands of pixels), and three cube roots cost far more than
 * a look-up.  Direct-mapped on the YCbCr triple; a hit returns the very floats a conversion
 * returned, so results do not depend on the cache. */
#define LAB_CACHE_BITS 12
typedef struct {
  guint32 key; /* (y << 16 | cb << 8 | cr) + 1; 0 empty */
  float lab[3];
} LabCacheEntry;
static __thread LabCacheEntry lab_cache[1 << LAB_CACHE_BITS];

static void
ycc_to_lab(int y, int cb, int cr, float lab[3])
{
  static GOnce once = G_ONCE_INIT;
  int r8, g8, b8;

  g_once(&once, init_tables, NULL);
  pt_ycc_to_rgb(y, cb, cr, &r8, &g8, &b8);
  pt_linear_to_lab(srgb_linear[r8], srgb_linear[g8], srgb_linear[b8], lab);
}

void
pt_linear_to_lab(float r, float g, float b, float lab[3])
{
  /* sRGB to XYZ, normalised by the D65 white. */
  float fx = lab_f((0.4124f * r + 0.3576f * g + 0.1805f * b) / 0.95047f);
  float fy = lab_f(0.2126f * r + 0.7152f * g + 0.0722f * b);
  float fz = lab_f((0.0193f * r + 0.1192f * g + 0.9505f * b) / 1.08883f);

  lab[0] = 116.0f * fy - 16.0f;
  lab[1] = 500.0f * (fx - fy);
  lab[2] = 200.0f * (fy - fz);
}

void
pt_ycc_to_lab(int y, int cb, int cr, float lab[3])
{
  guint32 key = ((guint32)y << 16 | (guint32)cb << 8 | (guint32)cr) + 1;
  LabCacheEntry *e = &lab_cache[(key * 2654435761u) >> (32 - LAB_CACHE_BITS)];

  if (e->key != key) {
    ycc_to_lab(y, cb, cr, e->lab);
    e->key = key;
  }
  memcpy(lab, e->lab, sizeof e->lab);
}

/* Otsu's threshold of a 256-bin histogram: the split that maximises the variance between
 * the two classes; @contrast gets the distance between the two classes' means. */
static int
otsu(const guint32 *hist, double *contrast)
{
  double total = 0, sum = 0, w0 = 0, s0 = 0, best = -1;

  *contrast = 0;
  int t_best = 0;

  for (int i = 0; i < 256; i++) {
    total += hist[i];
    sum += (double)i * hist[i];
  }
  for (int t = 0; t < 255; t++) {
    double w1, m0, m1, between;

    w0 += hist[t];
    s0 += (double)t * hist[t];
    w1 = total - w0;
    if (w0 == 0 || w1 == 0)
      continue;
    m0 = s0 / w0;
    m1 = (sum - s0) / w1;
    between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > best) {
      best = between;
      t_best = t;
      *contrast = m1 - m0;
    }
  }
  return t_best + 1;
}

static gboolean
in_seed(const PtRoiBox *box, int x, int y)
{
  double cx = 0.5 * (box->x0 + box->x1), cy = 0.5 * (box->y0 + box->y1);
  double rx = PT_ROI_SEED_FRACTION * 0.5 * (box->x1 - box->x0);
  double ry = PT_ROI_SEED_FRACTION * 0.5 * (box->y1 - box->y0);
  double u = (x + 0.5 - cx) / MAX(rx, 0.5), v = (y + 0.5 - cy) / MAX(ry, 0.5);

  return u * u + v * v <= 1.0;
}

/* Inside the ellipse inscribed in the box, widened by @margin. */
static gboolean
in_ellipse(const PtRoiBox *box, int x, int y, double margin)
{
  double cx = 0.5 * (box->x0 + box->x1), cy = 0.5 * (box->y0 + box->y1);
  double rx = margin * 0.5 * (box->x1 - box->x0);
  double ry = margin * 0.5 * (box->y1 - box->y0);
  double u = (x + 0.5 - cx) / MAX(rx, 0.5), v = (y + 0.5 - cy) / MAX(ry, 0.5);

  return u * u + v * v <= 1.0;
}

/* Keeps the fruit within the box's ellipse: a neighbour's edge in a corner of the box has
 * the same colour and touches the fruit.  Where the fruit's colour goes on past the
 * ellipse or the box, the outline is cut (@foreign), elsewhere it is the fruit's own. */
static void
clip_to_ellipse(const PtRoiInput *in, guint8 *mask, guint8 *foreign)
{
  const PtRoiBox *box = &in->box;
  int w = in->w, h = in->h;

  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      gsize k = (gsize)y * w + x;
      gboolean in_box = x >= box->x0 && y >= box->y0 && x < box->x1 && y < box->y1;
      gboolean inside = in_box && in_ellipse(box, x, y, PT_ROI_ELLIPSE_MARGIN);

      foreign[k] = !in_box || (!inside && mask[k]);
      if (!inside)
        mask[k] = 0;
    }
}

/* Mould and rot differ from the peel's colour as much as the background does, so the
 * peel's colour alone loses them.  The background is sampled where the box holds no fruit:
 * its corners outside the inscribed ellipse, where the colour is not the peel's (all of
 * them without @dq); when there is enough of it, every pixel unlike its median colour is
 * taken as fruit too. */
static void
add_unlike_background(const PtRoiInput *in, const float *lab, const guint8 *dq, int split,
                      guint8 *mask)
{
  const PtRoiBox *box = &in->box;
  int w = in->w;
  guint32 hl[101] = {0}, ha[256] = {0}, hb[256] = {0}, n_bg = 0;
  double box_area = (double)(box->x1 - box->x0) * (box->y1 - box->y0);
  float bl, ba, bb;
  double limit;

  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;
      const float *p = lab + 3 * k;

      if ((dq && dq[k] < split) || in_ellipse(box, x, y, 1.0))
        continue;
      hl[CLAMP((int)lrintf(p[0]), 0, 100)]++;
      ha[CLAMP((int)lrintf(p[1]) + 128, 0, 255)]++;
      hb[CLAMP((int)lrintf(p[2]) + 128, 0, 255)]++;
      n_bg++;
    }
  if (n_bg < PT_ROI_MIN_BACKGROUND * box_area)
    return;
  bl = (float)pt_hist_median(hl, 101, n_bg);
  ba = (float)(pt_hist_median(ha, 256, n_bg) - 128);
  bb = (float)(pt_hist_median(hb, 256, n_bg) - 128);
  /* The background's own spread sets how far "unlike" is: a plain light box or paper
   * lets faint grey mould stand out, a grained table needs more. */
  {
    guint32 hs[256] = {0};
    guint32 acc = 0;
    int q = 0;

    for (int y = box->y0; y < box->y1; y++)
      for (int x = box->x0; x < box->x1; x++) {
        gsize k = (gsize)y * w + x;
        const float *p = lab + 3 * k;
        float dl = PT_ROI_BG_L_WEIGHT * (p[0] - bl), da = p[1] - ba, db = p[2] - bb;

        if ((dq && dq[k] < split) || in_ellipse(box, x, y, 1.0))
          continue;
        hs[MIN(255, (int)lrintf(2.0f * sqrtf(dl * dl + da * da + db * db)))]++;
      }
    while (q < 255 && (acc += hs[q]) < PT_ROI_BG_QUANTILE * n_bg)
      q++;
    limit = CLAMP(PT_ROI_BG_SPREAD * 0.5 * q, PT_ROI_BG_DE_MIN, PT_ROI_BG_DE_MAX);
  }
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;
      const float *p = lab + 3 * k;
      float dl = PT_ROI_BG_L_WEIGHT * (p[0] - bl), da = p[1] - ba, db = p[2] - bb;

      if (dl * dl + da * da + db * db > limit * limit)
        mask[k] = 1;
    }
}

/* Keeps in @mask the component holding most of the box's middle, holes filled; FALSE when
 * the mask is empty. */
static gboolean
keep_middle(const PtRoiInput *in, guint8 *mask, gint32 *labels, gint32 *parent)
{
  const PtRoiBox *box = &in->box;
  int w = in->w, h = in->h, nlab, best = 0;
  gsize n = (gsize)w * h;
  guint32 *in_middle;

  nlab = pt_label_components(mask, w, h, 1, labels, parent);
  if (nlab == 0)
    return FALSE;
  in_middle = g_new0(guint32, (gsize)nlab + 1);
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gint32 l = labels[(gsize)y * w + x];

      if (l > 0 && in_seed(box, x, y))
        in_middle[l]++;
    }
  for (int l = 1; l <= nlab; l++)
    if (best == 0 || in_middle[l] > in_middle[best])
      best = l;
  g_free(in_middle);
  for (gsize k = 0; k < n; k++)
    mask[k] = labels[k] == best;
  pt_fill_holes(mask, w, h, labels);
  return TRUE;
}

/* Share of the box's corners (outside its inscribed ellipse) that @mask covers, counting
 * only pixels of the middle's colour when @dq is given. */
static double
corner_fill(const PtRoiInput *in, const guint8 *mask, const guint8 *dq, int split)
{
  const PtRoiBox *box = &in->box;
  double n_corner = 0, n_filled = 0;

  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * in->w + x;

      if (in_ellipse(box, x, y, 1.0))
        continue;
      n_corner++;
      n_filled += mask[k] && (!dq || dq[k] < split);
    }
  return n_corner > 0 ? n_filled / n_corner : 0;
}

/* Cuts off the neighbours the fruit's colour runs into (another fruit, a peeled segment,
 * a banana): a fruit is round, so its body is where the distance to its outline is large,
 * and a neighbour joins it through a neck narrower than the fruit.  The fruit's inscribed
 * disc is the largest near the box's middle (radius R); the fruit is then the union of the
 * discs of radius PT_ROI_LOBE_RADIUS * R that lie in the region and are joined to that
 * disc's centre (an opening by reconstruction): a round or elliptical fruit, cut by the
 * box or not, is such a union, a neighbour narrower than the disc or joined by a narrower
 * neck is not (a watershed of the distance would split at the same necks; the discs need
 * no merge rule).  @tmp is a scratch plane; @dist and @parent labelling scratch.  Cost: two
 * chamfer distance transforms and one labelling of the crop. */
static void
cut_neighbours(const PtRoiInput *in, guint8 *mask, guint8 *tmp, gint32 *dist, gint32 *parent)
{
  const PtRoiBox *box = &in->box;
  int w = in->w, h = in->h;
  gsize n = (gsize)w * h, at = 0;
  gint32 r_max = 0, r3, keep;
  double a_all = 0, a_cut = 0;

  pt_distance_transform(mask, w, h, TRUE, dist);
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;

      if (dist[k] > r_max && in_seed(box, x, y)) {
        r_max = dist[k];
        at = k;
      }
    }
  r3 = (gint32)(PT_ROI_LOBE_RADIUS * r_max);
  /* Below a few pixels the opening would only cut the outline's JPEG noise. */
  if (r3 < 3 * PT_ROI_LOBE_MIN_PX)
    return;
  for (gsize k = 0; k < n; k++)
    tmp[k] = dist[k] >= r3;
  pt_label_components(tmp, w, h, 1, dist, parent);
  keep = dist[at];
  /* The discs' centres joined to the middle's, then every pixel within R' of one. */
  for (gsize k = 0; k < n; k++)
    tmp[k] = dist[k] != keep;
  pt_distance_transform(tmp, w, h, FALSE, dist);
  /* A box holds one fruit and at most the edges of others: cutting off more than that is
   * cutting the fruit itself, whose colour the middle's is not all over (rot, mould). */
  for (gsize k = 0; k < n; k++) {
    a_all += mask[k];
    a_cut += mask[k] && dist[k] > r3;
  }
  if (a_cut > PT_ROI_LOBE_MAX_CUT * a_all)
    return;
  for (gsize k = 0; k < n; k++)
    if (dist[k] > r3)
      mask[k] = 0;
}

/* The fruit's outline is its peel's: in a loose box the region unlike the background also
 * holds the fruit's shadow, a fold of the paper, a neighbour's sticker, and the convex hull
 * taken of it then calls that background a defect.  So when the middle's colour makes up
 * most of the region joined to the middle within the box's ellipse (at least
 * PT_ROI_BODY_MIN_SHARE: the middle is peel, not a lesion), the fruit is that colour's part
 * of it, neighbours cut off (cut_neighbours ()), with the region's pixels within
 * PT_ROI_LIMB_PX of it (the limb), holes filled: what differs from both peel and
 * background inside it (mould, rot, a dark spot) stays fruit, and the caller's convex hull
 * takes in what bites into the outline.  FALSE, @mask untouched, otherwise.
 * @dq (the colour difference from the middle) is used up; @body is a scratch plane. */
static gboolean
keep_body(const PtRoiInput *in, guint8 *mask, guint8 *dq, int split, guint8 *body, gint32 *labels,
          gint32 *parent)
{
  const PtRoiBox *box = &in->box;
  int w = in->w, h = in->h;
  gsize n = (gsize)w * h;
  double a_mask = 0, a_body = 0;

  memset(body, 0, n);
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;
      gboolean inside = mask[k] && in_ellipse(box, x, y, PT_ROI_ELLIPSE_MARGIN);

      body[k] = inside && dq[k] < split;
      a_mask += inside;
    }
  pt_fill_holes(body, w, h, labels);
  for (gsize k = 0; k < n; k++)
    a_body += body[k];
  /* Joined to the middle or not, a piece of the peel's colour is the fruit's only if
   * cut_neighbours () keeps it: it keeps what is joined to the disc at the middle. */
  if (a_body == 0 || a_body < PT_ROI_BODY_MIN_SHARE * a_mask)
    return FALSE;
  cut_neighbours(in, body, dq, labels, parent);
  for (gsize k = 0; k < n; k++)
    dq[k] = !body[k];
  pt_distance_transform(dq, w, h, FALSE, labels);
  for (gsize k = 0; k < n; k++)
    mask[k] = body[k] || (mask[k] && labels[k] <= 3 * PT_ROI_LIMB_PX);
  pt_fill_holes(mask, w, h, labels);
  return TRUE;
}

/* Grows the fruit from the peel colour @seed: @dq gets every box pixel's colour difference
 * from it (half units), @mask the region of that colour joined to the middle with what is
 * unlike the background, holes filled.  PT_ROI_NOT_FRUIT when nothing stands out. */
static PtRoiVerdict
grow_from_seed(const PtRoiInput *in, const float *lab, const float seed[3], guint8 *mask,
               guint8 *dq, int *split_out, gint32 *labels, gint32 *parent)
{
  const PtRoiBox *box = &in->box;
  int w = in->w;
  guint32 hd[256] = {0};
  int split;
  double contrast;

  memset(mask, 0, (gsize)in->w * in->h);
  /* Colour difference from the seed, in half units so a 256-bin histogram spans 0..127. */
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;
      const float *p = lab + 3 * k;
      float dl = PT_ROI_L_WEIGHT * (p[0] - seed[0]), da = p[1] - seed[1], db = p[2] - seed[2];
      int d = (int)lrintf(2.0f * sqrtf(dl * dl + da * da + db * db));

      dq[k] = (guint8)MIN(d, 255);
      hd[dq[k]]++;
    }
  split = otsu(hd, &contrast);
  /* Nothing in the box stands out from its middle: an empty belt or tray. */
  if (contrast < 2 * PT_ROI_MIN_CONTRAST)
    return PT_ROI_NOT_FRUIT;
  split = CLAMP(split, (int)(2 * PT_ROI_SPLIT_MIN), (int)(2 * PT_ROI_SPLIT_MAX));
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;

      mask[k] = dq[k] < split;
    }
  add_unlike_background(in, lab, dq, split, mask);
  *split_out = split;
  return keep_middle(in, mask, labels, parent) ? PT_ROI_FOUND : PT_ROI_NOT_FRUIT;
}

/* A box drawn off the fruit's centre may have a lesion at its middle (a mould or rot patch
 * of a rotten fruit), which the region grown from the middle then takes for the fruit,
 * its peel for the background.  The region is then enclosed by peel: the pixels just
 * outside its outline within the box's ellipse (PT_ROI_RING_PX from it, past the blurred
 * edge) are mostly (PT_ROI_LESION_ENCLOSED) of a peel's chroma and well above the middle's
 * (PT_ROI_LESION_CHROMA_GAP), where a fruit's own region borders background, shadow or a
 * neighbour on one side.  TRUE with @peel the median colour of that ring. */
static gboolean
middle_is_lesion(const PtRoiInput *in, const float *lab, const guint8 *mask, const float seed[3],
                 float peel[3])
{
  const PtRoiBox *box = &in->box;
  int w = in->w, r = PT_ROI_RING_PX;
  guint32 hl[101] = {0}, ha[256] = {0}, hb[256] = {0}, n_ring = 0, n_peel = 0;
  float c_seed = hypotf(seed[1], seed[2]);

  for (int y = MAX(box->y0, r); y < MIN(box->y1, in->h - r); y++)
    for (int x = MAX(box->x0, r); x < MIN(box->x1, w - r); x++) {
      gsize k = (gsize)y * w + x;
      const float *p = lab + 3 * k;
      float c;

      /* The cheap tests first: most of the box is inside the region or far from it. */
      if (mask[k] ||
          !(mask[k - r] || mask[k + r] || mask[k - (gsize)r * w] || mask[k + (gsize)r * w]) ||
          !in_ellipse(box, x, y, 1.0))
        continue;
      n_ring++;
      c = hypotf(p[1], p[2]);
      if (c < PT_ROI_PILE_CHROMA || c < c_seed + PT_ROI_LESION_CHROMA_GAP)
        continue;
      n_peel++;
      hl[CLAMP((int)lrintf(p[0]), 0, 100)]++;
      ha[CLAMP((int)lrintf(p[1]) + 128, 0, 255)]++;
      hb[CLAMP((int)lrintf(p[2]) + 128, 0, 255)]++;
    }
  if (n_ring == 0 || n_peel < PT_ROI_LESION_ENCLOSED * n_ring)
    return FALSE;
  peel[0] = (float)pt_hist_median(hl, 101, n_peel);
  peel[1] = (float)(pt_hist_median(ha, 256, n_peel) - 128);
  peel[2] = (float)(pt_hist_median(hb, 256, n_peel) - 128);
  return TRUE;
}

/* The bounds x0, y0, x1, y1 (crop pixels, inclusive) of @mask within the box; FALSE when
 * it is empty there. */
static gboolean
region_bounds(const PtRoiInput *in, const guint8 *mask, int bounds[4])
{
  const PtRoiBox *box = &in->box;

  bounds[0] = box->x1;
  bounds[1] = box->y1;
  bounds[2] = box->x0 - 1;
  bounds[3] = box->y0 - 1;
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++)
      if (mask[(gsize)y * in->w + x]) {
        bounds[0] = MIN(bounds[0], x);
        bounds[1] = MIN(bounds[1], y);
        bounds[2] = MAX(bounds[2], x);
        bounds[3] = MAX(bounds[3], y);
      }
  return bounds[2] >= bounds[0];
}

/* A region (@mask, @area pixels, or counted when @area < 0) covering less than
 * PT_ROI_MIN_COVER of its box is still the box's fruit when it lies alone in it: a photo of
 * one fruit in a light box, graded with the whole photo as its box, shows the fruit at a
 * fifth to a half of the photo's width.  It is then clear of the box's sides all round,
 * round (it fills most of the ellipse inscribed in its own bounds) and not elongated, where
 * a leaf is long and a shadow or a stain is ragged. */
static gboolean
lone_fruit(const PtRoiInput *in, const guint8 *mask, double area)
{
  const PtRoiBox *box = &in->box;
  double box_area = (double)(box->x1 - box->x0) * (box->y1 - box->y0);
  int b[4], bw, bh;

  if (!region_bounds(in, mask, b))
    return FALSE;
  if (area < 0) {
    area = 0;
    for (int y = b[1]; y <= b[3]; y++)
      for (int x = b[0]; x <= b[2]; x++)
        area += mask[(gsize)y * in->w + x];
  }
  bw = b[2] - b[0] + 1;
  bh = b[3] - b[1] + 1;
  return area >= PT_ROI_LONE_MIN_COVER * box_area && b[0] > box->x0 + 1 && b[1] > box->y0 + 1 &&
         b[2] < box->x1 - 2 && b[3] < box->y1 - 2 &&
         area >= PT_ROI_LONE_MIN_FILL * G_PI / 4 * bw * bh &&
         MAX(bw, bh) <= PT_ROI_LONE_MAX_ASPECT * MIN(bw, bh);
}

PtRoiVerdict
pt_roi_find_fruit(const PtRoiInput *in, guint8 *mask, guint8 *foreign, PtRoiScratch *scratch,
                  float seed_lab[3], int lone_bounds[4])
{
  const PtRoiBox *box = &in->box;
  int w = in->w, h = in->h;
  gsize n = (gsize)w * h;
  float *lab = pt_models_buf_get(&scratch->b_lab, n * 3 * sizeof(float));
  guint8 *dq = pt_models_buf_get(&scratch->b_dq, n);
  gint32 *labels = pt_models_buf_get(&scratch->b_labels, n * sizeof(gint32));
  gint32 *parent = pt_models_buf_get(&scratch->b_parent, (n + 4) * sizeof(gint32));
  guint32 hl[101] = {0}, ha[256] = {0}, hb[256] = {0}, n_seed = 0;
  double box_area = (double)(box->x1 - box->x0) * (box->y1 - box->y0), area = 0;
  float sl, sa, sb, peel[3];
  int split = 0;

  memset(mask, 0, n);
  /* The whole crop, ring included: the peel analysis reads it too (pt_roi_lab()). */
  for (gsize k = 0; k < n; k++)
    pt_ycc_to_lab(in->y[k], in->cb[k], in->cr[k], lab + 3 * k);
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;
      const float *p = lab + 3 * k;

      if (!in_seed(box, x, y))
        continue;
      hl[CLAMP((int)lrintf(p[0]), 0, 100)]++;
      ha[CLAMP((int)lrintf(p[1]) + 128, 0, 255)]++;
      hb[CLAMP((int)lrintf(p[2]) + 128, 0, 255)]++;
      n_seed++;
    }
  if (n_seed == 0)
    return PT_ROI_NOT_FRUIT;
  sl = (float)pt_hist_median(hl, 101, n_seed);
  sa = (float)(pt_hist_median(ha, 256, n_seed) - 128);
  sb = (float)(pt_hist_median(hb, 256, n_seed) - 128);
  seed_lab[0] = sl;
  seed_lab[1] = sa;
  seed_lab[2] = sb;
  if (sl < PT_ROI_MIN_SEED_L)
    return PT_ROI_TOO_DARK;
  if (grow_from_seed(in, lab, seed_lab, mask, dq, &split, labels, parent) != PT_ROI_FOUND)
    return PT_ROI_NOT_FRUIT;
  /* The middle a lesion enclosed by peel: the fruit grows from the peel instead, and the
   * lesion, a hole in it, is filled and measured against the peel.  A pale middle (white or
   * grey mould over the fruit's face) is left to pt_roi_pale_middle (), which reads it as
   * mould; grown from the peel round it, the peel analysis measured it against the peel's
   * shading and lost a twentieth of the rotten fruit. */
  if (hypotf(sa, sb) >= PT_ROI_BODY_MIN_CHROMA && middle_is_lesion(in, lab, mask, seed_lab, peel)) {
    memcpy(seed_lab, peel, sizeof peel);
    sa = peel[1];
    sb = peel[2];
    if (grow_from_seed(in, lab, seed_lab, mask, dq, &split, labels, parent) != PT_ROI_FOUND)
      return PT_ROI_NOT_FRUIT;
  }
  /* A fruit is round: the middle's colour filling the box's corners too means a tight
   * pile of like fruit when that colour is a peel's (the fruit is then the box's ellipse
   * of it), else the middle is the background's colour as well (grey mould on a grey
   * table) or a surface (belt, tray) with no fruit.  Then the fruit is what differs from
   * the corners, if anything. */
  if (corner_fill(in, mask, dq, split) > PT_ROI_MAX_CORNER_FILL &&
      sqrtf(sa * sa + sb * sb) < PT_ROI_PILE_CHROMA) {
    memset(mask, 0, n);
    add_unlike_background(in, lab, NULL, 0, mask);
    if (!keep_middle(in, mask, labels, parent) ||
        corner_fill(in, mask, NULL, 0) > PT_ROI_MAX_CORNER_FILL)
      return PT_ROI_NOT_FRUIT;
  } else if (sqrtf(sa * sa + sb * sb) >= PT_ROI_BODY_MIN_CHROMA) {
    /* foreign is scratch here: clip_to_ellipse () sets it. */
    keep_body(in, mask, dq, split, foreign, labels, parent);
  }
  clip_to_ellipse(in, mask, foreign);
  for (gsize k = 0; k < n; k++)
    area += mask[k];
  if (area >= PT_ROI_MIN_COVER * box_area)
    return PT_ROI_FOUND;
  if (!lone_fruit(in, mask, area))
    return PT_ROI_NOT_FRUIT;
  /* Its bounds with what the peel's colour left out (a mould cap): all that differs from
   * the background, joined to the middle; the peel grown if that finds nothing apart. */
  memset(foreign, 0, n);
  add_unlike_background(in, lab, NULL, 0, foreign);
  if (!keep_middle(in, foreign, labels, parent) || !region_bounds(in, foreign, lone_bounds) ||
      !lone_fruit(in, foreign, -1))
    region_bounds(in, mask, lone_bounds);
  clip_to_ellipse(in, mask, foreign);
  return PT_ROI_LONE;
}

static double
hue_gap(double a, double b)
{
  double d = fmod(fabs(a - b), 360.0);

  return d > 180 ? 360 - d : d;
}

/* A leaf lying over the fruit (the same tests as the peel analysis's): darker than the peel,
 * saturated, chlorophyll green, or in the light chlorophyll's own strong green.  It hides the
 * peel; it is no defect. */
static gboolean
is_leaf(const float *p, const float seed_lab[3])
{
  double chroma = hypot(p[1], p[2]), gap;

  if (chroma < PT_PEEL_LAB_LEAF_CHROMA)
    return FALSE;
  gap = hue_gap(atan2(p[2], p[1]) * 180 / G_PI, PT_PEEL_LAB_LEAF_HUE);
  return (p[0] < seed_lab[0] && gap <= PT_PEEL_LAB_LEAF_HUE_WIDTH) ||
         (chroma >= PT_PEEL_LAB_LIT_LEAF_CHROMA && gap <= PT_PEEL_LAB_LIT_LEAF_HUE_WIDTH);
}

/* Whether @p lost neither the peel's (@seed_lab, its chroma @peel_chroma) colour nor its
 * lightness (PT_ROI_LOST_PEEL_CHROMA, PT_PEEL_LAB_MOULD_MIN_RATIO). */
static gboolean
kept_peel_colour(const float *p, const float seed_lab[3], double peel_chroma)
{
  return hypot(p[1], p[2]) >= PT_ROI_LOST_PEEL_CHROMA * peel_chroma &&
         p[0] >= PT_PEEL_LAB_MOULD_MIN_RATIO * seed_lab[0];
}

const float *
pt_roi_lab(PtRoiScratch *scratch, const PtRoiInput *in)
{
  return pt_models_buf_get(&scratch->b_lab, (gsize)in->w * in->h * 3 * sizeof(float));
}

/* A patch of @n pixels in the box x0..x1, y0..y1 (inclusive), in crop pixels: its area and
 * length in pixels too (the caller scales them). */
static void
roi_defect(PtDefect *defect, int x0, int y0, int x1, int y1, guint n, double contrast,
           PtDefectKind kind)
{
  memset(defect, 0, sizeof *defect);
  defect->x = x0;
  defect->y = y0;
  defect->width = x1 - x0 + 1;
  defect->height = y1 - y0 + 1;
  defect->area_mm2 = n;
  defect->length_mm = MAX(defect->width, defect->height);
  defect->contrast = contrast;
  defect->kind = kind;
}

gboolean
pt_roi_lost_peel(const PtRoiInput *in, const guint8 *mask, PtRoiScratch *scratch,
                 const float seed_lab[3], PtDefect *defect)
{
  const PtRoiBox *box = &in->box;
  const float *lab = pt_roi_lab(scratch, in);
  double cx = 0.5 * (box->x0 + box->x1), cy = 0.5 * (box->y0 + box->y1);
  double rx = MAX(0.5, PT_ROI_LOST_ELLIPSE * 0.5 * (box->x1 - box->x0));
  double ry = MAX(0.5, PT_ROI_LOST_ELLIPSE * 0.5 * (box->y1 - box->y0));
  double su = 0, sv = 0, sl = 0;
  double peel_hue = atan2(seed_lab[2], seed_lab[1]) * 180 / G_PI;
  double peel_chroma = hypot(seed_lab[1], seed_lab[2]);
  gboolean leaf_far = hue_gap(peel_hue, PT_PEEL_LAB_LEAF_HUE) >= PT_PEEL_LAB_LEAF_HUE_WIDTH;
  guint n_inner = 0, n_lost = 0;
  int x0 = box->x1, y0 = box->y1, x1 = box->x0, y1 = box->y0;

  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * in->w + x;
      double u = (x + 0.5 - cx) / rx, v = (y + 0.5 - cy) / ry;

      if (u * u + v * v > 1.0)
        continue;
      n_inner++;
      if (mask[k] || (leaf_far && is_leaf(lab + 3 * k, seed_lab)) ||
          lab[3 * k] < PT_ROI_LOST_SHADOW * seed_lab[0] ||
          kept_peel_colour(lab + 3 * k, seed_lab, peel_chroma))
        continue;
      n_lost++;
      su += u;
      sv += v;
      sl += lab[3 * k];
      x0 = MIN(x0, x);
      y0 = MIN(y0, y);
      x1 = MAX(x1, x);
      y1 = MAX(y1, y);
    }
  /* A fruit centred in a loose box leaves a ring, not one side, of the ellipse out. */
  if (n_lost == 0 || n_lost < PT_ROI_LOST_MIN_SHARE * n_inner ||
      hypot(su / n_lost, sv / n_lost) < PT_ROI_LOST_MIN_OFFSET)
    return FALSE;
  /* ... and one lying to a side of a loose box is narrower than the box across that side,
   * while a fruit whose cap lost its colour still fills its box's width. */
  {
    double off = hypot(su, sv), pu = -sv / off, pv = su / off, lo = 1e9, hi = -1e9;

    for (int y = box->y0; y < box->y1; y++)
      for (int x = box->x0; x < box->x1; x++) {
        double u = (x + 0.5 - cx) / (rx / PT_ROI_LOST_ELLIPSE);
        double v = (y + 0.5 - cy) / (ry / PT_ROI_LOST_ELLIPSE), t = u * pu + v * pv;

        if (!mask[(gsize)y * in->w + x])
          continue;
        lo = MIN(lo, t);
        hi = MAX(hi, t);
      }
    if (hi - lo < 2 * PT_ROI_LOST_MIN_SPAN)
      return FALSE;
  }
  {
    double contrast = seed_lab[0] > 0 ? sl / n_lost / seed_lab[0] : 1.0;

    /* Darker than the peel is rot (soft, brown), else spores (white, grey, blue-green). */
    roi_defect(defect, x0, y0, x1, y1, n_lost, contrast,
               contrast < PT_PEEL_LAB_MOULD_MIN_RATIO ? PT_DEFECT_BRUISE : PT_DEFECT_MOULD);
  }
  return TRUE;
}

gboolean
pt_roi_pale_middle(const PtRoiInput *in, const guint8 *mask, PtRoiScratch *scratch,
                   const float seed_lab[3], PtDefect *defect)
{
  const PtRoiBox *box = &in->box;
  const float *lab;
  float shadow = PT_ROI_LOST_SHADOW * seed_lab[0];
  guint n = 0;
  int x0 = box->x1, y0 = box->y1, x1 = box->x0, y1 = box->y0;

  if (hypotf(seed_lab[1], seed_lab[2]) >= PT_ROI_BODY_MIN_CHROMA)
    return FALSE;
  lab = pt_roi_lab(scratch, in);
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * in->w + x;
      const float *p = lab + 3 * k;

      if (!mask[k] || p[0] < shadow || hypotf(p[1], p[2]) >= PT_ROI_BODY_MIN_CHROMA)
        continue;
      n++;
      x0 = MIN(x0, x);
      y0 = MIN(y0, y);
      x1 = MAX(x1, x);
      y1 = MAX(y1, y);
    }
  if (n == 0)
    return FALSE;
  roi_defect(defect, x0, y0, x1, y1, n, 1.0, PT_DEFECT_MOULD);
  return TRUE;
}

void
pt_roi_scratch_clear(PtRoiScratch *scratch)
{
  pt_models_buf_clear(&scratch->b_lab);
  pt_models_buf_clear(&scratch->b_dq);
  pt_models_buf_clear(&scratch->b_labels);
  pt_models_buf_clear(&scratch->b_parent);
}
