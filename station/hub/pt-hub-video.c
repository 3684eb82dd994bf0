/* pt-hub-video.c: the hub's video relay (see pt-hub-video.h). */
#include "pt-hub-video.h"

#include "pt-error.h"
#include "pt-hub-buyer.h"
#include "pt-hub-reply.h"
#include "pt-hub-respond.h"
#include "pt-hub-store-video.h"
#include "pt-hub-web.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-range.h"
#include "pt-time.h"

#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#define LOADS_URL      "/api/v1/buyer/loads"
#define CAP_CONTEXT    "packtrace-hub-video-cap/1"
#define PLAYLIST       "index.m3u8"
#define STATION_ID_LEN 16

/* The station protocol --------------------------------------------------------------------- */

json_t *
pt_hub_video_poll(PtHubStore *store, const PtHubStation *station, GError **error)
{
  if (!pt_hub_store_video_polled(store, station->id, error))
    return NULL;
  json_t *wants = pt_hub_store_video_wants(store, station->id, error);
  if (!wants)
    return NULL;
  int next = PT_HUB_VIDEO_POLL_IDLE_MS;
  gsize i;
  json_t *w;
  json_array_foreach(wants, i, w)
  {
    const char *kind = json_string_value(json_object_get(w, "kind"));
    next = MIN(next, g_strcmp0(kind, "live") == 0 ? PT_HUB_VIDEO_POLL_LIVE_MS
                                                  : PT_HUB_VIDEO_POLL_BUSY_MS);
  }
  return json_pack("{so si}", "wants", wants, "next_ms", next);
}

/* The forms a station may push (pt-hub-store-video.h); a camera is [A-Za-z0-9_-], as
 * station.ini allows.  Compiled once (push_form_matches()): a watched camera pushes twice a
 * second. */
static const char *const push_forms[] = {
    "^info/(all|[0-9]{13})/[1-9][0-9]{0,17}$",
    "^live/[1-9][0-9]{0,17}/[A-Za-z0-9_-]{1,64}/(index\\.m3u8|seg[0-9]{5,10}\\.ts)$",
    "^clip/[1-9][0-9]{0,17}/[A-Za-z0-9_-]{1,64}/[1-9][0-9]?/(facts|c[0-9]{1,4})$",
};

/* The name of a clip file beside clip facts @facts_name ("clip/L/C/P/facts"): "clip/L/C/P/" +
 * @tail ("c" for the chunks' prefix, "" for every file of the clip). */
static char *
clip_sibling(const char *facts_name, const char *tail)
{
  g_autofree char *dir = g_strndup(facts_name, strlen(facts_name) - strlen("facts"));
  return g_strconcat(dir, tail, NULL);
}

/* "clip/LOAD/CAMERA/PART/facts": the facts of part @part of @camera's clip of @load. */
static char *
clip_facts_name(gint64 load, const char *camera, int part)
{
  return g_strdup_printf("clip/%" G_GINT64_FORMAT "/%s/%d/facts", load, camera, part);
}

static gpointer
push_forms_compile(gpointer unused)
{
  GRegex **re = g_new0(GRegex *, G_N_ELEMENTS(push_forms));
  for (gsize i = 0; i < G_N_ELEMENTS(push_forms); i++)
    re[i] = g_regex_new(push_forms[i], G_REGEX_OPTIMIZE, G_REGEX_MATCH_DEFAULT, NULL);
  return re;
}

static gboolean
push_form_matches(const char *name)
{
  static GOnce once = G_ONCE_INIT;
  GRegex **re = g_once(&once, push_forms_compile, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS(push_forms); i++)
    if (g_regex_match(re[i], name, G_REGEX_MATCH_DEFAULT, NULL))
      return TRUE;
  return FALSE;
}

/* For a clip's facts: the chunks of an earlier cut are dropped unless it is the same clip. */
static gboolean
clip_facts_pushed(PtHubStore *store, const PtHubStation *station, const char *name,
                  const void *data, gsize len, GError **error)
{
  g_autoptr(GError) parse = NULL;
  json_t *facts = pt_json_parse(data, len, &parse);
  if (!json_is_object(facts)) {
    json_decref(facts);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "clip facts are not a JSON object: %s",
                parse ? parse->message : "not an object");
    return FALSE;
  }
  const char *sha = json_string_value(json_object_get(facts, "sha256"));
  g_autoptr(GBytes) old = pt_hub_store_video_get(store, station->id, name, 0, NULL);
  json_t *was =
      old ? pt_json_parse(g_bytes_get_data(old, NULL), g_bytes_get_size(old), NULL) : NULL;
  gboolean same = sha && g_strcmp0(sha, json_string_value(json_object_get(was, "sha256"))) == 0;
  json_decref(was);
  json_decref(facts);
  if (same)
    return TRUE;
  g_autofree char *prefix = clip_sibling(name, "");
  return pt_hub_store_video_drop(store, station->id, prefix, error);
}

