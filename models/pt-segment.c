/* pt-segment.c: finding fruit on the belt.
 *
 * Runs once per frame on a copy downscaled so its long side is at most
 * PT_SEG_WORK_SIDE, which keeps the cost flat from 720p to 4K:
 *   1. belt model from the image border: luma as a fitted plane (uneven
 *      light across the belt), chroma as the median;
 *   2. each pixel's difference from the belt; Otsu's threshold on it, with a
 *      floor from the border's own noise so an empty belt stays empty;
 *   3. hysteresis: weak pixels (shaded fruit rims) join only when connected
 *      to strong ones; a 3x3 opening cuts thin bridges to belt dirt; holes
 *      (dark defects inside the fruit) are filled;
 *   4. connected components, dropped when smaller than a fruit can be;
 *   5. touching fruit cut apart by a watershed on the distance transform,
 *      where a maximum only counts as a fruit if it stands out from the
 *      saddle to its neighbour by a share of its own height (its dynamic).
 * Everything is integer and in raster order, so it is deterministic. */
#include "pt-internal.h"

#include <math.h>
#include <string.h>

void *
pt_models_buf_get(PtBuf *buf, gsize size)
{
  if (size > buf->size) {
    g_free(buf->data);
    buf->data = g_malloc(size);
    buf->size = size;
  }
  return buf->data;
}

void
pt_models_buf_clear(PtBuf *buf)
{
  g_clear_pointer(&buf->data, g_free);
  buf->size = 0;
}

void
pt_fruit_segmentation_clear(PtSegmentation *seg)
{
  pt_models_buf_clear(&seg->b_planes);
  pt_models_buf_clear(&seg->b_feat);
  pt_models_buf_clear(&seg->b_labels);
  pt_models_buf_clear(&seg->b_territory);
  pt_models_buf_clear(&seg->b_tmp);
  pt_models_buf_clear(&seg->b_tmp2);
  pt_models_buf_clear(&seg->b_order);
}

static gint32
uf_find(gint32 *parent, gint32 x)
{
  while (parent[x] != x) {
    parent[x] = parent[parent[x]];
    x = parent[x];
  }
  return x;
}

static void
uf_union(gint32 *parent, gint32 a, gint32 b)
{
  a = uf_find(parent, a);
  b = uf_find(parent, b);
  /* The smaller label wins so the result does not depend on merge order. */
  if (a < b)
    parent[b] = a;
  else if (b < a)
    parent[a] = b;
}

void
pt_runs_join(const guint8 *mask, int w, int h, guint8 value, gboolean diagonal, PtRuns *runs,
             gint32 *parent)
{
  gint32 nruns = 0, d = diagonal ? 1 : 0;
  const guint64 eight = value * G_GUINT64_CONSTANT(0x0101010101010101);

  runs->x0 = g_new(gint32, (gsize)h * ((w + 2) / 2) + 1);
  runs->x1 = g_new(gint32, (gsize)h * ((w + 2) / 2) + 1);
  runs->row = g_new(gint32, (gsize)h + 1);
  for (int y = 0; y < h; y++) {
    const guint8 *m = mask + (gsize)y * w;
    gint32 p = y > 0 ? runs->row[y - 1] : 0, pend = nruns;

    runs->row[y] = nruns;
    for (int x = 0; x < w;) {
      const guint8 *start = memchr(m + x, value, (gsize)(w - x));
      gint32 r;

      /* A run's start by memchr, its end eight pixels at a time: the belt between fruit
       * and a fruit's inside are long stretches of one value. */
      if (start == NULL)
        break;
      x = (int)(start - m);
      r = nruns++;
      runs->x0[r] = x;
      for (guint64 v; x + 8 <= w; x += 8) {
        memcpy(&v, m + x, 8);
        if (v != eight)
          break;
      }
      while (x < w && m[x] == value)
        x++;
      runs->x1[r] = x;
      parent[r] = r;
      /* Runs above ending left of this one (of its left neighbour, diagonally) touch
       * neither it nor any later run of this row. */
      while (p < pend && runs->x1[p] + d <= runs->x0[r])
        p++;
      for (gint32 q = p; q < pend && runs->x0[q] < runs->x1[r] + d; q++)
        uf_union(parent, q, r);
    }
  }
  runs->row[h] = nruns;
  runs->n = nruns;
}

void
pt_runs_clear(PtRuns *runs)
{
  g_free(runs->x0);
  g_free(runs->x1);
  g_free(runs->row);
}

gint32
pt_runs_root(gint32 *parent, gint32 r)
{
  return uf_find(parent, r);
}

/* Pieces are found as runs of @value in each row joined to the runs of the row above they
 * touch (8-connected), not pixel by pixel: a mask is a few runs a row, so this reads each
 * pixel once and writes each run's label as a fill.  A run's index is its raster order and
 * the smaller index wins a union, so each piece's root is its first run and numbering the
 * roots in index order numbers the pieces by first appearance.  @parent holds the runs'
 * union-find forest (at most n / 2 + h / 2 runs). */
