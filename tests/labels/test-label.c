/* test-label.c: label content validation, the codes a label carries, text that does
 * not fit, Chinese text actually drawn with a CJK font, the shape of ZPL jobs, and the
 * names of the labels' error domains. */
#include <cairo.h>
#include <fontconfig/fontconfig.h>
#include <glib/gstdio.h>
#include <string.h>

#include "labels-test-util.h"
#include "pt-gs1.h"
#include "pt-labels-limits.h"
#include "pt-print.h"

static void
test_codes(void)
{
  g_auto(PtLabelCodes) codes = {0};
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_label_codes(&pt_test_content, &codes, &error));
  g_assert_cmpstr(codes.gtin14, ==, "09506000134352");
  g_assert_cmpstr(codes.digital_link, ==,
                  "https://trace.example.coop/01/09506000134352/10/ZG2611250007?13=261125");
  g_assert_cmpstr(codes.element_hri, ==, "(01)09506000134352(13)261125(10)ZG2611250007");
  g_assert_cmpstr(codes.element_raw, ==, "01095060001343521326112510ZG2611250007");
  g_assert_cmpuint(strlen(codes.voice_pick), ==, 4);

  /* A GTIN-13 is carried as GTIN-14. */
  PtLabelContent c = pt_test_content;
  c.gtin = "9506000134352";
  g_auto(PtLabelCodes) codes13 = {0};
  g_assert_true(pt_label_codes(&c, &codes13, &error));
  g_assert_cmpstr(codes13.gtin14, ==, "09506000134352");
  g_assert_cmpstr(codes13.voice_pick, ==, codes.voice_pick);
}

static void
expect_invalid(const PtLabelContent *c, const char *message)
{
  g_auto(PtLabelCodes) codes = {0};
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_label_codes(c, &codes, &error));
  g_test_message("%s", error->message);
  g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID);
  g_assert_nonnull(strstr(error->message, message));
  g_assert_null(codes.digital_link);
  /* The renderer refuses the same content with the same error. */
  g_autoptr(GError) error2 = NULL;
  g_autoptr(GBytes) out = pt_label_render(c, PT_LABEL_CASE, PT_LABEL_ZPL, NULL, &error2);
  g_assert_null(out);
  g_assert_error(error2, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID);
}

static void
test_invalid(void)
{
  PtLabelContent c = pt_test_content;
  c.gtin = "09506000134353";
  expect_invalid(&c, "gtin: GTIN 09506000134353 has a wrong check digit: expected 2");
  c = pt_test_content;
  c.lot = "ZG 26";
  expect_invalid(&c, "lot: lot character 3 (0x20)");
  c.lot = "ABCDEFGHIJKLMNOPQRSTU";
  expect_invalid(&c, "lot must have 1 to 20 characters, got 21");
  c = pt_test_content;
  c.pack_date = "261131";
  expect_invalid(&c, "pack_date: date '261131'");
  c = pt_test_content;
  c.harvest_date = "251399";
  expect_invalid(&c, "harvest_date");
  c = pt_test_content;
  c.variety_zh = "\xe5\xaf\x8c\xe5";
  expect_invalid(&c, "variety_zh is not valid UTF-8 (byte 4 is 0xe5)");
  c = pt_test_content;
  c.grower = "Line one\nline two";
  expect_invalid(&c, "grower contains control character U+000A");
  c = pt_test_content;
  c.product_en = "";
  expect_invalid(&c, "product_en is required");
  c = pt_test_content;
  c.link_host = "evil.example@trace.example.coop";
  expect_invalid(&c, "link_host: Digital Link: user information");
  c = pt_test_content;
  c.quantity = -1;
  expect_invalid(&c, "quantity");
}

