/* test-io.c: bad input never crashes: corrupt, truncated and huge images,
 * empty frames, frames without fruit, unknown or malformed profiles, zero
 * calibration, bad ROIs; plus PNG/JPEG round trips, the annotation writer
 * and the weight-from-size estimate on real clementines (shared data). */
#include "fruitgen.h"

#include <glib/gstdio.h>
#include <math.h>
#include <png.h>
#include <stdlib.h>
#include <string.h>

static GBytes *
scene_png(void)
{
  FgScene scene;
  g_autoptr(PtImage) img = NULL;

  fg_scene_init(&scene, 320, 240, 4);
  fg_scene_add(&scene, 48, 36, 60, 235, 135, 30);
  img = fg_render(&scene);
  return pt_image_encode_png(img, NULL);
}

static void
test_decode_bad(void)
{
  g_autoptr(GBytes) png = scene_png();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) ok = NULL;
  g_autoptr(PtImage) img = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  const guint8 *data;
  gsize len;
  guint8 *copy;

  data = g_bytes_get_data(png, &len);
  ok = pt_image_decode(data, len, &error);
  g_assert_no_error(error);
  g_assert_cmpint(ok->width, ==, 320);

  /* The domain keeps the project's identifier-shaped name: clang-format splits a name with
   * dashes into "pt - models - error - quark". */
  g_assert_cmpstr(g_quark_to_string(PT_MODELS_ERROR), ==, "packtrace_models_error");

  /* Empty, garbage, truncated PNG, truncated JPEG. */
  g_assert_null(pt_image_decode(NULL, 0, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE);
  g_clear_error(&error);
  g_assert_null(pt_image_decode((const guint8 *)"hello world", 11, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE);
  g_clear_error(&error);
  for (gsize cut = 8; cut < len; cut += len / 7) {
    g_assert_null(pt_image_decode(data, cut, &error));
    g_assert_nonnull(error);
    g_clear_error(&error);
  }
  jpeg = pt_image_encode_jpeg(ok, 90, &error);
  g_assert_no_error(error);
  {
    gsize jl;
    const guint8 *jd = g_bytes_get_data(jpeg, &jl);

    img = pt_image_decode(jd, jl, &error);
    g_assert_no_error(error);
    g_assert_cmpint(img->height, ==, 240);
    g_clear_pointer(&img, pt_image_free);
    g_assert_null(pt_image_decode(jd, jl / 2, &error));
    g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE);
    g_clear_error(&error);
  }

  /* A PNG whose header claims 100000 x 100000 pixels. */
  copy = g_memdup2(data, len);
  copy[16] = 0;
  copy[17] = 1;
  copy[18] = 0x86;
  copy[19] = 0xa0;
  copy[20] = 0;
  copy[21] = 1;
  copy[22] = 0x86;
  copy[23] = 0xa0;
  g_assert_null(pt_image_decode(copy, len, &error));
  g_assert_nonnull(error);
  g_clear_error(&error);
  /* Flipped bytes in the pixel data: an error or an image, never a crash. */
  for (gsize i = 40; i < len; i += 97) {
    PtImage *any;

    memcpy(copy, data, len);
    copy[i] ^= 0x5a;
    any = pt_image_decode(copy, len, &error);
    g_assert_true((any == NULL) != (error == NULL));
    pt_image_free(any);
    g_clear_error(&error);
  }
  g_free(copy);

  g_assert_null(pt_image_new(0, 10, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_null(pt_image_new(20000, 20000, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE);
  g_clear_error(&error);
  g_assert_null(pt_image_load("/nonexistent/x.png", &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_IO);
}

static void
test_grader_bad(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtImage) belt = NULL;
  g_autoptr(PtImage) black = pt_image_new(64, 48, NULL);
  g_autoptr(PtGradeResult) r = NULL;
  PtFrame frame = {0};
  FgScene scene;
  PtRoi roi = {300, 200, 50, 50};

  g_assert_no_error(error);
  g_assert_null(pt_grader_new(profile, 0.0, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
  g_clear_error(&error);
  g_assert_null(pt_grader_new(profile, NAN, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
  g_clear_error(&error);
  grader = pt_grader_new(profile, 0.3, &error);
  g_assert_no_error(error);

  /* Empty frame. */
  g_assert_null(pt_grader_grade(grader, &frame, NULL, 0, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
  g_clear_error(&error);

  /* A belt with dirt but no fruit, and an all-black frame: no fruit. */
  fg_scene_init(&scene, 640, 480, 31);
  scene.noise = 12;
  belt = fg_render(&scene);
  pt_image_as_frame(belt, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(r->n_fruit, ==, 0);
  g_clear_pointer(&r, pt_grade_result_free);
  pt_image_as_frame(black, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(r->n_fruit, ==, 0);
  g_clear_pointer(&r, pt_grade_result_free);

  /* ROI outside the frame; a ROI on empty belt gives its one record, not graded. */
  g_assert_null(pt_grader_grade(grader, &frame, &roi, 1, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
  g_clear_error(&error);
  pt_image_as_frame(belt, &frame);
  r = pt_grader_grade(grader, &frame, &roi, 1, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(r->n_fruit, ==, 1);
  g_assert_cmpint(r->fruit[0].klass, ==, PT_CLASS_NONE);
  g_assert_true(g_str_has_prefix(r->fruit[0].rule, "not graded: "));
  g_assert_cmpint(r->fruit[0].x, ==, roi.x);
  g_assert_cmpint(r->fruit[0].width, ==, roi.width);
}

static void
test_profiles(void)
{
  const char *names[] = {"orange-unece", "orange-usda", "apple-unece", "apple-unece-bicolour",
                         "kiwi-unece"};
  g_autoptr(GError) error = NULL;
  const char *bad[] = {
      "[profile]\nname=x\n",                                       /* no fruit */
      "[profile]\nname=x\nfruit=y\n[size]\ncodes=1:90-80\n",       /* inverted band */
      "[profile]\nname=x\nfruit=y\n[defects]\nmax_area_cm2=1;2\n", /* two classes */
      "[profile]\nname=x\nfruit=y\n[colour]\nripe_hue=400-20\n",   /* bad hue */
      "[profile]\nname=x\nfruit=y\n[detect]\ndark_ratio=abc\n",    /* not a number */
      "[profile]\nname=x\nfruit=y\n[tolerance]\nbasis=volume\n",   /* unknown basis */
      "[profile]\nname=x\nfruit=y\n[defects]\ndecay_out=maybe\n",  /* not a boolean */
      /* by weight with nothing to estimate weight from */
      "[profile]\nname=x\nfruit=y\n[tolerance]\nbasis=weight\n",
      "not a key file",
  };

  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    g_autoptr(PtGradeProfile) p = pt_grade_profile_load(names[i], &error);

    g_assert_no_error(error);
    g_assert_cmpstr(p->name, ==, names[i]);
    g_assert_cmpuint(p->n_codes, >, 0);
    g_assert_cmpfloat(p->min_diameter_mm, >, 0);
  }
  g_assert_null(pt_grade_profile_load("no-such-fruit", &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE);
  g_clear_error(&error);
  g_assert_null(pt_grade_profile_load("../../etc/passwd", &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE);
  g_clear_error(&error);
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_null(pt_grade_profile_new_from_data(bad[i], strlen(bad[i]), "test", &error));
    g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE);
    g_clear_error(&error);
  }
  {
    g_autoptr(PtGradeProfile) p = pt_grade_profile_load("orange-unece", &error);

    g_assert_cmpstr(pt_grade_profile_size_code(p, 100), ==, "0");
    g_assert_cmpstr(pt_grade_profile_size_code(p, 54), ==, "13");
    g_assert_null(pt_grade_profile_size_code(p, 40));
  }
  {
    /* UNECE profiles weigh their lots; USDA's citrus standard counts fruit. */
    g_autoptr(PtGradeProfile) unece = pt_grade_profile_load("orange-unece", &error);
    g_autoptr(PtGradeProfile) usda = pt_grade_profile_load("orange-usda", &error);
    const char *bare = "[profile]\nname=x\nfruit=y\n";
    g_autoptr(PtGradeProfile) old = pt_grade_profile_new_from_data(bare, strlen(bare), "t", &error);

    g_assert_no_error(error);
    g_assert_cmpint(unece->tol_basis, ==, PT_TOLERANCE_BY_WEIGHT);
    g_assert_cmpint(usda->tol_basis, ==, PT_TOLERANCE_BY_COUNT);
    g_assert_cmpint(old->tol_basis, ==, PT_TOLERANCE_BY_COUNT);
    /* Both citrus standards allow decay in no class; a profile that does not say so keeps
     * its limits by area. */
    g_assert_true(unece->decay_out);
    g_assert_true(usda->decay_out);
    g_assert_false(old->decay_out);
  }
  {
    /* Without a scale a fruit is taken at the profile's nominal diameter: the middle of the
     * orange codes' span, 53 to 110 mm; a mandarin's measured 55 mm, set in its profile,
     * whose US grades set no diameter limit; the fallback without codes or minimum.  A
     * nominal diameter out of range is refused. */
    g_autoptr(PtGradeProfile) orange = pt_grade_profile_load("orange-usda", &error);
    g_autoptr(PtGradeProfile) mandarin = pt_grade_profile_load("mandarin-usda", &error);
    const char *bare = "[profile]\nname=x\nfruit=y\n";
    const char *negative = "[profile]\nname=x\nfruit=y\n[size]\nnominal_diameter_mm=-5\n";
    g_autoptr(PtGradeProfile) plain =
        pt_grade_profile_new_from_data(bare, strlen(bare), "t", &error);

    g_assert_no_error(error);
    g_assert_cmpfloat(pt_grade_profile_nominal_diameter(orange), ==, 81.5);
    g_assert_cmpfloat(pt_grade_profile_nominal_diameter(mandarin), ==, 55.0);
    g_assert_cmpuint(mandarin->n_codes, ==, 0);
    g_assert_cmpfloat(mandarin->min_diameter_mm, ==, 0);
    g_assert_cmpfloat(pt_grade_profile_nominal_diameter(plain), ==, 70.0);
    g_assert_null(pt_grade_profile_new_from_data(negative, strlen(negative), "t", &error));
    g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE);
    g_clear_error(&error);
    /* Its grades are orange-usda's. */
    g_assert_cmpmem(mandarin->max_defect_area_cm2, sizeof mandarin->max_defect_area_cm2,
                    orange->max_defect_area_cm2, sizeof orange->max_defect_area_cm2);
    g_assert_cmpmem(mandarin->max_green_fraction, sizeof mandarin->max_green_fraction,
                    orange->max_green_fraction, sizeof orange->max_green_fraction);
    g_assert_true(mandarin->decay_out);
    g_assert_cmpint(mandarin->tol_basis, ==, PT_TOLERANCE_BY_COUNT);
  }
}

/* The same photo of a mandarin with a dark spot, graded without a scale: under
 * mandarin-usda the spot is measured on a 55 mm fruit, under orange-usda on an 81.5 mm one,
 * (81.5 / 55)^2 = 2.2 times larger; and a spot class I allows on the mandarin is class II
 * read on an orange's surface. */
static void
test_nominal_diameter(void)
{
  FgScene scene;
  FgFruit *f;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) orange = pt_grade_profile_load("orange-usda", &error);
  g_autoptr(PtGradeProfile) mandarin = pt_grade_profile_load("mandarin-usda", &error);
  g_autoptr(PtGrader) as_orange = pt_grader_new_unscaled(orange, &error);
  g_autoptr(PtGrader) as_mandarin = pt_grader_new_unscaled(mandarin, &error);
  g_autoptr(PtImage) img = NULL;
  g_autoptr(PtGradeResult) a = NULL;
  g_autoptr(PtGradeResult) b = NULL;
  PtRoi roi = {20, 20, 240, 240};
  PtFrame frame;
  double ratio;

  g_assert_no_error(error);
  /* A 55 mm mandarin at 0.3 mm/px with an 80 mm2 spot: 0.8 cm2, within No. 1's 1.27. */
  fg_scene_init(&scene, 280, 280, 11);
  f = fg_scene_add(&scene, 42, 42, 55, 240, 120, 25);
  fg_fruit_add_spot(f, 0.1, 0.05, 80, 0.35);
  img = fg_render(&scene);
  pt_image_as_frame(img, &frame);
  a = pt_grader_grade(as_mandarin, &frame, &roi, 1, &error);
  g_assert_no_error(error);
  b = pt_grader_grade(as_orange, &frame, &roi, 1, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(a->n_fruit, ==, 1);
  g_assert_cmpuint(b->n_fruit, ==, 1);
  g_assert_cmpuint(a->fruit[0].defect_count, ==, 1);
  ratio = b->fruit[0].defect_total_mm2 / a->fruit[0].defect_total_mm2;
  g_test_message("spot: %.1f mm2 as a mandarin, %.1f as an orange (ratio %.2f)",
                 a->fruit[0].defect_total_mm2, b->fruit[0].defect_total_mm2, ratio);
  g_assert_cmpfloat(fabs(ratio - (81.5 * 81.5) / (55.0 * 55.0)), <, 0.01);
  g_assert_cmpfloat(fabs(a->fruit[0].defect_total_mm2 - 80), <, 16);
  g_assert_cmpint(a->fruit[0].klass, ==, PT_CLASS_I);
  g_assert_cmpint(b->fruit[0].klass, ==, PT_CLASS_II);
}

/* A fruit whose one defect is 30 mm2 of mould, within class I's 1.27 cm2: out of every class
 * where the profile says decay is (the sorter's throwaway: it spreads in the box), class I by
 * area where it does not. */
static void
test_decay(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) unece = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGradeProfile) by_area = pt_grade_profile_load("orange-unece", &error);
  PtFruit mouldy = {0}, spotted;

  g_assert_no_error(error);
  mouldy.size_unknown = TRUE;
  mouldy.ripe_fraction = 1.0;
  mouldy.confidence = 1.0;
  mouldy.n_defects = mouldy.defect_count = 1;
  mouldy.defects[0].kind = PT_DEFECT_MOULD;
  mouldy.defects[0].area_mm2 = mouldy.defect_total_mm2 = mouldy.defect_largest_mm2 = 30;
  mouldy.defects[0].length_mm = mouldy.defect_longest_mm = 6;
  spotted = mouldy;
  spotted.defects[0].kind = PT_DEFECT_DARK_SPOT;

  pt_grader_decide(unece, &mouldy);
  g_assert_cmpint(mouldy.klass, ==, PT_CLASS_OUT);
  g_assert_true(g_str_has_prefix(mouldy.rule, "decay: mould over 30.0 mm2"));
  /* 30 mm2 is past Extra's 25 mm2 allowance: beyond doubt. */
  g_assert_cmpfloat(mouldy.confidence, ==, 1.0);
  pt_grader_decide(unece, &spotted);
  g_assert_cmpint(spotted.klass, ==, PT_CLASS_I);

  by_area->decay_out = FALSE;
  mouldy.confidence = 1.0;
  pt_grader_decide(by_area, &mouldy);
  g_assert_cmpint(mouldy.klass, ==, PT_CLASS_I);
}

static void
test_annotate(void)
{
  FgScene scene;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new(profile, 0.3, &error);
  g_autoptr(PtImage) img = NULL;
  g_autoptr(PtImage) back = NULL;
  g_autoptr(PtGradeResult) r = NULL;
  g_autofree char *dir = g_dir_make_tmp("ptmodels-XXXXXX", &error);
  g_autofree char *path = g_build_filename(dir, "annotated.png", NULL);
  PtFrame frame;
  FgFruit *f;
  gsize differ = 0;

  fg_scene_init(&scene, 480, 360, 2);
  f = fg_scene_add(&scene, 72, 54, 70, 235, 135, 30);
  fg_fruit_add_spot(f, 0.1, 0.1, 80, 0.4);
  img = fg_render(&scene);
  pt_image_as_frame(img, &frame);
  r = pt_grader_grade(grader, &frame, NULL, 0, &error);
  g_assert_no_error(error);
  g_assert_true(pt_annotate_write_png(&frame, r, path, &error));
  g_assert_no_error(error);
  back = pt_image_load(path, &error);
  g_assert_no_error(error);
  g_assert_cmpint(back->width, ==, 480);
  for (gsize i = 0; i < (gsize)back->stride * back->height; i++)
    differ += back->pixels[i] != img->pixels[i];
  /* Outline, defect box and label drew something, but not over everything. */
  g_assert_cmpuint(differ, >, 500);
  g_assert_cmpuint(differ, <, (gsize)back->stride * back->height / 4);
  g_unlink(path);
  g_rmdir(dir);
}

/* The colour of @img at (@x, @y) is close to @rgb (JPEG moves flat colours a few levels). */
static gboolean
colour_near(const PtImage *img, int x, int y, const guint8 rgb[3])
{
  const guint8 *p = img->pixels + (gsize)y * img->stride + 3 * (gsize)x;

  return abs(p[0] - rgb[0]) <= 24 && abs(p[1] - rgb[1]) <= 24 && abs(p[2] - rgb[2]) <= 24;
}

/* The four quadrants' colours of quadrant_photo (): top-left, top-right, bottom-left,
 * bottom-right. */
static const guint8 quadrant_colours[4][3] = {
    {220, 30, 30}, {30, 200, 40}, {40, 50, 220}, {230, 220, 40}};

/* Returns: (transfer full) a photo stored 64 x 32 of four quadrants of distinct colours. */
static PtImage *
quadrant_photo(void)
{
  PtImage *stored = pt_image_new(64, 32, NULL);

  for (int y = 0; y < 32; y++)
    for (int x = 0; x < 64; x++)
      memcpy(stored->pixels + (gsize)y * stored->stride + 3 * x,
             quadrant_colours[(y >= 16) * 2 + (x >= 32)], 3);
  return stored;
}

/* Whether @seen is quadrant_photo () as viewed with Exif-style @orientation: its sides
 * swapped for 5 to 8, and its stored top-left and top-right quadrants where the Exif
 * standard's table puts them ("the 0th row is the visual right-hand side, the 0th column
 * the visual top" for 6, and so on), each quadrant judged at its middle. */
static gboolean
seen_as_oriented(const PtImage *seen, int orientation)
{
  /* Where the stored top-left and top-right corners are seen: 0 top-left, 1 top-right,
   * 2 bottom-left, 3 bottom-right; indexed by orientation. */
  static const int seen_tl[9] = {0, 0, 1, 3, 2, 0, 1, 3, 2};
  static const int seen_tr[9] = {0, 1, 0, 2, 3, 2, 3, 1, 0};
  int w = orientation >= 5 ? 32 : 64, h = orientation >= 5 ? 64 : 32;

  return seen->width == w && seen->height == h &&
         colour_near(seen, seen_tl[orientation] & 1 ? 3 * w / 4 : w / 4,
                     seen_tl[orientation] & 2 ? 3 * h / 4 : h / 4, quadrant_colours[0]) &&
         colour_near(seen, seen_tr[orientation] & 1 ? 3 * w / 4 : w / 4,
                     seen_tr[orientation] & 2 ? 3 * h / 4 : h / 4, quadrant_colours[1]);
}

/* A phone's JPEG is decoded upright, as viewers show it: quadrant_photo () tagged with each
 * Exif orientation, in either byte order, is seen as the Exif table says. */
static void
test_exif_orientation(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) stored = quadrant_photo();
  g_autoptr(GBytes) jpeg = NULL;

  jpeg = pt_image_encode_jpeg(stored, 95, &error);
  g_assert_no_error(error);
  for (int big = 0; big <= 1; big++)
    for (guint o = 1; o <= 8; o++) {
      g_autoptr(GBytes) tagged = fg_jpeg_add_exif(jpeg, big, o, 3, 1);
      gsize len;
      const guint8 *data = g_bytes_get_data(tagged, &len);
      g_autoptr(PtImage) seen = NULL;

      g_assert_cmpint(pt_jpeg_exif_orientation(data, len), ==, (int)o);
      seen = pt_image_decode(data, len, &error);
      g_assert_no_error(error);
      g_assert_true(seen_as_oriented(seen, (int)o));
    }

  /* A tag that is not one SHORT of 1 to 8 leaves the photo as stored. */
  {
    const guint bad[][3] = {{0, 3, 1}, {9, 3, 1}, {6, 4, 1}, {6, 3, 2}};

    for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
      g_autoptr(GBytes) tagged = fg_jpeg_add_exif(jpeg, TRUE, bad[i][0], bad[i][1], bad[i][2]);
      gsize len;
      const guint8 *data = g_bytes_get_data(tagged, &len);
      g_autoptr(PtImage) seen = pt_image_decode(data, len, &error);

      g_assert_no_error(error);
      g_assert_cmpint(pt_jpeg_exif_orientation(data, len), ==, 1);
      g_assert_cmpint(seen->width, ==, 64);
      g_assert_true(colour_near(seen, 16, 8, quadrant_colours[0]));
    }
  }
  /* Every prefix of a tagged JPEG, and every byte of its Exif segment flipped: the walk
   * stays inside the data (ASan checks it) and says 1 to 8. */
  {
    g_autoptr(GBytes) tagged = fg_jpeg_add_exif(jpeg, FALSE, 6, 3, 1);
    gsize len;
    const guint8 *data = g_bytes_get_data(tagged, &len);
    g_autofree guint8 *copy = g_memdup2(data, len);

    for (gsize cut = 0; cut <= 64; cut++) {
      g_autofree guint8 *part = g_memdup2(data, cut);
      int o = pt_jpeg_exif_orientation(part, cut);

      g_assert_cmpint(o, >=, 1);
      g_assert_cmpint(o, <=, 8);
      g_assert_cmpint(o, ==, cut < 38 ? 1 : 6);
    }
    for (gsize i = 2; i < 2 + 10 + 26; i++)
      for (int bit = 0; bit < 8; bit++) {
        int o;

        copy[i] ^= (guint8)(1u << bit);
        o = pt_jpeg_exif_orientation(copy, len);
        g_assert_cmpint(o, >=, 1);
        g_assert_cmpint(o, <=, 8);
        copy[i] ^= (guint8)(1u << bit);
      }
  }
  g_assert_null(pt_image_orient(stored, 0, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
}

/* An iPhone's HEIC is decoded upright too, turned by the file's own transformations:
 * quadrant_photo () encoded with each orientation is seen as the Exif table says, and as
 * stored when asked; a truncated or foreign ISO media file is an error, not a crash. */
static void
test_heic(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) stored = quadrant_photo();

  for (int o = 1; o <= 8; o++) {
    g_autoptr(GBytes) heic = fg_encode_heic(stored, o);
    gsize len;
    const guint8 *data;
    g_autoptr(PtImage) seen = NULL;
    g_autoptr(PtImage) as_stored = NULL;
    int exif = 0;

    if (!heic) {
      g_test_skip("libheif has no HEVC encoder here");
      return;
    }
    data = g_bytes_get_data(heic, &len);
    seen = pt_image_decode_oriented(data, len, PT_IMAGE_UPRIGHT, &exif, &error);
    g_assert_no_error(error);
    g_assert_true(seen_as_oriented(seen, o));
    g_assert_cmpint(exif, ==, 1);
    as_stored = pt_image_decode_oriented(data, len, PT_IMAGE_AS_STORED, NULL, &error);
    g_assert_no_error(error);
    g_assert_true(seen_as_oriented(as_stored, 1));
    if (o == 6) {
      g_autofree guint8 *copy = g_memdup2(data, len);

      for (gsize cut = 12; cut < len; cut += len / 9 + 1) {
        PtImage *any = pt_image_decode(data, cut, &error);

        g_assert_true((any == NULL) != (error == NULL));
        pt_image_free(any);
        g_clear_error(&error);
      }
      memcpy(copy + 8, "qt  ", 4); /* a QuickTime movie's brand */
      g_assert_null(pt_image_decode(copy, len, &error));
      g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_DECODE);
      g_clear_error(&error);
    }
  }
}

/* `packtrace grade PHOTO --roi` takes the box as the photo is seen: a portrait phone photo
 * stored on its side (Exif orientation 6) is graded through a box drawn on the upright view
 * as the same photo stored upright is: one fruit, of the same class, with its spot. */
static void
test_exif_roi(void)
{
  FgScene scene;
  FgFruit *f;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) upright = NULL;
  g_autoptr(PtImage) sideways = NULL;
  g_autoptr(PtImage) seen = NULL;
  g_autoptr(PtImage) as_stored = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(GBytes) tagged = NULL;
  g_autoptr(GBytes) plain = NULL;
  g_autoptr(PtGradeResult) a = NULL;
  g_autoptr(PtGradeResult) b = NULL;
  g_autoptr(PtGradeResult) c = NULL;
  PtRoi roi = {30, 262, 180, 180};
  PtFrame frame;
  gsize len;
  const guint8 *data;

  /* Upright: 240 wide, 480 high, the fruit low in the middle with a dark spot (turned the
   * wrong way, it would lie high, outside the box). */
  fg_scene_init(&scene, 240, 480, 7);
  f = fg_scene_add(&scene, 36, 105, 45, 235, 135, 30);
  fg_fruit_add_spot(f, 0.1, -0.1, 60, 0.35);
  upright = fg_render(&scene);
  sideways = fg_store_sideways(upright);
  jpeg = pt_image_encode_jpeg(sideways, 92, &error);
  tagged = fg_jpeg_add_exif(jpeg, TRUE, 6, 3, 1);
  data = g_bytes_get_data(tagged, &len);
  seen = pt_image_decode(data, len, &error);
  g_assert_no_error(error);
  g_assert_cmpint(seen->width, ==, 240);
  g_assert_cmpint(seen->height, ==, 480);
  pt_image_as_frame(seen, &frame);
  a = pt_grader_grade(grader, &frame, &roi, 1, &error);
  g_assert_no_error(error);
  plain = pt_image_encode_jpeg(upright, 92, &error);
  data = g_bytes_get_data(plain, &len);
  as_stored = pt_image_decode(data, len, &error);
  pt_image_as_frame(as_stored, &frame);
  b = pt_grader_grade(grader, &frame, &roi, 1, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(a->n_fruit, ==, 1);
  g_assert_cmpuint(b->n_fruit, ==, 1);
  g_assert_cmpint(b->fruit[0].klass, !=, PT_CLASS_NONE);
  g_assert_cmpint(a->fruit[0].klass, ==, b->fruit[0].klass);
  g_assert_cmpuint(b->fruit[0].defect_count, >=, 1);
  g_assert_cmpuint(a->fruit[0].defect_count, ==, b->fruit[0].defect_count);
  g_assert_cmpfloat(fabs(a->fruit[0].defect_total_mm2 - b->fruit[0].defect_total_mm2), <=,
                    0.2 * b->fruit[0].defect_total_mm2);
  /* Read as stored, the same box would lie across the sideways photo's bottom edge. */
  pt_image_as_frame(sideways, &frame);
  c = pt_grader_grade(grader, &frame, &roi, 1, &error);
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_INVALID);
}

/* A 50 MP phone photo (8160 x 6120) decodes and grades through a box; a 108 MP one
 * (12000 x 9000, its SOF header patched in) is refused before anything is allocated. */
static void
test_decode_phone_size(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) photo = pt_image_new(8160, 6120, &error);
  g_autoptr(PtImage) back = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtGradeResult) r = NULL;
  g_autofree guint8 *copy = NULL;
  PtRoi roi = {3000, 2000, 900, 900};
  PtFrame frame;
  const guint8 *data;
  gsize len, sof = 0;

  g_assert_no_error(error);
  memset(photo->pixels, 200, (gsize)photo->stride * photo->height);
  jpeg = pt_image_encode_jpeg(photo, 80, &error);
  g_assert_no_error(error);
  data = g_bytes_get_data(jpeg, &len);
  back = pt_image_decode(data, len, &error);
  g_assert_no_error(error);
  g_assert_cmpint(back->width, ==, 8160);
  g_assert_cmpint(back->height, ==, 6120);
  pt_image_as_frame(back, &frame);
  r = pt_grader_grade(grader, &frame, &roi, 1, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(r->n_fruit, ==, 1);

  /* SOF0: FF C0, length, precision, then height and width, big-endian. */
  for (gsize i = 2; i + 9 < len && sof == 0; i++)
    if (data[i] == 0xff && data[i + 1] == 0xc0)
      sof = i;
  g_assert_cmpuint(sof, >, 0);
  copy = g_memdup2(data, len);
  copy[sof + 5] = 9000 >> 8;
  copy[sof + 6] = 9000 & 0xff;
  copy[sof + 7] = 12000 >> 8;
  copy[sof + 8] = 12000 & 0xff;
  g_assert_null(pt_image_decode(copy, len, &error));
  g_assert_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE);
  g_assert_nonnull(strstr(error->message, "12000 x 9000"));
}

static void
png_append(png_structp png, png_bytep data, png_size_t n)
{
  g_byte_array_append(png_get_io_ptr(png), data, (guint)n);
}

/* A 6 x 4 PNG of @colour_type and @depth whose every row is @row (its bytes as libpng
 * takes them), with @palette / @trans where given.  Returns: (transfer full). */
static GBytes *
png_of(int colour_type, int depth, const guint8 *row, const png_color *palette, int n_palette,
       const guint8 *trans, int n_trans)
{
  GByteArray *out = g_byte_array_new();
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  png_infop info = png_create_info_struct(png);

  g_assert_nonnull(info);
  if (setjmp(png_jmpbuf(png)))
    g_assert_not_reached();
  png_set_write_fn(png, out, png_append, NULL);
  png_set_IHDR(png, info, 6, 4, depth, colour_type, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  if (palette)
    png_set_PLTE(png, info, palette, n_palette);
  if (trans)
    png_set_tRNS(png, info, trans, n_trans, NULL);
  png_write_info(png, info);
  for (int y = 0; y < 4; y++)
    png_write_row(png, row);
  png_write_end(png, NULL);
  png_destroy_write_struct(&png, &info);
  return g_byte_array_free_to_bytes(out);
}

/* A PNG and the colours its first and last pixel of a row decode to. */
typedef struct {
  const char *what;
  GBytes *png;
  guint8 first[3], last[3];
} PngCase;

/* PNGs as other tools save them decode to 8-bit RGB: a palette with transparency (an
 * editor's export, refused as "unsupported PNG pixel layout" before), 1-bit grey, 16-bit
 * grey with alpha and 16-bit RGBA. */
static void
test_png_layouts(void)
{
  static const png_color palette[2] = {{235, 135, 30}, {10, 10, 10}};
  static const guint8 trans[2] = {255, 0};
  static const guint8 pal_row[6] = {0, 0, 0, 1, 1, 1};
  static const guint8 bit_row[1] = {0xe0}; /* 111000.. */
  guint8 grey16_row[6 * 4], rgba16_row[6 * 8];
  PngCase cases[4];
  g_autoptr(GError) error = NULL;

  for (int x = 0; x < 6; x++) {
    guint16 v = x < 3 ? 0xc8c8 : 0x3232, rgba[4] = {0xeb00, 0x8700, 0x1e00, 0x8000};

    grey16_row[4 * x] = grey16_row[4 * x + 1] = (guint8)(v >> 8);
    grey16_row[4 * x + 2] = grey16_row[4 * x + 3] = 0x80;
    for (int c = 0; c < 4; c++) {
      rgba16_row[8 * x + 2 * c] = (guint8)(rgba[c] >> 8);
      rgba16_row[8 * x + 2 * c + 1] = 0;
    }
  }
  cases[0] = (PngCase){"palette with tRNS",
                       png_of(PNG_COLOR_TYPE_PALETTE, 8, pal_row, palette, 2, trans, 2),
                       {235, 135, 30},
                       {10, 10, 10}};
  cases[1] = (PngCase){"1-bit grey",
                       png_of(PNG_COLOR_TYPE_GRAY, 1, bit_row, NULL, 0, NULL, 0),
                       {255, 255, 255},
                       {0, 0, 0}};
  cases[2] = (PngCase){"16-bit grey and alpha",
                       png_of(PNG_COLOR_TYPE_GRAY_ALPHA, 16, grey16_row, NULL, 0, NULL, 0),
                       {200, 200, 200},
                       {50, 50, 50}};
  cases[3] = (PngCase){"16-bit RGBA",
                       png_of(PNG_COLOR_TYPE_RGB_ALPHA, 16, rgba16_row, NULL, 0, NULL, 0),
                       {235, 135, 30},
                       {235, 135, 30}};
  for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
    gsize len;
    const guint8 *data = g_bytes_get_data(cases[i].png, &len);
    g_autoptr(PtImage) img = pt_image_decode(data, len, &error);

    g_test_message("%s", cases[i].what);
    g_assert_no_error(error);
    g_assert_cmpint(img->width, ==, 6);
    g_assert_cmpint(img->height, ==, 4);
    g_assert_cmpmem(img->pixels + img->stride, 3, cases[i].first, 3);
    g_assert_cmpmem(img->pixels + img->stride + 15, 3, cases[i].last, 3);
    g_bytes_unref(cases[i].png);
  }
}

/* Weight from size on real clementines: MAE <= 8 g (vision.md goal). */
static void
test_clementine_weight(void)
{
  const char *shared = g_getenv("PACKTRACE_SHARED");
  g_autofree char *path = NULL;
  g_autofree char *csv = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) p = pt_grade_profile_load("orange-unece", &error);
  g_auto(GStrv) lines = NULL;
  double sum = 0;
  int n = 0;

  if (shared == NULL) {
    g_test_skip("PACKTRACE_SHARED not set");
    return;
  }
  path = g_build_filename(shared, "data", "clementines", "clementines2023-fruits.csv", NULL);
  if (!g_file_get_contents(path, &csv, NULL, NULL)) {
    g_test_skip("no clementine data");
    return;
  }
  lines = g_strsplit(csv, "\n", -1);
  for (guint i = 1; lines[i] != NULL; i++) {
    g_auto(GStrv) c = g_strsplit(g_strstrip(lines[i]), ",", -1);
    double wt, wd, ht;

    if (g_strv_length(c) < 6)
      continue;
    wt = g_ascii_strtod(c[3], NULL);
    wd = g_ascii_strtod(c[4], NULL);
    ht = g_ascii_strtod(c[5], NULL);
    if (!(wt > 0 && wd > 0 && ht > 0))
      continue;
    sum += fabs(pt_grade_profile_estimate_weight(p, wd, ht) - wt);
    n++;
  }
  g_assert_cmpint(n, >=, 50);
  g_test_message("clementines: %d fruit, MAE %.2f g", n, sum / n);
  g_assert_cmpfloat(sum / n, <=, 8.0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/models/io/decode-bad", test_decode_bad);
  g_test_add_func("/models/io/grader-bad", test_grader_bad);
  g_test_add_func("/models/io/profiles", test_profiles);
  g_test_add_func("/models/io/decay", test_decay);
  g_test_add_func("/models/io/nominal-diameter", test_nominal_diameter);
  g_test_add_func("/models/io/annotate", test_annotate);
  g_test_add_func("/models/io/exif-orientation", test_exif_orientation);
  g_test_add_func("/models/io/exif-roi", test_exif_roi);
  g_test_add_func("/models/io/heic", test_heic);
  g_test_add_func("/models/io/decode-phone-size", test_decode_phone_size);
  g_test_add_func("/models/io/png-layouts", test_png_layouts);
  g_test_add_func("/models/io/clementine-weight", test_clementine_weight);
  return g_test_run();
}
