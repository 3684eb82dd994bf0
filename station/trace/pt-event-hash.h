/* pt-event-hash.h: the GS1 EPCIS Event Hash ID (CBV 2.0 section 8.9) of one EPCIS 2.0
 * JSON-LD event: `ni:///sha-256;<hex>?ver=CBV2.0`.
 *
 * The hash is taken over a pre-hash string: the event's fields in CBV's canonical order,
 * `key=value` without separators, values normalised (UTC timestamps at millisecond precision,
 * numbers without trailing zeros, CBV words and URNs as https://ref.gs1.org/cbv/ URIs, EPC
 * URIs and Digital Links as canonical https://id.gs1.org/ links), user extensions as
 * `{namespace}name=value`, sorted, after the standard fields.  recordTime, eventID,
 * errorDeclaration and comments are left out, so an event's ID does not depend on when it
 * was recorded or on a later correction of it.  The rules follow the reference implementation
 * (RalphTro/epcis-event-hash-generator, 1.9.x) and its test vectors. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_EVENT_HASH_PREFIX "ni:///sha-256;"
#define PT_EVENT_HASH_SUFFIX "?ver=CBV2.0"
#define PT_EVENT_HASH_ID_LEN                                                                       \
  (sizeof PT_EVENT_HASH_PREFIX - 1 + 64 + sizeof PT_EVENT_HASH_SUFFIX - 1)

/* The pre-hash string of @event (transfer none).  @document (transfer none, nullable) is the
 * EPCIS document the event came in: its "@context" declares the namespace prefixes, and a
 * `prefix:ignoreFields` list (at its top or in its queryResults) names repository fields left
 * out; without it the event's own "@context" is used.  Prefixes (`example:myField`) are
 * expanded only when declared inline, as in the reference; the standard EPCIS context URL
 * declares none that the hash uses.  Fails with PT_ERROR_INVALID for a non-object or an event
 * without "type", PT_ERROR_TOO_LARGE over PT_EVENT_PREHASH_MAX.  Returns: (transfer full). */
char *pt_event_hash_prehash(const json_t *event, const json_t *document, GError **error);

/* The Event Hash ID of @event, `ni:///sha-256;<64 hex>?ver=CBV2.0`; arguments as
 * pt_event_hash_prehash().  Returns: (transfer full). */
char *pt_event_hash_id(const json_t *event, const json_t *document, GError **error);

/* TRUE when @text has the form of an Event Hash ID this module makes. */
gboolean pt_event_hash_id_is_valid(const char *text);

G_END_DECLS
