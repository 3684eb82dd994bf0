/* pt-hub-wire.h: one signed event of a station's log as it travels to the co-op hub
 * (station/hub/PROTOCOL.md, POST /hub/v1/events), and what the hub reads out of its signed
 * record: the batch it belongs to and the evidence it references.  The station's connector
 * writes events with pt_hub_wire_event(); the hub reads them with pt_hub_wire_read_event().
 * The record travels as its canonical text, verbatim (a JSON string), never re-encoded. */
#pragma once

#include "pt-record.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* Members of the signed record that name evidence by SHA-256 (PROTOCOL.md). */
#define PT_EXT_CLIP_SHA256 "pt:clipSha256" /* string: a dock camera clip */
#define PT_EXT_EVIDENCE    "pt:evidence"   /* [{file, sha256}]: grading stills */
#define PT_EXT_PHOTOS      "pt:photos"     /* [{kind, sha256, taken}]: drivers' photos */
/* [{role, sha256, mediaType, size, ...}]: a product photo or a certificate an operator attached
 * (pt-attachment.c) */
#define PT_EXT_ATTACHMENTS "pt:attachments"

/* @row as one event of a POST /hub/v1/events body; @lot and @gtin (nullable) are the batch's as
 * the station knows it.  Returns: (transfer full). */
json_t *pt_hub_wire_event(const PtEventRow *row, const char *lot, const char *gtin);

/* Reads one event object @obj (transfer none) into @row (cleared by the caller, batch_id left 0)
 * and the claimed @lot_out / @gtin_out (transfer full, nullable).  Checks form only (types,
 * hex lengths, seq >= 1, times RFC 3339, no unknown member); nothing is verified here.  Fails
 * with PT_ERROR_MALFORMED naming the member. */
gboolean pt_hub_wire_read_event(const json_t *obj, PtEventRow *row, char **lot_out, char **gtin_out,
                                GError **error);

/* The SHA-256s (lowercase hex, each once, in order of appearance) that @event, a parsed signed
 * record (transfer none), references as evidence.  Returns: (transfer full) (element-type utf8). */
GPtrArray *pt_hub_event_evidence(const json_t *event);

/* The batch of @event (transfer none): GTIN and lot from its LGTIN class
 * (https://id.gs1.org/01/GTIN/10/LOT with the lot percent-encoded), the first element of the
 * first of quantityList (ObjectEvent), childQuantityList (AggregationEvent: the lot packed
 * onto a pallet) or inputQuantityList (TransformationEvent: the lot repacked) that the event
 * has.  Returns FALSE (no error) for an event without one.  @gtin_out, @lot_out: (transfer full).
 */
gboolean pt_hub_event_batch(const json_t *event, char **gtin_out, char **lot_out);

/* TRUE when @hex is 2 * @n_bytes lowercase hex digits. */
gboolean pt_hub_is_hex(const char *hex, gsize n_bytes);

/* Decodes @hex into @out (@n_bytes) in one pass when it is exactly 2 * @n_bytes lowercase hex
 * digits, as pt_hub_is_hex() and pt_hex_decode() together; FALSE otherwise, @out then
 * undefined.  The hub's ingest reads four such values an event (hash, links, signature). */
gboolean pt_hub_hex_decode(const char *hex, guint8 *out, gsize n_bytes);

G_END_DECLS
