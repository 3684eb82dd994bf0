/* pt-store-dash.h: the few summary reads of the operator dashboard that no other module
 * needs (the print queue at a glance). */
#pragma once

#include "pt-store-print.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* The print queue in one look: jobs per state, and the printer trouble if any. */
typedef struct {
  gint64 queued, printing, done, failed;
  gint64 retrying;         /* queued jobs whose last attempt failed */
  gint64 trouble_since_ns; /* created_ns of the oldest retrying or failed job, or 0 */
  char *last_error;        /* nullable: newest error of a retrying or failed job */
  char *printer;           /* nullable: that job's printer */
} PtPrintSummary;

void pt_print_summary_clear(PtPrintSummary *summary);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtPrintSummary, pt_print_summary_clear)

gboolean pt_store_print_summary(PtStore *store, PtPrintSummary *out, GError **error);

/* Bytes of the closed and recovered segments on disk (open ones are not counted yet). */
gboolean pt_store_recorded_bytes(PtStore *store, gint64 *bytes_out, GError **error);

/* @ids: (element-type gint64) at most PT_PRINT_PROGRESS_MAX job ids.  Returns: (transfer full)
 * (element-type PtPrintJob): those that exist, without their bytes, in @ids' order. */
GPtrArray *pt_store_print_jobs_by_id(PtStore *store, GArray *ids, GError **error);

G_END_DECLS
