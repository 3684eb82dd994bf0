/* pt-voice-pick.h: the PTI voice pick code printed on case labels: CRC-16/ARC over
 * the ASCII of GTIN-14 + lot + optional YYMMDD date, modulo 10000, printed as four
 * digits of which the first two are small and the last two large. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* CRC-16/ARC (poly 0x8005 reflected, init 0, no final xor) of @n bytes at @data. */
guint16 pt_crc16_arc(const guint8 *data, gsize n);

/* Computes the code for @gtin14 (14 digits; the check digit is not verified here
 * because the code is defined over the printed text), @lot (GS1 lot rules) and
 * @yymmdd (nullable or empty: no date; else six digits).  Writes four digits + NUL
 * into @out, e.g. "0275".  Returns FALSE with @error (PT_GS1_ERROR) on bad input. */
gboolean pt_voice_pick_code(const char *gtin14, const char *lot, const char *yymmdd, char out[5],
                            GError **error);

G_END_DECLS
