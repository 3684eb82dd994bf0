/* pt-cli-load.c: `packtrace load new | add | show | close | list`: trucks leaving the shed. */
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-limits.h"
#include "pt-load.h"
#include "pt-pallet.h"
#include "pt-time.h"

#include <stdio.h>
#include <string.h>

static int
load_new(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  PtLoadSpec spec = {0};
  g_autofree char *plate = NULL, *seal = NULL, *driver = NULL, *phone = NULL, *dest = NULL,
                  *gln = NULL, *bol = NULL, *desadv = NULL, *po = NULL, *dock = NULL;
  const GOptionEntry entries[] = {
      {"plate", 0, 0, G_OPTION_ARG_STRING, &plate, "Vehicle plate (required)", "TEXT"},
      {"seal", 0, 0, G_OPTION_ARG_STRING, &seal, "Seal number (required)", "TEXT"},
      {"driver-name", 0, 0, G_OPTION_ARG_STRING, &driver, "Driver's name", "TEXT"},
      {"driver-phone", 0, 0, G_OPTION_ARG_STRING, &phone, "Driver's phone", "NUMBER"},
      {"destination", 0, 0, G_OPTION_ARG_STRING, &dest, "Buyer or destination name", "NAME"},
      {"destination-gln", 0, 0, G_OPTION_ARG_STRING, &gln, "Destination GLN (13 digits)", "GLN"},
      {"bol", 0, 0, G_OPTION_ARG_STRING, &bol, "Bill of lading number", "NUM"},
      {"desadv", 0, 0, G_OPTION_ARG_STRING, &desadv, "Despatch advice number", "NUM"},
      {"po", 0, 0, G_OPTION_ARG_STRING, &po, "Purchase order number", "NUM"},
      {"dock", 0, 0, G_OPTION_ARG_STRING, &dock,
       "Dock: its loading camera fills this load from the labels it reads", "NAME"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "", "Open a load (a truck at the dock).", entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("load new takes no arguments, only options");
  if (!plate || !seal)
    return pt_cli_usage("--plate and --seal are required");
  spec = (PtLoadSpec){.plate = plate,
                      .seal = seal,
                      .driver_name = driver,
                      .driver_phone = phone,
                      .destination = dest,
                      .destination_gln = gln,
                      .bol = bol,
                      .desadv = desadv,
                      .po = po,
                      .dock = dock};
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtLoad) load = store ? pt_load_create(store, &spec, &error) : NULL;
  if (!load)
    return pt_cli_fail(error);
  if (common.json) {
    json_t *o = pt_load_to_json(store, load, FALSE, &error);
    pt_cli_print_json(o);
  } else {
    printf("load %" G_GINT64_FORMAT " open: plate %s, seal %s%s%s\n", load->id, load->plate,
           load->seal, load->dock ? ", dock " : "", load->dock ? load->dock : "");
  }
  return PT_EXIT_OK;
}

/* `load add|remove LOAD --pallet SSCC`: a pallet on or off, one event per lot on it. */
static int
move_pallet(const PtCliCommon *common, const char *load_ref, const char *sscc, gboolean add,
            const char *reason)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtLoad) load = store ? pt_load_lookup(store, load_ref, &error) : NULL;
  g_autoptr(PtPallet) pallet = load ? pt_pallet_lookup(store, sscc, &error) : NULL;
  guint n = 0;
  gboolean existed = FALSE;
  if (!pallet || !(add ? pt_load_add_pallet(station, store, load->id, pallet->sscc, "operator",
                                            pt_now_ns(), &n, &existed, &error)
                       : pt_load_remove_pallet(station, store, load->id, pallet->sscc, "operator",
                                               reason, &n, &error)))
    return pt_cli_fail(error);
  if (common->json)
    pt_cli_print_json(json_pack("{sIsssbsisb}", "load", (json_int_t)load->id, "sscc", pallet->sscc,
                                add ? "loaded" : "removed", TRUE, "events", (int)n, "existed",
                                existed));
  else if (existed)
    printf("pallet (00)%s was already on load %" G_GINT64_FORMAT "\n", pallet->sscc, load->id);
  else
    printf("pallet (00)%s %s load %" G_GINT64_FORMAT ": %u %s event%s\n", pallet->sscc,
           add ? "loaded on" : "taken off", load->id, n, add ? "loading" : "unloading",
           n == 1 ? "" : "s");
  return PT_EXIT_OK;
}

