/* test-label-print.c: label print jobs through the real `packtrace` binary and a
 * loopback "printer" in this test (a thread on 127.0.0.1): a printer that is up gets
 * the job once and the batch gets its print event; a printer that is down loses no
 * job (retried by `label jobs --retry` and by the running station's timer, printed
 * once); a printer that accepts and hangs times out and keeps the job; a job left
 * 'printing' by a dead process is never re-sent on its own; a recalled batch's queued
 * label does not go out. */
#include "pt-json.h"
#include "pt-store-print.h"
#include "pt-test-station.h"

#include <gio/gio.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <unistd.h>

typedef enum {
  PRINTER_TAKES, /* reads each job to EOF, then closes: a working raw-port printer */
  PRINTER_HANGS, /* accepts, reads nothing, never closes */
} PrinterMode;

typedef struct {
  GSocket *listener;
  PrinterMode mode;
  guint16 port;
  GMutex lock;
  GPtrArray *jobs; /* (element-type GBytes): one per connection */
  GPtrArray *held; /* (element-type GSocket): hung connections */
  gboolean stop;
  GThread *thread;
} Printer;

static void
take_job(Printer *p, GSocket *conn)
{
  GByteArray *got = g_byte_array_new();
  char buf[4096];
  g_socket_set_timeout(conn, 10);
  for (;;) {
    gssize n = g_socket_receive(conn, buf, sizeof buf, NULL, NULL);
    if (n <= 0 || got->len > 8 * 1024 * 1024)
      break;
    g_byte_array_append(got, (guint8 *)buf, (guint)n);
  }
  g_socket_close(conn, NULL);
  g_mutex_lock(&p->lock);
  g_ptr_array_add(p->jobs, g_byte_array_free_to_bytes(got));
  g_mutex_unlock(&p->lock);
}

static gpointer
printer_thread(gpointer data)
{
  Printer *p = data;
  for (;;) {
    g_mutex_lock(&p->lock);
    gboolean stop = p->stop;
    g_mutex_unlock(&p->lock);
    if (stop)
      break;
    if (!g_socket_condition_timed_wait(p->listener, G_IO_IN, 50 * 1000, NULL, NULL))
      continue;
    GSocket *conn = g_socket_accept(p->listener, NULL, NULL);
    if (!conn)
      continue;
    g_socket_set_blocking(conn, TRUE);
    if (p->mode == PRINTER_TAKES) {
      take_job(p, conn);
      g_object_unref(conn);
    } else {
      g_mutex_lock(&p->lock);
      g_ptr_array_add(p->held, conn);
      g_mutex_unlock(&p->lock);
    }
  }
  return NULL;
}

/* Listens on 127.0.0.1:@port (0: any). */
static Printer *
printer_start(PrinterMode mode, guint16 port)
{
  Printer *p = g_new0(Printer, 1);
  p->mode = mode;
  p->jobs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
  p->held = g_ptr_array_new_with_free_func(g_object_unref);
  g_mutex_init(&p->lock);
  p->listener =
      g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) addr = g_inet_socket_address_new(lo, port);
  g_autoptr(GError) error = NULL;
  g_assert_true(g_socket_bind(p->listener, addr, TRUE, &error));
  g_assert_no_error(error);
  g_assert_true(g_socket_listen(p->listener, NULL));
  g_socket_set_blocking(p->listener, FALSE);
  g_autoptr(GSocketAddress) bound = g_socket_get_local_address(p->listener, NULL);
  p->port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));
  p->thread = g_thread_new("printer", printer_thread, p);
  return p;
}

static guint
printer_n_jobs(Printer *p)
{
  g_mutex_lock(&p->lock);
  guint n = p->jobs->len;
  g_mutex_unlock(&p->lock);
  return n;
}

/* Returns: (transfer full): job @i as a string. */
static char *
printer_job(Printer *p, guint i)
{
  g_mutex_lock(&p->lock);
  GBytes *b = g_ptr_array_index(p->jobs, i);
  char *s = g_strndup(g_bytes_get_data(b, NULL), g_bytes_get_size(b));
  g_mutex_unlock(&p->lock);
  return s;
}

