/* pt-hub-store-query.h: the hub's read statements for buyers, admins and platforms: the EPCIS
 * query interface's pages, bearer tokens, the buyer's batch search and the quality index.
 * Part of the store (pt-hub-store.h): nothing above the store writes SQL.
 *
 * Every statement is parameterised; the few parts that vary with a request (which filters are
 * there, what the quality index is grouped by) are chosen from constant SQL fragments, never
 * made of request text.  Reads go to the read connection (a replica when read_dsn is set),
 * except token lookups and additions, which must see what was just written.
 *
 * Workload: pages of at most PT_HUB_QUERY_PAGE_MAX events in keyset order
 * (event_time, station_id, seq), each an index scan (events_query_key or a filter's index);
 * searches and the quality index read the small tables kept by the events trigger (migration
 * 2), never the events. */
#pragma once

#include "pt-hub-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* A parsed EPCIS query (pt-hub-query.c fills it); every list nullable (no condition). */
typedef struct {
  GPtrArray *event_types;   /* (element-type utf8) e.g. ObjectEvent */
  char *ge_event_time;      /* RFC 3339, nullable */
  char *lt_event_time;      /* nullable */
  char *ge_record_time;     /* nullable */
  char *lt_record_time;     /* nullable */
  GPtrArray *biz_steps;     /* bare CBV words, e.g. inspecting */
  GPtrArray *dispositions;  /* bare CBV words */
  GPtrArray *biz_locations; /* URIs as stored */
  GPtrArray *read_points;   /* URIs as stored */
  GPtrArray *epc_classes;   /* exact classes (Digital Link LGTIN) */
  GPtrArray *class_gtins;   /* GTIN-14s: any lot of them (a class pattern ending in *) */
  GPtrArray *epcs;          /* instance EPCs in epcList or childEPCs */
  /* Keyset: only events after this one in (event_time, station_id, seq) order. */
  char *after_time; /* RFC 3339 with microseconds, nullable: from the start */
  char *after_station;
  gint64 after_seq;
} PtHubEventQuery;

void pt_hub_event_query_clear(PtHubEventQuery *query);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtHubEventQuery, pt_hub_event_query_clear)

/* One event of a page: its key and its signed record, verbatim. */
typedef struct {
  char *station_id;
  gint64 seq;
  char *event_time; /* RFC 3339 UTC with microseconds: exact, for the next page's keyset */
  char *body;
  gsize body_len;
} PtHubQueryRow;

void pt_hub_query_row_free(PtHubQueryRow *row);

/* The first @limit events matching @query in keyset order.
 * Returns: (transfer full) (element-type PtHubQueryRow). */
GPtrArray *pt_hub_store_events_query(PtHubStore *store, const PtHubEventQuery *query, guint limit,
                                     GError **error);
/* The plan PostgreSQL makes for that statement (EXPLAIN, text), for tests and the
 * notes.  Returns: (transfer full). */
char *pt_hub_store_events_explain(PtHubStore *store, const PtHubEventQuery *query, guint limit,
                                  GError **error);

/* Bearer tokens --------------------------------------------------------------------------- */

typedef enum {
  PT_HUB_ROLE_BUYER,
  PT_HUB_ROLE_ADMIN,
} PtHubRole;

/* Stores a token's SHA-256 for @name with @role; @gln (13 digits) is required for a buyer,
 * NULL for an admin. */
gboolean pt_hub_store_token_add(PtHubStore *store, const char *name, PtHubRole role,
                                const char *gln, const guint8 hash[PT_HASH_LEN], GError **error);
/* The unrevoked token with @hash: its @role_out, @gln_out (transfer full, NULL for an admin)
 * and @name_out (nullable; transfer full), or FALSE with PT_ERROR_NOT_FOUND. */
gboolean pt_hub_store_token_find(PtHubStore *store, const guint8 hash[PT_HASH_LEN],
                                 PtHubRole *role_out, char **gln_out, char **name_out,
                                 GError **error);

/* Buyer search ----------------------------------------------------------------------------- */

typedef struct {
  const char *lot;       /* substring, any case; nullable */
  const char *gtin;      /* GTIN-14; nullable */
  const char *grower;    /* substring, any case; nullable */
  const char *station;   /* station id, or a substring of its name, any case; nullable */
  const char *from;      /* pack date YYYY-MM-DD, inclusive; nullable */
  const char *to;        /* nullable */
  const char *grade;     /* declared class of the last inspection; nullable */
  const char *verdict;   /* that inspection's: conformant or non_conformant; nullable */
  const char *scope_gln; /* a scoped buyer: only batches loaded for this GLN; nullable */
  guint limit;
  guint offset;
} PtHubBatchQuery;

/* The batches matching @query, newest pack date first, as a JSON array text of
 * {lot, gtin, product, variety, grower, station, station_name, pack_date, grade, verdict,
 * below_class_percent (of the last grading's fruit, one decimal; null without graded fruit),
 * state}.
 * Returns: (transfer full). */
char *pt_hub_store_batches_json(PtHubStore *store, const PtHubBatchQuery *query, GError **error);

/* Quality index ----------------------------------------------------------------------------- */

typedef enum {
  PT_HUB_QUALITY_BY_WEEK,
  PT_HUB_QUALITY_BY_STATION,
  PT_HUB_QUALITY_BY_GROWER,
  PT_HUB_QUALITY_BY_VARIETY,
} PtHubQualityGroup;

typedef struct {
  PtHubQualityGroup group;
  const char *station;   /* nullable */
  const char *grower;    /* exact, nullable */
  const char *variety;   /* exact, nullable */
  const char *from_week; /* YYYY-MM-DD, the Monday of the first week, nullable */
  const char *to_week;   /* the Monday of the last week (inclusive), nullable */
} PtHubQualityQuery;

/* The quality index grouped as @query asks, as a JSON array text, one object per group:
 * {key, events, inspections, conformant, non_conformant, holds, recalls, fruit,
 * fruit_with_defects, weight_kg, grades: {class: fruit}, sizes: {code: fruit},
 * defects: {kind: fruit}, declared: {class: inspections}} ordered by key.
 * Returns: (transfer full). */
char *pt_hub_store_quality_json(PtHubStore *store, const PtHubQualityQuery *query, GError **error);

G_END_DECLS
