/* pt-bundle-verify.c: the check of a signed trace bundle (pt-bundle.h), read as it streams.
 * verify runs on bundles from anywhere, so every field is checked for type, case and size
 * before use and every failure names what it saw.
 *
 * Workload: one bundle of up to hundreds of thousands of events, each checked once; Ed25519
 * verification is most of the time (about 70-90 us an event on the 2-core box), then the Event
 * Hash ID and jansson.  The bundle is never held as one JSON tree: a first pass
 * (pt-json-scan.h) finds the members of its root, where the event list and the proofs start,
 * and counts both; the second walks the events and the proofs side by side with two readers,
 * PT_VERIFY_CHUNK pairs at a time, each pair parsed alone, checked on every core, then
 * reported in order.  Memory is that of one chunk whatever the bundle's length.
 *
 * An event is hashed as the bytes that stand in the bundle: the station writes each stored
 * record verbatim (pt-bundle.h, "Served bytes"), so the hash matches without the event being
 * written out again.  Only when it does not (a bundle re-indented by a tool) is its canonical
 * form taken, as verify always did. */
#include "pt-bundle.h"

#include "pt-canon.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-event-hash.h"
#include "pt-json-scan.h"
#include "pt-json.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-sha256.h"
#include "pt-time.h"

#include <string.h>

void
pt_verify_result_clear(PtVerifyResult *result)
{
  g_free(result->lot);
  g_free(result->gtin);
  g_free(result->station_id);
  if (result->hash_ids)
    g_ptr_array_unref(result->hash_ids);
  memset(result, 0, sizeof *result);
}

static gboolean G_GNUC_PRINTF(2, 3) malformed(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error(error, PT_ERROR, PT_ERROR_MALFORMED, "bundle is malformed: %s", msg);
  return FALSE;
}

static gboolean G_GNUC_PRINTF(2, 3) tampered(GError **error, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  g_autofree char *msg = g_strdup_vprintf(fmt, ap);
  va_end(ap);
  g_set_error_literal(error, PT_ERROR, PT_ERROR_TAMPERED, msg);
  return FALSE;
}

/* A reader's error, said of the bundle; its code (malformed, too large, unreadable) kept. */
static gboolean
scan_failed(GError **error, GError *local)
{
  g_set_error(error, PT_ERROR, local->code, "%s: %s",
              local->code == PT_ERROR_IO ? "bundle cannot be read" : "bundle is malformed",
              local->message);
  g_error_free(local);
  return FALSE;
}

/* Lowercase hex only, as the station writes it: one spelling per value, so no byte of a
 * bundle is free to change without verify noticing. */
static gboolean
get_hex(json_t *obj, const char *key, guint8 *out, gsize len)
{
  const char *hex = json_string_value(json_object_get(obj, key));
  if (!hex)
    return FALSE;
  for (const char *p = hex; *p; p++)
    if (!g_ascii_isdigit(*p) && !(*p >= 'a' && *p <= 'f'))
      return FALSE;
  return pt_hex_decode(hex, out, len);
}

static const char *const proof_members[] = {"eventID", "hash",     "signature", "prevHash",
                                            "hashId",  "redacted", NULL};

/* Refuses a member of @obj that is not in @known (NULL-terminated), naming it and @what. */
static gboolean
only_known(json_t *obj, const char *what, const char *const *known, GError **error)
{
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v)
  {
    gboolean ok = FALSE;
    for (const char *const *k = known; *k && !ok; k++)
      ok = strcmp(*k, key) == 0;
    if (!ok) {
      /* jansson gives valid UTF-8 keys; a long one is cut to what a reader needs. */
      g_autofree char *shown_key = g_utf8_substring(key, 0, MIN(g_utf8_strlen(key, -1), 64));
      return malformed(error, "unknown member \"%s\" in %s", shown_key, what);
    }
  }
  return TRUE;
}

/* Where a member's value lies in the bundle. */
typedef struct {
  gboolean seen;
  goffset start;
  gsize len;
  gsize n_items; /* of an array */
} Span;

/* The bundle's root members, in root_members' order, and the document's event list. */
enum { MEMBER_FORMAT, MEMBER_EPCIS, MEMBER_PROOFS, MEMBER_HEAD, N_MEMBERS };
static const char *const root_members[] = {"format", "epcis", "proofs", "head", NULL};

