/* pt-key-chain.h: the chain of a station's signing keys, from its first key (the trust
 * anchor, whose id is the station id) through each signed key rotation.
 *
 * A rotation record is canonical JSON (pt-canon.h):
 *   {"format": "packtrace-key-rotation/1", "stationId": id of the anchor,
 *    "previousKey": hex, "newKey": hex, "from": recordTime from which the new key signs,
 *    "afterSeq": the last station event the previous key signed (0: none),
 *    "afterHash": that event's hash (hex) or null}
 * signed (Ed25519 over SHA-256 of the record) by the previous key, which hands over, and by
 * the new key, which proves it holds its secret half.  "afterSeq"/"afterHash" put the
 * rotation at one place of the station's hash chain; "from" is the same place in time: the
 * station signs every event before it with the previous key and none after (pt-trace.c keeps
 * record times on the right side of it).
 *
 * A verifier that holds the whole log (audit, a hub) picks an event's key by its station seq;
 * one that holds a batch's events only (a bundle, the consumer page) by its recordTime.  The
 * chain is checked as it is built: each record must be signed by the key in force and the new
 * key, name the anchor's station, a key not used before, and a later time and seq.
 * A few records per station over its life: every lookup walks them. */
#pragma once

#include "pt-keys.h"
#include "pt-record.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_KEY_ROTATION_FORMAT "packtrace-key-rotation/1"

typedef struct _PtKeyChain PtKeyChain;

/* A chain of the anchor key alone.  Returns: (transfer full). */
PtKeyChain *pt_key_chain_new(const guint8 anchor[PT_PUB_LEN]);
void pt_key_chain_free(PtKeyChain *chain);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtKeyChain, pt_key_chain_free)

/* Checks @rotation (its record text, both signatures) against @chain and appends it.
 * PT_ERROR_TAMPERED naming what failed (a rotation not signed by the key in force is a
 * forgery), PT_ERROR_MALFORMED for a record that cannot be read; @chain is unchanged then. */
gboolean pt_key_chain_add(PtKeyChain *chain, const PtKeyRotationRow *rotation, GError **error);

/* The number of keys: 1 + the rotations. */
guint pt_key_chain_length(const PtKeyChain *chain);
/* Key @index (0: the anchor).  Returns: (transfer none). */
const guint8 *pt_key_chain_key(const PtKeyChain *chain, guint index);
/* The index of the key that signs at @record_time_ns. */
guint pt_key_chain_index_at_time(const PtKeyChain *chain, gint64 record_time_ns);
/* The index of the key that signs station event @seq. */
guint pt_key_chain_index_for_seq(const PtKeyChain *chain, gint64 seq);
/* The time from which key @index signs (0 for the anchor). */
gint64 pt_key_chain_from_ns(const PtKeyChain *chain, guint index);
/* The last station seq key @index - 1 signed, and that event's hash (nullable: none), for
 * @index >= 1.  Returns: (transfer none) (nullable). */
const guint8 *pt_key_chain_after(const PtKeyChain *chain, guint index, gint64 *after_seq);
/* The index of @key in the chain, or -1. */
int pt_key_chain_find(const PtKeyChain *chain, const guint8 key[PT_PUB_LEN]);

/* Reads @rotation's new key and "from" time without checking its signatures: what a signer
 * needs to know it signs with the current key, not what a verifier may trust. */
gboolean pt_key_rotation_peek(const PtKeyRotationRow *rotation, guint8 new_key[PT_PUB_LEN],
                              gint64 *from_ns, GError **error);

/* Makes the rotation from @old (the key in force) to @new_keys, from @from_ns (cut to the
 * millisecond, as recordTime is written) after station event @after_seq (@after_hash
 * nullable: no event yet), both signing it.  Returns: (transfer full) into @out
 * (pt_key_rotation_row_clear()). */
gboolean pt_key_rotation_make(const PtKeys *old, const PtKeys *new_keys,
                              const guint8 anchor[PT_PUB_LEN], gint64 from_ns, gint64 after_seq,
                              const guint8 *after_hash, PtKeyRotationRow *out, GError **error);

/* The rotations as a bundle carries them: [{"record": {...}, "signature": hex,
 * "newKeySignature": hex}, ...].  Returns: (transfer full). */
json_t *pt_key_chain_to_json(const PtKeyChain *chain);
/* Reads what pt_key_chain_to_json() wrote (transfer none) onto a chain from @anchor.
 * Returns: (transfer full) (nullable). */
PtKeyChain *pt_key_chain_from_json(const guint8 anchor[PT_PUB_LEN], const json_t *rotations,
                                   GError **error);

G_END_DECLS
