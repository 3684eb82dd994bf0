/* pt-batch.c: batch creation, status changes and hand-recorded events. */
#include "pt-batch.h"

#include "pt-recall.h"

#include "pt-batch-signed.h"
#include "pt-bundle.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-gs1-dl.h"
#include "pt-gs1.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-log.h"
#include "pt-store-sync.h"
#include "pt-store-video.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <math.h>
#include <string.h>

/* YYYY-MM-DD that exists.  @date_out (nullable) receives it. */
static gboolean
check_date(const char *what, const char *text, GDate *date_out, GError **error)
{
  guint64 y, m, d;
  g_auto(GStrv) parts = g_strsplit(text, "-", -1);
  if (strlen(text) != 10 || g_strv_length(parts) != 3 ||
      !g_ascii_string_to_unsigned(parts[0], 10, 1, 9999, &y, NULL) ||
      !g_ascii_string_to_unsigned(parts[1], 10, 0, 99, &m, NULL) ||
      !g_ascii_string_to_unsigned(parts[2], 10, 0, 99, &d, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s '%s' is not YYYY-MM-DD", what, text);
    return FALSE;
  }
  if (!g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s '%s' is not a date that exists", what, text);
    return FALSE;
  }
  /* The window every station time keeps ([station] years): a pack date of 9999-12-31 is a
   * typo. */
  int first, last;
  pt_time_years(&first, &last);
  if ((int)y < first || (int)y > last) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s '%s' is outside the years %d to %d ([station] years)", what, text, first, last);
    return FALSE;
  }
  if (date_out)
    g_date_set_dmy(date_out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
  return TRUE;
}

static gboolean
check_quantity(gboolean has, double quantity, const char *uom, GError **error)
{
  if (has && (!isfinite(quantity) || quantity <= 0 || quantity > PT_QUANTITY_MAX)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "quantity must be a number above 0");
    return FALSE;
  }
  if (uom && !g_regex_match_simple("^[A-Z0-9]{2,3}$", uom, 0, 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "unit '%s' is not a UN/CEFACT Rec 20 code such as KGM or H87", uom);
    return FALSE;
  }
  if (uom && !has) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a unit needs a quantity");
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_batch_spec_from_json(json_t *object, PtBatchSpec *spec, GError **error)
{
  memset(spec, 0, sizeof *spec);
  const PtJsonField fields[] = {
      {"product", &spec->product},
      {"gtin", &spec->gtin},
      {"variety", &spec->variety},
      {"origin", &spec->origin},
      {"grower", &spec->grower},
      {"harvest_date", &spec->harvest_date},
      {"pack_date", &spec->pack_date},
      {"at", &spec->at},
      {"lot", &spec->lot},
      {"uom", &spec->uom},
      {"quantity", NULL, &spec->quantity, &spec->has_quantity},
  };
  return pt_json_read_object(object, fields, G_N_ELEMENTS(fields), error);
}

gboolean
pt_event_spec_from_json(json_t *object, PtEventSpec *spec, GError **error)
{
  memset(spec, 0, sizeof *spec);
  const PtJsonField fields[] = {
      {"step", &spec->step},
      {"disposition", &spec->disposition},
      {"at", &spec->at},
      {"uom", &spec->uom},
      {"note", &spec->note},
      {"public_note", &spec->public_note},
      {"quantity", NULL, &spec->quantity, &spec->has_quantity},
  };
  return pt_json_read_object(object, fields, G_N_ELEMENTS(fields), error);
}

static char *
today_local(void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local();
  return g_date_time_format(now, "%Y-%m-%d");
}

/* "2026-11-25" -> "261125" */
static char *
yymmdd(const char *iso)
{
  return g_strdup_printf("%.2s%.2s%.2s", iso + 2, iso + 5, iso + 8);
}

static gboolean
generate_lot(PtStore *store, const PtConfig *config, const char *pack_date, char **lot_out,
             GError **error)
{
  g_autofree char *ymd = yymmdd(pack_date);
  g_autofree char *prefix = g_strconcat(config->lot_prefix, ymd, NULL);
  int max;
  if (!pt_store_lot_counter_max(store, prefix, &max, error))
    return FALSE;
  char *lot = g_strdup_printf("%s%04d", prefix, max + 1);
  if (strlen(lot) > PT_GS1_LOT_MAX) {
    g_free(lot);
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "no lot numbers left for %s", prefix);
    return FALSE;
  }
  *lot_out = lot;
  return TRUE;
}

