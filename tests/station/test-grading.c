/* test-grading.c: the grading camera's feed (pt_grading_feed_frame) on generated tap frames
 * of fruit moving along the belt: nothing recorded without an open grading, each fruit
 * recorded once with an evidence still when below the declared class, the close event's
 * disposition, counts and evidence hash, frames after the close ignored, and the log intact;
 * and lot tolerances by weight against by count on recorded fruit, against figures worked out
 * by hand from the profile's weight formula. */
#include "fruitgen.h"
#include "pt-error.h"
#include "pt-grading.h"
#include "pt-store-grading.h"
#include "pt-test-station.h"
#include "pt-trace.h"

#include <string.h>

#define WIDTH  640
#define HEIGHT 360

/* Frame @k: a sound 62 mm orange and a 74 mm one that shows a 4 cm2 spot while it crosses
 * the middle of the view, both moving right by 12 mm a frame.  @scale: 1 the calibrated
 * stream; 2 the same view from a substream of half its size, as a camera's analysis_source
 * gives it (each pixel spans two of the calibrated stream's). */
static guint8 *
render_scaled(guint k, PtTapFrame *tap, int scale)
{
  FgScene scene;
  PtFrame frame;
  fg_scene_init(&scene, WIDTH / scale, HEIGHT / scale, 300 + k);
  scene.mm_per_px *= scale;
  fg_scene_add(&scene, -40.0 + 12.0 * k, 54, 62, 235, 135, 30);
  double cx = -130.0 + 12.0 * k;
  FgFruit *f = fg_scene_add(&scene, cx, 54, 74, 235, 135, 30);
  if (cx > 70 && cx < 120)
    fg_fruit_add_spot(f, 0.1, 0.0, 400.0, 0.35);
  g_autoptr(PtImage) image = fg_render(&scene);
  guint8 *yuv = fg_to_i420(image, &frame);
  *tap = (PtTapFrame){.camera = "grading-1",
                      .format = PT_TAP_FORMAT_I420,
                      .width = WIDTH / scale,
                      .height = HEIGHT / scale,
                      .n_planes = 3,
                      .utc_ns = 1764000000000000000 + (gint64)k * 40000000,
                      .px_scale = scale};
  for (int p = 0; p < 3; p++) {
    tap->plane[p] = frame.data[p];
    tap->stride[p] = frame.stride[p];
  }
  return yuv;
}

static guint8 *
render_tap(guint k, PtTapFrame *tap)
{
  return render_scaled(k, tap, 1);
}

static void
feed_scaled(PtGradingFeed *f, guint from, guint to, int scale)
{
  for (guint k = from; k < to; k++) {
    PtTapFrame tap;
    g_autofree guint8 *pixels = render_scaled(k, &tap, scale);
    g_autoptr(GError) error = NULL;
    g_assert_true(pt_grading_feed_frame(f, &tap, &error));
    g_assert_no_error(error);
  }
}

static void
feed(PtGradingFeed *f, guint from, guint to)
{
  for (guint k = from; k < to; k++) {
    PtTapFrame tap;
    g_autofree guint8 *pixels = render_tap(k, &tap);
    g_autoptr(GError) error = NULL;
    g_assert_true(pt_grading_feed_frame(f, &tap, &error));
    g_assert_no_error(error);
  }
}

static gboolean
find_inspecting(const PtEventRow *row, gpointer user_data, GError **error)
{
  json_t **out = user_data;
  if (strcmp(row->step, "inspecting") == 0) {
    json_decref(*out);
    *out = json_loadb(row->body, row->body_len, 0, NULL);
  }
  return TRUE;
}

