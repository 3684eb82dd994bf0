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
/* The fruit is kept within the ellipse inscribed in its box, widened by this factor: a
 * box holds one round fruit, so what reaches into its corners is a neighbour's edge, and
 * the margin keeps an elongated fruit lying diagonally. */
#define PT_ROI_ELLIPSE_MARGIN 1.08
/* The background is modelled from the box's corners when they hold at least this share
 * of the box that is not peel-coloured (a round fruit in a tight box leaves 21%); then a
 * pixel unlike its median colour (lightness weighted by PT_ROI_BG_L_WEIGHT: shadows on the
 * background are darker, not another colour) is fruit even when it is not peel-coloured:
 * mould, rot, a dark spot on the outline.  "Unlike" is PT_ROI_BG_SPREAD times the
 * background's own PT_ROI_BG_QUANTILE difference from its median, within
 * PT_ROI_BG_DE_MIN (a few just-noticeable differences: JPEG noise on a plain background)
 * and PT_ROI_BG_DE_MAX (pale mould on a grained table). */
#define PT_ROI_MIN_BACKGROUND 0.04
#define PT_ROI_BG_L_WEIGHT    0.5
#define PT_ROI_BG_QUANTILE    0.5
#define PT_ROI_BG_SPREAD      3.0
#define PT_ROI_BG_DE_MIN      6.0
#define PT_ROI_BG_DE_MAX      15.0
/* The fruit in a box is the union of the discs of this share of its inscribed radius
 * (the largest near the box's middle) that fit in the region of its colour and are joined
 * to that disc: a round or elliptical fruit is such a union, whole (the ends of an ellipse
 * of aspect 1.3 curve with 0.77 of its short radius), cut by the box or not; a neighbour of
 * its colour narrower than the disc or joined through a narrower neck (a banana, a peeled
 * segment, the edge of the next fruit in a pile) is not.  0.5 and 0.65 do alike on
 * fruit-freshness (0.65 a little better in loose boxes). */
#define PT_ROI_LOBE_RADIUS 0.65
/* ... when that disc's radius is at least this many pixels of the crop: smaller, it would
 * cut only the outline's noise. */
#define PT_ROI_LOBE_MIN_PX 3
/* ... and only when what it cuts off is at most this share of the region: a box holds one
 * fruit and the edges of others, so cutting more is cutting the fruit, whose colour the
 * middle's is not all over (a lesion at the middle of a rotten fruit). */
#define PT_ROI_LOBE_MAX_CUT 0.3
/* The fruit is the middle's colour's part of the region joined to the middle (its outline
 * the peel's, not the shadow's or the paper's next to it, which differ from the background
 * as mould does) when that part is at least this share of the region inside the box's
 * ellipse: a sound peel fills nearly all of it, a rotten fruit's region is mostly lesion
 * and its outline is then the whole region's, as before. */
#define PT_ROI_BODY_MIN_SHARE 0.7
/* ... widened by the region's pixels within this many crop pixels of it: the limb darkens
 * and blurs over a pixel or two of the crop (at most PT_ROI_ANALYSIS_MAX_SIDE across), its
 * colour between the peel's and the background's, and without it the size comes out a few
 * percent short.  One pixel is not enough on rendered fruit, three take in more shadow. */
#define PT_ROI_LIMB_PX 2
/* Boxes whose short side is below this (frame pixels) hold too little to grade. */
#define PT_ROI_MIN_SIDE_PX 24
/* The box's middle darker than this L* is too dark to judge colour or defects. */
#define PT_ROI_MIN_SEED_L 12.0
/* A box whose two colour classes (Otsu's split of the difference from its middle) are
 * closer than this holds no fruit against a background: an empty belt or tray.  Peel
 * against any background, and mould against either, differ by several times more. */
#define PT_ROI_MIN_CONTRAST 12.0
/* A box whose corners (outside its inscribed ellipse) are filled to more than this share
 * by the region grown from its middle holds a surface, not a round fruit: in a pile the
 * gaps between fruit and their shadows leave part of the corners out. */
#define PT_ROI_MAX_CORNER_FILL 0.9
/* ... unless the middle's chroma (C*) is at least this: ripe and unripe peels (orange,
 * yellow, red, green: 40 to 80) are far above belts, trays and grey mould, so the corners
 * hold neighbours of a pile. */
#define PT_ROI_PILE_CHROMA 20.0
/* The fruit in a box is cut to its middle's colour (pt-roi.c, keep_body ()) only when that
 * colour's chroma (C*) is at least this, a peel's: a middle of white or grey-green mould
 * (a fruit rotten over its face) would otherwise make the mould the "fruit", graded Extra
 * with no defect; below it the fruit stays all that differs from the background.  The same
 * line as PT_ROI_PILE_CHROMA: peels lie at 40 to 80, mould and trays under 20 (on
 * fruit-freshness any value from 20 to 30 gives the same records). */
#define PT_ROI_BODY_MIN_CHROMA 20.0
/* The middle of a box drawn off the fruit's centre may be a lesion (mould, rot) of a rotten
 * fruit rather than peel: the region grown from it is then enclosed by peel, the pixels
 * PT_ROI_RING_PX crop pixels outside its outline (past the edge's blur, a pixel or two)
 * within the box's ellipse being at least PT_ROI_LESION_ENCLOSED of them of a peel's
 * chroma (PT_ROI_PILE_CHROMA) and at least PT_ROI_LESION_CHROMA_GAP above the middle's
 * (mould and rot are greyer or browner than the peel they grow on, by twenty and more),
 * and the fruit is grown from that ring's colour instead.  A fruit's own region borders
 * paper, a table, shadow or black on most sides, a neighbour of a brighter colour on one.
 * On fruit-freshness it changes no sound fruit's record, and 0.5 to 0.7 and a gap of 10
 * to 20 give the same records. */
#define PT_ROI_RING_PX           2
#define PT_ROI_LESION_ENCLOSED   0.6
#define PT_ROI_LESION_CHROMA_GAP 15.0
/* A fruit found covering less than this share of its box is not the box's fruit (the
 * box holds a leaf, a shadow or nothing); real boxes hold their fruit with a margin of
 * at most a few tenths of its size on each side. */
#define PT_ROI_MIN_COVER 0.2
/* ... unless it lies alone in the box (pt-roi.c lone_fruit()): clear of the box's sides,
 * filling at least PT_ROI_LONE_MIN_FILL of the ellipse in its own bounds (an orange with
 * its calyx about 0.95, a leaf's or a stain's outline less), at most PT_ROI_LONE_MAX_ASPECT
 * times as long as wide (a pear 1.6), and at least PT_ROI_LONE_MIN_COVER of the box: a
 * fruit at a seventh of a light box photo's width, smaller than a photo of one fruit shows. */