/* The ask @name answers (a name of push_forms), into @want (its strings point into @parts). */
static void
push_want(const char *station_id, GStrv parts, PtHubVideoWant *want)
{
  *want = (PtHubVideoWant){.station_id = station_id, .kind = parts[0], .camera = ""};
  if (strcmp(parts[0], "info") == 0) {
    want->gln = strcmp(parts[1], "all") == 0 ? "" : parts[1];
    want->load_id = g_ascii_strtoll(parts[2], NULL, 10);
    return;
  }
  want->load_id = g_ascii_strtoll(parts[1], NULL, 10);
  want->camera = parts[2];
  if (strcmp(parts[0], "clip") == 0)
    want->part = (int)g_ascii_strtoll(parts[3], NULL, 10);
}

json_t *
pt_hub_video_push(PtHubStore *store, const PtHubStation *station, const char *name,
                  const void *data, gsize len, GError **error)
{
  if (!push_form_matches(name)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "no video file is named %s", name);
    return NULL;
  }
  /* Only what a buyer asks for is kept: a station cannot fill the hub with files nobody
   * wants, and a clip is at most PT_HUB_VIDEO_CLIP_MAX in whole chunks. */
  g_auto(GStrv) parts = g_strsplit(name, "/", 6);
  PtHubVideoWant want;
  push_want(station->id, parts, &want);
  const char *chunk = strcmp(parts[0], "clip") == 0 && parts[4][0] == 'c' ? parts[4] + 1 : NULL;
  if ((chunk && g_ascii_strtoll(chunk, NULL, 10) >= PT_HUB_VIDEO_CLIP_MAX / PT_HUB_VIDEO_CHUNK) ||
      (chunk && len > PT_HUB_VIDEO_CHUNK)) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "a clip is at most %d chunks of at most %d bytes",
                (int)(PT_HUB_VIDEO_CLIP_MAX / PT_HUB_VIDEO_CHUNK), PT_HUB_VIDEO_CHUNK);
    return NULL;
  }
  gboolean asked = FALSE;
  if (!pt_hub_store_video_asked(store, &want, &asked, error))
    return NULL;
  if (!asked) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "nobody asks for %s now", name);
    return NULL;
  }
  gboolean facts = g_str_has_prefix(name, "clip/") && g_str_has_suffix(name, "/facts");
  if (facts && !clip_facts_pushed(store, station, name, data, len, error))
    return NULL;
  if (!pt_hub_store_video_put(store, station->id, name, data, len, error))
    return NULL;
  json_t *answer = json_pack("{ss}", "stored", name);
  if (facts) {
    /* Where the station goes on from: 0 after a new cut dropped the chunks of the old one. */
    g_autofree char *prefix = clip_sibling(name, "c");
    gint64 held = pt_hub_store_video_count(store, station->id, prefix, error);
    if (held < 0) {
      json_decref(answer);
      return NULL;
    }
    json_object_set_new(answer, "chunks", json_integer(held));
  }
  return answer;
}

/* The buyers' side ------------------------------------------------------------------------ */

/* One request under LOADS_URL "/", split. */
typedef struct {
  char station[STATION_ID_LEN + 1];
  gint64 load;
  char *id;     /* "STATION-LOAD" as the buyer named it */
  char *camera; /* NULL for the answer */
  char *what;   /* "live" or "recorded" */
  char *file;   /* index.m3u8, segNNNNN.ts, N or N.mp4 */
  char *scope;  /* the viewer's GLN, or "all" for an admin */
} VideoPath;

