/* pt-public-config.h: station.ini's [public] section, what the consumer page says about who
 * packed the lot: the co-op's name (and its logo, read once at load), the shed's town, the
 * hotline a shopper calls and what a recall tells them to do.  Each text has an optional
 * Chinese twin (KEY_zh) the page shows to a Chinese reader.  Read with the rest of station.ini
 * by pt_config_load(); an unknown key, a text over PT_TEXT_FIELD_MAX, a hotline that is not a
 * phone number or a logo that is not a PNG, JPEG or SVG file under PT_PUBLIC_LOGO_MAX is an
 * error naming file, section and key. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  char *coop_name, *coop_name_zh; /* nullable: the station's [station] name is shown */
  char *town, *town_zh;           /* nullable */
  char *hotline;                  /* nullable: digits, spaces and + - ( ) only */
  char *recall_instructions, *recall_instructions_zh; /* nullable: the page's own words */
  GBytes *logo;                                       /* nullable: the logo file's bytes */
  const char *logo_type; /* its Content-Type (static string), when @logo is set */
} PtPublicConfig;

/* Returns: (transfer full): [public] of @kf (from @path, named in errors), all unset when the
 * section is absent; NULL with an error on a bad key or value. */
PtPublicConfig *pt_public_config_load(GKeyFile *kf, const char *path, GError **error);
/* Returns: (transfer none): @key's text in @zh or English: KEY_zh when @zh and set, else KEY
 * (nullable).  @key: coop_name, town or recall_instructions. */
const char *pt_public_config_text(const PtPublicConfig *pub, const char *key, gboolean zh);
/* Whether @text is a hotline the page may dial: digits, spaces and + - ( ), at least three
 * digits, at most PT_PUBLIC_HOTLINE_MAX characters.  The hub checks a station's profile with it
 * too. */
gboolean pt_public_hotline_valid(const char *text);
/* Returns: (transfer none) (nullable): the Content-Type of a logo by its first bytes
 * ("image/png", "image/jpeg", "image/svg+xml"), NULL when it is none of the three. */
const char *pt_public_logo_type(GBytes *bytes);
/* Safe on NULL. */
void pt_public_config_free(PtPublicConfig *pub);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPublicConfig, pt_public_config_free)

G_END_DECLS
