/* pt-http-driver.c: the routes of drivers' phones and the operator's route that makes a
 * phone login.
 *
 *   GET  /api/v1/drivers                   operator: the drivers, with how many valid logins
 *                                          each has (never a token or its hash)
 *   POST /api/v1/drivers                   operator: {"name", "phone"} adds a driver (201)
 *   POST /api/v1/drivers/{id}/loads        operator: {"load": N} puts the driver's phone on
 *                                          open load N (the operator's confirmation, for a
 *                                          driver who cannot read the seal)
 *   POST /api/v1/drivers/{id}/revoke       operator: ends every valid login of the driver
 *   POST /api/v1/drivers/{id}/token        operator: a login token and its link (201); with
 *                                          {"qr": "png"} also the link's QR code as a PNG
 *                                          data: URL for the dashboard to show (drawn by the
 *                                          labels' QR encoder), so the token is in this one
 *                                          answer only
 *   GET  /api/v1/driver/me                 the driver and the token's expiry
 *   GET  /api/v1/driver/loads              the open loads to choose from (plate, never seal)
 *   POST /api/v1/driver/loads              {"plate", "seal"}: join the open load with that
 *                                          plate and seal (200) or open one (201); both
 *                                          are required, and no answer names a load's seal
 *   GET  /api/v1/driver/loads/{id}         a load the phone opened or joined
 *   POST /api/v1/driver/loads/{id}/scans   {"payload", "key", "scanned"}: what a label's QR,
 *                                          GS1-128 or DataMatrix read, or what the driver
 *                                          typed from it (the lot, or GTIN and lot:
 *                                          pt_driver_read_label()); 201 loaded, 200 already
 *                                          on it, 409 refused (with the reason), 404 not a
 *                                          batch of this station
 *   POST /api/v1/driver/loads/{id}/photos?kind=plate|seal   image/jpeg body (201)
 *
 * Every error answer of a driver route carries "code" and "params" beside the English
 * "error" (pt_http_respond_coded()): the phone shows its reader a line in the reader's
 * language built from them, never the station's English.
 *
 * Driver routes take `Authorization: Bearer ID.SECRET` (pt-driver.h, checked before the
 * handler by pt_http_require_driver()); a bad token is 401 with the reason.  Each token is rate
 * limited (PT_DRIVER_RATE_*): over it, 429 with Retry-After, and the page sends again later.  A
 * scan's answer is stored under its idempotency key before it is sent, so a phone that resends (the
 * answer was lost on weak Wi-Fi, the page was reloaded, the station restarted) gets the first
 * answer back and the batch is never added twice.  Answers of 5xx (a busy database) are not stored:
 * the resend tries again. */
#include "pt-http-driver.h"

#include "pt-http-respond.h"

#include "pt-batch-signed.h"
#include "pt-canon.h"
#include "pt-driver.h"
#include "pt-error.h"
#include "pt-gs1-dl.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-load.h"
#include "pt-rate.h"
#include "pt-store-load.h"
#include "pt-time.h"

#include <stdlib.h>
#include <string.h>

/* The code of an error the driver's page translates generically. */
static const char *
error_code(const GError *error)
{
  if (error->domain != PT_ERROR)
    return "invalid";
  switch ((PtError)error->code) {
  case PT_ERROR_INVALID:
  case PT_ERROR_MALFORMED:
    return "invalid";
  case PT_ERROR_TOO_LARGE:
    return "too-large";
  case PT_ERROR_NOT_FOUND:
    return "not-found";
  case PT_ERROR_CONFLICT:
    return "conflict";
  case PT_ERROR_BUSY:
    return "busy";
  default:
    return "failed";
  }
}

/* @error as a coded answer: @code (nullable: from the error's kind) with @params (stolen,
 * nullable). */
static enum MHD_Result
respond_driver_error(struct MHD_Connection *c, const GError *error, const char *code,
                     json_t *params)
{
  unsigned status = pt_error_http_status(error);
  if (status >= 500)
    g_warning("http: %s", error->message);
  return pt_http_respond_coded(c, status, code ? code : error_code(error), error->message, params);
}

/* A stored scan answer that is an error: {"result", "error", "code", "params"} (@params
 * stolen, nullable). */
