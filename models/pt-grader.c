/* pt-grader.c: the grader's entry point: segmentation, per-fruit analysis
 * crops, measurement, and the class rules of the profile.
 *
 * Per frame: one pass over a downscaled copy finds the fruit (pt-segment.c);
 * then each fruit is sampled again around its box at up to full resolution
 * (PT_ANALYSIS_MAX_SIDE bounds the crop), so the cost grows with the fruit
 * in view, not with the frame.  The crop's own threshold, limited to the
 * fruit's territory from the coarse pass, gives the edge used for sizing;
 * a large fruit's peel is analysed at half the crop's resolution, with its
 * candidate defects measured on the crop (add_peel()). */
#include "pt-grade-tuning.h"
#include "pt-internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct _PtGrader {
  PtGradeProfile profile;
  double mm_per_px; /* 0: no scale, each fruit taken at the profile's nominal diameter */
  PtSegmentation seg;
  PtPeelResult peel;
  PtRoiScratch roi;
  PtShape shape;
  PtShape coarse_shape; /* of the peel's reduced-resolution copy */
  PtShape peel_shape;   /* of a ROI's peel: its hull less the gaps of background */
  PtBuf b_coarse, b_region, b_palette;
  PtBuf b_planes, b_mask, b_foreign, b_labels, b_parent, b_points;
  /* The frame's light (pt-white.c), taken out of the crops the L*a*b* peel rules judge. */
  gboolean white_set;
  PtWhite white;
};

static const char *kind_names[] = {"dark spot", "bruise", "mould", "russet", "cut", "scar"};

const char *
pt_defect_kind_to_string(PtDefectKind kind)
{
  return (guint)kind < G_N_ELEMENTS(kind_names) ? kind_names[kind] : "?";
}

PtGrader *
pt_grader_new(const PtGradeProfile *profile, double mm_per_px, GError **error)
{
  PtGrader *grader;

  if (profile == NULL) {
    g_set_error_literal(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE, "no grade profile");
    return NULL;
  }
  if (!(mm_per_px > 0) || !isfinite(mm_per_px) || mm_per_px > 100) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID,
                "calibration must be a positive mm per pixel (got %g)", mm_per_px);
    return NULL;
  }
  grader = g_new0(PtGrader, 1);
  grader->profile = *profile;
  grader->mm_per_px = mm_per_px;
  return grader;
}

PtGrader *
pt_grader_new_unscaled(const PtGradeProfile *profile, GError **error)
{
  PtGrader *grader = pt_grader_new(profile, 1.0, error);

  if (grader)
    grader->mm_per_px = 0;
  return grader;
}

void
pt_grader_free(PtGrader *grader)
{
  if (grader == NULL)
    return;
  pt_fruit_segmentation_clear(&grader->seg);
  pt_peel_result_clear(&grader->peel);
  pt_roi_scratch_clear(&grader->roi);
  pt_models_buf_clear(&grader->b_planes);
  pt_models_buf_clear(&grader->b_mask);
  pt_models_buf_clear(&grader->b_foreign);
  pt_models_buf_clear(&grader->b_labels);
  pt_models_buf_clear(&grader->b_parent);
  pt_models_buf_clear(&grader->b_points);
  pt_models_buf_clear(&grader->b_coarse);
  pt_models_buf_clear(&grader->b_region);
  pt_models_buf_clear(&grader->b_palette);
  g_free(grader);
}

void
pt_grade_result_free(PtGradeResult *result)
{
  if (result == NULL)
    return;
  g_free(result->fruit);
  g_free(result);
}

/* One limit check: value against limit, larger-is-worse unless @at_least. */
typedef struct {
  gboolean ok;
  double margin; /* relative distance to the limit, >= 0 */
  char text[96];
} Check;

static void
check_limit(Check *c, const char *what, double value, double limit, gboolean at_least,
            const char *unit, int klass)
{
  gboolean ok;
  double margin;

  if (limit < 0)
    return;
  ok = at_least ? value >= limit : value <= limit;
  /* Nothing found against a zero limit is as far from it as it gets. */
  margin =
      (limit == 0 && value == 0) ? 1.0 : fabs(value - limit) / MAX(limit, at_least ? 0.05 : 0.01);
  if (!ok && c->ok) {
    c->ok = FALSE;
    c->margin = margin;
    snprintf(c->text, sizeof c->text, "%s %.2f%s %s %.2f%s for class %s", what, value, unit,
             at_least ? "<" : ">", limit, unit, pt_grade_class_to_string(klass));
  } else if (ok && c->ok) {
    c->margin = MIN(c->margin, margin);
  }
}

/* The area of @f's mould (decay) among the defects it keeps, mm2. */
static double
decay_mm2(const PtFruit *f)
{
  double sum = 0;

  for (guint i = 0; i < f->n_defects; i++)
    if (f->defects[i].kind == PT_DEFECT_MOULD)
      sum += f->defects[i].area_mm2;
  return sum;
}

/* @f's class by the profile's limits on defects and colour, the rule that decided it and
 * the relative margin to the nearest limit (as confidence, before scaling). */
static void
decide_by_limits(const PtGradeProfile *p, PtFruit *f)
{
  Check checks[PT_N_CLASSES];
  double russet_cm2 = f->russet_mm2 / 100.0;
  double area_cm2 = f->defect_total_mm2 / 100.0;

  for (int k = 0; k < PT_N_CLASSES; k++) {
    Check *c = &checks[k];
    /* Russet has its own limit where the standard gives one; otherwise it
     * is a skin defect like any other. */
    double skin = p->max_russet_area_cm2[k] >= 0 ? area_cm2 - russet_cm2 : area_cm2;

    c->ok = TRUE;
    c->margin = 1.0;
    c->text[0] = '\0';
    check_limit(c, "defect area", skin, p->max_defect_area_cm2[k], FALSE, " cm2", k);
    check_limit(c, "defect length", f->defect_longest_mm, p->max_defect_length_mm[k], FALSE, " mm",
                k);
    check_limit(c, "defect count", f->defect_count, p->max_defect_count[k], FALSE, "", k);
    check_limit(c, "russet area", russet_cm2, p->max_russet_area_cm2[k], FALSE, " cm2", k);
    check_limit(c, "ripe colour", f->ripe_fraction, p->min_ripe_fraction[k], TRUE, "", k);
    check_limit(c, "green colour", f->green_fraction, p->max_green_fraction[k], FALSE, "", k);
  }
  f->klass = PT_CLASS_OUT;
  for (int k = 0; k < PT_N_CLASSES; k++) {
    if (checks[k].ok) {
      f->klass = (PtGradeClass)k;
      break;
    }
  }
  if (f->klass == PT_CLASS_EXTRA) {
    g_strlcpy(f->rule, "meets every Extra class limit", sizeof f->rule);
    f->confidence = checks[0].margin;
  } else {
    const Check *above = &checks[f->klass - 1];

    g_strlcpy(f->rule, above->text, sizeof f->rule);
    f->confidence = above->margin;
    if (f->klass != PT_CLASS_OUT)
      f->confidence = MIN(f->confidence, checks[f->klass].margin);
  }
}

static void
decide_class(const PtGradeProfile *p, PtFruit *f, double solidity)
{
  double mould = p->decay_out ? decay_mm2(f) : 0;

  if (f->partial && !f->size_unknown) {
    f->klass = PT_CLASS_NONE;
    g_strlcpy(f->rule, "partial: cut by the frame edge, not graded", sizeof f->rule);
    f->confidence = 0;
    return;
  }
  if (!f->size_unknown && p->min_diameter_mm > 0 && f->diameter_mm < p->min_diameter_mm) {
    double margin = (p->min_diameter_mm - f->diameter_mm) / p->min_diameter_mm;

    f->klass = PT_CLASS_OUT;
    snprintf(f->rule, sizeof f->rule, "size %.1f mm < minimum %.1f mm", f->diameter_mm,
             p->min_diameter_mm);
    f->confidence = CLAMP(0.5 + 0.5 * margin / 0.05, 0.5, 1.0) * MIN(1.0, solidity / 0.9);
    return;
  }
  if (mould > 0) {
    f->klass = PT_CLASS_OUT;
    snprintf(f->rule, sizeof f->rule, "decay: mould over %.1f mm2, which no class allows", mould);
    /* As far from doubt as a limit a quarter away once it is as large as Extra's allowance
     * of very slight defects. */
    f->confidence = 0.25 * mould / MAX(100.0 * p->max_defect_area_cm2[0], 1.0);
  } else
    decide_by_limits(p, f);
  /* A quarter of the limit away counts as certain; a ragged silhouette
   * (touching fruit, leaves) lowers the trust in every measure. */
  f->confidence = CLAMP(0.5 + 0.5 * f->confidence / 0.25, 0.5, 1.0) * MIN(1.0, solidity / 0.9);
  /* A photo's fruit cut by its edge: the peel it shows is all there is of it. */
  if (f->partial) {
    g_autofree char *rule = g_strdup_printf("partial, its visible peel: %s", f->rule);

    g_strlcpy(f->rule, rule, sizeof f->rule);
    f->confidence *= PT_PARTIAL_PHOTO_TRUST;
  }
}

/* Kasa's least-squares circle through the points of @a / @r (normal equations of
 * x^2+y^2+Dx+Ey+F = 0); FALSE when they are degenerate. */
static gboolean
circle_solve(double a[3][3], const double r[3], double *cx, double *cy, double *rad)
{
  double sol[3], rad2;

  if (fabs(pt_solve3(a, r, sol)) < 1e-9)
    return FALSE;
  *cx = -sol[0] / 2;
  *cy = -sol[1] / 2;
  rad2 = *cx * *cx + *cy * *cy - sol[2];
  if (rad2 <= 0)
    return FALSE;
  *rad = sqrt(rad2);
  return TRUE;
}

/* Adds point (@px, @py) to the normal equations @a / @r of circle_solve (). */
static inline void
circle_add(double a[3][3], double r[3], double px, double py)
{
  double b[3] = {px, py, 1}, z = -(px * px + py * py);

  for (int u = 0; u < 3; u++) {
    for (int v = 0; v < 3; v++)
      a[u][v] += b[u] * b[v];
    r[u] += b[u] * z;
  }
}

/* A fruit cut from a touching neighbour loses part of its outline to the
 * cut, and its calipers shrink.  When more than 5% of its edge borders
 * another fruit, the diameter comes instead from a least-squares circle
 * (Kasa's algebraic fit) through the edge pixels that border the belt.
 * Returns the diameter in crop pixels, or 0 when the fruit is free; @cut_share (nullable)
 * gets the share of the edge that borders another fruit or the edge of a ROI. */
