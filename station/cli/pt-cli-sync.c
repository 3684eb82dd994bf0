/* pt-cli-sync.c: `packtrace sync add|list|remove|status|retry`. */
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-hub-client.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-store-sync.h"
#include "pt-sync-config.h"
#include "pt-sync-status.h"

#include <stdio.h>
#include <string.h>

static char *
ini_path(const PtStation *station)
{
  return g_build_filename(station->dir, "station.ini", NULL);
}

/* A hub connector is added only once the hub knows the station: by redeeming @code, or (an
 * admin registered the key) by asking the hub what it holds.  Returns: (transfer full): the
 * hub's answer, printed for the operator. */
static json_t *
hub_introduce(PtStation *station, const char *name, const char *url, const char *ca_file,
              const char *proxy, const char *code, GError **error)
{
  g_autoptr(GPtrArray) existing = pt_sync_connectors_load(station->config, station->dir, error);
  if (!existing)
    return NULL;
  for (guint i = 0; i < existing->len; i++)
    if (strcmp(((PtSyncConnector *)existing->pdata[i])->name, name) == 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "connector %s already exists", name);
      return NULL;
    }
  PtHubTarget target = {.url = url, .ca_file = ca_file, .proxy = proxy, .timeout_ms = 30000};
  if (!code)
    return pt_hub_client_station(&target, station->keys, error);
  json_t *enrolled =
      pt_hub_client_enrol(&target, station->keys, code, station->config->name, error);
  if (!enrolled)
    return NULL;
  json_decref(enrolled);
  /* The enrolment's proof: the hub now answers the station's signed requests. */
  return pt_hub_client_station(&target, station->keys, error);
}