typedef struct {
  Span member[N_MEMBERS];
  Span events; /* epcis.epcisBody.eventList */
} Layout;

/* Skips the value at @s, noting where it lies in @span; at @level 1 (epcis) and 2 (its
 * epcisBody) an object is walked member by member to find the event list. */
static gboolean skip_into(PtJsonScan *s, Span *span, Layout *layout, int level, GError **error);

/* Inside epcis (@level 1) and its epcisBody (@level 2): finds the event list, skips the rest. */
static gboolean
walk_object(PtJsonScan *s, Layout *layout, int level, GError **error)
{
  if (!pt_json_scan_expect(s, '{', error))
    return FALSE;
  gboolean more = FALSE;
  for (gboolean first = TRUE;; first = FALSE) {
    if (!pt_json_scan_more(s, '}', first, &more, error))
      return FALSE;
    if (!more)
      return TRUE;
    g_autofree char *key = pt_json_scan_key(s, error);
    if (!key)
      return FALSE;
    Span ignored = {0};
    if (level == 1 && strcmp(key, "epcisBody") == 0) {
      if (!skip_into(s, &ignored, layout, 2, error))
        return FALSE;
    } else if (level == 2 && strcmp(key, "eventList") == 0) {
      /* A second list would be a second meaning for the same document: refused, as jansson
       * refuses duplicate keys. */
      if (layout->events.seen)
        return malformed(error, "the document has two eventList members");
      if (!skip_into(s, &layout->events, layout, 0, error)) {
        /* Name the event whose text breaks, as the second pass names one that is not JSON. */
        if (layout->events.n_items)
          g_prefix_error(error, "event %zu: ", layout->events.n_items);
        return FALSE;
      }
    } else if (!pt_json_scan_skip(s, NULL, error)) {
      return FALSE;
    }
  }
}

static gboolean
skip_into(PtJsonScan *s, Span *span, Layout *layout, int level, GError **error)
{
  pt_json_scan_peek(s);
  span->seen = TRUE;
  span->start = pt_json_scan_offset(s);
  gboolean ok = level > 0 && pt_json_scan_peek(s) == '{'
                    ? walk_object(s, layout, level, error)
                    : pt_json_scan_skip(s, &span->n_items, error);
  span->len = (gsize)(pt_json_scan_offset(s) - span->start);
  return ok;
}

/* The first pass: the root's members and where the events are, every byte's structure. */
static gboolean
locate(PtJsonScan *s, Layout *layout, GError **error)
{
  GError *local = NULL;
  gboolean more = FALSE;
  if (!pt_json_scan_expect(s, '{', &local))
    return scan_failed(error, local);
  for (gboolean first = TRUE;; first = FALSE) {
    if (!pt_json_scan_more(s, '}', first, &more, &local))
      return scan_failed(error, local);
    if (!more)
      break;
    g_autofree char *key = pt_json_scan_key(s, &local);
    if (!key)
      return scan_failed(error, local);
    int m = 0;
    while (root_members[m] && strcmp(root_members[m], key) != 0)
      m++;
    if (!root_members[m]) {
      g_autofree char *shown_key = g_utf8_substring(key, 0, MIN(g_utf8_strlen(key, -1), 64));
      return malformed(error, "unknown member \"%s\" in the bundle", shown_key);
    }
    if (layout->member[m].seen)
      return malformed(error, "duplicate member \"%s\" in the bundle", key);
    if (!skip_into(s, &layout->member[m], layout, m == MEMBER_EPCIS ? 1 : 0, &local)) {
      if (m == MEMBER_PROOFS && layout->member[m].n_items)
        g_prefix_error(&local, "proof %zu: ", layout->member[m].n_items);
      return scan_failed(error, local);
    }
  }
  if (pt_json_scan_peek(s) != -1)
    return malformed(error, "data after the bundle at byte %" G_GINT64_FORMAT,
                     pt_json_scan_offset(s));
  return TRUE;
}

