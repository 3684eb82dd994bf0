/* pt-json-parse.c: pt_json_parse(), the strict reader behind every JSON text that enters the
 * station or the hub.
 *
 * It accepts exactly what jansson's json_loadb() with JSON_REJECT_DUPLICATES accepts (an
 * object or an array at the top, whitespace after it and nothing else, valid UTF-8, no
 * \u0000, no lone surrogate, integers that fit 64 bits, finite reals) and builds the same
 * values in the same member order; tests/fuzz/fuzz-json.c holds the two side by side.  What
 * differs: a raw NUL byte after a number, which jansson skipped, is refused; nesting is bounded
 * while reading (PT_JSON_DEPTH_MAX), not afterwards, and a text nested too deep is malformed;
 * and the bytes of a string are looked at a run at a time.  jansson's lexer takes every byte
 * through its stream and its token buffer, which made parsing the largest cost of a hub ingest
 * after Ed25519: a request's events are records held as JSON strings, each parsed twice. */
#include "pt-json.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <errno.h>
#include <math.h>
#include <string.h>

typedef struct {
  const char *p, *start, *end;
  GString *scratch;  /* the last string that had escapes, decoded */
  const char *what;  /* why reading stopped, at p */
  gboolean too_deep; /* ... or that it was nested too deep */
} Reader;

static json_t *read_value(Reader *r, int depth);

/* Reading stops at @at, for @what; returns NULL. */
static gpointer
stop_at(Reader *r, const char *at, const char *what)
{
  r->p = at;
  r->what = what;
  return NULL;
}

static gpointer
stop(Reader *r, const char *what)
{
  return stop_at(r, r->p, what);
}

static gboolean
fail_at(Reader *r, const char *at, const char *what)
{
  stop_at(r, at, what);
  return FALSE;
}

static void
skip_space(Reader *r)
{
  while (r->p < r->end && (*r->p == ' ' || *r->p == '\n' || *r->p == '\r' || *r->p == '\t'))
    r->p++;
}

/* The four hex digits after "\u" at @s (checked by read_string()). */
static gunichar
escape_value(const char *s)
{
  return (gunichar)(g_ascii_xdigit_value(s[0]) << 12 | g_ascii_xdigit_value(s[1]) << 8 |
                    g_ascii_xdigit_value(s[2]) << 4 | g_ascii_xdigit_value(s[3]));
}

/* Decodes the escapes of the string body [@s, @e), already checked for form, into @out. */
static gboolean
decode_escapes(Reader *r, const char *s, const char *e, GString *out)
{
  g_string_truncate(out, 0);
  while (s < e) {
    const char *bs = memchr(s, '\\', (gsize)(e - s));
    if (!bs) {
      g_string_append_len(out, s, e - s);
      break;
    }
    g_string_append_len(out, s, bs - s);
    char c = bs[1];
    s = bs + 2;
    switch (c) {
    case 'b':
      g_string_append_c(out, '\b');
      continue;
    case 'f':
      g_string_append_c(out, '\f');
      continue;
    case 'n':
      g_string_append_c(out, '\n');
      continue;
    case 'r':
      g_string_append_c(out, '\r');
      continue;
    case 't':
      g_string_append_c(out, '\t');
      continue;
    case 'u':
      break;
    default: /* '"', '\\', '/' */
      g_string_append_c(out, c);
      continue;
    }
    gunichar u = escape_value(s);
    s += 4;
    if (u == 0) {
      return fail_at(r, bs, "\\u0000 is not allowed");
    }
    if (u >= 0xDC00 && u <= 0xDFFF) {
      return fail_at(r, bs, "a low surrogate escape without a high one");
    }
    if (u >= 0xD800 && u <= 0xDBFF) {
      gunichar low = e - s >= 6 && s[0] == '\\' && s[1] == 'u' ? escape_value(s + 2) : 0;
      if (low < 0xDC00 || low > 0xDFFF) {
        return fail_at(r, bs, "a high surrogate escape without a low one");
      }
      u = 0x10000 + ((u - 0xD800) << 10) + (low - 0xDC00);
      s += 6;
    }
    g_string_append_unichar(out, u);
  }
  return TRUE;
}

