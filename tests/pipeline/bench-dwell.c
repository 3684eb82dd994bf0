/* bench-dwell.c: how long a code must be in view of a loading camera to be read, at 720p and
 * 1080p (printed, not a test).  Footage (pt-test-codes.c, 30 fps, a still backdrop) shows a
 * batch's Digital Link QR (6 px modules), a case label's GS1-128 (3 px modules) or its GS1
 * DataMatrix (6 px modules, scan_width 640) moving in
 * slowly for N frames; the camera plays it once with the station's defaults (scan_fps 5, the
 * motion gate on; scan_width 640, and for GS1-128 also the full frame) and the code counts as
 * read when a read's frame lies in that first pass.  Each N is tried at PHASES offsets against
 * the scan rate's 200 ms; the dwell time is the smallest N read at every offset.  Two cases:
 * the code comes while the branch is awake (something moved within scan_hold_ms), and the code
 * comes to a dock still for 2.5 s, past the hold, when only keyframes (one a second here) are
 * decoded: the branch wakes at the first keyframe that shows it.
 *
 * Usage: bench-dwell [qr|gs1|dm]  (default all three) */
#include "pt-test-codes.h"
#include "pt-test-util.h"

#define FPS      30
#define AWAKE_AT 9  /* the code's first frame, awake: within the hold of the first frame */
#define IDLE_AT  75 /* the code's first frame, from idle: 2.5 s of still dock before it */
#define TAIL     15 /* frames after the code left, before the footage loops */
#define PHASES   3

static const int awake_frames[] = {1, 2, 3, 4, 5, 6, 8, 10, 12};
static const int idle_frames[] = {6, 12, 18, 24, 30, 36, 45, 60, 75};

typedef struct {
  const char *want;
  gint64 start_ns; /* UTC of the first recorded frame */
  gint64 end_ns;   /* end of the first pass */
  int n_frames;
  guint reads;
} Dwell;

static void
on_qr(PtCamera *camera, const char *symbology, const char *payload, gint64 utc_ns, gpointer data)
{
  Dwell *d = data;
  if (g_strcmp0(payload, d->want) == 0 && d->start_ns && utc_ns < d->end_ns)
    d->reads++;
}

static void
on_opened(PtCamera *camera, const PtSegmentInfo *s, gpointer data)
{
  Dwell *d = data;
  if (!d->start_ns) {
    d->start_ns = s->start_ns;
    d->end_ns = s->start_ns + (gint64)d->n_frames * GST_SECOND / FPS;
  }
}

