/* pt-store-pallet.h: the store's side of pallets: the SSCC serial references allocated (never
 * going back), the pallets by SSCC, the cases of each lot on them and the load a pallet is on.
 * The signed AggregationEvents are the record; these rows are what decisions read quickly. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *sscc; /* 18 digits */
  gint64 created_ns;
  gint64 load_id; /* 0 when on no load */
} PtPallet;

void pt_pallet_free(PtPallet *pallet);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPallet, pt_pallet_free)

/* The cases of one lot on a pallet. */
typedef struct {
  gint64 batch_id;
  char *lot, *gtin, *product;
  gint64 cases;
} PtPalletCases;

void pt_pallet_cases_free(PtPalletCases *cases);

/* @last_out receives the last serial reference allocated in SSCC range @range (extension digit
 * + company prefix), 0 when none was. */
gboolean pt_store_sscc_serial_last(PtStore *store, const char *range, gint64 *last_out,
                                   GError **error);
/* Records @last as the last serial reference of @range; PT_ERROR_CONFLICT when it is not above
 * the one recorded (a trigger refuses to go back). */
gboolean pt_store_sscc_serial_set(PtStore *store, const char *range, gint64 last, GError **error);

/* Inserts @pallet (id set on success); PT_ERROR_CONFLICT when its SSCC is taken. */
gboolean pt_store_pallet_insert(PtStore *store, PtPallet *pallet, GError **error);
/* Returns: (transfer full): the pallet, or NULL with PT_ERROR_NOT_FOUND. */
PtPallet *pt_store_pallet_get(PtStore *store, const char *sscc, GError **error);
/* Returns: (transfer full) (element-type PtPallet): newest first, at most @limit. */
GPtrArray *pt_store_pallet_list(PtStore *store, int limit, GError **error);
/* Returns: (transfer full) (element-type PtPallet): the pallets on @load_id, oldest first. */
GPtrArray *pt_store_pallets_on_load(PtStore *store, gint64 load_id, GError **error);
/* Puts @pallet_id on @load_id, or on none when @load_id is 0. */
gboolean pt_store_pallet_set_load(PtStore *store, gint64 pallet_id, gint64 load_id, GError **error);

/* @cases_out receives the cases of @batch_id on @pallet_id, 0 when none. */
gboolean pt_store_pallet_cases_get(PtStore *store, gint64 pallet_id, gint64 batch_id,
                                   gint64 *cases_out, GError **error);
/* Sets the cases of @batch_id on @pallet_id; 0 takes the lot off. */
gboolean pt_store_pallet_cases_set(PtStore *store, gint64 pallet_id, gint64 batch_id, gint64 cases,
                                   GError **error);
/* @out receives (transfer full) the pallet other than @except_pallet that holds cases of
 * @batch_id, or NULL. */
gboolean pt_store_pallet_holding_batch(PtStore *store, gint64 batch_id, gint64 except_pallet,
                                       PtPallet **out, GError **error);
/* Returns: (transfer full) (element-type PtPalletCases): what is on @pallet_id, by lot. */
GPtrArray *pt_store_pallet_contents(PtStore *store, gint64 pallet_id, GError **error);

G_END_DECLS