int
pt_label_components(const guint8 *mask, int w, int h, guint8 value, gint32 *labels, gint32 *parent)
{
  g_auto(PtRuns) runs = {0};
  g_autofree gint32 *final = NULL;
  int n = 0;

  pt_runs_join(mask, w, h, value, TRUE, &runs, parent);
  const gint32 *x0 = runs.x0, *x1 = runs.x1, *row = runs.row;
  gint32 nruns = runs.n;
  final = g_new0(gint32, (gsize)nruns + 1);
  for (gint32 r = 0; r < nruns; r++) {
    gint32 root = uf_find(parent, r);

    if (final[root] == 0)
      final[root] = ++n;
    final[r] = final[root];
  }
  for (int y = 0; y < h; y++) {
    gint32 *l = labels + (gsize)y * w;
    int x = 0;

    for (gint32 r = row[y]; r < row[y + 1]; r++) {
      for (; x < x0[r]; x++)
        l[x] = 0;
      for (; x < x1[r]; x++)
        l[x] = final[r];
    }
    for (; x < w; x++)
      l[x] = 0;
  }
  return n;
}

/* The background is found as runs of 0 pixels in each row, joined to the runs of the row
 * above they share a column with (4-connected), not flooded pixel by pixel: a mask is a few
 * runs a row, so this reads each pixel once and writes each row twice (as memset).  The
 * runs that touch the border, and all joined to them, are the background; the others are
 * holes.  @stack holds the runs' union-find forest (at most n / 2 + h / 2 runs). */
void
pt_fill_holes(guint8 *mask, int w, int h, gint32 *stack)
{
  g_auto(PtRuns) runs = {0};
  g_autofree guint8 *border = NULL;
  gint32 *parent = stack;

  pt_runs_join(mask, w, h, 0, FALSE, &runs, parent);
  const gint32 *x0 = runs.x0, *x1 = runs.x1, *row = runs.row;
  gint32 nruns = runs.n;
  border = g_malloc0((gsize)nruns + 1);
  for (gint32 r = 0; r < nruns; r++) {
    gboolean edge = r < row[1 < h ? 1 : h] || r >= row[h - 1] || x0[r] == 0 || x1[r] == w;

    if (edge)
      border[uf_find(parent, r)] = 1;
  }
  for (int y = 0; y < h; y++) {
    guint8 *m = mask + (gsize)y * w;

    memset(m, 1, w);
    for (gint32 r = row[y]; r < row[y + 1]; r++)
      if (border[uf_find(parent, r)])
        memset(m + x0[r], 0, x1[r] - x0[r]);
  }
}

/* The element at index n / 2 of @v (@n > 0) sorted: counted, not sorted, as bytes have
 * 256 values. */
static int
median_u8(const guint8 *v, gsize n)
{
  gsize hist[256] = {0}, acc = 0;
  int k = 0;

  for (gsize i = 0; i < n; i++)
    hist[v[i]]++;
  while (acc + hist[k] <= n / 2)
    acc += hist[k++];
  return k;
}

/* Belt model from a ring two work pixels wide around the searched area. */
static void
fit_belt(PtSegmentation *seg, guint8 *tmp)
{
  int w = seg->w, h = seg->h;
  int ring = MIN(2, MIN(w, h) / 4 + 1);
  double sxx = 0, sxy = 0, syy = 0, sx = 0, sy = 0, sn = 0, sxv = 0, syv = 0, sv = 0;
  guint8 *cbv = tmp, *crv = tmp + (gsize)w * h, *yv = tmp + 2 * (gsize)w * h;
  gsize n = 0;
  int med_y, mad;

  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      gsize i;

      /* Only the ring: across a middle row, jump over the inside. */
      if (x == ring && y >= ring && y < h - ring && ring < w - ring)
        x = w - ring;
      i = (gsize)y * w + x;
      cbv[n] = seg->cb[i];
      crv[n] = seg->cr[i];
      yv[n] = seg->y[i];
      n++;
    }
  }
  seg->belt_cb = median_u8(cbv, n);
  seg->belt_cr = median_u8(crv, n);
  med_y = median_u8(yv, n);
  for (gsize k = 0; k < n; k++)
    cbv[k] = (guint8)ABS((int)yv[k] - med_y);
  mad = MAX(median_u8(cbv, n), 2);

  /* Least-squares plane over ring pixels within 3 MADs of the median luma,
   * so fruit cut by the edge and dirt do not tilt it. */
  for (int y = 0; y < h; y++) {
    for (int x = 0; x < w; x++) {
      gsize i;
      double fx, fy, v;

      if (x == ring && y >= ring && y < h - ring && ring < w - ring)
        x = w - ring;
      i = (gsize)y * w + x;
      fx = seg->rx + (x + 0.5) * seg->f;
      fy = seg->ry + (y + 0.5) * seg->f;
      v = seg->y[i];

      if (fabs(v - med_y) > 3.0 * mad)
        continue;
      sxx += fx * fx;
      sxy += fx * fy;
      syy += fy * fy;
      sx += fx;
      sy += fy;
      sn += 1;
      sxv += fx * v;
      syv += fy * v;
      sv += v;
    }
  }
  seg->belt_a = seg->belt_b = 0;
  seg->belt_c = med_y;
  if (sn >= 16) {
    /* The 3x3 normal equations of the plane. */
    double m[3][3] = {{sxx, sxy, sx}, {sxy, syy, sy}, {sx, sy, sn}};
    double r[3] = {sxv, syv, sv}, sol[3];

    if (fabs(pt_solve3(m, r, sol)) > 1e-9 * sn * sn * sn) {
      seg->belt_a = sol[0];
      seg->belt_b = sol[1];
      seg->belt_c = sol[2];
    }
  }
}

