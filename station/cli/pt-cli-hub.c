/* pt-cli-hub.c: `packtrace hub`, the co-op hub: serve, migrate, station add | list | revoke |
 * enrol-code, quarantine, status.  Needs no station data folder: the hub's state is its
 * PostgreSQL database, named by --dsn, $PACKTRACE_HUB_DSN or dsn= in hub.ini. */
#include "pt-cli.h"

#include "pt-error.h"
#include "pt-hub-buyer.h"
#include "pt-hub-ingest.h"
#include "pt-hub-server.h"
#include "pt-hub-store.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-sd-notify.h"
#include "pt-time.h"

#include <glib-unix.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *config_path;
  char *dsn;
  char *read_dsn;
  gboolean json;
} HubCommon;

static void
hub_common_clear(HubCommon *c)
{
  g_free(c->config_path);
  g_free(c->dsn);
  g_free(c->read_dsn);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(HubCommon, hub_common_clear)

/* Parses the hub's options plus @entries; @argv[0] is "hub SUB". */
static gboolean
hub_parse(int *argc, char ***argv, const char *params, const char *summary,
          const GOptionEntry *entries, HubCommon *common)
{
  const GOptionEntry common_entries[] = {
      {"config", 0, 0, G_OPTION_ARG_FILENAME, &common->config_path,
       "hub.ini to read (default $PACKTRACE_HUB_CONFIG, else ./hub.ini when present)", "FILE"},
      {"dsn", 0, 0, G_OPTION_ARG_STRING, &common->dsn,
       "PostgreSQL connection string (default $PACKTRACE_HUB_DSN, else hub.ini's dsn)", "DSN"},
      {"read-dsn", 0, 0, G_OPTION_ARG_STRING, &common->read_dsn,
       "connection string for reads (a streaming replica)", "DSN"},
      {"json", 0, 0, G_OPTION_ARG_NONE, &common->json, "Print JSON instead of text", NULL},
      {NULL}};
  g_autoptr(GOptionContext) ctx = g_option_context_new(params);
  g_autofree char *prog = g_strdup_printf("packtrace %s", (*argv)[0]);
  g_set_prgname(prog);
  g_option_context_set_summary(ctx, summary);
  if (entries)
    g_option_context_add_main_entries(ctx, entries, NULL);
  g_option_context_add_main_entries(ctx, common_entries, NULL);
  g_autoptr(GError) error = NULL;
  if (!g_option_context_parse(ctx, argc, argv, &error)) {
    fprintf(stderr, "%s: %s (see --help)\n", prog, error->message);
    return FALSE;
  }
  return TRUE;
}

/* The configuration: flags, then the environment, then hub.ini. */
static gboolean
hub_config(HubCommon *common, PtHubConfig *config, GError **error)
{
  config->dsn = g_strdup(common->dsn);
  config->read_dsn = g_strdup(common->read_dsn);
  const char *env = g_getenv("PACKTRACE_HUB_DSN");
  if (!config->dsn && env && *env)
    config->dsn = g_strdup(env);
  const char *path = common->config_path;
  const char *env_config = g_getenv("PACKTRACE_HUB_CONFIG");
  if (!path && env_config && *env_config)
    path = env_config;
  if (!path && g_file_test("hub.ini", G_FILE_TEST_EXISTS))
    path = "hub.ini";
  if (path && !pt_hub_config_load(config, path, error))
    return FALSE;
  if (!config->dsn) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "no hub database: give --dsn, $PACKTRACE_HUB_DSN or dsn= in hub.ini");
    return FALSE;
  }
  return TRUE;
}

/* Opens the store, checking the schema unless @any_schema. */
static PtHubStore *
hub_open(HubCommon *common, gboolean any_schema, GError **error)
{
  g_auto(PtHubConfig) config = {.port = -1};
  if (!hub_config(common, &config, error))
    return NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(config.dsn, config.read_dsn, error);
  if (!store || (!any_schema && !pt_hub_store_check_schema(store, error)))
    return NULL;
  return g_steal_pointer(&store);
}

