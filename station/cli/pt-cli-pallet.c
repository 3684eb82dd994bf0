/* pt-cli-pallet.c: `packtrace pallet new | add | remove | show | list`: pallets by SSCC and
 * the cases packed onto them (AggregationEvents). */
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-labels-limits.h"
#include "pt-limits.h"
#include "pt-pallet.h"

#include <stdio.h>
#include <string.h>

static int
pallet_new(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "",
                    "Allocate the next SSCC ([station] gs1_company_prefix) to a new, empty "
                    "pallet.  An SSCC is never allocated twice.",
                    NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("pallet new takes no arguments");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtPallet) pallet = store ? pt_pallet_new(station, store, &error) : NULL;
  json_t *o = pallet ? pt_pallet_to_json(store, pallet, &error) : NULL;
  if (!o)
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(o);
  else {
    printf("pallet (00)%s\n", pallet->sscc);
    json_decref(o);
  }
  return PT_EXIT_OK;
}

static gboolean
parse_cases(const char *text, gint64 *out, gboolean zero_ok)
{
  guint64 n = 0;
  if (!text) {
    *out = zero_ok ? 0 : 1;
    return TRUE;
  }
  if (!g_ascii_string_to_unsigned(text, 10, zero_ok ? 0 : 1, PT_PALLET_CASES_MAX, &n, NULL))
    return FALSE;
  *out = (gint64)n;
  return TRUE;
}

static int
pallet_move(int argc, char **argv, gboolean add)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *cases_text = NULL, *reason = NULL;
  const GOptionEntry add_entries[] = {
      {"cases", 0, 0, G_OPTION_ARG_STRING, &cases_text, "How many cases (default 1)", "N"}, {NULL}};
  const GOptionEntry remove_entries[] = {
      {"cases", 0, 0, G_OPTION_ARG_STRING, &cases_text, "How many cases (default: all of them)",
       "N"},
      {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why they come off (signed)", "TEXT"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "SSCC BATCH",
                    add ? "Pack cases of a batch (lot, or #ID) onto a pallet: a signed "
                          "AggregationEvent ADD.  A batch held or recalled, or one with cases "
                          "on another pallet, is refused."
                        : "Take cases of a batch (lot, or #ID) off a pallet: a signed "
                          "AggregationEvent DELETE.",
                    add ? add_entries : remove_entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 3)
    return pt_cli_usage("expected an SSCC and a batch (lot, or #ID)");
  gint64 cases = 0;
  if (!parse_cases(cases_text, &cases, !add))
    return pt_cli_usage("--cases must be %d to %d", add ? 1 : 0, PT_PALLET_CASES_MAX);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtPallet) pallet = store ? pt_pallet_lookup(store, argv[1], &error) : NULL;
  g_autoptr(PtBatch) batch = pallet ? pt_batch_lookup(store, argv[2], &error) : NULL;
  g_autofree char *event_id = NULL;
  gboolean ok =
      batch &&
      (add ? pt_pallet_add(station, store, pallet, batch, cases, "operator", &event_id, &error)
           : pt_pallet_remove(station, store, pallet, batch, cases, reason, &event_id, &error));
  json_t *o = ok ? pt_pallet_to_json(store, pallet, &error) : NULL;
  if (!o)
    return pt_cli_fail(error);
  if (common.json) {
    json_object_set_new(o, "event_id", json_string(event_id));
    pt_cli_print_json(o);
  } else {
    printf("lot %s %s pallet (00)%s: aggregation event %s; %" G_GINT64_FORMAT " cases on it\n",
           batch->lot, add ? "packed onto" : "taken off", pallet->sscc, event_id,
           (gint64)json_integer_value(json_object_get(o, "cases")));
    json_decref(o);
  }
  return PT_EXIT_OK;
}

static int
pallet_add(int argc, char **argv)
{
  return pallet_move(argc, argv, TRUE);
}

static int
pallet_remove(int argc, char **argv)
{
  return pallet_move(argc, argv, FALSE);
}

static void
print_pallet(json_t *o)
{
  json_t *load = json_object_get(o, "load");
  printf("pallet %s  %" G_GINT64_FORMAT " cases  created %s%s",
         json_string_value(json_object_get(o, "hri")),
         (gint64)json_integer_value(json_object_get(o, "cases")),
         json_string_value(json_object_get(o, "created")), json_is_integer(load) ? "  load " : "");
  if (json_is_integer(load))
    printf("%" G_GINT64_FORMAT, (gint64)json_integer_value(load));
  printf("\n");
}

static int
pallet_show(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "SSCC", "A pallet: its SSCC, lots and cases, and its load.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected an SSCC");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtPallet) pallet = store ? pt_pallet_lookup(store, argv[1], &error) : NULL;
  json_t *o = pallet ? pt_pallet_to_json(store, pallet, &error) : NULL;
  if (!o)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(o);
    return PT_EXIT_OK;
  }
  print_pallet(o);
  size_t i;
  json_t *v;
  json_array_foreach(json_object_get(o, "lots"), i, v)
  {
    printf("    %-20s %s  %" G_GINT64_FORMAT " cases\n",
           json_string_value(json_object_get(v, "lot")),
           json_string_value(json_object_get(v, "gtin")),
           (gint64)json_integer_value(json_object_get(v, "cases")));
  }
  json_decref(o);
  return PT_EXIT_OK;
}

