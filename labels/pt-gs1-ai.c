/* pt-gs1-ai.c: AI formats, element strings, SSCC and GLN.  Called once per label
 * and per scan; a small linear table is faster than anything cleverer here. */
#include "pt-gs1-ai.h"

#include <string.h>

#include "pt-labels-limits.h"

typedef enum {
  AI_NUM,       /* digits, length min..max */
  AI_NUM_CHECK, /* fixed digits whose last is a mod-10 check digit */
  AI_DATE,      /* YYMMDD */
  AI_CSET82,    /* GS1 82-character set, length min..max */
} AiKind;

typedef struct {
  const char *ai; /* exact AI, or 3-digit prefix when `any4` (310n, 320n) */
  gboolean any4;  /* AI is prefix + one digit 0..5 (decimal point position) */
  AiKind kind;
  guint min, max;
  const char *title;
} AiFormat;

static const AiFormat ai_formats[] = {
    {"00", FALSE, AI_NUM_CHECK, 18, 18, "SSCC"},
    {"01", FALSE, AI_NUM_CHECK, 14, 14, "GTIN"},
    {"02", FALSE, AI_NUM_CHECK, 14, 14, "CONTENT"},
    {"10", FALSE, AI_CSET82, 1, 20, "BATCH/LOT"},
    {"11", FALSE, AI_DATE, 6, 6, "PROD DATE"},
    {"13", FALSE, AI_DATE, 6, 6, "PACK DATE"},
    {"15", FALSE, AI_DATE, 6, 6, "BEST BEFORE"},
    {"16", FALSE, AI_DATE, 6, 6, "SELL BY"},
    {"17", FALSE, AI_DATE, 6, 6, "USE BY"},
    {"21", FALSE, AI_CSET82, 1, 20, "SERIAL"},
    {"22", FALSE, AI_CSET82, 1, 20, "CPV"},
    {"30", FALSE, AI_NUM, 1, 8, "VAR. COUNT"},
    {"37", FALSE, AI_NUM, 1, 8, "COUNT"},
    {"310", TRUE, AI_NUM, 6, 6, "NET WEIGHT (kg)"},
    {"320", TRUE, AI_NUM, 6, 6, "NET WEIGHT (lb)"},
    {"400", FALSE, AI_CSET82, 1, 30, "ORDER NUMBER"},
    {"410", FALSE, AI_NUM_CHECK, 13, 13, "SHIP TO LOC"},
    {"411", FALSE, AI_NUM_CHECK, 13, 13, "BILL TO"},
    {"412", FALSE, AI_NUM_CHECK, 13, 13, "PURCHASE FROM"},
    {"413", FALSE, AI_NUM_CHECK, 13, 13, "SHIP FOR LOC"},
    {"414", FALSE, AI_NUM_CHECK, 13, 13, "LOC No."},
    {"422", FALSE, AI_NUM, 3, 3, "ORIGIN"},
};

static const AiFormat *
ai_lookup(const char *ai)
{
  for (gsize i = 0; i < G_N_ELEMENTS(ai_formats); i++) {
    const AiFormat *f = &ai_formats[i];
    if (f->any4) {
      if (strlen(ai) == 4 && strncmp(ai, f->ai, 3) == 0 && ai[3] >= '0' && ai[3] <= '5')
        return f;
    } else if (strcmp(ai, f->ai) == 0) {
      return f;
    }
  }
  return NULL;
}

gboolean
pt_gs1_ai_is_predefined_length(const char *ai)
{
  /* Figure 7.8.5-2: the two-digit prefixes whose element length is predefined. */
  static const char *const predefined[] = {"00", "01", "02", "03", "04", "11", "12", "13",
                                           "14", "15", "16", "17", "18", "19", "20", "31",
                                           "32", "33", "34", "35", "36", "41"};
  if (strlen(ai) < 2)
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(predefined); i++)
    if (ai[0] == predefined[i][0] && ai[1] == predefined[i][1])
      return TRUE;
  return FALSE;
}

