/* test-synthetic.c: the grader against rendered frames of known truth
 * (fruitgen.c): diameter, defect area and length around the standards'
 * thresholds, stickers and dirt, touching fruit, fruit cut by the frame
 * edge, ROIs, I420 input, the class rules, and bit-for-bit determinism; and the crop
 * mask's opening by runs against two distance transforms. */
#include "eval-variants.h"
#include "fruitgen.h"
#include "pt-annotate.h"
#include "pt-internal.h"

#include <math.h>
#include <string.h>

static const guint8 orange_rgb[3] = {235, 135, 30};
/* A peel as a photo's fruit-freshness oranges have it: lit below the sensor's top, so that a
 * lamp's reflection keeps its colour at its edges where its middle clips. */
static const guint8 photo_peel[3] = {170, 88, 20};

static PtGradeResult *
grade_scene(const FgScene *scene, const char *profile_name, const PtRoi *rois, guint n_rois)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load(profile_name, &error);
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtImage) image = fg_render(scene);
  PtGradeResult *result;
  PtFrame frame;

  g_assert_no_error(error);
  grader = pt_grader_new(profile, scene->mm_per_px, &error);
  g_assert_no_error(error);
  pt_image_as_frame(image, &frame);
  result = pt_grader_grade(grader, &frame, rois, n_rois, &error);
  g_assert_no_error(error);
  return result;
}

static void
dump(const PtGradeResult *r)
{
  for (guint i = 0; i < r->n_fruit; i++) {
    const PtFruit *f = &r->fruit[i];

    g_test_message("fruit %u at %d,%d %dx%d: %s%s d=%.2f l=%.2f defects=%u total=%.1f longest=%.1f "
                   "stickers=%u ripe=%.2f green=%.2f (%s)",
                   i, f->x, f->y, f->width, f->height, pt_grade_class_to_string(f->klass),
                   f->partial ? " partial" : "", f->diameter_mm, f->length_mm, f->defect_count,
                   f->defect_total_mm2, f->defect_longest_mm, f->n_stickers, f->ripe_fraction,
                   f->green_fraction, f->rule);
  }
}

static void
test_diameter(void)
{
  const double diameters[] = {54.0, 61.5, 70.0, 78.3, 88.0, 96.0};

  for (guint i = 0; i < G_N_ELEMENTS(diameters); i++) {
    FgScene scene;
    g_autoptr(PtGradeResult) r = NULL;

    fg_scene_init(&scene, 640, 480, 11 + i);
    fg_scene_add(&scene, 96, 72, diameters[i], orange_rgb[0], orange_rgb[1], orange_rgb[2]);
    r = grade_scene(&scene, "orange-unece", NULL, 0);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    g_assert_false(r->fruit[0].partial);
    g_assert_cmpfloat_with_epsilon(r->fruit[0].diameter_mm, diameters[i], 1.0);
    /* The belt has dirt; a speck lying against the silhouette may lengthen
     * the widest caliper but not the narrowest. */
    g_assert_cmpfloat_with_epsilon(r->fruit[0].length_mm, diameters[i], 3.0);
    g_assert_cmpfloat_with_epsilon(r->fruit[0].area_mm2, G_PI * diameters[i] * diameters[i] / 4,
                                   0.04 * G_PI * diameters[i] * diameters[i] / 4);
  }
}

static void
test_elongated_fruit(void)
{
  FgScene scene;
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit *f;

  /* A kiwi-shaped fruit: 54 mm across, 68 mm long. */
  fg_scene_init(&scene, 640, 480, 5);
  scene.dirt = FALSE;
  f = fg_scene_add(&scene, 96, 72, 54, 120, 90, 55);
  f->length_mm = 68;
  r = grade_scene(&scene, "kiwi-unece", NULL, 0);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 1);
  g_assert_cmpfloat_with_epsilon(r->fruit[0].diameter_mm, 54, 1.0);
  g_assert_cmpfloat_with_epsilon(r->fruit[0].length_mm, 68, 1.0);
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
  g_assert_cmpstr(r->fruit[0].size_code, ==, "L");
}

/* Defect areas at and around the thresholds: 0.25, 0.32, 1, 1.27, 1.5 and
 * 2.5 cm2, alone on a 75 mm orange, within 10% or 5 mm2. */
