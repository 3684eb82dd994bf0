/* pt-sd-notify.h: the systemd notification protocol (sd_notify(3)) for `packtrace run` under
 * a Type=notify unit: READY=1 once the station serves, WATCHDOG=1 while its main loop turns,
 * STOPPING=1 on the way out.  Outside systemd ($NOTIFY_SOCKET unset) every call does nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Sends @state (e.g. "READY=1\nSTATUS=listening on ...") to $NOTIFY_SOCKET, a datagram socket
 * given by path or, with a leading '@', in the abstract namespace.  Returns FALSE only when
 * the socket is set and the message could not be sent. */
gboolean pt_sd_notify(const char *state);

/* The watchdog interval systemd asks for ($WATCHDOG_USEC, for this process per
 * $WATCHDOG_PID), in microseconds; 0 when there is none. */
guint64 pt_sd_watchdog_usec(void);

G_END_DECLS
