/* eval-sets.c: writes the small labelled sets test-eval-formats.sh scores with eval-real,
 * rendered by fruitgen (sprites at 0.3 mm/px pasted on a light box's black and on light
 * paper): sound oranges, oranges with a 25 mm dark spot and oranges under a cap of white
 * mould, each defect large enough that the grader finds it, so sensitivity and specificity
 * are known to be 1.
 *   DIR/yolo-txt   piles of three oranges and a yellow fruit a photo: images/pile-N.png,
 *                  labels/pile-N.txt (some lines with a confidence), classes.txt
 *                  (fresh_orange, rotten_orange, fresh_banana)
 *   DIR/yolo-yaml  the same photos, data.yaml (Healthy, mouldy, decayed, discount)
 *   DIR/csv        one orange a photo, filling 71% of its width, the mouldy ones on black:
 *                  images/, grades.csv (a header row, sell, throwaway and a discount, a quoted
 *                  name with a comma, a blank line, CRLF line ends)
 *   DIR/folders    the csv set's photos in class folders: sell/, throwaway/, discount/
 *   DIR/csv-small  the same fruit filling 22% of a larger photo's width
 *   DIR/voc-phone-upright, DIR/voc-phone-stored
 *                  portrait phone photos on black (a view 320 wide and 960 high, a sound,
 *                  a spotted and a mouldy orange one above the other), stored on their side
 *                  with Exif orientation 6 as a phone stores them: images/phone-N.jpg, and
 *                  annotations/phone-N.xml with the boxes drawn on the upright view (its size
 *                  320 x 960) or, as a tool that ignores the orientation draws them, on the
 *                  photo as stored (960 x 320)
 *   eval-sets DIR */
#include "fruitgen.h"

#include <stdio.h>
#include <string.h>

#define MM_PER_PX 0.3
#define DIAMETER  60.0

enum { SOUND, SPOT, MOULD, YELLOW };

static const guint8 orange_rgb[3] = {235, 135, 30}, yellow_rgb[3] = {230, 200, 60};

/* Pastes a fruit of @kind at (@x0, @y0); returns its box in @box. */
static void
paste_fruit(PtImage *dst, int kind, int x0, int y0, PtRoi *box)
{
  FgFruit fruit = {.diameter_mm = DIAMETER};
  const guint8 *rgb = kind == YELLOW ? yellow_rgb : orange_rgb;
  int side;

  memcpy(fruit.rgb, rgb, 3);
  if (kind == SPOT)
    fruit.spots[fruit.n_spots++] =
        (FgSpot){.u = -0.15, .v = 0.1, .length_mm = 25, .darkness = 0.35};
  side = fg_paste_sprite(dst, &fruit, MM_PER_PX, x0, y0);
  if (kind == MOULD)
    fg_paint_mould_cap(dst, x0 + side / 2, y0 + side / 2, side / 2, -0.2, 232);
  *box = (PtRoi){x0, y0, side, side};
}

static gboolean
save(const PtImage *image, const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!pt_image_save_png(image, path, &error)) {
    fprintf(stderr, "eval-sets: %s\n", error->message);
    return FALSE;
  }
  return TRUE;
}

static gboolean
write_text(const char *dir, const char *name, const char *text)
{
  g_autofree char *path = g_build_filename(dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents(path, text, -1, &error)) {
    fprintf(stderr, "eval-sets: %s\n", error->message);
    return FALSE;
  }
  return TRUE;
}

static char *
mkdirs(const char *root, const char *set, const char *sub)
{
  char *dir = g_build_filename(root, set, sub, NULL);

  g_mkdir_with_parents(dir, 0755);
  return dir;
}

/* Four piles (two on black, two on paper), three oranges (sound, spot, mould, in turn) and a
 * yellow fruit each, with both sets' label files. */
