/* pt-load.c: opening loads, putting batches on them (loading events with dock-camera
 * evidence), refusing what must not leave, and closing them (departing events). */
#include "pt-load.h"

#include "pt-batch-signed.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-evidence.h"
#include "pt-gs1.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-recording-config.h"
#include "pt-store-driver.h"
#include "pt-store-evidence.h"
#include "pt-store-pallet.h"
#include "pt-store-video.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <glib/gstdio.h>
#include <string.h>

static gboolean
check_token(const char *what, const char *text, const char *pattern, const char *rule,
            GError **error)
{
  if (text && !g_regex_match_simple(pattern, text, 0, 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s '%.64s' is not %s", what, text, rule);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_dock(const char *dock, GError **error)
{
  return check_token("dock", dock, "^[A-Za-z0-9_-]{1,32}$", "a dock name (1-32 of A-Z a-z 0-9 _ -)",
                     error);
}

gboolean
pt_load_spec_from_json(json_t *object, PtLoadSpec *spec, GError **error)
{
  memset(spec, 0, sizeof *spec);
  const PtJsonField fields[] = {
      {"plate", &spec->plate},
      {"seal", &spec->seal},
      {"driver_name", &spec->driver_name},
      {"driver_phone", &spec->driver_phone},
      {"destination", &spec->destination},
      {"destination_gln", &spec->destination_gln},
      {"bol", &spec->bol},
      {"desadv", &spec->desadv},
      {"po", &spec->po},
      {"dock", &spec->dock},
  };
  return pt_json_read_object(object, fields, G_N_ELEMENTS(fields), error);
}

static gboolean
check_spec(const PtLoadSpec *spec, GError **error)
{
  if (!pt_check_text("plate", spec->plate, PT_LOAD_TEXT_MAX, TRUE, error) ||
      !pt_check_text("seal", spec->seal, PT_LOAD_TEXT_MAX, TRUE, error) ||
      !pt_check_text("driver name", spec->driver_name, PT_TEXT_FIELD_MAX, FALSE, error) ||
      !pt_check_text("destination", spec->destination, PT_TEXT_FIELD_MAX, FALSE, error) ||
      !check_token("driver phone", spec->driver_phone, "^\\+?[0-9 ()-]{3,24}$",
                   "a phone number (digits, spaces, ( ) -, an optional leading +)", error) ||
      !check_token("bill of lading", spec->bol, "^[A-Za-z0-9._-]{1,64}$",
                   "a document number (1-64 of A-Z a-z 0-9 . _ -)", error) ||
      !check_token("despatch advice", spec->desadv, "^[A-Za-z0-9._-]{1,64}$",
                   "a document number (1-64 of A-Z a-z 0-9 . _ -)", error) ||
      !check_token("purchase order", spec->po, "^[A-Za-z0-9._-]{1,64}$",
                   "a document number (1-64 of A-Z a-z 0-9 . _ -)", error) ||
      !check_dock(spec->dock, error))
    return FALSE;
  if (spec->destination_gln) {
    g_autoptr(GError) gs1_error = NULL;
    if (strlen(spec->destination_gln) != 13 ||
        !pt_gs1_validate_key("GLN", spec->destination_gln, 13, &gs1_error)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "destination GLN: %s",
                  gs1_error ? gs1_error->message : "a GLN has 13 digits");
      return FALSE;
    }
  }
  return TRUE;
}

PtLoad *
pt_load_create_locked(PtStore *store, const PtLoadSpec *spec, GError **error)
{
  if (!check_spec(spec, error))
    return NULL;
  g_autoptr(PtLoad) load = g_new0(PtLoad, 1);
  load->plate = g_strdup(spec->plate);
  load->seal = g_strdup(spec->seal);
  load->driver_name = g_strdup(spec->driver_name);
  load->driver_phone = g_strdup(spec->driver_phone);
  load->destination = g_strdup(spec->destination);
  load->destination_gln = g_strdup(spec->destination_gln);
  load->bol = g_strdup(spec->bol);
  load->desadv = g_strdup(spec->desadv);
  load->po = g_strdup(spec->po);
  load->dock = g_strdup(spec->dock);
  load->opened_ns = pt_now_ns();
  if (!pt_store_load_insert(store, load, error))
    return NULL;
  return g_steal_pointer(&load);
}

PtLoad *
pt_load_create(PtStore *store, const PtLoadSpec *spec, GError **error)
{
  if (!pt_store_begin(store, error))
    return NULL;
  g_autoptr(PtLoad) load = pt_load_create_locked(store, spec, error);
  if (!load || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return NULL;
  }
  return g_steal_pointer(&load);
}

PtLoad *
pt_load_lookup(PtStore *store, const char *id, GError **error)
{
  guint64 n;
  if (!g_ascii_string_to_unsigned(id, 10, 1, G_MAXINT64, &n, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "no load '%.64s' (loads are numbered 1, 2, ...)", id);
    return NULL;
  }
  return pt_store_load_get(store, (gint64)n, error);
}

PtRecordingConfig *
pt_load_cameras_config(PtStation *station, GError **error)
{
  PtRecordingConfig *rc = pt_recording_config_load(station, error);
  if (rc && rc->demo)
    pt_recording_config_add_demo(rc);
  return rc;
}

GPtrArray *
pt_load_dock_cameras_in(PtStation *station, const PtRecordingConfig *rc, const char *dock)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; dock && i < rc->cameras->len; i++) {
    const PtCameraConfig *cam = g_ptr_array_index(rc->cameras, i);
    if (cam->role != PT_CAMERA_ROLE_LOADING)
      continue;
    g_autofree char *section = g_strdup_printf("camera %s", cam->name);
    g_autofree char *cam_dock =
        g_key_file_get_string(station->config->keyfile, section, "dock", NULL);
    if (g_strcmp0(cam_dock ? cam_dock : cam->name, dock) == 0)
      g_ptr_array_add(names, g_strdup(cam->name));
  }
  return names;
}