#define PT_ROI_LONE_MIN_COVER  0.015
#define PT_ROI_LONE_MIN_FILL   0.8
#define PT_ROI_LONE_MAX_ASPECT 1.8
/* Such a fruit is graded again in a box round it with this margin (a share of its size) on
 * each side, as boxes are drawn by hand (fruit-freshness grades the same from 0.9 to 1.2
 * times its boxes). */
#define PT_ROI_LONE_MARGIN 0.06
/* The blob a lone fruit's search keeps (the box's largest) is graded only when it overlaps
 * the region found at the box's middle by this intersection over union (its bounds with a
 * mould cap may be larger): another object in the box is not its fruit. */
#define PT_ROI_LONE_MIN_IOU 0.5
/* The box's inner ellipse, this share of its half-sides, is the fruit's face whatever the
 * box's margin (boxes drawn round a fruit leave it a tenth or two of its size): the part of
 * it the peel-coloured fruit leaves out is a patch that lost the peel's colour (mould on a
 * background of its own colour, rot) when it is at least PT_ROI_LOST_MIN_SHARE of the
 * ellipse (below: the calyx, a leaf's shadow, an uneven outline) and to one side: its
 * centroid at least PT_ROI_LOST_MIN_OFFSET of the ellipse's radius off the centre (a sound
 * fruit centred in a loose box leaves a ring). */
#define PT_ROI_LOST_ELLIPSE    0.8
#define PT_ROI_LOST_MIN_SHARE  0.05
#define PT_ROI_LOST_MIN_OFFSET 0.3
/* ... and only while the peel-coloured fruit spans at least this share of the box across
 * the lost part's direction: a fruit whose cap lost its colour still fills its box's width
 * (0.78 and more on fruit-freshness), one lying to a side of a loose box (a margin of a
 * sixth of it or more) does not. */
#define PT_ROI_LOST_MIN_SPAN 0.75
/* Pixels darker than this share of the peel's L* are the shadow between fruit in a pile or
 * a black light box showing past the fruit, not the peel: rot is brown (about half the
 * peel's L*), not black. */
#define PT_ROI_LOST_SHADOW 0.35
/* Pixels with at least PT_ROI_LOST_PEEL_CHROMA of the peel's chroma and no darker than
 * mould is (PT_PEEL_LAB_MOULD_MIN_RATIO of its L*) lost neither colour nor lightness: they
 * are peel the fruit found stops short of (a leaf lying across a mandarin splits its
 * outline; a lamp from one side makes that side lighter and yellower than the box's middle),
 * or a neighbour's peel in the ellipse.  Spores are washed out (under half the peel's
 * chroma), rot darker; an unripe green patch is colour, which the colour rules grade.  On
 * fruit-freshness chroma shares from 0.6 to 0.7 and lightness 0.7 to 0.8 give the same
 * records through --roi, a box 1.2 times looser, moved, or exposed 1.4 times; 0.8 and 0.9
 * lose a sound box or two of each. */
#define PT_ROI_LOST_PEEL_CHROMA 0.7
/* Where the ROI cuts the fruit (in a pile, nearly all round) its outline is the ROI's
 * ellipse rather than seen; the confidence drops by this share of the cut share. */
#define PT_ROI_CUT_TRUST 0.5

/* Cutting off what clings to a ROI's fruit along a long contact (pt-grader.c,
 * cut_clinging()): a circle is fitted to the region's outline PT_CLING_PASSES times, each
 * time to the outline points within PT_CLING_BAND of the last circle's radius (a round
 * fruit's outline, JPEG and blur included, lies within a few percent); when at least
 * PT_CLING_MIN_FIT of the outline lies in that band the fruit is round, and its pixels
 * beyond PT_CLING_MARGIN of the radius are a neighbour's or the fruit's own shadow on the
 * table (a thin crescent along its lower limb, grey, which the peel analysis reads as
 * mould).  Within the band but past the margin lies only the limb of a slightly oblong
 * fruit, which the peel analysis leaves out as its rim band anyway; the size still comes
 * from the hull, so the margin is not cut finer (0.08 left the shadows: BA 0.858 at 1.2
 * times looser boxes on fruit-freshness, 0.04 gives 0.893, 0.02 0.894). */
#define PT_CLING_PASSES  3
#define PT_CLING_BAND    0.06
#define PT_CLING_MIN_FIT 0.6
#define PT_CLING_MARGIN  0.04
/* ... and only when the outline on the circle is at least this share of its circumference:
 * a box drawn tighter than its fruit cuts most of the outline off, and a short arc fits a
 * circle to a rot patch's edge as well as to the fruit's. */
#define PT_CLING_MIN_ARC 0.5
/* ... while telling the background beside the fruit from a cap that lost the peel's colour
 * (lost_is_beyond()) the circle is trusted from this share of its circumference: a box drawn
 * off the fruit's centre cuts the fruit on one side and leaves background on the other,
 * which the inner ellipse takes for a lost cap, and the free outline left is the far limb
 * alone (a third to a half of the circle).  A wrong circle does little harm there: it is
 * only asked whether the part left out lies beyond the round outline, and a cap or a patch
 * lies within it.  On fruit-freshness with boxes moved by 15% of their size (eval-real
 * --box-shift) 0.5 gives a balanced accuracy of 0.909, 0.35 0.931 (1.2 times looser
 * boxes: 0.909, 0.944); 0.3 and below start to take real caps in boxes drawn tighter than
 * the fruit (0.85 times) for background. */
#define PT_LOST_CIRCLE_MIN_ARC 0.35
/* ... or from this shorter share when nearly all the free outline (PT_LOST_CIRCLE_SHORT_FIT)
 * lies on it: a box drawn off a fruit the photo's edge cuts too (a pile's last row) leaves
 * a fifth to a third of its outline free, which a circle fitting nearly all of it still
 * traces (a rot patch's edge or a neighbour's would leave much of that outline off it).
 * On fruit-freshness with boxes moved by 15% of their size, 0.964 to 0.967 (4 sound
 * oranges the photo's lower edge cuts no longer out for the paper beyond their limb as
 * mould), by 25% 0.920 to 0.943; the other 46 runs of lights, exposures, light boxes and
 * box sizes grade the same; fits of 0.8 to 0.95 and arcs of 0.1 to 0.2 within 0.003. */
#define PT_LOST_CIRCLE_SHORT_ARC 0.2
#define PT_LOST_CIRCLE_SHORT_FIT 0.9
/* The inner ellipse's part a round fruit leaves out is background, not a cap that lost the
 * peel's colour, when more than this share of it lies beyond the fruit's circle (and its
 * PT_CLING_MARGIN): a cap lies within the circle, a margin of paper past the limb outside. */
#define PT_LOST_BEYOND_SHARE 0.5

