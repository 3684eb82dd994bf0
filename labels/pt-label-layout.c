/* pt-label-layout.c: the two label templates as boxes in points.  Pure geometry and
 * strings; the backends decide sizes in dots and fit the text. */
#include <string.h>

#include "pt-gs1-ai.h"
#include "pt-label-private.h"

static void
item_free(gpointer p)
{
  PtLabelItem *it = p;
  g_free(it->text);
  g_free(it->data);
  pt_barcode_free(it->barcode);
  g_free(it);
}

void
pt_label_layout_free(PtLabelLayout *layout)
{
  if (!layout)
    return;
  g_ptr_array_unref(layout->items);
  pt_label_codes_clear(&layout->codes);
  g_free(layout);
}

static gboolean
empty(const char *s)
{
  return !s || !*s;
}

/* Adds a text box unless @text is empty.  @text: (transfer full) (nullable).
 * Returns: (transfer none) (nullable): the item, NULL when nothing was added. */
static PtLabelItem *
add_text(PtLabelLayout *l, const char *name, char *text, double x, double y, double w, double h,
         double size, double min, gboolean bold, PangoAlignment align, int max_lines)
{
  if (empty(text)) {
    g_free(text);
    return NULL;
  }
  PtLabelItem *it = g_new0(PtLabelItem, 1);
  *it = (PtLabelItem){.kind = PT_ITEM_TEXT,
                      .x = x,
                      .y = y,
                      .w = w,
                      .h = h,
                      .name = name,
                      .text = text,
                      .size_pt = size,
                      .min_pt = MAX(min, PT_LABEL_TEXT_MIN_PT),
                      .bold = bold,
                      .align = align,
                      .max_lines = max_lines};
  g_ptr_array_add(l->items, it);
  return it;
}

/* Marks @item (nullable) as changing from one lot to the next, so the backends draw it
 * on every label instead of taking it from a template's cached static part. */
static void
vary(PtLabelItem *item)
{
  if (item)
    item->varies = TRUE;
}

static void
add_rule(PtLabelLayout *l, double x, double y, double w, double h, double line_pt)
{
  PtLabelItem *it = g_new0(PtLabelItem, 1);
  *it = (PtLabelItem){.kind = PT_ITEM_RULE, .x = x, .y = y, .w = w, .h = h, .line_pt = line_pt};
  g_ptr_array_add(l->items, it);
}

/* @bc, @data: (transfer full). */
static void
add_barcode(PtLabelLayout *l, PtBarcode *bc, char *data, double x, double y, double w, double h)
{
  PtLabelItem *it = g_new0(PtLabelItem, 1);
  *it = (PtLabelItem){.kind = PT_ITEM_BARCODE,
                      .x = x,
                      .y = y,
                      .w = w,
                      .h = h,
                      .barcode = bc,
                      .data = data,
                      .varies = TRUE};
  g_ptr_array_add(l->items, it);
}

/* "en / zh", or whichever is present.  Returns: (transfer full) (nullable). */
static char *
bilingual(const char *en, const char *zh)
{
  if (!empty(en) && !empty(zh))
    return g_strdup_printf("%s / %s", en, zh);
  return g_strdup(!empty(en) ? en : !empty(zh) ? zh : NULL);
}

/* YYMMDD -> YYYY-MM-DD with GS1's sliding century.  Returns: (transfer full) (nullable). */
static char *
iso_date(const char *yymmdd)
{
  int year;
  if (empty(yymmdd) || !pt_gs1_validate_yymmdd(yymmdd, pt_gs1_current_year(), &year, NULL))
    return NULL;
  return g_strdup_printf("%04d-%.2s-%.2s", year, yymmdd + 2, yymmdd + 4);
}