static void
test_defect_area(void)
{
  const double areas[] = {25, 32, 100, 127, 150, 250};
  const double where[][2] = {{0.15, -0.1}, {-0.3, 0.2}, {0.0, 0.35}};

  for (guint i = 0; i < G_N_ELEMENTS(areas); i++) {
    for (guint k = 0; k < G_N_ELEMENTS(where); k++) {
      FgScene scene;
      g_autoptr(PtGradeResult) r = NULL;
      FgFruit *f;
      double tol = MAX(0.1 * areas[i], 5.0);

      fg_scene_init(&scene, 480, 400, 100 + i * 7 + k);
      f = fg_scene_add(&scene, 72, 60, 75, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
      fg_fruit_add_spot(f, where[k][0], where[k][1], areas[i], 0.4);
      r = grade_scene(&scene, "orange-unece", NULL, 0);
      dump(r);
      g_test_message("spot %.0f mm2 at %.2f,%.2f: measured %.1f", areas[i], where[k][0],
                     where[k][1], r->fruit[0].defect_total_mm2);
      g_assert_cmpuint(r->n_fruit, ==, 1);
      g_assert_cmpuint(r->fruit[0].defect_count, ==, 1);
      g_assert_cmpfloat_with_epsilon(r->fruit[0].defect_total_mm2, areas[i], tol);
    }
  }
}

/* Elongated marks of 20 and 40 mm (the FFV-50 class limits) and a 12 mm
 * scratch: length within 10%, area within 10% or 5 mm2. */
static void
test_defect_length(void)
{
  const double lengths[] = {12, 20, 40};

  for (guint i = 0; i < G_N_ELEMENTS(lengths); i++) {
    FgScene scene;
    g_autoptr(PtGradeResult) r = NULL;
    FgFruit *f;
    double area = G_PI * lengths[i] * 3.0 / 4;

    fg_scene_init(&scene, 480, 400, 200 + i);
    f = fg_scene_add(&scene, 72, 60, 80, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
    fg_fruit_add_mark(f, 0.05, 0.1, lengths[i], 3.0, 0.5, 0.35);
    r = grade_scene(&scene, "orange-unece", NULL, 0);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    g_assert_cmpuint(r->fruit[0].defect_count, ==, 1);
    g_assert_cmpfloat_with_epsilon(r->fruit[0].defect_longest_mm, lengths[i], 0.1 * lengths[i]);
    g_assert_cmpfloat_with_epsilon(r->fruit[0].defect_total_mm2, area, MAX(0.1 * area, 5.0));
    g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_CUT);
  }
}

static void
test_sound_sticker_dirt(void)
{
  FgScene scene;
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit *f;

  /* Two sound oranges, one with a sticker, on a dirty belt with strong
   * light fall-off and noise: no defects, the sticker seen as one. */
  fg_scene_init(&scene, 800, 500, 77);
  scene.light_slope = 0.5;
  scene.noise = 10;
  f = fg_scene_add(&scene, 70, 75, 72, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  f->sticker = TRUE;
  f->sticker_u = 0.15;
  f->sticker_v = 0.2;
  fg_scene_add(&scene, 170, 75, 68, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  r = grade_scene(&scene, "orange-unece", NULL, 0);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 2);
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
  g_assert_cmpuint(r->fruit[0].n_stickers, >=, 1);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 0);
  g_assert_cmpuint(r->fruit[1].n_stickers, ==, 0);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
  g_assert_cmpint(r->fruit[1].klass, ==, PT_CLASS_EXTRA);
  g_assert_cmpfloat(r->fruit[1].ripe_fraction, >, 0.9);
}

static void
test_touching(void)
{
  FgScene scene;
  g_autoptr(PtGradeResult) r = NULL;

  /* A row of three touching fruit of different sizes (overlapping by 2 mm
   * in the image) and a pair touching on a diagonal. */
  fg_scene_init(&scene, 1000, 600, 9);
  fg_scene_add(&scene, 45, 50, 70, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_scene_add(&scene, 45 + 35 + 30 - 2, 50, 60, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_scene_add(&scene, 45 + 35 + 60 + 38 - 4, 50, 76, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_scene_add(&scene, 80, 108, 62, 200, 30, 40);
  fg_scene_add(&scene, 80 + 44, 108 + 40, 56, 200, 30, 40);
  r = grade_scene(&scene, "orange-unece", NULL, 0);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 5);
  /* Sorted top to bottom, then left to right.  Each fruit is partly hidden
   * by its neighbour (2 mm); the diameter comes from the free part of its
   * outline, hence 3 mm rather than the 1 mm of a free fruit. */
  g_assert_cmpfloat_with_epsilon(r->fruit[0].diameter_mm, 70, 3.0);
  g_assert_cmpfloat_with_epsilon(r->fruit[1].diameter_mm, 60, 3.0);
  g_assert_cmpfloat_with_epsilon(r->fruit[2].diameter_mm, 76, 3.0);
  g_assert_cmpfloat_with_epsilon(r->fruit[3].diameter_mm, 62, 3.0);
  g_assert_cmpfloat_with_epsilon(r->fruit[4].diameter_mm, 56, 3.0);
  for (guint i = 0; i < 5; i++)
    g_assert_false(r->fruit[i].partial);
}

static void
test_edge_partial(void)
{
  FgScene scene;
  g_autoptr(PtGradeResult) r = NULL;

  fg_scene_init(&scene, 640, 480, 3);
  fg_scene_add(&scene, 12, 70, 70, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_scene_add(&scene, 110, 70, 70, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_scene_add(&scene, 150, 140, 66, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  r = grade_scene(&scene, "orange-unece", NULL, 0);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 3);
  g_assert_true(r->fruit[0].partial);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_NONE);
  g_assert_false(r->fruit[1].partial);
  g_assert_cmpint(r->fruit[1].klass, ==, PT_CLASS_EXTRA);
  /* The bottom one runs off the bottom edge (y 107..173 mm of 144). */
  g_assert_true(r->fruit[2].partial);
}

static void
test_classes(void)
{
  /* orange-unece: Extra <= 0.25 cm2, I <= 1.27, II <= 2.5, else out. */
  const struct {
    double area;
    PtGradeClass klass;
  } cases[] = {{0, PT_CLASS_EXTRA}, {60, PT_CLASS_I}, {180, PT_CLASS_II}, {400, PT_CLASS_OUT}};

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    FgScene scene;
    g_autoptr(PtGradeResult) r = NULL;
    FgFruit *f;

    fg_scene_init(&scene, 480, 400, 300 + i);
    f = fg_scene_add(&scene, 72, 60, 74, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
    if (cases[i].area > 0)
      fg_fruit_add_spot(f, 0.1, 0.1, cases[i].area, 0.4);
    r = grade_scene(&scene, "orange-unece", NULL, 0);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    g_assert_cmpint(r->fruit[0].klass, ==, cases[i].klass);
    /* 74 mm lies in codes 5 (73-84) and 6 (70-80); 6 has the nearer centre. */
    g_assert_cmpstr(r->fruit[0].size_code, ==, "6");
    g_assert_cmpfloat(r->fruit[0].confidence, >=, 0.5);
    g_assert_cmpfloat(r->fruit[0].confidence, <=, 1.0);
    g_assert_true(r->fruit[0].rule[0] != '\0');
  }
  {
    /* Under the 53 mm minimum: out of grade whatever the peel. */
    FgScene scene;
    g_autoptr(PtGradeResult) r = NULL;

    fg_scene_init(&scene, 480, 400, 330);
    fg_scene_add(&scene, 72, 60, 48, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
    r = grade_scene(&scene, "orange-unece", NULL, 0);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
    g_assert_nonnull(strstr(r->fruit[0].rule, "minimum"));
  }
  {
    /* A green orange: over the 1/5 green limit in every class. */
    FgScene scene;
    g_autoptr(PtGradeResult) r = NULL;

    fg_scene_init(&scene, 480, 400, 331);
    fg_scene_add(&scene, 72, 60, 74, 110, 170, 40);
    r = grade_scene(&scene, "orange-unece", NULL, 0);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    g_assert_cmpfloat(r->fruit[0].green_fraction, >, 0.8);
    g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
  }
}

static void
test_i420_and_roi(void)
{
  FgScene scene;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtImage) image = NULL;
  g_autoptr(PtGradeResult) r = NULL;
  g_autoptr(PtGradeResult) rr = NULL;
  g_autofree guint8 *i420 = NULL;
  PtFrame frame;
  FgFruit *f;
  PtRoi rois[2] = {{60, 60, 300, 300}, {380, 60, 300, 300}};

  fg_scene_init(&scene, 800, 480, 21);
  f = fg_scene_add(&scene, 63, 63, 72, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_fruit_add_spot(f, 0.1, -0.2, 100, 0.4);
  fg_scene_add(&scene, 159, 63, 66, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  image = fg_render(&scene);
  g_assert_no_error(error);
  grader = pt_grader_new(profile, scene.mm_per_px, &error);
  g_assert_no_error(error);

  i420 = fg_to_i420(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 2);
  g_assert_cmpfloat_with_epsilon(r->fruit[0].diameter_mm, 72, 1.0);
  g_assert_cmpfloat_with_epsilon(r->fruit[1].diameter_mm, 66, 1.0);
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 1);
  g_assert_cmpfloat_with_epsilon(r->fruit[0].defect_total_mm2, 100, 10);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 0);

  pt_image_as_frame(image, &frame);
  rr = pt_grader_grade(grader, &frame, rois, 2, &error);
  g_assert_no_error(error);
  dump(rr);
  g_assert_cmpuint(rr->n_fruit, ==, 2);
  g_assert_cmpfloat_with_epsilon(rr->fruit[0].diameter_mm, 72, 1.0);
  g_assert_cmpfloat_with_epsilon(rr->fruit[1].diameter_mm, 66, 1.0);
  g_assert_cmpuint(rr->fruit[0].defect_count, ==, 1);
}

/* ROIs as a detector or a person draws them on photos: tight round one fruit of a row of
 * touching fruit (neighbours' edges inside the box), a box cutting a fruit, a spot seen
 * through a ROI, and a ROI too small to grade; each gives exactly one record, in order. */
static void
test_roi_photo(void)
{
  FgScene scene;
  FgFruit *spotted;
  g_autoptr(PtGradeResult) r = NULL;
  /* 0.3 mm/px: 70 mm fruit span 233 px; centres at 50, 120 and 190 mm along y = 72 mm. */
  PtRoi rois[4] = {
      {283, 123, 234, 234}, /* the middle fruit of the row, tight */
      {50, 123, 180, 234},  /* the left fruit, its left three quarters */
      {516, 123, 234, 234}, /* the right fruit, with a spot */
      {10, 10, 12, 12},     /* too small */
  };

  fg_scene_init(&scene, 800, 480, 31);
  fg_scene_add(&scene, 50, 72, 70, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_scene_add(&scene, 120, 72, 70, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  spotted = fg_scene_add(&scene, 190, 72, 70, orange_rgb[0], orange_rgb[1], orange_rgb[2]);
  fg_fruit_add_spot(spotted, 0.1, -0.1, 120, 0.4);
  r = grade_scene(&scene, "orange-unece", rois, G_N_ELEMENTS(rois));
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, G_N_ELEMENTS(rois));
  for (guint i = 0; i < 3; i++) {
    g_assert_cmpint(r->fruit[i].klass, !=, PT_CLASS_NONE);
    g_assert_cmpfloat_with_epsilon(r->fruit[i].diameter_mm, 70, 3.5);
  }
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 0);
  g_assert_cmpuint(r->fruit[2].defect_count, >=, 1);
  g_assert_cmpfloat_with_epsilon(r->fruit[2].defect_largest_mm2, 120, 40);
  g_assert_cmpint(r->fruit[3].klass, ==, PT_CLASS_NONE);
  g_assert_nonnull(strstr(r->fruit[3].rule, "too small"));
}

/* A light box: fruit on black (and on white paper), no belt model to lean on; a spotted
 * and a sound fruit through tight ROIs. */
static void
test_roi_backgrounds(void)
{
  const guint8 backgrounds[2] = {8, 245};

  for (guint b = 0; b < G_N_ELEMENTS(backgrounds); b++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
    g_autoptr(PtGrader) grader = pt_grader_new(profile, 0.3, &error);
    g_autoptr(PtImage) image = pt_image_new(640, 320, &error);
    g_autoptr(PtGradeResult) r = NULL;
    FgFruit fruit = {.diameter_mm = 66, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    PtRoi rois[2];
    PtFrame frame;
    int side;

    g_assert_no_error(error);
    memset(image->pixels, backgrounds[b], (gsize)image->stride * image->height);
    fg_paste_sprite(image, &fruit, 0.3, 40, 40);
    fruit.spots[0] = (FgSpot){.u = -0.1, .v = 0.1, .length_mm = 12, .darkness = 0.4};
    fruit.n_spots = 1;
    fg_paste_sprite(image, &fruit, 0.3, 360, 40);
    side = (int)(66 / 0.3);
    rois[0] = (PtRoi){40 + 10, 40 + 10, side, side};
    rois[1] = (PtRoi){360 + 10, 40 + 10, side, side};
    pt_image_as_frame(image, &frame);
    r = pt_grader_grade(grader, &frame, rois, 2, &error);
    g_assert_no_error(error);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 2);
    g_assert_cmpfloat_with_epsilon(r->fruit[0].diameter_mm, 66, 3.5);
    g_assert_cmpfloat_with_epsilon(r->fruit[1].diameter_mm, 66, 3.5);
    g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
    g_assert_cmpuint(r->fruit[1].defect_count, >=, 1);
  }
}

/* A photo graded whole whose border shows two surfaces, as a webcam over a packing table
 * takes it: paper under two thirds of it, pale wood beside, two long yellow fruit (bananas)
 * cut by its edges, an orange cut by its bottom edge and two whole ones, one with a dark
 * spot, one half on the wood.  The border's one-surface model finds no fruit, and the photo
 * graded as one box takes paper and fruit for one mouldy fruit filling it; proposed by their
 * colour (pt-propose.c) and graded in boxes, each orange is found once where it lies, the
 * spotted one with its spot, and no banana, which runs through any box drawn on it. */
static void
test_photo_two_surfaces(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) canvas = pt_image_new(760, 600, &error);
  g_autoptr(PtImage) image = pt_image_new(640, 480, &error);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit orange = {.diameter_mm = 66, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  FgFruit banana = {.diameter_mm = 36, .length_mm = 150, .rgb = {230, 200, 60}};
  const double mmpx = 0.4;
  /* On the canvas; the photo is its window from (60, 60). */
  const int at[3][2] = {{120, 250}, {420, 150}, {250, 420}}; /* the last cut by the edge */
  guint32 noise = 2463534242u;
  PtFrame frame;
  int side = 0, found[3] = {0, 0, 0};

  g_assert_no_error(error);
  for (int y = 0; y < canvas->height; y++)
    for (int x = 0; x < canvas->width; x++) {
      guint8 *px = canvas->pixels + (gsize)y * canvas->stride + 3 * x;
      int n;

      noise ^= noise << 13; /* xorshift32 */
      noise ^= noise >> 17;
      noise ^= noise << 5;
      n = (int)(noise % 9) - 4;
      if (x < 520) { /* bluish white paper, darker towards the bottom */
        int v = 215 - y / 12 + n;

        px[0] = (guint8)(v - 12), px[1] = (guint8)(v - 6), px[2] = (guint8)v;
      } else { /* pale wood, its grain across */
        int grain = (y / 9) % 3 == 0 ? -14 : 0;

        px[0] = (guint8)(196 + grain + n), px[1] = (guint8)(172 + grain + n),
        px[2] = (guint8)(138 + grain + n);
      }
    }
  g_assert_cmpint(fg_paste_sprite(canvas, &banana, mmpx, 0, 0), >, 0);
  g_assert_cmpint(fg_paste_sprite(canvas, &banana, mmpx, 370, 215), >, 0);
  for (int k = 0; k < 3; k++) {
    orange.n_spots = k == 1;
    orange.spots[0] = (FgSpot){.u = 0.1, .v = -0.1, .length_mm = 14, .darkness = 0.45};
    side = fg_paste_sprite(canvas, &orange, mmpx, at[k][0], at[k][1]);
  }
  for (int y = 0; y < image->height; y++)
    memcpy(image->pixels + (gsize)y * image->stride,
           canvas->pixels + (gsize)(y + 60) * canvas->stride + 3 * 60, 3 * (gsize)image->width);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  for (guint i = 0; i < r->n_fruit; i++) {
    const PtFruit *f = &r->fruit[i];
    gboolean matched = FALSE;

    /* Its middle on the orange's, or on its visible part's for the one the edge cuts. */
    for (int k = 0; k < 3; k++)
      if (fabs(f->cx - (at[k][0] - 60 + side / 2.0)) < 0.1 * side &&
          fabs(f->cy - (at[k][1] - 60 + side / 2.0)) < (k == 2 ? 0.5 : 0.1) * side) {
        found[k]++;
        matched = TRUE;
        if (k == 1)
          g_assert_cmpuint(f->defect_count, >=, 1);
        else
          g_assert_cmpuint(f->defect_count, ==, 0);
      }
    g_assert_true(matched);
  }
  g_assert_cmpint(found[0], ==, 1);
  g_assert_cmpint(found[1], ==, 1);
  g_assert_cmpint(found[2], ==, 1);
}

/* Photos without a scale: a mandarin whose top is covered by white mould, on white paper
 * (the mould is the background's colour, so the peel's colour loses it) and on black (a
 * light box), a sound one in a loose box and one in a corner of a looser box.  The mould is
 * found on both backgrounds, the sound fruit stay sound, and no size is given. */
static void
test_roi_lost_mould(void)
{
  const guint8 backgrounds[2] = {240, 8};

  for (guint b = 0; b < G_N_ELEMENTS(backgrounds); b++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
    g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
    g_autoptr(PtImage) image = pt_image_new(960, 360, &error);
    g_autoptr(PtGradeResult) r = NULL;
    FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    int side = (int)(55 / 0.3), margin = side / 5;
    PtRoi rois[3] = {{40, 40, side, side},
                     {360 - margin, 40 - margin, side + 2 * margin, side + 2 * margin},
                     {640, 40, side * 7 / 5, side * 7 / 5}};
    PtFrame frame;

    g_assert_no_error(error);
    memset(image->pixels, backgrounds[b], (gsize)image->stride * image->height);
    fg_paste_sprite(image, &fruit, 0.3, 40, 40);
    fg_paste_sprite(image, &fruit, 0.3, 360, 40);
    fg_paste_sprite(image, &fruit, 0.3, 640, 40);
    fg_paint_mould_cap(image, 40 + side / 2, 40 + side / 2, side / 2, -0.2, 232);
    pt_image_as_frame(image, &frame);
    r = pt_grader_grade(grader, &frame, rois, G_N_ELEMENTS(rois), &error);
    g_assert_no_error(error);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, G_N_ELEMENTS(rois));
    g_assert_cmpfloat(r->mm_per_px, ==, 0);
    for (guint i = 0; i < G_N_ELEMENTS(rois); i++) {
      g_assert_true(r->fruit[i].size_unknown);
      g_assert_cmpfloat(r->fruit[i].diameter_mm, ==, 0);
      g_assert_cmpstr(r->fruit[i].size_code, ==, "");
    }
    g_assert_cmpuint(r->fruit[0].defect_count, >=, 1);
    g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_MOULD);
    g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
    for (guint i = 1; i < G_N_ELEMENTS(rois); i++) {
      g_assert_cmpuint(r->fruit[i].defect_count, ==, 0);
      g_assert_cmpint(r->fruit[i].klass, ==, PT_CLASS_EXTRA);
    }
  }
}

/* A pile's last row, which the photo's lower edge cuts through each fruit's lower 30%, with
 * boxes drawn off the fruit by a quarter of their side (as by hand): each box cuts its fruit
 * on one side and reaches past its limb onto the white paper on the other, and the fruit's
 * free outline is its upper arc alone, under a third of its circle.  The paper the box's
 * inner ellipse holds beyond the limb is background, not a cap that lost the peel's colour:
 * the two sound mandarins stay Extra, where the mouldy one, its white cap the paper's
 * colour, is out for mould.  Before the circle was trusted on such a short arc
 * (PT_LOST_CIRCLE_SHORT_ARC), both sound ones were out for mould. */
static void
test_roi_shifted_box(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) canvas = pt_image_new(960, 360, &error);
  g_autoptr(PtImage) image = NULL;
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side = (int)(55 / 0.3), off = side / 4, height = 40 + side * 7 / 10;
  PtRoi rois[3] = {{40 + off, 40, side, height - 40},
                   {360 - off, 40, side, height - 40},
                   {640 + off, 40, side, height - 40}};
  PtFrame frame;

  g_assert_no_error(error);
  memset(canvas->pixels, 236, (gsize)canvas->stride * canvas->height);
  for (int k = 0; k < 3; k++)
    fg_paste_sprite(canvas, &fruit, 0.3, 40 + 300 * k, 40);
  fg_paint_mould_cap(canvas, 640 + side / 2, 40 + side / 2, side / 2, -0.3, 232);
  image = pt_image_new(canvas->width, height, &error);
  g_assert_no_error(error);
  for (int y = 0; y < height; y++)
    memcpy(image->pixels + (gsize)y * image->stride, canvas->pixels + (gsize)y * canvas->stride,
           3 * (gsize)canvas->width);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, rois, G_N_ELEMENTS(rois), &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, G_N_ELEMENTS(rois));
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpuint(r->fruit[i].defect_count, ==, 0);
    g_assert_cmpint(r->fruit[i].klass, ==, PT_CLASS_EXTRA);
  }
  g_assert_cmpuint(r->fruit[2].defect_count, >=, 1);
  g_assert_cmpint(r->fruit[2].defects[0].kind, ==, PT_DEFECT_MOULD);
  g_assert_cmpint(r->fruit[2].klass, ==, PT_CLASS_OUT);
}

/* A light box photo without a scale, graded whole (no ROI): two mandarins on black with
 * white-grey mould over a large and a small cap, lighter than the peel as gloss is, a sound
 * one, and one whose mould covers most of its face (a throwaway: the peel's median colour
 * is then the mould's, and the orange rest must still tell it).  Photos are graded against
 * the fruit's own peel in L*a*b*; the mould is a patch too wide to be gloss. */