static double
touching_diameter(const guint8 *mask, const guint8 *foreign, int w, int h, double *cut_share)
{
  double a[3][3] = {{0}}, r[3] = {0};
  int n_free = 0, n_cut = 0;

  for (int y = 1; y + 1 < h; y++)
    for (int x = 1; x + 1 < w; x++) {
      gsize k = (gsize)y * w + x;

      /* Eight pixels of belt, or eight inside the fruit with all their neighbours, at once:
       * nearly every pixel is one or the other (pixels past the row's end stay apart). */
      if (x + 9 <= w) {
        const guint64 ones = G_GUINT64_CONSTANT(0x0101010101010101);
        guint64 m, l, rt, u, d;

        memcpy(&m, mask + k, 8);
        memcpy(&l, mask + k - 1, 8);
        memcpy(&rt, mask + k + 1, 8);
        memcpy(&u, mask + k - w, 8);
        memcpy(&d, mask + k + w, 8);
        if (m == 0 || (m == ones && l == ones && rt == ones && u == ones && d == ones)) {
          x += 7;
          continue;
        }
      }
      /* Inside the fruit, nearly all of its pixels: no neighbour to look at further. */
      if (!mask[k] || (mask[k - 1] && mask[k + 1] && mask[k - w] && mask[k + w]))
        continue;
      if ((!mask[k - 1] && foreign[k - 1]) || (!mask[k + 1] && foreign[k + 1]) ||
          (!mask[k - w] && foreign[k - w]) || (!mask[k + w] && foreign[k + w])) {
        n_cut++;
        continue;
      }
      circle_add(a, r, x + 0.5, y + 0.5);
      n_free++;
    }
  if (cut_share)
    *cut_share = n_cut + n_free > 0 ? (double)n_cut / (n_cut + n_free) : 0;
  if (n_cut * 20 <= n_cut + n_free || n_free < 16)
    return 0;
  {
    double cx, cy, rad;

    /* Edge pixel centres lie half a pixel inside the edge. */
    return circle_solve(a, r, &cx, &cy, &rad) ? 2 * rad + 1.0 : 0;
  }
}

/* Keeps only the largest 8-connected piece of the 0/1 @mask (the first one in raster order
 * among equals); FALSE when it is empty.  Pieces are found as runs of a row joined to the
 * runs of the row above they touch, not pixel by pixel: a fruit's mask is a few runs a row,
 * so a crop costs one read of its pixels and a write only where a piece goes.  A run's
 * index is its raster order and the smaller index wins a union, so each piece's root is its
 * first run and ties go where labelling by first appearance sent them.  @labels holds the
 * runs' areas, @parent their union-find forest (a mask has at most n / 2 + h / 2 runs). */
static gboolean
keep_largest(guint8 *mask, int w, int h, gint32 *labels, gint32 *parent)
{
  g_auto(PtRuns) runs = {0};
  gint32 *area = labels, best = -1;

  pt_runs_join(mask, w, h, 1, TRUE, &runs, parent);
  const gint32 *x0 = runs.x0, *x1 = runs.x1, *row = runs.row;
  gint32 nruns = runs.n;
  if (nruns == 0)
    return FALSE;
  for (gint32 r = 0; r < nruns; r++)
    area[r] = 0;
  for (gint32 r = 0; r < nruns; r++) {
    gint32 root = pt_runs_root(parent, r);

    parent[r] = root;
    area[root] += x1[r] - x0[r];
  }
  for (gint32 r = 0; r < nruns; r++)
    if (parent[r] == r && (best < 0 || area[r] > area[best]))
      best = r;
  for (int y = 0; y < h; y++)
    for (gint32 r = row[y]; r < row[y + 1]; r++)
      if (parent[r] != best)
        memset(mask + (gsize)y * w + x0[r], 0, x1[r] - x0[r]);
  return TRUE;
}

/* A fruit's analysis crop: where it lies in the frame, its sampling step,
 * which frame edges it reaches, and its planes (the grader's scratch
 * buffers, reused from fruit to fruit). */
typedef struct {
  int x0, y0, s, w, h;
  double mmpx; /* of the crop: frame scale times the step */
  gboolean edge_l, edge_t, edge_r, edge_b;
  guint8 *py, *pcb, *pcr;
  guint8 *mask;    /* 1 = this fruit */
  guint8 *foreign; /* 1 = a neighbour's territory */
  gint32 *labels, *parent;
} Crop;

/* Places the crop around @blob's box, one work pixel wider on each side,
 * stepping so its long side stays within PT_ANALYSIS_MAX_SIDE.  FALSE when
 * it is too small to measure. */
static gboolean
crop_place(const PtGrader *g, const PtFrame *frame, const PtBlob *blob, Crop *c)
{
  const PtSegmentation *seg = &g->seg;
  int f = seg->f;
  int x0 = MAX(0, seg->rx + (blob->x0 - 1) * f);
  int y0 = MAX(0, seg->ry + (blob->y0 - 1) * f);
  int x1 = MIN(frame->width, seg->rx + (blob->x1 + 1) * f);
  int y1 = MIN(frame->height, seg->ry + (blob->y1 + 1) * f);
  int s = MAX(1, (MAX(x1 - x0, y1 - y0) + PT_ANALYSIS_MAX_SIDE - 1) / PT_ANALYSIS_MAX_SIDE);
  int w = (x1 - x0 + s - 1) / s, h = (y1 - y0 + s - 1) / s;

  c->x0 = x0;
  c->y0 = y0;
  c->s = s;
  c->w = w;
  c->h = h;
  c->mmpx = g->mm_per_px * s;
  c->edge_l = x0 == 0;
  c->edge_t = y0 == 0;
  c->edge_r = x0 + w * s >= frame->width;
  c->edge_b = y0 + h * s >= frame->height;
  return w >= 3 && h >= 3;
}

/* Samples the crop and splits it by the coarse pass's territories: pixels
 * that differ from the belt go to the mask when they are @blob's, to
 * foreign when a neighbour's, so touching fruit can be told apart.
 *
 * Only the pixels that can be read are sampled; the rest stay 0.  This loop reads the
 * pixels in a territory (any fruit's), which lie within their row's span of territory.
 * The mask grows no further: filling its holes adds pixels between mask pixels of a row,
 * and the opening and keep_largest() only take pixels away.  The peel analysis reads the
 * mask's pixels, and its half-resolution copy (pt_peel_coarse()) averages each block of
 * PT_PEEL_COARSE_STEP x PT_PEEL_COARSE_STEP pixels holding a mask pixel (and reads the
 * average only inside the mask), so a row is sampled over the spans of the rows within
 * PT_PEEL_COARSE_STEP - 1 of it, widened by as many columns. */
static void
crop_sample(PtGrader *g, const PtFrame *frame, const PtBlob *blob, Crop *c)
{
  const PtSegmentation *seg = &g->seg;
  int f = seg->f, w = c->w, h = c->h, s = c->s, x0 = c->x0, y0 = c->y0;
  int m = PT_PEEL_COARSE_STEP - 1;
  gsize n = (gsize)w * h;
  gint32 col_wx[PT_ANALYSIS_MAX_SIDE];
  double col_ax[PT_ANALYSIS_MAX_SIDE];
  /* Per crop row, its work row's territory (NULL outside the searched area) and the first
   * and last column in a territory (ta > tb: none). */
  const gint32 *trows[PT_ANALYSIS_MAX_SIDE];
  int ta[PT_ANALYSIS_MAX_SIDE], tb[PT_ANALYSIS_MAX_SIDE];

  c->py = pt_models_buf_get(&g->b_planes, 3 * n);
  c->pcb = c->py + n;
  c->pcr = c->py + 2 * n;
  c->mask = pt_models_buf_get(&g->b_mask, n);
  c->foreign = pt_models_buf_get(&g->b_foreign, n);
  c->labels = pt_models_buf_get(&g->b_labels, n * sizeof(gint32));
  c->parent = pt_models_buf_get(&g->b_parent, (n + 4) * sizeof(gint32));
  memset(c->py, 0, 3 * n);
  memset(c->mask, 0, n);
  memset(c->foreign, 0, n);

  /* Which work column each crop column falls in (-1 outside the searched area) and the belt
   * plane's column product, once per crop (w is at most PT_ANALYSIS_MAX_SIDE). */
  for (int i = 0; i < w; i++) {
    int fx = x0 + i * s + s / 2;
    int wx = (fx - seg->rx) / f;

    col_wx[i] = fx < seg->rx || wx >= seg->w ? -1 : wx;
    col_ax[i] = seg->belt_a * fx;
  }
  for (int j = 0; j < h; j++) {
    int fy = y0 + j * s + s / 2;
    int wy = (fy - seg->ry) / f;
    const gint32 *trow;
    int a = 0, b = w - 1;

    trows[j] = NULL;
    ta[j] = 1;
    tb[j] = 0;
    if (fy < seg->ry || wy >= seg->h)
      continue;
    trow = trows[j] = seg->territory + (gsize)wy * seg->w;
    while (a < w && (col_wx[a] < 0 || trow[col_wx[a]] == 0))
      a++;
    if (a == w)
      continue;
    while (col_wx[b] < 0 || trow[col_wx[b]] == 0)
      b--;
    ta[j] = a;
    tb[j] = b;
  }
  for (int j = 0; j < h; j++) {
    int a = w, b = -1;

    for (int r = MAX(0, j - m); r <= MIN(h - 1, j + m); r++)
      if (ta[r] <= tb[r]) {
        a = MIN(a, ta[r]);
        b = MAX(b, tb[r]);
      }
    a = MAX(0, a - m);
    b = MIN(w - 1, b + m);
    /* One row of the crop from column a: the same samples as the whole crop's. */
    if (a <= b) {
      gsize o = (gsize)j * w + a;

      pt_frame_sample(frame, x0 + a * s, y0 + j * s, b - a + 1, 1, s, c->py + o, c->pcb + o,
                      c->pcr + o);
    }
  }
  for (int j = 0; j < h; j++) {
    double by = seg->belt_b * (y0 + j * s + s / 2);

    for (int i = ta[j]; i <= tb[j]; i++) {
      gsize k = (gsize)j * w + i;
      gint32 t;

      if (col_wx[i] < 0)
        continue;
      t = trows[j][col_wx[i]];
      if (t == 0)
        continue;
      if (pt_fruit_feature_at(seg, col_ax[i], by, c->py[k], c->pcb[k], c->pcr[k]) < seg->lo)
        continue;
      if (t == blob->label)
        c->mask[k] = 1;
      else
        c->foreign[k] = 1;
    }
  }
}

/* Keep the largest piece, fill its holes (dark defects inside), cut off
 * what sticks to it, and keep the largest piece again.  FALSE when the
 * mask is empty. */
static gboolean
crop_isolate(Crop *c)
{
  if (!keep_largest(c->mask, c->w, c->h, c->labels, c->parent))
    return FALSE;
  pt_fill_holes(c->mask, c->w, c->h, c->labels);
  pt_open_octagon(c->mask, c->w, c->h);
  return keep_largest(c->mask, c->w, c->h, c->labels, c->parent);
}

/* A fruit reaching the frame's edge is cut by it: its size and peel are
 * unknown, so it is followed but not graded. */