static void
test_too_long(void)
{
  /* Long text shrinks first: a supplier address twice the usual length still fits. */
  PtLabelContent c = pt_test_content;
  c.supplier_address = "Building 7, 88 Orchard Road, Hongqi Township, Aksu City, Aksu "
                       "Prefecture, Xinjiang 843000, People's Republic of China";
  for (int f = PT_LABEL_PNG; f <= PT_LABEL_ZPL; f++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) out = pt_label_render(&c, PT_LABEL_CASE, f, NULL, &error);
    g_assert_no_error(error);
    g_assert_nonnull(out);
  }

  /* Past the minimum size it is refused, naming the field, in every format. */
  g_autoptr(GString) s = g_string_new(NULL);
  while (s->len < 400)
    g_string_append(s, "Orchard Road ");
  c.supplier_address = s->str;
  for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
    for (int f = PT_LABEL_PNG; f <= PT_LABEL_ZPL; f++) {
      g_autoptr(GError) error = NULL;
      g_autoptr(GBytes) out = pt_label_render(&c, t, f, NULL, &error);
      g_assert_null(out);
      g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_TOO_LONG);
      g_assert_nonnull(strstr(error->message, "supplier address does not fit"));
    }
  }

  /* A Chinese product name too long for the pallet title. */
  c = pt_test_content;
  c.product_zh = "新疆阿克苏冰糖心红富士苹果特级精品礼盒装新疆阿克苏冰糖心红富士苹果特级精品礼盒装"
                 "新疆阿克苏冰糖心红富士苹果特级精品礼盒装";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) out = pt_label_render(&c, PT_LABEL_PALLET, PT_LABEL_PNG, NULL, &error);
  g_assert_null(out);
  g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_TOO_LONG);
  g_assert_nonnull(strstr(error->message, "product (zh)"));
}

static gboolean
have_cjk_font(void)
{
  FcPattern *pat = FcPatternCreate();
  FcLangSet *ls = FcLangSetCreate();
  FcLangSetAdd(ls, (const FcChar8 *)"zh-cn");
  FcPatternAddLangSet(pat, FC_LANG, ls);
  FcObjectSet *os = FcObjectSetBuild(FC_FAMILY, NULL);
  FcFontSet *fs = FcFontList(NULL, pat, os);
  gboolean found = fs && fs->nfont > 0;
  if (fs)
    FcFontSetDestroy(fs);
  FcObjectSetDestroy(os);
  FcLangSetDestroy(ls);
  FcPatternDestroy(pat);
  return found;
}

static long
dark_pixels(GBytes *png)
{
  g_autofree char *dir = g_dir_make_tmp("pt-cjk-XXXXXX", NULL);
  g_autofree char *path = pt_test_write(dir, "l.png", png);
  cairo_surface_t *s = cairo_image_surface_create_from_png(path);
  g_assert_cmpint(cairo_surface_status(s), ==, CAIRO_STATUS_SUCCESS);
  const guint8 *px = cairo_image_surface_get_data(s);
  int stride = cairo_image_surface_get_stride(s);
  long dark = 0;
  for (int y = 0; y < cairo_image_surface_get_height(s); y++)
    for (int x = 0; x < cairo_image_surface_get_width(s); x++)
      dark += px[y * stride + x * 4 + 1] < 128;
  cairo_surface_destroy(s);
  g_remove(path);
  g_rmdir(dir);
  return dark;
}

