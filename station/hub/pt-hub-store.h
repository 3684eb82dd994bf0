/* pt-hub-store.h: the co-op hub's PostgreSQL store (libpq): connections, migrations and every
 * SQL statement of the hub.  Nothing above this file writes SQL.
 *
 * Workload: ingest is the write path (batches of up to PT_HUB_EVENTS_PER_REQUEST_MAX events
 * per request, one transaction each, from tens of stations at once; a handful of multi-row
 * statements per request, never one per event); everything else (enrolment, heads, status,
 * the admin's lists) is rare.  Reads for the public (resolver, pages, EPCIS queries) go to
 * @read_dsn when it is set, a streaming replica, and see the schema documented in
 * station/hub/README.md.
 *
 * Every statement is parameterised (PQexecParams); only the migrations, which take no input,
 * run as plain text.  The hub keeps no state but this database: several hub processes can
 * share one (per-station ingest is serialised by a row lock on the station, migrations and
 * partition creation by advisory locks).
 *
 * Schema (version PT_HUB_SCHEMA_VERSION; README.md has the full picture):
 *   stations        id (pt_keys_station_id), name, public_key, enrolled/revoked/last heard, head,
 *                   contiguous_seq (1..N all held, kept by ingest)
 *   enrol_codes     SHA-256 of a one-time code, name, expiry, used_at/used_by
 *   batches         one (gtin, lot) across stations, with product/variety/grower as signed
 *   event_keys      per event: station, seq, hash (unique), event_id (unique), chain links,
 *                   batch: identity and chain position, not partitioned so they stay unique
 *   events          the signed records, partitioned by month of event_time, indexed for
 *                   lookups by batch, gtin+lot, biz_step, event_time, biz_location, epc class
 *   evidence        bytes by SHA-256 (bytea), media type, size, who sent it
 *   evidence_refs   which held event references which SHA-256
 *   heads           every chain head a station posted, with the alert it raised (if any)
 *   alerts          what an admin must look at: heads that rewind
 *   quarantine      refused events as received, with the reason
 *   quality_weekly  per ISO week, station and batch: events, inspections, conformant,
 *                   non-conformant, holds, recalls, quantity inspected (kept by ingest)
 * Version 2 (pt-hub-store-query.h reads them):
 *   hub_tokens      bearer tokens (SHA-256 only) of buyers (scoped to a GLN) and admins
 *   batch_facts     per batch: commissioning station, pack date, last declared grade and its
 *                   verdict, state
 *   batch_buyers    which buyer GLN a batch was loaded for
 *   quality_facets  per week, station, batch: fruit per grade class, size code, defect kind,
 *                   inspections per declared class, fruit, fruit with defects, kg
 *   (the last three kept by a statement trigger on events, in ingest's transaction)
 * Version 3 (pt-hub-store-keys.c):
 *   key_rotations   per station, the rotation records the hub accepted, in chain order
 * Version 6 (pt-hub-store-notices.h):
 *   notices         buyers' recall and hold notices a station sent through the hub, each
 *                   with the buyer's acknowledgement
 * Version 7 (pt-hub-store-video.h):
 *   video_wants     what buyers ask of a station's load video, until the station answers
 *   video_files     what the station pushed: answers, live HLS files, clip chunks (transient)
 * Version 8 (pt-hub-store-profile.h):
 *   station_profiles  per station, its newest public profile (co-op name, town, hotline,
 *                     location, logo's hash) verbatim with its SHA-256
 *   profile_logos     the logo bytes a station's profile names */
#pragma once

#include "pt-key-chain.h"
#include "pt-record.h"

#include <glib.h>

G_BEGIN_DECLS

#define PT_HUB_SCHEMA_VERSION 9

typedef struct _PtHubStore PtHubStore;

/* Connects to @dsn (writes) and, when @read_dsn is non-NULL and not empty, to @read_dsn for
 * reads.  Does not migrate.  Fails with PT_ERROR_IO naming the server's message; with a
 * @read_dsn only when the replica is unreachable: a primary that is away leaves the write
 * connection bad, retried at each write (answered PT_ERROR_BUSY meanwhile), while reads go on.
 * Returns: (transfer full). */