static int
load_add(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *sscc = NULL;
  double quantity = 0;
  const GOptionEntry entries[] = {
      {"pallet", 0, 0, G_OPTION_ARG_STRING, &sscc,
       "Put a pallet on instead (its SSCC): a loading event for each lot on it", "SSCC"},
      {"quantity", 0, 0, G_OPTION_ARG_DOUBLE, &quantity,
       "What of a loose lot this truck takes, in the lot's unit (default: what is left)", "Q"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "LOAD [BATCH]",
                    "Put a batch on a load: a signed loading event.  BATCH is its lot; #N is "
                    "the batch with id N (a bare number names an id only when no lot has that "
                    "text).  A lot split over trucks: --quantity on each but the last, which "
                    "takes the rest; nothing is counted twice.  A batch held or recalled by its "
                    "signed record, one on another open load, one with nothing left to load, or "
                    "one on a pallet (load the pallet), is refused (and the refusal recorded).  "
                    "With --pallet SSCC, the pallet goes on.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (sscc ? argc != 2 : argc != 3)
    return pt_cli_usage("expected a load number and a batch (lot, or #ID), or --pallet SSCC");
  if (sscc && quantity != 0)
    return pt_cli_usage("--quantity is for a loose lot, not a pallet");
  if (sscc)
    return move_pallet(&common, argv[1], sscc, TRUE, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtLoad) load = store ? pt_load_lookup(store, argv[1], &error) : NULL;
  g_autoptr(PtBatch) batch = load ? pt_batch_lookup(store, argv[2], &error) : NULL;
  g_autoptr(PtLoadItem) item = NULL;
  gboolean existed = FALSE;
  if (!batch || !pt_load_add_batch(station, store, load->id, batch, quantity, "operator",
                                   pt_now_ns(), &item, &existed, &error))
    return pt_cli_fail(error);
  if (common.json) {
    json_t *o = pt_load_item_to_json(item);
    json_object_set_new(o, "existed", json_boolean(existed));
    pt_cli_print_json(o);
  } else {
    printf("batch %s %s load %" G_GINT64_FORMAT ": loading event %s\n", item->lot,
           existed ? "was already on" : "loaded on", load->id, item->event_id);
  }
  return PT_EXIT_OK;
}

static int
load_remove(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *reason = NULL, *sscc = NULL;
  const GOptionEntry entries[] = {
      {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why it comes off (signed)", "TEXT"},
      {"pallet", 0, 0, G_OPTION_ARG_STRING, &sscc,
       "Take a pallet off instead (its SSCC): an unloading event for each lot on it", "SSCC"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "LOAD [BATCH]",
                    "Take a batch (lot, or #ID) off an open load: a signed unloading event.  A "
                    "load that carries a held or recalled batch closes only once it is off.  A "
                    "lot that went on with its pallet comes off with it (--pallet SSCC).",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (sscc ? argc != 2 : argc != 3)
    return pt_cli_usage("expected a load number and a batch (lot, or #ID), or --pallet SSCC");
  if (sscc)
    return move_pallet(&common, argv[1], sscc, FALSE, reason);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtLoad) load = store ? pt_load_lookup(store, argv[1], &error) : NULL;
  g_autoptr(PtBatch) batch = load ? pt_batch_lookup(store, argv[2], &error) : NULL;
  if (!batch || !pt_load_remove_batch(station, store, load->id, batch, "operator", reason, &error))
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(
        json_pack("{sIsssb}", "load", (json_int_t)load->id, "lot", batch->lot, "removed", TRUE));
  else
    printf("batch %s taken off load %" G_GINT64_FORMAT ": unloading event signed\n", batch->lot,
           load->id);
  return PT_EXIT_OK;
}

static void
print_load_line(const PtLoad *l)
{
  g_autofree char *opened = pt_time_format(l->opened_ns);
  printf("%-5" G_GINT64_FORMAT " %-6s %-12s %-12s %-10s %-20s %s\n", l->id,
         l->closed_ns ? "closed" : "open", l->plate, l->seal, l->dock ? l->dock : "-",
         l->destination ? l->destination : "-", opened);
}

static int
load_show(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "LOAD", "A load: its truck, batches and refused attempts.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected a load number");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtLoad) load = store ? pt_load_lookup(store, argv[1], &error) : NULL;
  json_t *o = load ? pt_load_to_json(store, load, TRUE, &error) : NULL;
  if (!o)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(o);
    return PT_EXIT_OK;
  }
  printf("load %" G_GINT64_FORMAT " (%s): plate %s, seal %s\n", load->id,
         load->closed_ns ? "closed" : "open", load->plate, load->seal);
  if (load->driver_name || load->driver_phone)
    printf("  driver       %s %s\n", load->driver_name ? load->driver_name : "",
           load->driver_phone ? load->driver_phone : "");
  if (load->destination || load->destination_gln)
    printf("  destination  %s %s\n", load->destination ? load->destination : "",
           load->destination_gln ? load->destination_gln : "");
  if (load->bol)
    printf("  bol          %s\n", load->bol);
  if (load->desadv)
    printf("  desadv       %s\n", load->desadv);
  if (load->po)
    printf("  po           %s\n", load->po);
  if (load->dock)
    printf("  dock         %s\n", load->dock);
  printf("  opened       %s\n", json_string_value(json_object_get(o, "opened")));
  if (load->closed_ns)
    printf("  closed       %s\n", json_string_value(json_object_get(o, "closed")));
  json_t *arr = json_object_get(o, "batches");
  printf("  batches      %zu\n", json_array_size(arr));
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v)
  {
    printf("    %-16s %s  %s  %s\n", json_string_value(json_object_get(v, "lot")),
           json_string_value(json_object_get(v, "added")),
           json_string_value(json_object_get(v, "source")),
           json_string_value(json_object_get(v, "event_id")));
  }
  arr = json_object_get(o, "pallets");
  printf("  pallets      %zu\n", json_array_size(arr));
  json_array_foreach(arr, i, v) printf("    (00)%s\n", json_string_value(v));
  arr = json_object_get(o, "refusals");
  printf("  refusals     %zu\n", json_array_size(arr));
  json_array_foreach(arr, i, v)
  {
    printf("    %s  %s  %s\n", json_string_value(json_object_get(v, "refused")),
           json_string_value(json_object_get(v, "source")),
           json_string_value(json_object_get(v, "reason")));
  }
  json_decref(o);
  return PT_EXIT_OK;
}

