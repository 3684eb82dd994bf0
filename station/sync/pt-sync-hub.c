/* pt-sync-hub.c: the hub connector of the sync worker (`[sync NAME] type=hub url=...`).
 *
 * A hub verifies the station chain link by link, so it gets the whole signed log in seq
 * order: the log is the queue and the connector's cursor is the last seq the hub answered
 * for (pt-store-hub-sync.h).  One request at a time, in this order:
 *   POST /hub/v1/rotations     once the station has rotated its key, first in each run and
 *                              whenever the key changes or the hub refuses the signature: the
 *                              whole key chain, so the hub takes the key every later request
 *                              (and event after the rotation) is signed with
 *   GET  /hub/v1/station       first in each run and after every outage: what the hub
 *                              holds (last contiguous seq, head, gaps, its profile's hash);
 *                              the cursor moves to it, so nothing the hub holds is sent again
 *                              and nothing it lacks is skipped
 *   PUT  /hub/v1/profile/logo/{h}, then PUT /hub/v1/profile
 *                              when the hub's profile hash is not the station's: the public
 *                              profile (station.ini's [public], name, location; pt-profile-wire.h)
 *                              its consumer pages show, and the logo it names.  The config is
 *                              read once at start, so the profile is made once per run; the
 *                              hash the hub names is the state, so an unchanged profile is not
 *                              sent again and a hub that lost it gets it again
 *   POST /hub/v1/events        up to max_batch events after the cursor (and PT_HUB_SYNC_BODY_MAX
 *                              bytes), each with its record verbatim as a JSON string
 *   POST /hub/v1/head          the chain head {seq, hash}, once the hub has every event
 *   PUT  /hub/v1/evidence/{h}  each piece of evidence the hub asked for (evidence_wanted),
 *                              streamed from the data folder after its hash was checked
 * Every request is signed with the station key (pt-hub-client.h).
 *
 * Demo batches' events go too.  The outbox keeps them from platforms, but the hub verifies the
 * station chain, and leaving them out would leave gaps the hub must show as removed events: a
 * gap that is expected teaches an admin to ignore gaps.  They are signed records of what the
 * station did; their lots (DEMO-nnnn) and varieties ("... (demo)") say what they are.  (The
 * protocol's event has no member to mark them, and the hub refuses unknown members.)
 *
 * Answers:
 *   2xx                       events: per event accepted | duplicate | quarantined; the
 *                             cursor moves past every event answered for; a quarantined one
 *                             is logged and listed by `sync status` but holds nothing back
 *   no answer, 408, 429, 5xx  the hub or its database is down: back off (Retry-After
 *                             honoured), read the hub's view again when it is back
 *   401, 403, 404             the hub does not know the station (or its signature): back off
 *                             and say so; enrolment or `packtrace hub station add` fixes it
 *                             (404 to rotations: a hub of protocol 1, which cannot follow
 *                             them; the connector says so and sends nothing)
 *   409 to rotations          the hub refused the chain (quarantined, alerted): back off
 *   404 to the profile        a hub without profiles: said once, the rest goes on
 *   409 to the profile        the hub lacks the logo it names: the logo goes again
 *   other 4xx to the profile  refused (a hostile logo, a bad text): said in the log and
 *   or its logo               sync status, not sent again in this run; the rest goes on
 *   409                       events: the hub expected others, read its view again;
 *                             evidence: refused (bytes or reference), shown by status
 *   other 4xx to events       several events: half as many next; one: kept as quarantined
 *                             with the answer and passed, like a quarantine by the hub */
#include "pt-sync-hub.h"

#include "pt-error.h"
#include "pt-hub-client.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-key-chain.h"
#include "pt-limits.h"
#include "pt-profile-wire.h"
#include "pt-sha256.h"
#include "pt-store-hub-sync.h"
#include "pt-store-keys.h"
#include "pt-store-sync.h"
#include "pt-time.h"

#include <errno.h>
#include <string.h>

#define BATCH_CACHE_MAX 4096 /* batches whose lot and GTIN are kept in memory */
#define EVIDENCE_SKIPS  16   /* unsendable pieces passed over in one dispatch */

typedef struct {
  char *lot, *gtin;
} BatchInfo;

struct _PtSyncHub {
  Conn *conn;
  gboolean resumed;     /* the hub's view was read since the start or the last outage */
  gboolean view_stale;  /* read it again when idle (a head was taken) */
  int limit;            /* events per request now: max_batch, fewer after a refused batch */
  gint64 clock_skew_ms; /* the hub's clock as last recorded, minus the station's */
  gint64 clock_ns;      /* when it was recorded; 0 = not yet in this run */
  GHashTable *batches;  /* gint64 batch id -> BatchInfo */
  gboolean keys_known;  /* the hub took the chain up to keys_known_for (in this run) */
  guint8 keys_known_for[PT_PUB_LEN];
  char *profile;            /* the public profile's canonical text, made at the first dispatch */
  char *profile_sha;        /* its SHA-256, hex */
  gboolean profile_done;    /* the hub holds it (its view names the hash), or refused it */
  gboolean profile_refused; /* refused in this run: not offered again until a restart */
  gboolean logo_sent;       /* the logo the profile names went up in this run */
};

static void
batch_info_free(BatchInfo *b)
{
  g_free(b->lot);
  g_free(b->gtin);
  g_free(b);
}

PtSyncHub *
pt_sync_hub_new(Conn *conn)
{
  PtSyncHub *hub = g_new0(PtSyncHub, 1);
  hub->conn = conn;
  hub->limit = conn->cfg->max_batch;
  hub->batches =
      g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, (GDestroyNotify)batch_info_free);
  return hub;
}