GPtrArray *
pt_load_dock_cameras(PtStation *station, const char *dock, GError **error)
{
  g_autoptr(PtRecordingConfig) rc = pt_load_cameras_config(station, error);
  return rc ? pt_load_dock_cameras_in(station, rc, dock) : NULL;
}

char *
pt_load_dock_camera(PtStation *station, const char *dock, GError **error)
{
  g_autoptr(GPtrArray) names = pt_load_dock_cameras(station, dock, error);
  if (!names || names->len == 0)
    return NULL;
  return g_strdup(g_ptr_array_index(names, 0));
}

/* A document number as a CBV business transaction identifier: urn:epcglobal:cbv:bt:GLN:NUM
 * when the station (the issuer) has a GLN, else an IRI under the station's own host: an
 * identifier it issues, so never under the vocabulary's namespace, which every station shares. */
static json_t *
biz_transaction(const PtConfig *config, const char *type, const char *number)
{
  g_autofree char *id =
      config->gln
          ? g_strdup_printf("urn:epcglobal:cbv:bt:%s:%s", config->gln, number)
          : g_strdup_printf("https://%s/ns/packtrace/bt/%s/%s", config->public_host, type, number);
  return json_pack("{ssss}", "type", type, "bizTransaction", id);
}

static json_t *
load_event(const PtConfig *config, const PtLoad *load, const PtBatch *batch, const char *step,
           gint64 when_ns, double quantity)
{
  json_t *ev = pt_epcis_event_new(config, batch, step, when_ns, quantity > 0 ? quantity : 0,
                                  quantity > 0 ? batch->uom : NULL);
  json_object_set_new(ev, "disposition", json_string("in_transit"));
  if (load->bol || load->desadv || load->po) {
    json_t *list = json_array();
    if (load->bol)
      json_array_append_new(list, biz_transaction(config, "bol", load->bol));
    if (load->desadv)
      json_array_append_new(list, biz_transaction(config, "desadv", load->desadv));
    if (load->po)
      json_array_append_new(list, biz_transaction(config, "po", load->po));
    json_object_set_new(ev, "bizTransactionList", list);
  }
  if (config->gln) {
    g_autofree char *party = g_strdup_printf("https://id.gs1.org/414/%s", config->gln);
    json_object_set_new(ev, "sourceList",
                        json_pack("[{ssss}]", "type", "owning_party", "source", party));
  }
  if (load->destination_gln) {
    g_autofree char *party = g_strdup_printf("https://id.gs1.org/414/%s", load->destination_gln);
    json_object_set_new(ev, "destinationList",
                        json_pack("[{ssss}]", "type", "owning_party", "destination", party));
  }
  /* The driver's name and phone stay in the station: events travel to buyers. */
  json_object_set_new(ev, "pt:loadId", json_integer(load->id));
  json_object_set_new(ev, "pt:vehiclePlate", json_string(load->plate));
  json_object_set_new(ev, "pt:sealNumber", json_string(load->seal));
  if (load->destination)
    json_object_set_new(ev, "pt:destinationName", json_string(load->destination));
  if (load->dock)
    json_object_set_new(ev, "pt:dock", json_string(load->dock));
  return ev;
}

/* Names pallet @sscc in @ev (epcList: the pallet itself, as a Digital Link) and, when @cases is
 * not 0, how many cases of @batch's lot it carries (quantityList, a count without uom). */
