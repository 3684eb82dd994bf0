/* pt-dmtx.c: the `ptdmtx` element (see pt-dmtx.h for its launch line and messages).
 *
 * An in-place GstVideoFilter that never writes: it sits in front of the scan branch's scaler,
 * so it sees the dock region at the camera's full resolution.  libdmtx looks for a symbol's
 * finder edges from every pixel outward, which on a busy frame without a symbol takes far
 * longer than a frame lasts (about 1.1 s for 640x360), while a symbol in view is found in
 * about 12 ms.  So a presence test runs first, on a copy of the luma box-averaged down to at
 * most PT_SCAN_DMTX_GATE_WIDTH px wide (find_boxes(): one pass over it, 16 pixels at a time,
 * counting edge pixels per cell; the finer sums only where edges are dense): only boxes where
 * the gradients are dense, run in two directions and are two-toned, as a symbol's modules are
 * at any angle, are cut from the full-resolution luma and handed to libdmtx, largest first
 * (the thresholds and why: pt-pipeline-limits.h).  Where the gradients are dense and run in
 * one direction only, as a linear code's bars do, the box is handed to the zbar library
 * instead (Code 128 only: a case label's GS1-128, whose 3 px modules the scaled frame that the
 * zbar element reads blurs away).  A frame with neither costs libdmtx and zbar nothing.  Its
 * deadline (the `timeout` property) bounds both readers, and the scan branch in front of it
 * (rate, region, motion gate) bounds how often it runs.  Properties are read under the object
 * lock once per frame. */
#include "pt-dmtx.h"

#include "pt-pipeline-limits.h"

#include <dmtx.h>
#include <string.h>
#include <zbar.h>

GST_DEBUG_CATEGORY_STATIC(pt_dmtx_debug);
#define GST_CAT_DEFAULT pt_dmtx_debug

#define GS1_SEPARATOR 0x1d /* GS: how GS1 transmits an FNC1 after a variable-length value */

enum {
  PROP_0,
  PROP_TIMEOUT,
  PROP_MAX_SYMBOLS,
  PROP_GATE,
  PROP_LINEAR,
  PROP_SEARCHED,
  PROP_SEARCHED_LINEAR,
};

/* One cell's sums (PT_SCAN_DMTX_GATE_CELL px square).  Every frame counts every cell's edges;
 * the rest is summed only for cells of windows with edges enough (detailed), a few a frame. */
typedef struct {
  gint32 edges;         /* pixels with |dx| + |dy| >= PT_SCAN_DMTX_GATE_EDGE_LEVEL */
  gboolean detailed;    /* the sums below are this frame's */
  gint32 sxx, syy, sxy; /* the structure tensor */
  gint32 sum, sum_sq;   /* of the luma */
  int lo, hi;           /* the luma's range */
} Cell;

/* A frame's luma plane as the presence test reads it: @gw x @gh whole cells. */
typedef struct {
  const guint8 *luma;
  int width, height, stride, gw, gh;
} Plane;

/* A candidate region in frame pixels: [x0, x1) x [y0, y1); in: the candidate windows' extent,
 * box: padded and clipped to the frame. */
typedef struct {
  int in_x0, in_y0, in_x1, in_y1;
  int x0, y0, x1, y1;
} Box;

struct _PtDmtx {
  GstVideoFilter parent;

  /* Properties (object lock) */
  guint timeout_ms;
  guint max_symbols;
  gboolean gate;
  gboolean linear;         /* linear codes' boxes go to zbar */
  guint64 searched;        /* regions handed to libdmtx since start */
  guint64 searched_linear; /* regions handed to zbar since start */

  /* Streaming thread only: the presence test's scratch, grown to the frame's grid; the
   * box-averaged luma it reads; a linear box's pixels as zbar takes them (rows without
   * padding), and zbar's scanner (Code 128 only), made at the first linear box. */
  guint8 *small;
  gsize n_small;
  guint8 *crop;
  gsize n_crop;
  zbar_image_scanner_t *zbar;
  Cell *cells;
  guint8 *marks; /* per window: WINDOW_* */
  int *stack;
  int *spans;     /* per column, then per row: a component's first and last window across */
  guint8 *counts; /* per pixel column: edges in the cell row so far */
  gsize n_counts;
  gsize n_grid;
};

G_DEFINE_TYPE(PtDmtx, pt_dmtx, GST_TYPE_VIDEO_FILTER)

/* Posts zbar's "barcode" message for the @n_text bytes of @text read in @buf as a symbol of
 * @type (zbar's name for it) and @quality, unless they are no text (binary payloads are no
 * code of ours). */
static void
post_symbol(PtDmtx *self, GstBuffer *buf, const char *type, int quality, const unsigned char *text,
            gsize n_text)
{
  GstBaseTransform *trans = GST_BASE_TRANSFORM(self);
  /* The leading FNC1 only says "GS1"; zbar leaves it out of a GS1-128 too. */
  if (n_text > 0 && text[0] == GS1_SEPARATOR) {
    text++;
    n_text--;
  }
  if (n_text == 0 || memchr(text, '\0', n_text) != NULL ||
      !g_utf8_validate((const char *)text, (gssize)n_text, NULL)) {
    GST_DEBUG_OBJECT(self, "a symbol of %" G_GSIZE_FORMAT " bytes that is no text", n_text);
    return;
  }
  g_autofree char *symbol = g_strndup((const char *)text, n_text);
  GstClockTime ts = GST_BUFFER_PTS(buf);
  GstClockTime running = gst_segment_to_running_time(&trans->segment, GST_FORMAT_TIME, ts);
  GstClockTime stream = gst_segment_to_stream_time(&trans->segment, GST_FORMAT_TIME, ts);
  GstStructure *s =
      gst_structure_new("barcode", "timestamp", G_TYPE_UINT64, ts, "stream-time", G_TYPE_UINT64,
                        stream, "running-time", G_TYPE_UINT64, running, "duration", G_TYPE_UINT64,
                        GST_BUFFER_DURATION(buf), "type", G_TYPE_STRING, type, "symbol",
                        G_TYPE_STRING, symbol, "quality", G_TYPE_INT, quality, NULL);
  gst_element_post_message(GST_ELEMENT(self), gst_message_new_element(GST_OBJECT(self), s));
}

