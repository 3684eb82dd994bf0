/* pt-video-relay.c: the station's half of the hub's video relay (see pt-video-relay.h).
 *
 * Workload: one small signed request every PT_HUB_VIDEO_POLL_IDLE_MS while nobody watches;
 * while a buyer watches live, every PT_HUB_VIDEO_POLL_LIVE_MS a poll, the playlist and the
 * one new segment (about a second of the camera's H.264); a recorded part crosses the shed's
 * uplink once per cut, in chunks, resumed from where the hub is after a restart. */
#include "pt-video-relay.h"

#include "pt-error.h"
#include "pt-hub-client.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-load-video.h"
#include "pt-sync-config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

struct _PtVideoRelay {
  PtStation *station;
  PtRecorder *recorder;
  PtSyncConnector *hub; /* the connector whose hub the relay serves */
  PtStore *store;       /* the thread's */
  GThread *thread;
  GMutex lock;
  GCond wake;
  gboolean stop;
  /* "LOAD/CAMERA" -> (GHashTable of segment names pushed) */
  GHashTable *pushed;
  /* "GLN/LOAD" -> (Answer) the answer last pushed: the same is not pushed again within
   * PT_HUB_VIDEO_FRESH_S / 2, while the hub still serves it */
  GHashTable *answers;
  char *last_failure; /* the last poll's failure, logged once until it changes */
};

typedef struct {
  char *text;
  gint64 at; /* monotonic us */
} Answer;

static void
answer_free(Answer *a)
{
  g_free(a->text);
  g_free(a);
}

static json_t *
call(PtVideoRelay *relay, const char *method, const char *path, const void *body, gsize len,
     const char *type, long *status, GError **error)
{
  PtHubTarget target = {.url = relay->hub->url,
                        .ca_file = relay->hub->ca_file,
                        .proxy = relay->hub->proxy,
                        .timeout_ms = MIN(relay->hub->timeout_ms, PT_HUB_VIDEO_REQUEST_MS)};
  return pt_hub_client_send(&target, relay->station->keys, method, path, body, len, type, status,
                            error);
}

/* PUT /hub/v1/video/files/@name; the hub's answer in @answer_out (nullable). */
static gboolean
push_answered(PtVideoRelay *relay, const char *name, const void *data, gsize len, const char *type,
              json_t **answer_out, GError **error)
{
  g_autofree char *path = g_strconcat("/hub/v1/video/files/", name, NULL);
  long status = 0;
  g_autoptr(json_t) answer = call(relay, "PUT", path, data, len, type, &status, error);
  if (!answer)
    return FALSE;
  if (status < 200 || status >= 300) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "the hub refused %s: HTTP %ld %s", name, status,
                json_string_value(json_object_get(answer, "error")) ?: "");
    return FALSE;
  }
  if (answer_out)
    *answer_out = g_steal_pointer(&answer);
  return TRUE;
}

static gboolean
push(PtVideoRelay *relay, const char *name, const void *data, gsize len, const char *type,
     GError **error)
{
  return push_answered(relay, name, data, len, type, NULL, error);
}

static gboolean
push_json(PtVideoRelay *relay, const char *name, json_t *value, GError **error)
{
  g_autofree char *text = json_dumps(value, JSON_COMPACT);
  return push(relay, name, text, strlen(text), "application/json", error);
}

/* A refusal as the hub shows it to the buyer: the station's words and HTTP status. */
static json_t *
refusal(const GError *error)
{
  return json_pack("{ss si}", "error", error->message, "status", pt_error_http_status(error));
}

/* One ask of the hub's, as the poll gives it. */
typedef struct {
  const char *kind;
  const char *gln; /* NULL: an admin, every load */
  gint64 load;
  const char *camera;
  int part;
  gint64 have;
} Want;

static PtLoadVideo *
open_load(PtVideoRelay *relay, const Want *w, GError **error)
{
  char id[24];
  g_snprintf(id, sizeof id, "%" G_GINT64_FORMAT, w->load);
  return pt_load_video_open(relay->station, relay->store, id, w->gln, error);
}