/* Otsu's threshold over the feature histogram, floored by the ring noise. */
static void
choose_thresholds(PtSegmentation *seg, const guint32 hist[256])
{
  guint32 ring_hist[256] = {0};
  gsize n = (gsize)seg->w * seg->h, ring_n = 0, acc = 0;
  double sum = 0, sum_b = 0, w_b = 0, best = -1;
  int otsu = 0, noise = 0;

  /* @hist counts every pixel (compute_features () as it goes); the ring two pixels wide is
   * counted apart (counts, so the order is free). */
  for (int y = 0; y < seg->h; y++) {
    const guint8 *row = seg->feat + (gsize)y * seg->w;
    gboolean whole = y < 2 || y >= seg->h - 2;

    for (int x = 0; x < seg->w; x++) {
      if (!whole && x == 2)
        x = MAX(x, seg->w - 2);
      ring_hist[row[x]]++;
      ring_n++;
    }
  }
  for (int i = 0; i < 256; i++)
    sum += (double)i * hist[i];
  for (int t = 0; t < 256; t++) {
    double w_f, m_b, m_f, between;

    w_b += hist[t];
    if (w_b == 0)
      continue;
    w_f = (double)n - w_b;
    if (w_f == 0)
      break;
    sum_b += (double)t * hist[t];
    m_b = sum_b / w_b;
    m_f = (sum - sum_b) / w_f;
    between = w_b * w_f * (m_b - m_f) * (m_b - m_f);
    if (between > best) {
      best = between;
      otsu = t + 1;
    }
  }
  /* The 75th percentile of the ring is the belt's own variation (dirt,
   * slats, noise); a fruit must stand well clear of it. */
  for (int i = 0; i < 256; i++) {
    acc += ring_hist[i];
    if (acc * 4 >= ring_n * 3) {
      noise = i;
      break;
    }
  }
  seg->hi = MAX(otsu, MAX(24, 3 * noise));
  seg->lo = MAX(seg->hi / 2, MAX(12, 2 * noise));
}

/* Eight bytes of three rows (or of a row at three offsets) combined at once: OR and AND of
 * a word are those of its bytes, so the values are the byte loop's. */
static inline void
morph3_words(const guint8 *a, const guint8 *b, const guint8 *c, guint8 *dst, gboolean grow)
{
  guint64 u, v, t;

  memcpy(&u, a, 8);
  memcpy(&v, b, 8);
  memcpy(&t, c, 8);
  u = grow ? u | v | t : u & v & t;
  memcpy(dst, &u, 8);
}

/* 3x3 erosion (@grow FALSE) or dilation of a 0/1 mask into @out; pixels
 * outside the image are left out.  The square is a row of three then a
 * column of three, and what the image's edge leaves of it is a rectangle
 * too, so the two passes give the 3x3 result exactly at a third of the reads. */
static void
morph3(const guint8 *in, guint8 *out, int w, int h, gboolean grow)
{
  g_autofree guint8 *row = g_malloc((gsize)w * h);

  /* Each row's two ends take the two pixels they have; the pixels between, and every pixel
   * of the column pass, eight at a time and then one by one (the same values). */
  for (int y = 0; y < h; y++) {
    const guint8 *src = in + (gsize)y * w;
    guint8 *dst = row + (gsize)y * w;
    int x = 1;

    if (w == 1) {
      dst[0] = src[0];
      continue;
    }
    for (; x + 9 <= w; x += 8)
      morph3_words(src + x - 1, src + x, src + x + 1, dst + x, grow);
    if (grow) {
      for (; x + 1 < w; x++)
        dst[x] = src[x - 1] | src[x] | src[x + 1];
      dst[0] = src[0] | src[1];
      dst[w - 1] = src[w - 2] | src[w - 1];
    } else {
      for (; x + 1 < w; x++)
        dst[x] = src[x - 1] & src[x] & src[x + 1];
      dst[0] = src[0] & src[1];
      dst[w - 1] = src[w - 2] & src[w - 1];
    }
  }
  for (int y = 0; y < h; y++) {
    const guint8 *mid = row + (gsize)y * w;
    const guint8 *up = y > 0 ? mid - w : mid, *down = y + 1 < h ? mid + w : mid;
    guint8 *dst = out + (gsize)y * w;
    int x = 0;

    for (; x + 8 <= w; x += 8)
      morph3_words(up + x, mid + x, down + x, dst + x, grow);
    if (grow)
      for (; x < w; x++)
        dst[x] = up[x] | mid[x] | down[x];
    else
      for (; x < w; x++)
        dst[x] = up[x] & mid[x] & down[x];
  }
}