static void
set_pallet(json_t *ev, const char *sscc, const PtBatch *batch, gint64 cases)
{
  g_autofree char *epc = pt_epcis_sscc_uri(sscc);
  json_object_set_new(ev, "epcList", json_pack("[s]", epc));
  if (cases) {
    g_autofree char *cls = pt_epcis_lot_class(batch);
    json_object_set_new(ev, "quantityList",
                        json_pack("[{sssI}]", "epcClass", cls, "quantity", (json_int_t)cases));
  }
}

/* Why @batch cannot go on @load, or NULL when it can.  Returns: (transfer full). */
static char *
refusal_reason(PtStation *station, PtStore *store, const PtLoad *load, const PtBatch *batch,
               gboolean via_pallet, GError **error)
{
  /* The signed status decides, not the row: a row set back to 'active' by hand cannot get a
   * loading event signed for a recalled batch. */
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, error))
    return NULL;
  char *refused = pt_batch_signed_refusal(&st, "loaded");
  if (refused)
    return refused;
  /* A lot on a pallet ships with its pallet: one loading event per pallet and lot, naming the
   * SSCC, never a second one for the lot alone. */
  g_autoptr(PtPallet) pallet = NULL;
  if (!pt_store_pallet_holding_batch(store, batch->id, 0, &pallet, error))
    return NULL;
  if (pallet && !via_pallet)
    return g_strdup_printf("lot %s is on pallet %s: load the pallet (load add --pallet %s)",
                           batch->lot, pallet->sscc, pallet->sscc);
  gint64 other = 0;
  if (!pt_store_load_holding_batch(store, batch->id, load->id, &other, error))
    return NULL;
  if (other) {
    g_autoptr(PtLoad) o = pt_store_load_get(store, other, error);
    if (!o)
      return NULL;
    return g_strdup_printf("batch %s is already on open load %" G_GINT64_FORMAT
                           " (plate %s, seal %s)",
                           batch->lot, o->id, o->plate, o->seal);
  }
  return NULL;
}

static gboolean
check_open(const PtLoad *load, GError **error)
{
  if (load->closed_ns) {
    g_autofree char *when = pt_time_format(load->closed_ns);
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "load %" G_GINT64_FORMAT " (plate %s) was closed at %s", load->id, load->plate,
                when);
    return FALSE;
  }
  return TRUE;
}

typedef enum { EVIDENCE_NONE, EVIDENCE_CLIP, EVIDENCE_PENDING, EVIDENCE_MISSING } EvidenceKind;

typedef struct {
  EvidenceKind kind;
  char *camera;
  gint64 from_ns, to_ns;
  char *path; /* a cut clip */
  PtClipResult clip;
  char *missing; /* why there is none */
} Evidence;

static void
evidence_clear(Evidence *e, gboolean keep_file)
{
  if (e->path && !keep_file)
    g_unlink(e->path);
  g_free(e->camera);
  g_free(e->path);
  g_free(e->missing);
}

/* TRUE when @camera has a segment being written: a scan in its first segment finds no closed
 * footage yet, but the window is being recorded. */
static gboolean
camera_recording(PtStore *store, const char *camera)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) open = pt_store_segments_open(store, &error);
  for (guint i = 0; open && i < open->len; i++) {
    const PtSegmentRow *row = g_ptr_array_index(open, i);
    if (g_strcmp0(row->camera, camera) == 0)
      return TRUE;
  }
  return FALSE;
}

/* Cuts the dock camera's footage around @scan_ns.  Never fails the load: footage that is
 * still being recorded, or none, is said in the event instead. */
static void
evidence_gather(PtStation *station, PtStore *store, const PtLoad *load, gint64 batch_id,
                gint64 scan_ns, Evidence *e)
{
  if (!load->dock)
    return;
  g_autoptr(GError) local = NULL;
  e->camera = pt_load_dock_camera(station, load->dock, &local);
  if (!e->camera) {
    if (local)
      g_warning("load %" G_GINT64_FORMAT ": %s", load->id, local->message);
    return;
  }
  e->from_ns = scan_ns - PT_LOAD_CLIP_BEFORE_NS;
  e->to_ns = scan_ns + PT_LOAD_CLIP_AFTER_NS;
  e->path = pt_evidence_clip_path(station, batch_id, e->camera, e->from_ns, &local);
  if (e->path &&
      pt_evidence_cut(station, store, e->camera, e->from_ns, e->to_ns, e->path, &e->clip, &local)) {
    e->kind = EVIDENCE_CLIP;
    return;
  }
  g_clear_pointer(&e->path, g_free);
  if (g_error_matches(local, PT_ERROR, PT_ERROR_CONFLICT) ||
      (g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND) &&
       camera_recording(store, e->camera))) {
    e->kind = EVIDENCE_PENDING;
  } else {
    e->kind = EVIDENCE_MISSING;
    e->missing = g_strdup(local->message);
  }
}

