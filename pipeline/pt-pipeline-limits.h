/* pt-pipeline-limits.h: every bound and default of pipeline/ in one place.  Queues, retries and
 * timeouts are sized here so that one camera can never grow without limit or take the
 * others down with it.  Times are nanoseconds unless the name says otherwise. */
#pragma once

#include <gst/gst.h>

/* Camera configuration */
#define PT_CAMERA_NAME_MAX     32 /* [A-Za-z0-9_-], used in file names */
#define PT_CAMERA_LOCATION_MAX 1024
#define PT_SEGMENT_DEFAULT_NS  (60 * GST_SECOND)
#define PT_SEGMENT_MIN_NS      (1 * GST_SECOND)
#define PT_SEGMENT_MAX_NS      (3600 * GST_SECOND)
#define PT_TEST_DEFAULT_WIDTH  1280
#define PT_TEST_DEFAULT_HEIGHT 720
#define PT_TEST_DEFAULT_FPS    25
#define PT_FPS_MAX             120
#define PT_DIMENSION_MAX       8192

/* Encoding of raw sources: keyframe at least this often (and never later than a segment) */
#define PT_KEYFRAME_MAX_NS      (1 * GST_SECOND) /* crash loss is about one GOP */
#define PT_OPENH264_BITRATE_BPS 4000000          /* openh264enc's default of 128 kbps is unusable */

/* Reconnect watchdog */
#define PT_BACKOFF_INITIAL_MS  1000
#define PT_BACKOFF_MAX_MS      60000
#define PT_STALL_DEFAULT_MS    10000
#define PT_STALL_MIN_MS        500
#define PT_DRAIN_TIMEOUT_MS    3000             /* EOS must reach the muxer within this */
#define PT_RECORD_QUEUE_NS     (1 * GST_SECOND) /* ahead of encoder / muxer */
#define PT_FILE_APPSRC_BUFFERS 60               /* looping file reader -> camera pipeline */
/* Frame length the file loop assumes for a buffer without a duration: 25 fps, the rate of the
 * test source and of most recorded footage, so a loop of such a file keeps its pace. */
#define PT_FILE_LOOP_FRAME_NS  (GST_SECOND / 25)
#define PT_V4L2_ASSUMED_FPS    30 /* for the GOP length when the config has none */
#define PT_RTSP_LATENCY_MS     200
#define PT_RTSP_TCP_TIMEOUT_US (5 * G_USEC_PER_SEC)

/* Frame tap: the tap only ever holds the newest frame */
#define PT_TAP_QUEUE_BUFFERS   1
#define PT_TAP_APPSINK_BUFFERS 1
#define PT_TAP_FPS_MAX         30
/* Compressed frames held ahead of the tap's decoder (passthrough sources only); on overflow
 * the oldest are dropped and the decoder waits for the next keyframe. */
#define PT_TAP_DECODE_QUEUE_NS (2 * GST_SECOND)

/* Code scanning (loading cameras): zbar reads at most this many frames a second, scaled
 * down to at most this width.  zbar costs about 85 ms on a 1080p frame and most of it on an
 * unscaled one; at 5 fps and 640 px wide a label held in view for a second is still read
 * several times (shared/reference/video.md: the demo dock's codes read 13 times). */
#define PT_SCAN_FPS_DEFAULT   5
#define PT_SCAN_FPS_MAX       30
#define PT_SCAN_WIDTH_DEFAULT 640
#define PT_SCAN_WIDTH_MIN     160
/* The motion gate: a luma thumbnail of the dock region, COLS x ROWS cells; a frame moved when
 * at least CELLS cells changed by more than LEVEL (of 255).  Frames are scanned for HOLD ms
 * after the last that moved, so a label held still once it is in view is still read. */
#define PT_SCAN_MOTION_COLS     32
#define PT_SCAN_MOTION_ROWS     18
#define PT_SCAN_MOTION_LEVEL    12
#define PT_SCAN_MOTION_CELLS    2
#define PT_SCAN_HOLD_MS_DEFAULT 2000
#define PT_SCAN_HOLD_MS_MAX     60000
/* Data Matrix (libdmtx) and Code 128 (zbar) at full resolution (ptdmtx, in front of the
 * scaler): libdmtx searches a frame with no symbol in it for hundreds of milliseconds, so each
 * frame gets this long at most for both readers; a symbol in view is found well within it
 * (bench-dwell). */