void
pt_sync_hub_free(PtSyncHub *hub)
{
  if (!hub)
    return;
  g_hash_table_unref(hub->batches);
  g_free(hub->profile);
  g_free(hub->profile_sha);
  g_free(hub);
}

static PtStore *
conn_store(Conn *conn)
{
  return conn->sync->store;
}

static const char *
conn_name(Conn *conn)
{
  return conn->cfg->name;
}

/* ---- the store, one transaction per change --------------------------- */

typedef gboolean (*HubTxnFunc)(Conn *conn, gpointer data, GError **error);

static gboolean
hub_txn(Conn *conn, HubTxnFunc fn, gpointer data)
{
  PtStore *store = conn_store(conn);
  g_autoptr(GError) error = NULL;
  if (pt_store_begin(store, &error) && fn(conn, data, &error) && pt_store_commit(store, &error))
    return TRUE;
  pt_store_rollback(store);
  g_warning("sync %s: cannot record the hub's answer: %s", conn_name(conn), error->message);
  return FALSE;
}

static gboolean
txn_note(Conn *conn, gpointer data, GError **error)
{
  return pt_store_sync_note_error(conn_store(conn), conn_name(conn), data, pt_now_ns(), error);
}

static void
note_error(Conn *conn, const char *why)
{
  hub_txn(conn, txn_note, (gpointer)why);
}

/* ---- requests ---------------------------------------------------------- */

/* Signs @req (its body, or for an upload @body_hash) and sends it. */
static void
send_signed(Req *req, const char *method, const guint8 body_hash[PT_HASH_LEN],
            const char *content_type)
{
  Conn *conn = req->conn;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) lines = body_hash
                            ? pt_hub_client_sign_hashed(conn->sync->keys, method, req->url,
                                                        body_hash, pt_now_ns(), &error)
                            : pt_hub_client_sign(conn->sync->keys, method, req->url, req->body,
                                                 req->body_len, pt_now_ns(), &error);
  if (!lines) {
    g_warning("sync %s: %s", conn_name(conn), error->message);
    pt_sync_req_free(req);
    return;
  }
  for (guint i = 0; lines[i]; i++)
    pt_sync_req_header(req, "%s", lines[i]);
  if (content_type)
    pt_sync_req_header(req, "Content-Type: %s", content_type);
  pt_sync_req_send(req, method);
}

static Req *
hub_req(Conn *conn, ReqKind kind, const char *path)
{
  return pt_sync_req_new(conn, kind, pt_hub_client_url(conn->cfg->url, path));
}

static void
start_station(Conn *conn)
{
  Req *req = hub_req(conn, REQ_HUB_STATION, "/hub/v1/station");
  send_signed(req, "GET", NULL, NULL);
}

/* The station's key chain as a bundle carries it, checked as the hub will check it.
 * Returns: (transfer full) (nullable). */
static json_t *
key_chain_json(Conn *conn, GError **error)
{
  g_autoptr(GPtrArray) rows = pt_store_key_rotations(conn_store(conn), error);
  if (!rows)
    return NULL;
  g_autoptr(PtKeyChain) chain = pt_key_chain_new(conn->sync->keys->anchor_key);
  for (guint i = 0; i < rows->len; i++)
    if (!pt_key_chain_add(chain, rows->pdata[i], error))
      return NULL;
  return pt_key_chain_to_json(chain);
}

/* Returns: TRUE when a request went out; FALSE when the hub knows the key the station signs
 * with (or the chain cannot be read: then the connector backs off). */
static gboolean
start_rotations(Conn *conn)
{
  PtSyncHub *hub = conn->hub;
  const PtKeys *keys = conn->sync->keys;
  if (sodium_memcmp(keys->public_key, keys->anchor_key, PT_PUB_LEN) == 0 ||
      (hub->keys_known && sodium_memcmp(hub->keys_known_for, keys->public_key, PT_PUB_LEN) == 0))
    return FALSE;
  g_autoptr(GError) error = NULL;
  json_t *chain = key_chain_json(conn, &error);
  if (!chain) {
    g_autofree char *why = g_strdup_printf("cannot read the station's key rotations: %s",
                                           error ? error->message : "?");
    g_warning("sync %s: %s", conn_name(conn), why);
    note_error(conn, why);
    pt_sync_conn_backoff(conn, -1, why);
    return TRUE;
  }
  json_t *body = json_pack("{so}", "keyChain", chain);
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  Req *req = hub_req(conn, REQ_HUB_ROTATIONS, "/hub/v1/rotations");
  req->body = g_strdup(text);
  req->body_len = strlen(text);
  free(text);
  send_signed(req, "POST", NULL, "application/json");
  return TRUE;
}

static BatchInfo *
batch_info(Conn *conn, gint64 batch_id, GError **error)
{
  PtSyncHub *hub = conn->hub;
  BatchInfo *b = g_hash_table_lookup(hub->batches, &batch_id);
  if (b)
    return b;
  g_autoptr(PtBatch) batch = pt_store_batch_get(conn_store(conn), batch_id, error);
  if (!batch)
    return NULL;
  if (g_hash_table_size(hub->batches) >= BATCH_CACHE_MAX)
    g_hash_table_remove_all(hub->batches);
  b = g_new0(BatchInfo, 1);
  b->lot = g_strdup(batch->lot);
  b->gtin = g_strdup(batch->gtin);
  g_hash_table_insert(hub->batches, g_memdup2(&batch_id, sizeof batch_id), b);
  return b;
}

/* ---- the public profile ---------------------------------------------- */

