/* pt-event-hash.c: the CBV 2.0 Event Hash ID: pre-hash string and hash of one EPCIS event.
 * Workload: one call per signed event (pt_trace_append(), thousands a second in a grading
 * burst) and per exported or verified event; the pre-hash is a few hundred bytes.  Clarity
 * first, but the common value (no old URN, no ignored fields) takes no detour. */
#include "pt-event-hash.h"

#include "pt-error.h"
#include "pt-limits.h"
#include "pt-sha256.h"

#include <math.h>
#include <sodium.h>
#include <string.h>

typedef struct {
  GHashTable *prefixes; /* prefix -> namespace URI, declared inline in @context */
  GHashTable *ignored;  /* expanded names the document's ignoreFields leaves out; NULL without
                         * a document (every signed event) */
} HashCtx;

#define CBV    "https://ref.gs1.org/cbv/"
#define GS1VOC "https://gs1.org/voc/"

/* ---- value normalisation ---------------------------------------------------------------- */

static char *
replace_all(const char *text, const char *from, const char *to)
{
  if (!strstr(text, from))
    return g_strdup(text);
  g_auto(GStrv) parts = g_strsplit(text, from, -1);
  return g_strjoinv(to, parts);
}

/* Old CBV URNs to their web vocabulary, wherever they occur in a value. */
static char *
web_vocabulary(const char *text)
{
  /* Every old URN below starts so; most values hold none. */
  if (!strstr(text, "urn:epcglobal:cbv:"))
    return g_strdup(text);
  static const char *const map[][2] = {
      {"urn:epcglobal:cbv:bizstep:", CBV "BizStep-"}, {"urn:epcglobal:cbv:disp:", CBV "Disp-"},
      {"urn:epcglobal:cbv:btt:", CBV "BTT-"},         {"urn:epcglobal:cbv:sdt:", CBV "SDT-"},
      {"urn:epcglobal:cbv:er:", CBV "ER-"},
  };
  char *out = g_strdup(text);
  for (gsize i = 0; i < G_N_ELEMENTS(map); i++) {
    char *next = replace_all(out, map[i][0], map[i][1]);
    g_free(out);
    out = next;
  }
  return out;
}

/* A double as Python's repr() writes it: the shortest digits that read back the same, in
 * fixed notation for decimal exponents -4..15 and as 1.5e-05 / 1e+16 otherwise. */
static char *
python_repr(double v)
{
  char buf[64];
  int prec = 1;
  for (; prec <= 17; prec++) {
    g_snprintf(buf, sizeof buf, "%.*e", prec - 1, v);
    if (g_ascii_strtod(buf, NULL) == v)
      break;
  }
  char *e = strchr(buf, 'e');
  int exp10 = (int)g_ascii_strtoll(e + 1, NULL, 10);
  *e = '\0';
  GString *digits = g_string_new(NULL);
  gboolean neg = buf[0] == '-';
  for (const char *p = buf; *p; p++)
    if (g_ascii_isdigit(*p))
      g_string_append_c(digits, *p);
  while (digits->len > 1 && digits->str[digits->len - 1] == '0')
    g_string_truncate(digits, digits->len - 1);
  GString *out = g_string_new(neg ? "-" : "");
  if (exp10 >= -4 && exp10 < 16) {
    if (exp10 < 0) {
      g_string_append(out, "0.");
      for (int i = -1; i > exp10; i--)
        g_string_append_c(out, '0');
      g_string_append(out, digits->str);
    } else {
      for (int i = 0; i <= exp10 || i < (int)digits->len; i++) {
        if (i == exp10 + 1)
          g_string_append_c(out, '.');
        g_string_append_c(out, i < (int)digits->len ? digits->str[i] : '0');
      }
      if ((int)digits->len <= exp10 + 1)
        g_string_append(out, ".0");
    }
  } else {
    g_string_append_c(out, digits->str[0]);
    if (digits->len > 1) {
      g_string_append_c(out, '.');
      g_string_append(out, digits->str + 1);
    }
    g_string_append_printf(out, "e%c%02d", exp10 < 0 ? '-' : '+', ABS(exp10));
  }
  g_string_free(digits, TRUE);
  return g_string_free(out, FALSE);
}

/* Numbers lose leading zeros, a leading '+' and trailing zeros ("0600" -> 600, "26.0" -> 26,
 * "12.10" -> 12.1); anything that is not a whole decimal number is left as it is. */
static char *
format_numeric(const char *text)
{
  if (!*text)
    return g_strdup(text);
  for (const char *p = text; *p; p++)
    if (!g_ascii_isdigit(*p) && !strchr("+-.eE", *p))
      return g_strdup(text);
  char *end = NULL;
  double v = g_ascii_strtod(text, &end);
  if (end == text || *end != '\0' || !isfinite(v))
    return g_strdup(text);
  if (v == floor(v)) {
    if (v == 0)
      return g_strdup("0");
    return g_strdup_printf("%.0f", v);
  }
  return python_repr(v);
}

static int
gs1_check_digit(const char *digits)
{
  int sum = 0;
  gsize n = strlen(digits);
  for (gsize i = 0; i < n; i++) {
    int d = digits[n - 1 - i] - '0';
    sum += (i % 2 == 0) ? 3 * d : d;
  }
  return (10 - sum % 10) % 10;
}

static gboolean
all_digits(const char *s, gsize min, gsize max)
{
  gsize n = strlen(s);
  if (n < min || n > max)
    return FALSE;
  for (; *s; s++)
    if (!g_ascii_isdigit(*s))
      return FALSE;
  return TRUE;
}

/* Digital Link needs these percent-encoded; EPC URIs may carry them plain. */
static void
append_dl_encoded(GString *out, const char *s)
{
  for (; *s; s++) {
    if (strchr("!()*+,:", *s))
      g_string_append_printf(out, "%%%02X", (guchar)*s);
    else
      g_string_append_c(out, *s);
  }
}

/* Appends @raw followed by its GS1 check digit. */
static void
append_with_check(GString *out, const char *raw)
{
  g_string_append_printf(out, "%s%d", raw, gs1_check_digit(raw));
}