static json_t *
scan_error(const char *result, const char *code, const char *message, json_t *params)
{
  return json_pack("{ssssssso}", "result", result, "error", message, "code", code, "params",
                   params ? params : json_object());
}

/* GET /api/v1/drivers */
static enum MHD_Result
list_drivers(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(GPtrArray) list = pt_store_driver_list(store, pt_now_ns(), &error);
  if (!list)
    return pt_http_respond_gerror(c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < list->len; i++)
    json_array_append_new(arr, pt_driver_to_json(g_ptr_array_index(list, i)));
  return pt_http_respond_json(c, MHD_HTTP_OK, json_pack("{so}", "drivers", arr), NULL);
}

/* POST /api/v1/drivers {"name": "Wang", "phone": "+86 ..."} */
static enum MHD_Result
add_driver(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(req, FALSE, &error);
  const char *name = NULL, *phone = NULL;
  const PtJsonField fields[] = {{"name", &name}, {"phone", &phone}};
  g_autoptr(PtDriver) driver = NULL;
  if (body && pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error))
    driver = pt_driver_add(store, name, phone && phone[0] ? phone : NULL, &error);
  json_decref(body);
  return driver ? pt_http_respond_json(c, MHD_HTTP_CREATED, pt_driver_to_json(driver), NULL)
                : pt_http_respond_gerror(c, error);
}

/* "data:image/png;base64,..." of @text's QR code.  Returns: (transfer full). */
static char *
qr_data_url(const char *text, GError **error)
{
  g_autoptr(GBytes) png = pt_driver_qr_png_bytes(text, error);
  if (!png)
    return NULL;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data(png, &len);
  g_autofree char *b64 = g_base64_encode(data, len);
  return g_strconcat("data:image/png;base64,", b64, NULL);
}

/* POST /api/v1/drivers/{id}/token {"ttl": "12h", "base": "http://HOST", "qr": "png"} (all
 * optional). */
static enum MHD_Result
mint_token(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(req, TRUE, &error);
  const char *ttl = NULL, *base = NULL, *qr = NULL;
  const PtJsonField fields[] = {{"ttl", &ttl}, {"base", &base}, {"qr", &qr}};
  gint64 ttl_s = PT_DRIVER_TTL_DEFAULT_S, expires = 0;
  g_autoptr(PtDriver) driver = NULL;
  g_autofree char *token = NULL, *url = NULL, *png = NULL;
  if (body && pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error) &&
      (!ttl || pt_driver_parse_ttl(ttl, &ttl_s, &error))) {
    if (base && !g_str_has_prefix(base, "http://") && !g_str_has_prefix(base, "https://"))
      g_set_error(&error, PT_ERROR, PT_ERROR_INVALID, "base must start with http:// or https://");
    else if (qr && strcmp(qr, "png") != 0)
      g_set_error(&error, PT_ERROR, PT_ERROR_INVALID, "qr must be \"png\"");
    else if ((driver = pt_driver_lookup(store, call->args[0], &error)) &&
             (token = pt_driver_token_new(store, driver->id, ttl_s, &expires, &error)))
      url = pt_driver_login_url(http->station->config, base, token);
  }
  json_decref(body);
  if (url && qr && !(png = qr_data_url(url, &error)))
    g_clear_pointer(&url, g_free);
  if (!url)
    return pt_http_respond_gerror(c, error);
  g_autofree char *until = pt_time_format(expires);
  json_t *o = json_pack("{sIssssssss}", "driver", (json_int_t)driver->id, "name", driver->name,
                        "token", token, "url", url, "expires", until);
  if (png)
    json_object_set_new(o, "qr_png", json_string(png));
  return pt_http_respond_json(c, MHD_HTTP_CREATED, o, NULL);
}

/* POST /api/v1/drivers/{id}/revoke: a lost phone, or a driver who left. */
static enum MHD_Result
revoke_logins(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  gint64 n = 0;
  g_autoptr(PtDriver) driver = pt_driver_lookup(call->store, call->args[0], &error);
  if (!driver || !pt_driver_revoke(call->store, driver->id, &n, &error))
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(
      call->c, MHD_HTTP_OK,
      json_pack("{sIsI}", "driver", (json_int_t)driver->id, "revoked", (json_int_t)n), NULL);
}

