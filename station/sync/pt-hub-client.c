/* pt-hub-client.c: request signing for the co-op hub, and the calls a command waits for
 * (see pt-hub-client.h).
 *
 * Workload: one signature per request to the hub (a few per second while a backlog drains);
 * enrolment and the station check run once, from `packtrace sync add`. */
#include "pt-hub-client.h"

#include "pt-error.h"
#include "pt-json.h"
#include "pt-hub-sign.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <curl/curl.h>
#include <string.h>

/* The path and query of @url as sent on the request line: the signed target. */
static char *
request_target(const char *url, GError **error)
{
  CURLU *u = curl_url();
  char *path = NULL, *query = NULL;
  char *out = NULL;
  if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
      curl_url_get(u, CURLUPART_PATH, &path, 0) == CURLUE_OK) {
    curl_url_get(u, CURLUPART_QUERY, &query, 0);
    out = query ? g_strconcat(path, "?", query, NULL) : g_strdup(path);
  } else {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "'%s' is not a URL", url);
  }
  curl_free(path);
  curl_free(query);
  curl_url_cleanup(u);
  return out;
}

static char **
header_lines(const PtHubAuth *auth)
{
  char **lines = g_new0(char *, 4);
  lines[0] = g_strconcat(PT_HUB_HEADER_STATION ": ", auth->station, NULL);
  lines[1] = g_strconcat(PT_HUB_HEADER_DATE ": ", auth->date, NULL);
  lines[2] = g_strconcat(PT_HUB_HEADER_SIG ": ", auth->signature, NULL);
  return lines;
}

char **
pt_hub_client_sign(const PtKeys *keys, const char *method, const char *url, const void *body,
                   gsize body_len, gint64 now_ns, GError **error)
{
  g_autofree char *target = request_target(url, error);
  if (!target)
    return NULL;
  g_auto(PtHubAuth) auth = {0};
  pt_hub_sign_request(keys, method, target, body, body_len, now_ns, &auth);
  return header_lines(&auth);
}

/* pt_hub_sign_digest() takes the body's bytes; a streamed upload has only their hash, so the
 * message is written here the same way (PROTOCOL.md; test-hub-client checks that both
 * give the same signature). */
char **
pt_hub_client_sign_hashed(const PtKeys *keys, const char *method, const char *url,
                          const guint8 body_sha256[PT_HASH_LEN], gint64 now_ns, GError **error)
{
  g_autofree char *target = request_target(url, error);
  if (!target)
    return NULL;
  g_autofree char *body_hex = pt_hex_encode(body_sha256, PT_HASH_LEN);
  g_auto(PtHubAuth) auth = {0};
  auth.station = pt_keys_station_id(keys->anchor_key);
  auth.date = pt_time_format(now_ns);
  g_autofree char *message = g_strconcat(PT_HUB_SIGN_CONTEXT "\n", method, "\n", target, "\n",
                                         auth.date, "\n", body_hex, NULL);
  guint8 digest[PT_HASH_LEN], sig[PT_SIG_LEN];
  crypto_hash_sha256(digest, (const guint8 *)message, strlen(message));
  pt_keys_sign(keys, digest, sig);
  auth.signature = g_base64_encode(sig, sizeof sig);
  return header_lines(&auth);
}

char *
pt_hub_client_url(const char *base, const char *path)
{
  gsize n = strlen(base);
  while (n && base[n - 1] == '/')
    n--;
  g_autofree char *trimmed = g_strndup(base, n);
  return g_strconcat(trimmed, path[0] == '/' ? "" : "/", path, NULL);
}

static size_t
on_write(char *ptr, size_t size, size_t n, void *user)
{
  GString *out = user;
  gsize len = size * n;
  gsize room = PT_SYNC_RESPONSE_MAX - MIN(out->len, (gsize)PT_SYNC_RESPONSE_MAX);
  g_string_append_len(out, ptr, (gssize)MIN(len, room));
  return len;
}

json_t *
pt_hub_client_call(const PtHubTarget *target, const PtKeys *keys, const char *method,
                   const char *path, json_t *body, long *status_out, GError **error)
{
  g_autofree char *text = body ? json_dumps(body, JSON_COMPACT) : g_strdup("");
  return pt_hub_client_send(target, keys, method, path, text, strlen(text),
                            body ? "application/json" : NULL, status_out, error);
}