static void
profile_make(Conn *conn)
{
  PtSyncHub *hub = conn->hub;
  if (hub->profile)
    return;
  const PtConfig *config = conn->sync->config;
  hub->profile = pt_profile_wire_text(config->public_, config->name, config->has_location,
                                      config->latitude, config->longitude);
  guint8 sum[PT_SHA256_LEN];
  pt_sha256(sum, hub->profile, strlen(hub->profile));
  hub->profile_sha = pt_hex_encode(sum, PT_SHA256_LEN);
}

/* Returns: TRUE when a request went out: the logo first when it has not gone up in this run,
 * then the profile naming it. */
static gboolean
start_profile(Conn *conn)
{
  PtSyncHub *hub = conn->hub;
  if (hub->profile_done)
    return FALSE;
  const PtPublicConfig *pub = conn->sync->config->public_;
  Req *req;
  if (pub && pub->logo && !hub->logo_sent) {
    gsize len = 0;
    const void *data = g_bytes_get_data(pub->logo, &len);
    guint8 sum[PT_SHA256_LEN];
    pt_sha256(sum, data, len);
    g_autofree char *hex = pt_hex_encode(sum, PT_SHA256_LEN);
    g_autofree char *path = g_strconcat("/hub/v1/profile/logo/", hex, NULL);
    req = hub_req(conn, REQ_HUB_LOGO, path);
    req->body = g_memdup2(data, len);
    req->body_len = len;
    send_signed(req, "PUT", NULL, pub->logo_type);
    return TRUE;
  }
  req = hub_req(conn, REQ_HUB_PROFILE, "/hub/v1/profile");
  req->body = g_strdup(hub->profile);
  req->body_len = strlen(hub->profile);
  send_signed(req, "PUT", NULL, "application/json");
  return TRUE;
}

typedef struct {
  Conn *conn;
  GString *body;
  GArray *seqs;
  gboolean full;
} EventsBuilder;

static gboolean
add_event(const PtEventRow *row, gpointer data, GError **error)
{
  EventsBuilder *eb = data;
  const BatchInfo *b = batch_info(eb->conn, row->batch_id, error);
  if (!b)
    return FALSE;
  json_t *o = pt_hub_wire_event(row, b->lot, b->gtin);
  char *text = json_dumps(o, JSON_COMPACT);
  json_decref(o);
  if (!text) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "event %" G_GINT64_FORMAT " is not valid UTF-8",
                row->seq);
    return FALSE;
  }
  gsize len = strlen(text);
  /* One event always goes, however large: a record is bounded when it is written. */
  if (eb->seqs->len && eb->body->len + len + 2 > PT_HUB_SYNC_BODY_MAX) {
    free(text);
    eb->full = TRUE;
    return FALSE;
  }
  if (eb->seqs->len)
    g_string_append_c(eb->body, ',');
  g_string_append_len(eb->body, text, (gssize)len);
  free(text);
  g_array_append_val(eb->seqs, row->seq);
  return TRUE;
}

static void
start_events(Conn *conn, gint64 cursor)
{
  g_autoptr(GError) error = NULL;
  EventsBuilder eb = {
      .conn = conn,
      .body = g_string_new("{\"events\":["),
      .seqs = g_array_new(FALSE, FALSE, sizeof(gint64)),
  };
  gboolean ok = pt_store_hub_sync_events(conn_store(conn), cursor, conn->hub->limit, add_event, &eb,
                                         &error) ||
                eb.full;
  if (!ok || !eb.seqs->len) {
    if (error) {
      g_warning("sync %s: %s", conn_name(conn), error->message);
      note_error(conn, error->message);
    }
    pt_sync_conn_backoff(conn, -1, error ? error->message : "no events to send");
    g_string_free(eb.body, TRUE);
    g_array_unref(eb.seqs);
    return;
  }
  g_string_append(eb.body, "]}");
  Req *req = hub_req(conn, REQ_HUB_EVENTS, "/hub/v1/events");
  g_array_append_vals(req->ids, eb.seqs->data, eb.seqs->len);
  g_array_unref(eb.seqs);
  req->body_len = eb.body->len;
  req->body = g_string_free(eb.body, FALSE);
  send_signed(req, "POST", NULL, "application/json");
}

typedef struct {
  gint64 seq;
  guint8 hash[PT_HASH_LEN];
  gboolean found;
} HeadRead;

static gboolean
read_head(const PtEventRow *row, gpointer data, GError **error)
{
  HeadRead *h = data;
  h->seq = row->seq;
  memcpy(h->hash, row->hash, PT_HASH_LEN);
  h->found = TRUE;
  return TRUE;
}

static void
start_head(Conn *conn, gint64 seq)
{
  g_autoptr(GError) error = NULL;
  HeadRead h = {0};
  if (!pt_store_hub_sync_events(conn_store(conn), seq - 1, 1, read_head, &h, &error) || !h.found ||
      h.seq != seq) {
    g_warning("sync %s: cannot read the chain head: %s", conn_name(conn),
              error ? error->message : "no such event");
    pt_sync_conn_backoff(conn, -1, "cannot read the chain head");
    return;
  }
  g_autofree char *hex = pt_hex_encode(h.hash, PT_HASH_LEN);
  json_t *body = json_pack("{sIss}", "seq", (json_int_t)seq, "hash", hex);
  Req *req = hub_req(conn, REQ_HUB_HEAD, "/hub/v1/head");
  char *text = json_dumps(body, JSON_COMPACT);
  json_decref(body);
  req->body = g_strdup(text);
  req->body_len = strlen(text);
  free(text);
  g_array_append_val(req->ids, seq);
  send_signed(req, "POST", NULL, "application/json");
}

