/* pt-pallet.c: SSCC allocation that never repeats, and cases packed onto pallets and taken off
 * (AggregationEvents). */
#include "pt-pallet.h"

#include "pt-batch-signed.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-gs1-ai.h"
#include "pt-limits.h"
#include "pt-store-load.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <string.h>

#define MARK_GROUP "serials"

/* The last serial of @range in the high-water file, 0 when the file or the range is absent. */
static gboolean
mark_read(const char *path, const char *range, GKeyFile **kf_out, gint64 *last_out, GError **error)
{
  *last_out = 0;
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) local = NULL;
  gsize len = 0;
  g_autofree char *text = pt_file_read(path, PT_SSCC_MARK_MAX, &len, &local);
  if (!text && !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  if (text && !g_key_file_load_from_data(kf, text, len, G_KEY_FILE_NONE, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: %s", path, local->message);
    return FALSE;
  }
  g_autofree char *value = g_key_file_get_string(kf, MARK_GROUP, range, NULL);
  guint64 n = 0;
  if (value && !g_ascii_string_to_unsigned(value, 10, 0, G_MAXINT64, &n, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [%s] %s '%.32s' is not a serial", path,
                MARK_GROUP, range, value);
    return FALSE;
  }
  *last_out = (gint64)n;
  *kf_out = g_steal_pointer(&kf);
  return TRUE;
}

static gboolean
mark_write(const char *path, GKeyFile *kf, const char *range, gint64 last, GError **error)
{
  g_autofree char *value = g_strdup_printf("%" G_GINT64_FORMAT, last);
  g_key_file_set_string(kf, MARK_GROUP, range, value);
  gsize len = 0;
  g_autofree char *text = g_key_file_to_data(kf, &len, NULL);
  return pt_file_write_atomic(path, text, len, 0600, error);
}

static gboolean
allocate_locked(PtStation *station, PtStore *store, PtPallet *pallet, GError **error)
{
  const PtConfig *config = station->config;
  if (!config->company_prefix) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "no GS1 company prefix: set [station] gs1_company_prefix in station.ini to "
                "allocate SSCCs");
    return FALSE;
  }
  g_autofree char *range = g_strdup_printf("%u%s", config->sscc_extension, config->company_prefix);
  g_autofree char *mark = g_build_filename(station->dir, PT_SSCC_MARK_FILE, NULL);
  g_autoptr(GKeyFile) kf = NULL;
  gint64 db_last = 0, file_last = 0;
  if (!pt_store_sscc_serial_last(store, range, &db_last, error) ||
      !mark_read(mark, range, &kf, &file_last, error))
    return FALSE;
  gint64 serial = MAX(db_last, file_last) + 1;
  char sscc[PT_GS1_SSCC_LEN + 1];
  g_autoptr(GError) local = NULL;
  if (!pt_gs1_sscc_compose(config->sscc_extension, config->company_prefix, (guint64)serial, sscc,
                           &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "the SSCC range of extension %u and company prefix %s is used up: %s",
                config->sscc_extension, config->company_prefix, local->message);
    return FALSE;
  }
  /* The file first: once it is on disk the serial is spent, whether or not the row commits. */
  if (!mark_write(mark, kf, range, serial, error) ||
      !pt_store_sscc_serial_set(store, range, serial, error))
    return FALSE;
  pallet->sscc = g_strdup(sscc);
  pallet->created_ns = pt_now_ns();
  return pt_store_pallet_insert(store, pallet, error);
}

PtPallet *
pt_pallet_new(PtStation *station, PtStore *store, GError **error)
{
  g_autoptr(PtPallet) pallet = g_new0(PtPallet, 1);
  if (!pt_store_begin(store, error))
    return NULL;
  if (!allocate_locked(station, store, pallet, error) || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return NULL;
  }
  return g_steal_pointer(&pallet);
}

PtPallet *
pt_pallet_lookup(PtStore *store, const char *text, GError **error)
{
  const char *digits = text;
  if (g_str_has_prefix(digits, "(00)"))
    digits += 4;
  else if (strlen(digits) == PT_GS1_SSCC_LEN + 2 && g_str_has_prefix(digits, "00"))
    digits += 2;
  g_autoptr(GError) local = NULL;
  if (strlen(digits) != PT_GS1_SSCC_LEN || !pt_gs1_validate_sscc(digits, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "'%.40s' is not an SSCC: %s", text,
                local ? local->message : "an SSCC has 18 digits");
    return NULL;
  }
  return pt_store_pallet_get(store, digits, error);
}

