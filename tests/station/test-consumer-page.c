/* test-consumer-page.c: what the consumer page is made of, without a server: the reader's
 * language (query, cookie, Accept-Language), the Range reader, the one translation table
 * (every entry in both languages, every step and disposition the station writes in words),
 * the renderer (escaping, no codes, the story in event-time order, the recall banner), and
 * station.ini's [public] (clear errors). */
#include "pt-consumer-page.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-public-config.h"
#include "pt-range.h"

#include <string.h>

static json_t *
table(void)
{
  g_autofree char *path = g_build_filename(SOURCE_ROOT, "web-ui", "i18n.json", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &text, &len, NULL));
  g_autoptr(GError) error = NULL;
  json_t *t = pt_json_parse(text, len, &error);
  g_assert_no_error(error);
  return t;
}

static void
test_lang(void)
{
  g_assert_cmpint(pt_consumer_lang(NULL, NULL, NULL), ==, PT_LANG_EN);
  g_assert_cmpint(pt_consumer_lang(NULL, NULL, "zh-CN,zh;q=0.9,en;q=0.8"), ==, PT_LANG_ZH);
  g_assert_cmpint(pt_consumer_lang(NULL, NULL, "zh-TW"), ==, PT_LANG_ZH);
  g_assert_cmpint(pt_consumer_lang(NULL, NULL, "fr-FR, zh;q=0.5"), ==, PT_LANG_ZH);
  g_assert_cmpint(pt_consumer_lang(NULL, NULL, "en-GB, zh;q=0.5"), ==, PT_LANG_EN);
  g_assert_cmpint(pt_consumer_lang(NULL, NULL, "zh;q=0, en"), ==, PT_LANG_EN);
  g_assert_cmpint(pt_consumer_lang(NULL, NULL, "zhx, de"), ==, PT_LANG_EN);
  /* The switch's choice wins over the browser, the link's over the cookie. */
  g_assert_cmpint(pt_consumer_lang(NULL, "en", "zh-CN"), ==, PT_LANG_EN);
  g_assert_cmpint(pt_consumer_lang("zh", "en", "en"), ==, PT_LANG_ZH);
  g_assert_cmpint(pt_consumer_lang("xx", "zh", "en"), ==, PT_LANG_ZH);
}

static void
test_range(void)
{
  guint64 start = 0, len = 0;
  g_assert_cmpint(pt_range_parse(NULL, 100, &start, &len), ==, PT_RANGE_NONE);
  g_assert_cmpint(pt_range_parse("bytes=0-1", 100, &start, &len), ==, PT_RANGE_PARTIAL);
  g_assert_cmpuint(start, ==, 0);
  g_assert_cmpuint(len, ==, 2);
  g_assert_cmpint(pt_range_parse("bytes=90-", 100, &start, &len), ==, PT_RANGE_PARTIAL);
  g_assert_cmpuint(start, ==, 90);
  g_assert_cmpuint(len, ==, 10);
  g_assert_cmpint(pt_range_parse("bytes=-30", 100, &start, &len), ==, PT_RANGE_PARTIAL);
  g_assert_cmpuint(start, ==, 70);
  g_assert_cmpuint(len, ==, 30);
  g_assert_cmpint(pt_range_parse("bytes=-300", 100, &start, &len), ==, PT_RANGE_PARTIAL);
  g_assert_cmpuint(start, ==, 0);
  g_assert_cmpuint(len, ==, 100);
  g_assert_cmpint(pt_range_parse("bytes=50-5000", 100, &start, &len), ==, PT_RANGE_PARTIAL);
  g_assert_cmpuint(len, ==, 50);
  g_assert_cmpint(pt_range_parse("bytes=100-", 100, &start, &len), ==, PT_RANGE_UNSATISFIABLE);
  g_assert_cmpint(pt_range_parse("bytes=9-5", 100, &start, &len), ==, PT_RANGE_UNSATISFIABLE);
  g_assert_cmpint(pt_range_parse("bytes=-0", 100, &start, &len), ==, PT_RANGE_UNSATISFIABLE);
  g_assert_cmpint(pt_range_parse("bytes=0-0", 0, &start, &len), ==, PT_RANGE_UNSATISFIABLE);
  /* Not a single byte range: ignored (the whole body). */
  g_assert_cmpint(pt_range_parse("items=0-1", 100, &start, &len), ==, PT_RANGE_NONE);
  g_assert_cmpint(pt_range_parse("bytes=0-1,4-5", 100, &start, &len), ==, PT_RANGE_NONE);
  g_assert_cmpint(pt_range_parse("bytes=a-b", 100, &start, &len), ==, PT_RANGE_NONE);
  g_assert_cmpint(pt_range_parse("bytes=-", 100, &start, &len), ==, PT_RANGE_NONE);
  g_assert_cmpint(pt_range_parse("bytes=+1-2", 100, &start, &len), ==, PT_RANGE_NONE);
  g_assert_cmpint(pt_range_parse("bytes=99999999999999999999999-", 100, &start, &len), ==,
                  PT_RANGE_NONE);
  g_autofree char *cr = pt_range_content_range(10, 5, 100);
  g_assert_cmpstr(cr, ==, "bytes 10-14/100");
  g_autofree char *unsat = pt_range_content_range(0, 0, 100);
  g_assert_cmpstr(unsat, ==, "bytes */100");
}

