/* pt-canon.c: canonical JSON (JCS) writer.  It runs once per signed event and once per event in
 * verify, so it writes straight into a GString without intermediate copies. */
#include "pt-canon.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
pt_canon_append_string(GString *out, const char *s, gsize len)
{
  g_string_append_c(out, '"');
  for (gsize i = 0; i < len; i++) {
    /* Most text needs no escape: copy each run of it at once. */
    gsize run = i;
    while (run < len && (unsigned char)s[run] >= 0x20 && s[run] != '"' && s[run] != '\\')
      run++;
    if (run > i) {
      g_string_append_len(out, s + i, run - i);
      i = run;
      if (i == len)
        break;
    }
    unsigned char c = (unsigned char)s[i];
    switch (c) {
    case '"':
      g_string_append(out, "\\\"");
      break;
    case '\\':
      g_string_append(out, "\\\\");
      break;
    case '\b':
      g_string_append(out, "\\b");
      break;
    case '\f':
      g_string_append(out, "\\f");
      break;
    case '\n':
      g_string_append(out, "\\n");
      break;
    case '\r':
      g_string_append(out, "\\r");
      break;
    case '\t':
      g_string_append(out, "\\t");
      break;
    default:
      if (c < 0x20)
        g_string_append_printf(out, "\\u%04x", c);
      else
        g_string_append_c(out, (char)c);
    }
  }
  g_string_append_c(out, '"');
}

/* ECMAScript Number::toString for finite doubles: the shortest digit string that
 * reads back to the same double, laid out by the exponent rules of ECMA-262 7.1.12.1. */
static void
append_real(GString *out, double x)
{
  if (x == 0) {
    g_string_append_c(out, '0');
    return;
  }
  if (x < 0) {
    g_string_append_c(out, '-');
    x = -x;
  }
  char buf[40];
  int p;
  for (p = 1; p <= 17; p++) {
    snprintf(buf, sizeof buf, "%.*e", p - 1, x);
    if (strtod(buf, NULL) == x)
      break;
  }
  /* buf is "d.ddde[+-]XX" or "de[+-]XX" */
  char digits[20];
  int k = 0;
  const char *c = buf;
  for (; *c && *c != 'e'; c++)
    if (g_ascii_isdigit(*c))
      digits[k++] = *c;
  while (k > 1 && digits[k - 1] == '0')
    k--;
  digits[k] = '\0';
  /* The exponent our own snprintf wrote: always [+-] and two or three digits. */
  int n = (int)strtol(c + 1, NULL, 10) + 1; /* value = 0.digits * 10^n */

  if (k <= n && n <= 21) {
    g_string_append(out, digits);
    for (int i = 0; i < n - k; i++)
      g_string_append_c(out, '0');
  } else if (0 < n && n <= 21) {
    g_string_append_len(out, digits, n);
    g_string_append_c(out, '.');
    g_string_append(out, digits + n);
  } else if (-6 < n && n <= 0) {
    g_string_append(out, "0.");
    for (int i = 0; i < -n; i++)
      g_string_append_c(out, '0');
    g_string_append(out, digits);
  } else {
    g_string_append_c(out, digits[0]);
    if (k > 1) {
      g_string_append_c(out, '.');
      g_string_append(out, digits + 1);
    }
    g_string_append_printf(out, "e%c%d", n - 1 >= 0 ? '+' : '-', abs(n - 1));
  }
}

static int
compare_keys(const void *a, const void *b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static gboolean
append_value(GString *out, const json_t *v, int depth, GError **error)
{
  if (depth > PT_JSON_DEPTH_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "JSON nested deeper than %d",
                PT_JSON_DEPTH_MAX);
    return FALSE;
  }
  switch (json_typeof(v)) {
  case JSON_OBJECT: {
    gsize n = json_object_size(v);
    g_autofree const char **keys = g_new(const char *, n + 1);
    gsize i = 0;
    const char *key;
    json_t *member;
    json_object_foreach((json_t *)v, key, member) keys[i++] = key;
    qsort(keys, n, sizeof *keys, compare_keys);
    g_string_append_c(out, '{');
    for (i = 0; i < n; i++) {
      if (i)
        g_string_append_c(out, ',');
      pt_canon_append_string(out, keys[i], strlen(keys[i]));
      g_string_append_c(out, ':');
      if (!append_value(out, json_object_get(v, keys[i]), depth + 1, error))
        return FALSE;
    }
    g_string_append_c(out, '}');
    return TRUE;
  }
  case JSON_ARRAY: {
    g_string_append_c(out, '[');
    for (gsize i = 0; i < json_array_size(v); i++) {
      if (i)
        g_string_append_c(out, ',');
      if (!append_value(out, json_array_get(v, i), depth + 1, error))
        return FALSE;
    }
    g_string_append_c(out, ']');
    return TRUE;
  }
  case JSON_STRING:
    pt_canon_append_string(out, json_string_value(v), json_string_length(v));
    return TRUE;
  case JSON_INTEGER: {
    json_int_t i = json_integer_value(v);
    /* Beyond 2^53 a double (and so a browser) cannot hold the integer exactly. */
    if (i > (1LL << 53) || i < -(1LL << 53)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "integer %" JSON_INTEGER_FORMAT " is outside the exactly representable range", i);
      return FALSE;
    }
    g_string_append_printf(out, "%" JSON_INTEGER_FORMAT, i);
    return TRUE;
  }
  case JSON_REAL:
    /* jansson refuses NaN and infinities, so every real here is finite. */
    append_real(out, json_real_value(v));
    return TRUE;
  case JSON_TRUE:
    g_string_append(out, "true");
    return TRUE;
  case JSON_FALSE:
    g_string_append(out, "false");
    return TRUE;
  case JSON_NULL:
    g_string_append(out, "null");
    return TRUE;
  }
  g_set_error_literal(error, PT_ERROR, PT_ERROR_INVALID, "unknown JSON type");
  return FALSE;
}

char *
pt_canon_dump(const json_t *value, gsize *len_out, GError **error)
{
  g_return_val_if_fail(value != NULL, NULL);
  g_autoptr(GString) out = g_string_sized_new(512);
  if (!append_value(out, value, 0, error))
    return NULL;
  if (len_out)
    *len_out = out->len;
  return g_string_free(g_steal_pointer(&out), FALSE);
}