static void
test_feed(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) batch = pt_test_batch(ts, 0);
  g_autoptr(PtGradingFeed) f = pt_grading_feed_new(ts->station);
  g_autoptr(GError) error = NULL;

  /* No grading open: frames pass, nothing is written. */
  feed(f, 0, 3);
  g_assert_cmpuint(pt_grading_feed_n_recorded(f), ==, 0);
  pt_grading_feed_free(g_steal_pointer(&f));

  PtGradingSpec spec = {.profile = "orange-unece", .mm_per_px = 0.3, .declared_class = "I"};
  g_autoptr(PtGradingRow) grading =
      pt_grading_open(ts->station, ts->store, batch, &spec, FALSE, &error);
  g_assert_no_error(error);
  f = pt_grading_feed_new(ts->station);
  feed(f, 0, 36);
  g_assert_true(pt_grading_feed_flush(f, &error));
  g_assert_no_error(error);
  g_assert_cmpuint(pt_grading_feed_n_recorded(f), ==, 2);

  g_auto(PtGradingSummary) sum = {0};
  g_assert_true(pt_store_grading_summary(ts->store, grading->id, 53, 5, &sum, &error));
  g_assert_cmpint(sum.n_fruit, ==, 2);
  g_assert_cmpint(sum.n_with_defects, ==, 1);
  g_assert_cmpfloat_with_epsilon(sum.defect_area_max_mm2, 400, 40);
  g_assert_cmpuint(sum.stills->len, ==, 1);
  g_autofree char *still = g_build_filename(ts->dir, g_ptr_array_index(sum.stills, 0), NULL);
  g_autofree char *jpeg = NULL;
  gsize jpeg_len = 0;
  g_assert_true(g_file_get_contents(still, &jpeg, &jpeg_len, NULL));
  g_assert_cmpuint(jpeg_len, >, 1000);
  g_assert_cmpint((guint8)jpeg[0], ==, 0xff);
  g_assert_cmpint((guint8)jpeg[1], ==, 0xd8);

  /* 1 of 2 below Class I is over the 10 % tolerance. */
  g_assert_true(pt_grading_close(ts->station, ts->store, batch, NULL, &error));
  g_assert_no_error(error);
  json_t *ev = NULL;
  g_assert_true(pt_store_events_foreach(ts->store, batch->id, find_inspecting, &ev, &error));
  g_assert_nonnull(ev);
  g_assert_cmpstr(json_string_value(json_object_get(ev, "disposition")), ==, "non_conformant");
  g_assert_cmpint(json_integer_value(json_object_get(ev, "pt:fruitCount")), ==, 2);
  g_assert_cmpint(
      json_integer_value(json_object_get(json_object_get(ev, "pt:gradeDistribution"), "out")), ==,
      1);
  g_assert_cmpstr(json_string_value(json_object_get(ev, "pt:modelVersion")), ==,
                  pt_grader_version());
  g_assert_cmpfloat(json_real_value(json_object_get(ev, "pt:mmPerPx")), ==, 0.3);
  json_t *evidence = json_array_get(json_object_get(ev, "pt:evidence"), 0);
  g_assert_cmpuint(strlen(json_string_value(json_object_get(evidence, "sha256"))), ==, 64);
  json_decref(ev);

  /* After the close the feed lets go of the grading: nothing more is recorded. */
  guint64 before = pt_grading_feed_n_recorded(f);
  feed(f, 0, 36);
  g_assert_true(pt_grading_feed_flush(f, &error));
  g_assert_cmpuint(pt_grading_feed_n_recorded(f), ==, before);
  /* The summary is filled afresh: the first one's lists go first. */
  pt_grading_summary_clear(&sum);
  g_assert_true(pt_store_grading_summary(ts->store, grading->id, 53, 5, &sum, &error));
  g_assert_cmpint(sum.n_fruit, ==, 2);

  PtAuditReport report = {0};
  g_assert_true(pt_trace_audit(ts->store, ts->station->keys->public_key, &report, &error));
  g_assert_cmpuint(report.n_breaks, ==, 0);
  pt_audit_report_clear(&report);
}

/* A grading camera whose analysis reads a substream half the calibrated stream's size: the
 * calibration (0.3 mm a main-stream pixel) scaled by the frames' px_scale measures the fruit
 * in mm as the full-size frames do; without the scale they would come out half as large. */
static void
test_substream_scale(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) batch = pt_test_batch(ts, 0);
  g_autoptr(GError) error = NULL;
  PtGradingSpec spec = {.profile = "orange-unece", .mm_per_px = 0.3, .declared_class = "I"};
  g_autoptr(PtGradingRow) grading =
      pt_grading_open(ts->station, ts->store, batch, &spec, FALSE, &error);
  g_assert_no_error(error);
  g_autoptr(PtGradingFeed) f = pt_grading_feed_new(ts->station);
  feed_scaled(f, 0, 36, 2);
  g_assert_true(pt_grading_feed_flush(f, &error));
  g_assert_no_error(error);
  g_auto(PtGradingSummary) sum = {0};
  g_assert_true(pt_store_grading_summary(ts->store, grading->id, 53, 5, &sum, &error));
  g_assert_cmpint(sum.n_fruit, ==, 2);
  g_test_message("half-size frames: diameters %.1f..%.1f mm, largest defect %.0f mm2",
                 sum.diameter_min_mm, sum.diameter_max_mm, sum.defect_area_max_mm2);
  g_assert_cmpfloat_with_epsilon(sum.diameter_min_mm, 62, 4);
  g_assert_cmpfloat_with_epsilon(sum.diameter_max_mm, 74, 4);
  g_assert_cmpint(sum.n_with_defects, ==, 1);
  g_assert_cmpfloat_with_epsilon(sum.defect_area_max_mm2, 400, 100);
}