static int
sync_add(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *type = NULL, *url = NULL, *secret = NULL, *bearer = NULL, *filter = NULL,
                  *ca_file = NULL, *proxy = NULL, *template = NULL, *enrol = NULL;
  int max_batch = 0;
  gboolean from_start = FALSE, video_relay = FALSE;
  const GOptionEntry entries[] = {
      {"type", 0, 0, G_OPTION_ARG_STRING, &type, "epcis, webhook or hub (required)", "TYPE"},
      {"url", 0, 0, G_OPTION_ARG_STRING, &url,
       "Webhook URL, the EPCIS base (POST {url}/capture) or the hub's base URL (required)", "URL"},
      {"enrol", 0, 0, G_OPTION_ARG_STRING, &enrol,
       "Hub: redeem this one-time enrolment code (without it the hub must already know the "
       "station's key)",
       "CODE"},
      {"secret", 0, 0, G_OPTION_ARG_STRING, &secret,
       "HMAC key that signs webhooks (required for webhooks, 16+ characters)", "S"},
      {"bearer", 0, 0, G_OPTION_ARG_STRING, &bearer, "Send Authorization: Bearer TOKEN", "TOKEN"},
      {"filter", 0, 0, G_OPTION_ARG_STRING, &filter,
       "all (default), product:NAME, gtin:GTIN or grower:NAME", "FILTER"},
      {"ca-file", 0, 0, G_OPTION_ARG_FILENAME, &ca_file, "CA bundle for a private CA", "FILE"},
      {"proxy", 0, 0, G_OPTION_ARG_STRING, &proxy, "Proxy URL (default: none)", "URL"},
      {"template", 0, 0, G_OPTION_ARG_FILENAME, &template,
       "Webhook JSON template ({{field}} placeholders)", "FILE"},
      {"max-batch", 0, 0, G_OPTION_ARG_INT, &max_batch, "EPCIS: events per capture (default 500)",
       "N"},
      {"from-start", 0, 0, G_OPTION_ARG_NONE, &from_start,
       "Also send everything recorded before (default: only what comes next)", NULL},
      {"video-relay", 0, 0, G_OPTION_ARG_NONE, &video_relay,
       "Hub: buyers watch the loading of their loads through the hub (the station asks the "
       "hub what is wanted; nothing reaches the shed from outside)",
       NULL},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "NAME",
                    "Add a sync connector to station.ini; restart `packtrace run` to start it.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one connector NAME");
  if (!type || !url)
    return pt_cli_usage("--type and --url are required");
  if (strcmp(type, "epcis") != 0 && strcmp(type, "webhook") != 0 && strcmp(type, "hub") != 0)
    return pt_cli_usage("--type must be epcis, webhook or hub");
  gboolean hub = strcmp(type, "hub") == 0;
  if ((enrol || video_relay) && !hub)
    return pt_cli_usage("--enrol and --video-relay are for --type hub");
  if (hub && (filter || secret || template))
    return pt_cli_usage("a hub connector takes no --filter, --secret or --template: the hub "
                        "verifies the whole station chain, and requests are signed with the "
                        "station key");
  if (max_batch < 0)
    return pt_cli_usage("--max-batch must be positive");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store)
    return pt_cli_fail(error);
  g_autofree char *ini = ini_path(station);
  g_autoptr(json_t) hub_view =
      hub ? hub_introduce(station, argv[1], url, ca_file, proxy, enrol, &error) : NULL;
  if (hub && !hub_view)
    return pt_cli_fail(error);
  PtSyncAddSpec spec = {
      .name = argv[1],
      .type = type,
      .from_start = from_start || hub,
      .url = url,
      .secret = secret,
      .bearer = bearer,
      .filter = filter,
      .ca_file = ca_file,
      .proxy = proxy,
      .template = template,
      .max_batch = max_batch,
      .video_relay = video_relay,
  };
  g_autoptr(PtSyncConnector) c = pt_sync_connector_add(ini, station->dir, &spec, &error);
  if (!c)
    return pt_cli_fail(error);
  /* State left by an earlier connector of the same name is not this one's. */
  if (!pt_store_begin(store, &error) || !pt_store_sync_connector_delete(store, c->name, &error) ||
      !pt_store_sync_connector_ensure(store, c->name, spec.from_start, &error) ||
      !pt_store_commit(store, &error)) {
    pt_store_rollback(store);
    return pt_cli_fail(error);
  }
  g_autofree char *pub = pt_hex_encode(station->keys->public_key, PT_PUB_LEN);
  if (hub && common.json) {
    pt_cli_print_json(json_pack("{sssssssssssbsO}", "name", c->name, "type", type, "url", c->url,
                                "station_id", station->config->station_id, "public_key", pub,
                                "enrolled", enrol != NULL, "hub", hub_view));
  } else if (hub) {
    json_t *last = json_object_get(hub_view, "contiguous_seq");
    printf("added hub connector %s (%s); station %s, public key %s; %s", c->name, c->url,
           station->config->station_id, pub, enrol ? "enrolled" : "known to the hub");
    if (json_is_integer(last))
      printf(", the hub holds its log up to seq %" JSON_INTEGER_FORMAT, json_integer_value(last));
    printf("; restart `packtrace run` to start it\n");
  } else if (common.json)
    pt_cli_print_json(json_pack("{sssssssb}", "name", c->name, "type", type, "filter", c->filter,
                                "from_start", from_start));
  else
    printf("added %s connector %s (%s, filter %s%s); restart `packtrace run` to start it\n", type,
           c->name, c->url, c->filter, from_start ? ", from the start of the log" : "");
  return PT_EXIT_OK;
}

static int
sync_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "", "List the sync connectors of station.ini.", NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(GPtrArray) list =
      station ? pt_sync_connectors_load(station->config, station->dir, &error) : NULL;
  if (!list)
    return pt_cli_fail(error);
  json_t *arr = common.json ? json_array() : NULL;
  for (guint i = 0; i < list->len; i++) {
    PtSyncConnector *c = list->pdata[i];
    const char *type = pt_sync_type_name(c->type);
    if (arr)
      json_array_append_new(arr, json_pack("{ssssssss}", "name", c->name, "type", type, "url",
                                           c->url, "filter", c->filter));
    else
      printf("%-16s %-8s %s  filter %s\n", c->name, type, c->url, c->filter);
  }
  if (arr)
    pt_cli_print_json(json_pack("{so}", "connectors", arr));
  else if (!list->len)
    printf("no sync connectors (add one with `packtrace sync add`)\n");
  return PT_EXIT_OK;
}

