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
  return o;
}

static void
print_fruit_text(const char *image, guint index, const PtFruit *f)
{
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

static int
grade_images(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *profile_name = NULL, *mm_text = NULL, *annotate = NULL, *batch_id = NULL,
                  *klass = NULL;
  g_auto(GStrv) roi_texts = NULL;
  const GOptionEntry entries[] = {
      {"profile", 0, 0, G_OPTION_ARG_STRING, &profile_name,
       "Grade profile (default " PT_GRADE_DEFAULT_PROFILE ", or the batch grading's)", "NAME"},
      {"mm-per-px", 0, 0, G_OPTION_ARG_STRING, &mm_text,
       "Calibration, millimetres per pixel (default 0.3, or the batch grading's)", "X"},
      {"roi", 0, 0, G_OPTION_ARG_STRING_ARRAY, &roi_texts,
       "A region holding one fruit (repeat for several)", "X,Y,W,H"},
      {"annotate", 0, 0, G_OPTION_ARG_FILENAME, &annotate,
       "Write the image with outlines, defects and grades (OUT-N.png for several images)",
       "OUT.png"},
      {"batch", 0, 0, G_OPTION_ARG_STRING, &batch_id,
       "Add the graded fruit to this batch's open grading (opened if none)", "ID"},
      {"class", 0, 0, G_OPTION_ARG_STRING, &klass,
       "Declared class when --batch opens a grading: Extra, I or II (default I)", "CLASS"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "IMAGE...",
                    "Grade the fruit in still images (JPEG or PNG), one record per fruit.  "
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

  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = NULL;
  g_autoptr(PtStore) store = NULL;
  g_autoptr(PtBatch) batch = NULL;
  g_autoptr(PtGradingRow) grading = NULL;
  PtGradingSpec spec = {.profile = profile_name, .mm_per_px = mm_per_px, .declared_class = klass};
  if (batch_id) {
    if (!(station = pt_cli_open(&common, &error)) || !(store = pt_station_store(station, &error)) ||
        !(batch = pt_batch_lookup(store, batch_id, &error)))
      return pt_cli_fail(error);
    /* An open grading decides the settings (and refuses others) now; a new one is opened only
     * once every image has graded, so a bad image leaves nothing behind. */
    if (!(grading = pt_store_grading_get_open(store, batch->id, &error)) &&
        !g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND))
      return pt_cli_fail(error);
    g_clear_error(&error);
    if (grading) {
      pt_grading_row_free(g_steal_pointer(&grading));
      if (!(grading = pt_grading_open(station, store, batch, &spec, TRUE, &error)))
        return pt_cli_fail(error);
    }
  }
  const char *use_profile =
      grading ? grading->profile : (profile_name ? profile_name : PT_GRADE_DEFAULT_PROFILE);
  double use_mm =
      grading ? grading->mm_per_px : (mm_per_px > 0 ? mm_per_px : PT_GRADE_DEFAULT_MM_PER_PX);
  const char *use_class =
      grading ? grading->declared_class : (klass ? klass : PT_GRADE_DEFAULT_CLASS);
  g_autoptr(PtGradeProfile) profile = pt_grading_load_profile(use_profile, &error);
  if (!profile)
    return pt_cli_fail(error);
  g_autoptr(GError) model_error = NULL;
  g_autoptr(PtGrader) grader = pt_grader_new(profile, use_mm, &model_error);
  if (!grader) {
    g_set_error_literal(&error, PT_ERROR, PT_ERROR_INVALID, model_error->message);
    return pt_cli_fail(error);
  }

  int declared = strcmp(use_class, "Extra") == 0 ? PT_CLASS_EXTRA
                 : strcmp(use_class, "I") == 0   ? PT_CLASS_I
                                                 : PT_CLASS_II;
  PtFruitTrackerOptions options = {.keep_stills = batch != NULL};
  g_autoptr(GPtrArray) for_batch = g_ptr_array_new_with_free_func(pt_tracked_fruit_free);
  guint n_stills = 0;
  json_t *records = json_array();
  guint n_images = (guint)argc - 1;
  for (guint i = 0; i < n_images; i++) {
    const char *path = argv[i + 1];
    g_autofree char *name = g_path_get_basename(path);
    g_autoptr(PtImage) image = pt_image_load(path, &model_error);
    PtFrame frame;
    /* The loader's errors name the file already; the grader's do not. */
    gboolean name_it = image != NULL;
    if (image) {
      pt_image_as_frame(image, &frame);
      g_autoptr(PtGradeResult) result =
          pt_grader_grade(grader, &frame, n_rois ? rois : NULL, n_rois, &model_error);
      g_autofree char *out = annotate ? annotate_path(annotate, n_images, i) : NULL;
      if (result && (!out || pt_annotate_write_png(&frame, result, out, &model_error))) {
        for (guint j = 0; j < result->n_fruit; j++) {
          if (common.json)
            json_array_append_new(records, fruit_json(name, j + 1, &result->fruit[j]));
          else
            print_fruit_text(name, j + 1, &result->fruit[j]);
        }
        if (batch) {
          /* Each image is one view of its fruit: a tracker per image turns them into
           * records with stills, without matching fruit across images. */
          g_autoptr(PtFruitTracker) tracker = pt_fruit_tracker_new(profile, &options);
          guint first = for_batch->len;
          pt_fruit_tracker_push(tracker, &frame, result, 0, NULL, for_batch);
          pt_fruit_tracker_flush(tracker, for_batch);
          /* Keep only the stills that will be saved, so memory stays bounded. */
          for (guint j = first; j < for_batch->len; j++) {
            PtTrackedFruit *t = g_ptr_array_index(for_batch, j);
            if ((int)t->fruit.klass <= declared || n_stills >= PT_GRADE_STILLS_MAX)
              g_clear_pointer(&t->still, pt_image_free);
            else
              n_stills++;
          }
        }
        continue;
      }
    }
    json_decref(records);
    fprintf(stderr, "packtrace: %s%s%s\n", name_it ? path : "", name_it ? ": " : "",
            model_error->message);
    return PT_EXIT_FAILED;
  }

  if (batch &&
      ((!grading && !(grading = pt_grading_open(station, store, batch, &spec, TRUE, &error))) ||
       !pt_grading_record(station, store, grading, "cli", for_batch, &error))) {
    json_decref(records);
    return pt_cli_fail(error);
  }
  if (common.json) {
    json_t *o = json_pack("{sssfsssO}", "profile", profile->name, "mm_per_px", use_mm,
                          "model_version", pt_grader_version(), "fruit", records);
    if (grading) {
      json_object_set_new(o, "batch", json_string(batch->lot));
      json_object_set_new(o, "grading", json_integer(grading->id));
      json_object_set_new(o, "recorded", json_integer(for_batch->len));
    }
    pt_cli_print_json(o);
  } else if (grading) {
    printf("recorded %u fruit on grading %" G_GINT64_FORMAT " of batch %" G_GINT64_FORMAT
           " (lot %s)\n",
           for_batch->len, grading->id, batch->id, batch->lot);
  }
  json_decref(records);
  return PT_EXIT_OK;
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