/* 16 pixels at once (GCC and clang vector extensions: SSE2 or NEON, else plain code). */
typedef guint8 U8x16 __attribute__((vector_size(16)));

static inline U8x16
load16(const guint8 *p)
{
  U8x16 v;
  memcpy(&v, p, sizeof(v));
  return v;
}

static inline U8x16
abs_diff16(U8x16 a, U8x16 b)
{
  U8x16 a_more = (U8x16)(a > b);
  return ((a - b) & a_more) | ((b - a) & ~a_more);
}

/* Whether each pixel of @r is an edge: |dx| + |dy| >= PT_SCAN_DMTX_GATE_EDGE_LEVEL, 0xff if so.
 * The sum of two bytes wraps above 255, but then one of them alone is over the level. */
static inline U8x16
edges16(const guint8 *r, const guint8 *b)
{
  U8x16 here = load16(r), dx = abs_diff16(load16(r + 1), here), dy = abs_diff16(load16(b), here);
  const guint8 level = PT_SCAN_DMTX_GATE_EDGE_LEVEL - 1;
  return (U8x16)((dx > level) | (dy > level) | ((U8x16)(dx + dy) > level));
}

/* Counts each whole cell's edge pixels into self->cells.  The pass over every pixel of the
 * frame, 16 at a time: a row's edges are added up per pixel column in self->counts over a
 * cell's rows, then per cell. */
static void
count_edges(PtDmtx *self, const Plane *p)
{
  const int c = PT_SCAN_DMTX_GATE_CELL;
  int span = p->gw * c;
  /* 16 pixels and the right neighbour of the last must lie in the row. */
  int fast = MIN(span, p->width - 1) / 16 * 16;
  for (int y = 0; y < p->gh * c; y++) {
    const guint8 *row = p->luma + (gsize)y * p->stride;
    /* The last row and column have no neighbour below or right: their gradient counts 0. */
    const guint8 *below = y + 1 < p->height ? row + p->stride : row;
    if (y % c == 0)
      memset(self->counts, 0, span);
    for (int x = 0; x < fast; x += 16) {
      U8x16 n = load16(self->counts + x) - edges16(row + x, below + x); /* 0xff is -1 */
      memcpy(self->counts + x, &n, sizeof(n));
    }
    for (int x = fast; x < span; x++) {
      int right = x + 1 < p->width ? row[x + 1] : row[x];
      self->counts[x] +=
          ABS(right - row[x]) + ABS(below[x] - row[x]) >= PT_SCAN_DMTX_GATE_EDGE_LEVEL;
    }
    if (y % c < c - 1)
      continue;
    Cell *cell = self->cells + (gsize)(y / c) * p->gw;
    G_STATIC_ASSERT(PT_SCAN_DMTX_GATE_CELL == 8);
    for (int cx = 0; cx < p->gw; cx++) {
      const guint8 *n = self->counts + cx * c;
      cell[cx] = (Cell){.edges = n[0] + n[1] + n[2] + n[3] + n[4] + n[5] + n[6] + n[7]};
    }
  }
}

/* Sums the cell at (@cx, @cy)'s structure tensor and luma, once a frame. */
static const Cell *
detail(PtDmtx *self, const Plane *p, int cx, int cy)
{
  const int c = PT_SCAN_DMTX_GATE_CELL;
  Cell *cell = self->cells + (gsize)cy * p->gw + cx;
  if (cell->detailed)
    return cell;
  cell->lo = 255;
  for (int y = cy * c; y < (cy + 1) * c; y++) {
    const guint8 *row = p->luma + (gsize)y * p->stride;
    const guint8 *below = y + 1 < p->height ? row + p->stride : row;
    for (int x = cx * c; x < (cx + 1) * c; x++) {
      int v = row[x], right = x + 1 < p->width ? row[x + 1] : v;
      int dx = right - v, dy = below[x] - v;
      cell->sxx += dx * dx;
      cell->syy += dy * dy;
      cell->sxy += dx * dy;
      cell->sum += v;
      cell->sum_sq += v * v;
      cell->lo = MIN(cell->lo, v);
      cell->hi = MAX(cell->hi, v);
    }
  }
  cell->detailed = TRUE;
  return cell;
}

/* What the window of 2x2 cells at cell (@wx, @wy) looks like: busy (dense edges in two
 * directions: a symbol, or text), and if so whether it is also two-toned like a symbol;
 * or pixel noise; and, when @linear, whether its dense edges run in one direction only, as a
 * linear code's bars do (WINDOW_LINEAR, beside any of the others). */
enum {
  WINDOW_NONE = 0,
  WINDOW_BUSY = 1,
  WINDOW_LIKE = 2,
  WINDOW_NOISE = 4,
  WINDOW_TAKEN = 8,
  WINDOW_LINEAR = 16,
  WINDOW_LINEAR_TAKEN = 32,
};

