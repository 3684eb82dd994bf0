/* pt-store-load.h: the store's side of loads (trucks leaving the shed): the loads, the batches
 * put on them (each with its signed loading event) and the refused attempts. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 id;
  char *plate, *seal;
  char *driver_name, *driver_phone;    /* nullable */
  char *destination, *destination_gln; /* nullable */
  char *bol, *desadv, *po;             /* nullable: document numbers */
  char *dock;                          /* nullable: the dock whose loading camera fills it */
  gint64 opened_ns;
  gint64 closed_ns; /* 0 while open */
} PtLoad;

void pt_load_free(PtLoad *load);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtLoad, pt_load_free)

/* A batch on a load. */
typedef struct {
  gint64 batch_id;
  char *lot, *gtin;
  gint64 event_seq; /* its loading event */
  char *event_id;
  gint64 added_ns;
  char *source;    /* "operator", "api" or the camera that read the label */
  double quantity; /* of the lot's unit on this load; -1: not recorded (the whole lot) */
} PtLoadItem;

void pt_load_item_free(PtLoadItem *item);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtLoadItem, pt_load_item_free)

/* A refused attempt to put a batch on a load. */
typedef struct {
  gint64 batch_id;
  char *lot;
  gint64 refused_ns;
  char *source;
  char *reason;
} PtLoadRefusal;

void pt_load_refusal_free(PtLoadRefusal *refusal);

/* Inserts @load (id set on success). */
gboolean pt_store_load_insert(PtStore *store, PtLoad *load, GError **error);
/* Returns: (transfer full): the load, or NULL with PT_ERROR_NOT_FOUND. */
PtLoad *pt_store_load_get(PtStore *store, gint64 id, GError **error);
/* @out receives (transfer full) the open load at @dock, or NULL when there is none. */
gboolean pt_store_load_open_at_dock(PtStore *store, const char *dock, PtLoad **out, GError **error);
/* Returns: (transfer full) (element-type PtLoad): newest first. */
GPtrArray *pt_store_load_list(PtStore *store, int limit, int offset, GError **error);
/* The loads to destination GLN @gln (NULL: every load), newest first, @limit from @offset.
 * Returns: (transfer full) (element-type PtLoad). */
GPtrArray *pt_store_load_list_to(PtStore *store, const char *gln, int limit, int offset,
                                 GError **error);
/* The open loads, newest first, at most @limit.  Returns: (transfer full)
 * (element-type PtLoad). */
GPtrArray *pt_store_load_list_open(PtStore *store, int limit, GError **error);
/* Marks @id closed at @closed_ns; PT_ERROR_CONFLICT when it already was. */
gboolean pt_store_load_close(PtStore *store, gint64 id, gint64 closed_ns, GError **error);

/* @out receives (transfer full) the item of @batch_id on @load_id, or NULL. */
gboolean pt_store_load_item_get(PtStore *store, gint64 load_id, gint64 batch_id, PtLoadItem **out,
                                GError **error);
/* @load_id_out receives the open load (other than @except_load) that holds @batch_id, or 0. */
gboolean pt_store_load_holding_batch(PtStore *store, gint64 batch_id, gint64 except_load,
                                     gint64 *load_id_out, GError **error);
/* @quantity: of the lot's unit, or < 0 when not recorded. */
gboolean pt_store_load_item_insert(PtStore *store, gint64 load_id, gint64 batch_id,
                                   gint64 event_seq, gint64 added_ns, const char *source,
                                   double quantity, GError **error);

/* What of a lot went on loads other than @except_load. */
typedef struct {
  int loads;       /* how many */
  double quantity; /* their recorded quantities, in the lot's unit */
  gboolean whole;  /* one of them has none recorded: it took the whole lot */
  char *load_ids;  /* "3, 5", nullable */
} PtLoadedSoFar;
gboolean pt_store_load_batch_loaded(PtStore *store, gint64 batch_id, gint64 except_load,
                                    PtLoadedSoFar *out, GError **error);
/* Takes @batch_id off @load_id (the caller signs why). */
gboolean pt_store_load_item_delete(PtStore *store, gint64 load_id, gint64 batch_id, GError **error);
/* Returns: (transfer full) (element-type PtLoadItem): in the order they were loaded. */
GPtrArray *pt_store_load_items(PtStore *store, gint64 load_id, GError **error);

/* @batch_id may be 0 (a code that named no batch of this station). */
gboolean pt_store_load_refusal_insert(PtStore *store, gint64 load_id, gint64 batch_id,
                                      gint64 refused_ns, const char *source, const char *reason,
                                      GError **error);
/* Returns: (transfer full) (element-type PtLoadRefusal): oldest first, at most @limit. */
GPtrArray *pt_store_load_refusals(PtStore *store, gint64 load_id, int limit, GError **error);

G_END_DECLS