static void
video_path_clear(VideoPath *p)
{
  g_free(p->id);
  g_free(p->camera);
  g_free(p->what);
  g_free(p->file);
  g_free(p->scope);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(VideoPath, video_path_clear)

static gboolean
camera_name_ok(const char *s)
{
  gsize n = strlen(s);
  if (n == 0 || n > 64)
    return FALSE;
  for (const char *c = s; *c; c++)
    if (!g_ascii_isalnum(*c) && *c != '_' && *c != '-')
      return FALSE;
  return TRUE;
}

/* @rest: "{station}-{load}/video[/{camera}/{live|recorded}/{file}]". */
static gboolean
video_path_parse(const char *rest, VideoPath *p)
{
  g_auto(GStrv) seg = g_strsplit(rest, "/", 6);
  guint n = g_strv_length(seg);
  if ((n != 2 && n != 5) || strcmp(seg[1], "video") != 0)
    return FALSE;
  const char *dash = strchr(seg[0], '-');
  guint64 load = 0;
  if (!dash || dash - seg[0] != STATION_ID_LEN ||
      !g_ascii_string_to_unsigned(dash + 1, 10, 1, G_MAXINT64, &load, NULL))
    return FALSE;
  for (int i = 0; i < STATION_ID_LEN; i++)
    if (!g_ascii_isxdigit(seg[0][i]) || g_ascii_isupper(seg[0][i]))
      return FALSE;
  memcpy(p->station, seg[0], STATION_ID_LEN);
  p->station[STATION_ID_LEN] = '\0';
  p->load = (gint64)load;
  p->id = g_strdup(seg[0]);
  if (n == 2)
    return TRUE;
  if (!camera_name_ok(seg[2]) || (strcmp(seg[3], "live") != 0 && strcmp(seg[3], "recorded") != 0))
    return FALSE;
  p->camera = g_strdup(seg[2]);
  p->what = g_strdup(seg[3]);
  p->file = g_strdup(seg[4]);
  return TRUE;
}

/* The digest a capability signs: the load and the scope it opens, until @exp. */
static void
cap_digest(const char *id, const char *scope, gint64 exp, guint8 out[PT_HASH_LEN])
{
  g_autofree char *msg = g_strdup_printf(CAP_CONTEXT "\n%s\n%s\n%" G_GINT64_FORMAT, id, scope, exp);
  crypto_hash_sha256(out, (const guint8 *)msg, strlen(msg));
}

/* "EXP.SCOPE.SIGNATURE" (base64url): a player's key to the load @id as @scope sees it. */
static char *
cap_make(const PtHubWeb *web, const char *id, const char *scope)
{
  gint64 exp = pt_now_ns() / G_GINT64_CONSTANT(1000000000) + PT_HUB_VIDEO_CAP_S;
  guint8 digest[PT_HASH_LEN], sig[PT_SIG_LEN];
  cap_digest(id, scope, exp, digest);
  pt_keys_sign(pt_hub_web_keys(web), digest, sig);
  char b64[sodium_base64_ENCODED_LEN(PT_SIG_LEN, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  sodium_bin2base64(b64, sizeof b64, sig, sizeof sig, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  return g_strdup_printf("%" G_GINT64_FORMAT ".%s.%s", exp, scope, b64);
}

/* The scope @cap opens for load @id, NULL when it is not the hub's, for another load, or
 * expired.  Returns: (transfer full). */
static char *
cap_check(const PtHubWeb *web, const char *id, const char *cap)
{
  g_auto(GStrv) part = cap ? g_strsplit(cap, ".", 4) : NULL;
  guint64 exp = 0;
  if (!part || g_strv_length(part) != 3 ||
      !g_ascii_string_to_unsigned(part[0], 10, 1, G_MAXINT64, &exp, NULL) ||
      (gint64)exp < pt_now_ns() / G_GINT64_CONSTANT(1000000000))
    return NULL;
  if (strcmp(part[1], "all") != 0 && !pt_hub_gln_valid(part[1]))
    return NULL;
  guint8 sig[PT_SIG_LEN], digest[PT_HASH_LEN];
  size_t sig_len = 0;
  if (sodium_base642bin(sig, sizeof sig, part[2], strlen(part[2]), NULL, &sig_len, NULL,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      sig_len != sizeof sig)
    return NULL;
  cap_digest(id, part[1], (gint64)exp, digest);
  if (!pt_keys_verify(pt_hub_web_keys(web)->public_key, digest, sig))
    return NULL;
  return g_strdup(part[1]);
}

/* Who asks: a token, or for the players' files a capability.  FALSE with @reply filled. */
static gboolean
viewer(const PtHubCall *call, GPtrArray *args, VideoPath *p, gboolean cap_ok, PtHubReply *reply)
{
  const char *cap = pt_hub_args_get(args, "cap");
  if (cap_ok && cap && !pt_hub_call_authorization(call)) {
    p->scope = cap_check(call->web, p->id, cap);
    if (!p->scope)
      pt_hub_reply_error(reply, 403, "the link has expired or is not for this load: open it again");
    return p->scope != NULL;
  }
  PtHubRole role;
  g_autofree char *gln = NULL;
  if (!pt_hub_authorize(call, reply, &role, &gln))
    return FALSE;
  p->scope = g_strdup(role == PT_HUB_ROLE_BUYER ? gln : "all");
  return TRUE;
}

static void
reply_pending(PtHubReply *reply, const char *message, double progress)
{
  json_t *o = json_pack("{ss ss}", "error", message, "code", "relay-pending");
  if (progress >= 0)
    json_object_set_new(o, "progress", json_real(progress));
  pt_hub_reply_json(reply, 503, o);
  pt_hub_reply_header(reply, "Retry-After", "1");
}

/* A file the station has not pushed: 503 relay-pending while it polls (the page asks again);
 * 503 station-offline when it has not polled for PT_HUB_VIDEO_OFFLINE_S, relay-off when it
 * never did (the page stops asking and says why). */
static void
reply_not_yet(const PtHubCall *call, const char *station_id, PtHubReply *reply, const char *message,
              double progress)
{
  g_autoptr(GError) error = NULL;
  gint64 age = 0;
  if (!pt_hub_store_video_poll_age(call->store, station_id, &age, &error)) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return;
  }
  if (age >= 0 && age < PT_HUB_VIDEO_OFFLINE_S) {
    reply_pending(reply, message, progress);
    return;
  }
  g_autofree char *why =
      age < 0 ? g_strdup("this shed's station does not relay video to the hub (its hub "
                         "connector has no video_relay=true)")
              : g_strdup_printf(
                    "the shed's station has not been in touch with the hub for %" G_GINT64_FORMAT
                    " min: its video comes when it is back online",
                    MAX(age / 60, 1));
  pt_hub_reply_json(
      reply, 503,
      json_pack("{ss ss}", "error", why, "code", age < 0 ? "relay-off" : "station-offline"));
  pt_hub_reply_header(reply, "Retry-After", "60");
}

static gboolean
want(const PtHubCall *call, const VideoPath *p, const char *kind, int part, PtHubReply *reply)
{
  g_autoptr(GError) error = NULL;
  PtHubVideoWant w = {.station_id = p->station,
                      .gln = strcmp(p->scope, "all") == 0 ? "" : p->scope,
                      .load_id = p->load,
                      .kind = kind,
                      .camera = p->camera ? p->camera : "",
                      .part = part};
  if (pt_hub_store_video_want(call->store, &w, &error))
    return TRUE;
  pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
  return FALSE;
}

/* The station's answer for this viewer, asked for again; NULL with @reply filled (503 while
 * the station has not answered, or the station's own refusal).  Returns: (transfer full). */
static json_t *
station_answer(const PtHubCall *call, const VideoPath *p, PtHubReply *reply)
{
  VideoPath info = *p;
  info.camera = NULL;
  if (!want(call, &info, "info", 0, reply))
    return NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = g_strdup_printf("info/%s/%" G_GINT64_FORMAT, p->scope, p->load);
  g_autoptr(GBytes) bytes =
      pt_hub_store_video_get(call->store, p->station, name, PT_HUB_VIDEO_FRESH_S, &error);
  if (!bytes) {
    if (g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND))
      reply_not_yet(call, p->station, reply, "asking the shed's station; it answers within seconds",
                    -1);
    else
      pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return NULL;
  }
  json_t *answer = pt_json_parse(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), NULL);
  if (!json_is_object(answer)) {
    json_decref(answer);
    pt_hub_reply_error(reply, 502, "the station's answer is not JSON");
    return NULL;
  }
  json_t *refused = json_object_get(answer, "error");
  if (refused) {
    json_int_t status = json_integer_value(json_object_get(answer, "status"));
    pt_hub_reply_error(reply, status >= 400 && status < 600 ? (guint)status : 502,
                       json_is_string(refused) ? json_string_value(refused) : "refused");
    json_decref(answer);
    return NULL;
  }
  return answer;
}

/* The camera of @answer named @camera, NULL (404 in @reply) when it is not the load's. */
static json_t *
answer_camera(json_t *answer, const char *camera, PtHubReply *reply)
{
  gsize i;
  json_t *c;
  json_array_foreach(json_object_get(answer, "cameras"), i, c)
  {
    if (g_strcmp0(json_string_value(json_object_get(c, "name")), camera) == 0)
      return c;
  }
  pt_hub_reply_error(reply, 404, "no such camera for this load");
  return NULL;
}

/* The station's answer in the hub's URLs: every URL is under this load's path on the hub;
 * the players' carry a capability. */
static void
answer_rewrite(const PtHubCall *call, const VideoPath *p, json_t *answer)
{
  g_autofree char *base = g_strdup_printf(LOADS_URL "/%s/video", p->id);
  g_autofree char *cap = cap_make(call->web, p->id, p->scope);
  json_t *load = json_object_get(answer, "load");
  json_object_set_new(load, "id", json_string(p->id));
  json_object_set_new(load, "station", json_string(p->station));
  json_object_set_new(load, "video", json_string(base));
  gsize i, j;
  json_t *c, *part;
  json_array_foreach(json_object_get(answer, "cameras"), i, c)
  {
    const char *name = json_string_value(json_object_get(c, "name"));
    if (!name || !camera_name_ok(name)) {
      json_array_remove(json_object_get(answer, "cameras"), i--);
      continue;
    }
    json_object_set_new(c, "live",
                        json_is_true(json_object_get(c, "live"))
                            ? json_sprintf("%s/%s/live/" PLAYLIST "?cap=%s", base, name, cap)
                            : json_null());
    json_array_foreach(json_object_get(c, "recorded"), j, part)
    {
      json_int_t n = json_integer_value(json_object_get(part, "part"));
      json_object_set_new(part, "facts", json_sprintf("%s/%s/recorded/%d", base, name, (int)n));
      json_object_set_new(part, "clip",
                          json_sprintf("%s/%s/recorded/%d.mp4?cap=%s", base, name, (int)n, cap));
    }
  }
  json_object_set_new(answer, "relayed", json_true());
}

/* GET .../video */
static void
video_answer(const PtHubCall *call, GPtrArray *args, VideoPath *p, PtHubReply *reply)
{
  if (!viewer(call, args, p, FALSE, reply))
    return;
  json_t *answer = station_answer(call, p, reply);
  if (!answer)
    return;
  answer_rewrite(call, p, answer);
  pt_hub_reply_json(reply, 200, answer);
}

/* The playlist with the capability on each segment's line, for a player that sends no
 * header (the browser's own HLS player). */
static char *
playlist_with_cap(GBytes *bytes, const char *cap)
{
  g_autofree char *text = g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  GString *out = g_string_new(NULL);
  g_autofree char *escaped = g_uri_escape_string(cap, NULL, FALSE);
  for (guint i = 0; lines[i]; i++) {
    if (!lines[i][0] && !lines[i + 1])
      break;
    g_string_append(out, lines[i]);
    if (lines[i][0] && lines[i][0] != '#')
      g_string_append_printf(out, "?cap=%s", escaped);
    g_string_append_c(out, '\n');
  }
  return g_string_free(out, FALSE);
}

/* GET .../video/{camera}/live/{file} */
static void
video_live(const PtHubCall *call, GPtrArray *args, VideoPath *p, PtHubReply *reply)
{
  if (!viewer(call, args, p, TRUE, reply))
    return;
  gboolean playlist = strcmp(p->file, PLAYLIST) == 0;
  gsize n = strlen(p->file);
  if (!playlist && (!g_str_has_prefix(p->file, "seg") || !g_str_has_suffix(p->file, ".ts") ||
                    n < 3 + 5 + 3 || n > 3 + 10 + 3)) {
    pt_hub_reply_error(reply, 404, "no such live file");
    return;
  }
  g_autoptr(json_t) answer = station_answer(call, p, reply);
  json_t *cam = answer ? answer_camera(answer, p->camera, reply) : NULL;
  if (!cam)
    return;
  if (!json_is_true(json_object_get(cam, "live"))) {
    pt_hub_reply_error(reply, 409, "the load has left: its recording is shown instead");
    return;
  }
  if (!want(call, p, "live", 0, reply))
    return;
  g_autoptr(GError) error = NULL;
  g_autofree char *name =
      g_strdup_printf("live/%" G_GINT64_FORMAT "/%s/%s", p->load, p->camera, p->file);
  g_autoptr(GBytes) bytes = pt_hub_store_video_get(
      call->store, p->station, name,
      playlist ? PT_HUB_VIDEO_LIVE_FRESH_S : PT_HUB_VIDEO_LIVE_KEEP_S, &error);
  if (!bytes) {
    if (g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND))
      reply_not_yet(call, p->station, reply,
                    playlist ? "the shed's station is starting the live view" : error->message, -1);
    else
      pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return;
  }
  const char *cap = pt_hub_args_get(args, "cap");
  if (playlist) {
    pt_hub_reply_take(reply, 200, "application/vnd.apple.mpegurl",
                      cap ? playlist_with_cap(bytes, cap)
                          : g_strndup(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes)));
    return;
  }
  reply->status = 200;
  reply->content_type = g_strdup("video/mp2t");
  reply->body = g_bytes_ref(bytes);
}

