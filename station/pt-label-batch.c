/* pt-label-batch.c: from a batch row and station.ini to label content, rendered
 * labels and their JSON description.  Runs once per label previewed or printed. */
#include "pt-label-batch.h"

#include "pt-batch-signed.h"

#include "pt-error.h"
#include "pt-keys.h"
#include "pt-limits.h"

#include <sodium.h>
#include <string.h>

#include "pt-barcode.h"
#include "pt-labels-limits.h"

/* "2026-11-25" -> "261125" (the store holds valid YYYY-MM-DD). */
static void
to_yymmdd(const char *iso, char out[7])
{
  out[0] = '\0';
  if (iso && strlen(iso) == 10)
    g_snprintf(out, 7, "%.2s%.2s%.2s", iso + 2, iso + 5, iso + 8);
}

/* UN/CEFACT Rec 20 codes as a label reader knows them; others print as the code. */
static const char *
uom_text(const char *uom)
{
  static const struct {
    const char *code, *text;
  } units[] = {{"KGM", "kg"}, {"GRM", "g"}, {"TNE", "t"}, {"LBR", "lb"}, {"H87", "pcs"}};
  if (!uom)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS(units); i++)
    if (strcmp(uom, units[i].code) == 0)
      return units[i].text;
  return uom;
}

static const char *
zh_for(const PtLabelSettings *s, const char *text)
{
  return text ? g_hash_table_lookup(s->zh, text) : NULL;
}

void
pt_batch_label_init(PtBatchLabel *label, const PtConfig *config, const PtBatch *b)
{
  const PtLabelSettings *s = config->labels;
  memset(label, 0, sizeof *label);
  to_yymmdd(b->pack_date, label->pack_yymmdd);
  to_yymmdd(b->harvest_date, label->harvest_yymmdd);
  label->content = (PtLabelContent){
      .gtin = b->gtin,
      .lot = b->lot,
      .pack_date = label->pack_yymmdd,
      .harvest_date = label->harvest_yymmdd,
      .link_host = config->public_host,
      .product_en = b->product,
      .product_zh = zh_for(s, b->product),
      .variety_en = b->variety,
      .variety_zh = zh_for(s, b->variety),
      .origin_en = b->origin,
      .origin_zh = zh_for(s, b->origin),
      .grower = b->grower,
      .supplier_name = s->supplier_name,
      .supplier_address = s->supplier_address,
      .pack_size = s->pack_size,
      .quantity = b->has_quantity ? b->quantity : 0,
      .uom = uom_text(b->uom),
  };
}

/* Label library errors in the station's domain: the caller picks an exit code or an
 * HTTP status from PT_ERROR codes only. */
static void
to_pt_error(GError *inner, const PtBatch *b, GError **error)
{
  gboolean bad_content =
      (inner->domain == PT_LABEL_ERROR &&
       (inner->code == PT_LABEL_ERROR_INVALID || inner->code == PT_LABEL_ERROR_TOO_LONG)) ||
      inner->domain == PT_BARCODE_ERROR;
  g_set_error(error, PT_ERROR, bad_content ? PT_ERROR_INVALID : PT_ERROR_FAILED,
              "label for lot %s: %s", b->lot, inner->message);
  g_error_free(inner);
}

GBytes *
pt_batch_label_render(const PtConfig *config, const PtBatch *batch, PtLabelTemplate template_,
                      PtLabelFormat format, guint dpi, guint copies, GError **error)
{
  PtBatchLabel label;
  pt_batch_label_init(&label, config, batch);
  PtLabelOptions options = {.dpi = dpi, .copies = copies};
  GError *inner = NULL;
  GBytes *out = pt_label_render(&label.content, template_, format, &options, &inner);
  if (!out)
    to_pt_error(inner, batch, error);
  return out;
}

static void
set_text(json_t *o, const char *key, const char *value)
{
  json_object_set_new(o, key, value && *value ? json_string(value) : json_null());
}

json_t *
pt_batch_label_to_json(const PtConfig *config, const PtBatch *batch, GError **error)
{
  PtBatchLabel label;
  pt_batch_label_init(&label, config, batch);
  const PtLabelContent *c = &label.content;
  g_auto(PtLabelCodes) codes = {0};
  GError *inner = NULL;
  if (!pt_label_codes(c, &codes, &inner)) {
    to_pt_error(inner, batch, error);
    return NULL;
  }
  json_t *o =
      json_pack("{sIssssssssssss}", "batch_id", (json_int_t)batch->id, "lot", batch->lot, "gtin14",
                codes.gtin14, "digital_link", codes.digital_link, "gs1_element_string",
                codes.element_hri, "voice_pick_code", codes.voice_pick, "pack_date", c->pack_date);
  set_text(o, "harvest_date", c->harvest_date);
  set_text(o, "product_en", c->product_en);
  set_text(o, "product_zh", c->product_zh);
  set_text(o, "variety_en", c->variety_en);
  set_text(o, "variety_zh", c->variety_zh);
  set_text(o, "origin_en", c->origin_en);
  set_text(o, "origin_zh", c->origin_zh);
  set_text(o, "grower", c->grower);
  set_text(o, "supplier_name", c->supplier_name);
  set_text(o, "supplier_address", c->supplier_address);
  set_text(o, "pack_size", c->pack_size);
  json_object_set_new(o, "quantity", c->quantity > 0 ? json_real(c->quantity) : json_null());
  set_text(o, "uom", c->uom);
  return o;
}

char *
pt_label_file_name(const PtBatch *batch, PtLabelTemplate template_, PtLabelFormat format)
{
  char *name = g_strdup_printf("%s-%s.%s", batch->lot, pt_label_template_to_string(template_),
                               pt_label_format_to_string(format));
  return g_strdelimit(name, "/\\\"", '_');
}

char *
pt_label_sha256(GBytes *bytes)
{
  gsize len;
  const guint8 *data = g_bytes_get_data(bytes, &len);
  guint8 digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, data, len);
  return pt_hex_encode(digest, sizeof digest);
}

const char *
pt_label_content_type(PtLabelFormat format)
{
  switch (format) {
  case PT_LABEL_PNG:
    return "image/png";
  case PT_LABEL_PDF:
    return "application/pdf";
  case PT_LABEL_SVG:
    return "image/svg+xml";
  case PT_LABEL_ZPL:
    break;
  }
  /* ZPL is a printer language in plain ASCII. */
  return "text/plain; charset=us-ascii";
}

PtBatch *
pt_batch_label_facts(PtStore *store, const guint8 anchor[PT_PUB_LEN], const PtBatch *row,
                     GError **error)
{
  g_auto(PtBatchSigned) st = {0};
  if (!pt_batch_signed_read(store, anchor, row, &st, error))
    return NULL;
  g_autofree char *refused = pt_batch_signed_refusal(&st, "printed");
  if (refused) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "%s", refused);
    return NULL;
  }
  return g_steal_pointer(&st.facts);
}