static gboolean
write_yolo(const char *root)
{
  static const char *txt_class[4] = {"0", "1", "1", "2"}, *yaml_class[4] = {"0", "2", "1", "3"};
  g_autofree char *txt_images = mkdirs(root, "yolo-txt", "images");
  g_autofree char *txt_labels = mkdirs(root, "yolo-txt", "labels");
  g_autofree char *yaml_images = mkdirs(root, "yolo-yaml", "images");
  g_autofree char *yaml_labels = mkdirs(root, "yolo-yaml", "labels");
  g_autofree char *txt_root = g_build_filename(root, "yolo-txt", NULL);
  g_autofree char *yaml_root = g_build_filename(root, "yolo-yaml", NULL);
  const int width = 1240, height = 320;

  for (int n = 0; n < 4; n++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtImage) image = pt_image_new(width, height, &error);
    g_autoptr(GString) txt = g_string_new(NULL);
    g_autoptr(GString) yaml = g_string_new(NULL);
    g_autofree char *png = g_strdup_printf("pile-%d.png", n + 1);
    g_autofree char *labels = g_strdup_printf("pile-%d.txt", n + 1);

    memset(image->pixels, n < 2 ? 8 : 236, (gsize)image->stride * image->height);
    for (int i = 0; i < 4; i++) {
      int kind = i == 3 ? YELLOW : (i + n) % 3;
      PtRoi b;
      char v[4][G_ASCII_DTOSTR_BUF_SIZE];

      paste_fruit(image, kind, 40 + 300 * i, 50 + 10 * i, &b);
      g_ascii_formatd(v[0], sizeof v[0], "%.6f", (b.x + b.width / 2.0) / width);
      g_ascii_formatd(v[1], sizeof v[1], "%.6f", (b.y + b.height / 2.0) / height);
      g_ascii_formatd(v[2], sizeof v[2], "%.6f", (double)b.width / width);
      g_ascii_formatd(v[3], sizeof v[3], "%.6f", (double)b.height / height);
      /* A detector's output carries a confidence: every other line has one. */
      g_string_append_printf(txt, "%s %s %s %s %s%s\n", txt_class[kind], v[0], v[1], v[2], v[3],
                             i % 2 ? " 0.87" : "");
      g_string_append_printf(yaml, "%s %s %s %s %s\n", yaml_class[kind], v[0], v[1], v[2], v[3]);
    }
    if (!save(image, txt_images, png) || !save(image, yaml_images, png) ||
        !write_text(txt_labels, labels, txt->str) || !write_text(yaml_labels, labels, yaml->str))
      return FALSE;
  }
  return write_text(txt_root, "classes.txt", "fresh_orange\nrotten_orange\nfresh_banana\n") &&
         write_text(yaml_root, "data.yaml",
                    "path: .\ntrain: images\nval: images\nnc: 4\nnames:\n  0: Healthy\n"
                    "  1: mouldy\n  2: decayed\n  3: discount\n");
}

/* One fruit a photo: @side x @side pixels, the fruit at its middle; with @folders
 * (nullable) the same photos kept in class folders, @folders/LABEL/. */
static gboolean
write_csv(const char *root, const char *set, int side, const char *folders)
{
  /* Even photos on black, odd ones on paper; the mould only on black: white mould on paper
   * of its own lightness, through a ROI the photo's size, is left as background today. */
  static const int kinds[9] = {SOUND, SPOT, MOULD, SOUND, SOUND, SPOT, MOULD, SOUND, SPOT};
  g_autofree char *images = mkdirs(root, set, "images");
  g_autofree char *dir = g_build_filename(root, set, NULL);
  g_autoptr(GString) csv = g_string_new("photo,grade\r\n");

  for (int i = 0; i < 9; i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtImage) image = pt_image_new(side, side, &error);
    /* The ninth, with its spot, people graded "discount": not scored. */
    const char *label = i == 8 ? "discount" : kinds[i] == SOUND ? "sell" : "throwaway";
    g_autofree char *png =
        i == 4 ? g_strdup("lot 3, tray 1.png") : g_strdup_printf("fruit-%d.png", i + 1);
    int sprite = (int)(DIAMETER / MM_PER_PX) + 4;
    PtRoi b;

    memset(image->pixels, i % 2 ? 236 : 8, (gsize)image->stride * image->height);
    paste_fruit(image, kinds[i], (side - sprite) / 2, (side - sprite) / 2, &b);
    if (!save(image, images, png))
      return FALSE;
    if (folders) {
      g_autofree char *class_dir = mkdirs(root, folders, label);

      if (!save(image, class_dir, png))
        return FALSE;
    }
    /* Paths as people write them: beside the CSV, or by name in images/, quoted. */
    if (i == 4)
      g_string_append_printf(csv, "\"%s\",%s\r\n\r\n", png, label);
    else if (i % 3 == 0)
      g_string_append_printf(csv, "images/%s,%s\r\n", png, label);
    else
      g_string_append_printf(csv, "%s, \"%s\"\r\n", png, label);
  }
  return write_text(dir, "grades.csv", csv->str);
}