static void
test_lightbox_whole(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) image = pt_image_new(1280, 360, &error);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side = (int)(55 / 0.3);
  const guint mouldy[3] = {0, 1, 3}; /* in reading order, left to right */
  PtFrame frame;

  g_assert_no_error(error);
  memset(image->pixels, 8, (gsize)image->stride * image->height);
  fg_paste_sprite(image, &fruit, 0.3, 40, 40);
  fg_paste_sprite(image, &fruit, 0.3, 360, 40);
  fg_paste_sprite(image, &fruit, 0.3, 640, 40);
  fg_paste_sprite(image, &fruit, 0.3, 960, 40);
  fg_paint_mould_cap(image, 40 + side / 2, 40 + side / 2, side / 2, -0.2, 232);
  fg_paint_mould_cap(image, 360 + side / 2, 40 + side / 2, side / 2, -0.6, 200);
  /* Above 0.45 of the radius below the middle: about three quarters of the face. */
  fg_paint_mould_cap(image, 960 + side / 2, 40 + side / 2, side / 2, 0.45, 225);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 4);
  for (guint k = 0; k < G_N_ELEMENTS(mouldy); k++) {
    guint i = mouldy[k];

    g_assert_true(r->fruit[i].size_unknown);
    g_assert_cmpuint(r->fruit[i].defect_count, >=, 1);
    g_assert_cmpint(r->fruit[i].defects[0].kind, ==, PT_DEFECT_MOULD);
    g_assert_cmpint(r->fruit[i].klass, ==, PT_CLASS_OUT);
  }
  g_assert_cmpuint(r->fruit[2].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[2].klass, ==, PT_CLASS_EXTRA);
}

/* A light box photo graded whole: a mandarin whose face green mould covers all but a thin
 * crescent of peel along its rim (fruit-freshness 1259.jpg: Penicillium's grey-green
 * spores), beside a sound one.  No part of the face is peel to judge the mould against, and
 * its median is the mould's grey-green: the washed-out face is itself the mould
 * (pt_peel_find_lab ()).  Before, this one was graded Extra with no defect, and 1259.jpg on
 * black class I for dark flecks in the spores. */
static void
test_lightbox_mould_all_over(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) image = pt_image_new(700, 360, &error);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side = (int)(55 / 0.3), cx = 40 + side / 2, cy = 40 + side / 2;
  double rad = side / 2.0;
  guint32 seed = 11;
  PtFrame frame;

  g_assert_no_error(error);
  memset(image->pixels, 8, (gsize)image->stride * image->height);
  fg_paste_sprite(image, &fruit, 0.3, 40, 40);
  fg_paste_sprite(image, &fruit, 0.3, 400, 40);
  /* The spores over a disc a little up and left of the middle: the peel shows only along
   * the lower right of the rim. */
  for (int y = cy - side / 2; y <= cy + side / 2; y++)
    for (int x = cx - side / 2; x <= cx + side / 2; x++) {
      double u = (x - cx) / rad + 0.05, v = (y - cy) / rad + 0.05;
      guint8 *d = image->pixels + (gsize)y * image->stride + 3 * x;
      int grain;

      if (u * u + v * v > 0.93 * 0.93)
        continue;
      seed = seed * 1103515245u + 12345u;
      grain = (int)((seed >> 16) % 13) - 6;
      d[0] = (guint8)(126 + grain);
      d[1] = (guint8)(132 + grain);
      d[2] = (guint8)(126 + grain);
    }
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 2);
  g_assert_cmpuint(r->fruit[0].n_defects, >=, 1);
  g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_MOULD);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
  /* Most of the face: the spores' disc, less the rim band left out, at least half of it. */
  g_assert_cmpfloat(r->fruit[0].defects[0].area_mm2, >=, 0.5 * G_PI * 27.5 * 27.5);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[1].klass, ==, PT_CLASS_EXTRA);
}

static void paint_leaf(PtImage *image, int cx, int cy, double a, double b, double angle,
                       const guint8 rgb[3]);

/* The photo @image taken otherwise (eval-variants.h): exposed @exposure times as long, under
 * a light of @kelvin (0: the camera's own balance). */
static PtImage *
taken_otherwise(const PtImage *image, double exposure, double kelvin)
{
  g_autoptr(GError) error = NULL;
  EvalVariant v = EVAL_VARIANT_NONE;
  PtImage *out;

  v.exposure = exposure;
  v.white_kelvin = kelvin;
  out = eval_variant_apply(&v, image, 1, &error);
  g_assert_no_error(error);
  return out;
}

/* @r graded two fruit: the first mouldy and out of class, the second without a defect and
 * in class Extra (its colour too). */
static void
assert_mouldy_then_sound(const PtGradeResult *r)
{
  g_assert_cmpuint(r->n_fruit, ==, 2);
  g_assert_cmpuint(r->fruit[0].defect_count, >=, 1);
  g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_MOULD);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[1].klass, ==, PT_CLASS_EXTRA);
}

/* Two mandarins of @peel colour, 55 mm across at 0.3 mm a pixel, on a light box's floor of grey
 * @floor, their boxes' corners at (40, 40) and (360, 40), LB_SIDE pixels a side. */
#define LB_SIDE ((int)(55 / 0.3))
static PtImage *
lightbox_two(int floor, const guint8 peel[3])
{
  PtImage *image = pt_image_new(680, 300, NULL);
  FgFruit fruit = {.diameter_mm = 55, .rgb = {peel[0], peel[1], peel[2]}};

  g_assert_nonnull(image);
  memset(image->pixels, floor, (gsize)image->stride * image->height);
  fg_paste_sprite(image, &fruit, 0.3, 40, 40);
  fg_paste_sprite(image, &fruit, 0.3, 360, 40);
  return image;
}

/* @image graded whole to orange-unece without a scale, as `packtrace grade` grades a photo. */
static PtGradeResult *
grade_whole(const PtImage *image)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  PtGradeResult *r;
  PtFrame frame;

  g_assert_no_error(error);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  return r;
}

/* A light box photo on black of two mandarins of @peel colour, the left with a mould cap of
 * grey @cap_level over the face above @cap_offset of the radius below its middle
 * (fg_paint_mould_cap ()), taken otherwise (@exposure, @kelvin: taken_otherwise ()) and
 * both mirroring @lamps at @lamp_level in that light (eval_variant_gloss ()), graded whole:
 * the left is mouldy and out, the right sound. */
static void
assert_lightbox_pair_lit(const guint8 peel[3], double cap_offset, int cap_level, EvalGloss lamps,
                         double lamp_level, double exposure, double kelvin)
{
  g_autoptr(PtImage) image = lightbox_two(8, peel);
  g_autoptr(PtImage) taken = NULL;
  g_autoptr(PtGradeResult) r = NULL;
  EvalVariant v = EVAL_VARIANT_NONE;
  double light[3];
  int c = LB_SIDE / 2;

  fg_paint_mould_cap(image, 40 + c, 40 + c, c, cap_offset, cap_level);
  taken = taken_otherwise(image, exposure, kelvin);
  v.exposure = exposure;
  v.white_kelvin = kelvin;
  eval_variant_light(&v, light);
  for (int x = 40; x <= 360; x += 320)
    eval_variant_gloss(taken, lamps, lamp_level, light, x + LB_SIDE / 2.0, 40 + LB_SIDE / 2.0,
                       LB_SIDE / 2.0, LB_SIDE / 2.0);
  r = grade_whole(taken);
  assert_mouldy_then_sound(r);
}

/* assert_lightbox_pair_lit () with the lamps at their usual level (EVAL_GLOSS_LEVEL). */
static void
assert_lightbox_pair(const guint8 peel[3], double cap_offset, int cap_level, EvalGloss lamps,
                     double exposure, double kelvin)
{
  assert_lightbox_pair_lit(peel, cap_offset, cap_level, lamps, EVAL_GLOSS_LEVEL, exposure, kelvin);
}

/* The light box photo of test_lightbox_whole () exposed 1.5 times as long, as a phone
 * meters a dark scene: the white mould over a mandarin's top drives every channel past the
 * sensor's range, where it had been left out as a highlight's colourless pixels, while a
 * sound mandarin beside it (its red channel clipped over much of its face, and a lamp's
 * small highlight) stays sound. */
static void
test_lightbox_overexposed(void)
{
  assert_lightbox_pair(orange_rgb, -0.1, 225, EVAL_GLOSS_NONE, 1.5, 0);
}

/* A light box on black under a lamp 2000 K warmer than the camera balanced for (4500 K),
 * with nothing neutral round the fruit to read the light from: white mould over most of a
 * mandarin's face turns cream, with a chroma near half the washed-out median's, and the
 * median of a face mostly mould is no peel to judge it against (graded Extra before: its
 * chromatic part is now the peel, PT_PEEL_LAB_PALE_FACE_RATIO), and a sound one. */
static void
test_lightbox_warm_light(void)
{
  assert_lightbox_pair(orange_rgb, 0.2, 200, EVAL_GLOSS_NONE, 1.0, 4500);
}

/* A light box on black under a lamp far from the camera's balance (3200 K against its
 * 6500 K), with nothing lit and neutral round the fruit: white and grey mould turn the peel's
 * cream.  The black floor's own colour is the lamp's, dimmed (pt-white.c), and the cast
 * beyond what a black dye may lean is taken out: each mould cap is mould and the sound
 * mandarin beside it sound (graded Extra before, at the exposure and at 0.7 of it).  A floor
 * leaning blue by its own dye (8, 8, 11: C* 6 at mid grey) under the camera's own light is
 * left as it is (taken out, the largest cap's mandarin was graded Extra under 3200 K). */
static void
test_lightbox_lamp_cast(void)
{
  const struct {
    double kelvin, exposure;
    guint8 floor_blue;
  } lights[] = {{3200, 1, 8}, {3200, 0.7, 8}, {0, 1, 11}};
  const struct {
    double offset;
    int level;
  } caps[] = {{0.6, 170}, {-0.1, 190}, {0.2, 150}};

  for (guint k = 0; k < G_N_ELEMENTS(lights); k++)
    for (guint c = 0; c < G_N_ELEMENTS(caps); c++) {
      g_autoptr(PtImage) image = lightbox_two(8, orange_rgb);
      g_autoptr(PtImage) taken = NULL;
      g_autoptr(PtGradeResult) r = NULL;
      int half = LB_SIDE / 2;

      for (int y = 0; y < image->height; y++)
        for (int x = 0; x < image->width; x++) {
          guint8 *px = image->pixels + (gsize)y * image->stride + 3 * x;

          if (px[0] == 8 && px[1] == 8 && px[2] == 8)
            px[2] = lights[k].floor_blue;
        }
      fg_paint_mould_cap(image, 40 + half, 40 + half, half, caps[c].offset, caps[c].level);
      taken = taken_otherwise(image, lights[k].exposure, lights[k].kelvin);
      g_test_message("%g K, exposed %g times, floor blue %d, cap %g of grey %d", lights[k].kelvin,
                     lights[k].exposure, lights[k].floor_blue, caps[c].offset, caps[c].level);
      r = grade_whole(taken);
      assert_mouldy_then_sound(r);
    }
}

/* The panel lamp of test_lightbox_lamp_reflections () over two mandarins on black, lit at
 * 4500 K or 3200 K: mirrored in the peel, the panel clips in red while its green and blue are
 * the peel's plus the lamp's.  Taking the cast read off the black floor out of those with
 * the clipped red scaled under the clip made a pale patch over 4% of the face, mould, on
 * the sound mandarin too.  Under a light read off a black floor a clipped channel stays
 * clipped: the panel is a lamp, the grey cap still mould (under 3200 K graded Extra on the
 * code before). */
static void
test_lightbox_panel_warm(void)
{
  const struct {
    const guint8 *peel;
    double kelvin;
  } cases[] = {{photo_peel, 4500}, {photo_peel, 3200}, {orange_rgb, 4500}};

  for (guint k = 0; k < G_N_ELEMENTS(cases); k++)
    assert_lightbox_pair(cases[k].peel, -0.4, 130, EVAL_GLOSS_PANEL, 1.0, cases[k].kelvin);
}

/* A grey light box (its floor 140) exposed twice as long or more under a lamp off the
 * camera's balance: the white mould over a mandarin's top is past the sensor's range in every
 * channel, while the floor still shows the light.  The mould stays clipped when the light is
 * taken out (scaled by the light's gains, it read as a colour, its clipped channels judged on
 * nothing: Extra), and the sound mandarin beside it stays sound. */
static void
test_lightbox_grey_overexposed(void)
{
  const struct {
    double kelvin, exposure;
  } lights[] = {{4500, 2.0}, {9000, 1.6}, {12000, 2.5}};

  for (guint k = 0; k < G_N_ELEMENTS(lights); k++) {
    g_autoptr(PtImage) image = lightbox_two(140, orange_rgb);
    g_autoptr(PtImage) taken = NULL;
    g_autoptr(PtGradeResult) r = NULL;

    fg_paint_mould_cap(image, 40 + LB_SIDE / 2, 40 + LB_SIDE / 2, LB_SIDE / 2, -0.1, 235);
    taken = taken_otherwise(image, lights[k].exposure, lights[k].kelvin);
    g_test_message("%g K, exposed %g times", lights[k].kelvin, lights[k].exposure);
    r = grade_whole(taken);
    assert_mouldy_then_sound(r);
  }
}