static gboolean
answer_info(PtVideoRelay *relay, const Want *w, GError **error)
{
  g_autoptr(GError) refused = NULL;
  g_autoptr(PtLoadVideo) v = open_load(relay, w, &refused);
  g_autoptr(json_t) answer = v ? pt_load_video_json(relay->store, v, &refused) : NULL;
  if (!answer)
    answer = refusal(refused);
  g_autofree char *name =
      g_strdup_printf("info/%s/%" G_GINT64_FORMAT, w->gln ? w->gln : "all", w->load);
  g_autofree char *text = json_dumps(answer, JSON_COMPACT | JSON_SORT_KEYS);
  Answer *last = g_hash_table_lookup(relay->answers, name);
  gint64 now = g_get_monotonic_time();
  if (last && strcmp(last->text, text) == 0 &&
      now - last->at < PT_HUB_VIDEO_FRESH_S * G_TIME_SPAN_SECOND / 2)
    return TRUE;
  if (!push(relay, name, text, strlen(text), "application/json", error))
    return FALSE;
  Answer *a = g_new0(Answer, 1);
  a->text = g_steal_pointer(&text);
  a->at = now;
  g_hash_table_replace(relay->answers, g_strdup(name), a);
  return TRUE;
}

/* The playlist's segment names (its lines that are not tags). */
static GPtrArray *
playlist_segments(GBytes *playlist)
{
  g_autofree char *text = g_strndup(g_bytes_get_data(playlist, NULL), g_bytes_get_size(playlist));
  g_auto(GStrv) lines = g_strsplit(text, "\n", -1);
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  for (guint i = 0; lines[i]; i++) {
    g_strstrip(lines[i]);
    if (lines[i][0] && lines[i][0] != '#')
      g_ptr_array_add(names, g_strdup(lines[i]));
  }
  return names;
}

/* The live view of the load's camera: each segment the hub has not had, then the playlist
 * that names them (a player never sees a name before its bytes are there). */
static gboolean
answer_live(PtVideoRelay *relay, const Want *w, GError **error)
{
  g_autoptr(PtLoadVideo) v = open_load(relay, w, error);
  if (!v)
    return FALSE;
  g_autoptr(GBytes) playlist =
      pt_load_video_live(v, relay->recorder, w->camera, PT_LIVE_PLAYLIST_NAME, error);
  if (!playlist)
    return FALSE;
  g_autofree char *key = g_strdup_printf("%" G_GINT64_FORMAT "/%s", w->load, w->camera);
  GHashTable *sent = g_hash_table_lookup(relay->pushed, key);
  if (!sent) {
    sent = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_hash_table_insert(relay->pushed, g_strdup(key), sent);
  }
  g_autoptr(GPtrArray) names = playlist_segments(playlist);
  g_autoptr(GHashTable) now = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < names->len; i++) {
    const char *seg = names->pdata[i];
    g_hash_table_add(now, (gpointer)seg);
    if (g_hash_table_contains(sent, seg))
      continue;
    g_autoptr(GBytes) bytes = pt_load_video_live(v, relay->recorder, w->camera, seg, error);
    if (!bytes)
      return FALSE;
    g_autofree char *name = g_strdup_printf("live/%s/%s", key, seg);
    if (!push(relay, name, g_bytes_get_data(bytes, NULL), g_bytes_get_size(bytes), "video/mp2t",
              error))
      return FALSE;
    g_hash_table_add(sent, g_strdup(seg));
  }
  /* Names restart at each attach of the camera's live branch: forget what has left. */
  GHashTableIter it;
  gpointer seg;
  g_hash_table_iter_init(&it, sent);
  while (g_hash_table_iter_next(&it, &seg, NULL))
    if (!g_hash_table_contains(now, seg))
      g_hash_table_iter_remove(&it);
  g_autofree char *name = g_strdup_printf("live/%s/" PT_LIVE_PLAYLIST_NAME, key);
  return push(relay, name, g_bytes_get_data(playlist, NULL), g_bytes_get_size(playlist),
              "application/vnd.apple.mpegurl", error);
}

/* A recorded part: its facts, then its chunks from where the hub is.  The facts go first in
 * every round: a clip cut again (its file left the clip cache) has another SHA-256, and the
 * hub then drops the chunks of the old cut and says to start over.  @more_out: chunks
 * remain. */