static void
printer_stop(Printer *p)
{
  g_mutex_lock(&p->lock);
  p->stop = TRUE;
  g_mutex_unlock(&p->lock);
  g_thread_join(p->thread);
  g_socket_close(p->listener, NULL);
  g_object_unref(p->listener);
  g_ptr_array_unref(p->jobs);
  g_ptr_array_unref(p->held);
  g_mutex_clear(&p->lock);
  g_free(p);
}

/* A port nothing listens on: a printer that is switched off refuses connections. */
static guint16
port_of_printer_that_is_off(void)
{
  Printer *p = printer_start(PRINTER_TAKES, 0);
  guint16 port = p->port;
  printer_stop(p);
  return port;
}

typedef struct {
  PtTestStation *ts;
  PtBatch *batch;
  char *bin;
} Fixture;

static void
die_with_parent(gpointer data)
{
  prctl(PR_SET_PDEATHSIG, SIGKILL);
}

/* Runs `packtrace ARGS... --data DIR`; returns its exit status.  @out, @err: (nullable). */
static int
cli(Fixture *f, char **out, char **err, ...)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new();
  g_ptr_array_add(argv, f->bin);
  va_list ap;
  va_start(ap, err);
  for (const char *a; (a = va_arg(ap, const char *));)
    g_ptr_array_add(argv, (gpointer)a);
  va_end(ap);
  g_ptr_array_add(argv, "--data");
  g_ptr_array_add(argv, f->ts->dir);
  g_ptr_array_add(argv, NULL);
  g_autofree char *o = NULL, *e = NULL;
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv->pdata, NULL, G_SPAWN_DEFAULT, die_with_parent,
                             NULL, &o, &e, &status, &error));
  g_assert_no_error(error);
  g_test_message("packtrace %s %s -> %d\n%s%s", (char *)argv->pdata[1],
                 argv->len > 3 ? (char *)argv->pdata[2] : "", status, o, e);
  if (out)
    *out = g_steal_pointer(&o);
  if (err)
    *err = g_steal_pointer(&e);
  g_assert_true(WIFEXITED(status));
  return WEXITSTATUS(status);
}

static void
set_print_timeouts(Fixture *f, const char *connect_ms, const char *io_ms)
{
  g_autofree char *ini = g_build_filename(f->ts->dir, "station.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  g_assert_true(g_key_file_load_from_file(kf, ini, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_string(kf, "labels", "connect_timeout_ms", connect_ms);
  g_key_file_set_string(kf, "labels", "io_timeout_ms", io_ms);
  g_assert_true(g_key_file_save_to_file(kf, ini, &error));
  g_assert_no_error(error);
}

static void
fixture_setup(Fixture *f, gconstpointer data)
{
  f->ts = pt_test_station_new();
  f->batch = pt_test_batch(f->ts, 0);
  f->bin = g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL);
  set_print_timeouts(f, "2000", "2000");
}

static void
fixture_teardown(Fixture *f, gconstpointer data)
{
  pt_batch_free(f->batch);
  pt_test_station_free(f->ts);
  g_free(f->bin);
}

/* Returns: (transfer full): job @id as stored. */
static PtPrintJob *
job_get(Fixture *f, gint64 id)
{
  g_autoptr(GError) error = NULL;
  PtPrintJob *job = pt_store_print_job_get(f->ts->store, id, &error);
  g_assert_no_error(error);
  return job;
}

typedef struct {
  guint n;
  json_t *last; /* the last one's signed record */
} Encodings;

static gboolean
collect_encoding(const PtEventRow *row, gpointer user_data, GError **error)
{
  Encodings *e = user_data;
  if (strcmp(row->step, "encoding") != 0)
    return TRUE;
  e->n++;
  if (e->last)
    json_decref(e->last);
  e->last = pt_json_parse(row->body, row->body_len, error);
  return e->last != NULL;
}

/* The batch's print events: their number, and the last one (transfer full). */
static guint
encodings(Fixture *f, json_t **last)
{
  Encodings e = {0};
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_store_events_foreach(f->ts->store, f->batch->id, collect_encoding, &e, &error));
  g_assert_no_error(error);
  if (last)
    *last = e.last;
  else if (e.last)
    json_decref(e.last);
  return e.n;
}

