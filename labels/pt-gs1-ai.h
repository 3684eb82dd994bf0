/* pt-gs1-ai.h: GS1 Application Identifier element strings, as printed under a
 * barcode ("(01)09506000134352(13)261125(10)ZG2611250007") and as carried in it
 * (FNC1, transmitted as GS 0x1D, after a variable-length AI that is followed by
 * another), plus SSCC and GLN helpers.  Pure functions, no I/O. */
#pragma once

#include <glib.h>

#include "pt-gs1.h"
#include "pt-labels-limits.h"

G_BEGIN_DECLS

#define PT_GS1_SSCC_LEN 18
#define PT_GS1_GLN_LEN  13
#define PT_GS1_GS       '\x1d'

/* One AI and its value.  Both (transfer none), NUL-terminated ASCII. */
typedef struct {
  const char *ai;
  const char *value;
} PtGs1Element;

typedef enum {
  PT_GS1_FORM_HRI,      /* (01)09506000134352(10)LOT: human-readable interpretation */
  PT_GS1_FORM_RAW,      /* 0109506000134352 10LOT, GS after variable-length AIs not last */
  PT_GS1_FORM_BRACKETS, /* [01]09506000134352[10]LOT: zint's GS1 input syntax */
} PtGs1Form;

/* Checks one AI value against the AI's format (length, digits, check digit, date,
 * 82-character set).  Knows the AIs a packing shed uses: 00, 01, 02, 10, 11, 13, 15,
 * 16, 17, 21, 22, 30, 37, 310n/320n (n = 0..5), 400, 410-414, 422; any other AI is
 * refused. */
gboolean pt_gs1_validate_ai(const char *ai, const char *value, GError **error);

/* TRUE when @ai's length is predefined by its first two digits (GS1 General
 * Specifications figure 7.8.5-2), i.e. it needs no FNC1 after it. */
gboolean pt_gs1_ai_is_predefined_length(const char *ai);

/* Builds the element string of @n_elements elements in @form after validating each
 * with pt_gs1_validate_ai().  Elements are written in the order given; a repeated AI
 * is refused.  Returns: (transfer full) (nullable): NULL with @error set. */
char *pt_gs1_element_string(const PtGs1Element *elements, gsize n_elements, PtGs1Form form,
                            GError **error);

/* One element read back from an element string (pt_gs1_element_string_parse()). */
typedef struct {
  char ai[5];
  char value[PT_GS1_AI_VALUE_MAX + 1];
} PtGs1ReadElement;

/* Reads an element string (untrusted) as a scanner transmits it -- an optional symbology
 * identifier ("]C1" GS1-128, "]d2" GS1 DataMatrix, "]Q3" GS1 QR), optional leading GS
 * characters, then AIs whose variable-length values end at a GS or at the end -- or as
 * printed under a barcode ("(01)09506000134352(10)LOT"), at most PT_GS1_ELEMENT_STRING_MAX
 * bytes.  Each element is checked with pt_gs1_validate_ai(); an unknown AI, a repeated AI
 * or more than @n_max elements is refused.  @out (caller-allocated, @n_max entries)
 * receives the elements in order and @n_out their number. */
gboolean pt_gs1_element_string_parse(const char *text, PtGs1ReadElement *out, gsize n_max,
                                     gsize *n_out, GError **error);

/* The value of @ai among the @n elements read, or NULL.  Returns: (transfer none) (nullable) */
const char *pt_gs1_read_find(const PtGs1ReadElement *elements, gsize n, const char *ai);

/* Checks an 18-digit SSCC (AI 00) / a 13-digit GLN (AI 410-414) and its check digit. */
gboolean pt_gs1_validate_sscc(const char *sscc, GError **error);
gboolean pt_gs1_validate_gln(const char *gln, GError **error);

/* Composes an SSCC: @extension (0..9), the GS1 company prefix @company_prefix (7 to
 * 10 digits) and @serial_ref zero-padded into the remaining digits, then the check
 * digit.  Fails when @serial_ref does not fit.  Writes 18 digits + NUL into @out. */
gboolean pt_gs1_sscc_compose(guint extension, const char *company_prefix, guint64 serial_ref,
                             char out[PT_GS1_SSCC_LEN + 1], GError **error);

/* The current UTC year, the reference for GS1's sliding century in YYMMDD dates. */
int pt_gs1_current_year(void);

G_END_DECLS