static int
hub_migrate(int argc, char **argv)
{
  g_auto(HubCommon) common = {0};
  g_autoptr(GError) error = NULL;
  if (!hub_parse(&argc, &argv, NULL, "Bring the hub database's schema up to date.", NULL, &common))
    return PT_EXIT_USAGE;
  g_autoptr(PtHubStore) store = hub_open(&common, TRUE, &error);
  int applied = 0;
  if (!store || !pt_hub_store_migrate(store, &applied, &error)) {
    return pt_cli_fail(error);
  }
  printf("hub schema at version %d (%d migration%s applied)\n", PT_HUB_SCHEMA_VERSION, applied,
         applied == 1 ? "" : "s");
  return PT_EXIT_OK;
}

static volatile gboolean stopping;

static gboolean
on_signal(gpointer loop)
{
  stopping = TRUE;
  g_main_loop_quit(loop);
  return G_SOURCE_REMOVE;
}

static int
hub_serve(int argc, char **argv)
{
  g_auto(HubCommon) common = {0};
  g_autofree char *listen = NULL, *port_file = NULL;
  int port = -1;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
      {"listen", 0, 0, G_OPTION_ARG_STRING, &listen, "address (default 127.0.0.1)", "ADDR"},
      {"port", 0, 0, G_OPTION_ARG_INT, &port, "port (default 8090; 0: any free one)", "N"},
      {"port-file", 0, 0, G_OPTION_ARG_FILENAME, &port_file,
       "write the port listened on to FILE once ready", "FILE"},
      {NULL}};
  if (!hub_parse(&argc, &argv, NULL,
                 "Serve the hub's station protocol on HTTP until SIGINT or SIGTERM.", entries,
                 &common))
    return PT_EXIT_USAGE;
  g_auto(PtHubConfig) config = {.port = port, .listen = g_strdup(listen)};
  if (port > 65535 || port < -1) {
    return pt_cli_usage("--port must be 0..65535");
  }
  if (!hub_config(&common, &config, &error)) {
    return pt_cli_fail(error);
  }
  g_autoptr(PtHubServer) server = pt_hub_server_start(&config, &error);
  if (!server) {
    return pt_cli_fail(error);
  }
  int bound = pt_hub_server_port(server);
  fprintf(stderr, "packtrace hub: listening on http://%s:%d/hub/v1/\n",
          config.listen ? config.listen : "127.0.0.1", bound);
  if (port_file) {
    g_autofree char *text = g_strdup_printf("%d\n", bound);
    if (!g_file_set_contents(port_file, text, -1, &error)) {
      return pt_cli_fail(error);
    }
  }
  /* Under a Type=notify unit (packtrace-hub.service): ready once it listens, a watchdog ping
   * from the main loop itself at a third of systemd's interval, STOPPING=1 on the way out. */
  g_autofree char *ready =
      g_strdup_printf("READY=1\nSTATUS=hub listening on %s:%d\nMAINPID=%d",
                      config.listen ? config.listen : "127.0.0.1", bound, (int)getpid());
  if (!pt_sd_notify(ready))
    g_warning("could not tell systemd the hub is ready ($NOTIFY_SOCKET)");
  guint watchdog = pt_sd_watchdog_add();
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  g_unix_signal_add(SIGINT, on_signal, loop);
  g_unix_signal_add(SIGTERM, on_signal, loop);
  g_main_loop_run(loop);
  pt_sd_notify("STOPPING=1");
  if (watchdog)
    g_source_remove(watchdog);
  fprintf(stderr, "packtrace hub: stopping\n");
  return PT_EXIT_OK;
}

