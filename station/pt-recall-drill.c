/* pt-recall-drill.c: the mock-recall drill and its signed report (pt-recall.h).
 *
 * A drill is a recall row of kind "drill" with its notices (drill: true in every body), made
 * without a holding event: the batch's status, its consumer page and the resolver never see
 * it.  The drill sends its notices itself, so it measures delivery whether or not the station
 * runs; a running station's notice worker may send one of them too (the receiver sees the same
 * Idempotency-Key twice).  Acknowledgements arrive on the running station's portal, in the same
 * database, and the drill polls for them. */
#include "pt-recall.h"

#include "pt-canon.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-report-pdf.h"
#include "pt-store-recall.h"
#include "pt-sync-notice.h"
#include "pt-time.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#define REPORT_TYPE "packtrace-drill-report/1"
#define POLL_US     (100 * 1000)

static double
ms_since(gint64 t0_us)
{
  return (double)(g_get_monotonic_time() - t0_us) / 1000.0;
}

/* Counts of @recall_id's notices: to send (a connector's, not yet delivered), buyers, and
 * buyers acknowledged. */
static gboolean
tally(PtStore *store, gint64 recall_id, int *undelivered, int *buyers, int *acked, GError **error)
{
  json_t *notices = pt_store_notices_list(store, recall_id, NULL, PT_RECALL_NOTICES_MAX, error);
  if (!notices)
    return FALSE;
  *undelivered = *buyers = *acked = 0;
  gsize i;
  json_t *n;
  json_array_foreach(notices, i, n)
  {
    const char *delivery = json_string_value(json_object_get(n, "delivery"));
    gboolean buyer = !g_strcmp0(json_string_value(json_object_get(n, "recipient")), "buyer");
    *undelivered +=
        g_strcmp0(delivery, "none") != 0 && json_is_null(json_object_get(n, "delivered_ns"));
    *buyers += buyer;
    *acked += buyer && !json_is_null(json_object_get(n, "acked_ns"));
  }
  json_decref(notices);
  return TRUE;
}

static json_t *
ms_or_null(gboolean reached, double ms)
{
  return reached ? json_real(ms) : json_null();
}

/* The report's text lines for the PDF.  Returns: (transfer full). */
static GStrv
report_lines(json_t *report)
{
  GStrvBuilder *b = g_strv_builder_new();
  json_t *steps = json_object_get(report, "steps");
  json_t *sig = json_object_get(report, "signature");
  g_autofree char *s1 =
      g_strdup_printf("Station %s (%s)", json_string_value(json_object_get(report, "station_name")),
                      json_string_value(json_object_get(report, "station_id")));
  g_strv_builder_add(b, s1);
  g_autofree char *s2 =
      g_strdup_printf("Lot %s, GTIN %s, %s", json_string_value(json_object_get(report, "lot")),
                      json_string_value(json_object_get(report, "gtin")),
                      json_string_value(json_object_get(report, "product")));
  g_strv_builder_add(b, s2);
  g_autofree char *s3 = g_strdup_printf("Started %s, finished %s, outcome: %s",
                                        json_string_value(json_object_get(report, "started")),
                                        json_string_value(json_object_get(report, "finished")),
                                        json_string_value(json_object_get(report, "outcome")));
  g_strv_builder_add(b, s3);
  g_strv_builder_add(b, "");
  g_strv_builder_add(b, "Steps (milliseconds from the start; - = not reached):");
  const char *names[] = {"impact_ready_ms", "notices_issued_ms", "all_delivered_ms",
                         "all_acknowledged_ms"};
  for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
    json_t *v = json_object_get(steps, names[i]);
    g_autofree char *line = json_is_number(v)
                                ? g_strdup_printf("  %-22s %10.1f", names[i], json_number_value(v))
                                : g_strdup_printf("  %-22s %10s", names[i], "-");
    g_strv_builder_add(b, line);
  }
  g_strv_builder_add(b, "");
  g_strv_builder_add(b, "Lots reached:");
  gsize i;
  json_t *v;
  json_array_foreach(json_object_get(json_object_get(report, "impact"), "lots"), i, v)
  {
    g_autofree char *line = g_strdup_printf(
        "  %s (%s%s%s)", json_string_value(json_object_get(v, "lot")),
        json_string_value(json_object_get(v, "via")),
        json_is_string(json_object_get(v, "from")) ? " from " : "",
        json_is_string(json_object_get(v, "from")) ? json_string_value(json_object_get(v, "from"))
                                                   : "");
    g_strv_builder_add(b, line);
  }
  g_strv_builder_add(b, "");
  g_strv_builder_add(b, "Notices:");
  json_array_foreach(json_object_get(report, "notices"), i, v)
  {
    const char *gln = json_string_value(json_object_get(v, "gln"));
    g_autofree char *line =
        g_strdup_printf("  #%" JSON_INTEGER_FORMAT " %s %s%s%s: %s%s%s",
                        json_integer_value(json_object_get(v, "id")),
                        json_string_value(json_object_get(v, "recipient")),
                        json_string_value(json_object_get(v, "name")), gln ? " GLN " : "",
                        gln ? gln : "", json_string_value(json_object_get(v, "state")),
                        json_is_string(json_object_get(v, "ack_by")) ? " by " : "",
                        json_is_string(json_object_get(v, "ack_by"))
                            ? json_string_value(json_object_get(v, "ack_by"))
                            : "");
    g_strv_builder_add(b, line);
  }
  g_strv_builder_add(b, "");
  g_strv_builder_add(b, "Signed (Ed25519 over the canonical JSON report, RFC 8785, without");
  g_strv_builder_add(b, "its signature member); check it with: packtrace recall verify FILE.json");
  g_autofree char *k = g_strdup_printf("  key %s", json_string_value(json_object_get(sig, "key")));
  g_strv_builder_add(b, k);
  const char *value = json_string_value(json_object_get(sig, "value"));
  g_autofree char *v1 = g_strdup_printf("  signature %.64s", value);
  g_autofree char *v2 = g_strdup_printf("            %s", value + 64);
  g_strv_builder_add(b, v1);
  g_strv_builder_add(b, v2);
  GStrv out = g_strv_builder_end(b);
  g_strv_builder_unref(b);
  return out;
}

