/* pt-cli-grade.c: `packtrace grade IMAGE...` (grade still images, optionally onto a batch's
 * grading) and `packtrace grade open | close | show ID`. */
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-grading.h"
#include "pt-limits.h"
#include "pt-store-grading.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static gboolean
parse_mm_per_px(const char *text, double *out)
{
  char *end = NULL;
  *out = g_ascii_strtod(text, &end);
  return end != text && *end == '\0' && isfinite(*out) && *out > 0 && *out <= 100;
}

static gboolean
parse_roi(const char *text, PtRoi *roi)
{
  g_auto(GStrv) parts = g_strsplit(text, ",", -1);
  guint64 v[4];
  if (g_strv_length(parts) != 4)
    return FALSE;
  for (int i = 0; i < 4; i++)
    if (!g_ascii_string_to_unsigned(g_strstrip(parts[i]), 10, i < 2 ? 0 : 1, PT_IMAGE_MAX_SIDE,
                                    &v[i], NULL))
      return FALSE;
  *roi = (PtRoi){(int)v[0], (int)v[1], (int)v[2], (int)v[3]};
  return TRUE;
}

static json_t *
box_json(int x, int y, int w, int h)
{
  return json_pack("[iiii]", x, y, w, h);
}

static double
round_to(double v, double step)
{
  return round(v / step) * step;
}

static json_t *
fruit_json(const char *image, guint index, const PtFruit *f)
{
  json_t *defects = json_array();
  for (guint i = 0; i < f->n_defects; i++) {
    const PtDefect *d = &f->defects[i];
    json_array_append_new(
        defects, json_pack("{sssfsfso}", "kind", pt_defect_kind_to_string(d->kind), "area_mm2",
                           round_to(d->area_mm2, 0.1), "length_mm", round_to(d->length_mm, 0.1),
                           "box", box_json(d->x, d->y, d->width, d->height)));
  }
  json_t *o = json_pack(
      "{sssisssssfsfsfsfsfsfsisfsfsfsosbsossso}", "image", image, "index", (int)index, "class",
      pt_grade_class_to_string(f->klass), "size_code", f->size_code, "diameter_mm",
      round_to(f->diameter_mm, 0.01), "length_mm", round_to(f->length_mm, 0.01), "area_mm2",
      round_to(f->area_mm2, 0.1), "weight_g", round_to(f->weight_g, 0.1), "ripe_fraction",
      round_to(f->ripe_fraction, 0.001), "green_fraction", round_to(f->green_fraction, 0.001),
      "defect_count", (int)f->defect_count, "defect_area_mm2", round_to(f->defect_total_mm2, 0.1),
      "defect_largest_mm2", round_to(f->defect_largest_mm2, 0.1), "defect_longest_mm",
      round_to(f->defect_longest_mm, 0.1), "defects", defects, "partial", f->partial, "box",
      box_json(f->x, f->y, f->width, f->height), "rule", f->rule, "confidence",
      json_real(round_to(f->confidence, 0.001)));
  if (f->n_stickers)
    json_object_set_new(o, "stickers", json_integer(f->n_stickers));
  if (f->size_unknown) {
    /* No scale: nothing was sized, and defect sizes are on a fruit of nominal size. */
    static const char *unsized[] = {"diameter_mm", "length_mm", "area_mm2", "weight_g",
                                    "size_code"};
    for (guint i = 0; i < G_N_ELEMENTS(unsized); i++)
      json_object_set_new(o, unsized[i], json_null());
    json_object_set_new(o, "size", json_string("unknown"));
  }
  return o;
}

static void
print_fruit_text(const char *image, guint index, const PtFruit *f)
{
  if (f->size_unknown)
    printf("%s #%u  %-5s size unknown (no scale)  ripe %3.0f%% green %3.0f%%  ", image, index,
           pt_grade_class_to_string(f->klass), 100 * f->ripe_fraction, 100 * f->green_fraction);
  else
    printf("%s #%u  %-5s size %-4s %5.1f x %5.1f mm  %4.0f g  ripe %3.0f%% green %3.0f%%  ", image,
           index, pt_grade_class_to_string(f->klass), f->size_code[0] ? f->size_code : "-",
           f->diameter_mm, f->length_mm, f->weight_g, 100 * f->ripe_fraction,
           100 * f->green_fraction);
  if (f->defect_count)
    printf("defects %u (%.1f mm2, longest %.1f mm, %s)  ", f->defect_count, f->defect_total_mm2,
           f->defect_longest_mm, pt_defect_kind_to_string(f->defects[0].kind));
  else
    printf("no defects  ");
  printf("confidence %.2f  %s\n", f->confidence, f->rule);
}