static guint8
window_kind(PtDmtx *self, const Plane *p, int wx, int wy, gboolean linear)
{
  const Cell *cells = self->cells;
  gsize at = (gsize)wy * p->gw + wx;
  gint32 edges =
      cells[at].edges + cells[at + 1].edges + cells[at + p->gw].edges + cells[at + p->gw + 1].edges;
  if (edges < PT_SCAN_DMTX_GATE_EDGE_PX)
    return WINDOW_NONE;
  /* A linear code's thin bars have as many edges as pixel noise: only their direction tells
   * them apart. */
  guint8 noise = edges >= PT_SCAN_DMTX_GATE_NOISE_PX ? WINDOW_NOISE : WINDOW_NONE;
  if (noise && !linear)
    return noise;
  gint64 sxx = 0, syy = 0, sxy = 0, sum = 0, sum_sq = 0;
  int lo = 255, hi = 0;
  for (int i = 0; i < 4; i++) {
    const Cell *q = detail(self, p, wx + i % 2, wy + i / 2);
    sum += q->sum;
    sum_sq += q->sum_sq;
    lo = MIN(lo, q->lo);
    hi = MAX(hi, q->hi);
    sxx += q->sxx;
    syy += q->syy;
    sxy += q->sxy;
  }
  double energy = (double)(sxx + syy), diff = (double)(sxx - syy);
  double coherence = (diff * diff + 4.0 * (double)sxy * (double)sxy) * 100.0;
  guint8 one_way = linear && coherence >= PT_SCAN_LINEAR_COHERENCE_PCT * energy * energy
                       ? WINDOW_LINEAR
                       : WINDOW_NONE;
  if (noise)
    return noise | one_way;
  if (coherence > PT_SCAN_DMTX_GATE_COHERENCE_PCT * energy * energy)
    return one_way;
  /* Two-toned: the luma's variance over its range squared is p (1 - p) for a fraction p of
   * dark pixels, 0.25 for a symbol's even mix of modules. */
  const double n_px = 4.0 * PT_SCAN_DMTX_GATE_CELL * PT_SCAN_DMTX_GATE_CELL;
  double mean = (double)sum / n_px, var = (double)sum_sq / n_px - mean * mean;
  if (var * 100.0 < PT_SCAN_DMTX_GATE_BALANCE_PCT * (double)((hi - lo) * (hi - lo)))
    return WINDOW_BUSY;
  /* Two tones, not three: few pixels in the middle half of the range, where a backdrop
   * between a glyph and its outline lies and only a symbol's module edges do. */
  const int c = PT_SCAN_DMTX_GATE_CELL;
  int mid_lo = lo + (hi - lo) / 4, mid_hi = hi - (hi - lo) / 4, mid = 0;
  for (int y = wy * c; y < (wy + 2) * c; y++) {
    const guint8 *row = p->luma + (gsize)y * p->stride + wx * c;
    for (int x = 0; x < 2 * c; x++)
      mid += row[x] > mid_lo && row[x] < mid_hi;
  }
  return mid * 100 <= PT_SCAN_DMTX_GATE_MID_PCT * n_px ? WINDOW_BUSY | WINDOW_LIKE : WINDOW_BUSY;
}

static int
box_area_desc(gconstpointer a, gconstpointer b)
{
  const Box *p = a, *q = b;
  gint64 pa = (gint64)(p->x1 - p->x0) * (p->y1 - p->y0);
  gint64 qa = (gint64)(q->x1 - q->x0) * (q->y1 - q->y0);
  return pa < qa ? 1 : pa > qa ? -1 : 0;
}

/* Sorts the @n_found boxes of @found largest first and copies at most @limit of them into
 * @boxes (logged as @what).  Returns: how many. */
static int
take_largest(PtDmtx *self, Box *found, int n_found, int limit, Box *boxes, const char *what)
{
  int n = MIN(n_found, limit);
  qsort(found, n_found, sizeof(Box), box_area_desc);
  for (int i = 0; i < n; i++)
    GST_LOG_OBJECT(self, "%s %d,%d %dx%d", what, found[i].in_x0, found[i].in_y0,
                   found[i].in_x1 - found[i].in_x0, found[i].in_y1 - found[i].in_y0);
  memcpy(boxes, found, sizeof(Box) * n);
  return n;
}

/* A component longer than a symbol can be is a line of text, or a symbol beside one (a case
 * label prints them side by side).  Along its long axis [@a0, @a1], @lo and @hi are each
 * position's first and last window across it (@hi < @lo: none).  A symbol stands out of the
 * line: its tallest position is at least twice as tall as the line's median (a line of
 * text varies less, capitals and descenders included).  Then keeps the run of positions around
 * the tallest that are at least two thirds as tall, returns it in @a0, @a1 and its extent
 * across in @b0, @b1, and returns TRUE. */
static gboolean
trim_to_tallest(const int *lo, const int *hi, int *a0, int *a1, int *b0, int *b1)
{
  int best = *a0, n = 0, below = 0, median = 0;
  for (int a = *a0; a <= *a1; a++) {
    n += hi[a] >= lo[a];
    if (hi[a] - lo[a] > hi[best] - lo[best])
      best = a;
  }
  int tallest = hi[best] - lo[best] + 1;
  /* The median height of the positions the component covers, counted up height by height. */
  while (2 * below < n && median < tallest) {
    median++;
    for (int a = *a0; a <= *a1; a++)
      below += hi[a] - lo[a] + 1 == median;
  }
  if (tallest < 2 * median)
    return FALSE;
  int first = best, last = best;
  while (first > *a0 && 3 * (hi[first - 1] - lo[first - 1] + 1) >= 2 * tallest)
    first--;
  while (last < *a1 && 3 * (hi[last + 1] - lo[last + 1] + 1) >= 2 * tallest)
    last++;
  *a0 = first;
  *a1 = last;
  *b0 = lo[best];
  *b1 = hi[best];
  for (int a = first; a <= last; a++) {
    *b0 = MIN(*b0, lo[a]);
    *b1 = MAX(*b1, hi[a]);
  }
  return TRUE;
}

