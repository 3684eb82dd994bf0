/* pt-store-buyer.h: the store's side of the buyer portal: searching batches by lot, GTIN,
 * grower, date range and grade, the loads (with their destinations) and evidence clips of
 * one batch, and the scope of a buyer who sees only the batches shipped to their own GLN. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Which date of a batch the range of a search applies to. */
typedef enum {
  PT_BUYER_DATE_PACK,    /* pack_date */
  PT_BUYER_DATE_HARVEST, /* harvest_date (batches without one never match a range) */
  PT_BUYER_DATE_CREATED, /* the UTC date the batch was registered */
} PtBuyerDate;

/* A search; every criterion is optional (NULL) and they combine with AND. */
typedef struct {
  const char *lot;    /* substring of the lot, ASCII case-insensitive */
  const char *gtin;   /* 14 digits, exact */
  const char *grower; /* substring of the grower, ASCII case-insensitive */
  PtBuyerDate date;
  const char *from, *to; /* YYYY-MM-DD, inclusive */
  const char *grade;     /* Extra, I or II: the class the last grading decision declared */
  const char *verdict;   /* conformant or non_conformant: that decision's disposition */
  const char *scope_gln; /* only batches on a load whose destination GLN is this */
  int limit, offset;
} PtBuyerQuery;

/* A load a batch is on, as a buyer may see it: no driver, phone or plate. */
typedef struct {
  gint64 id;
  char *destination, *destination_gln; /* nullable */
  char *seal;
  char *bol, *desadv, *po; /* nullable: document numbers */
  gint64 opened_ns;
  gint64 closed_ns; /* 0 while the truck is still being loaded */
  gint64 loaded_ns; /* when the batch went on */
  char *event_id;   /* its loading event */
} PtBuyerLoad;

void pt_buyer_load_free(PtBuyerLoad *load);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtBuyerLoad, pt_buyer_load_free)

/* One batch found. */
typedef struct {
  PtBatch *batch;
  char *grade;      /* nullable: the class the last signed grading decision declared */
  char *verdict;    /* nullable: its disposition, conformant or non_conformant */
  GPtrArray *loads; /* (element-type PtBuyerLoad) */
} PtBuyerHit;

void pt_buyer_hit_free(PtBuyerHit *hit);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtBuyerHit, pt_buyer_hit_free)

/* An evidence clip of a batch. */
typedef struct {
  gint64 position; /* the event's number in the batch (1-based, as /clips/N takes it) */
  char *step;
  char *event_id;
  char *camera;
  gint64 from_ns, to_ns;
  char *sha256;
  guint64 bytes;
  gint64 expired_ns; /* 0 while kept */
} PtBuyerClip;

void pt_buyer_clip_free(PtBuyerClip *clip);

/* A batch's grade is the verdict of its last grading decision (the inspecting event that
 * closed a grading: declared class and conformant or not), never the class most of its fruit
 * has: a lot declared class I that fails its tolerances is not "Extra" however many of its
 * fruit are.  A batch never graded has none and matches no grade or verdict. */

/* Batches matching @query, newest first, each with its grading verdict and its loads (to
 * @query->scope_gln only, when set).  @more_out is set when more follow @query->limit.
 * Returns: (transfer full) (element-type PtBuyerHit). */
GPtrArray *pt_store_buyer_search(PtStore *store, const PtBuyerQuery *query, gboolean *more_out,
                                 GError **error);

/* @visible_out: whether a buyer scoped to @scope_gln (NULL: all batches) may see @batch_id. */
gboolean pt_store_buyer_in_scope(PtStore *store, gint64 batch_id, const char *scope_gln,
                                 gboolean *visible_out, GError **error);

/* The loads holding @batch_id, oldest first; with @scope_gln only those going there.
 * Returns: (transfer full) (element-type PtBuyerLoad). */
GPtrArray *pt_store_buyer_loads(PtStore *store, gint64 batch_id, const char *scope_gln,
                                GError **error);

/* The evidence clips of @batch_id in log order.
 * Returns: (transfer full) (element-type PtBuyerClip). */
GPtrArray *pt_store_buyer_clips(PtStore *store, gint64 batch_id, GError **error);

G_END_DECLS