static char *
quantity_text(const PtLabelContent *c)
{
  if (c->quantity <= 0 || empty(c->uom))
    return NULL;
  char num[G_ASCII_DTOSTR_BUF_SIZE];
  g_ascii_formatd(num, sizeof num, "%.3f", c->quantity);
  /* Trim trailing zeros: 18.500 -> 18.5, 40.000 -> 40. */
  char *dot = strchr(num, '.');
  char *end = num + strlen(num);
  while (end > dot + 1 && end[-1] == '0')
    *--end = '\0';
  if (end == dot + 1)
    *dot = '\0';
  return g_strdup_printf("%s %s", num, c->uom);
}

/* Width of the case label's symbol box, points (4 in less two 8 pt margins). */
#define CASE_SYMBOL_W_PT 272

static gboolean
layout_case(PtLabelLayout *l, const PtLabelContent *c, const PtLabelOptions *o, GError **error)
{
  l->width_pt = 4 * 72;
  l->height_pt = 2 * 72;
  const PtLabelCodes *codes = &l->codes;

  char *commodity = empty(c->variety_en) ? g_strdup(c->product_en)
                                         : g_strdup_printf("%s %s", c->product_en, c->variety_en);
  add_text(l, "commodity/variety", commodity, 8, 4, 212, 22, 14, 7, TRUE, PANGO_ALIGN_LEFT, 1);
  add_text(l, "pack size", g_strdup(c->pack_size), 8, 26, 212, 16, 10, 6, FALSE, PANGO_ALIGN_LEFT,
           1);

  /* Voice pick code box: two small digits, two large ones. */
  add_rule(l, 226, 5, 56, 38, 1.5);
  vary(add_text(l, "voice pick code", g_strndup(codes->voice_pick, 2), 228, 20, 18, 18, 11, 8,
                FALSE, PANGO_ALIGN_RIGHT, 1));
  vary(add_text(l, "voice pick code", g_strdup(codes->voice_pick + 2), 246, 6, 35, 36, 24, 16, TRUE,
                PANGO_ALIGN_LEFT, 1));

  const PtGs1Element el[] = {{"01", codes->gtin14}, {"13", c->pack_date}, {"10", c->lot}};
  g_autofree char *brackets =
      pt_gs1_element_string(el, G_N_ELEMENTS(el), PT_GS1_FORM_BRACKETS, error);
  if (!brackets)
    return FALSE;
  PtSymbology sym =
      o->case_symbol == PT_LABEL_SYMBOL_DATAMATRIX ? PT_SYMBOL_GS1_DATAMATRIX : PT_SYMBOL_GS1_128;
  PtBarcode *bc = pt_barcode_gs1(sym, brackets, error);
  if (!bc)
    return FALSE;
  if (sym == PT_SYMBOL_GS1_128 && !pt_label_gs1_128_fits(bc, CASE_SYMBOL_W_PT)) {
    /* A lot GS1 allows (20 characters outside code set C) makes a GS1-128 wider than a
     * 4-inch label at GS1's smallest module: the same element string goes in a GS1
     * DataMatrix, which the dock camera and the driver's page read too. */
    pt_barcode_free(bc);
    bc = pt_barcode_gs1(PT_SYMBOL_GS1_DATAMATRIX, brackets, error);
    if (!bc)
      return FALSE;
  }
  add_barcode(l, bc, g_strdup(codes->element_hri), 8, 45, CASE_SYMBOL_W_PT, 54);
  ((PtLabelItem *)g_ptr_array_index(l->items, l->items->len - 1))->n_ai = G_N_ELEMENTS(el);
  vary(add_text(l, "human-readable line", g_strdup(codes->element_hri), 8, 100, 272, 14, 9, 6,
                FALSE, PANGO_ALIGN_CENTER, 1));

  add_text(l, "supplier name", g_strdup(c->supplier_name), 8, 114, 272, 13, 8, 5, TRUE,
           PANGO_ALIGN_LEFT, 1);
  add_text(l, "supplier address", g_strdup(c->supplier_address), 8, 126, 272, 16, 7, 5, FALSE,
           PANGO_ALIGN_LEFT, 2);
  return TRUE;
}