/* Whether windows [@x0, @x1] x [@y0, @y1] (inclusive) cover a plausible symbol's shape. */
static gboolean
plausible(int x0, int y0, int x1, int y1)
{
  int w = (x1 + 2 - x0) * PT_SCAN_DMTX_GATE_CELL, h = (y1 + 2 - y0) * PT_SCAN_DMTX_GATE_CELL;
  return MIN(w, h) >= PT_SCAN_DMTX_GATE_MIN_PX &&
         MAX(w, h) * 100 <= PT_SCAN_DMTX_GATE_ASPECT_PCT * MIN(w, h);
}

/* Boxes of 8-connected windows of one direction (a linear code's bars), at most
 * PT_SCAN_LINEAR_BOXES of them into @boxes, largest first; returns how many.  Such a window
 * alone is also a stroke of text or an edge with a shadow: a code's bars make a component at
 * least PT_SCAN_LINEAR_MIN_PX across and PT_SCAN_LINEAR_MIN_LEN_PX along that fills most of
 * its box. */
static int
find_linear_boxes(PtDmtx *self, const Plane *p, Box *boxes)
{
  const int c = PT_SCAN_DMTX_GATE_CELL, gw = p->gw, gh = p->gh;
  Box found[PT_SCAN_LINEAR_BOXES * 4];
  int n_found = 0;
  for (int start = 0; start < gw * gh; start++) {
    if ((self->marks[start] & (WINDOW_LINEAR | WINDOW_LINEAR_TAKEN)) != WINDOW_LINEAR)
      continue;
    int top = 0, n = 0, wx0 = gw, wy0 = gh, wx1 = 0, wy1 = 0;
    gint64 sxx = 0, syy = 0;
    self->stack[top++] = start;
    self->marks[start] |= WINDOW_LINEAR_TAKEN;
    while (top > 0) {
      int w = self->stack[--top], wx = w % gw, wy = w / gw;
      /* window_kind() summed the cells of every such window this frame */
      const Cell *cell = &self->cells[(gsize)wy * gw + wx];
      n++;
      sxx += cell->sxx;
      syy += cell->syy;
      wx0 = MIN(wx0, wx);
      wy0 = MIN(wy0, wy);
      wx1 = MAX(wx1, wx);
      wy1 = MAX(wy1, wy);
      for (int ny = MAX(wy - 1, 0); ny <= MIN(wy + 1, gh - 1); ny++)
        for (int nx = MAX(wx - 1, 0); nx <= MIN(wx + 1, gw - 1); nx++)
          if ((self->marks[ny * gw + nx] & (WINDOW_LINEAR | WINDOW_LINEAR_TAKEN)) ==
              WINDOW_LINEAR) {
            self->marks[ny * gw + nx] |= WINDOW_LINEAR_TAKEN;
            self->stack[top++] = ny * gw + nx;
          }
    }
    /* Along the gradients (across the bars) a code is longer than its bars are high; a thick
     * stroke of a large glyph is the other way round. */
    int w = (wx1 + 2 - wx0) * c, h = (wy1 + 2 - wy0) * c;
    int along = sxx >= syy ? w : h, across = sxx >= syy ? h : w;
    if (across < PT_SCAN_LINEAR_MIN_PX || along < PT_SCAN_LINEAR_MIN_LEN_PX || along < across ||
        n * 100 < PT_SCAN_LINEAR_FILL_PCT * (wx1 + 1 - wx0) * (wy1 + 1 - wy0))
      continue;
    /* The quiet zones at either end (ten modules) and the bars' ends make no windows. */
    int pad = PT_SCAN_DMTX_GATE_PAD_PX + MAX(w, h) * PT_SCAN_LINEAR_PAD_PCT / 100;
    Box b = {.in_x0 = wx0 * c, .in_y0 = wy0 * c, .in_x1 = (wx1 + 2) * c, .in_y1 = (wy1 + 2) * c};
    b.x0 = MAX(b.in_x0 - pad, 0);
    b.y0 = MAX(b.in_y0 - pad, 0);
    b.x1 = MIN(b.in_x1 + pad, p->width);
    b.y1 = MIN(b.in_y1 + pad, p->height);
    if (n_found < (int)G_N_ELEMENTS(found))
      found[n_found++] = b;
  }
  return take_largest(self, found, n_found, PT_SCAN_LINEAR_BOXES, boxes, "linear box");
}

/* The presence test on the luma plane @luma (@width x @height, rows @stride apart): fills
 * @boxes (at most PT_SCAN_DMTX_GATE_BOXES) with the regions worth a search for a Data Matrix,
 * largest first, and returns how many; when @linear, also @lin_boxes (at most
 * PT_SCAN_LINEAR_BOXES) with those of linear codes, their number in @n_lin. */