static gboolean
crop_is_partial(const Crop *c)
{
  int w = c->w, h = c->h;
  const guint8 *mask = c->mask;
  gboolean partial = FALSE;

  for (int j = 0; j < h; j++) {
    if (mask[(gsize)j * w] && c->edge_l)
      partial = TRUE;
    if (mask[(gsize)j * w + w - 1] && c->edge_r)
      partial = TRUE;
  }
  for (int i = 0; i < w; i++) {
    if (mask[i] && c->edge_t)
      partial = TRUE;
    if (mask[(gsize)(h - 1) * w + i] && c->edge_b)
      partial = TRUE;
  }
  return partial;
}

/* Box, centroid and outline of @fruit in frame pixels, from the hull. */
static void
place_fruit(const Crop *c, const PtShape *shape, const PtFrame *frame, PtFruit *fruit)
{
  int x0 = c->x0, y0 = c->y0, s = c->s;
  int bx0 = c->w, by0 = c->h, bx1 = 0, by1 = 0;

  for (guint k = 0; k < shape->n_hull; k++) {
    bx0 = MIN(bx0, (int)shape->hull[k].x);
    by0 = MIN(by0, (int)shape->hull[k].y);
    bx1 = MAX(bx1, (int)shape->hull[k].x);
    by1 = MAX(by1, (int)shape->hull[k].y);
  }
  fruit->x = x0 + bx0 * s;
  fruit->y = y0 + by0 * s;
  fruit->width = MIN(frame->width, x0 + bx1 * s) - fruit->x;
  fruit->height = MIN(frame->height, y0 + by1 * s) - fruit->y;
  fruit->cx = x0 + shape->cx * s;
  fruit->cy = y0 + shape->cy * s;
  /* Outline: the hull, thinned evenly to PT_FRUIT_MAX_OUTLINE points. */
  fruit->n_outline = MIN(shape->n_hull, PT_FRUIT_MAX_OUTLINE);
  for (guint k = 0; k < fruit->n_outline; k++) {
    const PtPoint *pt = &shape->hull[(gsize)k * shape->n_hull / fruit->n_outline];

    fruit->outline[k].x = x0 + pt->x * s;
    fruit->outline[k].y = y0 + pt->y * s;
  }
}

/* Area over hull area: a ragged silhouette (touching fruit, leaves) lowers
 * the confidence of every measure. */
static double
hull_solidity(const PtShape *shape)
{
  double hull_area = 0;

  for (guint k = 0; k < shape->n_hull; k++) {
    const PtPoint *a = &shape->hull[k], *b = &shape->hull[(k + 1) % shape->n_hull];

    hull_area += a->x * b->y - b->x * a->y;
  }
  return hull_area > 0 ? shape->area_px / (0.5 * fabs(hull_area)) : 0;
}

/* Diameter, length, area, weight and size code of @fruit.  Without a scale, @c's scale
 * becomes the one that gives the fruit the profile's nominal diameter (its defects are then
 * measured on a fruit of that size) and the size is left unknown. */
static void
measure_size(const PtGrader *g, Crop *c, const PtShape *shape, PtFruit *fruit)
{
  double fit_d = touching_diameter(c->mask, c->foreign, c->w, c->h, NULL);
  double mmpx;
  const char *code;

  if (g->mm_per_px == 0) {
    double d_px = fit_d > 0 ? fit_d : shape->min_width;

    c->mmpx = pt_grade_profile_nominal_diameter(&g->profile) / MAX(1.0, d_px);
    fruit->size_unknown = TRUE;
    return;
  }
  mmpx = c->mmpx;
  fruit->diameter_mm = shape->min_width * mmpx;
  fruit->length_mm = shape->max_width * mmpx;
  if (fit_d > 0) {
    fruit->diameter_mm = fit_d * mmpx;
    fruit->length_mm = MAX(fruit->length_mm, fruit->diameter_mm);
  }
  fruit->area_mm2 = shape->area_px * mmpx * mmpx;
  fruit->weight_g =
      pt_grade_profile_estimate_weight(&g->profile, fruit->diameter_mm, fruit->length_mm);
  code = pt_grade_profile_size_code(&g->profile, fruit->diameter_mm);
  g_strlcpy(fruit->size_code, code ? code : "", sizeof fruit->size_code);
}

/* Peel analysis of the crop (pt-defect.c) and @extra (nullable: a defect found otherwise,
 * crop pixels, area and length in pixels), its defects taken back to frame pixels.  A large
 * fruit's peel is analysed at reduced resolution with its candidate defects measured on the
 * crop (PT_PEEL_COARSE_STEP); a ROI's crop, with @lab_pixels, is already small.  A whole
 * photo's fruit (no @lab_pixels) washed out all over is mould (pt_peel_find_lab ()); a
 * ROI's pale middle was read before (pt_roi_pale_middle ()). */
static void
add_peel(PtGrader *g, const Crop *c, const PtShape *shape, gboolean lab, const float *lab_pixels,
         const PtDefect *extra, PtFruit *fruit)
{
  PtPeelResult *pr = &g->peel;
  PtPeelInput coarse_in;
  const PtPeelInput *run;
  PtPeelInput peel_in = {.w = c->w,
                         .h = c->h,
                         .y = c->py,
                         .cb = c->pcb,
                         .cr = c->pcr,
                         .mask = c->mask,
                         .mm_per_px = c->mmpx,
                         .shape = shape,
                         .profile = &g->profile,
                         .lab = lab,
                         .lab_pixels = lab_pixels,
                         .pale_face_mould = lab && lab_pixels == NULL,
                         .light = g->white_set ? g->white.light : NULL};

  run = &peel_in;
  if (lab_pixels == NULL && 2 * shape->minor >= PT_PEEL_COARSE_MIN_PX) {
    int k = PT_PEEL_COARSE_STEP, cw = c->w / k, ch = c->h / k;
    gsize cn = (gsize)cw * ch;
    guint8 *planes = pt_models_buf_get(&g->b_coarse, 5 * cn);
    PtPoint *xs = pt_models_buf_get(&g->b_points, (4 * (gsize)ch + 8) * sizeof(PtPoint));

    pt_peel_coarse(&peel_in, k, planes, planes + cn, planes + 2 * cn, planes + 3 * cn,
                   planes + 4 * cn);
    pt_shape_measure(planes + 3 * cn, cw, 0, 0, cw, ch, 1, &g->coarse_shape, xs);
    coarse_in = peel_in;
    coarse_in.w = cw;
    coarse_in.h = ch;
    coarse_in.y = planes;
    coarse_in.cb = planes + cn;
    coarse_in.cr = planes + 2 * cn;
    coarse_in.mask = planes + 3 * cn;
    coarse_in.mm_per_px = c->mmpx * k;
    coarse_in.shape = &g->coarse_shape;
    coarse_in.fine = &peel_in;
    coarse_in.fine_scale = k;
    coarse_in.dark = planes + 4 * cn;
    run = &coarse_in;
  }
  pt_peel_analyse(run, pr);
  if (extra) {
    PtDefect d = *extra;

    d.area_mm2 *= c->mmpx * c->mmpx;
    d.length_mm *= c->mmpx;
    pt_peel_result_add(pr, &d);
  }
  fruit->n_defects = pr->n_defects;
  for (guint k = 0; k < pr->n_defects; k++) {
    PtDefect *d = &fruit->defects[k];

    *d = pr->defects[k];
    d->x = c->x0 + d->x * c->s;
    d->y = c->y0 + d->y * c->s;
    d->width *= c->s;
    d->height *= c->s;
  }
  fruit->defect_count = pr->count;
  fruit->defect_total_mm2 = pr->total_mm2;
  fruit->defect_largest_mm2 = pr->largest_mm2;
  fruit->defect_longest_mm = pr->longest_mm;
  fruit->russet_mm2 = pr->russet_mm2;
  fruit->n_stickers = pr->n_stickers;
  fruit->ripe_fraction = pr->ripe_fraction;
  fruit->green_fraction = pr->green_fraction;
}

/* The points of @mask's outline that border the background, not a neighbour (@foreign)
 * nor the crop's edge, into @outline (w*h entries); returns how many. */
static int
free_outline(const guint8 *mask, const guint8 *foreign, int w, int h, gint32 *outline)
{
  int n = 0;

  for (int y = 1; y + 1 < h; y++)
    for (int x = 1; x + 1 < w; x++) {
      gsize k = (gsize)y * w + x;

      if (!mask[k] || (mask[k - 1] && mask[k + 1] && mask[k - w] && mask[k + w]))
        continue;
      if ((!mask[k - 1] && foreign[k - 1]) || (!mask[k + 1] && foreign[k + 1]) ||
          (!mask[k - w] && foreign[k - w]) || (!mask[k + w] && foreign[k + w]))
        continue;
      outline[n++] = (gint32)k;
    }
  return n;
}

/* An ellipse with axes along the image's: x^2 + C y^2 + D x + E y + F = 0, centre (cx, cy)
 * and semi-axes a (along x) and b. */
typedef struct {
  double cx, cy, a, b;
} AxisEllipse;

/* The ellipse whose coefficients (C, D, E, F) solve the 4 x 4 system in @m, its right-hand
 * side in the fifth column (Gaussian elimination with partial pivoting; @m is overwritten);
 * FALSE when it is degenerate or no real ellipse. */
static gboolean
axis_ellipse_solve(double m[4][5], AxisEllipse *e)
{
  double k[4], a2;

  for (int col = 0; col < 4; col++) {
    int piv = col;

    for (int row = col + 1; row < 4; row++)
      if (fabs(m[row][col]) > fabs(m[piv][col]))
        piv = row;
    if (fabs(m[piv][col]) < 1e-9)
      return FALSE;
    for (int j = 0; j < 5; j++) {
      double t = m[col][j];

      m[col][j] = m[piv][j];
      m[piv][j] = t;
    }
    for (int row = col + 1; row < 4; row++) {
      double f = m[row][col] / m[col][col];

      for (int j = col; j < 5; j++)
        m[row][j] -= f * m[col][j];
    }
  }
  for (int row = 3; row >= 0; row--) {
    double v = m[row][4];

    for (int j = row + 1; j < 4; j++)
      v -= m[row][j] * k[j];
    k[row] = v / m[row][row];
  }
  if (k[0] <= 0)
    return FALSE;
  e->cx = -k[1] / 2;
  e->cy = -k[2] / (2 * k[0]);
  a2 = e->cx * e->cx + k[0] * e->cy * e->cy - k[3];
  if (a2 <= 0)
    return FALSE;
  e->a = sqrt(a2);
  e->b = sqrt(a2 / k[0]);
  return TRUE;
}

/* Adds outline point (@x, @y) to the normal equations @m of x^2 + C y^2 + D x + E y + F = 0. */
static void
axis_ellipse_add(double m[4][5], double x, double y)
{
  double b[4] = {y * y, x, y, 1};

  for (int u = 0; u < 4; u++) {
    for (int v = 0; v < 4; v++)
      m[u][v] += b[u] * b[v];
    m[u][4] -= b[u] * x * x;
  }
}

/* The square of point @q's distance from @e's centre in its semi-axes (1 on the ellipse). */
static inline double
axis_ellipse_r2(const AxisEllipse *e, int w, gint32 q)
{
  double dx = (q % w + 0.5 - e->cx) / e->a, dy = (q / w + 0.5 - e->cy) / e->b;

  return dx * dx + dy * dy;
}

