/* pt-export-cn.h: the China export of a batch: the consumer-facing fields of a record of the
 * national agricultural product quality and safety traceability platform (国家农产品质量安全追溯
 * 管理信息平台: 追溯码, producer, origin, product, batch, dates, inspection result) as JSON or
 * CSV, and its compliance certificate (承诺达标合格证) as a printable PDF (labels/pt-cert-cn.h).
 * Shared by `packtrace export cn`.  Sources: pt-export-cn.c.
 *
 * Every fact comes from the batch's signed events (pt-batch-signed.h); a batch whose
 * commissioning event does not verify is refused (PT_ERROR_TAMPERED). */
#pragma once

#include "pt-station.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The record of batch @ref (a lot, or #ID).  Returns: (transfer full): an object whose members
 * are the record's fields (pt-export-cn.c lists them with their Chinese names). */
json_t *pt_export_cn_record(PtStation *station, PtStore *store, const char *ref, GError **error);

/* Returns: (transfer full): @records (an array of pt_export_cn_record() objects) as CSV: UTF-8
 * BOM, a header of the Chinese field names, every field quoted (RFC 4180), CRLF. */
GBytes *pt_export_cn_csv(const json_t *records);

/* Returns: (transfer full): the 承诺达标合格证 of batch @ref as a one-page PDF. */
GBytes *pt_export_cn_certificate(PtStation *station, PtStore *store, const char *ref,
                                 GError **error);

G_END_DECLS
