/* pt-measure.c: geometry of one region of a binary mask: area, centroid,
 * principal axes, convex outline, narrowest and widest caliper width.
 *
 * Coordinates are pixel corners (pixel i spans [i, i+1]), so the convex hull
 * of the row extents' corners is the hull of the pixel union and a disc of
 * diameter D digitised at the true edge measures D, not D - 1.  Called once
 * per fruit and once per defect region; hulls have at most a few hundred
 * points, so the quadratic caliper search costs less than the sampling. */
#include "pt-internal.h"

#include <math.h>
#include <string.h>

static double
cross(const PtPoint *o, const PtPoint *a, const PtPoint *b)
{
  return (a->x - o->x) * (b->y - o->y) - (a->y - o->y) * (b->x - o->x);
}

/* Andrew's monotone chain on @pts sorted by x, then y; @hull gets at most n + 1 points in
 * counter-clockwise order. */
static guint
convex_hull(const PtPoint *pts, guint n, PtPoint *hull)
{
  guint k = 0;

  if (n < 3) {
    for (guint i = 0; i < n; i++)
      hull[i] = pts[i];
    return n;
  }
  for (guint i = 0; i < n; i++) {
    while (k >= 2 && cross(&hull[k - 2], &hull[k - 1], &pts[i]) <= 0)
      k--;
    hull[k++] = pts[i];
  }
  for (guint i = n - 1, t = k + 1; i-- > 0;) {
    while (k >= t && cross(&hull[k - 2], &hull[k - 1], &pts[i]) <= 0)
      k--;
    hull[k++] = pts[i];
  }
  return k - 1;
}

static void
calipers(PtShape *s)
{
  guint n = s->n_hull;

  s->min_width = 0;
  s->max_width = 0;
  s->feret_angle = 0;
  if (n < 3)
    return;
  s->min_width = G_MAXDOUBLE;
  for (guint i = 0; i < n; i++) {
    const PtPoint *a = &s->hull[i], *b = &s->hull[(i + 1) % n];
    double ex = b->x - a->x, ey = b->y - a->y;
    double len = sqrt(ex * ex + ey * ey), far = 0;

    if (len <= 0)
      continue;
    for (guint j = 0; j < n; j++) {
      double d = fabs((s->hull[j].x - a->x) * ey - (s->hull[j].y - a->y) * ex) / len;

      far = MAX(far, d);
    }
    s->min_width = MIN(s->min_width, far);
  }
  for (guint i = 0; i < n; i++)
    for (guint j = i + 1; j < n; j++) {
      double dx = s->hull[j].x - s->hull[i].x, dy = s->hull[j].y - s->hull[i].y;
      double d = sqrt(dx * dx + dy * dy);

      if (d > s->max_width) {
        s->max_width = d;
        s->feret_angle = atan2(dy, dx);
        s->fx0 = s->hull[i].x;
        s->fy0 = s->hull[i].y;
        s->fx1 = s->hull[j].x;
        s->fy1 = s->hull[j].y;
      }
    }
}

void
pt_shape_measure(const guint8 *mask, int stride, int x0, int y0, int x1, int y1, guint8 value,
                 PtShape *s, PtPoint *xs)
{
  double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0, n = 0;
  guint np = 0;

  g_return_if_fail(y1 - y0 <= PT_SHAPE_MAX_ROWS);
  /* The moments are summed a run of a row at a time from the closed forms of sums of x and
   * x^2.  Every term and every partial sum is a multiple of 1/4 below 2^51 (at most
   * PT_SHAPE_MAX_ROWS rows of PT_IMAGE_MAX_SIDE pixels, x^2 under 2^28), so doubles hold
   * them exactly and the sums equal the pixel-by-pixel ones bit for bit. */
  for (int y = y0; y < y1; y++) {
    const guint8 *row = mask + (gsize)y * stride;
    double cy = y + 0.5;
    int left = -1, right = -1;

    for (int x = x0; x < x1;) {
      const guint8 *start = memchr(row + x, value, (gsize)(x1 - x));
      gint64 a, b, m, sum_x, sum_x2;

      if (start == NULL)
        break;
      a = x = (int)(start - row);
      /* A fruit's row is one long run: its end is looked for eight pixels at a time. */
      for (; x + 8 <= x1; x += 8) {
        guint64 v;

        memcpy(&v, row + x, 8);
        if (v != value * G_GUINT64_CONSTANT(0x0101010101010101))
          break;
      }
      while (x < x1 && row[x] == value)
        x++;
      b = x;
      m = b - a;
      if (left < 0)
        left = (int)a;
      right = (int)b - 1;
      /* Sums over a <= x < b of x and of x^2. */
      sum_x = (a + b - 1) * m / 2;
      sum_x2 = ((b - 1) * b * (2 * b - 1) - (a - 1) * a * (2 * a - 1)) / 6;
      n += (double)m;
      sx += (double)sum_x + 0.5 * (double)m;
      sy += (double)m * cy;
      sxx += (double)(sum_x2 + sum_x) + 0.25 * (double)m;
      syy += (double)m * (cy * cy);
      sxy += ((double)sum_x + 0.5 * (double)m) * cy;
    }
    if (left < 0)
      continue;
    xs[np++] = (PtPoint){left, y};
    xs[np++] = (PtPoint){left, y + 1};
    xs[np++] = (PtPoint){right + 1, y};
    xs[np++] = (PtPoint){right + 1, y + 1};
  }
  s->area_px = n;
  s->n_hull = 0;
  s->major = s->minor = s->angle = 0;
  s->min_width = s->max_width = s->feret_angle = 0;
  s->fx0 = s->fy0 = s->fx1 = s->fy1 = 0;
  if (n == 0) {
    s->cx = s->cy = 0;
    return;
  }
  s->cx = sx / n;
  s->cy = sy / n;
  {
    double mxx = sxx / n - s->cx * s->cx + 1.0 / 12;
    double myy = syy / n - s->cy * s->cy + 1.0 / 12;
    double mxy = sxy / n - s->cx * s->cy;
    double tr = mxx + myy, det = mxx * myy - mxy * mxy;
    double disc = sqrt(MAX(0, tr * tr / 4 - det));

    /* A filled ellipse of semi-axis a has variance a^2/4 along it. */
    s->major = 2 * sqrt(MAX(0, tr / 2 + disc));
    s->minor = 2 * sqrt(MAX(0, tr / 2 - disc));
    s->angle = 0.5 * atan2(2 * mxy, mxx - myy);
  }
  {
    /* The row extents' corners come row by row, so for each x their y never decreases:
     * counted into place by x alone (stable), they are sorted by x, then y, without the
     * comparison sort that had cost nearly half of the measuring; equal points are
     * the same point, so the hull gets the same sequence. */
    g_autofree guint *count = g_new0(guint, (gsize)(x1 - x0) + 2);
    g_autofree PtPoint *sorted = g_new(PtPoint, np);

    for (guint i = 0; i < np; i++)
      count[(int)xs[i].x - x0 + 1]++;
    for (int i = 1; i <= x1 - x0; i++)
      count[i] += count[i - 1];
    for (guint i = 0; i < np; i++)
      sorted[count[(int)xs[i].x - x0]++] = xs[i];
    s->n_hull = convex_hull(sorted, np, s->hull);
  }
  calipers(s);
}