/* Reads the string at r->p (its opening quote).  Its text is in @text_out, @len_out bytes:
 * the input's own bytes when it has no escape, else r->scratch's until the next string. */
static gboolean
read_string(Reader *r, const char **text_out, gsize *len_out)
{
  const char *s = ++r->p, *p = s, *end = r->end;
  guchar high = 0; /* the OR of the bytes: bit 7 set when any is not ASCII */
  gboolean escapes = FALSE;
  for (;;) {
    /* The hot loop: plain bytes, a run at a time. */
    while (p < end) {
      guchar c = (guchar)*p;
      if (c == '"' || c == '\\' || c < 0x20)
        break;
      high |= c;
      p++;
    }
    if (p == end) {
      return fail_at(r, p, "premature end of input in a string");
    }
    if (*p == '"')
      break;
    if (*p != '\\') {
      return fail_at(r, p, "a control character in a string");
    }
    escapes = TRUE;
    if (end - p < 2 || !strchr("\"\\/bfnrtu", p[1]) || p[1] == '\0') {
      return fail_at(r, p, "an invalid escape");
    }
    if (p[1] == 'u') {
      if (end - p < 6 || g_ascii_xdigit_value(p[2]) < 0 || g_ascii_xdigit_value(p[3]) < 0 ||
          g_ascii_xdigit_value(p[4]) < 0 || g_ascii_xdigit_value(p[5]) < 0) {
        return fail_at(r, p, "an invalid \\u escape");
      }
      p += 6;
    } else {
      p += 2;
    }
  }
  if ((high & 0x80) && !g_utf8_validate_len(s, (gsize)(p - s), NULL)) {
    return fail_at(r, s, "a string that is not UTF-8");
  }
  r->p = p + 1;
  if (!escapes) {
    *text_out = s;
    *len_out = (gsize)(p - s);
    return TRUE;
  }
  if (!decode_escapes(r, s, p, r->scratch))
    return FALSE;
  *text_out = r->scratch->str;
  *len_out = r->scratch->len;
  return TRUE;
}

static gboolean
is_digit(const Reader *r, const char *p)
{
  return p < r->end && *p >= '0' && *p <= '9';
}

/* A number as JSON writes one; an integer (no fraction, no exponent) must fit 64 bits and a
 * real must be finite, as jansson has them. */
static json_t *
read_number(Reader *r)
{
  const char *s = r->p, *p = s;
  gboolean negative = *p == '-';
  if (negative)
    p++;
  if (!is_digit(r, p))
    return stop(r, "an invalid number");
  if (*p == '0') {
    if (is_digit(r, ++p))
      return stop(r, "a number with a leading zero");
  } else {
    while (is_digit(r, p))
      p++;
  }
  gboolean real = FALSE;
  if (p < r->end && *p == '.') {
    real = TRUE;
    if (!is_digit(r, ++p))
      return stop_at(r, p, "a number without digits after its point");
    while (is_digit(r, p))
      p++;
  }
  if (p < r->end && (*p == 'e' || *p == 'E')) {
    real = TRUE;
    p++;
    if (p < r->end && (*p == '+' || *p == '-'))
      p++;
    if (!is_digit(r, p))
      return stop_at(r, p, "a number without digits in its exponent");
    while (is_digit(r, p))
      p++;
  }
  r->p = p;
  if (!real) {
    guint64 limit = negative ? (guint64)G_MAXINT64 + 1 : (guint64)G_MAXINT64, n = 0;
    for (const char *d = s + negative; d < p; d++) {
      guint digit = (guint)(*d - '0');
      if (n > (limit - digit) / 10)
        return stop_at(r, s, "an integer too large for 64 bits");
      n = n * 10 + digit;
    }
    return json_integer(!negative ? (json_int_t)n : n == limit ? G_MININT64 : -(json_int_t)n);
  }
  char small[64];
  gsize len = (gsize)(p - s);
  char *text = len < sizeof small ? small : g_malloc(len + 1);
  memcpy(text, s, len);
  text[len] = '\0';
  errno = 0;
  double value = g_ascii_strtod(text, NULL);
  gboolean overflow = errno == ERANGE && isinf(value);
  if (text != small)
    g_free(text);
  if (overflow)
    return stop_at(r, s, "a real number too large");
  return json_real(value);
}

