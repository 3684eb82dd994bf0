/* shed-world.c: the world around the station on the shed day (test-shed.sh), on
 * loopback, in one process driven by one-line commands on stdin:
 *
 *   - a sales platform taking EPCIS captures (tests/sync/sync-receiver.c) that answers
 *     5xx to a seeded fraction of captures, and can go down, come up, or flap;
 *   - a label printer on raw TCP (port 9100 style) that keeps every job it is sent and
 *     takes PRINT_MS to "print" before it closes the connection, so a station killed
 *     mid-print leaves a job on paper the station never saw finish; it can be switched off
 *     (connections refused);
 *   - an RTSP camera (gst-rtsp-server) that can be restarted.
 *
 *   shed-world SEED DIR
 *
 * Also `shed-world probe`: decodes every segment named on stdin ("ID<TAB>START_NS<TAB>PATH"
 * lines) with the station's own probe (pt_segment_probe, every frame decoded, nothing
 * repaired) and prints "ID<TAB>VERDICT<TAB>FRAMES DECODED<TAB>REASON" for each; one process
 * for the lot, so the day's hundreds of segments cost no pipeline-launch start-up each.
 *
 * On stdout: "rx PORT", "printer PORT", "camera RTSP-URL", then "ready".  Commands:
 *   rx down | rx up | rx flap MS (down and up every 400 ms for MS) | rx errors PERCENT
 *   printer off | printer on | rtsp stop | rtsp start | dump | quit
 * Every command is answered "ok N" (N counts commands) once done.  DIR/prints.tsv gets one
 * line per job the printer completed ("N<TAB>SHA256<TAB>BYTES<TAB>REAL_US"; the job's bytes in
 * DIR/print-N.zpl); `dump` writes DIR/rx.tsv, one line per capture event the platform
 * accepted, redeliveries included ("EVENTID<TAB>LOT<TAB>REAL_US"), and DIR/rx-status.tsv
 * ("STATUS<TAB>COUNT" for the answers it gave). */
#include "pt-test-util.h"
#include "sync-receiver.h"

#include <gio/gio.h>
#include <glib-unix.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PRINT_MS       600
#define FLAP_PERIOD_MS 400
#define PRINT_JOB_MAX  (4 * 1024 * 1024)

#define RTSP_LAUNCH                                                                                \
  "( videotestsrc is-live=true pattern=ball ! "                                                    \
  "video/x-raw,format=I420,width=320,height=240,framerate=10/1 ! "                                 \
  "x264enc speed-preset=ultrafast tune=zerolatency key-int-max=10 ! "                              \
  "rtph264pay name=pay0 pt=96 config-interval=1 )"

typedef struct {
  char *dir;
  GMainLoop *loop;
  Receiver *rx;
  gboolean rx_up;
  GMutex lock; /* error_percent, rand, n_prints, prints file */
  int error_percent;
  GRand *rand;
  GSocketService *printer;
  guint16 printer_port;
  guint n_prints;
  FILE *prints;
  PtTestRtsp rtsp;
  gboolean rtsp_up;
  guint flap_source;
  gint64 flap_until_us;
  guint n_commands;
  GString *line;
} World;

/* Captures only: job polls and the OPTIONS probe always answer, so a 5xx means the
 * platform refused the document and the station must send it again. */
static void
decide(Receiver *rx, const RxRequest *req, RxAnswer *ans, gpointer data)
{
  World *w = data;
  if (strcmp(req->method, "POST") != 0)
    return;
  g_mutex_lock(&w->lock);
  if ((int)g_rand_int_range(w->rand, 0, 100) < w->error_percent)
    ans->status = g_rand_boolean(w->rand) ? 500 : 503;
  g_mutex_unlock(&w->lock);
}

static void
rx_set_up(World *w, gboolean up)
{
  if (up && !w->rx_up)
    rx_start(w->rx);
  else if (!up && w->rx_up)
    rx_stop(w->rx);
  w->rx_up = up;
}

static gboolean
on_flap(gpointer data)
{
  World *w = data;
  if (g_get_monotonic_time() >= w->flap_until_us) {
    rx_set_up(w, TRUE);
    w->flap_source = 0;
    return G_SOURCE_REMOVE;
  }
  rx_set_up(w, !w->rx_up);
  return G_SOURCE_CONTINUE;
}

/* One job per connection: everything up to the station's half-close, then the time the
 * printer takes, then the close that tells the station the job is done.  A job cut off
 * before its ^XZ is not printed (a ZPL printer prints a format only when it ends). */
