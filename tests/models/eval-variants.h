/* eval-variants.h: photos taken otherwise, made from the photos of a labelled set, so that
 * eval-real can say how grading holds when the camera differs from the set's: exposure, a
 * wrong white point, another resolution, stronger JPEG compression, a soft lens, sensor
 * noise, a phone's sharpening.  Each is an option of eval-real (--exposure, --white-balance,
 * --resize, --jpeg, --blur, --noise, --sharpen), they combine, and each photo's noise is drawn from
 * a seed of its own so that a run is repeatable and a photo's variant does not depend on which
 * photos ran before it. */
#pragma once

#include "pt-models.h"

G_BEGIN_DECLS

/* What is changed, applied in the order a camera makes the photo: the scene's light reaches
 * the sensor through the lens (resize: the sensor's resolution, area-averaged down or
 * bilinear up; blur), is exposed and white-balanced in linear light, gets the sensor's noise,
 * is sharpened as a phone's pipeline does, and is encoded as JPEG last.  Neutral values change
 * nothing. */
typedef struct {
  double exposure;     /* linear-light gain; 1: none */
  double white_kelvin; /* the scene's light, the camera balanced for 6500 K; 0: none */
  double resize;       /* the photo's (and its boxes') scale; 1: none */
  double blur;         /* Gaussian sigma, pixels of the resized photo; 0: none */
  double noise;        /* Gaussian sigma, 8-bit sRGB levels; 0: none */
  int jpeg;            /* re-encoded at this quality (4:2:0, as phones save); 0: none */
  double stretch;      /* a further scale across (round fruit become oblate); 1: none */
  double sharpen;      /* a phone's unsharp mask on luma, its detail times this; 0: none */
} EvalVariant;

#define EVAL_VARIANT_NONE ((EvalVariant){1.0, 0.0, 1.0, 0.0, 0.0, 0, 1.0, 0.0})

/* Whether @v changes anything. */
gboolean eval_variant_active(const EvalVariant *v);

/* Checks @v's ranges; FALSE with @error naming the option out of range. */
gboolean eval_variant_check(const EvalVariant *v, GError **error);

/* The per-channel gains (R, G, B; G is 1) of a camera balanced for 6500 K that photographs
 * a scene lit by a black body at @kelvin: the ratio of the two lights' colours in linear
 * sRGB (the Planckian locus, Kim et al. 2002's cubic fit, 1667 to 25000 K). */
void eval_variant_wb_gains(double kelvin, double gains[3]);

/* @image photographed otherwise: (transfer full) a new image, NULL with @error.  @seed draws
 * the noise.  @image: (transfer none). */
PtImage *eval_variant_apply(const EvalVariant *v, const PtImage *image, guint32 seed,
                            GError **error);

/* A box of the original photo in the variant's pixels (--resize). */
void eval_variant_scale_roi(const EvalVariant *v, PtRoi *roi);

/* A light box's lamps mirrored in a glossy fruit's peel, the reflections a sorter or a light
 * box shows and fruit-freshness's daylight photos mostly do not:
 *   ring    a ring light round the lens, 25 degrees off its axis: a thin ring round the
 *           fruit's middle;
 *   strips  two upright strip lights 40 degrees to each side: two bars either side of it;
 *   panel   a large soft panel above, 30 degrees up: a broad highlight near the fruit's top. */
typedef enum { EVAL_GLOSS_NONE, EVAL_GLOSS_RING, EVAL_GLOSS_STRIPS, EVAL_GLOSS_PANEL } EvalGloss;

/* The EvalGloss @name names, or FALSE. */
gboolean eval_gloss_parse(const char *name, EvalGloss *gloss);

/* The light a lamp mirrored adds at its middle, as a share of full scale, unless told
 * otherwise: brighter than a peel's diffuse light, as a small lamp's reflection is.  A broad
 * lamp's is dimmer: a waxy peel mirrors some 4% of a lamp's radiance, and a lamp mirrored
 * over a share S of the face subtends 4 pi S steradians, so a white surface it lights
 * returns about 0.9 x 4 S of it; over 5% of the face the reflection is a fifth to a third of
 * that white's light. */
#define EVAL_GLOSS_LEVEL 0.7

/* Adds @gloss's reflections, in linear light, to the fruit that fills the ellipse of centre
 * (@cx, @cy) and semi-axes @rx, @ry in @image, taken as a sphere seen along its axis by a
 * camera far off: each pixel's normal gives the direction the peel mirrors, and the lamp
 * seen in that direction adds its light (@level of full scale at its middle, soft at its
 * edges as a peel's waxy gloss makes it; of colour @light as the camera records the lamp,
 * NULL white), clipped as a sensor clips. */
void eval_variant_gloss(PtImage *image, EvalGloss gloss, double level, const double light[3],
                        double cx, double cy, double rx, double ry);

/* The colour a camera records a white lamp's light in under @v: its exposure times its
 * white balance's gains (eval_variant_wb_gains ()). */
void eval_variant_light(const EvalVariant *v, double light[3]);

/* A light box lit from above (a lamp or strips in its roof, its walls the only fill) shades
 * the fruit that fills the ellipse of centre (@cx, @cy) and semi-axes @rx, @ry in @image from
 * its top down, its linear light falling evenly with the height to 1 - @top of the photo's
 * at its lowest point, as a sphere under a broad overhead light does. */
void eval_variant_light_from_above(PtImage *image, double top, double cx, double cy, double rx,
                                   double ry);

/* A blemish painted on a sound fruit, so that a harness can ask whether the grader finds the
 * peel defects a packing line sorts out and gross decay photos rarely show (the sound side
 * stays the set's own fruit):
 *   spot    a dark brown spot: stem-end rot's start, anthracnose, a sting, black spot;
 *   scar    a healed scar or wind scar: pale buff, rough, three times as long as wide;
 *   oleo    oleocellosis: a diffuse greenish-brown patch, a little darker than the peel;
 *   sooty   sooty mould: a grey-black film. */
typedef enum {
  EVAL_BLEMISH_NONE,
  EVAL_BLEMISH_SPOT,
  EVAL_BLEMISH_SCAR,
  EVAL_BLEMISH_OLEO,
  EVAL_BLEMISH_SOOTY
} EvalBlemish;

/* The EvalBlemish @name names, or FALSE. */
gboolean eval_blemish_parse(const char *name, EvalBlemish *blemish);

/* Paints @blemish over @share of the face of the fruit that fills the ellipse of centre
 * (@cx, @cy) and semi-axes @rx, @ry in @image: an irregular patch with a soft edge, placed
 * by @seed within the inner half of the face.  Each pixel takes the blemish's colour as
 * white light shows it, as light as the face round it (the face's median luminance against
 * an orange peel's in that light) and shaded as the peel under it (the pixel's luminance
 * against the face's), so the peel's shading and dimples stay; the photo's cast is not
 * put on it (fruit-freshness's light is near white). */
void eval_variant_blemish(PtImage *image, EvalBlemish blemish, double share, guint32 seed,
                          double cx, double cy, double rx, double ry);

/* "exposure 0.7, jpeg 40": what @v changes, for the output's heading. (transfer full) */
char *eval_variant_describe(const EvalVariant *v);

G_END_DECLS
