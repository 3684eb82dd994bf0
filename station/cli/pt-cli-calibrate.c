/* pt-cli-calibrate.c: `packtrace calibrate IMAGE --reference disc|square --size-mm X`:
 * measures the grading camera's mm per pixel from a reference object of known size in a
 * still, and with --save writes it into station.ini [grading] mm_per_px. */
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-grading.h"
#include "pt-limits.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* A reference object is a coin or a printed target: 1 mm to 1 m. */
#define REFERENCE_MM_MIN 1.0
#define REFERENCE_MM_MAX 1000.0

int
pt_cmd_calibrate(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *reference = NULL, *size_text = NULL;
  gboolean save = FALSE;
  const GOptionEntry entries[] = {
      {"reference", 0, 0, G_OPTION_ARG_STRING, &reference,
       "Shape of the reference object: disc or square", "SHAPE"},
      {"size-mm", 0, 0, G_OPTION_ARG_STRING, &size_text,
       "Its width in mm (disc diameter, square side)", "X"},
      {"save", 0, 0, G_OPTION_ARG_NONE, &save,
       "Write the result into station.ini [grading] mm_per_px (comments kept)", NULL},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "IMAGE",
                    "Measure mm per pixel from a still (JPEG or PNG) of a disc or square of "
                    "known size lying on the belt at fruit height.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one image");
  PtReferenceShape shape;
  if (g_strcmp0(reference, "disc") == 0)
    shape = PT_REFERENCE_DISC;
  else if (g_strcmp0(reference, "square") == 0)
    shape = PT_REFERENCE_SQUARE;
  else
    return pt_cli_usage("--reference must be disc or square");
  char *end = NULL;
  double size_mm = size_text ? g_ascii_strtod(size_text, &end) : 0;
  if (!size_text || end == size_text || *end != '\0' || !isfinite(size_mm) ||
      size_mm < REFERENCE_MM_MIN || size_mm > REFERENCE_MM_MAX)
    return pt_cli_usage("--size-mm must be a number from %g to %g", REFERENCE_MM_MIN,
                        REFERENCE_MM_MAX);

  g_autoptr(GError) error = NULL;
  g_autoptr(GError) model_error = NULL;
  /* Open the station first when saving, so a bad data dir fails before the work. */
  g_autoptr(PtStation) station = save ? pt_cli_open(&common, &error) : NULL;
  if (save && !station)
    return pt_cli_fail(error);
  g_autoptr(PtImage) image = pt_image_load(argv[1], &model_error);
  PtFrame frame;
  double mm_per_px = 0;
  if (image)
    pt_image_as_frame(image, &frame);
  if (!image || !pt_calibrate_from_reference(&frame, shape, size_mm, &mm_per_px, &model_error)) {
    g_set_error(&error, PT_ERROR,
                g_error_matches(model_error, PT_MODELS_ERROR, PT_MODELS_ERROR_NOT_FOUND)
                    ? PT_ERROR_NOT_FOUND
                    : PT_ERROR_INVALID,
                "%s: %s", argv[1], model_error->message);
    return pt_cli_fail(error);
  }
  if (!(mm_per_px > 0 && mm_per_px <= PT_GRADE_MM_PER_PX_MAX)) {
    g_set_error(&error, PT_ERROR, PT_ERROR_INVALID, "%s: measured %g mm/px, outside 0..%d", argv[1],
                mm_per_px, PT_GRADE_MM_PER_PX_MAX);
    return pt_cli_fail(error);
  }
  /* Six significant digits: far finer than the measurement, stable in the file. */
  char text[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(text, sizeof text, "%.6g", mm_per_px);
  g_autofree char *ini = NULL;
  if (save) {
    ini = g_build_filename(station->dir, "station.ini", NULL);
    g_autoptr(GKeyFile) kf = pt_config_edit_open(ini, &error);
    if (!kf)
      return pt_cli_fail(error);
    g_key_file_set_string(kf, "grading", "mm_per_px", text);
    if (!pt_config_edit_save(kf, ini, &error))
      return pt_cli_fail(error);
  }
  if (common.json) {
    json_t *o = json_pack("{sssssfsfsb}", "image", argv[1], "reference", reference, "size_mm",
                          size_mm, "mm_per_px", g_ascii_strtod(text, NULL), "saved", save);
    pt_cli_print_json(o);
  } else {
    printf("%s mm/px (%s of %g mm in %s)\n", text, reference, size_mm, argv[1]);
    if (save)
      printf("saved to %s [grading] mm_per_px; `packtrace grade open` uses it from now on\n", ini);
  }
  return PT_EXIT_OK;
}