/* GTIN-14 of an EPC's company prefix and item reference (indicator digit first). */
static gboolean
append_gtin(GString *out, const char *gcp, const char *itemref)
{
  if (!all_digits(gcp, 6, 12) || !all_digits(itemref, 1, 7) || strlen(gcp) + strlen(itemref) != 13)
    return FALSE;
  g_autofree char *raw = g_strdup_printf("%c%s%s", itemref[0], gcp, itemref + 1);
  append_with_check(out, raw);
  return TRUE;
}

/* A company prefix plus reference of @total digits, with a check digit. */
static gboolean
append_key(GString *out, const char *gcp, const char *ref, gsize total)
{
  if (!all_digits(gcp, 6, 13) || !all_digits(ref, 0, 17) || strlen(gcp) + strlen(ref) != total)
    return FALSE;
  g_autofree char *raw = g_strconcat(gcp, ref, NULL);
  append_with_check(out, raw);
  return TRUE;
}

/* EPC pure identity, class and pattern URIs as canonical Digital Links. */
static char *
epc_uri_to_dl(const char *uri)
{
  const char *kinds[] = {"urn:epc:id:", "urn:epc:class:", "urn:epc:idpat:"};
  int kind = -1;
  for (int i = 0; i < 3; i++)
    if (g_str_has_prefix(uri, kinds[i]))
      kind = i;
  if (kind < 0)
    return NULL;
  const char *rest = uri + strlen(kinds[kind]);
  const char *colon = strchr(rest, ':');
  if (!colon)
    return NULL;
  g_autofree char *scheme = g_strndup(rest, colon - rest);
  g_auto(GStrv) p = g_strsplit(colon + 1, ".", -1);
  guint n = g_strv_length(p);
  GString *out = g_string_new("https://id.gs1.org/");
  gboolean ok = FALSE;
  gboolean pat = kind == 2;
  if (n >= 2 && pat && strcmp(p[n - 1], "*") != 0)
    goto out;

  if (kind == 0 && strcmp(scheme, "sgtin") == 0 && n >= 3) {
    g_autofree char *serial = g_strjoinv(".", p + 2);
    g_string_append(out, "01/");
    ok = append_gtin(out, p[0], p[1]) && *serial;
    g_string_append(out, "/21/");
    append_dl_encoded(out, serial);
  } else if (kind == 0 && strcmp(scheme, "sscc") == 0 && n == 2) {
    ok = all_digits(p[1], 1, 11) && *p[1];
    if (ok) {
      /* The extension digit leads; the key is 17 digits plus the check digit. */
      g_autofree char *ext_gcp = g_strdup_printf("%c%s", p[1][0], p[0]);
      g_string_append(out, "00/");
      ok = all_digits(p[0], 6, 12) && append_key(out, ext_gcp, p[1] + 1, 17);
    }
  } else if (kind == 0 && strcmp(scheme, "sgln") == 0 && n >= 3) {
    g_autofree char *ext = g_strjoinv(".", p + 2);
    g_string_append(out, "414/");
    ok = append_key(out, p[0], p[1], 12) && *ext;
    if (strcmp(ext, "0") != 0) {
      g_string_append(out, "/254/");
      append_dl_encoded(out, ext);
    }
  } else if ((strcmp(scheme, "grai") == 0 && kind == 0 && n >= 3) ||
             (strcmp(scheme, "grai") == 0 && pat && n == 3)) {
    g_autofree char *gcp0 = g_strconcat("0", p[0], NULL);
    g_string_append(out, "8003/");
    ok = strlen(p[0]) + strlen(p[1]) == 12 && append_key(out, gcp0, p[1], 13);
    if (!pat) {
      g_autofree char *serial = g_strjoinv(".", p + 2);
      append_dl_encoded(out, serial);
    }
  } else if (kind == 0 && (strcmp(scheme, "giai") == 0 || strcmp(scheme, "ginc") == 0) && n >= 2) {
    g_autofree char *ref = g_strjoinv(".", p + 1);
    g_string_append(out, strcmp(scheme, "giai") == 0 ? "8004/" : "401/");
    g_string_append(out, p[0]);
    append_dl_encoded(out, ref);
    ok = all_digits(p[0], 6, 12) && *ref;
  } else if (kind == 0 && (strcmp(scheme, "gsrn") == 0 || strcmp(scheme, "gsrnp") == 0) && n == 2) {
    g_string_append(out, strcmp(scheme, "gsrn") == 0 ? "8018/" : "8017/");
    ok = append_key(out, p[0], p[1], 17);
  } else if ((strcmp(scheme, "gdti") == 0 || strcmp(scheme, "sgcn") == 0) && n >= 3) {
    g_string_append(out, strcmp(scheme, "gdti") == 0 ? "253/" : "255/");
    ok = append_key(out, p[0], p[1], 12);
    if (!pat) {
      g_autofree char *serial = g_strjoinv(".", p + 2);
      append_dl_encoded(out, serial);
    }
  } else if (strcmp(scheme, "cpi") == 0 && n >= 3) {
    g_autofree char *cpi = g_strconcat(p[0], p[1], NULL);
    g_string_append(out, "8010/");
    append_dl_encoded(out, cpi);
    ok = all_digits(p[0], 6, 12);
    if (!pat) {
      g_string_append(out, "/8011/");
      g_string_append(out, p[n - 1]);
      ok = ok && n == 3 && all_digits(p[2], 1, 12);
    }
  } else if (kind == 0 && strcmp(scheme, "gsin") == 0 && n == 2) {
    g_string_append(out, "402/");
    ok = append_key(out, p[0], p[1], 16);
  } else if (strcmp(scheme, "itip") == 0 && n >= 5) {
    g_string_append(out, "8006/");
    ok = append_gtin(out, p[0], p[1]) && all_digits(p[2], 2, 2) && all_digits(p[3], 2, 2);
    g_string_append_printf(out, "%s%s", p[2], p[3]);
    if (!pat) {
      g_autofree char *serial = g_strjoinv(".", p + 4);
      g_string_append(out, "/21/");
      append_dl_encoded(out, serial);
    }
  } else if (strcmp(scheme, "upui") == 0 && n >= 3) {
    g_string_append(out, "01/");
    ok = append_gtin(out, p[0], p[1]);
    if (!pat) {
      g_autofree char *serial = g_strjoinv(".", p + 2);
      g_string_append(out, "/235/");
      append_dl_encoded(out, serial);
    }
  } else if (kind == 0 && strcmp(scheme, "pgln") == 0 && n == 2) {
    g_string_append(out, "417/");
    ok = append_key(out, p[0], p[1], 12);
  } else if (kind == 1 && strcmp(scheme, "lgtin") == 0 && n >= 3) {
    g_autofree char *lot = g_strjoinv(".", p + 2);
    g_string_append(out, "01/");
    ok = append_gtin(out, p[0], p[1]) && *lot;
    g_string_append(out, "/10/");
    append_dl_encoded(out, lot);
  } else if (pat && strcmp(scheme, "sgtin") == 0 && n == 3) {
    g_string_append(out, "01/");
    ok = append_gtin(out, p[0], p[1]);
  }
out:
  if (!ok) {
    g_string_free(out, TRUE);
    return NULL;
  }
  return g_string_free(out, FALSE);
}

