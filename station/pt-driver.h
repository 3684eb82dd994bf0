/* pt-driver.h: drivers' phones, shared by `packtrace driver` and the driver API: drivers,
 * their login tokens (a QR the operator prints or shows; no password to type on a phone),
 * checking a token, opening or joining a load by plate, and the photos of plate and seal.
 *
 * A token is "ID.SECRET": ID numbers its row, SECRET is 32 random bytes in unpadded
 * base64url.  Only BLAKE2b-256(SECRET) is stored; a presented token is hashed and compared
 * in constant time, so the database alone cannot log a phone in. */
#pragma once

#include "pt-load.h"
#include "pt-station.h"
#include "pt-store-driver.h"

#include "pt-gs1-dl.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Adds a driver (@phone nullable).  Returns: (transfer full). */
PtDriver *pt_driver_add(PtStore *store, const char *name, const char *phone, GError **error);

/* Finds a driver by number ("3").  Returns: (transfer full). */
PtDriver *pt_driver_lookup(PtStore *store, const char *id, GError **error);

/* Parses a lifetime ("90s", "30m", "12h", "7d") into seconds, at most PT_DRIVER_TTL_MAX_S. */
gboolean pt_driver_parse_ttl(const char *text, gint64 *seconds_out, GError **error);

/* Makes a new login token for @driver_id valid for @ttl_s seconds; @expires_ns_out
 * (nullable) receives its expiry.  Returns: (transfer full): the token text, shown once. */
char *pt_driver_token_new(PtStore *store, gint64 driver_id, gint64 ttl_s, gint64 *expires_ns_out,
                          GError **error);

/* Revokes every valid token of @driver_id; @n_out receives how many. */
gboolean pt_driver_revoke(PtStore *store, gint64 driver_id, gint64 *n_out, GError **error);

/* The page a login QR opens: @base (nullable: "http://" + public_host) + "/driver#t=" +
 * @token.  The token rides in the fragment, which browsers never send to a server, so it
 * stays out of access logs, proxies and Referer headers.  Returns: (transfer full). */
char *pt_driver_login_url(const PtConfig *config, const char *base, const char *token);

/* @text as a QR code PNG (8 px modules, quiet zone of 4).  Returns: (transfer full). */
GBytes *pt_driver_qr_png_bytes(const char *text, GError **error);
/* Writes @text as a QR code PNG (pt_driver_qr_png_bytes()) to @path, atomically. */
gboolean pt_driver_qr_png(const char *text, const char *path, GError **error);

/* What a driver scanned or typed, reduced to the batch it names. */
typedef enum {
  PT_DRIVER_LABEL_OK,
  PT_DRIVER_LABEL_MALFORMED, /* none of the forms below */
  PT_DRIVER_LABEL_FOREIGN,   /* a Digital Link of another host (in @host) */
} PtDriverLabelRead;

typedef struct {
  char gtin[PT_GS1_GTIN_LEN + 1]; /* empty when the driver typed a lot alone */
  char lot[PT_GS1_LOT_MAX + 1];
  char host[PT_DL_HOST_MAX + 1]; /* a foreign link's host, else empty */
} PtDriverLabel;

/* Reads @payload (untrusted): a Digital Link of @public_host (a label's QR), a GS1 element
 * string with AIs 01 and 10 as a GS1-128 or GS1 DataMatrix transmits it or as printed under
 * it ("(01)09506000134352(10)LOT"), "GTIN LOT" as typed from the label's text, or the lot
 * alone as printed.  The station completes what was typed: the caller looks the lot up, and
 * checks the GTIN when one was given.  On PT_DRIVER_LABEL_MALFORMED @error says why. */
PtDriverLabelRead pt_driver_read_label(const char *payload, const char *public_host,
                                       PtDriverLabel *out, GError **error);

typedef enum {
  PT_DRIVER_AUTH_OK,
  PT_DRIVER_AUTH_REFUSED, /* forged, malformed, expired or revoked: @error says which */
  PT_DRIVER_AUTH_FAILED,  /* the store failed */
} PtDriverAuth;

/* Checks the token @token (untrusted) at @now_ns.  On PT_DRIVER_AUTH_OK @out receives the
 * token's row and @driver_out (transfer full) its driver. */
PtDriverAuth pt_driver_authenticate(PtStore *store, const char *token, gint64 now_ns,
                                    PtDriverToken *out, PtDriver **driver_out, GError **error);

/* Joins the open load with @plate and @seal (plates compared by pt_driver_plate_key(); the
 * newest, when several are open) or, when there is none with @plate, opens one with the
 * driver's name and phone.  Both are required (PT_ERROR_INVALID without @seal, whether a
 * load is open or not); a seal that differs from the open load's is refused
 * (PT_ERROR_CONFLICT), and neither error names the load or its seal.  @joined_out receives
 * TRUE when the load was already open.
 * Returns: (transfer full). */
PtLoad *pt_driver_open_load(PtStore *store, const PtDriver *driver, const char *plate,
                            const char *seal, gboolean *joined_out, GError **error);

/* @plate as compared when a phone joins: upper case, without spaces, dots (a Chinese plate
 * is printed "赣B·12345" and typed "赣B12345") and dashes.  Returns: (transfer full). */
char *pt_driver_plate_key(const char *plate);

/* The open loads a phone may join, newest first (at most PT_DRIVER_OPEN_LOADS_MAX), as
 * {"loads": [{"id", "plate", "opened", "dock", "joined"}]}: never a seal, which the phone
 * must give to join.  @joined says which @driver_id is on.  Returns: (transfer full). */
json_t *pt_driver_open_loads_json(PtStore *store, gint64 driver_id, GError **error);

/* The operator's confirmation: puts driver @driver_id's phone on open load @load_id (both
 * numbers as text), for a driver who cannot read the seal.  No such driver or load is
 * PT_ERROR_NOT_FOUND, a closed load PT_ERROR_CONFLICT.  Returns: (transfer full). */
PtLoad *pt_driver_confirm_join(PtStore *store, const char *driver_id, const char *load_id,
                               GError **error);

/* TRUE when @driver_id opened or joined @load_id (a phone only scans onto its own loads). */
gboolean pt_driver_check_joined(PtStore *store, gint64 driver_id, const PtLoad *load,
                                GError **error);

/* Stores the JPEG @data (untrusted) as a @kind ("plate" or "seal") photo of open load
 * @load_id: shrunk and re-encoded (pt-photo.h) under DATA/evidence/photos/, recorded with
 * its SHA-256.  The same photo sent again returns the first record (@existed_out TRUE).
 * Returns: (transfer full). */
PtDriverPhoto *pt_driver_photo_add(PtStation *station, PtStore *store, gint64 driver_id,
                                   const PtLoad *load, const char *kind, const guint8 *data,
                                   gsize len, gboolean *existed_out, GError **error);

/* Returns: (transfer full). */
json_t *pt_driver_to_json(const PtDriver *driver);
json_t *pt_driver_photo_to_json(const PtDriverPhoto *photo);

G_END_DECLS
