/* pt-gs1-dl.c: GS1 Digital Link parsing and writing.  Parsing runs on every scan
 * (driver phones, loading cameras, consumer page hits), on untrusted bytes: it works
 * on bounded stack buffers and never allocates on success. */
#include "pt-gs1-dl.h"

#include <stdarg.h>
#include <string.h>

#include "pt-gs1-ai.h"

/* Path keys in the only order GS1 allows; index 0 is the primary key. */
static const char *const path_keys[] = {"01", "22", "10", "21"};

/* Query data AIs we read, in the order the writer emits them. */
static const char *const query_keys[] = {"11", "13", "15", "17"};

static gboolean set_err(GError **error, PtGs1Error code, const char *fmt, ...) G_GNUC_PRINTF(3, 4);

static gboolean
set_err(GError **error, PtGs1Error code, const char *fmt, ...)
{
  if (!error)
    return FALSE;
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_GS1_ERROR, code, "Digital Link: %s", msg);
  return FALSE;
}

/* Re-raises a GError from a pt_gs1_* validator with the Digital Link prefix. */
static gboolean
wrap_err(GError **error, GError *inner)
{
  gboolean ret = set_err(error, (PtGs1Error)inner->code, "%s", inner->message);
  g_error_free(inner);
  return ret;
}

static int
hex_value(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Percent-decodes @n bytes at @src into @dst (room for @dst_max bytes + NUL).
 * @what names the part for the error message. */
static gboolean
decode(const char *src, gsize n, char *dst, gsize dst_max, const char *what, GError **error)
{
  gsize o = 0;
  for (gsize i = 0; i < n; i++) {
    int c = (unsigned char)src[i];
    if (c == '%') {
      int hi = i + 1 < n ? hex_value(src[i + 1]) : -1;
      int lo = i + 2 < n ? hex_value(src[i + 2]) : -1;
      if (hi < 0 || lo < 0)
        return set_err(error, PT_GS1_ERROR_SYNTAX, "%s has a malformed percent-encoding at '%.*s'",
                       what, (int)MIN(3, n - i), src + i);
      c = hi * 16 + lo;
      if (c == 0)
        return set_err(error, PT_GS1_ERROR_CHARSET, "%s contains %%00", what);
      i += 2;
    }
    if (o == dst_max)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "%s is too long: more than %zu characters", what,
                     dst_max);
    dst[o++] = (char)c;
  }
  dst[o] = '\0';
  return TRUE;
}

static int
key_index(const char *const *keys, gsize n_keys, const char *s, gsize n)
{
  for (gsize i = 0; i < n_keys; i++)
    if (strlen(keys[i]) == n && memcmp(keys[i], s, n) == 0)
      return (int)i;
  return -1;
}

static gboolean
parse_host(const char *s, gsize n, PtDigitalLink *out, GError **error)
{
  if (n == 0)
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the URI has no host");
  if (n > PT_DL_HOST_MAX)
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the host is too long: %zu characters, at most %d",
                   n, PT_DL_HOST_MAX);
  gsize colon = n;
  for (gsize i = 0; i < n; i++) {
    char c = s[i];
    if (c == '@')
      return set_err(error, PT_GS1_ERROR_SYNTAX,
                     "user information ('@') is not allowed before "
                     "the host");
    if (c == ':' && colon == n) {
      colon = i;
      continue;
    }
    gboolean ok = colon == n ? (g_ascii_isalnum(c) || c == '-' || c == '.') : g_ascii_isdigit(c);
    if (!ok)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "%s character %zu ('%c') is not allowed",
                     colon == n ? "host" : "port", i + 1, c);
  }
  if (colon == 0)
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the URI has no host before the port");
  if (colon < n && (n - colon - 1 == 0 || n - colon - 1 > 5))
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the port must have 1 to 5 digits");
  memcpy(out->host, s, n);
  out->host[n] = '\0';
  return TRUE;
}

static gboolean
parse_gtin(const char *value, char out[PT_GS1_GTIN_LEN + 1], GError **error)
{
  gsize n = strlen(value);
  gboolean digits = strspn(value, "0123456789") == n;
  if (digits && (n == 8 || n == 12 || n == 13))
    return set_err(error, PT_GS1_ERROR_SYNTAX,
                   "the GTIN in the path must have 14 digits; got a GTIN-%zu (pad it with "
                   "leading zeros)",
                   n);
  GError *inner = NULL;
  if (!pt_gs1_validate_key("GTIN", value, PT_GS1_GTIN_LEN, &inner))
    return wrap_err(error, inner);
  memcpy(out, value, PT_GS1_GTIN_LEN + 1);
  return TRUE;
}

