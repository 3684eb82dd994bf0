/* test-real.c: the grader, through a box as `packtrace grade IMAGE --roi` grades, on named
 * photos of shared/data/fruit-freshness (see its SOURCE.txt) that a peel rule was made for:
 * each case says what the photo shows and what the rule must keep.  eval-real scores the
 * whole set; these hold the cases it averages away.  Skips (77) without the shared folder. */
#include "pt-models.h"

#include <stdlib.h>

static char *photo_dir;

typedef struct {
  const char *image;
  PtRoi roi;
  /* The classes allowed: a rotten fruit's lowest, or a sound one's highest. */
  gboolean rotten;
  const char *why;
} Case;

static const Case cases[] = {
    {"1319.jpg",
     {54, 27, 452, 408},
     TRUE,
     "brown rot over a patch wider than the local reference of the peel round a pixel "
     "(graded Extra while the patch was its own reference)"},
    {"1276.jpg",
     {45, 27, 449, 407},
     TRUE,
     "a large brown bruise (graded I while only its rim read dark)"},
    {"1476.jpg",
     {241, 189, 236, 218},
     FALSE,
     "a sound orange whose underside, along the rim, lies in its own reddish shadow, as dark "
     "and as red as brown rot (class II when a dark patch along the rim was rot too)"},
    {"1518.jpg", {15, 193, 239, 215}, FALSE, "the same, a sound orange at the bottom of a pile"},
    {"535.jpg",
     {15, 10, 421, 404},
     FALSE,
     "a sound mandarin with its leaf lying across it: the fruit found stops at the leaf, and "
     "the box's face beyond it, peel and lit leaf, was read as 760 mm2 of peel that lost its "
     "colour (mould, out)"},
    {"685.jpg",
     {84, 322, 835, 856},
     FALSE,
     "a sound wet orange lit from its left, that side lighter and yellower than the box's "
     "middle: the fruit found stops short of it, and it was read as 920 mm2 of mould"},
};

static void
test_case(gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = g_build_filename(photo_dir, c->image, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) image = pt_image_load(path, &error);
  g_autoptr(PtGradeProfile) profile = NULL;
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtGradeResult) r = NULL;
  PtFrame frame;

  g_assert_no_error(error);
  profile = pt_grade_profile_load("orange-unece", &error);
  g_assert_no_error(error);
  grader = pt_grader_new_unscaled(profile, &error);
  g_assert_no_error(error);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, &c->roi, 1, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(r->n_fruit, ==, 1);
  g_test_message("%s: %s, %u defects, %.1f mm2 (%s): %s", c->image,
                 pt_grade_class_to_string(r->fruit[0].klass), r->fruit[0].defect_count,
                 r->fruit[0].defect_total_mm2, r->fruit[0].rule, c->why);
  if (c->rotten)
    g_assert_true(r->fruit[0].klass == PT_CLASS_II || r->fruit[0].klass == PT_CLASS_OUT);
  else
    g_assert_true(r->fruit[0].klass == PT_CLASS_EXTRA || r->fruit[0].klass == PT_CLASS_I);
}

int
main(int argc, char **argv)
{
  const char *shared = g_getenv("PACKTRACE_SHARED");

  g_test_init(&argc, &argv, NULL);
  if (shared == NULL)
    return 77;
  photo_dir = g_build_filename(shared, "data", "fruit-freshness", "images", NULL);
  if (!g_file_test(photo_dir, G_FILE_TEST_IS_DIR)) {
    g_printerr("no %s: skipping\n", photo_dir);
    return 77;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autofree char *name = g_strdup_printf("/models/real/%s", cases[i].image);

    g_test_add_data_func(name, &cases[i], test_case);
  }
  return g_test_run();
}