/* One pixel of the forward pass at (@x, @y) (@y > 0) with all four earlier
 * neighbours inside the image. */
static inline gint32
dt_forward_inner(const gint32 *d, gsize i, int w)
{
  gint32 v = d[i - 1] + 3;

  v = MIN(v, d[i - w] + 3);
  v = MIN(v, d[i - w - 1] + 4);
  return MIN(v, d[i - w + 1] + 4);
}

/* The same for the backward pass: all four later neighbours inside. */
static inline gint32
dt_backward_inner(const gint32 *d, gsize i, int w, gint32 v)
{
  v = MIN(v, d[i + 1] + 3);
  v = MIN(v, d[i + w] + 3);
  v = MIN(v, d[i + w + 1] + 4);
  return MIN(v, d[i + w - 1] + 4);
}

/* A pixel of the first or last row or column in the forward pass: each earlier neighbour is
 * checked.  Outside the image counts as @edge: background when the fruit cut by the edge must
 * not get its centre pulled outward. */
static inline void
dt_forward_edge(const guint8 *mask, gint32 *d, int w, int x, int y, gint32 edge)
{
  gsize i = (gsize)y * w + x;
  gint32 v;

  if (!mask[i]) {
    d[i] = 0;
    return;
  }
  v = (x == 0 || y == 0) ? edge : G_MAXINT32 / 4;
  if (x > 0)
    v = MIN(v, d[i - 1] + 3);
  if (y > 0) {
    v = MIN(v, d[i - w] + 3);
    if (x > 0)
      v = MIN(v, d[i - w - 1] + 4);
    if (x + 1 < w)
      v = MIN(v, d[i - w + 1] + 4);
  }
  d[i] = v;
}

/* The same for the backward pass (@h rows). */
static inline void
dt_backward_edge(gint32 *d, int w, int h, int x, int y, gint32 edge)
{
  gsize i = (gsize)y * w + x;
  gint32 v = d[i];

  if (v == 0)
    return;
  if (x == w - 1 || y == h - 1)
    v = MIN(v, edge);
  if (x + 1 < w)
    v = MIN(v, d[i + 1] + 3);
  if (y + 1 < h) {
    v = MIN(v, d[i + w] + 3);
    if (x + 1 < w)
      v = MIN(v, d[i + w + 1] + 4);
    if (x > 0)
      v = MIN(v, d[i + w - 1] + 4);
  }
  d[i] = v;
}

/* The first and last nonzero bytes of @row (@w bytes): *@x0 and *@x1 (exclusive), both 0 when
 * there is none.  Zero bytes are skipped eight at a time from either end. */
static void
row_extent(const guint8 *row, int w, int *x0, int *x1)
{
  int a = 0, b = w;

  for (guint64 v; a + 8 <= w; a += 8) {
    memcpy(&v, row + a, 8);
    if (v != 0)
      break;
  }
  while (a < w && row[a] == 0)
    a++;
  if (a == w) {
    *x0 = *x1 = 0;
    return;
  }
  for (guint64 v; b - 8 >= a; b -= 8) {
    memcpy(&v, row + b - 8, 8);
    if (v != 0)
      break;
  }
  while (row[b - 1] == 0)
    b--;
  *x0 = a;
  *x1 = b;
}

/* The first and last columns and rows check each neighbour; the pixels between, nearly all
 * of them, take the unchecked step above (the same minimum, so the same distances) in a
 * loop of their own, so no pixel asks where it lies.  Each row is only visited between its
 * first and last mask pixel: the forward pass gives every pixel off the mask 0 whatever its
 * neighbours hold, and the backward pass leaves 0 as it is, so outside that stretch the row
 * is 0 (set at once) and neither pass has anything to do there. */
void
pt_distance_transform(const guint8 *mask, int w, int h, gboolean edge_is_zero, gint32 *d)
{
  gint32 edge = edge_is_zero ? 3 : G_MAXINT32 / 4;
  g_autofree int *extent = g_new(int, 2 * (gsize)h);

  const gint32 inf = G_MAXINT32 / 4;

  for (int y = 0; y < h; y++) {
    gint32 *dr = d + (gsize)y * w;
    int x0, x1, a, b;

    row_extent(mask + (gsize)y * w, w, &x0, &x1);
    extent[2 * y] = x0;
    extent[2 * y + 1] = x1;
    memset(dr, 0, (gsize)x0 * sizeof *dr);
    memset(dr + x1, 0, (gsize)(w - x1) * sizeof *dr);
    if (y == 0 || w < 3) {
      for (int x = x0; x < x1; x++)
        dt_forward_edge(mask, d, w, x, y, edge);
      continue;
    }
    a = MAX(x0, 1);
    b = MIN(x1, w - 1);
    if (x0 == 0 && x1 > 0)
      dt_forward_edge(mask, d, w, 0, y, edge);
    for (gsize i = (gsize)y * w + a, end = (gsize)y * w + b; i < end; i++)
      d[i] = mask[i] ? MIN(inf, dt_forward_inner(d, i, w)) : 0;
    if (x1 == w)
      dt_forward_edge(mask, d, w, w - 1, y, edge);
  }
  for (int y = h - 1; y >= 0; y--) {
    int x0 = extent[2 * y], x1 = extent[2 * y + 1], a, b;

    if (y == h - 1 || w < 3) {
      for (int x = x1 - 1; x >= x0; x--)
        dt_backward_edge(d, w, h, x, y, edge);
      continue;
    }
    a = MAX(x0, 1);
    b = MIN(x1, w - 1);
    if (x1 == w)
      dt_backward_edge(d, w, h, w - 1, y, edge);
    for (int x = b - 1; x >= a; x--) {
      gsize i = (gsize)y * w + x;

      if (d[i] != 0)
        d[i] = dt_backward_inner(d, i, w, d[i]);
    }
    if (x0 == 0 && x1 > 0)
      dt_backward_edge(d, w, h, 0, y, edge);
  }
}