static char *
sha256_hex(const char *s)
{
  return g_compute_checksum_for_string(G_CHECKSUM_SHA256, s, -1);
}

static void
test_printer_up(Fixture *f, gconstpointer data)
{
  Printer *p = printer_start(PRINTER_TAKES, 0);
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", p->port);
  g_autofree char *out = NULL;
  g_assert_cmpint(
      cli(f, &out, NULL, "label", f->batch->lot, "--print", dest, "--copies", "2", "--json", NULL),
      ==, 0);
  g_autoptr(GError) error = NULL;
  json_t *answer = pt_json_parse(out, strlen(out), &error);
  g_assert_no_error(error);
  json_t *pj = json_object_get(answer, "print_job");
  g_assert_cmpstr(json_string_value(json_object_get(pj, "state")), ==, "done");
  gint64 id = json_integer_value(json_object_get(pj, "id"));
  g_autofree char *link = pt_batch_digital_link(f->ts->station->config, f->batch);
  g_assert_cmpstr(json_string_value(json_object_get(answer, "digital_link")), ==, link);
  json_decref(answer);

  /* One well-formed job with the batch's QR data and 2 copies. */
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_autofree char *zpl = printer_job(p, 0);
  g_assert_true(g_str_has_prefix(zpl, "^XA"));
  g_assert_true(g_str_has_suffix(zpl, "^PQ2\n^XZ\n"));
  g_assert_nonnull(strstr(zpl, link));

  g_autoptr(PtPrintJob) job = job_get(f, id);
  g_assert_cmpstr(job->state, ==, "done");
  g_assert_cmpint(job->attempts, ==, 1);
  g_autofree char *sha = sha256_hex(zpl);
  g_assert_cmpstr(job->sha256, ==, sha);

  /* Printing is a signed fact on the batch: one encoding event naming what went out. */
  json_t *ev = NULL;
  g_assert_cmpuint(encodings(f, &ev), ==, 1);
  g_assert_cmpstr(json_string_value(json_object_get(ev, "action")), ==, "OBSERVE");
  g_assert_cmpstr(json_string_value(json_object_get(ev, "pt:labelSha256")), ==, sha);
  g_assert_cmpstr(json_string_value(json_object_get(ev, "pt:printer")), ==, dest);
  g_assert_cmpstr(json_string_value(json_object_get(ev, "pt:labelTemplate")), ==, "pallet");
  g_assert_cmpint(json_integer_value(json_object_get(ev, "pt:copies")), ==, 2);
  json_decref(ev);

  /* A done job is never sent again, and the log still verifies. */
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--retry", NULL), ==, 0);
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_assert_cmpint(cli(f, NULL, NULL, "audit", NULL), ==, 0);
  printer_stop(p);
}

static void
test_printer_down_then_retry(Fixture *f, gconstpointer data)
{
  guint16 port = port_of_printer_that_is_off();
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", port);
  g_autofree char *err = NULL;
  g_assert_cmpint(cli(f, NULL, &err, "label", "1", "--print", dest, "--template", "case", NULL), ==,
                  1);
  g_assert_nonnull(strstr(err, "queued"));
  g_autoptr(PtPrintJob) job = job_get(f, 1);
  g_assert_cmpstr(job->state, ==, "queued");
  g_assert_cmpint(job->attempts, ==, 1);
  g_assert_nonnull(strstr(job->last_error, "cannot connect"));
  g_assert_cmpstr(job->error_kind, ==, "connect");
  g_assert_cmpint(job->next_attempt_ns, >, job->updated_ns);
  g_assert_cmpuint(encodings(f, NULL), ==, 0);

  /* Still off: the retry fails again, the job stays. */
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--retry", NULL), ==, 1);
  g_clear_pointer(&job, pt_print_job_free);
  job = job_get(f, 1);
  g_assert_cmpstr(job->state, ==, "queued");
  g_assert_cmpint(job->attempts, ==, 2);

  /* The printer comes up: the retry prints it, once. */
  Printer *p = printer_start(PRINTER_TAKES, port);
  g_autofree char *out = NULL;
  g_assert_cmpint(cli(f, &out, NULL, "label", "jobs", "--retry", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "1 printed"));
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--retry", NULL), ==, 0);
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_autofree char *zpl = printer_job(p, 0);
  g_assert_true(g_str_has_suffix(zpl, "^PQ1\n^XZ\n"));
  g_clear_pointer(&job, pt_print_job_free);
  job = job_get(f, 1);
  g_assert_cmpstr(job->state, ==, "done");
  g_assert_cmpint(job->attempts, ==, 3);
  g_assert_cmpuint(encodings(f, NULL), ==, 1);
  printer_stop(p);
}

