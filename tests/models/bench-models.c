/* bench-models.c: grading cost against JPEG decoding, printed, not a test.
 *
 * For 720p and 1080p belt frames with six fruit (rendered by fruitgen,
 * encoded at JPEG quality 90 4:2:0), times libjpeg-turbo decoding the JPEG
 * and the grader on the decoded frame in the same run, one core, and prints
 * the medians, their ratio, and fruit per second per core at 8 views per
 * fruit (decode + grade, and grade alone as for raw camera frames).  Then photos graded
 * as `packtrace grade` grades them without a scale: a 1001x1001 photo of one fruit on
 * white paper graded whole, and a 1920x1440 phone photo of twelve fruit through twelve
 * ROIs; for each the same medians and ratio.
 *   bench-models [RUNS [CASE]]   (RUNS default 41; CASE: 720p, 1080p, photo or rois, default
 *                                all four; one case alone is what a profiler wants) */
#include "fruitgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

/* Sorts @v: v[0] and v[n - 1] are then the minimum and the maximum. */
static double
median(double *v, int n)
{
  qsort(v, n, sizeof *v, cmp_double);
  return v[n / 2];
}

static void
bench(int width, int height, int runs)
{
  FgScene scene;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtImage) img = NULL;
  g_autoptr(GBytes) jpeg = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = NULL;
  double *t_dec = g_new(double, runs), *t_grade = g_new(double, runs);
  /* The belt is filmed so that a fruit spans about a sixth of the width. */
  double mmpx = 480.0 / width;
  double td, tg;
  guint n_fruit = 0;
  gsize jlen;
  const guint8 *jdata;

  fg_scene_init(&scene, width, height, 42);
  scene.mm_per_px = mmpx;
  for (int i = 0; i < 6; i++) {
    FgFruit *f = fg_scene_add(&scene, 60 + (i % 3) * 170, 75 + (i / 3) * 120, 68 + 3 * i, 235,
                              135 - 5 * i, 30);

    if (i % 2 == 0)
      fg_fruit_add_spot(f, 0.2, -0.1, 40 + 20 * i, 0.4);
  }
  img = fg_render(&scene);
  jpeg = pt_image_encode_jpeg(img, 90, &error);
  g_assert_no_error(error);
  jdata = g_bytes_get_data(jpeg, &jlen);
  grader = pt_grader_new(profile, mmpx, &error);
  g_assert_no_error(error);

  for (int r = 0; r < runs; r++) {
    gint64 t0 = g_get_monotonic_time(), t1, t2;
    g_autoptr(PtImage) dec = pt_image_decode_jpeg(jdata, jlen, &error);
    g_autoptr(PtGradeResult) res = NULL;
    PtFrame frame;

    t1 = g_get_monotonic_time();
    g_assert_no_error(error);
    pt_image_as_frame(dec, &frame);
    res = pt_grader_grade(grader, &frame, NULL, 0, &error);
    t2 = g_get_monotonic_time();
    g_assert_no_error(error);
    n_fruit = res->n_fruit;
    t_dec[r] = (t1 - t0) / 1000.0;
    t_grade[r] = (t2 - t1) / 1000.0;
  }
  td = median(t_dec, runs);
  tg = median(t_grade, runs);
  printf("%4dx%-4d %.2f MP, JPEG %.0f kB, %u fruit: decode %.2f ms (%.2f-%.2f), grade %.2f ms "
         "(%.2f-%.2f), ratio %.2fx; fruit/s/core at 8 views: %.1f (decode+grade), %.1f (grade "
         "only)\n",
         width, height, width * height / 1e6, jlen / 1024.0, n_fruit, td, t_dec[0], t_dec[runs - 1],
         tg, t_grade[0], t_grade[runs - 1], tg / td, n_fruit / ((td + tg) / 1000.0) / 8.0,
         n_fruit / (tg / 1000.0) / 8.0);
  g_free(t_dec);
  g_free(t_grade);
}

/* Pastes @fruit rendered at @mm_per_px with its top left at (@x0, @y0). */
static void
paste(PtImage *dst, const FgFruit *fruit, double mm_per_px, int x0, int y0)
{
  g_autofree guint8 *coverage = NULL;
  g_autoptr(PtImage) sprite = fg_render_sprite(fruit, mm_per_px, 1.0, &coverage);

  for (int y = 0; y < sprite->height && y0 + y < dst->height; y++)
    for (int x = 0; x < sprite->width && x0 + x < dst->width; x++) {
      guint8 *d = dst->pixels + (gsize)(y0 + y) * dst->stride + (x0 + x) * 3;
      const guint8 *p = sprite->pixels + (gsize)y * sprite->stride + x * 3;
      int a = coverage[(gsize)y * sprite->width + x];

      for (int c = 0; c < 3; c++)
        d[c] = (guint8)((p[c] * a + d[c] * (255 - a) + 127) / 255);
    }
}

