/* pt-gs1-dl.h: strict parser (and canonical writer) for the GS1 Digital Link URIs the
 * station prints and scans: http(s)://{host}/01/{gtin14}[/22/{cpv}][/10/{lot}][/21/{serial}]
 * [?11=|13=|15=|17={YYMMDD}...].  Every scan path goes through here, so the parser
 * allocates nothing, bounds its input (PT_DL_URI_MAX) and has a fuzz target. */
#pragma once

#include <glib.h>

#include "pt-gs1.h"
#include "pt-labels-limits.h"

G_BEGIN_DECLS

#define PT_DL_VALUE_MAX 20 /* AI 22, 10, 21: X..20 */

/* A parsed link.  Strings are NUL-terminated and empty when the AI is absent. */
typedef struct {
  gboolean https;                   /* FALSE: http */
  char host[PT_DL_HOST_MAX + 1];    /* authority as written: host[:port] */
  char gtin[PT_GS1_GTIN_LEN + 1];   /* AI 01, always 14 digits with a valid check digit */
  char cpv[PT_DL_VALUE_MAX + 1];    /* AI 22, percent-decoded */
  char lot[PT_DL_VALUE_MAX + 1];    /* AI 10, percent-decoded */
  char serial[PT_DL_VALUE_MAX + 1]; /* AI 21, percent-decoded */
  char prod_date[7];                /* AI 11 YYMMDD */
  char pack_date[7];                /* AI 13 */
  char best_before[7];              /* AI 15 */
  char expiry[7];                   /* AI 17 */
} PtDigitalLink;

/* Parses @uri into @out (caller-allocated, overwritten; undefined on failure).
 * Refuses: other schemes, user info or odd characters in the host, a path that is not
 * /01/{14 digits} followed by 22, 10, 21 in that order (each at most once), GTIN-8/12/13
 * in the path, a wrong check digit, values outside the 82-character set or over 20
 * characters after percent-decoding, malformed percent-encoding, query AIs 11/13/15/17
 * that are not real YYMMDD dates (century from @now_year, 0 = this year) or appear
 * twice, and path AIs (01, 22, 10, 21) in the query.  Other query parameters are
 * ignored; `&` and `;` both delimit; a #fragment is ignored.  The error message says
 * which part is wrong and why (PT_GS1_ERROR_*). */
gboolean pt_gs1_digital_link_parse(const char *uri, int now_year, PtDigitalLink *out,
                                   GError **error);

/* Appends @value (an AI value: 22, 10, 21...) to @s as one Digital Link path segment:
 * every byte outside RFC 3986's unreserved set (A-Z a-z 0-9 - . _ ~) becomes %XX with
 * upper-case hex, as GS1 Digital Link asks of AI values.  So '/', '%', '?', '&', '#' and
 * '\'' of the 82-character set can neither split the path nor name another lot. */
void pt_gs1_dl_append_value(GString *s, const char *value);

/* Builds https://@host/01/@gtin14/10/@lot[?13=@pack_yymmdd].  The lot is
 * percent-encoded where the URI syntax needs it.  Inputs must already be valid.
 * Returns: (transfer full). */
char *pt_gs1_digital_link(const char *host, const char *gtin14, const char *lot,
                          const char *pack_yymmdd);

/* @value percent-encoded as pt_gs1_dl_append_value() does.  Returns: (transfer full). */
char *pt_gs1_dl_encode_value(const char *value);

/* Percent-decodes the @n bytes of one path segment at @segment into @out (room for
 * @out_max bytes and a NUL).  Refuses malformed escapes, %00 and a value longer than
 * @out_max; the character set is the AI's to check (pt_gs1_validate_ai()). */
gboolean pt_gs1_dl_decode_value(const char *segment, gsize n, char *out, gsize out_max,
                                GError **error);

/* Refuses a value with a '/'-separated part "." or ".." ("../x", "a/./b"): GS1's character
 * set allows them, but to any proxy or cache that decodes %2F the link reads as a path
 * traversal.  A resolver uses it to tell a probe from a mistyped lot.  @what names the value. */
gboolean pt_gs1_dl_check_dot_segments(const char *what, const char *value, GError **error);

/* Writes @link back as an uncompressed URI: path AIs in GS1 order, values
 * percent-encoded except RFC 3986 unreserved characters, query AIs in the order 11, 13,
 * 15, 17 joined with `&`.  A link built by pt_gs1_digital_link() comes back unchanged.
 * Returns: (transfer full). */
char *pt_gs1_digital_link_format(const PtDigitalLink *link);

G_END_DECLS
