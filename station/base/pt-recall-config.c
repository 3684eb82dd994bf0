/* pt-recall-config.c: the [recall] section of station.ini (read when a recall is made and by
 * the notice worker at start). */
#include "pt-recall-config.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <string.h>

static const char *const known_keys[] = {"ack_deadline", NULL};

gboolean
pt_recall_parse_duration(const char *text, gint64 *ns_out, GError **error)
{
  gsize n = strlen(text);
  guint64 unit = 1;
  g_autofree char *digits = g_strdup(text);
  if (n > 0) {
    switch (text[n - 1]) {
    case 's':
      digits[n - 1] = '\0';
      break;
    case 'm':
      unit = 60;
      digits[n - 1] = '\0';
      break;
    case 'h':
      unit = 3600;
      digits[n - 1] = '\0';
      break;
    case 'd':
      unit = 24 * 3600;
      digits[n - 1] = '\0';
      break;
    default:
      break;
    }
  }
  guint64 v = 0;
  const guint64 max_s = 30 * 24 * 3600;
  if (!g_ascii_string_to_unsigned(digits, 10, 1, max_s, &v, NULL) || v * unit > max_s) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "'%.32s' is not a duration of 1 s to 30 days (e.g. 90s, 30m, 4h, 2d)", text);
    return FALSE;
  }
  *ns_out = (gint64)(v * unit) * G_GINT64_CONSTANT(1000000000);
  return TRUE;
}

gboolean
pt_recall_config_read(const PtConfig *config, PtRecallConfig *out, GError **error)
{
  out->ack_deadline_ns = (gint64)PT_RECALL_ACK_DEADLINE_S * G_GINT64_CONSTANT(1000000000);
  if (!g_key_file_has_group(config->keyfile, "recall"))
    return TRUE;
  g_auto(GStrv) keys = g_key_file_get_keys(config->keyfile, "recall", NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++) {
    if (!g_strv_contains(known_keys, keys[i])) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[recall] unknown key '%s'; known: %s",
                  keys[i], "ack_deadline");
      return FALSE;
    }
  }
  g_autofree char *deadline =
      g_key_file_get_string(config->keyfile, "recall", "ack_deadline", NULL);
  if (deadline) {
    g_autoptr(GError) local = NULL;
    g_strstrip(deadline);
    if (!pt_recall_parse_duration(deadline, &out->ack_deadline_ns, &local)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[recall] ack_deadline: %s", local->message);
      return FALSE;
    }
  }
  return TRUE;
}