static void
evidence_to_event(const Evidence *e, json_t *ev)
{
  if (e->kind == EVIDENCE_NONE)
    return;
  json_object_set_new(ev, "pt:camera", json_string(e->camera));
  gint64 from = e->kind == EVIDENCE_CLIP ? e->clip.start_ns : e->from_ns;
  gint64 to = e->kind == EVIDENCE_CLIP ? e->clip.end_ns : e->to_ns;
  g_autofree char *from_text = pt_time_format(from);
  g_autofree char *to_text = pt_time_format(to);
  json_object_set_new(ev, "pt:clipFrom", json_string(from_text));
  json_object_set_new(ev, "pt:clipTo", json_string(to_text));
  if (e->kind == EVIDENCE_CLIP)
    json_object_set_new(ev, "pt:clipSha256", json_string(e->clip.sha256));
  else if (e->kind == EVIDENCE_PENDING)
    json_object_set_new(ev, "pt:evidencePending", json_true());
  else
    json_object_set_new(ev, "pt:evidenceMissing", json_string(e->missing));
}

/* Quantities are decimals a person typed: this much is rounding, not a lot left. */
#define QUANTITY_EPSILON 1e-6

/* How much of @batch goes on load @load_id: @asked (> 0), or (0) what is left of the lot once
 * its other loads took theirs; -1 for a lot without a quantity.  *@refused says why when
 * nothing is left, or less than asked: a loose lot is never counted on two trucks whole. */
static gboolean
load_quantity(PtStore *store, gint64 load_id, const PtBatch *batch, double asked, double *out,
              char **refused, GError **error)
{
  *out = -1;
  if (!batch->has_quantity) {
    if (asked > 0)
      *refused = g_strdup_printf("lot %s has no quantity to load %g of", batch->lot, asked);
    return TRUE;
  }
  PtLoadedSoFar so_far;
  if (!pt_store_load_batch_loaded(store, batch->id, load_id, &so_far, error))
    return FALSE;
  const char *uom = batch->uom ? batch->uom : "";
  double left = so_far.whole ? 0 : batch->quantity - so_far.quantity;
  if (left <= QUANTITY_EPSILON)
    *refused = g_strdup_printf("nothing of lot %s is left to load: all %g %s went on load %s",
                               batch->lot, batch->quantity, uom, so_far.load_ids);
  else if (asked > left + QUANTITY_EPSILON)
    *refused = g_strdup_printf("only %g %s of lot %s is left to load (%g %s went on load %s)", left,
                               uom, batch->lot, batch->quantity - left, uom,
                               so_far.load_ids ? so_far.load_ids : "none");
  else
    *out = asked > 0 ? asked : left;
  g_free(so_far.load_ids);
  return TRUE;
}

/* Inside the transaction: the load's state as it is under the write lock. */
static gboolean
add_locked(PtStation *station, PtStore *store, gint64 load_id, PtBatch *batch, double asked,
           const char *source, gint64 scan_ns, const Evidence *evidence, PtLoadItem **item_out,
           gboolean *existed, char **refused, GError **error)
{
  g_autoptr(PtLoad) load = pt_store_load_get(store, load_id, error);
  if (!load || !check_open(load, error))
    return FALSE;
  if (!pt_store_load_item_get(store, load_id, batch->id, item_out, error))
    return FALSE;
  if (*item_out) {
    *existed = TRUE;
    return TRUE;
  }
  g_autoptr(PtBatch) fresh = pt_store_batch_get(store, batch->id, error);
  if (!fresh)
    return FALSE;
  g_autoptr(GError) local = NULL;
  *refused = refusal_reason(station, store, load, fresh, FALSE, &local);
  if (local) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  double quantity = -1;
  if (!*refused && !load_quantity(store, load_id, fresh, asked, &quantity, refused, error))
    return FALSE;
  if (*refused)
    return pt_store_load_refusal_insert(store, load_id, batch->id, pt_now_ns(), source, *refused,
                                        error);
  json_t *ev = load_event(station->config, load, fresh, "loading", scan_ns, quantity);
  json_object_set_new(ev, "pt:loadedBy", json_string(source));
  evidence_to_event(evidence, ev);
  PtEventRow row = {0};
  gboolean ok =
      pt_trace_append(store, station->keys, batch->id, "loading", scan_ns, ev, &row, error);
  json_decref(ev);
  if (ok && evidence->kind == EVIDENCE_CLIP) {
    PtClipRow clip_row = {.batch_id = batch->id,
                          .event_seq = row.seq,
                          .camera = evidence->camera,
                          .from_ns = evidence->clip.start_ns,
                          .to_ns = evidence->clip.end_ns,
                          .path = evidence->path,
                          .bytes = evidence->clip.bytes,
                          .created_ns = pt_now_ns()};
    g_strlcpy(clip_row.sha256, evidence->clip.sha256, sizeof clip_row.sha256);
    ok = pt_store_clip_insert(store, &clip_row, error);
  } else if (ok && evidence->kind == EVIDENCE_PENDING) {
    /* Settled by a follow-up record once the window's footage is closed (pt-evidence-followup.h).
     */
    PtPendingEvidence pending = {.event_seq = row.seq,
                                 .batch_id = batch->id,
                                 .load_id = load_id,
                                 .camera = evidence->camera,
                                 .from_ns = evidence->from_ns,
                                 .to_ns = evidence->to_ns,
                                 .created_ns = pt_now_ns()};
    ok = pt_store_evidence_pending_insert(store, &pending, error);
  }
  ok = ok &&
       pt_store_load_item_insert(store, load_id, batch->id, row.seq, pt_now_ns(), source, quantity,
                                 error) &&
       pt_store_load_item_get(store, load_id, batch->id, item_out, error);
  pt_event_row_clear(&row);
  return ok;
}

