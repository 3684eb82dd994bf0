/* pt-test-codes.h: test footage of a loading dock with a code in view, made in process:
 * labels/ encodes the code (libqrencode, libzint), the frames are drawn here (I420, a still
 * grey gradient), and x264enc writes H.264 in Matroska, as a file camera plays it.  Used by
 * test-qr (what the scan branch reads and skips) and bench-pipeline (dwell time); a matrix code
 * drawn at any angle onto a frame for test-dmtx and bench-dmtx. */
#pragma once

#include "pt-barcode.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  int width, height, fps, n_frames;
  int module_px;            /* pixels per module; a linear code's bars are 40 modules high */
  int first, last;          /* the code is in frames first..last (inclusive); -1: never */
  int x, y;                 /* top-left of the code's quiet zone */
  int speed;                /* pixels a frame the code moves right (0: still) */
  gboolean moving_backdrop; /* the backdrop scrolls 8 px a frame (something moves) */
} PtTestFootage;

/* Writes @spec's footage with @code to @path (Matroska, H.264, a keyframe a second).
 * @code: (transfer none) (nullable): NULL shows no code. */
gboolean pt_test_codes_footage(const char *path, const PtTestFootage *spec, const PtBarcode *code,
                               GError **error);

/* Draws @code's matrix (dark 16, light 235, with its quiet zone) onto the luma plane @y_plane
 * (@width x @height, rows @stride apart), @module_px per module, centred at (@cx, @cy) and
 * turned @degrees clockwise; clipped to the plane.  @code: (transfer none) */
void pt_test_codes_draw_matrix(guint8 *y_plane, int width, int height, int stride,
                               const PtBarcode *code, int module_px, double cx, double cy,
                               double degrees);

G_END_DECLS
