/* pt-cli-export.c: the regulators' exports, `packtrace export fsma` (the FSMA 204 sortable
 * spreadsheet, pt-export-fsma.h) and `packtrace export cn` (the China traceability record and
 * its 合格证, pt-export-cn.h).  `packtrace export ID` (EPCIS, bundle) stays in pt-cli.c and
 * hands these two words here, so a lot named "fsma" or "cn" is exported as "#ID". */
#include "pt-cli.h"

#include "pt-error.h"
#include "pt-export-cn.h"
#include "pt-export-fsma.h"
#include "pt-file.h"
#include "pt-json.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Writes @bytes to @output (atomically), or to stdout when @output is NULL. */
static gboolean
write_out(const char *output, GBytes *bytes, GError **error)
{
  gsize len;
  const char *data = g_bytes_get_data(bytes, &len);
  if (output)
    return pt_file_write_atomic(output, data, len, 0644, error);
  if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot write to standard output");
    return FALSE;
  }
  return TRUE;
}

static int
export_fsma(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *lot = NULL, *from = NULL, *to = NULL, *format = NULL, *output = NULL;
  const GOptionEntry entries[] = {
      {"lot", 0, 0, G_OPTION_ARG_STRING, &lot,
       "This lot (or #ID) and the lots a transformation made from it or it from them", "LOT"},
      {"from", 0, 0, G_OPTION_ARG_STRING, &from, "First day of a date range", "YYYY-MM-DD"},
      {"to", 0, 0, G_OPTION_ARG_STRING, &to, "Last day of the range (inclusive)", "YYYY-MM-DD"},
      {"format", 0, 0, G_OPTION_ARG_STRING, &format,
       "csv or xlsx (default: xlsx when FILE ends in .xlsx, else csv)", "FORMAT"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
       "Write to FILE (required for xlsx; csv default: stdout)", "FILE"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "",
                    "The FSMA 204 electronic sortable spreadsheet (21 CFR 1.1455): one row per "
                    "Critical Tracking Event (harvesting, initial packing, transformation, "
                    "shipping, receiving) with its Key Data Elements, from the signed events.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  gboolean xlsx;
  if (format)
    xlsx = strcmp(format, "xlsx") == 0;
  else
    xlsx = output && g_str_has_suffix(output, ".xlsx");
  if (format && !xlsx && strcmp(format, "csv") != 0)
    return pt_cli_usage("--format must be csv or xlsx");
  if (xlsx && !output)
    return pt_cli_usage("xlsx needs -o FILE");
  PtFsmaQuery query = {lot, from, to};
  g_autoptr(GError) error = NULL;
  if (!pt_fsma_query_check(&query, &error))
    return pt_cli_usage("%s", error->message);
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(GPtrArray) rows = store ? pt_fsma_rows(station, store, &query, &error) : NULL;
  if (!rows)
    return pt_cli_fail(error);
  g_autofree char *title =
      lot ? g_strdup_printf("FSMA 204 sortable spreadsheet: lot %s and the lots linked to it, "
                            "station %s",
                            lot, station->config->station_id)
          : g_strdup_printf("FSMA 204 sortable spreadsheet: %s to %s, station %s", from, to,
                            station->config->station_id);
  gboolean ok;
  if (xlsx) {
    ok = pt_fsma_write_xlsx(rows, title, output, &error);
  } else {
    g_autoptr(GBytes) csv = pt_fsma_csv(rows);
    ok = write_out(output, csv, &error);
  }
  if (!ok)
    return pt_cli_fail(error);
  if (output && common.json)
    pt_cli_print_json(json_pack("{sssssi}", "file", output, "format", xlsx ? "xlsx" : "csv", "rows",
                                (int)rows->len));
  else if (output)
    fprintf(stderr, "wrote %s (FSMA 204 sortable spreadsheet, %s, %u rows)\n", output,
            xlsx ? "XLSX" : "CSV", rows->len);
  return PT_EXIT_OK;
}

static int
export_cn(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *format = NULL, *output = NULL;
  const GOptionEntry entries[] = {{"format", 0, 0, G_OPTION_ARG_STRING, &format,
                                   "json (default), csv, or pdf: the 承诺达标合格证 of one lot",
                                   "FORMAT"},
                                  {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output,
                                   "Write to FILE (required for pdf; default: stdout)", "FILE"},
                                  {NULL}};
  if (!pt_cli_parse(&argc, &argv, "LOT...",
                    "The China export: each lot's record for the national agricultural product "
                    "traceability platform (追溯码, producer, origin, product, batch, dates, "
                    "inspection result) as JSON or CSV, or one lot's compliance certificate "
                    "(承诺达标合格证) as a printable PDF.",
                    entries, &common))
    return PT_EXIT_USAGE;
  const char *f = format ? format : "json";
  gboolean pdf = strcmp(f, "pdf") == 0, csv = strcmp(f, "csv") == 0;
  if (!pdf && !csv && strcmp(f, "json") != 0)
    return pt_cli_usage("--format must be json, csv or pdf");
  if (argc < 2)
    return pt_cli_usage("expected at least one lot");
  if (pdf && argc != 2)
    return pt_cli_usage("a certificate is of one lot");
  if (pdf && !output)
    return pt_cli_usage("pdf needs -o FILE");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store)
    return pt_cli_fail(error);
  g_autoptr(GBytes) out = NULL;
  if (pdf) {
    out = pt_export_cn_certificate(station, store, argv[1], &error);
  } else {
    g_autoptr(json_t) records = json_array();
    for (int i = 1; i < argc; i++) {
      json_t *r = pt_export_cn_record(station, store, argv[i], &error);
      if (!r)
        return pt_cli_fail(error);
      json_array_append_new(records, r);
    }
    if (csv) {
      out = pt_export_cn_csv(records);
    } else {
      char *text = json_dumps(records, JSON_INDENT(2));
      GString *s = g_string_new(text);
      free(text);
      g_string_append_c(s, '\n');
      out = g_string_free_to_bytes(s);
    }
  }
  if (!out || !write_out(output, out, &error))
    return pt_cli_fail(error);
  if (output)
    fprintf(stderr, "wrote %s (%s)\n", output,
            pdf   ? "承诺达标合格证, PDF"
            : csv ? "traceability records, CSV"
                  : "traceability "
                    "records, JSON");
  return PT_EXIT_OK;
}

static int
export_regulator(int argc, char **argv)
{
  g_autofree char *name = g_strdup_printf("export %s", argv[1]);
  argv[1] = name;
  if (strcmp(argv[1], "export fsma") == 0)
    return export_fsma(argc - 1, argv + 1);
  return export_cn(argc - 1, argv + 1);
}

int
pt_cmd_export_any(int argc, char **argv)
{
  if (argc >= 2 && (strcmp(argv[1], "fsma") == 0 || strcmp(argv[1], "cn") == 0))
    return export_regulator(argc, argv);
  return pt_cmd_export(argc, argv);
}
