/* pt-hub-store-profile.h: the stations' public profiles (schema 8): station_profiles, the
 * newest profile of each station verbatim with its SHA-256, and profile_logos, the logo bytes
 * it names.  A profile that changes notifies pt_hub_batch 'all' in its transaction: every hub
 * process drops its page cache, since every page of the station shows the profile.
 *
 * Workload: a write per station start when its profile changed (rare); a read per page render
 * (pages are cached) and per logo view (immutable, cached by browsers and CDNs). */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Keeps logo @data (@len bytes, of @media_type, hashing to @sha256_hex: checked by the caller)
 * for @station_id, and drops the station's other logos but the one its profile names.
 * @stored_out: FALSE when it was held already. */
gboolean pt_hub_store_logo_put(PtHubStore *store, const char *station_id, const char *sha256_hex,
                               const char *media_type, const void *data, gsize len,
                               gboolean *stored_out, GError **error);

/* Stores @text (the profile as received, checked by the caller; SHA-256 @sha256_hex) as
 * @station_id's, naming logo @logo_sha256 (nullable), in one transaction: PT_ERROR_CONFLICT
 * when the station has not uploaded that logo; @changed_out FALSE (and nothing done) when the
 * station's profile is this one already; else the station's other logos dropped and every
 * hub's page cache told. */
gboolean pt_hub_store_profile_put(PtHubStore *store, const char *station_id, const char *text,
                                  const char *sha256_hex, const char *logo_sha256,
                                  gboolean *changed_out, GError **error);

/* @station_id's profile text and its SHA-256 (hex), read on the read connection (@read) or
 * the writer's; both NULL when it has sent none. */
gboolean pt_hub_store_profile_get(PtHubStore *store, const char *station_id, gboolean read,
                                  char **text_out, char **sha256_out, GError **error);

/* The bytes of logo @sha256_hex that a station's profile names now, with @type_out (transfer
 * full); PT_ERROR_NOT_FOUND otherwise.  Returns: (transfer full). */
GBytes *pt_hub_store_logo_get(PtHubStore *store, const char *sha256_hex, char **type_out,
                              GError **error);

G_END_DECLS