static gboolean
answer_clip(PtVideoRelay *relay, const Want *w, gboolean *more_out, GError **error)
{
  g_autofree char *base =
      g_strdup_printf("clip/%" G_GINT64_FORMAT "/%s/%d/", w->load, w->camera, w->part);
  g_autofree char *facts_name = g_strconcat(base, "facts", NULL);
  g_autoptr(GError) refused = NULL;
  g_autoptr(PtLoadVideo) v = open_load(relay, w, &refused);
  PtLoadClip clip;
  int fd = -1;
  if (!v || !pt_load_video_clip(relay->station, relay->store, v, w->camera, (guint)w->part, &clip,
                                &fd, &refused)) {
    /* The end of the window is still being recorded: asked again at the next poll. */
    if (g_error_matches(refused, PT_ERROR, PT_ERROR_BUSY))
      return TRUE;
    g_autoptr(json_t) no = refusal(refused);
    return push_json(relay, facts_name, no, error);
  }
  if (clip.bytes > PT_HUB_VIDEO_CLIP_MAX) {
    close(fd);
    g_autoptr(json_t) no = json_pack(
        "{ss si}", "error", "this part is too large to relay through the hub", "status", 413);
    return push_json(relay, facts_name, no, error);
  }
  gint64 chunks = (gint64)((clip.bytes + PT_HUB_VIDEO_CHUNK - 1) / PT_HUB_VIDEO_CHUNK);
  /* The hub holds a whole clip (its own facts and chunks agree, whichever cut they were). */
  if (chunks > 0 && w->have >= chunks) {
    close(fd);
    return TRUE;
  }
  g_autoptr(json_t) facts = pt_load_clip_json(w->camera, &clip);
  json_object_set_new(facts, "chunk_bytes", json_integer(PT_HUB_VIDEO_CHUNK));
  g_autofree char *text = json_dumps(facts, JSON_COMPACT);
  g_autoptr(json_t) answer = NULL;
  gboolean ok =
      push_answered(relay, facts_name, text, strlen(text), "application/json", &answer, error);
  gint64 from = json_integer_value(json_object_get(answer, "chunks"));
  g_autofree char *buf = g_malloc(PT_HUB_VIDEO_CHUNK);
  gint64 k = from;
  for (; ok && k < chunks && k < from + PT_HUB_VIDEO_CHUNKS_ROUND; k++) {
    off_t at = (off_t)k * PT_HUB_VIDEO_CHUNK;
    gsize want = (gsize)MIN((guint64)PT_HUB_VIDEO_CHUNK, clip.bytes - (guint64)at);
    gsize got = 0;
    while (got < want) {
      ssize_t n = pread(fd, buf + got, want - got, at + (off_t)got);
      if (n <= 0) {
        g_set_error(error, PT_ERROR, PT_ERROR_IO, "reading clip %s: %s", base,
                    n < 0 ? g_strerror(errno) : "shorter than its facts");
        ok = FALSE;
        break;
      }
      got += (gsize)n;
    }
    g_autofree char *name = g_strdup_printf("%sc%" G_GINT64_FORMAT, base, k);
    ok = ok && push(relay, name, buf, want, "video/mp4", error);
  }
  close(fd);
  *more_out = ok && k < chunks;
  return ok;
}

/* One poll and its asks; @next_ms_out: when to poll again. */
static gboolean
round_once(PtVideoRelay *relay, int *next_ms_out, GError **error)
{
  long status = 0;
  g_autoptr(json_t) answer =
      call(relay, "POST", "/hub/v1/video/poll", "{}", 2, "application/json", &status, error);
  if (!answer)
    return FALSE;
  if (status != 200) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "the hub answered the video poll HTTP %ld %s",
                status, json_string_value(json_object_get(answer, "error")) ?: "");
    return FALSE;
  }
  json_int_t next = json_integer_value(json_object_get(answer, "next_ms"));
  *next_ms_out = (int)CLAMP(next, 0, PT_HUB_VIDEO_POLL_IDLE_MS);
  gsize i;
  json_t *j;
  json_array_foreach(json_object_get(answer, "wants"), i, j)
  {
    const char *gln = json_string_value(json_object_get(j, "gln"));
    Want w = {.kind = json_string_value(json_object_get(j, "kind")),
              .gln = gln && *gln ? gln : NULL,
              .load = json_integer_value(json_object_get(j, "load")),
              .camera = json_string_value(json_object_get(j, "camera")),
              .part = (int)json_integer_value(json_object_get(j, "part")),
              .have = json_integer_value(json_object_get(j, "have"))};
    if (!w.kind || !w.camera || w.load < 1 || w.have < 0)
      continue;
    g_autoptr(GError) local = NULL;
    gboolean more = FALSE, ok = TRUE;
    if (strcmp(w.kind, "info") == 0)
      ok = answer_info(relay, &w, &local);
    else if (strcmp(w.kind, "live") == 0)
      ok = answer_live(relay, &w, &local);
    else if (strcmp(w.kind, "clip") == 0 && w.part >= 1)
      ok = answer_clip(relay, &w, &more, &local);
    if (!ok)
      g_message("video relay: %s load %" G_GINT64_FORMAT " %s: %s", w.kind, w.load, w.camera,
                local->message);
    if (more)
      *next_ms_out = 0;
  }
  return TRUE;
}