static void
test_running_station_retries(Fixture *f, gconstpointer data)
{
  guint16 port = port_of_printer_that_is_off();
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", port);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 1);

  g_autofree char *url = NULL;
  g_autoptr(GSubprocess) server = pt_test_station_run(f->ts, &url);

  /* The printer is off for a while: the station keeps the job and backs off. */
  g_usleep(1500 * 1000);
  g_autoptr(PtPrintJob) job = job_get(f, 1);
  g_assert_cmpstr(job->state, ==, "queued");

  Printer *p = printer_start(PRINTER_TAKES, port);
  gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
  while (g_get_monotonic_time() < deadline) {
    g_clear_pointer(&job, pt_print_job_free);
    job = job_get(f, 1);
    if (strcmp(job->state, "done") == 0)
      break;
    g_usleep(100 * 1000);
  }
  g_assert_cmpstr(job->state, ==, "done");
  /* Let a few more retry ticks pass: still exactly one job on the printer. */
  g_usleep(2500 * 1000);
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_assert_cmpuint(encodings(f, NULL), ==, 1);

  pt_test_station_stop(server);
  printer_stop(p);
}

static void
test_printer_hangs(Fixture *f, gconstpointer data)
{
  set_print_timeouts(f, "2000", "500");
  Printer *p = printer_start(PRINTER_HANGS, 0);
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", p->port);
  g_autofree char *err = NULL;
  gint64 start = g_get_monotonic_time();
  g_assert_cmpint(cli(f, NULL, &err, "label", "1", "--print", dest, NULL), ==, 1);
  g_assert_cmpint(g_get_monotonic_time() - start, <, 5 * G_TIME_SPAN_SECOND);
  g_autoptr(PtPrintJob) job = job_get(f, 1);
  g_assert_cmpstr(job->state, ==, "queued");
  g_assert_nonnull(strstr(job->last_error, "did not finish"));
  g_assert_cmpuint(encodings(f, NULL), ==, 0);
  printer_stop(p);
}

