/* pt-clip.h: evidence clips.  Cuts a time range out of recorded segments into one MP4
 * (H.264, moov at the front so a browser starts playing at once), across segment boundaries,
 * without re-encoding, unless the camera has a privacy mask: then the frames are decoded,
 * masked and encoded again (clips are short).  The cut starts at the keyframe at or before
 * @from (accuracy: one GOP) and ends before the first frame at or after @to.  The MP4's
 * comment tag (inside the bytes the SHA-256 covers) names the segments it was cut from and
 * the mask applied, if any. */
#pragma once

#include "pt-mask.h"
#include "pt-segment.h"

#include <gst/gst.h>

G_BEGIN_DECLS

#define PT_CLIP_ERROR (pt_clip_error_quark())
GQuark pt_clip_error_quark(void);

typedef enum {
  PT_CLIP_ERROR_RANGE,      /* from >= to, or longer than PT_CLIP_MAX_NS */
  PT_CLIP_ERROR_NO_FOOTAGE, /* no segment has a frame in the range */
  PT_CLIP_ERROR_READ,       /* a segment cannot be read */
  PT_CLIP_ERROR_WRITE,      /* the MP4 cannot be written */
  PT_CLIP_ERROR_FORMAT,     /* segments differ in a way one MP4 track cannot hold */
} PtClipError;

typedef struct {
  const char *path; /* a Matroska segment written by PtCamera */
  gint64 start_ns;  /* UTC ns of its first frame */
  gint64 end_ns;    /* UTC ns of its end (for a crashed segment: the probe's end_ns) */
} PtClipSegment;

typedef enum {
  PT_CLIP_DEFAULT = 0,
  /* A masked clip (encoded again) starts at the frame showing @from, not at the keyframe
   * before it: the timeline plays a masked camera in such pieces, end to end, no frame twice.
   * No effect without a mask (a stream copy starts on a keyframe). */
  PT_CLIP_EXACT_START = 1 << 0,
} PtClipFlags;

typedef struct {
  gint64 start_ns;          /* UTC ns of the clip's first frame (a keyframe <= from, or with
                             * PT_CLIP_EXACT_START the frame showing from) */
  gint64 end_ns;            /* UTC ns of the end of its last frame */
  GstClockTime duration_ns; /* end_ns - start_ns */
  guint64 frames;
  guint segments_used;
  guint64 bytes;
  char sha256[PT_SHA256_HEX_LEN + 1];
  gboolean masked; /* the frames were masked (and encoded again) */
} PtClipResult;

/* Writes the clip for [@from_ns, @to_ns) from @segments (any order; those outside the range
 * are skipped) to @out_path: temp file in the same folder, fsync, rename, fsync folder.
 * @mask (nullable, transfer none): the camera's privacy mask; with rectangles, every frame
 * is masked.  @result may be NULL.  The SHA-256 is of the file as renamed into place. */
gboolean pt_clip_export(const PtClipSegment *segments, guint n_segments, gint64 from_ns,
                        gint64 to_ns, const PtMask *mask, const char *out_path,
                        PtClipResult *result, GError **error);

/* pt_clip_export() with @flags. */
gboolean pt_clip_export_full(const PtClipSegment *segments, guint n_segments, gint64 from_ns,
                             gint64 to_ns, const PtMask *mask, PtClipFlags flags,
                             const char *out_path, PtClipResult *result, GError **error);

G_END_DECLS