static void
test_chinese_drawn(void)
{
  if (!have_cjk_font()) {
    g_test_skip("no CJK font installed (fonts-noto-cjk)");
    return;
  }
  /* The same label with and without its Chinese strings: the Chinese ones must add
   * ink, and rendering them must not hit the missing-glyph check. */
  PtLabelContent en = pt_test_content;
  en.product_zh = en.variety_zh = en.origin_zh = en.grade_zh = NULL;
  PtLabelContent zh = en;
  zh.product_zh = "苹果";
  g_autoptr(GError) error = NULL;
  g_autoptr(GBytes) png_en = pt_label_render(&en, PT_LABEL_PALLET, PT_LABEL_PNG, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(GBytes) png_zh = pt_label_render(&zh, PT_LABEL_PALLET, PT_LABEL_PNG, NULL, &error);
  g_assert_no_error(error);
  long d_en = dark_pixels(png_en), d_zh = dark_pixels(png_zh);
  g_test_message("dark pixels: without Chinese title %ld, with %ld", d_en, d_zh);
  /* Two 20 pt ideographs at 203 dpi are several hundred dark pixels. */
  g_assert_cmpint(d_zh - d_en, >, 300);
}

/* With only DejaVu (no CJK glyphs) visible to fontconfig, Chinese text is refused
 * rather than printed as empty boxes.  Runs in a subprocess so the restricted font
 * configuration is in place before pango starts. */
static void
test_missing_glyphs(void)
{
  const char *dejavu = "/usr/share/fonts/truetype/dejavu";
  if (!g_file_test(dejavu, G_FILE_TEST_IS_DIR)) {
    g_test_skip("fonts-dejavu-core not installed");
    return;
  }
  if (g_test_subprocess()) {
    g_autofree char *dir = g_dir_make_tmp("pt-fc-XXXXXX", NULL);
    g_autofree char *conf = g_build_filename(dir, "fonts.conf", NULL);
    g_autofree char *xml = g_strdup_printf("<?xml version=\"1.0\"?>\n<fontconfig><dir>%s</dir>"
                                           "<cachedir>%s</cachedir></fontconfig>\n",
                                           dejavu, dir);
    g_assert_true(g_file_set_contents(conf, xml, -1, NULL));
    g_setenv("FONTCONFIG_FILE", conf, TRUE);
    g_autoptr(GError) error = NULL;
    g_autoptr(GBytes) out =
        pt_label_render(&pt_test_content, PT_LABEL_PALLET, PT_LABEL_PNG, NULL, &error);
    g_assert_null(out);
    g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_FONT);
    g_assert_nonnull(strstr(error->message, "no installed font has glyphs"));
    /* The case label (English only) still renders with the Latin font. */
    PtLabelContent en = pt_test_content;
    g_autoptr(GError) error2 = NULL;
    g_autoptr(GBytes) case_png = pt_label_render(&en, PT_LABEL_CASE, PT_LABEL_PNG, NULL, &error2);
    g_assert_no_error(error2);
    g_assert_nonnull(case_png);
    return;
  }
  g_test_trap_subprocess(NULL, 60 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed();
}

static void
test_zpl_job(void)
{
  g_auto(PtLabelCodes) codes = {0};
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_label_codes(&pt_test_content, &codes, &error));
  for (guint dpi = 203; dpi <= 300; dpi += 97) {
    PtLabelOptions opt = {.dpi = dpi};
    for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
      g_autoptr(GBytes) out = pt_label_render(&pt_test_content, t, PT_LABEL_ZPL, &opt, &error);
      g_assert_no_error(error);
      g_autofree char *zpl = g_strndup(g_bytes_get_data(out, NULL), g_bytes_get_size(out));
      g_assert_true(g_str_has_prefix(zpl, "^XA"));
      g_assert_true(g_str_has_suffix(zpl, "^XZ\n"));
      /* One job, every field closed, only printable ASCII. */
      g_assert_null(strstr(zpl + 3, "^XA"));
      for (const char *p = zpl; *p; p++)
        g_assert_true(*p == '\n' || (*p >= 0x20 && *p < 0x7f));
      int n_fo = 0, n_fs = 0;
      for (const char *p = strstr(zpl, "^FO"); p; p = strstr(p + 1, "^FO"))
        n_fo++;
      for (const char *p = strstr(zpl, "^FS"); p; p = strstr(p + 1, "^FS"))
        n_fs++;
      g_assert_cmpint(n_fo, ==, n_fs);
      g_autofree char *pw = g_strdup_printf("^PW%d", dpi * 4);
      g_autofree char *ll = g_strdup_printf("^LL%d", dpi * (t == PT_LABEL_CASE ? 2 : 6));
      g_assert_nonnull(strstr(zpl, pw));
      g_assert_nonnull(strstr(zpl, ll));
      long dots = pt_test_zpl_graphic_dots(zpl);
      g_assert_cmpint(dots, >=, 0);
      if (t == PT_LABEL_CASE) {
        g_autofree char *bc = pt_test_zpl_field(zpl, "^BC");
        g_assert_cmpstr(bc, ==, codes.element_hri);
        g_assert_nonnull(strstr(zpl, "^BCN,"));
        g_assert_nonnull(strstr(zpl, ",N,N,N,D^FD"));
        g_assert_null(strstr(zpl, "^BQ"));
        /* The voice pick code: small and large halves as separate fields. */
        g_autofree char *small = g_strdup_printf("^FD%.2s^FS", codes.voice_pick);
        g_autofree char *large = g_strdup_printf("^FD%s^FS", codes.voice_pick + 2);
        g_assert_nonnull(strstr(zpl, small));
        g_assert_nonnull(strstr(zpl, large));
      } else {
        g_autofree char *qr = pt_test_zpl_field(zpl, "^BQ");
        g_autofree char *want =
            g_strdup_printf("MM,B%04zu%s", strlen(codes.digital_link), codes.digital_link);
        g_assert_cmpstr(qr, ==, want);
        /* Chinese text is a graphic: several thousand dots. */
        g_assert_cmpint(dots, >, 2000);
        g_assert_null(strstr(zpl, "苹果"));
      }
    }
  }

  /* DataMatrix option: ^BX with FNC1 escapes. */
  PtLabelOptions opt = {.case_symbol = PT_LABEL_SYMBOL_DATAMATRIX};
  g_autoptr(GBytes) out =
      pt_label_render(&pt_test_content, PT_LABEL_CASE, PT_LABEL_ZPL, &opt, &error);
  g_assert_no_error(error);
  g_autofree char *zpl = g_strndup(g_bytes_get_data(out, NULL), g_bytes_get_size(out));
  g_autofree char *dm = pt_test_zpl_field(zpl, "^BX");
  g_assert_cmpstr(dm, ==, "`101095060001343521326112510ZG2611250007");

  /* Text with ZPL command characters is escaped with ^FH. */
  PtLabelContent c = pt_test_content;
  c.pack_size = "40^lb~x_y";
  g_autoptr(GBytes) esc = pt_label_render(&c, PT_LABEL_CASE, PT_LABEL_ZPL, NULL, &error);
  g_assert_no_error(error);
  g_autofree char *zesc = g_strndup(g_bytes_get_data(esc, NULL), g_bytes_get_size(esc));
  g_assert_nonnull(strstr(zesc, "^FH_^FD40_5Elb_7Ex_5Fy^FS"));

  /* A lot with parentheses cannot go through ZPL's GS1-128 mode D. */
  c = pt_test_content;
  c.lot = "A(1)";
  g_autoptr(GBytes) paren = pt_label_render(&c, PT_LABEL_CASE, PT_LABEL_ZPL, NULL, &error);
  g_assert_null(paren);
  g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID);
}