/* OUT.png for one image; OUT-N.png (N from 1) for several. */
static char *
annotate_path(const char *out, guint n_images, guint i)
{
  if (n_images == 1)
    return g_strdup(out);
  const char *dot = strrchr(out, '.');
  const char *slash = strrchr(out, '/');
  if (!dot || (slash && dot < slash))
    return g_strdup_printf("%s-%u", out, i + 1);
  return g_strdup_printf("%.*s-%u%s", (int)(dot - out), out, i + 1, dot);
}

/* One `packtrace grade IMAGE...` run: the grader and what it collects over the images. */
typedef struct {
  gboolean json;
  PtGrader *grader;              /* (transfer none) */
  const PtGradeProfile *profile; /* (transfer none) */
  const PtRoi *rois;
  guint n_rois;
  const char *annotate; /* nullable: OUT.png */
  guint n_images;
  json_t *records;      /* --json: one object per fruit */
  const PtBatch *batch; /* nullable: --batch */
  int declared;         /* the grading's declared class (PtGradeClass) */
  GPtrArray *for_batch; /* (element-type PtTrackedFruit): what --batch records */
  guint n_stills;
  PtImageOrientation orientation; /* --orientation: a phone photo upright or as stored */
} GradeRun;

/* A box that lies outside a phone photo seen upright but inside it as stored was drawn on the
 * photo as stored (in a tool that ignores its Exif orientation): says so, and how to grade
 * it, rather than the grader's plain "outside the frame". */
static gboolean
check_rois_orientation(const GradeRun *run, const PtImage *image, int orientation, GError **error)
{
  if (orientation < 5 || run->orientation != PT_IMAGE_UPRIGHT)
    return TRUE;
  for (guint j = 0; j < run->n_rois; j++) {
    const PtRoi *r = &run->rois[j];
    gboolean fits_upright = r->x + r->width <= image->width && r->y + r->height <= image->height;
    gboolean fits_stored = r->x + r->width <= image->height && r->y + r->height <= image->width;

    if (!fits_upright && fits_stored) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "--roi %d,%d,%d,%d lies outside the photo as seen upright (%dx%d, turned by "
                  "its Exif orientation %d) but inside it as stored (%dx%d): for boxes drawn "
                  "on the photo as stored, grade with --orientation stored",
                  r->x, r->y, r->width, r->height, image->width, image->height, orientation,
                  image->height, image->width);
      return FALSE;
    }
  }
  return TRUE;
}

/* With --batch: the batch and its open grading, whose settings then rule (and which refuses
 * others).  A new grading is opened only once every image has graded, so a bad image leaves
 * nothing behind.  Returns: PT_EXIT_OK, or the exit after saying why. */
static int
open_batch(const PtCliCommon *common, const char *batch_id, const PtGradingSpec *spec,
           PtStation **station, PtStore **store, PtBatch **batch, PtGradingRow **grading)
{
  g_autoptr(GError) error = NULL;
  if (!(*station = pt_cli_open(common, &error)) || !(*store = pt_station_store(*station, &error)) ||
      !(*batch = pt_batch_lookup(*store, batch_id, &error)))
    return pt_cli_fail(error);
  if (!(*grading = pt_store_grading_get_open(*store, (*batch)->id, &error)) &&
      !g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND))
    return pt_cli_fail(error);
  g_clear_error(&error);
  if (*grading) {
    pt_grading_row_free(g_steal_pointer(grading));
    if (!(*grading = pt_grading_open(*station, *store, *batch, spec, TRUE, &error)))
      return pt_cli_fail(error);
  }
  return PT_EXIT_OK;
}