static void
test_close_refusals(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) batch = pt_test_batch(ts, 0);
  g_autoptr(GError) error = NULL;
  PtGradingSpec spec = {0};

  g_assert_false(pt_grading_close(ts->station, ts->store, batch, NULL, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error(&error);
  g_autoptr(PtGradingRow) grading =
      pt_grading_open(ts->station, ts->store, batch, &spec, FALSE, &error);
  g_assert_no_error(error);
  g_assert_null(pt_grading_open(ts->station, ts->store, batch, &spec, FALSE, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
  g_clear_error(&error);
  /* Reuse accepts the same settings and refuses others. */
  g_autoptr(PtGradingRow) again =
      pt_grading_open(ts->station, ts->store, batch, &spec, TRUE, &error);
  g_assert_no_error(error);
  g_assert_cmpint(again->id, ==, grading->id);
  spec.profile = "apple-unece";
  g_assert_null(pt_grading_open(ts->station, ts->store, batch, &spec, TRUE, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
  g_clear_error(&error);
  spec = (PtGradingSpec){.declared_class = "III"};
  g_assert_null(pt_grading_open(ts->station, ts->store, batch, &spec, TRUE, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  g_clear_error(&error);
  /* Nothing graded: nothing to decide on, and nothing written. */
  gint64 n_events = batch->n_events;
  g_assert_false(pt_grading_close(ts->station, ts->store, batch, NULL, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  g_assert_cmpint(batch->n_events, ==, n_events);
}

/* A profile for the tolerance tests: weight_g = 0.5 * d^2 * length / 1000, Class I allows 10 %
 * below it; @basis "weight" or "count". */
static void
write_tol_profile(const char *dir, const char *basis)
{
  g_autofree char *text = g_strdup_printf("[profile]\nname=tol-%s\nfruit=orange\n"
                                          "[size]\nmin_diameter_mm=50\ncodes=A:50-100\n"
                                          "weight_k=0.5\n"
                                          "[tolerance]\nbasis=%s\nquality_pct=5;10;10\n",
                                          basis, basis);
  g_autofree char *name = g_strdup_printf("tol-%s.ini", basis);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

/* Records @n fruit of class @klass, @d mm across and long, weighing what the profile's
 * formula gives (0: size unknown, no weight). */
static void
add_fruit(PtTestStation *ts, const PtGradingRow *g, guint n, const char *klass, double d,
          gboolean weighed)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_store_begin(ts->store, &error));
  for (guint i = 0; i < n; i++) {
    PtFruitRecord rec = {.graded_ns = 1764000000000000000 + i,
                         .source = "test",
                         .klass = klass,
                         .diameter_mm = d,
                         .length_mm = d,
                         .weight_g = weighed ? 0.5 * d * d * d / 1000 : 0,
                         .views = 1,
                         .rule = "test",
                         .confidence = 1};
    g_assert_true(pt_store_fruit_insert(ts->store, g->id, &rec, NULL, &error));
    g_assert_no_error(error);
  }
  g_assert_true(pt_store_commit(ts->store, &error));
}

/* The "below declared class" check of @g's record. */
static json_t *
quality_check(PtTestStation *ts, const PtGradingRow *g, json_t **record)
{
  g_autoptr(GError) error = NULL;
  *record = pt_grading_to_json(ts->store, g, &error);
  g_assert_no_error(error);
  json_t *check = json_array_get(json_object_get(*record, "tolerances"), 0);
  g_assert_cmpstr(json_string_value(json_object_get(check, "check")), ==, "below declared class");
  return check;
}

static PtGradingRow *
open_lot(PtTestStation *ts, const char *profile)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) batch = pt_test_batch(ts, 0);
  PtGradingSpec spec = {.profile = profile, .mm_per_px = 0.3, .declared_class = "I"};
  PtGradingRow *g = pt_grading_open(ts->station, ts->store, batch, &spec, FALSE, &error);
  g_assert_no_error(error);
  return g;
}

static void
test_tolerance_basis(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autofree char *dir = g_build_filename(ts->dir, "profiles", NULL);
  g_assert_cmpint(g_mkdir_with_parents(dir, 0700), ==, 0);
  write_tol_profile(dir, "weight");
  write_tol_profile(dir, "count");
  g_setenv("PACKTRACE_PROFILES_DIR", dir, TRUE);
  json_t *rec = NULL;

  /* Two big 90 mm fruit in Class II among 18 small sound 60 mm ones, plus one sound fruit
   * whose size is unknown.  By count 2 of 21 = 9.52 %: within 10 %.  By weight a 90 mm fruit
   * is 0.5 * 90^3 / 1000 = 364.5 g and a 60 mm one 108 g: 729 g below class; the unknown
   * fruit weighs the mean of the weighed 20, (729 + 1944) / 20 = 133.65 g, so the lot is
   * 2806.65 g and 729 g is 25.97 % of it: over 10 %. */
  g_autoptr(PtGradingRow) big_by_weight = open_lot(ts, "tol-weight");
  add_fruit(ts, big_by_weight, 18, "I", 60, TRUE);
  add_fruit(ts, big_by_weight, 2, "II", 90, TRUE);
  add_fruit(ts, big_by_weight, 1, "I", 60, FALSE);
  json_t *c = quality_check(ts, big_by_weight, &rec);
  g_assert_cmpstr(json_string_value(json_object_get(c, "basis")), ==, "weight");
  g_assert_cmpint(json_integer_value(json_object_get(c, "fruit")), ==, 2);
  g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(c, "weightKg")), 0.729, 1e-9);
  g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(c, "percent")), 25.97, 1e-9);
  g_assert_cmpfloat(json_real_value(json_object_get(c, "limitPercent")), ==, 10);
  g_assert_false(json_is_true(json_object_get(c, "met")));
  json_decref(rec);

  /* The same lot judged by a count profile keeps the count figures, without a weight. */
  g_autoptr(PtGradingRow) same_by_count = open_lot(ts, "tol-count");
  add_fruit(ts, same_by_count, 18, "I", 60, TRUE);
  add_fruit(ts, same_by_count, 2, "II", 90, TRUE);
  add_fruit(ts, same_by_count, 1, "I", 60, FALSE);
  c = quality_check(ts, same_by_count, &rec);
  g_assert_cmpstr(json_string_value(json_object_get(c, "basis")), ==, "count");
  g_assert_null(json_object_get(c, "weightKg"));
  g_assert_cmpint(json_integer_value(json_object_get(c, "fruit")), ==, 2);
  g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(c, "percent")), 9.52, 1e-9);
  g_assert_true(json_is_true(json_object_get(c, "met")));
  json_decref(rec);

  /* The reverse: three small 55 mm fruit below class among 18 big sound 90 mm ones.  By
   * count 3 of 21 = 14.29 %: over.  By weight 3 * 0.5 * 55^3 / 1000 = 249.5625 g of
   * 249.5625 + 18 * 364.5 = 6810.5625 g is 3.66 %: within. */
  g_autoptr(PtGradingRow) small_by_weight = open_lot(ts, "tol-weight");
  add_fruit(ts, small_by_weight, 18, "I", 90, TRUE);
  add_fruit(ts, small_by_weight, 3, "II", 55, TRUE);
  c = quality_check(ts, small_by_weight, &rec);
  g_assert_cmpint(json_integer_value(json_object_get(c, "fruit")), ==, 3);
  g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(c, "weightKg")), 0.25, 1e-9);
  g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(c, "percent")), 3.66, 1e-9);
  g_assert_true(json_is_true(json_object_get(c, "met")));
  json_decref(rec);

  g_autoptr(PtGradingRow) small_by_count = open_lot(ts, "tol-count");
  add_fruit(ts, small_by_count, 18, "I", 90, TRUE);
  add_fruit(ts, small_by_count, 3, "II", 55, TRUE);
  c = quality_check(ts, small_by_count, &rec);
  g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(c, "percent")), 14.29, 1e-9);
  g_assert_false(json_is_true(json_object_get(c, "met")));
  json_decref(rec);

  /* No fruit weighed at all (no scale): a weight profile judges the lot by count and says so. */
  g_autoptr(PtGradingRow) unweighed = open_lot(ts, "tol-weight");
  add_fruit(ts, unweighed, 9, "I", 60, FALSE);
  add_fruit(ts, unweighed, 1, "II", 60, FALSE);
  c = quality_check(ts, unweighed, &rec);
  g_assert_cmpstr(json_string_value(json_object_get(c, "basis")), ==, "count");
  g_assert_cmpfloat_with_epsilon(json_real_value(json_object_get(c, "percent")), 10, 1e-9);
  json_decref(rec);
  g_unsetenv("PACKTRACE_PROFILES_DIR");
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/grading/feed", test_feed);
  g_test_add_func("/grading/substream-scale", test_substream_scale);
  g_test_add_func("/grading/close-refusals", test_close_refusals);
  g_test_add_func("/grading/tolerance-basis", test_tolerance_basis);
  return g_test_run();
}