/* SHA-256 of @report's canonical form without its signature member. */
static gboolean
report_digest(json_t *report, guint8 digest[PT_HASH_LEN], GError **error)
{
  json_t *copy = json_copy(report);
  json_object_del(copy, "signature");
  gsize len = 0;
  g_autofree char *canon = pt_canon_dump(copy, &len, error);
  json_decref(copy);
  if (!canon)
    return FALSE;
  crypto_hash_sha256(digest, (const guint8 *)canon, len);
  return TRUE;
}

static gboolean
sign_report(const PtStation *station, json_t *report, GError **error)
{
  guint8 digest[PT_HASH_LEN], sig[PT_SIG_LEN];
  if (!report_digest(report, digest, error))
    return FALSE;
  pt_keys_sign(station->keys, digest, sig);
  g_autofree char *key = pt_hex_encode(station->keys->public_key, PT_PUB_LEN);
  g_autofree char *value = pt_hex_encode(sig, PT_SIG_LEN);
  json_object_set_new(report, "signature",
                      json_pack("{ssssss}", "alg", "Ed25519", "key", key, "value", value));
  return TRUE;
}

/* The report is signed in canonical JSON, whose numbers are exact only up to 2^53: every
 * "*_ns" member of @rows becomes its time, RFC 3339 (member without "_ns"; null stays null). */
static void
times_for_report(json_t *rows)
{
  gsize i;
  json_t *row;
  json_array_foreach(rows, i, row)
  {
    g_autoptr(GPtrArray) keys = g_ptr_array_new_with_free_func(g_free);
    const char *k;
    json_t *v;
    json_object_foreach(row, k, v)
    {
      if (g_str_has_suffix(k, "_ns"))
        g_ptr_array_add(keys, g_strdup(k));
    }
    for (guint j = 0; j < keys->len; j++) {
      const char *key = keys->pdata[j];
      json_t *ns = json_object_get(row, key);
      g_autofree char *name = g_strndup(key, strlen(key) - 3);
      json_object_set_new(row, name,
                          json_is_integer(ns) && json_integer_value(ns)
                              ? pt_time_json(json_integer_value(ns))
                              : json_null());
      json_object_del(row, key);
    }
  }
}