#define PT_SCAN_DMTX_TIMEOUT_MS      40
#define PT_SCAN_DMTX_TIMEOUT_MS_MAX  1000
#define PT_SCAN_DMTX_SYMBOLS_DEFAULT 4
#define PT_SCAN_DMTX_SYMBOLS_MAX     16
/* The presence test in front of libdmtx (pt-dmtx.c): a frame's luma is cut into CELL px cells
 * and judged in windows of 2x2 cells (16 px, a step of one cell, so a symbol is never split
 * by the grid).  A window is busy when at least EDGE_PX of its 256 pixels have a gradient
 * (|dx| + |dy|) of EDGE_LEVEL or more (a symbol's modules of 2.5 to 6 px give 40 to 120 in
 * any position and at any angle, a flat or softly shaded backdrop none; NOISE_PX or more is
 * pixel noise, as in the SMPTE pattern's corner, 233, and its fringe is no symbol either) and
 * its gradients run in two directions: the coherence of its structure tensor,
 * ((Sxx - Syy)^2 + 4 Sxy^2) / (Sxx + Syy)^2, at most COHERENCE_PCT percent (a 1D barcode, an
 * edge or stripes at any angle come near 100%, a symbol's modules below 25% at any angle;
 * text lies near a symbol there).  A busy window is two-toned like a symbol when its luma's
 * variance over its range squared (p (1 - p) for a fraction p of dark pixels) is at least
 * BALANCE_PCT percent (the tests' symbols 0.12 to 0.25, thin strokes of text 0.03 to 0.10)
 * and at most MID_PCT percent of its pixels lie in the middle half of its range (a glyph, its
 * outline and the backdrop between are three tones).  Connected busy windows make a box,
 * searched when at least LIKE_PCT percent of them are two-toned, both sides are at least
 * MIN_PX (the smallest symbol for a case label's GTIN and lot, 16x16 modules, is 40 px at
 * 2.5 px modules, and the windows that half cover it reach past it; the capacity bench's clock,
 * Sans 20 at 640 px, makes boxes 32 px high) and the longer is at most ASPECT_PCT percent of
 * the shorter (a square symbol is 1:1 at any angle, the rectangular 8x32 about 1:3.4 with the
 * windows' margin, a line of text longer; a longer box is searched only where a part of it
 * is at least twice as tall as the rest, as a symbol beside a line of text is).  The box is
 * padded for its quiet zone and its solid finder edges, whose windows are not busy (PAD_PX
 * plus PAD_PCT percent of its longer side: a symbol of 6 px modules loses about 4 modules a
 * side), and searched largest first, at most BOXES a frame. */
#define PT_SCAN_DMTX_GATE_CELL          8
#define PT_SCAN_DMTX_GATE_EDGE_LEVEL    48
#define PT_SCAN_DMTX_GATE_EDGE_PX       40
#define PT_SCAN_DMTX_GATE_NOISE_PX      176
#define PT_SCAN_DMTX_GATE_COHERENCE_PCT 45
#define PT_SCAN_DMTX_GATE_BALANCE_PCT   10
#define PT_SCAN_DMTX_GATE_MID_PCT       45
#define PT_SCAN_DMTX_GATE_LIKE_PCT      50
#define PT_SCAN_DMTX_GATE_MIN_PX        40
#define PT_SCAN_DMTX_GATE_ASPECT_PCT    350
#define PT_SCAN_DMTX_GATE_PAD_PX        8
#define PT_SCAN_DMTX_GATE_PAD_PCT       20
#define PT_SCAN_DMTX_GATE_BOXES         16
/* The presence test reads the frame box-averaged to at most GATE_WIDTH px wide (1080p and
 * 720p by 2): its thresholds hold for modules of 2.5 to 6 px, which a 1080p symbol of 5 to 12
 * px modules has once halved, and its cost stays that of a frame of about that width.  The
 * boxes it finds are read at full resolution, where a 1080p symbol of 6 px modules is not the
 * 2 px blur that scaling to scan_width 640 made of it. */
#define PT_SCAN_DMTX_GATE_WIDTH 960
/* Linear codes in the same test: a window whose gradients run one way, a coherence of at least
 * LINEAR_COHERENCE_PCT percent (a code's bars come near 100% at any angle, a symbol's modules
 * below 25%, text mostly between; pixel noise's edge density included, as thin bars have it).
 * Connected such windows make a box when it is at least LINEAR_MIN_PX across (bars of a case
 * label's GS1-128 at 3 px modules are 120 px high at full size, 60 halved; a line of text in
 * the tests' scenes is under 32) and LINEAR_MIN_LEN_PX along the gradients, longer than it is
 * across (a GS1-128 with a GTIN and a lot is some 240 modules long, 480 px at 1080p's 3 px
 * modules halved, 240 at 720p's 2 px; a run of zeros in a large clock, 72, is not; nor is
 * a thick stroke of a glyph, long across its gradient), and its windows fill at least
 * LINEAR_FILL_PCT percent of it (a code's bars fill their box, strokes of text do not); padded
 * by the DataMatrix's PAD_PX plus LINEAR_PAD_PCT percent of its longer side for the quiet zones,
 * and read by zbar at full resolution, at most LINEAR_BOXES a frame (a case label has one;
 * zbar on a 1080p GS1-128's box costs a few ms against 85 ms for the whole frame). */
#define PT_SCAN_LINEAR_COHERENCE_PCT 80
#define PT_SCAN_LINEAR_MIN_PX        32
#define PT_SCAN_LINEAR_MIN_LEN_PX    160
#define PT_SCAN_LINEAR_FILL_PCT      50
#define PT_SCAN_LINEAR_PAD_PCT       10
#define PT_SCAN_LINEAR_BOXES         4

