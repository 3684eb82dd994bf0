/* pt-label-content.c: label content validation (identifiers, dates, required fields,
 * UTF-8 without control characters, lengths) and the codes a label carries: GTIN-14,
 * Digital Link, AI element strings, voice pick code.  Runs once per label laid out. */
#include "pt-label-content.h"

#include <math.h>
#include <string.h>

#include "pt-gs1-ai.h"
#include "pt-gs1-dl.h"
#include "pt-labels-limits.h"
#include "pt-voice-pick.h"

static gboolean
check_text(const char *name, const char *text, gboolean required, GError **error)
{
  if (!text || !*text) {
    if (required)
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID, "%s is required", name);
    return !required;
  }
  gsize n = strlen(text);
  if (n > PT_LABEL_TEXT_MAX) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                "%s is too long: %zu bytes, at most %d", name, n, PT_LABEL_TEXT_MAX);
    return FALSE;
  }
  const char *end = NULL;
  if (!g_utf8_validate(text, (gssize)n, &end)) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                "%s is not valid UTF-8 (byte %zu is 0x%02x)", name, (gsize)(end - text) + 1,
                (unsigned char)*end);
    return FALSE;
  }
  for (const char *p = text; *p; p = g_utf8_next_char(p)) {
    gunichar c = g_utf8_get_char(p);
    if (g_unichar_iscntrl(c)) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                  "%s contains control character U+%04X at byte %zu", name, c,
                  (gsize)(p - text) + 1);
      return FALSE;
    }
  }
  return TRUE;
}

/* Moves a GError from a pt_gs1_* call into PT_LABEL_ERROR_INVALID, naming the field. */
static gboolean
invalid(GError **error, const char *field, GError *inner)
{
  g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID, "%s: %s", field, inner->message);
  g_error_free(inner);
  return FALSE;
}

void
pt_label_codes_clear(PtLabelCodes *codes)
{
  g_clear_pointer(&codes->digital_link, g_free);
  g_clear_pointer(&codes->element_hri, g_free);
  g_clear_pointer(&codes->element_raw, g_free);
}

gboolean
pt_label_codes(const PtLabelContent *c, PtLabelCodes *out, GError **error)
{
  g_return_val_if_fail(c != NULL && out != NULL, FALSE);
  memset(out, 0, sizeof *out);
  const struct {
    const char *name, *text;
    gboolean required;
  } fields[] = {
      {"gtin", c->gtin, TRUE},
      {"lot", c->lot, TRUE},
      {"pack_date", c->pack_date, TRUE},
      {"harvest_date", c->harvest_date, FALSE},
      {"link_host", c->link_host, TRUE},
      {"product_en", c->product_en, TRUE},
      {"product_zh", c->product_zh, FALSE},
      {"variety_en", c->variety_en, FALSE},
      {"variety_zh", c->variety_zh, FALSE},
      {"origin_en", c->origin_en, FALSE},
      {"origin_zh", c->origin_zh, FALSE},
      {"grade_en", c->grade_en, FALSE},
      {"grade_zh", c->grade_zh, FALSE},
      {"grower", c->grower, FALSE},
      {"supplier_name", c->supplier_name, FALSE},
      {"supplier_address", c->supplier_address, FALSE},
      {"pack_size", c->pack_size, FALSE},
      {"uom", c->uom, FALSE},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
    if (!check_text(fields[i].name, fields[i].text, fields[i].required, error))
      return FALSE;
  if (!isfinite(c->quantity) || c->quantity < 0 || c->quantity >= PT_LABEL_QUANTITY_MAX) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                "quantity must be between 0 and %d, got %g", PT_LABEL_QUANTITY_MAX, c->quantity);
    return FALSE;
  }

  GError *inner = NULL;
  int year = pt_gs1_current_year();
  if (!pt_gs1_gtin14(c->gtin, out->gtin14, &inner))
    return invalid(error, "gtin", inner);
  if (!pt_gs1_validate_lot(c->lot, &inner))
    return invalid(error, "lot", inner);
  if (!pt_gs1_validate_yymmdd(c->pack_date, year, NULL, &inner))
    return invalid(error, "pack_date", inner);
  if (c->harvest_date && *c->harvest_date &&
      !pt_gs1_validate_yymmdd(c->harvest_date, year, NULL, &inner))
    return invalid(error, "harvest_date", inner);

  /* The link is read back through the strict parser: what we print is what every
   * scan path accepts (this also vets the host). */
  out->digital_link = pt_gs1_digital_link(c->link_host, out->gtin14, c->lot, c->pack_date);
  PtDigitalLink dl;
  if (!pt_gs1_digital_link_parse(out->digital_link, year, &dl, &inner))
    goto out_invalid_link;

  const PtGs1Element el[] = {{"01", out->gtin14}, {"13", c->pack_date}, {"10", c->lot}};
  out->element_hri = pt_gs1_element_string(el, G_N_ELEMENTS(el), PT_GS1_FORM_HRI, &inner);
  if (!out->element_hri)
    goto out_invalid_element;
  out->element_raw = pt_gs1_element_string(el, G_N_ELEMENTS(el), PT_GS1_FORM_RAW, &inner);
  if (!out->element_raw)
    goto out_invalid_element;
  if (!pt_voice_pick_code(out->gtin14, c->lot, c->pack_date, out->voice_pick, &inner))
    goto out_invalid_element;
  return TRUE;