static json_t *
impact_summary(json_t *impact)
{
  json_t *lots = json_array(), *dests = json_array(), *loads = json_array();
  gsize i;
  json_t *v;
  json_array_foreach(json_object_get(impact, "lots"), i, v)
  {
    json_array_append_new(lots,
                          json_pack("{sOsOsOsO}", "lot", json_object_get(v, "lot"), "via",
                                    json_object_get(v, "via"), "from", json_object_get(v, "from"),
                                    "in_shed", json_object_get(v, "in_shed")));
  }
  json_array_foreach(json_object_get(impact, "destinations"), i, v)
  {
    json_array_append_new(dests, json_pack("{sOsOsO}", "gln", json_object_get(v, "gln"), "name",
                                           json_object_get(v, "name"), "shipped",
                                           json_object_get(v, "shipped")));
  }
  json_array_foreach(json_object_get(impact, "loads"), i, v)
  {
    json_array_append_new(loads,
                          json_pack("{sOsOsOsO}", "load_id", json_object_get(v, "load_id"), "plate",
                                    json_object_get(v, "plate"), "seal", json_object_get(v, "seal"),
                                    "departed_ns", json_object_get(v, "departed_ns")));
  }
  times_for_report(loads);
  return json_pack("{sOsososo}", "totals", json_object_get(impact, "totals"), "lots", lots,
                   "destinations", dests, "loads", loads);
}

static gboolean
write_report(const PtStation *station, json_t *report, const char *dir, gint64 recall_id,
             char **json_path_out, char **pdf_path_out, GError **error)
{
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    int e = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", dir, g_strerror(e));
    return FALSE;
  }
  g_autofree char *base = g_strdup_printf("drill-%" G_GINT64_FORMAT, recall_id);
  g_autofree char *json_name = g_strconcat(base, ".json", NULL);
  g_autofree char *pdf_name = g_strconcat(base, ".pdf", NULL);
  g_autofree char *json_path = g_build_filename(dir, json_name, NULL);
  g_autofree char *pdf_path = g_build_filename(dir, pdf_name, NULL);
  g_autofree char *text = json_dumps(report, JSON_INDENT(2) | JSON_SORT_KEYS);
  g_auto(GStrv) lines = report_lines(report);
  g_autoptr(GBytes) pdf =
      pt_report_pdf("Mock recall drill report", (const char *const *)lines, error);
  (void)station;
  if (!pdf || !pt_file_write_atomic(json_path, text, strlen(text), 0644, error) ||
      !pt_file_write_atomic(pdf_path, g_bytes_get_data(pdf, NULL), g_bytes_get_size(pdf), 0644,
                            error))
    return FALSE;
  *json_path_out = g_steal_pointer(&json_path);
  *pdf_path_out = g_steal_pointer(&pdf_path);
  return TRUE;
}