static const char *const dl_short_names[][2] = {
    {"gtin", "01"},    {"itip", "8006"}, {"cpid", "8010"}, {"gln", "414"},   {"party", "417"},
    {"gsrnp", "8017"}, {"gsrn", "8018"}, {"gcn", "255"},   {"sscc", "00"},   {"gdti", "253"},
    {"ginc", "401"},   {"gsin", "402"},  {"grai", "8003"}, {"giai", "8004"}, {"cpv", "22"},
    {"lot", "10"},     {"ser", "21"},
};

static const char *const dl_primary_keys[] = {"01",   "8006", "8010", "414",  "417",
                                              "8017", "8018", "255",  "00",   "253",
                                              "401",  "402",  "8003", "8004", NULL};

static const char *
dl_ai(const char *segment)
{
  for (gsize i = 0; i < G_N_ELEMENTS(dl_short_names); i++)
    if (strcmp(segment, dl_short_names[i][0]) == 0)
      return dl_short_names[i][1];
  return segment;
}

static gboolean
dl_is_primary(const char *ai)
{
  for (const char *const *k = dl_primary_keys; *k; k++)
    if (strcmp(*k, ai) == 0)
      return TRUE;
  return FALSE;
}

/* Is the normalised link well formed for its key (the reference drops it otherwise)? */
static gboolean
dl_key_valid(const char *ai, const char *value)
{
  if (strcmp(ai, "00") == 0 || strcmp(ai, "8017") == 0 || strcmp(ai, "8018") == 0)
    return all_digits(value, 18, 18);
  if (strcmp(ai, "01") == 0)
    return all_digits(value, 14, 14);
  if (strcmp(ai, "414") == 0 || strcmp(ai, "417") == 0)
    return all_digits(value, 13, 13);
  if (strcmp(ai, "402") == 0)
    return all_digits(value, 17, 17);
  return TRUE;
}

/* TRUE when @uri is a lot's or a product's link as the station writes its classes, already
 * canonical: https://id.gs1.org/01/ and 14 digits, then nothing or /10/ and a non-empty lot
 * (no further segment, query or fragment).  dl_uri_normalise() gives it back unchanged. */
static gboolean
dl_is_canonical_class(const char *uri)
{
  static const char head[] = "https://id.gs1.org/01/";
  if (strncmp(uri, head, sizeof head - 1) != 0)
    return FALSE;
  const char *p = uri + sizeof head - 1;
  for (int i = 0; i < 14; i++, p++)
    if (!g_ascii_isdigit(*p))
      return FALSE;
  if (*p == '\0')
    return TRUE;
  if (strncmp(p, "/10/", 4) != 0)
    return FALSE;
  p += 4;
  return *p && p[strcspn(p, "/?#")] == '\0';
}

/* The path of a web URI @uri (from its first '/' after the host), or NULL when @uri is not
 * http(s) or has no path. */
static const char *
dl_path(const char *uri)
{
  const char *rest = NULL;
  if (g_str_has_prefix(uri, "https://"))
    rest = uri + 8;
  else if (g_str_has_prefix(uri, "http://"))
    rest = uri + 7;
  else
    return NULL;
  return strchr(rest, '/');
}

/* A key's value is a segment that starts with four digits: without "/dddd" in @path before
 * its query (a vocabulary URI such as a bizStep's) there is nothing to normalise. */
static gboolean
dl_path_has_key_value(const char *path)
{
  gsize path_len = strcspn(path + 1, "?#");
  for (gsize i = 0; i + 4 < path_len; i++)
    if (path[1 + i] == '/' && g_ascii_isdigit(path[2 + i]) && g_ascii_isdigit(path[3 + i]) &&
        g_ascii_isdigit(path[4 + i]) && g_ascii_isdigit(path[5 + i]))
      return TRUE;
  return FALSE;
}

/* A GS1 Digital Link on any domain as the canonical id.gs1.org link: numeric AIs, no query,
 * no CPV, and only the finest key level (a serial drops the lot). */
