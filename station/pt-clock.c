/* pt-clock.c: the kernel's clock synchronisation status through ntp_adjtime(3) with no mode
 * bits set, which only reads.  Cheap (one system call): the dashboard asks on every refresh. */
#include "pt-clock.h"

#include <sys/timex.h>

void
pt_clock_status(PtClockStatus *out)
{
  struct timex tx = {0};
  int state = ntp_adjtime(&tx);
  out->known = state >= 0;
  out->synchronised = state >= 0 && state != TIME_ERROR && !(tx.status & STA_UNSYNC);
  out->max_error_s = state >= 0 ? (double)tx.maxerror / 1e6 : 0.0;
}

char *
pt_clock_alert(const PtClockStatus *status)
{
  if (!status->known)
    return g_strdup("the system clock's synchronisation cannot be read; signed times may be "
                    "wrong");
  if (!status->synchronised)
    return g_strdup("the system clock is not synchronised by a time service (systemd-timesyncd "
                    "or chrony): signed times may be wrong");
  return NULL;
}