/* Segment hashing and file I/O */
#define PT_HASH_CHUNK_BYTES  (256 * 1024)
#define PT_HASH_THREADS      1    /* per camera: results arrive in segment order */
#define PT_OUTBOX_MAX_EVENTS 1024 /* events waiting for the main loop */

/* Probe, repair and clip export */
#define PT_PROBE_TIMEOUT_NS     (600 * GST_SECOND)
#define PT_MKV_HEAD_BYTES       4096 /* EBML header + Segment start */
#define PT_CLIP_MAX_SEGMENTS    4096
#define PT_CLIP_MAX_NS          (6 * 3600 * GST_SECOND)
#define PT_CLIP_PULL_TIMEOUT_NS (10 * GST_SECOND)
/* Frames held while looking for the keyframe before a clip's start: our cameras keyframe at
 * least every PT_KEYFRAME_MAX_NS, so a GOP over a minute long at 30 fps is not a stream we
 * can cut, and the export fails rather than holding it all. */
#define PT_CLIP_MAX_GOP_FRAMES 2000
/* The clip writer's appsrc queue: several seconds of PT_OPENH264_BITRATE_BPS video, so the
 * reader runs ahead of the muxer, while export memory stays bounded (appsrc blocks). */
#define PT_CLIP_APPSRC_MAX_BYTES (8 * 1024 * 1024)

/* A masked clip is encoded again with a keyframe every this many frames (a second at the
 * test source's 25 fps), so a player seeks in it as in the recording. */
#define PT_CLIP_MASK_KEY_INT_FRAMES 25
/* The clip's comment names at most this many of the segments it was cut from. */
#define PT_CLIP_SOURCES_NAMED_MAX 32

/* Demo footage */
#define PT_DEMO_DEFAULT_SECONDS 20
#define PT_DEMO_MAX_SECONDS     600

/* Live view (pt-live.c): HLS with 1 s segments and a short playlist, so a player starts
 * close to the live edge; old segments are deleted as new ones close.  The branch is taken
 * out when nobody has fetched the playlist for PT_LIVE_IDLE_NS. */
#define PT_LIVE_SEGMENT_SECONDS   1
#define PT_LIVE_PLAYLIST_SEGMENTS 3
#define PT_LIVE_MAX_FILES         (PT_LIVE_PLAYLIST_SEGMENTS + 2) /* a player may still read these */
#define PT_LIVE_IDLE_NS           (10 * GST_SECOND)
#define PT_LIVE_IDLE_MIN_NS       (1 * GST_SECOND)
#define PT_LIVE_IDLE_MAX_NS       (600 * GST_SECOND)
/* The analysis substream (pt-camera.c) runs only while its frames are wanted (the camera's
 * gates: a thumbnail watched, a grading or a load open) and is disconnected once nothing has
 * wanted them for PT_ANALYSIS_HOLD_NS: long enough that a load closed and the next opened, or a
 * dashboard tab hidden and shown again, keeps its RTSP session rather than paying the second
 * or so a reconnection takes; short enough that an idle camera costs nothing for long. */
#define PT_ANALYSIS_HOLD_NS     (10 * GST_SECOND)
#define PT_ANALYSIS_HOLD_MIN_NS (100 * GST_MSECOND)
#define PT_ANALYSIS_HOLD_MAX_NS (600 * GST_SECOND)
#define PT_LIVE_QUEUE_NS                                                                           \
  (2 * GST_SECOND)                     /* leaky: a slow disk drops live frames, never              \
                                        * the recording's */
#define PT_LIVE_DETACH_TIMEOUT_MS 1000 /* for the tee pad to go idle, then for EOS to arrive */
/* Privacy masks (pt-mask.c): rectangles a camera's viewers never see.  A few per camera (a
 * face at a station, a stretch of public road); more is a config mistake, not a need. */
#define PT_MASK_RECTS_MAX   8
#define PT_MASK_TEXT_MAX    256 /* privacy_mask's text in station.ini */
#define PT_MASK_RECT_MIN_PX 2   /* a side; a 1-pixel rectangle hides nothing and is a typo */
/* blur: a box blur this many times in each direction (three approach a Gaussian), with a
 * radius of the rectangle's shorter side over PT_MASK_BLUR_DIVISOR: strong enough that a
 * face in the rectangle has no features left, cheap enough at any size (running sums). */
#define PT_MASK_BLUR_PASSES  3
#define PT_MASK_BLUR_DIVISOR 3
/* The live view of a masked raw camera encodes a second time; raw frames ahead of that
 * encoder (leaky: the recording never waits, and 720p frames are 1.4 MB each). */
#define PT_LIVE_RAW_QUEUE_BUFFERS 4
/* The burned-in time stamp (timestamp_overlay=qr): QR module size in pixels */
#define PT_TIMESTAMP_QR_PIXEL_SIZE 4
