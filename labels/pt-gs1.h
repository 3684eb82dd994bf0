/* pt-gs1.h: GS1 identifier rules the whole station relies on: mod-10 check digits
 * (GTIN-8/12/13/14, GLN, SSCC), the AI 10 lot character set, YYMMDD dates, and the
 * uncompressed GS1 Digital Link URI for a batch.  Pure functions, no I/O. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_GS1_ERROR (pt_gs1_error_quark())
GQuark pt_gs1_error_quark(void);

typedef enum {
  PT_GS1_ERROR_SYNTAX,      /* not digits, wrong length, bad structure */
  PT_GS1_ERROR_CHECK_DIGIT, /* digits fine, check digit wrong */
  PT_GS1_ERROR_CHARSET,     /* a character outside the AI's character set */
  PT_GS1_ERROR_DATE,        /* a date that does not exist */
} PtGs1Error;

#define PT_GS1_GTIN_LEN 14
#define PT_GS1_LOT_MAX  20

/* The GS1 mod-10 check digit for the @n_digits digits at @digits (the digits
 * *before* the check digit).  Returns 0..9, or -1 when a character is not a digit. */
int pt_gs1_check_digit(const char *digits, gsize n_digits);

/* Checks that @digits is exactly @len ASCII digits whose last is the right check
 * digit.  @what names the key in the error ("GTIN", "GLN", "SSCC"). */
gboolean pt_gs1_validate_key(const char *what, const char *digits, gsize len, GError **error);

/* Accepts a GTIN-8, -12, -13 or -14 and writes its 14-digit form (leading zeros)
 * into @out, NUL-terminated.  On a wrong check digit the error names the expected one. */
gboolean pt_gs1_gtin14(const char *gtin, char out[PT_GS1_GTIN_LEN + 1], GError **error);

/* TRUE when @c is in GS1's 82-character set (AI 10, AI 21, ...). */
gboolean pt_gs1_is_cset82(char c);

/* Checks a lot / batch number: 1..20 characters of the 82-character set. */
gboolean pt_gs1_validate_lot(const char *lot, GError **error);

/* Checks a GS1 date YYMMDD: a real calendar date (DD may be 00, "end of month").
 * When @year_out is not NULL it receives the four-digit year (GS1 sliding century
 * relative to @now_year: -49..+50). */
gboolean pt_gs1_validate_yymmdd(const char *yymmdd, int now_year, int *year_out, GError **error);

G_END_DECLS
