/* test-qr.c: a loading camera's scan branch reads codes in its footage (QR by qroverlay on
 * test video, and QR, GS1-128 and GS1 DataMatrix as labels/ encodes them for a case label,
 * drawn by pt-test-codes.c, at the loading camera's 1280x720,
 * H.264 in Matroska, played as a file camera): the payloads arrive through the qr callback,
 * byte for byte (case kept), with UTC times inside the run, while every segment is still
 * recorded.  It reads no more than scan_fps frames a second, decodes and reads nothing while
 * its scan gate is shut (the counters stay 0), skips a still dock (motion gate) and wakes
 * for a code moving in. */
#include "pt-gs1-ai.h"
#include "pt-test-codes.h"
#include "pt-test-util.h"

#define LINK "https://trace.example.coop/01/09506000134352/10/PT2611250001?13=261125"
/* GS1-128 carries FNC1 as GS after a variable-length value that is not last. */
#define CASE_BRACKETS "[01]09506000134352[10]PT2611250001[13]261125"
#define CASE_RAW                                                                                   \
  "0109506000134352"                                                                               \
  "10PT2611250001\x1d"                                                                             \
  "13261125"

typedef struct {
  GHashTable *payloads; /* payload -> count */
  GHashTable *types;    /* payload -> zbar's symbology name (the last read) */
  gint scan_open;       /* atomic: the scan gate's answer */
  gint64 first_ns, last_ns;
  PtCameraCallbacks cbs;
  PtTestRecorder *rec;
} QrSeen;

static void
on_qr(PtCamera *camera, const char *symbology, const char *payload, gint64 utc_ns,
      gpointer user_data)
{
  QrSeen *seen = user_data;
  guint n = GPOINTER_TO_UINT(g_hash_table_lookup(seen->payloads, payload));
  g_hash_table_replace(seen->payloads, g_strdup(payload), GUINT_TO_POINTER(n + 1));
  g_hash_table_replace(seen->types, g_strdup(payload), g_strdup(symbology));
  if (!seen->first_ns)
    seen->first_ns = utc_ns;
  seen->last_ns = utc_ns;
}

static gboolean
scan_wanted(PtCamera *camera, gpointer user_data)
{
  QrSeen *seen = user_data;
  return g_atomic_int_get(&seen->scan_open);
}

static guint
reads_of(QrSeen *seen, const char *payload)
{
  return GPOINTER_TO_UINT(g_hash_table_lookup(seen->payloads, payload));
}

static void
on_state(PtCamera *camera, PtCameraState state, const GError *error, gpointer user_data)
{
  QrSeen *seen = user_data;
  pt_test_callbacks()->state_changed(camera, state, error, seen->rec);
}

static void
on_opened(PtCamera *camera, const PtSegmentInfo *s, gpointer user_data)
{
  pt_test_callbacks()->segment_opened(camera, s, ((QrSeen *)user_data)->rec);
}

static void
on_closed(PtCamera *camera, const PtSegmentInfo *s, gpointer user_data)
{
  pt_test_callbacks()->segment_closed(camera, s, ((QrSeen *)user_data)->rec);
}

static void
reset(QrSeen *seen)
{
  g_hash_table_remove_all(seen->payloads);
  g_hash_table_remove_all(seen->types);
  seen->first_ns = seen->last_ns = 0;
}

static void
still_run(QrSeen *seen, const PtCameraConfig *cfg)
{
  g_autoptr(GError) error = NULL;
  reset(seen);
  PtCamera *cam = pt_camera_new(cfg, &seen->cbs, seen, &error);
  PT_CHECK(cam != NULL, "%s", error ? error->message : "");
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pt_test_spin(3000);
  pt_camera_stop(cam);
  PtScanStats st;
  pt_camera_get_scan_stats(cam, &st);
  /* 3 s of 25 fps footage with a keyframe a second: the first frames and those within 400 ms
   * are read; after that only keyframes are decoded, and skipped as still. */
  PT_CHECK(reads_of(seen, LINK) >= 1, "a still code was never read");
  PT_CHECK(st.still >= 2 && st.scanned <= 5, "still dock: %u frames skipped, %u scanned", st.still,
           st.scanned);
  PT_CHECK(st.decoded <= 30, "still dock: %u of about 75 frames decoded", st.decoded);
  g_print("qr: still dock 3 s: %u frames decoded, %u skipped as still, %u scanned, %u reads\n",
          st.decoded, st.still, st.scanned, reads_of(seen, LINK));
  pt_camera_free(cam);
}