PtHubStore *pt_hub_store_open(const char *dsn, const char *read_dsn, GError **error);
void pt_hub_store_free(PtHubStore *store);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtHubStore, pt_hub_store_free)

/* Brings the schema to PT_HUB_SCHEMA_VERSION, one migration per transaction, serialised
 * against other hub processes.  @applied_out (nullable): how many ran. */
gboolean pt_hub_store_migrate(PtHubStore *store, int *applied_out, GError **error);
/* The schema version of the database (0 when empty), or -1 with @error set. */
int pt_hub_store_schema_version(PtHubStore *store, GError **error);
/* Fails unless the schema is exactly PT_HUB_SCHEMA_VERSION ("run packtrace hub migrate"),
 * read on the read connection (a replica has its primary's schema). */
gboolean pt_hub_store_check_schema(PtHubStore *store, GError **error);

gboolean pt_hub_store_begin(PtHubStore *store, GError **error);
gboolean pt_hub_store_commit(PtHubStore *store, GError **error);
void pt_hub_store_rollback(PtHubStore *store);

/* Stations ------------------------------------------------------------------------------ */

typedef struct {
  char *id;
  char *name;
  guint8 public_key[PT_PUB_LEN];
  gboolean revoked;
  char *enrolled_at;     /* RFC 3339 UTC */
  char *last_heard;      /* nullable */
  gint64 head_seq;       /* 0: no head posted */
  char *head_hash;       /* hex, nullable */
  gint64 contiguous_seq; /* 1..N all held */
  gint64 last_seq;       /* highest held */
  gint64 n_events;
  gint64 n_quarantined;
  gint64 n_alerts;
  char *video_polled; /* with counts: the last video relay poll (RFC 3339), NULL: none */
  PtKeyChain *chain;  /* get only (NULL in lists): public_key, the anchor, and its rotations */
} PtHubStation;

void pt_hub_station_free(PtHubStation *station);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtHubStation, pt_hub_station_free)

/* Registers a station.  Fails with PT_ERROR_CONFLICT when the key or id is there already. */
gboolean pt_hub_store_station_add(PtHubStore *store, const char *id, const char *name,
                                  const guint8 public_key[PT_PUB_LEN], GError **error);
/* The station @id with its keys (the enrolled one and the rotations accepted) and revocation
 * only (the counts stay 0), or NULL with
 * PT_ERROR_NOT_FOUND.  With @for_update, inside a transaction, the row is locked until it
 * ends: ingest of one station is serialised across hub processes.  Returns: (transfer full). */
PtHubStation *pt_hub_store_station_get(PtHubStore *store, const char *id, gboolean for_update,
                                       GError **error);
/* Every station with its counts (held events, contiguous and last seq, quarantine, alerts),
 * by name.  Returns: (transfer full) (element-type PtHubStation). */
GPtrArray *pt_hub_store_station_list(PtHubStore *store, GError **error);
/* One station with its counts, as in the list.  Returns: (transfer full). */
PtHubStation *pt_hub_store_station_status(PtHubStore *store, const char *id, GError **error);
/* Sets the name of @id. */
gboolean pt_hub_store_station_rename(PtHubStore *store, const char *id, const char *name,
                                     GError **error);
/* Marks @id revoked (its requests are refused from now on; what it sent stays). */
gboolean pt_hub_store_station_revoke(PtHubStore *store, const char *id, GError **error);
/* The missing ranges [from, to] (pairs in @gaps_out, at most @max pairs) of @id's seqs below
 * its highest held one.  Returns: (transfer full) (element-type gint64, flat pairs). */
GArray *pt_hub_store_station_gaps(PtHubStore *store, const char *id, guint max, GError **error);

/* Enrolment codes: only the SHA-256 of a code is stored. */
gboolean pt_hub_store_enrol_code_add(PtHubStore *store, const guint8 code_hash[PT_HASH_LEN],
                                     const char *name, gint64 expires_ns, GError **error);
/* Marks the unused, unexpired code with @code_hash used by @station_id and returns its name;
 * NULL with PT_ERROR_NOT_FOUND when there is none such.  In the caller's transaction.
 * Returns: (transfer full). */
char *pt_hub_store_enrol_code_use(PtHubStore *store, const guint8 code_hash[PT_HASH_LEN],
                                  const char *station_id, GError **error);

/* Ingest ------------------------------------------------------------------------------- */

