/* pt-annotate.h: drawing grading results over the image for a person to
 * check by eye (`packtrace grade --annotate OUT.png`).
 *
 * Plain pixel drawing with a built-in 5x7 bitmap font: the annotation must
 * work on a headless station without fonts or cairo. */
#pragma once

#include "pt-grader.h"

G_BEGIN_DECLS

/* Draws outlines (green graded, yellow partial, red out of grade), defect
 * boxes (red; russet orange) and "CLASS SIZE DIAmm" labels into @image.
 * @image: (transfer none): modified in place. */
void pt_annotate_draw(PtImage *image, const PtGradeResult *result);

/* Draws a string at (x, y) in @rgb with @scale-times pixels. */
void pt_annotate_text(PtImage *image, int x, int y, const char *text, const guint8 rgb[3],
                      int scale);

/* Copies @frame, draws @result and writes a PNG to @path. */
gboolean pt_annotate_write_png(const PtFrame *frame, const PtGradeResult *result, const char *path,
                               GError **error);

G_END_DECLS