/* A photo's fruit with a dim lobe beyond its outline (pt-grader.c, cut_dim_lobe ()), graded
 * whole or through a box where cut_clinging () found no circle: its mirror image in a glossy
 * floor or its shadow on a pale one.  The fruit's outline is sought among
 * PT_DIM_LOBE_TRIALS circles, then ellipses, through outline points whose brightest
 * neighbour is at least PT_DIM_LOBE_EDGE of the region's median luma (a reflection's or a
 * shadow's outline is darker); an ellipse at most PT_DIM_LOBE_MAX_WIDE times wider than
 * tall (a mandarin on its base, a kiwi on its side) or PT_DIM_LOBE_MAX_TALL times taller,
 * as a fruit with its reflection below it is a tall shape that a tall ellipse would fit.
 * The lobe is cut when its mean luma is at most PT_DIM_LOBE_RATIO of the fruit's: a floor
 * mirroring 40% of the light (a low camera over black acrylic) gives about 0.6, its image
 * fading with the distance from the fruit; an oblong fruit's far end is as bright as its
 * near one.  A region with under PT_DIM_LOBE_MIN_SHARE of its pixels that dim has no lobe
 * to look for, and each trial is judged on at most PT_DIM_LOBE_TRIAL_POINTS outline points
 * (the best on all of them): the search cost a photo of 12 boxes a fifth more otherwise. */
#define PT_DIM_LOBE_TRIALS       96
#define PT_DIM_LOBE_MAX_WIDE     1.35
#define PT_DIM_LOBE_MAX_TALL     1.1
#define PT_DIM_LOBE_RATIO        0.75
#define PT_DIM_LOBE_EDGE         0.6
#define PT_DIM_LOBE_MIN_SHARE    0.03
#define PT_DIM_LOBE_TRIAL_POINTS 96

/* The convex hull of a ROI's fruit (pt-grader.c, trim_hull_gaps()) bridges concave gaps
 * towards a neighbour with background; its pixels outside the fruit found whose colour is
 * common outside the hull are background.  The background's colours are counted in cells of
 * PT_HULL_BG_BIN L*a*b* units (two just-noticeable differences: JPEG noise on a plain
 * paper or cloth stays within a cell and its neighbours; a* and b* beyond
 * PT_HULL_BG_AB_MAX share the last cell), and a colour is common when its cell and the 26
 * round it hold PT_HULL_BG_MIN_SHARE of the pixels outside the hull (at least
 * PT_HULL_BG_MIN_PX): a sheet, a table or a neighbour's peel fill tens of percent of the
 * margin, the blurred edge of a mould or rot patch spilling past the hull a few tenths of
 * one percent. */
#define PT_HULL_BG_BIN       5
#define PT_HULL_BG_AB_MAX    80
#define PT_HULL_BG_MIN_SHARE 0.01
#define PT_HULL_BG_MIN_PX    8

/* Defects against the fruit's own peel, in L*a*b* (pt-defect.c, ROI grading). */

/* A pixel with a channel at or above this is clipped: a specular highlight, no colour. */
#define PT_PEEL_LAB_CLIPPED 250
/* A pixel this much lighter (L*) than the peel round it and less chromatic than the peel
 * is gloss: a glossy peel mirrors the lamp in many small spots. */
#define PT_PEEL_LAB_SPECULAR_DL 10.0
/* ... unless its connected patch covers this share of the fruit's silhouette: then it is
 * white or grey mould, which is lighter than the peel as gloss is.  A lamp's highlight on
 * a glossy orange covers about 1% of the face. */
#define PT_PEEL_LAB_GLOSS_MAX_SHARE 0.03
/* ... unless it is brighter than a diffuse surface lit as the peel can be, a lamp mirrored:
 * mould is lit as the peel round it, so even its weakest channel (in linear light) stays
 * within PT_PEEL_LAB_WHITE_OVER_PEEL times the strongest channel of the lit peel (its
 * PT_PEEL_LAB_LIT_QUANTILE); more than half the patch's pixels past that is a lamp (a
 * clipped pixel's level is only a floor, and a lamp's soft rim is dimmer than its middle).
 * A white surface reflects 0.9 of the light, a citrus peel 0.6 to 0.7 in its strongest
 * channel (an orange's or a mandarin's red, a lemon's red and green): white mould lies at 1.5
 * times at most.  Only profiles that look for mould use it, and those are citrus; a fruit
 * whose strongest channel reflects less (a red apple's 0.45) would need 2.  On
 * fruit-freshness on black the large patches of rotten oranges' white mould lie at 0.31 to
 * 0.78 of it (1.3 with a lamp mirrored over them), a panel lamp's on sound ones from 1.0 (a
 * peel clipped in red: no level tells them) to 3; at 2 and with the patch's mean, a panel
 * mirrored at 9000 K was 0.819, exposed 1.4 times 0.533 (a lamp on a dull peel at 1.49). */
#define PT_PEEL_LAB_WHITE_OVER_PEEL 1.5
#define PT_PEEL_LAB_LIT_QUANTILE    0.95
/* ... or unless the patch adds light to the peel rather than covering it.  A lamp mirrored
 * in a glossy peel adds the lamp's colour, neutral once the light is read, to the peel's
 * own: the patch is the peel round it (or the face's peel) times the shading, plus a grey
 * (or plus the light read round the fruit, where a black floor's lean was left in: at 9000 K
 * on black, eval-real's veil scores 0.884 fitted with a grey alone, 0.979 so).
 * Mould covers the peel: its colour is the peel's times 1 - its cover, plus its own grey.
 * Fitted so, in linear light, a patch that keeps PT_PEEL_LAB_LAMP_KEEP of the peel's colour
 * against both the peel within PT_PEEL_LAB_LAMP_RING analysis pixels of it and the face's
 * median peel, and is lifted by PT_PEEL_LAB_LAMP_MIN_LIFT or more, is a lamp.  A large lamp
 * mirrored is dim (a mirror's 4% of a lamp whose solid angle is 4 pi times the patch's share
 * of the face: a panel's reflection over 5% of it is a third of a white surface's light),
 * so a broad soft panel's is a pale veil, below any level a brightness bound can tell from
 * white mould.  On fruit-freshness on black, such a veil (eval-real --gloss panel
 * --gloss-level 0.2 to 0.35) keeps 0.75 to 1.05 of the peel (tenth to ninth decile); the
 * large patches of rotten oranges' mould keep 0.09 to 0.57 (0.50 through --roi).  Three
 * patches over dark rot keep 0.73 to 0.75 (two of them a dry pale lesion, graded II by its
 * bruise once not mould): at 0.78 the veil's run loses 0.07. */
