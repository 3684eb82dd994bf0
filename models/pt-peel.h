/* pt-peel.h: what the steps of one fruit's peel analysis share (pt-defect.c, and the
 * L*a*b* rules for photos in pt-defect-lab.c); private to models/. */
#pragma once

#include "pt-internal.h"

#include <math.h>

G_BEGIN_DECLS

/* Classes of an inner peel pixel, as flags. */
enum {
  C_NONE = 0,
  C_DARK = 1,
  C_BRIGHT = 2,
  C_RUSSET = 4,
  C_PALE = 8,
  C_STICKER = 16,
  C_GLOSS = 32, /* lighter than the peel and washed out: gloss when small, else mould */
  C_FADED = 64, /* lost much of the peel's colour round it, not its lightness: a scar */
};

/* Smooth shading model of the sound peel: luma as a linear function of
 * 1, z, u, v, z*u, z*v (see fit_shading() in pt-defect.c). */
#define NB 6

typedef struct {
  double c[NB];
  double fallback;
} PtShading;

typedef struct {
  double cx, cy, cs, sn, inv_major, inv_minor;
} PtAxes;

/* What the steps of one pt_peel_analyse () call share: the input, the planes
 * carved out of the result's scratch buffers (reused from fruit to fruit, so
 * a frame allocates nothing once warm), and the sound peel's colour. */
typedef struct {
  const PtPeelInput *in;
  const PtGradeProfile *p;
  const PtShape *shape;
  PtPeelResult *out;
  int w, h;
  gsize n;
  double mmpx2;
  guint8 *inner, *cls, *tmp;
  float *hue, *sat, *mean;
  /* With in->fine: the local mean of the second pass before each pixel's class took the
   * darker reference (the fine pixels' reference is interpolated from it), that pass's
   * shading model, and the pixels within one of a defect candidate. */
  float *lmean;
  /* With in->lab and a profile that looks for scars: the local mean of the peel's chroma (C*)
   * round each inner pixel, over the second pass's reference pixels; faded, whether the
   * second pass has it and classifies C_FADED (the coarse plane only). */
  float *cmean;
  gboolean faded;
  /* Of each row, the first inner pixel's column and one past the last's (equal when the
   * row has none): the loops over the inner peel visit these spans only.  Not set in the
   * refinement's fine analysis. */
  gint32 *span;
  PtShading shading;
  guint8 *near;
  /* The shading basis's u, v and z of every inner pixel (3 a pixel, pt_peel_fill_uvz()). */
  double *uvz;
  gint32 *dist, *labels, *parent, *icnt;
  gint64 *isum;
  PtAxes axes;
  double peel_hue, peel_sat, peel_y;
  /* Brightness plane the references are taken on: luma, or with in->lab L* scaled to
   * 0..255; and with in->lab the peel's median L*a*b* and its chroma and hue angle. */
  const guint8 *ly;
  float *lab;
  double peel_l, peel_a, peel_b, peel_c, peel_h;
  /* With in->pale_face_mould: the face washed out with no peel-coloured part to judge it
   * against (pt_peel_find_lab()), its washed-out pixels mould. */
  gboolean pale_face;
  /* With in->lab: most of the face's chromatic pixels are clipped in a channel or two (a warm
   * light over-exposing an orange's red), so its peel colour was read from its pixels as they
   * are, and those clipped in one channel are judged as read against it (pt_peel_find_lab()). */
  gboolean clipped_face;
} PtPeel;

/* Angle between two hues in degrees, 0..180; inline, as the classes ask it of most
 * saturated pixels. */
static inline double
pt_peel_hue_diff(double a, double b)
{
  double d = fabs(a - b);

  return d > 180 ? 360 - d : d;
}

/* The chroma (C*) of @lab as hypotf () gives it (the squares summed in double, exact for
 * floats), without its call: it runs for every pixel of a face. */
static inline float
pt_lab_chroma(const float lab[3])
{
  return (float)sqrt((double)lab[1] * lab[1] + (double)lab[2] * lab[2]);
}

/* Visits the pixel indices @i of @pk's inner row spans in raster order (a loop header: the
 * body follows). */
