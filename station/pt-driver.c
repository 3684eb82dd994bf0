/* pt-driver.c: drivers, login tokens, loads opened from a phone and photos of plate and seal
 * (see pt-driver.h). */
#include "pt-driver.h"

#include "pt-barcode.h"
#include "pt-batch.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-gs1-ai.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-photo.h"
#include "pt-store-load.h"
#include "pt-time.h"

#include <cairo.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <sodium.h>
#include <string.h>

#define SECRET_BYTES 32
#define SECRET_CHARS 43 /* unpadded base64url of 32 bytes */
#define QR_MODULE_PX 8
#define QR_QUIET     4

static gboolean
check_phone(const char *phone, GError **error)
{
  if (phone && !g_regex_match_simple("^\\+?[0-9 ()-]{3,24}$", phone, 0, 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "phone '%.64s' is not a phone number (digits, spaces, ( ) -, an optional "
                "leading +)",
                phone);
    return FALSE;
  }
  return TRUE;
}

PtDriver *
pt_driver_add(PtStore *store, const char *name, const char *phone, GError **error)
{
  if (!pt_check_text("driver name", name, PT_TEXT_FIELD_MAX, TRUE, error) ||
      !check_phone(phone, error))
    return NULL;
  g_autoptr(PtDriver) d = g_new0(PtDriver, 1);
  d->name = g_strdup(name);
  d->phone = g_strdup(phone);
  d->created_ns = pt_now_ns();
  if (!pt_store_begin(store, error))
    return NULL;
  if (!pt_store_driver_insert(store, d, error) || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return NULL;
  }
  return g_steal_pointer(&d);
}

PtDriver *
pt_driver_lookup(PtStore *store, const char *id, GError **error)
{
  guint64 n;
  if (!g_ascii_string_to_unsigned(id, 10, 1, G_MAXINT64, &n, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "no driver '%.64s' (drivers are numbered 1, 2, ...; see `driver list`)", id);
    return NULL;
  }
  return pt_store_driver_get(store, (gint64)n, error);
}

gboolean
pt_driver_parse_ttl(const char *text, gint64 *seconds_out, GError **error)
{
  gsize len = strlen(text);
  guint64 n = 0;
  g_autofree char *digits = len > 1 ? g_strndup(text, len - 1) : NULL;
  gint64 unit = 0;
  switch (len > 1 ? text[len - 1] : '\0') {
  case 's':
    unit = 1;
    break;
  case 'm':
    unit = 60;
    break;
  case 'h':
    unit = 3600;
    break;
  case 'd':
    unit = 86400;
    break;
  default:
    break;
  }
  if (!unit || !g_ascii_string_to_unsigned(digits, 10, 1, PT_DRIVER_TTL_MAX_S, &n, NULL) ||
      (gint64)n * unit > PT_DRIVER_TTL_MAX_S) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "lifetime '%.32s' is not a number with s, m, h or d (e.g. 12h), at most %dd", text,
                PT_DRIVER_TTL_MAX_S / 86400);
    return FALSE;
  }
  *seconds_out = (gint64)n * unit;
  return TRUE;
}

static void
hash_secret(const char *secret, gsize len, guint8 out[PT_DRIVER_HASH_LEN])
{
  crypto_generichash(out, PT_DRIVER_HASH_LEN, (const unsigned char *)secret, len, NULL, 0);
}

