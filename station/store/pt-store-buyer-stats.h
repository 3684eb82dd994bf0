/* pt-store-buyer-stats.h: the buyer portal's views across batches, counted in the store:
 * per ISO week of packing and grower, the batches, their grading verdicts and declared
 * classes, the graded fruit by class, size code and defect kind, the quantity packed, and the
 * holds and recalls signed. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Which batches are counted; every criterion is optional (NULL) and they combine with AND. */
typedef struct {
  const char *from, *to; /* pack date, YYYY-MM-DD, inclusive */
  const char *grower;    /* substring of the grower, ASCII case-insensitive */
  const char *gtin;      /* 14 digits, exact */
  const char *scope_gln; /* only batches on a load whose destination GLN is this */
} PtBuyerStatsQuery;

/* One count.  @facet says what is counted and what @key is:
 *   "batches"  (key "")                 batches packed
 *   "verdict"  conformant|non_conformant batches by their last grading decision
 *   "declared" Extra|I|II                batches by the class that decision declared
 *   "class"    Extra|I|II|out            graded fruit by class
 *   "size"     a size code, or "none"    graded fruit by size code
 *   "defect"   a defect kind, or "none"  graded fruit by defect kind
 *   "quantity" the unit (UN/CEFACT)      quantity packed
 *   "action"   hold|recall               holds and recalls signed (not their releases) */
typedef struct {
  char *facet;
  char *week;   /* the Monday of the ISO week of the pack date, YYYY-MM-DD */
  char *grower; /* "" when the batch names none */
  char *key;
  double amount;
} PtBuyerStat;

void pt_buyer_stat_free(PtBuyerStat *stat);

/* The counts of the batches @query selects, by facet, week, grower and key, in that order.
 * Fails with PT_ERROR_INVALID (narrow the query) beyond PT_BUYER_STATS_ROWS_MAX rows.
 * Returns: (transfer full) (element-type PtBuyerStat). */
GPtrArray *pt_store_buyer_stats(PtStore *store, const PtBuyerStatsQuery *query, GError **error);

G_END_DECLS
