/* pt-cli-batch.c: `packtrace batch ...` and `packtrace event add`. */
#include "pt-attachment.h"
#include "pt-batch-signed.h"
#include "pt-batch.h"
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-evidence.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-time.h"
#include "pt-transform.h"

#include <glib/gstdio.h>
#include <stdio.h>
#include <string.h>

static void
print_batch_text(const PtConfig *config, const PtBatch *b)
{
  g_autofree char *link = pt_batch_digital_link(config, b);
  printf("batch %" G_GINT64_FORMAT "\n", b->id);
  printf("  lot           %s\n", b->lot);
  printf("  gtin          %s\n", b->gtin);
  printf("  digital_link  %s\n", link);
  printf("  product       %s%s%s\n", b->product, b->variety ? " / " : "",
         b->variety ? b->variety : "");
  if (b->origin)
    printf("  origin        %s\n", b->origin);
  if (b->grower)
    printf("  grower        %s\n", b->grower);
  if (b->harvest_date)
    printf("  harvested     %s\n", b->harvest_date);
  printf("  packed        %s\n", b->pack_date);
  if (b->has_quantity)
    printf("  quantity      %g %s\n", b->quantity, b->uom);
  printf("  status        %s%s%s\n", b->status, b->status_reason ? ": " : "",
         b->status_reason ? b->status_reason : "");
  printf("  events        %" G_GINT64_FORMAT "\n", b->n_events);
}

static gboolean
parse_quantity(const char *text, double *out)
{
  char *end = NULL;
  if (!text)
    return FALSE;
  *out = g_ascii_strtod(text, &end);
  return end != text && *end == '\0';
}

static int
batch_new(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  PtBatchSpec spec = {0};
  g_autofree char *product = NULL, *gtin = NULL, *variety = NULL, *origin = NULL, *grower = NULL,
                  *harvest = NULL, *pack = NULL, *lot = NULL, *qty = NULL, *uom = NULL, *at = NULL;
  const GOptionEntry entries[] = {
      {"product", 0, 0, G_OPTION_ARG_STRING, &product, "Product, e.g. Oranges (required)", "TEXT"},
      {"gtin", 0, 0, G_OPTION_ARG_STRING, &gtin, "GTIN-8/12/13/14 (required)", "GTIN"},
      {"variety", 0, 0, G_OPTION_ARG_STRING, &variety, "Variety", "TEXT"},
      {"origin", 0, 0, G_OPTION_ARG_STRING, &origin,
       "Origin (a 2-letter ISO code is also "
       "recorded as country of origin)",
       "TEXT"},
      {"grower", 0, 0, G_OPTION_ARG_STRING, &grower, "Grower", "TEXT"},
      {"harvest-date", 0, 0, G_OPTION_ARG_STRING, &harvest, "Harvest date", "YYYY-MM-DD"},
      {"pack-date", 0, 0, G_OPTION_ARG_STRING, &pack, "Pack date (default: today)", "YYYY-MM-DD"},
      {"lot", 0, 0, G_OPTION_ARG_STRING, &lot, "Lot (default: generated)", "LOT"},
      {"at", 0, 0, G_OPTION_ARG_STRING, &at,
       "When it was harvested or received: the commissioning event's time (default: the "
       "harvest date's start in [station] time_zone, else now)",
       "RFC3339"},
      {"quantity", 0, 0, G_OPTION_ARG_STRING, &qty, "Quantity", "N"},
      {"uom", 0, 0, G_OPTION_ARG_STRING, &uom, "Unit, UN/CEFACT Rec 20 (default KGM)", "UOM"},
      {NULL}};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "", "Create a batch and its commissioning event.", entries,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 1) {
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  }
  if (!product || !gtin) {
    return pt_cli_usage("--product and --gtin are required");
  }
  spec = (PtBatchSpec){.product = product,
                       .gtin = gtin,
                       .variety = variety,
                       .origin = origin,
                       .grower = grower,
                       .harvest_date = harvest,
                       .pack_date = pack,
                       .lot = lot,
                       .at = at,
                       .uom = uom};
  if (qty) {
    if (!parse_quantity(qty, &spec.quantity)) {
      return pt_cli_usage("--quantity '%s' is not a number", qty);
    }
    spec.has_quantity = TRUE;
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_create(station, store, &spec, &error) : NULL;
  if (!batch) {
    return pt_cli_fail(error);
  }
  if (common.json)
    pt_cli_print_json(pt_batch_to_json(station->config, batch));
  else
    print_batch_text(station->config, batch);
  return rc;
}