/* One row of event_keys: what ingest checks identity and chains against. */
typedef struct {
  char *station_id;
  gint64 seq;
  guint8 hash[PT_HASH_LEN];
  char *event_id;
  gint64 batch_id;
  gboolean has_prev_batch;
  guint8 prev_batch_hash[PT_HASH_LEN];
  gboolean has_prev_station;
  guint8 prev_station_hash[PT_HASH_LEN];
} PtHubKey;

void pt_hub_key_free(PtHubKey *key);

/* The held events that a request's events can meet: @station_id's at @seqs (n_seqs), any
 * whose hash, prev_batch_hash or prev_station_hash is one of @hashes (hex, element-type utf8),
 * any whose event_id is one of @event_ids.  Returns: (transfer full) (element-type PtHubKey). */
GPtrArray *pt_hub_store_keys_find(PtHubStore *store, const char *station_id, const gint64 *seqs,
                                  guint n_seqs, GPtrArray *hashes, GPtrArray *event_ids,
                                  GError **error);

/* An event that passed verification, ready to store (pt-hub-ingest.c fills it from the signed
 * record: the columns are the record's, never the sender's claims). */
typedef struct {
  PtEventRow row;   /* seq, event_id, body, hash, links, signature, hash_id */
  gint64 batch_id;  /* batches.id, 0: none */
  char *event_time; /* RFC 3339 UTC from the record */
  char *record_time;
  gint64 event_time_ns; /* the same as Unix nanoseconds */
  gint64 record_time_ns;
  char *event_type;
  char *biz_step;
  char *action;        /* nullable */
  char *disposition;   /* nullable */
  char *biz_location;  /* nullable */
  char *read_point;    /* nullable */
  char *status_action; /* pt:action of a holding event (hold, release, recall), nullable */
  char *epc_classes;   /* '\n'-joined epcClass values of quantityList */
  double quantity;     /* quantityList[0].quantity, 0 when none */
  char *grower;        /* pt:grower etc. of a commissioning event, nullable */
  char *product;
  char *variety;
  char *gtin; /* nullable */
  char *lot;
  GPtrArray *evidence; /* (element-type utf8) hex SHA-256s referenced */
} PtHubEvent;

void pt_hub_event_free(PtHubEvent *event);

/* The batches.id of (@gtin, @lot), created when new; a commissioning event's @product,
 * @variety and @grower (each nullable) fill the row's empty fields. */
gint64 pt_hub_store_batch_id(PtHubStore *store, const char *gtin, const char *lot,
                             const char *product, const char *variety, const char *grower,
                             GError **error);
/* Creates the monthly partitions of events that @times (RFC 3339, element-type utf8) fall in,
 * each in its own short transaction (outside the caller's: creating a partition locks the
 * parent).  Months made once are remembered by the store. */
gboolean pt_hub_store_partitions_ensure(PtHubStore *store, GPtrArray *times, GError **error);
/* Stores @events (element-type PtHubEvent) of @station_id: event_keys, events, evidence_refs
 * and the week's quality counters, in a few multi-row statements, and moves the station's
 * contiguous_seq on.  @held_seqs (n_held_seqs, any order): seqs of the station known to be
 * held once @events are (theirs among them), which the contiguous prefix passes without
 * an index probe each.  In the caller's transaction. */
gboolean pt_hub_store_events_insert(PtHubStore *store, const char *station_id, GPtrArray *events,
                                    const gint64 *held_seqs, guint n_held_seqs, GError **error);
/* Keeps a refused event: @received (the event object as it came), @reason. */
gboolean pt_hub_store_quarantine_add(PtHubStore *store, const char *station_id, gint64 seq,
                                     const char *event_id, const char *received, const char *reason,
                                     GError **error);
/* Of @hashes (hex, element-type utf8), those the hub holds no bytes for.
 * Returns: (transfer full) (element-type utf8). */
GPtrArray *pt_hub_store_evidence_missing(PtHubStore *store, GPtrArray *hashes, GError **error);
/* Touches last_heard of @station_id. */
gboolean pt_hub_store_station_heard(PtHubStore *store, const char *station_id, GError **error);

/* Raises an alert for the admin: @kind ("head", "rotation"), @message. */
gboolean pt_hub_store_alert_add(PtHubStore *store, const char *station_id, const char *kind,
                                const char *message, GError **error);