static int
pallet_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  int limit = PT_LIST_LIMIT_DEFAULT;
  const GOptionEntry entries[] = {
      {"limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N pallets (newest first)", "N"}, {NULL}};
  if (!pt_cli_parse(&argc, &argv, "", "List pallets, newest first.", entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("pallet list takes no arguments");
  if (limit < 1 || limit > PT_LIST_LIMIT_MAX)
    return pt_cli_usage("--limit must be 1..%d", PT_LIST_LIMIT_MAX);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(GPtrArray) list = store ? pt_store_pallet_list(store, limit, &error) : NULL;
  if (!list)
    return pt_cli_fail(error);
  json_t *arr = json_array();
  for (guint i = 0; i < list->len; i++) {
    json_t *o = pt_pallet_to_json(store, g_ptr_array_index(list, i), &error);
    if (!o) {
      json_decref(arr);
      return pt_cli_fail(error);
    }
    json_array_append_new(arr, o);
  }
  if (common.json) {
    pt_cli_print_json(json_pack("{so}", "pallets", arr));
    return PT_EXIT_OK;
  }
  size_t i;
  json_t *v;
  json_array_foreach(arr, i, v) print_pallet(v);
  json_decref(arr);
  return PT_EXIT_OK;
}

static int
pallet_label(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *format_name = NULL, *output = NULL;
  int dpi = 0;
  const GOptionEntry entries[] = {{"format", 0, 0, G_OPTION_ARG_STRING, &format_name,
                                   "png, pdf, svg or zpl (default: [labels] format)", "FORMAT"},
                                  {"dpi", 0, 0, G_OPTION_ARG_INT, &dpi,
                                   "Resolution (default 203 for PNG and ZPL, 300 else)", "N"},
                                  {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
                                   "Where to write it (default SSCC-logistic.FORMAT; - for stdout)",
                                   "FILE"},
                                  {NULL}};
  if (!pt_cli_parse(&argc, &argv, "SSCC",
                    "Render a pallet's GS1 logistic label: its SSCC as GS1-128 (00), the "
                    "supplier and the lots and cases on it.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected an SSCC");
  if (dpi && (dpi < PT_LABEL_DPI_MIN || dpi > PT_LABEL_DPI_MAX))
    return pt_cli_usage("--dpi must be %d to %d", PT_LABEL_DPI_MIN, PT_LABEL_DPI_MAX);
  PtLabelFormat format = PT_LABEL_PNG;
  if (format_name && !pt_label_format_from_string(format_name, &format))
    return pt_cli_usage("--format must be png, pdf, svg or zpl, not '%s'", format_name);
  if (output && strcmp(output, "-") == 0 && common.json)
    return pt_cli_usage("-o - writes the label to stdout; it cannot go with --json");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  if (station && !format_name)
    format = station->config->labels->format;
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtPallet) pallet = store ? pt_pallet_lookup(store, argv[1], &error) : NULL;
  g_autoptr(GBytes) bytes =
      pallet ? pt_pallet_label(station, store, pallet, format, (guint)dpi, &error) : NULL;
  if (!bytes)
    return pt_cli_fail(error);
  g_autofree char *path = output ? g_strdup(output) : pt_pallet_label_file_name(pallet, format);
  gsize len;
  const void *data = g_bytes_get_data(bytes, &len);
  if (strcmp(path, "-") == 0) {
    if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
      g_set_error(&error, PT_ERROR, PT_ERROR_IO, "cannot write the label to stdout");
      return pt_cli_fail(error);
    }
    return PT_EXIT_OK;
  }
  if (!pt_file_write_atomic(path, data, len, 0644, &error))
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(json_pack("{sssssssI}", "path", path, "sscc", pallet->sscc, "format",
                                pt_label_format_to_string(format), "bytes", (json_int_t)len));
  else
    printf("wrote %s (%s, %zu bytes)\n", path, pt_label_format_to_string(format), len);
  return PT_EXIT_OK;
}

int
pt_cmd_pallet(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace pallet new|add|remove|show|list|label [OPTIONS]\n"
            "  new                           allocate an SSCC to a new pallet\n"
            "  add SSCC BATCH [--cases N]    pack cases of a batch onto it (AggregationEvent\n"
            "                                ADD); BATCH is a lot, or #N for the batch with id N\n"
            "  remove SSCC BATCH [--cases N] take cases off it (AggregationEvent DELETE)\n"
            "  show SSCC                     its lots and cases\n"
            "  list                          pallets, newest first\n"
            "  label SSCC [--format F] [-o FILE]  its GS1 logistic label (png, pdf, svg, zpl)\n"
            "SSCC: 18 digits, or (00) and 18 digits.  Each takes --help.\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } subs[] = {{"new", pallet_new},   {"add", pallet_add},   {"remove", pallet_remove},
              {"show", pallet_show}, {"list", pallet_list}, {"label", pallet_label}};
  for (gsize i = 0; i < G_N_ELEMENTS(subs); i++) {
    if (strcmp(sub, subs[i].name) == 0) {
      g_autofree char *name = g_strdup_printf("pallet %s", sub);
      argv[1] = name;
      return subs[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "packtrace pallet: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}
