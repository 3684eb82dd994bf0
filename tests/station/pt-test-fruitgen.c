/* pt-test-fruitgen.c: writes the belt images test-grade.sh grades, rendered by fruitgen at
 * 0.3 mm/px (960 x 540 px = 288 x 162 mm of belt):
 *   good.png, good.jpg  three sound oranges of 66, 72 and 78 mm
 *   defect.png          a sound 70 mm orange, one with a 2 cm2 spot (Class II under
 *                       orange-unece) and one with a 4 cm2 spot (out of grade)
 *   small.png           one sound 48 mm orange (below the 53 mm minimum)
 *   disc.png            a flat grey 85 mm calibration disc beside an oval orange, at 0.25 mm/px
 *   portrait.jpg        a phone's portrait photo as the camera stores it: defect.png's three
 *                       oranges one above the other (a view 540 wide and 960 high, the 2 cm2
 *                       spot in the middle, the 4 cm2 one at the bottom), stored on its side
 *                       (960 x 540) with Exif orientation 6
 *   portrait.heic       the same portrait as an iPhone saves it: HEIC, stored on its side,
 *                       turned by the file's own transformation (only where libheif has an
 *                       HEVC encoder)
 *   pt-test-fruitgen DIR */
#include "fruitgen.h"

#include <stdio.h>

static gboolean
save(const FgScene *scene, const char *dir, const char *name, gboolean jpeg)
{
  g_autoptr(PtImage) image = fg_render(scene);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) bytes = NULL;

  if (jpeg) {
    bytes = pt_image_encode_jpeg(image, 92, &error);
    if (bytes && !g_file_set_contents(path, g_bytes_get_data(bytes, NULL),
                                      (gssize)g_bytes_get_size(bytes), &error))
      g_clear_pointer(&bytes, g_bytes_unref);
  } else if (pt_image_save_png(image, path, &error)) {
    return TRUE;
  }
  if (error != NULL) {
    fprintf(stderr, "pt-test-fruitgen: %s: %s\n", path, error->message);
    return FALSE;
  }
  return TRUE;
}

/* defect.png's three 70 mm oranges, sound, a 2 cm2 spot and a 4 cm2 one, left to right
 * across the belt, or top to bottom (@column) down a portrait view. */
static void
add_defect_row(FgScene *scene, gboolean column)
{
  static const double along[3] = {50, 142, 236}, spots[3] = {0, 200.0, 400.0};

  for (int i = 0; i < 3; i++) {
    FgFruit *f =
        fg_scene_add(scene, column ? 81 : along[i], column ? along[i] : 81, 70, 235, 135, 30);

    if (spots[i] > 0)
      fg_fruit_add_spot(f, i == 1 ? 0.1 : -0.1, 0.1, spots[i], 0.35);
  }
}

/* @scene's view stored on its side with Exif orientation 6, as a phone stores a portrait, as
 * @name, and as portrait.heic where HEIC can be encoded. */
static gboolean
save_portrait(const FgScene *scene, const char *dir, const char *name)
{
  g_autoptr(PtImage) upright = fg_render(scene);
  g_autoptr(PtImage) stored = fg_store_sideways(upright);
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) jpeg = pt_image_encode_jpeg(stored, 92, &error);
  g_autoptr(GBytes) tagged = jpeg ? fg_jpeg_add_exif(jpeg, TRUE, 6, 3, 1) : NULL;
  g_autoptr(GBytes) heic = fg_encode_heic(stored, 6);
  g_autofree char *heic_path = g_build_filename(dir, "portrait.heic", NULL);

  if (!tagged ||
      !g_file_set_contents(path, g_bytes_get_data(tagged, NULL), (gssize)g_bytes_get_size(tagged),
                           &error) ||
      (heic && !g_file_set_contents(heic_path, g_bytes_get_data(heic, NULL),
                                    (gssize)g_bytes_get_size(heic), &error))) {
    fprintf(stderr, "pt-test-fruitgen: %s\n", error->message);
    return FALSE;
  }
  return TRUE;
}

int
main(int argc, char **argv)
{
  FgScene scene;
  FgFruit *f;

  if (argc != 2) {
    fprintf(stderr, "usage: pt-test-fruitgen DIR\n");
    return 2;
  }
  fg_scene_init(&scene, 960, 540, 7);
  fg_scene_add(&scene, 50, 81, 66, 235, 135, 30);
  fg_scene_add(&scene, 142, 81, 72, 235, 135, 30);
  fg_scene_add(&scene, 236, 81, 78, 235, 135, 30);
  if (!save(&scene, argv[1], "good.png", FALSE) || !save(&scene, argv[1], "good.jpg", TRUE))
    return 1;

  fg_scene_init(&scene, 960, 540, 8);
  add_defect_row(&scene, FALSE);
  if (!save(&scene, argv[1], "defect.png", FALSE))
    return 1;

  fg_scene_init(&scene, 960, 540, 9);
  fg_scene_add(&scene, 144, 81, 48, 235, 135, 30);
  if (!save(&scene, argv[1], "small.png", FALSE))
    return 1;

  fg_scene_init(&scene, 960, 540, 10);
  scene.mm_per_px = 0.25;
  f = fg_scene_add(&scene, 70, 67, 85, 200, 200, 200);
  f->flat = TRUE;
  fg_scene_add(&scene, 170, 67, 66, 235, 135, 30)->length_mm = 80;
  if (!save(&scene, argv[1], "disc.png", FALSE))
    return 1;

  fg_scene_init(&scene, 540, 960, 8);
  add_defect_row(&scene, TRUE);
  return save_portrait(&scene, argv[1], "portrait.jpg") ? 0 : 1;
}