out_invalid_link:
  pt_label_codes_clear(out);
  return invalid(error, "link_host", inner);
out_invalid_element:
  pt_label_codes_clear(out);
  return invalid(error, "element string", inner);
}

gboolean
pt_logistic_codes(const PtLogisticContent *c, PtLabelCodes *out, GError **error)
{
  g_return_val_if_fail(c != NULL && out != NULL, FALSE);
  memset(out, 0, sizeof *out);
  GError *inner = NULL;
  if (!check_text("sscc", c->sscc, TRUE, error) ||
      !check_text("supplier_name", c->supplier_name, FALSE, error) ||
      !check_text("supplier_address", c->supplier_address, FALSE, error))
    return FALSE;
  if (strlen(c->sscc) != PT_GS1_SSCC_LEN || !pt_gs1_validate_sscc(c->sscc, &inner))
    return inner ? invalid(error, "sscc", inner) : check_text("sscc", NULL, TRUE, error);
  if (c->n_lines > 0 && !c->lines) {
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID, "lines are missing");
    return FALSE;
  }
  for (guint i = 0; i < c->n_lines; i++) {
    const PtLogisticLine *l = &c->lines[i];
    char gtin14[PT_GS1_GTIN_LEN + 1];
    if (!check_text("line product", l->product, TRUE, error) ||
        !check_text("line lot", l->lot, TRUE, error) ||
        !check_text("line gtin", l->gtin, TRUE, error))
      return FALSE;
    if (!pt_gs1_gtin14(l->gtin, gtin14, &inner))
      return invalid(error, "line gtin", inner);
    if (!pt_gs1_validate_lot(l->lot, &inner))
      return invalid(error, "line lot", inner);
    if (l->cases < 1 || l->cases > PT_LOGISTIC_COUNT_MAX) {
      g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID,
                  "line cases must be 1 to %d, got %u", PT_LOGISTIC_COUNT_MAX, l->cases);
      return FALSE;
    }
  }
  const PtGs1Element el[] = {{"00", c->sscc}};
  out->element_hri = pt_gs1_element_string(el, 1, PT_GS1_FORM_HRI, &inner);
  out->element_raw =
      out->element_hri ? pt_gs1_element_string(el, 1, PT_GS1_FORM_RAW, &inner) : NULL;
  if (!out->element_raw) {
    pt_label_codes_clear(out);
    return invalid(error, "element string", inner);
  }
  return TRUE;
}