static int
sync_remove(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "NAME",
                    "Remove a sync connector from station.ini and forget its queue.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one connector NAME");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store)
    return pt_cli_fail(error);
  g_autofree char *ini = ini_path(station);
  if (!pt_sync_connector_remove(ini, argv[1], &error))
    return pt_cli_fail(error);
  if (!pt_store_begin(store, &error) || !pt_store_sync_connector_delete(store, argv[1], &error) ||
      !pt_store_commit(store, &error)) {
    pt_store_rollback(store);
    return pt_cli_fail(error);
  }
  if (common.json)
    pt_cli_print_json(json_pack("{ss}", "removed", argv[1]));
  else
    printf("removed connector %s\n", argv[1]);
  return PT_EXIT_OK;
}

static void
print_age(double s)
{
  if (s < 120)
    printf("%.0fs", s);
  else if (s < 7200)
    printf("%.0fm", s / 60);
  else if (s < 172800)
    printf("%.1fh", s / 3600);
  else
    printf("%.1fd", s / 86400);
}

static json_int_t
int_of(json_t *o, const char *key)
{
  return json_integer_value(json_object_get(o, key));
}

/* The hub connector's cursor and what the hub itself says it holds. */
static void
print_hub_text(json_t *hub)
{
  json_t *view = json_object_get(hub, "view");
  json_t *ev = json_object_get(hub, "evidence");
  printf("  last delivered seq %" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT
         ", chain head published at seq %" JSON_INTEGER_FORMAT "\n",
         int_of(hub, "last_delivered_seq"), int_of(hub, "station_seq"),
         int_of(hub, "head_published_seq"));
  if (json_is_object(view)) {
    json_t *last = json_object_get(view, "contiguous_seq");
    json_t *head = json_object_get(view, "head");
    json_t *gaps = json_object_get(view, "gaps");
    json_t *quarantined = json_object_get(view, "quarantined");
    printf("  the hub (%s): holds up to seq ", json_string_value(json_object_get(hub, "view_at")));
    if (json_is_integer(last))
      printf("%" JSON_INTEGER_FORMAT, json_integer_value(last));
    else
      printf("?");
    if (json_is_object(head))
      printf(", head at seq %" JSON_INTEGER_FORMAT, int_of(head, "seq"));
    printf(", gaps %zu",
           json_is_array(gaps) ? json_array_size(gaps) : (size_t)int_of(view, "gap_count"));
    if (json_is_integer(quarantined))
      printf(", quarantined %" JSON_INTEGER_FORMAT, json_integer_value(quarantined));
    printf("\n");
  } else {
    printf("  the hub has not answered yet\n");
  }
  printf("  evidence: wanted %" JSON_INTEGER_FORMAT ", sent %" JSON_INTEGER_FORMAT
         ", missing %" JSON_INTEGER_FORMAT ", refused %" JSON_INTEGER_FORMAT "\n",
         int_of(ev, "wanted"), int_of(ev, "sent"), int_of(ev, "missing"), int_of(ev, "refused"));
  gsize i;
  json_t *p;
  json_array_foreach(json_object_get(ev, "problems"), i, p)
      printf("  EVIDENCE %s %s: %s\n", json_string_value(json_object_get(p, "state")),
             json_string_value(json_object_get(p, "sha256")),
             json_string_value(json_object_get(p, "error")));
}