/* 4 s of footage: 1 s still, a code moving in from the left for 2 s, 1 s still. */
static void
moving_run(QrSeen *seen, const PtCameraConfig *base, const char *root, PtSymbology symbology)
{
  static const char *const names[] = {[PT_SYMBOL_QR] = "qr",
                                      [PT_SYMBOL_GS1_128] = "gs1-128",
                                      [PT_SYMBOL_GS1_DATAMATRIX] = "gs1-datamatrix"};
  static const char *const types[] = {[PT_SYMBOL_QR] = "QR-Code",
                                      [PT_SYMBOL_GS1_128] = "CODE-128",
                                      [PT_SYMBOL_GS1_DATAMATRIX] = "DataMatrix"};
  g_autoptr(GError) error = NULL;
  gboolean qr = symbology == PT_SYMBOL_QR;
  /* The DataMatrix as a case label carries it: labels/ encodes the element string. */
  g_autoptr(PtBarcode) bc = qr ? pt_barcode_qr(LINK, PT_QR_EC_M, &error)
                               : pt_barcode_gs1(symbology, CASE_BRACKETS, &error);
  PT_CHECK(bc != NULL, "%s", error ? error->message : "");
  g_autofree char *name = g_strdup_printf("moving-%s.mkv", names[symbology]);
  g_autofree char *file = g_build_filename(root, name, NULL);
  PtTestFootage spec = {.width = 1280,
                        .height = 720,
                        .fps = 25,
                        .n_frames = 100,
                        .module_px = symbology == PT_SYMBOL_GS1_128 ? 3 : 5,
                        .first = 25,
                        .last = 74,
                        .x = 0,
                        .y = 200,
                        .speed = 4};
  PT_CHECK(pt_test_codes_footage(file, &spec, bc, &error), "%s", error ? error->message : "");
  PtCameraConfig cfg = *base;
  cfg.name = g_strdup(base->name);
  cfg.output_root = g_strdup(base->output_root);
  cfg.location = g_strdup(file);
  reset(seen);
  PtCamera *cam = pt_camera_new(&cfg, &seen->cbs, seen, &error);
  PT_CHECK(cam != NULL, "%s", error ? error->message : "");
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pt_test_spin(4000);
  pt_camera_stop(cam);
  PtScanStats st;
  pt_camera_get_scan_stats(cam, &st);
  const char *want = qr ? LINK : CASE_RAW;
  const char *type = types[symbology];
  guint n = reads_of(seen, want);
  /* libdmtx's search of a frame ends at a wall-clock deadline, so a starved box reads fewer
   * of the ten frames that show the symbol; one read is all the station needs. */
  guint least = symbology == PT_SYMBOL_GS1_DATAMATRIX ? 1 : 2;
  PT_CHECK(n >= least, "%s moving in: read %u times (%u distinct payloads)", type, n,
           g_hash_table_size(seen->payloads));
  PT_CHECK(g_strcmp0(g_hash_table_lookup(seen->types, want), type) == 0, "read as %s",
           (char *)g_hash_table_lookup(seen->types, want));
  if (!qr) {
    PtGs1ReadElement els[PT_GS1_ELEMENTS_MAX];
    gsize n_els = 0;
    PT_CHECK(pt_gs1_element_string_parse(want, els, G_N_ELEMENTS(els), &n_els, &error) &&
                 g_strcmp0(pt_gs1_read_find(els, n_els, "10"), "PT2611250001") == 0,
             "the case label's element string does not parse: %s", error ? error->message : "");
  }
  /* The still second before the code came in is skipped after the hold, and the code moving
   * in wakes the branch at a keyframe. */
  PT_CHECK(st.still >= 1 && st.scanned >= 4, "moving code: %u frames skipped, %u scanned", st.still,
           st.scanned);
  g_print("qr: %s moving in for 2 s of 4: %u reads; %u frames scanned, %u skipped as still\n", type,
          n, st.scanned, st.still);
  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
}

/* The QR of moving_run() with the camera's scan region on the right half of the frame, where
 * the code never goes: nothing is read, and the region stands still throughout. */