/* Key rotations (pt-hub-store-keys.c) ------------------------------------------------------ */

/* @station_id's key chain: @anchor (its enrolled key) and the rotations the hub accepted,
 * checked again as they are read (a few per station).  Returns: (transfer full). */
PtKeyChain *pt_hub_store_key_chain(PtHubStore *store, const char *station_id,
                                   const guint8 anchor[PT_PUB_LEN], GError **error);
/* Stores @rotation as rotation @index (1: the first) of @station_id, whose chain checked it;
 * @new_key and @after_seq are the record's.  In the caller's transaction. */
gboolean pt_hub_store_key_rotation_add(PtHubStore *store, const char *station_id, guint index,
                                       const PtKeyRotationRow *rotation,
                                       const guint8 new_key[PT_PUB_LEN], gint64 after_seq,
                                       GError **error);

/* Evidence ------------------------------------------------------------------------------- */

/* TRUE when an event of @station_id references @sha256 (hex). */
gboolean pt_hub_store_evidence_referenced(PtHubStore *store, const char *station_id,
                                          const char *sha256, gboolean *referenced, GError **error);
/* Stores @data under @sha256 (already checked); @stored_out FALSE when it was held. */
gboolean pt_hub_store_evidence_put(PtHubStore *store, const char *sha256, const char *station_id,
                                   const char *media_type, const void *data, gsize len,
                                   gboolean *stored_out, GError **error);
/* The bytes of @sha256, NULL with PT_ERROR_NOT_FOUND.  @media_type_out (transfer full).
 * Returns: (transfer full). */
GBytes *pt_hub_store_evidence_get(PtHubStore *store, const char *sha256, char **media_type_out,
                                  GError **error);

/* Heads ---------------------------------------------------------------------------------- */

/* Records a chain head of @station_id and decides whether it extends the last one; when not,
 * @alert_out (transfer full) says why and an alert row is kept.  The head is recorded either
 * way.  In the caller's transaction (the station row locked). */
gboolean pt_hub_store_head_record(PtHubStore *store, const char *station_id, gint64 seq,
                                  const guint8 hash[PT_HASH_LEN], char **alert_out, GError **error);

/* Notifications ------------------------------------------------------------------------- */

/* The channel ingest notifies with a batch id (text) when it stores events of that batch. */
#define PT_HUB_BATCH_CHANNEL "pt_hub_batch"

/* Called per notified batch id. */
typedef void (*PtHubBatchFunc)(gint64 batch_id, gpointer user_data);

/* LISTENs on PT_HUB_BATCH_CHANNEL on @store's write connection (a store of its own: it must
 * not run other statements while it waits). */
gboolean pt_hub_store_listen(PtHubStore *store, GError **error);
/* Waits at most @timeout_ms for notifications and calls @fn for each.  FALSE with
 * PT_ERROR_IO when the connection is lost (whatever was sent meanwhile is unknown). */
gboolean pt_hub_store_notifications(PtHubStore *store, int timeout_ms, PtHubBatchFunc fn,
                                    gpointer user_data, GError **error);

/* The WAL position a read starting now sees everything up to, as a byte offset: on the read
 * connection (@read) a replica's replay position, or the primary's insert position when the
 * read connection is the primary's; on the write connection the primary's insert position,
 * which a commit already notified lies at or before.  The page cache keeps an answer read from
 * a replica only once the replica has replayed past every change notified for its batch. */
gboolean pt_hub_store_wal_lsn(PtHubStore *store, gboolean read, gint64 *lsn_out, GError **error);

/* Admin lists ------------------------------------------------------------------------------ */

/* The newest quarantined events (at most @limit), as a JSON array text of
 * {id, station, seq, event_id, reason, received_at}.  Returns: (transfer full). */
char *pt_hub_store_quarantine_json(PtHubStore *store, const char *station_id, guint limit,
                                   GError **error);
/* The alerts of @station_id (all stations when NULL), newest first, as a JSON array text of
 * {station, kind, message, created_at}.  Returns: (transfer full). */
char *pt_hub_store_alerts_json(PtHubStore *store, const char *station_id, guint limit,
                               GError **error);

G_END_DECLS