/* Whether @bc, in view for @n frames from @at + @phase, is read in the first pass. */
static gboolean
read_once(const char *root, int width, int height, int scan_width, const PtBarcode *bc,
          int module_px, const char *want, int at, int n, int phase)
{
  int n_frames = at + phase + n + TAIL;
  g_autoptr(GError) error = NULL;
  g_autofree char *file = g_build_filename(root, "dwell.mkv", NULL);
  /* Near the left edge: a case label's GS1-128 at 3 px modules is about 900 px wide. */
  PtTestFootage spec = {.width = width,
                        .height = height,
                        .fps = FPS,
                        .n_frames = n_frames,
                        .module_px = module_px,
                        .first = at + phase,
                        .last = at + phase + n - 1,
                        .x = width / 16,
                        .y = height / 3,
                        .speed = 2};
  PT_CHECK(pt_test_codes_footage(file, &spec, bc, &error), "%s", error ? error->message : "");
  PtCameraConfig cfg;
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("dwell");
  cfg.role = PT_CAMERA_ROLE_LOADING;
  cfg.kind = PT_SOURCE_FILE;
  cfg.location = g_strdup(file);
  cfg.output_root = g_strdup(root);
  cfg.scan_width = scan_width;
  Dwell d = {.want = want, .n_frames = n_frames};
  PtCameraCallbacks cbs = {.segment_opened = on_opened, .qr = on_qr};
  PtCamera *cam = pt_camera_new(&cfg, &cbs, &d, &error);
  PT_CHECK(cam != NULL && pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pt_test_spin(n_frames * 1000 / FPS + 700);
  pt_camera_stop(cam);
  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
  return d.reads > 0;
}

static void
dwell(const char *root, int width, int height, int scan_width, const char *what,
      const PtBarcode *bc, int module_px, const char *want, gboolean from_idle)
{
  GString *line = g_string_new(NULL);
  int min = -1;
  const int *frames = from_idle ? idle_frames : awake_frames;
  gsize n_tries = from_idle ? G_N_ELEMENTS(idle_frames) : G_N_ELEMENTS(awake_frames);
  for (gsize i = 0; i < n_tries && min < 0; i++) {
    int n = frames[i], read = 0;
    for (int p = 0; p < PHASES; p++)
      read += read_once(root, width, height, scan_width, bc, module_px, want,
                        from_idle ? IDLE_AT : AWAKE_AT, n, p * (from_idle ? 10 : 2));
    g_string_append_printf(line, " %d:%d/%d", n, read, PHASES);
    if (read == PHASES)
      min = n;
  }
  const char *when = from_idle ? "from idle" : "awake";
  if (min > 0)
    g_print("  %dp %s, scan_width %d, %s: read at every offset from %d frames = %d ms in view "
            "(frames:read/tries%s)\n",
            height, what, scan_width, when, min, min * 1000 / FPS, line->str);
  else
    g_print("  %dp %s, scan_width %d, %s: not read at every offset within %d frames (%s)\n", height,
            what, scan_width, when, frames[n_tries - 1], line->str);
  g_string_free(line, TRUE);
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  pt_test_init(&argc, &argv, "x264enc", "zbar", "matroskamux", "videocrop", NULL);
  g_autofree char *root = pt_test_tmpdir("dwell");
  const char *link = "https://trace.example.coop/01/09506000134352/10/PT2611250001?13=261125";
  const char *raw = "0109506000134352"
                    "10PT2611250001\x1d"
                    "13261125";
  g_autoptr(PtBarcode) qr = pt_barcode_qr(link, PT_QR_EC_M, &error);
  g_autoptr(PtBarcode) gs1 =
      pt_barcode_gs1(PT_SYMBOL_GS1_128, "[01]09506000134352[10]PT2611250001[13]261125", &error);
  g_autoptr(PtBarcode) dm = pt_barcode_gs1(PT_SYMBOL_GS1_DATAMATRIX,
                                           "[01]09506000134352[10]PT2611250001[13]261125", &error);
  PT_CHECK(qr && gs1 && dm, "%s", error ? error->message : "");
  g_print("dwell time: a code in view for N frames at %d fps, scan_fps 5, motion gate on, %d "
          "offsets each\n",
          FPS, PHASES);
  /* A QR at the default scan_width (zbar after the scaler copes with 2 px modules). */
  const char *only = argc > 1 ? argv[1] : "";
  for (int idle = 0; idle < 2 && !only[0]; idle++) {
    dwell(root, 1280, 720, 640, "QR (6 px modules)", qr, 6, link, idle);
    dwell(root, 1920, 1080, 640, "QR (6 px modules)", qr, 6, link, idle);
  }
  for (int idle = 0; idle < 2 && g_strcmp0(only, "qr") == 0; idle++) {
    dwell(root, 1280, 720, 640, "QR (6 px modules)", qr, 6, link, idle);
    dwell(root, 1920, 1080, 640, "QR (6 px modules)", qr, 6, link, idle);
  }
  /* A case label's DataMatrix at the default scan_width, read by libdmtx within its time. */
  if (!only[0] || g_strcmp0(only, "dm") == 0) {
    dwell(root, 1280, 720, 640, "GS1 DataMatrix (6 px modules)", dm, 6, raw, FALSE);
    dwell(root, 1920, 1080, 640, "GS1 DataMatrix (6 px modules)", dm, 6, raw, FALSE);
  }
  /* A case label's GS1-128 at the default scan_width (read by ptdmtx at full resolution,
   * where its presence test finds bars) and with the frame unscaled, as before. */
  if (!only[0] || g_strcmp0(only, "gs1") == 0) {
    dwell(root, 1280, 720, 640, "GS1-128 (3 px modules)", gs1, 3, raw, FALSE);
    dwell(root, 1920, 1080, 640, "GS1-128 (3 px modules)", gs1, 3, raw, FALSE);
    dwell(root, 1280, 720, 1280, "GS1-128 (3 px modules)", gs1, 3, raw, FALSE);
    dwell(root, 1920, 1080, 1920, "GS1-128 (3 px modules)", gs1, 3, raw, FALSE);
  }
  pt_test_rmtree(root);
  return 0;
}
