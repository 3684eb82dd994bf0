/* pt-cli-recall.c: `packtrace recall impact | list | show | drill | verify`: where a lot went
 * (and where a customer's lots came from), the progress of recalls and their notices, the
 * mock-recall drill and the check of its signed report.  A recall itself is `batch recall`. */
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-recall.h"
#include "pt-time.h"

#include <stdio.h>
#include <string.h>

static void
print_quantities(json_t *totals)
{
  const char *k;
  json_t *v;
  gboolean first = TRUE;
  json_object_foreach(totals, k, v)
  {
    printf("%s%g %s", first ? "" : ", ", json_number_value(v), k);
    first = FALSE;
  }
  if (first)
    printf("nothing");
}

static void
print_impact(json_t *impact)
{
  gsize i;
  json_t *v;
  printf("%s impact list\n", json_string_value(json_object_get(impact, "direction")));
  printf("lots:\n");
  json_array_foreach(json_object_get(impact, "lots"), i, v)
  {
    const char *from = json_string_value(json_object_get(v, "from"));
    printf(
        "  %s  %s  grower %s  %s%s%s  in the shed: ", json_string_value(json_object_get(v, "lot")),
        json_string_value(json_object_get(v, "product")),
        json_is_string(json_object_get(v, "grower"))
            ? json_string_value(json_object_get(v, "grower"))
            : "-",
        json_string_value(json_object_get(v, "via")), from ? " from " : "", from ? from : "");
    print_quantities(json_object_get(v, "in_shed"));
    printf("\n");
  }
  printf("loads:\n");
  json_array_foreach(json_object_get(impact, "loads"), i, v)
  {
    gint64 departed = json_integer_value(json_object_get(v, "departed_ns"));
    g_autofree char *when = departed ? pt_time_format(departed) : g_strdup("not departed");
    printf("  load %" JSON_INTEGER_FORMAT "  plate %s  seal %s  %s  to %s (GLN %s)\n",
           json_integer_value(json_object_get(v, "load_id")),
           json_string_value(json_object_get(v, "plate")),
           json_string_value(json_object_get(v, "seal")), when,
           json_is_string(json_object_get(v, "destination"))
               ? json_string_value(json_object_get(v, "destination"))
               : "-",
           json_is_string(json_object_get(v, "destination_gln"))
               ? json_string_value(json_object_get(v, "destination_gln"))
               : "-");
  }
  printf("destinations:\n");
  json_array_foreach(json_object_get(impact, "destinations"), i, v)
  {
    printf("  %s (GLN %s): ",
           json_is_string(json_object_get(v, "name"))
               ? json_string_value(json_object_get(v, "name"))
               : "-",
           json_is_string(json_object_get(v, "gln")) ? json_string_value(json_object_get(v, "gln"))
                                                     : "-");
    print_quantities(json_object_get(v, "shipped"));
    printf("\n");
  }
  json_t *totals = json_object_get(impact, "totals");
  printf("shipped: ");
  print_quantities(json_object_get(totals, "shipped"));
  printf("\nin the shed: ");
  print_quantities(json_object_get(totals, "in_shed"));
  printf("\n");
}