gboolean
pt_load_add_batch(PtStation *station, PtStore *store, gint64 load_id, PtBatch *batch,
                  double quantity, const char *source, gint64 scan_ns, PtLoadItem **out,
                  gboolean *existed_out, GError **error)
{
  if (!(quantity >= 0) || quantity > PT_QUANTITY_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a quantity is a number from 0 (the rest)");
    return FALSE;
  }
  g_autoptr(PtLoad) load = pt_store_load_get(store, load_id, error);
  if (!load || !check_open(load, error))
    return FALSE;
  g_autoptr(PtLoadItem) item = NULL;
  gboolean existed = FALSE;
  /* Cheap answers first: a repeated scan or a refusal never costs a clip cut. */
  if (!pt_store_load_item_get(store, load_id, batch->id, &item, error))
    return FALSE;
  Evidence evidence = {0};
  if (!item) {
    g_autoptr(GError) local = NULL;
    g_autofree char *early = refusal_reason(station, store, load, batch, FALSE, &local);
    if (local) {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
    if (!early)
      evidence_gather(station, store, load, batch->id, scan_ns, &evidence);
  }
  g_autofree char *refused = NULL;
  gboolean ok = item != NULL;
  existed = item != NULL;
  if (!item) {
    ok = pt_store_begin(store, error);
    if (ok) {
      ok = add_locked(station, store, load_id, batch, quantity, source, scan_ns, &evidence, &item,
                      &existed, &refused, error) &&
           pt_store_commit(store, error);
      if (!ok)
        pt_store_rollback(store);
    }
  }
  evidence_clear(&evidence, ok && !existed && !refused);
  if (ok && refused) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s", refused);
    return FALSE;
  }
  if (!ok)
    return FALSE;
  if (existed_out)
    *existed_out = existed;
  if (out)
    *out = g_steal_pointer(&item);
  return TRUE;
}