/* A part's number in @file ("3" or "3.mp4"), 0 when it is neither. */
static int
part_of(const char *file, gboolean *clip_out)
{
  *clip_out = g_str_has_suffix(file, ".mp4");
  g_autofree char *digits = g_strndup(file, strlen(file) - (*clip_out ? 4 : 0));
  guint64 n = 0;
  if (!g_ascii_string_to_unsigned(digits, 10, 1, PT_LOAD_VIDEO_PARTS_MAX, &n, NULL))
    return 0;
  return (int)n;
}

/* A clip streamed from its chunks, one chunk read at a time on the worker's connection (the
 * worker thread that queued the response is the one that reads it). */
typedef struct {
  PtHubStore *store;
  char station[STATION_ID_LEN + 1];
  char *prefix; /* clip/{load}/{camera}/{part}/c */
  guint64 start;
  gint64 held; /* the chunk in @bytes, -1 for none */
  GBytes *bytes;
} ClipReader;

static void
clip_reader_free(void *cls)
{
  ClipReader *r = cls;
  g_free(r->prefix);
  if (r->bytes)
    g_bytes_unref(r->bytes);
  g_free(r);
}

static ssize_t
clip_read(void *cls, uint64_t pos, char *buf, size_t max)
{
  ClipReader *r = cls;
  guint64 at = r->start + pos;
  gint64 k = (gint64)(at / PT_HUB_VIDEO_CHUNK);
  if (k != r->held) {
    g_clear_pointer(&r->bytes, g_bytes_unref);
    g_autofree char *name = g_strdup_printf("%s%" G_GINT64_FORMAT, r->prefix, k);
    g_autoptr(GError) error = NULL;
    r->bytes = pt_hub_store_video_get(r->store, r->station, name, 0, &error);
    if (!r->bytes) {
      g_message("hub: video relay: %s", error->message);
      return MHD_CONTENT_READER_END_WITH_ERROR;
    }
    r->held = k;
  }
  gsize len = 0;
  const char *data = g_bytes_get_data(r->bytes, &len);
  guint64 off = at - (guint64)k * PT_HUB_VIDEO_CHUNK;
  if (off >= len)
    return MHD_CONTENT_READER_END_WITH_ERROR;
  gsize n = MIN(max, len - off);
  memcpy(buf, data + off, n);
  return (ssize_t)n;
}

