/* fuzz-http.c: libFuzzer target for the station's HTTP server: each input is the raw bytes a
 * client sends on one connection (one request or several pipelined), fed over a socketpair to
 * the real libmicrohttpd daemon with the station's routes, against a temporary station with
 * a few batches and a load.  Every answer must be well-formed HTTP and never a 500; a crash,
 * a leak, a GLib critical or a hang is a finding.
 *
 * The operator token is fixed (see http.dict) so writes get past the token check. */
#include "pt-batch.h"
#include "pt-error.h"
#include "pt-http.h"
#include "pt-test-station.h"
#include "pt-load.h"
#include "pt-keys.h"
#include "pt-store-auth.h"
#include "pt-time.h"
#include "pt-station.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define OPERATOR_TOKEN "fuzz-operator-token-0123456789ab"
/* A buyer's API key scoped to BUYER_GLN, which received the recalled lot PT2611250004: its
 * portal's notices and their acknowledgement (a JSON body) are reachable. */
#define BUYER_KEY "ptk_fuzz-buyer-key-0123456789abcdefghijklmnop"
#define BUYER_GLN "4012345000016"
/* Rounds of the daemon with nothing read before the exchange counts as over. */
#define IDLE_ROUNDS 3
#define MAX_ROUNDS  20000

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const guint8 *data, size_t size);

static PtStation *station;
static PtHttp *http;
static char *tmp_dir;

/* Warnings and below are the server's own logging of bad requests; criticals are bugs. */
static GLogWriterOutput
log_writer(GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer unused)
{
  if (level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) {
    g_log_writer_standard_streams(level, fields, n_fields, NULL);
    abort();
  }
  return G_LOG_WRITER_HANDLED;
}

static void
cleanup(void)
{
  pt_http_stop(http);
  pt_station_free(station);
  pt_test_remove_tree(tmp_dir);
  g_free(tmp_dir);
}

static void
must(gboolean ok, GError *error)
{
  if (!ok) {
    fprintf(stderr, "fuzz-http: set-up failed: %s\n", error ? error->message : "?");
    abort();
  }
}

/* Three batches (lots PT2611250001..3, one held with events), and an open load; a fourth lot
 * went to the buyer on a closed load and is recalled (one notice to it). */
static void
populate(PtStore *store)
{
  GError *error = NULL;
  for (int i = 0; i < 3; i++) {
    PtBatchSpec spec = {.product = "Oranges",
                        .gtin = "09506000134352",
                        .variety = "Navel",
                        .origin = "CN",
                        .harvest_date = "2026-11-20",
                        .pack_date = "2026-11-25",
                        .has_quantity = TRUE,
                        .quantity = 1200.5};
    g_autoptr(PtBatch) b = pt_batch_create(station, store, &spec, &error);
    must(b != NULL, error);
    if (i == 1) {
      PtEventSpec ev = {.step = "inspecting", .disposition = "conformant", .note = "ok"};
      must(pt_batch_add_event(station, store, b, &ev, NULL, &error), error);
      must(pt_batch_change_status(station, store, b, PT_BATCH_HOLD, "spots", &error), error);
    }
  }
  PtBatchSpec spec = {.product = "Oranges", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(PtBatch) sold = pt_batch_create(station, store, &spec, &error);
  must(sold != NULL, error);
  PtLoadSpec to_buyer = {.plate = "CD-456", .seal = "S-43", .destination_gln = BUYER_GLN};
  g_autoptr(PtLoad) shipped = pt_load_create(store, &to_buyer, &error);
  must(shipped != NULL, error);
  must(pt_load_add_batch(station, store, shipped->id, sold, 0, "operator", pt_now_ns(), NULL, NULL,
                         &error),
       error);
  must(pt_load_close(station, store, shipped->id, NULL, &error), error);
  must(pt_batch_change_status(station, store, sold, PT_BATCH_RECALL, "fuzz", &error), error);
  guint8 sum[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(sum, (const guint8 *)BUYER_KEY, strlen(BUYER_KEY));
  g_autofree char *hash = pt_hex_encode(sum, sizeof sum);
  gint64 id = 0;
  must(pt_store_apikey_insert(store, "fuzz-buyer", "buyer", BUYER_GLN, hash, 0, &id, &error),
       error);
  PtLoadSpec load = {.plate = "AB-123", .seal = "S-42", .dock = "1"};
  g_autoptr(PtLoad) l = pt_load_create(store, &load, &error);
  must(l != NULL, error);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
  GError *error = NULL;
  g_log_set_writer_func(log_writer, NULL, NULL);
  must(sodium_init() >= 0, NULL);
  /* tmpfs when there is one: the store syncs every write. */
  const char *base = g_file_test("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir();
  g_autofree char *templ = g_build_filename(base, "packtrace-fuzz-http-XXXXXX", NULL);
  tmp_dir = g_mkdtemp(g_steal_pointer(&templ));
  must(tmp_dir != NULL, NULL);
  g_autofree char *dir = g_build_filename(tmp_dir, "data", NULL);
  station = pt_station_init(dir, &error);
  must(station != NULL, error);
  g_free(station->config->operator_token);
  station->config->operator_token = g_strdup(OPERATOR_TOKEN);
  PtStore *store = pt_station_store(station, &error);
  must(store != NULL, error);
  populate(store);
  pt_store_close(store);
  http = pt_http_start_unthreaded(station, &error);
  must(http != NULL, error);
  atexit(cleanup);
  return 0;
}

/* Every response starts with a status line; 500 means a request reached a state the server
 * did not expect. */
static void
check_responses(const GString *out)
{
  for (const char *p = out->str; (p = strstr(p, "HTTP/1.")) != NULL; p += 7) {
    if (p != out->str && p[-1] != '\n')
      continue; /* inside a body */
    if (strncmp(p + 8, " 500", 4) == 0) {
      fprintf(stderr, "fuzz-http: a request got 500:\n%.*s\n", (int)MIN(out->len, 2000), out->str);
      abort();
    }
  }
}

int
LLVMFuzzerTestOneInput(const guint8 *data, size_t size)
{
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
    abort();
  fcntl(sv[1], F_SETFL, O_NONBLOCK);
  GError *error = NULL;
  must(pt_http_add_connection(http, sv[0], &error), error);

  g_autoptr(GString) out = g_string_new(NULL);
  size_t sent = 0;
  int idle = 0;
  char buf[16384];
  for (int round = 0; round < MAX_ROUNDS && idle < IDLE_ROUNDS; round++) {
    gboolean progress = FALSE;
    if (sent < size) {
      ssize_t n = write(sv[1], data + sent, size - sent);
      if (n > 0) {
        sent += (size_t)n;
        progress = TRUE;
      } else if (n < 0 && errno != EAGAIN) {
        sent = size; /* the server closed the connection */
      }
    }
    pt_http_poll(http);
    ssize_t n;
    while ((n = read(sv[1], buf, sizeof buf)) > 0) {
      g_string_append_len(out, buf, n);
      progress = TRUE;
    }
    if (n == 0 && sent == size)
      break; /* the server closed the connection */
    idle = progress ? 0 : idle + 1;
  }
  close(sv[1]);
  /* The server notices the close and frees the connection. */
  for (int round = 0; pt_http_poll(http) > 0; round++)
    if (round == MAX_ROUNDS) {
      fprintf(stderr, "fuzz-http: a connection outlived its client\n");
      abort();
    }
  check_responses(out);
  return 0;
}
