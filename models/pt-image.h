/* pt-image.h: images and frames for the grader.
 *
 * PtImage owns packed 8-bit RGB pixels (decoded files, annotated output).
 * PtFrame is a borrowed view of pixels in memory, packed RGB or planar
 * I420, which is what the grader reads; a camera frame never needs a copy. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_MODELS_ERROR (pt_models_error_quark())
GQuark pt_models_error_quark(void);

typedef enum {
  PT_MODELS_ERROR_INVALID,   /* bad argument: empty frame, zero calibration */
  PT_MODELS_ERROR_TOO_LARGE, /* over a limit in pt-models-limits.h */
  PT_MODELS_ERROR_DECODE,    /* corrupt, truncated or unsupported image */
  PT_MODELS_ERROR_IO,        /* file could not be read or written */
  PT_MODELS_ERROR_PROFILE,   /* unknown or malformed grade profile */
  PT_MODELS_ERROR_NOT_FOUND, /* no reference object in view */
} PtModelsError;

typedef enum {
  PT_PIXEL_RGB,  /* data[0]: packed R,G,B bytes */
  PT_PIXEL_I420, /* data[0..2]: Y, U, V planes, chroma halved both ways, BT.601 video range */
} PtPixelFormat;

typedef struct {
  PtPixelFormat format;
  int width;
  int height;
  const guint8 *data[3];
  int stride[3];
} PtFrame;

typedef struct {
  int width;
  int height;
  int stride;
  guint8 *pixels; /* packed RGB, owned */
} PtImage;

/* Returns: (transfer full): a zeroed image, or NULL with @error set when the
 * size is empty or over PT_IMAGE_MAX_PIXELS. */
PtImage *pt_image_new(int width, int height, GError **error);
/* Returns: (transfer full): a copy of @image. */
PtImage *pt_image_copy(const PtImage *image);
void pt_image_free(PtImage *image);

/* Fills @frame with a view of @image; @image must outlive the frame.
 * @image: (transfer none). */
void pt_image_as_frame(const PtImage *image, PtFrame *frame);

/* Checks that @frame is usable: known format, non-empty, within limits,
 * planes and strides set. */
gboolean pt_frame_validate(const PtFrame *frame, GError **error);

/* Returns: (transfer full): @frame converted to packed RGB. */
PtImage *pt_image_new_from_frame(const PtFrame *frame, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtImage, pt_image_free)

G_END_DECLS