/* Watershed by flooding the distance transform from its maxima down.  A
 * region meeting a higher one survives as its own fruit only if its peak
 * is at least @min_peak and stands above the meeting level by 30% of
 * itself; otherwise it is a bump of the same fruit and merges. */
static void
split_touching(const guint8 *mask, const gint32 *dist, int w, int h, gint32 min_peak,
               gint32 *labels, gint32 *peak, gint32 *parent, gint32 *order)
{
  gsize n = (gsize)w * h;
  gint32 maxd = 0;
  gint32 *count;
  gsize k, n_fg = 0;
  g_autofree int *extent = g_new(int, 2 * (gsize)h);

  /* Each row is only read between its first and last mask pixel: off the mask @dist (the
   * transform of @mask) is 0, adds nothing to the maximum or the counts, and is left
   * unlabelled, so the rest of the row is set to 0 at the end. */
  for (int y = 0; y < h; y++)
    row_extent(mask + (gsize)y * w, w, &extent[2 * y], &extent[2 * y + 1]);
  for (int y = 0; y < h; y++)
    for (gsize i = (gsize)y * w + extent[2 * y]; i < (gsize)y * w + extent[2 * y + 1]; i++)
      maxd = MAX(maxd, dist[i]);
  /* Counting sort by distance, descending; ties stay in raster order. */
  count = g_new0(gint32, maxd + 2);
  for (int y = 0; y < h; y++)
    for (gsize i = (gsize)y * w + extent[2 * y]; i < (gsize)y * w + extent[2 * y + 1]; i++)
      if (mask[i]) {
        count[dist[i]]++;
        n_fg++;
      }
  {
    gint32 pos = 0;

    for (gint32 v = maxd; v >= 1; v--) {
      gint32 c = count[v];

      count[v] = pos;
      pos += c;
    }
  }
  for (int y = 0; y < h; y++)
    for (gsize i = (gsize)y * w + extent[2 * y]; i < (gsize)y * w + extent[2 * y + 1]; i++)
      if (mask[i])
        order[count[dist[i]]++] = (gint32)i;
  g_free(count);

  for (gsize i = 0; i < n; i++)
    labels[i] = -1;
  for (k = 0; k < n_fg; k++) {
    gint32 i = order[k], v = dist[i], roots[8], nb[8], win = -1;
    int nr = 0, x, y;

    x = i % w;
    y = i / w;
    /* The eight neighbours' labels in raster order, outside the image as unlabelled; away
     * from the edge (nearly every pixel) read straight from the three rows. */
    if (x > 0 && y > 0 && x + 1 < w && y + 1 < h) {
      const gint32 *up = labels + i - w, *md = labels + i, *dn = labels + i + w;

      nb[0] = up[-1];
      nb[1] = up[0];
      nb[2] = up[1];
      nb[3] = md[-1];
      nb[4] = md[1];
      nb[5] = dn[-1];
      nb[6] = dn[0];
      nb[7] = dn[1];
    } else {
      int q = 0;

      for (int dy = -1; dy <= 1; dy++)
        for (int dx = -1; dx <= 1; dx++) {
          int xx = x + dx, yy = y + dy;

          if (dx == 0 && dy == 0)
            continue;
          nb[q++] = xx < 0 || yy < 0 || xx >= w || yy >= h ? -1 : labels[(gsize)yy * w + xx];
        }
    }
    for (int q = 0; q < 8; q++) {
      gint32 r;
      gboolean seen = FALSE;

      if (nb[q] < 0)
        continue;
      r = uf_find(parent, nb[q]);
      for (int e = 0; e < nr; e++)
        seen |= roots[e] == r;
      if (!seen)
        roots[nr++] = r;
    }
    if (nr == 0) {
      parent[i] = i;
      peak[i] = v;
      labels[i] = i;
      continue;
    }
    for (int q = 0; q < nr; q++)
      if (win < 0 || peak[roots[q]] > peak[win] || (peak[roots[q]] == peak[win] && roots[q] < win))
        win = roots[q];
    for (int q = 0; q < nr; q++) {
      gint32 r = roots[q];

      if (r == win)
        continue;
      if (peak[r] < min_peak || (peak[r] - v) * 10 < peak[r] * 3) {
        /* Not a fruit of its own: join the winner, keeping its peak. */
        parent[r] = win;
      }
    }
    labels[i] = win;
  }
  for (int y = 0; y < h; y++) {
    gint32 *l = labels + (gsize)y * w;
    int x0 = extent[2 * y], x1 = extent[2 * y + 1];

    memset(l, 0, (gsize)x0 * sizeof *l);
    for (int x = x0; x < x1; x++)
      l[x] = l[x] < 0 ? 0 : uf_find(parent, l[x]) + 1;
    memset(l + x1, 0, (gsize)(w - x1) * sizeof *l);
  }
}