/* Every entry in both languages; every business step and disposition of CBV the station
 * writes has words. */
static void
test_table(void)
{
  g_autoptr(json_t) t = table();
  const char *key;
  json_t *pair;
  json_object_foreach(t, key, pair)
  {
    g_assert_true(json_is_array(pair) && json_array_size(pair) == 2);
    for (int i = 0; i < 2; i++) {
      const char *s = json_string_value(json_array_get(pair, i));
      if (!s || !*s)
        g_error("%s: no %s text", key, i ? "Chinese" : "English");
    }
  }
  static const char *const needed[] = {"step:commissioning", "step:inspecting",
                                       "step:packing",       "step:holding",
                                       "step:loading",       "step:departing",
                                       "step:shipping",      "step:receiving",
                                       "step:picking",       "step:storing",
                                       "step:repackaging",   "step:unpacking",
                                       "disp:conformant",    "disp:non_conformant",
                                       "disp:active",        "disp:in_progress",
                                       "disp:recalled",      "disp:non_sellable_other",
                                       "disp:in_transit",    "status:active",
                                       "status:held",        "status:recalled",
                                       "class:Extra",        "class:I",
                                       "class:II",           "class:out",
                                       "cls:Extra",          "cls:out",
                                       "country:CN",         NULL};
  for (guint i = 0; needed[i]; i++)
    if (!json_object_get(t, needed[i]))
      g_error("the translation table has no %s", needed[i]);
}

static char *
render(json_t *strings, const char *data_text, PtLang lang)
{
  g_autoptr(json_t) data = pt_json_parse(data_text, strlen(data_text), NULL);
  g_assert_nonnull(data);
  PtPublicConfig pub = {.coop_name = "Co-op <b>", .hotline = "+86 797 555 0100"};
  PtConsumerPage page = {.lang = lang,
                         .strings = strings,
                         .data = data,
                         .pub = &pub,
                         .station_name = "Shed",
                         .origin = "https://trace.example.coop",
                         .path = "/01/09506000134352/10/L1",
                         .scans = 3,
                         .first_scan_ns = G_GINT64_CONSTANT(1795651200000000000)};
  return pt_consumer_page_render(&page, NULL);
}

