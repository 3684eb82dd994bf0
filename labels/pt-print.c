/* pt-print.c: raw TCP printing with deadlines.  One job per call, a few KB to a few
 * hundred KB; non-blocking GSocket + timed waits give millisecond timeouts for the
 * connect, each write, and the final close. */
#include "pt-print.h"

#include <gio/gio.h>
#include <sys/socket.h>

#include "pt-labels-limits.h"

G_DEFINE_QUARK(packtrace_print_error, pt_print_error)

static gint64
ms_to_us(guint ms)
{
  return (gint64)ms * 1000;
}

/* Connects to one address before @deadline (monotonic us).  Returns: (transfer full). */
static GSocket *
connect_one(GSocketAddress *addr, gint64 deadline, GError **error)
{
  g_autoptr(GSocket) sock = g_socket_new(g_socket_address_get_family(addr), G_SOCKET_TYPE_STREAM,
                                         G_SOCKET_PROTOCOL_TCP, error);
  if (!sock)
    return NULL;
  g_socket_set_blocking(sock, FALSE);
  if (!g_socket_set_option(sock, SOL_SOCKET, SO_SNDBUF, PT_PRINT_SNDBUF, error))
    return NULL;
  GError *inner = NULL;
  if (!g_socket_connect(sock, addr, NULL, &inner)) {
    if (!g_error_matches(inner, G_IO_ERROR, G_IO_ERROR_PENDING)) {
      g_propagate_error(error, inner);
      return NULL;
    }
    g_clear_error(&inner);
    gint64 left = MAX(deadline - g_get_monotonic_time(), 0);
    if (!g_socket_condition_timed_wait(sock, G_IO_OUT, left, NULL, error))
      return NULL;
    if (!g_socket_check_connect_result(sock, error))
      return NULL;
  }
  return g_steal_pointer(&sock);
}

static gboolean
send_all(GSocket *sock, const char *dest, const guint8 *data, gsize len, guint io_ms,
         GError **error)
{
  gsize off = 0;
  while (off < len) {
    GError *inner = NULL;
    gssize n = g_socket_send(sock, (const char *)data + off, len - off, NULL, &inner);
    if (n >= 0) {
      off += (gsize)n;
      continue;
    }
    if (!g_error_matches(inner, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
      g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_CLOSED,
                  "printer %s closed the connection after %zu of %zu bytes: %s", dest, off, len,
                  inner->message);
      g_error_free(inner);
      return FALSE;
    }
    g_clear_error(&inner);
    if (!g_socket_condition_timed_wait(sock, G_IO_OUT, ms_to_us(io_ms), NULL, NULL)) {
      g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_TIMEOUT,
                  "printer %s stopped taking data for %u ms after %zu of %zu bytes", dest, io_ms,
                  off, len);
      return FALSE;
    }
  }
  return TRUE;
}

/* Half-closes and waits for the printer's close, reading (and dropping) what it
 * sends back. */
static gboolean
confirm(GSocket *sock, const char *dest, gsize len, guint io_ms, GError **error)
{
  GError *inner = NULL;
  if (!g_socket_shutdown(sock, FALSE, TRUE, &inner))
    goto out_closed;
  gsize n_reply = 0;
  for (;;) {
    if (!g_socket_condition_timed_wait(sock, G_IO_IN, ms_to_us(io_ms), NULL, NULL)) {
      g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_TIMEOUT,
                  "printer %s did not finish the %zu-byte job: still connected %u ms after the "
                  "last byte",
                  dest, len, io_ms);
      return FALSE;
    }
    char buf[512];
    gssize n = g_socket_receive(sock, buf, sizeof buf, NULL, &inner);
    if (n == 0)
      return TRUE;
    if (n < 0) {
      if (g_error_matches(inner, G_IO_ERROR, G_IO_ERROR_WOULD_BLOCK)) {
        g_clear_error(&inner);
        continue;
      }
      goto out_closed;
    }
    n_reply += (gsize)n;
    if (n_reply > PT_PRINT_REPLY_MAX) {
      g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_TIMEOUT,
                  "printer %s sent more than %d bytes back and did not close", dest,
                  PT_PRINT_REPLY_MAX);
      return FALSE;
    }
  }
out_closed:
  g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_CLOSED,
              "printer %s dropped the connection before taking the whole %zu-byte job: %s", dest,
              len, inner->message);
  g_error_free(inner);
  return FALSE;
}

gboolean
pt_print_send(const char *destination, GBytes *job, const PtPrintOptions *options, GError **error)
{
  static const PtPrintOptions defaults = {0};
  if (!options)
    options = &defaults;
  guint connect_ms =
      options->connect_timeout_ms ? options->connect_timeout_ms : PT_PRINT_CONNECT_TIMEOUT_MS;
  guint io_ms = options->io_timeout_ms ? options->io_timeout_ms : PT_PRINT_IO_TIMEOUT_MS;
  gsize len;
  const guint8 *data = g_bytes_get_data(job, &len);
  if (len > PT_ZPL_JOB_MAX) {
    g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_TOO_LARGE,
                "print job is too large: %zu bytes, at most %d", len, PT_ZPL_JOB_MAX);
    return FALSE;
  }

  GError *inner = NULL;
  g_autoptr(GSocketConnectable) addr =
      g_network_address_parse(destination, PT_PRINT_DEFAULT_PORT, &inner);
  if (!addr) {
    g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_ADDRESS, "printer address '%s': %s",
                destination, inner->message);
    g_error_free(inner);
    return FALSE;
  }
  g_autoptr(GSocketAddressEnumerator) addrs = g_socket_connectable_enumerate(addr);
  gint64 deadline = g_get_monotonic_time() + ms_to_us(connect_ms);
  g_autoptr(GSocket) sock = NULL;
  g_autoptr(GError) last = NULL;
  gboolean resolved = FALSE;
  while (!sock) {
    g_autoptr(GSocketAddress) a = g_socket_address_enumerator_next(addrs, NULL, &inner);
    if (!a)
      break;
    resolved = TRUE;
    g_clear_error(&last);
    sock = connect_one(a, deadline, &last);
  }
  if (!sock) {
    if (!resolved) {
      g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_ADDRESS, "printer address '%s': %s",
                  destination, inner ? inner->message : "no addresses");
    } else {
      gboolean timed_out = g_error_matches(last, G_IO_ERROR, G_IO_ERROR_TIMED_OUT);
      g_set_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_CONNECT, "cannot connect to printer %s: %s",
                  destination, timed_out ? "no answer within the connect timeout" : last->message);
    }
    g_clear_error(&inner);
    return FALSE;
  }
  g_clear_error(&inner);

  gboolean ok = send_all(sock, destination, data, len, io_ms, error) &&
                (options->no_confirm || confirm(sock, destination, len, io_ms, error));
  g_socket_close(sock, NULL);
  return ok;
}