/* ---- evidence ---------------------------------------------------------- */

/* A still is named in its signed inspecting event: "pt:evidence": [{"file", "sha256"}]. */
static char *
still_file(const char *record, const char *sha256)
{
  g_autoptr(GError) error = NULL;
  json_t *ev = pt_json_parse(record, strlen(record), &error);
  char *file = NULL;
  gsize i;
  json_t *e;
  json_t *list = json_object_get(ev, "pt:evidence");
  json_array_foreach(list, i, e)
  {
    if (g_strcmp0(json_string_value(json_object_get(e, "sha256")), sha256) == 0) {
      file = g_strdup(json_string_value(json_object_get(e, "file")));
      break;
    }
  }
  json_decref(ev);
  return file;
}

/* Returns: (transfer full) (nullable): where the file of @sha256 is; @why_out says why not. */
static char *
evidence_path(Conn *conn, const char *sha256, char **why_out)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = NULL, *record = NULL;
  if (!pt_store_evidence_find(conn_store(conn), sha256, &path, &record, &error)) {
    *why_out = g_strdup(error->message);
    return NULL;
  }
  if (!path && record)
    path = still_file(record, sha256);
  if (!path) {
    *why_out = g_strdup("the station has no evidence with this SHA-256");
    return NULL;
  }
  /* Stored paths are the station's own; still, a name from a record never leaves the folder. */
  if (!g_path_is_absolute(path)) {
    if (strstr(path, "..")) {
      *why_out = g_strdup_printf("evidence path %s leaves the data folder", path);
      return NULL;
    }
    return g_build_filename(conn->sync->data_dir, path, NULL);
  }
  return g_steal_pointer(&path);
}

/* Opens @path and checks, reading it once in PT_HUB_SYNC_STREAM_CHUNK pieces, that its SHA-256 is
 * @sha256; the stream is left at its start for the upload.  Returns: (transfer full)
 * (nullable). */
static FILE *
open_checked(const char *path, const char *sha256, gint64 *len_out, char **why_out)
{
  FILE *f = fopen(path, "rb");
  if (!f) {
    *why_out = g_strdup_printf("cannot open %s: %s", path, g_strerror(errno));
    return NULL;
  }
  crypto_hash_sha256_state st;
  crypto_hash_sha256_init(&st);
  g_autofree guint8 *buf = g_malloc(PT_HUB_SYNC_STREAM_CHUNK);
  gint64 total = 0;
  size_t n;
  while ((n = fread(buf, 1, PT_HUB_SYNC_STREAM_CHUNK, f)) > 0 && total <= PT_HUB_EVIDENCE_MAX) {
    crypto_hash_sha256_update(&st, buf, n);
    total += (gint64)n;
  }
  guint8 digest[PT_HASH_LEN];
  crypto_hash_sha256_final(&st, digest);
  g_autofree char *hex = pt_hex_encode(digest, PT_HASH_LEN);
  if (ferror(f) || total > PT_HUB_EVIDENCE_MAX || strcmp(hex, sha256) != 0 ||
      fseek(f, 0, SEEK_SET) != 0) {
    *why_out = ferror(f) ? g_strdup_printf("cannot read %s", path)
               : total > PT_HUB_EVIDENCE_MAX
                   ? g_strdup_printf("%s is larger than %d bytes", path, PT_HUB_EVIDENCE_MAX)
                   : g_strdup_printf("%s no longer matches the "
                                     "SHA-256 its event signed",
                                     path);
    fclose(f);
    return NULL;
  }
  *len_out = total;
  return f;
}

typedef struct {
  const char *sha256;
  const char *state;
  const char *text;
} EvidenceState;

static gboolean
txn_evidence(Conn *conn, gpointer data, GError **error)
{
  EvidenceState *s = data;
  PtStore *store = conn_store(conn);
  return pt_store_hub_sync_evidence_set(store, conn_name(conn), s->sha256, s->state, s->text,
                                        pt_now_ns(), error) &&
         (!s->text ||
          pt_store_sync_note_error(store, conn_name(conn), s->text, pt_now_ns(), error));
}

/* Returns: TRUE when a request went out. */
static gboolean
start_evidence(Conn *conn)
{
  for (int skips = 0; skips < EVIDENCE_SKIPS; skips++) {
    g_autoptr(GError) error = NULL;
    g_autofree char *sha = pt_store_hub_sync_next_wanted(conn_store(conn), conn_name(conn), &error);
    if (!sha) {
      if (error)
        g_warning("sync %s: %s", conn_name(conn), error->message);
      return FALSE;
    }
    g_autofree char *why = NULL;
    g_autofree char *path = evidence_path(conn, sha, &why);
    gint64 len = 0;
    FILE *f = path ? open_checked(path, sha, &len, &why) : NULL;
    if (!f) {
      g_autofree char *text = g_strdup_printf("evidence %s not sent: %s", sha, why);
      g_message("sync %s: %s", conn_name(conn), text);
      EvidenceState s = {.sha256 = sha, .state = "missing", .text = text};
      if (!hub_txn(conn, txn_evidence, &s))
        return FALSE;
      continue;
    }
    g_autofree char *url_path = g_strconcat("/hub/v1/evidence/", sha, NULL);
    Req *req = hub_req(conn, REQ_HUB_EVIDENCE, url_path);
    req->upload = f;
    req->upload_len = len;
    req->evidence = g_strdup(sha);
    guint8 digest[PT_HASH_LEN];
    pt_hex_decode(sha, digest, PT_HASH_LEN);
    send_signed(req, "PUT", digest, "application/octet-stream");
    return TRUE;
  }
  return FALSE;
}

