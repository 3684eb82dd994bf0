/* pt-cli.c: option parsing and output shared by the commands, and the small
 * commands: init, audit, export, verify. */
#include "pt-cli.h"

#include "pt-batch.h"
#include "pt-bundle.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-trace.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

gboolean
pt_cli_parse(int *argc, char ***argv, const char *params, const char *summary,
             const GOptionEntry *entries, PtCliCommon *common)
{
  const GOptionEntry common_entries[] = {
      {"data", 0, 0, G_OPTION_ARG_FILENAME, &common->data,
       "Station data directory (default $PACKTRACE_DATA, else ./station-data)", "DIR"},
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
  if (!common->data) {
    const char *env = g_getenv("PACKTRACE_DATA");
    common->data = g_strdup(env && *env ? env : "station-data");
  }
  return TRUE;
}

void
pt_cli_common_clear(PtCliCommon *common)
{
  g_clear_pointer(&common->data, g_free);
}

int
pt_cli_fail(const GError *error)
{
  fprintf(stderr, "packtrace: %s\n", error->message);
  return PT_EXIT_FAILED;
}

int
pt_cli_usage(const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  fprintf(stderr, "%s: %s (see --help)\n", g_get_prgname(), msg);
  return PT_EXIT_USAGE;
}

PtStation *
pt_cli_open(const PtCliCommon *common, GError **error)
{
  return pt_station_open(common->data, error);
}

void
pt_cli_print_json(json_t *value)
{
  char *text = json_dumps(value, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
  puts(text);
  free(text);
  json_decref(value);
}

int
pt_cmd_init(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "",
                    "Create a station data directory: station.ini, an Ed25519 "
                    "key pair and station.db.",
                    NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 1) {
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_station_init(common.data, &error);
  if (!station) {
    return pt_cli_fail(error);
  }
  g_autofree char *pub = pt_hex_encode(station->keys->public_key, PT_PUB_LEN);
  if (common.json) {
    pt_cli_print_json(json_pack("{ssssss}", "station_id", station->config->station_id, "public_key",
                                pub, "data", common.data));
  } else {
    printf("station initialised in %s\n", common.data);
    printf("  station id  %s\n", station->config->station_id);
    printf("  public key  %s (Ed25519)\n", pub);
    printf("  settings    %s/station.ini\n", common.data);
  }
  return rc;
}

int
pt_cmd_audit(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "",
                    "Walk the whole station log: every record's hash and "
                    "signature, both chains, the sequence; SQLite's integrity check; every "
                    "batch row against its signed events.  Opens the database read-only.  "
                    "Exit 1 on any break.",
                    NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 1) {
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  /* Read-only: an audit never writes, so it runs on a read-only copy of the data directory,
   * and never "repairs" an empty database into an intact empty log. */
  g_autoptr(PtStore) store = station ? pt_store_open_readonly(station->db_path, &error) : NULL;
  PtAuditReport report = {0};
  if (!store || !pt_trace_audit(store, station->keys->anchor_key, &report, &error)) {
    return pt_cli_fail(error);
  }
  if (common.json) {
    json_t *breaks = json_array();
    for (guint i = 0; i < report.breaks->len; i++)
      json_array_append_new(breaks, json_string(g_ptr_array_index(report.breaks, i)));
    pt_cli_print_json(json_pack("{sbsIsIsisIso}", "intact", report.n_breaks == 0, "events",
                                (json_int_t)report.n_events, "batches",
                                (json_int_t)report.n_batches, "keys", (int)report.n_keys,
                                "breaks_found", (json_int_t)report.n_breaks, "breaks", breaks));
  } else {
    for (guint i = 0; i < report.breaks->len; i++)
      printf("BREAK %s\n", (char *)g_ptr_array_index(report.breaks, i));
    printf("%s: %" G_GINT64_FORMAT " events in %" G_GINT64_FORMAT " batches, %u breaks",
           report.n_breaks ? "broken" : "intact", report.n_events, report.n_batches,
           report.n_breaks);
    if (report.n_keys > 1)
      printf(", signed by %u keys along a chain of %u rotations", report.n_keys, report.n_keys - 1);
    printf("\n");
  }
  if (report.n_breaks)
    return PT_EXIT_FAILED;
  pt_audit_report_clear(&report);
  return rc;
}

int
pt_cmd_export(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *format = NULL, *output = NULL;
  gboolean public_view = FALSE;
  const GOptionEntry entries[] = {
      {"format", 0, 0, G_OPTION_ARG_STRING, &format, "epcis (default) or bundle", "FORMAT"},
      {"public", 0, 0, G_OPTION_ARG_NONE, &public_view,
       "The public form: events with private fields redacted, as the consumer page serves it",
       NULL},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Write to FILE (default: stdout)", "FILE"},
      {NULL}};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "ID",
                    "Export a batch (id or lot): its EPCIS 2.0 document, or "
                    "a signed trace bundle that `packtrace verify` checks.  The regulators' "
                    "exports: `export fsma` (FSMA 204 spreadsheet) and `export cn` (China "
                    "traceability record, 合格证); see their --help.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2) {
    return pt_cli_usage("expected one batch id or lot");
  }
  gboolean bundle = format && strcmp(format, "bundle") == 0;
  if (format && !bundle && strcmp(format, "epcis") != 0) {
    return pt_cli_usage("--format must be epcis or bundle");
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  g_autofree char *text = NULL;
  gsize len = 0;
  PtBundleView view = public_view ? PT_BUNDLE_PUBLIC : PT_BUNDLE_FULL;
  if (batch)
    text = bundle ? pt_trace_bundle(store, station->config, station->keys, batch, view, NULL, &len,
                                    &error)
                  : pt_trace_epcis(store, station->config, batch, view, NULL, &len, &error);
  if (!text) {
    return pt_cli_fail(error);
  }
  /* Written as made, compact: the stored records byte for byte (pt-bundle.h). */
  g_autofree char *line = g_strconcat(text, "\n", NULL);
  if (output) {
    if (!pt_file_write_atomic(output, line, strlen(line), 0644, &error)) {
      return pt_cli_fail(error);
    }
    if (!common.json)
      fprintf(stderr, "wrote %s (%s, %" G_GINT64_FORMAT " events)\n", output,
              bundle ? "signed bundle" : "EPCIS 2.0", batch->n_events);
  } else {
    fputs(line, stdout);
  }
  return rc;
}

int
pt_cmd_verify(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *key_hex = NULL;
  g_autofree char *wanted = NULL;
  const GOptionEntry entries[] = {
      {"key", 0, 0, G_OPTION_ARG_STRING, &key_hex,
       "Require this Ed25519 public key (hex), e.g. from the station's page", "PUBKEY"},
      {"event", 0, 0, G_OPTION_ARG_STRING, &wanted,
       "Also require an event with this GS1 Event Hash ID (ni:///sha-256;...?ver=CBV2.0)",
       "HASHID"},
      {NULL}};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "FILE",
                    "Check a signed trace bundle: every event's hash, GS1 Event Hash ID, "
                    "chain link and signature.  Exit 0 and 'valid', or 1 naming what failed.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2) {
    return pt_cli_usage("expected one bundle file");
  }
  guint8 key[PT_PUB_LEN];
  if (key_hex && !pt_hex_decode(key_hex, key, PT_PUB_LEN)) {
    return pt_cli_usage("--key must be 64 hex digits");
  }
  g_autoptr(GError) error = NULL;
  /* Read as it is checked (pt_bundle_verify_fd()): a bundle of any size in a few megabytes.
   * The events' hash IDs are kept only when they are asked for. */
  int fd = open(argv[1], O_RDONLY | O_CLOEXEC);
  if (fd < 0)
    g_set_error(&error, PT_ERROR, PT_ERROR_IO, "cannot open %s: %s", argv[1], g_strerror(errno));
  PtVerifyResult result = {0};
  gboolean ok = fd >= 0 && pt_bundle_verify_fd(fd, key_hex ? key : NULL, common.json || wanted,
                                               &result, &error);
  if (fd >= 0)
    close(fd);
  guint position = 0;
  if (ok && wanted &&
      !g_ptr_array_find_with_equal_func(result.hash_ids, wanted, g_str_equal, &position)) {
    g_set_error(&error, PT_ERROR, PT_ERROR_NOT_FOUND, "the bundle has no event with hash ID %s",
                wanted);
    pt_verify_result_clear(&result);
    ok = FALSE;
  }
  if (!ok) {
    if (common.json) {
      /* The reason may quote a file name, which need not be UTF-8. */
      g_autofree char *reason = g_utf8_make_valid(error->message, -1);
      pt_cli_print_json(json_pack("{sbss}", "valid", FALSE, "reason", reason));
    } else
      fprintf(stderr, "invalid: %s\n", error->message);
    return PT_EXIT_FAILED;
  }
  g_autofree char *pub = pt_hex_encode(result.public_key, PT_PUB_LEN);
  if (common.json) {
    json_t *ids = json_array();
    for (guint i = 0; i < result.hash_ids->len; i++)
      json_array_append_new(ids, json_string(result.hash_ids->pdata[i]));
    json_t *out = json_pack("{sb"
                            "sI"
                            "ss"
                            "ss"
                            "ss"
                            "ss"
                            "si"
                            "so}",
                            "valid", TRUE, "events", (json_int_t)result.n_events, "lot", result.lot,
                            "gtin", result.gtin, "station_id", result.station_id, "public_key", pub,
                            "keys", (int)result.n_keys, "hash_ids", ids);
    if (wanted)
      json_object_set_new(out, "event", json_integer((json_int_t)position + 1));
    pt_cli_print_json(out);
  } else if (wanted) {
    printf("valid: event %u of lot %s (GTIN %s) has hash ID %s, signed by station %s, key %s\n",
           position + 1, result.lot, result.gtin, wanted, result.station_id, pub);
  } else
    printf("valid: %" G_GINT64_FORMAT " events of lot %s (GTIN %s), signed by station %s, key "
           "%s%s\n",
           result.n_events, result.lot, result.gtin, result.station_id, pub,
           key_hex ? "" : " (compare it with the station's published key, or pass --key)");
  pt_verify_result_clear(&result);
  return rc;
}
