/* pt-test-util.h: shared helpers of the pipeline tests: skips, temp folders, a recorder of
 * camera callbacks, main-loop waits, and a loopback RTSP server (gst-rtsp-server). */
#pragma once

#include "pt-pipeline.h"

#include <gst/rtsp-server/rtsp-server.h>

G_BEGIN_DECLS

#define PT_TEST_SKIP 77

/* Fails the test with a message (exit 1). */
#define PT_CHECK(cond, ...)                                                                        \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      g_printerr("%s:%d: check failed: %s: ", __FILE__, __LINE__, #cond);                          \
      g_printerr(__VA_ARGS__);                                                                     \
      g_printerr("\n");                                                                            \
      pt_test_fail();                                                                              \
    }                                                                                              \
  } while (0)

/* exit(1) without gst_deinit(): pipelines may still be running on a failed check. */
void pt_test_fail(void) G_GNUC_NORETURN;
/* gst_init, and exit 77 when one of the NULL-terminated elements is missing.  A normal exit
 * (return from main) then runs gst_deinit(), so that GStreamer's leaks tracer, which
 * tests/pipeline/gst-leaks.sh turns on, reports the objects still alive. */
void pt_test_init(int *argc, char ***argv, ...) G_GNUC_NULL_TERMINATED;
/* A fresh temp folder (transfer full), removed by pt_test_rmtree(). */
char *pt_test_tmpdir(const char *what);
void pt_test_rmtree(const char *path);

typedef struct {
  char *path;
  gint64 start_ns, end_ns;
  guint64 bytes;
  char *sha256;
  gboolean complete;
} PtTestSegment;

typedef struct {
  gint64 from_ns, to_ns;
  char *reason;
} PtTestGap;

typedef struct {
  GPtrArray *opened;   /* PtTestSegment * */
  GPtrArray *closed;   /* PtTestSegment * */
  GPtrArray *gaps;     /* PtTestGap * */
  GArray *states;      /* PtCameraState */
  GArray *state_codes; /* error code or -1 per state */
  gint frames;         /* atomic: tap frames seen */
  gint frame_width, frame_height, frame_stride;
  gint64 first_frame_utc, last_frame_utc;
  guint tap_sleep_ms; /* make the tap callback slow on purpose */
} PtTestRecorder;

PtTestRecorder *pt_test_recorder_new(void);
void pt_test_recorder_free(PtTestRecorder *rec);
/* Callbacks that fill @rec (pass @rec as user_data). */
const PtCameraCallbacks *pt_test_callbacks(void);
/* Sets @cbs's segment, gap and state callbacks to pt_test_callbacks()'s for a test whose
 * user_data is its own struct, the recorder's pointer its first member; the test sets the
 * other callbacks itself. */
void pt_test_callbacks_via_first(PtCameraCallbacks *cbs);
/* TRUE when @state occurred; @code_out gets its error code (-1 none). */
gboolean pt_test_recorder_saw_state(PtTestRecorder *rec, PtCameraState state, int *code_out);

/* Iterates the default main context until @cond(@data) or @timeout_ms.  Returns @cond. */
gboolean pt_test_wait(gboolean (*cond)(gpointer data), gpointer data, guint timeout_ms);
/* Iterates the default main context for @ms. */
void pt_test_spin(guint ms);

/* Checks a closed segment: file exists, size and SHA-256 match.  Exits on failure. */
void pt_test_check_segment_file(const PtTestSegment *seg);

/* Loopback RTSP server serving @launch at /cam.  Port chosen at first start and kept. */
typedef struct {
  GstRTSPServer *server;
  guint source_id;
  int port;
  char *launch;
  gboolean shared;
  void (*configure)(GstRTSPMediaFactory *f, GstRTSPMedia *media, gpointer data);
  gpointer configure_data;
} PtTestRtsp;

void pt_test_rtsp_start(PtTestRtsp *rtsp);
/* Closes every client connection and the listening socket. */
void pt_test_rtsp_stop(PtTestRtsp *rtsp);
char *pt_test_rtsp_url(PtTestRtsp *rtsp);

G_END_DECLS
