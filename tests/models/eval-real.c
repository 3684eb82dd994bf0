/* eval-real.c: scores the grader on labelled real photos, the way `packtrace grade IMAGE
 * --roi X,Y,W,H` grades them: each box is one ROI, graded with the command's defaults
 * (profile orange-unece, no scale: size unknown) and, with --mm-per-px, once more at that
 * scale.  Four layouts of DIR, found in this order (or named by --layout), the one found
 * said on the first line printed (photos N.jpg, .jpeg, .png, .heic or .heif, in either case):
 *   Pascal VOC  DIR/annotations/N.xml beside DIR/images/N.jpg (or VOC's own Annotations/ and
 *               JPEGImages/);
 *   YOLO        DIR/labels/N.txt beside DIR/images/N.jpg: a line "class cx cy w h" per box,
 *               normalised to 0..1 (a sixth column, a confidence, is ignored), class names
 *               from DIR/classes.txt, DIR/obj.names (one a line) or DIR/data.yaml (names: a
 *               list on one line, a block list or a block map "0: name"), in DIR or the folder
 *               above it; or an export's splits, DIR/train/labels/ beside DIR/train/images/ and
 *               so on, each photo shown as SPLIT/N.jpg;
 *   CSV         the one .csv file in DIR (or --csv FILE): image,label a row, the image relative to
 *               the CSV's folder or its images/ folder; a header row (second cell "label" or
 *               "class", or a label of no other row and no image) and blank lines skipped;
 *   folders     class folders, DIR/LABEL/N.jpg, or under splits, DIR/SPLIT/LABEL/N.jpg, each
 *               photo labelled with its folder's name.
 *               A CSV's or class folders' photo holds one fruit: graded through one ROI, the
 *               whole photo, as `packtrace grade IMAGE --roi 0,0,W,H` grades it, or with
 *               --csv-whole graded whole (`packtrace grade IMAGE`), the largest fruit found
 *               its record.
 * Bad input (a missing or unreadable image, a malformed line, a class index out of range)
 * exits 2 with the file and line.
 *
 *   eval-real [DIR] [--profile NAME] [--mm-per-px X] [--floor BA] [--class-floor BA]
 *             [--all-records] [--dump FILE]
 *             [--box-scale K] [--box-shift F] [--layout voc|yolo|csv|folders] [--csv FILE]
 *             [--csv-whole] [--sound LABELS] [--defective LABELS]
 *   eval-real [DIR] --on-black [--on-black-roi] [--background L] [--square K]
 *             [--gloss ring|strips|panel] [--gloss-level F] [--mirror F] [--top-light F]
 *             [--floor BA] [--class-floor BA]
 *             [--all-records] [--dump FILE]
 *   eval-real [DIR] --whole [--floor RECALL] [--dump FILE]
 * and with any of these: [--exposure F] [--white-balance K] [--resize F] [--stretch K]
 *             [--blur S] [--noise S] [--sharpen A] [--jpeg Q] [--every N] [--misses DIR]
 *             [--orientation upright|stored] [--blemish spot|scar|oleo|sooty [--blemish-share S]]
 *
 * DIR defaults to $PACKTRACE_SHARED/data/fruit-freshness.
 *
 * Labels: a label is sound when one of its words (split on _ - and space, any case) is fresh,
 * sound, good, healthy, sell or ok, defective when one is rotten, rot, mould, mold, mouldy,
 * moldy, bad, defect, defective, damaged, decay, decayed, throwaway, throw, discard or reject;
 * --sound and --defective (comma lists of whole labels) put the labels they name on that
 * side.  Others ("normal_orange", "discount": in between) are graded and shown by label but
 * not scored: --defective discount (or --sound discount) scores them.  A label naming a
 * fruit (orange, apple, kiwi, mandarin, banana, ...) counts only when that is the profile's
 * fruit (a mandarin, tangerine or clementine is the orange profile's citrus); a label naming
 * none counts.  A box counts as called
 * defective when its record's class is II or out or it carries a defect; a box without a
 * record counts as called sound.  Prints boxes, boxes without a record, sensitivity,
 * specificity, balanced accuracy, the same without the size verdicts (class out for a
 * diameter below the minimum rests on the calibration, which photos lack), the same by the
 * class alone (II or out defective, as a sorter's discount or throwaway; a defect within
 * class I's limits is then sound), the classes given per label and the confusion by defect kind:
 * what made each box defective (its largest defect's kind, size, or colour) or "sound".  --floor,
 * --class-floor (the balanced accuracy by class alone) and --all-records judge the run without
 * a scale.  --box-scale K scales every box about its
 * centre, --box-shift F then moves box number i (in file order, counting every box) by F of its
 * width and height in the i mod 8th compass direction (E, SE, S, SW, W, NW, N, NE; diagonals by F
 * in all, F/sqrt 2 along each axis) and clips it to the image: boxes drawn off the fruit's centre,
 * every side alike.  --on-black grades each box as a light box photographs one fruit: the ellipse
 * inscribed in the box (the fruit's outline, roughly, where boxes are drawn tight) pasted at
 * the middle of a near-black square twice the box's size, graded as a whole photo (no ROI);
 * the largest fruit found is the box's record; --background L makes the square a grey (240 a
 * white light box), --on-black-roi grades it through one ROI, the whole square, and --square K
 * sets the square's side to K times the box's larger side (under 1 the square cuts the fruit,
 * as a close-up does); --gloss mirrors a light box's lamps in the pasted fruit's peel
 * (eval_variant_gloss ()): a ring light's ring, two strip lights' bars or a panel's broad
 * patch, --gloss-level F their light at its middle (0.7 of full scale; a broad lamp's
 * reflection is dimmer, EVAL_GLOSS_LEVEL); --mirror F stands the fruit on a glossy black floor that
 * mirrors it, F times as bright (mirror_in_floor ()); --top-light F lights it from above, its
 * lowest point at 1 - F of the light (eval_variant_light_from_above ()).  The photos can be taken
 * otherwise (eval-variants.h):
 * --exposure F multiplies the linear-light RGB by F, --white-balance K is a scene lit at K kelvin
 * by a camera balanced for 6500 K (3200 tungsten: warm; 9000 shade: cool), --resize F scales the
 * photo and its boxes, --stretch K scales them K times more across (round fruit become oblate,
 * as a mandarin seen from its side is), --blur S is a Gaussian of S pixels, --noise S Gaussian
 * noise of S 8-bit levels, --sharpen A a phone's unsharp mask of the luma (its detail times A)
 * and --jpeg Q a re-encoding at quality Q; with --on-black the pasted square is what is taken
 * otherwise, as the light box's photo, and its lamps are mirrored in the light it is taken in
 * (so a sensor clips their light and the peel's together).  The first heading names them.
 * --blemish KIND paints KIND (eval_variant_blemish ()) over --blemish-share S (0.01) of the
 * face of every second sound box's fruit, which then counts as defective, and leaves the set's
 * defective boxes out: the run asks whether the grader finds a packing line's blemish (a dark
 * spot, a healed scar, oleocellosis, sooty mould) on the set's own peel and light, beside the
 * same sound fruit unpainted.  It paints the photo as taken: with --on-black before the light
 * box's camera takes it, and not with --whole or another camera through boxes.
 * --every N grades every Nth photo only (a quicker run).  --misses DIR writes each sound box
 * called defective, and each defective box not put in class II or out, as DIR/PHOTO-X,Y-LABEL.png:
 * the frame as graded (the photo, or the light box's square), outlines, defects and classes drawn
 * over it.  A phone's photo with an Exif orientation is read upright, as viewers and labelling
 * tools show it (pt-image-io.h), and its boxes taken as drawn on that view; --orientation stored
 * reads every photo as stored instead.  A VOC annotation whose size is the photo's as stored,
 * turned from its upright view, was drawn in a tool that ignores the orientation: that
 * photo is read as stored, and a line on stderr says so.  Exits 77 when
 * DIR is absent; 1 when --floor, --class-floor or --all-records is not met. */
