/* pt-annotate.c: drawing results onto an RGB image and writing it as PNG,
 * for `packtrace grade --annotate`.
 *
 * Drawing is plain pixel work (Bresenham lines, rectangles) plus a built-in
 * 5x7 bitmap font of digits, capitals and a little punctuation; lower case
 * is drawn as capitals.  No fonts or cairo are needed on the station. */
#include "pt-internal.h"

#include <stdio.h>
#include <string.h>

/* Rows top to bottom, bit 4 is the leftmost column. */
static const struct {
  char c;
  guint8 rows[7];
} font[] = {
    {'0', {0x0e, 0x11, 0x13, 0x15, 0x19, 0x11, 0x0e}},
    {'1', {0x04, 0x0c, 0x04, 0x04, 0x04, 0x04, 0x0e}},
    {'2', {0x0e, 0x11, 0x01, 0x02, 0x04, 0x08, 0x1f}},
    {'3', {0x1f, 0x02, 0x04, 0x02, 0x01, 0x11, 0x0e}},
    {'4', {0x02, 0x06, 0x0a, 0x12, 0x1f, 0x02, 0x02}},
    {'5', {0x1f, 0x10, 0x1e, 0x01, 0x01, 0x11, 0x0e}},
    {'6', {0x06, 0x08, 0x10, 0x1e, 0x11, 0x11, 0x0e}},
    {'7', {0x1f, 0x01, 0x02, 0x04, 0x08, 0x08, 0x08}},
    {'8', {0x0e, 0x11, 0x11, 0x0e, 0x11, 0x11, 0x0e}},
    {'9', {0x0e, 0x11, 0x11, 0x0f, 0x01, 0x02, 0x0c}},
    {'A', {0x0e, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}},
    {'B', {0x1e, 0x11, 0x11, 0x1e, 0x11, 0x11, 0x1e}},
    {'C', {0x0e, 0x11, 0x10, 0x10, 0x10, 0x11, 0x0e}},
    {'D', {0x1c, 0x12, 0x11, 0x11, 0x11, 0x12, 0x1c}},
    {'E', {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x1f}},
    {'F', {0x1f, 0x10, 0x10, 0x1e, 0x10, 0x10, 0x10}},
    {'G', {0x0e, 0x11, 0x10, 0x17, 0x11, 0x11, 0x0f}},
    {'H', {0x11, 0x11, 0x11, 0x1f, 0x11, 0x11, 0x11}},
    {'I', {0x0e, 0x04, 0x04, 0x04, 0x04, 0x04, 0x0e}},
    {'J', {0x07, 0x02, 0x02, 0x02, 0x02, 0x12, 0x0c}},
    {'K', {0x11, 0x12, 0x14, 0x18, 0x14, 0x12, 0x11}},
    {'L', {0x10, 0x10, 0x10, 0x10, 0x10, 0x10, 0x1f}},
    {'M', {0x11, 0x1b, 0x15, 0x15, 0x11, 0x11, 0x11}},
    {'N', {0x11, 0x11, 0x19, 0x15, 0x13, 0x11, 0x11}},
    {'O', {0x0e, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}},
    {'P', {0x1e, 0x11, 0x11, 0x1e, 0x10, 0x10, 0x10}},
    {'Q', {0x0e, 0x11, 0x11, 0x11, 0x15, 0x12, 0x0d}},
    {'R', {0x1e, 0x11, 0x11, 0x1e, 0x14, 0x12, 0x11}},
    {'S', {0x0f, 0x10, 0x10, 0x0e, 0x01, 0x01, 0x1e}},
    {'T', {0x1f, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04}},
    {'U', {0x11, 0x11, 0x11, 0x11, 0x11, 0x11, 0x0e}},
    {'V', {0x11, 0x11, 0x11, 0x11, 0x11, 0x0a, 0x04}},
    {'W', {0x11, 0x11, 0x11, 0x15, 0x15, 0x15, 0x0a}},
    {'X', {0x11, 0x11, 0x0a, 0x04, 0x0a, 0x11, 0x11}},
    {'Y', {0x11, 0x11, 0x11, 0x0a, 0x04, 0x04, 0x04}},
    {'Z', {0x1f, 0x01, 0x02, 0x04, 0x08, 0x10, 0x1f}},
    {'.', {0x00, 0x00, 0x00, 0x00, 0x00, 0x0c, 0x0c}},
    {'-', {0x00, 0x00, 0x00, 0x1f, 0x00, 0x00, 0x00}},
    {':', {0x00, 0x0c, 0x0c, 0x00, 0x0c, 0x0c, 0x00}},
    {'/', {0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x00}},
    {'%', {0x18, 0x19, 0x02, 0x04, 0x08, 0x13, 0x03}},
    {'?', {0x0e, 0x11, 0x01, 0x02, 0x04, 0x00, 0x04}},
};

static const guint8 *
glyph(char c)
{
  if (c >= 'a' && c <= 'z')
    c = (char)(c - 'a' + 'A');
  for (guint i = 0; i < G_N_ELEMENTS(font); i++)
    if (font[i].c == c)
      return font[i].rows;
  return NULL;
}

