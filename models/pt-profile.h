/* pt-profile.h: grade profiles, one data file per standard and variety.
 *
 * A profile says what the grader measures against: size codes by diameter,
 * per-class limits on defects and colour, the variety's ripe and green hues,
 * and a few detection settings (is russet a defect here, are dark spots at
 * the poles the stem end).  Files live in models/profiles/NAME.ini; each
 * number there carries its source in a comment.  Adding a variety is a new
 * file, not code. */
#pragma once

#include "pt-image.h"
#include "pt-models-limits.h"

G_BEGIN_DECLS

typedef enum {
  PT_CLASS_EXTRA,
  PT_CLASS_I,
  PT_CLASS_II,
  PT_CLASS_OUT,  /* meets none of the classes (or below minimum size) */
  PT_CLASS_NONE, /* not graded: fruit only partly in view */
} PtGradeClass;

#define PT_N_CLASSES 3 /* Extra, I, II: the classes with limits */

/* What a lot tolerance's percentage is a share of.  UNECE standards allow "by number or
 * weight"; USDA's citrus standards count fruit in samples. */
typedef enum {
  PT_TOLERANCE_BY_COUNT,
  PT_TOLERANCE_BY_WEIGHT, /* estimated grams from size; needs weight_k > 0 */
} PtToleranceBasis;

typedef struct {
  char code[8];
  double min_mm;
  double max_mm;
} PtSizeCode;

typedef struct {
  char name[PT_PROFILE_MAX_NAME];
  char fruit[PT_PROFILE_MAX_NAME];
  char standard[128];

  /* [size] */
  PtSizeCode codes[PT_PROFILE_MAX_SIZE_CODES];
  guint n_codes;
  double min_diameter_mm;
  double weight_k; /* weight_g = k * d^2 * length / 1000, 0 = unknown */
  /* The diameter a photo's fruit is taken at without a scale; 0: from the codes. */
  double nominal_diameter_mm;

  /* [colour]: hues in degrees (HSV, 0 red, 60 yellow, 120 green); a range
   * with min > max wraps through 0.  Fractions per class, Extra..II;
   * a negative value means no limit. */
  double ripe_hue[2];
  double green_hue[2];
  double min_ripe_fraction[PT_N_CLASSES];
  double max_green_fraction[PT_N_CLASSES];

  /* [defects]: per class, Extra..II; negative = no limit. */
  double max_defect_area_cm2[PT_N_CLASSES];
  double max_defect_length_mm[PT_N_CLASSES];
  double max_defect_count[PT_N_CLASSES];
  double max_russet_area_cm2[PT_N_CLASSES];
  /* Mould is decay, which the standard allows in no class (UNECE's minimum requirement
   * "sound", USDA's "free from decay" in every grade): a fruit with mould meets none. */
  gboolean decay_out;

  /* [detect] */
  double dark_ratio;      /* pixel darker than this share of the local peel */
  double bright_ratio;    /* pixel brighter than this share: exposed flesh */
  double min_defect_mm2;  /* smaller regions are peel texture */
  gboolean russet;        /* brown patches on a non-brown peel are defects */
  gboolean mould;         /* pale, desaturated patches are defects (citrus) */
  gboolean scars;         /* in photos, patches that lost the peel's colour are scars */
  gboolean stem_at_poles; /* dark spot at the end of the long axis is the stem */

  /* [tolerance]: lot tolerances in percent, per declared class Extra..II; negative = the
   * profile gives none.  basis=count (the default) or basis=weight says what the percentage
   * is a share of.  The reader refuses basis=weight without a weight_k rather than falling
   * back silently: a profile whose standard weighs but that cannot estimate weight declares
   * basis=count itself, with its reason. */
  PtToleranceBasis tol_basis;
  double tol_quality_pct[PT_N_CLASSES]; /* fruit below the declared class */
  double tol_out_pct[PT_N_CLASSES];     /* within that: meeting neither Class II nor the minimum */
  double tol_size_pct;                  /* fruit below the minimum size */
  double tol_size_floor_mm;             /* none more than this below the minimum size */
} PtGradeProfile;

/* Parses a profile from key-file text; @origin names it in errors.
 * Returns: (transfer full). */
PtGradeProfile *pt_grade_profile_new_from_data(const char *data, gsize len, const char *origin,
                                               GError **error);
/* Returns: (transfer full). */
PtGradeProfile *pt_grade_profile_load_file(const char *path, GError **error);
/* Finds NAME.ini in $PACKTRACE_PROFILES_DIR, then in the built-in profile
 * folder.  @name may hold only [a-z0-9_-].  Returns: (transfer full). */
PtGradeProfile *pt_grade_profile_load(const char *name, GError **error);
void pt_grade_profile_free(PtGradeProfile *profile);

/* Names of the profiles pt_grade_profile_load() can find, sorted, without
 * duplicates.  Returns: (transfer full). */
GStrv pt_grade_profile_list(void);

/* Size code for @diameter_mm: among the codes whose band holds it, the one
 * whose band centre is nearest (bands overlap in FFV-14).
 * Returns: (transfer none) (nullable): NULL when no band holds it. */
const char *pt_grade_profile_size_code(const PtGradeProfile *profile, double diameter_mm);

/* The diameter a fruit is taken to have when nothing gives the image's scale: the profile's
 * [size] nominal_diameter_mm, else the middle of the span its size codes cover (the minimum
 * diameter's 1.5 times without codes). */
double pt_grade_profile_nominal_diameter(const PtGradeProfile *profile);

/* Weight in grams estimated from two diameters, or 0 without a weight_k. */
double pt_grade_profile_estimate_weight(const PtGradeProfile *profile, double diameter_mm,
                                        double length_mm);

const char *pt_grade_class_to_string(PtGradeClass klass);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtGradeProfile, pt_grade_profile_free)

G_END_DECLS