/* Returns: (transfer full) (nullable): the JSON value of @span, at most @max bytes. */
static json_t *
read_member(PtJsonScan *s, const Span *span, gsize max, const char *what, GError **error)
{
  if (!span->seen)
    return NULL;
  if (span->len > max) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "bundle is malformed: %s is over %zu bytes",
                what, max);
    return NULL;
  }
  g_autoptr(GString) text = g_string_sized_new(span->len);
  GError *local = NULL;
  if (!pt_json_scan_copy(s, span->start, span->len, text, &local)) {
    scan_failed(error, local);
    return NULL;
  }
  json_t *v = pt_json_parse(text->str, text->len, &local);
  if (!v)
    malformed(error, "%s: %s", what, local->message);
  g_clear_error(&local);
  return v;
}

/* Returns: (transfer full) (nullable): the EPCIS document with an empty eventList in place of
 * the events (all that the document hash covers), NULL with @error set when it cannot be
 * read; NULL without error when it is not there. */
static json_t *
read_document(PtJsonScan *s, const Layout *layout, GError **error)
{
  const Span *doc = &layout->member[MEMBER_EPCIS];
  const Span *events = &layout->events;
  if (!doc->seen)
    return NULL;
  gsize header = doc->len - (events->seen ? events->len : 0);
  if (header > PT_BUNDLE_HEADER_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "bundle is malformed: the EPCIS document without its events is over %d bytes",
                PT_BUNDLE_HEADER_MAX);
    return NULL;
  }
  g_autoptr(GString) text = g_string_sized_new(header + 2);
  GError *local = NULL;
  gboolean ok = TRUE;
  if (events->seen) {
    ok = pt_json_scan_copy(s, doc->start, (gsize)(events->start - doc->start), text, &local);
    g_string_append(text, "[]");
    goffset after = events->start + (goffset)events->len;
    ok = ok &&
         pt_json_scan_copy(s, after, (gsize)(doc->start + (goffset)doc->len - after), text, &local);
  } else {
    ok = pt_json_scan_copy(s, doc->start, doc->len, text, &local);
  }
  if (!ok) {
    scan_failed(error, local);
    return NULL;
  }
  json_t *v = pt_json_parse(text->str, text->len, &local);
  if (!v)
    malformed(error, "the EPCIS document: %s", local->message);
  g_clear_error(&local);
  return v;
}

/* What the parallel phase found about one event. */
typedef enum {
  CHECK_OK,
  CHECK_NOT_JSON,
  CHECK_NOT_EVENT,
  CHECK_PROOF_DAMAGED,
  CHECK_HASH_MISMATCH,
  CHECK_BAD_SIGNATURE,
  CHECK_HASH_ID_MISMATCH,
  CHECK_RETIRED_KEY, /* signed by a key of the chain, not the one in force at its time */
} EventCheck;

/* One proof and its event, from reading to reporting. */
typedef struct {
  json_t *proof;
  char *text; /* the event's bytes as they stand in the bundle; NULL for a redacted one */
  gsize len;
  json_t *event; /* parsed from @text by the check */
  char *parse_error;
  guint8 hash[PT_HASH_LEN];
  char *hash_id;   /* its Event Hash ID; "" for a redacted event */
  guint key_index; /* in the chain, of the key that signed it */
  EventCheck check;
} Pair;

static void
pair_clear(Pair *p)
{
  json_decref(p->proof);
  json_decref(p->event);
  g_free(p->text);
  g_free(p->parse_error);
  g_free(p->hash_id);
  memset(p, 0, sizeof *p);
}

typedef struct {
  Pair *pairs;
  gsize from, to;
  const PtKeyChain *chain;
} VerifyChunk;

/* A redacted event: only its proof is there.  Its hash is the proof's, which the signature
 * covers; the next event's signed link and the head's last hash tie it into the chain. */
static EventCheck
check_redacted(const PtKeyChain *chain, Pair *p, const guint8 *claimed, const guint8 *sig)
{
  const char *id = json_string_value(json_object_get(p->proof, "hashId"));
  if (!id || !pt_event_hash_id_is_valid(id))
    return CHECK_PROOF_DAMAGED;
  memcpy(p->hash, claimed, PT_HASH_LEN);
  /* No signature covers a redacted event's claimed ID: it is not handed back as found. */
  p->hash_id = g_strdup("");
  /* Its time is inside the record it withholds: any key of the chain may have signed it, and
   * the order of keys along the batch (report_pair()) places it. */
  for (guint k = 0; k < pt_key_chain_length(chain); k++)
    if (pt_keys_verify(pt_key_chain_key(chain, k), claimed, sig)) {
      p->key_index = k;
      return CHECK_OK;
    }
  return CHECK_BAD_SIGNATURE;
}

