/* pt-sd-notify.c: sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET. */
#include "pt-sd-notify.h"

#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

gboolean
pt_sd_notify(const char *state)
{
  const char *path = g_getenv("NOTIFY_SOCKET");
  if (!path || !*path)
    return TRUE;
  struct sockaddr_un addr = {.sun_family = AF_UNIX};
  gsize len = strlen(path);
  if ((path[0] != '/' && path[0] != '@') || len >= sizeof addr.sun_path)
    return FALSE;
  memcpy(addr.sun_path, path, len);
  if (path[0] == '@')
    addr.sun_path[0] = '\0';
  int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0)
    return FALSE;
  socklen_t addr_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
  ssize_t sent;
  do
    sent = sendto(fd, state, strlen(state), MSG_NOSIGNAL, (struct sockaddr *)&addr, addr_len);
  while (sent < 0 && errno == EINTR);
  close(fd);
  return sent == (ssize_t)strlen(state);
}

/* The watchdog interval systemd asks for ($WATCHDOG_USEC, for this process per
 * $WATCHDOG_PID), in microseconds; 0 when there is none. */
static guint64
pt_sd_watchdog_usec(void)
{
  const char *usec = g_getenv("WATCHDOG_USEC");
  const char *pid = g_getenv("WATCHDOG_PID");
  guint64 value = 0;
  guint64 for_pid = 0;
  if (!usec || !g_ascii_string_to_unsigned(usec, 10, 1, G_MAXUINT64, &value, NULL))
    return 0;
  if (pid && (!g_ascii_string_to_unsigned(pid, 10, 1, G_MAXINT32, &for_pid, NULL) ||
              for_pid != (guint64)getpid()))
    return 0;
  return value;
}

static gboolean
on_watchdog(gpointer user_data)
{
  pt_sd_notify("WATCHDOG=1");
  return G_SOURCE_CONTINUE;
}

guint
pt_sd_watchdog_add(void)
{
  guint64 usec = pt_sd_watchdog_usec();

  return usec ? g_timeout_add((guint)MAX(usec / 3000, 1), on_watchdog, NULL) : 0;
}
