/* pt-profile-wire.c: a station's public profile on the wire (see pt-profile-wire.h).
 *
 * Workload: written once per connector start, read once per upload and per page render on the
 * hub (a few hundred bytes). */
#include "pt-profile-wire.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-sha256.h"

#include <math.h>
#include <string.h>

/* The [public] texts, each a member of the same name. */
static const char *const text_keys[] = {
    "coop_name",           "coop_name_zh",           "town", "town_zh", "hotline",
    "recall_instructions", "recall_instructions_zh", NULL};

static char **
text_slot(PtPublicConfig *pub, const char *key)
{
  char **slots[] = {&pub->coop_name,
                    &pub->coop_name_zh,
                    &pub->town,
                    &pub->town_zh,
                    &pub->hotline,
                    &pub->recall_instructions,
                    &pub->recall_instructions_zh};
  for (guint i = 0; text_keys[i]; i++)
    if (strcmp(text_keys[i], key) == 0)
      return slots[i];
  return NULL;
}

char *
pt_profile_wire_text(const PtPublicConfig *pub, const char *name, gboolean has_location,
                     double latitude, double longitude)
{
  json_t *o = json_pack("{ss ss}", "type", PT_PROFILE_WIRE_TYPE, "name", name ? name : "");
  PtPublicConfig none = {0};
  PtPublicConfig *texts = pub ? (PtPublicConfig *)pub : &none;
  for (guint i = 0; text_keys[i]; i++) {
    const char *v = *text_slot(texts, text_keys[i]);
    if (v)
      json_object_set_new(o, text_keys[i], json_string(v));
  }
  if (has_location)
    json_object_set_new(o, "location", json_pack("{sfsf}", "lat", latitude, "lon", longitude));
  if (pub && pub->logo) {
    gsize len = 0;
    const void *data = g_bytes_get_data(pub->logo, &len);
    guint8 sum[PT_SHA256_LEN];
    pt_sha256(sum, data, len);
    g_autofree char *hex = pt_hex_encode(sum, PT_SHA256_LEN);
    json_object_set_new(
        o, "logo",
        json_pack("{sssssI}", "sha256", hex, "type", pub->logo_type, "size", (json_int_t)len));
  }
  char *dumped = json_dumps(o, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(o);
  char *text = g_strdup(dumped);
  free(dumped);
  return text;
}

static gboolean
bad(GError **error, const char *what)
{
  g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "profile: %s", what);
  return FALSE;
}

static gboolean
read_location(PtProfileWire *p, json_t *v, GError **error)
{
  json_t *lat = json_object_get(v, "lat"), *lon = json_object_get(v, "lon");
  if (!json_is_object(v) || json_object_size(v) != 2 || !json_is_number(lat) ||
      !json_is_number(lon))
    return bad(error, "location must be {\"lat\": number, \"lon\": number}");
  p->latitude = json_number_value(lat);
  p->longitude = json_number_value(lon);
  if (!isfinite(p->latitude) || !isfinite(p->longitude) || fabs(p->latitude) > 90 ||
      fabs(p->longitude) > 180)
    return bad(error, "location is not on the globe (lat -90..90, lon -180..180)");
  p->has_location = TRUE;
  return TRUE;
}

static gboolean
read_logo(PtProfileWire *p, json_t *v, GError **error)
{
  const char *sha = json_string_value(json_object_get(v, "sha256"));
  const char *type = json_string_value(json_object_get(v, "type"));
  json_t *size = json_object_get(v, "size");
  if (!json_is_object(v) || json_object_size(v) != 3 || !sha || !type || !json_is_integer(size))
    return bad(error, "logo must be {\"sha256\": hex, \"type\": string, \"size\": integer}");
  gboolean hex = strlen(sha) == 2 * PT_SHA256_LEN;
  for (const char *c = sha; hex && *c; c++)
    hex = g_ascii_isdigit(*c) || (*c >= 'a' && *c <= 'f');
  if (!hex)
    return bad(error, "logo.sha256 must be 64 lowercase hex digits");
  if (strcmp(type, "image/png") != 0 && strcmp(type, "image/jpeg") != 0 &&
      strcmp(type, "image/svg+xml") != 0)
    return bad(error, "logo.type must be image/png, image/jpeg or image/svg+xml");
  p->logo_size = json_integer_value(size);
  if (p->logo_size < 1 || p->logo_size > PT_PUBLIC_LOGO_MAX)
    return bad(error, "logo.size must be 1 to PT_PUBLIC_LOGO_MAX (65536) bytes");
  p->logo_sha256 = g_strdup(sha);
  p->logo_type = g_strdup(type);
  return TRUE;
}

PtProfileWire *
pt_profile_wire_read(const char *text, gsize len, GError **error)
{
  if (len > PT_HUB_PROFILE_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "profile: over %d bytes", PT_HUB_PROFILE_MAX);
    return NULL;
  }
  g_autoptr(GError) local = NULL;
  json_t *o = pt_json_parse(text, len, &local);
  if (!json_is_object(o)) {
    json_decref(o);
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "profile: not a JSON object%s%s",
                local ? ": " : "", local ? local->message : "");
    return NULL;
  }
  g_autoptr(PtProfileWire) p = g_new0(PtProfileWire, 1);
  gboolean ok = TRUE;
  const char *key;
  json_t *v;
  json_object_foreach(o, key, v)
  {
    if (!ok)
      break;
    char **slot = text_slot(&p->pub, key);
    if (strcmp(key, "type") == 0) {
      if (g_strcmp0(json_string_value(v), PT_PROFILE_WIRE_TYPE) != 0)
        ok = bad(error, "type must be " PT_PROFILE_WIRE_TYPE);
    } else if (strcmp(key, "name") == 0) {
      const char *s = json_string_value(v);
      if (!s || strlen(s) > PT_HUB_NAME_MAX)
        ok = bad(error, "name must be a string of at most PT_HUB_NAME_MAX (200) bytes");
      else
        p->name = g_strdup(s);
    } else if (strcmp(key, "location") == 0) {
      ok = read_location(p, v, error);
    } else if (strcmp(key, "logo") == 0) {
      ok = read_logo(p, v, error);
    } else if (slot) {
      /* jansson has checked the UTF-8; an empty text is an unset one, so it is absent. */
      const char *s = json_string_value(v);
      if (!s || !*s || strlen(s) > PT_TEXT_FIELD_MAX) {
        g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED,
                    "profile: %s must be a text of 1 to %d bytes", key, PT_TEXT_FIELD_MAX);
        ok = FALSE;
      } else if (strcmp(key, "hotline") == 0 && !pt_public_hotline_valid(s)) {
        ok = bad(error, "hotline must be a phone number (digits, spaces, + - ( ))");
      } else {
        *slot = g_strdup(s);
      }
    } else {
      g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "profile: unknown member %s", key);
      ok = FALSE;
    }
  }
  if (ok && !p->name)
    ok = bad(error, "name is missing");
  if (ok && !json_object_get(o, "type"))
    ok = bad(error, "type is missing");
  json_decref(o);
  return ok ? g_steal_pointer(&p) : NULL;
}

void
pt_profile_wire_free(PtProfileWire *profile)
{
  if (!profile)
    return;
  for (guint i = 0; text_keys[i]; i++)
    g_free(*text_slot(&profile->pub, text_keys[i]));
  g_free(profile->name);
  g_free(profile->logo_sha256);
  g_free(profile->logo_type);
  g_free(profile);
}