/* The key in force at the event's recordTime; a signature by another key of the chain is a
 * retired (or not yet valid) key's, told apart from one that verifies with no key. */
static EventCheck
check_signature(const PtKeyChain *chain, Pair *p, const guint8 *sig)
{
  guint k = 0;
  gint64 t = 0;
  if (pt_key_chain_length(chain) > 1) {
    const char *when = json_string_value(json_object_get(p->event, "recordTime"));
    if (!when || !pt_time_parse(when, &t, NULL))
      return CHECK_NOT_EVENT;
    k = pt_key_chain_index_at_time(chain, t);
  }
  p->key_index = k;
  if (pt_keys_verify(pt_key_chain_key(chain, k), p->hash, sig))
    return CHECK_OK;
  for (guint o = 0; o < pt_key_chain_length(chain); o++)
    if (o != k && pt_keys_verify(pt_key_chain_key(chain, o), p->hash, sig))
      return CHECK_RETIRED_KEY;
  return CHECK_BAD_SIGNATURE;
}

/* SHA-256 of the event as signed: its bytes as they stand when they are the signed ones (a
 * station's bundle), else its canonical form (a bundle a tool wrote out again). */
static gboolean
hash_event(Pair *p, const guint8 *claimed)
{
  pt_sha256(p->hash, p->text, p->len);
  if (sodium_memcmp(p->hash, claimed, PT_HASH_LEN) == 0)
    return TRUE;
  gsize len = 0;
  g_autofree char *canon = pt_canon_dump(p->event, &len, NULL);
  if (!canon)
    return FALSE;
  pt_sha256(p->hash, canon, len);
  return TRUE;
}

static EventCheck
check_pair(const PtKeyChain *chain, Pair *p)
{
  guint8 claimed[PT_HASH_LEN], sig[PT_SIG_LEN];
  if (p->text) {
    GError *local = NULL;
    p->event = pt_json_parse(p->text, p->len, &local);
    if (!p->event) {
      p->parse_error = g_strdup(local->message);
      g_error_free(local);
      return CHECK_NOT_JSON;
    }
    if (!json_is_object(p->event))
      return CHECK_NOT_EVENT;
  }
  if (!get_hex(p->proof, "hash", claimed, PT_HASH_LEN) ||
      !get_hex(p->proof, "signature", sig, PT_SIG_LEN))
    return CHECK_PROOF_DAMAGED;
  if (!p->text)
    return check_redacted(chain, p, claimed, sig);
  if (!hash_event(p, claimed))
    return CHECK_NOT_EVENT;
  p->hash_id = pt_event_hash_id(p->event, NULL, NULL);
  /* Bundles made before proofs carried hashId have none; one that is there must match. */
  json_t *claimed_id = json_object_get(p->proof, "hashId");
  if (!p->hash_id)
    return CHECK_NOT_EVENT;
  if (sodium_memcmp(p->hash, claimed, PT_HASH_LEN) != 0)
    return CHECK_HASH_MISMATCH;
  EventCheck signature = check_signature(chain, p, sig);
  if (signature != CHECK_OK)
    return signature;
  if (claimed_id && g_strcmp0(json_string_value(claimed_id), p->hash_id) != 0)
    return CHECK_HASH_ID_MISMATCH;
  return CHECK_OK;
}

static gpointer
verify_chunk(gpointer data)
{
  VerifyChunk *c = data;
  for (gsize i = c->from; i < c->to; i++)
    c->pairs[i].check = check_pair(c->chain, &c->pairs[i]);
  return NULL;
}

/* Hashing and signature checks are independent per event and are most of verify's time, so
 * a chunk's run on every core while the next chunk is read; links are checked in order after. */
typedef struct {
  VerifyChunk parts[PT_VERIFY_THREADS_MAX];
  GThread *threads[PT_VERIFY_THREADS_MAX];
  guint n_threads;
} Checking;