static void
test_interrupted_job_is_not_resent(Fixture *f, gconstpointer data)
{
  guint16 port = port_of_printer_that_is_off();
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", port);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 1);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 1);
  /* Both as a process that died mid-send leaves them: 'printing'.  Job 2's owner is
   * alive (this test holds its lock). */
  pt_test_sql(f->ts, "UPDATE print_jobs SET state = 'printing', next_attempt_ns = NULL");
  g_autofree char *locks = g_build_filename(f->ts->dir, "print-locks", NULL);
  g_assert_cmpint(g_mkdir_with_parents(locks, 0700), ==, 0);
  g_autofree char *lock2 = g_build_filename(locks, "2.lock", NULL);
  int fd = open(lock2, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  g_assert_cmpint(fd, >=, 0);
  g_assert_cmpint(flock(fd, LOCK_EX | LOCK_NB), ==, 0);

  Printer *p = printer_start(PRINTER_TAKES, port);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--retry", NULL), ==, 0);
  g_assert_cmpuint(printer_n_jobs(p), ==, 0);
  g_autoptr(PtPrintJob) j1 = job_get(f, 1);
  g_assert_cmpstr(j1->state, ==, "failed");
  g_assert_nonnull(strstr(j1->last_error, "interrupted"));
  g_assert_cmpstr(j1->error_kind, ==, "interrupted");
  g_autoptr(PtPrintJob) j2 = job_get(f, 2);
  g_assert_cmpstr(j2->state, ==, "printing");
  close(fd);

  /* Only failed (or waiting) jobs are requeued, and a job being printed is not cancelled; a
   * requeued job prints once. */
  g_autofree char *err = NULL;
  g_assert_cmpint(cli(f, NULL, &err, "label", "jobs", "--requeue", "2", NULL), ==, 1);
  g_assert_nonnull(strstr(err, "only a failed or waiting job"));
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(cli(f, NULL, &err, "label", "jobs", "--cancel", "2", NULL), ==, 1);
  g_assert_nonnull(strstr(err, "print job 2 is printing"));
  g_assert_nonnull(strstr(err, "a job being printed cannot be"));
  g_clear_pointer(&j2, pt_print_job_free);
  j2 = job_get(f, 2);
  g_assert_cmpstr(j2->state, ==, "printing");
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--requeue", "1", "--retry", NULL), ==, 0);
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_clear_pointer(&j1, pt_print_job_free);
  j1 = job_get(f, 1);
  g_assert_cmpstr(j1->state, ==, "done");
  /* Job 2's owner is gone now: marked failed, not sent. */
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--retry", NULL), ==, 0);
  g_clear_pointer(&j2, pt_print_job_free);
  j2 = job_get(f, 2);
  g_assert_cmpstr(j2->state, ==, "failed");
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_assert_cmpuint(encodings(f, NULL), ==, 1);
  printer_stop(p);
}

/* A cancelled job is never sent, whether it was waiting for a printer that is off or had
 * failed; a done job cannot be cancelled, nor a cancelled one retried. */
static void
test_cancel(Fixture *f, gconstpointer data)
{
  guint16 port = port_of_printer_that_is_off();
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", port);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 1);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 1);
  /* Job 2 as recovery leaves one: failed, waiting for an operator. */
  pt_test_sql(f->ts, "UPDATE print_jobs SET state = 'failed', next_attempt_ns = NULL WHERE id = 2");
  g_autofree char *out = NULL;
  g_assert_cmpint(cli(f, &out, NULL, "label", "jobs", "--cancel", "1", NULL), ==, 0);
  g_assert_nonnull(strstr(out, "cancelled"));
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--cancel", "2", NULL), ==, 0);
  g_autoptr(PtPrintJob) j1 = job_get(f, 1);
  g_autoptr(PtPrintJob) j2 = job_get(f, 2);
  g_assert_cmpstr(j1->state, ==, "cancelled");
  g_assert_cmpstr(j2->state, ==, "cancelled");
  g_assert_cmpint(j1->next_attempt_ns, ==, 0);

  /* The printer comes up: nothing cancelled goes out, and the queue is empty. */
  Printer *p = printer_start(PRINTER_TAKES, port);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--retry", NULL), ==, 0);
  g_assert_cmpuint(printer_n_jobs(p), ==, 0);
  gint64 pending = -1;
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_store_print_job_count_pending(f->ts->store, &pending, &error));
  g_assert_cmpint(pending, ==, 0);
  g_autofree char *err = NULL;
  g_assert_cmpint(cli(f, NULL, &err, "label", "jobs", "--requeue", "1", NULL), ==, 1);
  g_assert_nonnull(strstr(err, "print job 1 is cancelled"));

  /* A job that printed cannot be cancelled. */
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 0);
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(cli(f, NULL, &err, "label", "jobs", "--cancel", "3", NULL), ==, 1);
  g_assert_nonnull(strstr(err, "print job 3 is done"));
  g_clear_pointer(&err, g_free);
  g_assert_cmpint(cli(f, NULL, &err, "label", "jobs", "--cancel", "99", NULL), !=, 0);
  g_assert_nonnull(strstr(err, "no print job 99"));
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_assert_cmpuint(encodings(f, NULL), ==, 1);
  printer_stop(p);
}

/* `--print NAME` sends to the [printer NAME] of station.ini, with its template; an unknown
 * name is refused before anything is queued, naming the printers there are. */