/* ---- what to send next ------------------------------------------------- */

void
pt_sync_hub_dispatch(Conn *conn)
{
  PtSyncHub *hub = conn->hub;
  if (conn->n_reqs)
    return;
  /* The hub checks every request with the key it holds for the station: the rotations that
   * bring in the key this one signs with go before anything else. */
  if (start_rotations(conn))
    return;
  g_autoptr(GError) error = NULL;
  PtHubSyncState st;
  if (!pt_store_hub_sync_state(conn_store(conn), conn_name(conn), &st, &error)) {
    g_warning("sync %s: %s", conn_name(conn), error->message);
    return;
  }
  if (!hub->resumed)
    start_station(conn);
  else if (start_profile(conn))
    return;
  else if (st.cursor < st.max_seq)
    start_events(conn, st.cursor);
  else if (st.cursor > 0 && st.head_seq != st.cursor)
    start_head(conn, st.cursor);
  else if (!start_evidence(conn) && hub->view_stale)
    start_station(conn);
}

/* ---- answers ----------------------------------------------------------- */

static gboolean
want_all(Conn *conn, json_t *list, GError **error)
{
  gsize i;
  json_t *v;
  json_array_foreach(list, i, v)
  {
    if (i >= PT_HUB_SYNC_WANTED_MAX)
      break;
    const char *sha = json_string_value(v);
    if (!sha || !pt_hub_is_hex(sha, PT_HASH_LEN))
      continue;
    if (!pt_store_hub_sync_want(conn_store(conn), conn_name(conn), sha, pt_now_ns(), error))
      return FALSE;
  }
  return TRUE;
}

/* The hub's last seq such that it holds every event up to it; -1 when not given. */
static gint64
view_last_seq(json_t *view)
{
  json_t *v = json_object_get(view, "contiguous_seq");
  return json_is_integer(v) ? json_integer_value(v) : -1;
}

typedef struct {
  json_t *view;
  gint64 cursor; /* -1: leave it */
} ViewUpdate;

static gboolean
txn_view(Conn *conn, gpointer data, GError **error)
{
  ViewUpdate *u = data;
  PtStore *store = conn_store(conn);
  char *text = json_dumps(u->view, JSON_COMPACT);
  if (text && strlen(text) > PT_HUB_SYNC_VIEW_MAX) {
    /* A long list of gaps is the hub's to show; the station keeps the figures. */
    json_t *brief = json_deep_copy(u->view);
    json_t *gaps = json_object_get(brief, "gaps");
    json_object_set_new(brief, "gap_count", json_integer((json_int_t)json_array_size(gaps)));
    json_object_del(brief, "gaps");
    json_object_del(brief, "evidence_wanted");
    free(text);
    text = json_dumps(brief, JSON_COMPACT);
    json_decref(brief);
  }
  gboolean ok =
      pt_store_hub_sync_view_set(store, conn_name(conn), text ? text : "{}", pt_now_ns(), error) &&
      want_all(conn, json_object_get(u->view, "evidence_wanted"), error) &&
      (u->cursor < 0 || pt_store_hub_sync_advance(store, conn_name(conn), u->cursor, 0, 0, error));
  free(text);
  return ok;
}

/* The first seq up to @cursor that the hub does not hold and did not quarantine (it quarantined
 * events are not held, yet were answered for): in its gaps or after its last seq.  0 when
 * none.  At most CHECKS_MAX seqs are looked at; past them the hub is taken at its word. */
#define CHECKS_MAX 10000
static gint64
first_missing(Conn *conn, json_t *view, gint64 contiguous, gint64 cursor)
{
  g_autoptr(GArray) ranges = g_array_new(FALSE, FALSE, sizeof(gint64));
  gsize i;
  json_t *gap;
  json_array_foreach(json_object_get(view, "gaps"), i, gap)
  {
    gint64 r[2] = {json_integer_value(json_array_get(gap, 0)),
                   json_integer_value(json_array_get(gap, 1))};
    g_array_append_vals(ranges, r, 2);
  }
  json_t *last = json_object_get(view, "last_seq");
  gint64 tail[2] = {json_is_integer(last) ? json_integer_value(last) + 1 : contiguous + 1, cursor};
  g_array_append_vals(ranges, tail, 2);
  int checks = 0;
  for (guint r = 0; r + 1 < ranges->len; r += 2) {
    gint64 from = MAX(g_array_index(ranges, gint64, r), contiguous + 1);
    gint64 to = MIN(g_array_index(ranges, gint64, r + 1), cursor);
    for (gint64 seq = from; seq <= to && checks < CHECKS_MAX; seq++, checks++) {
      gboolean quarantined = FALSE;
      if (!pt_store_hub_sync_is_quarantined(conn_store(conn), conn_name(conn), seq, &quarantined,
                                            NULL))
        return 0;
      if (!quarantined)
        return seq;
    }
  }
  return 0;
}

typedef struct {
  gint64 found; /* first seq naming evidence, 0 none */
  gint64 last;  /* last seq looked at */
} EvidenceScan;

static gboolean
scan_evidence(const PtEventRow *row, gpointer data, GError **error)
{
  EvidenceScan *scan = data;
  scan->last = row->seq;
  json_t *event = pt_json_parse(row->body, row->body_len, NULL);
  GPtrArray *refs = event ? pt_hub_event_evidence(event) : NULL;
  gboolean names = refs && refs->len > 0;
  if (refs)
    g_ptr_array_unref(refs);
  json_decref(event);
  if (names)
    scan->found = row->seq;
  return !names;
}