/* GET .../recorded/{n}.mp4 once every chunk is held: the bytes, one range when asked. */
static enum MHD_Result
clip_send(const PtHubCall *call, const VideoPath *p, int part, guint64 size, const char *sha)
{
  g_autofree char *etag = g_strdup_printf("\"%s\"", sha);
  if (pt_hub_etag_matches(call->c, etag)) {
    struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
    MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
    return pt_hub_queue(call->c, MHD_HTTP_NOT_MODIFIED, r);
  }
  guint64 start = 0, len = size;
  const char *range = MHD_lookup_connection_value(call->c, MHD_HEADER_KIND, MHD_HTTP_HEADER_RANGE);
  PtRangeAnswer answer = pt_range_parse(range, size, &start, &len);
  struct MHD_Response *r;
  unsigned status = MHD_HTTP_OK;
  if (answer == PT_RANGE_UNSATISFIABLE || strcmp(call->method, "HEAD") == 0) {
    r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
  } else {
    ClipReader *reader = g_new0(ClipReader, 1);
    reader->store = call->store;
    memcpy(reader->station, p->station, sizeof reader->station);
    g_autofree char *facts = clip_facts_name(p->load, p->camera, part);
    reader->prefix = clip_sibling(facts, "c");
    reader->start = start;
    reader->held = -1;
    r = MHD_create_response_from_callback(len, 64 * 1024, clip_read, reader, clip_reader_free);
  }
  if (answer == PT_RANGE_UNSATISFIABLE) {
    g_autofree char *unsat = pt_range_content_range(0, 0, size);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, unsat);
    status = MHD_HTTP_RANGE_NOT_SATISFIABLE;
  } else if (answer == PT_RANGE_PARTIAL) {
    g_autofree char *content_range = pt_range_content_range(start, len, size);
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_RANGE, content_range);
    status = MHD_HTTP_PARTIAL_CONTENT;
  }
  /* A buyer's: never for a shared cache. */
  pt_hub_headers(r, "video/mp4", "private, no-store");
  MHD_add_response_header(r, MHD_HTTP_HEADER_ETAG, etag);
  MHD_add_response_header(r, MHD_HTTP_HEADER_ACCEPT_RANGES, "bytes");
  return pt_hub_queue(call->c, status, r);
}

