/* test-print.c: ZPL jobs sent to a loopback "printer" on 127.0.0.1 (a thread in this
 * test): a good printer gets a well-formed job with the right QR and barcode data; a
 * printer that refuses, never answers the SYN, accepts and hangs, or closes mid-job
 * gives the right error within the timeout. */
#include <gio/gio.h>
#include <sys/socket.h>
#include <string.h>

#include "labels-test-util.h"
#include "pt-labels-limits.h"
#include "pt-print.h"

typedef enum {
  RECV_ALL,   /* read until EOF, then close */
  RECV_HANG,  /* accept, read nothing, keep the connection until the test ends */
  RECV_CLOSE, /* read 256 bytes, then close */
} RecvMode;

typedef struct {
  GSocket *listener;
  RecvMode mode;
  GByteArray *got;
  GMutex lock;
  GCond cond;
  gboolean done;
  GThread *thread;
  char *dest;
} Printer;

static gpointer
printer_thread(gpointer data)
{
  Printer *p = data;
  g_autoptr(GSocket) conn = g_socket_accept(p->listener, NULL, NULL);
  if (!conn)
    return NULL;
  g_socket_set_timeout(conn, 10);
  char buf[4096];
  if (p->mode == RECV_ALL) {
    for (;;) {
      gssize n = g_socket_receive(conn, buf, sizeof buf, NULL, NULL);
      if (n <= 0 || p->got->len > 8 * 1024 * 1024)
        break;
      g_byte_array_append(p->got, (guint8 *)buf, (guint)n);
    }
  } else if (p->mode == RECV_CLOSE) {
    gssize n = g_socket_receive(conn, buf, 256, NULL, NULL);
    if (n > 0)
      g_byte_array_append(p->got, (guint8 *)buf, (guint)n);
  } else {
    g_mutex_lock(&p->lock);
    gint64 end = g_get_monotonic_time() + 15 * G_TIME_SPAN_SECOND;
    while (!p->done)
      if (!g_cond_wait_until(&p->cond, &p->lock, end))
        break;
    g_mutex_unlock(&p->lock);
  }
  g_socket_close(conn, NULL);
  return NULL;
}

