/* pt-bundle.h: what leaves the station about one batch.
 *
 * - The EPCIS 2.0 document of the batch's events (GS1 schema valid), listing each event's
 *   GS1 Event Hash ID in "pt:eventHashIds" (document level, in eventList order).
 * - The signed trace bundle: that document, per event its hash, the hash it chains
 *   to, its signature and its GS1 Event Hash ID ("hashId"), the station's public key, and a signed
 *   head (count, last hash, document hash, batch identity, the station id derived from the key)
 *   so that removing the last events or editing the document header is caught too.  Anyone can
 *   check a bundle offline with the public key alone: `packtrace verify FILE`.
 *
 * Served bytes.  Every event leaves as its stored record (PtEventRow.body, the canonical text
 * that was hashed), spliced verbatim into the document that carries it; the writer never
 * re-encodes a signed record, so no number or string can change on the way (jansson's
 * REAL_PRECISION(15) once turned 72.77000000000001 into 72.77).  The documents themselves are
 * written in the canonical form (pt-canon.h).
 *
 * Views.  An event that holds a private member (pt_bundle_event_is_private(): operator notes,
 * a load's plate, seal, destination and documents) is shown in clear in the full view only;
 * the public view withholds it, a buyer sees the loads it may see (a buyer scoped to a GLN only
 * its own) and no operator's note.
 * A withheld event is "redacted": it leaves out of the eventList, and its proof says
 * "redacted": true and still carries its hash, hashId, link and signature.  Since the signature
 * is over the hash, and the next event's signed "pt:prevEvent" and the head's lastHash name that
 * hash, a redacted bundle verifies against the same signatures as the full one, and every
 * event shown is checked as before.  The format string stays "packtrace-bundle/1": a bundle
 * without redactions is what it always was, and older verifiers refuse a redacted one.
 *
 * Keys.  The head's "publicKey" is the station's anchor (its first key, whose id is the
 * station id).  A station that has rotated its key names the rotations in the head as
 * "keyChain" (pt-key-chain.h): the head is then signed by the chain's last key, and each
 * event is checked with the key in force at its recordTime (a redacted one with a key of the
 * chain, placed by the keys' order along the batch).  A bundle of a station that never
 * rotated is what it always was.
 *
 * A hub's bundle.  A co-op hub serves the station's records but cannot sign for it: its head
 * names the station's key as "publicKey" (the events' signatures are the station's) and the
 * hub's key as "hubKey", which signs the head (count, last hash, document hash).
 *
 * verify is strict: unknown members at the bundle root or in a proof, hex other than lowercase,
 * or a head whose station id is not the signing key's are refused. */
#pragma once

#include "pt-config.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-record.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_BUNDLE_FORMAT "packtrace-bundle/1"
/* A page's view of the signed bundle (pt_bundle_writer_set_view()). */
#define PT_BUNDLE_VIEW_FORMAT "packtrace-bundle-view/1"

/* Who a document is for: the operator (every event in clear), anyone (no private member), or
 * a buyer (its own loads only when scoped to a GLN). */
typedef enum {
  PT_BUNDLE_FULL,
  PT_BUNDLE_PUBLIC,
  PT_BUNDLE_BUYER,
} PtBundleView;

/* TRUE when @event (transfer none) holds a member the public view withholds. */
gboolean pt_bundle_event_is_private(const json_t *event);

/* TRUE when @view (@buyer_gln: the scope of a PT_BUNDLE_BUYER view, nullable) shows @event
 * (transfer none) in clear: the full view all, the public view no private member, a buyer
 * the public's and the loads it may see (all, or those to its GLN), never an operator's note. */
gboolean pt_bundle_event_shown(const json_t *event, PtBundleView view, const char *buyer_gln);

/* The member of a signed event that the operator wrote for the public (shown on the consumer
 * page, in clear in the public bundle); "pt:note" stays private. */
#define PT_EXT_PUBLIC_NOTE "pt:publicNote"
/* true on a record the operator keeps from the public and buyers (a private attachment). */
#define PT_EXT_PRIVATE "pt:private"

/* One entry of a batch's public timeline, as the consumer pages of the station and the hub
 * show it: {n, step, time, disposition, hash_id[, error_declaration][, clip][, note]}, from
 * @event (transfer none, the signed record) and @row (its step and Event Hash ID), @n its
 * place in the batch's log.  "clip" is @clip_link (a Digital Link asking for the clip
 * linkType) followed by "&n=N", for an event the public view shows that names a clip; "note"
 * is its PT_EXT_PUBLIC_NOTE.  Never the operator's notes or quantities.
 * Returns: (transfer full). */
json_t *pt_bundle_public_entry(const json_t *event, const PtEventRow *row, gsize n,
                               const char *clip_link);

/* Writes a batch's documents from its events, fed in log order by whoever holds them (the
 * station's SQLite store, a hub's database): the EPCIS document, and with @with_proofs the
 * signed bundle, both in @view; @buyer_gln (nullable, copied) is the scope of a
 * PT_BUNDLE_BUYER view.  @config must outlive the writer.  Returns: (transfer full). */
typedef struct _PtBundleWriter PtBundleWriter;
PtBundleWriter *pt_bundle_writer_new(const PtConfig *config, gboolean with_proofs,
                                     PtBundleView view, const char *buyer_gln);