static int
batch_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  int limit = PT_LIST_LIMIT_DEFAULT, offset = 0;
  const GOptionEntry entries[] = {
      {"limit", 0, 0, G_OPTION_ARG_INT, &limit, "At most N batches (default 100)", "N"},
      {"offset", 0, 0, G_OPTION_ARG_INT, &offset, "Skip the N newest", "N"},
      {NULL}};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "", "List batches, newest first.", entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1 || limit < 1 || limit > PT_LIST_LIMIT_MAX || offset < 0) {
    return pt_cli_usage("expected no arguments, --limit 1..%d, --offset >= 0", PT_LIST_LIMIT_MAX);
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(GPtrArray) list = store ? pt_store_batch_list(store, limit, offset, &error) : NULL;
  if (!list) {
    return pt_cli_fail(error);
  }
  if (common.json) {
    json_t *arr = json_array();
    for (guint i = 0; i < list->len; i++)
      json_array_append_new(arr, pt_batch_to_json(station->config, g_ptr_array_index(list, i)));
    pt_cli_print_json(json_pack("{so}", "batches", arr));
  } else {
    printf("%-6s %-20s %-14s %-10s %-9s %6s  %s\n", "ID", "LOT", "GTIN", "PACKED", "STATUS",
           "EVENTS", "PRODUCT");
    for (guint i = 0; i < list->len; i++) {
      PtBatch *b = g_ptr_array_index(list, i);
      printf("%-6" G_GINT64_FORMAT " %-20s %-14s %-10s %-9s %6" G_GINT64_FORMAT "  %s\n", b->id,
             b->lot, b->gtin, b->pack_date, b->status, b->n_events, b->product);
    }
  }
  return rc;
}

static gboolean
show_event(const PtEventRow *row, gpointer user_data, GError **error)
{
  json_t *events = user_data;
  json_t *e = pt_event_row_to_json(row, error);
  if (!e)
    return FALSE;
  json_array_append_new(events, e);
  return TRUE;
}

static int
batch_show(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "BATCH",
                    "Show a batch (its lot, or #N for the batch with id N) and its events.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2) {
    return pt_cli_usage("expected one batch: its lot, or #N for the batch with id N");
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  json_t *events = json_array();
  if (!batch || !pt_store_events_foreach(store, batch->id, show_event, events, &error)) {
    json_decref(events);
    return pt_cli_fail(error);
  }
  /* Shown as its signed events state it; a row that says otherwise is named. */
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, &error)) {
    json_decref(events);
    return pt_cli_fail(error);
  }
  if (common.json) {
    json_t *o = pt_batch_to_json(station->config, st.facts);
    json_object_set_new(o, "facts_verified", json_boolean(st.mismatches->len == 0));
    json_object_set_new(o, "fact_mismatches", pt_batch_signed_mismatches_json(&st));
    json_object_set_new(o, "event_list", events);
    pt_cli_print_json(o);
  } else {
    for (guint i = 0; i < st.mismatches->len; i++) {
      g_autofree char *line = pt_fact_mismatch_describe(batch, g_ptr_array_index(st.mismatches, i));
      printf("WARNING %s\n", line);
    }
    print_batch_text(station->config, st.facts);
    for (gsize i = 0; i < json_array_size(events); i++) {
      json_t *e = json_array_get(events, i);
      json_t *ev = json_object_get(e, "event");
      const char *disp = json_string_value(json_object_get(ev, "disposition"));
      const char *note = json_string_value(json_object_get(ev, "pt:note"));
      const char *reason = json_string_value(json_object_get(ev, "pt:reason"));
      json_t *decl = json_object_get(ev, "errorDeclaration");
      if (decl)
        reason = json_string_value(json_object_get(decl, "reason"));
      printf("  %-4zu %s  %-14s %-20s %.16s  %s%s\n", i + 1,
             json_string_value(json_object_get(e, "event_time")),
             json_string_value(json_object_get(e, "step")), disp ? disp : "",
             json_string_value(json_object_get(e, "hash")), decl ? "ERROR DECLARED: " : "",
             note ? note : (reason ? reason : ""));
    }
    json_decref(events);
  }
  return rc;
}