/* Cases may not move while the pallet is on a load that has not left. */
static gboolean
check_not_loaded(PtStore *store, const PtPallet *pallet, GError **error)
{
  if (!pallet->load_id)
    return TRUE;
  g_autoptr(PtLoad) load = pt_store_load_get(store, pallet->load_id, error);
  if (!load)
    return FALSE;
  g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
              "pallet %s is on load %" G_GINT64_FORMAT " (%s): its cases stay as loaded%s",
              pallet->sscc, load->id, load->closed_ns ? "departed" : "open",
              load->closed_ns ? "" : " until it is taken off the load");
  return FALSE;
}

static gboolean
check_cases(gint64 cases, gboolean zero_ok, GError **error)
{
  if ((cases == 0 && zero_ok) || (cases >= 1 && cases <= PT_PALLET_CASES_MAX))
    return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "cases must be 1 to %d, got %" G_GINT64_FORMAT,
              PT_PALLET_CASES_MAX, cases);
  return FALSE;
}

/* Signs @ev onto @batch's chain and sets its cases on the pallet to @total, in the caller's
 * transaction. */
static gboolean
append_locked(PtStation *station, PtStore *store, const PtPallet *pallet, const PtBatch *batch,
              const char *step, gint64 when_ns, json_t *ev, gint64 total, char **event_id_out,
              GError **error)
{
  PtEventRow row = {0};
  gboolean ok = pt_trace_append(store, station->keys, batch->id, step, when_ns, ev, &row, error) &&
                pt_store_pallet_cases_set(store, pallet->id, batch->id, total, error);
  if (ok && event_id_out)
    *event_id_out = g_strdup(row.event_id);
  pt_event_row_clear(&row);
  return ok;
}

static gboolean
add_locked(PtStation *station, PtStore *store, const PtPallet *pallet, PtBatch *batch, gint64 cases,
           const char *source, char **event_id_out, GError **error)
{
  g_autoptr(PtPallet) fresh = pt_store_pallet_get(store, pallet->sscc, error);
  if (!fresh || !check_not_loaded(store, fresh, error))
    return FALSE;
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, error))
    return FALSE;
  g_autofree char *refused = pt_batch_signed_refusal(&st, "palletised");
  if (refused) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s", refused);
    return FALSE;
  }
  g_autoptr(PtPallet) other = NULL;
  if (!pt_store_pallet_holding_batch(store, batch->id, fresh->id, &other, error))
    return FALSE;
  if (other) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "cases of lot %s are on pallet %s: a lot's cases go on one pallet; take them "
                "off it first",
                batch->lot, other->sscc);
    return FALSE;
  }
  gint64 on = 0;
  if (!pt_store_pallet_cases_get(store, fresh->id, batch->id, &on, error))
    return FALSE;
  if (on + cases > PT_PALLET_CASES_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "pallet %s would hold %" G_GINT64_FORMAT " cases of lot %s (at most %d)",
                fresh->sscc, on + cases, batch->lot, PT_PALLET_CASES_MAX);
    return FALSE;
  }
  gint64 now = pt_now_ns();
  json_t *ev = pt_epcis_aggregation_new(station->config, fresh->sscc, TRUE, batch, cases, now);
  json_object_set_new(ev, "pt:addedBy", json_string(source));
  gboolean ok = append_locked(station, store, fresh, batch, "packing", now, ev, on + cases,
                              event_id_out, error);
  json_decref(ev);
  return ok;
}

gboolean
pt_pallet_add(PtStation *station, PtStore *store, const PtPallet *pallet, PtBatch *batch,
              gint64 cases, const char *source, char **event_id_out, GError **error)
{
  if (!check_cases(cases, FALSE, error) || !pt_store_begin(store, error))
    return FALSE;
  if (!add_locked(station, store, pallet, batch, cases, source, event_id_out, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  return TRUE;
}

static gboolean
remove_locked(PtStation *station, PtStore *store, const PtPallet *pallet, PtBatch *batch,
              gint64 cases, const char *reason, char **event_id_out, GError **error)
{
  g_autoptr(PtPallet) fresh = pt_store_pallet_get(store, pallet->sscc, error);
  if (!fresh || !check_not_loaded(store, fresh, error))
    return FALSE;
  gint64 on = 0;
  if (!pt_store_pallet_cases_get(store, fresh->id, batch->id, &on, error))
    return FALSE;
  if (on == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "lot %s is not on pallet %s", batch->lot,
                fresh->sscc);
    return FALSE;
  }
  if (cases > on) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "pallet %s holds %" G_GINT64_FORMAT " case%s of lot %s, not %" G_GINT64_FORMAT,
                fresh->sscc, on, on == 1 ? "" : "s", batch->lot, cases);
    return FALSE;
  }
  gint64 n = cases ? cases : on;
  gint64 now = pt_now_ns();
  json_t *ev = pt_epcis_aggregation_new(station->config, fresh->sscc, FALSE, batch, n, now);
  if (reason)
    json_object_set_new(ev, "pt:reason", json_string(reason));
  gboolean ok = append_locked(station, store, fresh, batch, "unpacking", now, ev, on - n,
                              event_id_out, error);
  json_decref(ev);
  return ok;
}