#define PT_PEEL_LAB_LAMP_KEEP     0.7
#define PT_PEEL_LAB_LAMP_RING     4
#define PT_PEEL_LAB_LAMP_MIN_LIFT 0.02
/* The rim band left out, as a share of the short radius: in photos the limb darkens,
 * blurs and mirrors a light background, so it looks pale (wider than the belt's 8%).
 * The band is seen at a grazing angle (a quarter of the face's area for a third of its
 * pixels' worth of surface); another view of the fruit sees it face-on. */
#define PT_PEEL_LAB_RIM 0.15
/* A dark pixel is also at least this much darker (L*) than its reference: below it the
 * ratio test fires on the peel's pores in a dark photo. */
#define PT_PEEL_LAB_MIN_DL 8.0
/* A patch dark against both the shading model and the peel's median (the profile's
 * dark_ratio of each) is left out of the local reference its own pixels are judged against,
 * so that brown rot or a bruise wider than the reference's window reads dark against the
 * peel round it, not against itself (it did only along its rim), when at most this share
 * of its border lies along the silhouette's rim band.  A dark patch along the rim is the
 * fruit's underside in its own shadow or a neighbour's, as dark and as red as brown rot (on
 * fruit-freshness L* 26 to 40 and hue 38 to 41 degrees, brown rot L* 33 to 37 and hue 40 to
 * 42, against the lit peel's 57 to 70 and 48 to 60), which the local reference takes for
 * shading.  On fruit-freshness through --roi, by class alone (II or out defective)
 * sensitivity 0.927 to 0.954 at the same specificity (0.981) and the same sound-vs-defective
 * figures; without the rim rule specificity by class 0.975, and 0.538 with a panel lamp's
 * highlight when the patch need not be darker than the median too. */
#define PT_PEEL_LAB_DEEP_RIM_SHARE 0.1
/* Rot: at least this much darker (L*) than the reference and duller than this share of
 * the peel's chroma (brown on an orange, yellow or green peel). */
#define PT_PEEL_LAB_ROT_DL     12.0
#define PT_PEEL_LAB_ROT_CHROMA 0.7
/* Mould is looked for only on a peel with at least this chroma: on a grey or white peel
 * a washed-out patch is no anomaly. */
#define PT_PEEL_LAB_MIN_PEEL_CHROMA 20.0
/* A face whose median is washed out (mould over more than half of it) is judged against
 * its chromatic pixels when they cover at least PT_PEEL_LAB_PALE_FACE_PEEL_SHARE of it:
 * enough peel left to be the fruit's colour rather than a reflection or a stray hue in white
 * mould.  Washed out: the median's chroma under PT_PEEL_LAB_MIN_PEEL_CHROMA, or under
 * PT_PEEL_LAB_PALE_FACE_RATIO of the chroma of the face's most chromatic tenth (on
 * fruit-freshness a sound orange's median lies at 0.96 of it, 0.87 or more for 95 in 100 and
 * under 0.6 for 2 of 530 through --roi; a lamp 2000 K warmer than the camera's balance
 * gives white mould a chroma near 20, and a face half mould a median of 38 against the
 * peel's 70 or more).  Chromatic: at least PT_PEEL_LAB_PALE_FACE_SPLIT of that tenth's
 * chroma (and PT_PEEL_LAB_MIN_PEEL_CHROMA), pixels clipped in a channel or two among them.  On
 * fruit-freshness under 4500 K, balanced accuracy through --roi 0.926 to 0.963, on black
 * 0.841 to 0.901; on black exposed 1.4 times 0.925 to 0.985; no other eval-real run
 * changes. */
#define PT_PEEL_LAB_PALE_FACE_PEEL_SHARE 0.10
#define PT_PEEL_LAB_PALE_FACE_RATIO      0.6
#define PT_PEEL_LAB_PALE_FACE_SPLIT      0.6
/* Mould: not darker than this share of the reference (dark is rot, not spores) and ... */
#define PT_PEEL_LAB_MOULD_MIN_RATIO 0.8
/* ... washed out below this share of the peel's chroma (white and grey mould), ... */
#define PT_PEEL_LAB_MOULD_CHROMA 0.45
/* ... or this far (degrees of Lab hue) from the peel's hue with some chroma (blue-green
 * spores): far enough that an unripe green patch on an orange (about 50 degrees away)
 * is colour, not mould. */
#define PT_PEEL_LAB_MOULD_HUE        75.0
#define PT_PEEL_LAB_MOULD_HUE_CHROMA 8.0
/* A defect region covers at least this many analysis pixels (3 x 3): smaller ones are
 * the peel's pores and JPEG noise, whatever the calibration says they measure, ... */
#define PT_PEEL_LAB_MIN_PX 9
/* ... and at least this share of the fruit's silhouette, whatever the photo's resolution: a
 * speck under 0.14% of the face (under 2 mm across on a mandarin, 3 mm on an orange) is not
 * a defect.  A fruit is analysed at PT_ANALYSIS_MAX_SIDE pixels or less, stepped down by a
 * whole factor, so a fruit-freshness box (median 181 pixels) is analysed about 90 pixels
 * across, where the 3 x 3 floor is this share; a phone's or a light box camera's photo is
 * analysed finer (three times the size: about 135 pixels), where the pixel floor alone let
 * specks the coarser analysis cannot see count as dark spots on sound fruit (on black, three
 * times the size: specificity 0.856, 0.970 as taken).  The share keeps one floor at every
 * resolution. */
#define PT_PEEL_LAB_MIN_SHARE 0.0014
/* Leaves: Lab hue of chlorophyll green (about 125 degrees, a* < 0 < b*) within this
 * width, and at least this chroma; only where the peel's own hue is that far away. */
#define PT_PEEL_LAB_LEAF_HUE       125.0
#define PT_PEEL_LAB_LEAF_HUE_WIDTH 35.0
#define PT_PEEL_LAB_LEAF_CHROMA    15.0
/* A leaf in the light is no darker than the peel: it is told by chlorophyll's strong green
 * (on fruit-freshness a lit leaf lies at hue 130 to 150 with chroma 30 to 70), where green
 * and blue-green mould is duller (olive-grey mould there: hue 80 to 110, chroma 10 to 30)
 * and an unripe patch of an orange's peel yellower (about hue 100 to 115). */
#define PT_PEEL_LAB_LIT_LEAF_CHROMA    30.0
#define PT_PEEL_LAB_LIT_LEAF_HUE_WIDTH 25.0
/* A mould region covers at least this share of the fruit's silhouette: a small pale
 * patch on a glossy peel is a soft highlight (sheen) more often than spores, and mould
 * that matters spreads (green and blue mould rot a fruit in days). */