static void
test_formats(void)
{
  /* Magic numbers and sizes of the cairo formats; PNG size follows the dpi. */
  g_autoptr(GError) error = NULL;
  const struct {
    PtLabelFormat f;
    const char *magic;
  } fm[] = {{PT_LABEL_PNG, "\x89PNG"}, {PT_LABEL_PDF, "%PDF-"}, {PT_LABEL_SVG, "<?xml"}};
  for (gsize i = 0; i < G_N_ELEMENTS(fm); i++) {
    g_autoptr(GBytes) out =
        pt_label_render(&pt_test_content, PT_LABEL_PALLET, fm[i].f, NULL, &error);
    g_assert_no_error(error);
    g_assert_cmpmem(g_bytes_get_data(out, NULL), strlen(fm[i].magic), fm[i].magic,
                    strlen(fm[i].magic));
  }
  PtLabelOptions opt = {.dpi = 300};
  g_autoptr(GBytes) png =
      pt_label_render(&pt_test_content, PT_LABEL_CASE, PT_LABEL_PNG, &opt, &error);
  const guint8 *p = g_bytes_get_data(png, NULL);
  g_assert_cmpuint(GUINT32_FROM_BE(*(const guint32 *)(p + 16)), ==, 1200);
  g_assert_cmpuint(GUINT32_FROM_BE(*(const guint32 *)(p + 20)), ==, 600);
  opt.dpi = 100;
  g_assert_null(pt_label_render(&pt_test_content, PT_LABEL_CASE, PT_LABEL_PNG, &opt, &error));
  g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID);

  PtLabelFormat f;
  PtLabelTemplate t;
  g_assert_true(pt_label_format_from_string("zpl", &f) && f == PT_LABEL_ZPL);
  g_assert_true(pt_label_template_from_string("pallet", &t) && t == PT_LABEL_PALLET);
  g_assert_false(pt_label_format_from_string("bmp", &f));
}

/* Error domains go by packtrace_<module>_error: the name a log or a GError dump shows. */
static void
test_error_domains(void)
{
  g_assert_cmpstr(g_quark_to_string(PT_LABEL_ERROR), ==, "packtrace_label_error");
  g_assert_cmpstr(g_quark_to_string(PT_BARCODE_ERROR), ==, "packtrace_barcode_error");
  g_assert_cmpstr(g_quark_to_string(PT_PRINT_ERROR), ==, "packtrace_print_error");
  g_assert_cmpstr(g_quark_to_string(PT_GS1_ERROR), ==, "packtrace_gs1_error");
}

