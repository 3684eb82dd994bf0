/* test-label-decode.c: every template in one output format, read back by an
 * independent decoder.  Run as `test-label-decode FORMAT` with FORMAT one of png203,
 * png300, pdf, svg (zbarimg, after pdftoppm / rsvg-convert for the vector formats),
 * datamatrix (the case label's DataMatrix option, read by dmtxread) or separators
 * (a GS1-128 whose variable-length AI is followed by another, read by zbarimg).
 * Exit 0 pass, 1 fail, 77 when a decoder is not installed. */
#include <cairo.h>
#include <stdio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "labels-test-util.h"
#include "pt-gs1-ai.h"

static int failures;

#define CHECK(cond, ...)                                                                           \
  do {                                                                                             \
    if (!(cond)) {                                                                                 \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);                                         \
      fprintf(stderr, __VA_ARGS__);                                                                \
      fputc('\n', stderr);                                                                         \
      failures++;                                                                                  \
    }                                                                                              \
  } while (0)

/* Converts the rendered file at @path to a PNG for zbarimg.  Returns: (transfer full). */
static char *
to_png(const char *dir, const char *path, PtLabelFormat format)
{
  if (format == PT_LABEL_PNG)
    return g_strdup(path);
  g_autofree char *prefix = g_build_filename(dir, "raster", NULL);
  char *png = g_strconcat(prefix, ".png", NULL);
  if (format == PT_LABEL_PDF) {
    const char *argv[] = {"pdftoppm", "-png", "-r", "300", "-singlefile", path, prefix, NULL};
    g_free(pt_test_run(argv, NULL));
  } else {
    const char *argv[] = {"rsvg-convert", "--dpi-x=300", "--dpi-y=300", "--background-color=white",
                          "-o",           png,           path,          NULL};
    g_free(pt_test_run(argv, NULL));
  }
  return png;
}

static gboolean
contains(GPtrArray *symbols, const char *want)
{
  for (guint i = 0; i < symbols->len; i++)
    if (strcmp(g_ptr_array_index(symbols, i), want) == 0)
      return TRUE;
  return FALSE;
}

static void
check_labels(const char *dir, PtLabelFormat format, guint dpi)
{
  g_auto(PtLabelCodes) codes = {0};
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_label_codes(&pt_test_content, &codes, &error));
  PtLabelOptions opt = {.dpi = dpi};
  const char *ext = pt_label_format_to_string(format);

  for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
    g_autoptr(GBytes) out = pt_label_render(&pt_test_content, t, format, &opt, &error);
    CHECK(out != NULL, "render %s: %s", ext, error ? error->message : "");
    if (!out)
      return;
    g_autofree char *name = g_strdup_printf("%s.%s", pt_label_template_to_string(t), ext);
    g_autofree char *path = pt_test_write(dir, name, out);
    g_autofree char *png = to_png(dir, path, format);
    g_autoptr(GPtrArray) symbols = pt_test_zbar(png);
    /* Exactly one symbol per label, with exactly the data the label carries. */
    CHECK(symbols->len == 1, "%s: zbarimg found %u symbols", name, symbols->len);
    const char *want = t == PT_LABEL_CASE ? codes.element_raw : codes.digital_link;
    CHECK(contains(symbols, want), "%s: decoded '%s', want '%s'", name,
          symbols->len ? (char *)g_ptr_array_index(symbols, 0) : "", want);
  }
  /* Sanity of the oracle: the GS1-128 read back has no parentheses. */
  CHECK(strchr(codes.element_raw, '(') == NULL, "raw element string has parentheses");
}

static void
check_datamatrix(const char *dir)
{
  g_auto(PtLabelCodes) codes = {0};
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_label_codes(&pt_test_content, &codes, &error));
  PtLabelOptions opt = {.dpi = 203, .case_symbol = PT_LABEL_SYMBOL_DATAMATRIX};
  g_autoptr(GBytes) out =
      pt_label_render(&pt_test_content, PT_LABEL_CASE, PT_LABEL_PNG, &opt, &error);
  CHECK(out != NULL, "render: %s", error ? error->message : "");
  if (!out)
    return;
  g_autofree char *path = pt_test_write(dir, "case-dm.png", out);
  /* -G 29: GS1 mode, FNC1 printed as GS; a GS1 DataMatrix starts with FNC1. */
  const char *argv[] = {"dmtxread", "-N", "1", "-G", "29", "-m", "5000", path, NULL};
  g_autofree char *got = pt_test_run(argv, NULL);
  CHECK(got != NULL, "dmtxread failed");
  if (!got)
    return;
  g_autofree char *want = g_strconcat("\x1d", codes.element_raw, NULL);
  CHECK(strcmp(got, want) == 0, "DataMatrix decoded '%s', want '%s'", got, want);
}

