/* pt-peel.c: the geometry and colour helpers both peel analyses use (pt-defect.c and the
 * L*a*b* rules of pt-defect-lab.c): the shading model's basis and value (the hue distance
 * is inline in pt-peel.h).
 * Kept apart so that neither file needs the other's. */
#include "pt-peel.h"

#include <math.h>

/* pt_peel_basis(), inlined into the loop over a crop's inner peel. */
static inline void
basis(const PtAxes *ax, double x, double y, double out[NB])
{
  double u = ((x - ax->cx) * ax->cs + (y - ax->cy) * ax->sn) * ax->inv_major;
  double v = (-(x - ax->cx) * ax->sn + (y - ax->cy) * ax->cs) * ax->inv_minor;
  double z = sqrt(MAX(0, 1 - u * u - v * v));

  out[0] = 1;
  out[1] = z;
  out[2] = u;
  out[3] = v;
  out[4] = z * u;
  out[5] = z * v;
}

void
pt_peel_basis(const PtAxes *ax, double x, double y, double out[NB])
{
  basis(ax, x, y, out);
}

double
pt_peel_shading_at(const PtAxes *ax, const PtShading *sh, double x, double y)
{
  double b[NB], v = 0;

  if (sh->fallback > 0)
    return sh->fallback;
  pt_peel_basis(ax, x, y, b);
  for (int k = 0; k < NB; k++)
    v += sh->c[k] * b[k];
  return v;
}

void
pt_peel_fill_uvz(PtPeel *pk)
{
  /* Inner pixels lie within their rows' spans. */
  for (int y = 0; y < pk->h; y++)
    for (int x = pk->span[2 * y]; x < pk->span[2 * y + 1]; x++) {
      gsize i = (gsize)y * pk->w + x;
      double b[NB];

      if (!pk->inner[i])
        continue;
      basis(&pk->axes, x + 0.5, y + 0.5, b);
      pk->uvz[3 * i] = b[2];
      pk->uvz[3 * i + 1] = b[3];
      pk->uvz[3 * i + 2] = b[1];
    }
}