static gpointer
relay_thread(gpointer data)
{
  PtVideoRelay *relay = data;
  int pause_ms = 0, failures = 0;
  g_mutex_lock(&relay->lock);
  while (!relay->stop) {
    g_mutex_unlock(&relay->lock);
    g_autoptr(GError) error = NULL;
    int next = PT_HUB_VIDEO_POLL_IDLE_MS;
    if (round_once(relay, &next, &error)) {
      if (relay->last_failure)
        g_message("video relay: the hub at %s answers again", relay->hub->url);
      g_clear_pointer(&relay->last_failure, g_free);
      failures = 0;
      pause_ms = next;
    } else {
      if (g_strcmp0(relay->last_failure, error->message) != 0)
        g_message("video relay: %s", error->message);
      g_free(relay->last_failure);
      relay->last_failure = g_strdup(error->message);
      /* A hub away: back off, doubling from the idle poll, at most PT_HUB_VIDEO_RETRY_MAX_MS. */
      failures = MIN(failures + 1, 8);
      pause_ms = MIN(PT_HUB_VIDEO_POLL_IDLE_MS << (failures - 1), PT_HUB_VIDEO_RETRY_MAX_MS);
    }
    gint64 until = g_get_monotonic_time() + (gint64)pause_ms * G_TIME_SPAN_MILLISECOND;
    g_mutex_lock(&relay->lock);
    while (!relay->stop && pause_ms > 0 && g_cond_wait_until(&relay->wake, &relay->lock, until))
      ;
  }
  g_mutex_unlock(&relay->lock);
  return NULL;
}

PtVideoRelay *
pt_video_relay_start(PtStation *station, PtRecorder *recorder, GError **error)
{
  g_autoptr(GPtrArray) connectors = pt_sync_connectors_load(station->config, station->dir, error);
  if (!connectors)
    return NULL;
  PtSyncConnector *hub = NULL;
  for (guint i = 0; i < connectors->len && !hub; i++) {
    PtSyncConnector *c = connectors->pdata[i];
    if (c->type == PT_SYNC_HUB && c->video_relay)
      hub = g_ptr_array_steal_index(connectors, i);
  }
  if (!hub)
    return NULL;
  PtStore *store = pt_station_store(station, error);
  if (!store) {
    pt_sync_connector_free(hub);
    return NULL;
  }
  PtVideoRelay *relay = g_new0(PtVideoRelay, 1);
  relay->station = station;
  relay->recorder = recorder;
  relay->hub = hub;
  relay->store = store;
  relay->pushed =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)g_hash_table_unref);
  relay->answers =
      g_hash_table_new_full(g_str_hash, g_str_equal, g_free, (GDestroyNotify)answer_free);
  g_mutex_init(&relay->lock);
  g_cond_init(&relay->wake);
  relay->thread = g_thread_new("hub-video", relay_thread, relay);
  g_message("video relay: buyers watch loads through the hub at %s ([sync %s])", hub->url,
            hub->name);
  return relay;
}

void
pt_video_relay_stop(PtVideoRelay *relay)
{
  if (!relay)
    return;
  g_mutex_lock(&relay->lock);
  relay->stop = TRUE;
  g_cond_signal(&relay->wake);
  g_mutex_unlock(&relay->lock);
  g_thread_join(relay->thread);
  g_hash_table_unref(relay->pushed);
  g_hash_table_unref(relay->answers);
  pt_store_close(relay->store);
  pt_sync_connector_free(relay->hub);
  g_mutex_clear(&relay->lock);
  g_cond_clear(&relay->wake);
  g_free(relay->last_failure);
  g_free(relay);
}
