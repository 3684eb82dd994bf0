/* test-web-cache.c: the LRU of consumer pages' facts and answers (pt-web-cache.h): only the exact
 * revision is served, the bounds in entries and bytes hold with many batches, the least
 * recently used go first; a rendered page is served again only for its language and the view
 * count it shows, and goes with its entry. */
#include "pt-web-cache.h"

#include <string.h>

/* A response with @n bytes of body, as pt-web.c makes them. */
static struct MHD_Response *
response(gsize n)
{
  return MHD_create_response_from_buffer(n, g_malloc0(n), MHD_RESPMEM_MUST_FREE);
}

static void
put(PtWebCache *cache, const char *lot, gint64 id, gint64 rev, gsize half)
{
  pt_web_cache_put(cache, lot, id, rev, json_pack("{sI}", "id", (json_int_t)id), response(half),
                   2 * half);
}

static void
test_exact_revision(void)
{
  g_autoptr(PtWebCache) cache = pt_web_cache_new(4, 1 << 20);
  json_t *data = NULL;
  struct MHD_Response *json = NULL;
  g_assert_false(pt_web_cache_get(cache, "L1", 1, 0, &data, &json));
  put(cache, "L1", 1, 3, 100);
  g_assert_true(pt_web_cache_get(cache, "L1", 1, 3, &data, &json));
  g_assert_nonnull(data);
  g_assert_nonnull(json);
  g_assert_cmpint(json_integer_value(json_object_get(data, "id")), ==, 1);
  /* A newer revision, or the lot now naming another batch: a miss, and the old entry gone. */
  g_assert_false(pt_web_cache_get(cache, "L1", 1, 4, &data, &json));
  g_assert_cmpuint(pt_web_cache_entries(cache), ==, 0);
  g_assert_cmpuint(pt_web_cache_bytes(cache), ==, 0);
  put(cache, "L1", 1, 4, 100);
  g_assert_false(pt_web_cache_get(cache, "L1", 2, 4, &data, &json));
  /* A put replaces the lot's entry. */
  put(cache, "L1", 1, 5, 100);
  put(cache, "L1", 1, 6, 50);
  g_assert_cmpuint(pt_web_cache_entries(cache), ==, 1);
  g_assert_cmpuint(pt_web_cache_bytes(cache), ==, 100);
  g_assert_false(pt_web_cache_get(cache, "L1", 1, 5, &data, &json));
  put(cache, "L1", 1, 6, 50);
  g_assert_true(pt_web_cache_get(cache, "L1", 1, 6, &data, &json));
}

static void
test_bounds(void)
{
  /* Many batches through a cache of 16 entries and 16 KiB: never over either bound. */
  g_autoptr(PtWebCache) cache = pt_web_cache_new(16, 16 * 1024);
  for (int i = 0; i < 2000; i++) {
    g_autofree char *lot = g_strdup_printf("LOT%d", i);
    put(cache, lot, i, 1, (gsize)(100 + (i * 37) % 900));
    g_assert_cmpuint(pt_web_cache_entries(cache), <=, 16);
    g_assert_cmpuint(pt_web_cache_bytes(cache), <=, 16 * 1024);
  }
  json_t *data;
  struct MHD_Response *json;
  g_assert_true(pt_web_cache_get(cache, "LOT1999", 1999, 1, &data, &json));
  g_assert_false(pt_web_cache_get(cache, "LOT0", 0, 1, &data, &json));
  /* The byte bound evicts too: big entries leave fewer in the cache. */
  for (int i = 0; i < 10; i++) {
    g_autofree char *lot = g_strdup_printf("BIG%d", i);
    put(cache, lot, 10000 + i, 1, 3000);
  }
  g_assert_cmpuint(pt_web_cache_entries(cache), ==, 2);
  g_assert_cmpuint(pt_web_cache_bytes(cache), ==, 12000);
  /* An entry over the byte bound is not kept, and evicts nothing. */
  put(cache, "HUGE", 1, 1, 9000);
  g_assert_cmpuint(pt_web_cache_entries(cache), ==, 2);
  g_assert_false(pt_web_cache_get(cache, "HUGE", 1, 1, &data, &json));
}