static Printer *
printer_start(RecvMode mode)
{
  Printer *p = g_new0(Printer, 1);
  p->mode = mode;
  p->got = g_byte_array_new();
  g_mutex_init(&p->lock);
  g_cond_init(&p->cond);
  p->listener =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  g_assert_true(g_socket_bind(p->listener, any, TRUE, NULL));
  /* A printer has little buffer; accepted sockets inherit this. */
  g_assert_true(g_socket_set_option(p->listener, SOL_SOCKET, SO_RCVBUF, 16 * 1024, NULL));
  g_assert_true(g_socket_listen(p->listener, NULL));
  g_socket_set_timeout(p->listener, 15);
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(p->listener, NULL);
  p->dest =
      g_strdup_printf("127.0.0.1:%u", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  p->thread = g_thread_new("printer", printer_thread, p);
  return p;
}

static void
printer_stop(Printer *p)
{
  g_mutex_lock(&p->lock);
  p->done = TRUE;
  g_cond_signal(&p->cond);
  g_mutex_unlock(&p->lock);
  if (p->thread)
    g_thread_join(p->thread);
  g_socket_close(p->listener, NULL);
  g_object_unref(p->listener);
  g_byte_array_unref(p->got);
  g_mutex_clear(&p->lock);
  g_cond_clear(&p->cond);
  g_free(p->dest);
  g_free(p);
}

static GBytes *
label_zpl(PtLabelTemplate t)
{
  g_autoptr(GError) error = NULL;
  GBytes *zpl = pt_label_render(&pt_test_content, t, PT_LABEL_ZPL, NULL, &error);
  g_assert_no_error(error);
  return zpl;
}

/* A job larger than any socket buffer, so a stalled reader blocks the writer. */
static GBytes *
big_job(void)
{
  GString *s = g_string_new("^XA\n");
  while (s->len < 3 * 1024 * 1024)
    g_string_append(s, "^FO10,10^A0N,30,18^FDfiller line for a large job^FS\n");
  g_string_append(s, "^XZ\n");
  return g_string_free_to_bytes(s);
}

static void
test_good_printer(void)
{
  g_auto(PtLabelCodes) codes = {0};
  g_assert_true(pt_label_codes(&pt_test_content, &codes, NULL));
  for (int t = PT_LABEL_CASE; t <= PT_LABEL_PALLET; t++) {
    Printer *p = printer_start(RECV_ALL);
    g_autoptr(GBytes) job = label_zpl(t);
    g_autoptr(GError) error = NULL;
    PtPrintOptions opt = {.connect_timeout_ms = 2000, .io_timeout_ms = 5000};
    g_assert_true(pt_print_send(p->dest, job, &opt, &error));
    g_assert_no_error(error);
    g_thread_join(g_steal_pointer(&p->thread));

    /* What the printer received is the whole job, one well-formed ^XA...^XZ. */
    g_autofree char *got = g_strndup((char *)p->got->data, p->got->len);
    g_assert_cmpuint(p->got->len, ==, g_bytes_get_size(job));
    g_assert_true(g_str_has_prefix(got, "^XA"));
    g_assert_true(g_str_has_suffix(got, "^XZ\n"));
    g_assert_null(strstr(got + 3, "^XA"));
    g_assert_cmpint(pt_test_zpl_graphic_dots(got), >=, 0);
    if (t == PT_LABEL_CASE) {
      g_autofree char *bc = pt_test_zpl_field(got, "^BC");
      g_assert_cmpstr(bc, ==, "(01)09506000134352(13)261125(10)ZG2611250007");
    } else {
      g_autofree char *qr = pt_test_zpl_field(got, "^BQ");
      g_autofree char *want =
          g_strdup_printf("MM,B%04zu%s", strlen(codes.digital_link), codes.digital_link);
      g_assert_cmpstr(qr, ==, want);
    }
    printer_stop(p);
  }
}

static void
test_refused(void)
{
  /* A port that was just bound and released: nothing listens there. */
  GSocket *s =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  g_assert_true(g_socket_bind(s, any, TRUE, NULL));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s, NULL);
  g_autofree char *dest =
      g_strdup_printf("127.0.0.1:%u", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  g_object_unref(s);

  g_autoptr(GBytes) job = label_zpl(PT_LABEL_CASE);
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time();
  g_assert_false(pt_print_send(dest, job, NULL, &error));
  g_test_message("%s", error->message);
  g_assert_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_CONNECT);
  g_assert_nonnull(strstr(error->message, "refused"));
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 2 * G_USEC_PER_SEC);
}

static void
test_bad_address(void)
{
  g_autoptr(GBytes) job = g_bytes_new_static("^XA^XZ", 6);
  g_autoptr(GError) error = NULL;
  g_assert_false(pt_print_send("127.0.0.1:70000", job, NULL, &error));
  g_assert_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_ADDRESS);
  g_clear_error(&error);
  g_autoptr(GBytes) huge = g_bytes_new_take(g_malloc0(PT_ZPL_JOB_MAX + 1), PT_ZPL_JOB_MAX + 1);
  g_assert_false(pt_print_send("127.0.0.1", huge, NULL, &error));
  g_assert_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_TOO_LARGE);
}

