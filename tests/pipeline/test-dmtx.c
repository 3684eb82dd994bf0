/* test-dmtx.c: the `ptdmtx` element's presence test in front of libdmtx and zbar, on frames
 * pushed through appsrc.  At the scan branch's old size (640x360): frames with text and a
 * GS1-128 but no Data Matrix, and the capacity bench's dock scene (SMPTE bars and a running
 * clock), hand libdmtx no region at all (the element's "searched" counter stays 0); frames
 * with a GS1 DataMatrix of several sizes, turned to several angles, or in a corner of the
 * frame, are read on every frame, searching no more than a region or two each.  At 1080p, as
 * the branch now hands ptdmtx the dock at full resolution in front of the scaler to
 * scan_width 640 and zbar (the branch's readers, its launch line below): a case label's
 * GS1-128 of 3 px modules and its GS1 DataMatrix of 6 px modules are read on every frame, the
 * payload byte for byte (neither is read once scaled to 640), and a busy frame without codes
 * (the dock scene with text over it) gives no read and hands libdmtx and zbar no region.
 * libdmtx gets a generous deadline here, so a read that fails is the presence test's, not the
 * shared box's. */
#include "pt-dmtx.h"
#include "pt-test-codes.h"
#include "pt-test-util.h"

#include <gst/app/app.h>
#include <math.h>
#include <string.h>

#define WIDTH         640
#define HEIGHT        360
#define FRAMES        5
#define TEXT          "LOT PT2611250001  PACKED 25.11.26  CLASS I  GALA"
#define CASE_BRACKETS "[01]09506000134352[10]PT2611250001[13]261125"
#define CASE_RAW                                                                                   \
  "0109506000134352"                                                                               \
  "10PT2611250001\x1d"                                                                             \
  "13261125"
/* A short one: the smallest symbol a case label's GTIN and lot need. */
#define SHORT_BRACKETS "[01]09506000134352[10]A1"
#define SHORT_RAW                                                                                  \
  "0109506000134352"                                                                               \
  "10A1"
/* A longer element string: a larger symbol (more modules a side). */
#define LONG_BRACKETS "[01]09506000134352[10]PT2611250001ABCDEF[13]261125[21]SN4711081512"
#define LONG_RAW                                                                                   \
  "0109506000134352"                                                                               \
  "10PT2611250001ABCDEF\x1d"                                                                       \
  "13261125"                                                                                       \
  "21SN4711081512"

typedef struct {
  guint frames; /* frames pushed */
  guint reads;  /* DataMatrix messages with the wanted payload */
  guint linear; /* CODE-128 messages with the case label's payload, the one GS1-128 drawn */
  guint others; /* barcode messages with anything else */
  guint64 searched, searched_linear;
} Run;

/* The backdrop of a dock: a diagonal grey gradient, as pt-test-codes.c draws it. */
static void
draw_backdrop(guint8 *y)
{
  for (int row = 0; row < HEIGHT; row++)
    for (int col = 0; col < WIDTH; col++)
      y[row * WIDTH + col] = (guint8)(60 + ((col + row / 2) % 256) / 3);
}

/* A GS1-128 of 1 px modules (about 310 px wide), 40 px high, at (@x0, @y0) with its quiet
 * zone. */
static void
draw_linear(guint8 *y, const PtBarcode *bc, int x0, int y0)
{
  const int m = 1;
  for (int dy = 0; dy < 40 + 8; dy++)
    for (int dx = 0; dx < (bc->cols + 2 * bc->quiet) * m; dx++) {
      int mx = dx / m - bc->quiet;
      gboolean dark = dy >= 4 && dy < 44 && mx >= 0 && mx < bc->cols && pt_barcode_dark(bc, mx, 0);
      if (x0 + dx < WIDTH && y0 + dy < HEIGHT)
        y[(y0 + dy) * WIDTH + x0 + dx] = dark ? 16 : 235;
    }
}