static int
batch_status(int argc, char **argv, PtBatchAction action)
{
  static const char *const summaries[] = {
      [PT_BATCH_HOLD] = "Put a batch on quality hold (a holding event).",
      [PT_BATCH_RELEASE] = "Release a held batch (a holding event).",
      [PT_BATCH_RECALL] = "Recall a batch (a holding event with disposition recalled).",
  };
  g_auto(PtCliCommon) common = {0};
  g_autofree char *reason = NULL;
  const GOptionEntry entries[] = {
      {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "Why (required for hold and recall)", "TEXT"},
      {NULL}};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "BATCH", summaries[action], entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2) {
    return pt_cli_usage("expected one batch: its lot, or #N for the batch with id N");
  }
  if (action != PT_BATCH_RELEASE && !reason) {
    return pt_cli_usage("--reason is required");
  }
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  if (!batch || !pt_batch_change_status(station, store, batch, action, reason, &error)) {
    return pt_cli_fail(error);
  }
  if (common.json)
    pt_cli_print_json(pt_batch_to_json(station->config, batch));
  else
    printf("batch %" G_GINT64_FORMAT " (lot %s) is %s\n", batch->id, batch->lot, batch->status);
  return rc;
}

static int
batch_repack(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_auto(GStrv) into = NULL;
  g_autofree char *step = NULL, *note = NULL;
  const GOptionEntry entries[] = {
      {"into", 0, 0, G_OPTION_ARG_STRING_ARRAY, &into,
       "A new lot and its quantity in the batch's unit (repeat for each lot made)", "LOT=QTY"},
      {"step", 0, 0, G_OPTION_ARG_STRING, &step, "CBV business step (default repackaging)", "STEP"},
      {"note", 0, 0, G_OPTION_ARG_STRING, &note, "Why or how (signed)", "TEXT"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "BATCH",
                    "Repack or sort a batch (lot, or #N) into new lots: each a new batch of the "
                    "same produce, and one signed TransformationEvent from the batch to them.",
                    entries, &common))
    return PT_EXIT_USAGE;
  guint n = into ? g_strv_length(into) : 0;
  if (argc != 2 || n == 0)
    return pt_cli_usage("expected a batch and at least one --into LOT=QTY");
  if (n > PT_TRANSFORM_OUT_MAX)
    return pt_cli_usage("at most %d --into", PT_TRANSFORM_OUT_MAX);
  PtTransformOutput outputs[PT_TRANSFORM_OUT_MAX];
  for (guint i = 0; i < n; i++) {
    char *eq = strrchr(into[i], '=');
    char *end = NULL;
    double q = eq ? g_ascii_strtod(eq + 1, &end) : 0;
    if (!eq || eq == into[i] || !end || end == eq + 1 || *end)
      return pt_cli_usage("--into '%s' is not LOT=QUANTITY", into[i]);
    *eq = '\0';
    outputs[i] = (PtTransformOutput){.lot = into[i], .quantity = q};
  }
  PtTransformSpec spec = {.step = step, .outputs = outputs, .n_outputs = n, .note = note};
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  g_autoptr(GPtrArray) made = NULL;
  g_autofree char *id = NULL;
  if (!batch || !pt_transform_run(station, store, batch, &spec, &made, &id, &error))
    return pt_cli_fail(error);
  if (common.json) {
    json_t *arr = json_array();
    for (guint i = 0; i < made->len; i++)
      json_array_append_new(arr, pt_batch_to_json(station->config, made->pdata[i]));
    pt_cli_print_json(
        json_pack("{ssssso}", "transformation_id", id, "input", batch->lot, "outputs", arr));
    return PT_EXIT_OK;
  }
  printf("lot %s repacked into", batch->lot);
  for (guint i = 0; i < made->len; i++)
    printf("%s %s", i ? "," : "", ((PtBatch *)made->pdata[i])->lot);
  printf(": transformation %s\n", id);
  return PT_EXIT_OK;
}