gboolean
pt_gs1_validate_ai(const char *ai, const char *value, GError **error)
{
  const AiFormat *f = ai_lookup(ai);
  if (!f) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "AI (%s) is not supported", ai);
    return FALSE;
  }
  gsize n = strlen(value);
  if (n < f->min || n > f->max) {
    if (f->min == f->max)
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                  "AI (%s) %s must have %u characters, got %zu", ai, f->title, f->max, n);
    else
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                  "AI (%s) %s must have %u to %u characters, got %zu", ai, f->title, f->min, f->max,
                  n);
    return FALSE;
  }
  switch (f->kind) {
  case AI_NUM_CHECK:
    return pt_gs1_validate_key(f->title, value, n, error);
  case AI_DATE:
    return pt_gs1_validate_yymmdd(value, pt_gs1_current_year(), NULL, error);
  case AI_NUM:
    for (gsize i = 0; i < n; i++) {
      if (!g_ascii_isdigit(value[i])) {
        g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                    "AI (%s) %s must be digits only; character %zu is 0x%02x", ai, f->title, i + 1,
                    (unsigned char)value[i]);
        return FALSE;
      }
    }
    return TRUE;
  case AI_CSET82:
    for (gsize i = 0; i < n; i++) {
      if (!pt_gs1_is_cset82(value[i])) {
        g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHARSET,
                    "AI (%s) %s character %zu (0x%02x) is outside GS1's 82-character set", ai,
                    f->title, i + 1, (unsigned char)value[i]);
        return FALSE;
      }
    }
    return TRUE;
  }
  g_assert_not_reached();
}

char *
pt_gs1_element_string(const PtGs1Element *elements, gsize n_elements, PtGs1Form form,
                      GError **error)
{
  if (n_elements == 0 || n_elements > PT_GS1_ELEMENTS_MAX) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "an element string needs 1 to %d elements, got %zu", PT_GS1_ELEMENTS_MAX,
                n_elements);
    return NULL;
  }
  g_autoptr(GString) out = g_string_sized_new(64);
  for (gsize i = 0; i < n_elements; i++) {
    const PtGs1Element *e = &elements[i];
    if (!pt_gs1_validate_ai(e->ai, e->value, error))
      return NULL;
    for (gsize j = 0; j < i; j++) {
      if (strcmp(elements[j].ai, e->ai) == 0) {
        g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                    "AI (%s) appears twice in the element string", e->ai);
        return NULL;
      }
    }
    switch (form) {
    case PT_GS1_FORM_HRI:
      g_string_append_printf(out, "(%s)%s", e->ai, e->value);
      break;
    case PT_GS1_FORM_BRACKETS:
      g_string_append_printf(out, "[%s]%s", e->ai, e->value);
      break;
    case PT_GS1_FORM_RAW:
      g_string_append(out, e->ai);
      g_string_append(out, e->value);
      if (i + 1 < n_elements && !pt_gs1_ai_is_predefined_length(e->ai))
        g_string_append_c(out, PT_GS1_GS);
      break;
    }
  }
  if (out->len > PT_GS1_ELEMENT_STRING_MAX) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "element string is too long: %zu characters, at most %d", out->len,
                PT_GS1_ELEMENT_STRING_MAX);
    return NULL;
  }
  return g_string_free(g_steal_pointer(&out), FALSE);
}

/* The known AI at @p (2 to 4 digits), copied into @ai; NULL when none is known. */
static const AiFormat *
ai_at(const char *p, char ai[5])
{
  /* Each digit read is checked before the next is looked at: no read past the NUL. */
  if (!g_ascii_isdigit(p[0]))
    return NULL;
  for (gsize n = 2; n <= 4; n++) {
    if (!g_ascii_isdigit(p[n - 1]))
      return NULL;
    memcpy(ai, p, n);
    ai[n] = '\0';
    const AiFormat *f = ai_lookup(ai);
    if (f)
      return f;
  }
  return NULL;
}

/* The length of the value at @p in the printed form: up to the next "(AI)" of a known AI
 * (a lot may itself hold parentheses) or the end. */
static gsize
hri_value_len(const char *p)
{
  char ai[5];
  for (const char *q = p; *q; q++) {
    if (*q != '(')
      continue;
    const AiFormat *f = ai_at(q + 1, ai);
    if (f && q[1 + strlen(ai)] == ')')
      return (gsize)(q - p);
  }
  return strlen(p);
}