static gboolean
parse_path(const char *p, gsize n, PtDigitalLink *out, GError **error)
{
  /* @p starts with '/'; segments come in key/value pairs. */
  int last = -1;
  gsize i = 0;
  while (i < n) {
    const char *key = p + i + 1;
    gsize n_key = strcspn(key, "/?#");
    if (key + n_key > p + n)
      n_key = (gsize)(p + n - key);
    if (n_key == 0)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "empty path segment at byte %zu of the path",
                     i + 1);
    const char *val = key + n_key;
    if (val >= p + n)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "path segment '%.*s' has no value after it",
                     (int)MIN(n_key, 20), key);
    val++;
    gsize n_val = strcspn(val, "/?#");
    if (val + n_val > p + n)
      n_val = (gsize)(p + n - val);
    int k = key_index(path_keys, G_N_ELEMENTS(path_keys), key, n_key);
    if (last < 0 && k != 0)
      return set_err(error, PT_GS1_ERROR_SYNTAX,
                     "the path must start with /01/{GTIN-14}; got /%.*s/ (only GTIN links are "
                     "read)",
                     (int)MIN(n_key, 20), key);
    if (k < 0)
      return set_err(error, PT_GS1_ERROR_SYNTAX,
                     "AI (%.*s) is not allowed in the path: after /01/ only 22, 10 and 21 may "
                     "follow, in that order (data attributes go in the query)",
                     (int)MIN(n_key, 20), key);
    if (k == last)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "AI (%s) appears twice in the path", path_keys[k]);
    if (k < last)
      return set_err(error, PT_GS1_ERROR_SYNTAX,
                     "AI (%s) comes after AI (%s); the path order is /01/22/10/21", path_keys[k],
                     path_keys[last]);
    if (n_val == 0)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "AI (%s) in the path has an empty value",
                     path_keys[k]);
    char what[32];
    g_snprintf(what, sizeof what, "AI (%s) value", path_keys[k]);
    char value[PT_DL_VALUE_MAX + 1];
    if (!decode(val, n_val, value, PT_DL_VALUE_MAX, what, error))
      return FALSE;
    GError *inner = NULL;
    switch (k) {
    case 0:
      if (!parse_gtin(value, out->gtin, error))
        return FALSE;
      break;
    case 1:
    case 2:
    case 3:
      if (!pt_gs1_validate_ai(path_keys[k], value, &inner))
        return wrap_err(error, inner);
      memcpy(k == 1 ? out->cpv : k == 2 ? out->lot : out->serial, value, strlen(value) + 1);
      break;
    }
    last = k;
    i = (gsize)(val + n_val - p);
  }
  if (last < 0)
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the URI has no path: expected /01/{GTIN-14}");
  return TRUE;
}

static gboolean
parse_query(const char *q, gsize n, int now_year, PtDigitalLink *out, GError **error)
{
  char *dates[] = {out->prod_date, out->pack_date, out->best_before, out->expiry};
  guint n_params = 0;
  gsize i = 0;
  while (i <= n) {
    gsize len = 0;
    while (i + len < n && q[i + len] != '&' && q[i + len] != ';')
      len++;
    const char *param = q + i;
    i += len + 1;
    if (len == 0)
      continue;
    if (++n_params > PT_DL_QUERY_PARAMS_MAX)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "the query has more than %d parameters",
                     PT_DL_QUERY_PARAMS_MAX);
    const char *eq = memchr(param, '=', len);
    gsize n_key = eq ? (gsize)(eq - param) : len;
    if (key_index(path_keys, G_N_ELEMENTS(path_keys), param, n_key) >= 0)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "AI (%.*s) belongs in the path, not in the query",
                     (int)n_key, param);
    int k = key_index(query_keys, G_N_ELEMENTS(query_keys), param, n_key);
    if (k < 0)
      continue;
    if (dates[k][0] != '\0')
      return set_err(error, PT_GS1_ERROR_SYNTAX, "AI (%s) appears twice in the query",
                     query_keys[k]);
    char what[32];
    g_snprintf(what, sizeof what, "query AI (%s)", query_keys[k]);
    char value[7];
    if (!eq || !decode(eq + 1, len - n_key - 1, value, 6, what, NULL) || strlen(value) != 6 ||
        strspn(value, "0123456789") != 6)
      return set_err(error, PT_GS1_ERROR_SYNTAX, "query AI (%s) must be a date YYMMDD, got '%.*s'",
                     query_keys[k], (int)MIN(eq ? len - n_key - 1 : 0, 24), eq ? eq + 1 : "");
    GError *inner = NULL;
    if (!pt_gs1_validate_yymmdd(value, now_year, NULL, &inner)) {
      set_err(error, (PtGs1Error)inner->code, "query AI (%s): %s", query_keys[k], inner->message);
      g_error_free(inner);
      return FALSE;
    }
    memcpy(dates[k], value, 7);
  }
  return TRUE;
}