/* Scratch planes of one pt_fruit_segment () call, carved out of the
 * segmentation's buffers (reused from frame to frame). */
typedef struct {
  guint8 *mask, *mask2;
  gint32 *tmp32; /* 3 w*h + 4 entries */
  gint32 *parent;
} SegScratch;

/* Work image geometry for the rectangle (rx, ry, rw, rh): downscaled by
 * the smallest whole factor that brings its long side within
 * PT_SEG_WORK_SIDE, so the cost is flat across camera resolutions. */
static void
seg_prepare(PtSegmentation *seg, int rx, int ry, int rw, int rh, SegScratch *sc)
{
  int f = MAX(1, (MAX(rw, rh) + PT_SEG_WORK_SIDE - 1) / PT_SEG_WORK_SIDE);
  int w = (rw + f - 1) / f, h = (rh + f - 1) / f;
  gsize n = (gsize)w * h;

  seg->rx = rx;
  seg->ry = ry;
  seg->rw = rw;
  seg->rh = rh;
  seg->f = f;
  seg->w = w;
  seg->h = h;
  seg->n_blobs = 0;
  seg->y = pt_models_buf_get(&seg->b_planes, 3 * n);
  seg->cb = seg->y + n;
  seg->cr = seg->y + 2 * n;
  seg->feat = pt_models_buf_get(&seg->b_feat, 3 * n);
  sc->mask = seg->feat + n;
  sc->mask2 = seg->feat + 2 * n;
  seg->labels = pt_models_buf_get(&seg->b_labels, n * sizeof(gint32));
  seg->territory = pt_models_buf_get(&seg->b_territory, n * sizeof(gint32));
  sc->tmp32 = pt_models_buf_get(&seg->b_tmp, (3 * n + 4) * sizeof(gint32));
  sc->parent = pt_models_buf_get(&seg->b_tmp2, (2 * n + 4) * sizeof(gint32));
}

/* Each work pixel's difference from the belt, measured at the centre of
 * the frame pixels it stands for: pt_fruit_feature_at () spelt out.  The belt
 * plane's column products are computed once (seg_prepare keeps w within
 * PT_SEG_WORK_SIDE), its row product once a row; the chroma term is a function
 * of one byte each, so it is looked up (2 * (a + b) is 2 * a + 2 * b in
 * integers).  @hist counts the features as they are made.  The planes are held in locals: a byte
 * store may alias @seg, so read through it they would be fetched again for every pixel. */
static void
compute_features(PtSegmentation *seg, guint32 hist[256])
{
  int w = seg->w, h = seg->h, f = seg->f;
  double ax[PT_SEG_WORK_SIDE], belt_c = seg->belt_c;
  int dcb[256], dcr[256];
  const guint8 *py = seg->y, *pcb = seg->cb, *pcr = seg->cr;
  guint8 *feat = seg->feat;

  for (int v = 0; v < 256; v++) {
    dcb[v] = 2 * ABS(v - seg->belt_cb);
    dcr[v] = 2 * ABS(v - seg->belt_cr);
  }
  for (int x = 0; x < w; x++)
    ax[x] = seg->belt_a * (seg->rx + x * f + f / 2);
  for (int y = 0; y < h; y++) {
    double by = seg->belt_b * (seg->ry + y * f + f / 2);
    gsize o = (gsize)y * w;

    for (int x = 0; x < w; x++) {
      double belt = ax[x] + by + belt_c;
      int dy = (int)(py[o + x] - belt);
      int v = ABS(dy) + dcb[pcb[o + x]] + dcr[pcr[o + x]];

      v = MIN(v, 255);
      feat[o + x] = (guint8)v;
      hist[v]++;
    }
  }
}

/* Sixteen bytes at once (SSE2 on x86, NEON on ARM); a compare gives each byte 0 or -1. */
typedef guint8 PtSegU8x16 __attribute__((vector_size(16)));

/* @dst[i] = @src[i] >= @t as 0/1: sixteen bytes a step then one by one, the same compare
 * either way.  A threshold above 255 leaves every byte under it. */
static void
threshold_u8(const guint8 *src, gsize n, int threshold, guint8 *dst)
{
  guint8 t = (guint8)CLAMP(threshold, 0, 255);
  gsize i = 0;

  if (threshold > 255) {
    memset(dst, 0, n);
    return;
  }
  for (; i + 16 <= n; i += 16) {
    PtSegU8x16 v, one = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};

    memcpy(&v, src + i, 16);
    v = (PtSegU8x16)(v >= t) & one;
    memcpy(dst + i, &v, 16);
  }
  for (; i < n; i++)
    dst[i] = src[i] >= t;
}

