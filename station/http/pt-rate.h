/* pt-rate.h: per-key token buckets, for rate limits on logins, public pages and phones.
 *
 * A key ("ip:1.2.3.4", "driver:7") holds up to @burst tokens and gains @per_second of
 * them per second; each request takes one.  The table is bounded: when it holds
 * @max_keys keys, a new key first drops the keys whose buckets have refilled (nothing to
 * remember about them), then the one idle longest.  Safe to call from any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtRateLimit PtRateLimit;

/* Returns: (transfer full). */
PtRateLimit *pt_rate_limit_new(double per_second, double burst, guint max_keys);
void pt_rate_limit_free(PtRateLimit *limit);

/* Takes one token of @key at @now_us (g_get_monotonic_time()).  Returns TRUE when the
 * request may go ahead; FALSE when the bucket is empty, with *@retry_after_s (nullable)
 * set to the whole seconds until a token is there. */
gboolean pt_rate_limit_take(PtRateLimit *limit, const char *key, gint64 now_us,
                            guint *retry_after_s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtRateLimit, pt_rate_limit_free)

G_END_DECLS