#define PT_PEEL_LAB_MOULD_MIN_SHARE 0.004
/* ... and one read through a clipped channel (a face whose peel clips in red, judged as read:
 * pt_peel_class_lab ()) a highlight's share at least: a small pale mark or a sheen clipped in
 * red reads as white mould does under a warm lamp, and a lamp's highlight on a glossy orange
 * covers about 1% of the face (PT_PEEL_LAB_GLOSS_MAX_SHARE).  fruit-freshness on black
 * exposed 1.4 times: 0.983 at 0.004 (eight sound oranges' small pale marks mould, five of
 * them under 1% of the face), 0.988 at 0.01 and at 0.03 (0.991 while such pixels were judged on
 * nothing); under 4500 K exposed 1.4 times 0.984, 0.934 and 0.879, as mould clipped in red and
 * green too is found by its fringe clipped in red alone. */
#define PT_PEEL_LAB_CLIPPED_MOULD_MIN_SHARE 0.01
/* Scars (a profile's [detect] scars): a pixel no darker than mould is
 * (PT_PEEL_LAB_MOULD_MIN_RATIO), where the peel faces the camera (the unit sphere's height z at
 * least PT_PEEL_LAB_FADED_MIN_Z, within 0.6 of the radius), whose chroma is under
 * PT_PEEL_LAB_FADED_CHROMA of the local mean chroma of the peel round it is faded, and a patch
 * mostly of them covering PT_PEEL_LAB_FADED_MIN_SHARE of the fruit is a scar.  Measured on
 * fruit-freshness with eval-real --blemish scar: a wind scar's buff reads 0.46 to 0.60 of the
 * chroma of the peel beside it (a sheen 0.79 and more), up to 0.70 at the analysis's
 * resolution, where a narrow scar blurs into the peel.  Scars over 1% of the face found, and
 * the specificity on the real sound oranges through --roi and on black: 0.65, 0.532 (0.977,
 * 0.970); 0.68, 0.725 (0.977, 0.960); 0.7, 0.826 (0.970, 0.958).  0.68 cost 0.008 to 0.017 of
 * specificity in most of the 46 runs of lights, exposures and light boxes against 0.002 to
 * 0.007: a sound fruit sorted out costs the shed more than a scar let through.  The share is
 * mould's: half of it found 0.653 at 0.65 but took 19 sound oranges of 530 through their boxes
 * (sheen patches, the paler ring round a stem).  Nearer the limb, where the peel turns away and
 * mirrors more light, sound peel reads faded: with z down to 0.5, 2 more of 530. */
#define PT_PEEL_LAB_FADED_CHROMA    0.65
#define PT_PEEL_LAB_FADED_MIN_SHARE 0.004
#define PT_PEEL_LAB_FADED_MIN_Z     0.8
/* A scar's patch of faded pixels grows through the pixels round it that would be faded under
 * PT_PEEL_LAB_FADED_GROW_CHROMA of the local chroma (hysteresis, as an edge detector follows a
 * weak edge from a strong one): a scar over a few percent of the face is part of its own local
 * reference, so only its core reads faded, in specks each under the patch size.  Grown, the
 * patch is the whole scar; it is one if its faded pixels outnumber its pale ones and
 * - it is on average at most PT_PEEL_LAB_FADED_MAX_LIGHT times as light as its reference (L*
 *   ratio): a scar's buff is a little lighter than the peel (the painted ones 1.0 to 1.11), a
 *   lamp's sheen, which fades the peel as well, 1.11 to 1.2 on the sound oranges it took;
 * - no more than PT_PEEL_LAB_GLINT_SHARE of it and the pixels round it glint
 *   (PT_PEEL_LAB_GLINT_RATIO times as light as the reference, on the full-resolution plane when
 *   there is one): a lamp's sheen is dotted with the glints of the peel's oil glands, a scar is
 *   matte;
 * - the sound peel round it (within PT_PEEL_LAB_FADED_RING of the short semi-axis, at least 2
 *   pixels) holds PT_PEEL_LAB_FADED_EDGE times its mean chroma: a scar has an edge, where the
 *   paler peel of a sheen or round a stem fades out.
 * On fruit-freshness (eval-real --blemish scar, the share of the face), sensitivity before and
 * after: 0.5% 0.068 to 0.136, 1% 0.532 to 0.796, 2% 0.521 to 0.785, 4% 0.377 to 0.679, 8% 0.189
 * to 0.358; on black 2% 0.894 to 0.925, 4% 0.902 to 0.936.  The specificity on the real sound
 * oranges: through --roi 0.977 (unchanged), on black 0.970 to 0.972, with the panel 0.947 to
 * 0.951; over the 46 runs of lights, exposures and light boxes it rose in 10 (0.001 to 0.006)
 * and fell in 8 (0.002 to 0.004, and 0.011 and 0.008 in shade of 9000 and 12000 K).  Measured
 * otherwise: growing to 0.75, with none of the tests above, found 0.838 of 1% scars but took 19
 * more of 530 sound oranges; without the lightness bound the sheens of 3 more on black (0.966)
 * and 0.005 to 0.013 in the other runs; without the edge test 3 more through --roi (0.972) and
 * 0.005 to 0.008 in blur, half size and a light box lit from its roof; without the glints 4 more
 * under a ring light; a wider local reference (half-size 0.5 of the short semi-axis, against
 * 0.33) found 0.823 of 4% scars but took 7 more through --roi and 24 more when blurred. */
#define PT_PEEL_LAB_FADED_GROW_CHROMA 0.7
#define PT_PEEL_LAB_FADED_MAX_LIGHT   1.15
#define PT_PEEL_LAB_FADED_RING        0.06
#define PT_PEEL_LAB_FADED_EDGE        1.25
#define PT_PEEL_LAB_GLINT_RATIO       1.3
#define PT_PEEL_LAB_GLINT_SHARE       0.03
/* A pale patch whose lightness falls with the distance from its lightest part at least
 * this steadily (Pearson correlation, -1 a perfect fall) is a soft highlight, the
 * reflection of a light box's diffuse lamps on a glossy or waxed peel, not mould; its
 * lightest part is its pixels within PT_PEEL_LAB_HIGHLIGHT_PEAK_DL (L*) of the lightest.
 * Rendered highlights lie at -0.92 to -0.98; mould regions on fruit-freshness mostly at -0.8
 * and above (a few round spots lower, on fruit with other defects): from -0.85 a
 * rotten orange in a loose box is missed, -0.9 to -0.95 give the same records. */
#define PT_PEEL_LAB_HIGHLIGHT_R       -0.9
#define PT_PEEL_LAB_HIGHLIGHT_PEAK_DL 3.0
/* ... and its peak lies within this share of the patch's equivalent radius of its centre: a
 * highlight grows lighter towards its middle (rendered ones: 0.06 and 0.11), where a mould
 * patch on a fruit lit from a light box's roof is lightest along its top edge (on
 * fruit-freshness on black, eval-real --top-light 0.6: 1.3 to 1.7, and 1.26 rendered).  Of
 * the photos as taken no run holds a patch that falls steadily from its peak but one
 * through --roi, at 1.67: a sound orange's already out for mould elsewhere. */