/* Pushes @frames copies of @y_plane (@width x @height; NULL: the launch line's own source)
 * through @launch, whose `ptdmtx name=dm` reads them, and counts its reads of @want as a
 * DataMatrix and of the case label's GS1-128. */
static void
run_sized(Run *r, const char *launch, const guint8 *y_plane, int width, int height, guint frames,
          const char *want)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GstElement) pipeline = gst_parse_launch(launch, &error);
  PT_CHECK(pipeline != NULL, "%s: %s", launch, error ? error->message : "");
  g_autoptr(GstElement) dm = gst_bin_get_by_name(GST_BIN(pipeline), "dm");
  g_autoptr(GstElement) src = gst_bin_get_by_name(GST_BIN(pipeline), "src");
  g_autoptr(GstBus) bus = gst_element_get_bus(pipeline);
  memset(r, 0, sizeof(*r));
  gst_element_set_state(pipeline, GST_STATE_PLAYING);
  if (y_plane != NULL) {
    gsize luma = (gsize)width * height, size = luma + luma / 2;
    for (guint i = 0; i < frames; i++) {
      GstBuffer *buf = gst_buffer_new_allocate(NULL, size, NULL);
      GstMapInfo map;
      gst_buffer_map(buf, &map, GST_MAP_WRITE);
      memcpy(map.data, y_plane, luma);
      memset(map.data + luma, 128, size - luma);
      gst_buffer_unmap(buf, &map);
      GST_BUFFER_PTS(buf) = gst_util_uint64_scale(i, GST_SECOND, 5);
      GST_BUFFER_DURATION(buf) = gst_util_uint64_scale(1, GST_SECOND, 5);
      PT_CHECK(gst_app_src_push_buffer(GST_APP_SRC(src), buf) == GST_FLOW_OK, "frame %u refused",
               i);
    }
    gst_app_src_end_of_stream(GST_APP_SRC(src));
  }
  r->frames = frames;
  for (;;) {
    g_autoptr(GstMessage) msg = gst_bus_timed_pop_filtered(
        bus, 60 * GST_SECOND, GST_MESSAGE_EOS | GST_MESSAGE_ERROR | GST_MESSAGE_ELEMENT);
    PT_CHECK(msg != NULL, "%s: no end in 60 s", launch);
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_ERROR) {
      gst_message_parse_error(msg, &error, NULL);
      PT_CHECK(FALSE, "%s: %s", launch, error->message);
    }
    if (GST_MESSAGE_TYPE(msg) == GST_MESSAGE_EOS)
      break;
    const GstStructure *s = gst_message_get_structure(msg);
    if (!gst_structure_has_name(s, "barcode"))
      continue;
    const char *type = gst_structure_get_string(s, "type");
    const char *symbol = gst_structure_get_string(s, "symbol");
    if (want != NULL && g_strcmp0(symbol, want) == 0 && g_strcmp0(type, "DataMatrix") == 0)
      r->reads++;
    else if (g_strcmp0(symbol, CASE_RAW) == 0 && g_strcmp0(type, "CODE-128") == 0)
      r->linear += GST_MESSAGE_SRC(msg) == GST_OBJECT(dm);
    else
      r->others++;
  }
  g_object_get(dm, "searched", &r->searched, "searched-linear", &r->searched_linear, NULL);
  gst_element_set_state(pipeline, GST_STATE_NULL);
}

static void
run(Run *r, const char *launch, const guint8 *y_plane, guint frames, const char *want)
{
  run_sized(r, launch, y_plane, WIDTH, HEIGHT, frames, want);
}

/* The 1080p cases: the scan branch's readers behind its crop (pt-camera-graph.c), with the
 * station's default scan_width, 640. */
#define FULL_WIDTH  1920
#define FULL_HEIGHT 1080
#define BRANCH_READERS                                                                             \
  "ptdmtx name=dm timeout=1000 ! videoscale ! "                                                    \
  "video/x-raw,format=I420,width=[1,640],pixel-aspect-ratio=1/1 ! zbar ! fakesink"