static gboolean
layout_pallet(PtLabelLayout *l, const PtLabelContent *c, const PtLabelOptions *o, GError **error)
{
  l->width_pt = 4 * 72;
  l->height_pt = 6 * 72;
  const PtLabelCodes *codes = &l->codes;

  if (!empty(c->product_zh)) {
    add_text(l, "product (zh)", g_strdup(c->product_zh), 10, 6, 268, 32, 20, 10, TRUE,
             PANGO_ALIGN_LEFT, 1);
    add_text(l, "product (en)", g_strdup(c->product_en), 10, 38, 268, 22, 13, 8, TRUE,
             PANGO_ALIGN_LEFT, 1);
  } else {
    add_text(l, "product (en)", g_strdup(c->product_en), 10, 6, 268, 54, 20, 8, TRUE,
             PANGO_ALIGN_LEFT, 2);
  }

  PtBarcode *qr = pt_barcode_qr(codes->digital_link, o->qr_ec, error);
  if (!qr)
    return FALSE;
  add_barcode(l, qr, g_strdup(codes->digital_link), 146, 62, 134, 134);
  ((PtLabelItem *)g_ptr_array_index(l->items, l->items->len - 1))->qr_ec = o->qr_ec;

  add_text(l, "lot heading", g_strdup("批号 LOT"), 10, 66, 134, 14, 8, 6, FALSE, PANGO_ALIGN_LEFT,
           1);
  vary(add_text(l, "lot", g_strdup(c->lot), 10, 80, 134, 22, 14, 6, TRUE, PANGO_ALIGN_LEFT, 1));
  add_text(l, "GTIN heading", g_strdup("GTIN"), 10, 106, 134, 14, 8, 6, FALSE, PANGO_ALIGN_LEFT, 1);
  vary(add_text(l, "GTIN", g_strdup(codes->gtin14), 10, 120, 134, 18, 11, 6, FALSE,
                PANGO_ALIGN_LEFT, 1));
  add_text(l, "scan hint", g_strdup("扫码溯源 Scan for origin"), 10, 170, 134, 26, 8, 5, FALSE,
           PANGO_ALIGN_LEFT, 2);

  /* varies: the values that change from lot to lot within a day's packing of one
   * product; the rest stay in the template's cached static part until they change. */
  const struct {
    const char *heading, *name;
    char *value;
    gboolean varies;
  } rows[] = {
      {"品种 Variety", "variety", bilingual(c->variety_en, c->variety_zh), FALSE},
      {"产地 Origin", "origin", bilingual(c->origin_en, c->origin_zh), FALSE},
      {"种植者 Grower", "grower", g_strdup(c->grower), TRUE},
      {"采收 Harvested", "harvest date", iso_date(c->harvest_date), TRUE},
      {"包装 Packed", "pack date", iso_date(c->pack_date), TRUE},
      {"等级 Grade", "grade", bilingual(c->grade_en, c->grade_zh), TRUE},
      {"净重 Net", "weight", quantity_text(c), TRUE},
      {"规格 Pack", "pack size", g_strdup(c->pack_size), FALSE},
      {"供应商 Supplier", "supplier", g_strdup(c->supplier_name), FALSE},
  };
  double y = 200;
  for (gsize i = 0; i < G_N_ELEMENTS(rows); i++, y += 23) {
    add_rule(l, 10, y, 268, 0, 0.5);
    add_text(l, rows[i].name, g_strdup(rows[i].heading), 10, y + 1, 84, 22, 8, 5, FALSE,
             PANGO_ALIGN_LEFT, 1);
    PtLabelItem *value = add_text(l, rows[i].name, rows[i].value, 96, y + 1, 182, 22, 11, 6, FALSE,
                                  PANGO_ALIGN_LEFT, 2);
    if (rows[i].varies)
      vary(value);
  }
  add_rule(l, 10, y, 268, 0, 0.5);
  add_text(l, "supplier address", g_strdup(c->supplier_address), 10, y + 2, 268, 20, 7, 5, FALSE,
           PANGO_ALIGN_LEFT, 2);
  return TRUE;
}