/* The first event after @after up to @upto whose record names evidence; 0 when none. */
static gint64
first_with_evidence(Conn *conn, gint64 after, gint64 upto)
{
  EvidenceScan scan = {.last = after};
  while (!scan.found && scan.last < upto) {
    gint64 before = scan.last;
    g_autoptr(GError) error = NULL;
    int limit = (int)MIN(upto - scan.last, (gint64)PT_HUB_SYNC_SCAN_CHUNK);
    if (!pt_store_hub_sync_events(conn_store(conn), scan.last, limit, scan_evidence, &scan,
                                  &error) &&
        error)
      return after + 1; /* cannot tell: send them all again rather than skip any */
    if (scan.last == before)
      break;
  }
  return scan.found;
}

/* Where the cursor goes after reading the hub's view: to what the hub holds, so nothing it
 * holds goes twice and nothing it lacks is skipped; -1 to leave it. */
static gint64
resume_cursor(Conn *conn, json_t *view, gint64 hub_last)
{
  g_autoptr(GError) error = NULL;
  PtHubSyncState st;
  if (hub_last < 0 || !pt_store_hub_sync_state(conn_store(conn), conn_name(conn), &st, &error))
    return -1;
  if (hub_last > st.max_seq) {
    g_autofree char *why = g_strdup_printf(
        "the hub holds events up to seq %" G_GINT64_FORMAT " but this station's log ends at %"
        " " G_GINT64_FORMAT ": the log was rolled back or replaced",
        hub_last, st.max_seq);
    g_warning("sync %s: %s", conn_name(conn), why);
    note_error(conn, why);
    return st.cursor == st.max_seq ? -1 : st.max_seq;
  }
  if (hub_last > st.cursor) {
    /* The hub answered for events whose answers this station lost (a crash, or its relaxed
     * writes lost on power loss): the evidence they name may still be wanted, and only an
     * answer to them names it, so they go again from the first that names any. */
    gint64 from = first_with_evidence(conn, st.cursor, hub_last);
    if (from > 0) {
      g_message("sync %s: the hub already holds the log up to seq %" G_GINT64_FORMAT
                "; sending again from seq %" G_GINT64_FORMAT ", which names evidence",
                conn_name(conn), hub_last, from);
      return from - 1;
    }
    g_message("sync %s: the hub already holds the log up to seq %" G_GINT64_FORMAT
              "; resuming there",
              conn_name(conn), hub_last);
    return hub_last;
  }
  if (hub_last < st.cursor) {
    gint64 missing = first_missing(conn, view, hub_last, st.cursor);
    if (missing <= 0)
      return -1;
    g_message("sync %s: the hub lacks events from seq %" G_GINT64_FORMAT "; sending them again",
              conn_name(conn), missing);
    return missing - 1;
  }
  return -1;
}

static void
finish_station(Req *req)
{
  Conn *conn = req->conn;
  PtSyncHub *hub = conn->hub;
  json_t *view = pt_json_parse(req->response->str, req->response->len, NULL);
  if (!json_is_object(view)) {
    g_autofree char *why = pt_sync_req_describe(req, "the hub's view of the station is not JSON");
    note_error(conn, why);
    pt_sync_conn_backoff(conn, -1, why);
    json_decref(view);
    return;
  }
  ViewUpdate u = {.view = view,
                  .cursor = hub->resumed ? -1 : resume_cursor(conn, view, view_last_seq(view))};
  /* The hub names the hash of the profile it holds: anything else (none, an older one, one
   * lost with its database) is sent. */
  profile_make(conn);
  hub->profile_done =
      hub->profile_refused ||
      g_strcmp0(json_string_value(json_object_get(view, "profile_sha256")), hub->profile_sha) == 0;
  if (hub_txn(conn, txn_view, &u)) {
    hub->resumed = TRUE;
    hub->view_stale = FALSE;
    pt_sync_conn_ok(conn);
  }
  json_decref(view);
}

/* The verdict on one event: accepted, duplicate, quarantined; NULL when it has none. */
static const char *
verdict_of(json_t *r, const char **reason_out)
{
  const char *v = json_string_value(json_object_get(r, "status"));
  if (!v)
    v = json_string_value(json_object_get(r, "result"));
  json_t *q = json_object_get(r, "quarantined");
  if (!v && json_is_object(q))
    v = "quarantined";
  *reason_out = json_string_value(json_object_get(r, "reason"));
  if (!*reason_out && json_is_object(q))
    *reason_out = json_string_value(json_object_get(q, "reason"));
  if (g_strcmp0(v, "accepted") == 0 || g_strcmp0(v, "duplicate") == 0 ||
      g_strcmp0(v, "quarantined") == 0)
    return v;
  return NULL;
}

typedef struct {
  Req *req;
  json_t *answer;
  gint64 upto;      /* last seq answered for, in order; 0 none */
  gint64 delivered; /* accepted or duplicate */
  guint quarantined;
} EventsOutcome;