/* Two portrait phone photos, stored on their side with Exif orientation 6, and their VOC
 * annotations in both frames. */
static gboolean
write_phone(const char *root)
{
  static const char *labels[3] = {"fresh_orange", "rotten_orange", "rotten_orange"};
  const int width = 320, height = 960;
  g_autofree char *up_images = mkdirs(root, "voc-phone-upright", "images");
  g_autofree char *up_ann = mkdirs(root, "voc-phone-upright", "annotations");
  g_autofree char *st_images = mkdirs(root, "voc-phone-stored", "images");
  g_autofree char *st_ann = mkdirs(root, "voc-phone-stored", "annotations");

  for (int n = 0; n < 2; n++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtImage) image = pt_image_new(width, height, &error);
    g_autoptr(PtImage) stored = NULL;
    g_autoptr(GBytes) jpeg = NULL;
    g_autoptr(GBytes) tagged = NULL;
    g_autofree char *name = g_strdup_printf("phone-%d.jpg", n + 1);
    g_autofree char *xml = g_strdup_printf("phone-%d.xml", n + 1);
    g_autoptr(GString) up = g_string_new(NULL);
    g_autoptr(GString) st = g_string_new(NULL);

    memset(image->pixels, 8, (gsize)image->stride * image->height);
    g_string_append_printf(up,
                           "<annotation><filename>%s</filename><size><width>%d</width>"
                           "<height>%d</height><depth>3</depth></size>\n",
                           name, width, height);
    g_string_append_printf(st,
                           "<annotation><filename>%s</filename><size><width>%d</width>"
                           "<height>%d</height><depth>3</depth></size>\n",
                           name, height, width);
    for (int i = 0; i < 3; i++) {
      int kind = (i + n) % 3;
      PtRoi b;

      paste_fruit(image, kind, 50 + 10 * n, 60 + 300 * i, &b);
      g_string_append_printf(up,
                             "<object><name>%s</name><bndbox><xmin>%d</xmin><ymin>%d</ymin>"
                             "<xmax>%d</xmax><ymax>%d</ymax></bndbox></object>\n",
                             labels[kind], b.x, b.y, b.x + b.width, b.y + b.height);
      /* Upright (x, y) is stored at (y, width - 1 - x). */
      g_string_append_printf(st,
                             "<object><name>%s</name><bndbox><xmin>%d</xmin><ymin>%d</ymin>"
                             "<xmax>%d</xmax><ymax>%d</ymax></bndbox></object>\n",
                             labels[kind], b.y, width - b.x - b.width, b.y + b.height, width - b.x);
    }
    g_string_append(up, "</annotation>\n");
    g_string_append(st, "</annotation>\n");
    stored = fg_store_sideways(image);
    if (!(jpeg = pt_image_encode_jpeg(stored, 92, &error))) {
      fprintf(stderr, "eval-sets: %s\n", error->message);
      return FALSE;
    }
    tagged = fg_jpeg_add_exif(jpeg, n == 0, 6, 3, 1);
    for (int f = 0; f < 2; f++) {
      g_autofree char *path = g_build_filename(f ? st_images : up_images, name, NULL);

      if (!g_file_set_contents(path, g_bytes_get_data(tagged, NULL),
                               (gssize)g_bytes_get_size(tagged), &error)) {
        fprintf(stderr, "eval-sets: %s\n", error->message);
        return FALSE;
      }
    }
    if (!write_text(up_ann, xml, up->str) || !write_text(st_ann, xml, st->str))
      return FALSE;
  }
  return TRUE;
}

int
main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: eval-sets DIR\n");
    return 2;
  }
  return write_yolo(argv[1]) && write_csv(argv[1], "csv", 280, "folders") &&
                 write_csv(argv[1], "csv-small", 900, NULL) && write_phone(argv[1])
             ? 0
             : 1;
}