static inline void
put(PtImage *img, int x, int y, const guint8 rgb[3])
{
  guint8 *p;

  if (x < 0 || y < 0 || x >= img->width || y >= img->height)
    return;
  p = img->pixels + (gsize)y * img->stride + (gsize)x * 3;
  p[0] = rgb[0];
  p[1] = rgb[1];
  p[2] = rgb[2];
}

static void
line(PtImage *img, int x0, int y0, int x1, int y1, const guint8 rgb[3], int thick)
{
  int dx = ABS(x1 - x0), dy = -ABS(y1 - y0);
  int sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1;
  int err = dx + dy;

  /* Outlines come from the grader and stay near the image, but a line is
   * still clipped to a margin so no input can make it run for long. */
  if (MAX(ABS(x0), ABS(x1)) > 4 * (img->width + img->height) ||
      MAX(ABS(y0), ABS(y1)) > 4 * (img->width + img->height))
    return;
  for (;;) {
    int e2 = 2 * err;

    for (int t = 0; t < thick; t++)
      for (int u = 0; u < thick; u++)
        put(img, x0 + t - thick / 2, y0 + u - thick / 2, rgb);
    if (x0 == x1 && y0 == y1)
      break;
    if (e2 >= dy) {
      err += dy;
      x0 += sx;
    }
    if (e2 <= dx) {
      err += dx;
      y0 += sy;
    }
  }
}

static void
rect(PtImage *img, int x, int y, int w, int h, const guint8 rgb[3])
{
  line(img, x, y, x + w, y, rgb, 1);
  line(img, x + w, y, x + w, y + h, rgb, 1);
  line(img, x + w, y + h, x, y + h, rgb, 1);
  line(img, x, y + h, x, y, rgb, 1);
}

void
pt_annotate_text(PtImage *image, int x, int y, const char *text, const guint8 rgb[3], int scale)
{
  static const guint8 shadow[3] = {0, 0, 0};

  scale = MAX(scale, 1);
  for (const char *c = text; *c != '\0'; c++, x += 6 * scale) {
    const guint8 *rows = glyph(*c);

    if (rows == NULL)
      continue;
    for (int r = 0; r < 7; r++)
      for (int b = 0; b < 5; b++) {
        if (!(rows[r] & (0x10 >> b)))
          continue;
        for (int u = 0; u < scale; u++)
          for (int v = 0; v < scale; v++) {
            /* A one-pixel shadow keeps text legible on any peel. */
            put(image, x + b * scale + u + 1, y + r * scale + v + 1, shadow);
            put(image, x + b * scale + u, y + r * scale + v, rgb);
          }
      }
  }
}

void
pt_annotate_draw(PtImage *image, const PtGradeResult *result)
{
  static const guint8 green[3] = {40, 230, 60}, yellow[3] = {250, 220, 0};
  static const guint8 red[3] = {255, 40, 40}, orange[3] = {255, 140, 0};
  static const guint8 white[3] = {255, 255, 255};
  int scale = image->width >= 1200 ? 3 : (image->width >= 500 ? 2 : 1);

  for (guint i = 0; i < result->n_fruit; i++) {
    const PtFruit *f = &result->fruit[i];
    const guint8 *col = f->partial ? yellow : (f->klass == PT_CLASS_OUT ? red : green);
    char label[64];
    int ty;

    for (guint k = 0; k < f->n_outline; k++) {
      const PtPoint *a = &f->outline[k], *b = &f->outline[(k + 1) % f->n_outline];

      line(image, (int)a->x, (int)a->y, (int)b->x, (int)b->y, col, scale);
    }
    for (guint k = 0; k < f->n_defects; k++) {
      const PtDefect *d = &f->defects[k];

      rect(image, d->x - 1, d->y - 1, d->width + 1, d->height + 1,
           d->kind == PT_DEFECT_RUSSET || d->kind == PT_DEFECT_SCAR ? orange : red);
    }
    if (f->partial)
      snprintf(label, sizeof label, "PARTIAL");
    else if (f->size_unknown)
      snprintf(label, sizeof label, "%s %u", pt_grade_class_to_string(f->klass), f->defect_count);
    else
      snprintf(label, sizeof label, "%s %s %.0fMM %u", pt_grade_class_to_string(f->klass),
               f->size_code[0] ? f->size_code : "-", f->diameter_mm, f->defect_count);
    ty = f->y - 9 * scale;
    if (ty < 0)
      ty = f->y + 2;
    pt_annotate_text(image, f->x, ty, label, f->partial ? yellow : white, scale);
  }
}

gboolean
pt_annotate_write_png(const PtFrame *frame, const PtGradeResult *result, const char *path,
                      GError **error)
{
  g_autoptr(PtImage) image = pt_image_new_from_frame(frame, error);

  if (image == NULL)
    return FALSE;
  pt_annotate_draw(image, result);
  return pt_image_save_png(image, path, error);
}
