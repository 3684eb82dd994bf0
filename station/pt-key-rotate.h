/* pt-key-rotate.h: `packtrace key rotate`: a station hands signing over to a new Ed25519 key
 * (the chain and its checks are trace/pt-key-chain.h; the record's place in the log is
 * pt_trace_rotate_key()).  Here is the order in which the data directory changes, so that a
 * crash at any step leaves a station that either never rotated or can finish the rotation:
 *
 *   1. keys/anchor.pub: the station's first key, its identity (once; harmless before 3);
 *   2. keys/next.key and keys/next.pub: the new pair (a pair no record names is dropped);
 *   3. the rotation record, committed to station.db: from here the new key is the current one;
 *   4. keys/station.key and station.pub replaced by the new pair, next.* removed.
 *
 * A crash between 3 and 4 leaves a station whose key files are not the current key: it
 * refuses to sign (pt_trace_append()) until `key rotate` is run again, which finds next.key
 * named by the last record and finishes step 4 instead of rotating again.
 * Refused while the station runs (its run lock): a running station keeps its key in memory. */
#pragma once

#include "pt-record.h"
#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint8 previous_key[PT_PUB_LEN];
  guint8 new_key[PT_PUB_LEN];
  gint64 from_ns;   /* the new key signs from this record time on */
  gint64 after_seq; /* the last event the previous key signed (0: none) */
  guint n_keys;     /* keys in the chain now, the anchor included */
  gboolean resumed; /* an interrupted rotation was finished, none was made */
} PtKeyRotateResult;

/* Rotates @station's key as above; on success @station->keys is the new pair.  PT_ERROR_CONFLICT
 * when the station is running. */
gboolean pt_key_rotate(PtStation *station, PtKeyRotateResult *result, GError **error);

G_END_DECLS