json_t *
pt_hub_client_send(const PtHubTarget *target, const PtKeys *keys, const char *method,
                   const char *path, const void *body, gsize len, const char *content_type,
                   long *status_out, GError **error)
{
  g_autofree char *url = pt_hub_client_url(target->url, path);
  const char *text = body ? body : "";
  g_auto(GStrv) signed_lines = pt_hub_client_sign(keys, method, url, text, len, pt_now_ns(), error);
  if (!signed_lines)
    return NULL;
  curl_global_init(CURL_GLOBAL_DEFAULT);
  CURL *e = curl_easy_init();
  struct curl_slist *headers = NULL;
  for (guint i = 0; signed_lines[i]; i++)
    headers = curl_slist_append(headers, signed_lines[i]);
  headers = curl_slist_append(headers, "Expect:");
  g_autofree char *type_line =
      content_type ? g_strconcat("Content-Type: ", content_type, NULL) : NULL;
  if (type_line)
    headers = curl_slist_append(headers, type_line);
  g_autoptr(GString) answer = g_string_new(NULL);
  char errbuf[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(e, CURLOPT_URL, url);
  curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
  curl_easy_setopt(e, CURLOPT_WRITEDATA, answer);
  curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
  curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)target->timeout_ms);
  curl_easy_setopt(e, CURLOPT_PROXY, target->proxy ? target->proxy : "");
  curl_easy_setopt(e, CURLOPT_USERAGENT, "packtrace/" PACKTRACE_VERSION);
  if (target->ca_file)
    curl_easy_setopt(e, CURLOPT_CAINFO, target->ca_file);
  if (strcmp(method, "GET") != 0) {
    /* The body in memory for POST and PUT alike: libcurl sends POSTFIELDS with the method. */
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, text);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
    if (strcmp(method, "POST") != 0)
      curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
  }
  CURLcode rc = curl_easy_perform(e);
  long status = 0;
  curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
  curl_slist_free_all(headers);
  curl_easy_cleanup(e);
  if (rc != CURLE_OK) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "no answer from the hub at %s: %s", url,
                errbuf[0] ? errbuf : curl_easy_strerror(rc));
    return NULL;
  }
  *status_out = status;
  json_t *parsed = pt_json_parse(answer->str, answer->len, NULL);
  if (parsed)
    return parsed;
  g_autofree char *valid = g_utf8_make_valid(answer->str, (gssize)answer->len);
  return json_pack("{ss}", "text", g_strstrip(valid));
}

/* "HTTP 403: <the hub's error>" */
static char *
answer_text(long status, json_t *answer)
{
  const char *why = json_string_value(json_object_get(answer, "error"));
  if (!why)
    why = json_string_value(json_object_get(answer, "text"));
  return g_strdup_printf("HTTP %ld%s%s", status, why && *why ? ": " : "", why ? why : "");
}

json_t *
pt_hub_client_enrol(const PtHubTarget *target, const PtKeys *keys, const char *code,
                    const char *name, GError **error)
{
  if (!*code || strlen(code) > PT_HUB_SYNC_CODE_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "an enrolment code is 1 to %d characters",
                PT_HUB_SYNC_CODE_MAX);
    return NULL;
  }
  g_autofree char *pub = pt_hex_encode(keys->public_key, PT_PUB_LEN);
  json_t *body = json_pack("{ssssss}", "code", code, "public_key", pub, "name", name);
  long status = 0;
  json_t *answer = pt_hub_client_call(target, keys, "POST", "/hub/v1/enrol", body, &status, error);
  json_decref(body);
  if (answer && (status < 200 || status >= 300)) {
    g_autofree char *why = answer_text(status, answer);
    g_set_error(error, PT_ERROR, status == 409 ? PT_ERROR_CONFLICT : PT_ERROR_FAILED,
                "the hub at %s refused the enrolment code: %s", target->url, why);
    g_clear_pointer(&answer, json_decref);
  }
  return answer;
}

json_t *
pt_hub_client_station(const PtHubTarget *target, const PtKeys *keys, GError **error)
{
  long status = 0;
  json_t *answer = pt_hub_client_call(target, keys, "GET", "/hub/v1/station", NULL, &status, error);
  if (!answer || (status >= 200 && status < 300))
    return answer;
  g_autofree char *why = answer_text(status, answer);
  g_autofree char *id = pt_keys_station_id(keys->anchor_key);
  g_autofree char *pub = pt_hex_encode(keys->public_key, PT_PUB_LEN);
  if (status == 401 || status == 403 || status == 404)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "the hub at %s does not know station %s (%s): have its admin register the key "
                "with `packtrace hub station add` (public key %s), or enrol with --enrol CODE",
                target->url, id, why, pub);
  else
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "the hub at %s answered %s", target->url, why);
  json_decref(answer);
  return NULL;
}