#include "eval-formats.h"
#include "eval-variants.h"
#include "pt-annotate.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define N_OUTCOMES 6 /* Extra, I, II, out, not graded, no record */

static const char *outcome_names[N_OUTCOMES] = {"Extra", "I", "II", "out", "none", "norec"};

/* Why a box was called defective: its largest defect's kind (PtDefectKind), then these. */
#define N_CAUSES     (PT_DEFECT_SCAR + 4)
#define CAUSE_SIZE   (PT_DEFECT_SCAR + 1)
#define CAUSE_COLOUR (PT_DEFECT_SCAR + 2)
#define CAUSE_SOUND  (PT_DEFECT_SCAR + 3)

typedef struct {
  char *name;
  guint n;
  guint outcome[N_OUTCOMES];
  guint called_defective;
  guint out_by_size;
  guint cause[N_CAUSES];
} LabelStats;

/* One Pascal VOC file's boxes, as read by the GMarkup parser. */
typedef struct {
  GString *text;
  char *name;
  int v[4]; /* xmin, ymin, xmax, ymax */
  GArray *boxes;
  int size[2]; /* the photo's width and height as its boxes were drawn (0: not given) */
} Voc;

static void
voc_start(GMarkupParseContext *ctx, const char *element, const char **names, const char **values,
          gpointer data, GError **error)
{
  Voc *voc = data;

  (void)ctx;
  (void)names;
  (void)values;
  (void)error;
  g_string_truncate(voc->text, 0);
  if (strcmp(element, "object") == 0) {
    g_clear_pointer(&voc->name, g_free);
    memset(voc->v, 0, sizeof voc->v);
  }
}

static void
voc_text(GMarkupParseContext *ctx, const char *text, gsize len, gpointer data, GError **error)
{
  Voc *voc = data;

  (void)ctx;
  (void)error;
  g_string_append_len(voc->text, text, (gssize)len);
}

static void
voc_end(GMarkupParseContext *ctx, const char *element, gpointer data, GError **error)
{
  static const char *keys[4] = {"xmin", "ymin", "xmax", "ymax"};
  Voc *voc = data;
  const char *parent = g_markup_parse_context_get_element_stack(ctx)->next
                           ? g_markup_parse_context_get_element_stack(ctx)->next->data
                           : "";

  (void)error;
  if (strcmp(element, "name") == 0 && strcmp(parent, "object") == 0) {
    g_free(voc->name);
    voc->name = g_strstrip(g_strdup(voc->text->str));
  }
  for (int k = 0; k < 4; k++)
    if (strcmp(element, keys[k]) == 0)
      voc->v[k] = (int)g_ascii_strtod(voc->text->str, NULL);
  if (strcmp(parent, "size") == 0 &&
      (strcmp(element, "width") == 0 || strcmp(element, "height") == 0))
    voc->size[element[0] == 'h'] = (int)g_ascii_strtod(voc->text->str, NULL);
  if (strcmp(element, "object") == 0 && voc->name) {
    EvalBox b = {g_strdup(voc->name),
                 {voc->v[0], voc->v[1], voc->v[2] - voc->v[0], voc->v[3] - voc->v[1]}};

    g_array_append_val(voc->boxes, b);
  }
}

/* The boxes of VOC file @path into @boxes, and into @size the width and height of the photo
 * they were drawn on (0 when the file does not say). */
static gboolean
read_voc(const char *path, GArray *boxes, int size[2], GError **error)
{
  static const GMarkupParser parser = {voc_start, voc_end, voc_text, NULL, NULL};
  g_autofree char *xml = NULL;
  gsize len;
  Voc voc = {g_string_new(NULL), NULL, {0}, boxes, {0, 0}};
  GMarkupParseContext *ctx;
  gboolean ok;

  if (!g_file_get_contents(path, &xml, &len, error))
    return FALSE;
  ctx = g_markup_parse_context_new(&parser, 0, &voc, NULL);
  ok = g_markup_parse_context_parse(ctx, xml, (gssize)len, error) &&
       g_markup_parse_context_end_parse(ctx, error);
  g_markup_parse_context_free(ctx);
  g_string_free(voc.text, TRUE);
  g_free(voc.name);
  size[0] = voc.size[0];
  size[1] = voc.size[1];
  return ok;
}

static LabelStats *
stats_for(GPtrArray *stats, const char *label)
{
  LabelStats *s;

  for (guint i = 0; i < stats->len; i++) {
    s = g_ptr_array_index(stats, i);
    if (strcmp(s->name, label) == 0)
      return s;
  }
  s = g_new0(LabelStats, 1);
  s->name = g_strdup(label);
  g_ptr_array_add(stats, s);
  return s;
}

static void
stats_free(gpointer data)
{
  LabelStats *s = data;

  g_free(s->name);
  g_free(s);
}

/* --box-scale: every ROI box scaled about its centre by this before it is graded, to see how
 * the scores hold when boxes are drawn looser or tighter than this set's annotators drew them. */
static double box_scale = 1.0;

static void
scale_roi(PtRoi *r, double k)
{
  double cx = r->x + r->width / 2.0, cy = r->y + r->height / 2.0;
  double w = r->width * k, h = r->height * k;

  r->x = (int)lround(cx - w / 2);
  r->y = (int)lround(cy - h / 2);
  r->width = (int)lround(w);
  r->height = (int)lround(h);
}

/* --box-shift: every ROI box moved off its centre by this share of its size, the direction
 * cycling through the eight compass points by the box's index so that no side is favoured. */
static double box_shift = 0.0;

static void
shift_roi(PtRoi *r, double f, guint index)
{
  static const int dirs[8][2] = {{1, 0},  {1, 1},   {0, 1},  {-1, 1},
                                 {-1, 0}, {-1, -1}, {0, -1}, {1, -1}};
  const int *d = dirs[index % 8];
  double norm = d[0] != 0 && d[1] != 0 ? G_SQRT2 : 1.0;

  r->x += (int)lround(d[0] * f * r->width / norm);
  r->y += (int)lround(d[1] * f * r->height / norm);
}

/* Clamps a box to the image (annotations sometimes reach one pixel past it). */
static gboolean
clamp_roi(PtRoi *r, int width, int height)
{
  int x1 = MIN(width, r->x + r->width), y1 = MIN(height, r->y + r->height);

  r->x = MAX(0, r->x);
  r->y = MAX(0, r->y);
  r->width = x1 - r->x;
  r->height = y1 - r->y;
  return r->width >= 4 && r->height >= 4;
}

/* --exposure, --white-balance, --resize, --blur, --noise, --jpeg: the photos taken otherwise. */
static EvalVariant variant = EVAL_VARIANT_NONE;

/* --on-black: each box pasted on a black square and graded as a whole photo; with
 * --background L the square is that grey (0 to 255) instead, and with --on-black-roi it is
 * graded through one ROI, the square, as `packtrace grade IMAGE --roi 0,0,W,H` grades a
 * light box photo. */
static gboolean on_black = FALSE, on_black_roi = FALSE;
static int on_black_level = 10;
/* --square K: the square's side as a multiple of the box's larger side (below 1 the photo's
 * edges cut the fruit: a close-up). */