/* The load numbered @id if this driver opened or joined it.  Any other, existing or not,
 * is the same PT_ERROR_NOT_FOUND, so a phone cannot tell which load numbers exist. */
static PtLoad *
own_load(PtStore *store, const PtDriver *driver, const char *id, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(PtLoad) load = pt_load_lookup(store, id, &local);
  if (load && pt_driver_check_joined(store, driver->id, load, &local))
    return g_steal_pointer(&load);
  if (!g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  g_set_error_literal(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                      "no such load on this phone: open or join it with its plate and seal");
  return NULL;
}

/* POST /api/v1/driver/loads {"plate", "seal"} */
static enum MHD_Result
open_load(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(req, FALSE, &error);
  const char *plate = NULL, *seal = NULL;
  const PtJsonField fields[] = {{"plate", &plate}, {"seal", &seal}};
  gboolean joined = FALSE;
  g_autoptr(PtLoad) load = NULL;
  gboolean no_plate = TRUE, no_seal = TRUE;
  if (body && pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error)) {
    no_plate = !plate || !plate[0];
    no_seal = !seal || !seal[0];
    load = pt_driver_open_load(store, call->driver, plate, seal, &joined, &error);
  }
  json_decref(body);
  json_t *o = load ? pt_load_to_json(store, load, TRUE, &error) : NULL;
  if (!o) {
    /* The one conflict of opening or joining is a seal that is not the load's. */
    const char *code = g_error_matches(error, PT_ERROR, PT_ERROR_CONFLICT) ? "seal-mismatch"
                       : load                                              ? NULL
                       : no_plate                                          ? "plate-needed"
                       : no_seal                                           ? "seal-needed"
                                                                           : NULL;
    return respond_driver_error(c, error, code, NULL);
  }
  json_object_set_new(o, "joined", json_boolean(joined));
  return pt_http_respond_json(c, joined ? MHD_HTTP_OK : MHD_HTTP_CREATED, o, NULL);
}

/* POST /api/v1/drivers/{id}/loads {"load": N}: the operator puts a phone on a load. */
static enum MHD_Result
confirm_join(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(call->req, FALSE, &error);
  double number = 0;
  gboolean has_number = FALSE;
  const PtJsonField fields[] = {{"load", NULL, &number, &has_number}};
  g_autoptr(PtLoad) load = NULL;
  if (body && pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error)) {
    if (!has_number || number < 1 || number > G_MAXINT32 || number != (gint64)number) {
      g_set_error_literal(&error, PT_ERROR, PT_ERROR_INVALID, "body is {\"load\": LOAD_NUMBER}");
    } else {
      g_autofree char *load_id = g_strdup_printf("%" G_GINT64_FORMAT, (gint64)number);
      load = pt_driver_confirm_join(store, call->args[0], load_id, &error);
    }
  }
  json_decref(body);
  json_t *o = load ? pt_load_to_json(store, load, TRUE, &error) : NULL;
  if (!o)
    return pt_http_respond_gerror(c, error);
  return pt_http_respond_json(c, MHD_HTTP_OK, o, NULL);
}

/* The event time of a scan: the phone's when it is plausible (an offline scan is sent late),
 * else the station's. */
static gint64
scan_time(const char *scanned, gint64 now)
{
  gint64 t = 0;
  if (scanned && pt_time_parse(scanned, &t, NULL) &&
      t <= now + PT_DRIVER_SCAN_SKEW_S * G_GINT64_CONSTANT(1000000000) &&
      t >= now - PT_DRIVER_SCAN_AGE_MAX_S * G_GINT64_CONSTANT(1000000000))
    return t;
  return now;
}

/* The code and parameters of a refusal of @batch on @load: a closed load, the batch on
 * another open load (whose plate and seal this phone learns neither), or the batch's signed
 * status.  FALSE only when the store fails. */