static char *
dl_uri_normalise(const char *uri)
{
  if (dl_is_canonical_class(uri))
    return g_strdup(uri);
  const char *path = dl_path(uri);
  if (!path || !dl_path_has_key_value(path))
    return NULL;
  gsize path_len = strcspn(path + 1, "?#");
  g_autofree char *clean = g_strndup(path + 1, path_len);
  g_auto(GStrv) seg = g_strsplit(clean, "/", -1);
  guint n = g_strv_length(seg);
  while (n > 0 && !*seg[n - 1])
    n--;
  guint start = n;
  for (guint i = 0; i + 1 < n; i++) {
    const char *ai = dl_ai(seg[i]);
    const char *v = seg[i + 1];
    if (dl_is_primary(ai) && strlen(v) >= 4 && g_ascii_isdigit(v[0]) && g_ascii_isdigit(v[1]) &&
        g_ascii_isdigit(v[2]) && g_ascii_isdigit(v[3])) {
      start = i;
      break;
    }
  }
  if (start >= n || (n - start) % 2 != 0)
    return NULL;
  const char *key = dl_ai(seg[start]);
  g_autofree char *value = g_strdup(seg[start + 1]);
  if (strcmp(key, "01") == 0) {
    gsize len = strlen(value);
    if (len == 13 || len == 12 || len == 8) {
      char *padded = g_strnfill(14 - len, '0');
      char *full = g_strconcat(padded, value, NULL);
      g_free(padded);
      g_free(value);
      value = full;
    }
  }
  if (!dl_key_valid(key, value))
    return NULL;
  gboolean has_serial = FALSE;
  for (guint i = start + 2; i + 1 < n; i += 2)
    if (strcmp(dl_ai(seg[i]), "21") == 0)
      has_serial = TRUE;
  GString *out = g_string_new("https://id.gs1.org/");
  g_string_append_printf(out, "%s/%s", key, value);
  for (guint i = start + 2; i + 1 < n; i += 2) {
    const char *ai = dl_ai(seg[i]);
    if (strcmp(ai, "22") == 0 || (strcmp(ai, "10") == 0 && has_serial))
      continue;
    g_string_append_printf(out, "/%s/%s", ai, seg[i + 1]);
  }
  return g_string_free(out, FALSE);
}

/* TRUE when canon_value() gives @s back as it is, decided without building anything: no
 * surrounding space, no old CBV URN, no number that format_numeric() rewrites (an integer of at
 * most 15 digits without leading zero is written back the same), no EPC URI, and no web URI that
 * dl_uri_normalise() rewrites.  Most values of the station's own events are such (chain hashes,
 * grades, vocabulary URIs, canonical class links): they take no copy but the one returned. */
static gboolean
value_is_canonical(const char *s)
{
  gsize n = strlen(s);
  if (n == 0)
    return TRUE;
  if (g_ascii_isspace(s[0]) || g_ascii_isspace(s[n - 1]) || g_str_has_prefix(s, "urn:epc:") ||
      strstr(s, "urn:epcglobal:cbv:"))
    return FALSE;
  if (s[strspn(s, "0123456789+-.eE")] == '\0')
    return n <= 15 && s[strspn(s, "0123456789")] == '\0' && (s[0] != '0' || n == 1);
  const char *path = dl_path(s);
  return !path || dl_is_canonical_class(s) || !dl_path_has_key_value(path);
}

static char *
canon_value(const char *raw)
{
  g_autofree char *text = g_strstrip(g_strdup(raw));
  g_autofree char *vocab = web_vocabulary(text);
  char *num = format_numeric(vocab);
  char *dl = epc_uri_to_dl(num);
  if (!dl)
    dl = dl_uri_normalise(num);
  if (dl) {
    g_free(num);
    return dl;
  }
  return num;
}

static int
parse_int(const char *s, int n)
{
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (!g_ascii_isdigit(s[i]))
      return -1;
    v = v * 10 + (s[i] - '0');
  }
  return v;
}

/* TRUE when @t is already what canon_time() makes of it, "YYYY-MM-DDTHH:MM:SS.mmmZ" of a real
 * instant, as every record the station signs has it: the common case skips GDateTime. */
static gboolean
time_is_canonical(const char *t)
{
  static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
  if (strlen(t) != sizeof shape - 1)
    return FALSE;
  for (gsize i = 0; i < sizeof shape - 1; i++)
    if (shape[i] == 'd' ? !g_ascii_isdigit(t[i]) : t[i] != shape[i])
      return FALSE;
  int y = parse_int(t, 4), mo = parse_int(t + 5, 2), d = parse_int(t + 8, 2);
  /* Years below 1000 are left to GDateTime, whose %Y would not write four digits. */
  return y >= 1000 && mo >= 1 && mo <= 12 && d >= 1 && g_date_valid_dmy(d, mo, y) &&
         parse_int(t + 11, 2) < 24 && parse_int(t + 14, 2) < 60 && parse_int(t + 17, 2) < 60;
}

/* An ISO 8601 timestamp in UTC at millisecond precision; sub-millisecond digits round half
 * to even (".1415" -> ".142"); without an offset the time is taken as UTC.  Anything else is
 * returned as it is. */
