/* pt-cli-sync.c: `packtrace sync add|list|remove|status|retry`. */
#include "pt-cli.h"
#include "pt-error.h"
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

static int
sync_add(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *type = NULL, *url = NULL, *secret = NULL, *bearer = NULL, *filter = NULL,
                  *ca_file = NULL, *proxy = NULL, *template = NULL;
  int max_batch = 0;
  gboolean from_start = FALSE;
  const GOptionEntry entries[] = {
      {"type", 0, 0, G_OPTION_ARG_STRING, &type, "epcis or webhook (required)", "TYPE"},
      {"url", 0, 0, G_OPTION_ARG_STRING, &url,
       "Webhook URL, or the EPCIS base (POST {url}/capture) (required)", "URL"},
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
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "NAME",
                    "Add a sync connector to station.ini; restart `packtrace run` to start it.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one connector NAME");
  if (!type || !url)
    return pt_cli_usage("--type and --url are required");
  if (strcmp(type, "epcis") != 0 && strcmp(type, "webhook") != 0)
    return pt_cli_usage("--type must be epcis or webhook");
  if (max_batch < 0)
    return pt_cli_usage("--max-batch must be positive");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store)
    return pt_cli_fail(error);
  g_autofree char *ini = ini_path(station);
  PtSyncAddSpec spec = {.name = argv[1],
                        .type = type,
                        .url = url,
                        .secret = secret,
                        .bearer = bearer,
                        .filter = filter,
                        .ca_file = ca_file,
                        .proxy = proxy,
                        .template = template,
                        .max_batch = max_batch,
                        .from_start = from_start};
  g_autoptr(PtSyncConnector) c = pt_sync_connector_add(ini, station->dir, &spec, &error);
  if (!c)
    return pt_cli_fail(error);
  /* State left by an earlier connector of the same name is not this one's. */
  if (!pt_store_begin(store, &error) || !pt_store_sync_connector_delete(store, c->name, &error) ||
      !pt_store_sync_connector_ensure(store, c->name, from_start, &error) ||
      !pt_store_commit(store, &error)) {
    pt_store_rollback(store);
    return pt_cli_fail(error);
  }
  if (common.json)
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
    const char *type = c->type == PT_SYNC_EPCIS ? "epcis" : "webhook";
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
