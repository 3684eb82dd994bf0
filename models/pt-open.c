/* pt-open.c: the opening of a fruit's crop mask by a chamfer 3-4 disc, computed on the
 * mask's runs of a row rather than by two distance transforms over every pixel.
 *
 * Called once per fruit (and per ROI) on its analysis crop, where it had cost two full
 * passes of a distance transform each over some 20,000 pixels.  The two-pass chamfer 3-4
 * transform (pt_distance_transform()) gives each pixel exactly the chamfer distance to the
 * nearest zero pixel of the crop, 3 max(|dx|, |dy|) + min(|dx|, |dy|): a shortest path of
 * straight and diagonal steps runs inside the box of its two ends, so the crop's edge cuts
 * none, and the forward pass carries its diagonal steps, the backward one its straight ones
 * along a row.  So thresholding the transform at r3 is an erosion by the disc of that
 * radius, and the distance to the eroded set thresholded again a dilation by it; a disc is
 * a stack of centred row segments, so both are unions and intersections of a few runs a
 * row.  The same pixels come out (tests/models/test-synthetic.c compares the two on
 * random masks). */
#include "pt-internal.h"

#include <math.h>
#include <string.h>

/* The half-width of the chamfer 3-4 disc of radius @r3 on the row @t >= 0 away from its
 * centre: the largest a with 3 max(a, t) + min(a, t) <= r3 (the row is inside: 3 t <= r3). */
static int
disc_half_width(int t, gint32 r3)
{
  int a = 0;

  while (3 * MAX(a + 1, t) + MIN(a + 1, t) <= r3)
    a++;
  return a;
}

/* Runs (pairs x0, x1) in both @a and @b into @out; returns their number. */
static int
runs_and(const gint32 *a, int na, const gint32 *b, int nb, gint32 *out)
{
  int i = 0, j = 0, n = 0;

  while (i < na && j < nb) {
    gint32 lo = MAX(a[2 * i], b[2 * j]), hi = MIN(a[2 * i + 1], b[2 * j + 1]);

    if (lo < hi) {
      out[2 * n] = lo;
      out[2 * n + 1] = hi;
      n++;
    }
    if (a[2 * i + 1] < b[2 * j + 1])
      i++;
    else
      j++;
  }
  return n;
}

/* Runs in @a or @b (each sorted by start, overlapping each other or not) into @out, those
 * that overlap or touch joined; returns their number. */
static int
runs_or(const gint32 *a, int na, const gint32 *b, int nb, gint32 *out)
{
  int i = 0, j = 0, n = 0;

  while (i < na || j < nb) {
    const gint32 *r;

    if (j >= nb || (i < na && a[2 * i] <= b[2 * j]))
      r = &a[2 * i++];
    else
      r = &b[2 * j++];
    if (n > 0 && r[0] <= out[2 * n - 1])
      out[2 * n - 1] = MAX(out[2 * n - 1], r[1]);
    else {
      out[2 * n] = r[0];
      out[2 * n + 1] = r[1];
      n++;
    }
  }
  return n;
}

/* A mask's runs of a row and where its disc rows hold one run each, in one allocation. */
typedef struct {
  gint32 *m_runs, *m_row, *e_runs, *e_row;
  /* Rows above each row that do not hold exactly one run of the mask, and more than one of
   * the eroded set: where a disc's rows all hold one, a row's intersection or union is a
   * single run found by a maximum and a minimum (a fruit's crop, nearly every row). */
  gint32 *m_multi, *e_multi;
  gint32 *tmp[3];
  gint32 *hw;
  int w, h;
} Octagon;

/* Lays out @o's arrays in @buf (octagon_size() entries) and reads @mask's runs; returns the
 * mask's area. */