static char *
canon_time(const char *raw)
{
  g_autofree char *t = g_strstrip(g_strdup(raw));
  if (time_is_canonical(t))
    return g_steal_pointer(&t);
  int y = parse_int(t, 4), mo = -1, d = -1, h = -1, mi = -1, s = -1;
  if (strlen(t) >= 19 && t[4] == '-' && t[7] == '-' && (t[10] == 'T' || t[10] == ' ') &&
      t[13] == ':' && t[16] == ':') {
    mo = parse_int(t + 5, 2);
    d = parse_int(t + 8, 2);
    h = parse_int(t + 11, 2);
    mi = parse_int(t + 14, 2);
    s = parse_int(t + 17, 2);
  }
  if (y < 0 || mo < 1 || d < 1 || h < 0 || mi < 0 || s < 0)
    return g_strdup(t);
  const char *p = t + 19;
  int usec = 0;
  if (*p == '.' || *p == ',') {
    p++;
    int digits = 0;
    for (; g_ascii_isdigit(*p); p++, digits++)
      if (digits < 6)
        usec = usec * 10 + (*p - '0');
    if (digits == 0)
      return g_strdup(t);
    for (; digits < 6; digits++)
      usec *= 10;
  }
  int offset_min = 0;
  if (*p == 'Z' || *p == 'z') {
    p++;
  } else if (*p == '+' || *p == '-') {
    int sign = *p == '-' ? -1 : 1;
    int oh = parse_int(p + 1, 2), om = 0;
    /* Two digits of hours first: only then are p + 1 and p + 2 inside the string. */
    if (oh < 0)
      return g_strdup(t);
    const char *q = p + 3;
    if (*q == ':')
      q++;
    if (g_ascii_isdigit(*q)) {
      om = parse_int(q, 2);
      q += 2;
    }
    if (oh < 0 || om < 0)
      return g_strdup(t);
    offset_min = sign * (oh * 60 + om);
    p = q;
  }
  if (*p)
    return g_strdup(t);
  g_autoptr(GDateTime) local = g_date_time_new_utc(y, mo, d, h, mi, s);
  if (!local)
    return g_strdup(t);
  int ms = usec / 1000, rem = usec % 1000;
  if (rem > 500 || (rem == 500 && ms % 2 == 1))
    ms++;
  g_autoptr(GDateTime) utc =
      g_date_time_add_seconds(local, -60.0 * offset_min + (ms >= 1000 ? 1 : 0));
  g_autofree char *base = g_date_time_format(utc, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf("%s.%03dZ", base, ms % 1000);
}

/* `name=value` with @raw's canonical value. */
static char *
canon_part(const char *name, const char *raw)
{
  if (value_is_canonical(raw))
    return g_strconcat(name, "=", raw, NULL);
  g_autofree char *value = canon_value(raw);
  return g_strconcat(name, "=", value, NULL);
}

/* ---- names and vocabulary --------------------------------------------------------------- */

static void
ctx_collect(HashCtx *ctx, const json_t *context)
{
  if (json_is_array(context)) {
    size_t i;
    const json_t *item;
    json_array_foreach(context, i, item) ctx_collect(ctx, item);
  } else if (json_is_object(context)) {
    const char *key;
    const json_t *uri;
    json_object_foreach((json_t *)context, key, uri) if (json_is_string(uri))
        g_hash_table_replace(ctx->prefixes, g_strdup(key), g_strdup(json_string_value(uri)));
  }
}

/* The namespace @ctx declares for the prefix of @name that ends at @colon, or NULL.  A short
 * prefix (every real one) is looked up from the stack: this runs for every member name. */
static const char *
prefix_namespace(const HashCtx *ctx, const char *name, const char *colon)
{
  gsize len = (gsize)(colon - name);
  char small[64];
  if (len < sizeof small) {
    memcpy(small, name, len);
    small[len] = '\0';
    return g_hash_table_lookup(ctx->prefixes, small);
  }
  g_autofree char *prefix = g_strndup(name, len);
  return g_hash_table_lookup(ctx->prefixes, prefix);
}

/* `prefix:local` with an inline-declared prefix -> `{namespace}local`. */
static char *
expand_key(const HashCtx *ctx, const char *key)
{
  const char *colon = strchr(key, ':');
  if (colon) {
    const char *ns = prefix_namespace(ctx, key, colon);
    if (ns)
      return g_strconcat("{", ns, "}", colon + 1, NULL);
  }
  return g_strdup(key);
}

/* A document (or a query result) may name extension fields that its repository added and
 * that are not part of the event, in a `prefix:ignoreFields` list of CURIEs. */
static void
ctx_collect_ignored(HashCtx *ctx, const json_t *holder)
{
  const char *key;
  const json_t *list;
  json_object_foreach((json_t *)holder, key, list)
  {
    const char *colon = strrchr(key, ':');
    if (strcmp(colon ? colon + 1 : key, "ignoreFields") != 0 || !json_is_array(list))
      continue;
    size_t i;
    const json_t *name;
    json_array_foreach(list, i, name) if (json_is_string(name))
        g_hash_table_add(ctx->ignored, expand_key(ctx, json_string_value(name)));
  }
}

/* A CURIE value whose inline-declared prefix is a GS1 vocabulary is expanded; user
 * namespaces are not (they are in keys). */
static char *
expand_value(const HashCtx *ctx, const char *value)
{
  const char *colon = strchr(value, ':');
  if (colon) {
    const char *ns = prefix_namespace(ctx, value, colon);
    if (ns &&
        (g_str_has_prefix(ns, "https://ref.gs1.org") || g_str_has_prefix(ns, "https://gs1.org")))
      return g_strconcat(ns, colon + 1, NULL);
  }
  return g_strdup(value);
}

/* A bare word of a CBV vocabulary (bizStep "shipping") or a gs1:/cbv: CURIE as its URI, the
 * way the standard JSON-LD context expands it. */
static char *
expand_vocab(const HashCtx *ctx, const char *value, const char *base)
{
  if (!strchr(value, ':'))
    return g_strconcat(base, value, NULL);
  if (g_str_has_prefix(value, "gs1:"))
    return g_strconcat(GS1VOC, value + 4, NULL);
  if (g_str_has_prefix(value, "cbv:"))
    return g_strconcat(CBV, value + 4, NULL);
  return expand_value(ctx, value);
}

/* The text of a scalar as the reference reads it: JSON numbers as Python prints them. */
static char *
scalar_text(const json_t *v)
{
  if (json_is_string(v))
    return g_strdup(json_string_value(v));
  if (json_is_integer(v))
    return g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
  if (json_is_real(v))
    return python_repr(json_real_value(v));
  if (json_is_true(v))
    return g_strdup("true");
  if (json_is_false(v))
    return g_strdup("false");
  return NULL;
}

/* ---- pre-hash building ------------------------------------------------------------------ */

typedef enum { V_PLAIN, V_TIME, V_VOCAB } ValueKind;

typedef struct {
  const char *key;
  ValueKind kind;
  const char *vocab; /* base URI for V_VOCAB */
} Field;

static int
cmp_str(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static char *
join_sorted(GPtrArray *parts)
{
  g_ptr_array_sort(parts, cmp_str);
  GString *out = g_string_new(NULL);
  for (guint i = 0; i < parts->len; i++)
    g_string_append(out, parts->pdata[i]);
  return g_string_free(out, FALSE);
}

static gboolean
ignored_anywhere(const char *key)
{
  return strcmp(key, "#text") == 0 || strcmp(key, "rdfs:comment") == 0 ||
         strcmp(key, "comment") == 0;
}

static gboolean
ignored_field(const HashCtx *ctx, const char *key)
{
  if (ignored_anywhere(key))
    return TRUE;
  if (!ctx->ignored || g_hash_table_size(ctx->ignored) == 0)
    return FALSE;
  g_autofree char *name = expand_key(ctx, key);
  return g_hash_table_contains(ctx->ignored, name);
}

/* `key=value` of a scalar (nothing for an empty value or a null). */
static char *
scalar_part(const HashCtx *ctx, const char *name, const json_t *v, ValueKind kind,
            const char *vocab)
{
  g_autofree char *text = scalar_text(v);
  if (!text)
    return NULL;
  const char *stripped = g_strstrip(text);
  if (!*stripped)
    return NULL;
  if (kind == V_TIME) {
    g_autofree char *value = canon_time(stripped);
    return g_strconcat(name, "=", value, NULL);
  }
  g_autofree char *expanded = kind == V_VOCAB && json_is_string(v)
                                  ? expand_vocab(ctx, stripped, vocab)
                                  : expand_value(ctx, stripped);
  return canon_part(name, expanded);
}

static void generic_parts(const HashCtx *ctx, const char *key, const json_t *value, GPtrArray *out);

/* Every member of @obj not in @skip, rendered generically and sorted. */
static char *
generic_rest(const HashCtx *ctx, const json_t *obj, const char *const *skip)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)obj, key, v)
  {
    gboolean skipped = ignored_anywhere(key);
    for (const char *const *s = skip; s && *s && !skipped; s++)
      skipped = strcmp(*s, key) == 0;
    if (!skipped)
      generic_parts(ctx, key, v, parts);
  }
  return join_sorted(parts);
}