static gboolean
refusal_code(PtHttp *http, PtStore *store, const PtLoad *load, const PtBatch *batch,
             const char **code_out, json_t **params_out, GError **error)
{
  gint64 other = 0;
  if (load->closed_ns) {
    *code_out = "load-closed";
    *params_out = json_pack("{sI}", "load", (json_int_t)load->id);
    return TRUE;
  }
  if (!pt_store_load_holding_batch(store, batch->id, load->id, &other, error))
    return FALSE;
  if (other) {
    *code_out = "on-other-load";
    *params_out = json_pack("{ss}", "lot", batch->lot);
    return TRUE;
  }
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, http->station->keys->anchor_key, batch, &st, error))
    return FALSE;
  const PtBatch *b = st.facts;
  const char *status = st.commissioned && st.status_known ? b->status : NULL;
  *code_out = g_strcmp0(status, "held") == 0       ? "batch-held"
              : g_strcmp0(status, "recalled") == 0 ? "batch-recalled"
                                                   : "batch-unverified";
  *params_out = json_pack("{ssss?}", "lot", batch->lot, "reason", b ? b->status_reason : NULL);
  return TRUE;
}

/* Answers one scan: @status_out and the JSON body.  NULL with @error only when the answer
 * must not be stored (the store failed: the phone's resend tries again). */