/* A 1080p dock: the backdrop of pt-test-codes.c (a diagonal grey gradient). */
static void
draw_full_backdrop(guint8 *y)
{
  for (int row = 0; row < FULL_HEIGHT; row++)
    for (int col = 0; col < FULL_WIDTH; col++)
      y[(gsize)row * FULL_WIDTH + col] = (guint8)(60 + ((col + row / 2) % 256) / 3);
}

/* A GS1-128 of @m px modules, its bars 40 modules high, at (@x0, @y0) with its quiet zone, on
 * a 1080p plane. */
static void
draw_full_linear(guint8 *y, const PtBarcode *bc, int m, int x0, int y0)
{
  for (int dy = 0; dy < 44 * m; dy++)
    for (int dx = 0; dx < (bc->cols + 2 * bc->quiet) * m; dx++) {
      int mx = dx / m - bc->quiet, my = dy / m;
      gboolean dark = my >= 2 && my < 42 && mx >= 0 && mx < bc->cols && pt_barcode_dark(bc, mx, 0);
      if (x0 + dx < FULL_WIDTH && y0 + dy < FULL_HEIGHT)
        y[(gsize)(y0 + dy) * FULL_WIDTH + x0 + dx] = dark ? 16 : 235;
    }
}

#define APPSRC_LAUNCH(rest)                                                                        \
  "appsrc name=src format=time block=true caps=video/x-raw,format=I420,width=640,height=360,"      \
  "framerate=5/1 ! textoverlay text=\"" TEXT                                                       \
  "\" font-desc=\"Sans 12\" halignment=left valignment=bottom ! " rest