/* Hysteresis: components of feat >= lo that hold a pixel >= hi, then a 3x3
 * opening against thin bridges to belt dirt, then holes (dark defects
 * inside a fruit) filled.  A component is found as its runs' union-find root
 * (pt_runs_join ()), so the weak mask is read as runs: a run's pixels are
 * looked at for a strong one only while its component has none yet, and the
 * kept components are written back as fills of their runs; the same pixels
 * as labelling every pixel and asking its label. */
static void
hysteresis_mask(PtSegmentation *seg, const SegScratch *sc)
{
  int w = seg->w, h = seg->h;
  guint8 *mask = sc->mask, *strong;
  const guint8 *feat = seg->feat;
  int hi = seg->hi;
  gint32 *parent = sc->parent;
  g_auto(PtRuns) runs = {0};

  threshold_u8(feat, (gsize)w * h, seg->lo, mask);
  pt_runs_join(mask, w, h, 1, TRUE, &runs, parent);
  strong = g_malloc0((gsize)runs.n + 1);
  for (int y = 0; y < h; y++) {
    const guint8 *f = feat + (gsize)y * w;

    for (gint32 r = runs.row[y]; r < runs.row[y + 1]; r++) {
      gint32 root = pt_runs_root(parent, r);

      for (gint32 x = runs.x0[r]; x < runs.x1[r] && !strong[root]; x++)
        strong[root] = f[x] >= hi;
    }
  }
  for (int y = 0; y < h; y++) {
    guint8 *m = mask + (gsize)y * w;

    memset(m, 0, w);
    for (gint32 r = runs.row[y]; r < runs.row[y + 1]; r++)
      if (strong[pt_runs_root(parent, r)])
        memset(m + runs.x0[r], 1, runs.x1[r] - runs.x0[r]);
  }
  g_free(strong);
  morph3(mask, sc->mask2, w, h, FALSE);
  morph3(sc->mask2, mask, w, h, TRUE);
  pt_fill_holes(mask, w, h, sc->tmp32);
}

/* TRUE when the four labels at @l are all 0 (read as two words: OR of words is 0 only when
 * every label in them is). */
static inline gboolean
labels_zero4(const gint32 *l)
{
  guint64 a, b;

  memcpy(&a, l, 8);
  memcpy(&b, l + 2, 8);
  return (a | b) == 0;
}

/* Touching fruit cut apart by the watershed, labelled 1..n in raster
 * order.  Returns n. */
static int
split_fruit(PtSegmentation *seg, const SegScratch *sc, double min_area_px)
{
  int w = seg->w, h = seg->h, nlab = 0;
  gsize n = (gsize)w * h;
  gint32 *dist = sc->tmp32, *peak = sc->tmp32 + n, *order = sc->tmp32 + 2 * n;
  /* A fruit's inscribed radius must reach a third of the smallest
   * fruit's; chamfer units are 3 per work pixel. */
  gint32 min_peak = (gint32)MAX(3.0, 3.0 * sqrt(min_area_px / G_PI) / seg->f / 3.0);
  gint32 *remap = peak;

  pt_distance_transform(sc->mask, w, h, TRUE, dist);
  split_touching(sc->mask, dist, w, h, min_peak, seg->labels, peak, sc->parent, order);
  /* Relabel the watershed roots to 1..n in raster order. */
  for (gsize i = 0; i < n; i++)
    remap[i] = 0;
  for (gsize i = 0; i < n; i++) {
    gint32 l = seg->labels[i];

    /* Four belt pixels (label 0) at once: nothing to renumber. */
    if ((i & 3) == 0 && i + 4 <= n && labels_zero4(seg->labels + i)) {
      i += 3;
      continue;
    }
    if (l == 0)
      continue;
    if (remap[l - 1] == 0)
      remap[l - 1] = ++nlab;
    seg->labels[i] = remap[l - 1];
  }
  return nlab;
}

/* Blob statistics; the first PT_GRADER_MAX_FRUIT * 4 labels are
 * considered, those under the minimum area are dropped.  Without @split,
 * only the largest is kept (one fruit per ROI). */
