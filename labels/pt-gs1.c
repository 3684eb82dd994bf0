/* pt-gs1.c: GS1 check digits, lot character set, dates and Digital Link building.
 * Called on every batch creation and every scan, so everything here is allocation
 * free except the URI builder. */
#include "pt-gs1.h"

#include <string.h>

G_DEFINE_QUARK(packtrace_gs1_error, pt_gs1_error)

int
pt_gs1_check_digit(const char *digits, gsize n_digits)
{
  int sum = 0;
  for (gsize i = 0; i < n_digits; i++) {
    char c = digits[n_digits - 1 - i];
    if (!g_ascii_isdigit(c))
      return -1;
    /* From the right: 3, 1, 3, 1, ... */
    sum += (c - '0') * ((i % 2 == 0) ? 3 : 1);
  }
  return (10 - sum % 10) % 10;
}

gboolean
pt_gs1_validate_key(const char *what, const char *digits, gsize len, GError **error)
{
  gsize n = strlen(digits);
  if (n != len) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "%s must have %zu digits, got %zu", what,
                len, n);
    return FALSE;
  }
  for (gsize i = 0; i < n; i++) {
    if (!g_ascii_isdigit(digits[i])) {
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                  "%s must be digits only; character %zu is '%c'", what, i + 1, digits[i]);
      return FALSE;
    }
  }
  int expected = pt_gs1_check_digit(digits, n - 1);
  if (expected != digits[n - 1] - '0') {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHECK_DIGIT,
                "%s %s has a wrong check digit: expected %d, got %c", what, digits, expected,
                digits[n - 1]);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_gs1_gtin14(const char *gtin, char out[PT_GS1_GTIN_LEN + 1], GError **error)
{
  gsize n = strlen(gtin);
  if (n != 8 && n != 12 && n != 13 && n != 14) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "GTIN must have 8, 12, 13 or 14 digits, got %zu characters", n);
    return FALSE;
  }
  char padded[PT_GS1_GTIN_LEN + 1];
  memset(padded, '0', PT_GS1_GTIN_LEN - n);
  memcpy(padded + PT_GS1_GTIN_LEN - n, gtin, n + 1);
  if (!pt_gs1_validate_key("GTIN", padded, PT_GS1_GTIN_LEN, error))
    return FALSE;
  memcpy(out, padded, PT_GS1_GTIN_LEN + 1);
  return TRUE;
}

gboolean
pt_gs1_is_cset82(char c)
{
  if (g_ascii_isalnum(c))
    return TRUE;
  return c != '\0' && strchr("!\"%&'()*+,-./:;<=>?_", c) != NULL;
}

gboolean
pt_gs1_validate_lot(const char *lot, GError **error)
{
  gsize n = strlen(lot);
  if (n == 0 || n > PT_GS1_LOT_MAX) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "lot must have 1 to %d characters, got %zu", PT_GS1_LOT_MAX, n);
    return FALSE;
  }
  for (gsize i = 0; i < n; i++) {
    if (!pt_gs1_is_cset82(lot[i])) {
      g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_CHARSET,
                  "lot character %zu (0x%02x) is outside GS1's 82-character set", i + 1,
                  (unsigned char)lot[i]);
      return FALSE;
    }
  }
  return TRUE;
}

static int
two_digits(const char *s)
{
  return (s[0] - '0') * 10 + (s[1] - '0');
}

gboolean
pt_gs1_validate_yymmdd(const char *yymmdd, int now_year, int *year_out, GError **error)
{
  if (strlen(yymmdd) != 6 || strspn(yymmdd, "0123456789") != 6) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "date '%s' is not YYMMDD", yymmdd);
    return FALSE;
  }
  int yy = two_digits(yymmdd), mm = two_digits(yymmdd + 2), dd = two_digits(yymmdd + 4);
  /* GS1 General Specifications 7.12: the century that puts the year within
   * -49..+50 years of the current one. */
  int century = now_year - now_year % 100;
  int year = century + yy;
  if (year - now_year > 50)
    year -= 100;
  else if (year - now_year < -49)
    year += 100;
  if (mm < 1 || mm > 12) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_DATE, "date '%s' has month %02d", yymmdd, mm);
    return FALSE;
  }
  if (dd > g_date_get_days_in_month((GDateMonth)mm, (GDateYear)year)) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_DATE, "date '%s': %04d-%02d has no day %02d",
                yymmdd, year, mm, dd);
    return FALSE;
  }
  if (year_out)
    *year_out = year;
  return TRUE;
}
