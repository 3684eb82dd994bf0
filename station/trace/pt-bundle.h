/* pt-bundle.h: what leaves the station about one batch.
 *
 * - The EPCIS 2.0 document of the batch's events (GS1 schema valid).
 * - The signed trace bundle: that document, per event its hash, the hash it chains
 *   to and its signature, the station's public key, and a signed head (count, last
 *   hash, document hash, batch identity) so that removing the last events or editing
 *   the document header is caught too.  Anyone can check a bundle offline with the
 *   public key alone: `packtrace verify FILE`. */
#pragma once

#include "pt-config.h"
#include "pt-keys.h"
#include "pt-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_BUNDLE_FORMAT "packtrace-bundle/1"

/* Returns: (transfer full): the EPCIS document of @batch's events, in log order. */
json_t *pt_bundle_epcis(PtStore *store, const PtConfig *config, const PtBatch *batch,
                        GError **error);

/* Returns: (transfer full): the signed bundle of @batch. */
json_t *pt_bundle_export(PtStore *store, const PtConfig *config, const PtKeys *keys,
                         const PtBatch *batch, GError **error);

typedef struct {
  gint64 n_events;
  char *lot;
  char *gtin;
  char *station_id;
  guint8 public_key[PT_PUB_LEN];
} PtVerifyResult;

void pt_verify_result_clear(PtVerifyResult *result);

/* Checks a bundle: structure, every event's hash, chain link, order and signature,
 * and the signed head.  With @public_key (nullable) the bundle must be signed by
 * that key, not only by the key it carries.  Fails with PT_ERROR_MALFORMED for a
 * bundle that cannot be read and PT_ERROR_TAMPERED naming the event and what failed. */
gboolean pt_bundle_verify(const char *data, gsize len, const guint8 *public_key,
                          PtVerifyResult *result, GError **error);

G_END_DECLS
