/* test-bobcorn.c: the grader on real sorting-line frames
 * (shared/data/bobcorn, see its SOURCE.txt and LABELS.csv).
 *
 * C1_* are the colour frames (C0_* the near-infrared twins, not used: the
 * grader takes colour).  Expectations come from LABELS.csv, read at run
 * time: "defective" needs at least one defect, "russet" a russet region,
 * "sound" no defect at all (the sticker on 000006 and belt dirt must not
 * count).  The frames carry no calibration; 0.3 mm/px for the apple tasks
 * and 0.5 mm/px for the kiwis follow from typical fruit sizes (a 75 mm
 * apple spans 250 px, a 50 x 65 mm kiwi about 100 x 130 px).
 * Skips (77) without the shared folder. */
#include "pt-models.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *bobcorn_dir;

static void
print_fruit(const char *file, const PtFruit *f)
{
  g_printerr(
      "%s: %s%s d=%.1f l=%.1f mm code=%s defects=%u total=%.1f mm2 "
      "largest=%.1f longest=%.1f russet=%.1f stickers=%u ripe=%.2f green=%.2f conf=%.2f (%s)\n",
      file, pt_grade_class_to_string(f->klass), f->partial ? " partial" : "", f->diameter_mm,
      f->length_mm, f->size_code, f->defect_count, f->defect_total_mm2, f->defect_largest_mm2,
      f->defect_longest_mm, f->russet_mm2, f->n_stickers, f->ripe_fraction, f->green_fraction,
      f->confidence, f->rule);
  for (guint k = 0; k < f->n_defects; k++)
    g_printerr("    %-9s at %d,%d %dx%d area %.1f mm2 length %.1f mm contrast %.2f\n",
               pt_defect_kind_to_string(f->defects[k].kind), f->defects[k].x, f->defects[k].y,
               f->defects[k].width, f->defects[k].height, f->defects[k].area_mm2,
               f->defects[k].length_mm, f->defects[k].contrast);
}

typedef struct {
  char *image;
  char *fruit;
  char *expected;
} Case;

static void
case_free(gpointer data)
{
  Case *c = data;

  g_free(c->image);
  g_free(c->fruit);
  g_free(c->expected);
  g_free(c);
}

static void
test_frame(gconstpointer data)
{
  const Case *c = data;
  g_autofree char *path = g_build_filename(bobcorn_dir, c->image, NULL);
  gboolean apple = strcmp(c->fruit, "apple") == 0;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) image = pt_image_load(path, &error);
  g_autoptr(PtGradeProfile) profile = NULL;
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtGradeResult) result = NULL;
  PtFrame frame;
  const PtFruit *f;

  g_assert_no_error(error);
  profile = pt_grade_profile_load(apple ? "apple-unece" : "kiwi-unece", &error);
  g_assert_no_error(error);
  grader = pt_grader_new(profile, apple ? 0.3 : 0.5, &error);
  g_assert_no_error(error);
  pt_image_as_frame(image, &frame);
  result = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  for (guint i = 0; i < result->n_fruit; i++)
    print_fruit(c->image, &result->fruit[i]);

  /* One fruit per frame, whole in view: the sticker and dirt are not fruit. */
  g_assert_cmpuint(result->n_fruit, ==, 1);
  f = &result->fruit[0];
  g_assert_false(f->partial);
  g_assert_cmpfloat(f->diameter_mm, >, apple ? 55 : 35);
  g_assert_cmpfloat(f->diameter_mm, <, apple ? 100 : 70);

  if (strcmp(c->expected, "sound") == 0) {
    g_assert_cmpuint(f->defect_count, ==, 0);
  } else if (strcmp(c->expected, "defective") == 0) {
    g_assert_cmpuint(f->defect_count, >=, 1);
    g_assert_cmpint(f->klass, !=, PT_CLASS_EXTRA);
  } else if (strcmp(c->expected, "russet") == 0) {
    gboolean russet = FALSE;

    for (guint k = 0; k < f->n_defects; k++)
      russet |= f->defects[k].kind == PT_DEFECT_RUSSET;
    g_assert_true(russet);
    g_assert_cmpfloat(f->russet_mm2, >, 25.0);
  } else {
    g_error("unknown expectation '%s' in LABELS.csv", c->expected);
  }
}

int
main(int argc, char **argv)
{
  const char *shared = g_getenv("PACKTRACE_SHARED");
  g_autofree char *labels_path = NULL;
  g_autofree char *labels = NULL;
  g_auto(GStrv) lines = NULL;

  g_test_init(&argc, &argv, NULL);
  if (shared == NULL)
    return 77;
  bobcorn_dir = g_build_filename(shared, "data", "bobcorn", NULL);
  labels_path = g_build_filename(bobcorn_dir, "LABELS.csv", NULL);
  if (!g_file_get_contents(labels_path, &labels, NULL, NULL)) {
    g_printerr("no %s: skipping\n", labels_path);
    return 77;
  }
  lines = g_strsplit(labels, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++) {
    g_auto(GStrv) cols = g_strsplit(g_strstrip(lines[i]), ",", -1);
    Case *c;
    g_autofree char *name = NULL;

    if (g_strv_length(cols) != 3)
      continue;
    c = g_new0(Case, 1);
    c->image = g_strdup(cols[0]);
    c->fruit = g_strdup(cols[1]);
    c->expected = g_strdup(cols[2]);
    name = g_strdup_printf("/models/bobcorn/%s", c->image);
    g_test_add_data_func_full(name, c, test_frame, case_free);
  }
  return g_test_run();
}