static gsize
octagon_init(Octagon *o, gint32 *buf, const guint8 *mask, int w, int h)
{
  /* A row holds at most (w + 1) / 2 runs: w + 2 entries a row's pairs, with room to spare. */
  gsize row_room = (gsize)w + 2, area = 0;

  o->w = w;
  o->h = h;
  o->m_runs = buf;
  o->e_runs = o->m_runs + (gsize)h * row_room;
  o->m_row = o->e_runs + (gsize)h * row_room;
  o->e_row = o->m_row + h + 1;
  o->m_multi = o->e_row + h + 1;
  o->e_multi = o->m_multi + h + 1;
  for (int i = 0; i < 3; i++)
    o->tmp[i] = o->e_multi + h + 1 + i * row_room;
  o->hw = o->tmp[2] + row_room;
  o->m_row[0] = o->m_multi[0] = 0;
  for (int y = 0; y < h; y++) {
    const guint8 *row = mask + (gsize)y * w;
    gint32 *out = o->m_runs + 2 * (gsize)o->m_row[y];
    int n = 0;

    for (int x = 0; x < w;) {
      const guint8 *start = memchr(row + x, 1, (gsize)(w - x)), *end;

      if (start == NULL)
        break;
      x = (int)(start - row);
      end = memchr(row + x, 0, (gsize)(w - x));
      out[2 * n] = x;
      x = end ? (int)(end - row) : w;
      out[2 * n + 1] = x;
      area += (gsize)(x - out[2 * n]);
      n++;
    }
    o->m_row[y + 1] = o->m_row[y] + n;
    o->m_multi[y + 1] = o->m_multi[y] + (n != 1);
  }
  return area;
}

static gsize
octagon_size(int w, int h)
{
  return 2 * (gsize)h * ((gsize)w + 2) + 4 * ((gsize)h + 1) + 3 * ((gsize)w + 2) +
         (gsize)MAX(w, h) + 2;
}

/* Erodes the mask's runs by the disc of radius @r3 into the eroded runs: a pixel stays when
 * each row of the disc round it lies in the mask.  Outside the image counts as background
 * with @edge_is_zero, else as mask (no zero pixel lies there). */
static int
octagon_erode(Octagon *o, gint32 r3, gboolean edge_is_zero)
{
  /* Disc rows farther than the image is tall meet no row of it. */
  int w = o->w, h = o->h, reach = MIN(r3 / 3, h);
  const gint32 *m_runs = o->m_runs, *m_row = o->m_row, *m_multi = o->m_multi, *hw = o->hw;

  for (int t = 0; t <= reach; t++)
    o->hw[t] = disc_half_width(t, r3);
  o->e_row[0] = o->e_multi[0] = 0;
  for (int y = 0; y < h; y++) {
    gint32 *cur = o->tmp[0], *next = o->tmp[1], *seg = o->tmp[2];
    int n = 1, r0 = MAX(0, y - reach), r1 = MIN(h, y + reach + 1);
    gboolean single = m_multi[r1] == m_multi[r0];

    cur[0] = 0;
    cur[1] = w;
    if (edge_is_zero && (y - r3 / 3 < 0 || y + r3 / 3 >= h))
      n = 0;
    else if (single) {
      for (int r = r0; r < r1; r++) {
        const gint32 *run = m_runs + 2 * (gsize)m_row[r];
        int k = hw[ABS(r - y)];

        cur[0] = MAX(cur[0], run[0] == 0 && !edge_is_zero ? 0 : run[0] + k);
        cur[1] = MIN(cur[1], run[1] == w && !edge_is_zero ? w : run[1] - k);
      }
      n = cur[0] < cur[1];
    }
    for (int t = -reach; t <= reach && n > 0 && !single; t++) {
      int r = y + t, k = hw[ABS(t)], ns = 0;

      if (r < 0 || r >= h)
        continue;
      for (gint32 i = m_row[r]; i < m_row[r + 1]; i++) {
        gint32 a = m_runs[2 * i], b = m_runs[2 * i + 1];

        a = a == 0 && !edge_is_zero ? 0 : a + k;
        b = b == w && !edge_is_zero ? w : b - k;
        if (a < b) {
          seg[2 * ns] = a;
          seg[2 * ns + 1] = b;
          ns++;
        }
      }
      n = runs_and(cur, n, seg, ns, next);
      {
        gint32 *swap = cur;

        cur = next;
        next = swap;
      }
    }
    memcpy(o->e_runs + 2 * (gsize)o->e_row[y], cur, 2 * (gsize)n * sizeof(gint32));
    o->e_row[y + 1] = o->e_row[y] + n;
    o->e_multi[y + 1] = o->e_multi[y] + (n > 1);
  }
  return reach;
}