static void
region_run(QrSeen *seen, const PtCameraConfig *base, const char *root)
{
  g_autoptr(GError) error = NULL;
  PtCameraConfig cfg = *base;
  cfg.name = g_strdup(base->name);
  cfg.output_root = g_strdup(base->output_root);
  cfg.location = g_build_filename(root, "moving-qr.mkv", NULL);
  cfg.scan_x = 800;
  cfg.scan_y = 0;
  cfg.scan_w = 480;
  cfg.scan_h = 720;
  reset(seen);
  PtCamera *cam = pt_camera_new(&cfg, &seen->cbs, seen, &error);
  PT_CHECK(cam != NULL, "%s", error ? error->message : "");
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pt_test_spin(3000);
  pt_camera_stop(cam);
  PtScanStats st;
  pt_camera_get_scan_stats(cam, &st);
  PT_CHECK(reads_of(seen, LINK) == 0, "a code outside the scan region was read %u times",
           reads_of(seen, LINK));
  PT_CHECK(st.still >= 2 && st.decoded <= 40, "the still region: %u frames decoded, %u skipped",
           st.decoded, st.still);
  g_print("qr: code outside the region: no read; %u frames decoded, %u skipped as still, %u "
          "scanned\n",
          st.decoded, st.still, st.scanned);
  pt_camera_free(cam);
  pt_camera_config_clear(&cfg);
}

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", "qroverlay", "zbar", "matroskamux", NULL);
  g_autofree char *root = pt_test_tmpdir("qr");
  g_autofree char *file = g_build_filename(root, "dock.mkv", NULL);
  g_autofree char *location = g_strdup_printf("location=%s", file);
  /* The footage is made by gst-launch-1.0 in its own process: qroverlay (gst-plugins-bad
   * 1.22) leaks its overlay buffer on every frame and its overlaycomposition child, which
   * the leak checks of this process (gst-leaks.sh, LeakSanitizer) would report. */
  const char *gen[] = {"gst-launch-1.0",
                       "--no-fault", /* a crash fails the test instead of spinning */
                       "-q",
                       "videotestsrc",
                       "num-buffers=100",
                       "pattern=smpte",
                       "!",
                       "video/x-raw,width=1280,height=720,framerate=25/1,format=I420",
                       "!",
                       "qroverlay",
                       "data=\"" LINK "\"",
                       "case-sensitive=true",
                       "pixel-size=6",
                       "x=30",
                       "y=30",
                       "!",
                       "videoconvert",
                       "!",
                       "x264enc",
                       "key-int-max=25",
                       "tune=zerolatency",
                       "!",
                       "h264parse",
                       "!",
                       "matroskamux",
                       "!",
                       "filesink",
                       location,
                       NULL};
  /* Not traced: the leaks tracer and qroverlay together crash gst-launch-1.0 when freed
   * memory is perturbed (MALLOC_PERTURB_, which meson sets). */
  g_auto(GStrv) gen_env = g_environ_unsetenv(g_get_environ(), "GST_TRACERS");
  int status = -1;
  PT_CHECK(g_spawn_sync(NULL, (char **)gen, gen_env, G_SPAWN_SEARCH_PATH, NULL, NULL, NULL, NULL,
                        &status, &error) &&
               g_spawn_check_wait_status(status, &error),
           "footage not written: %s", error ? error->message : "");

  QrSeen seen = {.payloads = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL),
                 .types = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free)};
  seen.rec = pt_test_recorder_new();
  seen.cbs = (PtCameraCallbacks){.segment_opened = on_opened,
                                 .segment_closed = on_closed,
                                 .state_changed = on_state,
                                 .qr = on_qr};
  PtCameraConfig cfg;
  pt_camera_config_init(&cfg);
  cfg.name = g_strdup("dock-1");
  cfg.role = PT_CAMERA_ROLE_LOADING;
  cfg.kind = PT_SOURCE_FILE;
  cfg.location = g_strdup(file);
  cfg.output_root = g_strdup(root);
  cfg.segment_ns = GST_SECOND;
  /* The footage is a still scene: the rate is checked with the motion gate off. */
  cfg.scan_motion = FALSE;
  PtCamera *cam = pt_camera_new(&cfg, &seen.cbs, &seen, &error);
  PT_CHECK(cam != NULL, "%s", error->message);
  gint64 t0 = g_get_real_time() * 1000;
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pt_test_spin(5000);
  gint64 t1 = g_get_real_time() * 1000;
  pt_camera_stop(cam);
  PtScanStats st;
  pt_camera_get_scan_stats(cam, &st);

  guint n = reads_of(&seen, LINK);
  PT_CHECK(g_strcmp0(g_hash_table_lookup(seen.types, LINK), "QR-Code") == 0, "read as %s",
           (char *)g_hash_table_lookup(seen.types, LINK));
  /* Every frame decoded (125 in 5 s), not only keyframes (one a second, 5): half of them is
   * the bound, so a loaded box still tells the two apart. */
  PT_CHECK(st.scanned >= n && st.still == 0 && st.decoded >= 50,
           "%u frames decoded, %u scanned, %u still for %u reads with the motion gate off",
           st.decoded, st.scanned, st.still, n);
  PT_CHECK(n >= 10, "the link was read %u times in 5 s of footage", n);
  /* The footage runs at 25 fps with the code in every frame: at scan_fps 5, about 25 reads in
   * 5 s, never the 125 frames the camera sees. */
  PT_CHECK(n <= (guint)(cfg.scan_fps * (t1 - t0) / GST_SECOND) + cfg.scan_fps,
           "the link was read %u times in %.1f s at scan_fps %d", n, (t1 - t0) / 1e9, cfg.scan_fps);
  /* zbar now and then decodes a compressed frame into other text; the station's strict
   * Digital Link parser drops those, so here the link must only dominate. */
  guint total = 0;
  GHashTableIter it;
  gpointer count;
  g_hash_table_iter_init(&it, seen.payloads);
  while (g_hash_table_iter_next(&it, NULL, &count))
    total += GPOINTER_TO_UINT(count);
  PT_CHECK(n * 10 >= total * 9, "only %u of %u reads were the link (%u distinct payloads)", n,
           total, g_hash_table_size(seen.payloads));
  PT_CHECK(seen.first_ns >= t0 - GST_SECOND && seen.last_ns <= t1 + GST_SECOND,
           "scan times outside the run");
  PT_CHECK(seen.rec->closed->len >= 3, "%u segments closed while reading codes",
           seen.rec->closed->len);
  g_print("qr: %u reads of one code in %.1f s; %u segments\n", n, (t1 - t0) / 1e9,
          seen.rec->closed->len);
  pt_camera_free(cam);

  /* The gate: shut, nothing is decoded or read; open, the codes are read again. */
  g_hash_table_remove_all(seen.payloads);
  seen.first_ns = seen.last_ns = 0;
  seen.cbs.scan_wanted = scan_wanted;
  cam = pt_camera_new(&cfg, &seen.cbs, &seen, &error);
  PT_CHECK(cam != NULL, "%s", error ? error->message : "");
  PT_CHECK(pt_camera_start(cam, &error), "%s", error ? error->message : "");
  pt_test_spin(2500);
  guint shut = g_hash_table_size(seen.payloads);
  PtScanStats shut_st;
  pt_camera_get_scan_stats(cam, &shut_st);
  g_atomic_int_set(&seen.scan_open, 1);
  pt_test_spin(2500);
  pt_camera_stop(cam);
  pt_camera_get_scan_stats(cam, &st);
  PT_CHECK(shut == 0, "%u payloads read with the scan gate shut", shut);
  PT_CHECK(shut_st.decoded == 0 && shut_st.scanned == 0, "gate shut: %u frames decoded, %u scanned",
           shut_st.decoded, shut_st.scanned);
  PT_CHECK(st.decoded > 0 && st.scanned > 0, "gate open: %u frames decoded, %u scanned", st.decoded,
           st.scanned);
  PT_CHECK(reads_of(&seen, LINK) >= 3, "the link was read %u times once the gate opened",
           reads_of(&seen, LINK));
  /* No burst when the gate opens: still at most scan_fps frames a second of the footage. */
  PT_CHECK(reads_of(&seen, LINK) <=
               (guint)(cfg.scan_fps * (seen.last_ns - seen.first_ns) / GST_SECOND) + 2,
           "%u reads of frames %.2f s apart at scan_fps %d", reads_of(&seen, LINK),
           (seen.last_ns - seen.first_ns) / 1e9, cfg.scan_fps);
  g_print("qr: gate shut 2.5 s, no read; open 2.5 s, %u reads of frames %.2f s apart\n",
          reads_of(&seen, LINK), (seen.last_ns - seen.first_ns) / 1e9);
  pt_camera_free(cam);

  /* The motion gate on the same still footage: the first frames are read (a code held still
   * in view), then the frames are skipped and counted. */
  cfg.scan_motion = TRUE;
  cfg.scan_hold_ms = 400;
  still_run(&seen, &cfg);

  /* Codes that move in over a still backdrop: a QR and a case label's GS1-128 and GS1
   * DataMatrix, read with the motion gate on; the dock stands still before and after. */
  moving_run(&seen, &cfg, root, PT_SYMBOL_QR);
  moving_run(&seen, &cfg, root, PT_SYMBOL_GS1_128);
  moving_run(&seen, &cfg, root, PT_SYMBOL_GS1_DATAMATRIX);
  region_run(&seen, &cfg, root);

  pt_camera_config_clear(&cfg);
  g_hash_table_unref(seen.types);
  g_hash_table_unref(seen.payloads);
  pt_test_recorder_free(seen.rec);
  pt_test_rmtree(root);
  return 0;
}