gboolean
pt_gs1_element_string_parse(const char *text, PtGs1ReadElement *out, gsize n_max, gsize *n_out,
                            GError **error)
{
  gsize len = strlen(text), n = 0;
  if (len > PT_GS1_ELEMENT_STRING_MAX) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "element string of %zu bytes is over the %d allowed", len,
                PT_GS1_ELEMENT_STRING_MAX);
    return FALSE;
  }
  const char *p = text;
  if (p[0] == ']' && p[1] && p[2])
    p += 3;
  gboolean printed = *p == '(';
  while (*p == PT_GS1_GS)
    p++;
  if (!*p) {
    g_set_error_literal(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "element string is empty");
    return FALSE;
  }
  while (*p) {
    char ai[5];
    if (printed && *p++ != '(') {
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                  "element string: '(' expected at byte %zu", (gsize)(p - text));
      return FALSE;
    }
    const AiFormat *f = ai_at(p, ai);
    gsize ai_len = f ? strlen(ai) : 0;
    if (!f || (printed && p[ai_len] != ')')) {
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                  "element string: no known AI at byte %zu", (gsize)(p - text));
      return FALSE;
    }
    p += ai_len + (printed ? 1 : 0);
    gsize vlen;
    if (printed)
      vlen = hri_value_len(p);
    else if (f->min == f->max && pt_gs1_ai_is_predefined_length(ai))
      vlen = MIN(strlen(p), (gsize)f->max);
    else
      vlen = strcspn(p, "\x1d");
    for (gsize i = 0; i < n; i++) {
      if (strcmp(out[i].ai, ai) == 0) {
        g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "element string: AI (%s) twice", ai);
        return FALSE;
      }
    }
    if (n == n_max) {
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                  "element string: more than %zu elements", n_max);
      return FALSE;
    }
    if (vlen > PT_GS1_AI_VALUE_MAX) {
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                  "AI (%s) %s: %zu characters is over the %u allowed", ai, f->title, vlen, f->max);
      return FALSE;
    }
    memcpy(out[n].ai, ai, sizeof ai);
    memcpy(out[n].value, p, vlen);
    out[n].value[vlen] = '\0';
    if (!pt_gs1_validate_ai(out[n].ai, out[n].value, error))
      return FALSE;
    n++;
    p += vlen;
    if (!printed && *p == PT_GS1_GS)
      p++;
  }
  *n_out = n;
  return TRUE;
}

const char *
pt_gs1_read_find(const PtGs1ReadElement *elements, gsize n, const char *ai)
{
  for (gsize i = 0; i < n; i++)
    if (strcmp(elements[i].ai, ai) == 0)
      return elements[i].value;
  return NULL;
}

gboolean
pt_gs1_validate_sscc(const char *sscc, GError **error)
{
  return pt_gs1_validate_key("SSCC", sscc, PT_GS1_SSCC_LEN, error);
}

gboolean
pt_gs1_validate_gln(const char *gln, GError **error)
{
  return pt_gs1_validate_key("GLN", gln, PT_GS1_GLN_LEN, error);
}

gboolean
pt_gs1_sscc_compose(guint extension, const char *company_prefix, guint64 serial_ref,
                    char out[PT_GS1_SSCC_LEN + 1], GError **error)
{
  gsize n_prefix = strlen(company_prefix);
  if (extension > 9) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "SSCC extension digit must be 0..9, got %u", extension);
    return FALSE;
  }
  if (n_prefix < 7 || n_prefix > 10 || strspn(company_prefix, "0123456789") != n_prefix) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "GS1 company prefix must be 7 to 10 digits, got '%s'", company_prefix);
    return FALSE;
  }
  /* Extension + prefix + serial reference = 17 digits. */
  int n_serial = (int)(16 - n_prefix);
  guint64 limit = 1;
  for (int i = 0; i < n_serial; i++)
    limit *= 10;
  if (serial_ref >= limit) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "SSCC serial reference %" G_GUINT64_FORMAT " does not fit in %d digits after "
                "company prefix %s",
                serial_ref, n_serial, company_prefix);
    return FALSE;
  }
  char buf[PT_GS1_SSCC_LEN + 2];
  g_snprintf(buf, sizeof buf, "%u%s%0*" G_GUINT64_FORMAT, extension, company_prefix, n_serial,
             serial_ref);
  buf[17] = (char)('0' + pt_gs1_check_digit(buf, 17));
  buf[18] = '\0';
  memcpy(out, buf, PT_GS1_SSCC_LEN + 1);
  return TRUE;
}

int
pt_gs1_current_year(void)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  return g_date_time_get_year(now);
}
