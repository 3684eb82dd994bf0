/* pt-json.c: the small helpers every layer uses to read and write JSON (the strict parser for
 * untrusted input, pt_json_parse(), is pt-json-parse.c). */
#include "pt-json.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <string.h>

json_t *
pt_json_string_or_null(const char *s)
{
  return s ? json_string(s) : json_null();
}

void
pt_json_set_string_or_null(json_t *object, const char *key, const char *value)
{
  json_object_set_new(object, key, pt_json_string_or_null(value));
}

gboolean
pt_json_read_object(json_t *object, const PtJsonField *fields, gsize n_fields, GError **error)
{
  if (!json_is_object(object)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "body must be a JSON object");
    return FALSE;
  }
  const char *key;
  json_t *value;
  json_object_foreach(object, key, value)
  {
    const PtJsonField *f = NULL;
    for (gsize i = 0; i < n_fields && !f; i++)
      if (strcmp(key, fields[i].key) == 0)
        f = &fields[i];
    if (!f) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "unknown field '%s'", key);
      return FALSE;
    }
    if (json_is_null(value))
      continue;
    if (f->number) {
      if (!json_is_number(value)) {
        g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s must be a number", key);
        return FALSE;
      }
      *f->number = json_number_value(value);
      *f->has_number = TRUE;
      continue;
    }
    if (!json_is_string(value) || strlen(json_string_value(value)) != json_string_length(value)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s must be a string", key);
      return FALSE;
    }
    *f->string = json_string_value(value);
  }
  return TRUE;
}

char *
pt_json_embed_in_html(const char *shell, gsize shell_len, const char *mark, const char *json,
                      gsize *len_out)
{
  const char *at = g_strstr_len(shell, (gssize)shell_len, mark);
  g_assert(at);
  GString *page = g_string_sized_new(shell_len + strlen(json) + 64);
  g_string_append_len(page, shell, at - shell);
  for (const char *p = json; *p; p++) {
    if (*p == '<')
      g_string_append(page, "\\u003c");
    else
      g_string_append_c(page, *p);
  }
  const char *rest = at + strlen(mark);
  g_string_append_len(page, rest, (gssize)(shell + shell_len - rest));
  *len_out = page->len;
  return g_string_free(page, FALSE);
}