static gboolean
on_print_job(GThreadedSocketService *service, GSocketConnection *conn, GObject *source,
             gpointer data)
{
  World *w = data;
  GInputStream *in = g_io_stream_get_input_stream(G_IO_STREAM(conn));
  g_autoptr(GByteArray) job = g_byte_array_new();
  guint8 buf[8192];
  gssize n;

  while ((n = g_input_stream_read(in, buf, sizeof buf, NULL, NULL)) > 0 && job->len < PRINT_JOB_MAX)
    g_byte_array_append(job, buf, (guint)n);
  if (n < 0)
    return TRUE;
  g_usleep(PRINT_MS * 1000);
  gsize end = job->len;
  while (end > 0 && g_ascii_isspace(job->data[end - 1]))
    end--;
  if (end < 3 || memcmp(job->data + end - 3, "^XZ", 3) != 0)
    return TRUE;
  guint8 digest[crypto_hash_sha256_BYTES];
  char hex[sizeof digest * 2 + 1];
  crypto_hash_sha256(digest, job->data, job->len);
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  g_mutex_lock(&w->lock);
  guint id = ++w->n_prints;
  g_autofree char *name = g_strdup_printf("print-%u.zpl", id);
  g_autofree char *path = g_build_filename(w->dir, name, NULL);
  g_file_set_contents(path, (const char *)job->data, job->len, NULL);
  fprintf(w->prints, "%u\t%s\t%u\t%" G_GINT64_FORMAT "\n", id, hex, job->len, g_get_real_time());
  fflush(w->prints);
  g_mutex_unlock(&w->lock);
  g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
  return TRUE;
}

static void
printer_set_up(World *w, gboolean up)
{
  g_autoptr(GError) error = NULL;
  if (up && !w->printer) {
    w->printer = g_threaded_socket_service_new(8);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, w->printer_port);
    g_autoptr(GSocketAddress) bound = NULL;
    PT_CHECK(g_socket_listener_add_address(G_SOCKET_LISTENER(w->printer), addr,
                                           G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL,
                                           &bound, &error),
             "printer: %s", error->message);
    w->printer_port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
    g_signal_connect(w->printer, "run", G_CALLBACK(on_print_job), w);
    g_socket_service_start(w->printer);
  } else if (!up && w->printer) {
    /* Jobs being printed finish; new connections are refused. */
    g_socket_service_stop(w->printer);
    g_socket_listener_close(G_SOCKET_LISTENER(w->printer));
    g_clear_object(&w->printer);
  }
}

static void
dump(World *w)
{
  g_autoptr(GPtrArray) arrivals = rx_arrivals(w->rx);
  g_autoptr(GString) out = g_string_new(NULL);
  for (guint i = 0; i < arrivals->len; i++) {
    RxArrival *a = arrivals->pdata[i];
    g_string_append_printf(out, "%s\t%s\t%" G_GINT64_FORMAT "\n", a->key, a->lot ? a->lot : "",
                           a->t_real_us);
  }
  g_autofree char *path = g_build_filename(w->dir, "rx.tsv", NULL);
  g_file_set_contents(path, out->str, (gssize)out->len, NULL);
  g_string_truncate(out, 0);
  const int statuses[] = {200, 202, 204, 500, 503};
  for (guint i = 0; i < G_N_ELEMENTS(statuses); i++)
    g_string_append_printf(out, "%d\t%u\n", statuses[i], rx_count_status(w->rx, statuses[i]));
  g_autofree char *spath = g_build_filename(w->dir, "rx-status.tsv", NULL);
  g_file_set_contents(spath, out->str, (gssize)out->len, NULL);
}

static void
command(World *w, const char *cmd)
{
  int arg = 0;
  if (strcmp(cmd, "rx down") == 0 || strcmp(cmd, "rx up") == 0) {
    g_clear_handle_id(&w->flap_source, g_source_remove);
    rx_set_up(w, strcmp(cmd, "rx up") == 0);
  } else if (sscanf(cmd, "rx flap %d", &arg) == 1) {
    g_clear_handle_id(&w->flap_source, g_source_remove);
    w->flap_until_us = g_get_monotonic_time() + (gint64)arg * 1000;
    w->flap_source = g_timeout_add(FLAP_PERIOD_MS, on_flap, w);
  } else if (sscanf(cmd, "rx errors %d", &arg) == 1) {
    g_mutex_lock(&w->lock);
    w->error_percent = arg;
    g_mutex_unlock(&w->lock);
  } else if (strcmp(cmd, "printer off") == 0 || strcmp(cmd, "printer on") == 0) {
    printer_set_up(w, strcmp(cmd, "printer on") == 0);
  } else if (strcmp(cmd, "rtsp stop") == 0 && w->rtsp_up) {
    pt_test_rtsp_stop(&w->rtsp);
    w->rtsp_up = FALSE;
  } else if (strcmp(cmd, "rtsp start") == 0 && !w->rtsp_up) {
    pt_test_rtsp_start(&w->rtsp);
    w->rtsp_up = TRUE;
  } else if (strcmp(cmd, "dump") == 0) {
    dump(w);
  } else if (strcmp(cmd, "quit") == 0) {
    g_main_loop_quit(w->loop);
  } else if (!g_str_has_prefix(cmd, "rtsp ")) {
    g_printerr("shed-world: unknown command: %s\n", cmd);
    exit(1);
  }
  printf("ok %u\n", ++w->n_commands);
  fflush(stdout);
}