char *
pt_driver_token_new(PtStore *store, gint64 driver_id, gint64 ttl_s, gint64 *expires_ns_out,
                    GError **error)
{
  guint8 raw[SECRET_BYTES];
  char secret[SECRET_CHARS + 1];
  randombytes_buf(raw, sizeof raw);
  sodium_bin2base64(secret, sizeof secret, raw, sizeof raw,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(raw, sizeof raw);
  PtDriverToken token = {.driver_id = driver_id, .created_ns = pt_now_ns()};
  token.expires_ns = token.created_ns + ttl_s * G_GINT64_CONSTANT(1000000000);
  hash_secret(secret, SECRET_CHARS, token.hash);
  if (!pt_store_begin(store, error))
    return NULL;
  g_autoptr(PtDriver) driver = pt_store_driver_get(store, driver_id, error);
  if (!driver || !pt_store_driver_token_insert(store, &token, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return NULL;
  }
  if (expires_ns_out)
    *expires_ns_out = token.expires_ns;
  char *text = g_strdup_printf("%" G_GINT64_FORMAT ".%s", token.id, secret);
  sodium_memzero(secret, sizeof secret);
  return text;
}

gboolean
pt_driver_revoke(PtStore *store, gint64 driver_id, gint64 *n_out, GError **error)
{
  if (!pt_store_begin(store, error))
    return FALSE;
  g_autoptr(PtDriver) driver = pt_store_driver_get(store, driver_id, error);
  if (!driver || !pt_store_driver_revoke(store, driver_id, pt_now_ns(), n_out, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  return TRUE;
}

char *
pt_driver_login_url(const PtConfig *config, const char *base, const char *token)
{
  g_autofree char *fallback = g_strdup_printf("http://%s", config->public_host);
  const char *b = base ? base : fallback;
  gsize n = strlen(b);
  while (n > 0 && b[n - 1] == '/')
    n--;
  return g_strdup_printf("%.*s/driver#t=%s", (int)n, b, token);
}

static cairo_status_t
append_png(void *closure, const unsigned char *data, unsigned int len)
{
  g_byte_array_append(closure, data, len);
  return CAIRO_STATUS_SUCCESS;
}

GBytes *
pt_driver_qr_png_bytes(const char *text, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(PtBarcode) qr = pt_barcode_qr(text, PT_QR_EC_M, &local);
  if (!qr) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "cannot encode the login QR: %s",
                local->message);
    return NULL;
  }
  int side = (qr->cols + 2 * QR_QUIET) * QR_MODULE_PX;
  cairo_surface_t *surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, side, side);
  cairo_t *cr = cairo_create(surface);
  cairo_set_source_rgb(cr, 1, 1, 1);
  cairo_paint(cr);
  cairo_set_source_rgb(cr, 0, 0, 0);
  for (int y = 0; y < qr->rows; y++)
    for (int x = 0; x < qr->cols; x++)
      if (pt_barcode_dark(qr, x, y))
        cairo_rectangle(cr, (x + QR_QUIET) * QR_MODULE_PX, (y + QR_QUIET) * QR_MODULE_PX,
                        QR_MODULE_PX, QR_MODULE_PX);
  cairo_fill(cr);
  cairo_destroy(cr);
  GByteArray *png = g_byte_array_new();
  cairo_status_t st = cairo_surface_write_to_png_stream(surface, append_png, png);
  cairo_surface_destroy(surface);
  if (st != CAIRO_STATUS_SUCCESS) {
    g_byte_array_unref(png);
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "cannot draw the login QR: %s",
                cairo_status_to_string(st));
    return NULL;
  }
  return g_byte_array_free_to_bytes(png);
}

gboolean
pt_driver_qr_png(const char *text, const char *path, GError **error)
{
  g_autoptr(GBytes) png = pt_driver_qr_png_bytes(text, error);
  if (!png)
    return FALSE;
  gsize len = 0;
  const guint8 *data = g_bytes_get_data(png, &len);
  /* The QR logs a phone in: readable by its owner only. */
  return pt_file_write_atomic(path, data, len, 0600, error);
}

/* Fills @out from an element string's AIs 01 and 10; FALSE (with @error) without both. */
static gboolean
label_from_elements(const char *text, PtDriverLabel *out, GError **error)
{
  PtGs1ReadElement elements[PT_GS1_ELEMENTS_MAX];
  gsize n = 0;
  if (!pt_gs1_element_string_parse(text, elements, G_N_ELEMENTS(elements), &n, error))
    return FALSE;
  for (gsize i = 0; i < n; i++) {
    if (strcmp(elements[i].ai, "01") == 0)
      g_strlcpy(out->gtin, elements[i].value, sizeof out->gtin);
    else if (strcmp(elements[i].ai, "10") == 0)
      g_strlcpy(out->lot, elements[i].value, sizeof out->lot);
  }
  if (!out->gtin[0] || !out->lot[0]) {
    g_set_error_literal(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                        "the element string has no GTIN (01) and lot (10)");
    return FALSE;
  }
  return TRUE;
}