static gboolean
txn_events(Conn *conn, gpointer data, GError **error)
{
  EventsOutcome *o = data;
  PtStore *store = conn_store(conn);
  json_t *results = json_object_get(o->answer, "results");
  if (!json_is_array(results))
    results = json_object_get(o->answer, "events");
  /* By seq when the hub names it, else by position. */
  g_autoptr(GHashTable) by_seq = g_hash_table_new(g_int64_hash, g_int64_equal);
  g_autoptr(GArray) seqs = g_array_new(FALSE, FALSE, sizeof(gint64));
  gsize i;
  json_t *r;
  json_array_foreach(results, i, r)
  {
    json_t *seq = json_object_get(r, "seq");
    gint64 s = json_is_integer(seq)   ? json_integer_value(seq)
               : i < o->req->ids->len ? g_array_index(o->req->ids, gint64, i)
                                      : 0;
    g_array_append_val(seqs, s);
  }
  for (i = 0; i < seqs->len; i++)
    g_hash_table_insert(by_seq, &g_array_index(seqs, gint64, i), json_array_get(results, i));
  for (i = 0; i < o->req->ids->len; i++) {
    gint64 seq = g_array_index(o->req->ids, gint64, i);
    const char *reason = NULL;
    const char *verdict = verdict_of(g_hash_table_lookup(by_seq, &seq), &reason);
    if (!verdict)
      break;
    if (strcmp(verdict, "quarantined") == 0) {
      g_autofree char *why =
          g_strdup_printf("the hub quarantined event seq %" G_GINT64_FORMAT ": %s", seq,
                          reason ? reason : "no reason given");
      g_message("sync %s: %s; the queue goes on", conn_name(conn), why);
      if (!pt_store_hub_sync_quarantine(store, conn_name(conn), seq,
                                        reason ? reason : "no reason given", pt_now_ns(), error) ||
          !pt_store_sync_note_error(store, conn_name(conn), why, pt_now_ns(), error))
        return FALSE;
      o->quarantined++;
    } else {
      o->delivered++;
    }
    o->upto = seq;
  }
  return (!o->upto || pt_store_hub_sync_advance(store, conn_name(conn), o->upto, o->delivered,
                                                pt_now_ns(), error)) &&
         want_all(conn, json_object_get(o->answer, "evidence_wanted"), error);
}

static void
finish_events(Req *req)
{
  Conn *conn = req->conn;
  json_t *answer = pt_json_parse(req->response->str, req->response->len, NULL);
  EventsOutcome o = {.req = req, .answer = answer};
  if (!json_is_object(answer) || !hub_txn(conn, txn_events, &o) || !o.upto) {
    g_autofree char *why = pt_sync_req_describe(req, "the hub's answer names no event");
    note_error(conn, why);
    pt_sync_conn_backoff(conn, -1, why);
  } else {
    conn->hub->limit = MIN(conn->hub->limit * 2, conn->cfg->max_batch);
    pt_sync_conn_ok(conn);
  }
  json_decref(answer);
}

static gboolean
txn_refused_event(Conn *conn, gpointer data, GError **error)
{
  Req *req = data;
  PtStore *store = conn_store(conn);
  gint64 seq = g_array_index(req->ids, gint64, 0);
  g_autofree char *what = g_strdup_printf("refused by the hub: HTTP %ld", req->status);
  g_autofree char *why = pt_sync_req_describe(req, what);
  g_message("sync %s: event seq %" G_GINT64_FORMAT " %s; the queue goes on", conn_name(conn), seq,
            why);
  return pt_store_hub_sync_quarantine(store, conn_name(conn), seq, why, pt_now_ns(), error) &&
         pt_store_sync_note_error(store, conn_name(conn), why, pt_now_ns(), error) &&
         pt_store_hub_sync_advance(store, conn_name(conn), seq, 0, pt_now_ns(), error);
}

static gboolean
txn_head(Conn *conn, gpointer data, GError **error)
{
  Req *req = data;
  gint64 seq = g_array_index(req->ids, gint64, 0);
  return pt_store_hub_sync_head_set(conn_store(conn), conn_name(conn), seq, error);
}

typedef struct {
  gint64 skew_ms, now_ns;
} ClockReading;

static gboolean
txn_clock(Conn *conn, gpointer data, GError **error)
{
  ClockReading *r = data;
  return pt_store_hub_sync_clock_set(conn_store(conn), conn_name(conn), r->skew_ms, r->now_ns,
                                     error);
}

/* The hub's clock, from the Date of any answer (it dates every one, errors included): the
 * dashboard compares it with the station's (pt-http-dash.c).  Date is in whole seconds and
 * truncated, so the hub's time was within the second after it; the middle of that second is
 * the estimate, good to about a second and the answer's travel.  Recorded when it moved by
 * more than that, else once a minute; said in the log at the first reading of a run. */
static void
read_clock(Conn *conn, const Req *req)
{
  PtSyncHub *hub = conn->hub;
  if (req->date_s <= 0)
    return;
  ClockReading r = {
      .skew_ms = req->date_s * 1000 + 500 - req->answered_ns / G_GINT64_CONSTANT(1000000),
      .now_ns = req->answered_ns,
  };
  if (hub->clock_ns && ABS(r.skew_ms - hub->clock_skew_ms) < 2000 &&
      r.now_ns - hub->clock_ns < PT_CLOCK_HUB_WRITE_S * G_GINT64_CONSTANT(1000000000))
    return;
  if (!hub_txn(conn, txn_clock, &r))
    return;
  if (!hub->clock_ns)
    g_message("sync %s: the hub's clock is %.1f s %s the station's", conn_name(conn),
              ABS(r.skew_ms) / 1000.0, r.skew_ms >= 0 ? "ahead of" : "behind");
  hub->clock_skew_ms = r.skew_ms;
  hub->clock_ns = r.now_ns;
}

