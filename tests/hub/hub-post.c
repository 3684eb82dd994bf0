/* hub-post: sends a real station's log to a hub through the hub protocol (PROTOCOL.md), as
 * the station's connector does: its events in seq order (POST /hub/v1/events, at most
 * PT_HUB_EVENTS_PER_REQUEST_MAX a request), then its chain head (POST /hub/v1/head), every
 * request signed with the station's key.  For the hub's tests, which make station data with
 * a real `packtrace` and need it at a hub before the connector of the station side exists.
 *
 *   hub-post DATA_DIR HUB_URL [FROM_SEQ]
 *
 * With HUB_POST_SIGNER=OTHER_DATA_DIR the requests are signed by that station's key instead
 * (a station sending another's records: the hub quarantines each).
 * With HUB_POST_FORGE_ROTATION=FORGER_DATA_DIR it sends no events but a forged key rotation
 * of DATA_DIR's station (POST /hub/v1/rotations): its chain, then a record that hands over
 * from its key in force to a new key, signed by the forger's key instead, the request signed
 * by the new key; prints "HTTP STATUS BODY".  With HUB_POST_FORGE_ROTATION=- it sends
 * DATA_DIR's own chain as it is, signed by its key in force (a folder cloned before a
 * rotation and rotated on its own: another chain from the same anchor).
 * Prints each answer's body on a line; exits 1 when a request fails or an event is
 * quarantined. */
#include "pt-hub-sign.h"
#include "pt-hub-wire.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-store-keys.h"
#include "pt-store.h"
#include "pt-time.h"

#include <curl/curl.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  gint64 from;
  json_t *events;
  gint64 last_seq;
  guint8 last_hash[PT_HASH_LEN];
} Collect;

static gboolean
collect(const PtEventRow *row, gpointer user_data, GError **error)
{
  Collect *col = user_data;
  col->last_seq = row->seq;
  memcpy(col->last_hash, row->hash, PT_HASH_LEN);
  if (row->seq >= col->from)
    json_array_append_new(col->events, pt_hub_wire_event(row, NULL, NULL));
  return TRUE;
}

static size_t
on_body(char *data, size_t size, size_t n, void *user_data)
{
  g_string_append_len(user_data, data, (gssize)(size * n));
  return size * n;
}

/* POSTs @body to @url + @target signed by @keys; the answer's body in @answer. */
static long
post(const char *url, const char *target, const PtKeys *keys, const char *body, GString *answer)
{
  g_auto(PtHubAuth) auth = {0};
  pt_hub_sign_request(keys, "POST", target, body, strlen(body), pt_now_ns(), &auth);
  g_autofree char *h1 = g_strdup_printf(PT_HUB_HEADER_STATION ": %s", auth.station);
  g_autofree char *h2 = g_strdup_printf(PT_HUB_HEADER_DATE ": %s", auth.date);
  g_autofree char *h3 = g_strdup_printf(PT_HUB_HEADER_SIG ": %s", auth.signature);
  g_autofree char *full = g_strconcat(url, target, NULL);
  struct curl_slist *headers = NULL;
  headers = curl_slist_append(headers, "Content-Type: application/json");
  headers = curl_slist_append(headers, h1);
  headers = curl_slist_append(headers, h2);
  headers = curl_slist_append(headers, h3);
  CURL *curl = curl_easy_init();
  curl_easy_setopt(curl, CURLOPT_URL, full);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
  long status = 0;
  if (curl_easy_perform(curl) == CURLE_OK)
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);
  curl_slist_free_all(headers);
  return status;
}

