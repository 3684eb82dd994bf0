/* pt-profile-wire.h: a station's public profile as it travels to the co-op hub
 * (station/hub/PROTOCOL.md, PUT /hub/v1/profile): what the consumer page says about who packed
 * the lot (station.ini's [public] texts, the station's display name, [station] location) and
 * the logo, named by its SHA-256 and sent apart as bytes (PUT /hub/v1/profile/logo/{sha256}).
 * The station writes it with pt_profile_wire_text(); the hub reads it, when it arrives and when
 * it renders a page, with pt_profile_wire_read().  One parser for both, so what the hub stores
 * is what the station meant.
 *
 * The text is canonical (members sorted, compact, unset ones absent): its SHA-256 says whether
 * the hub holds the station's profile now (GET /hub/v1/station names it), so it is sent only
 * when it changed. */
#pragma once

#include "pt-public-config.h"

#include <glib.h>

G_BEGIN_DECLS

#define PT_PROFILE_WIRE_TYPE "packtrace-profile/1"

typedef struct {
  PtPublicConfig pub; /* the texts; pub.logo is never set (the bytes travel apart) */
  char *name;         /* the station's display name */
  gboolean has_location;
  double latitude, longitude;
  char *logo_sha256; /* nullable: lowercase hex of the logo's bytes */
  char *logo_type;   /* with it: image/png, image/jpeg or image/svg+xml */
  gint64 logo_size;
} PtProfileWire;

/* Returns: (transfer full): the canonical profile of a station named @name with [public]
 * @pub (nullable) and, when @has_location, its coordinates; the logo (pub->logo) named by hash,
 * type and size. */
char *pt_profile_wire_text(const PtPublicConfig *pub, const char *name, gboolean has_location,
                           double latitude, double longitude);

/* Reads and checks a profile: type PT_PROFILE_WIRE_TYPE, no unknown member, each text UTF-8 of
 * at most PT_TEXT_FIELD_MAX bytes (name: PT_HUB_NAME_MAX), a hotline as station.ini takes it,
 * a location on the globe, a logo of a known type and at most PT_PUBLIC_LOGO_MAX bytes.  Fails
 * with PT_ERROR_MALFORMED naming the member.  Returns: (transfer full). */
PtProfileWire *pt_profile_wire_read(const char *text, gsize len, GError **error);

/* Safe on NULL. */
void pt_profile_wire_free(PtProfileWire *profile);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtProfileWire, pt_profile_wire_free)

G_END_DECLS