gboolean
pt_load_refuse(PtStore *store, gint64 load_id, const char *source, const char *reason,
               GError **error)
{
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!pt_store_load_refusal_insert(store, load_id, 0, pt_now_ns(), source, reason, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  return TRUE;
}

/* The driver's photos of plate and seal (pt-driver.h), by hash: the departing event signs
 * them, so a buyer can check a photo the shed shows against the bundle.  Returns: (transfer
 * full). */
static json_t *
load_photos(PtStore *store, gint64 load_id, GError **error)
{
  g_autoptr(GPtrArray) photos = pt_store_driver_photos(store, load_id, error);
  if (!photos)
    return NULL;
  json_t *arr = json_array();
  for (guint i = 0; i < photos->len; i++) {
    const PtDriverPhoto *p = g_ptr_array_index(photos, i);
    g_autofree char *taken = pt_time_format(p->taken_ns);
    json_array_append_new(
        arr, json_pack("{ssssss}", "kind", p->kind, "sha256", p->sha256, "taken", taken));
  }
  return arr;
}

static gboolean
close_locked(PtStation *station, PtStore *store, gint64 load_id, json_t *photos, guint *n_events,
             GError **error)
{
  g_autoptr(PtLoad) load = pt_store_load_get(store, load_id, error);
  if (!load || !check_open(load, error))
    return FALSE;
  g_autoptr(GPtrArray) items = pt_store_load_items(store, load_id, error);
  if (!items)
    return FALSE;
  if (items->len == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "load %" G_GINT64_FORMAT " has no batches on it: nothing departs", load_id);
    return FALSE;
  }
  /* Nothing departs while a batch on the truck is held or recalled by its signed record: the
   * operator takes it off first (pt_load_remove_batch), which is signed too. */
  g_autoptr(GString) refused = g_string_new(NULL);
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func((GDestroyNotify)pt_batch_free);
  for (guint i = 0; i < items->len; i++) {
    const PtLoadItem *it = g_ptr_array_index(items, i);
    PtBatch *batch = pt_store_batch_get(store, it->batch_id, error);
    if (!batch)
      return FALSE;
    g_ptr_array_add(batches, batch);
    g_auto(PtBatchSigned) st = {0};
    if (!pt_batch_signed_read(store, station->keys->anchor_key, batch, &st, error))
      return FALSE;
    g_autofree char *why = pt_batch_signed_refusal(&st, "shipped");
    if (why)
      g_string_append_printf(refused, "%s%s", refused->len ? "; " : "", why);
  }
  if (refused->len) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "load %" G_GINT64_FORMAT " not closed: %s (take it off with `packtrace load "
                "remove %" G_GINT64_FORMAT " LOT` first)",
                load_id, refused->str, load_id);
    return FALSE;
  }
  gint64 now = pt_now_ns();
  for (guint i = 0; i < batches->len; i++) {
    const PtBatch *batch = g_ptr_array_index(batches, i);
    json_t *ev = load_event(station->config, load, batch, "departing", now, -1);
    g_autoptr(PtPallet) pallet = NULL;
    if (!pt_store_pallet_holding_batch(store, batch->id, 0, &pallet, error)) {
      json_decref(ev);
      return FALSE;
    }
    if (pallet && pallet->load_id == load_id)
      set_pallet(ev, pallet->sscc, batch, 0);
    if (json_array_size(photos))
      json_object_set(ev, "pt:photos", photos);
    gboolean ok =
        pt_trace_append(store, station->keys, batch->id, "departing", now, ev, NULL, error);
    json_decref(ev);
    if (!ok)
      return FALSE;
  }
  *n_events = items->len;
  return pt_store_load_close(store, load_id, now, error);
}