/* The rotations HUB_POST_FORGE_ROTATION asks for (see the top). */
static int
forge_rotation(PtStore *store, const PtKeys *victim, const char *forger_dir, const char *url,
               const Collect *col)
{
  g_autoptr(GError) error = NULL;
  gboolean own = strcmp(forger_dir, "-") == 0;
  g_autoptr(PtKeys) forger = own ? NULL : pt_keys_load(forger_dir, &error);
  g_autoptr(GPtrArray) rows = own || forger ? pt_store_key_rotations(store, &error) : NULL;
  if (!rows) {
    fprintf(stderr, "hub-post: %s\n", error->message);
    return 1;
  }
  g_autoptr(PtKeyChain) chain = pt_key_chain_new(victim->anchor_key);
  for (guint i = 0; i < rows->len; i++)
    if (!pt_key_chain_add(chain, rows->pdata[i], &error)) {
      fprintf(stderr, "hub-post: %s\n", error->message);
      return 1;
    }
  json_t *list = pt_key_chain_to_json(chain);
  if (own) {
    json_t *req = json_pack("{so}", "keyChain", list);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    g_autoptr(GString) answer = g_string_new(NULL);
    long status = post(url, "/hub/v1/rotations", victim, body, answer);
    free(body);
    printf("HTTP %ld %s\n", status, answer->str);
    return 0;
  }
  /* The forger's secret half, under the name of the victim's key in force. */
  PtKeys posing = *forger;
  memcpy(posing.public_key, victim->public_key, PT_PUB_LEN);
  g_autoptr(PtKeys) next = pt_keys_new_ephemeral();
  memcpy(next->anchor_key, victim->anchor_key, PT_PUB_LEN);
  PtKeyRotationRow forged = {0};
  if (!pt_key_rotation_make(&posing, next, victim->anchor_key, pt_now_ns(), col->last_seq,
                            col->last_seq > 0 ? col->last_hash : NULL, &forged, &error)) {
    fprintf(stderr, "hub-post: %s\n", error->message);
    return 1;
  }
  g_autofree char *sig = pt_hex_encode(forged.signature, PT_SIG_LEN);
  g_autofree char *new_sig = pt_hex_encode(forged.new_signature, PT_SIG_LEN);
  json_array_append_new(list, json_pack("{sossss}", "record",
                                        json_loadb(forged.record, forged.record_len, 0, NULL),
                                        "signature", sig, "newKeySignature", new_sig));
  pt_key_rotation_row_clear(&forged);
  json_t *req = json_pack("{so}", "keyChain", list);
  char *body = json_dumps(req, JSON_COMPACT);
  json_decref(req);
  g_autoptr(GString) answer = g_string_new(NULL);
  long status = post(url, "/hub/v1/rotations", next, body, answer);
  free(body);
  printf("HTTP %ld %s\n", status, answer->str);
  return 0;
}

int
main(int argc, char **argv)
{
  if (argc < 3 || argc > 4) {
    fprintf(stderr, "usage: hub-post DATA_DIR HUB_URL [FROM_SEQ]\n");
    return 2;
  }
  if (sodium_init() < 0)
    return 1;
  g_autoptr(GError) error = NULL;
  const char *signer = g_getenv("HUB_POST_SIGNER");
  g_autoptr(PtKeys) keys = pt_keys_load(signer && *signer ? signer : argv[1], &error);
  g_autofree char *db = g_build_filename(argv[1], "station.db", NULL);
  g_autoptr(PtStore) store = keys ? pt_store_open_readonly(db, &error) : NULL;
  Collect col = {.from = argc == 4 ? g_ascii_strtoll(argv[3], NULL, 10) : 1,
                 .events = json_array()};
  if (!store || !pt_store_events_foreach(store, 0, collect, &col, &error)) {
    fprintf(stderr, "hub-post: %s\n", error->message);
    json_decref(col.events);
    return 1;
  }
  curl_global_init(CURL_GLOBAL_DEFAULT);
  const char *forger = g_getenv("HUB_POST_FORGE_ROTATION");
  if (forger && *forger) {
    int forged = forge_rotation(store, keys, forger, argv[2], &col);
    json_decref(col.events);
    curl_global_cleanup();
    return forged;
  }
  int rc = 0;
  gsize n = json_array_size(col.events);
  for (gsize at = 0; rc == 0 && at < n; at += PT_HUB_EVENTS_PER_REQUEST_MAX) {
    json_t *part = json_array();
    for (gsize i = at; i < n && i < at + PT_HUB_EVENTS_PER_REQUEST_MAX; i++)
      json_array_append(part, json_array_get(col.events, i));
    json_t *req = json_pack("{so}", "events", part);
    char *body = json_dumps(req, JSON_COMPACT);
    json_decref(req);
    g_autoptr(GString) answer = g_string_new(NULL);
    long status = post(argv[2], "/hub/v1/events", keys, body, answer);
    free(body);
    printf("%s\n", answer->str);
    if (status != 200)
      fprintf(stderr, "hub-post: HTTP %ld\n", status);
    if (status != 200 || strstr(answer->str, "\"quarantined\""))
      rc = 1;
  }
  json_decref(col.events);
  if (rc == 0 && col.last_seq > 0) {
    g_autofree char *hash = pt_hex_encode(col.last_hash, PT_HASH_LEN);
    g_autofree char *body =
        g_strdup_printf("{\"seq\":%" G_GINT64_FORMAT ",\"hash\":\"%s\"}", col.last_seq, hash);
    g_autoptr(GString) answer = g_string_new(NULL);
    if (post(argv[2], "/hub/v1/head", keys, body, answer) != 200)
      rc = 1;
    printf("%s\n", answer->str);
  }
  curl_global_cleanup();
  return rc;
}