static void
check_start(Checking *ck, Pair *pairs, gsize n, const PtKeyChain *chain)
{
  ck->n_threads = n < 64 ? 1 : CLAMP(g_get_num_processors(), 1, PT_VERIFY_THREADS_MAX);
  for (guint t = 0; t < ck->n_threads; t++) {
    ck->parts[t] = (VerifyChunk){.pairs = pairs,
                                 .chain = chain,
                                 .from = n * t / ck->n_threads,
                                 .to = n * (t + 1) / ck->n_threads};
    ck->threads[t] = g_thread_new("verify", verify_chunk, &ck->parts[t]);
  }
}

static void
check_wait(Checking *ck)
{
  for (guint t = 0; t < ck->n_threads; t++)
    g_thread_join(ck->threads[t]);
}

/* Where the walk along the batch stands between chunks. */
typedef struct {
  gsize n; /* events reported so far */
  guint8 prev_hash[PT_HASH_LEN];
  guint prev_key;
} Walk;

/* The first problem of @p, the @walk->n + 1-th event, said in event order. */
static gboolean
report_pair(Walk *walk, const Pair *p, GError **error)
{
  json_t *event = p->event;
  json_t *proof = p->proof;
  gsize n = walk->n + 1;
  gboolean first = walk->n == 0;
  if (p->check == CHECK_NOT_JSON)
    return malformed(error, "event %zu is not JSON: %s", n, p->parse_error);
  const char *id = json_string_value(json_object_get(event ? event : proof, "eventID"));
  if (p->check == CHECK_NOT_EVENT || !id)
    return tampered(error, "event %zu: not an event with an eventID", n);
  if (p->check == CHECK_PROOF_DAMAGED)
    return tampered(error, "event %zu (%s): its proof is damaged", n, id);
  if (g_strcmp0(json_string_value(json_object_get(proof, "eventID")), id) != 0)
    return tampered(error, "event %zu (%s): proof is for another event (order changed?)", n, id);
  if (p->check == CHECK_HASH_MISMATCH)
    return tampered(error, "event %zu (%s): content does not match its hash (event altered)", n,
                    id);
  if (p->check == CHECK_BAD_SIGNATURE)
    return tampered(error, "event %zu (%s): signature does not verify", n, id);
  /* Keys follow each other along a batch as along the log: none signs after its successor. */
  if (p->check == CHECK_RETIRED_KEY || (!first && p->key_index < walk->prev_key))
    return tampered(error,
                    "event %zu (%s): signed by a key of the station that was not in force at "
                    "its time (a retired key signing after its rotation)",
                    n, id);
  if (p->check == CHECK_HASH_ID_MISMATCH)
    return tampered(error, "event %zu (%s): its proof's hashId is not the event's Event Hash ID", n,
                    id);
  /* A redacted event's own link is inside the record it withholds; the next event's signed
   * link to it and the head's last hash still place it. */
  const char *link = event ? json_string_value(json_object_get(event, PT_EXT_PREV_EVENT)) : NULL;
  guint8 linked[PT_HASH_LEN];
  if (event && (!first ? !(link && pt_hex_decode(link, linked, PT_HASH_LEN) &&
                           sodium_memcmp(linked, walk->prev_hash, PT_HASH_LEN) == 0)
                       : link != NULL))
    return tampered(error,
                    "event %zu (%s): chain broken: the previous event is not the one it "
                    "names (an event was removed or the order changed)",
                    n, id);
  /* The proof's copy of the link must agree too: no byte of a bundle is unchecked. */
  if (!first ? !(get_hex(proof, "prevHash", linked, PT_HASH_LEN) &&
                 sodium_memcmp(linked, walk->prev_hash, PT_HASH_LEN) == 0)
             : !json_is_null(json_object_get(proof, "prevHash")))
    return tampered(error, "event %zu (%s): proof names another previous event", n, id);
  memcpy(walk->prev_hash, p->hash, PT_HASH_LEN);
  walk->prev_key = p->key_index;
  walk->n = n;
  return TRUE;
}

/* Reads the next proof from @proofs and, unless it is redacted, the next event from @events
 * into @p; FALSE in @more after the last proof. */