static void
test_render(void)
{
  g_autoptr(json_t) t = table();
  const char *data =
      "{\"kind\":\"batch\",\"gtin\":\"09506000134352\",\"lot\":\"L1\",\"product\":"
      "\"<script>alert(1)</script>\",\"origin\":\"CN\",\"status\":\"recalled\",\"status_reason\":"
      "\"glass & stones\",\"status_since\":\"2026-12-01T10:00:00Z\",\"public_key\":\"ab\","
      "\"bundle\":\"/01/09506000134352/10/L1?linkType=pt:traceBundle\",\"grading\":"
      "{\"declared_class\":\"I\",\"disposition\":\"non_conformant\",\"n_fruit\":10,\"classes\":"
      "[{\"class\":\"II\",\"count\":3},{\"class\":\"Extra\",\"count\":6},{\"class\":\"I\","
      "\"count\":1}]},\"events\":[{\"n\":1,\"step\":\"commissioning\",\"time\":"
      "\"2026-11-20T00:00:00Z\",\"disposition\":\"active\"},{\"n\":2,\"step\":\"packing\","
      "\"time\":\"2026-11-25T09:00:00Z\",\"disposition\":\"in_progress\"},{\"n\":3,\"step\":"
      "\"receiving\",\"time\":\"2026-11-21T08:00:00+08:00\",\"disposition\":null}]}";
  g_autofree char *zh = render(t, data, PT_LANG_ZH);
  g_autofree char *en = render(t, data, PT_LANG_EN);
  /* What the records and the config say is text, never markup. */
  g_assert_null(strstr(en, "<script>alert"));
  g_assert_nonnull(strstr(en, "&lt;script&gt;alert(1)&lt;/script&gt;"));
  g_assert_null(strstr(en, "Co-op <b>"));
  g_assert_nonnull(strstr(en, "glass &amp; stones"));
  g_assert_nonnull(strstr(zh, "<html lang=\"zh-CN\">"));
  g_assert_nonnull(strstr(en, "<html lang=\"en\">"));
  /* Words, not codes; the grade's shares best class first. */
  g_assert_nonnull(strstr(zh, "特级果占 60%，一级果占 10%，二级果占 30%"));
  g_assert_nonnull(strstr(en, "Extra class (top grade) 60%, Class I 10%, Class II 30%"));
  g_assert_nonnull(strstr(zh, "中国"));
  g_assert_null(strstr(zh, ">CN<"));
  g_assert_null(strstr(en, "non_conformant<"));
  g_assert_nonnull(strstr(en, "not food safety"));
  /* The story by event time: receiving (2026-11-21) before packing (2026-11-25). */
  const char *received = strstr(en, ">Received<"), *packed = strstr(en, ">Packed<");
  g_assert_true(received && packed && received < packed);
  /* The recall banner: reason, date, what to do, the hotline. */
  g_assert_nonnull(strstr(zh, "此批次已被召回"));
  g_assert_nonnull(strstr(en, "Recalled on 1 Dec 2026"));
  g_assert_nonnull(strstr(en, "Return it to where you bought it"));
  g_assert_nonnull(strstr(en, "href=\"tel:+86-797-555-0100\""));
  g_assert_nonnull(strstr(zh, "您是第 3 次查询此码"));
  /* The embedded facts for the script: no early end of their element. */
  g_assert_null(strstr(en, "</script>alert"));
}

/* Writes @text as [public] of a station.ini and loads it. */
static PtPublicConfig *
load(const char *text, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autofree char *ini = g_strconcat("[public]\n", text, NULL);
  g_assert_true(g_key_file_load_from_data(kf, ini, -1, G_KEY_FILE_NONE, NULL));
  return pt_public_config_load(kf, "station.ini", error);
}

static void
test_public_config(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPublicConfig) ok =
      load("coop_name=A\ncoop_name_zh=甲\nhotline=+86 (797) 555-0100\n", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(pt_public_config_text(ok, "coop_name", TRUE), ==, "甲");
  g_assert_cmpstr(pt_public_config_text(ok, "coop_name", FALSE), ==, "A");
  g_assert_null(pt_public_config_text(ok, "town", TRUE));
  static const char *const bad[][2] = {
      {"hotlne=1\n", "unknown key hotlne"},
      {"hotline=call us\n", "must be a phone number"},
      {"hotline=12\n", "must be a phone number"},
      {"coop_logo=/nonexistent/logo.png\n", "coop_logo"},
      {"coop_logo=/etc/hostname\n", "not a PNG, JPEG or SVG"},
  };
  for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_clear_error(&error);
    g_assert_null(load(bad[i][0], &error));
    g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
    if (!strstr(error->message, bad[i][1]) || !strstr(error->message, "station.ini: [public]"))
      g_error("%s: %s", bad[i][0], error->message);
  }
  g_autofree char *long_name = g_strnfill(300, 'x');
  g_autofree char *line = g_strdup_printf("coop_name=%s\n", long_name);
  g_clear_error(&error);
  g_assert_null(load(line, &error));
  g_assert_nonnull(strstr(error->message, "at most"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/consumer-page/lang", test_lang);
  g_test_add_func("/consumer-page/range", test_range);
  g_test_add_func("/consumer-page/table", test_table);
  g_test_add_func("/consumer-page/render", test_render);
  g_test_add_func("/consumer-page/public-config", test_public_config);
  return g_test_run();
}