static gboolean
on_stdin(gint fd, GIOCondition cond, gpointer data)
{
  World *w = data;
  char buf[512];
  gssize n = read(fd, buf, sizeof buf);
  if (n <= 0) {
    g_main_loop_quit(w->loop);
    return G_SOURCE_REMOVE;
  }
  g_string_append_len(w->line, buf, n);
  char *nl;
  while ((nl = strchr(w->line->str, '\n')) != NULL) {
    g_autofree char *cmd = g_strndup(w->line->str, nl - w->line->str);
    g_string_erase(w->line, 0, nl - w->line->str + 1);
    command(w, g_strstrip(cmd));
  }
  return G_SOURCE_CONTINUE;
}

static int
probe_segments(void)
{
  char line[4096];
  /* A line per segment as soon as it is probed: should the probe die on one, the test names
   * the segments it had done instead of losing a buffer of them. */
  setvbuf(stdout, NULL, _IOLBF, 0);
  while (fgets(line, sizeof line, stdin)) {
    g_auto(GStrv) f = g_strsplit(g_strchomp(line), "\t", 3);
    g_autoptr(GError) error = NULL;
    PtSegmentProbe probe;
    if (g_strv_length(f) != 3) {
      g_printerr("shed-world probe: bad line: %s\n", line);
      return 2;
    }
    if (!pt_segment_probe(f[2], g_ascii_strtoll(f[1], NULL, 10), PT_PROBE_DECODE, &probe, &error)) {
      printf("%s\terror\t0\t%s\n", f[0], error->message);
      continue;
    }
    printf("%s\t%s\t%" G_GUINT64_FORMAT "\t%s\n", f[0], pt_segment_verdict_to_string(probe.verdict),
           probe.decoded_frames, probe.reason ? probe.reason : "");
    pt_segment_probe_clear(&probe);
  }
  return 0;
}

int
main(int argc, char **argv)
{
  World w = {.error_percent = 0, .rtsp = {.launch = RTSP_LAUNCH, .shared = TRUE}};

  pt_test_init(&argc, &argv, "x264enc", "rtph264pay", NULL);
  if (argc == 2 && strcmp(argv[1], "probe") == 0)
    return probe_segments();
  if (argc != 3 || sodium_init() < 0) {
    g_printerr("usage: shed-world SEED DIR\n");
    return 2;
  }
  g_mutex_init(&w.lock);
  w.rand = g_rand_new_with_seed((guint32)g_ascii_strtoull(argv[1], NULL, 10));
  w.dir = argv[2];
  g_autofree char *prints = g_build_filename(w.dir, "prints.tsv", NULL);
  w.prints = fopen(prints, "w");
  PT_CHECK(w.prints != NULL, "cannot write %s", prints);
  w.line = g_string_new(NULL);
  w.loop = g_main_loop_new(NULL, FALSE);
  w.rx = rx_new(0, "unused", NULL, NULL);
  w.rx_up = TRUE;
  rx_set_decide(w.rx, decide, &w);
  printer_set_up(&w, TRUE);
  pt_test_rtsp_start(&w.rtsp);
  w.rtsp_up = TRUE;
  g_autofree char *url = pt_test_rtsp_url(&w.rtsp);
  printf("rx %u\nprinter %u\ncamera %s\nready\n", rx_port(w.rx), w.printer_port, url);
  fflush(stdout);
  g_unix_fd_add(0, G_IO_IN | G_IO_HUP, on_stdin, &w);
  g_main_loop_run(w.loop);

  g_clear_handle_id(&w.flap_source, g_source_remove);
  printer_set_up(&w, FALSE);
  if (w.rtsp_up)
    pt_test_rtsp_stop(&w.rtsp);
  rx_free(w.rx);
  fclose(w.prints);
  g_rand_free(w.rand);
  g_string_free(w.line, TRUE);
  g_main_loop_unref(w.loop);
  g_mutex_clear(&w.lock);
  return 0;
}