static gboolean
read_pair(PtJsonScan *proofs, PtJsonScan *events, gsize i, gsize *n_shown, gboolean *more, Pair *p,
          GError **error)
{
  GError *local = NULL;
  gsize len = 0;
  if (!pt_json_scan_more(proofs, ']', i == 0, more, &local))
    return scan_failed(error, local);
  if (!*more)
    return TRUE;
  const char *text = pt_json_scan_value(proofs, PT_BUNDLE_PROOF_MAX, &len, &local);
  if (!text)
    return scan_failed(error, local);
  p->proof = pt_json_parse(text, len, &local);
  if (!p->proof) {
    malformed(error, "proof %zu: %s", i + 1, local->message);
    g_error_free(local);
    return FALSE;
  }
  if (!json_is_object(p->proof))
    return malformed(error, "proof %zu is not an object", i + 1);
  if (!only_known(p->proof, "a proof", proof_members, error))
    return FALSE;
  json_t *redacted = json_object_get(p->proof, "redacted");
  if (redacted && !json_is_true(redacted))
    return malformed(error, "proof %zu: \"redacted\" is not true", i + 1);
  if (redacted)
    return TRUE;
  gboolean has_event = FALSE;
  if (!pt_json_scan_more(events, ']', *n_shown == 0, &has_event, &local))
    return scan_failed(error, local);
  if (!has_event)
    return tampered(error, "proof %zu has no event (events removed)", i + 1);
  text = pt_json_scan_value(events, PT_BUNDLE_EVENT_MAX, &len, &local);
  if (!text) {
    g_prefix_error(&local, "event %zu: ", *n_shown + 1);
    return scan_failed(error, local);
  }
  p->text = g_memdup2(text, len);
  p->len = len;
  ++*n_shown;
  return TRUE;
}

/* Reads up to PT_VERIFY_CHUNK pairs into @pairs, the first being the @first-th; @n_out the
 * pairs read whole (those before a failure too). */
static gboolean
read_chunk(PtJsonScan *proofs, PtJsonScan *events, Pair *pairs, gsize first, gsize *n_shown,
           gsize *n_out, gboolean *more, GError **error)
{
  gsize n = 0;
  gboolean ok = TRUE;
  while (n < PT_VERIFY_CHUNK) {
    ok = read_pair(proofs, events, first + n, n_shown, more, &pairs[n], error);
    if (!ok || !*more)
      break;
    n++;
  }
  *n_out = n;
  return ok;
}

static void
chunk_clear(Pair *pairs)
{
  for (gsize i = 0; i < PT_VERIFY_CHUNK; i++)
    pair_clear(&pairs[i]);
}

/* The second pass: every proof with its event, PT_VERIFY_CHUNK at a time, one chunk checked
 * while the next is read.  A problem is reported in event order: one found reading comes
 * after the checks of the events before it.  @hash_ids (nullable) receives each event's Event
 * Hash ID, in order; @last the last event's hash. */
static gboolean
verify_events(PtJsonScan *proofs, PtJsonScan *events, const Layout *layout, const PtKeyChain *chain,
              guint8 last[PT_HASH_LEN], GPtrArray *hash_ids, GError **error)
{
  GError *local = NULL;
  pt_json_scan_seek(proofs, layout->member[MEMBER_PROOFS].start);
  pt_json_scan_seek(events, layout->events.start);
  if (!pt_json_scan_expect(proofs, '[', &local) || !pt_json_scan_expect(events, '[', &local))
    return scan_failed(error, local);
  Pair *bufs[2] = {g_new0(Pair, PT_VERIFY_CHUNK), g_new0(Pair, PT_VERIFY_CHUNK)};
  gsize n[2] = {0, 0}, n_shown = 0;
  int cur = 0;
  Walk walk = {0};
  gboolean more = TRUE, reported = TRUE;
  GError *read_error = NULL;
  gboolean read_ok = read_chunk(proofs, events, bufs[0], 0, &n_shown, &n[0], &more, &read_error);
  while (reported && n[cur] > 0) {
    int next = 1 - cur;
    Checking ck;
    check_start(&ck, bufs[cur], n[cur], chain);
    n[next] = 0;
    if (read_ok && more)
      read_ok = read_chunk(proofs, events, bufs[next], walk.n + n[cur], &n_shown, &n[next], &more,
                           &read_error);
    check_wait(&ck);
    for (gsize i = 0; i < n[cur] && reported; i++)
      reported = report_pair(&walk, &bufs[cur][i], error);
    for (gsize i = 0; i < n[cur] && reported && hash_ids; i++)
      g_ptr_array_add(hash_ids, g_steal_pointer(&bufs[cur][i].hash_id));
    chunk_clear(bufs[cur]);
    cur = next;
  }
  for (int b = 0; b < 2; b++) {
    chunk_clear(bufs[b]);
    g_free(bufs[b]);
  }
  if (!reported) {
    g_clear_error(&read_error);
    return FALSE;
  }
  if (!read_ok) {
    g_propagate_error(error, read_error);
    return FALSE;
  }
  gboolean extra = FALSE;
  if (!pt_json_scan_more(events, ']', n_shown == 0, &extra, &local))
    return scan_failed(error, local);
  if (extra)
    return tampered(error, "the bundle has %zu events but %zu proofs for them (events added)",
                    layout->events.n_items, n_shown);
  if (walk.n)
    memcpy(last, walk.prev_hash, PT_HASH_LEN);
  return TRUE;
}