static double on_black_square = 2.0;
/* --gloss ring|strips|panel: the light box's lamps mirrored in the pasted fruit (eval-variants.h).
 */
static EvalGloss on_black_gloss = EVAL_GLOSS_NONE;
/* --gloss-level F: the light a lamp mirrored adds at its middle, as a share of full scale. */
static double on_black_gloss_level = EVAL_GLOSS_LEVEL;
static double on_black_mirror = 0.0;
static double on_black_top = 0.0;
/* The pasted ellipse's axes as a share of the box's sides: a box drawn tight touches its
 * fruit at four points, and its sides take in paper and neighbours near the corners that a
 * light box would not show; at 0.95 of the box they are left out, the fruit's rim with
 * them. */
#define ON_BLACK_ELLIPSE 0.95

/* --mirror F: a glossy floor (black acrylic, as light boxes for products have) mirrors the
 * fruit standing on it, seen from the side: the fruit of centre (@cx, @cy) and semi-axes
 * @rx, @ry (pixels of @image) reflected about its lowest point's horizontal, F times as bright
 * there and fading over its height, added to the black round it. */
static void
mirror_in_floor(PtImage *image, double cx, double cy, double rx, double ry)
{
  double floor_y = cy + 0.8 * ry;

  for (int y = (int)ceil(cy); y < image->height; y++)
    for (int x = MAX(0, (int)floor(cx - rx)); x <= MIN(image->width - 1, (int)ceil(cx + rx)); x++) {
      double u = (x + 0.5 - cx) / rx, v = (y + 0.5 - cy) / ry;
      double src_y = 2 * floor_y - (y + 0.5), sv = (src_y - cy) / ry;
      double fade = on_black_mirror * exp(-(y + 0.5 - floor_y) / (2 * ry));
      int sy = (int)floor(src_y);
      guint8 *px = image->pixels + (gsize)y * image->stride + 3 * x;
      const guint8 *from = image->pixels + (gsize)sy * image->stride + 3 * x;

      /* Inside the fruit, or outside its mirror image. */
      if (u * u + v * v <= 1.0 || u * u + sv * sv > 1.0 || sy < 0 || sy >= image->height)
        continue;
      for (int k = 0; k < 3; k++)
        px[k] = (guint8)CLAMP(lround(px[k] + fade * from[k]), 0, 255);
    }
}

/* The ellipse inscribed in @roi of @image, at the middle of a square twice its larger side
 * whose other pixels are a light box's black, or on_black_level's grey (a little noise, as
 * a sensor gives). */
static PtImage *
paste_on_black(const PtImage *image, const PtRoi *roi, double fruit[4], GError **error)
{
  /* Within the grader's largest frame once --resize scales it (a 24 MP square), the margin
   * of black narrowed for a large box rather than the box left out. */
  int cap =
      (int)(sqrt((double)PT_IMAGE_MAX_PIXELS) / (variant.resize * MAX(1.0, variant.stretch))) - 1;
  int box = MAX(roi->width, roi->height), want = (int)lround(on_black_square * box);
  int side = MAX(MIN(want, cap), MIN(want, box));
  int ox = (side - roi->width) / 2, oy = (side - roi->height) / 2;
  double rx = roi->width * ON_BLACK_ELLIPSE / 2.0, ry = roi->height * ON_BLACK_ELLIPSE / 2.0;
  PtImage *out = pt_image_new(side, side, error);
  guint32 noise = 2463534242u;

  if (!out)
    return NULL;
  fruit[0] = ox + roi->width / 2.0;
  fruit[1] = oy + roi->height / 2.0;
  fruit[2] = rx;
  fruit[3] = ry;
  for (int y = 0; y < side; y++) {
    guint8 *row = out->pixels + (gsize)y * out->stride;

    for (int x = 0; x < side; x++) {
      double dx = (x - ox + 0.5 - roi->width / 2.0) / rx,
             dy = (y - oy + 0.5 - roi->height / 2.0) / ry;
      guint8 *px = row + 3 * x;

      if (dx * dx + dy * dy <= 1.0) {
        const guint8 *src =
            image->pixels + (gsize)(roi->y + y - oy) * image->stride + 3 * (roi->x + x - ox);
        memcpy(px, src, 3);
        continue;
      }
      noise ^= noise << 13; /* xorshift32 */
      noise ^= noise >> 17;
      noise ^= noise << 5;
      px[0] = px[1] = (guint8)CLAMP(on_black_level + (int)(noise % 7) - 3, 0, 253);
      px[2] = (guint8)(px[0] + 2);
    }
  }
  if (on_black_top > 0)
    eval_variant_light_from_above(out, on_black_top, fruit[0], fruit[1], rx, ry);
  /* Taken otherwise, the lamps are mirrored in grade_box () under the light the photo is taken
   * in: a sensor clips the lamp's light and the peel's together, in the light's colour.  They
   * then escape the variant's blur, noise and JPEG, and the glossy floor's mirror, which no
   * run here combines with lamps. */
  if (!eval_variant_active(&variant))
    eval_variant_gloss(out, on_black_gloss, on_black_gloss_level, NULL, fruit[0], fruit[1], rx, ry);
  if (on_black_mirror > 0)
    mirror_in_floor(out, fruit[0], fruit[1], rx, ry);
  return out;
}

/* --every N: only photos whose index is a multiple of N are graded. */
static int every = 1;

/* The seed of the noise added to @name (and a box of it): fixed, so runs repeat, and the
 * photo's own, so it does not change with --every or with the photos before it. */
static guint32
variant_seed(const char *name, const PtRoi *roi)
{
  return g_str_hash(name) ^ (roi ? (guint32)roi->x * 73856093u ^ (guint32)roi->y * 19349663u : 0);
}

/* --csv-whole: each photo of a CSV set graded whole, as `packtrace grade IMAGE` grades it,
 * rather than through one ROI the photo's size. */
static gboolean csv_whole = FALSE;

/* --blemish KIND [--blemish-share S]: every second sound box gets KIND painted over S of its
 * fruit's face (eval_variant_blemish ()) and counts as defective; the other sound boxes stay
 * sound, and the set's defective boxes are left out, so that the run asks only whether the
 * grader finds that blemish on this set's peel. */
static EvalBlemish blemish = EVAL_BLEMISH_NONE;
static char *blemish_name = NULL;
static double blemish_share = 0.01;

/* --sound, --defective: whole labels put on that side, before the words of a label. */
static char **sound_labels, **defective_labels;

/* --misses DIR: where the annotated frame of each box called wrongly is written. */
static char *misses_dir;

/* --orientation: how a photo with an Exif orientation is read (pt-image-io.h). */
static PtImageOrientation orientation = PT_IMAGE_UPRIGHT;

/* Writes @graded with @result drawn over it to --misses DIR, named after the photo, the box
 * and its label, when the box of @side (< 0 sound, > 0 defective) was called the other way:
 * a sound box @defective, or a defective one not in class II or out (@low_class), the
 * measure by class alone, which a defect within class I's limits also misses. */
static void
write_miss(const PtFrame *graded, const PtGradeResult *result, const char *file, const PtRoi *roi,
           const char *label, int side, gboolean defective, gboolean low_class)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *stem = NULL, *name = NULL, *path = NULL;
  const char *dot = strrchr(file, '.');

  if (!misses_dir || side == 0 || (side < 0 && !defective) || (side > 0 && low_class))
    return;
  /* The photo's name without its extension, a split's or class folder's "/" made "-". */
  stem = dot && !strchr(dot, '/') ? g_strndup(file, (gsize)(dot - file)) : g_strdup(file);
  g_strdelimit(stem, "/", '-');
  name = g_strdup_printf("%s-%d,%d-%s.png", stem, roi->x, roi->y, label);
  path = g_build_filename(misses_dir, name, NULL);
  if (!pt_annotate_write_png(graded, result, path, &error))
    fprintf(stderr, "eval-real: %s\n", error->message);
}