gboolean
pt_load_remove_batch(PtStation *station, PtStore *store, gint64 load_id, PtBatch *batch,
                     const char *source, const char *reason, GError **error)
{
  if (!pt_check_text("reason", reason, PT_NOTE_MAX, FALSE, error))
    return FALSE;
  if (!pt_store_begin(store, error))
    return FALSE;
  g_autoptr(PtLoad) load = pt_store_load_get(store, load_id, error);
  g_autoptr(PtLoadItem) item = NULL;
  gboolean ok = load && check_open(load, error) &&
                pt_store_load_item_get(store, load_id, batch->id, &item, error);
  if (ok && !item) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "batch %s is not on load %" G_GINT64_FORMAT,
                batch->lot, load_id);
    ok = FALSE;
  }
  g_autoptr(PtPallet) pallet = NULL;
  ok = ok && pt_store_pallet_holding_batch(store, batch->id, 0, &pallet, error);
  if (ok && pallet && pallet->load_id == load_id) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "lot %s is on pallet %s: take the pallet off (load remove --pallet %s)", batch->lot,
                pallet->sscc, pallet->sscc);
    ok = FALSE;
  }
  if (ok) {
    /* The loading event stays signed; this one says the batch came off the truck again. */
    gint64 now = pt_now_ns();
    json_t *ev = load_event(station->config, load, batch, "unloading", now, -1);
    json_object_del(ev, "disposition");
    json_object_set_new(ev, "pt:removedBy", json_string(source));
    if (reason)
      json_object_set_new(ev, "pt:reason", json_string(reason));
    ok = pt_trace_append(store, station->keys, batch->id, "unloading", now, ev, NULL, error) &&
         pt_store_load_item_delete(store, load_id, batch->id, error);
    json_decref(ev);
  }
  if (!ok || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_load_close(PtStation *station, PtStore *store, gint64 load_id, guint *n_events_out,
              GError **error)
{
  guint n = 0;
  if (!pt_store_begin(store, error))
    return FALSE;
  json_t *photos = load_photos(store, load_id, error);
  if (!photos || !close_locked(station, store, load_id, photos, &n, error) ||
      !pt_store_commit(store, error)) {
    json_decref(photos);
    pt_store_rollback(store);
    return FALSE;
  }
  json_decref(photos);
  if (n_events_out)
    *n_events_out = n;
  return TRUE;
}

static gboolean
add_pallet_locked(PtStation *station, PtStore *store, gint64 load_id, const char *sscc,
                  const char *source, gint64 scan_ns, guint *n_events, gboolean *existed,
                  GString *refused, GError **error)
{
  g_autoptr(PtLoad) load = pt_store_load_get(store, load_id, error);
  g_autoptr(PtPallet) pallet =
      load && check_open(load, error) ? pt_store_pallet_get(store, sscc, error) : NULL;
  if (!pallet)
    return FALSE;
  if (pallet->load_id == load_id) {
    *existed = TRUE;
    return TRUE;
  }
  if (pallet->load_id) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "pallet %s is already on load %" G_GINT64_FORMAT, sscc, pallet->load_id);
    return FALSE;
  }
  g_autoptr(GPtrArray) contents = pt_store_pallet_contents(store, pallet->id, error);
  if (!contents)
    return FALSE;
  if (contents->len == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "pallet %s is empty: nothing to load", sscc);
    return FALSE;
  }
  g_autoptr(GPtrArray) batches = g_ptr_array_new_with_free_func((GDestroyNotify)pt_batch_free);
  for (guint i = 0; i < contents->len; i++) {
    const PtPalletCases *c = g_ptr_array_index(contents, i);
    PtBatch *batch = pt_store_batch_get(store, c->batch_id, error);
    if (!batch)
      return FALSE;
    g_ptr_array_add(batches, batch);
    g_autoptr(GError) local = NULL;
    g_autofree char *why = refusal_reason(station, store, load, batch, TRUE, &local);
    if (local) {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
    if (why) {
      g_autofree char *reason = g_strdup_printf("pallet %s: %s", sscc, why);
      g_string_append_printf(refused, "%s%s", refused->len ? "; " : "", reason);
      if (!pt_store_load_refusal_insert(store, load_id, batch->id, pt_now_ns(), source, reason,
                                        error))
        return FALSE;
    }
  }
  if (refused->len)
    return TRUE;
  /* One loading event per lot on the pallet, on the lot's chain, naming the SSCC. */
  for (guint i = 0; i < batches->len; i++) {
    const PtBatch *batch = g_ptr_array_index(batches, i);
    const PtPalletCases *c = g_ptr_array_index(contents, i);
    json_t *ev = load_event(station->config, load, batch, "loading", scan_ns, -1);
    set_pallet(ev, sscc, batch, c->cases);
    json_object_set_new(ev, "pt:loadedBy", json_string(source));
    PtEventRow row = {0};
    gboolean ok =
        pt_trace_append(store, station->keys, batch->id, "loading", scan_ns, ev, &row, error) &&
        pt_store_load_item_insert(store, load_id, batch->id, row.seq, pt_now_ns(), source, -1,
                                  error);
    json_decref(ev);
    pt_event_row_clear(&row);
    if (!ok)
      return FALSE;
  }
  *n_events = batches->len;
  return pt_store_pallet_set_load(store, pallet->id, load_id, error);
}

gboolean
pt_load_add_pallet(PtStation *station, PtStore *store, gint64 load_id, const char *sscc,
                   const char *source, gint64 scan_ns, guint *n_events_out, gboolean *existed_out,
                   GError **error)
{
  guint n = 0;
  gboolean existed = FALSE;
  g_autoptr(GString) refused = g_string_new(NULL);
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!add_pallet_locked(station, store, load_id, sscc, source, scan_ns, &n, &existed, refused,
                         error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  if (refused->len) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s", refused->str);
    return FALSE;
  }
  if (n_events_out)
    *n_events_out = n;
  if (existed_out)
    *existed_out = existed;
  return TRUE;
}

static gboolean
remove_pallet_locked(PtStation *station, PtStore *store, gint64 load_id, const char *sscc,
                     const char *source, const char *reason, guint *n_events, GError **error)
{
  g_autoptr(PtLoad) load = pt_store_load_get(store, load_id, error);
  g_autoptr(PtPallet) pallet =
      load && check_open(load, error) ? pt_store_pallet_get(store, sscc, error) : NULL;
  if (!pallet)
    return FALSE;
  if (pallet->load_id != load_id) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "pallet %s is not on load %" G_GINT64_FORMAT,
                sscc, load_id);
    return FALSE;
  }
  g_autoptr(GPtrArray) contents = pt_store_pallet_contents(store, pallet->id, error);
  if (!contents)
    return FALSE;
  gint64 now = pt_now_ns();
  for (guint i = 0; i < contents->len; i++) {
    const PtPalletCases *c = g_ptr_array_index(contents, i);
    g_autoptr(PtBatch) batch = pt_store_batch_get(store, c->batch_id, error);
    if (!batch)
      return FALSE;
    json_t *ev = load_event(station->config, load, batch, "unloading", now, -1);
    json_object_del(ev, "disposition");
    set_pallet(ev, sscc, batch, c->cases);
    json_object_set_new(ev, "pt:removedBy", json_string(source));
    if (reason)
      json_object_set_new(ev, "pt:reason", json_string(reason));
    gboolean ok =
        pt_trace_append(store, station->keys, batch->id, "unloading", now, ev, NULL, error) &&
        pt_store_load_item_delete(store, load_id, batch->id, error);
    json_decref(ev);
    if (!ok)
      return FALSE;
  }
  *n_events = contents->len;
  return pt_store_pallet_set_load(store, pallet->id, 0, error);
}