/* The outline points of @outline within PT_CLING_BAND of @e (compared squared), every
 * @step-th of them. */
static int
count_on_ellipse(const gint32 *outline, int n, int step, int w, const AxisEllipse *e)
{
  double lo = (1 - PT_CLING_BAND) * (1 - PT_CLING_BAND),
         hi = (1 + PT_CLING_BAND) * (1 + PT_CLING_BAND);
  double ia = 1 / e->a, ib = 1 / e->b;
  int in = 0;

  for (int i = 0; i < n; i += step) {
    double dx = (outline[i] % w + 0.5 - e->cx) * ia, dy = (outline[i] / w + 0.5 - e->cy) * ib;
    double r2 = dx * dx + dy * dy;

    in += r2 >= lo && r2 <= hi;
  }
  return in;
}

/* The circle through three points, as an ellipse; FALSE when they are in a line. */
static gboolean
circle_through(const double p[3][2], AxisEllipse *e)
{
  double a = p[1][0] - p[0][0], b = p[1][1] - p[0][1];
  double cc = p[2][0] - p[0][0], d = p[2][1] - p[0][1];
  double f1 = a * (p[0][0] + p[1][0]) + b * (p[0][1] + p[1][1]);
  double f2 = cc * (p[0][0] + p[2][0]) + d * (p[0][1] + p[2][1]);
  double g2 = 2 * (a * d - b * cc);

  if (fabs(g2) < 1e-6)
    return FALSE;
  e->cx = (d * f1 - b * f2) / g2;
  e->cy = (a * f2 - cc * f1) / g2;
  e->a = e->b = hypot(p[0][0] - e->cx, p[0][1] - e->cy);
  return TRUE;
}

/* @e may be a fruit's outline in a crop of @w x @h: neither degenerate nor larger than the
 * crop, at most PT_DIM_LOBE_MAX_WIDE times wider than tall and PT_DIM_LOBE_MAX_TALL times
 * taller than wide (a circle is both). */
static gboolean
fruit_ellipse_ok(const AxisEllipse *e, int w, int h)
{
  return MIN(e->a, e->b) >= 4 && MAX(e->a, e->b) <= MAX(w, h) &&
         e->a <= PT_DIM_LOBE_MAX_WIDE * e->b && e->b <= PT_DIM_LOBE_MAX_TALL * e->a;
}

/* Ramanujan's perimeter of @e. */
static double
axis_ellipse_perimeter(const AxisEllipse *e)
{
  return G_PI * (3 * (e->a + e->b) - sqrt((3 * e->a + e->b) * (e->a + 3 * e->b)));
}

/* The circle (@round) or ellipse most of the @n free outline points of @c->labels lie on:
 * PT_DIM_LOBE_TRIALS through three (four) of them, the best refitted twice by least squares
 * to the points on it.  Returns how many lie on @best. */
static int
fit_fruit_outline(const Crop *c, int n, gboolean round, AxisEllipse *best)
{
  /* Each trial is judged on at most PT_DIM_LOBE_TRIAL_POINTS of the points. */
  int w = c->w, best_in = 0, step = MAX(1, n / PT_DIM_LOBE_TRIAL_POINTS);
  guint32 seed = 0x9e3779b9u;

  for (int t = 0; t < PT_DIM_LOBE_TRIALS; t++) {
    double p[4][2], m[4][5] = {{0}};
    AxisEllipse e;
    int in;

    for (int k = 0; k < (round ? 3 : 4); k++) {
      gint32 q;

      seed ^= seed << 13; /* xorshift32: the same fits every run */
      seed ^= seed >> 17;
      seed ^= seed << 5;
      q = c->labels[seed % (guint32)n];
      p[k][0] = q % w + 0.5;
      p[k][1] = q / w + 0.5;
      if (!round)
        axis_ellipse_add(m, p[k][0], p[k][1]);
    }
    if (!(round ? circle_through((const double(*)[2])p, &e) : axis_ellipse_solve(m, &e)) ||
        !fruit_ellipse_ok(&e, w, c->h))
      continue;
    in = count_on_ellipse(c->labels, n, step, w, &e);
    if (in > best_in) {
      best_in = in;
      *best = e;
    }
  }
  if (best_in * step < 16)
    return 0;
  for (int pass = 0; pass < 2; pass++) {
    double m[4][5] = {{0}}, a3[3][3] = {{0}}, r3[3] = {0};
    AxisEllipse e;

    for (int i = 0; i < n; i++) {
      double px = c->labels[i] % w + 0.5, py = c->labels[i] / w + 0.5;
      double r2 = axis_ellipse_r2(best, w, c->labels[i]);

      if (r2 < (1 - PT_CLING_BAND) * (1 - PT_CLING_BAND) ||
          r2 > (1 + PT_CLING_BAND) * (1 + PT_CLING_BAND))
        continue;
      if (round)
        circle_add(a3, r3, px, py);
      else
        axis_ellipse_add(m, px, py);
    }
    if (round) {
      if (!circle_solve(a3, r3, &e.cx, &e.cy, &e.a))
        break;
      e.b = e.a;
    } else if (!axis_ellipse_solve(m, &e) || !fruit_ellipse_ok(&e, w, c->h)) {
      break;
    }
    *best = e;
  }
  return count_on_ellipse(c->labels, n, 1, w, best);
}

/* Cuts off what of @c's region lies beyond PT_CLING_MARGIN of @e when its mean luma is at
 * most PT_DIM_LOBE_RATIO of the rest's; TRUE when it did. */
static gboolean
cut_beyond_if_dim(Crop *c, const AxisEllipse *e)
{
  int w = c->w, h = c->h;
  double sum_in = 0, sum_out = 0, lim2 = (1 + PT_CLING_MARGIN) * (1 + PT_CLING_MARGIN);
  double ia = 1 / e->a, ib = 1 / e->b;
  guint32 n_in = 0, n_out = 0;

  for (int y = 0; y < h; y++) {
    double dy = (y + 0.5 - e->cy) * ib, dy2 = dy * dy;
    const guint8 *mask = c->mask + (gsize)y * w, *py = c->py + (gsize)y * w;

    for (int x = 0; x < w; x++) {
      double dx = (x + 0.5 - e->cx) * ia;

      if (!mask[x])
        continue;
      if (dx * dx + dy2 > lim2) {
        sum_out += py[x];
        n_out++;
      } else {
        sum_in += py[x];
        n_in++;
      }
    }
  }
  if (n_out == 0 || n_in == 0 || sum_out / n_out > PT_DIM_LOBE_RATIO * (sum_in / n_in))
    return FALSE;
  for (int y = 0; y < h; y++) {
    double dy = (y + 0.5 - e->cy) * ib, dy2 = dy * dy;
    guint8 *mask = c->mask + (gsize)y * w;

    for (int x = 0; x < w; x++) {
      double dx = (x + 0.5 - e->cx) * ia;

      if (dx * dx + dy2 > lim2)
        mask[x] = 0;
    }
  }
  return TRUE;
}

/* Keeps of the @n outline points in @c->labels those on the fruit's own lit outline: the
 * brightest pixel of the region within two pixels of each at least PT_DIM_LOBE_EDGE of
 * the region's median luma (the outline itself blends into the background), which a
 * reflection's or a shadow's outline is not.  Returns how many are kept: none when under
 * PT_DIM_LOBE_MIN_SHARE of the region is dimmer than PT_DIM_LOBE_RATIO of its median. */
static int
keep_lit_outline(Crop *c, int n)
{
  int w = c->w, h = c->h, kept = 0;
  guint32 hist[256] = {0}, total = 0, dim = 0;
  int median;

  for (gsize k = 0; k < (gsize)w * h; k++)
    if (c->mask[k]) {
      hist[c->py[k]]++;
      total++;
    }
  median = pt_hist_median(hist, 256, total);
  /* Without a dim part there is no lobe to cut (most fruit in a box): nothing to fit. */
  for (int v = 0; v < PT_DIM_LOBE_RATIO * median; v++)
    dim += hist[v];
  if (dim < PT_DIM_LOBE_MIN_SHARE * total)
    return 0;
  for (int i = 0; i < n; i++) {
    int x = c->labels[i] % w, y = c->labels[i] / w, lit = 0;

    for (int yy = MAX(0, y - 2); yy <= MIN(h - 1, y + 2); yy++)
      for (int xx = MAX(0, x - 2); xx <= MIN(w - 1, x + 2); xx++) {
        gsize k = (gsize)yy * w + xx;

        if (c->mask[k])
          lit = MAX(lit, c->py[k]);
      }
    if (lit >= PT_DIM_LOBE_EDGE * median)
      c->labels[kept++] = c->labels[i];
  }
  return kept;
}

/* A photo's fruit standing on a glossy floor (the black acrylic of a product light box) is
 * found with its mirror image below it, and one on a pale floor with its shadow, whether
 * the photo is graded whole or through a box round both: the region is the fruit with a
 * lobe beyond its outline, as bright as the fruit's own shaded limb, which the peel
 * analysis reads as a bruise or mould over a third of the fruit, and on which less of the
 * outline lies on one circle than cut_clinging () needs.  The fruit's outline is the circle
 * most of its free, lit outline (keep_lit_outline ()) lies on (fit_fruit_outline ()), or
 * else, for a fruit wider than tall (a mandarin on its base), the ellipse with axes along
 * the photo's, trusted from PT_CLING_MIN_ARC of its perimeter.  What lies beyond
 * PT_CLING_MARGIN of it is cut off when its mean luma is at most PT_DIM_LOBE_RATIO of the
 * rest's (cut_beyond_if_dim ()), which an oblong fruit's far end, as bright as its near one,
 * is not.  TRUE when pixels were cut, @circle then the centre and the larger semi-axis. */
static gboolean
cut_dim_lobe(Crop *c, double circle[3])
{
  int n = free_outline(c->mask, c->foreign, c->w, c->h, c->labels);

  n = keep_lit_outline(c, n);
  if (n < 16)
    return FALSE;
  for (int round = 1; round >= 0; round--) {
    AxisEllipse e = {0, 0, 0, 0};
    int on = fit_fruit_outline(c, n, round, &e);
    if (on > 0 && on >= PT_CLING_MIN_ARC * axis_ellipse_perimeter(&e) && cut_beyond_if_dim(c, &e)) {
      circle[0] = e.cx;
      circle[1] = e.cy;
      circle[2] = MAX(e.a, e.b);
      return TRUE;
    }
  }
  return FALSE;
}

/* A whole photo's fruit of which the search found a part only: white mould or a pale band of
 * it as light as a white light box's floor falls to the background, and the fruit is found
 * as its peel-coloured part, or as parts.  The part's free outline (@c's region after
 * crop_isolate ()) lies on the fruit's circle, or else (a mandarin on its base is wider than
 * tall) on the ellipse with axes along the photo's that cut_dim_lobe () would trust, along at
 * least PT_PART_MIN_ARC of its perimeter; the part spans it (its widest caliper at least
 * PT_PART_MIN_SPAN of the short diameter) and fills at most PT_PART_MAX_FILL of it; it lies
 * in the frame.  Whether what it leaves out is the fruit's or the floor is
 * round_fruit_pieces ()'s to tell.  TRUE with @outline the fruit's outline in frame pixels. */