static void
print_status_text(json_t *status)
{
  json_t *list = json_object_get(status, "connectors");
  gsize i;
  json_t *c;
  if (!json_array_size(list))
    printf("no sync connectors (add one with `packtrace sync add`)\n");
  json_array_foreach(list, i, c)
  {
    printf("%s (%s %s, filter %s)\n", json_string_value(json_object_get(c, "name")),
           json_string_value(json_object_get(c, "type")),
           json_string_value(json_object_get(c, "url")),
           json_string_value(json_object_get(c, "filter")));
    printf("  pending %" JSON_INTEGER_FORMAT ", in flight %" JSON_INTEGER_FORMAT
           ", failed %" JSON_INTEGER_FORMAT ", quarantined %" JSON_INTEGER_FORMAT
           ", delivered %" JSON_INTEGER_FORMAT,
           json_integer_value(json_object_get(c, "pending")),
           json_integer_value(json_object_get(c, "in_flight")),
           json_integer_value(json_object_get(c, "failed")),
           json_integer_value(json_object_get(c, "quarantined")),
           json_integer_value(json_object_get(c, "delivered")));
    json_t *age = json_object_get(c, "oldest_pending_age_s");
    if (json_is_number(age)) {
      printf(", oldest pending ");
      print_age(json_number_value(age));
    }
    printf("\n");
    json_t *hub = json_object_get(c, "hub");
    if (hub)
      print_hub_text(hub);
    const char *err = json_string_value(json_object_get(c, "last_error"));
    if (err)
      printf("  last error at %s: %s\n", json_string_value(json_object_get(c, "last_error_at")),
             err);
    gsize j;
    json_t *f;
    json_array_foreach(json_object_get(c, "failures"), j, f) printf(
        "  %s %s (lot %s): %s\n",
        g_strcmp0(json_string_value(json_object_get(f, "state")), "quarantined") == 0
            ? "QUARANTINED"
            : "FAILED",
        json_string_value(json_object_get(f, "key")), json_string_value(json_object_get(f, "lot")),
        json_string_value(json_object_get(f, "error")));
  }
}

static int
sync_status(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(
          &argc, &argv, "[NAME]",
          "Per connector: pending, in flight, failed and quarantined (with the platform's answer), "
          "oldest pending age, last error.",
          NULL, &common))
    return PT_EXIT_USAGE;
  if (argc > 2)
    return pt_cli_usage("unexpected argument '%s'", argv[2]);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  json_t *status = store ? pt_sync_status_json(station->config, station->dir, store,
                                               argc == 2 ? argv[1] : NULL, &error)
                         : NULL;
  if (!status)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(status);
  } else {
    print_status_text(status);
    json_decref(status);
  }
  return PT_EXIT_OK;
}

static int
sync_retry(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *connector = NULL;
  gboolean failed = FALSE;
  const GOptionEntry entries[] = {
      {"connector", 0, 0, G_OPTION_ARG_STRING, &connector, "Only this connector", "NAME"},
      {"failed", 0, 0, G_OPTION_ARG_NONE, &failed,
       "Also send again what the platform refused for good", NULL},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "",
                    "Send waiting deliveries now (a running station drops its back-off) and, "
                    "with --failed, refused and quarantined ones again.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  gint64 n =
      store ? pt_sync_retry(station->config, station->dir, store, connector, failed, &error) : -1;
  if (n < 0)
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(json_pack("{sI}", "requeued", (json_int_t)n));
  else
    printf("%" G_GINT64_FORMAT " deliveries due now\n", n);
  return PT_EXIT_OK;
}

int
pt_cmd_sync(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace sync add|list|remove|status|retry [OPTIONS]\n"
            "  add NAME --type epcis|webhook --url URL [--secret S] [--filter F] ...\n"
            "  add NAME --type hub --url URL [--enrol CODE]\n"
            "  list           connectors of station.ini\n"
            "  remove NAME    remove a connector and forget its queue\n"
            "  status [NAME]  pending, in flight, failed, oldest pending age, last error\n"
            "  retry [--connector NAME] [--failed]\n"
            "Each takes --help.\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  g_autofree char *name = g_strdup_printf("sync %s", sub);
  argv[1] = name;
  argc--;
  argv++;
  if (strcmp(sub, "add") == 0)
    return sync_add(argc, argv);
  if (strcmp(sub, "list") == 0)
    return sync_list(argc, argv);
  if (strcmp(sub, "remove") == 0)
    return sync_remove(argc, argv);
  if (strcmp(sub, "status") == 0)
    return sync_status(argc, argv);
  if (strcmp(sub, "retry") == 0)
    return sync_retry(argc, argv);
  fprintf(stderr, "packtrace sync: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}