/* A GS1-128 of @el (n elements) across the label at @y, its human-readable line below. */
static gboolean
add_gs1_128(PtLabelLayout *l, const char *name, const PtGs1Element *el, gsize n, double y, double h,
            GError **error)
{
  g_autofree char *brackets = pt_gs1_element_string(el, n, PT_GS1_FORM_BRACKETS, error);
  char *hri = brackets ? pt_gs1_element_string(el, n, PT_GS1_FORM_HRI, error) : NULL;
  PtBarcode *bc = hri ? pt_barcode_gs1(PT_SYMBOL_GS1_128, brackets, error) : NULL;
  if (!bc) {
    g_free(hri);
    return FALSE;
  }
  add_barcode(l, bc, hri, 8, y, 272, h);
  ((PtLabelItem *)g_ptr_array_index(l->items, l->items->len - 1))->n_ai = (guint)n;
  vary(add_text(l, name, g_strdup(hri), 8, y + h + 1, 272, 14, 10, 6, TRUE, PANGO_ALIGN_CENTER, 1));
  return TRUE;
}

/* GS1 General Specifications 6.6 (logistic label): the supplier at the top, the pallet's
 * content in the middle, the SSCC in GS1-128 at the bottom, where a scanner looks first. */
static gboolean
layout_logistic(PtLabelLayout *l, const PtLogisticContent *c, GError **error)
{
  l->width_pt = 4 * 72;
  l->height_pt = 6 * 72;
  add_text(l, "from heading", g_strdup("发货人 FROM"), 10, 6, 268, 12, 7, 5, FALSE,
           PANGO_ALIGN_LEFT, 1);
  add_text(l, "supplier name", g_strdup(c->supplier_name), 10, 18, 268, 20, 13, 7, TRUE,
           PANGO_ALIGN_LEFT, 1);
  add_text(l, "supplier address", g_strdup(c->supplier_address), 10, 38, 268, 22, 8, 5, FALSE,
           PANGO_ALIGN_LEFT, 2);
  add_rule(l, 6, 62, 276, 0, 1.5);
  add_text(l, "SSCC heading", g_strdup("SSCC"), 10, 66, 60, 14, 9, 6, FALSE, PANGO_ALIGN_LEFT, 1);
  vary(add_text(l, "SSCC", g_strdup(c->sscc), 70, 64, 208, 22, 16, 9, TRUE, PANGO_ALIGN_LEFT, 1));

  guint total = 0;
  for (guint i = 0; i < c->n_lines; i++)
    total += c->lines[i].cases;
  double y = 92;
  if (c->n_lines == 1) {
    const PtLogisticLine *line = &c->lines[0];
    char gtin14[PT_GS1_GTIN_LEN + 1];
    if (!pt_gs1_gtin14(line->gtin, gtin14, error))
      return FALSE;
    const struct {
      const char *heading, *name;
      char *value;
    } rows[] = {
        {"内容 CONTENT (02)", "content", g_strdup(gtin14)},
        {"品名 PRODUCT", "product", g_strdup(line->product)},
        {"数量 COUNT (37)", "count", g_strdup_printf("%u", line->cases)},
        {"批号 LOT (10)", "lot", g_strdup(line->lot)},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(rows); i++, y += 26) {
      add_rule(l, 10, y, 268, 0, 0.5);
      add_text(l, rows[i].name, g_strdup(rows[i].heading), 10, y + 2, 100, 22, 8, 5, FALSE,
               PANGO_ALIGN_LEFT, 1);
      vary(add_text(l, rows[i].name, rows[i].value, 112, y + 1, 166, 24, 13, 6, TRUE,
                    PANGO_ALIGN_LEFT, 1));
    }
    g_autofree char *count = g_strdup_printf("%u", line->cases);
    const PtGs1Element el[] = {{"02", gtin14}, {"37", count}, {"10", line->lot}};
    if (!add_gs1_128(l, "content line", el, G_N_ELEMENTS(el), 204, 56, error))
      return FALSE;
  } else {
    add_text(l, "content heading",
             g_strdup("内容 CONTENT: 批号 LOT / GTIN / 品名 PRODUCT / 箱 CASES"), 10, y + 2, 268,
             14, 7, 5, FALSE, PANGO_ALIGN_LEFT, 1);
    y += 18;
    guint shown = MIN(c->n_lines, PT_LOGISTIC_LINES_MAX);
    for (guint i = 0; i < shown; i++, y += 27) {
      const PtLogisticLine *line = &c->lines[i];
      add_rule(l, 10, y, 268, 0, 0.5);
      vary(add_text(l, "line lot", g_strdup(line->lot), 10, y + 1, 130, 13, 9, 5, TRUE,
                    PANGO_ALIGN_LEFT, 1));
      vary(add_text(l, "line cases", g_strdup_printf("%u", line->cases), 200, y + 1, 78, 13, 9, 5,
                    TRUE, PANGO_ALIGN_RIGHT, 1));
      vary(add_text(l, "line product", g_strdup_printf("%s  %s", line->gtin, line->product), 10,
                    y + 14, 268, 12, 7, 5, FALSE, PANGO_ALIGN_LEFT, 1));
    }
    if (c->n_lines > shown) {
      guint rest = 0;
      for (guint i = shown; i < c->n_lines; i++)
        rest += c->lines[i].cases;
      vary(add_text(l, "more lines",
                    g_strdup_printf("+ %u more lots, %u cases", c->n_lines - shown, rest), 10,
                    y + 1, 268, 13, 8, 5, FALSE, PANGO_ALIGN_LEFT, 1));
    }
  }
  add_rule(l, 6, 290, 276, 0, 1.5);
  add_text(l, "total heading", g_strdup("合计 TOTAL CASES"), 10, 294, 130, 16, 9, 6, FALSE,
           PANGO_ALIGN_LEFT, 1);
  vary(add_text(l, "total", g_strdup_printf("%u", total), 140, 292, 138, 20, 14, 7, TRUE,
                PANGO_ALIGN_RIGHT, 1));
  const PtGs1Element sscc[] = {{"00", c->sscc}};
  return add_gs1_128(l, "SSCC line", sscc, 1, 322, 86, error);
}