/* The checks of the head: its keys, signature and station id.  Fills @chain. */
static gboolean
check_head(json_t *head, const guint8 *public_key, guint8 key[PT_PUB_LEN], PtKeyChain **chain,
           GError **error)
{
  guint8 sig[PT_SIG_LEN], digest[PT_HASH_LEN];
  g_autoptr(GError) chain_error = NULL;
  if (!get_hex(head, "publicKey", key, PT_PUB_LEN) ||
      !get_hex(head, "signature", sig, PT_SIG_LEN) ||
      !json_is_integer(json_object_get(head, "count")))
    return malformed(error, "head lacks publicKey, signature or count (lowercase hex)");
  /* The events' keys: the station's anchor, "publicKey", and the rotations the head names,
   * each signed by the key before it. */
  json_t *rotations = json_object_get(head, "keyChain");
  *chain = rotations ? pt_key_chain_from_json(key, rotations, &chain_error) : pt_key_chain_new(key);
  if (!*chain) {
    g_set_error(error, PT_ERROR, chain_error->code, "the head's key chain is refused: %s",
                chain_error->message);
    return FALSE;
  }
  if (public_key && sodium_memcmp(public_key, key, PT_PUB_LEN) != 0)
    return tampered(error, "bundle is signed by another key than the one given");
  /* A hub's head (pt_bundle_writer_finish_attested()) is signed by the hub key it names; the
   * events are still checked against the station's. */
  guint8 signer[PT_PUB_LEN];
  memcpy(signer, pt_key_chain_key(*chain, pt_key_chain_length(*chain) - 1), PT_PUB_LEN);
  if (json_object_get(head, "hubKey") && !get_hex(head, "hubKey", signer, PT_PUB_LEN))
    return malformed(error, "head's hubKey is not 64 lowercase hex digits");
  if (!pt_bundle_head_digest(head, digest, error))
    return FALSE;
  if (!pt_keys_verify(signer, digest, sig))
    return tampered(error,
                    "head signature does not verify (batch identity, count or hashes altered)");
  /* The station id is a name for the key (pt-keys.h): one that is not the signing key's
   * would let a bundle claim another station. */
  g_autofree char *derived_id = pt_keys_station_id(key);
  const char *station_id = json_string_value(json_object_get(head, "stationId"));
  if (g_strcmp0(station_id, derived_id) != 0)
    return tampered(error, "the head's station id %s is not %s, the id of the key it names",
                    station_id ? station_id : "(none)", derived_id);
  return TRUE;
}

