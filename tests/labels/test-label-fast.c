/* test-label-fast.c: the fast path (pt_label_render(): a template's static part drawn
 * once and copied, PNG written as 8-bit grey) against the plain path it replaced
 * (pt_label_render_uncached()), for lots with GS1's awkward characters, a 20-character
 * lot and Chinese product names: PNGs equal pixel for pixel, the same symbols read back
 * by zbarimg (QR, GS1-128) and dmtxread (GS1 DataMatrix), ZPL jobs equal byte for byte,
 * and a changed static field never shows a stale cached part. */
#include <cairo.h>
#include <glib/gstdio.h>
#include <string.h>

#include "labels-test-util.h"
#include "pt-label-private.h"

/* 20 characters, the most AI 10 takes: the letters one makes a GS1-128 too wide for the
 * case label (refused the same way on both paths), the digits one fits. */
static const char *const test_lots[] = {"ZG2611250007", "A/B%1-x", "LOT&7?Q'x",
                                        "20261125000700000001", "ABCDEFGHIJ0123456789"};
static const char *const products_zh[] = {"苹果", "红富士苹果（阿克苏）", NULL};

static char *tmpdir;

/* Decodes @png into an RGB24 surface.  Returns: (transfer full). */
static cairo_surface_t *
decode(GBytes *png, const char *name)
{
  g_autofree char *path = pt_test_write(tmpdir, name, png);
  cairo_surface_t *s = cairo_image_surface_create_from_png(path);
  g_assert_cmpint(cairo_surface_status(s), ==, CAIRO_STATUS_SUCCESS);
  return s;
}

/* TRUE when @a and @b hold the same pixels (RGB, the unused byte ignored). */
static gboolean
same_pixels(cairo_surface_t *a, cairo_surface_t *b)
{
  int w = cairo_image_surface_get_width(a), h = cairo_image_surface_get_height(a);
  if (w != cairo_image_surface_get_width(b) || h != cairo_image_surface_get_height(b))
    return FALSE;
  const guint8 *pa = cairo_image_surface_get_data(a), *pb = cairo_image_surface_get_data(b);
  int sa = cairo_image_surface_get_stride(a), sb = cairo_image_surface_get_stride(b);
  for (int y = 0; y < h; y++) {
    const guint32 *ra = (const guint32 *)(pa + (gsize)y * sa);
    const guint32 *rb = (const guint32 *)(pb + (gsize)y * sb);
    for (int x = 0; x < w; x++)
      if ((ra[x] & 0xffffff) != (rb[x] & 0xffffff)) {
        g_test_message("first difference at (%d, %d): %06x vs %06x", x, y, ra[x] & 0xffffff,
                       rb[x] & 0xffffff);
        return FALSE;
      }
  }
  return TRUE;
}

/* Renders @c both ways and checks the PNGs.  Returns the fast PNG (transfer full), or
 * NULL when both paths refuse the label with the same error. */
static GBytes *
check_png(const PtLabelContent *c, PtLabelTemplate t, const PtLabelOptions *opt)
{
  g_autoptr(GError) error = NULL, error2 = NULL;
  GBytes *fast = pt_label_render(c, t, PT_LABEL_PNG, opt, &error);
  g_autoptr(GBytes) slow = pt_label_render_uncached(c, t, PT_LABEL_PNG, opt, &error2);
  if (!slow) {
    g_assert_null(fast);
    g_assert_error(error, error2->domain, error2->code);
    g_assert_cmpstr(error->message, ==, error2->message);
    return NULL;
  }
  g_assert_no_error(error);
  /* 8-bit greyscale: colour type 0 in IHDR. */
  const guint8 *p = g_bytes_get_data(fast, NULL);
  g_assert_cmpuint(p[24], ==, 8);
  g_assert_cmpuint(p[25], ==, 0);
  cairo_surface_t *a = decode(fast, "fast.png"), *b = decode(slow, "slow.png");
  if (!same_pixels(a, b))
    g_test_fail_printf("%s label for lot '%s' at %u dpi: fast and plain PNGs differ",
                       pt_label_template_to_string(t), c->lot, opt->dpi);
  cairo_surface_destroy(a);
  cairo_surface_destroy(b);
  return fast;
}