/* The light box of test_lightbox_warm_light () under its own light but exposed 1.8 times as
 * long: the sound part of the peel clips in red, and grey mould over most of the face
 * leaves its median washed out.  The clipped peel still tells how chromatic the face's peel
 * is (graded Extra before, with too little unclipped peel to judge the mould against), and
 * a sound one. */
static void
test_lightbox_bright_mouldy(void)
{
  assert_lightbox_pair(orange_rgb, 0.6, 170, EVAL_GLOSS_NONE, 1.8, 0);
}

/* A light box on black under a warm lamp (4500 K to 2700 K against the camera's 6500 K),
 * exposed as the camera meters the black: the peel's red clips over most of the face, and so
 * does the white mould's, whose green and blue turn the lamp's cream.  Judged on nothing, as
 * a clipped pixel of a mostly unclipped face is, the mould went unseen (graded Extra before,
 * each case); the face's peel is now read from its pixels clipped in red as they are, and so
 * are they, and the sound mandarin beside each stays sound. */
static void
test_lightbox_red_clipped(void)
{
  const struct {
    const guint8 *peel;
    double kelvin, exposure, cap_offset;
    int cap_level;
  } cases[] = {{orange_rgb, 4500, 1.6, 0.3, 200},
               {orange_rgb, 3200, 1.0, 0.0, 225},
               {orange_rgb, 3200, 1.3, 0.3, 200},
               {orange_rgb, 2700, 1.0, 0.3, 200}};

  for (guint k = 0; k < G_N_ELEMENTS(cases); k++) {
    g_test_message("peel %d,%d,%d at %g K, exposed %g times, cap %g of grey %d", cases[k].peel[0],
                   cases[k].peel[1], cases[k].peel[2], cases[k].kelvin, cases[k].exposure,
                   cases[k].cap_offset, cases[k].cap_level);
    assert_lightbox_pair(cases[k].peel, cases[k].cap_offset, cases[k].cap_level, EVAL_GLOSS_NONE,
                         cases[k].exposure, cases[k].kelvin);
  }
}

/* A light box photo of two paler mandarins exposed 2.5 times as long, as a camera that meters
 * the black round the fruit does: the sound one's lit part clips in red and green, which read
 * yellow, hue 60, the green band's edge.  Such pixels have lost their hue and do not count in
 * the colour coverage (the sound one was out for green colour over 0.34 of its face before);
 * the mould cap on the other, clipped in every channel, is still mould. */
static void
test_lightbox_exposed_for_black(void)
{
  static const guint8 light_orange[3] = {245, 190, 50};

  assert_lightbox_pair(light_orange, -0.1, 225, EVAL_GLOSS_NONE, 2.5, 0);
}

/* A white light box photographed whole: a mandarin whose face a band of white mould crosses,
 * as light as the box's floor, with a grey cap beyond it, beside a sound one.  The search
 * finds the mouldy one in two parts, its orange part and the grey cap, the band between them
 * fallen to the floor: they are one round fruit (part_of_round_fruit ()), graded through a
 * box round its circle, out of class, where before the orange part was a sound fruit of its
 * own and the cap a third one (fruit-freshness 62.jpg and 1303.jpg on a
 * white box: eval-real --on-black --background 240). */
static void
test_lightbox_white_split(void)
{
  g_autoptr(PtImage) image = lightbox_two(240, orange_rgb);
  g_autoptr(PtGradeResult) r = NULL;
  int c = LB_SIDE / 2;

  /* The band: the face above 0.15 of the radius below the middle; the cap above 0.45 over it. */
  fg_paint_mould_cap(image, 40 + c, 40 + c, c, 0.15, 236);
  fg_paint_mould_cap(image, 40 + c, 40 + c, c, -0.45, 150);
  r = grade_whole(image);
  g_assert_cmpuint(r->n_fruit, ==, 2);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
  /* One fruit, the band and the cap its defects. */
  g_assert_cmpfloat(r->fruit[0].defect_total_mm2, >=, r->fruit[0].area_mm2 / 3);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[1].klass, ==, PT_CLASS_EXTRA);
}

/* A white light box under a lamp 2000 K warmer than the camera's balance (4500 K), graded
 * whole: white mould over most of a mandarin's face turns cream, and where it thins towards
 * the limb it keeps some of the peel's chroma.  The light is read from the box's floor round
 * the fruit the search found (pt_white_estimate_around ()) and taken out of the peel's colours, as
 * a ROI's is, and the mould is measured over the face it covers (its surface at least the
 * silhouette's area; before, a whole photo was judged in the colours as taken and 2,855 mm2
 * were mould, 0.55 of the silhouette). */
static void
test_lightbox_white_warm(void)
{
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", NULL);
  g_autoptr(PtImage) image = lightbox_two(240, orange_rgb);
  g_autoptr(PtImage) taken = NULL;
  g_autoptr(PtGradeResult) r = NULL;
  int c = LB_SIDE / 2;
  double d;

  fg_paint_mould_cap(image, 40 + c, 40 + c, c, 0.2, 200);
  taken = taken_otherwise(image, 1.0, 4500);
  r = grade_whole(taken);
  assert_mouldy_then_sound(r);
  /* Without a scale the fruit is taken at the profile's nominal diameter D: the silhouette is
   * pi (D / 2)^2, and the face above 0.2 of the radius below the middle has a surface 1.2 times
   * that (Archimedes' zones), less the rim band the analysis leaves out. */
  g_assert_nonnull(profile);
  d = pt_grade_profile_nominal_diameter(profile);
  g_assert_cmpfloat(r->fruit[0].defect_total_mm2, >=, G_PI * d * d / 4);
}

/* A light box lit from its roof (eval-real --top-light): the light on a mandarin falls
 * evenly from its top to 0.4 of it at its bottom, and white mould over the left half of one
 * is lighter at its top than lower down, as steadily as a lamp's soft highlight falls from
 * its peak.  A highlight's peak lies at its middle, the mould's at its edge: the mould is
 * mould, graded out (it was taken for a highlight and the mandarin graded Extra, as
 * fruit-freshness 1216.jpg and five other photos of mouldy oranges were on black lit from
 * above), and the sound one below it stays Extra. */
static void
test_lightbox_lit_from_above(void)
{
  g_autoptr(PtImage) image = lightbox_two(8, orange_rgb);
  g_autoptr(PtImage) side = NULL;
  g_autoptr(PtGradeResult) r = NULL;
  double c = LB_SIDE / 2.0;
  int w = image->width;

  /* The right mandarin's top half, then the photo turned a quarter anticlockwise: that
   * mandarin is now the upper one, its left half mould, the other below it. */
  fg_paint_mould_cap(image, 360 + LB_SIDE / 2, 40 + LB_SIDE / 2, LB_SIDE / 2, 0.0, 225);
  side = fg_store_sideways(image);
  eval_variant_light_from_above(side, 0.6, 40 + c, w - 1 - 360 - c, c, c);
  eval_variant_light_from_above(side, 0.6, 40 + c, w - 1 - 40 - c, c, c);
  r = grade_whole(side);
  assert_mouldy_then_sound(r);
}

/* The light boxes of test_lightbox_whole () and test_lightbox_white_split () with mandarins
 * seen from their side, 1.3 times wider than tall (eval-real's --stretch): on black, a mould
 * cap over the face of one; on a white box, a band of white mould as light as the floor from
 * the middle of one up to a grey cap, which the search finds in parts.  The parts' outline
 * lies on an ellipse, not a circle: before, no circle fitted it and the grey cap, found as a
 * fruit of its own 3.9 times wider than tall, had "mould" over 21,300 mm2, with the orange
 * part a sound fruit beside it. */
static void
test_lightbox_oblate(void)
{
  EvalVariant oblate = EVAL_VARIANT_NONE;

  oblate.stretch = 1.3;
  for (int floor = 0; floor < 2; floor++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtImage) image = lightbox_two(floor ? 240 : 8, orange_rgb);
    g_autoptr(PtImage) wide = NULL;
    g_autoptr(PtGradeResult) r = NULL;
    int c = LB_SIDE / 2;

    if (floor) {
      fg_paint_mould_cap(image, 40 + c, 40 + c, c, 0.0, 236);
      fg_paint_mould_cap(image, 40 + c, 40 + c, c, -0.45, 150);
    } else {
      fg_paint_mould_cap(image, 40 + c, 40 + c, c, -0.2, 225);
    }
    wide = eval_variant_apply(&oblate, image, 1, &error);
    g_assert_no_error(error);
    r = grade_whole(wide);
    assert_mouldy_then_sound(r);
  }
}

/* A light box lit by a ring light round the lens, and one by two strip lights at its sides:
 * a glossy peel mirrors the lamps as a bright ring round the fruit's middle or as two bars,
 * each 2 to 4% of the face and well lighter than the peel.  A mandarin with a mould cap and
 * a sound one: under the ring the sound one was graded class II for 126 mm2 of "mould"
 * before such bands were told from mould by their shape (is_lamp_reflection ()).  A panel
 * lamp above a duller mandarin mirrors as a broad white patch, 6% of the face and brighter
 * than its lit peel could make a white surface: it is the lamp, where the sound one was out
 * for 320 mm2 of "mould" (PT_PEEL_LAB_WHITE_OVER_PEEL); the grey mould cap beside it, as
 * light as white mould lit as that peel can be (1.9 times the lit peel's red), is mould. */
static void
test_lightbox_lamp_reflections(void)
{
  /* fruit-freshness's duller oranges (2705.jpg to 3201.jpg, frames of a video). */
  static const guint8 dull_peel[3] = {110, 60, 16};

  assert_lightbox_pair(photo_peel, -0.4, 200, EVAL_GLOSS_RING, 1.0, 0);
  assert_lightbox_pair(photo_peel, -0.4, 200, EVAL_GLOSS_STRIPS, 1.0, 0);
  assert_lightbox_pair(dull_peel, -0.4, 130, EVAL_GLOSS_PANEL, 1.0, 0);
}

/* A broad soft panel over a light box, mirrored as dimly as so large a lamp is (a fifth to a
 * half of full scale, EVAL_GLOSS_LEVEL): a pale veil over 6% of a sound mandarin's face,
 * washed out and lighter than the peel as white mould is, and no brighter than white mould
 * lit as that peel.  Its light is added to the peel's, which it keeps (a cover of mould
 * hides it): it is the lamp (patch_adds_light ()), and the grey mould cap beside it mould.
 * On the code before, the sound mandarin under the dimmest was out for 251 mm2 of "mould".
 * So under a lamp at 9000 K, whose cast the light read off the black floor takes out only in
 * part (the veil's light is bluish). */
static void
test_lightbox_broad_lamp(void)
{
  static const guint8 dull_peel[3] = {110, 60, 16};
  const struct {
    const guint8 *peel;
    double level, offset;
    int cap;
    double kelvin;
  } cases[] = {{photo_peel, 0.2, -0.4, 200, 0},    {orange_rgb, 0.35, 0.2, 170, 0},
               {dull_peel, 0.3, -0.4, 130, 0},     {photo_peel, 0.5, 0.6, 190, 0},
               {photo_peel, 0.3, -0.4, 200, 9000}, {orange_rgb, 0.3, 0.2, 170, 9000}};

  for (guint k = 0; k < G_N_ELEMENTS(cases); k++) {
    g_test_message("panel at %g, %g K, cap %g of grey %d", cases[k].level, cases[k].kelvin,
                   cases[k].offset, cases[k].cap);
    assert_lightbox_pair_lit(cases[k].peel, cases[k].offset, cases[k].cap, EVAL_GLOSS_PANEL,
                             cases[k].level, 1.0, cases[k].kelvin);
  }
}

/* A photo through ROIs on paper of grey level @paper under each of @kelvins, the camera
 * balanced for 6500 K: a mandarin with a patch of olive-grey mould, which a warm light turns
 * towards the peel's hue, and a sound one.  The paper round them tells the light's colour,
 * which is taken out (pt-white.c): the first must be out for mould, the second Extra, each
 * found whole. */
static void
roi_white_balance(const double *kelvins, guint n_kelvins, int paper)
{
  static const guint8 mould_rgb[3] = {150, 158, 118};

  for (guint k = 0; k < n_kelvins; k++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
    g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
    g_autoptr(PtImage) image = pt_image_new(640, 300, &error);
    g_autoptr(PtImage) cast = NULL;
    g_autoptr(PtGradeResult) r = NULL;
    FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    int side = (int)(55 / 0.3);
    PtRoi rois[2] = {{40, 40, side, side}, {360, 40, side, side}};
    PtFrame frame;

    g_assert_no_error(error);
    memset(image->pixels, paper, (gsize)image->stride * image->height);
    fg_paste_sprite(image, &fruit, 0.3, 40, 40);
    fg_paste_sprite(image, &fruit, 0.3, 360, 40);
    paint_leaf(image, 40 + side / 2 + side / 8, 40 + side / 2, side / 4, side / 5, 0.5, mould_rgb);
    cast = taken_otherwise(image, 1.0, kelvins[k]);
    pt_image_as_frame(cast, &frame);
    r = pt_grader_grade(grader, &frame, rois, G_N_ELEMENTS(rois), &error);
    g_assert_no_error(error);
    g_test_message("%g K", kelvins[k]);
    dump(r);
    assert_mouldy_then_sound(r);
    /* Each fruit found whole, not its mould patch alone for a fruit. */
    for (guint i = 0; i < 2; i++)
      g_assert_cmpint(r->fruit[i].width, >=, 0.9 * side);
  }
}

