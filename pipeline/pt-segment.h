/* pt-segment.h: recorded segment files: where they go, their SHA-256, and the crash-recovery
 * probe that tells whether a segment left open by a crash is readable, how long it is, and
 * repairs it into a closed file.  Segments are Matroska (H.264): measured on Debian 12, a
 * killed matroskamux file keeps everything but the last GOP (../shared/reference/video.md). */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

#define PT_SEGMENT_EXT    "mkv"
#define PT_SHA256_HEX_LEN 64

/* <root>/<camera>/<YYYY-MM-DD UTC>/<camera>-<YYYYMMDDTHHMMSS.mmmZ>.mkv for @start_ns.
 * Returns: (transfer full) */
char *pt_segment_path(const char *root, const char *camera, gint64 start_ns);

/* SHA-256 (lowercase hex) of the file at @path; @bytes_out gets its size.
 * Returns: (transfer full) (nullable): NULL with @error set when it cannot be read. */
char *pt_file_sha256(const char *path, guint64 *bytes_out, GError **error);

typedef enum {
  PT_PROBE_DECODE = 1 << 0, /* decode every frame, not only demux (slower, stronger) */
  PT_PROBE_REPAIR = 1 << 1, /* remux an unfinished file into a closed one, in place */
} PtProbeFlags;

typedef enum {
  PT_SEGMENT_INTACT,   /* readable and already finalized: nothing to do */
  PT_SEGMENT_REPAIRED, /* readable; was unfinished, remuxed in place (PT_PROBE_REPAIR) */
  PT_SEGMENT_READABLE, /* readable but unfinished, not repaired (no PT_PROBE_REPAIR) */
  PT_SEGMENT_LOST,     /* missing, empty, or not one frame could be read: see reason */
} PtSegmentVerdict;

typedef struct {
  PtSegmentVerdict verdict;
  guint64 frames;                     /* frames demuxed */
  guint64 decoded_frames;             /* frames decoded (PT_PROBE_DECODE only) */
  GstClockTime duration_ns;           /* first frame to end of last frame */
  gint64 end_ns;                      /* start_ns + duration_ns */
  guint64 bytes;                      /* size after any repair */
  char sha256[PT_SHA256_HEX_LEN + 1]; /* of the file after any repair; "" when lost */
  char *reason;                       /* (transfer full) why lost / why repaired / NULL */
} PtSegmentProbe;

/* Probes the segment at @path that started at @start_ns (UTC ns).  Returns FALSE only when the
 * probe itself cannot run (missing plugin, cannot write the repaired file); a lost segment
 * is a successful probe with verdict PT_SEGMENT_LOST.  Free @out with pt_segment_probe_clear(). */
gboolean pt_segment_probe(const char *path, gint64 start_ns, PtProbeFlags flags,
                          PtSegmentProbe *out, GError **error);
void pt_segment_probe_clear(PtSegmentProbe *probe);

const char *pt_segment_verdict_to_string(PtSegmentVerdict verdict);

G_END_DECLS