/* Fields outside CBV's order (user extensions, ILMD): `{ns}name=value`, objects as their
 * name followed by their sorted members, arrays as one entry per element. */
static void
generic_parts(const HashCtx *ctx, const char *key, const json_t *value, GPtrArray *out)
{
  g_autofree char *name = expand_key(ctx, key);
  if (json_is_array(value)) {
    size_t i;
    const json_t *item;
    if (g_str_has_suffix(name, "List") && strlen(name) > 4) {
      g_autofree char *item_name = g_strndup(name, strlen(name) - 4);
      g_autoptr(GPtrArray) items = g_ptr_array_new_with_free_func(g_free);
      json_array_foreach(value, i, item) generic_parts(ctx, item_name, item, items);
      g_autofree char *joined = join_sorted(items);
      g_ptr_array_add(out, g_strconcat(name, joined, NULL));
      return;
    }
    json_array_foreach(value, i, item) generic_parts(ctx, key, item, out);
    return;
  }
  if (json_is_object(value)) {
    g_autofree char *rest = generic_rest(ctx, value, NULL);
    g_ptr_array_add(out, g_strconcat(name, rest, NULL));
    return;
  }
  g_autofree char *text = scalar_text(value);
  if (!text)
    return;
  const char *stripped = g_strstrip(text);
  if (!*stripped) {
    g_ptr_array_add(out, g_strdup(name));
    return;
  }
  g_autofree char *expanded = expand_value(ctx, stripped);
  g_ptr_array_add(out, canon_part(name, expanded));
}

/* The fields of @obj in @order, then its other members sorted. */
static char *
ordered_object(const HashCtx *ctx, const json_t *obj, const Field *order, gsize n_order)
{
  GString *out = g_string_new(NULL);
  const char *skip[32] = {0};
  for (gsize i = 0; i < n_order && i < G_N_ELEMENTS(skip) - 1; i++) {
    skip[i] = order[i].key;
    const json_t *v = json_object_get(obj, order[i].key);
    g_autofree char *part =
        v ? scalar_part(ctx, order[i].key, v, order[i].kind, order[i].vocab) : NULL;
    if (part)
      g_string_append(out, part);
  }
  g_autofree char *rest = generic_rest(ctx, obj, skip);
  g_string_append(out, rest);
  return g_string_free(out, FALSE);
}

static const Field quantity_fields[] = {
    {"epcClass", V_PLAIN, NULL},
    {"quantity", V_PLAIN, NULL},
    {"uom", V_PLAIN, NULL},
};

static const Field metadata_fields[] = {
    {"time", V_TIME, NULL},
    {"startTime", V_TIME, NULL},
    {"endTime", V_TIME, NULL},
    {"deviceID", V_PLAIN, NULL},
    {"deviceMetadata", V_PLAIN, NULL},
    {"rawData", V_PLAIN, NULL},
    {"dataProcessingMethod", V_PLAIN, NULL},
    {"bizRules", V_PLAIN, NULL},
};

static const Field report_fields[] = {
    {"type", V_VOCAB, GS1VOC},
    {"exception", V_VOCAB, GS1VOC},
    {"deviceID", V_PLAIN, NULL},
    {"deviceMetadata", V_PLAIN, NULL},
    {"rawData", V_PLAIN, NULL},
    {"dataProcessingMethod", V_PLAIN, NULL},
    {"time", V_TIME, NULL},
    {"microorganism", V_PLAIN, NULL},
    {"chemicalSubstance", V_PLAIN, NULL},
    {"value", V_PLAIN, NULL},
    {"component", V_VOCAB, CBV "Comp-"},
    {"stringValue", V_PLAIN, NULL},
    {"booleanValue", V_PLAIN, NULL},
    {"hexBinaryValue", V_PLAIN, NULL},
    {"uriValue", V_PLAIN, NULL},
    {"minValue", V_PLAIN, NULL},
    {"maxValue", V_PLAIN, NULL},
    {"meanValue", V_PLAIN, NULL},
    {"sDev", V_PLAIN, NULL},
    {"percRank", V_PLAIN, NULL},
    {"percValue", V_PLAIN, NULL},
    {"uom", V_PLAIN, NULL},
    {"coordinateReferenceSystem", V_PLAIN, NULL},
};

/* `name` then each element's rendering from @render, sorted; nothing for an empty list. */
typedef char *(*RenderItem)(const HashCtx *ctx, const json_t *item);