PtLabelLayout *
pt_label_layout_logistic(const PtLogisticContent *content, GError **error)
{
  g_autoptr(PtLabelLayout) l = g_new0(PtLabelLayout, 1);
  l->template_ = PT_LABEL_PALLET;
  l->items = g_ptr_array_new_with_free_func(item_free);
  if (!pt_logistic_codes(content, &l->codes, error) || !layout_logistic(l, content, error))
    return NULL;
  return g_steal_pointer(&l);
}

PtLabelLayout *
pt_label_layout_new(const PtLabelContent *content, PtLabelTemplate template_,
                    const PtLabelOptions *options, GError **error)
{
  g_autoptr(PtLabelLayout) l = g_new0(PtLabelLayout, 1);
  l->template_ = template_;
  l->items = g_ptr_array_new_with_free_func(item_free);
  if (!pt_label_codes(content, &l->codes, error))
    return NULL;
  gboolean ok = FALSE;
  switch (template_) {
  case PT_LABEL_CASE:
    ok = layout_case(l, content, options, error);
    break;
  case PT_LABEL_PALLET:
    ok = layout_pallet(l, content, options, error);
    break;
  default:
    g_set_error(error, PT_LABEL_ERROR, PT_LABEL_ERROR_INVALID, "unknown label template %d",
                (int)template_);
    break;
  }
  return ok ? g_steal_pointer(&l) : NULL;
}