static json_t *
scan_answer(PtHttp *http, PtStore *store, const PtDriver *driver, const PtLoad *load,
            const char *payload, const char *scanned, unsigned *status_out, GError **error)
{
  PtDriverLabel label;
  g_autoptr(GError) local = NULL;
  g_autofree char *source = g_strdup_printf("driver:%" G_GINT64_FORMAT, driver->id);
  PtDriverLabelRead read =
      pt_driver_read_label(payload, http->station->config->public_host, &label, &local);
  if (read == PT_DRIVER_LABEL_MALFORMED) {
    g_autofree char *why = g_strdup_printf("not a label: %s", local->message);
    *status_out = MHD_HTTP_BAD_REQUEST;
    return scan_error("invalid", "not-a-label", why, NULL);
  }
  g_autoptr(PtBatch) batch = NULL;
  g_autofree char *unknown = NULL;
  json_t *params = NULL;
  const char *code = NULL;
  if (read == PT_DRIVER_LABEL_FOREIGN) {
    unknown = g_strdup_printf("a label of another station (%s), not of this one", label.host);
    code = "other-station";
    params = json_pack("{ss}", "host", label.host);
  } else {
    batch = pt_store_batch_get_by_lot(store, label.lot, &local);
    if (!batch && !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
    /* A lot typed alone is completed with the batch's GTIN; one given must agree. */
    if (!batch || (label.gtin[0] && strcmp(batch->gtin, label.gtin) != 0)) {
      unknown = label.gtin[0] ? g_strdup_printf("GTIN %s lot %s is no batch of this station",
                                                label.gtin, label.lot)
                              : g_strdup_printf("lot %s is no batch of this station", label.lot);
      code = "unknown-batch";
      params = json_pack("{ssss}", "gtin", label.gtin, "lot", label.lot);
    }
  }
  if (unknown) {
    /* Recorded, so the operator sees what the driver tried to load. */
    if (!pt_load_refuse(store, load->id, source, unknown, error)) {
      json_decref(params);
      return NULL;
    }
    *status_out = MHD_HTTP_NOT_FOUND;
    return scan_error("unknown", code, unknown, params);
  }
  g_autoptr(PtLoadItem) item = NULL;
  gboolean existed = FALSE;
  gint64 when = scan_time(scanned, pt_now_ns());
  g_clear_error(&local);
  if (!pt_load_add_batch(http->station, store, load->id, batch, 0, source, when, &item, &existed,
                         &local)) {
    unsigned status = pt_error_http_status(local);
    if (status >= 500) {
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
    code = error_code(local);
    if (status == MHD_HTTP_CONFLICT &&
        !refusal_code(http, store, load, batch, &code, &params, error))
      return NULL;
    /* The operator's record names the other load's plate and seal; this phone is not on
     * that load and learns neither. */
    g_autofree char *why =
        g_strcmp0(code, "on-other-load") == 0
            ? g_strdup_printf("batch %s is already on another open load: ask the operator",
                              batch->lot)
            : g_strdup(local->message);
    *status_out = status;
    json_t *o = scan_error(status == MHD_HTTP_CONFLICT ? "refused" : "invalid", code, why, params);
    json_object_set_new(o, "lot", json_string(batch->lot));
    json_object_set_new(o, "load", json_integer(load->id));
    return o;
  }
  *status_out = existed ? MHD_HTTP_OK : MHD_HTTP_CREATED;
  json_t *o = pt_load_item_to_json(item);
  json_object_set_new(o, "result", json_string(existed ? "already" : "loaded"));
  json_object_set_new(o, "load", json_integer(load->id));
  return o;
}

/* Sends a stored answer (@body stolen); @replayed says it answered an earlier request. */
static enum MHD_Result
respond_stored(struct MHD_Connection *c, int status, char *body, gboolean replayed)
{
  return pt_http_respond_with(c, (unsigned)status, "application/json; charset=utf-8", body,
                              strlen(body), replayed ? "Idempotent-Replayed" : NULL, "true");
}

/* POST /api/v1/driver/loads/{id}/scans {"payload", "key", "scanned"} */
static enum MHD_Result
scan(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  const PtDriver *driver = call->driver;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  json_t *body = pt_http_body_json(req, FALSE, &error);
  const char *payload = NULL, *key = NULL, *scanned = NULL;
  const PtJsonField fields[] = {{"payload", &payload}, {"key", &key}, {"scanned", &scanned}};
  if (!body || !pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error)) {
    json_decref(body);
    return respond_driver_error(c, error, NULL, NULL);
  }
  if (!payload || !key || !g_regex_match_simple("^[A-Za-z0-9_-]{8,64}$", key, 0, 0)) {
    json_decref(body);
    return pt_http_respond_coded(c, MHD_HTTP_BAD_REQUEST, "invalid",
                                 "body is {\"payload\": LABEL TEXT, \"key\": IDEMPOTENCY KEY "
                                 "(8-64 of A-Z a-z 0-9 _ -), \"scanned\": RFC 3339 time}",
                                 NULL);
  }
  /* @key outlives @body, which is released before the answer is stored. */
  g_autofree char *key_copy = g_strdup(key);
  key = key_copy;
  int stored_status = 0;
  char *stored = NULL;
  if (!pt_store_driver_request_get(store, driver->id, key, &stored_status, &stored, &error)) {
    json_decref(body);
    return respond_driver_error(c, error, NULL, NULL);
  }
  if (stored) {
    json_decref(body);
    /* g_malloc and malloc are one allocator since GLib 2.46. */
    return respond_stored(c, stored_status, stored, TRUE);
  }
  unsigned status = 0;
  g_autoptr(PtLoad) load = own_load(store, driver, call->args[0], &error);
  json_t *answer = NULL;
  if (load) {
    answer = scan_answer(call->http, store, driver, load, payload, scanned, &status, &error);
  } else if (pt_error_http_status(error) < 500) {
    status = pt_error_http_status(error);
    answer = scan_error("invalid", "load-not-joined", error->message, NULL);
  }
  json_decref(body);
  if (!answer)
    return respond_driver_error(c, error, NULL, NULL);
  g_autofree char *text = pt_canon_dump(answer, NULL, &error);
  json_decref(answer);
  if (!text)
    return respond_driver_error(c, error, NULL, NULL);
  g_clear_error(&error);
  /* The first answer stored under the key wins: a racing resend gets that one. */
  if (pt_store_begin(store, &error)) {
    if (pt_store_driver_request_put(store, driver->id, key, (int)status, text, pt_now_ns(),
                                    &error) &&
        pt_store_commit(store, &error) &&
        pt_store_driver_request_get(store, driver->id, key, &stored_status, &stored, &error) &&
        stored)
      return respond_stored(c, stored_status, stored, strcmp(stored, text) != 0);
    pt_store_rollback(store);
  }
  if (error)
    g_warning("driver %" G_GINT64_FORMAT ": answer of %s not stored: %s", driver->id, key,
              error->message);
  return pt_http_respond(c, status, "application/json; charset=utf-8", g_steal_pointer(&text),
                         strlen(text), NULL);
}

/* POST /api/v1/driver/loads/{id}/photos?kind=plate|seal, an image/jpeg body */
static enum MHD_Result
photo(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  const char *kind = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "kind");
  const char *type = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
  if (type && !g_str_has_prefix(type, "image/jpeg"))
    return pt_http_respond_coded(c, MHD_HTTP_UNSUPPORTED_MEDIA_TYPE, "invalid",
                                 "a photo is sent as image/jpeg", NULL);
  g_autoptr(PtLoad) load = own_load(store, call->driver, call->args[0], &error);
  gboolean existed = FALSE;
  g_autoptr(PtDriverPhoto) p =
      load ? pt_driver_photo_add(call->http->station, store, call->driver->id, load, kind,
                                 (const guint8 *)req->body->str, req->body->len, &existed, &error)
           : NULL;
  if (!p) {
    if (load && g_error_matches(error, PT_ERROR, PT_ERROR_CONFLICT))
      return respond_driver_error(c, error, "load-closed",
                                  json_pack("{sI}", "load", (json_int_t)load->id));
    return respond_driver_error(c, error, load ? NULL : "load-not-joined", NULL);
  }
  json_t *o = pt_driver_photo_to_json(p);
  json_object_set_new(o, "existed", json_boolean(existed));
  return pt_http_respond_json(c, existed ? MHD_HTTP_OK : MHD_HTTP_CREATED, o, NULL);
}