PtDriverLabelRead
pt_driver_read_label(const char *payload, const char *public_host, PtDriverLabel *out,
                     GError **error)
{
  memset(out, 0, sizeof *out);
  if (g_ascii_strncasecmp(payload, "http://", 7) == 0 ||
      g_ascii_strncasecmp(payload, "https://", 8) == 0) {
    PtDigitalLink link;
    if (!pt_gs1_digital_link_parse(payload, 0, &link, error))
      return PT_DRIVER_LABEL_MALFORMED;
    if (g_ascii_strcasecmp(link.host, public_host) != 0) {
      g_strlcpy(out->host, link.host, sizeof out->host);
      return PT_DRIVER_LABEL_FOREIGN;
    }
    g_strlcpy(out->gtin, link.gtin, sizeof out->gtin);
    g_strlcpy(out->lot, link.lot, sizeof out->lot);
    if (!out->lot[0]) {
      g_set_error_literal(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "the link names no lot (10)");
      return PT_DRIVER_LABEL_MALFORMED;
    }
    return PT_DRIVER_LABEL_OK;
  }
  /* A scanner's element string (symbology identifier or FNC1 first) or the printed one. */
  if (payload[0] == ']' || payload[0] == '(' || payload[0] == PT_GS1_GS)
    return label_from_elements(payload, out, error) ? PT_DRIVER_LABEL_OK
                                                    : PT_DRIVER_LABEL_MALFORMED;
  /* "GTIN LOT", typed from the text under the barcode. */
  g_auto(GStrv) words = g_strsplit_set(payload, " \t", -1);
  guint n_words = 0;
  const char *word[2] = {NULL, NULL};
  for (guint i = 0; words[i]; i++)
    if (words[i][0] && n_words++ < 2)
      word[n_words - 1] = words[i];
  if (n_words == 2) {
    char gtin14[PT_GS1_GTIN_LEN + 1];
    if (!pt_gs1_gtin14(word[0], gtin14, error) || !pt_gs1_validate_lot(word[1], error))
      return PT_DRIVER_LABEL_MALFORMED;
    g_strlcpy(out->gtin, gtin14, sizeof out->gtin);
    g_strlcpy(out->lot, word[1], sizeof out->lot);
    return PT_DRIVER_LABEL_OK;
  }
  /* A reader that drops the symbology identifier sends "0109506000134352...10LOT". */
  if (n_words == 1 && strncmp(payload, "01", 2) == 0 && strlen(payload) > 18 &&
      label_from_elements(payload, out, NULL))
    return PT_DRIVER_LABEL_OK;
  memset(out, 0, sizeof *out);
  if (n_words != 1 || !pt_gs1_validate_lot(word[0], error)) {
    if (error && !*error)
      g_set_error_literal(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                          "not a label: give the label's link, its GTIN and lot, or the lot");
    return PT_DRIVER_LABEL_MALFORMED;
  }
  g_strlcpy(out->lot, word[0], sizeof out->lot);
  return PT_DRIVER_LABEL_OK;
}

static PtDriverAuth
refuse(GError **error, const char *message)
{
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s", message);
  return PT_DRIVER_AUTH_REFUSED;
}

PtDriverAuth
pt_driver_authenticate(PtStore *store, const char *token, gint64 now_ns, PtDriverToken *out,
                       PtDriver **driver_out, GError **error)
{
  const char *dot = token ? strchr(token, '.') : NULL;
  guint64 id = 0;
  g_autofree char *id_text = dot ? g_strndup(token, (gsize)(dot - token)) : NULL;
  if (!dot || !g_ascii_string_to_unsigned(id_text, 10, 1, G_MAXINT64, &id, NULL) ||
      strlen(dot + 1) != SECRET_CHARS)
    return refuse(error, "not a driver token: ask the operator for your login QR");
  g_autoptr(GError) local = NULL;
  if (!pt_store_driver_token_get(store, (gint64)id, out, &local)) {
    if (!g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
      g_propagate_error(error, g_steal_pointer(&local));
      return PT_DRIVER_AUTH_FAILED;
    }
    return refuse(error, "driver token not recognised: ask the operator for your login QR");
  }
  guint8 hash[PT_DRIVER_HASH_LEN];
  hash_secret(dot + 1, SECRET_CHARS, hash);
  /* Checked before expiry and revocation, so a forger learns nothing about real tokens. */
  if (sodium_memcmp(hash, out->hash, PT_DRIVER_HASH_LEN) != 0)
    return refuse(error, "driver token not recognised: ask the operator for your login QR");
  if (out->revoked_ns) {
    g_autofree char *when = pt_time_format(out->revoked_ns);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "driver token was revoked at %s: ask the operator for a new login QR", when);
    return PT_DRIVER_AUTH_REFUSED;
  }
  if (out->expires_ns <= now_ns) {
    g_autofree char *when = pt_time_format(out->expires_ns);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "driver token expired at %s: ask the operator for a new login QR", when);
    return PT_DRIVER_AUTH_REFUSED;
  }
  *driver_out = pt_store_driver_get(store, out->driver_id, error);
  return *driver_out ? PT_DRIVER_AUTH_OK : PT_DRIVER_AUTH_FAILED;
}

