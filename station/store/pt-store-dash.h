/* pt-store-dash.h: the few summary reads of the operator dashboard that no other module
 * needs (the print queue at a glance, held and recalled batches still on open loads, the
 * listed batches' last grades). */
#pragma once

#include "pt-store-print.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* The print queue in one look: jobs per state (per printer: pt_store_print_queues()). */
typedef struct {
  gint64 queued, printing, done, failed, cancelled;
  gint64 retrying; /* queued jobs whose last attempt failed */
} PtPrintSummary;

gboolean pt_store_print_summary(PtStore *store, PtPrintSummary *out, GError **error);

/* Bytes of the closed and recovered segments on disk (open ones are not counted yet). */
gboolean pt_store_recorded_bytes(PtStore *store, gint64 *bytes_out, GError **error);

/* @ids: (element-type gint64) at most PT_PRINT_PROGRESS_MAX job ids.  Returns: (transfer full)
 * (element-type PtPrintJob): those that exist, without their bytes, in @ids' order. */
GPtrArray *pt_store_print_jobs_by_id(PtStore *store, GArray *ids, GError **error);

/* A held or recalled batch on a load that has not departed: the operator takes it off
 * before closing the load (the close is refused while it is there). */
typedef struct {
  gint64 load_id;
  char *plate; /* the load's plate */
  gint64 batch_id;
  char *lot;
  char *status; /* "held" or "recalled", as the batches row has it */
  char *reason; /* nullable: the row's status reason */
} PtDashHeld;

/* @held: (transfer full) (nullable). */
void pt_dash_held_free(PtDashHeld *held);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtDashHeld, pt_dash_held_free)

/* Returns: (transfer full) (element-type PtDashHeld): at most @max held or recalled batches
 * on open loads, by load then lot. */
GPtrArray *pt_store_held_on_open_loads(PtStore *store, int max, GError **error);

/* A batch's last closed grading, for the batch list's verdict column. */
typedef struct {
  gint64 batch_id;
  char *declared_class; /* Extra, I or II */
  char *disposition;    /* nullable: conformant or non_conformant, as the close decided */
  gint64 closed_ns;
} PtDashGrade;

/* @grade: (transfer full) (nullable). */
void pt_dash_grade_free(PtDashGrade *grade);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtDashGrade, pt_dash_grade_free)

/* @batch_ids: (element-type gint64) at most PT_DASH_GRADES_MAX ids.  Returns: (transfer full)
 * (element-type PtDashGrade): the last closed grading of each of them that has one, in
 * @batch_ids' order. */
GPtrArray *pt_store_last_grades(PtStore *store, GArray *batch_ids, GError **error);

G_END_DECLS