static json_t *
commissioning_event(const PtConfig *config, const PtBatch *b, gint64 when, const char *offset)
{
  json_t *ev = pt_epcis_event_new(config, b, "commissioning", when,
                                  b->has_quantity ? b->quantity : 0, b->uom);
  json_object_set_new(ev, "eventTimeZoneOffset", json_string(offset));
  json_object_set_new(ev, "disposition", json_string("active"));
  json_t *ilmd = json_pack("{ss}", "cbvmda:lotNumber", b->lot);
  if (b->harvest_date)
    json_object_set_new(ilmd, "cbvmda:harvestStartDate", json_string(b->harvest_date));
  if (b->origin && strlen(b->origin) == 2 && g_ascii_isupper(b->origin[0]) &&
      g_ascii_isupper(b->origin[1]))
    json_object_set_new(ilmd, "cbvmda:countryOfOrigin", json_string(b->origin));
  json_object_set_new(ev, "ilmd", ilmd);
  json_object_set_new(ev, "pt:product", json_string(b->product));
  json_object_set_new(ev, "pt:packDate", json_string(b->pack_date));
  if (b->variety)
    json_object_set_new(ev, "pt:variety", json_string(b->variety));
  if (b->origin)
    json_object_set_new(ev, "pt:origin", json_string(b->origin));
  if (b->grower)
    json_object_set_new(ev, "pt:grower", json_string(b->grower));
  json_object_set_new(ev, "pt:stationId", json_string(config->station_id));
  return ev;
}

static PtBatch *
create(PtStation *station, PtStore *store, const PtBatchSpec *spec, gboolean locked, GError **error)
{
  const PtConfig *config = station->config;
  char gtin[PT_GS1_GTIN_LEN + 1];
  GDate harvest, pack;

  if (!pt_check_text("product", spec->product, PT_TEXT_FIELD_MAX, TRUE, error) ||
      !pt_check_text("variety", spec->variety, PT_TEXT_FIELD_MAX, FALSE, error) ||
      !pt_check_text("origin", spec->origin, PT_TEXT_FIELD_MAX, FALSE, error) ||
      !pt_check_text("grower", spec->grower, PT_TEXT_FIELD_MAX, FALSE, error))
    return NULL;
  if (!spec->gtin) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "gtin is required");
    return NULL;
  }
  g_autoptr(GError) gs1_error = NULL;
  if (!pt_gs1_gtin14(spec->gtin, gtin, &gs1_error) ||
      (spec->lot && !pt_gs1_validate_lot(spec->lot, &gs1_error))) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_INVALID, gs1_error->message);
    return NULL;
  }
  g_autofree char *pack_date = g_strdup(spec->pack_date ? spec->pack_date : NULL);
  if (!pack_date)
    pack_date = today_local();
  if (!check_date("pack date", pack_date, &pack, error))
    return NULL;
  if (spec->harvest_date) {
    if (!check_date("harvest date", spec->harvest_date, &harvest, error))
      return NULL;
    if (g_date_compare(&harvest, &pack) > 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "harvest date %s is after pack date %s",
                  spec->harvest_date, pack_date);
      return NULL;
    }
  }
  if (!check_quantity(spec->has_quantity, spec->quantity, spec->uom, error))
    return NULL;

  g_autoptr(PtBatch) b = g_new0(PtBatch, 1);
  b->gtin = g_strdup(gtin);
  b->product = g_strdup(spec->product);
  b->variety = g_strdup(spec->variety);
  b->origin = g_strdup(spec->origin);
  b->grower = g_strdup(spec->grower);
  b->harvest_date = g_strdup(spec->harvest_date);
  b->pack_date = g_strdup(pack_date);
  b->has_quantity = spec->has_quantity;
  b->quantity = spec->quantity;
  b->uom = g_strdup(spec->has_quantity ? (spec->uom ? spec->uom : "KGM") : NULL);
  b->created_ns = pt_now_ns();
  b->demo = spec->demo;
  /* The commissioning event happened at harvest (or receiving), not when the row was
   * typed in: events sort as they happened. */
  gint64 when = b->created_ns;
  char offset[7];
  pt_time_zone_offset(config->tz, when, offset);
  if (spec->at) {
    if (!pt_time_parse_zoned(spec->at, config->tz, &when, offset, error))
      return NULL;
  } else if (spec->harvest_date) {
    g_autofree char *midnight = g_strdup_printf("%sT00:00:00", spec->harvest_date);
    if (!pt_time_parse_zoned(midnight, config->tz, &when, offset, error))
      return NULL;
  }

  if (!locked && !pt_store_begin(store, error))
    return NULL;
  if (spec->lot)
    b->lot = g_strdup(spec->lot);
  else if (!generate_lot(store, config, pack_date, &b->lot, error))
    goto out_rollback;
  if (!pt_store_batch_insert(store, b, error))
    goto out_rollback;
  json_t *ev = commissioning_event(config, b, when, offset);
  if (spec->transformation_id) {
    json_object_set_new(ev, "pt:transformationID", json_string(spec->transformation_id));
    json_object_set_new(ev, "pt:transformedFrom", json_string(spec->transformed_from));
  }
  gboolean ok =
      pt_trace_append(store, station->keys, b->id, "commissioning", when, ev, NULL, error);
  json_decref(ev);
  if (!ok || (!locked && !pt_store_commit(store, error)))
    goto out_rollback;
  b->n_events = 1;
  return g_steal_pointer(&b);

