/* test-origin-map.c: the consumer page's origin map (trace/pt-origin-map.c) without a server:
 * the country found by the shed's coordinates (and none at sea), the drawing's parts, its
 * size within the page's budget, the place escaped, far parts of a country left out, the
 * consumer page with and without [station] location, and that setting read from station.ini
 * (a bad one refused with its key named). */
#include "pt-config.h"
#include "pt-consumer-page.h"
#include "pt-json.h"
#include "pt-origin-map.h"

#include <glib/gstdio.h>
#include <string.h>

/* Yantai, Shandong: apple country. */
#define YANTAI_LAT 37.46
#define YANTAI_LON 121.44

static void
test_country(void)
{
  g_assert_cmpstr(pt_origin_map_country(YANTAI_LAT, YANTAI_LON), ==, "CN");
  g_assert_cmpstr(pt_origin_map_country(23.70, 120.96), ==, "TW");
  g_assert_cmpstr(pt_origin_map_country(36.74, -119.79), ==, "US"); /* Fresno */
  g_assert_cmpstr(pt_origin_map_country(-33.45, -70.67), ==, "CL"); /* Santiago */
  g_assert_cmpstr(pt_origin_map_country(-34.42, 19.24), ==, "ZA");  /* Hermanus */
  g_assert_cmpstr(pt_origin_map_country(-41.27, 173.28), ==, "NZ"); /* Nelson */
  g_assert_cmpstr(pt_origin_map_country(37.98, -1.13), ==, "ES");   /* Murcia */
  g_assert_null(pt_origin_map_country(30.0, -40.0));                /* the Atlantic */
  g_assert_null(pt_origin_map_country(48.85, 2.35)); /* France: no outline, so no map */
  g_assert_null(pt_origin_map_svg(30.0, -40.0, "At sea"));
}

static void
test_svg(void)
{
  g_autofree char *svg = pt_origin_map_svg(YANTAI_LAT, YANTAI_LON, "Yantai <Shed> & Co");
  g_assert_nonnull(svg);
  g_assert_true(g_str_has_prefix(svg, "<svg class=\"origin-map\""));
  g_assert_true(g_str_has_suffix(svg, "</svg>"));
  g_assert_nonnull(strstr(svg, "role=\"img\" aria-label=\"Yantai &lt;Shed&gt; &amp; Co\""));
  g_assert_nonnull(strstr(svg, ">Yantai &lt;Shed&gt; &amp; Co</text>"));
  g_assert_nonnull(strstr(svg, "<path "));
  g_assert_nonnull(strstr(svg, "<circle "));
  g_assert_null(strstr(svg, "<Shed>"));
  /* Nothing from elsewhere: no link, no image, no script, no style attribute (the page's
   * CSP allows its one style sheet only). */
  g_assert_null(strstr(svg, "href"));
  g_assert_null(strstr(svg, "<script"));
  g_assert_null(strstr(svg, "style="));
  /* A few KB of the consumer page's 30 KB first view: China, the largest outline. */
  g_assert_cmpuint(strlen(svg), <, 3000);

  /* The dot inside the drawing: Yantai is in the north-east, on the coast. */
  long w = 0, h = 0, cx = 0, cy = 0;
  g_assert_cmpint(sscanf(strstr(svg, "viewBox="), "viewBox=\"0 0 %ld %ld\"", &w, &h), ==, 2);
  g_assert_cmpint(sscanf(strstr(svg, "<circle "), "<circle cx=\"%ld\" cy=\"%ld\"", &cx, &cy), ==,
                  2);
  g_assert_cmpint(w, ==, PT_ORIGIN_MAP_WIDTH);
  g_assert_cmpint(cx, >, w / 2);
  g_assert_cmpint(cx, <, w);
  g_assert_cmpint(cy, >, 0);
  g_assert_cmpint(cy, <, h / 2);
}

/* A shed in California: the map is of the mainland, not one that spans Alaska and Hawaii (whose
 * drawing would put the mainland in a corner). */
static void
test_far_parts(void)
{
  g_autofree char *svg = pt_origin_map_svg(36.74, -119.79, "Fresno");
  g_assert_nonnull(svg);
  long w = 0, h = 0, cx = 0;
  g_assert_cmpint(sscanf(strstr(svg, "viewBox="), "viewBox=\"0 0 %ld %ld\"", &w, &h), ==, 2);
  g_assert_cmpint(sscanf(strstr(svg, "<circle "), "<circle cx=\"%ld\"", &cx), ==, 1);
  /* The mainland is wider than tall: with Alaska the drawing would be nearly square. */
  g_assert_cmpint(h, <, w * 3 / 4 + 22);
  /* California is on the west side of the mainland. */
  g_assert_cmpint(cx, <, w / 3);
  /* Chile, tall and thin, stays within the height allowed. */
  g_autofree char *chile = pt_origin_map_svg(-33.45, -70.67, "Santiago");
  g_assert_nonnull(chile);
  g_assert_cmpint(sscanf(strstr(chile, "viewBox="), "viewBox=\"0 0 %ld %ld\"", &w, &h), ==, 2);
  g_assert_cmpint(h, <=, 150 + 22);
}

