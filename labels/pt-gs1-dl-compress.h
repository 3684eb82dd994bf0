/* pt-gs1-dl-compress.h: decompression of compressed GS1 Digital Link URIs (GS1 Digital Link
 * Standard 1.1, section "Compression"): the path after the host is one segment of URI-safe
 * base64 whose bits carry the element strings.  A resolver receives these from scanners it
 * does not control, so the decoder is as strict as the uncompressed parser (pt-gs1-dl.h):
 * every read is bounded by the input, nothing is allocated but the answer, and it has a fuzz
 * target.
 *
 * Coverage: the AIs the uncompressed parser resolves, 01 with its qualifiers 22, 10, 21 and
 * the dates 11, 13, 15, 17, written one by one or through the standard's optimisation codes
 * (0A 0B 0C 0D 1A 1B 1C 1F), and non-GS1 key=value pairs (hex F).  A link carrying any other
 * AI is refused with a message naming it, never decoded halfway. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The shortest compressed path segment recognised (GS1 Digital Link 1.1, RE3: ten or more
 * URI-safe base64 characters). */
#define PT_DL_COMPRESSED_MIN 10

/* TRUE when the @n bytes at @segment are only URI-safe base64 characters (A-Z a-z 0-9 - _)
 * and at least PT_DL_COMPRESSED_MIN of them. */
gboolean pt_gs1_dl_is_compressed(const char *segment, gsize n);

/* Decompresses the @n bytes of @segment and appends the uncompressed request target to @out:
 * "/01/{gtin}[/22/..][/10/..][/21/..]" then "?" and the date AIs in the order 11, 13, 15, 17
 * and the non-GS1 pairs in the order written, values percent-encoded as
 * pt_gs1_dl_append_value() does.  The result still has to be parsed
 * (pt_gs1_digital_link_parse()), which checks the check digit, character sets and dates.
 * Refuses: characters outside URI-safe base64, an AI this resolver does not resolve, an AI
 * twice, no AI 01, a value running past the end of the bits, encodings 5-7, a numeric value
 * with more digits than its field, a target over PT_DL_URI_MAX.  On failure @out is left as it
 * was.  Errors are PT_GS1_ERROR_SYNTAX, the message says what is wrong. */
gboolean pt_gs1_dl_decompress(const char *segment, gsize n, GString *out, GError **error);

G_END_DECLS