/* A bare GS1-128 symbol drawn from the matrix, to check FNC1 after a variable-length
 * AI comes back as GS. */
static void
check_separators(const char *dir)
{
  const PtGs1Element el[] = {{"01", "09506000134352"}, {"10", "ABC123"}, {"17", "271231"}};
  g_autoptr(GError) error = NULL;
  g_autofree char *brackets = pt_gs1_element_string(el, 3, PT_GS1_FORM_BRACKETS, &error);
  g_autofree char *raw = pt_gs1_element_string(el, 3, PT_GS1_FORM_RAW, &error);
  g_assert_nonnull(raw);
  CHECK(strcmp(raw, "0109506000134352"
                    "10ABC123\x1d"
                    "17271231") == 0,
        "raw '%s'", raw);
  g_autoptr(PtBarcode) bc = pt_barcode_gs1(PT_SYMBOL_GS1_128, brackets, &error);
  g_assert_nonnull(bc);
  int m = 3, w = (bc->cols + 2 * bc->quiet) * m, h = 120;
  cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, w, h);
  cairo_t *cr = cairo_create(s);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int x = 0; x < bc->cols; x++)
    if (pt_barcode_dark(bc, x, 0))
      cairo_rectangle(cr, (bc->quiet + x) * m, 10, m, h - 20);
  cairo_fill(cr);
  g_autofree char *path = g_build_filename(dir, "separators.png", NULL);
  cairo_surface_write_to_png(s, path);
  cairo_destroy(cr);
  cairo_surface_destroy(s);
  g_autoptr(GPtrArray) symbols = pt_test_zbar(path);
  CHECK(symbols->len == 1 && contains(symbols, raw), "separators: decoded %u symbols",
        symbols->len);
}

int
main(int argc, char **argv)
{
  if (argc != 2) {
    fprintf(stderr, "usage: %s png203|png300|pdf|svg|datamatrix|separators\n", argv[0]);
    return 1;
  }
  const char *what = argv[1];
  const char *need = strcmp(what, "pdf") == 0          ? "pdftoppm"
                     : strcmp(what, "svg") == 0        ? "rsvg-convert"
                     : strcmp(what, "datamatrix") == 0 ? "dmtxread"
                                                       : NULL;
  if (!pt_test_have("zbarimg") || (need && !pt_test_have(need))) {
    printf("SKIP: %s not installed\n", need && pt_test_have("zbarimg") ? need : "zbarimg");
    return 77;
  }
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp("pt-labels-XXXXXX", &error);
  g_assert_nonnull(dir);

  if (strcmp(what, "png203") == 0)
    check_labels(dir, PT_LABEL_PNG, 203);
  else if (strcmp(what, "png300") == 0)
    check_labels(dir, PT_LABEL_PNG, 300);
  else if (strcmp(what, "pdf") == 0)
    check_labels(dir, PT_LABEL_PDF, 0);
  else if (strcmp(what, "svg") == 0)
    check_labels(dir, PT_LABEL_SVG, 0);
  else if (strcmp(what, "datamatrix") == 0)
    check_datamatrix(dir);
  else if (strcmp(what, "separators") == 0)
    check_separators(dir);
  else {
    fprintf(stderr, "unknown check '%s'\n", what);
    return 1;
  }

  if (failures == 0 && !g_getenv("PT_TEST_KEEP")) {
    g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
    for (const char *n; d && (n = g_dir_read_name(d));) {
      g_autofree char *p = g_build_filename(dir, n, NULL);
      g_remove(p);
    }
    g_rmdir(dir);
  } else {
    fprintf(stderr, "files kept in %s\n", dir);
  }
  printf("%s: %s\n", what, failures ? "FAIL" : "ok");
  return failures ? 1 : 0;
}
