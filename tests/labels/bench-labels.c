/* bench-labels.c: labels per second for each template and output format on one core,
 * through the fast path (pt_label_render(): the template's static part cached, PNG
 * written as 8-bit grey) and, in the same run, the plain path it replaced
 * (pt_label_render_uncached(): every item drawn, cairo's PNG writer) as the baseline.
 * Labels cycle through several lots, so the varying fields change on every label as in
 * a day's printing.  Before the table, where one plain PNG label's time goes, stage by
 * stage.  Figures are medians with min and max of several timed runs.  Not a test: run
 * it by hand or with `meson test --benchmark --suite labels`. */
#define _GNU_SOURCE
#include <cairo.h>
#include <pango/pangocairo.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "labels-test-util.h"
#include "pt-label-private.h"

#define N_LOTS 8

static PtLabelContent lots[N_LOTS];
static char lot_names[N_LOTS][24];

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

typedef struct {
  double med, min, max;
} Stat;

static Stat
stat_of(double *v, int n)
{
  qsort(v, (size_t)n, sizeof v[0], cmp_double);
  return (Stat){v[n / 2], v[0], v[n - 1]};
}

/* Milliseconds since an arbitrary start. */
static double
now_ms(void)
{
  return g_get_monotonic_time() / 1000.0;
}