static gboolean
read_key(const char *hex_arg, const char *file, guint8 pk[PT_PUB_LEN], GError **error)
{
  g_autofree char *text = NULL;
  if (file && !g_file_get_contents(file, &text, NULL, error))
    return FALSE;
  g_autofree char *hex = g_strstrip(g_strdup(file ? text : hex_arg));
  if (strlen(hex) != PT_PUB_LEN * 2 || !pt_hex_decode(hex, pk, PT_PUB_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "a station's public key is 64 hex digits (its keys/station.pub)");
    return FALSE;
  }
  return TRUE;
}

static int
station_add(int argc, char **argv)
{
  g_auto(HubCommon) common = {0};
  g_autofree char *key = NULL, *key_file = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
      {"key", 0, 0, G_OPTION_ARG_STRING, &key, "the station's public key, hex", "HEX"},
      {"key-file", 0, 0, G_OPTION_ARG_FILENAME, &key_file, "its keys/station.pub", "PATH"},
      {NULL}};
  if (!hub_parse(&argc, &argv, "NAME", "Register a station and its Ed25519 public key.", entries,
                 &common))
    return PT_EXIT_USAGE;
  if (argc != 2 || (!key) == (!key_file)) {
    return pt_cli_usage("give NAME and one of --key HEX or --key-file PATH");
  }
  if (strlen(argv[1]) == 0 || strlen(argv[1]) > PT_HUB_NAME_MAX) {
    return pt_cli_usage("NAME must be 1..%d bytes", PT_HUB_NAME_MAX);
  }
  guint8 pk[PT_PUB_LEN];
  g_autoptr(PtHubStore) store = NULL;
  if (!read_key(key, key_file, pk, &error) || !(store = hub_open(&common, FALSE, &error))) {
    return pt_cli_fail(error);
  }
  g_autofree char *id = pt_keys_station_id(pk);
  if (!pt_hub_store_station_add(store, id, argv[1], pk, &error)) {
    return pt_cli_fail(error);
  }
  if (common.json)
    pt_cli_print_json(json_pack("{ssss}", "station", id, "name", argv[1]));
  else
    printf("station %s (%s) registered\n", id, argv[1]);
  return PT_EXIT_OK;
}

static json_t *
station_json(const PtHubStation *st, GArray *gaps)
{
  g_autofree char *pk = pt_hex_encode(st->public_key, PT_PUB_LEN);
  json_t *o = json_pack("{sssssssb}", "station", st->id, "name", st->name, "public_key", pk,
                        "revoked", st->revoked);
  json_object_set_new(o, "last_heard", pt_json_string_or_null(st->last_heard));
  json_object_set_new(o, "video_polled", pt_json_string_or_null(st->video_polled));
  json_object_set_new(o, "events", json_integer(st->n_events));
  json_object_set_new(o, "contiguous_seq", json_integer(st->contiguous_seq));
  json_object_set_new(o, "last_seq", json_integer(st->last_seq));
  json_object_set_new(o, "head_seq", json_integer(st->head_seq));
  json_object_set_new(o, "head_hash", pt_json_string_or_null(st->head_hash));
  json_object_set_new(o, "quarantined", json_integer(st->n_quarantined));
  json_object_set_new(o, "alerts", json_integer(st->n_alerts));
  if (gaps) {
    json_t *list = json_array();
    for (guint i = 0; i + 1 < gaps->len; i += 2)
      json_array_append_new(list, json_pack("[II]", (json_int_t)g_array_index(gaps, gint64, i),
                                            (json_int_t)g_array_index(gaps, gint64, i + 1)));
    json_object_set_new(o, "gaps", list);
  }
  return o;
}

static char *
gaps_text(GArray *gaps)
{
  if (!gaps || gaps->len == 0)
    return g_strdup("none");
  GString *s = g_string_new(NULL);
  for (guint i = 0; i + 1 < gaps->len; i += 2)
    g_string_append_printf(s, "%s%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, i ? "," : "",
                           g_array_index(gaps, gint64, i), g_array_index(gaps, gint64, i + 1));
  return g_string_free(s, FALSE);
}

