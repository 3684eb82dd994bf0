/* pt-event-check.h: the checks of one signed event row against its own record and the
 * station's key, shared by the station's audit (pt-trace.c) and the hub's ingest
 * (hub/pt-hub-ingest.c), so there is one verifier of a stored event.  Chain order across
 * events is the caller's: the station walks its log, the hub compares with what it holds.
 * One SHA-256, one Ed25519 verification, one JSON parse and (when the row carries one) one
 * Event Hash ID per event. */
#pragma once

#include "pt-record.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Checks @row: its body hashes to row->hash, the signature verifies with @public_key, the body
 * is JSON whose eventID and bizStep are row->event_id and row->step, row->hash_id (when set) is
 * the body's Event Hash ID, and, with @check_links, the body's pt:prevEvent and
 * pt:prevStationEvent are the row's prev hashes (absent when the row has none).  Appends one
 * line per failure to @failures (element-type utf8), in that order.
 * Returns: (transfer full) (nullable): the parsed record, NULL when it is not JSON. */
json_t *pt_event_check(const PtEventRow *row, const guint8 public_key[PT_PUB_LEN],
                       gboolean check_links, GPtrArray *failures);

/* TRUE when @event's @key names @hash (absent when !@present). */
gboolean pt_event_link_matches(const json_t *event, const char *key, gboolean present,
                               const guint8 *hash);

G_END_DECLS