static int
find_boxes(PtDmtx *self, const guint8 *luma, int width, int height, int stride, gboolean linear,
           Box *boxes, Box *lin_boxes, int *n_lin)
{
  const int c = PT_SCAN_DMTX_GATE_CELL;
  int gw = width / c, gh = height / c;
  *n_lin = 0;
  if (gw < 2 || gh < 2)
    return 0;
  gsize n_grid = (gsize)gw * gh;
  if (n_grid > self->n_grid) {
    self->cells = g_renew(Cell, self->cells, n_grid);
    self->marks = g_renew(guint8, self->marks, n_grid);
    self->stack = g_renew(int, self->stack, n_grid);
    /* 2 (gw + gh) <= 2 gw gh for a grid of at least 2x2 */
    self->spans = g_renew(int, self->spans, 2 * n_grid);
    self->n_grid = n_grid;
  }
  if ((gsize)gw * c > self->n_counts) {
    self->n_counts = (gsize)gw * c;
    self->counts = g_renew(guint8, self->counts, self->n_counts);
  }
  const Plane p = {luma, width, height, stride, gw, gh};
  count_edges(self, &p);
  /* Windows are indexed by their top-left cell, on the cells' grid (the last row and column
   * start none). */
  for (int wy = 0; wy < gh; wy++)
    for (int wx = 0; wx < gw; wx++)
      self->marks[wy * gw + wx] =
          wx + 1 < gw && wy + 1 < gh ? window_kind(self, &p, wx, wy, linear) : WINDOW_NONE;
  /* Boxes of 8-connected busy windows where enough of them are two-toned like a symbol
   * (text is busy too, and a few of its windows look two-toned: judged as a whole, a line of
   * it is no symbol, cut into the pieces that look two-toned some pieces would be), padded;
   * a box that overlaps one found before is merged into it, so a symbol is never searched
   * twice.  Busy windows that touch pixel noise are its fringe (a symbol's modules are never
   * a pixel wide), and make no box. */
  Box found[PT_SCAN_DMTX_GATE_BOXES * 4];
  int n_found = 0;
  for (int start = 0; start < (int)n_grid; start++) {
    if ((self->marks[start] & (WINDOW_BUSY | WINDOW_TAKEN)) != WINDOW_BUSY)
      continue;
    int top = 0, wx0 = gw, wy0 = gh, wx1 = 0, wy1 = 0;
    int *col_lo = self->spans, *col_hi = col_lo + gw, *row_lo = col_hi + gw, *row_hi = row_lo + gh;
    gboolean noisy = FALSE;
    for (int i = 0; i < gw; i++)
      col_lo[i] = gh, col_hi[i] = -1;
    for (int i = 0; i < gh; i++)
      row_lo[i] = gw, row_hi[i] = -1;
    self->stack[top++] = start;
    self->marks[start] |= WINDOW_TAKEN;
    while (top > 0) {
      int w = self->stack[--top], wx = w % gw, wy = w / gw;
      wx0 = MIN(wx0, wx);
      wy0 = MIN(wy0, wy);
      wx1 = MAX(wx1, wx);
      wy1 = MAX(wy1, wy);
      col_lo[wx] = MIN(col_lo[wx], wy), col_hi[wx] = MAX(col_hi[wx], wy);
      row_lo[wy] = MIN(row_lo[wy], wx), row_hi[wy] = MAX(row_hi[wy], wx);
      for (int ny = MAX(wy - 1, 0); ny <= MIN(wy + 1, gh - 1); ny++)
        for (int nx = MAX(wx - 1, 0); nx <= MIN(wx + 1, gw - 1); nx++)
          if ((self->marks[ny * gw + nx] & (WINDOW_BUSY | WINDOW_TAKEN)) == WINDOW_BUSY) {
            self->marks[ny * gw + nx] |= WINDOW_TAKEN;
            self->stack[top++] = ny * gw + nx;
          } else if (self->marks[ny * gw + nx] & WINDOW_NOISE) {
            noisy = TRUE;
          }
    }
    if (noisy)
      continue;
    if (!plausible(wx0, wy0, wx1, wy1)) {
      gboolean wide = wx1 - wx0 > wy1 - wy0;
      if (!(wide ? trim_to_tallest(col_lo, col_hi, &wx0, &wx1, &wy0, &wy1)
                 : trim_to_tallest(row_lo, row_hi, &wy0, &wy1, &wx0, &wx1)) ||
          !plausible(wx0, wy0, wx1, wy1))
        continue;
    }
    int n_busy = 0, n_like = 0;
    for (int wy = wy0; wy <= wy1; wy++)
      for (int wx = wx0; wx <= wx1; wx++) {
        n_busy += (self->marks[wy * gw + wx] & WINDOW_TAKEN) != 0;
        n_like += (self->marks[wy * gw + wx] & (WINDOW_TAKEN | WINDOW_LIKE)) ==
                  (WINDOW_TAKEN | WINDOW_LIKE);
      }
    if (n_like * 100 < PT_SCAN_DMTX_GATE_LIKE_PCT * n_busy)
      continue;
    Box b = {.in_x0 = wx0 * c, .in_y0 = wy0 * c, .in_x1 = (wx1 + 2) * c, .in_y1 = (wy1 + 2) * c};
    /* A symbol's solid finder edges and quiet zone make no candidate windows: a margin of a
     * few modules, which grow with the symbol. */
    int pad = PT_SCAN_DMTX_GATE_PAD_PX +
              MAX(b.in_x1 - b.in_x0, b.in_y1 - b.in_y0) * PT_SCAN_DMTX_GATE_PAD_PCT / 100;
    b.x0 = MAX(b.in_x0 - pad, 0);
    b.y0 = MAX(b.in_y0 - pad, 0);
    b.x1 = MIN(b.in_x1 + pad, width);
    b.y1 = MIN(b.in_y1 + pad, height);
    for (int i = 0; i < n_found; i++) {
      Box *o = &found[i];
      if (o->x0 < b.x1 && b.x0 < o->x1 && o->y0 < b.y1 && b.y0 < o->y1) {
        b.in_x0 = MIN(b.in_x0, o->in_x0), b.in_y0 = MIN(b.in_y0, o->in_y0);
        b.in_x1 = MAX(b.in_x1, o->in_x1), b.in_y1 = MAX(b.in_y1, o->in_y1);
        b.x0 = MIN(b.x0, o->x0), b.y0 = MIN(b.y0, o->y0);
        b.x1 = MAX(b.x1, o->x1), b.y1 = MAX(b.y1, o->y1);
        found[i--] = found[--n_found]; /* the merged box may now reach others */
      }
    }
    if (n_found < (int)G_N_ELEMENTS(found))
      found[n_found++] = b;
  }
  int n = take_largest(self, found, n_found, PT_SCAN_DMTX_GATE_BOXES, boxes, "candidate box");
  if (linear)
    *n_lin = find_linear_boxes(self, &p, lin_boxes);
  return n;
}