#define PT_PEEL_LAB_HIGHLIGHT_PEAK_OFF 0.5
/* A pale band at least this much lighter than its reference on average (L* ratio), at most
 * this thick for the fruit's short diameter and at least this long for its thickness (area
 * over thickness squared) is a lamp mirrored in the peel, not mould: a ring light's ring or a
 * strip light's bar (eval-real --on-black --gloss ring|strips).  Rendered rings on
 * fruit-freshness's oranges lie at ratio 1.3 to 1.8, thickness 0.03 to 0.09 and elongation
 * 3 to 24 (a ring on a fruit 80 analysis pixels across is a few pixels thick, its hole
 * small).  Of the pale regions of its real photos large enough to count, in every eval-real
 * variant, the thin and long ones lie at ratio 1.3 and below on sound fruit and at 1.38 at
 * most on rotten ones: the white rim of a blue-green mould patch, beside which the patch
 * itself still counts. */
#define PT_PEEL_LAB_REFLECTION_RATIO      1.3
#define PT_PEEL_LAB_REFLECTION_THICK      0.1
#define PT_PEEL_LAB_REFLECTION_ELONGATION 3.0
/* The stem end or calyx: at most this share of the fruit's silhouette (an orange's calyx
 * with its ring is about a tenth of the diameter across, 1% of the area; twice that for
 * the ring's shadow) and at most this elongation (long over short caliper). */
#define PT_PEEL_CALYX_MAX_SHARE      0.02
#define PT_PEEL_CALYX_MAX_ELONGATION 4.0
/* ... and the calyx-like regions whose centres lie within this share of the fruit's
 * diameter of the largest one's are its other pieces: the calyx with its ring is about a
 * tenth of the diameter across, and a crop finer than the photo's fruit needed (a phone's
 * photo: the same fruit over twice the pixels) resolves its button, the ring's shadow and
 * a sepal apart, each a small dark spot if only the largest were left out. */
#define PT_PEEL_CALYX_SPREAD 0.1
/* ... and a faded patch of a calyx's size and compactness (find_scars ()) on average under this
 * share of its reference's lightness is the calyx softened, not a scar: out of focus or small
 * (fruit-freshness blurred by 2 pixels, eval-real --blur 2), a calyx's dark ring mixes into
 * its olive sepals and the peel round them, which read duller and 0.85 to 0.89 as light as
 * the peel round them (the painted calyx of the synthetic roi-calyx-blurred 0.915), where
 * the buff of the scars painted on the set's sound oranges lies at 0.92 and above, most at
 * 1.0 to 1.1.  Through --roi blurred by 2 pixels 0.956 to 0.982 (specificity 0.930 to 0.983),
 * by 3 pixels 0.885 to 0.968, at half the size blurred by 1 pixel 0.949 to 0.981; on black
 * blurred by 2 and 3 pixels 0.956 and 0.907 to 0.968 and 0.962; the 46 runs of lights,
 * exposures, light boxes and box sizes grade the same but for two sound oranges more Extra
 * (on black, a close-up and a photo stretched to 0.7 across).  The cost: scars painted over 4% of
 * the face found on 0.657 of the fruit (0.675), over 0.5% on 0.121 (0.128); at 1% and on black at
 * 2% the same.  At 0.91 the painted calyx blurred stays a scar; at 0.95 scars over 1% fall to
 * 0.781. */
#define PT_PEEL_LAB_CALYX_FADED_LIGHT 0.93
/* ... and a washed-out patch (mould's colour) of a calyx's compactness over at most
 * PT_PEEL_CALYX_GREY_SHARE of the face, on average under PT_PEEL_CALYX_GREY_LIGHT of its
 * reference's lightness, is the calyx blurred grey, when no dark patch is the calyx
 * (measure_candidates ()): out of focus (fruit-freshness on black blurred by 2 pixels), an
 * olive calyx or a dried brown button mixes with the orange peel round it into a grey 0.78 to
 * 0.85 as light as the peel, over 0.4 to 0.5% of the face, and was mould.  The small mould
 * patches of the set's rotten oranges read 0.94 and lighter as taken, blurred, on black
 * and blurred on black (spores scatter the light); under a warm lamp (4500 K exposed 1.4
 * times on black) 0.84 to 0.91, as the peel's red gains on them, but over 0.86 to 2% of the
 * face, and those over 1% are kept by PT_PEEL_CALYX_GREY_SHARE (the calyx with its ring is
 * about 1%): without it, five rotten oranges there lost their mould, one found sound.  On
 * black blurred by 1, 2 and 3 pixels 0.990, 0.968 and 0.962 to 0.993, 0.977 and 0.964, on
 * black 0.985 to 0.986, stretched to 0.7 across 0.981 to 0.987, under a ring light mirrored
 * in a glossy floor 0.974 to 0.977, as taken at 12000 K 0.962 to 0.966, in 10 more of
 * the battery's 61 runs one to three sound oranges more without a defect; no run finds fewer
 * defective. */
#define PT_PEEL_CALYX_GREY_LIGHT 0.9
#define PT_PEEL_CALYX_GREY_SHARE 0.01

/* Peel analysis at reduced resolution (pt-grader.c, pt-defect.c): a fruit found in a whole
 * frame whose short diameter spans at least PT_PEEL_COARSE_MIN_PX pixels of its analysis
 * crop has its peel analysed on a copy PT_PEEL_COARSE_STEP times coarser (box-downsampled,
 * a quarter of the pixels), which finds where defects are; each candidate and a border of
 * one coarse pixel round it is then classified and measured again on the crop itself, so
 * areas, lengths and the pixel counts below keep the crop's resolution.  The outline and
 * the size are always measured on the crop.  A spot of 3 x 3 crop pixels, the smallest
 * that counts in photos, covers one coarse pixel whole, and a smaller or fainter one still
 * seeds the refinement through the darkest crop pixel of each coarse pixel.  Below 40
 * coarse pixels across, the rim band and the local mean's window (a third of the radius)
 * shrink to a few coarse pixels, so smaller fruit are analysed on the crop alone. */
#define PT_PEEL_COARSE_STEP   2
#define PT_PEEL_COARSE_MIN_PX 80

/* Kinds of defect, both rule sets (classify() in pt-defect.c). */

/* A region is a cut (a scratch, a puncture's tear) when its length is at least this many
 * times its mean width (its area over its length): a mark of length L and width W, about
 * an ellipse, reads L / (0.79 W), so a scratch four times as long as wide is a cut (the
 * synthetic 12 x 3 mm one measures 28.7 mm2 over 12.5 mm: 5.4), and a spot or a bruise,
 * near round, is not.  That scratch sits close to the limit: sampling that widens its
 * image by a fraction of a pixel turns it into a dark spot. */