/* The whole check over two readers of the same bundle (the proofs' and the events'). */
static gboolean
verify_scans(PtJsonScan *s, PtJsonScan *events_scan, const guint8 *public_key,
             gboolean with_hash_ids, PtVerifyResult *result, GError **error)
{
  memset(result, 0, sizeof *result);
  Layout layout = {0};
  if (!locate(s, &layout, error))
    return FALSE;
  gboolean ok = FALSE;
  json_t *format = NULL, *doc = NULL, *head = NULL;
  guint8 key[PT_PUB_LEN], last[PT_HASH_LEN] = {0}, doc_hash[PT_HASH_LEN], claimed[PT_HASH_LEN];
  g_autoptr(PtKeyChain) chain = NULL;

  const Span *f = &layout.member[MEMBER_FORMAT];
  g_autoptr(GString) format_text = g_string_new(NULL);
  if (f->seen && f->len <= PT_JSON_SCAN_KEY_MAX &&
      pt_json_scan_copy(s, f->start, f->len, format_text, NULL))
    format = json_loadb(format_text->str, format_text->len, JSON_DECODE_ANY, NULL);
  if (g_strcmp0(json_string_value(format), PT_BUNDLE_FORMAT) != 0) {
    malformed(error, "not a %s document", PT_BUNDLE_FORMAT);
    goto out;
  }
  GError *local = NULL;
  doc = read_document(s, &layout, &local);
  if (!local)
    head = read_member(s, &layout.member[MEMBER_HEAD], PT_BUNDLE_HEAD_MAX, "the head", &local);
  if (local) {
    g_propagate_error(error, local);
    goto out;
  }
  const Span *proofs = &layout.member[MEMBER_PROOFS];
  if (!json_is_object(doc) || !json_is_array(pt_epcis_document_events(doc)) || !proofs->seen ||
      !layout.events.seen || !json_is_object(head)) {
    malformed(error, "epcis, epcis.epcisBody.eventList, proofs or head is missing");
    goto out;
  }
  /* The first pass counted the elements of arrays only: a proofs member that is no array has
   * none, and its first byte tells. */
  GString *first = g_string_new(NULL);
  gboolean is_array = pt_json_scan_copy(s, proofs->start, 1, first, NULL) && first->str[0] == '[';
  g_string_free(first, TRUE);
  if (!is_array) {
    malformed(error, "epcis, epcis.epcisBody.eventList, proofs or head is missing");
    goto out;
  }
  if (!check_head(head, public_key, key, &chain, error))
    goto out;
  json_int_t count = json_integer_value(json_object_get(head, "count"));
  if ((json_int_t)proofs->n_items != count || layout.events.n_items > proofs->n_items) {
    tampered(error,
             "the signed head lists %" JSON_INTEGER_FORMAT " events but the bundle has %zu "
             "events and %zu proofs (events removed or added)",
             count, layout.events.n_items, proofs->n_items);
    goto out;
  }
  if (with_hash_ids)
    result->hash_ids = g_ptr_array_new_with_free_func(g_free);
  if (!verify_events(s, events_scan, &layout, chain, last, result->hash_ids, error))
    goto out;
  if (count > 0 && (!get_hex(head, "lastHash", claimed, PT_HASH_LEN) ||
                    sodium_memcmp(claimed, last, PT_HASH_LEN) != 0)) {
    tampered(error, "the last event is not the one the signed head names");
    goto out;
  }
  if (!pt_bundle_document_hash(doc, doc_hash, error))
    goto out;
  if (!get_hex(head, "documentHash", claimed, PT_HASH_LEN) ||
      sodium_memcmp(claimed, doc_hash, PT_HASH_LEN) != 0) {
    tampered(error, "EPCIS document header does not match the signed head");
    goto out;
  }
  result->n_events = count;
  result->lot = g_strdup(json_string_value(json_object_get(head, "lot")));
  result->gtin = g_strdup(json_string_value(json_object_get(head, "gtin")));
  result->station_id = g_strdup(json_string_value(json_object_get(head, "stationId")));
  memcpy(result->public_key, key, PT_PUB_LEN);
  result->n_keys = pt_key_chain_length(chain);
  ok = TRUE;
out:
  if (!ok && result->hash_ids)
    g_clear_pointer(&result->hash_ids, g_ptr_array_unref);
  json_decref(format);
  json_decref(doc);
  json_decref(head);
  return ok;
}

gboolean
pt_bundle_verify(const char *data, gsize len, const guint8 *public_key, PtVerifyResult *result,
                 GError **error)
{
  g_autoptr(PtJsonScan) s = pt_json_scan_new_mem(data, len);
  g_autoptr(PtJsonScan) events = pt_json_scan_new_mem(data, len);
  return verify_scans(s, events, public_key, TRUE, result, error);
}

gboolean
pt_bundle_verify_fd(int fd, const guint8 *public_key, gboolean with_hash_ids,
                    PtVerifyResult *result, GError **error)
{
  g_autoptr(PtJsonScan) s = pt_json_scan_new_fd(fd, PT_JSON_SCAN_WINDOW);
  g_autoptr(PtJsonScan) events = pt_json_scan_new_fd(fd, PT_JSON_SCAN_WINDOW);
  return verify_scans(s, events, public_key, with_hash_ids, result, error);
}