/* Reads symbols in @box of the luma plane @luma (rows @stride apart) until the deadline, or
 * @max symbols are read; posts each and returns how many regions were found. */
static guint
search_box(PtDmtx *self, GstBuffer *buf, guint8 *luma, int stride, const Box *box, guint max,
           DmtxTime *deadline)
{
  int w = box->x1 - box->x0, h = box->y1 - box->y0;
  guint n = 0;
  /* libdmtx takes a non-const pointer but only reads the pixels of a decode; the crop is the
   * frame's own rows, from the box's top-left, each skipping the rest of the stride. */
  DmtxImage *img = dmtxImageCreate(luma + (gsize)box->y0 * stride + box->x0, w, h, DmtxPack8bppK);
  DmtxDecode *dec = NULL;
  if (img == NULL)
    goto out;
  dmtxImageSetProp(img, DmtxPropRowPadBytes, stride - w);
  /* libdmtx counts rows from the bottom; read from memory top row first, the symbol is seen
   * mirrored twice over, which is as printed (with DmtxFlipY nothing is decoded). */
  dmtxImageSetProp(img, DmtxPropImageFlip, DmtxFlipNone);
  dec = dmtxDecodeCreate(img, 1);
  if (dec == NULL)
    goto out_destroy_image;
  dmtxDecodeSetProp(dec, DmtxPropFnc1, GS1_SEPARATOR);
  for (; n < max; n++) {
    DmtxRegion *reg = dmtxRegionFindNext(dec, deadline);
    if (reg == NULL)
      break;
    DmtxMessage *msg = dmtxDecodeMatrixRegion(dec, reg, DmtxUndefined);
    GST_LOG_OBJECT(self, "a region at %" GST_TIME_FORMAT ": %s", GST_TIME_ARGS(GST_BUFFER_PTS(buf)),
                   msg != NULL ? "read" : "not decoded");
    if (msg != NULL) {
      post_symbol(self, buf, "DataMatrix", 1, msg->output, (gsize)msg->outputIdx);
      dmtxMessageDestroy(&msg);
    }
    dmtxRegionDestroy(&reg);
  }
  dmtxDecodeDestroy(&dec);
out_destroy_image:
  dmtxImageDestroy(&img);
out:
  return n;
}

/* Reads the linear codes (Code 128) in @box of the luma plane @luma (rows @stride apart) with
 * zbar, which wants the pixels without row padding; posts each as the zbar element would and
 * returns how many were read. */
static guint
search_linear(PtDmtx *self, GstBuffer *buf, const guint8 *luma, int stride, const Box *box)
{
  int w = box->x1 - box->x0, h = box->y1 - box->y0;
  gsize n_px = (gsize)w * h;
  guint n = 0;
  if (n_px > self->n_crop) {
    self->crop = g_renew(guint8, self->crop, n_px);
    self->n_crop = n_px;
  }
  for (int y = 0; y < h; y++)
    memcpy(self->crop + (gsize)y * w, luma + (gsize)(box->y0 + y) * stride + box->x0, w);
  if (self->zbar == NULL) {
    /* Code 128 only: QR is the zbar element's, and the other linear symbologies are no code
     * of a case label, only chances of a misread in a box of bars. */
    self->zbar = zbar_image_scanner_create();
    zbar_image_scanner_set_config(self->zbar, ZBAR_NONE, ZBAR_CFG_ENABLE, 0);
    zbar_image_scanner_set_config(self->zbar, ZBAR_CODE128, ZBAR_CFG_ENABLE, 1);
  }
  zbar_image_t *img = zbar_image_create();
  zbar_image_set_format(img, zbar_fourcc('Y', '8', '0', '0'));
  zbar_image_set_size(img, (unsigned)w, (unsigned)h);
  zbar_image_set_data(img, self->crop, n_px, NULL);
  if (zbar_scan_image(self->zbar, img) > 0)
    for (const zbar_symbol_t *sym = zbar_image_first_symbol(img); sym != NULL;
         sym = zbar_symbol_next(sym), n++)
      post_symbol(self, buf, zbar_get_symbol_name(zbar_symbol_get_type(sym)),
                  zbar_symbol_get_quality(sym), (const unsigned char *)zbar_symbol_get_data(sym),
                  zbar_symbol_get_data_length(sym));
  zbar_image_destroy(img);
  return n;
}

/* @luma (@width x @height, rows @stride apart) box-averaged @f times smaller each way into
 * self->small, @sw x @sh with no row padding. */
static void
shrink_luma(PtDmtx *self, const guint8 *luma, int stride, int f, int sw, int sh)
{
  gsize n_px = (gsize)sw * sh;
  if (n_px > self->n_small) {
    self->small = g_renew(guint8, self->small, n_px);
    self->n_small = n_px;
  }
  for (int y = 0; y < sh; y++) {
    guint8 *out = self->small + (gsize)y * sw;
    const guint8 *r0 = luma + (gsize)y * f * stride;
    if (f == 2) {
      const guint8 *r1 = r0 + stride; /* the common case, in a loop the compiler vectorizes */
      for (int x = 0; x < sw; x++)
        out[x] = (guint8)((r0[2 * x] + r0[2 * x + 1] + r1[2 * x] + r1[2 * x + 1] + 2) >> 2);
      continue;
    }
    for (int x = 0; x < sw; x++) {
      int sum = 0;
      for (int dy = 0; dy < f; dy++)
        for (int dx = 0; dx < f; dx++)
          sum += r0[(gsize)dy * stride + x * f + dx];
      out[x] = (guint8)((sum + f * f / 2) / (f * f));
    }
  }
}