static cairo_status_t
append_bytes(void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append(closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* Stage split of the plain path for one PNG label: ms per stage, median of @runs runs
 * of @n labels each.  Text is fitted and drawn as pt-label-cairo.c does; symbols are
 * drawn one rectangle per dark module (the backend merges runs along a row, so this
 * is an upper bound) and rules as one rectangle each. */
static void
stage_split(PtLabelTemplate t, guint dpi, int runs)
{
  enum { LAYOUT, FIT, DRAW_TEXT, DRAW_CODES, PNG_CAIRO, PNG_FAST, N_STAGES };
  static const char *const names[] = {"layout+codes+symbols",      "text fitting (pango)",
                                      "text drawing (cairo)",      "bars, modules, rules",
                                      "PNG cairo (RGB24, zlib 6)", "PNG fast (grey, zlib 1)"};
  double ms[N_STAGES][99];
  const int n = 10;
  for (int r = 0; r < runs; r++) {
    double acc[N_STAGES] = {0};
    for (int i = 0; i < n; i++) {
      PtLabelOptions opt = {.dpi = dpi};
      double a = now_ms();
      g_autoptr(PtLabelLayout) l = pt_label_layout_new(&lots[i % N_LOTS], t, &opt, NULL);
      g_assert_nonnull(l);
      acc[LAYOUT] += now_ms() - a;
      int wd = pt_label_dots(l->width_pt, dpi), hd = pt_label_dots(l->height_pt, dpi);
      cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, wd, hd);
      cairo_t *cr = cairo_create(s);
      PangoContext *ctx = pt_label_pango_context();
      a = now_ms();
      cairo_set_source_rgb(cr, 1, 1, 1);
      cairo_paint(cr);
      cairo_set_source_rgb(cr, 0, 0, 0);
      acc[DRAW_CODES] += now_ms() - a;
      for (guint k = 0; k < l->items->len; k++) {
        const PtLabelItem *it = g_ptr_array_index(l->items, k);
        a = now_ms();
        if (it->kind == PT_ITEM_TEXT) {
          PangoRectangle lg;
          g_autoptr(PangoLayout) pl =
              pt_label_fit_text(ctx, it, dpi, PT_LABEL_DEFAULT_FONT, &lg, NULL);
          g_assert_nonnull(pl);
          double b = now_ms();
          acc[FIT] += b - a;
          cairo_move_to(cr, pt_label_dots(it->x, dpi), pt_label_dots(it->y, dpi));
          pango_cairo_show_layout(cr, pl);
          acc[DRAW_TEXT] += now_ms() - b;
        } else if (it->kind == PT_ITEM_BARCODE) {
          int m = pt_label_module_dots(it, dpi, 0, NULL);
          for (int y = 0; y < it->barcode->rows; y++)
            for (int x = 0; x < it->barcode->cols; x++)
              if (pt_barcode_dark(it->barcode, x, y))
                cairo_rectangle(cr, x * m, y * m, m, it->barcode->rows == 1 ? 100 : m);
          cairo_fill(cr);
          acc[DRAW_CODES] += now_ms() - a;
        } else {
          cairo_rectangle(cr, pt_label_dots(it->x, dpi), pt_label_dots(it->y, dpi),
                          pt_label_dots(it->w, dpi), 2);
          cairo_fill(cr);
          acc[DRAW_CODES] += now_ms() - a;
        }
      }
      cairo_surface_flush(s);
      a = now_ms();
      GByteArray *sink = g_byte_array_new();
      cairo_surface_write_to_png_stream(s, append_bytes, sink);
      g_byte_array_unref(sink);
      acc[PNG_CAIRO] += now_ms() - a;
      a = now_ms();
      g_autoptr(GBytes) fast = pt_label_png_encode(s, NULL);
      acc[PNG_FAST] += now_ms() - a;
      g_object_unref(ctx);
      cairo_destroy(cr);
      cairo_surface_destroy(s);
    }
    for (int k = 0; k < N_STAGES; k++)
      ms[k][r] = acc[k] / n;
  }
  printf("# where one plain %s PNG at %u dpi spends its time (ms per label, median [min-max])\n",
         pt_label_template_to_string(t), dpi);
  for (int k = 0; k < N_STAGES; k++) {
    Stat st = stat_of(ms[k], runs);
    printf("#   %-26s %8.2f [%.2f-%.2f]\n", names[k], st.med, st.min, st.max);
  }
}

typedef GBytes *(*RenderFn)(const PtLabelContent *, PtLabelTemplate, PtLabelFormat,
                            const PtLabelOptions *, GError **);

/* Labels per second of @render over @runs runs of at least @seconds each, cycling
 * through the lots.  Exits on a render error. */
static Stat
rate(RenderFn render, PtLabelTemplate t, PtLabelFormat f, guint dpi, int runs, double seconds,
     gsize *bytes)
{
  double rates[99];
  PtLabelOptions opt = {.dpi = dpi};
  for (int r = 0; r < runs; r++) {
    guint n = 0;
    gint64 t0 = g_get_monotonic_time(), t1;
    do {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = render(&lots[n % N_LOTS], t, f, &opt, &error);
      if (!out) {
        fprintf(stderr, "%s %s: %s\n", pt_label_template_to_string(t), pt_label_format_to_string(f),
                error->message);
        exit(1);
      }
      *bytes = g_bytes_get_size(out);
      n++;
      t1 = g_get_monotonic_time();
    } while (t1 - t0 < (gint64)(seconds * G_USEC_PER_SEC));
    rates[r] = n / ((t1 - t0) / (double)G_USEC_PER_SEC);
  }
  return stat_of(rates, runs);
}

int
main(int argc, char **argv)
{
  int runs = argc > 1 ? (int)g_ascii_strtoll(argv[1], NULL, 10) : 5;
  double seconds = argc > 2 ? g_ascii_strtod(argv[2], NULL) : 0.3;
  if (runs < 1 || runs > 99 || seconds <= 0) {
    fprintf(stderr, "usage: %s [RUNS=5] [SECONDS_PER_RUN=0.3]\n", argv[0]);
    return 1;
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  gboolean pinned = sched_setaffinity(0, sizeof one, &one) == 0;
  for (int i = 0; i < N_LOTS; i++) {
    lots[i] = pt_test_content;
    g_snprintf(lot_names[i], sizeof lot_names[i], "ZG26112500%02d", 11 + i * 7);
    lots[i].lot = lot_names[i];
  }

  printf("# one core%s, %d runs of >= %.2f s each; %d lots in turn\n",
         pinned ? " (pinned to CPU 0)" : "", runs, seconds, N_LOTS);
  stage_split(PT_LABEL_CASE, 203, runs);
  stage_split(PT_LABEL_PALLET, 203, runs);

  const struct {
    PtLabelFormat format;
    guint dpi;
    const char *name;
  } outputs[] = {
      {PT_LABEL_PNG, 203, "png@203"}, {PT_LABEL_PNG, 300, "png@300"},
      {PT_LABEL_PDF, 300, "pdf"},     {PT_LABEL_SVG, 300, "svg"},
      {PT_LABEL_ZPL, 203, "zpl@203"}, {PT_LABEL_ZPL, 300, "zpl@300"},
  };
  printf("# labels/s, median [min-max]; baseline: the plain path (every item drawn, cairo's\n"
         "# PNG writer) in the same run; ratio = fast median / baseline median.  PDF, SVG and\n"
         "# ZPL without text graphics (case) take the same path on both sides: their ratio is\n"
         "# the run's noise.\n");
  printf("%-8s %-8s %26s %26s %7s %8s\n", "template", "format", "fast labels/s",
         "baseline labels/s", "ratio", "bytes");
  for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
    for (gsize o = 0; o < G_N_ELEMENTS(outputs); o++) {
      gsize bytes = 0, base_bytes = 0;
      Stat base = rate(pt_label_render_uncached, t, outputs[o].format, outputs[o].dpi, runs,
                       seconds, &base_bytes);
      Stat fast =
          rate(pt_label_render, t, outputs[o].format, outputs[o].dpi, runs, seconds, &bytes);
      char f[40], b[40];
      g_snprintf(f, sizeof f, "%.1f [%.1f-%.1f]", fast.med, fast.min, fast.max);
      g_snprintf(b, sizeof b, "%.1f [%.1f-%.1f]", base.med, base.min, base.max);
      printf("%-8s %-8s %26s %26s %6.2fx %8zu\n", pt_label_template_to_string(t), outputs[o].name,
             f, b, fast.med / base.med, bytes);
      fflush(stdout);
    }
  }
  return 0;
}