static void
keep_blobs(PtSegmentation *seg, int nlab, double min_area_px, gboolean split)
{
  int w = seg->w, h = seg->h;
  PtBlob all[PT_GRADER_MAX_FRUIT * 4];
  int nl = MIN(nlab, (int)G_N_ELEMENTS(all));
  double px_per_work = (double)seg->f * seg->f;

  for (int l = 0; l < nl; l++) {
    all[l].x0 = w;
    all[l].y0 = h;
    all[l].x1 = 0;
    all[l].y1 = 0;
    all[l].area = 0;
    all[l].label = l + 1;
  }
  /* A row is read as stretches of one label: a stretch adds its length to the area and its
   * ends to the box, as its pixels one by one would. */
  for (int y = 0; y < h; y++) {
    const gint32 *row = seg->labels + (gsize)y * w;

    for (int x = 0; x < w;) {
      gint32 l = row[x];
      PtBlob *b;
      int e = x + 1;

      /* Four belt pixels (label 0) at once: they count for no blob. */
      if (x + 4 <= w && labels_zero4(row + x)) {
        x += 4;
        continue;
      }
      while (e < w && row[e] == l)
        e++;
      if (l != 0 && l <= nl) {
        b = &all[l - 1];
        b->area += e - x;
        b->x0 = MIN(b->x0, x);
        b->y0 = MIN(b->y0, y);
        b->x1 = MAX(b->x1, e);
        b->y1 = MAX(b->y1, y + 1);
      }
      x = e;
    }
  }
  for (int l = 0; l < nl; l++) {
    if (all[l].area * px_per_work < min_area_px)
      continue;
    if (!split) {
      if (seg->n_blobs == 0)
        seg->blobs[seg->n_blobs++] = all[l];
      else if (all[l].area > seg->blobs[0].area)
        seg->blobs[0] = all[l];
      continue;
    }
    if (seg->n_blobs < PT_GRADER_MAX_FRUIT)
      seg->blobs[seg->n_blobs++] = all[l];
  }
}

/* The first nonzero of the eight neighbours of @i, in raster order, for a pixel away from
 * the image's edge; 0 when there is none. */
static inline gint32
first_neighbour(const gint32 *t, gsize i, int w)
{
  const gint32 *up = t + i - w, *md = t + i, *dn = t + i + w;
  gint32 v[8] = {up[-1], up[0], up[1], md[-1], md[1], dn[-1], dn[0], dn[1]};

  for (int k = 0; k < 8; k++)
    if (v[k] != 0)
      return v[k];
  return 0;
}

/* Territory: each kept blob grown by one work pixel, so the analysis at
 * full resolution can find the true edge just outside the coarse one.
 * @tmp32 needs w*h entries. */
static void
grow_territory(PtSegmentation *seg, gint32 *tmp32)
{
  int w = seg->w, h = seg->h, ty0 = h, ty1 = 0;
  gint32 *territory = seg->territory;
  const gint32 *labels = seg->labels;

  memset(territory, 0, (gsize)w * h * sizeof *territory);
  for (guint b = 0; b < seg->n_blobs; b++) {
    const PtBlob *bl = &seg->blobs[b];

    for (int y = bl->y0; y < bl->y1; y++)
      for (int x = bl->x0; x < bl->x1; x++)
        if (labels[(gsize)y * w + x] == bl->label)
          territory[(gsize)y * w + x] = bl->label;
    ty0 = MIN(ty0, bl->y0 - 2);
    ty1 = MAX(ty1, bl->y1 + 2);
  }
  /* The growth below reads the ungrown territory only within two rows of a box, so only
   * those rows are kept apart in @tmp32. */
  ty0 = MAX(ty0, 0);
  ty1 = MIN(ty1, h);
  for (int y = ty0; y < ty1; y++)
    memcpy(tmp32 + (gsize)y * w, territory + (gsize)y * w, (gsize)w * sizeof *tmp32);
  /* Only a blob's box and its ring can be grown into; a pixel in two boxes gets the same
   * answer twice.  Away from the image's edge the neighbours are read without asking where
   * they lie (the same ones in the same order). */
  for (guint b = 0; b < seg->n_blobs; b++) {
    const PtBlob *bl = &seg->blobs[b];

    for (int y = MAX(0, bl->y0 - 1); y < MIN(h, bl->y1 + 1); y++)
      for (int x = MAX(0, bl->x0 - 1); x < MIN(w, bl->x1 + 1); x++) {
        gsize i = (gsize)y * w + x;

        if (tmp32[i] != 0 || territory[i] != 0)
          continue;
        if (x > 0 && y > 0 && x + 1 < w && y + 1 < h) {
          territory[i] = first_neighbour(tmp32, i, w);
          continue;
        }
        for (int dy = -1; dy <= 1 && territory[i] == 0; dy++)
          for (int dx = -1; dx <= 1; dx++) {
            int xx = x + dx, yy = y + dy;

            if (xx < 0 || yy < 0 || xx >= w || yy >= h)
              continue;
            if (tmp32[(gsize)yy * w + xx] != 0) {
              territory[i] = tmp32[(gsize)yy * w + xx];
              break;
            }
          }
      }
  }
}

void
pt_fruit_segment(PtSegmentation *seg, const PtFrame *frame, int rx, int ry, int rw, int rh,
                 double min_area_px, gboolean split)
{
  SegScratch sc;
  guint32 hist[256] = {0};
  int nlab;

  seg_prepare(seg, rx, ry, rw, rh, &sc);
  pt_frame_sample(frame, rx, ry, seg->w, seg->h, seg->f, seg->y, seg->cb, seg->cr);
  fit_belt(seg, (guint8 *)sc.tmp32);
  compute_features(seg, hist);
  choose_thresholds(seg, hist);
  hysteresis_mask(seg, &sc);
  if (split)
    nlab = split_fruit(seg, &sc, min_area_px);
  else
    nlab = pt_label_components(sc.mask, seg->w, seg->h, 1, seg->labels, sc.parent);
  keep_blobs(seg, nlab, min_area_px, split);
  grow_territory(seg, sc.tmp32);
}