json_t *
pt_recall_drill(PtStation *station, const PtBatch *batch, const PtDrillSpec *spec,
                char **json_path_out, char **pdf_path_out, GError **error)
{
  g_autoptr(PtStore) store = pt_station_store(station, error);
  if (!store)
    return NULL;
  g_autofree char *default_dir = g_build_filename(station->dir, "reports", NULL);
  gint64 started = pt_now_ns();
  gint64 t0 = g_get_monotonic_time();
  json_t *impact = NULL;
  gint64 recall_id = 0;
  if (!pt_store_begin(store, error))
    return NULL;
  if (!pt_recall_notify_locked(station, store, batch, "drill", "mock recall drill", NULL,
                               &recall_id, &impact, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    json_decref(impact);
    return NULL;
  }
  double impact_ms = (double)json_integer_value(json_object_get(impact, "elapsed_us")) / 1000.0;
  double issued_ms = ms_since(t0);

  /* Deliver: every round sends what is due; a failed attempt waits its back-off. */
  int undelivered = 0, buyers = 0, acked = 0;
  gint64 deliver_until = t0 + (gint64)spec->deliver_wait_s * G_USEC_PER_SEC;
  double delivered_ms = 0;
  gboolean all_delivered = FALSE;
  for (;;) {
    if (!pt_sync_notices_send(store, station->config, station->dir, station->keys, pt_now_ns(),
                              PT_RECALL_SEND_TIMEOUT_MS, NULL, error) ||
        !tally(store, recall_id, &undelivered, &buyers, &acked, error))
      goto out_error;
    if (undelivered == 0) {
      all_delivered = TRUE;
      delivered_ms = ms_since(t0);
      break;
    }
    if (g_get_monotonic_time() >= deliver_until)
      break;
    g_usleep(POLL_US);
  }
  /* Then the acknowledgements, which buyers give on the running station's portal. */
  gint64 ack_until = g_get_monotonic_time() + (gint64)spec->wait_s * G_USEC_PER_SEC;
  gboolean all_acked = FALSE;
  double acked_ms = 0;
  for (;;) {
    if (!tally(store, recall_id, &undelivered, &buyers, &acked, error))
      goto out_error;
    if (acked == buyers) {
      all_acked = TRUE;
      acked_ms = ms_since(t0);
      break;
    }
    if (g_get_monotonic_time() >= ack_until)
      break;
    g_usleep(POLL_US);
  }
  json_t *notices = pt_store_notices_list(store, recall_id, NULL, PT_RECALL_NOTICES_MAX, error);
  if (!notices)
    goto out_error;
  json_t *report =
      json_pack("{sssssssIssssss}", "type", REPORT_TYPE, "station_id", station->config->station_id,
                "station_name", station->config->name, "recall_id", (json_int_t)recall_id, "lot",
                batch->lot, "gtin", batch->gtin, "product", batch->product);
  json_object_set_new(report, "drill", json_true());
  json_object_set_new(report, "started", pt_time_json(started));
  json_object_set_new(report, "finished", pt_time_json(pt_now_ns()));
  json_object_set_new(report, "outcome",
                      json_string(all_acked && all_delivered ? "complete"
                                  : all_delivered            ? "timeout: not all acknowledged"
                                                             : "timeout: not all delivered"));
  json_object_set_new(report, "steps",
                      json_pack("{sfsfsoso}", "impact_ready_ms", impact_ms, "notices_issued_ms",
                                issued_ms, "all_delivered_ms",
                                ms_or_null(all_delivered, delivered_ms), "all_acknowledged_ms",
                                ms_or_null(all_acked, acked_ms)));
  json_object_set_new(
      report, "progress",
      json_pack("{sisisi}", "buyers", buyers, "acknowledged", acked, "undelivered", undelivered));
  json_object_set_new(report, "impact", impact_summary(impact));
  times_for_report(notices);
  json_object_set_new(report, "notices", notices);
  if (!sign_report(station, report, error) ||
      !write_report(station, report, spec->out_dir ? spec->out_dir : default_dir, recall_id,
                    json_path_out, pdf_path_out, error)) {
    json_decref(report);
    goto out_error;
  }
  json_decref(impact);
  return report;

out_error:
  json_decref(impact);
  return NULL;
}

gboolean
pt_recall_report_verify(const char *path, const char *public_key_hex, GError **error)
{
  gsize len = 0;
  g_autofree char *text = pt_file_read(path, PT_HUB_BODY_MAX, &len, error);
  if (!text)
    return FALSE;
  json_t *report = pt_json_parse(text, len, error);
  if (!report)
    return FALSE;
  gboolean ok = FALSE;
  json_t *sig = json_object_get(report, "signature");
  const char *key_hex = json_string_value(json_object_get(sig, "key"));
  const char *value = json_string_value(json_object_get(sig, "value"));
  guint8 key[PT_PUB_LEN], sigbytes[PT_SIG_LEN], digest[PT_HASH_LEN];
  if (g_strcmp0(json_string_value(json_object_get(report, "type")), REPORT_TYPE) != 0 ||
      g_strcmp0(json_string_value(json_object_get(sig, "alg")), "Ed25519") != 0 || !key_hex ||
      !value || !pt_hex_decode(key_hex, key, PT_PUB_LEN) ||
      !pt_hex_decode(value, sigbytes, PT_SIG_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
                "%s is not a signed drill report (" REPORT_TYPE ")", path);
    goto out;
  }
  if (public_key_hex && g_ascii_strcasecmp(public_key_hex, key_hex) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED, "%s is signed by key %s, not %s", path, key_hex,
                public_key_hex);
    goto out;
  }
  if (!report_digest(report, digest, error))
    goto out;
  if (!pt_keys_verify(key, digest, sigbytes)) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED,
                "%s: the signature does not verify: the report was changed after signing", path);
    goto out;
  }
  ok = TRUE;
out:
  json_decref(report);
  return ok;
}