static gboolean
part_of_round_fruit(Crop *c, const PtShape *shape, const PtFrame *frame, AxisEllipse *outline)
{
  int n = free_outline(c->mask, c->foreign, c->w, c->h, c->labels);

  if (n < 16)
    return FALSE;
  for (int round = 1; round >= 0; round--) {
    AxisEllipse e = {0, 0, 0, 0};
    int on = fit_fruit_outline(c, n, round, &e);

    if (on == 0 || on < PT_PART_MIN_ARC * axis_ellipse_perimeter(&e) ||
        shape->max_width < PT_PART_MIN_SPAN * 2 * MIN(e.a, e.b) ||
        shape->area_px > PT_PART_MAX_FILL * G_PI * e.a * e.b)
      continue;
    outline->cx = c->x0 + e.cx * c->s;
    outline->cy = c->y0 + e.cy * c->s;
    outline->a = e.a * c->s;
    outline->b = e.b * c->s;
    return outline->cx - outline->a >= 0 && outline->cy - outline->b >= 0 &&
           outline->cx + outline->a <= frame->width && outline->cy + outline->b <= frame->height;
  }
  return FALSE;
}

/* Grades @blob into @fruit; FALSE when it is no fruit.  With @part (nullable) in a photo
 * graded whole, @part gets the outline of the round fruit @blob is a part of
 * (part_of_round_fruit ()), semi-axes 0 when it is none. */
static gboolean
analyse_blob(PtGrader *g, const PtFrame *frame, const PtBlob *blob, PtFruit *fruit,
             AxisEllipse *part)
{
  PtShape *shape = &g->shape;
  PtPoint *xs;
  double solidity, circle[3];
  Crop c;

  if (!crop_place(g, frame, blob, &c))
    return FALSE;
  crop_sample(g, frame, blob, &c);
  if (!crop_isolate(&c))
    return FALSE;
  /* A photo's fruit on a glossy floor, or its shadow on a pale one (no belt). */
  if (g->mm_per_px == 0 && cut_dim_lobe(&c, circle) &&
      !keep_largest(c.mask, c.w, c.h, c.labels, c.parent))
    return FALSE;
  xs = pt_models_buf_get(&g->b_points, (4 * (gsize)c.h + 8) * sizeof(PtPoint));
  pt_shape_measure(c.mask, c.w, 0, 0, c.w, c.h, 1, shape, xs);
  if (shape->minor < 2 || shape->n_hull < 3)
    return FALSE;

  memset(fruit, 0, sizeof *fruit);
  fruit->partial = crop_is_partial(&c);
  if (part &&
      !(g->mm_per_px == 0 && !fruit->partial && part_of_round_fruit(&c, shape, frame, part)))
    part->a = part->b = 0;
  place_fruit(&c, shape, frame, fruit);
  solidity = hull_solidity(shape);
  measure_size(g, &c, shape, fruit);
  /* The peel is judged in the colours a camera balanced for the photo's light would give
   * (pt-white.c), once the colours as taken have told the fruit from the background. */
  if (g->white_set)
    pt_white_apply(&g->white, c.py, c.pcb, c.pcr, (gsize)c.w * c.h);
  /* On a belt another view sees a fruit the frame cuts; in a photo (no scale: its size
   * unknown) what the photo shows of it is graded, and it stays marked partial. */
  if (!fruit->partial || fruit->size_unknown)
    add_peel(g, &c, shape, g->mm_per_px == 0, NULL, NULL, fruit);
  decide_class(&g->profile, fruit, solidity);
  return TRUE;
}

/* A ROI's record when its fruit cannot be graded: the ROI itself, class none and why. */
static void
roi_not_graded(const PtRoi *roi, const char *reason, PtFruit *fruit)
{
  memset(fruit, 0, sizeof *fruit);
  fruit->x = roi->x;
  fruit->y = roi->y;
  fruit->width = roi->width;
  fruit->height = roi->height;
  fruit->cx = roi->x + 0.5 * roi->width;
  fruit->cy = roi->y + 0.5 * roi->height;
  fruit->klass = PT_CLASS_NONE;
  snprintf(fruit->rule, sizeof fruit->rule, "not graded: %s", reason);
}

/* Pixel centre (@px, @py) inside the convex hull of @shape, whose doubled signed area is
 * @area2. */
static gboolean
hull_contains(const PtShape *shape, double area2, double px, double py)
{
  guint n = shape->n_hull;

  for (guint k = 0; k < n; k++) {
    const PtPoint *a = &shape->hull[k], *b = &shape->hull[(k + 1) % n];
    double cross = (b->x - a->x) * (py - a->y) - (b->y - a->y) * (px - a->x);

    if (area2 > 0 ? cross < 0 : cross > 0)
      return FALSE;
  }
  return TRUE;
}

/* Sets @mask to the convex hull of @shape inside @box: mould or rot on the outline differs
 * from the peel's colour but is still fruit, and a fruit is convex.  A convex hull meets a
 * row in one run: its ends come from the edges' lines, and the pixels within two of each
 * end are tested one by one, so rounding cannot move the run. */
static void
fill_hull(guint8 *mask, int w, const PtRoiBox *box, const PtShape *shape)
{
  guint n = shape->n_hull;
  double area2 = 0, sgn;

  for (guint k = 0; k < n; k++) {
    const PtPoint *a = &shape->hull[k], *b = &shape->hull[(k + 1) % n];

    area2 += a->x * b->y - b->x * a->y;
  }
  sgn = area2 > 0 ? 1.0 : -1.0;
  for (int y = box->y0; y < box->y1; y++) {
    double py = y + 0.5, lo = -G_MAXDOUBLE, hi = G_MAXDOUBLE;
    int xa, xb;

    /* Inside every edge: sgn * (K - D * px) >= 0 (sgn -1 also holds a flat hull's
     * "cross <= 0"). */
    for (guint k = 0; k < n && lo <= hi; k++) {
      const PtPoint *a = &shape->hull[k], *b = &shape->hull[(k + 1) % n];
      double d = b->y - a->y, kk = (b->x - a->x) * (py - a->y) + d * a->x;

      if (d * sgn > 0)
        hi = MIN(hi, kk / d);
      else if (d * sgn < 0)
        lo = MAX(lo, kk / d);
      else if (sgn * kk < 0)
        hi = -G_MAXDOUBLE;
    }
    if (lo > hi + 4)
      continue;
    xa = (int)CLAMP(ceil(lo - 0.5), box->x0 - 3, box->x1 + 3);
    xb = (int)CLAMP(floor(hi - 0.5), box->x0 - 3, box->x1 + 3);
    for (int x = MAX(box->x0, xa - 2); x < MIN(box->x1, xb + 3); x++) {
      gboolean edge = x <= xa + 2 || x >= xb - 2;

      if (!edge || hull_contains(shape, area2, x + 0.5, py))
        mask[(gsize)y * w + x] = 1;
    }
  }
}

/* Cuts off what clings to a ROI's fruit along a long contact, which an opening leaves: a
 * neighbour's edge of a similar colour (a banana beside an orange, the next fruit of a
 * pile) makes the region a round fruit with a strip or a lobe added.  A circle is fitted
 * to the region's own outline (not where the box or its ellipse cut it, @foreign) and
 * refitted to the outline points near it; when most of the outline lies on that circle
 * (PT_CLING_MIN_FIT), the fruit is round and what lies beyond PT_CLING_MARGIN of its radius
 * is a neighbour's.  An elongated fruit fits no circle that well and is left whole.  TRUE
 * when pixels were cut (the caller keeps the largest piece again); @circle gets the centre
 * and radius when the fruit is round (else it is left as it was): on an arc of at least
 * PT_LOST_CIRCLE_MIN_ARC of it, or of PT_LOST_CIRCLE_SHORT_ARC when nearly all the outline
 * lies on it (PT_LOST_CIRCLE_SHORT_FIT), while cutting takes PT_CLING_MIN_ARC.  @outline is scratch
 * of w*h entries.  Cost: one pass over the crop for the outline, the fits over the outline alone,
 * and one more pass to cut when the fruit is round. */
static gboolean
cut_clinging(guint8 *mask, const guint8 *foreign, int w, int h, gint32 *outline, double circle[3])
{
  double cx = 0, cy = 0, rad = 0, lim2, arc;
  /* The free outline once: the passes below read only these pixels. */
  int n_free = free_outline(mask, foreign, w, h, outline), n_in = 0;
  gboolean cut = FALSE, round;

  for (int pass = 0; pass <= PT_CLING_PASSES; pass++) {
    double a[3][3] = {{0}}, r[3] = {0};

    n_in = 0;
    for (int i = 0; i < n_free; i++) {
      double px = outline[i] % w + 0.5, py = outline[i] / w + 0.5;

      if (pass > 0 &&
          fabs(sqrt((px - cx) * (px - cx) + (py - cy) * (py - cy)) - rad) > PT_CLING_BAND * rad)
        continue;
      n_in++;
      circle_add(a, r, px, py);
    }
    /* The last pass only counts the outline on the last circle. */
    if (pass == PT_CLING_PASSES)
      break;
    if (n_in < 16 || !circle_solve(a, r, &cx, &cy, &rad))
      return FALSE;
  }
  arc = n_in / (2 * G_PI * rad);
  round = n_in >= PT_CLING_MIN_FIT * n_free && arc >= PT_LOST_CIRCLE_MIN_ARC;
  if (!round && (n_in < PT_LOST_CIRCLE_SHORT_FIT * n_free || arc < PT_LOST_CIRCLE_SHORT_ARC))
    return FALSE;
  circle[0] = cx;
  circle[1] = cy;
  circle[2] = rad;
  if (!round || arc < PT_CLING_MIN_ARC)
    return FALSE;
  lim2 = (1 + PT_CLING_MARGIN) * rad * (1 + PT_CLING_MARGIN) * rad;
  for (int y = 0; y < h; y++) {
    double dy2 = (y + 0.5 - cy) * (y + 0.5 - cy);

    for (int x = 0; x < w; x++) {
      gsize k = (gsize)y * w + x;

      if (mask[k] && (x + 0.5 - cx) * (x + 0.5 - cx) + dy2 > lim2) {
        mask[k] = 0;
        cut = TRUE;
      }
    }
  }
  return cut;
}

/* The part of the box's inner ellipse a round fruit leaves out (pt_roi_lost_peel()) is
 * background, not a cap that lost the peel's colour, when most of what its bounding box
 * holds outside @mask lies beyond the fruit's @circle: a box drawn loose or cut by the
 * frame's edge is off the fruit's centre, and its ellipse reaches past the fruit's own
 * round limb, whereas a lost cap lies within the circle the rest of the outline traces. */