static void
append_list(GString *out, const HashCtx *ctx, const char *name, const json_t *list,
            RenderItem render)
{
  if (!json_is_array(list))
    return;
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
  size_t i;
  const json_t *item;
  json_array_foreach(list, i, item)
  {
    char *part = render(ctx, item);
    if (part && *part)
      g_ptr_array_add(parts, part);
    else
      g_free(part);
  }
  if (parts->len == 0)
    return;
  g_autofree char *joined = join_sorted(parts);
  g_string_append(out, name);
  g_string_append(out, joined);
}

static char *
render_epc(const HashCtx *ctx, const json_t *item)
{
  return scalar_part(ctx, "epc", item, V_PLAIN, NULL);
}

/* @item's fields in @order after @name, or NULL when it is not an object or has none. */
static char *
named_object(const HashCtx *ctx, const json_t *item, const char *name, const Field *order,
             gsize n_order)
{
  if (!json_is_object(item))
    return NULL;
  g_autofree char *body = ordered_object(ctx, item, order, n_order);
  return *body ? g_strconcat(name, body, NULL) : NULL;
}

static char *
render_quantity(const HashCtx *ctx, const json_t *item)
{
  return named_object(ctx, item, "quantityElement", quantity_fields, G_N_ELEMENTS(quantity_fields));
}

static char *
render_report(const HashCtx *ctx, const json_t *item)
{
  return named_object(ctx, item, "sensorReport", report_fields, G_N_ELEMENTS(report_fields));
}

static char *
render_sensor_element(const HashCtx *ctx, const json_t *item)
{
  if (!json_is_object(item))
    return NULL;
  GString *out = g_string_new(NULL);
  const json_t *meta = json_object_get(item, "sensorMetadata");
  if (json_is_object(meta)) {
    g_autofree char *body =
        ordered_object(ctx, meta, metadata_fields, G_N_ELEMENTS(metadata_fields));
    if (*body)
      g_string_append_printf(out, "sensorMetadata%s", body);
  }
  g_autoptr(GPtrArray) reports = g_ptr_array_new_with_free_func(g_free);
  const json_t *list = json_object_get(item, "sensorReport");
  size_t i;
  const json_t *report;
  json_array_foreach(list, i, report)
  {
    char *part = render_report(ctx, report);
    if (part)
      g_ptr_array_add(reports, part);
  }
  g_autofree char *joined = join_sorted(reports);
  g_string_append(out, joined);
  static const char *const skip[] = {"sensorMetadata", "sensorReport", NULL};
  g_autofree char *rest = generic_rest(ctx, item, skip);
  g_string_append(out, rest);
  if (out->len == 0) {
    g_string_free(out, TRUE);
    return NULL;
  }
  g_string_prepend(out, "sensorElement");
  return g_string_free(out, FALSE);
}

/* bizTransactionList, sourceList, destinationList: per element `type=...name=...`. */
static char *
typed_list(const HashCtx *ctx, const char *list_name, const char *item_name, const char *vocab,
           const json_t *list)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
  size_t i;
  const json_t *item;
  json_array_foreach(list, i, item)
  {
    if (!json_is_object(item))
      continue;
    GString *one = g_string_new(NULL);
    const json_t *type = json_object_get(item, "type");
    g_autofree char *tp = type ? scalar_part(ctx, "type", type, V_VOCAB, vocab) : NULL;
    const json_t *id = json_object_get(item, item_name);
    g_autofree char *ip = id ? scalar_part(ctx, item_name, id, V_PLAIN, NULL) : NULL;
    const char *skip[] = {"type", item_name, NULL};
    g_autofree char *rest = generic_rest(ctx, item, skip);
    g_string_append_printf(one, "%s%s%s", tp ? tp : "", ip ? ip : "", rest);
    g_ptr_array_add(parts, g_string_free(one, FALSE));
  }
  g_autofree char *joined = join_sorted(parts);
  return g_strconcat(list_name, joined, NULL);
}

static void
append_scalar(GString *out, const HashCtx *ctx, const json_t *ev, const char *key, ValueKind kind,
              const char *vocab)
{
  const json_t *v = json_object_get(ev, key);
  g_autofree char *part = v ? scalar_part(ctx, key, v, kind, vocab) : NULL;
  if (part)
    g_string_append(out, part);
}

static void
append_location(GString *out, const HashCtx *ctx, const json_t *ev, const char *key)
{
  const json_t *loc = json_object_get(ev, key);
  if (!json_is_object(loc))
    return;
  static const Field id_field[] = {{"id", V_PLAIN, NULL}};
  g_autofree char *body = ordered_object(ctx, loc, id_field, 1);
  if (*body)
    g_string_append_printf(out, "%s%s", key, body);
}

static void
append_persistent_disposition(GString *out, const HashCtx *ctx, const json_t *ev)
{
  const json_t *pd = json_object_get(ev, "persistentDisposition");
  if (!json_is_object(pd))
    return;
  GString *body = g_string_new(NULL);
  static const char *const keys[] = {"set", "unset"};
  for (gsize k = 0; k < G_N_ELEMENTS(keys); k++) {
    g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func(g_free);
    const json_t *list = json_object_get(pd, keys[k]);
    size_t i;
    const json_t *item;
    json_array_foreach(list, i, item)
    {
      char *part = scalar_part(ctx, keys[k], item, V_VOCAB, CBV "Disp-");
      if (part)
        g_ptr_array_add(parts, part);
    }
    g_autofree char *joined = join_sorted(parts);
    g_string_append(body, joined);
  }
  if (body->len)
    g_string_append_printf(out, "persistentDisposition%s", body->str);
  g_string_free(body, TRUE);
}

/* Members of the event that never take part: when and how it was recorded, its ID (it may
 * be the hash itself), corrections, the type (it opens the string), JSON-LD context; and those
 * the CBV order above renders.  Sorted by strcmp() for bsearch(): every member is looked up. */