/* A photo without a scale: @n_rois 0 grades it whole (one fruit filling it), else a grid of
 * @n_rois fruit, each through its ROI. */
static void
bench_photo(int width, int height, guint n_rois, int runs)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = pt_grade_profile_load("orange-unece", &error);
  g_autoptr(PtGrader) grader = pt_grader_new_unscaled(profile, &error);
  g_autoptr(PtImage) img = pt_image_new(width, height, &error);
  g_autoptr(GBytes) jpeg = NULL;
  double *t_dec = g_new(double, runs), *t_grade = g_new(double, runs);
  PtRoi rois[12];
  FgFruit fruit = {.diameter_mm = 70, .rgb = {235, 135, 30}};
  guint n_fruit = 0, cols = 4;
  gsize jlen;
  const guint8 *jdata;
  double td, tg;

  g_assert_no_error(error);
  memset(img->pixels, 236, (gsize)img->stride * height);
  fg_fruit_add_spot(&fruit, 0.2, -0.1, 80, 0.4);
  if (n_rois == 0) {
    paste(img, &fruit, 70.0 / (0.8 * width), width / 10, height / 10);
  } else {
    int cell = width / (int)cols, side = cell * 9 / 10;

    g_assert(n_rois <= G_N_ELEMENTS(rois));
    for (guint i = 0; i < n_rois; i++) {
      int x0 = (int)(i % cols) * cell + (cell - side) / 2, y0 = (int)(i / cols) * cell;

      paste(img, &fruit, 70.0 / side, x0, y0);
      rois[i] = (PtRoi){x0, y0, MIN(side, width - x0), MIN(side, height - y0)};
    }
  }
  jpeg = pt_image_encode_jpeg(img, 90, &error);
  g_assert_no_error(error);
  jdata = g_bytes_get_data(jpeg, &jlen);
  for (int r = 0; r < runs; r++) {
    gint64 t0 = g_get_monotonic_time(), t1, t2;
    g_autoptr(PtImage) dec = pt_image_decode_jpeg(jdata, jlen, &error);
    g_autoptr(PtGradeResult) res = NULL;
    PtFrame frame;

    t1 = g_get_monotonic_time();
    g_assert_no_error(error);
    pt_image_as_frame(dec, &frame);
    res = pt_grader_grade(grader, &frame, n_rois ? rois : NULL, n_rois, &error);
    t2 = g_get_monotonic_time();
    g_assert_no_error(error);
    n_fruit = res->n_fruit;
    t_dec[r] = (t1 - t0) / 1000.0;
    t_grade[r] = (t2 - t1) / 1000.0;
  }
  td = median(t_dec, runs);
  tg = median(t_grade, runs);
  printf("%4dx%-4d photo, no scale, %s: %u records, decode %.2f ms (%.2f-%.2f), grade %.2f ms "
         "(%.2f-%.2f), ratio %.2fx\n",
         width, height, n_rois ? "12 ROIs" : "whole", n_fruit, td, t_dec[0], t_dec[runs - 1], tg,
         t_grade[0], t_grade[runs - 1], tg / td);
  g_free(t_dec);
  g_free(t_grade);
}

int
main(int argc, char **argv)
{
  gint64 runs = 41;
  const char *only = argc > 2 ? argv[2] : NULL;
  static const char *const cases[] = {"720p", "1080p", "photo", "rois"};
  gboolean known = only == NULL;

  for (guint i = 0; only && i < G_N_ELEMENTS(cases); i++)
    known |= strcmp(only, cases[i]) == 0;
  if ((argc > 1 && !g_ascii_string_to_signed(argv[1], 10, 3, 10000, &runs, NULL)) || argc > 3 ||
      !known) {
    fprintf(stderr, "usage: bench-models [RUNS, 3 to 10000 [720p|1080p|photo|rois]]\n");
    return 2;
  }
  printf("bench-models: medians (min-max) of %d runs, one core\n", (int)runs);
  if (!only || strcmp(only, "720p") == 0)
    bench(1280, 720, (int)runs);
  if (!only || strcmp(only, "1080p") == 0)
    bench(1920, 1080, (int)runs);
  if (!only || strcmp(only, "photo") == 0)
    bench_photo(1001, 1001, 0, (int)runs);
  if (!only || strcmp(only, "rois") == 0)
    bench_photo(1920, 1440, 12, (int)runs);
  return 0;
}