/* GET .../recorded/{n}[.mp4]: NULL with @reply filled, or the facts relayed whole (and for
 * the clip, @send_out is set: the caller streams it).  Returns: (transfer full). */
static json_t *
video_recorded(const PtHubCall *call, GPtrArray *args, VideoPath *p, gboolean *clip_out,
               int *part_out, PtHubReply *reply)
{
  int part = part_of(p->file, clip_out);
  *part_out = part;
  if (!part) {
    pt_hub_reply_error(reply, 404, "no such part of the recording");
    return NULL;
  }
  if (!viewer(call, args, p, *clip_out, reply))
    return NULL;
  g_autoptr(json_t) answer = station_answer(call, p, reply);
  json_t *cam = answer ? answer_camera(answer, p->camera, reply) : NULL;
  if (!cam)
    return NULL;
  if ((gsize)part > json_array_size(json_object_get(cam, "recorded"))) {
    pt_hub_reply_error(reply, 404, "no such part of the recording");
    return NULL;
  }
  if (!want(call, p, "clip", part, reply))
    return NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *name = clip_facts_name(p->load, p->camera, part);
  g_autoptr(GBytes) bytes = pt_hub_store_video_get(call->store, p->station, name, 0, &error);
  if (!bytes) {
    if (g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND))
      reply_not_yet(call, p->station, reply, "the shed's station is cutting the clip", 0);
    else
      pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return NULL;
  }
  json_t *facts = pt_json_parse(g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), NULL);
  json_t *refused = json_object_get(facts, "error");
  json_int_t size = json_integer_value(json_object_get(facts, "bytes"));
  const char *sha = json_string_value(json_object_get(facts, "sha256"));
  if (!refused && (!sha || strlen(sha) != 64 || size < 0 || size > PT_HUB_VIDEO_CLIP_MAX))
    refused = json_string("the station's clip facts name no SHA-256 or size");
  else if (refused)
    json_incref(refused);
  if (!json_is_object(facts) || refused) {
    json_int_t status = json_integer_value(json_object_get(facts, "status"));
    pt_hub_reply_error(reply, status >= 400 && status < 600 ? (guint)status : 502,
                       json_is_string(refused) ? json_string_value(refused)
                                               : "the station's facts are not JSON");
    json_decref(refused);
    json_decref(facts);
    return NULL;
  }
  gint64 chunks = (size + PT_HUB_VIDEO_CHUNK - 1) / PT_HUB_VIDEO_CHUNK;
  g_autofree char *chunk_prefix = clip_sibling(name, "c");
  gint64 have = pt_hub_store_video_count(call->store, p->station, chunk_prefix, &error);
  if (have < 0) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    json_decref(facts);
    return NULL;
  }
  if (have < chunks || size <= 0) {
    g_autofree char *msg =
        g_strdup_printf("relaying the clip from the shed: %.1f of %.1f MB",
                        MIN(have * (double)PT_HUB_VIDEO_CHUNK, (double)size) / 1e6, size / 1e6);
    reply_not_yet(call, p->station, reply, msg, chunks ? (double)have / (double)chunks : 0);
    json_decref(facts);
    return NULL;
  }
  g_autofree char *cap = cap_make(call->web, p->id, p->scope);
  json_object_set_new(
      facts, "url",
      json_sprintf(LOADS_URL "/%s/video/%s/recorded/%d.mp4?cap=%s", p->id, p->camera, part, cap));
  json_object_set_new(facts, "relayed", json_true());
  return facts;
}

