/* test-rate.c: the keyed token buckets behind the station's rate limits. */
#include "pt-rate.h"

#define S 1000000 /* microseconds per second */

static void
test_burst_then_refill(void)
{
  g_autoptr(PtRateLimit) limit = pt_rate_limit_new(2, 5, 16);
  gint64 t = 10 * (gint64)S;
  for (int i = 0; i < 5; i++)
    g_assert_true(pt_rate_limit_take(limit, "ip:a", t, NULL));
  guint retry = 0;
  g_assert_false(pt_rate_limit_take(limit, "ip:a", t, &retry));
  g_assert_cmpuint(retry, ==, 1);
  /* Other keys have their own bucket. */
  g_assert_true(pt_rate_limit_take(limit, "ip:b", t, NULL));
  /* 2 tokens a second: half a second later one is there, and only one. */
  g_assert_true(pt_rate_limit_take(limit, "ip:a", t + S / 2, NULL));
  g_assert_false(pt_rate_limit_take(limit, "ip:a", t + S / 2, NULL));
  /* A long idle time refills to the burst, never beyond it. */
  t += 3600 * (gint64)S;
  for (int i = 0; i < 5; i++)
    g_assert_true(pt_rate_limit_take(limit, "ip:a", t, NULL));
  g_assert_false(pt_rate_limit_take(limit, "ip:a", t, NULL));
}

static void
test_retry_after_rounds_up(void)
{
  g_autoptr(PtRateLimit) limit = pt_rate_limit_new(0.1, 1, 4); /* one every 10 s */
  g_assert_true(pt_rate_limit_take(limit, "login:x", 0, NULL));
  guint retry = 0;
  g_assert_false(pt_rate_limit_take(limit, "login:x", S, &retry));
  g_assert_cmpuint(retry, ==, 9);
}

/* A flood of new keys never grows the table past its bound, and a key that is being
 * limited right now is not the one forgotten to make room. */
static void
test_bounded_table(void)
{
  g_autoptr(PtRateLimit) limit = pt_rate_limit_new(1, 2, 8);
  g_assert_true(pt_rate_limit_take(limit, "busy", 0, NULL));
  g_assert_true(pt_rate_limit_take(limit, "busy", 0, NULL));
  g_assert_false(pt_rate_limit_take(limit, "busy", 0, NULL));
  for (int i = 0; i < 1000; i++) {
    char key[32];
    g_snprintf(key, sizeof key, "new:%d", i);
    /* Each new key takes a token at once, so its bucket is not refilled; the oldest idle
     * one goes, and "busy" keeps being touched so it is never the oldest. */
    g_assert_true(pt_rate_limit_take(limit, key, 1 + i, NULL));
    g_assert_false(pt_rate_limit_take(limit, "busy", 1 + i, NULL));
  }
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/rate/burst-then-refill", test_burst_then_refill);
  g_test_add_func("/rate/retry-after-rounds-up", test_retry_after_rounds_up);
  g_test_add_func("/rate/bounded-table", test_bounded_table);
  return g_test_run();
}
