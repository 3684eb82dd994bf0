/* pt-propose.c: boxes that may each hold one fruit, for a photo whose whole-frame search
 * found none.
 *
 * The search (pt-segment.c) models the background from the frame's border, one surface
 * lit unevenly: a belt, a light box, a sheet of paper.  A photo whose border shows several
 * surfaces (paper on a table, fruit cut by the frame's edge down two sides) has no such
 * model: the search finds nothing, and the photo graded as one box takes paper and fruit
 * for one fruit filling it (pt_grader_grade ()).  Fruit peels are chromatic (orange,
 * yellow, red, green: C* 40 to 80), the surfaces they are photographed on mostly not
 * (paper, trays, grey or pale wood: under PT_PROPOSE_MIN_CHROMA), so the chromatic part of the
 * frame holds the fruit; each round stretch of it, a maximum of its distance transform,
 * proposes a box round the disc it inscribes.  The box is then graded as a box drawn by
 * hand is (`--roi`): the fruit found from its middle, and a box that holds none gives
 * none.  So a proposal only has to fall on a fruit's peel; the ROI finder cuts it from
 * its neighbours of the same colour and keeps a mould cap or a rotten side with it.
 * Cost: the work image's pixels once (a L*a*b* look-up each), a distance transform, and
 * one ROI grading per proposal; only photos the search found nothing in pay it. */
#include "pt-grade-tuning.h"
#include "pt-internal.h"

#include <math.h>
#include <stdlib.h>

typedef struct {
  gint32 d; /* chamfer 3-4 distance to the nearest achromatic pixel */
  int x, y; /* work pixel */
} Peak;

static int
cmp_peak(const void *a, const void *b)
{
  const Peak *p = a, *q = b;

  /* The deepest first; ties in raster order, so the result does not depend on qsort. */
  if (p->d != q->d)
    return p->d > q->d ? -1 : 1;
  if (p->y != q->y)
    return p->y < q->y ? -1 : 1;
  return (p->x > q->x) - (p->x < q->x);
}

guint
pt_propose_fruit(const PtSegmentation *seg, double min_area_px, PtRoi *boxes, guint max)
{
  int w = seg->w, h = seg->h, f = seg->f;
  gsize n = (gsize)w * h;
  g_autofree guint8 *mask = g_new(guint8, n);
  g_autofree gint32 *dist = g_new(gint32, n);
  g_autofree Peak *peaks = NULL;
  /* The smallest fruit's inscribed radius, in chamfer units (3 a work pixel). */
  gint32 min_d = (gint32)MAX(3.0, 3.0 * sqrt(min_area_px / G_PI) / f);
  guint n_peaks = 0, cap = 0, kept = 0;

  if (w < 3 || h < 3 || max == 0)
    return 0;
  for (gsize i = 0; i < n; i++) {
    float lab[3];

    pt_ycc_to_lab(seg->y[i], seg->cb[i], seg->cr[i], lab);
    mask[i] = lab[1] * lab[1] + lab[2] * lab[2] >= PT_PROPOSE_MIN_CHROMA * PT_PROPOSE_MIN_CHROMA;
  }
  /* Specks and the threads of a wood grain's colour are no fruit's; a fruit's highlights,
   * calyx and pale patches are its own. */
  pt_open_octagon(mask, w, h);
  pt_fill_holes(mask, w, h, dist);
  pt_distance_transform(mask, w, h, FALSE, dist);
  for (int y = 1; y + 1 < h; y++)
    for (int x = 1; x + 1 < w; x++) {
      gsize i = (gsize)y * w + x;
      gint32 d = dist[i];
      gboolean top = d >= min_d;

      for (int dy = -1; dy <= 1 && top; dy++)
        for (int dx = -1; dx <= 1 && top; dx++)
          top = dist[i + (gssize)dy * w + dx] <= d;
      if (!top)
        continue;
      if (n_peaks == cap) {
        cap = cap ? 2 * cap : 64;
        peaks = g_renew(Peak, peaks, cap);
      }
      peaks[n_peaks++] = (Peak){d, x, y};
    }
  if (n_peaks == 0)
    return 0;
  qsort(peaks, n_peaks, sizeof *peaks, cmp_peak);
  /* A peak inside the disc of a deeper one kept is the same fruit (a plateau, a ridge's
   * next maximum), or a neighbour the deeper one's box will cut from it. */
  for (guint k = 0; k < n_peaks && kept < max; k++) {
    Peak *p = &peaks[k];
    gboolean inside = FALSE;
    double r, cx, cy, half;
    int x0, y0, x1, y1;

    for (guint j = 0; j < k && !inside; j++) {
      const Peak *q = &peaks[j];
      double reach = PT_PROPOSE_SAME_FRUIT * q->d / 3.0;

      inside = q->d > 0 &&
               (p->x - q->x) * (p->x - q->x) + (p->y - q->y) * (p->y - q->y) <= reach * reach;
    }
    if (inside) {
      p->d = 0; /* suppressed: it suppresses nothing itself */
      continue;
    }
    r = (double)p->d / 3.0 * f;
    cx = seg->rx + (p->x + 0.5) * f;
    cy = seg->ry + (p->y + 0.5) * f;
    half = PT_PROPOSE_BOX_MARGIN * r;
    x0 = MAX(seg->rx, (int)floor(cx - half));
    y0 = MAX(seg->ry, (int)floor(cy - half));
    x1 = MIN(seg->rx + seg->rw, (int)ceil(cx + half));
    y1 = MIN(seg->ry + seg->rh, (int)ceil(cy + half));
    boxes[kept++] = (PtRoi){x0, y0, x1 - x0, y1 - y0};
  }
  return kept;
}