/* White paper under a lamp warmer (4500 K) and a shade cooler (9000 K) than the camera
 * balanced for (the mould graded class I for a 30 mm2 "spot" before the light was read). */
static void
test_roi_white_balance(void)
{
  const double kelvins[2] = {4500, 9000};

  roi_white_balance(kelvins, G_N_ELEMENTS(kelvins), 225);
}

/* Light grey paper under lamps 2500 and 2900 K warmer than the camera's balance: no lit
 * surface reads as neutral as PT_WHITE_MAX_CHROMA asks (the paper reads C* 28 and 37), so the
 * light is read off the lit surfaces up to PT_WHITE_MAX_CAST_CHROMA, unclipped, whose mean
 * lies on the lights' locus.  Before, the light went unread and the mouldy mandarin was Extra
 * without a defect. */
static void
test_roi_warm_lamp(void)
{
  const double kelvins[] = {4000, 3600};

  roi_white_balance(kelvins, G_N_ELEMENTS(kelvins), 200);
}

/* White paper exposed past the sensor's range in every channel, as a phone exposing for the
 * fruit leaves it, then in shade (9000 and 12000 K) the camera was not balanced for: its red
 * falls below the clip, its green and blue stay clipped.  The light read off it
 * (pt_white_estimate ()) is within 3% of the shade's in both ratios to green: the blue is
 * given back from red over green along the lights' locus (PT_WHITE_LOCUS_SLOPE).  Before,
 * the paper read cyan (a* -4.4, b* -1.5), no light's cast, and nothing was taken out.  Both
 * fruit are then graded, the mouldy one out and the sound one Extra, each found whole
 * (before, the mouldy one's record was its mould patch alone). */
static void
test_roi_clipped_paper(void)
{
  const double kelvins[] = {12000, 9000};
  int side = (int)(55 / 0.3);
  PtRoi rois[2] = {{40, 40, side, side}, {360, 40, side, side}};

  for (guint k = 0; k < G_N_ELEMENTS(kelvins); k++) {
    g_autoptr(PtImage) image = pt_image_new(640, 300, NULL);
    g_autoptr(PtImage) cast = NULL;
    FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    PtWhite white;
    PtFrame frame;
    double light[3];

    memset(image->pixels, 255, (gsize)image->stride * image->height);
    fg_paste_sprite(image, &fruit, 0.3, 40, 40);
    fg_paste_sprite(image, &fruit, 0.3, 360, 40);
    cast = taken_otherwise(image, 1.0, kelvins[k]);
    pt_image_as_frame(cast, &frame);
    g_assert_true(pt_white_estimate(&frame, rois, G_N_ELEMENTS(rois), &white));
    eval_variant_wb_gains(kelvins[k], light);
    g_test_message("%g K: light r/g %.3f b/g %.3f, read %.3f %.3f", kelvins[k], light[0], light[2],
                   white.gains[1] / white.gains[0], white.gains[1] / white.gains[2]);
    g_assert_cmpfloat(fabs(white.gains[1] / white.gains[0] / light[0] - 1), <=, 0.03);
    g_assert_cmpfloat(fabs(white.gains[1] / white.gains[2] / light[2] - 1), <=, 0.03);
  }
  roi_white_balance(kelvins, G_N_ELEMENTS(kelvins), 255);
}

/* Two oranges touching as in a pile, the second lying over the first's limb, on paper, graded
 * through a box 1.3 times the first one's size about its centre, as a box drawn loosely
 * round a fruit in a pile is: the crease where they meet (the second one's dark limb along
 * the first's) lies inside the first's outline and is no cut (PT_PEEL_CREASE_RHO; before,
 * the first was class I for a "cut" of 32 mm2 along it).  A 20 x 2.5 mm scratch on its face
 * is one, and so is one across its limb on the side away from the neighbour; a dark spot on
 * its face beside the calyx is one.  (One along the limb there, or a small spot there, is
 * taken for a crease too: PT_PEEL_CREASE_RHO.) */
static void
test_roi_pile_crease(void)
{
  /* Nothing, a scratch (at u, v, at angle), or the calyx and a dark spot (at u, v). */
  enum { NONE, SCRATCH, SPOT };
  const struct {
    int what;
    double u, v, angle;
  } cases[] = {
      {NONE, 0, 0, 0}, {SCRATCH, -0.2, 0.1, 0.5}, {SCRATCH, -0.6, 0.0, 0.0}, {SPOT, -0.35, 0.2, 0}};

  for (guint k = 0; k < G_N_ELEMENTS(cases); k++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
    g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
    g_autoptr(PtImage) image = pt_image_new(720, 360, NULL);
    g_autoptr(PtGradeResult) r = NULL;
    FgFruit fruit = {.diameter_mm = 70, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    FgFruit other = fruit;
    PtFrame frame;
    PtRoi roi;
    int side, loose;

    g_assert_no_error(error);
    memset(image->pixels, 225, (gsize)image->stride * image->height);
    if (cases[k].what == SCRATCH)
      fg_fruit_add_mark(&fruit, cases[k].u, cases[k].v, 20, 2.5, cases[k].angle, 0.35);
    if (cases[k].what == SPOT) {
      fg_fruit_add_spot(&fruit, 0.0, -0.1, 10, 0.5);
      fg_fruit_add_spot(&fruit, cases[k].u, cases[k].v, 10, 0.5);
    }
    side = fg_paste_sprite(image, &fruit, 0.3, 60, 60);
    fg_paste_sprite(image, &other, 0.3, 60 + (int)(0.92 * side), 60);
    loose = (int)(1.3 * side);
    roi = (PtRoi){60 + side / 2 - loose / 2, 60 + side / 2 - loose / 2, loose, loose};
    roi.y = MAX(roi.y, 0);
    roi.height = MIN(roi.height, image->height - roi.y);
    pt_image_as_frame(image, &frame);
    r = pt_grader_grade(grader, &frame, &roi, 1, &error);
    g_assert_no_error(error);
    g_test_message("case %u", k);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    if (cases[k].what == NONE) {
      g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
      g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
    } else {
      g_assert_cmpuint(r->fruit[0].defect_count, ==, 1);
      g_assert_cmpint(r->fruit[0].defects[0].kind, ==,
                      cases[k].what == SPOT ? PT_DEFECT_DARK_SPOT : PT_DEFECT_CUT);
    }
  }
}

/* Grades @image through two boxes of @side pixels at (30, 30) and (330, 30), where the ROI
 * tests paste their two oranges on paper, with orange-unece and no scale: two records. */
static PtGradeResult *
grade_two_boxes(const PtImage *image, int side)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  PtRoi rois[2] = {{30, 30, side, side}, {330, 30, side, side}};
  PtGradeResult *r;
  PtFrame frame;

  g_assert_no_error(error);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, rois, G_N_ELEMENTS(rois), &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 2);
  return r;
}

/* A healed scar (a pale buff patch, 3:1, over 2% and 10% of the face, eval_variant_blemish ())
 * on one of two oranges on paper, graded through ROIs under white light and under a lamp 2000 K
 * warmer than the camera's balance: the scarred one carries one defect, a scar, a skin defect
 * (the small one not out: a class allows it; the large one, 4.4 cm2, is over class II's 2.5),
 * and the other none; the large scar measures at least 4 times the small one (5 times the
 * paint).  Before faded peel was looked for, neither had a defect; before a scar's faded core
 * was grown to the whole scar, the large one, part of its own reference, was found as two
 * pieces of 2.2 cm2 in all (class II). */
static void
test_roi_scar(void)
{
  const double kelvins[] = {0, 4500}, shares[] = {0.02, 0.1};

  for (guint k = 0; k < G_N_ELEMENTS(kelvins); k++) {
    double area[G_N_ELEMENTS(shares)];

    for (guint s = 0; s < G_N_ELEMENTS(shares); s++) {
      g_autoptr(PtImage) image = pt_image_new(640, 300, NULL);
      g_autoptr(PtImage) lit = NULL;
      g_autoptr(PtGradeResult) r = NULL;
      FgFruit fruit = {.diameter_mm = 70, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
      int side;

      memset(image->pixels, 225, (gsize)image->stride * image->height);
      side = fg_paste_sprite(image, &fruit, 0.3, 30, 30);
      fg_paste_sprite(image, &fruit, 0.3, 330, 30);
      eval_variant_blemish(image, EVAL_BLEMISH_SCAR, shares[s], 7, 30 + side / 2.0, 30 + side / 2.0,
                           side / 2.0, side / 2.0);
      lit = kelvins[k] > 0 ? taken_otherwise(image, 1.0, kelvins[k]) : pt_image_copy(image);
      g_test_message("%g K, a scar over %g of the face", kelvins[k], shares[s]);
      r = grade_two_boxes(lit, side);
      /* One scar, one defect. */
      g_assert_cmpuint(r->fruit[0].defect_count, ==, 1);
      g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_SCAR);
      area[s] = r->fruit[0].defects[0].area_mm2;
      if (s == 0)
        g_assert_cmpint(r->fruit[0].klass, !=, PT_CLASS_OUT);
      g_assert_cmpuint(r->fruit[1].defect_count, ==, 0);
    }
    g_assert_cmpfloat(area[1], >=, 4 * area[0]);
  }
}

/* A phone's photo resolves a fruit finer than the ROI crop of a smaller photo: the calyx's
 * button and the shadow of its ring then come apart as two small dark regions side by side,
 * which are the calyx, not a dark spot beside it.  A spot a third of the fruit away still
 * counts. */
static void
test_roi_calyx_pieces(void)
{
  g_autoptr(PtImage) image = pt_image_new(640, 300, NULL);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 70, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side;

  memset(image->pixels, 225, (gsize)image->stride * image->height);
  fg_fruit_add_spot(&fruit, 0.0, -0.1, 10, 0.5);
  fg_fruit_add_spot(&fruit, 0.14, -0.1, 10, 0.5);
  side = fg_paste_sprite(image, &fruit, 0.3, 30, 30);
  fruit.n_spots = 0;
  fg_fruit_add_spot(&fruit, 0.0, -0.1, 10, 0.5);
  fg_fruit_add_spot(&fruit, 0.45, 0.3, 10, 0.5);
  fg_paste_sprite(image, &fruit, 0.3, 330, 30);
  r = grade_two_boxes(image, side);
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 1);
}

/* A photo out of focus, or a small one: two oranges on paper, each with its calyx (1% of the
 * face, facing the camera), one with a healed scar's buff over 2% of the face too
 * (eval_variant_blemish ()), taken through a lens blurring by a Gaussian of @sigma pixels
 * and graded through their boxes.  The blur mixes the calyx's dark button into the peel
 * round it, duller than the peel and darker, and not dark enough to be a dark spot: it is
 * still the calyx, never a scar (a scar's buff is as light as the peel round it, or
 * lighter), and the sound orange stays Extra while the scarred one keeps its scar.  Before a
 * faded patch darker than the peel and of a calyx's size was left out as the calyx
 * (PT_PEEL_LAB_CALYX_FADED_LIGHT), the sound one took a scar at 2 pixels. */
/* Paints a calyx facing the camera at (@cx, @cy), @r pixels across its sepals' tips, on a peel
 * of colour @peel: five olive-green sepals round a dark ring and the pale grey stem scar in
 * its middle, in the proportions read off fruit-freshness's 2864.jpg (sepals 0.79, 1.05 and
 * 1 + 20 levels of the peel's red, green and blue, the ring 0.52 and 0.72, the scar 0.77, 1.3
 * and + 105). */
static void
paint_calyx(PtImage *image, double cx, double cy, double r, const guint8 peel[3])
{
  const double scale[3][3] = {{0.79, 1.05, 1}, {0.52, 0.72, 1}, {0.77, 1.3, 1}};
  const int add[3] = {20, 10, 105};

  for (int y = (int)(cy - r); y <= (int)(cy + r); y++)
    for (int x = (int)(cx - r); x <= (int)(cx + r); x++) {
      double dx = x + 0.5 - cx, dy = y + 0.5 - cy, d = hypot(dx, dy) / r;
      double tip = 0.75 + 0.25 * cos(5 * atan2(dy, dx));
      guint8 *px = image->pixels + (gsize)y * image->stride + 3 * x;
      int part = d < 0.3 ? 2 : d < 0.5 ? 1 : 0;

      if (d > tip)
        continue;
      for (int c = 0; c < 3; c++)
        px[c] = (guint8)CLAMP(lround(scale[part][c] * peel[c] + (c == 2 ? add[part] : 0)), 0, 255);
    }
}

/* Two oranges on a background of @grey at (30, 30) and (330, 30), as grade_two_boxes () boxes
 * them, each with its calyx facing the camera (paint_calyx ()); returns their side. */
