/* pt-demo-footage.c: `pt-demo-footage DIR [SECONDS]` writes demo-picking.mkv,
 * demo-grading.mkv and demo-loading.mkv into DIR (once; existing files are kept), for the
 * `file` camera kind.  ./run calls it at set-up when no camera is configured. */
#include "pt-pipeline.h"

#include <stdio.h>
#include <stdlib.h>

int
main(int argc, char **argv)
{
  g_autoptr(GError) error = NULL;
  int seconds = PT_DEMO_DEFAULT_SECONDS;

  if (!pt_pipeline_init(&argc, &argv, &error)) {
    fprintf(stderr, "pt-demo-footage: %s\n", error->message);
    return 1;
  }
  if (argc < 2 || argc > 3) {
    fprintf(stderr, "usage: pt-demo-footage DIR [SECONDS]\n");
    return 2;
  }
  if (argc == 3) {
    gint64 n = 0;

    if (!g_ascii_string_to_signed(argv[2], 10, 1, PT_DEMO_MAX_SECONDS, &n, &error)) {
      fprintf(stderr, "pt-demo-footage: %s\n", error->message);
      return 2;
    }
    seconds = (int)n;
  }
  if (!pt_demo_footage_make_all(argv[1], seconds, &error)) {
    fprintf(stderr, "pt-demo-footage: %s\n", error->message);
    return 1;
  }
  return 0;
}