/* GET /api/v1/buyer/loads: from the hub's own records; the cameras are the station's to say
 * (null here: asked when a buyer opens a load). */
static void
loads_list(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  static const char *const known[] = {"limit", "offset", NULL};
  PtHubRole role;
  g_autofree char *gln = NULL;
  if (!pt_hub_authorize(call, reply, &role, &gln) || !pt_hub_args_check(args, known, reply))
    return;
  guint64 limit = 50, offset = 0;
  const char *l = pt_hub_args_get(args, "limit"), *o = pt_hub_args_get(args, "offset");
  if ((l && !g_ascii_string_to_unsigned(l, 10, 1, PT_HUB_VIDEO_LOADS_MAX, &limit, NULL)) ||
      (o && !g_ascii_string_to_unsigned(o, 10, 0, G_MAXINT32, &offset, NULL))) {
    g_autofree char *msg =
        g_strdup_printf("limit is 1..%d, offset a whole number", PT_HUB_VIDEO_LOADS_MAX);
    pt_hub_reply_error(reply, 400, msg);
    return;
  }
  g_autoptr(GError) error = NULL;
  const char *scope = role == PT_HUB_ROLE_BUYER ? gln : NULL;
  json_t *loads = pt_hub_store_video_loads(call->store, scope, (int)limit, (int)offset, &error);
  if (!loads) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return;
  }
  gsize i;
  json_t *x;
  json_array_foreach(loads, i, x)
  {
    json_object_set_new(
        x, "video",
        json_sprintf(LOADS_URL "/%s/video", json_string_value(json_object_get(x, "id"))));
  }
  json_t *out = json_pack("{so si si sb}", "loads", loads, "limit", (int)limit, "offset",
                          (int)offset, "more", json_array_size(loads) == limit);
  json_object_set_new(out, "scope_gln", scope ? json_string(scope) : json_null());
  pt_hub_reply_json(reply, 200, out);
}

