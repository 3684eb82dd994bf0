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

/* A timeout on the default main context that sends WATCHDOG=1 at a third of the
 * interval systemd asks for: pinged from the main loop itself, so a loop that stops turning is
 * what the watchdog catches.  Returns: the source id (g_source_remove() it), 0 without one. */
guint pt_sd_watchdog_add(void);

G_END_DECLS
