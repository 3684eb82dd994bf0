/* pt-bundle.h: what leaves the station about one batch.
 *
 * - The EPCIS 2.0 document of the batch's events (GS1 schema valid), listing each event's
 *   GS1 Event Hash ID in "pt:eventHashIds" (document level, in eventList order).
 * - The signed trace bundle: that document, per event its hash, the hash it chains
 *   to, its signature and its GS1 Event Hash ID ("hashId"), the station's public key, and a signed
 * head (count, last hash, document hash, batch identity) so that removing the last events or
 * editing the document header is caught too.  Anyone can check a bundle offline with the public key
 * alone: `packtrace verify FILE`. */
#pragma once

#include "pt-config.h"
#include "pt-keys.h"
#include "pt-record.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_BUNDLE_FORMAT "packtrace-bundle/1"

/* Writes a batch's documents from its events, fed in log order by whoever holds them (the
 * station's SQLite store, a hub's database): the EPCIS document, and with @with_proofs the
 * signed bundle.  @config must outlive the writer.  Returns: (transfer full). */
typedef struct _PtBundleWriter PtBundleWriter;
PtBundleWriter *pt_bundle_writer_new(const PtConfig *config, gboolean with_proofs);
void pt_bundle_writer_free(PtBundleWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtBundleWriter, pt_bundle_writer_free)

/* Adds the next event.  Fails only on a stored body that is not JSON. */
gboolean pt_bundle_writer_add(PtBundleWriter *writer, const PtEventRow *row, GError **error);

/* Returns: (transfer full): the EPCIS document of the events added so far. */
json_t *pt_bundle_writer_epcis(PtBundleWriter *writer);

/* Signs the head over the events added so far (count, last hash, document hash, @batch's
 * identity, the public key of @keys).  Needs a writer made @with_proofs.
 * Returns: (transfer full): the signed bundle. */
json_t *pt_bundle_writer_finish(PtBundleWriter *writer, const PtKeys *keys, const PtBatch *batch,
                                GError **error);

typedef struct {
  gint64 n_events;
  char *lot;
  char *gtin;
  char *station_id;
  guint8 public_key[PT_PUB_LEN];
  GPtrArray *hash_ids; /* (element-type utf8): the GS1 Event Hash ID of each event, in order */
} PtVerifyResult;

void pt_verify_result_clear(PtVerifyResult *result);

/* Checks a bundle: structure, every event's hash, chain link, order and signature,
 * each proof's "hashId" against the event's GS1 Event Hash ID (pt-event-hash.h; a proof
 * without one, from an older bundle, passes), and the signed head.  With @public_key (nullable) the
 * bundle must be signed by that key, not only by the key it carries.  Fails with PT_ERROR_MALFORMED
 * for a bundle that cannot be read and PT_ERROR_TAMPERED naming the event and what failed. */
gboolean pt_bundle_verify(const char *data, gsize len, const guint8 *public_key,
                          PtVerifyResult *result, GError **error);

G_END_DECLS