static int
paste_two_with_calyx(PtImage *image, int grey)
{
  FgFruit fruit = {.diameter_mm = 70, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side;

  memset(image->pixels, grey, (gsize)image->stride * image->height);
  side = fg_paste_sprite(image, &fruit, 0.3, 30, 30);
  fg_paste_sprite(image, &fruit, 0.3, 330, 30);
  for (int f = 0; f < 2; f++) {
    double cx = 30 + 300 * f + 0.55 * side, cy = 30 + 0.45 * side;
    const guint8 *at = image->pixels + (gsize)lround(cy) * image->stride + 3 * lround(cx);
    guint8 peel[3] = {at[0], at[1], at[2]};

    paint_calyx(image, cx, cy, 0.06 * side, peel);
  }
  return side;
}

static void
test_roi_calyx_blurred(void)
{
  const double sigmas[] = {0, 1.5, 2};

  for (guint k = 0; k < G_N_ELEMENTS(sigmas); k++) {
    g_autoptr(PtImage) image = pt_image_new(640, 300, NULL);
    g_autoptr(PtImage) taken = NULL;
    g_autoptr(PtGradeResult) r = NULL;
    g_autoptr(GError) error = NULL;
    EvalVariant lens = EVAL_VARIANT_NONE;
    int side = paste_two_with_calyx(image, 225);

    eval_variant_blemish(image, EVAL_BLEMISH_SCAR, 0.02, 11, 330 + side / 2.0, 30 + side / 2.0,
                         side / 2.0, side / 2.0);
    lens.blur = sigmas[k];
    taken = sigmas[k] > 0 ? eval_variant_apply(&lens, image, 1, &error) : pt_image_copy(image);
    g_assert_no_error(error);
    g_test_message("blur %g px", sigmas[k]);
    r = grade_two_boxes(taken, side);
    g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
    g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
    g_assert_cmpuint(r->fruit[1].defect_count, ==, 1);
    g_assert_cmpint(r->fruit[1].defects[0].kind, ==, PT_DEFECT_SCAR);
  }
}

/* Covers a disc (centre @cx, @cy, radius @r pixels) with grainy spores of colour @rgb. */
static void
paint_spores(PtImage *image, int cx, int cy, int r, const guint8 rgb[3])
{
  guint32 seed = 5;

  for (int y = cy - r; y <= cy + r; y++)
    for (int x = cx - r; x <= cx + r; x++) {
      guint8 *d = image->pixels + (gsize)y * image->stride + x * 3;
      int grain;

      if ((x - cx) * (x - cx) + (y - cy) * (y - cy) > r * r)
        continue;
      seed = seed * 1103515245u + 12345u;
      grain = (int)((seed >> 16) % 13) - 6;
      for (int c = 0; c < 3; c++)
        d[c] = (guint8)CLAMP(rgb[c] + grain, 0, 255);
    }
}

/* Covers a disc with grainy white-grey spores of @level (paint_spores ()). */
static void
paint_mould_spot(PtImage *image, int cx, int cy, int r, int level)
{
  const guint8 grey[3] = {(guint8)level, (guint8)level, (guint8)MAX(level - 8, 0)};

  paint_spores(image, cx, cy, r, grey);
}

/* Two oranges on black, a light box's photo, each with its calyx facing the camera, one with
 * a patch of blue-green mould too, 0.8% of its face, a third of the fruit away from the
 * calyx and a little darker than the peel (as a warm lamp shows spores): a grey patch that
 * small and that dark is what a calyx out of focus looks like (PT_PEEL_CALYX_GREY_LIGHT),
 * but a calyx in focus is dark, and the patch is mould: the mouldy orange is out, the other
 * Extra without a defect.  Taken for the calyx as the larger of the two, the mould was left
 * out and the calyx counted as a dark spot (Extra). */
static void
test_roi_calyx_grey(void)
{
  const guint8 spores[3] = {110, 135, 125};
  g_autoptr(PtImage) image = pt_image_new(640, 300, NULL);
  g_autoptr(PtGradeResult) r = NULL;
  int side = paste_two_with_calyx(image, 10);

  paint_spores(image, (int)(330 + 0.35 * side), (int)(30 + 0.6 * side), (int)(0.045 * side),
               spores);
  r = grade_two_boxes(image, side);
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
  g_assert_cmpuint(r->fruit[1].defect_count, ==, 1);
  g_assert_cmpint(r->fruit[1].defects[0].kind, ==, PT_DEFECT_MOULD);
  g_assert_cmpint(r->fruit[1].klass, ==, PT_CLASS_OUT);
}

/* The same mandarin photographed on black by a webcam and by a phone, its image 92, 275 and
 * 550 pixels across (0.6, 0.2 and 0.1 mm a pixel): beside its calyx (1% of its face, never a
 * defect), a dark spot of 0.6% counts in every photo, a speck of 0.1% (2.4 mm2, under 2 mm
 * across) in none.  Before, the finer photos resolved the speck into a dark spot the coarse
 * one could not see, so a fruit's record hung on the camera's resolution (fruit-freshness on
 * black at three times the size: 0.928 balanced accuracy, 0.985 as taken). */
static void
test_speck_any_resolution(void)
{
  const double mm_per_px[] = {0.6, 0.2, 0.1};

  for (guint k = 0; k < G_N_ELEMENTS(mm_per_px); k++) {
    FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    double face = G_PI * 27.5 * 27.5;
    int side = (int)ceil(55 / mm_per_px[k]);
    g_autoptr(PtImage) image = pt_image_new(2 * side, 2 * side, NULL);
    g_autoptr(PtGradeResult) r = NULL;

    memset(image->pixels, 8, (gsize)image->stride * image->height);
    /* The calyx, the largest dark region (pt_peel_find_lab ()), then the spot and the speck. */
    fg_fruit_add_spot(&fruit, 0.0, 0.0, 0.01 * face, 0.5);
    fg_fruit_add_spot(&fruit, -0.4, 0.2, 0.006 * face, 0.5);
    fg_fruit_add_spot(&fruit, 0.35, -0.3, 0.001 * face, 0.5);
    fg_paste_sprite(image, &fruit, mm_per_px[k], side / 2, side / 2);
    g_test_message("%.1f mm a pixel", mm_per_px[k]);
    r = grade_whole(image);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    g_assert_cmpuint(r->fruit[0].defect_count, ==, 1);
    g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_DARK_SPOT);
  }
}

/* Paints a leaf: an ellipse (centre @cx, @cy, half-axes @a along @angle radians and @b
 * across) of @rgb, lighter towards its midrib as a lit leaf is, with a fine grain. */
static void
paint_leaf(PtImage *image, int cx, int cy, double a, double b, double angle, const guint8 rgb[3])
{
  double ca = cos(angle), sa = sin(angle);
  int r = (int)ceil(a);
  guint32 seed = 11;

  for (int y = cy - r; y <= cy + r; y++)
    for (int x = cx - r; x <= cx + r; x++) {
      double u = ((x - cx) * ca + (y - cy) * sa) / a, v = (-(x - cx) * sa + (y - cy) * ca) / b;
      guint8 *d;
      double lit;

      if (u * u + v * v > 1.0 || x < 0 || y < 0 || x >= image->width || y >= image->height)
        continue;
      d = image->pixels + (gsize)y * image->stride + x * 3;
      seed = seed * 1103515245u + 12345u;
      lit = 1.1 - 0.25 * fabs(v) + ((int)((seed >> 16) % 9) - 4) / 100.0;
      for (int c = 0; c < 3; c++)
        d[c] = (guint8)CLAMP(lrint(rgb[c] * lit), 0, 255);
    }
}

/* A light box photo graded whole: clementines are sold with leaves.  A mandarin on black
 * with a lit leaf lying over its shoulder (no darker than the peel) is sound, while one
 * with a patch of olive-green mould of the same size is not: the leaf is chlorophyll's
 * strong green, the mould duller. */
static void
test_lightbox_leaf(void)
{
  static const guint8 leaf_rgb[3] = {85, 145, 93}, mould_rgb[3] = {150, 158, 118};
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) image = pt_image_new(720, 360, &error);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side = (int)(55 / 0.3);
  PtFrame frame;

  g_assert_no_error(error);
  memset(image->pixels, 8, (gsize)image->stride * image->height);
  fg_paste_sprite(image, &fruit, 0.3, 60, 80);
  fg_paste_sprite(image, &fruit, 0.3, 420, 80);
  /* Over the upper right shoulder, inside the outline, as a leaf left on the stem lies; the
   * leaf a bluish green (Lab hue about 145, chroma 38), the mould olive. */
  paint_leaf(image, 60 + side * 2 / 3, 80 + side / 3, side / 4.0, side / 9.0, -0.6, leaf_rgb);
  paint_leaf(image, 420 + side * 2 / 3, 80 + side / 3, side / 4.0, side / 9.0, -0.6, mould_rgb);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 2);
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
  g_assert_cmpuint(r->fruit[1].defect_count, >=, 1);
  g_assert_cmpint(r->fruit[1].defects[0].kind, ==, PT_DEFECT_MOULD);
}

/* Lights a rendered fruit (centre @cx, @cy, radius @r) with a soft highlight at (@u0, @v0)
 * of its radius: a Gaussian of @sigma radii blending the peel towards white, @peak at its
 * centre (below clipping), as a light box's diffuse lamps give a glossy peel. */
static void
paint_soft_highlight(PtImage *image, int cx, int cy, int r, double u0, double v0, double sigma,
                     double peak)
{
  for (int y = cy - r; y <= cy + r; y++)
    for (int x = cx - r; x <= cx + r; x++) {
      double u = (double)(x - cx) / r, v = (double)(y - cy) / r, t;
      guint8 *d = image->pixels + (gsize)y * image->stride + x * 3;

      if (u * u + v * v > 0.96)
        continue;
      t = peak * exp(-((u - u0) * (u - u0) + (v - v0) * (v - v0)) / (2 * sigma * sigma));
      for (int c = 0; c < 3; c++)
        d[c] = (guint8)lrint(d[c] * (1 - t) + 240 * t);
    }
}

/* A light box photo graded whole: the diffuse lamps put a broad soft highlight on a glossy
 * or waxed mandarin, lighter and less chromatic than the peel over a few percent of its
 * face, as white mould is.  Two sound mandarins with such highlights stay Extra with no
 * defect; a third with a white mould spot of the highlight's size is mould.  The
 * highlight grows lighter steadily to one peak; the mould is a grainy plateau. */
static void
test_lightbox_highlight(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) image = pt_image_new(960, 360, &error);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side = (int)(55 / 0.3), half = side / 2;
  PtFrame frame;

  g_assert_no_error(error);
  memset(image->pixels, 8, (gsize)image->stride * image->height);
  for (int i = 0; i < 3; i++)
    fg_paste_sprite(image, &fruit, 0.3, 40 + 320 * i, 80);
  paint_soft_highlight(image, 40 + half, 80 + half, half, -0.25, -0.3, 0.2, 0.9);
  paint_soft_highlight(image, 360 + half, 80 + half, half, -0.25, -0.3, 0.3, 0.9);
  paint_mould_spot(image, 680 + half * 3 / 4, 80 + half * 7 / 10, half / 3, 225);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 3);
  for (guint i = 0; i < 2; i++) {
    g_assert_cmpuint(r->fruit[i].defect_count, ==, 0);
    g_assert_cmpint(r->fruit[i].klass, ==, PT_CLASS_EXTRA);
  }
  g_assert_cmpuint(r->fruit[2].defect_count, >=, 1);
  g_assert_cmpint(r->fruit[2].defects[0].kind, ==, PT_DEFECT_MOULD);
}

/* A light box photo graded whole, of a mandarin on black with brown rot over the middle of
 * its face (as dark and red as on fruit-freshness's rotten oranges: L* 35, hue 41 degrees),
 * a patch wider than the local reference the peel round a pixel is judged against.  The rot
 * is found whole, not only its rim (459 mm2 of it before, when the patch was its own
 * reference; the painted patch covers 33% of the outline, 784 mm2 on the image and more on
 * the surface). */
static void
test_lightbox_brown_rot(void)
{
  static const guint8 brown_rgb[3] = {130, 48, 28};
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) image = pt_image_new(360, 300, &error);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side = (int)(55 / 0.3), half = side / 2;
  double rot_share = 0.6 * 0.55, area = 0;
  PtFrame frame;

  g_assert_no_error(error);
  memset(image->pixels, 8, (gsize)image->stride * image->height);
  fg_paste_sprite(image, &fruit, 0.3, 40, 40);
  paint_leaf(image, 40 + half, 40 + half, 0.6 * half, 0.55 * half, 0.3, brown_rgb);
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 1);
  for (guint k = 0; k < r->fruit[0].n_defects; k++)
    area += r->fruit[0].defects[k].area_mm2;
  g_assert_cmpfloat(area, >=, 0.75 * rot_share * G_PI * 27.5 * 27.5);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
}

/* Mirrors the fruit rendered in @image (centre @cx, @cy, semi-axes @rx across and @ry down)
 * in a glossy floor, seen from a little above: its lower part reflected about the line 0.8
 * of @ry below its middle, @f times as bright there and fading, added to the black below
 * and beside it (eval-real --mirror). */