static int
load_close(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "LOAD",
                    "Close a load: a signed departing event for each batch on it.", NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected a load number");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtLoad) load = store ? pt_load_lookup(store, argv[1], &error) : NULL;
  guint n = 0;
  if (!load || !pt_load_close(station, store, load->id, &n, &error))
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(json_pack("{sIsi}", "id", (json_int_t)load->id, "departing_events", (int)n));
  else
    printf("load %" G_GINT64_FORMAT " closed: %u departing event%s\n", load->id, n,
           n == 1 ? "" : "s");
  return PT_EXIT_OK;
}

static int
load_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  int limit = PT_LIST_LIMIT_DEFAULT;
  const GOptionEntry entries[] = {
      {"limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N loads (newest first)", "N"}, {NULL}};
  if (!pt_cli_parse(&argc, &argv, "", "List loads, newest first.", entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("load list takes no arguments");
  if (limit < 1 || limit > PT_LIST_LIMIT_MAX)
    return pt_cli_usage("--limit must be 1..%d", PT_LIST_LIMIT_MAX);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(GPtrArray) list = store ? pt_store_load_list(store, limit, 0, &error) : NULL;
  if (!list)
    return pt_cli_fail(error);
  if (common.json) {
    json_t *arr = json_array();
    for (guint i = 0; i < list->len; i++)
      json_array_append_new(arr, pt_load_to_json(store, g_ptr_array_index(list, i), FALSE, NULL));
    pt_cli_print_json(json_pack("{so}", "loads", arr));
    return PT_EXIT_OK;
  }
  for (guint i = 0; i < list->len; i++)
    print_load_line(g_ptr_array_index(list, i));
  return PT_EXIT_OK;
}

int
pt_cmd_load(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace load new|add|remove|show|close|list [OPTIONS]\n"
            "  new --plate P --seal S [...]  open a load\n"
            "  add LOAD BATCH                put a batch on it (loading event); BATCH is a\n"
            "                                lot, or #N for the batch with id N\n"
            "  add LOAD --pallet SSCC        put a pallet on it (a loading event per lot)\n"
            "  remove LOAD BATCH             take a batch off it (unloading event)\n"
            "  remove LOAD --pallet SSCC     take a pallet off it\n"
            "  show LOAD                     its batches and refusals\n"
            "  close LOAD                    departing events; the load is closed (refused\n"
            "                                while a batch on it is held or recalled)\n"
            "  list                          loads, newest first\n"
            "Each takes --help.\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } subs[] = {{"new", load_new},   {"add", load_add},     {"remove", load_remove},
              {"show", load_show}, {"close", load_close}, {"list", load_list}};
  for (gsize i = 0; i < G_N_ELEMENTS(subs); i++) {
    if (strcmp(sub, subs[i].name) == 0) {
      g_autofree char *name = g_strdup_printf("load %s", sub);
      argv[1] = name;
      return subs[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "packtrace load: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}