static void
test_png_pixels(void)
{
  pt_label_cache_clear();
  /* Each lot with the next product name in turn: every lot and every name is drawn, and
   * consecutive labels differ in their static part too.  The lot is a dynamic field and the
   * name a static one, so their full cross product (three times the plain path's renders,
   * the slowest part of the suite) would draw nothing this does not. */
  for (gsize i = 0; i < G_N_ELEMENTS(test_lots); i++) {
    PtLabelContent c = pt_test_content;
    c.lot = test_lots[i];
    c.product_zh = products_zh[i % G_N_ELEMENTS(products_zh)];
    for (guint dpi = 203; dpi <= 300; dpi += 97) {
      for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
        PtLabelOptions opt = {.dpi = dpi};
        g_autoptr(GBytes) png = check_png(&c, t, &opt);
      }
      PtLabelOptions dm = {.dpi = dpi, .case_symbol = PT_LABEL_SYMBOL_DATAMATRIX};
      g_autoptr(GBytes) png = check_png(&c, PT_LABEL_CASE, &dm);
    }
  }
}

/* A static field that changes between two labels: the second label shows the new
 * text, exactly as a fresh render draws it. */
static void
test_static_change(void)
{
  pt_label_cache_clear();
  const char *suppliers[] = {"Aksu Fruit Growers Co-op", "Aksu Fruit Growers Co-oq",
                             "Aksu Fruit Growers Co-op"};
  for (gsize i = 0; i < G_N_ELEMENTS(suppliers); i++) {
    PtLabelContent c = pt_test_content;
    c.supplier_name = suppliers[i];
    c.lot = test_lots[i % G_N_ELEMENTS(test_lots)];
    for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
      PtLabelOptions opt = {.dpi = 203};
      g_autoptr(GBytes) png = check_png(&c, t, &opt);
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) fast = pt_label_render(&c, t, PT_LABEL_ZPL, &opt, &error);
      g_assert_no_error(error);
      g_autoptr(GBytes) slow = pt_label_render_uncached(&c, t, PT_LABEL_ZPL, &opt, &error);
      g_assert_no_error(error);
      g_assert_true(g_bytes_equal(fast, slow));
    }
  }
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
test_png_decode(void)
{
  if (!pt_test_have("zbarimg") || !pt_test_have("dmtxread")) {
    g_test_skip("zbarimg or dmtxread is not installed");
    return;
  }
  pt_label_cache_clear();
  for (gsize i = 0; i < G_N_ELEMENTS(test_lots); i++) {
    PtLabelContent c = pt_test_content;
    c.lot = test_lots[i];
    c.product_zh = products_zh[i % 2];
    g_auto(PtLabelCodes) codes = {0};
    g_assert_true(pt_label_codes(&c, &codes, NULL));
    for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
      PtLabelOptions opt = {.dpi = 203};
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) fast = pt_label_render(&c, t, PT_LABEL_PNG, &opt, &error);
      g_autoptr(GError) error2 = NULL;
      g_autoptr(GBytes) slow = pt_label_render_uncached(&c, t, PT_LABEL_PNG, &opt, &error2);
      g_assert_true((fast == NULL) == (slow == NULL));
      if (!fast)
        continue; /* refused alike: checked in /label-fast/png-pixels */
      g_autofree char *fp = pt_test_write(tmpdir, "fast.png", fast);
      g_autoptr(GPtrArray) fs = pt_test_zbar(fp);
      g_autofree char *sp = pt_test_write(tmpdir, "slow.png", slow);
      g_autoptr(GPtrArray) ss = pt_test_zbar(sp);
      const char *want = t == PT_LABEL_CASE ? codes.element_raw : codes.digital_link;
      if (t == PT_LABEL_CASE && strcmp(c.lot, "ABCDEFGHIJ0123456789") == 0) {
        /* Its GS1-128 would be wider than the label at GS1's smallest module: the case
         * label carries the element string as a GS1 DataMatrix, on both paths. */
        const char *fargv[] = {"dmtxread", "-N", "1", "-G", "29", "-m", "5000", fp, NULL};
        const char *sargv[] = {"dmtxread", "-N", "1", "-G", "29", "-m", "5000", sp, NULL};
        g_autofree char *fgot = pt_test_run(fargv, NULL);
        g_autofree char *sgot = pt_test_run(sargv, NULL);
        g_autofree char *dm_want = g_strconcat("\x1d", codes.element_raw, NULL);
        g_assert_cmpuint(fs->len, ==, 0);
        g_assert_cmpstr(fgot, ==, dm_want);
        g_assert_cmpstr(sgot, ==, dm_want);
        continue;
      }
      g_assert_cmpuint(fs->len, ==, 1);
      g_assert_cmpuint(ss->len, ==, 1);
      g_assert_true(contains(fs, want));
      g_assert_true(contains(ss, want));
    }
    PtLabelOptions dm = {.dpi = 203, .case_symbol = PT_LABEL_SYMBOL_DATAMATRIX};
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) fast = pt_label_render(&c, PT_LABEL_CASE, PT_LABEL_PNG, &dm, &error);
    g_assert_no_error(error);
    g_autofree char *fp = pt_test_write(tmpdir, "fast-dm.png", fast);
    g_test_message("lot '%s': DataMatrix", c.lot);
    const char *argv[] = {"dmtxread", "-N", "1", "-G", "29", "-m", "5000", fp, NULL};
    g_autofree char *got = pt_test_run(argv, NULL);
    g_autofree char *want = g_strconcat("\x1d", codes.element_raw, NULL);
    g_assert_cmpstr(got, ==, want);
  }
}