static json_t *
read_literal(Reader *r, const char *word, json_t *value)
{
  gsize len = strlen(word);
  if ((gsize)(r->end - r->p) < len || memcmp(r->p, word, len) != 0)
    return stop(r, "an invalid token");
  r->p += len;
  return value;
}

/* Skips whitespace, then takes @c if it comes next. */
static gboolean
take(Reader *r, char c)
{
  skip_space(r);
  if (r->p == r->end || *r->p != c)
    return FALSE;
  r->p++;
  return TRUE;
}

static json_t *
read_object(Reader *r, int depth)
{
  g_autoptr(json_t) object = json_object();
  r->p++;
  if (take(r, '}'))
    return g_steal_pointer(&object);
  do {
    skip_space(r);
    if (r->p == r->end || *r->p != '"')
      return stop(r, "a string expected as a member's name");
    const char *at = r->p, *text;
    gsize len;
    if (!read_string(r, &text, &len))
      return NULL;
    /* A name with escapes lives in the scratch buffer, which the value may reuse. */
    g_autofree char *copy = text == r->scratch->str ? g_strndup(text, len) : NULL;
    const char *name = copy ? copy : text;
    if (json_object_getn(object, name, len))
      return stop_at(r, at, "a duplicate member name");
    if (!take(r, ':'))
      return stop(r, "':' expected");
    json_t *value = read_value(r, depth + 1);
    if (!value)
      return NULL;
    json_object_setn_new_nocheck(object, name, len, value);
  } while (take(r, ','));
  if (!take(r, '}'))
    return stop(r, "',' or '}' expected");
  return g_steal_pointer(&object);
}

static json_t *
read_array(Reader *r, int depth)
{
  g_autoptr(json_t) array = json_array();
  r->p++;
  if (take(r, ']'))
    return g_steal_pointer(&array);
  do {
    json_t *value = read_value(r, depth + 1);
    if (!value)
      return NULL;
    json_array_append_new(array, value);
  } while (take(r, ','));
  if (!take(r, ']'))
    return stop(r, "',' or ']' expected");
  return g_steal_pointer(&array);
}

static json_t *
read_value(Reader *r, int depth)
{
  if (depth > PT_JSON_DEPTH_MAX) {
    r->too_deep = TRUE;
    return NULL;
  }
  skip_space(r);
  if (r->p == r->end)
    return stop(r, "premature end of input");
  switch (*r->p) {
  case '{':
    return read_object(r, depth);
  case '[':
    return read_array(r, depth);
  case '"': {
    const char *text;
    gsize len;
    return read_string(r, &text, &len) ? json_stringn_nocheck(text, len) : NULL;
  }
  case 't':
    return read_literal(r, "true", json_true());
  case 'f':
    return read_literal(r, "false", json_false());
  case 'n':
    return read_literal(r, "null", json_null());
  default:
    if (*r->p == '-' || (*r->p >= '0' && *r->p <= '9'))
      return read_number(r);
    return stop(r, "an invalid token");
  }
}

json_t *
pt_json_parse(const char *data, gsize len, GError **error)
{
  g_autoptr(GString) scratch = g_string_new(NULL);
  Reader r = {.p = data, .start = data, .end = data + len, .scratch = scratch};
  json_t *v = NULL;
  skip_space(&r);
  if (r.p == r.end || (*r.p != '{' && *r.p != '['))
    stop(&r, "'{' or '[' expected");
  else if ((v = read_value(&r, 0))) {
    skip_space(&r);
    if (r.p != r.end) {
      g_clear_pointer(&v, json_decref);
      stop(&r, "the end expected after the value");
    }
  }
  if (v)
    return v;
  /* Too deep is malformed for us (a 400), whether or not the rest would have read: reading
   * stops at the bound, so a hostile text costs no more than PT_JSON_DEPTH_MAX levels. */
  if (r.too_deep) {
    g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "JSON nested deeper than %d",
                PT_JSON_DEPTH_MAX);
    return NULL;
  }
  int line = 1;
  const char *line_start = r.start;
  for (const char *q = r.start; q < r.p; q++)
    if (*q == '\n')
      line++, line_start = q + 1;
  g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "malformed JSON at line %d column %d: %s", line,
              (int)(r.p - line_start) + 1, r.what);
  return NULL;
}