/* `station list` (@with_status FALSE) and `status` (TRUE: gaps and alerts too). */
static int
station_list(int argc, char **argv, gboolean with_status)
{
  g_auto(HubCommon) common = {0};
  g_autoptr(GError) error = NULL;
  if (!hub_parse(&argc, &argv, NULL,
                 with_status ? "Per station: last heard, last seq, head, gaps, quarantine, "
                               "alerts."
                             : "The registered stations.",
                 NULL, &common))
    return PT_EXIT_USAGE;
  g_autoptr(PtHubStore) store = hub_open(&common, FALSE, &error);
  g_autoptr(GPtrArray) list = store ? pt_hub_store_station_list(store, &error) : NULL;
  if (!list) {
    return pt_cli_fail(error);
  }
  json_t *out = json_array();
  for (guint i = 0; i < list->len; i++) {
    const PtHubStation *st = list->pdata[i];
    g_autoptr(GArray) gaps = NULL;
    if (with_status &&
        !(gaps = pt_hub_store_station_gaps(store, st->id, PT_HUB_GAPS_MAX, &error))) {
      json_decref(out);
      return pt_cli_fail(error);
    }
    if (common.json) {
      json_array_append_new(out, station_json(st, gaps));
      continue;
    }
    if (!with_status) {
      printf("%s  %-24s %s%s\n", st->id, st->name, st->enrolled_at, st->revoked ? "  REVOKED" : "");
      continue;
    }
    g_autofree char *gap = gaps_text(gaps);
    g_autofree char *head =
        st->head_seq ? g_strdup_printf("seq %" G_GINT64_FORMAT " %s", st->head_seq, st->head_hash)
                     : g_strdup("none posted");
    printf("%s  %s%s\n  last heard %s, events %" G_GINT64_FORMAT
           ", contiguous to seq %" G_GINT64_FORMAT ", last seq %" G_GINT64_FORMAT
           "\n  head %s\n  gaps %s, quarantined %" G_GINT64_FORMAT ", alerts %" G_GINT64_FORMAT
           "\n  video relay %s%s\n",
           st->id, st->name, st->revoked ? " (REVOKED)" : "",
           st->last_heard ? st->last_heard : "never", st->n_events, st->contiguous_seq,
           st->last_seq, head, gap, st->n_quarantined, st->n_alerts,
           st->video_polled ? "last polled " : "off (never polled)",
           st->video_polled ? st->video_polled : "");
  }
  if (common.json) {
    if (with_status) {
      g_autofree char *alerts = pt_hub_store_alerts_json(store, NULL, 100, &error);
      json_t *a = alerts ? pt_json_parse(alerts, strlen(alerts), NULL) : NULL;
      pt_cli_print_json(json_pack("{soso}", "stations", out, "alerts", a ? a : json_array()));
    } else {
      pt_cli_print_json(out);
    }
  } else {
    json_decref(out);
    if (list->len == 0)
      printf("no stations registered\n");
  }
  return PT_EXIT_OK;
}