void pt_bundle_writer_free(PtBundleWriter *writer);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtBundleWriter, pt_bundle_writer_free)

/* Sets the document's creationDate to @creation_ns instead of the writer's making time: a
 * hub serving a batch dates it by its last record, so the same events give the same bytes
 * (a strong ETag). */
void pt_bundle_writer_set_creation(PtBundleWriter *w, gint64 creation_ns);

/* Names the station's key chain (@chain: transfer none, copied) in the head, when it has
 * rotations: a verifier follows it from the anchor to check each event with the key in force
 * at its recordTime. */
void pt_bundle_writer_set_key_chain(PtBundleWriter *writer, const PtKeyChain *chain);

/* Makes @writer's bundle a view of some of the batch's records (a consumer page's,
 * pt-page-view.h): format PT_BUNDLE_VIEW_FORMAT, the records added with
 * pt_bundle_writer_add() in it (in clear or redacted as the view says, with their proofs as
 * in the whole bundle), the others passed with pt_bundle_writer_pass().  Its head is the whole
 * batch's (count, last hash) and names the records shown, "shown": [n, ...] ascending, under
 * its signature: a record left out of the view, or one added, fails the head.  Links are
 * checkable between records whose numbers follow each other, and the last against the head's
 * lastHash, so the view always holds the batch's last record. */
void pt_bundle_writer_set_view(PtBundleWriter *writer);

/* Counts the next event of the batch without showing it in a view: only its place and hash
 * (the head's count and lastHash) are kept. */
void pt_bundle_writer_pass(PtBundleWriter *writer, const PtEventRow *row);

/* Adds the next event, its proof naming @row's stored Event Hash ID (computed only when the
 * row has none).  The body is parsed only when it must be read (no stored ID, or bytes that
 * spell a member the view may withhold); fails only on such a body that is not JSON. */
gboolean pt_bundle_writer_add(PtBundleWriter *writer, const PtEventRow *row, GError **error);

/* The EPCIS document of the events added so far that the view shows, their stored records
 * spliced in verbatim; its length in @len_out.  Returns: (transfer full). */
char *pt_bundle_writer_epcis(PtBundleWriter *writer, gsize *len_out, GError **error);

/* Signs the head over the events added so far (count, last hash, document hash, @batch's
 * identity, the anchor key of @keys and the key chain set) with @keys' current key.  Needs a
 * writer made @with_proofs.
 * Returns: (transfer full): the signed bundle's text, its length in @len_out. */
char *pt_bundle_writer_finish(PtBundleWriter *writer, const PtKeys *keys, const PtBatch *batch,
                              gsize *len_out, GError **error);

/* The same as pt_bundle_writer_finish() for a co-op hub, which holds the station's signed
 * events but not its secret key: the head names @station_key ("publicKey", "stationId": every
 * event is checked against it) and is signed by @keys, the hub's, which it names as "hubKey".
 * With @keys being the station's own this is pt_bundle_writer_finish().
 * Returns: (transfer full). */
char *pt_bundle_writer_finish_attested(PtBundleWriter *writer, const PtKeys *keys,
                                       const guint8 station_key[PT_PUB_LEN], const PtBatch *batch,
                                       gsize *len_out, GError **error);

typedef struct {
  gint64 n_events;
  char *lot;
  char *gtin;
  char *station_id;
  guint8 public_key[PT_PUB_LEN]; /* the station's anchor key */
  guint n_keys;                  /* the keys of its chain: 1 + the rotations in the head */
  GPtrArray *hash_ids; /* (element-type utf8): the GS1 Event Hash ID of each event, in order;
                        * "" for a redacted event, whose claimed ID no signature covers */
} PtVerifyResult;

void pt_verify_result_clear(PtVerifyResult *result);

/* Checks a bundle (full or redacted) held in memory: structure, every event's hash, chain link,
 * order and signature, every redacted event's signature over its proof's hash, each proof's
 * "hashId" against the event's GS1 Event Hash ID (pt-event-hash.h; a proof without one, from an
 * older bundle, passes), and the signed head.  With @public_key (nullable) the bundle must be
 * signed by that key, not only by the key it carries.  Fails with PT_ERROR_MALFORMED for a bundle
 * that cannot be read and PT_ERROR_TAMPERED naming the event and what failed. */
gboolean pt_bundle_verify(const char *data, gsize len, const guint8 *public_key,
                          PtVerifyResult *result, GError **error);

/* The same checks on the bundle in the file @fd (borrowed), read as it is checked: memory
 * stays bounded by PT_VERIFY_CHUNK events whatever the bundle's size, so a bundle of any
 * length verifies in the same few megabytes.  @result's hash_ids (one string per event, the
 * one thing that grows with the bundle) is filled only @with_hash_ids; NULL otherwise. */
gboolean pt_bundle_verify_fd(int fd, const guint8 *public_key, gboolean with_hash_ids,
                             PtVerifyResult *result, GError **error);

/* Shared by the writer and verify.  SHA-256 of the canonical form of @doc without its
 * eventList (the events are covered one by one by their proofs). */
gboolean pt_bundle_document_hash(json_t *doc, guint8 hash[PT_HASH_LEN], GError **error);
/* SHA-256 of the canonical form of @head without "signature": what the head's signature
 * covers. */
gboolean pt_bundle_head_digest(json_t *head, guint8 digest[PT_HASH_LEN], GError **error);

G_END_DECLS
