/* pt-record.h: the records every layer passes around: a batch (GTIN + lot and what the
 * station knows of it), one signed event of the station log and one key rotation, as stored.
 * trace/ builds and checks them, store/ keeps them, and neither needs the other for it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* SHA-256, Ed25519 signature and public key sizes, in bytes. */
#define PT_HASH_LEN 32
#define PT_SIG_LEN  64
#define PT_PUB_LEN  32

typedef struct {
  gint64 id;
  char *lot;
  char *gtin; /* 14 digits */
  char *product;
  char *variety;      /* nullable */
  char *origin;       /* nullable */
  char *grower;       /* nullable */
  char *harvest_date; /* YYYY-MM-DD, nullable */
  char *pack_date;    /* YYYY-MM-DD */
  gboolean has_quantity;
  double quantity;
  char *uom;           /* UN/CEFACT Rec 20 code, nullable */
  char *status;        /* "active", "held" or "recalled" */
  char *status_reason; /* nullable */
  gint64 created_ns;
  gint64 n_events;
  gboolean demo; /* made by the demo (pt-demo-seed.c): never queued for sync */
} PtBatch;

void pt_batch_free(PtBatch *batch);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtBatch, pt_batch_free)

typedef struct {
  gint64 seq; /* position in the station log, 1, 2, 3, ... */
  gint64 batch_id;
  char *event_id;
  char *step;
  gint64 event_time_ns;
  gint64 record_time_ns;
  char *body; /* canonical JSON: the bytes that were hashed */
  gsize body_len;
  guint8 hash[PT_HASH_LEN];
  gboolean has_prev_batch;
  guint8 prev_batch_hash[PT_HASH_LEN];
  gboolean has_prev_station;
  guint8 prev_station_hash[PT_HASH_LEN];
  guint8 signature[PT_SIG_LEN];
  char *hash_id; /* (nullable) GS1 Event Hash ID of body (trace/pt-event-hash.h), NULL until
                  * filled for rows written before it was stored */
} PtEventRow;

void pt_event_row_clear(PtEventRow *row);

/* One signed key rotation of the station (trace/pt-key-chain.h), as stored. */
typedef struct {
  gint64 id;    /* 1, 2, 3, ... in the order the rotations were made */
  char *record; /* canonical JSON: the bytes both signatures cover (over their SHA-256) */
  gsize record_len;
  guint8 signature[PT_SIG_LEN];     /* by the previous key */
  guint8 new_signature[PT_SIG_LEN]; /* by the new key */
} PtKeyRotationRow;

void pt_key_rotation_row_clear(PtKeyRotationRow *row);

G_END_DECLS