#define PT_PEEL_FOR_SPANS(pk, i)                                                                   \
  for (int pt_y_ = 0; pt_y_ < (pk)->h; pt_y_++)                                                    \
    for (gsize i = (gsize)pt_y_ * (pk)->w + (pk)->span[2 * pt_y_],                                 \
               pt_end_ = (gsize)pt_y_ * (pk)->w + (pk)->span[2 * pt_y_ + 1];                       \
         i < pt_end_; i++)

/* pt-peel.c. */
/* The shading model's basis at crop pixel (@x, @y): 1, z, u, v, z*u, z*v in the fruit's own
 * axes (z: the height of a unit sphere over the ellipse).  @ax: (transfer none). */
void pt_peel_basis(const PtAxes *ax, double x, double y, double out[NB]);
/* The shading model's brightness at crop pixel (@x, @y).  @ax, @sh: (transfer none). */
double pt_peel_shading_at(const PtAxes *ax, const PtShading *sh, double x, double y);
/* Fills @pk->uvz for every inner pixel: the shading model is fitted three times a pass and
 * evaluated once a pass at each pixel, and its basis (a square root) is the same each time.
 * @pk: (transfer none). */
void pt_peel_fill_uvz(PtPeel *pk);
/* pt_peel_basis() at inner pixel @i, from @pk->uvz. */
static inline void
pt_peel_basis_px(const PtPeel *pk, gsize i, double out[NB])
{
  const double *q = pk->uvz + 3 * i;

  out[0] = 1;
  out[1] = q[2];
  out[2] = q[0];
  out[3] = q[1];
  out[4] = q[2] * q[0];
  out[5] = q[2] * q[1];
}
/* pt_peel_shading_at() at inner pixel @i, the same value from @pk->uvz. */
static inline double
pt_peel_shading_px(const PtPeel *pk, const PtShading *sh, gsize i)
{
  double b[NB], v = 0;

  if (sh->fallback > 0)
    return sh->fallback;
  pt_peel_basis_px(pk, i, b);
  for (int k = 0; k < NB; k++)
    v += sh->c[k] * b[k];
  return v;
}

/* pt-defect-lab.c.  L*a*b* of every pixel into @pk->lab, L* as the brightness plane and the
 * peel's median colour.  @pk: (transfer none). */
void pt_peel_find_lab(PtPeel *pk);
/* The C_* flags of inner pixel @i against the fruit's own peel; sets @pk->mean[i] to its
 * darker reference.  @pk, @shading: (transfer none). */
guint8 pt_peel_class_lab(PtPeel *pk, const PtShading *shading, gsize i);
/* Whether most pixels of label @label within columns @x0..@x1 and rows @y0..@y1 are clipped in
 * a channel, on a face judged with such pixels (clipped_face): washed out as read, as a soft
 * sheen clipped in red is as much as white mould under a warm lamp, such a patch is mould
 * from a highlight's extent (PT_PEEL_LAB_GLOSS_MAX_SHARE), as a patch clipped in every
 * channel is (pt_peel_settle_gloss ()).  @pk: (transfer none). */
gboolean pt_peel_mostly_clipped(const PtPeel *pk, int x0, int y0, int x1, int y1, gint32 label);
/* Whether inner pixel @i, @ratio as light as its reference and of @chroma, reads faded under
 * @bound of the local chroma where the peel faces the camera: the faded class at
 * PT_PEEL_LAB_FADED_CHROMA, a scar's grown edge at PT_PEEL_LAB_FADED_GROW_CHROMA.  Needs
 * @pk->cmean (local_chroma ()).  @pk: (transfer none). */
gboolean pt_peel_reads_faded(const PtPeel *pk, gsize i, double ratio, double chroma, double bound);
/* Leaves out of @pk->tmp, the pixels the local reference is taken over, the patches of the
 * inner peel dark against both @shading and the peel's median that lie inside the face;
 * uses @pk->cls, labels and parent as scratch.  @pk, @shading: (transfer none). */
void pt_peel_drop_deep_patches(PtPeel *pk, const PtShading *shading);
/* Turns each patch of C_GLOSS pixels into gloss (C_NONE) or mould (C_PALE) by its extent;
 * uses @pk->tmp, labels and parent as scratch.  @pk: (transfer none). */
void pt_peel_settle_gloss(PtPeel *pk);

G_END_DECLS