gboolean
pt_pallet_remove(PtStation *station, PtStore *store, const PtPallet *pallet, PtBatch *batch,
                 gint64 cases, const char *reason, char **event_id_out, GError **error)
{
  if (!check_cases(cases, TRUE, error) ||
      !pt_check_text("reason", reason, PT_TEXT_FIELD_MAX, FALSE, error) ||
      !pt_store_begin(store, error))
    return FALSE;
  if (!remove_locked(station, store, pallet, batch, cases, reason, event_id_out, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  return TRUE;
}

GBytes *
pt_pallet_label(PtStation *station, PtStore *store, const PtPallet *pallet, PtLabelFormat format,
                guint dpi, GError **error)
{
  g_autoptr(GPtrArray) contents = pt_store_pallet_contents(store, pallet->id, error);
  if (!contents)
    return NULL;
  if (contents->len == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "pallet %s is empty: nothing to label",
                pallet->sscc);
    return NULL;
  }
  g_autofree PtLogisticLine *lines = g_new0(PtLogisticLine, contents->len);
  for (guint i = 0; i < contents->len; i++) {
    const PtPalletCases *c = g_ptr_array_index(contents, i);
    /* A label says what may ship: the lots' signed status decides, as for batch labels. */
    g_autoptr(PtBatch) row = pt_store_batch_get(store, c->batch_id, error);
    g_auto(PtBatchSigned) st = {0};
    if (!row || !pt_batch_signed_read(store, station->keys->anchor_key, row, &st, error))
      return NULL;
    g_autofree char *refused = pt_batch_signed_refusal(&st, "labelled");
    if (refused) {
      g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "pallet %s: %s", pallet->sscc, refused);
      return NULL;
    }
    lines[i] = (PtLogisticLine){
        .gtin = c->gtin, .lot = c->lot, .product = c->product, .cases = (guint)c->cases};
  }
  const PtLabelSettings *settings = station->config->labels;
  PtLogisticContent content = {.sscc = pallet->sscc,
                               .supplier_name = settings->supplier_name,
                               .supplier_address = settings->supplier_address,
                               .lines = lines,
                               .n_lines = contents->len};
  PtLabelOptions options = {.dpi = dpi};
  g_autoptr(GError) inner = NULL;
  GBytes *out = pt_label_render_logistic(&content, format, &options, &inner);
  if (!out) {
    gboolean bad_content =
        (inner->domain == PT_LABEL_ERROR &&
         (inner->code == PT_LABEL_ERROR_INVALID || inner->code == PT_LABEL_ERROR_TOO_LONG)) ||
        inner->domain == PT_BARCODE_ERROR;
    g_set_error(error, PT_ERROR, bad_content ? PT_ERROR_INVALID : PT_ERROR_FAILED,
                "label of pallet %s: %s", pallet->sscc, inner->message);
  }
  return out;
}

char *
pt_pallet_label_file_name(const PtPallet *pallet, PtLabelFormat format)
{
  return g_strdup_printf("%s-logistic.%s", pallet->sscc, pt_label_format_to_string(format));
}

json_t *
pt_pallet_to_json(PtStore *store, const PtPallet *pallet, GError **error)
{
  g_autoptr(GPtrArray) contents = pt_store_pallet_contents(store, pallet->id, error);
  if (!contents)
    return NULL;
  json_t *lots = json_array();
  gint64 total = 0;
  for (guint i = 0; i < contents->len; i++) {
    const PtPalletCases *c = g_ptr_array_index(contents, i);
    json_array_append_new(
        lots, json_pack("{sssssI}", "lot", c->lot, "gtin", c->gtin, "cases", (json_int_t)c->cases));
    total += c->cases;
  }
  g_autofree char *hri = g_strconcat("(00)", pallet->sscc, NULL);
  g_autofree char *epc = pt_epcis_sscc_uri(pallet->sscc);
  g_autofree char *created = pt_time_format(pallet->created_ns);
  json_t *o = json_pack("{sssssssssosI}", "sscc", pallet->sscc, "hri", hri, "epc", epc, "created",
                        created, "lots", lots, "cases", (json_int_t)total);
  json_object_set_new(o, "load", pallet->load_id ? json_integer(pallet->load_id) : json_null());
  return o;
}