/* GET /api/v1/driver/me: the driver and the token's expiry. */
static enum MHD_Result
get_me(const PtHttpCall *call)
{
  g_autofree char *until = pt_time_format(call->token->expires_ns);
  json_t *o = pt_driver_to_json(call->driver);
  json_object_del(o, "active_tokens");
  return pt_http_respond_json(call->c, MHD_HTTP_OK,
                              json_pack("{soss}", "driver", o, "expires", until), NULL);
}

/* GET /api/v1/driver/loads/{id}: a load the phone opened or joined. */
static enum MHD_Result
get_load(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  PtStore *store = call->store;
  g_autoptr(PtLoad) load = own_load(store, call->driver, call->args[0], &error);
  json_t *o = load ? pt_load_to_json(store, load, TRUE, &error) : NULL;
  if (!o)
    return respond_driver_error(call->c, error, load ? NULL : "load-not-joined", NULL);
  return pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL);
}

/* GET /api/v1/driver/loads: the open loads to join. */
static enum MHD_Result
list_open_loads(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  json_t *o = pt_driver_open_loads_json(call->store, call->driver->id, &error);
  return o ? pt_http_respond_json(call->c, MHD_HTTP_OK, o, NULL)
           : respond_driver_error(call->c, error, NULL, NULL);
}

static const PtHttpRoute driver_routes[] = {
    {"/api/v1/drivers", PT_HTTP_GET, PT_HTTP_OPERATOR, list_drivers},
    {"/api/v1/drivers", PT_HTTP_POST, PT_HTTP_OPERATOR, add_driver},
    {"/api/v1/drivers/{id}/token", PT_HTTP_POST, PT_HTTP_OPERATOR, mint_token},
    {"/api/v1/drivers/{id}/revoke", PT_HTTP_POST, PT_HTTP_OPERATOR, revoke_logins},
    {"/api/v1/drivers/{id}/loads", PT_HTTP_POST, PT_HTTP_OPERATOR, confirm_join},
    {"/api/v1/driver/me", PT_HTTP_GET, PT_HTTP_DRIVER, get_me},
    {"/api/v1/driver/loads", PT_HTTP_GET, PT_HTTP_DRIVER, list_open_loads},
    {"/api/v1/driver/loads", PT_HTTP_POST, PT_HTTP_DRIVER, open_load},
    {"/api/v1/driver/loads/{id}", PT_HTTP_GET, PT_HTTP_DRIVER, get_load},
    {"/api/v1/driver/loads/{id}/scans", PT_HTTP_POST, PT_HTTP_DRIVER, scan},
    {"/api/v1/driver/loads/{id}/photos", PT_HTTP_POST, PT_HTTP_DRIVER, photo, 0,
     PT_DRIVER_PHOTO_BODY_MAX},
};

const PtHttpRouteTable pt_http_driver_routes = {driver_routes, G_N_ELEMENTS(driver_routes)};