/* Grades one box of @side (eval_label_side ()); writes its outcome index and whether it is
 * called defective. */
static gboolean
grade_box(PtGrader *grader, const PtImage *image, const PtFrame *frame, const PtRoi *roi, int side,
          int *outcome, gboolean *defective, gboolean *peel_defective, gboolean *by_size,
          int *cause, FILE *dump, const char *file, const char *label, GError **error)
{
  g_autoptr(PtGradeResult) result = NULL;
  g_autoptr(PtImage) pasted = NULL;
  const PtFrame *graded = frame;
  PtFrame black;
  const PtFruit *f;

  if (on_black || csv_whole) {

    if (on_black) {
      double fruit[4];

      if (!(pasted = paste_on_black(image, roi, fruit, error)))
        return FALSE;
      if (eval_variant_active(&variant)) {
        PtImage *taken = eval_variant_apply(&variant, pasted, variant_seed(file, roi), error);
        double light[3], fx = variant.resize * variant.stretch, fy = variant.resize;

        if (!taken)
          return FALSE;
        pt_image_free(pasted);
        pasted = taken;
        eval_variant_light(&variant, light);
        eval_variant_gloss(pasted, on_black_gloss, on_black_gloss_level, light, fruit[0] * fx,
                           fruit[1] * fy, fruit[2] * fx, fruit[3] * fy);
      }
      pt_image_as_frame(pasted, &black);
      graded = &black;
    }
    if (on_black_roi) {
      PtRoi square = {0, 0, black.width, black.height};

      result = pt_grader_grade(grader, &black, &square, 1, error);
    } else
      result = pt_grader_grade(grader, on_black ? &black : frame, NULL, 0, error);
    /* The largest fruit found is the box's: the grader may also find a sliver of a
     * neighbour that the ellipse kept, or a speck of the light box's floor. */
    for (guint k = 1; result && k < result->n_fruit; k++)
      if ((gint64)result->fruit[k].width * result->fruit[k].height >
          (gint64)result->fruit[0].width * result->fruit[0].height) {
        PtFruit t = result->fruit[0];

        result->fruit[0] = result->fruit[k];
        result->fruit[k] = t;
      }
  } else
    result = pt_grader_grade(grader, frame, roi, 1, error);
  if (!result)
    return FALSE;
  *cause = CAUSE_SOUND;
  if (result->n_fruit == 0) {
    *outcome = N_OUTCOMES - 1;
    *defective = *peel_defective = *by_size = FALSE;
    if (dump)
      fprintf(dump, "%s %d,%d,%d,%d %s norec\n", file, roi->x, roi->y, roi->width, roi->height,
              label);
    write_miss(graded, result, file, roi, label, side, FALSE, FALSE);
    return TRUE;
  }
  f = &result->fruit[0];
  *outcome = f->klass == PT_CLASS_NONE ? 4 : (int)f->klass;
  *defective = f->klass == PT_CLASS_II || f->klass == PT_CLASS_OUT || f->defect_count > 0;
  /* The size verdict rests on the calibration, which photos lack: also scored without it. */
  *by_size = f->klass == PT_CLASS_OUT && g_str_has_prefix(f->rule, "size ");
  *peel_defective = *by_size ? f->defect_count > 0 : *defective;
  if (f->n_defects > 0)
    *cause = (int)f->defects[0].kind;
  else if (*by_size)
    *cause = CAUSE_SIZE;
  else if (*defective)
    *cause = CAUSE_COLOUR;
  if (dump)
    fprintf(dump, "%s %d,%d,%d,%d %s %s d=%.1f defects=%u area=%.1f kind=%s (%s)\n", file, roi->x,
            roi->y, roi->width, roi->height, label, pt_grade_class_to_string(f->klass),
            f->diameter_mm, f->defect_count, f->defect_total_mm2,
            f->n_defects ? pt_defect_kind_to_string(f->defects[0].kind) : "-", f->rule);
  write_miss(graded, result, file, roi, label, side, *defective,
             f->klass == PT_CLASS_II || f->klass == PT_CLASS_OUT);
  return TRUE;
}

typedef enum { LAYOUT_VOC, LAYOUT_YOLO, LAYOUT_CSV, LAYOUT_FOLDERS } Layout;

static const char *layout_names[] = {"Pascal VOC", "YOLO", "CSV", "class folders"};

/* One labelled set and what scoring it needs. */
typedef struct {
  const char *root;
  Layout layout;
  GPtrArray *photos;  /* EvalPhoto, in file order */
  GPtrArray *classes; /* YOLO: the class names */
  const PtGradeProfile *profile;
} Set;

/* Whether @set's photos hold one fruit each and no box: a CSV's or class folders'. */
static gboolean
one_fruit_a_photo(const Set *set)
{
  return set->layout == LAYOUT_CSV || set->layout == LAYOUT_FOLDERS;
}

/* Photo @i of @set: its image (NULL after saying why), its boxes into @boxes and its file
 * name into @jpg_out. */
static PtImage *
load_photo(const Set *set, guint i, GArray *boxes, char **jpg_out)
{
  const EvalPhoto *photo = g_ptr_array_index(set->photos, i);
  g_autoptr(GError) error = NULL;
  PtImage *image = NULL;
  int size[2], exif = 1;

  *jpg_out = g_strdup(photo->name);
  switch (set->layout) {
  case LAYOUT_VOC:
    if (!read_voc(photo->where, boxes, size, &error) ||
        !(image = pt_image_load_oriented(photo->image, orientation, &exif, &error))) {
      g_autofree char *xml_name = g_path_get_basename(photo->where);

      fprintf(stderr, "eval-real: %s: %s\n", xml_name, error->message);
    } else if (exif >= 5 && orientation == PT_IMAGE_UPRIGHT && size[0] == image->height &&
               size[1] == image->width) {
      /* The annotation's size is the photo's as stored, turned from its upright view: its
       * boxes were drawn in a tool that ignores the Exif orientation. */
      fprintf(stderr, "eval-real: %s: boxes drawn on the photo as stored (%dx%d), graded so\n",
              photo->name, size[0], size[1]);
      pt_image_free(image);
      if (!(image = pt_image_load_oriented(photo->image, PT_IMAGE_AS_STORED, NULL, &error)))
        fprintf(stderr, "eval-real: %s: %s\n", photo->name, error->message);
    }
    break;
  case LAYOUT_YOLO:
    if (!(image = pt_image_load_oriented(photo->image, orientation, NULL, &error)))
      fprintf(stderr, "eval-real: %s: %s\n", photo->where, error->message);
    else if (!eval_read_yolo(photo->where, set->classes, image->width, image->height, boxes,
                             &error)) {
      fprintf(stderr, "eval-real: %s\n", error->message);
      g_clear_pointer(&image, pt_image_free);
    }
    break;
  case LAYOUT_CSV:
  case LAYOUT_FOLDERS:
    if (!(image = pt_image_load_oriented(photo->image, orientation, NULL, &error)))
      fprintf(stderr, "eval-real: %s: %s\n", photo->where, error->message);
    else {
      /* One fruit a photo: the box is the photo. */
      EvalBox b = {g_strdup(photo->label), {0, 0, image->width, image->height}};

      g_array_append_val(boxes, b);
    }
    break;
  }
  /* A light box's photo is the pasted square, taken otherwise in grade_box(). */
  if (image && !on_black && eval_variant_active(&variant)) {
    PtImage *taken = eval_variant_apply(&variant, image, variant_seed(photo->name, NULL), &error);

    pt_image_free(image);
    if (!(image = taken))
      fprintf(stderr, "eval-real: %s: %s\n", photo->name, error->message);
    for (guint b = 0; image && b < boxes->len; b++)
      eval_variant_scale_roi(&variant, &g_array_index(boxes, EvalBox, b).roi);
  }
  return image;
}

