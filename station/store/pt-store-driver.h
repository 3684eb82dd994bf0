/* pt-store-driver.h: the store's side of drivers' phones: drivers, their login tokens (only a
 * BLAKE2b hash of each secret is kept), the loads each driver opened or joined, the stored
 * answers of their requests by idempotency key, and their photos of plate and seal. */
#pragma once

#include "pt-store-load.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

#define PT_DRIVER_HASH_LEN 32

typedef struct {
  gint64 id;
  char *name;
  char *phone; /* nullable */
  gint64 created_ns;
  gint64 n_active_tokens; /* filled by pt_store_driver_list() only */
} PtDriver;

void pt_driver_free(PtDriver *driver);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtDriver, pt_driver_free)

typedef struct {
  gint64 id;
  gint64 driver_id;
  guint8 hash[PT_DRIVER_HASH_LEN];
  gint64 created_ns;
  gint64 expires_ns;
  gint64 revoked_ns; /* 0 while valid */
} PtDriverToken;

typedef struct {
  gint64 id;
  gint64 load_id;
  gint64 driver_id;
  char *kind; /* "plate" or "seal" */
  char *path; /* relative to the data directory */
  char *sha256;
  int width, height;
  gint64 bytes;
  gint64 taken_ns;
} PtDriverPhoto;

void pt_driver_photo_free(PtDriverPhoto *photo);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtDriverPhoto, pt_driver_photo_free)

/* Inserts @driver (id set on success). */
gboolean pt_store_driver_insert(PtStore *store, PtDriver *driver, GError **error);
/* Returns: (transfer full): the driver, or NULL with PT_ERROR_NOT_FOUND. */
PtDriver *pt_store_driver_get(PtStore *store, gint64 id, GError **error);
/* Returns: (transfer full) (element-type PtDriver): oldest first, with the number of tokens
 * neither revoked nor expired at @now_ns. */
GPtrArray *pt_store_driver_list(PtStore *store, gint64 now_ns, GError **error);

/* Inserts @token (id set on success). */
gboolean pt_store_driver_token_insert(PtStore *store, PtDriverToken *token, GError **error);
/* @out receives the token numbered @id; FALSE with PT_ERROR_NOT_FOUND when there is none. */
gboolean pt_store_driver_token_get(PtStore *store, gint64 id, PtDriverToken *out, GError **error);
/* Revokes every valid token of @driver_id at @now_ns; @n_out receives how many. */
gboolean pt_store_driver_revoke(PtStore *store, gint64 driver_id, gint64 now_ns, gint64 *n_out,
                                GError **error);

/* Records that @driver_id opened or joined @load_id (again is no change). */
gboolean pt_store_driver_load_join(PtStore *store, gint64 driver_id, gint64 load_id, gint64 now_ns,
                                   GError **error);
gboolean pt_store_driver_load_joined(PtStore *store, gint64 driver_id, gint64 load_id,
                                     gboolean *joined_out, GError **error);

/* @body_out receives (transfer full) the stored answer to @driver_id's request @key, or NULL
 * when there is none; @status_out its HTTP status. */
gboolean pt_store_driver_request_get(PtStore *store, gint64 driver_id, const char *key,
                                     int *status_out, char **body_out, GError **error);
/* Stores the answer unless one is already stored for @key (the first answer wins). */
gboolean pt_store_driver_request_put(PtStore *store, gint64 driver_id, const char *key, int status,
                                     const char *body, gint64 now_ns, GError **error);

/* Inserts @photo (id set on success). */
gboolean pt_store_driver_photo_insert(PtStore *store, PtDriverPhoto *photo, GError **error);
/* Returns: (transfer full) (element-type PtDriverPhoto): the photos of @load_id, oldest
 * first. */
GPtrArray *pt_store_driver_photos(PtStore *store, gint64 load_id, GError **error);

G_END_DECLS