out_rollback:
  if (!locked)
    pt_store_rollback(store);
  return NULL;
}

PtBatch *
pt_batch_create(PtStation *station, PtStore *store, const PtBatchSpec *spec, GError **error)
{
  return create(station, store, spec, FALSE, error);
}

PtBatch *
pt_batch_create_locked(PtStation *station, PtStore *store, const PtBatchSpec *spec, GError **error)
{
  return create(station, store, spec, TRUE, error);
}

/* Re-reads @batch's row after a change, keeping the caller's pointer valid. */
static gboolean
refresh(PtStore *store, PtBatch *batch, GError **error)
{
  PtBatch *fresh = pt_store_batch_get(store, batch->id, error);
  if (!fresh)
    return FALSE;
  PtBatch tmp = *batch;
  *batch = *fresh;
  *fresh = tmp;
  pt_batch_free(fresh);
  return TRUE;
}

/* Returns: (transfer full) (nullable): @batch's status by its signed record; NULL with an
 * error when that record cannot be read or does not verify. */
static char *
signed_status(PtStation *station, PtStore *store, const PtBatch *batch, const char *verb,
              GError **error)
{
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, error))
    return NULL;
  if (!st.commissioned || !st.status_known) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "batch %s: its signed record does not verify (run `packtrace audit`); cannot %s it",
                batch->lot, verb);
    return NULL;
  }
  return g_strdup(st.facts->status);
}

gboolean
pt_batch_change_status(PtStation *station, PtStore *store, PtBatch *batch, PtBatchAction action,
                       const char *reason, GError **error)
{
  static const struct {
    const char *name, *status, *disposition;
  } actions[] = {
      [PT_BATCH_HOLD] = {"hold", "held", "non_sellable_other"},
      [PT_BATCH_RELEASE] = {"release", "active", "sellable_accessible"},
      [PT_BATCH_RECALL] = {"recall", "recalled", "recalled"},
  };
  if (action != PT_BATCH_RELEASE && !reason) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s needs a reason", actions[action].name);
    return FALSE;
  }
  if (!pt_check_text("reason", reason, PT_NOTE_MAX, FALSE, error))
    return FALSE;
  g_autofree char *status = NULL;
  PtEventRow row = {0}; /* the holding event, for the log line */
  if (!pt_store_begin(store, error))
    return FALSE;
  /* Decide under the write lock, on the signed status: a row edited by hand cannot turn a
   * recall into a hold that a release then lifts. */
  if (!refresh(store, batch, error))
    goto out_rollback;
  status = signed_status(station, store, batch, actions[action].name, error);
  if (!status)
    goto out_rollback;
  gboolean allowed = (action == PT_BATCH_HOLD && strcmp(status, "active") == 0) ||
                     (action == PT_BATCH_RELEASE && strcmp(status, "held") == 0) ||
                     (action == PT_BATCH_RECALL && strcmp(status, "recalled") != 0);
  if (!allowed) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "batch %s is %s; cannot %s it", batch->lot,
                status, actions[action].name);
    goto out_rollback;
  }
  gint64 now = pt_now_ns();
  json_t *ev = pt_epcis_event_new(station->config, batch, "holding", now, 0, NULL);
  json_object_set_new(ev, "disposition", json_string(actions[action].disposition));
  if (action == PT_BATCH_RECALL)
    json_object_set_new(ev, "persistentDisposition", json_pack("{s[s]}", "set", "recalled"));
  json_object_set_new(ev, "pt:action", json_string(actions[action].name));
  if (reason)
    json_object_set_new(ev, "pt:reason", json_string(reason));
  gboolean ok = pt_trace_append(store, station->keys, batch->id, "holding", now, ev, &row, error);
  json_decref(ev);
  if (!ok ||
      !pt_store_batch_set_status(store, batch->id, actions[action].status,
                                 action == PT_BATCH_RELEASE ? NULL : reason, error) ||
      !pt_store_outbox_add_batch(store, batch->id, actions[action].status,
                                 action == PT_BATCH_RELEASE ? NULL : reason, error) ||
      /* Everyone who received it is told, in the same transaction: no recall without its
       * notices (pt-recall.h). */
      (action != PT_BATCH_RELEASE && !batch->demo &&
       !pt_recall_notify_locked(station, store, batch, actions[action].name, reason, row.event_id,
                                NULL, NULL, error)) ||
      !pt_store_commit(store, error))
    goto out_rollback;
  pt_log_batch(G_LOG_LEVEL_MESSAGE, batch->lot, row.event_id, "batch %s: %s%s%s", batch->lot,
               actions[action].status, reason ? ": " : "", reason ? reason : "");
  pt_event_row_clear(&row);
  return refresh(store, batch, error);

