/* eval-formats.h: the labelled-photo layouts eval-real reads besides Pascal VOC (YOLO label
 * files with their class names, a CSV of image,label) and how a label maps to sound or
 * defective and to a fruit kind.  Every reader reports bad input as "FILE:LINE: what". */
#pragma once

#include "pt-models.h"

G_BEGIN_DECLS

/* One labelled box of a photo, in pixels. */
typedef struct {
  char *label;
  PtRoi roi;
} EvalBox;

/* An empty array of EvalBox that frees each box's label with itself.  Returns: (transfer
 * full). */
GArray *eval_boxes_new(void);

/* One labelled photo: @name as shown in messages and dumps, @image its path, @where its
 * annotation (the VOC or YOLO file, or "FILE.csv:LINE"), @label the CSV row's label. */
typedef struct {
  char *name;
  char *image;
  char *where;
  char *label;
} EvalPhoto;

void eval_photo_free(gpointer photo);

/* Orders a GPtrArray of file names (strcmp). */
int eval_cmp_names(gconstpointer a, gconstpointer b);

/* The YOLO class names of @root: classes.txt, obj.names or data.yaml, the first there, in
 * @root or else in the folder above it (an export's split).
 * Fills @classes (transfer full, g_free) and @source with the file's name.  FALSE with an
 * error when none is there or it is malformed. */
gboolean eval_read_classes(const char *root, GPtrArray *classes, const char **source,
                           GError **error);

/* Whether @root is a Pascal VOC layout: it holds annotations/ (or VOC's own Annotations/). */
gboolean eval_is_voc(const char *root);
/* The photos of a Pascal VOC layout, annotations/N.xml (or Annotations/) sorted by name, each
 * with its image N.jpg, .jpeg or .png, in either case, in images/ (or VOC's own
 * JPEGImages/); an error when it has none.  @photos: EvalPhoto. */
gboolean eval_list_voc(const char *root, GPtrArray *photos, GError **error);

/* Whether @root is a YOLO layout: it holds labels/, or splits that do (train/labels/, ...). */
gboolean eval_is_yolo(const char *root);
/* The photos of a YOLO layout, labels/N.txt sorted by name, each with its image
 * images/N.jpg, .jpeg or .png, in either case (an error when it has none); or those of every
 * split of an export (train/, valid/, test/: SPLIT/labels/ beside SPLIT/images/), shown as
 * SPLIT/N.jpg.  @photos: EvalPhoto. */
gboolean eval_list_yolo(const char *root, GPtrArray *photos, GError **error);

/* The boxes of the YOLO label file @path for an image of @width x @height, in pixels and
 * clamped to the image, appended to @boxes (EvalBox, labels transfer full). */
gboolean eval_read_yolo(const char *path, GPtrArray *classes, int width, int height, GArray *boxes,
                        GError **error);

/* The one .csv file in @root: (transfer full) its path, NULL without an error when there is
 * none, NULL with one when there are several. */
char *eval_find_csv(const char *root, GError **error);

/* The rows of the CSV @path, one EvalPhoto each, its image found (an error when it is not). */
gboolean eval_list_csv(const char *path, GPtrArray *photos, GError **error);

/* The photos of class folders, as a set graded by people is often kept: @root/LABEL/NAME.jpg,
 * .jpeg or .png, or one level deeper under splits (@root/train/LABEL/..., valid, test), one
 * fruit a photo, each labelled with its folder's name, sorted by folder and name.  FALSE when
 * there are none.  @photos: EvalPhoto. */
gboolean eval_list_folders(const char *root, GPtrArray *photos);

/* 1 when @label is defective, -1 sound, 0 neither: @defective and @sound (NULL-terminated
 * whole labels, any case; nullable) first, then the label's words. */
int eval_label_side(const char *label, char **sound, char **defective);

/* Whether a box of @label is one the profile for @fruit grades: it names no fruit, or names
 * that one (a mandarin, tangerine or clementine is an orange). */
gboolean eval_label_is_ours(const char *label, const char *fruit);

G_END_DECLS
