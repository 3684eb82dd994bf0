/* pt-models-limits.h: every bound of the models/ library in one place.
 *
 * Images come from cameras and from files a user names on the command line,
 * so sizes are untrusted: each decoder and buffer checks against these
 * limits and fails with PT_MODELS_ERROR_TOO_LARGE instead of growing. */
#pragma once

/* Largest image accepted by the decoders and the grader: a phone's full-resolution photo
 * (48 and 50 MP sensors, 8000 x 6000 and 8160 x 6120, with room for 64 MP), 192 MB as RGB.
 * The 108 and 200 MP modes are refused: their photo is scaled down first. */
#define PT_IMAGE_MAX_PIXELS (8192 * 8192)
#define PT_IMAGE_MAX_SIDE   16384
/* Largest encoded image file read from disk. */
#define PT_IMAGE_MAX_FILE_BYTES (64 * 1024 * 1024)

/* Fruit graded per frame and ROIs accepted per call; a belt view holds far
 * fewer, so more means the segmentation has fallen apart. */
#define PT_GRADER_MAX_FRUIT 64
#define PT_GRADER_MAX_ROIS  64
/* Defect regions kept per fruit (the largest ones); totals count them all. */
#define PT_FRUIT_MAX_DEFECTS 32
/* Points of the outline polygon reported per fruit. */
#define PT_FRUIT_MAX_OUTLINE 64

/* Fruit tracking (packgrade, grading feed): fruit followed at once, and views per fruit kept
 * for the size median (later views still count for the worst defect view). */
#define PT_TRACK_MAX_OPEN  64
#define PT_TRACK_MAX_VIEWS 32

/* Long side, in pixels, of the downscaled image used to find fruit. */
#define PT_SEG_WORK_SIDE 400
/* Long side, in pixels, of a fruit's analysis crop; larger fruit are
 * sampled with a coarser step so the cost per fruit stays bounded. */
#define PT_ANALYSIS_MAX_SIDE 160
/* The same for a ROI's crop: ROIs come a dozen to a photo, and the L*a*b* peel rules judge
 * a fruit as well at 128 pixels across as at 160 (fruit-freshness: 0.979 against 0.972) for
 * 0.64 of the cost; at 96 the smallest spots of the synthetic tests are lost. */
#define PT_ROI_ANALYSIS_MAX_SIDE 128

/* Grade profiles: file size and table sizes. */
#define PT_PROFILE_MAX_BYTES      (64 * 1024)
#define PT_PROFILE_MAX_SIZE_CODES 32
#define PT_PROFILE_MAX_NAME       64