void
pt_erode_octagon(const guint8 *mask, int w, int h, gint32 r3, guint8 *out)
{
  g_autofree gint32 *buf = g_new(gint32, octagon_size(w, h));
  Octagon o;

  octagon_init(&o, buf, mask, w, h);
  octagon_erode(&o, r3, TRUE);
  for (int y = 0; y < h; y++) {
    guint8 *row = out + (gsize)y * w;

    memset(row, 0, (gsize)w);
    for (gint32 i = o.e_row[y]; i < o.e_row[y + 1]; i++)
      memset(row + o.e_runs[2 * i], 1, (gsize)(o.e_runs[2 * i + 1] - o.e_runs[2 * i]));
  }
}

void
pt_open_octagon(guint8 *mask, int w, int h)
{
  g_autofree gint32 *buf = g_new(gint32, octagon_size(w, h));
  Octagon o;
  gsize area = octagon_init(&o, buf, mask, w, h);
  gint32 r3 = (gint32)(3 * MAX(1.0, 0.15 * sqrt((double)area / G_PI)));
  int reach = octagon_erode(&o, r3, FALSE);
  const gint32 *m_runs = o.m_runs, *m_row = o.m_row, *e_runs = o.e_runs, *e_row = o.e_row;
  const gint32 *e_multi = o.e_multi, *hw = o.hw;
  gint32 **tmp = o.tmp;

  /* Dilation of the eroded set by the same disc, kept within the mask. */
  for (int y = 0; y < h; y++) {
    gint32 *cur = tmp[0], *next = tmp[1], *seg = tmp[2];
    guint8 *row = mask + (gsize)y * w;
    int n = 0, r0 = MAX(0, y - reach), r1 = MIN(h, y + reach + 1);
    gboolean merged = FALSE;

    /* Single runs that all share a pixel join into one: from the leftmost start to the
     * rightmost end. */
    if (e_multi[r1] == e_multi[r0]) {
      gint32 lo = w, hi = 0, common_lo = 0, common_hi = w;

      for (int r = r0; r < r1; r++) {
        const gint32 *run = e_runs + 2 * (gsize)e_row[r];
        int k = hw[ABS(r - y)];

        if (e_row[r] == e_row[r + 1])
          continue;
        lo = MIN(lo, MAX(0, run[0] - k));
        hi = MAX(hi, MIN(w, run[1] + k));
        common_lo = MAX(common_lo, MAX(0, run[0] - k));
        common_hi = MIN(common_hi, MIN(w, run[1] + k));
      }
      if (lo >= hi || common_lo < common_hi) {
        cur[0] = lo;
        cur[1] = hi;
        n = lo < hi;
        merged = TRUE;
      }
    }
    for (int t = -reach; t <= reach && !merged; t++) {
      int r = y + t, k = hw[ABS(t)], ns = 0;

      if (r < 0 || r >= h || e_row[r] == e_row[r + 1])
        continue;
      for (gint32 i = e_row[r]; i < e_row[r + 1]; i++) {
        seg[2 * ns] = MAX(0, e_runs[2 * i] - k);
        seg[2 * ns + 1] = MIN(w, e_runs[2 * i + 1] + k);
        ns++;
      }
      n = runs_or(cur, n, seg, ns, next);
      {
        gint32 *swap = cur;

        cur = next;
        next = swap;
      }
    }
    n = runs_and(cur, n, m_runs + 2 * (gsize)m_row[y], m_row[y + 1] - m_row[y], next);
    for (gint32 i = m_row[y]; i < m_row[y + 1]; i++)
      memset(row + m_runs[2 * i], 0, (gsize)(m_runs[2 * i + 1] - m_runs[2 * i]));
    for (int i = 0; i < n; i++)
      memset(row + next[2 * i], 1, (gsize)(next[2 * i + 1] - next[2 * i]));
  }
}