/* The logistic label: its SSCC and, for one lot, (02)(37)(10) read back from the PNG; a wrong
 * check digit, a missing SSCC, a lot of zero cases refused; more lots than fit are summed. */
static void
test_logistic(void)
{
  g_autoptr(GError) error = NULL;
  const PtLogisticLine one[] = {{"9506000134352", "LOG-1", "Apples", 48}};
  PtLogisticContent c = {
      .sscc = "106141411234567897", .supplier_name = "Co-op", .lines = one, .n_lines = 1};
  g_autoptr(GBytes) png = pt_label_render_logistic(&c, PT_LABEL_PNG, NULL, &error);
  g_assert_no_error(error);
  g_autoptr(GBytes) zpl = pt_label_render_logistic(&c, PT_LABEL_ZPL, NULL, &error);
  g_assert_no_error(error);
  g_autofree char *zpl_text = g_strndup(g_bytes_get_data(zpl, NULL), g_bytes_get_size(zpl));
  g_autofree char *bc = pt_test_zpl_field(zpl_text, "^BC");
  g_assert_cmpstr(bc, ==, "(02)09506000134352(37)48(10)LOG-1");
  g_assert_nonnull(strstr(zpl_text, "^FD(00)106141411234567897^FS"));
  if (pt_test_have("zbarimg")) {
    g_autofree char *dir = g_dir_make_tmp("pt-logistic-XXXXXX", NULL);
    g_autofree char *path = pt_test_write(dir, "l.png", png);
    g_autoptr(GPtrArray) codes = pt_test_zbar(path);
    g_assert_cmpuint(codes->len, ==, 2);
    gboolean sscc = FALSE, content = FALSE;
    for (guint i = 0; i < codes->len; i++) {
      sscc |= g_strcmp0(codes->pdata[i], "00106141411234567897") == 0;
      content |= g_strcmp0(codes->pdata[i], "020950600013435237"
                                            "48\x1d"
                                            "10LOG-1") == 0;
    }
    g_assert_true(sscc && content);
    g_unlink(path);
    g_rmdir(dir);
  }

  PtLogisticLine many[PT_LOGISTIC_LINES_MAX + 3];
  for (guint i = 0; i < G_N_ELEMENTS(many); i++)
    many[i] = (PtLogisticLine){"9506000134352", "MANY", "Apples", 10};
  PtLogisticContent mixed = {
      .sscc = "106141411234567897", .lines = many, .n_lines = G_N_ELEMENTS(many)};
  g_autoptr(GBytes) mz = pt_label_render_logistic(&mixed, PT_LABEL_ZPL, NULL, &error);
  g_assert_no_error(error);
  g_autofree char *mz_text = g_strndup(g_bytes_get_data(mz, NULL), g_bytes_get_size(mz));
  g_assert_nonnull(strstr(mz_text, "^FD+ 3 more lots, 30 cases^FS"));
  g_assert_nonnull(strstr(mz_text, "^FD90^FS"));

  PtLogisticContent bad = c;
  bad.sscc = "106141411234567896";
  g_assert_null(pt_label_render_logistic(&bad, PT_LABEL_PNG, NULL, &error));
  g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID);
  g_clear_error(&error);
  bad.sscc = NULL;
  g_assert_null(pt_label_render_logistic(&bad, PT_LABEL_PNG, NULL, &error));
  g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID);
  g_clear_error(&error);
  const PtLogisticLine zero[] = {{"9506000134352", "LOG-1", "Apples", 0}};
  bad = c;
  bad.lines = zero;
  g_assert_null(pt_label_render_logistic(&bad, PT_LABEL_PNG, NULL, &error));
  g_assert_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/label/codes", test_codes);
  g_test_add_func("/label/invalid", test_invalid);
  g_test_add_func("/label/too-long", test_too_long);
  g_test_add_func("/label/chinese-drawn", test_chinese_drawn);
  g_test_add_func("/label/missing-glyphs", test_missing_glyphs);
  g_test_add_func("/label/zpl-job", test_zpl_job);
  g_test_add_func("/label/formats", test_formats);
  g_test_add_func("/label/error-domains", test_error_domains);
  g_test_add_func("/label/logistic", test_logistic);
  return g_test_run();
}