static json_t *
table(void)
{
  g_autofree char *path = g_build_filename(SOURCE_ROOT, "web-ui", "i18n.json", NULL);
  g_autofree char *text = NULL;
  gsize len = 0;
  g_assert_true(g_file_get_contents(path, &text, &len, NULL));
  json_t *t = pt_json_parse(text, len, NULL);
  g_assert_nonnull(t);
  return t;
}

/* The page draws the map under its facts when the station has a location, and none without. */
static void
test_page(void)
{
  g_autoptr(json_t) strings = table();
  const char *text =
      "{\"kind\":\"batch\",\"gtin\":\"09506000134352\",\"lot\":\"L1\",\"product\":\"Apples\","
      "\"origin\":\"CN\",\"pack_date\":\"2026-10-12\",\"status\":\"active\",\"grading\":null,"
      "\"events\":[],\"public_key\":\"00\",\"bundle\":\"/b\"}";
  g_autoptr(json_t) data = pt_json_parse(text, strlen(text), NULL);
  g_assert_nonnull(data);
  PtPublicConfig pub = {.coop_name = "Co-op", .town = "Qixia", .town_zh = "栖霞"};
  PtConsumerPage page = {.lang = PT_LANG_ZH,
                         .strings = strings,
                         .data = data,
                         .pub = &pub,
                         .station_name = "Shed",
                         .origin = "https://trace.example.coop",
                         .path = "/01/09506000134352/10/L1",
                         .has_location = TRUE,
                         .latitude = YANTAI_LAT,
                         .longitude = YANTAI_LON};
  g_autofree char *zh = pt_consumer_page_render(&page, NULL);
  g_assert_nonnull(strstr(zh, "<svg class=\"origin-map\""));
  g_assert_nonnull(strstr(zh, ">栖霞</text>"));
  /* After the facts, inside the page's main landmark. */
  g_assert_true(strstr(zh, "<svg class=\"origin-map\"") > strstr(zh, "</dl>"));
  g_assert_true(strstr(zh, "<svg class=\"origin-map\"") < strstr(zh, "</main>"));
  page.lang = PT_LANG_EN;
  g_autofree char *en = pt_consumer_page_render(&page, NULL);
  g_assert_nonnull(strstr(en, ">Qixia</text>"));
  page.has_location = FALSE;
  g_autofree char *none = pt_consumer_page_render(&page, NULL);
  g_assert_null(strstr(none, "origin-map\""));
}

static PtConfig *
load_with(const char *location, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp("pt-origin-XXXXXX", NULL);
  g_autofree char *path = g_build_filename(dir, "station.ini", NULL);
  g_autofree char *ini = pt_config_template("0123456789abcdef", "operator-token-0123456789");
  g_autoptr(GString) text = g_string_new(ini);
  if (location)
    g_string_replace(text, "\nlocation=\n", location, 1);
  g_assert_true(g_file_set_contents(path, text->str, -1, NULL));
  PtConfig *config = pt_config_load(path, error);
  g_unlink(path);
  g_rmdir(dir);
  return config;
}

static void
test_config(void)
{
  g_autoptr(GError) error = NULL;
  PtConfig *c = load_with(NULL, &error);
  g_assert_no_error(error);
  g_assert_false(c->has_location);
  pt_config_free(c);
  c = load_with("\nlocation = 37.46, 121.44\n", &error);
  g_assert_no_error(error);
  g_assert_true(c->has_location);
  g_assert_cmpfloat_with_epsilon(c->latitude, 37.46, 1e-9);
  g_assert_cmpfloat_with_epsilon(c->longitude, 121.44, 1e-9);
  pt_config_free(c);
  static const char *const bad[] = {"\nlocation=37.46\n",      "\nlocation=91,10\n",
                                    "\nlocation=10,181\n",     "\nlocation=1,2,3\n",
                                    "\nlocation=north,east\n", "\nlocation=37.46x,121\n",
                                    "\nlocation=nan,121\n",    "\nlocation=37.46,\n"};
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_clear_error(&error);
    g_assert_null(load_with(bad[i], &error));
    g_assert_nonnull(error);
    g_assert_nonnull(strstr(error->message, "[station] location"));
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/origin-map/country", test_country);
  g_test_add_func("/origin-map/svg", test_svg);
  g_test_add_func("/origin-map/far-parts", test_far_parts);
  g_test_add_func("/origin-map/page", test_page);
  g_test_add_func("/origin-map/config", test_config);
  return g_test_run();
}