/* Reads @path whole, refusing more than @max bytes before reading it (a wrong file named by
 * mistake: a video, a disk image). */
static gboolean
read_upload(const char *path, gsize max, char **data_out, gsize *len_out, GError **error)
{
  GStatBuf st;
  if (g_stat(path, &st) == 0 && st.st_size > (goffset)max) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "%s is %" G_GOFFSET_FORMAT " bytes; at most %" G_GSIZE_FORMAT " are accepted", path,
                (goffset)st.st_size, max);
    return FALSE;
  }
  return g_file_get_contents(path, data_out, len_out, error);
}

static int
batch_attach(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *photo = NULL, *certificate = NULL, *kind = NULL, *title = NULL, *title_zh = NULL,
                  *issuer = NULL, *issued = NULL, *valid_until = NULL;
  gboolean private_ = FALSE;
  const GOptionEntry entries[] = {
      {"photo", 0, 0, G_OPTION_ARG_FILENAME, &photo,
       "A product photo for the consumer page (JPEG or PNG)", "FILE"},
      {"certificate", 0, 0, G_OPTION_ARG_FILENAME, &certificate,
       "A certificate (PDF, JPEG or PNG); needs --kind and --title", "FILE"},
      {"kind", 0, 0, G_OPTION_ARG_STRING, &kind, "residue-test, gi-mark, organic or other", "KIND"},
      {"title", 0, 0, G_OPTION_ARG_STRING, &title, "The certificate's title", "TEXT"},
      {"title-zh", 0, 0, G_OPTION_ARG_STRING, &title_zh,
       "Its title in Chinese, when --title is in another language", "TEXT"},
      {"issuer", 0, 0, G_OPTION_ARG_STRING, &issuer, "Who issued it", "TEXT"},
      {"issued", 0, 0, G_OPTION_ARG_STRING, &issued, "When it was issued", "YYYY-MM-DD"},
      {"valid-until", 0, 0, G_OPTION_ARG_STRING, &valid_until, "Last day it is valid",
       "YYYY-MM-DD"},
      {"private", 0, 0, G_OPTION_ARG_NONE, &private_,
       "Keep it from the public and buyers (signed, redacted from the public bundle)", NULL},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "BATCH",
                    "Attach a product photo or a certificate to a batch as signed evidence, "
                    "shown on its consumer page.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one batch: its lot, or #N for the batch with id N");
  if (!photo == !certificate)
    return pt_cli_usage("give either --photo FILE or --certificate FILE");
  if (photo && (kind || title || title_zh || issuer || issued || valid_until))
    return pt_cli_usage("--kind, --title, --issuer and the dates are a certificate's");
  if (certificate && (!kind || !title))
    return pt_cli_usage("a certificate needs --kind and --title");
  PtAttachSpec spec = {.role = photo ? PT_ATTACH_PHOTO : PT_ATTACH_CERTIFICATE,
                       .kind = kind,
                       .title = title,
                       .title_zh = title_zh,
                       .issuer = issuer,
                       .issued = issued,
                       .valid_until = valid_until,
                       .private_ = private_};
  g_autoptr(GError) error = NULL;
  g_autofree char *data = NULL;
  gsize len = 0;
  gsize max = (photo ? PT_ATTACH_PHOTO_BYTES_MAX : PT_ATTACH_CERT_BYTES_MAX);
  if (!read_upload(photo ? photo : certificate, max, &data, &len, &error))
    return pt_cli_fail(error);
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  json_t *a = batch ? pt_attachment_add(station, store, batch, &spec, (const guint8 *)data, len,
                                        NULL, &error)
                    : NULL;
  if (!a)
    return pt_cli_fail(error);
  if (common.json) {
    pt_cli_print_json(a);
    return PT_EXIT_OK;
  }
  printf("%s %s attached to batch %" G_GINT64_FORMAT " (lot %s) as event %" JSON_INTEGER_FORMAT
         "%s\n  sha256  %s\n  file    %s\n",
         photo ? "photo" : "certificate", json_string_value(json_object_get(a, "mediaType")),
         batch->id, batch->lot, json_integer_value(json_object_get(a, "event")),
         private_ ? " (private)" : "", json_string_value(json_object_get(a, "sha256")),
         json_string_value(json_object_get(a, "path")));
  json_decref(a);
  return PT_EXIT_OK;
}