void
pt_sync_hub_finish(Req *req, CURLcode rc)
{
  Conn *conn = req->conn;
  PtSyncHub *hub = conn->hub;
  long st = req->status;
  g_autofree char *why = NULL;
  if (rc == CURLE_OK)
    read_clock(conn, req);
  if (rc != CURLE_OK) {
    why = g_strdup_printf("no answer from %s: %s", req->url,
                          req->errbuf[0] ? req->errbuf : curl_easy_strerror(rc));
  } else {
    g_autofree char *what = g_strdup_printf("HTTP %ld from %s", st, req->url);
    why = pt_sync_req_describe(req, what);
  }
  if (rc != CURLE_OK || st == 408 || st == 429 || st >= 500) {
    /* The hub, its database or the link is down: read its view again when it is back. */
    hub->resumed = FALSE;
    note_error(conn, why);
    pt_sync_conn_backoff(conn, req->retry_after_s, why);
  } else if (req->kind == REQ_HUB_ROTATIONS && st == 404) {
    g_autofree char *text = g_strdup_printf(
        "%s: the hub does not follow key rotations (hub protocol 1) and this station's key was "
        "rotated: nothing is sent until the hub is upgraded",
        why);
    note_error(conn, text);
    pt_sync_conn_backoff(conn, -1, text);
  } else if (req->kind == REQ_HUB_ROTATIONS && st >= 200 && st < 300) {
    hub->keys_known = TRUE;
    memcpy(hub->keys_known_for, conn->sync->keys->public_key, PT_PUB_LEN);
    g_message("sync %s: the hub follows the station's key rotations", conn_name(conn));
    pt_sync_conn_ok(conn);
  } else if (req->kind == REQ_HUB_ROTATIONS) {
    /* 409: the hub refused the chain, quarantined it and raised an alert for its admin. */
    g_autofree char *text = g_strdup_printf("the hub refused the station's key rotations: %s", why);
    g_warning("sync %s: %s", conn_name(conn), text);
    note_error(conn, text);
    pt_sync_conn_backoff(conn, -1, text);
  } else if ((req->kind == REQ_HUB_PROFILE || req->kind == REQ_HUB_LOGO) && st == 404) {
    g_message("sync %s: %s: the hub shows no public profile (an older hub); the rest goes on",
              conn_name(conn), why);
    hub->profile_done = hub->profile_refused = TRUE;
    pt_sync_conn_ok(conn);
  } else if (req->kind == REQ_HUB_LOGO && st >= 200 && st < 300) {
    hub->logo_sent = TRUE;
    pt_sync_conn_ok(conn);
  } else if (req->kind == REQ_HUB_PROFILE && st >= 200 && st < 300) {
    hub->profile_done = TRUE;
    g_message("sync %s: the hub holds the station's public profile", conn_name(conn));
    pt_sync_conn_ok(conn);
  } else if (req->kind == REQ_HUB_PROFILE && st == 409) {
    /* The hub does not hold the logo the profile names (dropped meanwhile): it goes again. */
    hub->logo_sent = FALSE;
    note_error(conn, why);
    pt_sync_conn_backoff(conn, -1, why);
  } else if ((req->kind == REQ_HUB_PROFILE || req->kind == REQ_HUB_LOGO) && st >= 400 &&
             st != 401 && st != 403) {
    /* Refused for what it holds (a logo the hub will not show, a text it will not take): the
     * same would be refused again until station.ini changes, which takes a restart. */
    g_autofree char *text =
        g_strdup_printf("the hub refused the station's public profile: %s", why);
    g_warning("sync %s: %s", conn_name(conn), text);
    note_error(conn, text);
    hub->profile_done = hub->profile_refused = TRUE;
    pt_sync_conn_ok(conn);
  } else if (st == 401 || st == 403 || st == 404) {
    hub->resumed = FALSE;
    hub->keys_known = FALSE;
    g_autofree char *text =
        g_strdup_printf("%s (is the station enrolled at the hub? `packtrace sync add --enrol`, "
                        "or `packtrace hub station add` there)",
                        why);
    note_error(conn, text);
    pt_sync_conn_backoff(conn, -1, text);
  } else if (st == 409 && req->kind == REQ_HUB_EVENTS) {
    hub->resumed = FALSE;
    note_error(conn, why);
    pt_sync_conn_backoff(conn, -1, why);
  } else if (req->kind == REQ_HUB_STATION) {
    if (st >= 200 && st < 300)
      finish_station(req);
    else {
      note_error(conn, why);
      pt_sync_conn_backoff(conn, -1, why);
    }
  } else if (req->kind == REQ_HUB_EVENTS) {
    if (st >= 200 && st < 300) {
      finish_events(req);
    } else if (req->ids->len > 1) {
      /* The hub refused the request as a whole: find the culprit with smaller ones. */
      hub->limit = MAX(1, (int)req->ids->len / 2);
      note_error(conn, why);
    } else {
      hub_txn(conn, txn_refused_event, req);
    }
  } else if (req->kind == REQ_HUB_HEAD) {
    /* A refused head is the hub's alert to raise (a head that does not extend the last one it
     * saw); recorded here so the same head is not offered again and again. */
    json_t *answer = pt_json_parse(req->response->str, req->response->len, NULL);
    if (st < 200 || st >= 300 || json_is_false(json_object_get(answer, "accepted"))) {
      g_message("sync %s: the hub did not accept the chain head: %s", conn_name(conn), why);
      note_error(conn, why);
    }
    json_decref(answer);
    if (hub_txn(conn, txn_head, req))
      hub->view_stale = TRUE;
    pt_sync_conn_ok(conn);
  } else if (req->kind == REQ_HUB_EVIDENCE) {
    gboolean sent = st >= 200 && st < 300;
    EvidenceState s = {
        .sha256 = req->evidence, .state = sent ? "sent" : "refused", .text = sent ? NULL : why};
    hub_txn(conn, txn_evidence, &s);
    if (sent)
      pt_sync_conn_ok(conn);
  }
  pt_sync_req_free(req);
}