out_rollback:
  pt_event_row_clear(&row);
  pt_store_rollback(store);
  return FALSE;
}

gboolean
pt_batch_add_event(PtStation *station, PtStore *store, PtBatch *batch, const PtEventSpec *spec,
                   PtEventRow *out, GError **error)
{
  if (!spec->step || !pt_epcis_is_biz_step(spec->step)) {
    g_autofree char *allowed = pt_epcis_join(pt_epcis_biz_steps);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "unknown step '%s'; allowed: %s",
                spec->step ? spec->step : "", allowed);
    return FALSE;
  }
  if (spec->disposition && !pt_epcis_is_disposition(spec->disposition)) {
    g_autofree char *allowed = pt_epcis_join(pt_epcis_dispositions);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "unknown disposition '%s'; allowed: %s",
                spec->disposition, allowed);
    return FALSE;
  }
  if (!pt_check_text("note", spec->note, PT_NOTE_MAX, FALSE, error) ||
      !pt_check_text("public note", spec->public_note, PT_NOTE_MAX, FALSE, error) ||
      !check_quantity(spec->has_quantity, spec->quantity, spec->uom, error))
    return FALSE;
  gint64 when = pt_now_ns();
  char offset[7] = "";
  if (spec->at && !pt_time_parse_zoned(spec->at, station->config->tz, &when, offset, error))
    return FALSE;

  json_t *ev = pt_epcis_event_new(station->config, batch, spec->step, when,
                                  spec->has_quantity ? spec->quantity : 0, spec->uom);
  if (offset[0])
    json_object_set_new(ev, "eventTimeZoneOffset", json_string(offset));
  if (spec->disposition)
    json_object_set_new(ev, "disposition", json_string(spec->disposition));
  if (spec->note)
    json_object_set_new(ev, "pt:note", json_string(spec->note));
  if (spec->public_note)
    json_object_set_new(ev, PT_EXT_PUBLIC_NOTE, json_string(spec->public_note));
  const PtEvidence *clip = spec->evidence;
  if (clip) {
    g_autofree char *from = pt_time_format(clip->from_ns);
    g_autofree char *to = pt_time_format(clip->to_ns);
    json_object_set_new(ev, "pt:camera", json_string(clip->camera));
    json_object_set_new(ev, "pt:clipSha256", json_string(clip->sha256));
    json_object_set_new(ev, "pt:clipFrom", json_string(from));
    json_object_set_new(ev, "pt:clipTo", json_string(to));
  }
  /* The clip row needs the event's seq, so a row is read back even when @out is NULL. */
  PtEventRow local = {0};
  PtEventRow *row = out ? out : &local;
  gboolean ok = pt_store_begin(store, error);
  if (ok) {
    ok = pt_trace_append(store, station->keys, batch->id, spec->step, when, ev, row, error);
    if (ok && clip) {
      PtClipRow clip_row = {.batch_id = batch->id,
                            .event_seq = row->seq,
                            .camera = (char *)clip->camera,
                            .from_ns = clip->from_ns,
                            .to_ns = clip->to_ns,
                            .path = (char *)clip->path,
                            .bytes = clip->bytes,
                            .created_ns = pt_now_ns()};
      g_strlcpy(clip_row.sha256, clip->sha256, sizeof clip_row.sha256);
      ok = pt_store_clip_insert(store, &clip_row, error);
    }
    ok = ok && pt_store_commit(store, error);
    if (!ok)
      pt_store_rollback(store);
  }
  json_decref(ev);
  pt_event_row_clear(&local);
  if (ok)
    batch->n_events++;
  return ok;
}