static void
paint_floor_mirror(PtImage *image, int cx, int cy, int rx, int ry, double f)
{
  double floor_y = cy + 0.8 * ry;

  for (int y = cy; y < image->height; y++)
    for (int x = cx - rx; x <= cx + rx; x++) {
      double u = (double)(x - cx) / rx, v = (double)(y - cy) / ry;
      double src_y = 2 * floor_y - y, sv = (src_y - cy) / ry;
      guint8 *d = image->pixels + (gsize)y * image->stride + x * 3;
      const guint8 *from = image->pixels + (gsize)lrint(src_y) * image->stride + x * 3;
      double fade = f * exp(-(y - floor_y) / (2.0 * ry));

      if (u * u + v * v <= 1.0 || u * u + sv * sv > 1.0)
        continue;
      for (int c = 0; c < 3; c++)
        d[c] = (guint8)CLAMP(lrint(d[c] + fade * from[c]), 0, 255);
    }
}

/* A product light box's black acrylic floor mirrors the fruit standing on it: the photo,
 * graded whole, finds each mandarin with its reflection below it, a dim lobe beyond its
 * round outline that the peel analysis read as a bruise over a third of the fruit (both
 * out of class before).  The lobe is cut off: the sound mandarin is sound and its outline
 * its own, the mouldy one still mouldy; an oblong fruit beside them, whose ends no circle
 * holds, keeps its length, and a tuft of white mould standing out of a mandarin's outline,
 * as bright as the peel, stays with its fruit and is mould; a mandarin on its base, wider
 * than tall, sheds its reflection as a round one does.  Graded through a box round each of
 * the first two, the same. */
static void
test_lightbox_glossy_floor(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) image = pt_image_new(1640, 360, &error);
  g_autoptr(PtGradeResult) r = NULL;
  FgFruit fruit = {.diameter_mm = 55, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  FgFruit oblong = {.diameter_mm = 45, .length_mm = 66, .rgb = {200, 190, 60}};
  FgFruit oblate = {
      .diameter_mm = 50, .length_mm = 62, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
  int side = (int)(55 / 0.3), half = side / 2;
  PtFrame frame;

  g_assert_no_error(error);
  memset(image->pixels, 8, (gsize)image->stride * image->height);
  fg_paste_sprite(image, &fruit, 0.3, 40, 30);
  fg_paste_sprite(image, &oblong, 0.3, 680, 30);
  fg_paste_sprite(image, &fruit, 0.3, 1060, 30);
  paint_mould_spot(image, 1060 + half + half * 9 / 10, 30 + half, half * 2 / 5, 215);
  fg_paste_sprite(image, &fruit, 0.3, 360, 30);
  fg_paint_mould_cap(image, 360 + half, 30 + half, half, -0.3, 225);
  paint_floor_mirror(image, 40 + half, 30 + half, half, half, 0.3);
  paint_floor_mirror(image, 360 + half, 30 + half, half, half, 0.3);
  /* A mandarin on its base: wider than tall.  Its sprite is a square as wide as it is long. */
  {
    int across = (int)(62 / 0.3), down = (int)(50 / 0.3);

    fg_paste_sprite(image, &oblate, 0.3, 1380, 30);
    paint_floor_mirror(image, 1380 + across / 2, 30 + across / 2, across / 2, down / 2, 0.3);
  }
  pt_image_as_frame(image, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  dump(r);
  g_assert_cmpuint(r->n_fruit, ==, 5);
  g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
  g_assert_cmpint(r->fruit[0].height, <=, side + 6);
  g_assert_cmpint(r->fruit[2].width, >=, (int)(0.95 * 66 / 0.3));
  g_assert_cmpint(r->fruit[3].width, >=, side + half / 5);
  g_assert_cmpuint(r->fruit[3].defect_count, >=, 1);
  g_assert_cmpint(r->fruit[3].defects[0].kind, ==, PT_DEFECT_MOULD);
  g_assert_cmpuint(r->fruit[4].defect_count, ==, 0);
  g_assert_cmpint(r->fruit[4].klass, ==, PT_CLASS_EXTRA);
  g_assert_cmpuint(r->fruit[1].defect_count, >=, 1);
  g_assert_cmpint(r->fruit[1].defects[0].kind, ==, PT_DEFECT_MOULD);
  g_assert_cmpint(r->fruit[1].klass, ==, PT_CLASS_OUT);

  /* The same photo graded through a box round each mandarin and its reflection, as
   * `packtrace grade IMAGE --roi 0,0,W,H` grades a light box's photo of one fruit. */
  {
    PtRoi rois[2] = {{0, 0, 320, 360}, {320, 0, 320, 360}};
    g_autoptr(PtGradeResult) rr = pt_grader_grade(grader, &frame, rois, 2, &error);

    g_assert_no_error(error);
    dump(rr);
    g_assert_cmpuint(rr->fruit[0].defect_count, ==, 0);
    g_assert_cmpint(rr->fruit[0].klass, ==, PT_CLASS_EXTRA);
    g_assert_cmpint(rr->fruit[0].height, <=, side + 6);
    g_assert_cmpint(rr->fruit[1].defects[0].kind, ==, PT_DEFECT_MOULD);
    g_assert_cmpint(rr->fruit[1].klass, ==, PT_CLASS_OUT);
  }
}

/* A light box photo of one fruit graded with the whole photo as its box (`packtrace grade
 * IMAGE --roi 0,0,W,H`): the fruit covers a tenth of the box, far below what a drawn box
 * leaves, and lies alone in it.  A sound mandarin on black and on white is graded sound, one
 * with mould over most of its face is mould, and a photo holding only a leaf still gives
 * its one record, not graded. */
static void
test_roi_lone_fruit(void)
{
  static const guint8 leaf_rgb[3] = {70, 120, 50};
  const struct {
    guint8 background;
    gboolean mould, leaf_only;
  } cases[] = {{8, FALSE, FALSE}, {245, FALSE, FALSE}, {8, TRUE, FALSE}, {8, FALSE, TRUE}};

  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
    g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
    g_autoptr(PtImage) image = pt_image_new(1000, 1000, &error);
    g_autoptr(PtGradeResult) r = NULL;
    /* 100 mm at 0.3 mm/px: 333 px, a third of the photo's width. */
    FgFruit fruit = {.diameter_mm = 100, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    int side = (int)(100 / 0.3), x0 = 330, y0 = 300;
    PtRoi whole = {0, 0, 1000, 1000};
    PtFrame frame;

    g_assert_no_error(error);
    memset(image->pixels, cases[i].background, (gsize)image->stride * image->height);
    if (cases[i].leaf_only)
      paint_leaf(image, 500, 500, 260, 120, 0.4, leaf_rgb); /* fills the middle */
    else
      fg_paste_sprite(image, &fruit, 0.3, x0, y0);
    if (cases[i].mould)
      fg_paint_mould_cap(image, x0 + side / 2, y0 + side / 2, side / 2, 0.3, 225);
    pt_image_as_frame(image, &frame);
    r = pt_grader_grade(grader, &frame, &whole, 1, &error);
    g_assert_no_error(error);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    if (cases[i].leaf_only) {
      g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_NONE);
      g_assert_nonnull(strstr(r->fruit[0].rule, "no fruit at the middle"));
      continue;
    }
    /* The record is the fruit's, not the photo's. */
    g_assert_cmpint(abs(r->fruit[0].x - x0), <=, side / 10);
    g_assert_cmpint(abs(r->fruit[0].width - side), <=, side / 10);
    if (cases[i].mould) {
      g_assert_cmpuint(r->fruit[0].defect_count, >=, 1);
      g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_MOULD);
      g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
    } else {
      g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
      g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
    }
  }
}

/* A close-up photo of one fruit, graded whole (no ROI): the fruit fills the photo and the
 * photo's edges cut it, so there is no background round it for the search.  A sound
 * mandarin is graded Extra and one with a patch of mould on its face out, graded on the peel
 * the photo shows. */
static void
test_closeup_photo(void)
{
  for (int mouldy = 0; mouldy < 2; mouldy++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
    g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
    g_autoptr(PtImage) whole = pt_image_new(560, 560, &error);
    g_autoptr(PtImage) image = pt_image_new(400, 400, &error);
    g_autoptr(PtGradeResult) r = NULL;
    /* 144 mm at 0.3 mm/px: 480 px, cut to the middle 400 x 400. */
    FgFruit fruit = {.diameter_mm = 144, .rgb = {orange_rgb[0], orange_rgb[1], orange_rgb[2]}};
    int side;
    PtFrame frame;

    g_assert_no_error(error);
    memset(whole->pixels, 8, (gsize)whole->stride * whole->height);
    side = fg_paste_sprite(whole, &fruit, 0.3, 40, 40);
    if (mouldy) /* a patch of spores on the face the photo shows */
      paint_mould_spot(whole, 40 + side * 2 / 5, 40 + side * 2 / 5, side / 8, 225);
    for (int y = 0; y < 400; y++)
      memcpy(image->pixels + (gsize)y * image->stride,
             whole->pixels + (gsize)(y + 80) * whole->stride + 80 * 3, 400 * 3);
    pt_image_as_frame(image, &frame);
    r = pt_grader_grade(grader, &frame, NULL, 0, &error);
    g_assert_no_error(error);
    dump(r);
    g_assert_cmpuint(r->n_fruit, ==, 1);
    if (mouldy) {
      g_assert_cmpuint(r->fruit[0].defect_count, >=, 1);
      g_assert_cmpint(r->fruit[0].defects[0].kind, ==, PT_DEFECT_MOULD);
      g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_OUT);
    } else {
      g_assert_cmpuint(r->fruit[0].defect_count, ==, 0);
      g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_EXTRA);
    }
  }
}

/* The photo taken otherwise is what its options say (eval-variants.h), so that the figures
 * eval-real prints for a variant are the camera's: every level of every channel exposed 1.3
 * times under a 4500 K light comes out as the sRGB curve computed here says, within the
 * level the encoding table's interpolation may round to; noise of 6 levels over a flat grey
 * has that deviation, no bias, and a normal distribution's share within one deviation and
 * kurtosis, repeatably for a seed and otherwise for another; a phone's sharpening leaves a
 * flat colour as it is and steepens an edge between two, darker on its dark side and lighter
 * on its light one, in the same proportion in every channel (the luma's detail, the hue
 * kept). */
static void
test_variant_camera(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) ramp = pt_image_new(256, 1, &error);
  g_autoptr(PtImage) grey = pt_image_new(200, 200, &error);
  g_autoptr(PtImage) edge = pt_image_new(40, 8, &error);
  g_autoptr(PtImage) exposed = NULL, noisy = NULL, again = NULL, other = NULL, sharp = NULL;
  const guint8 dark[3] = {120, 60, 20}, light[3] = {200, 110, 40};
  EvalVariant v = EVAL_VARIANT_NONE;
  double gains[3];
  int worst = 0;

  g_assert_no_error(error);
  for (int i = 0; i < 256; i++) {
    ramp->pixels[3 * i] = (guint8)i;
    ramp->pixels[3 * i + 1] = (guint8)(255 - i);
    ramp->pixels[3 * i + 2] = (guint8)(i * 7 % 256);
  }
  v.exposure = 1.3;
  v.white_kelvin = 4500;
  eval_variant_wb_gains(4500, gains);
  exposed = eval_variant_apply(&v, ramp, 1, &error);
  g_assert_no_error(error);
  for (int k = 0; k < 3 * 256; k++) {
    double s = ramp->pixels[k] / 255.0, lin, want;

    lin = MIN(1.0, (s <= 0.04045 ? s / 12.92 : pow((s + 0.055) / 1.055, 2.4)) * 1.3 * gains[k % 3]);
    want = 255 * (lin <= 0.0031308 ? 12.92 * lin : 1.055 * pow(lin, 1 / 2.4) - 0.055);
    worst = MAX(worst, abs(exposed->pixels[k] - (int)lround(want)));
  }
  g_assert_cmpint(worst, <=, 1);

  memset(grey->pixels, 128, (gsize)grey->stride * grey->height);
  v = EVAL_VARIANT_NONE;
  v.noise = 6;
  noisy = eval_variant_apply(&v, grey, 7, &error);
  again = eval_variant_apply(&v, grey, 7, &error);
  other = eval_variant_apply(&v, grey, 8, &error);
  g_assert_no_error(error);
  g_assert_cmpmem(noisy->pixels, (gsize)noisy->stride * 200, again->pixels,
                  (gsize)again->stride * 200);
  g_assert_true(memcmp(noisy->pixels, other->pixels, (gsize)noisy->stride * 200) != 0);
  for (int c = 0; c < 3; c++) {
    double sum = 0, sum2 = 0, sum4 = 0, mean, var;
    int within = 0, n = 200 * 200;

    for (int k = c; k < 3 * n; k += 3)
      sum += noisy->pixels[k];
    mean = sum / n;
    for (int k = c; k < 3 * n; k += 3) {
      double d = noisy->pixels[k] - mean;

      sum2 += d * d;
      sum4 += d * d * d * d;
      within += fabs(noisy->pixels[k] - 128.0) <= 6.0;
    }
    var = sum2 / n;
    g_test_message("channel %d: mean %.3f, deviation %.3f, kurtosis %.3f, within 6 levels %.3f", c,
                   mean, sqrt(var), sum4 / n / (var * var), (double)within / n);
    g_assert_cmpfloat(fabs(mean - 128), <, 0.15);
    /* Rounding to levels adds a twelfth of a level squared to the variance. */
    g_assert_cmpfloat(fabs(sqrt(var) - sqrt(36 + 1 / 12.0)), <, 0.1);
    g_assert_cmpfloat(fabs(sum4 / n / (var * var) - 3), <, 0.15);
    /* Levels 122 to 134: |N| under 6.5 levels, 0.723 of a normal of 6. */
    g_assert_cmpfloat(fabs((double)within / n - 0.723), <, 0.015);
  }

  for (int y = 0; y < edge->height; y++)
    for (int x = 0; x < edge->width; x++)
      memcpy(edge->pixels + (gsize)y * edge->stride + 3 * x, x < 20 ? dark : light, 3);
  v = EVAL_VARIANT_NONE;
  v.sharpen = 1;
  sharp = eval_variant_apply(&v, edge, 1, &error);
  g_assert_no_error(error);
  for (int c = 0; c < 3; c++) {
    const guint8 *row = sharp->pixels + 4 * (gsize)sharp->stride;

    g_assert_cmpint(row[3 * 5 + c], ==, dark[c]);
    g_assert_cmpint(row[3 * 35 + c], ==, light[c]);
    g_assert_cmpint(row[3 * 19 + c], <, dark[c]);
    g_assert_cmpint(row[3 * 20 + c], >, light[c]);
  }
  {
    const guint8 *row = sharp->pixels + 4 * (gsize)sharp->stride;

    /* The same overshoot in every channel: red's and blue's differ by at most a level's
     * rounding. */
    g_assert_cmpint(abs((dark[0] - row[3 * 19]) - (dark[2] - row[3 * 19 + 2])), <=, 1);
  }
}

