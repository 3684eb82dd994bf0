/* pt-text.c: operator text checks (see pt-text.h). */
#include "pt-text.h"

#include "pt-error.h"

#include <string.h>

gboolean
pt_check_text(const char *what, const char *text, gsize max, gboolean required, GError **error)
{
  if (!text) {
    if (required) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s is required", what);
      return FALSE;
    }
    return TRUE;
  }
  if (!g_utf8_validate(text, -1, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s is not valid UTF-8", what);
    return FALSE;
  }
  gsize len = strlen(text);
  if ((required && len == 0) || len > max) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s must have 1 to %zu bytes, got %zu", what,
                max, len);
    return FALSE;
  }
  for (const char *c = text; *c; c++) {
    if ((unsigned char)*c < 0x20 || *c == 0x7f) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s contains a control character", what);
      return FALSE;
    }
  }
  return TRUE;
}

void
pt_csv_cell(GString *out, const char *value)
{
  const char *v = value ? value : "";
  gboolean formula = v[0] && strchr("=+-@\t\r", v[0]);
  gboolean quote = strpbrk(v, ",\"\r\n") != NULL;
  if (quote)
    g_string_append_c(out, '"');
  if (formula)
    g_string_append_c(out, '\'');
  for (const char *c = v; *c; c++) {
    if (*c == '"')
      g_string_append_c(out, '"');
    g_string_append_c(out, *c);
  }
  if (quote)
    g_string_append_c(out, '"');
}
