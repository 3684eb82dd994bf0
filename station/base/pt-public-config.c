/* pt-public-config.c: station.ini's [public] section (see pt-public-config.h).  Read once at
 * start; the page reads the parsed values on every view. */
#include "pt-public-config.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <string.h>

#define GROUP "public"

static const char *const texts[] = {
    "coop_name",           "coop_name_zh",           "town",      "town_zh", "hotline",
    "recall_instructions", "recall_instructions_zh", "coop_logo", NULL};

static gboolean
get_text(GKeyFile *kf, const char *path, const char *key, char **out, GError **error)
{
  char *v = g_key_file_get_string(kf, GROUP, key, NULL);
  if (v)
    g_strstrip(v);
  if (v && !*v)
    g_clear_pointer(&v, g_free);
  if (v && (strlen(v) > PT_TEXT_FIELD_MAX || !g_utf8_validate(v, -1, NULL))) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [" GROUP "] %s must be UTF-8 text of at most %d bytes", path, key,
                PT_TEXT_FIELD_MAX);
    g_free(v);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

gboolean
pt_public_hotline_valid(const char *text)
{
  int digits = 0;
  if (strlen(text) > PT_PUBLIC_HOTLINE_MAX)
    return FALSE;
  for (const char *c = text; *c; c++) {
    if (g_ascii_isdigit(*c))
      digits++;
    else if (!strchr(" +-()", *c))
      return FALSE;
  }
  return digits >= 3;
}

const char *
pt_public_logo_type(GBytes *bytes)
{
  gsize len = 0;
  const guchar *d = g_bytes_get_data(bytes, &len);
  if (len >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0)
    return "image/png";
  if (len >= 3 && memcmp(d, "\xff\xd8\xff", 3) == 0)
    return "image/jpeg";
  if (len >= 5 && (g_strstr_len((const char *)d, MIN(len, 256), "<svg") ||
                   g_strstr_len((const char *)d, MIN(len, 256), "<?xml")))
    return "image/svg+xml";
  return NULL;
}

static gboolean
load_logo(PtPublicConfig *pub, const char *path, const char *file, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents(file, &data, &len, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [" GROUP "] coop_logo: %s", path,
                local->message);
    return FALSE;
  }
  if (len > PT_PUBLIC_LOGO_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [" GROUP "] coop_logo %s is larger than %d bytes", path, file,
                PT_PUBLIC_LOGO_MAX);
    return FALSE;
  }
  pub->logo = g_bytes_new_take(g_steal_pointer(&data), len);
  pub->logo_type = pt_public_logo_type(pub->logo);
  if (!pub->logo_type) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [" GROUP "] coop_logo %s is not a PNG, JPEG or SVG file", path, file);
    return FALSE;
  }
  return TRUE;
}

PtPublicConfig *
pt_public_config_load(GKeyFile *kf, const char *path, GError **error)
{
  g_autoptr(PtPublicConfig) pub = g_new0(PtPublicConfig, 1);
  g_auto(GStrv) keys = g_key_file_get_keys(kf, GROUP, NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++)
    if (!g_strv_contains(texts, keys[i])) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: [" GROUP "] unknown key %s", path,
                  keys[i]);
      return NULL;
    }
  g_autofree char *logo = NULL;
  if (!get_text(kf, path, "coop_name", &pub->coop_name, error) ||
      !get_text(kf, path, "coop_name_zh", &pub->coop_name_zh, error) ||
      !get_text(kf, path, "town", &pub->town, error) ||
      !get_text(kf, path, "town_zh", &pub->town_zh, error) ||
      !get_text(kf, path, "hotline", &pub->hotline, error) ||
      !get_text(kf, path, "recall_instructions", &pub->recall_instructions, error) ||
      !get_text(kf, path, "recall_instructions_zh", &pub->recall_instructions_zh, error) ||
      !get_text(kf, path, "coop_logo", &logo, error))
    return NULL;
  if (pub->hotline && !pt_public_hotline_valid(pub->hotline)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s: [" GROUP "] hotline '%s' must be a phone number (digits, spaces, + - ( ), "
                "at most %d characters)",
                path, pub->hotline, PT_PUBLIC_HOTLINE_MAX);
    return NULL;
  }
  if (logo && !load_logo(pub, path, logo, error))
    return NULL;
  return g_steal_pointer(&pub);
}

const char *
pt_public_config_text(const PtPublicConfig *pub, const char *key, gboolean zh)
{
  if (!pub)
    return NULL;
  if (strcmp(key, "coop_name") == 0)
    return zh && pub->coop_name_zh ? pub->coop_name_zh : pub->coop_name;
  if (strcmp(key, "town") == 0)
    return zh && pub->town_zh ? pub->town_zh : pub->town;
  if (strcmp(key, "recall_instructions") == 0)
    return zh && pub->recall_instructions_zh ? pub->recall_instructions_zh
                                             : pub->recall_instructions;
  return NULL;
}

void
pt_public_config_free(PtPublicConfig *pub)
{
  if (!pub)
    return;
  g_free(pub->coop_name);
  g_free(pub->coop_name_zh);
  g_free(pub->town);
  g_free(pub->town_zh);
  g_free(pub->hotline);
  g_free(pub->recall_instructions);
  g_free(pub->recall_instructions_zh);
  g_clear_pointer(&pub->logo, g_bytes_unref);
  g_free(pub);
}
