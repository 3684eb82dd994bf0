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
 * Prints each answer's body on a line; exits 1 when a request fails or an event is
 * quarantined. */
#include "pt-hub-sign.h"
#include "pt-hub-wire.h"
#include "pt-keys.h"
#include "pt-limits.h"
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