gboolean
pt_load_remove_pallet(PtStation *station, PtStore *store, gint64 load_id, const char *sscc,
                      const char *source, const char *reason, guint *n_events_out, GError **error)
{
  guint n = 0;
  if (!pt_check_text("reason", reason, PT_NOTE_MAX, FALSE, error) || !pt_store_begin(store, error))
    return FALSE;
  if (!remove_pallet_locked(station, store, load_id, sscc, source, reason, &n, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  if (n_events_out)
    *n_events_out = n;
  return TRUE;
}

json_t *
pt_load_item_to_json(const PtLoadItem *it)
{
  g_autofree char *added = pt_time_format(it->added_ns);
  json_t *o = json_pack("{sIsssssIssssss}", "batch_id", (json_int_t)it->batch_id, "lot", it->lot,
                        "gtin", it->gtin, "event_seq", (json_int_t)it->event_seq, "event_id",
                        it->event_id, "added", added, "source", it->source);
  /* What of a loose lot this load took; null: the whole lot, or a lot without a quantity. */
  json_object_set_new(o, "quantity", it->quantity >= 0 ? json_real(it->quantity) : json_null());
  return o;
}

json_t *
pt_load_to_json(PtStore *store, const PtLoad *load, gboolean details, GError **error)
{
  g_autofree char *opened = pt_time_format(load->opened_ns);
  g_autofree char *closed = load->closed_ns ? pt_time_format(load->closed_ns) : NULL;
  json_t *o = json_pack("{sIssssssss}", "id", (json_int_t)load->id, "plate", load->plate, "seal",
                        load->seal, "state", load->closed_ns ? "closed" : "open", "opened", opened);
  pt_json_set_string_or_null(o, "closed", closed);
  pt_json_set_string_or_null(o, "driver_name", load->driver_name);
  pt_json_set_string_or_null(o, "driver_phone", load->driver_phone);
  pt_json_set_string_or_null(o, "destination", load->destination);
  pt_json_set_string_or_null(o, "destination_gln", load->destination_gln);
  pt_json_set_string_or_null(o, "bol", load->bol);
  pt_json_set_string_or_null(o, "desadv", load->desadv);
  pt_json_set_string_or_null(o, "po", load->po);
  pt_json_set_string_or_null(o, "dock", load->dock);
  if (!details)
    return o;
  g_autoptr(GPtrArray) items = pt_store_load_items(store, load->id, error);
  g_autoptr(GPtrArray) refusals =
      items ? pt_store_load_refusals(store, load->id, PT_LOAD_REFUSALS_SHOWN, error) : NULL;
  g_autoptr(GPtrArray) photos = refusals ? pt_store_driver_photos(store, load->id, error) : NULL;
  if (!photos) {
    json_decref(o);
    return NULL;
  }
  json_t *arr = json_array();
  for (guint i = 0; i < items->len; i++)
    json_array_append_new(arr, pt_load_item_to_json(g_ptr_array_index(items, i)));
  json_object_set_new(o, "batches", arr);
  g_autoptr(GPtrArray) pallets = pt_store_pallets_on_load(store, load->id, error);
  if (!pallets) {
    json_decref(o);
    return NULL;
  }
  arr = json_array();
  for (guint i = 0; i < pallets->len; i++)
    json_array_append_new(arr, json_string(((PtPallet *)g_ptr_array_index(pallets, i))->sscc));
  json_object_set_new(o, "pallets", arr);
  arr = json_array();
  for (guint i = 0; i < refusals->len; i++) {
    const PtLoadRefusal *r = g_ptr_array_index(refusals, i);
    g_autofree char *when = pt_time_format(r->refused_ns);
    json_t *ro = json_pack("{ssssss}", "refused", when, "source", r->source, "reason", r->reason);
    json_object_set_new(ro, "batch_id", r->batch_id ? json_integer(r->batch_id) : json_null());
    pt_json_set_string_or_null(ro, "lot", r->lot);
    json_array_append_new(arr, ro);
  }
  json_object_set_new(o, "refusals", arr);
  /* The photos themselves are evidence files; the dashboard shows that they were taken. */
  json_object_set_new(o, "photos", json_integer(photos->len));
  return o;
}