/* Keeps the stills of fruit below the declared class from @first on, up to the grading's
 * bound, and drops the others' at once, so memory stays bounded over many images. */
static void
keep_stills(GradeRun *run, guint first)
{
  for (guint j = first; j < run->for_batch->len; j++) {
    PtTrackedFruit *t = g_ptr_array_index(run->for_batch, j);
    if ((int)t->fruit.klass <= run->declared || run->n_stills >= PT_GRADE_STILLS_MAX)
      g_clear_pointer(&t->still, pt_image_free);
    else
      run->n_stills++;
  }
}

/* Grades image @i: prints or collects its fruit, writes its annotated copy, and with --batch
 * adds its fruit to what the batch records.  The loader's errors name the file already; the
 * others are prefixed with it here. */
static gboolean
grade_image(GradeRun *run, const char *path, guint i, GError **error)
{
  g_autofree char *name = g_path_get_basename(path);
  int orientation = 1;
  g_autoptr(PtImage) image = pt_image_load_oriented(path, run->orientation, &orientation, error);
  if (!image)
    return FALSE;
  if (!check_rois_orientation(run, image, orientation, error)) {
    g_prefix_error(error, "%s: ", path);
    return FALSE;
  }
  PtFrame frame;
  pt_image_as_frame(image, &frame);
  g_autoptr(PtGradeResult) result = NULL;
  if (run->batch) {
    /* Each image is one view of its fruit: a tracker per image turns them into records with
     * stills, without matching fruit across images. */
    PtFruitTrackerOptions options = {.keep_stills = TRUE};
    g_autoptr(PtFruitTracker) tracker = pt_fruit_tracker_new(run->profile, &options);
    guint first = run->for_batch->len;
    result = pt_fruit_tracker_grade(tracker, run->grader, &frame, run->rois, run->n_rois, 0, NULL,
                                    run->for_batch, error);
    if (result) {
      pt_fruit_tracker_flush(tracker, run->for_batch);
      keep_stills(run, first);
    }
  } else {
    result = pt_grader_grade(run->grader, &frame, run->rois, run->n_rois, error);
  }
  g_autofree char *out = run->annotate ? annotate_path(run->annotate, run->n_images, i) : NULL;
  if (!result || (out && !pt_annotate_write_png(&frame, result, out, error))) {
    g_prefix_error(error, "%s: ", path);
    return FALSE;
  }
  /* With ROIs the grader gives one record per ROI, in order: each keeps its ROI. */
  gboolean per_roi = run->n_rois > 0 && result->n_fruit == run->n_rois;
  for (guint j = 0; j < result->n_fruit; j++) {
    if (run->json) {
      json_t *o = fruit_json(name, j + 1, &result->fruit[j]);
      if (per_roi)
        json_object_set_new(
            o, "roi",
            box_json(run->rois[j].x, run->rois[j].y, run->rois[j].width, run->rois[j].height));
      json_array_append_new(run->records, o);
    } else
      print_fruit_text(name, j + 1, &result->fruit[j]);
  }
  return TRUE;
}

static void
print_run(const GradeRun *run, double mm_per_px, const PtGradingRow *grading)
{
  if (run->json) {
    json_t *o = json_pack("{sssosssO}", "profile", run->profile->name, "mm_per_px",
                          mm_per_px > 0 ? json_real(mm_per_px) : json_null(), "model_version",
                          pt_grader_version(), "fruit", run->records);
    if (grading) {
      json_object_set_new(o, "batch", json_string(run->batch->lot));
      json_object_set_new(o, "grading", json_integer(grading->id));
      json_object_set_new(o, "recorded", json_integer(run->for_batch->len));
    }
    pt_cli_print_json(o);
  } else if (grading) {
    printf("recorded %u fruit on grading %" G_GINT64_FORMAT " of batch %" G_GINT64_FORMAT
           " (lot %s)\n",
           run->for_batch->len, grading->id, run->batch->id, run->batch->lot);
  }
}