static void
test_determinism(void)
{
  FgScene scene;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("apple-unece", &error);
  g_autoptr(PtGrader) g1 = NULL;
  g_autoptr(PtGrader) g2 = NULL;
  g_autoptr(PtImage) image = NULL;
  g_autoptr(PtImage) other = NULL;
  PtFrame frame, other_frame;
  FgFruit *f;

  fg_scene_init(&scene, 1280, 720, 1234);
  for (int i = 0; i < 5; i++) {
    f = fg_scene_add(&scene, 50 + i * 75, 80 + (i % 2) * 60, 66 + i * 3, 190, 40 + i * 10, 35);
    fg_fruit_add_spot(f, 0.2, 0.1 * i - 0.2, 40 + 30 * i, 0.4);
  }
  image = fg_render(&scene);
  g_assert_no_error(error);
  g1 = pt_grader_new(profile, 0.3, &error);
  g2 = pt_grader_new(profile, 0.3, &error);
  g_assert_no_error(error);
  pt_image_as_frame(image, &frame);

  /* Grader g1 sees another frame first, so stale scratch buffers would show. */
  fg_scene_init(&scene, 640, 480, 99);
  fg_scene_add(&scene, 90, 70, 80, 90, 160, 50);
  other = fg_render(&scene);
  pt_image_as_frame(other, &other_frame);
  pt_grade_result_free(pt_grader_grade(g1, &other_frame, NULL, 0, &error));
  g_assert_no_error(error);

  {
    g_autoptr(PtGradeResult) a = pt_grader_grade(g1, &frame, NULL, 0, &error);
    g_autoptr(PtGradeResult) b = pt_grader_grade(g2, &frame, NULL, 0, &error);
    g_autoptr(PtGradeResult) c = pt_grader_grade(g1, &frame, NULL, 0, &error);

    g_assert_no_error(error);
    dump(a);
    g_assert_cmpuint(a->n_fruit, ==, 5);
    g_assert_cmpuint(a->n_fruit, ==, b->n_fruit);
    g_assert_cmpuint(a->n_fruit, ==, c->n_fruit);
    g_assert_cmpmem(a->fruit, a->n_fruit * sizeof(PtFruit), b->fruit, b->n_fruit * sizeof(PtFruit));
    g_assert_cmpmem(a->fruit, a->n_fruit * sizeof(PtFruit), c->fruit, c->n_fruit * sizeof(PtFruit));
  }
}

static void
test_calibration(void)
{
  FgScene scene;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) image = NULL;
  PtFrame frame;
  FgFruit *f;
  double mmpx = 0;

  /* A flat 50 mm grey disc among fruit; the square search must not take it. */
  fg_scene_init(&scene, 800, 480, 8);
  scene.mm_per_px = 0.25;
  f = fg_scene_add(&scene, 40, 40, 50, 200, 200, 200);
  f->flat = TRUE;
  fg_scene_add(&scene, 120, 50, 66, orange_rgb[0], orange_rgb[1], orange_rgb[2])->length_mm = 80;
  image = fg_render(&scene);
  pt_image_as_frame(image, &frame);
  g_assert_true(pt_calibrate_from_reference(&frame, PT_REFERENCE_DISC, 50.0, &mmpx, &error));
  g_assert_no_error(error);
  g_assert_cmpfloat_with_epsilon(mmpx, 0.25, 0.0025);
  g_assert_false(pt_calibrate_from_reference(&frame, PT_REFERENCE_SQUARE, 50.0, &mmpx, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_NOT_FOUND);
  g_clear_error(&error);
  g_assert_false(pt_calibrate_from_reference(&frame, PT_REFERENCE_DISC, 0.0, &mmpx, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
}

/* The oracle: the opening as two chamfer 3-4 distance transforms over every pixel, as the
 * grader computed it before pt_open_octagon() worked on runs. */
static void
open_by_distance(guint8 *mask, int w, int h)
{
  gsize n = (gsize)w * h, area = 0;
  g_autofree gint32 *d1 = g_new(gint32, n);
  g_autofree gint32 *d2 = g_new(gint32, n);
  gint32 r3;

  for (gsize k = 0; k < n; k++)
    area += mask[k];
  r3 = (gint32)(3 * MAX(1.0, 0.15 * sqrt((double)area / G_PI)));
  pt_distance_transform(mask, w, h, FALSE, d1);
  for (gsize k = 0; k < n; k++)
    mask[k] = d1[k] <= r3 ? 1 : 0;
  pt_distance_transform(mask, w, h, FALSE, d2);
  for (gsize k = 0; k < n; k++)
    mask[k] = d1[k] > 0 && d2[k] <= r3;
}

/* Random masks of every kind the crop can hold (a few overlapping discs and bars, some
 * cut by the crop's edge, with bites taken out and noise), opened both ways, and eroded
 * with the edge as background both ways: the runs must give the distance transforms'
 * pixels, every one. */
static void
test_opening_runs(void)
{
  GRand *rand = g_rand_new_with_seed(15);

  for (int iter = 0; iter < 400; iter++) {
    int w = g_rand_int_range(rand, 3, 180), h = g_rand_int_range(rand, 3, 180);
    gsize n = (gsize)w * h;
    g_autofree guint8 *a = g_malloc0(n);
    g_autofree guint8 *b = NULL;
    int shapes = g_rand_int_range(rand, 1, 6);
    double noise = iter % 4 == 0 ? g_rand_double_range(rand, 0, 0.2) : 0;

    for (int s = 0; s < shapes; s++) {
      double cx = g_rand_double_range(rand, -0.2, 1.2) * w;
      double cy = g_rand_double_range(rand, -0.2, 1.2) * h;
      double rx = g_rand_double_range(rand, 1, 0.7 * MAX(w, h));
      double ry = s % 2 ? rx : g_rand_double_range(rand, 1, 0.7 * MAX(w, h));
      guint8 v = s > 0 && g_rand_int_range(rand, 0, 4) == 0 ? 0 : 1;

      for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
          double dx = (x + 0.5 - cx) / rx, dy = (y + 0.5 - cy) / ry;

          if (dx * dx + dy * dy <= 1)
            a[(gsize)y * w + x] = v;
        }
    }
    for (gsize k = 0; k < n; k++)
      if (g_rand_double(rand) < noise)
        a[k] ^= 1;
    {
      /* The inner peel's erosion, the image edge as background. */
      g_autofree gint32 *d = g_new(gint32, n);
      g_autofree guint8 *inner = g_malloc(n);
      gint32 r3 = 3 * g_rand_int_range(rand, 2, 20);

      pt_distance_transform(a, w, h, TRUE, d);
      pt_erode_octagon(a, w, h, r3, inner);
      for (gsize k = 0; k < n; k++)
        if (inner[k] != (d[k] > r3))
          g_error("erosion %d differs (%d x %d, r3 %d)", iter, w, h, r3);
    }
    b = g_memdup2(a, n);
    open_by_distance(a, w, h);
    pt_open_octagon(b, w, h);
    if (memcmp(a, b, n) != 0)
      g_error("opening %d differs (%d x %d)", iter, w, h);
  }
  g_rand_free(rand);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/models/synthetic/diameter", test_diameter);
  g_test_add_func("/models/synthetic/elongated-fruit", test_elongated_fruit);
  g_test_add_func("/models/synthetic/defect-area", test_defect_area);
  g_test_add_func("/models/synthetic/defect-length", test_defect_length);
  g_test_add_func("/models/synthetic/sticker-dirt", test_sound_sticker_dirt);
  g_test_add_func("/models/synthetic/touching", test_touching);
  g_test_add_func("/models/synthetic/edge-partial", test_edge_partial);
  g_test_add_func("/models/synthetic/classes", test_classes);
  g_test_add_func("/models/synthetic/i420-roi", test_i420_and_roi);
  g_test_add_func("/models/synthetic/roi-photo", test_roi_photo);
  g_test_add_func("/models/synthetic/roi-backgrounds", test_roi_backgrounds);
  g_test_add_func("/models/synthetic/photo-two-surfaces", test_photo_two_surfaces);
  g_test_add_func("/models/synthetic/roi-lost-mould", test_roi_lost_mould);
  g_test_add_func("/models/synthetic/roi-shifted-box", test_roi_shifted_box);
  g_test_add_func("/models/synthetic/lightbox-whole", test_lightbox_whole);
  g_test_add_func("/models/synthetic/lightbox-leaf", test_lightbox_leaf);
  g_test_add_func("/models/synthetic/lightbox-mould-all-over", test_lightbox_mould_all_over);
  g_test_add_func("/models/synthetic/lightbox-highlight", test_lightbox_highlight);
  g_test_add_func("/models/synthetic/lightbox-brown-rot", test_lightbox_brown_rot);
  g_test_add_func("/models/synthetic/lightbox-glossy-floor", test_lightbox_glossy_floor);
  g_test_add_func("/models/synthetic/lightbox-overexposed", test_lightbox_overexposed);
  g_test_add_func("/models/synthetic/roi-white-balance", test_roi_white_balance);
  g_test_add_func("/models/synthetic/roi-warm-lamp", test_roi_warm_lamp);
  g_test_add_func("/models/synthetic/roi-clipped-paper", test_roi_clipped_paper);
  g_test_add_func("/models/synthetic/roi-pile-crease", test_roi_pile_crease);
  g_test_add_func("/models/synthetic/roi-scar", test_roi_scar);
  g_test_add_func("/models/synthetic/lightbox-lamp-reflections", test_lightbox_lamp_reflections);
  g_test_add_func("/models/synthetic/lightbox-broad-lamp", test_lightbox_broad_lamp);
  g_test_add_func("/models/synthetic/lightbox-warm-light", test_lightbox_warm_light);
  g_test_add_func("/models/synthetic/lightbox-lamp-cast", test_lightbox_lamp_cast);
  g_test_add_func("/models/synthetic/lightbox-grey-overexposed", test_lightbox_grey_overexposed);
  g_test_add_func("/models/synthetic/lightbox-panel-warm", test_lightbox_panel_warm);
  g_test_add_func("/models/synthetic/lightbox-bright-mouldy", test_lightbox_bright_mouldy);
  g_test_add_func("/models/synthetic/lightbox-exposed-for-black", test_lightbox_exposed_for_black);
  g_test_add_func("/models/synthetic/lightbox-red-clipped", test_lightbox_red_clipped);
  g_test_add_func("/models/synthetic/lightbox-white-split", test_lightbox_white_split);
  g_test_add_func("/models/synthetic/lightbox-white-warm", test_lightbox_white_warm);
  g_test_add_func("/models/synthetic/lightbox-oblate", test_lightbox_oblate);
  g_test_add_func("/models/synthetic/lightbox-lit-from-above", test_lightbox_lit_from_above);
  g_test_add_func("/models/synthetic/roi-calyx-pieces", test_roi_calyx_pieces);
  g_test_add_func("/models/synthetic/speck-any-resolution", test_speck_any_resolution);
  g_test_add_func("/models/synthetic/roi-calyx-blurred", test_roi_calyx_blurred);
  g_test_add_func("/models/synthetic/roi-calyx-grey", test_roi_calyx_grey);
  g_test_add_func("/models/synthetic/roi-lone-fruit", test_roi_lone_fruit);
  g_test_add_func("/models/synthetic/closeup-photo", test_closeup_photo);
  g_test_add_func("/models/synthetic/determinism", test_determinism);
  g_test_add_func("/models/synthetic/variant-camera", test_variant_camera);
  g_test_add_func("/models/synthetic/calibration", test_calibration);
  g_test_add_func("/models/synthetic/opening-runs", test_opening_runs);
  return g_test_run();
}