typedef struct {
  const char *what;
  const char *bracketed, *raw;
  int module_px;
  double cx, cy, degrees;
} Symbol;

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  pt_test_init(&argc, &argv, "appsrc", "textoverlay", "timeoverlay", "videotestsrc", "zbar",
               "videoscale", NULL);
  PT_CHECK(pt_dmtx_register(NULL), "ptdmtx not registered");
  g_autoptr(PtBarcode) gs1_128 = pt_barcode_gs1(PT_SYMBOL_GS1_128, CASE_BRACKETS, &error);
  PT_CHECK(gs1_128 != NULL, "%s", error ? error->message : "");
  g_autofree guint8 *plane = g_malloc(WIDTH * HEIGHT);
  Run r;

  /* A case label without its DataMatrix: a GS1-128 and lines of text over the backdrop. */
  draw_backdrop(plane);
  draw_linear(plane, gs1_128, 20, 250);
  run(&r, APPSRC_LAUNCH("ptdmtx name=dm timeout=1000 ! fakesink"), plane, FRAMES, NULL);
  PT_CHECK(r.searched == 0 && r.others == 0,
           "text and a GS1-128: %" G_GUINT64_FORMAT " regions searched in %u frames, %u reads",
           r.searched, r.frames, r.others);
  g_print("dmtx: text and a GS1-128, no DataMatrix: %" G_GUINT64_FORMAT " regions searched\n",
          r.searched);
  /* The counter counts: the same frames searched whole without the presence test. */
  run(&r, APPSRC_LAUNCH("ptdmtx name=dm timeout=5 gate=false ! fakesink"), plane, FRAMES, NULL);
  PT_CHECK(r.searched == FRAMES, "ungated: %" G_GUINT64_FORMAT " regions searched in %u frames",
           r.searched, r.frames);

  /* The capacity bench's dock scene, as its substream shows it. */
  run(&r,
      "videotestsrc num-buffers=30 pattern=smpte horizontal-speed=2 ! "
      "video/x-raw,format=I420,width=640,height=360,framerate=30/1 ! "
      "timeoverlay font-desc=\"Sans 20\" ! ptdmtx name=dm timeout=1000 ! fakesink",
      NULL, 30, NULL);
  PT_CHECK(r.searched == 0 && r.others == 0,
           "the bench's dock: %" G_GUINT64_FORMAT " regions searched in %u frames", r.searched,
           r.frames);
  g_print("dmtx: the capacity bench's dock scene: %" G_GUINT64_FORMAT " regions searched in %u "
          "frames\n",
          r.searched, r.frames);

  /* 6 px modules at 640 wide (bench-dwell's at 720p are 3 px once scaled, test-qr's 2.5). */
  static const Symbol symbols[] = {
      {"3 px modules", CASE_BRACKETS, CASE_RAW, 3, 400, 150, 0},
      {"the smallest, 3 px modules", SHORT_BRACKETS, SHORT_RAW, 3, 470, 120, 0},
      {"6 px modules", CASE_BRACKETS, CASE_RAW, 6, 400, 170, 0},
      {"a larger symbol, 4 px modules", LONG_BRACKETS, LONG_RAW, 4, 420, 160, 0},
      {"turned 30 degrees", CASE_BRACKETS, CASE_RAW, 4, 400, 150, 30},
      {"turned 45 degrees, 3 px modules", CASE_BRACKETS, CASE_RAW, 3, 420, 180, 45},
      {"beside the text and the GS1-128", CASE_BRACKETS, CASE_RAW, 3, 390, 270, 0},
      {"turned 160 degrees", LONG_BRACKETS, LONG_RAW, 5, 450, 150, 160},
      {"in the top-left corner", CASE_BRACKETS, CASE_RAW, 4, -1, -1, 0},
      {"in the bottom-right corner, turned 10 degrees", CASE_BRACKETS, CASE_RAW, 4, -2, -2, 10},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(symbols); i++) {
    const Symbol *sym = &symbols[i];
    g_autoptr(PtBarcode) dm = pt_barcode_gs1(PT_SYMBOL_GS1_DATAMATRIX, sym->bracketed, &error);
    PT_CHECK(dm != NULL, "%s", error ? error->message : "");
    /* A corner case puts the corner of the (turned) quiet zone's bounding box on the frame's. */
    double a = sym->degrees * G_PI / 180.0;
    double half = (dm->cols + 2 * dm->quiet) * sym->module_px / 2.0 * (fabs(cos(a)) + fabs(sin(a)));
    double cx = sym->cx == -1 ? half : sym->cx == -2 ? WIDTH - half - 1 : sym->cx;
    double cy = sym->cy == -1 ? half : sym->cy == -2 ? HEIGHT - half - 1 : sym->cy;
    draw_backdrop(plane);
    draw_linear(plane, gs1_128, 20, 250);
    pt_test_codes_draw_matrix(plane, WIDTH, HEIGHT, WIDTH, dm, sym->module_px, cx, cy,
                              sym->degrees);
    run(&r, APPSRC_LAUNCH("ptdmtx name=dm timeout=1000 ! fakesink"), plane, FRAMES, sym->raw);
    PT_CHECK(r.reads == FRAMES && r.others == 0,
             "DataMatrix %s (%dx%d modules): read in %u of %u frames (%u other reads)", sym->what,
             dm->cols, dm->rows, r.reads, r.frames, r.others);
    PT_CHECK(r.searched <= 2 * FRAMES, "DataMatrix %s: %" G_GUINT64_FORMAT " regions in %u frames",
             sym->what, r.searched, r.frames);
    g_print("dmtx: DataMatrix %s (%dx%d modules): read in %u of %u frames, %" G_GUINT64_FORMAT
            " regions searched\n",
            sym->what, dm->cols, dm->rows, r.reads, r.frames, r.searched);
  }

  /* 1080p through the branch's readers at scan_width 640.  A case label near the left edge: its
   * GS1-128 of 3 px modules (about 900 px wide, 1 px a module once scaled) and, apart, its GS1
   * DataMatrix of 6 px modules (2 px once scaled); each alone, then both. */
  g_autofree guint8 *full = g_malloc((gsize)FULL_WIDTH * FULL_HEIGHT);
  g_autoptr(PtBarcode) case_dm = pt_barcode_gs1(PT_SYMBOL_GS1_DATAMATRIX, CASE_BRACKETS, &error);
  PT_CHECK(case_dm != NULL, "%s", error ? error->message : "");
  const char *full_launch =
      "appsrc name=src format=time block=true caps=video/x-raw,format=I420,"
      "width=1920,height=1080,framerate=5/1,pixel-aspect-ratio=1/1 ! " BRANCH_READERS;
  for (int what = 0; what < 3; what++) {
    gboolean linear = what != 1, matrix = what != 0;
    draw_full_backdrop(full);
    if (linear)
      draw_full_linear(full, gs1_128, 3, 120, 360);
    if (matrix)
      pt_test_codes_draw_matrix(full, FULL_WIDTH, FULL_HEIGHT, FULL_WIDTH, case_dm, 6, 1500, 760,
                                0);
    run_sized(&r, full_launch, full, FULL_WIDTH, FULL_HEIGHT, FRAMES, CASE_RAW);
    const char *name = what == 0 ? "a GS1-128" : what == 1 ? "a GS1 DataMatrix" : "both";
    PT_CHECK(r.linear == (linear ? FRAMES : 0) && r.reads == (matrix ? FRAMES : 0) && r.others == 0,
             "1080p, %s: GS1-128 read in %u, DataMatrix in %u of %u frames, %u other reads", name,
             r.linear, r.reads, r.frames, r.others);
    PT_CHECK(r.searched <= (matrix ? 2 * FRAMES : 0) && r.searched_linear <= (linear ? FRAMES : 0),
             "1080p, %s: %" G_GUINT64_FORMAT " regions to libdmtx, %" G_GUINT64_FORMAT
             " to zbar in %u frames",
             name, r.searched, r.searched_linear, r.frames);
    g_print("dmtx: 1080p at scan_width 640, %s: GS1-128 read in %u, DataMatrix in %u of %u "
            "frames; %" G_GUINT64_FORMAT " regions to libdmtx, %" G_GUINT64_FORMAT " to zbar\n",
            name, r.linear, r.reads, r.frames, r.searched, r.searched_linear);
  }

  /* Busy 1080p docks without codes: the capacity bench's scene (SMPTE bars and a running
   * clock), and the case label's text of the 640 frames above over the dock's backdrop, both at
   * full size. */
  for (int scene = 0; scene < 2; scene++) {
    draw_full_backdrop(full);
    run_sized(&r,
              scene == 0
                  ? "videotestsrc num-buffers=15 pattern=smpte horizontal-speed=4 ! "
                    "video/x-raw,format=I420,width=1920,height=1080,framerate=30/1 ! "
                    "timeoverlay font-desc=\"Sans 40\" ! " BRANCH_READERS
                  : "appsrc name=src format=time block=true caps=video/x-raw,format=I420,"
                    "width=1920,height=1080,framerate=5/1,pixel-aspect-ratio=1/1 ! textoverlay "
                    "text=\"" TEXT
                    "\" font-desc=\"Sans 24\" halignment=left valignment=bottom ! " BRANCH_READERS,
              scene == 0 ? NULL : full, FULL_WIDTH, FULL_HEIGHT, 15, NULL);
    const char *name = scene == 0 ? "the capacity bench's dock scene" : "text";
    /* The clock's digits, box-averaged, look two-toned to the DataMatrix test now and then: a
     * region of one frame in fifteen, searched within the deadline. */
    PT_CHECK(r.others == 0 && r.searched <= 1 && r.searched_linear == 0,
             "1080p, %s: %u reads; %" G_GUINT64_FORMAT " regions to libdmtx, %" G_GUINT64_FORMAT
             " to zbar in %u frames",
             name, r.others, r.searched, r.searched_linear, r.frames);
    g_print("dmtx: 1080p, %s, no code: no read, %" G_GUINT64_FORMAT
            " regions to libdmtx, %" G_GUINT64_FORMAT " to zbar in %u frames\n",
            name, r.searched, r.searched_linear, r.frames);
  }
  return 0;
}