static gboolean
lost_is_beyond(const guint8 *mask, int w, const PtDefect *lost, const double circle[3])
{
  double limit = (1 + PT_CLING_MARGIN) * circle[2];
  guint n_out = 0, n_beyond = 0;

  if (circle[2] <= 0)
    return FALSE;
  for (int y = lost->y; y < lost->y + lost->height; y++)
    for (int x = lost->x; x < lost->x + lost->width; x++) {
      if (mask[(gsize)y * w + x])
        continue;
      n_out++;
      n_beyond += (x + 0.5 - circle[0]) * (x + 0.5 - circle[0]) +
                      (y + 0.5 - circle[1]) * (y + 0.5 - circle[1]) >
                  limit * limit;
    }
  return n_out > 0 && n_beyond > PT_LOST_BEYOND_SHARE * n_out;
}

/* The background's palette: a coarse L*a*b* histogram (PT_HULL_BG_BIN units a cell). */
#define PALETTE_NL (100 / PT_HULL_BG_BIN + 1)
#define PALETTE_NC (2 * PT_HULL_BG_AB_MAX / PT_HULL_BG_BIN + 1)

static inline gsize
palette_cell(int il, int ia, int ib)
{
  return ((gsize)il * PALETTE_NC + ia) * PALETTE_NC + ib;
}

static inline void
palette_index(const float *p, int *il, int *ia, int *ib)
{
  *il = CLAMP((int)(p[0] / PT_HULL_BG_BIN), 0, PALETTE_NL - 1);
  *ia = CLAMP((int)floorf((p[1] + PT_HULL_BG_AB_MAX) / PT_HULL_BG_BIN), 0, PALETTE_NC - 1);
  *ib = CLAMP((int)floorf((p[2] + PT_HULL_BG_AB_MAX) / PT_HULL_BG_BIN), 0, PALETTE_NC - 1);
}

/* Takes out of @mask (the hull of @region) the gaps the hull bridged towards a neighbour: a
 * concave gap between the fruit and the next fruit holds background (paper, table, cloth),
 * the neighbour's edge or the shadow between them, which the peel analysis would call mould
 * or a cut.  The background's colours are learnt from the crop outside the hull (its ring
 * and the box's margin: whatever the box holds beside its fruit); a hull pixel outside the
 * region whose colour is common there (PT_HULL_BG_MIN_SHARE of it within a cell of its own),
 * or as dark as the shadow between fruit, is background, and is left out when it is
 * connected through such pixels to the hull's outline.  Mould or rot on the outline has a
 * colour of its own (darker or browner than paper, lighter than black cloth) and stays.
 * @lab is the crop's L*a*b*, @seed the peel's; @region gets the states (scratch). */
static void
trim_hull_gaps(PtGrader *g, const Crop *c, const PtRoiBox *box, const float *lab,
               const float seed[3], guint8 *mask, guint8 *region)
{
  int w = c->w, h = c->h;
  gsize n = (gsize)w * h, n_cells = (gsize)PALETTE_NL * PALETTE_NC * PALETTE_NC;
  guint32 *pal = pt_models_buf_get(&g->b_palette, n_cells * sizeof(guint32));
  gint32 *stack = c->labels;
  gsize top = 0;
  guint32 n_bg = 0;
  double min_count;
  float shadow_l = PT_ROI_LOST_SHADOW * seed[0];
  enum { OUT = 0, FRUIT = 1, GAP = 2, BG = 3, DONE = 4 };

  memset(pal, 0, n_cells * sizeof(guint32));
  for (gsize k = 0; k < n; k++)
    if (!mask[k]) {
      int il, ia, ib;

      palette_index(lab + 3 * k, &il, &ia, &ib);
      pal[palette_cell(il, ia, ib)]++;
      n_bg++;
    }
  min_count = MAX(PT_HULL_BG_MIN_PX, PT_HULL_BG_MIN_SHARE * n_bg);
  /* States: the region is fruit; the hull's other pixels are a gap, background when they
   * look like it. */
  for (int y = 0; y < h; y++)
    for (int x = 0; x < w; x++) {
      gsize k = (gsize)y * w + x;
      const float *p = lab + 3 * k;
      int il, ia, ib;
      double sum = 0;

      if (!mask[k] || region[k]) {
        region[k] = mask[k] ? FRUIT : OUT;
        continue;
      }
      region[k] = GAP;
      if (p[0] < shadow_l) {
        region[k] = BG;
        continue;
      }
      palette_index(p, &il, &ia, &ib);
      for (int dl = MAX(0, il - 1); dl <= MIN(PALETTE_NL - 1, il + 1); dl++)
        for (int da = MAX(0, ia - 1); da <= MIN(PALETTE_NC - 1, ia + 1); da++)
          for (int db = MAX(0, ib - 1); db <= MIN(PALETTE_NC - 1, ib + 1); db++)
            sum += pal[palette_cell(dl, da, db)];
      if (sum >= min_count)
        region[k] = BG;
    }
  /* Seeds: background gap pixels on the hull's outline (next to a pixel outside it or on the
   * box's edge). */
  for (int y = box->y0; y < box->y1; y++)
    for (int x = box->x0; x < box->x1; x++) {
      gsize k = (gsize)y * w + x;

      if (region[k] != BG)
        continue;
      if (x == box->x0 || y == box->y0 || x == box->x1 - 1 || y == box->y1 - 1 ||
          region[k - 1] == OUT || region[k + 1] == OUT || region[k - w] == OUT ||
          region[k + w] == OUT) {
        region[k] = DONE;
        stack[top++] = (gint32)k;
      }
    }
  while (top > 0) {
    gsize k = (gsize)stack[--top];
    int x = (int)(k % w), y = (int)(k / w);

    mask[k] = 0;
    if (x > box->x0 && region[k - 1] == BG)
      region[k - 1] = DONE, stack[top++] = (gint32)(k - 1);
    if (x + 1 < box->x1 && region[k + 1] == BG)
      region[k + 1] = DONE, stack[top++] = (gint32)(k + 1);
    if (y > box->y0 && region[k - w] == BG)
      region[k - w] = DONE, stack[top++] = (gint32)(k - w);
    if (y + 1 < box->y1 && region[k + w] == BG)
      region[k + w] = DONE, stack[top++] = (gint32)(k + w);
  }
}

/* Places and samples the crop of @roi with a ring of one step round it (within the
 * frame); @box gets the ROI in crop pixels, one step in from the crop's edge. */
static void
roi_crop(PtGrader *g, const PtFrame *frame, const PtRoi *roi, Crop *c, PtRoiBox *box)
{
  int s = MAX(1, (MAX(roi->width, roi->height) + PT_ROI_ANALYSIS_MAX_SIDE - 3) /
                     (PT_ROI_ANALYSIS_MAX_SIDE - 2));
  int x0 = MAX(0, roi->x - s), y0 = MAX(0, roi->y - s);
  int x1 = MIN(frame->width, roi->x + roi->width + s);
  int y1 = MIN(frame->height, roi->y + roi->height + s);
  int w = (x1 - x0) / s, h = (y1 - y0) / s;
  gsize n = (gsize)w * h;

  memset(c, 0, sizeof *c);
  c->x0 = x0;
  c->y0 = y0;
  c->s = s;
  c->w = w;
  c->h = h;
  c->mmpx = g->mm_per_px * s;
  c->py = pt_models_buf_get(&g->b_planes, 3 * n);
  c->pcb = c->py + n;
  c->pcr = c->py + 2 * n;
  c->mask = pt_models_buf_get(&g->b_mask, n);
  c->foreign = pt_models_buf_get(&g->b_foreign, n);
  c->labels = pt_models_buf_get(&g->b_labels, n * sizeof(gint32));
  c->parent = pt_models_buf_get(&g->b_parent, (n + 4) * sizeof(gint32));
  pt_frame_sample(frame, x0, y0, w, h, s, c->py, c->pcb, c->pcr);
  if (g->white_set)
    pt_white_apply(&g->white, c->py, c->pcb, c->pcr, n);
  box->x0 = MAX(1, (roi->x - x0 + s / 2) / s);
  box->y0 = MAX(1, (roi->y - y0 + s / 2) / s);
  box->x1 = MIN(w - 1, (roi->x + roi->width - x0 + s / 2) / s);
  box->y1 = MIN(h - 1, (roi->y + roi->height - y0 + s / 2) / s);
}

/* The smallest blob (frame pixels) the search keeps in a @w x @h rectangle: anything under
 * half the profile's minimum diameter (or 20 mm) is dirt, a leaf or a loose sticker, not
 * fruit; without a scale, a share of the rectangle. */
static double
min_fruit_area_px(const PtGrader *g, int w, int h)
{
  double d = g->profile.min_diameter_mm > 0 ? 0.5 * g->profile.min_diameter_mm : 20.0;

  if (g->mm_per_px > 0)
    return MAX(64.0, G_PI * 0.25 * d * d / (g->mm_per_px * g->mm_per_px));
  return MAX(64.0, PT_UNSCALED_MIN_FRUIT_SHARE * (double)w * h);
}

/* The area two boxes share (frame pixels), 0 when they are apart. */
static double
box_overlap(int ax, int ay, int aw, int ah, int bx, int by, int bw, int bh)
{
  int ix0 = MAX(ax, bx), iy0 = MAX(ay, by);
  int ix1 = MIN(ax + aw, bx + bw), iy1 = MIN(ay + ah, by + bh);

  return ix1 > ix0 && iy1 > iy0 ? (double)(ix1 - ix0) * (iy1 - iy0) : 0;
}

typedef enum {
  LONE_GRADED,    /* @fruit is the record */
  LONE_NOT_FRUIT, /* what lies there is too long for a fruit (a leaf) */
  LONE_NOT_FOUND, /* no whole blob: grade it in a box drawn round it */
} LoneOutcome;

/* A fruit alone in a loose box (PT_ROI_LONE) is graded as a photo of one fruit is graded
 * whole: found against the even background round it, which keeps a mould cap or rot with
 * it whatever their colour, and its peel analysed as one blob's.  @near (nullable): where
 * the box's middle put the fruit (frame pixels), which the blob must overlap. */
static LoneOutcome
lone_blob(PtGrader *g, const PtFrame *frame, const PtRoi *roi, const PtRoi *near, PtFruit *fruit)
{
  const PtBlob *blob;

  pt_fruit_segment(&g->seg, frame, roi->x, roi->y, roi->width, roi->height,
                   min_fruit_area_px(g, roi->width, roi->height), FALSE);
  if (g->seg.n_blobs != 1)
    return LONE_NOT_FOUND;
  blob = &g->seg.blobs[0];
  /* Alone: clear of the box's sides, and not a speck of it. */
  if (blob->x0 == 0 || blob->y0 == 0 || blob->x1 >= g->seg.w || blob->y1 >= g->seg.h ||
      (double)blob->area * g->seg.f * g->seg.f <
          PT_ROI_LONE_MIN_COVER * (double)roi->width * roi->height)
    return LONE_NOT_FOUND;
  if (!analyse_blob(g, frame, blob, fruit, NULL) || fruit->partial)
    return LONE_NOT_FOUND;
  /* The search keeps the box's largest blob: it must be the region found at the middle. */
  if (near) {
    double inter = box_overlap(fruit->x, fruit->y, fruit->width, fruit->height, near->x, near->y,
                               near->width, near->height);
    double uni = (double)fruit->width * fruit->height + (double)near->width * near->height - inter;

    if (uni <= 0 || inter < PT_ROI_LONE_MIN_IOU * uni)
      return LONE_NOT_FOUND;
  }
  /* analyse_blob() left the blob's outline in g->shape. */
  return g->shape.major <= PT_ROI_LONE_MAX_ASPECT * g->shape.minor ? LONE_GRADED : LONE_NOT_FRUIT;
}