char *
pt_driver_plate_key(const char *plate)
{
  g_autofree char *upper = g_utf8_strup(plate, -1);
  GString *key = g_string_sized_new(strlen(upper));
  for (const char *p = upper; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    /* Middle dot, bullet, katakana middle dot, full-width dot and hyphen. */
    if (g_unichar_isspace(c) || c == '-' || c == '.' || c == 0x00B7 || c == 0x2022 || c == 0x30FB ||
        c == 0xFF0E || c == 0xFF0D || c == 0x2027)
      continue;
    g_string_append_unichar(key, c);
  }
  return g_string_free(key, FALSE);
}

json_t *
pt_driver_open_loads_json(PtStore *store, gint64 driver_id, GError **error)
{
  g_autoptr(GPtrArray) open = pt_store_load_list_open(store, PT_DRIVER_OPEN_LOADS_MAX, error);
  if (!open)
    return NULL;
  json_t *arr = json_array();
  for (guint i = 0; i < open->len; i++) {
    const PtLoad *l = g_ptr_array_index(open, i);
    gboolean joined = FALSE;
    if (!pt_store_driver_load_joined(store, driver_id, l->id, &joined, error)) {
      json_decref(arr);
      return NULL;
    }
    g_autofree char *opened = pt_time_format(l->opened_ns);
    json_t *o = json_pack("{sIsssssb}", "id", (json_int_t)l->id, "plate", l->plate, "opened",
                          opened, "joined", joined);
    json_object_set_new(o, "dock", pt_json_string_or_null(l->dock));
    json_array_append_new(arr, o);
  }
  return json_pack("{so}", "loads", arr);
}

/* Finds the open load whose plate is @plate (compared as pt_driver_plate_key() writes them)
 * or opens one, and records @driver on it; the caller holds the write transaction.  Joining
 * needs the load's seal as well as its plate: a plate is written on the truck for anyone to
 * read (and a logged-in phone is offered the open loads' plates to choose from), the seal
 * number only on the seal, so a phone that knows the plate alone cannot put batches on the
 * load.  The answers never name the recorded seal.
 * Returns: (transfer full). */
static PtLoad *
open_or_join_locked(PtStore *store, const PtDriver *driver, const char *plate, const char *seal,
                    gboolean *joined_out, GError **error)
{
  g_autoptr(PtLoad) load = NULL;
  if (!seal) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_INVALID,
                        "give the truck's plate and the seal number to open or join a load");
    return NULL;
  }
  g_autoptr(GPtrArray) open = pt_store_load_list_open(store, PT_DRIVER_OPEN_LOADS_MAX, error);
  if (!open)
    return NULL;
  g_autofree char *key = pt_driver_plate_key(plate);
  for (guint i = 0; i < open->len && !load; i++) {
    g_autofree char *other = pt_driver_plate_key(((PtLoad *)g_ptr_array_index(open, i))->plate);
    if (strcmp(key, other) == 0)
      load = g_ptr_array_steal_index(open, i);
  }
  *joined_out = load != NULL;
  if (load &&
      (strlen(seal) != strlen(load->seal) || sodium_memcmp(seal, load->seal, strlen(seal)) != 0)) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_CONFLICT,
                        "the open load with this plate has another seal number: check the seal, "
                        "or ask the operator to add this phone to the load");
    return NULL;
  }
  if (!load) {
    PtLoadSpec spec = {
        .plate = plate, .seal = seal, .driver_name = driver->name, .driver_phone = driver->phone};
    load = pt_load_create_locked(store, &spec, error);
    if (!load)
      return NULL;
  }
  if (!pt_store_driver_load_join(store, driver->id, load->id, pt_now_ns(), error))
    return NULL;
  return g_steal_pointer(&load);
}

PtLoad *
pt_driver_open_load(PtStore *store, const PtDriver *driver, const char *plate, const char *seal,
                    gboolean *joined_out, GError **error)
{
  if (!pt_check_text("plate", plate, PT_LOAD_TEXT_MAX, TRUE, error) ||
      !pt_check_text("seal", seal, PT_LOAD_TEXT_MAX, FALSE, error))
    return NULL;
  /* Look up and open in one write transaction: two phones opening the same truck at once
   * get one load, the second joining what the first opened. */
  if (!pt_store_begin(store, error))
    return NULL;
  g_autoptr(PtLoad) load = open_or_join_locked(store, driver, plate, seal, joined_out, error);
  if (!load || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return NULL;
  }
  return g_steal_pointer(&load);
}

PtLoad *
pt_driver_confirm_join(PtStore *store, const char *driver_id, const char *load_id, GError **error)
{
  g_autoptr(PtDriver) driver = pt_driver_lookup(store, driver_id, error);
  if (!driver)
    return NULL;
  g_autoptr(PtLoad) load = pt_load_lookup(store, load_id, error);
  if (!load)
    return NULL;
  if (load->closed_ns) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "load %" G_GINT64_FORMAT " is closed: a phone joins open loads only", load->id);
    return NULL;
  }
  if (!pt_store_driver_load_join(store, driver->id, load->id, pt_now_ns(), error))
    return NULL;
  return g_steal_pointer(&load);
}