static int
recall_impact(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *gtin = NULL, *from = NULL, *to = NULL, *grower = NULL, *gln = NULL;
  const GOptionEntry entries[] = {
      {"gtin", 0, 0, G_OPTION_ARG_STRING, &gtin, "Every lot of a GTIN", "GTIN"},
      {"from", 0, 0, G_OPTION_ARG_STRING, &from, "Lots packed from this date", "YYYY-MM-DD"},
      {"to", 0, 0, G_OPTION_ARG_STRING, &to, "... to this date (inclusive)", "YYYY-MM-DD"},
      {"grower", 0, 0, G_OPTION_ARG_STRING, &grower, "Every lot of a grower", "NAME"},
      {"gln", 0, 0, G_OPTION_ARG_STRING, &gln,
       "Backward: the lots shipped to this customer GLN, and what they came from", "GLN"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "[LOT]",
                    "Every lot a recall reaches (lots repacked from it included), every load and "
                    "truck, destination and buyer that received them, quantities shipped and "
                    "still in the shed, and the evidence of each step.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc > 2)
    return pt_cli_usage("expected at most one lot");
  PtRecallQuery q = {.lot = argc == 2 ? argv[1] : NULL,
                     .gtin = gtin,
                     .from = from,
                     .to = to,
                     .grower = grower,
                     .gln = gln};
  g_autoptr(GError) error = NULL;
  if (!pt_recall_query_check(&q, &error))
    return pt_cli_usage("%s", error->message);
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  json_t *impact = store ? pt_recall_impact(station, store, &q, &error) : NULL;
  if (!impact)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(impact);
  } else {
    print_impact(impact);
    json_decref(impact);
  }
  return PT_EXIT_OK;
}

static void
print_recall(json_t *r)
{
  printf("recall %" JSON_INTEGER_FORMAT "  %s  lot %s  %s  shipped ",
         json_integer_value(json_object_get(r, "id")),
         json_string_value(json_object_get(r, "kind")),
         json_string_value(json_object_get(r, "lot")),
         json_string_value(json_object_get(r, "progress")));
  print_quantities(json_object_get(r, "shipped"));
  printf(", on hand reported ");
  print_quantities(json_object_get(r, "on_hand_reported"));
  if (json_integer_value(json_object_get(r, "escalated")))
    printf("  ESCALATED: %" JSON_INTEGER_FORMAT " not acknowledged in time",
           json_integer_value(json_object_get(r, "escalated")));
  printf("\n");
}

static int
recall_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "",
                    "Recalls, holds and drills, newest first: N of M buyers acknowledged, "
                    "quantities shipped and accounted for.",
                    NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("recall list takes no arguments");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  json_t *all = store ? pt_recall_progress(store, 0, &error) : NULL;
  if (!all)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(all);
    return PT_EXIT_OK;
  }
  gsize i;
  json_t *r;
  json_array_foreach(json_object_get(all, "recalls"), i, r) print_recall(r);
  json_decref(all);
  return PT_EXIT_OK;
}