gboolean
pt_gs1_digital_link_parse(const char *uri, int now_year, PtDigitalLink *out, GError **error)
{
  g_return_val_if_fail(uri != NULL && out != NULL, FALSE);
  memset(out, 0, sizeof *out);
  if (now_year <= 0)
    now_year = pt_gs1_current_year();

  gsize n = strnlen(uri, PT_DL_URI_MAX + 1);
  if (n > PT_DL_URI_MAX)
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the URI is too long: more than %d bytes",
                   PT_DL_URI_MAX);
  for (gsize i = 0; i < n; i++) {
    unsigned char c = (unsigned char)uri[i];
    if (c <= 0x20 || c >= 0x7f)
      return set_err(error, PT_GS1_ERROR_CHARSET, "byte %zu (0x%02x) is not allowed in a URI",
                     i + 1, c);
  }

  gsize p;
  if (g_ascii_strncasecmp(uri, "https://", 8) == 0) {
    out->https = TRUE;
    p = 8;
  } else if (g_ascii_strncasecmp(uri, "http://", 7) == 0) {
    p = 7;
  } else {
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the URI must start with https:// or http://");
  }

  gsize n_host = strcspn(uri + p, "/?#");
  if (!parse_host(uri + p, n_host, out, error))
    return FALSE;
  p += n_host;

  gsize n_path = strcspn(uri + p, "?#");
  if (n_path == 0)
    return set_err(error, PT_GS1_ERROR_SYNTAX, "the URI has no path: expected /01/{GTIN-14}");
  if (!parse_path(uri + p, n_path, out, error))
    return FALSE;
  p += n_path;

  if (uri[p] == '?') {
    p++;
    gsize n_query = strcspn(uri + p, "#");
    if (!parse_query(uri + p, n_query, now_year, out, error))
      return FALSE;
  }
  return TRUE;
}

void
pt_gs1_dl_append_value(GString *s, const char *value)
{
  static const char hex[] = "0123456789ABCDEF";
  for (const unsigned char *p = (const unsigned char *)value; *p; p++) {
    if (g_ascii_isalnum(*p) || *p == '-' || *p == '.' || *p == '_' || *p == '~') {
      g_string_append_c(s, (char)*p);
    } else {
      g_string_append_c(s, '%');
      g_string_append_c(s, hex[*p >> 4]);
      g_string_append_c(s, hex[*p & 15]);
    }
  }
}

char *
pt_gs1_digital_link(const char *host, const char *gtin14, const char *lot, const char *pack_yymmdd)
{
  /* Only unreserved characters stay literal; everything else of CSET 82 is
   * percent-encoded so that a strict resolver reads the lot back unchanged. */
  g_autofree char *lot_enc = pt_gs1_dl_encode_value(lot);
  if (pack_yymmdd && *pack_yymmdd)
    return g_strdup_printf("https://%s/01/%s/10/%s?13=%s", host, gtin14, lot_enc, pack_yymmdd);
  return g_strdup_printf("https://%s/01/%s/10/%s", host, gtin14, lot_enc);
}

char *
pt_gs1_dl_encode_value(const char *value)
{
  GString *s = g_string_sized_new(strlen(value) * 3 + 1);
  pt_gs1_dl_append_value(s, value);
  return g_string_free(s, FALSE);
}

gboolean
pt_gs1_dl_decode_value(const char *segment, gsize n, char *out, gsize out_max, GError **error)
{
  return decode(segment, n, out, out_max, "the value", error);
}

gboolean
pt_gs1_dl_check_dot_segments(const char *what, const char *value, GError **error)
{
  for (const char *p = value; *p;) {
    gsize n = strcspn(p, "/");
    if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
      return set_err(error, PT_GS1_ERROR_SYNTAX,
                     "%s '%s' has a '.' or '..' part between '/' (it would read as a path)", what,
                     value);
    p += n;
    if (*p == '/')
      p++;
  }
  return TRUE;
}

static void
append_escaped(GString *s, const char *key, const char *value)
{
  if (value[0] == '\0')
    return;
  g_string_append_printf(s, "/%s/", key);
  pt_gs1_dl_append_value(s, value);
}

char *
pt_gs1_digital_link_format(const PtDigitalLink *link)
{
  GString *s = g_string_new(link->https ? "https://" : "http://");
  g_string_append(s, link->host);
  g_string_append_printf(s, "/01/%s", link->gtin);
  append_escaped(s, "22", link->cpv);
  append_escaped(s, "10", link->lot);
  append_escaped(s, "21", link->serial);
  const char *const dates[] = {link->prod_date, link->pack_date, link->best_before, link->expiry};
  char sep = '?';
  for (gsize i = 0; i < G_N_ELEMENTS(dates); i++) {
    if (dates[i][0] == '\0')
      continue;
    g_string_append_printf(s, "%c%s=%s", sep, query_keys[i], dates[i]);
    sep = '&';
  }
  return g_string_free(s, FALSE);
}