gboolean
pt_driver_check_joined(PtStore *store, gint64 driver_id, const PtLoad *load, GError **error)
{
  gboolean joined = FALSE;
  if (!pt_store_driver_load_joined(store, driver_id, load->id, &joined, error))
    return FALSE;
  if (!joined) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "load %" G_GINT64_FORMAT " was not opened or joined from this phone: open or "
                "join it by its plate first",
                load->id);
    return FALSE;
  }
  return TRUE;
}

/* The record of a photo of @load_id with hash @sha256 already stored, or NULL. */
static PtDriverPhoto *
find_photo(PtStore *store, gint64 load_id, const char *sha256, GError **error)
{
  g_autoptr(GPtrArray) photos = pt_store_driver_photos(store, load_id, error);
  for (guint i = 0; photos && i < photos->len; i++) {
    PtDriverPhoto *p = g_ptr_array_index(photos, i);
    if (strcmp(p->sha256, sha256) == 0)
      return g_ptr_array_steal_index(photos, i);
  }
  return NULL;
}

PtDriverPhoto *
pt_driver_photo_add(PtStation *station, PtStore *store, gint64 driver_id, const PtLoad *load,
                    const char *kind, const guint8 *data, gsize len, gboolean *existed_out,
                    GError **error)
{
  if (g_strcmp0(kind, "plate") != 0 && g_strcmp0(kind, "seal") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a photo is of the plate or the seal");
    return NULL;
  }
  if (load->closed_ns) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "load %" G_GINT64_FORMAT " (plate %s) is closed: no more photos", load->id,
                load->plate);
    return NULL;
  }
  g_autoptr(PtDriverPhoto) photo = g_new0(PtDriverPhoto, 1);
  g_autoptr(GBytes) jpeg = pt_photo_normalise(data, len, PT_PHOTO_LONG_EDGE, PT_PHOTO_QUALITY,
                                              &photo->width, &photo->height, error);
  if (!jpeg)
    return NULL;
  photo->sha256 = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, jpeg);
  g_autoptr(GError) local = NULL;
  PtDriverPhoto *same = find_photo(store, load->id, photo->sha256, &local);
  if (same || local) {
    *existed_out = same != NULL;
    if (local)
      g_propagate_error(error, g_steal_pointer(&local));
    return same;
  }
  photo->load_id = load->id;
  photo->driver_id = driver_id;
  photo->kind = g_strdup(kind);
  photo->bytes = (gint64)g_bytes_get_size(jpeg);
  photo->taken_ns = pt_now_ns();
  photo->path = g_strdup_printf("evidence/photos/load-%" G_GINT64_FORMAT "-%s-%.16s.jpg", load->id,
                                kind, photo->sha256);
  g_autofree char *full = g_build_filename(station->dir, photo->path, NULL);
  g_autofree char *dir = g_path_get_dirname(full);
  if (g_mkdir_with_parents(dir, 0750) != 0) {
    int saved = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", dir, g_strerror(saved));
    return NULL;
  }
  if (!pt_file_write_atomic(full, g_bytes_get_data(jpeg, NULL), g_bytes_get_size(jpeg), 0640,
                            error))
    return NULL;
  if (!pt_store_begin(store, error)) {
    g_unlink(full);
    return NULL;
  }
  if (!pt_store_driver_photo_insert(store, photo, error) || !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    g_unlink(full);
    return NULL;
  }
  *existed_out = FALSE;
  return g_steal_pointer(&photo);
}

json_t *
pt_driver_to_json(const PtDriver *d)
{
  g_autofree char *created = pt_time_format(d->created_ns);
  json_t *o = json_pack("{sIsssssI}", "id", (json_int_t)d->id, "name", d->name, "created", created,
                        "active_tokens", (json_int_t)d->n_active_tokens);
  json_object_set_new(o, "phone", pt_json_string_or_null(d->phone));
  return o;
}

json_t *
pt_driver_photo_to_json(const PtDriverPhoto *p)
{
  g_autofree char *taken = pt_time_format(p->taken_ns);
  return json_pack("{sIsIsssssssisisIss}", "id", (json_int_t)p->id, "load", (json_int_t)p->load_id,
                   "kind", p->kind, "path", p->path, "sha256", p->sha256, "width", p->width,
                   "height", p->height, "bytes", (json_int_t)p->bytes, "taken", taken);
}