#define PT_PEEL_CUT_ELONGATION 5.0
/* ... and it spans at least this many analysis pixels: shorter ones have no measurable
 * width, and pores and JPEG noise blur into short streaks. */
#define PT_PEEL_CUT_MIN_PX 6
/* In a photo a cut's streak whose centre lies at least PT_PEEL_CREASE_RHO of the way out
 * along the fruit's ellipse (the analysed face ends at 1 - PT_PEEL_LAB_RIM, 0.85) and whose
 * long axis is within PT_PEEL_CREASE_MAX_TILT degrees of the limb's tangent there is the
 * crease where the fruit meets a neighbour in a pile, or the shadow it casts on the floor,
 * taken in when the box is looser than the fruit: no defect.  On fruit-freshness the sound
 * oranges' "cuts" through boxes 1.3 times the fruit lay at 0.82 to 0.90 of the way out, at
 * 75 to 90 degrees from the radius; through the boxes as drawn, every region a rotten
 * orange had read as a cut lay inside 0.8.  A real cut there, along the limb, is left to
 * the view that sees it face-on (the ring from 0.8 to 0.85 is a twelfth of the face, the
 * tilt a fifth of the directions).  A dark spot (compact, so of no direction) there is the
 * same crease where the neighbour touches, or the contact shadow of a box moved off its
 * fruit: left out, the sound oranges' specificity rose through boxes moved 15% off (0.945 to
 * 0.955), on black (0.972 to 0.979) and in 28 of the 46 runs of the battery, fell in 6 (0.002
 * to 0.004), and no rotten orange nor painted dark spot (1% of the face: 0.615 both) was lost
 * through the boxes as drawn, loose, moved, or on black; from 0.75 on, tighter boxes lost
 * three rotten oranges. */
#define PT_PEEL_CREASE_RHO      0.8
#define PT_PEEL_CREASE_MAX_TILT 20.0

/* The colour of a photo's light (pt-white.c), for the L*a*b* rules: the frame is sampled on
 * a grid of at most PT_WHITE_SAMPLES pixels (100 x 100: a sheet or a tray round the fruit
 * is thousands of them; 40,000 cost the twelve-ROI photo of bench-models 9%, this 3%); a
 * sample is a neutral surface when it is lit (L* at least PT_WHITE_MIN_L: a shadow's
 * colour is mostly noise) and its chroma (C*) at most PT_WHITE_MAX_CHROMA: white paper under a lamp
 * 2000 K warmer than the camera's balance reads about 15 to 35, under 3200 K about 40 (read in a
 * second reading, PT_WHITE_MAX_CAST_CHROMA, below), peels 40 to 80, a wooden table 20 to 35. The
 * light is read only from at least PT_WHITE_MIN_SHARE of the samples (a sheet, a tray, a light
 * box's floor; a pile filling the photo shows none), only when their mean cast is at least
 * PT_WHITE_MIN_CAST (a just-noticeable difference: below, nothing to take out) and lies
 * along the lights' locus: |a*| at most PT_WHITE_MAX_A_SHARE of |b*| (a lamp's cast is
 * yellow with a little red, shade's blue; a green or red cast is a coloured surface). */
#define PT_WHITE_SAMPLES     10000
#define PT_WHITE_MIN_L       50.0
#define PT_WHITE_MAX_CHROMA  25.0
#define PT_WHITE_MIN_SHARE   0.05
#define PT_WHITE_MIN_CAST    2.3
#define PT_WHITE_MAX_A_SHARE 0.6
/* A lamp far from the camera's balance leaves no lit surface as neutral as that: white or
 * grey paper under it reads too chromatic (fruit-freshness's under 4500 K: a* 6 to 11, b*
 * about 33).  When fewer than PT_WHITE_MIN_SHARE of the samples read neutral and no black
 * floor shows, the light is read off the lit samples of chroma up to
 * PT_WHITE_MAX_CAST_CHROMA (paper under 3200 K reads about 40) with no channel clipped, if
 * they are PT_WHITE_MIN_SHARE of the samples and their mean lies on the lights' locus.  An
 * orange peel's colour lies along that locus too (a* about half b*), at C* 50 to 80: a bound
 * of 50 took the pale peel of photos exposed 2.5 times for the light (four sound oranges
 * more defective), one of 60 that of photos as taken. */
#define PT_WHITE_MAX_CAST_CHROMA 40.0
/* A light box's black floor: the samples of L* at most PT_WHITE_DARK_MAX_L (black card or
 * velvet, even in a photo exposed long for the dark scene), read when no lit neutral shows
 * and they are at least PT_WHITE_DARK_MIN_SHARE of the samples round the fruit (a light
 * box's floor is nearly all of them), by their mean in linear light, whose strongest channel
 * is at least PT_WHITE_DARK_MIN_LINEAR (sRGB level 5: below, a channel's colour is a
 * level's rounding).  Its cast, as C* at mid grey, counts beyond PT_WHITE_DARK_TINT: a black
 * dye or a sensor's black level may lean that far by itself (eval-real's light box floor
 * leans blue by 6.4; taken out, it cost the plain run on black 0.949 to 0.925 by class),
 * while a lamp 1,000 K off the camera's balance casts 6 to 14 (5500 K 5.7, 4500 K 13.8,
 * 9000 K 9.0, 3200 K 30.8 against 6500 K).  A cast over PT_WHITE_DARK_MAX_CAST, past a
 * 2200 K lamp's 54.6, is a coloured floor, not a light. */
#define PT_WHITE_DARK_MAX_L      25.0
#define PT_WHITE_DARK_MIN_SHARE  0.5
#define PT_WHITE_DARK_MIN_LINEAR 0.0015
#define PT_WHITE_DARK_TINT       8.0
#define PT_WHITE_DARK_MAX_CAST   55.0
/* A neutral sample clipped in blue and not in red (white paper in shade, exposed long: its
 * green and blue clip, its red does not) holds a lower bound of its blue.  A light's colour
 * lies on the lights' locus, where blue over green is red over green raised to
 * PT_WHITE_LOCUS_SLOPE, so its blue is raised to the locus's value when that is higher.  The
 * slope is the power law's through the camera's balance: -1.61 for black bodies of 4,000 to
 * 12,000 K seen by a camera balanced for a 6500 K one (Krystek's Planckian locus; off it by
 * at most 1% in blue over green), -1.61 for CIE daylight of 4,000 to 15,000 K (skylight,
 * shade) under a D65 balance (0.2%).  Left clipped, fruit-freshness's white paper under
 * 9000 K read cyan, no light's cast, and nothing was taken out: its sound fruit scored
 * 0.942, exposed 0.8 times (the paper unclipped) 0.964, given back 0.974.  Red clipped
 * alone is left as taken: a pale warm surface exposed long (a wooden board, a cardboard
 * tray) clips in red and green as white paper under a lamp does, and given back it read a
 * lamp that was not there (fruit-freshness exposed 2.5 times: two rotten oranges on a board
 * lost, two sound ones out for green colour); pale cool surfaces are rare round fruit. */
