/* bench-labels.c: labels per second for each template and output format on one core
 * (median of several timed runs), and the size of each ZPL job.  Not a test: run it
 * by hand or with `meson test --benchmark --suite labels`. */
#define _GNU_SOURCE
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>

#include "labels-test-util.h"

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int
main(int argc, char **argv)
{
  int runs = argc > 1 ? (int)g_ascii_strtoll(argv[1], NULL, 10) : 5;
  double min_seconds = argc > 2 ? g_ascii_strtod(argv[2], NULL) : 0.5;
  if (runs < 1 || runs > 99 || min_seconds <= 0) {
    fprintf(stderr, "usage: %s [RUNS=5] [SECONDS_PER_RUN=0.5]\n", argv[0]);
    return 1;
  }
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(0, &one);
  gboolean pinned = sched_setaffinity(0, sizeof one, &one) == 0;

  const struct {
    PtLabelFormat format;
    guint dpi;
    const char *name;
  } outputs[] = {
      {PT_LABEL_PNG, 203, "png@203"}, {PT_LABEL_PNG, 300, "png@300"},
      {PT_LABEL_PDF, 300, "pdf"},     {PT_LABEL_SVG, 300, "svg"},
      {PT_LABEL_ZPL, 203, "zpl@203"}, {PT_LABEL_ZPL, 300, "zpl@300"},
  };
  printf("# one core%s, median of %d runs of >= %.2f s each\n", pinned ? " (pinned to CPU 0)" : "",
         runs, min_seconds);
  printf("%-8s %-8s %12s %12s\n", "template", "format", "labels/s", "bytes");
  for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
    for (gsize o = 0; o < G_N_ELEMENTS(outputs); o++) {
      PtLabelOptions opt = {.dpi = outputs[o].dpi};
      double rates[99];
      gsize bytes = 0;
      for (int r = 0; r < runs; r++) {
        guint n = 0;
        gint64 t0 = g_get_monotonic_time(), t1;
        do {
          g_autoptr(GError) error = NULL;
          g_autoptr(GBytes) out =
              pt_label_render(&pt_test_content, t, outputs[o].format, &opt, &error);
          if (!out) {
            fprintf(stderr, "%s %s: %s\n", pt_label_template_to_string(t), outputs[o].name,
                    error->message);
            return 1;
          }
          bytes = g_bytes_get_size(out);
          n++;
          t1 = g_get_monotonic_time();
        } while (t1 - t0 < (gint64)(min_seconds * G_USEC_PER_SEC));
        rates[r] = n / ((t1 - t0) / (double)G_USEC_PER_SEC);
      }
      qsort(rates, (size_t)runs, sizeof rates[0], cmp_double);
      printf("%-8s %-8s %12.1f %12zu\n", pt_label_template_to_string(t), outputs[o].name,
             rates[runs / 2], bytes);
    }
  }
  return 0;
}