static const char *const event_skip[] = {
    "@context",
    "action",
    "bizLocation",
    "bizStep",
    "bizTransactionList",
    "certificationInfo",
    "childEPCs",
    "childQuantityList",
    "destinationList",
    "disposition",
    "epcList",
    "errorDeclaration",
    "eventID",
    "eventTime",
    "eventTimeZoneOffset",
    "inputEPCList",
    "inputQuantityList",
    "outputEPCList",
    "outputQuantityList",
    "parentID",
    "persistentDisposition",
    "quantityList",
    "readPoint",
    "recordTime",
    "sensorElementList",
    "sourceList",
    "transformationID",
    "type",
};

static char *
build_prehash(const HashCtx *ctx, const json_t *ev)
{
  GString *out = g_string_new("eventType=");
  g_string_append(out, json_string_value(json_object_get(ev, "type")));
  append_scalar(out, ctx, ev, "eventTime", V_TIME, NULL);
  append_scalar(out, ctx, ev, "eventTimeZoneOffset", V_PLAIN, NULL);
  append_scalar(out, ctx, ev, "certificationInfo", V_PLAIN, NULL);
  append_list(out, ctx, "epcList", json_object_get(ev, "epcList"), render_epc);
  append_scalar(out, ctx, ev, "parentID", V_PLAIN, NULL);
  append_list(out, ctx, "inputEPCList", json_object_get(ev, "inputEPCList"), render_epc);
  append_list(out, ctx, "childEPCs", json_object_get(ev, "childEPCs"), render_epc);
  append_list(out, ctx, "quantityList", json_object_get(ev, "quantityList"), render_quantity);
  append_list(out, ctx, "childQuantityList", json_object_get(ev, "childQuantityList"),
              render_quantity);
  append_list(out, ctx, "inputQuantityList", json_object_get(ev, "inputQuantityList"),
              render_quantity);
  append_list(out, ctx, "outputEPCList", json_object_get(ev, "outputEPCList"), render_epc);
  append_list(out, ctx, "outputQuantityList", json_object_get(ev, "outputQuantityList"),
              render_quantity);
  append_scalar(out, ctx, ev, "action", V_PLAIN, NULL);
  append_scalar(out, ctx, ev, "transformationID", V_PLAIN, NULL);
  append_scalar(out, ctx, ev, "bizStep", V_VOCAB, CBV "BizStep-");
  append_scalar(out, ctx, ev, "disposition", V_VOCAB, CBV "Disp-");
  append_persistent_disposition(out, ctx, ev);
  append_location(out, ctx, ev, "readPoint");
  append_location(out, ctx, ev, "bizLocation");
  append_list(out, ctx, "sensorElementList", json_object_get(ev, "sensorElementList"),
              render_sensor_element);

  /* The reference leaves these three lists to its generic part, so they sort with the user
   * extensions (destinationList before sourceList). */
  g_autoptr(GPtrArray) rest = g_ptr_array_new_with_free_func(g_free);
  static const char *const typed[][3] = {
      {"bizTransactionList", "bizTransaction", CBV "BTT-"},
      {"sourceList", "source", CBV "SDT-"},
      {"destinationList", "destination", CBV "SDT-"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(typed); i++) {
    const json_t *list = json_object_get(ev, typed[i][0]);
    if (json_is_array(list) && json_array_size(list) > 0)
      g_ptr_array_add(rest, typed_list(ctx, typed[i][0], typed[i][1], typed[i][2], list));
  }
  const char *key;
  const json_t *v;
  json_object_foreach((json_t *)ev, key, v)
  {
    if (!ignored_field(ctx, key) &&
        !bsearch(&key, event_skip, G_N_ELEMENTS(event_skip), sizeof *event_skip, cmp_str))
      generic_parts(ctx, key, v, rest);
  }
  g_autofree char *joined = join_sorted(rest);
  g_string_append(out, joined);
  return g_string_free(out, FALSE);
}

char *
pt_event_hash_prehash(const json_t *event, const json_t *document, GError **error)
{
  if (!json_is_object(event) || !json_is_string(json_object_get(event, "type"))) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "an EPCIS event is an object with a type");
    return NULL;
  }
  HashCtx ctx = {
      .prefixes = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free),
      .ignored = document ? g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL) : NULL,
  };
  const json_t *context = json_object_get(document ? document : event, "@context");
  ctx_collect(&ctx, context);
  if (document) {
    ctx_collect_ignored(&ctx, document);
    ctx_collect_ignored(&ctx,
                        json_object_get(json_object_get(document, "epcisBody"), "queryResults"));
  }
  char *pre = build_prehash(&ctx, event);
  g_hash_table_unref(ctx.prefixes);
  if (ctx.ignored)
    g_hash_table_unref(ctx.ignored);
  if (strlen(pre) > PT_EVENT_PREHASH_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "event too large to hash (over %d bytes)",
                PT_EVENT_PREHASH_MAX);
    g_free(pre);
    return NULL;
  }
  return pre;
}

char *
pt_event_hash_id(const json_t *event, const json_t *document, GError **error)
{
  g_autofree char *pre = pt_event_hash_prehash(event, document, error);
  if (!pre)
    return NULL;
  guint8 digest[crypto_hash_sha256_BYTES];
  pt_sha256(digest, pre, strlen(pre));
  char hex[crypto_hash_sha256_BYTES * 2 + 1];
  sodium_bin2hex(hex, sizeof hex, digest, sizeof digest);
  return g_strconcat(PT_EVENT_HASH_PREFIX, hex, PT_EVENT_HASH_SUFFIX, NULL);
}

gboolean
pt_event_hash_id_is_valid(const char *text)
{
  if (!text || strlen(text) != PT_EVENT_HASH_ID_LEN ||
      !g_str_has_prefix(text, PT_EVENT_HASH_PREFIX) ||
      !g_str_has_suffix(text, PT_EVENT_HASH_SUFFIX))
    return FALSE;
  const char *hex = text + strlen(PT_EVENT_HASH_PREFIX);
  for (int i = 0; i < 64; i++)
    if (!g_ascii_isxdigit(hex[i]) || g_ascii_isupper(hex[i]))
      return FALSE;
  return TRUE;
}