/* @b, found on a plane @f times smaller, in the @width x @height frame's pixels: a box that
 * reaches the small plane's last column or row (@sw, @sh) reaches the frame's. */
static void
box_to_frame(Box *b, int f, int sw, int sh, int width, int height)
{
  b->x1 = b->x1 >= sw ? width : b->x1 * f;
  b->y1 = b->y1 >= sh ? height : b->y1 * f;
  b->x0 *= f, b->y0 *= f;
  b->in_x0 *= f, b->in_y0 *= f, b->in_x1 *= f, b->in_y1 *= f;
}

/* The presence test on the frame's luma, shrunk first to at most PT_SCAN_DMTX_GATE_WIDTH px
 * wide (its thresholds are for a symbol's modules of 2.5 to 6 px, as in a frame of that size,
 * and its cost stays that of such a frame); the boxes in the frame's pixels.  As find_boxes(). */
static int
gate_frame(PtDmtx *self, const guint8 *luma, int width, int height, int stride, gboolean linear,
           Box *boxes, Box *lin_boxes, int *n_lin)
{
  int f = (width + PT_SCAN_DMTX_GATE_WIDTH - 1) / PT_SCAN_DMTX_GATE_WIDTH;
  if (f <= 1)
    return find_boxes(self, luma, width, height, stride, linear, boxes, lin_boxes, n_lin);
  int sw = width / f, sh = height / f;
  shrink_luma(self, luma, stride, f, sw, sh);
  int n = find_boxes(self, self->small, sw, sh, sw, linear, boxes, lin_boxes, n_lin);
  for (int i = 0; i < n; i++)
    box_to_frame(&boxes[i], f, sw, sh, width, height);
  for (int i = 0; i < *n_lin; i++)
    box_to_frame(&lin_boxes[i], f, sw, sh, width, height);
  return n;
}

static GstFlowReturn
pt_dmtx_transform_ip(GstBaseTransform *trans, GstBuffer *buf)
{
  PtDmtx *self = PT_DMTX(trans);
  GstVideoFrame frame;

  GST_OBJECT_LOCK(self);
  guint timeout_ms = self->timeout_ms, max_symbols = self->max_symbols;
  gboolean gate = self->gate, linear = self->linear;
  GST_OBJECT_UNLOCK(self);
  if (!gst_video_frame_map(&frame, &GST_VIDEO_FILTER(self)->in_info, buf, GST_MAP_READ)) {
    GST_ELEMENT_ERROR(self, STREAM, FAILED, (NULL), ("frame not readable"));
    return GST_FLOW_ERROR;
  }
  int width = GST_VIDEO_FRAME_COMP_WIDTH(&frame, 0);
  int height = GST_VIDEO_FRAME_COMP_HEIGHT(&frame, 0);
  int stride = GST_VIDEO_FRAME_COMP_STRIDE(&frame, 0);
  guint8 *luma = GST_VIDEO_FRAME_COMP_DATA(&frame, 0);
  Box boxes[PT_SCAN_DMTX_GATE_BOXES], lin_boxes[PT_SCAN_LINEAR_BOXES];
  int n_boxes = 1, n_lin = 0;
  if (gate)
    n_boxes = gate_frame(self, luma, width, height, stride, linear, boxes, lin_boxes, &n_lin);
  else
    boxes[0] = (Box){.x0 = 0, .y0 = 0, .x1 = width, .y1 = height};
  DmtxTime deadline = dmtxTimeAdd(dmtxTimeNow(), (long)timeout_ms);
  /* Linear boxes first: zbar's time on a box is a few milliseconds and known, libdmtx's search
   * of one takes whatever the deadline leaves. */
  guint n_read = 0, n = 0;
  int j = 0, i = 0;
  for (; j < n_lin && !dmtxTimeExceeded(deadline); j++)
    n_read += search_linear(self, buf, luma, stride, &lin_boxes[j]);
  for (; i < n_boxes && n < max_symbols && !dmtxTimeExceeded(deadline); i++)
    n += search_box(self, buf, luma, stride, &boxes[i], max_symbols - n, &deadline);
  GST_LOG_OBJECT(self,
                 "%dx%d frame at %" GST_TIME_FORMAT ": %d of %d boxes searched, %u regions; "
                 "%d of %d linear boxes, %u read",
                 width, height, GST_TIME_ARGS(GST_BUFFER_PTS(buf)), i, n_boxes, n, j, n_lin,
                 n_read);
  GST_OBJECT_LOCK(self);
  self->searched += (guint64)i;
  self->searched_linear += (guint64)j;
  GST_OBJECT_UNLOCK(self);
  gst_video_frame_unmap(&frame);
  return GST_FLOW_OK;
}