/* Exactly one record for @roi: its fruit graded, or class none with the reason.  A fruit
 * alone and small in a loose box is graded once more in a box drawn round it (@tightened),
 * as one drawn by hand would be: the box's inner ellipse is then the fruit's face. */
static void
analyse_roi(PtGrader *g, const PtFrame *frame, const PtRoi *roi, PtFruit *fruit, gboolean tightened)
{
  PtShape *shape = &g->shape;
  PtRoiBox box;
  PtPoint *xs;
  float seed[3];
  double solidity, cut_share = 0;
  Crop c;
  PtRoiVerdict verdict;
  PtRoiInput in;
  PtDefect lost;
  gboolean has_lost;
  guint8 *region;
  int lone[4];
  double circle[3] = {0, 0, 0}; /* the round fruit's centre and radius, 0: not round */

  if (MIN(roi->width, roi->height) < PT_ROI_MIN_SIDE_PX) {
    roi_not_graded(roi, "too small to grade", fruit);
    return;
  }
  roi_crop(g, frame, roi, &c, &box);
  in = (PtRoiInput){c.w, c.h, c.py, c.pcb, c.pcr, box};
  verdict = pt_roi_find_fruit(&in, c.mask, c.foreign, &g->roi, seed, lone);
  if (verdict == PT_ROI_LONE && !tightened) {
    int fx0 = c.x0 + lone[0] * c.s, fy0 = c.y0 + lone[1] * c.s;
    int fx1 = c.x0 + (lone[2] + 1) * c.s, fy1 = c.y0 + (lone[3] + 1) * c.s;
    int m = (int)lround(PT_ROI_LONE_MARGIN * MAX(fx1 - fx0, fy1 - fy0));
    PtRoi found = {fx0, fy0, fx1 - fx0, fy1 - fy0}, tight;

    tight.x = MAX(roi->x, fx0 - m);
    tight.y = MAX(roi->y, fy0 - m);
    tight.width = MIN(roi->x + roi->width, fx1 + m) - tight.x;
    tight.height = MIN(roi->y + roi->height, fy1 + m) - tight.y;
    switch (lone_blob(g, frame, roi, &found, fruit)) {
    case LONE_GRADED:
      break;
    case LONE_NOT_FRUIT:
      roi_not_graded(roi, "no fruit at the middle of the ROI", fruit);
      break;
    case LONE_NOT_FOUND:
      analyse_roi(g, frame, &tight, fruit, TRUE);
      break;
    }
    return;
  }
  /* A fruit too small in its box for the box's middle to be its peel (a photo of one fruit
   * graded whole, the fruit at a fifth of its width) is still found alone in it. */
  if ((verdict == PT_ROI_TOO_DARK || verdict == PT_ROI_NOT_FRUIT) && !tightened &&
      lone_blob(g, frame, roi, NULL, fruit) == LONE_GRADED)
    return;
  if (verdict == PT_ROI_TOO_DARK) {
    roi_not_graded(roi, "too dark to grade", fruit);
    return;
  }
  if (verdict != PT_ROI_FOUND && verdict != PT_ROI_LONE) {
    roi_not_graded(roi, "no fruit at the middle of the ROI", fruit);
    return;
  }
  pt_open_octagon(c.mask, c.w, c.h);
  xs = pt_models_buf_get(&g->b_points, (4 * (gsize)c.h + 8) * sizeof(PtPoint));
  if (!keep_largest(c.mask, c.w, c.h, c.labels, c.parent)) {
    roi_not_graded(roi, "no fruit at the middle of the ROI", fruit);
    return;
  }
  if (cut_clinging(c.mask, c.foreign, c.w, c.h, c.labels, circle) || cut_dim_lobe(&c, circle))
    keep_largest(c.mask, c.w, c.h, c.labels, c.parent);
  pt_shape_measure(c.mask, c.w, 0, 0, c.w, c.h, 1, shape, xs);
  if (shape->minor < 2 || shape->n_hull < 3) {
    roi_not_graded(roi, "no fruit at the middle of the ROI", fruit);
    return;
  }
  solidity = hull_solidity(shape);
  region = pt_models_buf_get(&g->b_region, (gsize)c.w * c.h);
  memcpy(region, c.mask, (gsize)c.w * c.h);
  fill_hull(c.mask, c.w, &box, shape);
  pt_shape_measure(c.mask, c.w, 0, 0, c.w, c.h, 1, shape, xs);
  touching_diameter(c.mask, c.foreign, c.w, c.h, &cut_share);
  has_lost = pt_roi_lost_peel(&in, c.mask, &g->roi, seed, &lost) &&
             !lost_is_beyond(c.mask, c.w, &lost, circle);

  memset(fruit, 0, sizeof *fruit);
  place_fruit(&c, shape, frame, fruit);
  measure_size(g, &c, shape, fruit);
  /* The outline and size are the hull's; the peel leaves out the background it bridged. */
  trim_hull_gaps(g, &c, &box, pt_roi_lab(&g->roi, &in), seed, c.mask, region);
  /* No patch the peel lost to one side: the middle itself may be mould (what the peel
   * analysis cannot see, as it takes the middle's colour for the peel's). */
  if (!has_lost && g->profile.mould)
    has_lost = pt_roi_pale_middle(&in, c.mask, &g->roi, seed, &lost);
  pt_shape_measure(c.mask, c.w, 0, 0, c.w, c.h, 1, &g->peel_shape, xs);
  add_peel(g, &c, &g->peel_shape, TRUE, pt_roi_lab(&g->roi, &in), has_lost ? &lost : NULL, fruit);
  decide_class(&g->profile, fruit, solidity);
  /* Where the ROI cuts the fruit, its outline there is the ROI's ellipse, not seen. */
  fruit->confidence *= 1.0 - PT_ROI_CUT_TRUST * cut_share;
}

/* Reading order: rows of fruit top to bottom, left to right within a row.
 * A row is a band of the median fruit height, so the key is a total order
 * and the order does not depend on a fruit's centroid moving by a pixel. */
static int
cmp_fruit(gconstpointer a, gconstpointer b, gpointer data)
{
  const PtFruit *p = a, *q = b;
  double band = *(const double *)data;
  double rp = floor(p->cy / band), rq = floor(q->cy / band);

  if (rp != rq)
    return rp < rq ? -1 : 1;
  if (p->cx != q->cx)
    return p->cx < q->cx ? -1 : 1;
  if (p->cy != q->cy)
    return p->cy < q->cy ? -1 : 1;
  return 0;
}

static int
cmp_int(const void *a, const void *b)
{
  return *(const int *)a - *(const int *)b;
}

static void
sort_fruit(PtFruit *fruit, guint n)
{
  int heights[PT_GRADER_MAX_FRUIT];
  double band;

  if (n < 2)
    return;
  for (guint i = 0; i < n; i++)
    heights[i] = fruit[i].height;
  qsort(heights, n, sizeof(int), cmp_int);
  band = MAX(1, heights[n / 2]);
  g_qsort_with_data(fruit, (gint)n, sizeof(PtFruit), cmp_fruit, &band);
}

void
pt_grader_decide(const PtGradeProfile *profile, PtFruit *fruit)
{
  const char *code = pt_grade_profile_size_code(profile, fruit->diameter_mm);
  double trust = fruit->confidence;

  if (!fruit->size_unknown) {
    fruit->weight_g =
        pt_grade_profile_estimate_weight(profile, fruit->diameter_mm, fruit->length_mm);
    g_strlcpy(fruit->size_code, code ? code : "", sizeof fruit->size_code);
  }
  /* 0.9 is the solidity from which decide_class() trusts a silhouette fully. */
  decide_class(profile, fruit, 0.9);
  fruit->confidence = MIN(fruit->confidence, trust);
}

const char *
pt_grader_version(void)
{
  return "packtrace-grader/3";
}

/* Whether @outline (frame pixels) is a round fruit the search found in parts: what of it no
 * blob of @seg holds differs from the background (its median difference at least
 * PT_PART_MIN_FEAT of the search's low threshold: white mould is a little off the light
 * box's floor, the floor beyond an oblate fruit's round fit is the floor), and no blob but
 * its pieces lies in it (another with more than PT_PART_MAX_NEIGHBOUR of the outline's area
 * inside is a neighbour in front).  @pieces: the blobs with at least PT_PART_PIECE_SHARE of
 * their work pixels inside and none beyond PT_PART_PIECE_REACH of it (the outline is
 * fitted to a part's arc: a cap on the far side may reach a little past it). */
static gboolean
round_fruit_pieces(const PtSegmentation *seg, const AxisEllipse *outline, gboolean *pieces)
{
  guint32 inside[PT_GRADER_MAX_FRUIT] = {0}, near[PT_GRADER_MAX_FRUIT] = {0}, hist[256] = {0};
  guint32 n = 0;
  double f = seg->f, cx = (outline->cx - seg->rx) / f, cy = (outline->cy - seg->ry) / f;
  double a = outline->a / f, b = outline->b / f, reach = PT_PART_PIECE_REACH;
  int y0 = MAX(0, (int)floor(cy - reach * b)), y1 = MIN(seg->h - 1, (int)ceil(cy + reach * b));
  int x0 = MAX(0, (int)floor(cx - reach * a)), x1 = MIN(seg->w - 1, (int)ceil(cx + reach * a));

  for (int y = y0; y <= y1; y++)
    for (int x = x0; x <= x1; x++) {
      gsize k = (gsize)y * seg->w + x;
      gint32 l = seg->labels[k];
      double dx = (x + 0.5 - cx) / a, dy = (y + 0.5 - cy) / b, d2 = dx * dx + dy * dy;

      if (d2 > reach * reach)
        continue;
      if (l == 0 && d2 <= 1) {
        hist[seg->feat[k]]++;
        n++;
      }
      for (guint i = 0; l > 0 && i < seg->n_blobs; i++)
        if (seg->blobs[i].label == l) {
          near[i]++;
          inside[i] += d2 <= 1;
        }
    }
  if (n == 0 || pt_hist_median(hist, 256, n) < PT_PART_MIN_FEAT * seg->lo)
    return FALSE;
  for (guint i = 0; i < seg->n_blobs; i++) {
    pieces[i] = inside[i] >= PT_PART_PIECE_SHARE * seg->blobs[i].area &&
                near[i] >= (guint32)seg->blobs[i].area;
    if (!pieces[i] && inside[i] > PT_PART_MAX_NEIGHBOUR * G_PI * a * b)
      return FALSE;
  }
  return TRUE;
}