static void
test_no_answer(void)
{
  /* A listener whose accept queue is full: Linux drops further SYNs, so connect()
   * neither succeeds nor fails; the connect timeout must end it. */
  GSocket *l =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
  g_assert_true(g_socket_bind(l, any, TRUE, NULL));
  g_socket_set_listen_backlog(l, 0);
  g_assert_true(g_socket_listen(l, NULL));
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(l, NULL);
  g_autoptr(GPtrArray) fillers = g_ptr_array_new_with_free_func(g_object_unref);
  for (int i = 0; i < 4; i++) {
    GSocket *c =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
    g_socket_set_blocking(c, FALSE);
    g_socket_connect(c, bound, NULL, NULL);
    g_ptr_array_add(fillers, c);
  }
  g_usleep(200 * 1000);
  g_autofree char *dest =
      g_strdup_printf("127.0.0.1:%u", g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound)));
  g_autoptr(GBytes) job = label_zpl(PT_LABEL_CASE);
  g_autoptr(GError) error = NULL;
  PtPrintOptions opt = {.connect_timeout_ms = 400, .io_timeout_ms = 400};
  gint64 t0 = g_get_monotonic_time();
  gboolean ok = pt_print_send(dest, job, &opt, &error);
  gint64 elapsed = g_get_monotonic_time() - t0;
  g_test_message("%s after %" G_GINT64_FORMAT " ms", error ? error->message : "sent",
                 elapsed / 1000);
  g_assert_false(ok);
  /* Either the SYN was dropped (connect timeout) or the kernel completed it and
   * nobody reads or closes (confirm timeout); both within the timeouts. */
  g_assert_true(g_error_matches(error, PT_PRINT_ERROR, PT_PRINT_ERROR_CONNECT) ||
                g_error_matches(error, PT_PRINT_ERROR, PT_PRINT_ERROR_TIMEOUT));
  g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
  g_socket_close(l, NULL);
  g_object_unref(l);
}

static void
hang_case(GBytes *job, const char *message)
{
  Printer *p = printer_start(RECV_HANG);
  g_autoptr(GError) error = NULL;
  PtPrintOptions opt = {.connect_timeout_ms = 1000, .io_timeout_ms = 500};
  gint64 t0 = g_get_monotonic_time();
  g_assert_false(pt_print_send(p->dest, job, &opt, &error));
  gint64 elapsed = g_get_monotonic_time() - t0;
  g_test_message("%s after %" G_GINT64_FORMAT " ms", error->message, elapsed / 1000);
  g_assert_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_TIMEOUT);
  g_assert_nonnull(strstr(error->message, message));
  g_assert_cmpint(elapsed, >=, 450 * 1000);
  g_assert_cmpint(elapsed, <, 2 * G_USEC_PER_SEC);
  printer_stop(p);
}

static void
test_hang(void)
{
  /* A label fits in the socket buffers: only the missing close gives the hang away. */
  g_autoptr(GBytes) small = label_zpl(PT_LABEL_PALLET);
  hang_case(small, "did not finish");
  g_autoptr(GBytes) big = big_job();
  hang_case(big, "stopped taking data");
}

static void
close_case(GBytes *job)
{
  Printer *p = printer_start(RECV_CLOSE);
  g_autoptr(GError) error = NULL;
  PtPrintOptions opt = {.connect_timeout_ms = 1000, .io_timeout_ms = 2000};
  gint64 t0 = g_get_monotonic_time();
  g_assert_false(pt_print_send(p->dest, job, &opt, &error));
  g_test_message("%s", error->message);
  g_assert_error(error, PT_PRINT_ERROR, PT_PRINT_ERROR_CLOSED);
  g_assert_cmpint(g_get_monotonic_time() - t0, <, 3 * G_USEC_PER_SEC);
  g_assert_cmpuint(p->got->len, <=, 256);
  printer_stop(p);
}

static void
test_close_mid_job(void)
{
  g_autoptr(GBytes) small = label_zpl(PT_LABEL_PALLET);
  close_case(small);
  g_autoptr(GBytes) big = big_job();
  close_case(big);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/print/good-printer", test_good_printer);
  g_test_add_func("/print/refused", test_refused);
  g_test_add_func("/print/bad-address", test_bad_address);
  g_test_add_func("/print/no-answer", test_no_answer);
  g_test_add_func("/print/hang", test_hang);
  g_test_add_func("/print/close-mid-job", test_close_mid_job);
  return g_test_run();
}