typedef struct {
  gint64 wanted;
  gint64 seen;
  json_t *event; /* the wanted event, parsed */
  char *step;
  GHashTable *declared; /* eventIDs that already carry an errorDeclaration */
} FindEvent;

static gboolean
find_event(const PtEventRow *row, gpointer user_data, GError **error)
{
  FindEvent *f = user_data;
  json_t *ev = pt_json_parse(row->body, row->body_len, error);
  if (!ev)
    return FALSE;
  if (json_object_get(ev, "errorDeclaration"))
    g_hash_table_add(f->declared, g_strdup(row->event_id));
  if (++f->seen == f->wanted) {
    f->event = ev;
    f->step = g_strdup(row->step);
  } else {
    json_decref(ev);
  }
  return TRUE;
}

gboolean
pt_batch_declare_error(PtStation *station, PtStore *store, PtBatch *batch, gint64 position,
                       const char *reason, const char *corrective_id, PtEventRow *out,
                       GError **error)
{
  if (g_strcmp0(reason, "did_not_occur") != 0 && g_strcmp0(reason, "incorrect_data") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "reason must be did_not_occur or incorrect_data (CBV error reasons)");
    return FALSE;
  }
  if (corrective_id && !g_str_has_prefix(corrective_id, "urn:uuid:")) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "corrective event '%s' is not a urn:uuid:", corrective_id);
    return FALSE;
  }
  if (!pt_store_begin(store, error))
    return FALSE;
  FindEvent f = {.wanted = position,
                 .declared = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL)};
  gboolean ok = pt_store_events_foreach(store, batch->id, find_event, &f, error);
  const char *id = f.event ? json_string_value(json_object_get(f.event, "eventID")) : NULL;
  if (ok && !f.event) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "batch %s has no event %" G_GINT64_FORMAT,
                batch->lot, position);
    ok = FALSE;
  } else if (ok && (json_object_get(f.event, "errorDeclaration") ||
                    g_hash_table_contains(f.declared, id))) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "event %" G_GINT64_FORMAT " (%s) is already declared in error", position, id);
    ok = FALSE;
  }
  if (ok) {
    gint64 now = pt_now_ns();
    g_autofree char *when = pt_time_format(now);
    json_t *decl = json_pack("{ssss}", "declarationTime", when, "reason", reason);
    if (corrective_id)
      json_object_set_new(decl, "correctiveEventIDs", json_pack("[s]", corrective_id));
    json_object_set_new(f.event, "errorDeclaration", decl);
    gint64 event_time;
    const char *t = json_string_value(json_object_get(f.event, "eventTime"));
    if (!t || !pt_time_parse(t, &event_time, NULL))
      event_time = now;
    ok =
        pt_trace_append(store, station->keys, batch->id, f.step, event_time, f.event, out, error) &&
        pt_store_commit(store, error);
  }
  if (!ok)
    pt_store_rollback(store);
  else
    batch->n_events++;
  json_decref(f.event);
  g_free(f.step);
  g_hash_table_unref(f.declared);
  return ok;
}

char *
pt_batch_digital_link(const PtConfig *config, const PtBatch *batch)
{
  g_autofree char *ymd = yymmdd(batch->pack_date);
  return pt_gs1_digital_link(config->public_host, batch->gtin, batch->lot, ymd);
}

json_t *
pt_batch_to_json(const PtConfig *config, const PtBatch *b)
{
  g_autofree char *link = pt_batch_digital_link(config, b);
  g_autofree char *created = pt_time_format(b->created_ns);
  json_t *o = json_pack("{sI"
                        "ss"
                        "ss"
                        "ss"
                        "ss"
                        "ss"
                        "ss"
                        "ss"
                        "ss}",
                        "id", (json_int_t)b->id, "lot", b->lot, "gtin", b->gtin, "digital_link",
                        link, "product", b->product, "pack_date", b->pack_date, "status", b->status,
                        "created", created, "station_id", config->station_id);
  pt_json_set_string_or_null(o, "variety", b->variety);
  pt_json_set_string_or_null(o, "origin", b->origin);
  pt_json_set_string_or_null(o, "grower", b->grower);
  pt_json_set_string_or_null(o, "harvest_date", b->harvest_date);
  pt_json_set_string_or_null(o, "status_reason", b->status_reason);
  json_object_set_new(o, "quantity", b->has_quantity ? json_real(b->quantity) : json_null());
  pt_json_set_string_or_null(o, "uom", b->uom);
  json_object_set_new(o, "events", json_integer(b->n_events));
  return o;
}

