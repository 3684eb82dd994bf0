/* pt-voice-pick.c: PTI voice pick code.  Computed once per label; a bitwise CRC is
 * plenty for ~40 bytes. */
#include "pt-voice-pick.h"

#include <string.h>

#include "pt-gs1.h"

guint16
pt_crc16_arc(const guint8 *data, gsize n)
{
  guint16 crc = 0;
  for (gsize i = 0; i < n; i++) {
    crc ^= data[i];
    for (int b = 0; b < 8; b++)
      crc = (crc & 1) ? (guint16)((crc >> 1) ^ 0xA001) : (guint16)(crc >> 1);
  }
  return crc;
}

gboolean
pt_voice_pick_code(const char *gtin14, const char *lot, const char *yymmdd, char out[5],
                   GError **error)
{
  if (strlen(gtin14) != PT_GS1_GTIN_LEN || strspn(gtin14, "0123456789") != PT_GS1_GTIN_LEN) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "voice pick code: GTIN must be 14 digits, got '%s'", gtin14);
    return FALSE;
  }
  if (!pt_gs1_validate_lot(lot, error))
    return FALSE;
  gboolean has_date = yymmdd && *yymmdd;
  if (has_date && (strlen(yymmdd) != 6 || strspn(yymmdd, "0123456789") != 6)) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "voice pick code: date must be YYMMDD, got '%s'", yymmdd);
    return FALSE;
  }
  char text[PT_GS1_GTIN_LEN + PT_GS1_LOT_MAX + 6 + 1];
  int n = g_snprintf(text, sizeof text, "%s%s%s", gtin14, lot, has_date ? yymmdd : "");
  guint code = pt_crc16_arc((const guint8 *)text, (gsize)n) % 10000u;
  g_snprintf(out, 5, "%04u", code);
  return TRUE;
}