/* Grades every sound or defective box of @set with @grader and prints the table under @title.
 * Returns the balanced accuracy (-1 on error) and the boxes without a record. */
static double
score(const Set *set, PtGrader *grader, const char *title, FILE *dump, guint *norec,
      double *class_ba)
{
  static const char *cause_names[N_CAUSES] = {"dark spot", "bruise", "mould",  "russet", "cut",
                                              "scar",      "size",   "colour", "sound"};
  g_autoptr(GPtrArray) stats = g_ptr_array_new_with_free_func(stats_free);
  g_autoptr(GError) error = NULL;
  guint n_boxes = 0, box_index = 0, n_norec = 0, tp = 0, fn = 0, tn = 0, fp = 0, n_sound = 0;
  guint ptp = 0, pfn = 0, ptn = 0, pfp = 0, ctp = 0, cfn = 0, ctn = 0, cfp = 0;
  double sens, spec, ba;

  for (guint i = 0; i < set->photos->len; i += (guint)every) {
    g_autofree char *jpg = NULL;
    g_autoptr(GArray) boxes = eval_boxes_new();
    g_autoptr(PtImage) image = load_photo(set, i, boxes, &jpg);
    PtFrame frame;

    if (!image)
      return -1;
    pt_image_as_frame(image, &frame);
    for (guint b = 0; b < boxes->len; b++) {
      EvalBox *box = &g_array_index(boxes, EvalBox, b);
      int side = eval_label_side(box->label, sound_labels, defective_labels);
      gboolean fresh, rotten;
      g_autoptr(PtImage) painted = NULL;
      g_autofree char *painted_label = NULL;
      const char *label = box->label;
      const PtImage *shown = image;
      PtFrame painted_frame;
      gboolean defective = FALSE, peel_defective = FALSE, by_size = FALSE, low_class;
      int outcome = N_OUTCOMES - 1, cause = CAUSE_SOUND;
      LabelStats *s;

      /* Only the labels of this set's fruit kind: the profile grades one. */
      if (box_scale != 1.0)
        scale_roi(&box->roi, box_scale);
      if (box_shift != 0.0)
        shift_roi(&box->roi, box_shift, box_index);
      box_index++;
      if (!eval_label_is_ours(box->label, set->profile->fruit) ||
          !clamp_roi(&box->roi, image->width, image->height))
        continue;
      if (blemish != EVAL_BLEMISH_NONE) {
        if (side > 0)
          continue;
        if (side < 0 && n_sound++ % 2 == 1) {
          const PtRoi *r = &box->roi;

          painted = pt_image_copy(image);
          eval_variant_blemish(painted, blemish, blemish_share, variant_seed(jpg, r),
                               r->x + r->width / 2.0, r->y + r->height / 2.0,
                               ON_BLACK_ELLIPSE * r->width / 2.0,
                               ON_BLACK_ELLIPSE * r->height / 2.0);
          pt_image_as_frame(painted, &painted_frame);
          shown = painted;
          side = 1;
          label = painted_label = g_strdup_printf("%s+%s", box->label, blemish_name);
        }
      }
      fresh = side < 0;
      rotten = side > 0;
      if (!grade_box(grader, shown, painted ? &painted_frame : &frame, &box->roi, side, &outcome,
                     &defective, &peel_defective, &by_size, &cause, dump, jpg, label, &error)) {
        fprintf(stderr, "eval-real: %s: %s\n", jpg, error->message);
        return -1;
      }
      s = stats_for(stats, label);
      s->n++;
      s->outcome[outcome]++;
      s->called_defective += defective;
      s->out_by_size += by_size;
      s->cause[cause]++;
      if (!fresh && !rotten)
        continue;
      n_boxes++;
      n_norec += outcome == N_OUTCOMES - 1;
      /* By the class alone: II or out is defective (a person's discount or throwaway), Extra,
       * I, none and no record sound. */
      low_class = outcome == PT_CLASS_II || outcome == PT_CLASS_OUT;
      if (rotten) {
        tp += defective;
        fn += !defective;
        ptp += peel_defective;
        pfn += !peel_defective;
        ctp += low_class;
        cfn += !low_class;
      } else {
        tn += !defective;
        fp += defective;
        ptn += !peel_defective;
        pfp += peel_defective;
        ctn += !low_class;
        cfp += low_class;
      }
    }
  }
  if (n_boxes == 0 || tp + fn == 0 || tn + fp == 0) {
    fprintf(stderr,
            "eval-real: no sound and defective boxes of %s in %s (--sound, --defective name "
            "labels)\n",
            set->profile->fruit, set->root);
    return -1;
  }
  sens = (double)tp / (tp + fn);
  spec = (double)tn / (tn + fp);
  ba = (sens + spec) / 2;
  printf("== %s\n", title);
  printf("boxes %u  no record %u  sensitivity %.3f  specificity %.3f  balanced accuracy %.3f\n",
         n_boxes, n_norec, sens, spec, ba);
  printf("without size verdicts: sensitivity %.3f  specificity %.3f  balanced accuracy %.3f\n",
         (double)ptp / (ptp + pfn), (double)ptn / (ptn + pfp),
         ((double)ptp / (ptp + pfn) + (double)ptn / (ptn + pfp)) / 2);
  printf("by class alone (II or out defective): sensitivity %.3f  specificity %.3f  balanced "
         "accuracy %.3f\n",
         (double)ctp / (ctp + cfn), (double)ctn / (ctn + cfp),
         ((double)ctp / (ctp + cfn) + (double)ctn / (ctn + cfp)) / 2);
  printf("%-16s %5s", "label", "boxes");
  for (int k = 0; k < N_OUTCOMES; k++)
    printf(" %6s", outcome_names[k]);
  printf(" %9s %7s\n", "defective", "by-size");
  for (guint i = 0; i < stats->len; i++) {
    const LabelStats *s = g_ptr_array_index(stats, i);

    printf("%-16s %5u", s->name, s->n);
    for (int k = 0; k < N_OUTCOMES; k++)
      printf(" %6u", s->outcome[k]);
    printf(" %9u %7u\n", s->called_defective, s->out_by_size);
  }
  printf("called defective by (largest defect's kind, else size or colour):\n%-16s", "label");
  for (int k = 0; k < N_CAUSES; k++)
    printf(" %9s", cause_names[k]);
  printf("\n");
  for (guint i = 0; i < stats->len; i++) {
    const LabelStats *s = g_ptr_array_index(stats, i);

    printf("%-16s", s->name);
    for (int k = 0; k < N_CAUSES; k++)
      printf(" %9u", s->cause[k]);
    printf("\n");
  }
  *norec = n_norec;
  *class_ba = ((double)ctp / (ctp + cfn) + (double)ctn / (ctn + cfp)) / 2;
  return ba;
}

/* Intersection over union of two boxes. */
static double
iou(const PtRoi *a, int bx, int by, int bw, int bh)
{
  int x0 = MAX(a->x, bx), y0 = MAX(a->y, by);
  int x1 = MIN(a->x + a->width, bx + bw), y1 = MIN(a->y + a->height, by + bh);
  double inter = x1 > x0 && y1 > y0 ? (double)(x1 - x0) * (y1 - y0) : 0;
  double uni = (double)a->width * a->height + (double)bw * bh - inter;

  return uni > 0 ? inter / uni : 0;
}