static int
recall_show(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "ID", "One recall's progress and each recipient's notice.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  guint64 id = 0;
  if (argc != 2 || !g_ascii_string_to_unsigned(argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return pt_cli_usage("expected a recall id (see recall list)");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  json_t *r = store ? pt_recall_progress(store, (gint64)id, &error) : NULL;
  if (!r)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(r);
    return PT_EXIT_OK;
  }
  print_recall(r);
  gsize i;
  json_t *n;
  json_array_foreach(json_object_get(r, "notices"), i, n)
  {
    printf("  notice %" JSON_INTEGER_FORMAT "  %s %s%s%s  %s (delivery %s)%s%s\n",
           json_integer_value(json_object_get(n, "id")),
           json_string_value(json_object_get(n, "recipient")),
           json_string_value(json_object_get(n, "name")),
           json_is_string(json_object_get(n, "gln")) ? " GLN " : "",
           json_is_string(json_object_get(n, "gln")) ? json_string_value(json_object_get(n, "gln"))
                                                     : "",
           json_string_value(json_object_get(n, "state")),
           json_string_value(json_object_get(n, "delivery")),
           json_is_string(json_object_get(n, "ack_by")) ? " by " : "",
           json_is_string(json_object_get(n, "ack_by"))
               ? json_string_value(json_object_get(n, "ack_by"))
               : "");
  }
  json_decref(r);
  return PT_EXIT_OK;
}

static int
recall_drill(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  int wait_s = 0, deliver_wait_s = 30;
  g_autofree char *out = NULL;
  const GOptionEntry entries[] = {
      {"wait", 0, 0, G_OPTION_ARG_INT, &wait_s,
       "Wait this long for the buyers' acknowledgements on the portal (default 0)", "SECONDS"},
      {"deliver-wait", 0, 0, G_OPTION_ARG_INT, &deliver_wait_s,
       "Wait this long for every notice to be delivered (default 30)", "SECONDS"},
      {"out", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Folder of the report (default DATA/reports)",
       "DIR"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "LOT",
                    "A mock recall: the impact list, notices marked drill to every recipient "
                    "(no recall event; consumers never see it), timed to delivery and "
                    "acknowledgement, and a signed report (JSON and PDF).",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one lot (or #ID)");
  if (wait_s < 0 || wait_s > PT_RECALL_DRILL_WAIT_MAX_S || deliver_wait_s < 0 ||
      deliver_wait_s > PT_RECALL_DRILL_WAIT_MAX_S)
    return pt_cli_usage("--wait and --deliver-wait must be 0 to %d seconds",
                        PT_RECALL_DRILL_WAIT_MAX_S);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  PtDrillSpec spec = {.wait_s = wait_s, .deliver_wait_s = deliver_wait_s, .out_dir = out};
  g_autofree char *json_path = NULL, *pdf_path = NULL;
  json_t *report =
      batch ? pt_recall_drill(station, batch, &spec, &json_path, &pdf_path, &error) : NULL;
  if (!report)
    return pt_cli_fail(error);
  json_object_set_new(report, "report_json", json_string(json_path));
  json_object_set_new(report, "report_pdf", json_string(pdf_path));
  if (common.json) {
    pt_cli_print_json(report);
    return PT_EXIT_OK;
  }
  json_t *steps = json_object_get(report, "steps");
  printf("drill of %s: %s\n", batch->lot, json_string_value(json_object_get(report, "outcome")));
  const char *names[] = {"impact_ready_ms", "notices_issued_ms", "all_delivered_ms",
                         "all_acknowledged_ms"};
  for (gsize i = 0; i < G_N_ELEMENTS(names); i++) {
    json_t *v = json_object_get(steps, names[i]);
    if (json_is_number(v))
      printf("  %-20s %10.1f ms\n", names[i], json_number_value(v));
    else
      printf("  %-20s %10s\n", names[i], "not reached");
  }
  printf("report: %s\n        %s\n", json_path, pdf_path);
  json_decref(report);
  return PT_EXIT_OK;
}

static int
recall_verify(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *key = NULL;
  const GOptionEntry entries[] = {{"key", 0, 0, G_OPTION_ARG_STRING, &key,
                                   "The station's public key (hex) the report must be signed by",
                                   "HEX"},
                                  {NULL}};
  if (!pt_cli_parse(&argc, &argv, "REPORT.json",
                    "Check a drill report's Ed25519 signature (over its canonical JSON without "
                    "the signature member).",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one report file");
  g_autoptr(GError) error = NULL;
  if (!pt_recall_report_verify(argv[1], key, &error))
    return pt_cli_fail(error);
  printf("%s: signature verifies\n", argv[1]);
  return PT_EXIT_OK;
}

int
pt_cmd_recall(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace recall impact|list|show|drill|verify [OPTIONS]\n"
            "  impact LOT | --gtin G | --from D --to D | --grower G | --gln G\n"
            "                          where it went (or, with --gln, where it came from)\n"
            "  list                    recalls, holds and drills with their progress\n"
            "  show ID                 one of them with each recipient's notice\n"
            "  drill LOT [--wait S]    a mock recall, timed, with a signed report\n"
            "  verify REPORT.json      check a drill report's signature\n"
            "A real recall is `packtrace batch recall LOT --reason TEXT`.  Each takes --help.\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } subs[] = {{"impact", recall_impact},
              {"list", recall_list},
              {"show", recall_show},
              {"drill", recall_drill},
              {"verify", recall_verify}};
  for (gsize i = 0; i < G_N_ELEMENTS(subs); i++) {
    if (strcmp(sub, subs[i].name) == 0) {
      g_autofree char *name = g_strdup_printf("recall %s", sub);
      argv[1] = name;
      return subs[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "packtrace recall: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}