int
pt_cmd_batch(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace batch new|list|show|hold|release|recall|repack|attach [OPTIONS]\n"
            "  new      create a batch (--product, --gtin, ...)\n"
            "  list     list batches\n"
            "  show ID  a batch and its events\n"
            "  hold ID --reason TEXT, release ID, recall ID --reason TEXT\n"
            "  repack ID --into LOT=QTY [--into LOT=QTY ...] [--step STEP]  new lots from it\n"
            "  attach ID --photo FILE | --certificate FILE --kind KIND --title TEXT [...]\n"
            "           signed evidence for its consumer page\n"
            "Each takes --help.\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  g_autofree char *name = g_strdup_printf("batch %s", sub);
  argv[1] = name;
  argc--;
  argv++;
  if (strcmp(sub, "new") == 0)
    return batch_new(argc, argv);
  if (strcmp(sub, "list") == 0)
    return batch_list(argc, argv);
  if (strcmp(sub, "show") == 0)
    return batch_show(argc, argv);
  if (strcmp(sub, "hold") == 0)
    return batch_status(argc, argv, PT_BATCH_HOLD);
  if (strcmp(sub, "release") == 0)
    return batch_status(argc, argv, PT_BATCH_RELEASE);
  if (strcmp(sub, "recall") == 0)
    return batch_status(argc, argv, PT_BATCH_RECALL);
  if (strcmp(sub, "repack") == 0)
    return batch_repack(argc, argv);
  if (strcmp(sub, "attach") == 0)
    return batch_attach(argc, argv);
  fprintf(stderr, "packtrace batch: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}

static int
event_add(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *step = NULL, *disposition = NULL, *at = NULL, *qty = NULL, *uom = NULL,
                  *note = NULL, *public_note = NULL, *camera = NULL, *from = NULL, *to = NULL;
  const GOptionEntry entries[] = {
      {"step", 0, 0, G_OPTION_ARG_STRING, &step, "CBV business step (required)", "STEP"},
      {"disposition", 0, 0, G_OPTION_ARG_STRING, &disposition, "CBV disposition", "WORD"},
      {"at", 0, 0, G_OPTION_ARG_STRING, &at, "When it happened (default: now)", "RFC3339"},
      {"quantity", 0, 0, G_OPTION_ARG_STRING, &qty, "Quantity", "N"},
      {"uom", 0, 0, G_OPTION_ARG_STRING, &uom, "Unit (default KGM)", "UOM"},
      {"note", 0, 0, G_OPTION_ARG_STRING, &note,
       "Free text for operators and the full export (a record with one is private)", "TEXT"},
      {"public-note", 0, 0, G_OPTION_ARG_STRING, &public_note,
       "Free text for the consumer page (signed, in clear in the public bundle)", "TEXT"},
      {"camera", 0, 0, G_OPTION_ARG_STRING, &camera,
       "Attach an evidence clip from this camera (needs --from and --to)", "NAME"},
      {"from", 0, 0, G_OPTION_ARG_STRING, &from, "Clip start", "RFC3339"},
      {"to", 0, 0, G_OPTION_ARG_STRING, &to, "Clip end", "RFC3339"},
      {NULL}};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "BATCH",
                    "Record a step of a batch (its lot, or #N for id N) by hand.", entries,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2 || !step) {
    return pt_cli_usage("expected a batch (lot, or #N) and --step");
  }
  if ((camera || from || to) && !(camera && from && to)) {
    return pt_cli_usage("--camera, --from and --to go together");
  }
  gint64 from_ns = 0, to_ns = 0;
  g_autoptr(GError) error = NULL;
  if (camera && (!pt_time_parse(from, &from_ns, &error) || !pt_time_parse(to, &to_ns, &error))) {
    return pt_cli_usage("%s", error->message);
  }
  if (camera && !pt_pipeline_init(NULL, NULL, &error)) {
    return pt_cli_fail(error);
  }
  PtEventSpec spec = {.step = step,
                      .disposition = disposition,
                      .at = at,
                      .uom = uom,
                      .note = note,
                      .public_note = public_note};
  if (qty) {
    if (!parse_quantity(qty, &spec.quantity)) {
      return pt_cli_usage("--quantity '%s' is not a number", qty);
    }
    spec.has_quantity = TRUE;
  }
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  PtEventRow row = {0};
  gboolean ok = batch && (camera ? pt_evidence_add_event(station, store, batch, &spec, camera,
                                                         from_ns, to_ns, &row, &error)
                                 : pt_batch_add_event(station, store, batch, &spec, &row, &error));
  if (!ok) {
    return pt_cli_fail(error);
  }
  if (common.json) {
    json_t *e = pt_event_row_to_json(&row, &error);
    if (e)
      pt_cli_print_json(e);
    else
      rc = pt_cli_fail(error);
  } else {
    g_autofree char *hash = pt_hex_encode(row.hash, PT_HASH_LEN);
    printf("recorded %s event %s on batch %" G_GINT64_FORMAT " (lot %s), hash %s\n", step,
           row.event_id, batch->id, batch->lot, hash);
  }
  pt_event_row_clear(&row);
  return rc;
}

static int
event_correct(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *reason = NULL, *corrective = NULL;
  gint64 position = 0;
  const GOptionEntry entries[] = {
      {"event", 0, 0, G_OPTION_ARG_INT64, &position, "The event, numbered as in `batch show`", "N"},
      {"reason", 0, 0, G_OPTION_ARG_STRING, &reason, "did_not_occur or incorrect_data", "WHY"},
      {"corrected-by", 0, 0, G_OPTION_ARG_STRING, &corrective,
       "eventID of the event that replaces it (record it first with event add)", "URN"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "BATCH",
                    "Declare an event of a batch to be in error (EPCIS errorDeclaration).  The "
                    "original stays in the log; the declaration is a new signed record.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2 || position < 1 || !reason)
    return pt_cli_usage("expected a batch (lot, or #N), --event N and --reason");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  PtEventRow row = {0};
  if (!batch ||
      !pt_batch_declare_error(station, store, batch, position, reason, corrective, &row, &error))
    return pt_cli_fail(error);
  if (common.json) {
    json_t *e = pt_event_row_to_json(&row, &error);
    pt_event_row_clear(&row);
    if (!e)
      return pt_cli_fail(error);
    pt_cli_print_json(e);
  } else {
    printf("declared event %" G_GINT64_FORMAT " (%s) of lot %s in error: %s\n", position,
           row.event_id, batch->lot, reason);
    pt_event_row_clear(&row);
  }
  return PT_EXIT_OK;
}

int
pt_cmd_event(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace event add ID --step STEP [--at RFC3339] [--quantity N --uom UOM] "
            "[--note TEXT]\n"
            "         [--camera NAME --from RFC3339 --to RFC3339]  (attach an evidence clip)\n"
            "       packtrace event correct ID --event N --reason did_not_occur|incorrect_data "
            "[--corrected-by EVENTID]\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  if (strcmp(sub, "add") == 0) {
    argv[1] = (char *)"event add";
    return event_add(argc - 1, argv + 1);
  }
  if (strcmp(sub, "correct") == 0) {
    argv[1] = (char *)"event correct";
    return event_correct(argc - 1, argv + 1);
  }
  fprintf(stderr, "packtrace event: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}