static int
station_revoke(int argc, char **argv)
{
  g_auto(HubCommon) common = {0};
  g_autoptr(GError) error = NULL;
  if (!hub_parse(&argc, &argv, "STATION-ID",
                 "Refuse the station's requests from now on (what it sent stays).", NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 2) {
    return pt_cli_usage("give the station id (see `packtrace hub station list`)");
  }
  g_autoptr(PtHubStore) store = hub_open(&common, FALSE, &error);
  if (!store || !pt_hub_store_station_revoke(store, argv[1], &error)) {
    return pt_cli_fail(error);
  }
  printf("station %s revoked\n", argv[1]);
  return PT_EXIT_OK;
}

static int
station_enrol_code(int argc, char **argv)
{
  g_auto(HubCommon) common = {0};
  int hours = PT_HUB_ENROL_CODE_TTL_S / 3600;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
      {"valid-hours", 0, 0, G_OPTION_ARG_INT, &hours, "how long the code works (default 168)", "N"},
      {NULL}};
  if (!hub_parse(&argc, &argv, "NAME",
                 "Print a one-time code a station redeems to enrol its key under NAME.", entries,
                 &common))
    return PT_EXIT_USAGE;
  if (argc != 2 || strlen(argv[1]) == 0 || strlen(argv[1]) > PT_HUB_NAME_MAX) {
    return pt_cli_usage("give the station's NAME (1..%d bytes)", PT_HUB_NAME_MAX);
  }
  if (hours < 1 || hours > PT_HUB_ENROL_CODE_TTL_S / 3600 * 4) {
    return pt_cli_usage("--valid-hours must be 1..%d", PT_HUB_ENROL_CODE_TTL_S / 3600 * 4);
  }
  g_autoptr(PtHubStore) store = hub_open(&common, FALSE, &error);
  g_autofree char *code = pt_hub_enrol_code_new();
  guint8 hash[PT_HASH_LEN];
  pt_hub_enrol_code_hash(code, hash);
  gint64 expires = pt_now_ns() + (gint64)hours * 3600 * G_GINT64_CONSTANT(1000000000);
  if (!store || !pt_hub_store_enrol_code_add(store, hash, argv[1], expires, &error)) {
    return pt_cli_fail(error);
  }
  g_autofree char *until = pt_time_format(expires);
  if (common.json)
    pt_cli_print_json(json_pack("{ssssss}", "code", code, "name", argv[1], "expires", until));
  else
    printf("%s\n(one use, for station \"%s\", valid until %s)\n", code, argv[1], until);
  return PT_EXIT_OK;
}

static int
hub_quarantine(int argc, char **argv)
{
  g_auto(HubCommon) common = {0};
  g_autofree char *station = NULL;
  int limit = 50;
  g_autoptr(GError) error = NULL;
  const GOptionEntry entries[] = {
      {"station", 0, 0, G_OPTION_ARG_STRING, &station, "only this station's", "ID"},
      {"limit", 0, 0, G_OPTION_ARG_INT, &limit, "newest N (default 50)", "N"},
      {NULL}};
  if (!hub_parse(&argc, &argv, NULL, "The refused events, newest first, with their reasons.",
                 entries, &common))
    return PT_EXIT_USAGE;
  if (limit < 1 || limit > PT_HUB_QUARANTINE_LIST_MAX) {
    return pt_cli_usage("--limit must be 1..%d", PT_HUB_QUARANTINE_LIST_MAX);
  }
  g_autoptr(PtHubStore) store = hub_open(&common, FALSE, &error);
  g_autofree char *text =
      store ? pt_hub_store_quarantine_json(store, station, (guint)limit, &error) : NULL;
  json_t *rows = text ? pt_json_parse(text, strlen(text), &error) : NULL;
  if (!rows) {
    return pt_cli_fail(error);
  }
  if (common.json) {
    pt_cli_print_json(rows);
  } else {
    size_t i;
    json_t *r;
    json_array_foreach(rows, i, r)
    {
      printf("%s  station %s seq %" JSON_INTEGER_FORMAT "  %s\n  %s\n",
             json_string_value(json_object_get(r, "received_at")),
             json_string_value(json_object_get(r, "station")),
             json_integer_value(json_object_get(r, "seq")),
             json_string_value(json_object_get(r, "event_id")) ?: "",
             json_string_value(json_object_get(r, "reason")));
    }
    if (json_array_size(rows) == 0)
      printf("quarantine is empty\n");
    json_decref(rows);
  }
  return PT_EXIT_OK;
}