/* Every member of an event's JSON but the record itself. */
static json_t *
event_row_envelope(const PtEventRow *row)
{
  g_autofree char *hash = pt_hex_encode(row->hash, PT_HASH_LEN);
  g_autofree char *sig = pt_hex_encode(row->signature, PT_SIG_LEN);
  g_autofree char *when = pt_time_format(row->event_time_ns);
  return json_pack("{sI ss ss ss ss ss}", "seq", (json_int_t)row->seq, "event_id", row->event_id,
                   "step", row->step, "event_time", when, "hash", hash, "signature", sig);
}

/* Appends @object's text to @out with @key: @raw_json spliced in as its last member.
 * @raw_json is a complete JSON value (a stored canonical record). */
static void
append_with_raw_member(GString *out, json_t *object, const char *key, const char *raw_json,
                       gsize raw_len)
{
  char *text = json_dumps(object, JSON_COMPACT | JSON_REAL_PRECISION(15));
  gsize n = strlen(text);
  g_string_append_len(out, text, (gssize)n - 1); /* without the closing brace */
  if (n > 2)
    g_string_append_c(out, ',');
  g_string_append_c(out, '"');
  g_string_append(out, key);
  g_string_append(out, "\":");
  g_string_append_len(out, raw_json, (gssize)raw_len);
  g_string_append_c(out, '}');
  free(text);
}

typedef struct {
  GString *out;
  PtBundleView view;
  const char *buyer_gln;
} EventText;

/* An event the view does not show keeps its envelope (seq, step, time, hash, signature) and
 * says "redacted" instead of carrying its record (pt-bundle.h). */
static gboolean
append_event_text(const PtEventRow *row, gpointer user_data, GError **error)
{
  EventText *et = user_data;
  GString *out = et->out;
  if (out->str[out->len - 1] != '[')
    g_string_append_c(out, ',');
  gboolean shown = TRUE;
  if (et->view != PT_BUNDLE_FULL) {
    json_t *event = pt_json_parse(row->body, row->body_len, error);
    if (!event)
      return FALSE;
    shown = pt_bundle_event_shown(event, et->view, et->buyer_gln);
    json_decref(event);
  }
  json_t *envelope = event_row_envelope(row);
  if (shown) {
    append_with_raw_member(out, envelope, "event", row->body, row->body_len);
  } else {
    json_object_set_new(envelope, "redacted", json_true());
    char *text = json_dumps(envelope, JSON_COMPACT);
    g_string_append(out, text);
    free(text);
  }
  json_decref(envelope);
  return TRUE;
}

char *
pt_batch_show_json(const PtConfig *config, const guint8 anchor[PT_PUB_LEN], PtStore *store,
                   const PtBatch *batch, PtBundleView view, const char *buyer_gln, gsize *len_out,
                   GError **error)
{
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, anchor, batch, &st, error))
    return NULL;
  g_autoptr(GString) events = g_string_new("[");
  EventText et = {.out = events, .view = view, .buyer_gln = buyer_gln};
  if (!pt_store_events_foreach(store, batch->id, append_event_text, &et, error))
    return NULL;
  g_string_append_c(events, ']');
  GString *out = g_string_sized_new(events->len + 1024);
  json_t *b = pt_batch_to_json(config, st.facts);
  json_object_set_new(b, "facts_verified", json_boolean(st.mismatches->len == 0));
  json_object_set_new(b, "fact_mismatches", pt_batch_signed_mismatches_json(&st));
  append_with_raw_member(out, b, "event_list", events->str, events->len);
  json_decref(b);
  if (len_out)
    *len_out = out->len;
  return g_string_free(out, FALSE);
}

json_t *
pt_event_row_to_json(const PtEventRow *row, GError **error)
{
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return NULL;
  json_t *o = event_row_envelope(row);
  json_object_set_new(o, "event", event);
  return o;
}