static void
test_lru_order(void)
{
  g_autoptr(PtWebCache) cache = pt_web_cache_new(3, 1 << 20);
  put(cache, "A", 1, 1, 10);
  put(cache, "B", 2, 1, 10);
  put(cache, "C", 3, 1, 10);
  json_t *data;
  struct MHD_Response *json;
  /* A used: B is now the least recently used, and goes first. */
  g_assert_true(pt_web_cache_get(cache, "A", 1, 1, &data, &json));
  put(cache, "D", 4, 1, 10);
  g_assert_false(pt_web_cache_get(cache, "B", 2, 1, &data, &json));
  g_assert_true(pt_web_cache_get(cache, "A", 1, 1, &data, &json));
  g_assert_true(pt_web_cache_get(cache, "C", 3, 1, &data, &json));
  g_assert_true(pt_web_cache_get(cache, "D", 4, 1, &data, &json));
}

static void
test_rendered_html(void)
{
  g_autoptr(PtWebCache) cache = pt_web_cache_new(4, 1000);
  json_t *data = NULL;
  struct MHD_Response *json = NULL;
  gsize len = 0;
  /* No entry for the lot: the page is not kept. */
  pt_web_cache_set_html(cache, "L1", 0, 3, 77, g_strdup("<p>lost</p>"), 11);
  g_assert_cmpuint(pt_web_cache_bytes(cache), ==, 0);
  put(cache, "L1", 1, 3, 100);
  pt_web_cache_set_html(cache, "L1", 0, 3, 77, g_strdup("<p>en 3</p>"), 10);
  pt_web_cache_set_html(cache, "L1", 1, 3, 77, g_strdup("<p>zh 3</p>"), 10);
  g_assert_cmpuint(pt_web_cache_bytes(cache), ==, 220);
  const char *html = pt_web_cache_html(cache, "L1", 0, 3, 77, &len);
  g_assert_cmpstr(html, ==, "<p>en 3</p>");
  g_assert_cmpuint(len, ==, 10);
  g_assert_cmpstr(pt_web_cache_html(cache, "L1", 1, 3, 77, &len), ==, "<p>zh 3</p>");
  /* Another view count, another first view, a language out of range: not this page. */
  g_assert_null(pt_web_cache_html(cache, "L1", 0, 4, 77, &len));
  g_assert_null(pt_web_cache_html(cache, "L1", 0, 3, 78, &len));
  g_assert_null(pt_web_cache_html(cache, "L1", 2, 3, 77, &len));
  /* A new count replaces the page, and the bytes follow. */
  pt_web_cache_set_html(cache, "L1", 0, 4, 77, g_strdup("<p>en 4!</p>"), 11);
  g_assert_cmpuint(pt_web_cache_bytes(cache), ==, 221);
  g_assert_null(pt_web_cache_html(cache, "L1", 0, 3, 77, &len));
  g_assert_cmpstr(pt_web_cache_html(cache, "L1", 0, 4, 77, &len), ==, "<p>en 4!</p>");
  /* A page over the bytes bound is not kept, and the one before stays. */
  pt_web_cache_set_html(cache, "L1", 0, 5, 77, g_malloc0(900), 900);
  g_assert_cmpstr(pt_web_cache_html(cache, "L1", 0, 4, 77, &len), ==, "<p>en 4!</p>");
  /* A new revision drops the entry and its pages. */
  g_assert_false(pt_web_cache_get(cache, "L1", 1, 4, &data, &json));
  g_assert_null(pt_web_cache_html(cache, "L1", 1, 3, 77, &len));
  g_assert_cmpuint(pt_web_cache_bytes(cache), ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/web-cache/exact-revision", test_exact_revision);
  g_test_add_func("/web-cache/bounds", test_bounds);
  g_test_add_func("/web-cache/lru-order", test_lru_order);
  g_test_add_func("/web-cache/rendered-html", test_rendered_html);
  return g_test_run();
}
