/* pt-export-cn.c: the China export of a batch: its traceability record and its compliance
 * certificate.
 *
 * Sources.  The national platform (国家农产品质量安全追溯管理信息平台) is run under
 * 《农产品质量安全信息化追溯管理办法（试行）》 (农业农村部, 2021): producers and operators
 * (生产经营者) enter, per batch, who made it, where, what and when, and the inspection result,
 * and the public queries it by a trace code (追溯码); its record schema is not published, so the
 * member names below are the station's and the Chinese names are the platform's terms.  The
 * certificate follows the 食用农产品合格证 trial template (农业农村部 2019; content as described
 * in 农产品市场周刊 2020年14期: product name, quantity (weight), the grower's name, origin and
 * contact, the date issued, the promise) and 《农产品质量安全承诺达标合格证管理办法》
 * (农业农村部令2025年第4号, in force 2026-02-01), which adds the basis of the promise.
 *
 * Fields (JSON member, CSV header):
 *   traceCode 追溯码 (the batch's GS1 Digital Link, what its QR holds), producer 生产经营者 (the
 *   station's supplier name), grower 种植者, origin 产地, product 产品名称, variety 品种, batch
 *   批次, gtin 商品条码, harvestDate 采收日期, packDate 包装日期, quantity 数量（重量）,
 *   inspectionResult 检测结果, status 状态, contact 联系方式, verified 签名验证.
 * A field the signed record does not state says 未记录 (not recorded), never blank.  Text a
 * station has translated in station.ini [labels.zh] is given in Chinese.
 *
 * Workload: one batch per call; three indexed event reads (pt-batch-signed.h). */
#include "pt-export-cn.h"

#include "pt-batch-signed.h"
#include "pt-batch.h"
#include "pt-cert-cn.h"
#include "pt-error.h"
#include "pt-text.h"
#include "pt-time.h"

#include <string.h>

#define NOT_RECORDED "未记录"

static const struct {
  const char *key, *zh;
} fields[] = {
    {"traceCode", "追溯码"},  {"producer", "生产经营者"},   {"grower", "种植者"},
    {"origin", "产地"},       {"product", "产品名称"},      {"variety", "品种"},
    {"batch", "批次"},        {"gtin", "商品条码"},         {"harvestDate", "采收日期"},
    {"packDate", "包装日期"}, {"quantity", "数量（重量）"}, {"inspectionResult", "检测结果"},
    {"status", "状态"},       {"contact", "联系方式"},      {"verified", "签名验证"},
};

/* @text in Chinese when station.ini [labels.zh] translates it; NOT_RECORDED when NULL. */
static const char *
zh(const PtConfig *config, const char *text)
{
  if (!text || !*text)
    return NOT_RECORDED;
  const char *t =
      config->labels && config->labels->zh ? g_hash_table_lookup(config->labels->zh, text) : NULL;
  return t ? t : text;
}

static const char *
unit_zh(const char *uom)
{
  static const struct {
    const char *code, *zh;
  } units[] = {{"KGM", "千克"}, {"TNE", "吨"}, {"GRM", "克"}, {"LBR", "磅"}, {"H87", "件"}};
  for (gsize i = 0; uom && i < G_N_ELEMENTS(units); i++)
    if (strcmp(uom, units[i].code) == 0)
      return units[i].zh;
  return uom ? uom : "千克";
}

static char *
quantity_text(const PtBatch *b)
{
  if (!b->has_quantity)
    return g_strdup(NOT_RECORDED);
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup_printf("%s %s", g_ascii_formatd(buf, sizeof buf, "%.15g", b->quantity),
                         unit_zh(b->uom));
}

/* The grading decision in the platform's words; @graded_out: there was one. */
static char *
inspection_text(const json_t *grading, gboolean *graded_out)
{
  const char *disposition = json_string_value(json_object_get(grading, "disposition"));
  const char *klass = json_string_value(json_object_get(grading, "declared_class"));
  *graded_out = grading && disposition;
  if (!*graded_out)
    return g_strdup("未检测（无分级检验记录）");
  const char *verdict = strcmp(disposition, "conformant") == 0       ? "合格"
                        : strcmp(disposition, "non_conformant") == 0 ? "不合格"
                                                                     : disposition;
  json_int_t n = json_integer_value(json_object_get(grading, "n_fruit"));
  return g_strdup_printf("视觉分级检验%s（等级 %s，%" JSON_INTEGER_FORMAT " 个果实）", verdict,
                         klass ? klass : NOT_RECORDED, n);
}

static const char *
status_zh(const char *status)
{
  if (strcmp(status, "held") == 0)
    return "暂停销售";
  if (strcmp(status, "recalled") == 0)
    return "已召回";
  return "正常";
}

static const char *
supplier(const PtConfig *config)
{
  const PtLabelSettings *l = config->labels;
  return l && l->supplier_name && *l->supplier_name ? l->supplier_name : config->name;
}

static const char *
contact(const PtConfig *config)
{
  const PtLabelSettings *l = config->labels;
  return l && l->supplier_phone && *l->supplier_phone ? l->supplier_phone : NULL;
}