#define PT_WHITE_LOCUS_SLOPE -1.61

/* Grading without a scale (pt_grader_new_unscaled()). */

/* The nominal diameter of a profile with neither size codes nor a minimum diameter: the
 * middle of the apples', oranges' and kiwifruit's commercial sizes (60 to 90 mm), so an
 * unscaled defect's mm2 reads as a share of a fruit of ordinary size. */
#define PT_PROFILE_FALLBACK_DIAMETER_MM 70.0
/* Without a scale, a blob of a whole frame is fruit from this share of the frame's area
 * (a fruit across 1/30 of the frame's side): smaller ones are dirt, leaves and stickers.
 * Photos of one fruit or a pile show fruit far larger; a belt camera is calibrated. */
#define PT_UNSCALED_MIN_FRUIT_SHARE 0.001
/* A photo's fruit cut by the photo's edge is graded on the peel it shows (a close-up of one
 * fruit, a pile's edge), at this share of the confidence its measures give: the hidden part
 * may hold a defect the visible part does not. */
#define PT_PARTIAL_PHOTO_TRUST 0.5
/* A whole photo's fruit found as a part (pt-grader.c, part_of_round_fruit ()): white mould or
 * a pale band of it falls to a white light box's floor, leaving the peel-coloured part, or
 * parts, found as fruit of their own.  The part's free outline lies on one circle, or on one
 * ellipse with axes along the photo's within PT_DIM_LOBE_MAX_WIDE and PT_DIM_LOBE_MAX_TALL (a
 * mandarin seen from its side), along at least PT_PART_MIN_ARC of its perimeter; its widest
 * caliper spans at least PT_PART_MIN_SPAN of the short diameter (an oblate fruit's
 * peel-coloured side spans its height, not its width) and it fills at most PT_PART_MAX_FILL
 * of the outline (a round fruit found whole fills 0.9 and more).  "Circle" below is that
 * outline, "radius" its semi-axes.  What of the circle no blob holds must differ from the
 * background: its median difference from the background model at least PT_PART_MIN_FEAT of
 * the search's low threshold (on fruit-freshness on a white light box, eval-real --on-black
 * --background 240, white mould lies at 0.34 to 0.8 of it; the floor beyond an oblate
 * mandarin's round fit, which a circle fitted to its lower outline leaves above it, at 0 to
 * 0.02).  The blobs with at least PT_PART_PIECE_SHARE of their pixels inside the circle and
 * none beyond PT_PART_PIECE_REACH of its radius are its pieces: the circle is fitted to one
 * part's arc, and a cap on the far side can reach past it, most of all when an ellipse
 * fitted to one side of an oblate fruit falls short of the other (fruit-freshness 1232.jpg's
 * grey cap on a white box, the photo 1.3 times wider: 39% inside; the round fruit's runs give
 * the same records at 0.35 as at 0.5).  Another blob with more than PT_PART_MAX_NEIGHBOUR of
 * the circle's area inside it is a neighbour in front, and the part stays a fruit of its own.
 * The fruit is graded through a box round the circle, PT_PART_BOX_MARGIN of the radius
 * wider. */
#define PT_PART_MIN_ARC       0.4
#define PT_PART_MIN_SPAN      0.9
#define PT_PART_MAX_FILL      0.85
#define PT_PART_MIN_FEAT      0.2
#define PT_PART_PIECE_SHARE   0.35
#define PT_PART_PIECE_REACH   1.25
#define PT_PART_MAX_NEIGHBOUR 0.05
#define PT_PART_BOX_MARGIN    0.08
/* A photo in which the whole-frame search finds no fruit is graded through one ROI, the
 * photo, when the fruit that finds spans at least this share of the photo's width and
 * height: a close-up, no background round the fruit for the search to tell it from.  Other
 * photos keep no record (on fruit-freshness the ROI's middle there is mostly another fruit
 * kind or several fruit, matching no box).  When the search by colour finds nothing either,
 * PT_CLOSEUP_ALONE_MIN_SIDE of the width or of the height is enough: a close-up of a face
 * mostly mould is found as the part its peel or its mould covers.  On fruit-freshness on
 * black in close-up (eval-real --on-black --square 0.9, 0.85, 0.8) 3, 1 and 2 boxes had no
 * record, two rotten oranges' found as 0.98 by 0.59 of the photo, one's 0.75 by 0.70 and a
 * sound one's 0.76 by 0.87; now every box has one, 0.975 to 0.984, 0.980 to 0.984, 0.985 to
 * 0.994.  Graded whole, one record more matching no box, as under 4500 K.  With one side
 * enough also where proposals were found, 28 fewer boxes were found whole: the search's
 * fruit gave way to the photo's. */
#define PT_CLOSEUP_MIN_SIDE       0.8
#define PT_CLOSEUP_ALONE_MIN_SIDE 0.6
/* A photo in which neither finds a fruit is searched by colour (pt-propose.c): fruit peels
 * are chromatic, C* 40 to 80 (orange, lemon, red and green apples), the surfaces they lie on
 * mostly under PT_PROPOSE_MIN_CHROMA (paper, trays, grey and pale wood).  A maximum of the
 * chromatic pixels' distance transform within PT_PROPOSE_SAME_FRUIT of a deeper one's
 * inscribed radius is the same fruit's; a proposal's box is PT_PROPOSE_BOX_MARGIN times the
 * radius on each side of its middle, a box drawn round the fruit with a margin, which the
 * ROI grading then finds the fruit in. */
#define PT_PROPOSE_MIN_CHROMA 30.0
#define PT_PROPOSE_SAME_FRUIT 1.0
#define PT_PROPOSE_BOX_MARGIN 1.4
/* ... and what it finds there is not the fruit the box was drawn round when it reaches within
 * this many frame pixels of a side of the box the photo does not cut: a banana or a stalk
 * running through it, or a part of a larger fruit filling it. */
#define PT_PROPOSE_SIDE_PX 2
/* The close-up's one fruit gives way to the fruit proposed in it when they are at least
 * PT_PROPOSE_MIN_PARTS, each at most PT_PROPOSE_PART_OF of its box: the photo's ROI took
 * several fruit and the paper round them for one (pt-grader.c). */
#define PT_PROPOSE_MIN_PARTS 2
#define PT_PROPOSE_PART_OF   0.5
