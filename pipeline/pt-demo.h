/* pt-demo.h: generated demo footage, so a fresh station records something before any real
 * camera is configured.  Made once from videotestsrc (picking, loading) or fruitgen belt frames
 * with fruit to grade (grading), or crates carrying given QR codes (loading, demo batches), with
 * textoverlay/timeoverlay (no downloaded media), as H.264 Matroska files that the `file` camera
 * kind plays in a loop. */
#pragma once

#include "pt-camera-config.h"

#include <gst/gst.h>

G_BEGIN_DECLS

/* Writes <dir>/demo-<role>.mkv for @role: @seconds long, @width x @height at @fps, a keyframe
 * every second.  Skips the work when the file exists.  Returns: (transfer full) its path. */
char *pt_demo_footage_make(const char *dir, PtCameraRole role, int seconds, int width, int height,
                           int fps, GError **error);

/* A QR code for the demo loading footage: @cols x @rows modules without quiet zone,
 * row-major, 1 = dark.  @modules is borrowed. */
typedef struct {
  int cols, rows;
  const guint8 *modules;
} PtDemoCode;

/* Writes <dir>/demo-loading.mkv, replacing it: crates on a conveyor pass the loading camera
 * left to right, one per code of @codes in @seconds, each with the code on a white label
 * (in full view for about two seconds, then an empty conveyor until the next crate).
 * Returns: (transfer full) its path. */
char *pt_demo_loading_make(const char *dir, const PtDemoCode *codes, guint n_codes, int seconds,
                           int width, int height, int fps, GError **error);

/* Makes the footage for picking, grading and loading (1280x720, 25 fps), keeping files that
 * exist.  At the default length a station run from its build tree copies the footage the
 * build made (pipeline/meson.build) instead of encoding it.  Returns FALSE at the first
 * failure. */
gboolean pt_demo_footage_make_all(const char *dir, int seconds, GError **error);

G_END_DECLS