/* The batch's verified facts, or an error when its commissioning event does not verify. */
static gboolean
read_signed(PtStation *station, PtStore *store, const char *ref, PtBatch **row_out,
            PtBatchSigned *signed_out, GError **error)
{
  g_autoptr(PtBatch) row = pt_batch_lookup(store, ref, error);
  if (!row || !pt_batch_signed_read(store, station->keys->anchor_key, row, signed_out, error))
    return FALSE;
  if (!signed_out->commissioned) {
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED,
                "lot %s: its signed commissioning event is missing or does not verify; nothing "
                "exported, run `packtrace audit`",
                row->lot);
    return FALSE;
  }
  *row_out = g_steal_pointer(&row);
  return TRUE;
}

json_t *
pt_export_cn_record(PtStation *station, PtStore *store, const char *ref, GError **error)
{
  const PtConfig *config = station->config;
  g_autoptr(PtBatch) row = NULL;
  g_auto(PtBatchSigned) s = {0};
  if (!read_signed(station, store, ref, &row, &s, error))
    return NULL;
  const PtBatch *b = s.facts;
  g_autofree char *link = pt_batch_digital_link(config, b);
  g_autofree char *quantity = quantity_text(b);
  gboolean graded;
  g_autofree char *inspection = inspection_text(s.grading, &graded);
  g_autofree char *status =
      b->status_reason && *b->status_reason
          ? g_strdup_printf("%s（%s）", status_zh(b->status), b->status_reason)
          : g_strdup(status_zh(b->status));
  const char *phone = contact(config);
  const char *values[] = {
      link,
      supplier(config),
      zh(config, b->grower),
      zh(config, b->origin),
      zh(config, b->product),
      zh(config, b->variety),
      b->lot,
      b->gtin,
      b->harvest_date ? b->harvest_date : NOT_RECORDED,
      b->pack_date,
      quantity,
      inspection,
      status,
      phone ? phone : "未记录（station.ini [labels] supplier_phone）",
      s.mismatches->len ? "已验证签名；数据库记录与签名不一致" : "已验证（Ed25519 签名）",
  };
  G_STATIC_ASSERT(G_N_ELEMENTS(values) == G_N_ELEMENTS(fields));
  json_t *o = json_object();
  for (gsize i = 0; i < G_N_ELEMENTS(fields); i++)
    json_object_set_new(o, fields[i].key, json_string(values[i]));
  return o;
}

GBytes *
pt_export_cn_csv(const json_t *records)
{
  GString *out = g_string_new("\xEF\xBB\xBF");
  for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
    if (i)
      g_string_append_c(out, ',');
    pt_csv_cell(out, fields[i].zh);
  }
  g_string_append(out, "\r\n");
  size_t k;
  json_t *record;
  json_array_foreach(records, k, record)
  {
    for (gsize i = 0; i < G_N_ELEMENTS(fields); i++) {
      if (i)
        g_string_append_c(out, ',');
      pt_csv_cell(out, json_string_value(json_object_get(record, fields[i].key)));
    }
    g_string_append(out, "\r\n");
  }
  return g_string_free_to_bytes(out);
}

GBytes *
pt_export_cn_certificate(PtStation *station, PtStore *store, const char *ref, GError **error)
{
  const PtConfig *config = station->config;
  g_autoptr(PtBatch) row = NULL;
  g_auto(PtBatchSigned) s = {0};
  if (!read_signed(station, store, ref, &row, &s, error))
    return NULL;
  const PtBatch *b = s.facts;
  /* A certificate promises the batch is fit to sell: never for one held or recalled. */
  if (strcmp(b->status, "active") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "lot %s is %s by its signed record (%s): no compliance certificate", b->lot,
                b->status, b->status_reason ? b->status_reason : "no reason given");
    return NULL;
  }
  g_autofree char *link = pt_batch_digital_link(config, b);
  g_autofree char *quantity = quantity_text(b);
  gboolean graded;
  g_autofree char *inspection = inspection_text(s.grading, &graded);
  g_autofree char *now = pt_time_format(pt_now_ns());
  now[10] = '\0';
  const char *phone = contact(config);
  g_autofree char *product =
      b->variety ? g_strdup_printf("%s（%s）", zh(config, b->product), zh(config, b->variety))
                 : g_strdup(zh(config, b->product));
  PtCertCn cert = {
      .product = product,
      .quantity = quantity,
      .producer = zh(config, b->grower),
      .origin = zh(config, b->origin),
      .contact = phone ? phone : "未记录",
      .issued = now,
      .lot = b->lot,
      .inspection = inspection,
      /* The station's grading is its own visual inspection, not a residue test. */
      .basis = graded ? "内部质量控制" : "自我承诺",
      .packer = supplier(config),
      .link = link,
  };
  GBytes *pdf = pt_cert_cn_pdf(&cert, error);
  if (!pdf && error && *error && (*error)->domain != PT_ERROR) {
    GError *e = *error;
    *error = g_error_new(PT_ERROR, PT_ERROR_INVALID, "lot %s: %s", b->lot, e->message);
    g_error_free(e);
  }
  return pdf;
}