static void
test_zpl_same(void)
{
  pt_label_cache_clear();
  for (gsize z = 0; z < G_N_ELEMENTS(products_zh); z++) {
    for (gsize i = 0; i < G_N_ELEMENTS(test_lots); i++) {
      PtLabelContent c = pt_test_content;
      c.lot = test_lots[i];
      c.product_zh = products_zh[z];
      for (guint dpi = 203; dpi <= 300; dpi += 97) {
        for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
          PtLabelOptions opt = {.dpi = dpi, .copies = 3};
          g_autoptr(GError) error = NULL;
          g_autoptr(GBytes) fast = pt_label_render(&c, t, PT_LABEL_ZPL, &opt, &error);
          g_autoptr(GError) error2 = NULL;
          g_autoptr(GBytes) slow = pt_label_render_uncached(&c, t, PT_LABEL_ZPL, &opt, &error2);
          /* Lots with parentheses are refused by ZPL's GS1-128 mode on both paths. */
          g_assert_true((fast == NULL) == (slow == NULL));
          if (!fast)
            continue;
          g_assert_true(g_bytes_equal(fast, slow));
        }
      }
    }
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  tmpdir = g_dir_make_tmp("test-label-fast-XXXXXX", NULL);
  g_assert_nonnull(tmpdir);
  g_test_add_func("/label-fast/png-pixels", test_png_pixels);
  g_test_add_func("/label-fast/static-change", test_static_change);
  g_test_add_func("/label-fast/png-decode", test_png_decode);
  g_test_add_func("/label-fast/zpl-same", test_zpl_same);
  int rc = g_test_run();
  for (const char *const *f = (const char *const[]){"fast.png", "slow.png", "fast-dm.png", NULL};
       *f; f++) {
    g_autofree char *path = g_build_filename(tmpdir, *f, NULL);
    g_unlink(path);
  }
  g_rmdir(tmpdir);
  g_free(tmpdir);
  return rc;
}
