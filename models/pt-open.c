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

void
pt_open_octagon(guint8 *mask, int w, int h)
{
  /* A row holds at most (w + 1) / 2 runs: w + 2 entries a row's pairs, with room to spare. */
  gsize row_room = (gsize)w + 2;
  g_autofree gint32 *buf = g_new(gint32, 2 * (gsize)h * row_room + 4 * ((gsize)h + 1) +
                                             3 * row_room + (gsize)MAX(w, h) + 2);
  gint32 *m_runs = buf, *e_runs = m_runs + (gsize)h * row_room;
  gint32 *m_row = e_runs + (gsize)h * row_room, *e_row = m_row + h + 1;
  /* Rows above each row that do not hold exactly one run of the mask, and more than one of
   * the eroded set: where a disc's rows all hold one, a row's intersection or union is a
   * single run found by a maximum and a minimum (a fruit's crop, nearly every row). */
  gint32 *m_multi = e_row + h + 1, *e_multi = m_multi + h + 1;
  gint32 *tmp[3] = {e_multi + h + 1, e_multi + h + 1 + row_room, e_multi + h + 1 + 2 * row_room};
  gint32 *hw = tmp[2] + row_room;
  gsize area = 0;
  gint32 r3;
  int reach;

  /* The mask's runs, and its area from them. */
  m_row[0] = m_multi[0] = 0;
  for (int y = 0; y < h; y++) {
    const guint8 *row = mask + (gsize)y * w;
    gint32 *out = m_runs + 2 * (gsize)m_row[y];
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
    m_row[y + 1] = m_row[y] + n;
    m_multi[y + 1] = m_multi[y] + (n != 1);
  }
  r3 = (gint32)(3 * MAX(1.0, 0.15 * sqrt((double)area / G_PI)));
  reach = r3 / 3;
  for (int t = 0; t <= reach; t++)
    hw[t] = disc_half_width(t, r3);

  /* Erosion: a pixel stays when each row of the disc round it lies in the mask, where it
   * lies inside the crop (no zero pixel lies outside it). */
  e_row[0] = e_multi[0] = 0;
  for (int y = 0; y < h; y++) {
    gint32 *cur = tmp[0], *next = tmp[1], *seg = tmp[2];
    int n = 1, r0 = MAX(0, y - reach), r1 = MIN(h, y + reach + 1);

    cur[0] = 0;
    cur[1] = w;
    if (m_multi[r1] == m_multi[r0]) {
      for (int r = r0; r < r1; r++) {
        const gint32 *run = m_runs + 2 * (gsize)m_row[r];
        int k = hw[ABS(r - y)];

        cur[0] = MAX(cur[0], run[0] == 0 ? 0 : run[0] + k);
        cur[1] = MIN(cur[1], run[1] == w ? w : run[1] - k);
      }
      n = cur[0] < cur[1];
    }
    for (int t = -reach; t <= reach && n > 0 && m_multi[r1] != m_multi[r0]; t++) {
      int r = y + t, k = hw[ABS(t)], ns = 0;

      if (r < 0 || r >= h)
        continue;
      for (gint32 i = m_row[r]; i < m_row[r + 1]; i++) {
        gint32 a = m_runs[2 * i], b = m_runs[2 * i + 1];

        a = a == 0 ? 0 : a + k;
        b = b == w ? w : b - k;
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
    memcpy(e_runs + 2 * (gsize)e_row[y], cur, 2 * (gsize)n * sizeof(gint32));
    e_row[y + 1] = e_row[y] + n;
    e_multi[y + 1] = e_multi[y] + (n > 1);
  }

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
