/* fruitgen.h: renders synthetic belt frames with fruit of known size,
 * colour and defects, for the grading camera's demo footage (pt-demo.c) and the models/,
 * pipeline and station tests, benchmarks and fuzz corpus. */
#pragma once

#include "pt-models.h"

G_BEGIN_DECLS

#define FG_MAX_SPOTS 8
#define FG_MAX_FRUIT 16

typedef struct {
  double u, v;      /* centre, as a fraction of the semi-axes (-1..1) */
  double length_mm; /* round spot: its diameter; mark: its length */
  double width_mm;  /* 0 for a round spot */
  double angle;     /* mark direction in the image, radians */
  double darkness;  /* peel colour is multiplied by this (0..1) */
} FgSpot;

typedef struct {
  double cx_mm, cy_mm; /* centre on the belt */
  double diameter_mm;  /* short axis (equatorial diameter) */
  double length_mm;    /* long axis along x; 0 = round */
  guint8 rgb[3];       /* peel colour under full light */
  FgSpot spots[FG_MAX_SPOTS];
  guint n_spots;
  gboolean flat;    /* a flat disc (calibration target): no shading */
  gboolean sticker; /* a 20 x 14 mm white label with red print */
  double sticker_u, sticker_v;
} FgFruit;

typedef struct {
  int width, height;
  double mm_per_px;
  guint32 seed;
  double noise;       /* uniform noise amplitude, 0..255 */
  double light_slope; /* illumination changes by this share across x */
  gboolean dirt;      /* brown dirt specks on the belt */
  FgFruit fruit[FG_MAX_FRUIT];
  guint n_fruit;
} FgScene;

/* Fills @scene with a 0.3 mm/px belt of @width x @height, light varying
 * 30% across, noise 6 and dirt, and no fruit. */
void fg_scene_init(FgScene *scene, int width, int height, guint32 seed);

/* Adds a round fruit; returns it for spots and stickers. (transfer none) */
FgFruit *fg_scene_add(FgScene *scene, double cx_mm, double cy_mm, double diameter_mm, guint8 r,
                      guint8 g, guint8 b);

/* Adds a round spot of @area_mm2 on the fruit surface. */
void fg_fruit_add_spot(FgFruit *fruit, double u, double v, double area_mm2, double darkness);
/* Adds an elongated mark (an ellipse on the surface). */
void fg_fruit_add_mark(FgFruit *fruit, double u, double v, double length_mm, double width_mm,
                       double angle, double darkness);

/* Returns: (transfer full): the rendered frame. */
PtImage *fg_render(const FgScene *scene);

/* Renders @fruit alone, centred in a square just large enough for it, lit by @light (1 = full),
 * without noise; @coverage receives (transfer full) one byte per pixel, 0..255, the share of
 * the pixel the fruit covers, for compositing it onto a belt.  Returns: (transfer full). */
PtImage *fg_render_sprite(const FgFruit *fruit, double mm_per_px, double light, guint8 **coverage);

/* Composites @fruit's sprite (fg_render_sprite(), full light) onto @dst at (@x0, @y0), where
 * it must fit; returns the sprite's side in pixels. */
int fg_paste_sprite(PtImage *dst, const FgFruit *fruit, double mm_per_px, int x0, int y0);

/* Covers the part of a fruit drawn in @image (centre @cx, @cy, radius @r pixels) above @v_max
 * of its radius (-1 the top, 1 the bottom) with grainy white-grey spores of @level: mould as
 * pale as a light background. */
void fg_paint_mould_cap(PtImage *image, int cx, int cy, int r, double v_max, int level);

/* A phone's photo as its camera stores it.  Returns: (transfer full) @upright as the
 * sensor of a phone held upright for a portrait wrote it: turned a quarter anticlockwise,
 * which Exif orientation 6 turns back. */
PtImage *fg_store_sideways(const PtImage *upright);
/* Returns: (transfer full) @jpeg with an Exif segment (APP1) right after its SOI marker,
 * whose first directory holds one entry, the Orientation tag (0x0112) of @type (3, SHORT,
 * for a well-formed one), @count and value @orientation; the TIFF structure big-endian
 * ("MM") or little-endian ("II"). */
GBytes *fg_jpeg_add_exif(GBytes *jpeg, gboolean big, guint orientation, guint type, guint count);

/* Returns: (transfer full) @image encoded as HEIC (HEVC in HEIF, as an iPhone saves its
 * photos) whose file says to turn it by Exif-style @orientation (1 to 8) for viewing; NULL
 * when libheif has no HEVC encoder here. */
GBytes *fg_encode_heic(const PtImage *image, int orientation);

/* Returns: (transfer full): @image as an I420 buffer (Y, then U, then V);
 * fills @frame with a view of it. */
guint8 *fg_to_i420(const PtImage *image, PtFrame *frame);

G_END_DECLS