static int
grade_images(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *profile_name = NULL, *mm_text = NULL, *annotate = NULL, *batch_id = NULL,
                  *klass = NULL, *orientation_text = NULL;
  g_auto(GStrv) roi_texts = NULL;
  const GOptionEntry entries[] = {
      {"profile", 0, 0, G_OPTION_ARG_STRING, &profile_name,
       "Grade profile (default " PT_GRADE_DEFAULT_PROFILE ", or the batch grading's)", "NAME"},
      {"mm-per-px", 0, 0, G_OPTION_ARG_STRING, &mm_text,
       "Calibration, millimetres per pixel (default: none, size unknown; or the batch "
       "grading's)",
       "X"},
      {"roi", 0, 0, G_OPTION_ARG_STRING_ARRAY, &roi_texts,
       "A region holding one fruit (repeat for several)", "X,Y,W,H"},
      {"annotate", 0, 0, G_OPTION_ARG_FILENAME, &annotate,
       "Write the image with outlines, defects and grades (OUT-N.png for several images)",
       "OUT.png"},
      {"batch", 0, 0, G_OPTION_ARG_STRING, &batch_id,
       "Add the graded fruit to this batch's open grading (opened if none)", "ID"},
      {"class", 0, 0, G_OPTION_ARG_STRING, &klass,
       "Declared class when --batch opens a grading: Extra, I or II (default I)", "CLASS"},
      {"orientation", 0, 0, G_OPTION_ARG_STRING, &orientation_text,
       "A phone photo (a JPEG's Exif orientation, a HEIF file's turn) and its --roi boxes: "
       "upright, as viewers show it (default), or stored, as the camera wrote it",
       "upright|stored"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "IMAGE...",
                    "Grade the fruit in still images (JPEG, PNG or HEIF), one record per fruit.  "
                    "Also: packtrace grade open|close|show ID (see grade open --help).",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc < 2)
    return pt_cli_usage("expected at least one image");
  if (argc - 1 > PT_GRADE_IMAGES_MAX)
    return pt_cli_usage("at most %d images per run", PT_GRADE_IMAGES_MAX);
  double mm_per_px = 0;
  if (mm_text && !parse_mm_per_px(mm_text, &mm_per_px))
    return pt_cli_usage("--mm-per-px '%s' must be a number above 0 (and at most 100)", mm_text);
  guint n_rois = roi_texts ? g_strv_length(roi_texts) : 0;
  if (n_rois > PT_GRADE_ROIS_MAX)
    return pt_cli_usage("at most %d --roi", PT_GRADE_ROIS_MAX);
  g_autofree PtRoi *rois = g_new0(PtRoi, MAX(1, n_rois));
  for (guint i = 0; i < n_rois; i++)
    if (!parse_roi(roi_texts[i], &rois[i]))
      return pt_cli_usage("--roi '%s' is not X,Y,W,H in pixels", roi_texts[i]);
  if (klass && !batch_id)
    return pt_cli_usage("--class goes with --batch");
  gboolean stored = FALSE;
  if (orientation_text && !(stored = strcmp(orientation_text, "stored") == 0) &&
      strcmp(orientation_text, "upright") != 0)
    return pt_cli_usage("--orientation '%s' is upright or stored", orientation_text);

  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = NULL;
  g_autoptr(PtStore) store = NULL;
  g_autoptr(PtBatch) batch = NULL;
  g_autoptr(PtGradingRow) grading = NULL;
  PtGradingSpec spec = {.profile = profile_name, .mm_per_px = mm_per_px, .declared_class = klass};
  int rc = batch_id ? open_batch(&common, batch_id, &spec, &station, &store, &batch, &grading)
                    : PT_EXIT_OK;
  if (rc != PT_EXIT_OK)
    return rc;
  const char *use_profile =
      grading ? grading->profile : (profile_name ? profile_name : PT_GRADE_DEFAULT_PROFILE);
  /* A batch's grading records a calibration (the default one when none is given), which
   * grades its fruit; without --batch and --mm-per-px the size is unknown. */
  double use_mm = grading         ? grading->mm_per_px
                  : mm_per_px > 0 ? mm_per_px
                  : batch         ? PT_GRADE_DEFAULT_MM_PER_PX
                                  : 0;
  const char *use_class =
      grading ? grading->declared_class : (klass ? klass : PT_GRADE_DEFAULT_CLASS);
  g_autoptr(PtGradeProfile) profile = pt_grading_load_profile(use_profile, &error);
  if (!profile)
    return pt_cli_fail(error);
  g_autoptr(GError) model_error = NULL;
  g_autoptr(PtGrader) grader = use_mm > 0 ? pt_grader_new(profile, use_mm, &model_error)
                                          : pt_grader_new_unscaled(profile, &model_error);
  if (!grader) {
    g_set_error_literal(&error, PT_ERROR, PT_ERROR_INVALID, model_error->message);
    return pt_cli_fail(error);
  }

  g_autoptr(GPtrArray) for_batch = g_ptr_array_new_with_free_func(pt_tracked_fruit_free);
  GradeRun run = {
      .json = common.json,
      .grader = grader,
      .profile = profile,
      .rois = n_rois ? rois : NULL,
      .n_rois = n_rois,
      .annotate = annotate,
      .n_images = (guint)argc - 1,
      .records = json_array(),
      .batch = batch,
      .declared = strcmp(use_class, "Extra") == 0 ? PT_CLASS_EXTRA
                  : strcmp(use_class, "I") == 0   ? PT_CLASS_I
                                                  : PT_CLASS_II,
      .for_batch = for_batch,
      .orientation = stored ? PT_IMAGE_AS_STORED : PT_IMAGE_UPRIGHT,
  };
  for (guint i = 0; i < run.n_images && rc == PT_EXIT_OK; i++)
    if (!grade_image(&run, argv[i + 1], i, &model_error)) {
      fprintf(stderr, "packtrace: %s\n", model_error->message);
      rc = PT_EXIT_FAILED;
    }
  if (rc == PT_EXIT_OK && batch &&
      ((!grading && !(grading = pt_grading_open(station, store, batch, &spec, TRUE, &error))) ||
       !pt_grading_record(station, store, grading, "cli", for_batch, &error)))
    rc = pt_cli_fail(error);
  if (rc == PT_EXIT_OK)
    print_run(&run, use_mm, grading);
  json_decref(run.records);
  return rc;
}

static int
grade_open(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *profile_name = NULL, *mm_text = NULL, *klass = NULL;
  const GOptionEntry entries[] = {
      {"profile", 0, 0, G_OPTION_ARG_STRING, &profile_name,
       "Grade profile (default: station.ini [grading] profile, else " PT_GRADE_DEFAULT_PROFILE ")",
       "NAME"},
      {"mm-per-px", 0, 0, G_OPTION_ARG_STRING, &mm_text,
       "Calibration (default: station.ini [grading] mm_per_px, else 0.3)", "X"},
      {"class", 0, 0, G_OPTION_ARG_STRING, &klass, "Declared class: Extra, I or II (default I)",
       "CLASS"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "ID",
                    "Open grading on a batch (id or lot): the grading camera of `packtrace run` "
                    "and `grade --batch` add fruit to it until `grade close`.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one batch id or lot");
  double mm_per_px = 0;
  if (mm_text && !parse_mm_per_px(mm_text, &mm_per_px))
    return pt_cli_usage("--mm-per-px '%s' must be a number above 0 (and at most 100)", mm_text);
  g_autoptr(GError) error = NULL;
  g_auto(PtGradingSettings) settings = {0};
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  if (!station || !pt_grading_settings_load(station->config, &settings, &error))
    return pt_cli_fail(error);
  /* Unset options take station.ini's [grading] profile and mm_per_px. */
  PtGradingSpec spec = {.profile = profile_name ? profile_name : settings.profile,
                        .mm_per_px = mm_text ? mm_per_px : settings.mm_per_px,
                        .declared_class = klass};
  g_autoptr(PtStore) store = pt_station_store(station, &error);
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  g_autoptr(PtGradingRow) grading =
      batch ? pt_grading_open(station, store, batch, &spec, FALSE, &error) : NULL;
  if (!grading)
    return pt_cli_fail(error);
  if (common.json) {
    json_t *o = pt_grading_to_json(store, grading, &error);
    if (!o)
      return pt_cli_fail(error);
    pt_cli_print_json(o);
  } else {
    printf("grading %" G_GINT64_FORMAT " open on batch %" G_GINT64_FORMAT
           " (lot %s): %s, class %s, %g mm/px\n",
           grading->id, batch->id, batch->lot, grading->profile, grading->declared_class,
           grading->mm_per_px);
  }
  return PT_EXIT_OK;
}

static int
grade_close(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "ID",
                    "Close a batch's grading: writes the signed inspecting event, conformant or "
                    "non_conformant by the profile's lot tolerances.",
                    NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one batch id or lot");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  PtEventRow row = {0};
  if (!batch || !pt_grading_close(station, store, batch, &row, &error))
    return pt_cli_fail(error);
  json_t *e = pt_event_row_to_json(&row, &error);
  pt_event_row_clear(&row);
  if (!e)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(e);
    return PT_EXIT_OK;
  }
  json_t *ev = json_object_get(e, "event");
  printf("batch %" G_GINT64_FORMAT " (lot %s): %" JSON_INTEGER_FORMAT " fruit graded, %s\n",
         batch->id, batch->lot, json_integer_value(json_object_get(ev, "pt:fruitCount")),
         json_string_value(json_object_get(ev, "disposition")));
  printf("inspecting event %s\n", json_string_value(json_object_get(ev, "eventID")));
  json_decref(e);
  return PT_EXIT_OK;
}

static int
grade_show(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "ID", "Show a batch's open (else latest) grading.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one batch id or lot");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  g_autoptr(PtGradingRow) grading =
      batch ? pt_store_grading_get_newest(store, batch->id, &error) : NULL;
  if (batch && !grading && !error)
    g_set_error(&error, PT_ERROR, PT_ERROR_NOT_FOUND, "batch %s has never been graded", batch->lot);
  json_t *o = grading ? pt_grading_to_json(store, grading, &error) : NULL;
  if (!o)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(o);
    return PT_EXIT_OK;
  }
  printf("grading %" G_GINT64_FORMAT " of batch %" G_GINT64_FORMAT " (lot %s): %s\n", grading->id,
         batch->id, batch->lot, json_string_value(json_object_get(o, "state")));
  printf("  profile       %s, class %s, %g mm/px, %s\n", grading->profile, grading->declared_class,
         grading->mm_per_px, grading->model_version);
  printf("  fruit         %" JSON_INTEGER_FORMAT "\n",
         json_integer_value(json_object_get(o, "fruitCount")));
  const char *key;
  json_t *value;
  printf("  grades       ");
  json_object_foreach(json_object_get(o, "gradeDistribution"), key, value)
      printf(" %s %" JSON_INTEGER_FORMAT, key, json_integer_value(value));
  printf("\n  sizes        ");
  json_object_foreach(json_object_get(o, "sizeDistribution"), key, value)
      printf(" %s:%" JSON_INTEGER_FORMAT, key, json_integer_value(value));
  printf("\n");
  size_t i;
  json_array_foreach(json_object_get(o, "tolerances"), i, value)
  {
    printf("  tolerance     %s: %.2f%% (limit %g%%) %s\n",
           json_string_value(json_object_get(value, "check")),
           json_real_value(json_object_get(value, "percent")),
           json_real_value(json_object_get(value, "limitPercent")),
           json_is_true(json_object_get(value, "met")) ? "met" : "EXCEEDED");
  }
  if (grading->closed_ns)
    printf("  disposition   %s (event %s)\n", grading->disposition, grading->event_id);
  json_decref(o);
  return PT_EXIT_OK;
}

int
pt_cmd_grade(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (sub && (strcmp(sub, "open") == 0 || strcmp(sub, "close") == 0 || strcmp(sub, "show") == 0)) {
    g_autofree char *name = g_strdup_printf("grade %s", sub);
    argv[1] = name;
    if (strcmp(sub, "open") == 0)
      return grade_open(argc - 1, argv + 1);
    if (strcmp(sub, "close") == 0)
      return grade_close(argc - 1, argv + 1);
    return grade_show(argc - 1, argv + 1);
  }
  return grade_images(argc, argv);
}
