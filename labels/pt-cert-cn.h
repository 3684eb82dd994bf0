/* pt-cert-cn.h: the printable compliance certificate of one batch, 承诺达标合格证, as a one-page
 * PDF (cairo + pango, Noto Sans CJK): the fields of the certificate's published template
 * (农业农村部, 食用农产品合格证 2019 trial, and 《农产品质量安全承诺达标合格证管理办法》, 2025):
 * product name, quantity (weight), the producer's name, origin and contact, the date issued,
 * the promise ticked, and a QR code of the batch's Digital Link.  Pure rendering: the station
 * fills the content (station/pt-export-cn.c). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *product;    /* 产品名称 (required) */
  const char *quantity;   /* 数量（重量）, e.g. "400 千克" (required) */
  const char *producer;   /* 种植养殖生产者 名称 (required) */
  const char *origin;     /* 产地 (required) */
  const char *contact;    /* 联系方式 (required) */
  const char *issued;     /* 开具日期, YYYY-MM-DD (required) */
  const char *lot;        /* 批次 (required) */
  const char *inspection; /* 检测结果, e.g. "合格（分级 Class I）" (required) */
  const char *basis; /* 承诺依据 ticked: "自我检测", "委托检测", "内部质量控制" or
                      * "自我承诺" (required) */
  const char *packer; /* 开具单位: the packing station that issues it (required) */
  const char *link;   /* the batch's GS1 Digital Link, encoded as the QR (required) */
} PtCertCn;

/* Returns: (transfer full) (nullable): the certificate as a PDF (A6 landscape). */
GBytes *pt_cert_cn_pdf(const PtCertCn *cert, GError **error);

G_END_DECLS