/* A whole photo's blobs graded into @result.  In a photo (no scale), a blob that is part of a
 * round fruit whose pale rest fell to the background (part_of_round_fruit ()) and the blobs
 * within that fruit's circle (round_fruit_pieces ()) are one fruit, graded as a box drawn
 * round its circle is (analyse_roi (): the part of the box's ellipse the fruit found leaves
 * out is the peel it lost), where each piece was a fruit of its own, the peel-coloured one
 * sound.  When that box grades nothing, the pieces keep their records. */
static void
grade_blobs(PtGrader *g, const PtFrame *frame, PtGradeResult *result)
{
  const PtSegmentation *seg = &g->seg;
  guint n_blobs = seg->n_blobs, owner[PT_GRADER_MAX_FRUIT], n_round = 0, kept = 0;
  AxisEllipse part, round[PT_GRADER_MAX_FRUIT];
  guint64 of_round[PT_GRADER_MAX_FRUIT], taken = 0, gone = 0;
  g_autofree PtFruit *found = NULL;

  G_STATIC_ASSERT(PT_GRADER_MAX_FRUIT <= 64);
  for (guint b = 0; b < n_blobs; b++) {
    gboolean pieces[PT_GRADER_MAX_FRUIT];
    guint64 mask = 0;

    if (!analyse_blob(g, frame, &seg->blobs[b], &result->fruit[result->n_fruit], &part))
      continue;
    owner[result->n_fruit++] = b;
    if (part.a <= 0 || !round_fruit_pieces(seg, &part, pieces))
      continue;
    for (guint k = 0; k < n_blobs; k++)
      if (pieces[k] || k == b)
        mask |= G_GUINT64_CONSTANT(1) << k;
    /* A piece of a round fruit already found proposes nothing of its own. */
    if (mask & taken)
      continue;
    taken |= mask;
    of_round[n_round] = mask;
    round[n_round++] = part;
  }
  if (n_round == 0)
    return;
  /* Every record the pieces had is graded by now: analyse_roi () may search the frame again
   * (g->seg). */
  found = g_new(PtFruit, n_round);
  for (guint i = 0; i < n_round; i++) {
    double ma = (1 + PT_PART_BOX_MARGIN) * round[i].a, mb = (1 + PT_PART_BOX_MARGIN) * round[i].b;
    int x0 = MAX(0, (int)floor(round[i].cx - ma)), y0 = MAX(0, (int)floor(round[i].cy - mb));
    int x1 = MIN(frame->width, (int)ceil(round[i].cx + ma));
    int y1 = MIN(frame->height, (int)ceil(round[i].cy + mb));
    PtRoi box = {x0, y0, x1 - x0, y1 - y0};

    analyse_roi(g, frame, &box, &found[i], FALSE);
    if (found[i].klass != PT_CLASS_NONE)
      gone |= of_round[i];
  }
  for (guint i = 0; i < result->n_fruit; i++)
    if (!(gone & (G_GUINT64_CONSTANT(1) << owner[i])))
      result->fruit[kept++] = result->fruit[i];
  result->n_fruit = kept;
  for (guint i = 0; i < n_round; i++)
    if (found[i].klass != PT_CLASS_NONE)
      result->fruit[result->n_fruit++] = found[i];
}

/* Whether @a and @b, found in two proposals' boxes, are one fruit: their boxes overlap by
 * more than half of the smaller's area. */
static gboolean
same_fruit(const PtFruit *a, const PtFruit *b)
{
  double small = MIN((double)a->width * a->height, (double)b->width * b->height);

  return 2 * box_overlap(a->x, a->y, a->width, a->height, b->x, b->y, b->width, b->height) > small;
}

/* Whether @f, found in proposal @box, reaches a side of it the frame does not cut: a fruit the
 * box was drawn round (a margin each side) lies within it, where a banana or a stalk runs
 * through it and a part of a larger fruit (a box drawn on its peel beside a mould cap) fills
 * it. */
static gboolean
reaches_side(const PtFruit *f, const PtRoi *box, const PtFrame *frame)
{
  int m = PT_PROPOSE_SIDE_PX;
  gboolean left = f->x <= box->x + m && box->x > 0,
           right = f->x + f->width >= box->x + box->width - m && box->x + box->width < frame->width,
           top = f->y <= box->y + m && box->y > 0,
           bottom =
               f->y + f->height >= box->y + box->height - m && box->y + box->height < frame->height;

  return left || right || top || bottom;
}

/* The fruit the @n boxes of pt_propose_fruit () find, each once, into @out (room for @n);
 * the photo's light read round the boxes, as for boxes drawn by hand.  Returns how many. */
static guint
grade_proposals(PtGrader *g, const PtFrame *frame, const PtRoi *boxes, guint n, PtFruit *out)
{
  guint kept = 0;

  g->white_set = n > 0 && pt_white_estimate(frame, boxes, n, &g->white);
  for (guint i = 0; i < n; i++) {
    PtFruit *f = &out[kept];
    gboolean seen = FALSE;

    analyse_roi(g, frame, &boxes[i], f, FALSE);
    for (guint k = 0; k < kept && !seen; k++)
      seen = same_fruit(f, &out[k]);
    if (f->klass != PT_CLASS_NONE && !seen && !reaches_side(f, &boxes[i], frame))
      kept++;
  }
  g->white_set = FALSE;
  return kept;
}

/* Up to PT_GRADER_MAX_FRUIT proposals (pt_propose_fruit ()) for the whole of @frame into
 * @boxes, searched again when an ROI's grading searched a part of it since. */
static guint
propose(PtGrader *g, const PtFrame *frame, PtRoi *boxes)
{
  PtSegmentation *seg = &g->seg;
  double min_area = min_fruit_area_px(g, frame->width, frame->height);

  if (seg->rx != 0 || seg->ry != 0 || seg->rw != frame->width || seg->rh != frame->height)
    pt_fruit_segment(seg, frame, 0, 0, frame->width, frame->height, min_area, TRUE);
  return pt_propose_fruit(seg, min_area, boxes, PT_GRADER_MAX_FRUIT);
}

/* Whether the @n fruit proposals found (grade_proposals ()) are several fruit within
 * @closeup, the fruit a photo's one ROI found filling it: PT_PROPOSE_MIN_PARTS or more, none
 * over PT_PROPOSE_PART_OF of its box.  Then the ROI took fruit and the surfaces round them
 * for one fruit (paper on a table); a true close-up's fruit is proposed once at its own size,
 * or as parts that reach their boxes' sides, which are none. */
static gboolean
several_within(const PtFruit *closeup, const PtFruit *found, guint n)
{
  double area = (double)closeup->width * closeup->height;

  if (n < PT_PROPOSE_MIN_PARTS)
    return FALSE;
  for (guint k = 0; k < n; k++)
    if ((double)found[k].width * found[k].height > PT_PROPOSE_PART_OF * area)
      return FALSE;
  return TRUE;
}

PtGradeResult *
pt_grader_grade(PtGrader *grader, const PtFrame *frame, const PtRoi *rois, guint n_rois,
                GError **error)
{
  g_autoptr(PtGradeResult) result = NULL;

  g_return_val_if_fail(grader != NULL, NULL);
  if (!pt_frame_validate(frame, error))
    return NULL;
  if (n_rois > PT_GRADER_MAX_ROIS) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE, "too many ROIs (%u, limit %d)",
                n_rois, PT_GRADER_MAX_ROIS);
    return NULL;
  }
  for (guint i = 0; i < n_rois; i++) {
    const PtRoi *r = &rois[i];

    if (r->width < 4 || r->height < 4 || r->x < 0 || r->y < 0 || r->x > frame->width - r->width ||
        r->y > frame->height - r->height) {
      g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID,
                  "ROI %u (%d,%d %dx%d) is empty or outside the %dx%d frame", i, r->x, r->y,
                  r->width, r->height, frame->width, frame->height);
      return NULL;
    }
  }

  /* The L*a*b* peel rules judge ROIs and photos without a scale, in the colours a camera
   * balanced for the photo's light would give (pt-white.c); a belt camera's colours are set
   * up with its calibration. */
  grader->white_set = n_rois > 0 && pt_white_estimate(frame, rois, n_rois, &grader->white);
  result = g_new0(PtGradeResult, 1);
  result->mm_per_px = grader->mm_per_px;
  result->fruit = g_new0(PtFruit, n_rois > 0 ? n_rois : PT_GRADER_MAX_FRUIT);

  if (n_rois == 0) {
    pt_fruit_segment(&grader->seg, frame, 0, 0, frame->width, frame->height,
                     min_fruit_area_px(grader, frame->width, frame->height), TRUE);
    /* A whole photo's fruit are found in the colours as taken (the belt model's), and their
     * peel judged in the light read round them (a photo without a scale; a belt camera's
     * colours are set up with its calibration).  A close-up (below) shows no surface round
     * its fruit to read the light from. */
    grader->white_set =
        grader->mm_per_px == 0 && pt_white_estimate_around(frame, &grader->seg, &grader->white);
    grade_blobs(grader, frame, result);
    grader->white_set = FALSE;
    /* A photo the search finds nothing in may be a close-up of one fruit, with no background
     * round it to tell the fruit from: it is graded as a box holding one fruit, the photo
     * its box, and kept when that box finds a fruit filling the photo, or most of its width
     * or its height when nothing else is found (a face mostly mould is found as its peel's
     * part or its mould's).  Else its fruit may lie on more than one surface: proposed by
     * their colour and graded in boxes. */
    if (result->n_fruit == 0 && grader->mm_per_px == 0) {
      PtRoi whole = {0, 0, frame->width, frame->height};
      PtFruit closeup;
      g_autofree PtRoi *boxes = g_new(PtRoi, PT_GRADER_MAX_FRUIT);
      guint n_boxes = propose(grader, frame, boxes), n_found;

      analyse_roi(grader, frame, &whole, &closeup, FALSE);
      n_found = grade_proposals(grader, frame, boxes, n_boxes, result->fruit);
      gboolean fills = closeup.width >= PT_CLOSEUP_MIN_SIDE * frame->width &&
                       closeup.height >= PT_CLOSEUP_MIN_SIDE * frame->height;
      gboolean alone =
          n_found == 0 && (closeup.width >= PT_CLOSEUP_ALONE_MIN_SIDE * frame->width ||
                           closeup.height >= PT_CLOSEUP_ALONE_MIN_SIDE * frame->height);

      if (closeup.klass != PT_CLASS_NONE && (fills || alone) &&
          !several_within(&closeup, result->fruit, n_found)) {
        result->fruit[0] = closeup;
        n_found = 1;
      }
      result->n_fruit = n_found;
    }
    sort_fruit(result->fruit, result->n_fruit);
  } else {
    for (guint i = 0; i < n_rois; i++)
      analyse_roi(grader, frame, &rois[i], &result->fruit[result->n_fruit++], FALSE);
  }
  return g_steal_pointer(&result);
}