static enum MHD_Result
on_loads(const PtHubCall *call)
{
  return pt_hub_reply_run(call, loads_list);
}

static enum MHD_Result
on_video(const PtHubCall *call)
{
  g_autoptr(GPtrArray) args = pt_hub_call_args(call);
  g_auto(PtHubReply) reply;
  pt_hub_reply_init(&reply);
  g_auto(VideoPath) p = {0};
  if (!video_path_parse(call->url + strlen(LOADS_URL "/"), &p)) {
    pt_hub_reply_error(&reply, 404, "no such load video");
  } else if (!p.camera) {
    video_answer(call, args, &p, &reply);
  } else if (strcmp(p.what, "live") == 0) {
    video_live(call, args, &p, &reply);
  } else {
    gboolean clip = FALSE;
    int part = 0;
    g_autoptr(json_t) facts = video_recorded(call, args, &p, &clip, &part, &reply);
    if (facts && clip)
      return clip_send(call, &p, part, (guint64)json_integer_value(json_object_get(facts, "bytes")),
                       json_string_value(json_object_get(facts, "sha256")));
    if (facts)
      pt_hub_reply_json(&reply, 200, g_steal_pointer(&facts));
  }
  return pt_hub_reply_send(call, &reply);
}

/* The buyers' page (web-ui/hub-loads.html): anyone may load it; what it shows needs a token.
 * Its media come from hls.js's MediaSource (blob:) and the hub's own URLs. */
#define LOADS_PAGE_CSP                                                                             \
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "                  \
  "media-src 'self' blob:; img-src 'self' data:; base-uri 'none'; form-action 'none'; "            \
  "frame-ancestors 'none'"

static void
loads_page(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  pt_hub_reply_resource(reply, "/packtrace/web/hub-loads.html", "text/html; charset=utf-8",
                        LOADS_PAGE_CSP);
}

static enum MHD_Result
on_page(const PtHubCall *call)
{
  return pt_hub_reply_run(call, loads_page);
}

static const PtHubRoute routes[] = {
    {"/loads", on_page},
    {LOADS_URL, on_loads},
    {LOADS_URL "/", on_video},
};

const PtHubRouteTable pt_hub_video_routes = {routes, G_N_ELEMENTS(routes)};