/* Whole photos, as `packtrace grade IMAGE` grades them without --roi: every fruit the grader
 * finds is matched to the labelled box it overlaps most (IoU at least WHOLE_MIN_IOU, each box
 * once).  Prints how many boxes of the profile's fruit were found (recall), how many found
 * fruit match no box (a box of another fruit kind counts as matched, not as false), and the
 * balanced accuracy over the sound and defective boxes found (a found fruit is called defective as
 * in score()).  Returns the recall, -1 on error. */
#define WHOLE_MIN_IOU 0.5
static double
score_whole(const Set *set, PtGrader *grader, FILE *dump)
{
  g_autofree char *taken = eval_variant_describe(&variant);
  g_autoptr(GError) error = NULL;
  guint n_boxes = 0, found = 0, n_fruit = 0, stray = 0, partial = 0;
  guint tp = 0, fn = 0, tn = 0, fp = 0;

  for (guint i = 0; i < set->photos->len; i += (guint)every) {
    g_autofree char *jpg = NULL;
    g_autoptr(GArray) boxes = eval_boxes_new();
    g_autoptr(PtImage) image = load_photo(set, i, boxes, &jpg);
    g_autoptr(PtGradeResult) result = NULL;
    gboolean used[PT_GRADER_MAX_FRUIT] = {FALSE};
    PtFrame frame;

    if (!image)
      return -1;
    pt_image_as_frame(image, &frame);
    result = pt_grader_grade(grader, &frame, NULL, 0, &error);
    if (!result) {
      fprintf(stderr, "eval-real: %s: %s\n", jpg, error->message);
      return -1;
    }
    n_fruit += result->n_fruit;
    for (guint b = 0; b < boxes->len; b++) {
      EvalBox *box = &g_array_index(boxes, EvalBox, b);
      gboolean ours = eval_label_is_ours(box->label, set->profile->fruit);
      int side = eval_label_side(box->label, sound_labels, defective_labels);
      gboolean fresh = side < 0;
      gboolean rotten = side > 0;
      double best = WHOLE_MIN_IOU;
      int k = -1;

      if (!clamp_roi(&box->roi, image->width, image->height))
        continue;
      for (guint f = 0; f < result->n_fruit; f++) {
        const PtFruit *fr = &result->fruit[f];
        double o = iou(&box->roi, fr->x, fr->y, fr->width, fr->height);

        if (!used[f] && o >= best) {
          best = o;
          k = (int)f;
        }
      }
      if (k >= 0)
        used[k] = TRUE;
      if (!ours)
        continue;
      n_boxes++;
      if (k < 0) {
        if (dump)
          fprintf(dump, "%s %d,%d,%d,%d %s not found\n", jpg, box->roi.x, box->roi.y,
                  box->roi.width, box->roi.height, box->label);
        continue;
      }
      found++;
      {
        const PtFruit *f = &result->fruit[k];
        gboolean defective =
            f->klass == PT_CLASS_II || f->klass == PT_CLASS_OUT || f->defect_count > 0;

        partial += f->partial;
        if (dump)
          fprintf(dump, "%s %d,%d,%d,%d %s found iou=%.2f %s defects=%u (%s)\n", jpg, box->roi.x,
                  box->roi.y, box->roi.width, box->roi.height, box->label, best,
                  pt_grade_class_to_string(f->klass), f->defect_count, f->rule);
        if (rotten) {
          tp += defective;
          fn += !defective;
        } else if (fresh) {
          tn += !defective;
          fp += defective;
        }
      }
    }
    for (guint f = 0; f < result->n_fruit; f++)
      stray += !used[f];
  }
  if (n_boxes == 0) {
    fprintf(stderr, "eval-real: no %s boxes in %s\n", set->profile->fruit, set->root);
    return -1;
  }
  printf("== whole photos, no ROI, no scale; %s\n", taken);
  printf("boxes %u  found %u (recall %.3f)  fruit found %u  matching no box %u (precision %.3f)  "
         "found but cut by the photo's edge %u\n",
         n_boxes, found, (double)found / n_boxes, n_fruit, stray,
         n_fruit ? (double)(n_fruit - stray) / n_fruit : 0.0, partial);
  if (tp + fn > 0 && tn + fp > 0)
    printf("found fresh/rotten boxes: sensitivity %.3f  specificity %.3f  balanced accuracy %.3f\n",
           (double)tp / (tp + fn), (double)tn / (tn + fp),
           ((double)tp / (tp + fn) + (double)tn / (tn + fp)) / 2);
  return (double)found / n_boxes;
}

/* Fills @set's layout and photos from @root (or @csv_path), said on the first line printed.
 * @layout_name: "voc", "yolo", "csv" or NULL to look: annotations/, labels/, then a .csv.
 * Returns 0, 77 when @root is absent, 2 after saying what is wrong. */
static int
find_set(Set *set, const char *root, const char *layout_name, const char *csv_path)
{
  g_autofree char *csv = g_strdup(csv_path);
  g_autoptr(GError) error = NULL;
  const char *class_source = NULL;

  if (!csv_path && !g_file_test(root, G_FILE_TEST_IS_DIR)) {
    printf("SKIP: no %s\n", root);
    return 77;
  }
  if (csv || g_strcmp0(layout_name, "csv") == 0)
    set->layout = LAYOUT_CSV;
  else if (g_strcmp0(layout_name, "voc") == 0)
    set->layout = LAYOUT_VOC;
  else if (g_strcmp0(layout_name, "yolo") == 0)
    set->layout = LAYOUT_YOLO;
  else if (g_strcmp0(layout_name, "folders") == 0)
    set->layout = LAYOUT_FOLDERS;
  else if (layout_name) {
    fprintf(stderr, "eval-real: --layout %s: voc, yolo, csv or folders\n", layout_name);
    return 2;
  } else if (eval_is_voc(root))
    set->layout = LAYOUT_VOC;
  else if (eval_is_yolo(root))
    set->layout = LAYOUT_YOLO;
  else if ((csv = eval_find_csv(root, &error)))
    set->layout = LAYOUT_CSV;
  else if (!error && eval_list_folders(root, set->photos))
    set->layout = LAYOUT_FOLDERS;
  else {
    if (!error)
      fprintf(stderr,
              "eval-real: %s holds no annotations/ (Pascal VOC), labels/ (YOLO), .csv file or "
              "class folders of photos\n",
              root);
    else
      fprintf(stderr, "eval-real: %s\n", error->message);
    return 2;
  }
  switch (set->layout) {
  case LAYOUT_VOC:
    eval_list_voc(root, set->photos, &error);
    break;
  case LAYOUT_YOLO:
    if (eval_read_classes(root, set->classes, &class_source, &error))
      eval_list_yolo(root, set->photos, &error);
    break;
  case LAYOUT_CSV:
    if (!csv) {
      csv = eval_find_csv(root, &error);
      if (!csv && !error)
        g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no .csv file", root);
    }
    if (csv)
      eval_list_csv(csv, set->photos, &error);
    break;
  case LAYOUT_FOLDERS:
    /* Listed while looking, unless named by --layout. */
    if (set->photos->len == 0 && !eval_list_folders(root, set->photos))
      g_set_error(&error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                  "%s: no class folders of .jpg, .jpeg or .png photos", root);
    break;
  }
  if (error) {
    fprintf(stderr, "eval-real: %s\n", error->message);
    return 2;
  }
  printf("layout: %s, %u photos", layout_names[set->layout], set->photos->len);
  if (set->layout == LAYOUT_YOLO)
    printf(", %u classes from %s", set->classes->len, class_source);
  printf(" in %s\n", set->layout == LAYOUT_CSV ? csv : root);
  return 0;
}

