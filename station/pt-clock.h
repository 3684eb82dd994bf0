/* pt-clock.h: whether the station's clock can be trusted.  Signed times are only as good as
 * the clock: the kernel knows whether a time service (systemd-timesyncd, chrony, ntpd) keeps
 * it synchronised (adjtimex(2): STA_UNSYNC, the maximum error).  `run` checks at start and
 * hourly and says so in its log; the dashboard shows an alert and /metrics a gauge. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gboolean known;        /* FALSE when the kernel would not say (adjtimex failed) */
  gboolean synchronised; /* a time service disciplines the clock */
  double max_error_s;    /* the kernel's bound on the clock's error, seconds */
} PtClockStatus;

/* Reads the kernel's view (no privilege needed, nothing is changed). */
void pt_clock_status(PtClockStatus *out);

/* Returns: (transfer full): a sentence for the operator when the clock cannot be trusted,
 * else NULL. */
char *pt_clock_alert(const PtClockStatus *status);

G_END_DECLS