static int
hub_station(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace hub station add|list|revoke|enrol-code [OPTIONS]\n"
            "  add NAME --key HEX|--key-file PATH   register a station's public key\n"
            "  list                                 the registered stations\n"
            "  revoke STATION-ID                    refuse its requests from now on\n"
            "  enrol-code NAME                      a one-time code the station redeems\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  g_autofree char *name = g_strdup_printf("hub station %s", sub);
  argv[1] = name;
  argc--;
  argv++;
  if (strcmp(sub, "add") == 0)
    return station_add(argc, argv);
  if (strcmp(sub, "list") == 0)
    return station_list(argc, argv, FALSE);
  if (strcmp(sub, "revoke") == 0)
    return station_revoke(argc, argv);
  if (strcmp(sub, "enrol-code") == 0)
    return station_enrol_code(argc, argv);
  fprintf(stderr, "packtrace hub station: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}

/* `hub buyer add NAME --gln GLN` and `hub admin add NAME`: a bearer token for the readers'
 * routes (pt-hub-buyer.h), printed once; the hub keeps its SHA-256. */
static int
token_add(int argc, char **argv, PtHubRole role)
{
  g_auto(HubCommon) common = {0};
  g_autofree char *gln = NULL;
  g_autoptr(GError) error = NULL;
  const GOptionEntry buyer_entries[] = {
      {"gln", 0, 0, G_OPTION_ARG_STRING, &gln, "the buyer's GLN (13 digits): its scope", "GLN"},
      {NULL}};
  gboolean buyer = role == PT_HUB_ROLE_BUYER;
  if (!hub_parse(&argc, &argv, "add NAME",
                 buyer ? "Print a bearer token for a buyer, scoped to its GLN."
                       : "Print a bearer token for an admin (every event, every batch).",
                 buyer ? buyer_entries : NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 3 || strcmp(argv[1], "add") != 0)
    return pt_cli_usage("usage: packtrace hub %s add NAME%s", buyer ? "buyer" : "admin",
                        buyer ? " --gln GLN" : "");
  if (buyer && !gln)
    return pt_cli_usage("a buyer needs --gln GLN");
  g_autoptr(PtHubStore) store = hub_open(&common, FALSE, &error);
  g_autofree char *token = store ? pt_hub_token_new(store, argv[2], role, gln, &error) : NULL;
  if (!token)
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(json_pack("{ssssso}", "token", token, "name", argv[2], "gln",
                                gln ? json_string(gln) : json_null()));
  else
    printf("%s\n(shown once: the hub keeps only its hash; send it as Authorization: Bearer)\n",
           token);
  return PT_EXIT_OK;
}

int
pt_cmd_hub(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace hub serve|migrate|station|quarantine|status|buyer|admin [OPTIONS]\n"
            "  serve        the hub's HTTP server for stations (station/hub/PROTOCOL.md)\n"
            "  migrate      create or upgrade the hub's PostgreSQL schema\n"
            "  station      add | list | revoke | enrol-code\n"
            "  quarantine   refused events and why\n"
            "  status       per station: last heard, seq, head, gaps, quarantine, alerts\n"
            "  buyer add NAME --gln GLN   a buyer's bearer token (EPCIS queries, search, quality)\n"
            "  admin add NAME             an admin's bearer token (every event)\n"
            "Each takes --help, --dsn DSN (or $PACKTRACE_HUB_DSN) and --config hub.ini.\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  if (strcmp(sub, "station") == 0)
    return hub_station(argc - 1, argv + 1);
  if (strcmp(sub, "buyer") == 0 || strcmp(sub, "admin") == 0) {
    g_autofree char *tname = g_strdup_printf("hub %s", sub);
    argv[1] = tname;
    return token_add(argc - 1, argv + 1,
                     strcmp(sub, "buyer") == 0 ? PT_HUB_ROLE_BUYER : PT_HUB_ROLE_ADMIN);
  }
  g_autofree char *name = g_strdup_printf("hub %s", sub);
  argv[1] = name;
  argc--;
  argv++;
  if (strcmp(sub, "serve") == 0)
    return hub_serve(argc, argv);
  if (strcmp(sub, "migrate") == 0)
    return hub_migrate(argc, argv);
  if (strcmp(sub, "quarantine") == 0)
    return hub_quarantine(argc, argv);
  if (strcmp(sub, "status") == 0)
    return station_list(argc, argv, TRUE);
  fprintf(stderr, "packtrace hub: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}