int
main(int argc, char **argv)
{
  g_autofree char *profile_name = NULL, *dump_path = NULL, *layout_name = NULL;
  g_autofree char *csv_path = NULL, *sound_list = NULL, *defective_list = NULL, *gloss = NULL;
  g_autofree char *orientation_name = NULL;
  double mm_per_px = 0, floor_ba = -1, class_floor = -1, class_ba = 0, scaled_class_ba, ba;
  gboolean all_records = FALSE, whole = FALSE;
  const GOptionEntry entries[] = {
      {"profile", 0, 0, G_OPTION_ARG_STRING, &profile_name, "Grade profile (orange-unece)", "NAME"},
      {"mm-per-px", 0, 0, G_OPTION_ARG_DOUBLE, &mm_per_px,
       "Also score at this calibration (the command's default is none)", "X"},
      {"floor", 0, 0, G_OPTION_ARG_DOUBLE, &floor_ba, "Fail below this balanced accuracy", "BA"},
      {"class-floor", 0, 0, G_OPTION_ARG_DOUBLE, &class_floor,
       "Fail below this balanced accuracy by class alone (II or out defective)", "BA"},
      {"all-records", 0, 0, G_OPTION_ARG_NONE, &all_records, "Fail when a box has no record", NULL},
      {"dump", 0, 0, G_OPTION_ARG_FILENAME, &dump_path, "Write one line per box", "FILE"},
      {"box-scale", 0, 0, G_OPTION_ARG_DOUBLE, &box_scale,
       "Scale every ROI box about its centre (looser > 1 > tighter) before grading", "K"},
      {"box-shift", 0, 0, G_OPTION_ARG_DOUBLE, &box_shift,
       "Move every ROI box by this share of its size, compass direction cycling by box", "F"},
      {"on-black", 0, 0, G_OPTION_ARG_NONE, &on_black,
       "Paste each box's inscribed ellipse on black and grade it as a whole photo", NULL},
      {"on-black-roi", 0, 0, G_OPTION_ARG_NONE, &on_black_roi,
       "With --on-black: grade the pasted square through one ROI, the square", NULL},
      {"background", 0, 0, G_OPTION_ARG_INT, &on_black_level,
       "With --on-black: the square's grey, 0 to 255 (10)", "L"},
      {"square", 0, 0, G_OPTION_ARG_DOUBLE, &on_black_square,
       "With --on-black: the square's side, times the box's larger side (2; under 1 a close-up)",
       "K"},
      {"gloss", 0, 0, G_OPTION_ARG_STRING, &gloss,
       "With --on-black: a light box's lamps mirrored in the fruit", "ring|strips|panel"},
      {"gloss-level", 0, 0, G_OPTION_ARG_DOUBLE, &on_black_gloss_level,
       "With --gloss: the light the lamps mirrored add at their middle, of full scale (0.7)", "F"},
      {"mirror", 0, 0, G_OPTION_ARG_DOUBLE, &on_black_mirror,
       "With --on-black: a glossy floor mirrors the fruit, F times as bright (0 to 1)", "F"},
      {"top-light", 0, 0, G_OPTION_ARG_DOUBLE, &on_black_top,
       "With --on-black: lit from above, its lowest point at 1 - F of the light (0 to 1)", "F"},
      {"blemish", 0, 0, G_OPTION_ARG_STRING, &blemish_name,
       "Paint this blemish on every second sound fruit and score those as defective",
       "spot|scar|oleo|sooty"},
      {"blemish-share", 0, 0, G_OPTION_ARG_DOUBLE, &blemish_share,
       "With --blemish: the share of the fruit's face it covers (0.01)", "S"},
      {"whole", 0, 0, G_OPTION_ARG_NONE, &whole,
       "Grade whole photos (no ROI) and score the fruit found against the boxes", NULL},
      {"layout", 0, 0, G_OPTION_ARG_STRING, &layout_name,
       "Read DIR as this layout rather than the first found", "voc|yolo|csv|folders"},
      {"csv", 0, 0, G_OPTION_ARG_FILENAME, &csv_path, "Read this CSV of image,label", "FILE"},
      {"csv-whole", 0, 0, G_OPTION_ARG_NONE, &csv_whole,
       "Grade a CSV's or class folders' photos whole (no ROI), the largest fruit found the record",
       NULL},
      {"sound", 0, 0, G_OPTION_ARG_STRING, &sound_list, "These labels are sound", "A,B"},
      {"defective", 0, 0, G_OPTION_ARG_STRING, &defective_list, "These labels are defective",
       "A,B"},
      {"exposure", 0, 0, G_OPTION_ARG_DOUBLE, &variant.exposure,
       "Multiply each photo's linear-light RGB by F", "F"},
      {"white-balance", 0, 0, G_OPTION_ARG_DOUBLE, &variant.white_kelvin,
       "The scene lit at K kelvin, the camera balanced for 6500 (3200 warm, 9000 cool)", "K"},
      {"resize", 0, 0, G_OPTION_ARG_DOUBLE, &variant.resize, "Scale each photo and its boxes by F",
       "F"},
      {"stretch", 0, 0, G_OPTION_ARG_DOUBLE, &variant.stretch,
       "Scale each photo and its boxes across by K more (round fruit oblate, 0.5 to 2)", "K"},
      {"blur", 0, 0, G_OPTION_ARG_DOUBLE, &variant.blur, "Gaussian blur of sigma S pixels", "S"},
      {"noise", 0, 0, G_OPTION_ARG_DOUBLE, &variant.noise, "Gaussian noise of sigma S 8-bit levels",
       "S"},
      {"sharpen", 0, 0, G_OPTION_ARG_DOUBLE, &variant.sharpen,
       "Sharpen each photo's luma as a phone does, detail times A (0 to 4)", "A"},
      {"jpeg", 0, 0, G_OPTION_ARG_INT, &variant.jpeg, "Re-encode each photo as JPEG of quality Q",
       "Q"},
      {"every", 0, 0, G_OPTION_ARG_INT, &every, "Grade every Nth photo only", "N"},
      {"misses", 0, 0, G_OPTION_ARG_FILENAME, &misses_dir,
       "Write each box called wrongly, annotated as graded, as a PNG in DIR", "DIR"},
      {"orientation", 0, 0, G_OPTION_ARG_STRING, &orientation_name,
       "Boxes drawn on phone photos upright, as viewers show them (default), or as stored",
       "upright|stored"},
      {NULL}};
  g_autoptr(GOptionContext) octx = g_option_context_new("DIR");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradeProfile) profile = NULL;
  g_autoptr(PtGrader) grader = NULL;
  g_autoptr(PtGrader) scaled = NULL;
  g_autoptr(GPtrArray) photos = g_ptr_array_new_with_free_func(eval_photo_free);
  g_autoptr(GPtrArray) classes = g_ptr_array_new_with_free_func(g_free);
  g_auto(GStrv) sound = NULL, defective = NULL;
  g_autofree char *root = NULL, *title = NULL, *taken = NULL;
  FILE *dump = NULL;
  guint n_norec = 0, scaled_norec = 0;
  Set set;
  int rc = 0;

  g_option_context_add_main_entries(octx, entries, NULL);
  if (!g_option_context_parse(octx, &argc, &argv, &error) || argc > 2) {
    fprintf(stderr, "usage: eval-real [DIR] [options] (%s)\n",
            error ? error->message : "at most one DIR");
    return 2;
  }
  if (argc == 2)
    root = g_strdup(argv[1]);
  else if (csv_path)
    root = g_path_get_dirname(csv_path);
  else if (g_getenv("PACKTRACE_SHARED"))
    root = g_build_filename(g_getenv("PACKTRACE_SHARED"), "data", "fruit-freshness", NULL);
  else {
    printf("SKIP: no DIR and no PACKTRACE_SHARED\n");
    return 77;
  }
  sound = g_strsplit(sound_list ? sound_list : "", ",", -1);
  defective = g_strsplit(defective_list ? defective_list : "", ",", -1);
  for (char **l = sound; *l; l++)
    for (char **d = defective; *d; d++)
      if (*g_strstrip(*l) && g_ascii_strcasecmp(*l, g_strstrip(*d)) == 0) {
        fprintf(stderr, "eval-real: %s is named both --sound and --defective\n", *l);
        return 2;
      }
  sound_labels = sound;
  defective_labels = defective;
  set = (Set){root, LAYOUT_VOC, photos, classes, NULL};
  if ((rc = find_set(&set, root, layout_name, csv_path)) != 0)
    return rc;
  if (blemish_name && !eval_blemish_parse(blemish_name, &blemish)) {
    fprintf(stderr, "eval-real: --blemish is spot, scar, oleo or sooty\n");
    return 2;
  }
  if (blemish_share != 0.01 && (!blemish_name || !(blemish_share > 0.0 && blemish_share <= 0.25))) {
    fprintf(stderr, "eval-real: --blemish-share is a share above 0, at most 0.25, of --blemish\n");
    return 2;
  }
  if (blemish_name && (whole || (!on_black && eval_variant_active(&variant)))) {
    fprintf(stderr, "eval-real: --blemish paints the photo as taken: not with --whole, and other "
                    "cameras only with --on-black\n");
    return 2;
  }
  if (gloss && !eval_gloss_parse(gloss, &on_black_gloss)) {
    fprintf(stderr, "eval-real: --gloss is ring, strips or panel\n");
    return 2;
  }
  if (on_black_gloss_level != EVAL_GLOSS_LEVEL &&
      (!gloss || !(on_black_gloss_level > 0.0 && on_black_gloss_level <= 4.0))) {
    fprintf(stderr, "eval-real: --gloss-level goes with --gloss, above 0 and at most 4\n");
    return 2;
  }
  if (orientation_name && strcmp(orientation_name, "upright") != 0) {
    if (strcmp(orientation_name, "stored") != 0) {
      fprintf(stderr, "eval-real: --orientation is upright or stored\n");
      return 2;
    }
    orientation = PT_IMAGE_AS_STORED;
  }
  if ((on_black_roi || on_black_level != 10 || on_black_square != 2.0 || gloss ||
       on_black_mirror != 0.0 || on_black_top != 0.0) &&
      !on_black) {
    fprintf(stderr, "eval-real: --on-black-roi, --background, --square, --gloss, --mirror and "
                    "--top-light go with --on-black\n");
    return 2;
  }
  if (!(on_black_mirror >= 0.0 && on_black_mirror <= 1.0)) {
    fprintf(stderr, "eval-real: --mirror is from 0 to 1\n");
    return 2;
  }
  if (!(on_black_top >= 0.0 && on_black_top < 1.0)) {
    fprintf(stderr, "eval-real: --top-light is from 0 to under 1\n");
    return 2;
  }
  if (on_black_square < 0.5 || on_black_square > 4.0) {
    fprintf(stderr, "eval-real: --square is from 0.5 to 4 times the box\n");
    return 2;
  }
  if (!eval_variant_check(&variant, &error)) {
    fprintf(stderr, "eval-real: %s\n", error->message);
    return 2;
  }
  if (every < 1) {
    fprintf(stderr, "eval-real: --every is 1 or more\n");
    return 2;
  }
  if (on_black_level < 0 || on_black_level > 255) {
    fprintf(stderr, "eval-real: --background is a grey from 0 to 255\n");
    return 2;
  }
  if (on_black && (whole || csv_whole || box_scale != 1.0 || box_shift != 0.0)) {
    fprintf(stderr, "eval-real: --on-black pastes the boxes as drawn: not with --whole, "
                    "--csv-whole, --box-scale or --box-shift\n");
    return 2;
  }
  if (csv_whole && (!one_fruit_a_photo(&set) || box_scale != 1.0 || box_shift != 0.0)) {
    fprintf(stderr, "eval-real: --csv-whole grades a CSV or class folder set's photos whole: "
                    "not with another layout, --box-scale or --box-shift\n");
    return 2;
  }
  if (whole && one_fruit_a_photo(&set)) {
    fprintf(stderr, "eval-real: a CSV or class folder set's photos hold one fruit each and no "
                    "box: --csv-whole grades them whole\n");
    return 2;
  }
  profile = pt_grade_profile_load(profile_name ? profile_name : "orange-unece", &error);
  if (!profile || !(grader = pt_grader_new_unscaled(profile, &error)) ||
      (mm_per_px != 0 && !(scaled = pt_grader_new(profile, mm_per_px, &error)))) {
    fprintf(stderr, "eval-real: %s\n", error->message);
    return 2;
  }
  if (dump_path && !(dump = fopen(dump_path, "w"))) {
    fprintf(stderr, "eval-real: cannot write %s\n", dump_path);
    return 2;
  }
  if (misses_dir && g_mkdir_with_parents(misses_dir, 0755) != 0) {
    fprintf(stderr, "eval-real: cannot make %s: %s\n", misses_dir, g_strerror(errno));
    return 2;
  }
  set.profile = profile;
  if (whole) {
    ba = score_whole(&set, grader, dump);
    if (dump)
      fclose(dump);
    if (ba < 0)
      return 2;
    if (floor_ba >= 0 && ba < floor_ba) {
      printf("FAIL: recall %.3f below the floor %.3f\n", ba, floor_ba);
      return 1;
    }
    return 0;
  }
  taken = eval_variant_describe(&variant);
  if (on_black_gloss != EVAL_GLOSS_NONE) {
    char *with =
        on_black_gloss_level == EVAL_GLOSS_LEVEL
            ? g_strdup_printf("%s; lamps mirrored: %s", taken, gloss)
            : g_strdup_printf("%s; lamps mirrored: %s at %g", taken, gloss, on_black_gloss_level);

    g_free(taken);
    taken = with;
  }
  title = g_strdup_printf("no scale (size unknown); %s", taken);
  ba = score(&set, grader, title, dump, &n_norec, &class_ba);
  if (ba >= 0 && scaled) {
    g_free(title);
    title = g_strdup_printf("at %g mm/px; %s", mm_per_px, taken);
    if (score(&set, scaled, title, NULL, &scaled_norec, &scaled_class_ba) < 0)
      ba = -1;
  }
  if (dump)
    fclose(dump);
  if (ba < 0)
    return 2;
  if (all_records && n_norec > 0) {
    printf("FAIL: %u boxes without a record\n", n_norec);
    rc = 1;
  }
  if (floor_ba >= 0 && ba < floor_ba) {
    printf("FAIL: balanced accuracy %.3f below the floor %.3f\n", ba, floor_ba);
    rc = 1;
  }
  if (class_floor >= 0 && class_ba < class_floor) {
    printf("FAIL: balanced accuracy by class alone %.3f below the floor %.3f\n", class_ba,
           class_floor);
    rc = 1;
  }
  return rc;
}
