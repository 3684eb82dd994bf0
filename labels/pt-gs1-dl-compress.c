/* pt-gs1-dl-compress.c: the compressed GS1 Digital Link decoder (see pt-gs1-dl-compress.h).
 *
 * The bits are read straight from the base64 text, one at a time through a cursor that can
 * never pass the end: a compressed link is tens of characters, so clarity wins over speed.
 * Each element is an AI (two decimal nibbles, or one hex byte naming a sequence of AIs, or F
 * for a non-GS1 key) followed by its value: a fixed-length numeric field as a binary number of
 * ceil(digits * log2(10) + 0.01) bits; a variable-length field as a 3-bit encoding (0 digits,
 * 1 lower-case hex, 2 upper-case hex, 3 URI-safe base64, 4 7-bit ASCII), its length in
 * characters, then the characters.  Workload: one decode per scanned compressed link. */
#include "pt-gs1-dl-compress.h"

#include "pt-gs1-dl.h"
#include "pt-gs1.h"
#include "pt-labels-limits.h"

#include <math.h>
#include <string.h>

static const char base64url[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
static const char hex_digits[] = "0123456789ABCDEF";

/* The longest value of a non-GS1 pair: its length field has 7 bits. */
#define PAIR_VALUE_MAX 127
/* The most digits a numeric run may have: 10^19 still fits 64 bits. */
#define DIGITS_MAX 19

typedef struct {
  const char *text; /* the base64 characters, already checked */
  gsize n_bits;
  gsize pos;
} Bits;

static int
base64_index(char c)
{
  const char *at = c ? strchr(base64url, c) : NULL;
  return at ? (int)(at - base64url) : -1;
}

static gboolean fail(GError **error, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean
fail(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "compressed Digital Link: %s", msg);
  return FALSE;
}

static gboolean
read_bits(Bits *b, guint n, guint64 *out, GError **error)
{
  if (n > 64 || b->n_bits - b->pos < n)
    return fail(error, "the data ends in the middle of a value");
  guint64 v = 0;
  for (guint i = 0; i < n; i++) {
    gsize bit = b->pos + i;
    int sextet = base64_index(b->text[bit / 6]);
    v = (v << 1) | (guint64)((sextet >> (5 - bit % 6)) & 1);
  }
  b->pos += n;
  *out = v;
  return TRUE;
}

/* Bits of a number of @digits decimal digits. */
static guint
value_bits(guint digits)
{
  return (guint)ceil(digits * log2(10.0) + 0.01);
}

/* Bits of a length field whose largest value is @max. */
static guint
length_bits(guint max)
{
  guint b = 0;
  while ((1u << b) <= max)
    b++;
  return b;
}

/* @digits decimal digits into @out (room for DIGITS_MAX + 1), leading zeros kept. */
static gboolean
read_digits(Bits *b, guint digits, char *out, GError **error)
{
  if (digits > DIGITS_MAX)
    return fail(error, "a numeric value of %u digits is longer than this resolver reads", digits);
  guint64 v = 0, limit = 1;
  for (guint i = 0; i < digits; i++)
    limit *= 10;
  if (!read_bits(b, value_bits(digits), &v, error))
    return FALSE;
  if (v >= limit)
    return fail(error, "a numeric value has more than its %u digits", digits);
  for (guint i = digits; i-- > 0;) {
    out[i] = (char)('0' + v % 10);
    v /= 10;
  }
  out[digits] = '\0';
  return TRUE;
}

/* @count characters in encoding @enc into @out (room for @out_max and a NUL). */
static gboolean
read_chars(Bits *b, guint enc, guint count, char *out, gsize out_max, GError **error)
{
  if (count > out_max)
    return fail(error, "a value of %u characters is over its %zu", count, out_max);
  if (enc == 0)
    return read_digits(b, count, out, error);
  guint width = enc == 1 || enc == 2 ? 4 : enc == 3 ? 6 : enc == 4 ? 7 : 0;
  if (!width)
    return fail(error, "value encoding %u is not defined", enc);
  for (guint i = 0; i < count; i++) {
    guint64 v = 0;
    if (!read_bits(b, width, &v, error))
      return FALSE;
    char c = enc == 1   ? g_ascii_tolower(hex_digits[v])
             : enc == 2 ? hex_digits[v]
             : enc == 3 ? base64url[v]
                        : (char)v;
    /* A NUL cannot be carried through C strings; 7-bit ASCII has no business sending it. */
    if (c == '\0')
      return fail(error, "a value holds a NUL character");
    out[i] = c;
  }
  out[count] = '\0';
  return TRUE;
}

/* The AIs this decoder knows, in the order the uncompressed link writes them. */
typedef struct {
  const char *ai;
  gboolean numeric; /* fixed-length digits; else X, variable up to @len */
  guint len;
} AiFormat;

static const AiFormat formats[] = {
    {"01", TRUE, 14}, {"22", FALSE, 20}, {"10", FALSE, 20}, {"21", FALSE, 20},
    {"11", TRUE, 6},  {"13", TRUE, 6},   {"15", TRUE, 6},   {"17", TRUE, 6},
};
#define FIRST_QUERY_AI 4

/* The optimisation codes of the standard whose AIs are all in formats[], each sequence in
 * ascending AI order: GS1's reference toolkit sorts its table before it writes or reads a
 * sequence, so 1A, listed as (01)(10)(21)(17), is (01)(10)(17)(21) in every compressed link it
 * has made. */
static const struct {
  guint8 code;
  const char *ais[4];
} sequences[] = {
    {0x0A, {"01", "22"}},
    {0x0B, {"01", "10"}},
    {0x0C, {"01", "21"}},
    {0x0D, {"01", "17"}},
    {0x1A, {"01", "10", "17", "21"}},
    {0x1B, {"01", "15"}},
    {0x1C, {"01", "11"}},
    {0x1F, {"01", "10", "15"}},
};

typedef struct {
  char values[G_N_ELEMENTS(formats)][PT_DL_VALUE_MAX + 1];
  gboolean seen[G_N_ELEMENTS(formats)];
  GString *pairs; /* the non-GS1 key=value pairs, '&'-joined */
} Decoded;

static gboolean
read_ai(Bits *b, const char *ai, Decoded *d, GError **error)
{
  gsize i = 0;
  while (i < G_N_ELEMENTS(formats) && strcmp(formats[i].ai, ai) != 0)
    i++;
  if (i == G_N_ELEMENTS(formats))
    return fail(error, "AI (%s) is not one this resolver resolves", ai);
  if (d->seen[i])
    return fail(error, "AI (%s) appears twice", ai);
  d->seen[i] = TRUE;
  if (formats[i].numeric)
    return read_digits(b, formats[i].len, d->values[i], error);
  guint64 enc = 0, count = 0;
  return read_bits(b, 3, &enc, error) && read_bits(b, length_bits(formats[i].len), &count, error) &&
         read_chars(b, (guint)enc, (guint)count, d->values[i], formats[i].len, error);
}

/* A non-GS1 key=value pair; @high is the 4 bits after the F. */
static gboolean
read_pair(Bits *b, guint64 high, Decoded *d, GError **error)
{
  guint64 low = 0, enc = 0, count = 0;
  if (!read_bits(b, 3, &low, error))
    return FALSE;
  guint key_len = (guint)(high << 3 | low);
  if (key_len == 0)
    return fail(error, "a key=value pair has an empty key");
  char key[128];
  for (guint i = 0; i < key_len; i++) {
    guint64 v = 0;
    if (!read_bits(b, 6, &v, error))
      return FALSE;
    key[i] = base64url[v];
  }
  key[key_len] = '\0';
  char value[PAIR_VALUE_MAX + 1];
  if (!read_bits(b, 3, &enc, error) || !read_bits(b, 7, &count, error) ||
      !read_chars(b, (guint)enc, (guint)count, value, PAIR_VALUE_MAX, error))
    return FALSE;
  if (d->pairs->len)
    g_string_append_c(d->pairs, '&');
  g_string_append(d->pairs, key);
  g_string_append_c(d->pairs, '=');
  pt_gs1_dl_append_value(d->pairs, value);
  return TRUE;
}

static gboolean
read_element(Bits *b, Decoded *d, GError **error)
{
  guint64 h1 = 0, h2 = 0;
  if (!read_bits(b, 4, &h1, error) || !read_bits(b, 4, &h2, error))
    return FALSE;
  if (h1 <= 9 && h2 <= 9) {
    char ai[3] = {(char)('0' + h1), (char)('0' + h2), '\0'};
    return read_ai(b, ai, d, error);
  }
  if (h1 == 0xF)
    return read_pair(b, h2, d, error);
  guint8 code = (guint8)(h1 << 4 | h2);
  for (gsize i = 0; i < G_N_ELEMENTS(sequences); i++) {
    if (sequences[i].code != code)
      continue;
    for (gsize k = 0; k < G_N_ELEMENTS(sequences[i].ais) && sequences[i].ais[k]; k++)
      if (!read_ai(b, sequences[i].ais[k], d, error))
        return FALSE;
    return TRUE;
  }
  return fail(error, "optimisation code %02X is not one this resolver resolves", code);
}

gboolean
pt_gs1_dl_is_compressed(const char *segment, gsize n)
{
  if (n < PT_DL_COMPRESSED_MIN)
    return FALSE;
  for (gsize i = 0; i < n; i++)
    if (base64_index(segment[i]) < 0)
      return FALSE;
  return TRUE;
}

gboolean
pt_gs1_dl_decompress(const char *segment, gsize n, GString *out, GError **error)
{
  if (n > PT_DL_URI_MAX)
    return fail(error, "longer than %d characters", PT_DL_URI_MAX);
  for (gsize i = 0; i < n; i++)
    if (base64_index(segment[i]) < 0)
      return fail(error, "character %zu is not URI-safe base64", i + 1);
  Bits b = {.text = segment, .n_bits = n * 6};
  Decoded d = {.pairs = g_string_new(NULL)};
  gboolean ok = TRUE;
  /* What is left after the last element is padding to a whole base64 character. */
  while (ok && b.n_bits - b.pos > 8)
    ok = read_element(&b, &d, error);
  if (ok && !d.seen[0])
    ok = fail(error, "it carries no GTIN (AI 01)");
  if (!ok) {
    g_string_free(d.pairs, TRUE);
    return FALSE;
  }
  g_autoptr(GString) target = g_string_new(NULL);
  for (gsize i = 0; i < FIRST_QUERY_AI; i++) {
    if (!d.seen[i])
      continue;
    g_string_append_printf(target, "/%s/", formats[i].ai);
    pt_gs1_dl_append_value(target, d.values[i]);
  }
  char sep = '?';
  for (gsize i = FIRST_QUERY_AI; i < G_N_ELEMENTS(formats); i++) {
    if (!d.seen[i])
      continue;
    g_string_append_printf(target, "%c%s=%s", sep, formats[i].ai, d.values[i]);
    sep = '&';
  }
  if (d.pairs->len)
    g_string_append_printf(target, "%c%s", sep, d.pairs->str);
  g_string_free(d.pairs, TRUE);
  if (target->len > PT_DL_URI_MAX)
    return fail(error, "it decompresses to more than %d characters", PT_DL_URI_MAX);
  g_string_append_len(out, target->str, (gssize)target->len);
  return TRUE;
}
