/* pt-grade-tuning.h: the detection thresholds of ROI grading that are not the grade
 * profile's, each with its reason.  Colours are CIE L*a*b* (D65): L* 0..100, and a
 * difference of about 2.3 is the smallest one people see, so thresholds read as "how
 * many just-noticeable differences". */
#pragma once

/* Finding the fruit in a box (pt-roi.c). */

/* The peel colour is seeded from an ellipse of this share of the box's half-sides round
 * its centre: a box holds one fruit, so its middle is peel even when the box cuts the
 * fruit or holds a neighbour's edge. */
#define PT_ROI_SEED_FRACTION 0.35
/* Lightness counts for this share of a colour difference when growing the fruit from its
 * seed: a sphere's shading changes L* by half across the face, its hue and chroma hardly. */
#define PT_ROI_L_WEIGHT 0.35
/* The fruit/background split of the colour difference (Otsu's threshold) is kept within
 * these bounds: below the low one it would cut the fruit's own shading and blemishes,
 * above the high one take in a background of a similar colour. */
#define PT_ROI_SPLIT_MIN 10.0
#define PT_ROI_SPLIT_MAX 40.0
/* Boxes whose short side is below this (frame pixels) hold too little to grade. */
#define PT_ROI_MIN_SIDE_PX 24
/* The box's middle darker than this L* is too dark to judge colour or defects. */
#define PT_ROI_MIN_SEED_L 12.0
/* A box's middle with less chroma (C*) than this is grey, white or black: a belt, a
 * tray or paper, not peel (ripe and green peels alike are well above it). */
#define PT_ROI_MIN_SEED_CHROMA 5.0
/* A fruit found covering less than this share of its box is not the box's fruit (the
 * box holds a leaf, a shadow or nothing); real boxes hold their fruit with a margin of
 * at most a few tenths of its size on each side. */
#define PT_ROI_MIN_COVER 0.2
/* Frame-edge and box-edge cuts: when more than this share of the outline lies on them,
 * the silhouette is too little of the fruit to size or grade. */
#define PT_ROI_MAX_CUT 0.6