static void
test_print_by_name(Fixture *f, gconstpointer data)
{
  Printer *p = printer_start(PRINTER_TAKES, 0);
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", p->port);
  g_autofree char *ini = g_build_filename(f->ts->dir, "station.ini", NULL);
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) error = NULL;
  g_assert_true(g_key_file_load_from_file(kf, ini, G_KEY_FILE_KEEP_COMMENTS, &error));
  g_key_file_set_string(kf, "printer dock", "address", dest);
  g_key_file_set_string(kf, "printer dock", "label", "Dock label printer");
  g_key_file_set_string(kf, "printer dock", "template", "case");
  g_key_file_set_string(kf, "printer office", "address", "127.0.0.1:1");
  g_assert_true(g_key_file_save_to_file(kf, ini, &error));

  g_autofree char *err = NULL;
  g_assert_cmpint(cli(f, NULL, &err, "label", "1", "--print", "shed", NULL), ==, 2);
  g_assert_nonnull(strstr(err, "no printer called 'shed' (printers: dock, office)"));
  g_assert_cmpuint(printer_n_jobs(p), ==, 0);
  gint64 pending = -1;
  g_assert_true(pt_store_print_job_count_pending(f->ts->store, &pending, &error));
  g_assert_cmpint(pending, ==, 0);

  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", "dock", NULL), ==, 0);
  g_assert_cmpuint(printer_n_jobs(p), ==, 1);
  g_autoptr(PtPrintJob) job = job_get(f, 1);
  g_assert_cmpstr(job->state, ==, "done");
  g_assert_cmpstr(job->printer, ==, dest);
  g_assert_cmpstr(job->template_, ==, "case");
  /* A typed address still works from the command line. */
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 0);
  g_assert_cmpuint(printer_n_jobs(p), ==, 2);
  printer_stop(p);
}

static void
test_recalled_batch_not_printed(Fixture *f, gconstpointer data)
{
  guint16 port = port_of_printer_that_is_off();
  g_autofree char *dest = g_strdup_printf("127.0.0.1:%u", port);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "1", "--print", dest, NULL), ==, 1);
  g_assert_cmpint(cli(f, NULL, NULL, "batch", "recall", "1", "--reason", "residue", NULL), ==, 0);
  Printer *p = printer_start(PRINTER_TAKES, port);
  g_assert_cmpint(cli(f, NULL, NULL, "label", "jobs", "--retry", NULL), ==, 1);
  g_assert_cmpuint(printer_n_jobs(p), ==, 0);
  g_autoptr(PtPrintJob) job = job_get(f, 1);
  g_assert_cmpstr(job->state, ==, "failed");
  g_assert_nonnull(strstr(job->last_error, "recalled"));
  /* New labels for it are refused outright. */
  g_autofree char *err = NULL;
  g_assert_cmpint(cli(f, NULL, &err, "label", "1", "--print", dest, NULL), ==, 1);
  g_assert_nonnull(strstr(err, "recalled"));
  g_assert_cmpuint(printer_n_jobs(p), ==, 0);
  printer_stop(p);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add("/label-print/printer-up", Fixture, NULL, fixture_setup, test_printer_up,
             fixture_teardown);
  g_test_add("/label-print/printer-down-then-retry", Fixture, NULL, fixture_setup,
             test_printer_down_then_retry, fixture_teardown);
  g_test_add("/label-print/running-station-retries", Fixture, NULL, fixture_setup,
             test_running_station_retries, fixture_teardown);
  g_test_add("/label-print/printer-hangs", Fixture, NULL, fixture_setup, test_printer_hangs,
             fixture_teardown);
  g_test_add("/label-print/interrupted-not-resent", Fixture, NULL, fixture_setup,
             test_interrupted_job_is_not_resent, fixture_teardown);
  g_test_add("/label-print/cancel", Fixture, NULL, fixture_setup, test_cancel, fixture_teardown);
  g_test_add("/label-print/by-name", Fixture, NULL, fixture_setup, test_print_by_name,
             fixture_teardown);
  g_test_add("/label-print/recalled-batch", Fixture, NULL, fixture_setup,
             test_recalled_batch_not_printed, fixture_teardown);
  return g_test_run();
}