static void
pt_dmtx_set_property(GObject *object, guint prop_id, const GValue *value, GParamSpec *pspec)
{
  PtDmtx *self = PT_DMTX(object);

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_TIMEOUT:
    self->timeout_ms = g_value_get_uint(value);
    break;
  case PROP_MAX_SYMBOLS:
    self->max_symbols = g_value_get_uint(value);
    break;
  case PROP_GATE:
    self->gate = g_value_get_boolean(value);
    break;
  case PROP_LINEAR:
    self->linear = g_value_get_boolean(value);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_dmtx_get_property(GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  PtDmtx *self = PT_DMTX(object);

  GST_OBJECT_LOCK(self);
  switch (prop_id) {
  case PROP_TIMEOUT:
    g_value_set_uint(value, self->timeout_ms);
    break;
  case PROP_MAX_SYMBOLS:
    g_value_set_uint(value, self->max_symbols);
    break;
  case PROP_GATE:
    g_value_set_boolean(value, self->gate);
    break;
  case PROP_LINEAR:
    g_value_set_boolean(value, self->linear);
    break;
  case PROP_SEARCHED:
    g_value_set_uint64(value, self->searched);
    break;
  case PROP_SEARCHED_LINEAR:
    g_value_set_uint64(value, self->searched_linear);
    break;
  default:
    G_OBJECT_WARN_INVALID_PROPERTY_ID(object, prop_id, pspec);
    break;
  }
  GST_OBJECT_UNLOCK(self);
}

static void
pt_dmtx_finalize(GObject *object)
{
  PtDmtx *self = PT_DMTX(object);

  g_free(self->cells);
  g_free(self->marks);
  g_free(self->stack);
  g_free(self->spans);
  g_free(self->counts);
  g_free(self->small);
  g_free(self->crop);
  if (self->zbar != NULL)
    zbar_image_scanner_destroy(self->zbar);
  G_OBJECT_CLASS(pt_dmtx_parent_class)->finalize(object);
}

static void
pt_dmtx_class_init(PtDmtxClass *klass)
{
  GObjectClass *gobject_class = G_OBJECT_CLASS(klass);
  GstElementClass *element_class = GST_ELEMENT_CLASS(klass);
  GstBaseTransformClass *trans_class = GST_BASE_TRANSFORM_CLASS(klass);
  GstCaps *caps = gst_caps_from_string(GST_VIDEO_CAPS_MAKE("{ I420, NV12, GRAY8 }"));
  const GParamFlags playing =
      G_PARAM_READWRITE | G_PARAM_STATIC_STRINGS | GST_PARAM_MUTABLE_PLAYING;

  GST_DEBUG_CATEGORY_INIT(pt_dmtx_debug, "ptdmtx", 0,
                          "Data Matrix and Code 128 reading (libdmtx, zbar)");
  gobject_class->set_property = pt_dmtx_set_property;
  gobject_class->finalize = pt_dmtx_finalize;
  gobject_class->get_property = pt_dmtx_get_property;
  g_object_class_install_property(
      gobject_class, PROP_TIMEOUT,
      g_param_spec_uint("timeout", "Timeout", "Milliseconds a frame may be searched for symbols", 1,
                        PT_SCAN_DMTX_TIMEOUT_MS_MAX, PT_SCAN_DMTX_TIMEOUT_MS, playing));
  g_object_class_install_property(
      gobject_class, PROP_MAX_SYMBOLS,
      g_param_spec_uint("max-symbols", "Maximum symbols", "Symbols read in one frame at most", 1,
                        PT_SCAN_DMTX_SYMBOLS_MAX, PT_SCAN_DMTX_SYMBOLS_DEFAULT, playing));
  g_object_class_install_property(
      gobject_class, PROP_GATE,
      g_param_spec_boolean("gate", "Presence test",
                           "Search only regions that look like a symbol (FALSE: the whole frame, "
                           "what the test is measured against)",
                           TRUE, playing));
  g_object_class_install_property(gobject_class, PROP_LINEAR,
                                  g_param_spec_boolean("linear", "Linear codes",
                                                       "Read linear codes (Code 128, zbar) where "
                                                       "the presence test finds bars (with gate)",
                                                       TRUE, playing));
  g_object_class_install_property(
      gobject_class, PROP_SEARCHED,
      g_param_spec_uint64("searched", "Regions searched",
                          "Regions handed to libdmtx since the element was made", 0, G_MAXUINT64, 0,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  g_object_class_install_property(
      gobject_class, PROP_SEARCHED_LINEAR,
      g_param_spec_uint64("searched-linear", "Linear regions searched",
                          "Regions handed to zbar since the element was made", 0, G_MAXUINT64, 0,
                          G_PARAM_READABLE | G_PARAM_STATIC_STRINGS));
  gst_element_class_set_static_metadata(element_class, "Data Matrix and Code 128 reader",
                                        "Filter/Analyzer/Video",
                                        "Reads Data Matrix symbols (libdmtx) and Code 128 (zbar) "
                                        "where a presence test finds them, and posts them as "
                                        "zbar posts its barcodes",
                                        "packtrace");
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("sink", GST_PAD_SINK, GST_PAD_ALWAYS, caps));
  gst_element_class_add_pad_template(
      element_class, gst_pad_template_new("src", GST_PAD_SRC, GST_PAD_ALWAYS, caps));
  gst_caps_unref(caps);
  /* Replaces GstVideoFilter's, which would map the frame writable (a copy when shared). */
  trans_class->transform_ip = pt_dmtx_transform_ip;
  /* In-place, not passthrough: GstVideoFilter hands a passthrough filter no frame at all.
   * The scan branch's frames have no other holder, so in-place costs no copy. */
  trans_class->passthrough_on_same_caps = FALSE;
}

static void
pt_dmtx_init(PtDmtx *self)
{
  self->timeout_ms = PT_SCAN_DMTX_TIMEOUT_MS;
  self->max_symbols = PT_SCAN_DMTX_SYMBOLS_DEFAULT;
  self->gate = TRUE;
  self->linear = TRUE;
  gst_base_transform_set_in_place(GST_BASE_TRANSFORM(self), TRUE);
}

gboolean
pt_dmtx_register(GstPlugin *plugin)
{
  return gst_element_register(plugin, "ptdmtx", GST_RANK_NONE, PT_TYPE_DMTX);
}
