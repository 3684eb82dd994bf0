/* test-text-cache.c: a worker's batch answers by revision (pt-text-cache.h): only the exact
 * revision is served and a stale entry leaves at its lookup; the bounds in entries and bytes
 * hold, least recently used out first; a text over the byte bound is not kept. */
#include "pt-text-cache.h"

#include <string.h>

static GBytes *
text_of(gsize n, char fill)
{
  char *data = g_malloc(n);
  memset(data, fill, n);
  return g_bytes_new_take(data, n);
}

static void
put(PtTextCache *cache, const char *key, gint64 rev, gsize n)
{
  g_autoptr(GBytes) t = text_of(n, 'a');
  pt_text_cache_put(cache, key, rev, t);
}

static void
test_exact_revision(void)
{
  g_autoptr(PtTextCache) cache = pt_text_cache_new(4, 1 << 20);
  g_assert_null(pt_text_cache_get(cache, "1/0", 3));
  g_autoptr(GBytes) t = text_of(10, 'x');
  pt_text_cache_put(cache, "1/0", 3, t);
  g_autoptr(GBytes) hit = pt_text_cache_get(cache, "1/0", 3);
  g_assert_nonnull(hit);
  g_assert_true(g_bytes_equal(hit, t));
  /* Another revision: not served, and the stale entry is gone. */
  g_assert_null(pt_text_cache_get(cache, "1/0", 4));
  g_assert_cmpuint(pt_text_cache_entries(cache), ==, 0);
  g_assert_cmpuint(pt_text_cache_bytes(cache), ==, 0);
  g_assert_null(pt_text_cache_get(cache, "1/0", 3));
}

static void
test_bounds(void)
{
  g_autoptr(PtTextCache) cache = pt_text_cache_new(3, 1000);
  put(cache, "a", 1, 100);
  put(cache, "b", 1, 100);
  put(cache, "c", 1, 100);
  /* "a" used last: "b" is the least recently used when a fourth comes. */
  g_autoptr(GBytes) a = pt_text_cache_get(cache, "a", 1);
  g_assert_nonnull(a);
  put(cache, "d", 1, 100);
  g_assert_cmpuint(pt_text_cache_entries(cache), ==, 3);
  g_autoptr(GBytes) b = pt_text_cache_get(cache, "b", 1);
  g_assert_null(b);
  /* Bytes: a text of 700 pushes out what no longer fits, oldest first. */
  put(cache, "e", 1, 700);
  g_assert_cmpuint(pt_text_cache_bytes(cache), <=, 1000);
  g_autoptr(GBytes) e = pt_text_cache_get(cache, "e", 1);
  g_assert_nonnull(e);
  /* Over the bound alone: not kept, and an older entry of that key leaves too. */
  put(cache, "e", 2, 2000);
  g_autoptr(GBytes) e2 = pt_text_cache_get(cache, "e", 2);
  g_assert_null(e2);
  g_autoptr(GBytes) e1 = pt_text_cache_get(cache, "e", 1);
  g_assert_null(e1);
  /* Many keys: the bounds hold throughout. */
  for (int i = 0; i < 1000; i++) {
    g_autofree char *key = g_strdup_printf("k%d", i);
    put(cache, key, i, 1 + (gsize)(i % 300));
    g_assert_cmpuint(pt_text_cache_entries(cache), <=, 3);
    g_assert_cmpuint(pt_text_cache_bytes(cache), <=, 1000);
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/text-cache/exact-revision", test_exact_revision);
  g_test_add_func("/text-cache/bounds", test_bounds);
  return g_test_run();
}
