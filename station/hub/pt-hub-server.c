/* pt-hub-server.c: the hub's HTTP server and its configuration (see pt-hub-server.h). */
#include "pt-hub-server.h"

#include "pt-error.h"
#include "pt-hub-ingest.h"
#include "pt-hub-keys.h"
#include "pt-hub-notices.h"
#include "pt-hub-profile.h"
#include "pt-hub-reply.h"
#include "pt-hub-routes.h"
#include "pt-hub-web.h"
#include "pt-hub-sign.h"
#include "pt-hub-video.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <microhttpd.h>
#include <netdb.h>
#include <string.h>

#define PT_HUB_PORT_DEFAULT 8090
#define EVIDENCE_PREFIX     "/hub/v1/evidence/"

void
pt_hub_config_clear(PtHubConfig *config)
{
  g_free(config->dsn);
  g_free(config->read_dsn);
  g_free(config->listen);
  g_free(config->key_dir);
  g_free(config->public_host);
  g_free(config->status_token);
  memset(config, 0, sizeof *config);
}

gboolean
pt_hub_config_load(PtHubConfig *config, const char *path, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(GError) local = NULL;
  if (!g_key_file_load_from_file(kf, path, G_KEY_FILE_NONE, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: %s", path, local->message);
    return FALSE;
  }
  g_auto(GStrv) groups = g_key_file_get_groups(kf, NULL);
  for (gsize g = 0; groups[g]; g++) {
    if (strcmp(groups[g], "hub") != 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: unknown section [%s] (only [hub])", path,
                  groups[g]);
      return FALSE;
    }
  }
  g_auto(GStrv) keys = g_key_file_get_keys(kf, "hub", NULL, NULL);
  for (gsize i = 0; keys && keys[i]; i++) {
    g_autofree char *v = g_key_file_get_string(kf, "hub", keys[i], NULL);
    char **slot = NULL;
    if (strcmp(keys[i], "dsn") == 0)
      slot = &config->dsn;
    else if (strcmp(keys[i], "read_dsn") == 0)
      slot = &config->read_dsn;
    else if (strcmp(keys[i], "listen") == 0)
      slot = &config->listen;
    else if (strcmp(keys[i], "key_dir") == 0)
      slot = &config->key_dir;
    else if (strcmp(keys[i], "public_host") == 0)
      slot = &config->public_host;
    else if (strcmp(keys[i], "status_token") == 0)
      slot = &config->status_token;
    if (slot) {
      if (!*slot)
        *slot = g_steal_pointer(&v);
      continue;
    }
    if (strcmp(keys[i], "port") != 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                  "%s: unknown key %s in [hub] (dsn, read_dsn, listen, port, key_dir, "
                  "public_host, status_token)",
                  path, keys[i]);
      return FALSE;
    }
    guint64 port = 0;
    if (!g_ascii_string_to_unsigned(v, 10, 0, 65535, &port, NULL)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s: port must be 0..65535", path);
      return FALSE;
    }
    if (config->port < 0)
      config->port = (int)port;
  }
  /* The hub's key beside its hub.ini, not wherever the hub happens to be started. */
  if (!config->key_dir) {
    g_autofree char *dir = g_path_get_dirname(path);
    config->key_dir = g_build_filename(dir, "hub-key", NULL);
  }
  return TRUE;
}

struct _PtHubServer {
  struct MHD_Daemon *daemon;
  PtHubConfig config;
  GMutex lock;
  GPtrArray *all_stores; /* (element-type PtHubStore) freed at the end */
  PtHubWeb *web;         /* the public routes' context (pt-hub-web.h) */
  PtHubCache *cache;     /* nullable: its consumer answers (pt-hub-cache.h) */
};

/* Per worker thread: its own PtHubStore (owned by the server's all_stores). */
static GPrivate worker_key = G_PRIVATE_INIT(NULL);

/* One request's body as it arrives, bounded. */
typedef struct {
  char *raw_url; /* the target as sent, before percent-decoding (nullable: over the limit) */
  gboolean started;
  GByteArray *body;
  gsize max;
  gboolean too_large;
} Upload;

static PtHubStore *
worker_store(PtHubServer *server, GError **error)
{
  PtHubStore *store = g_private_get(&worker_key);
  if (store)
    return store;
  store = pt_hub_store_open(server->config.dsn, server->config.read_dsn, error);
  if (!store)
    return NULL;
  g_private_set(&worker_key, store);
  g_mutex_lock(&server->lock);
  g_ptr_array_add(server->all_stores, store);
  g_mutex_unlock(&server->lock);
  return store;
}

static enum MHD_Result
respond(struct MHD_Connection *conn, unsigned status, json_t *value)
{
  char *text = json_dumps(value, JSON_COMPACT);
  json_decref(value);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_FREE);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  enum MHD_Result ret = MHD_queue_response(conn, status, r);
  MHD_destroy_response(r);
  return ret;
}

static enum MHD_Result
respond_error(struct MHD_Connection *conn, unsigned status, const char *message)
{
  return respond(conn, status, json_pack("{ss}", "error", message));
}

static enum MHD_Result
respond_gerror(struct MHD_Connection *conn, const GError *error)
{
  unsigned status = pt_hub_reply_status_of(error);
  /* The database away (503) is expected now and then and is retried by stations; anything
   * else answered 500 is a fault of the hub. */
  if (status == MHD_HTTP_SERVICE_UNAVAILABLE)
    g_message("hub: %s", error->message);
  else if (status >= 500)
    g_warning("hub: %s", error->message);
  return respond_error(conn, status, error->message);
}

static gboolean
route_is(const char *url, const char *method, const char *want_url, const char *want_method)
{
  return strcmp(url, want_url) == 0 && strcmp(method, want_method) == 0;
}

static enum MHD_Result
dispatch(PtHubServer *server, struct MHD_Connection *conn, const char *url, const char *method,
         Upload *up)
{
  g_autoptr(GError) error = NULL;
  const PtHubRoute *route = pt_hub_routes_find(url);
  if (route) {
    gboolean post = route->post && strcmp(method, "POST") == 0;
    if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0 && !post &&
        !(route->options && strcmp(method, "OPTIONS") == 0)) {
      struct MHD_Response *r = MHD_create_response_from_buffer(0, NULL, MHD_RESPMEM_PERSISTENT);
      MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW,
                              route->options ? "GET, HEAD, OPTIONS"
                              : route->post  ? "GET, HEAD, POST"
                                             : "GET, HEAD");
      enum MHD_Result ret = MHD_queue_response(conn, MHD_HTTP_METHOD_NOT_ALLOWED, r);
      MHD_destroy_response(r);
      return ret;
    }
    if (post && up->too_large)
      return respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, "request body over the limit");
    PtHubStore *store = worker_store(server, &error);
    if (!store)
      return respond_gerror(conn, error);
    PtHubCall call = {.web = server->web,
                      .c = conn,
                      .url = url,
                      .raw_url = up->raw_url,
                      .method = method,
                      .store = store,
                      .body = post ? (const char *)up->body->data : NULL,
                      .body_len = post ? up->body->len : 0};
    return route->handler(&call);
  }
  gboolean evidence = g_str_has_prefix(url, EVIDENCE_PREFIX) && strcmp(method, "PUT") == 0;
  gboolean video = g_str_has_prefix(url, PT_HUB_VIDEO_FILES_PATH) && strcmp(method, "PUT") == 0;
  gboolean logo = g_str_has_prefix(url, PT_HUB_PROFILE_LOGO_PATH) && strcmp(method, "PUT") == 0;
  gboolean known = evidence || video || logo || route_is(url, method, PT_HUB_PROFILE_PATH, "PUT") ||
                   route_is(url, method, "/hub/v1/enrol", "POST") ||
                   route_is(url, method, PT_HUB_VIDEO_POLL_PATH, "POST") ||
                   route_is(url, method, "/hub/v1/events", "POST") ||
                   route_is(url, method, "/hub/v1/head", "POST") ||
                   route_is(url, method, PT_HUB_NOTICES_PATH, "POST") ||
                   route_is(url, method, PT_HUB_NOTICE_ACKS_PATH, "POST") ||
                   route_is(url, method, "/hub/v1/rotations", "POST") ||
                   route_is(url, method, "/hub/v1/station", "GET") ||
                   route_is(url, method, "/hub/v1/health", "GET");
  if (!known)
    return respond_error(conn, MHD_HTTP_NOT_FOUND, "no such hub endpoint or method");
  if (up->too_large) {
    g_autofree char *msg = g_strdup_printf("request body over the limit of %zu bytes", up->max);
    return respond_error(conn, MHD_HTTP_CONTENT_TOO_LARGE, msg);
  }
  /* The signature covers the request target as sent; v1 endpoints take no query. */
  if (MHD_get_connection_values(conn, MHD_GET_ARGUMENT_KIND, NULL, NULL) > 0)
    return respond_error(conn, MHD_HTTP_BAD_REQUEST, "hub endpoints take no query string");

  PtHubStore *store = worker_store(server, &error);
  if (!store)
    return respond_gerror(conn, error);
  if (strcmp(url, "/hub/v1/health") == 0) {
    int v = pt_hub_store_schema_version(store, &error);
    if (v < 0)
      return respond_gerror(conn, error);
    return respond(conn, MHD_HTTP_OK, json_pack("{sbsi}", "ok", 1, "schema", v));
  }
  PtHubRequest req = {
      .method = method,
      .target = url,
      .station = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, PT_HUB_HEADER_STATION),
      .date = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, PT_HUB_HEADER_DATE),
      .signature = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, PT_HUB_HEADER_SIG),
      .body = (const char *)up->body->data,
      .body_len = up->body->len,
      .now_ns = pt_now_ns(),
  };
  json_t *answer = NULL;
  unsigned status = MHD_HTTP_OK;
  if (strcmp(url, "/hub/v1/enrol") == 0) {
    answer = pt_hub_enrol(store, &req, &error);
  } else if (strcmp(url, "/hub/v1/rotations") == 0) {
    /* Authenticated by the key its body brings in (pt-hub-keys.h). */
    answer = pt_hub_ingest_rotations(store, &req, &error);
  } else {
    g_autoptr(PtHubStation) station = pt_hub_authenticate(store, &req, &error);
    if (!station)
      return respond_gerror(conn, error);
    if (evidence) {
      gboolean stored = FALSE;
      const char *type =
          MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_TYPE);
      answer = pt_hub_ingest_evidence(store, station, url + strlen(EVIDENCE_PREFIX), type,
                                      up->body->data, up->body->len, &stored, &error);
      status = stored ? MHD_HTTP_CREATED : MHD_HTTP_OK;
    } else if (video) {
      answer = pt_hub_video_push(store, station, url + strlen(PT_HUB_VIDEO_FILES_PATH),
                                 up->body->data, up->body->len, &error);
    } else if (logo) {
      gboolean stored = FALSE;
      answer = pt_hub_profile_logo_ingest(store, station, url + strlen(PT_HUB_PROFILE_LOGO_PATH),
                                          up->body->data, up->body->len, &stored, &error);
      status = stored ? MHD_HTTP_CREATED : MHD_HTTP_OK;
    } else if (strcmp(url, PT_HUB_PROFILE_PATH) == 0) {
      answer = pt_hub_profile_ingest(store, station, req.body, req.body_len, &error);
    } else if (strcmp(url, PT_HUB_VIDEO_POLL_PATH) == 0) {
      answer = pt_hub_video_poll(store, station, &error);
    } else if (strcmp(url, "/hub/v1/events") == 0) {
      answer = pt_hub_ingest_events(store, station, req.body, req.body_len, &error);
    } else if (strcmp(url, "/hub/v1/head") == 0) {
      answer = pt_hub_ingest_head(store, station, req.body, req.body_len, &error);
    } else if (strcmp(url, PT_HUB_NOTICES_PATH) == 0) {
      answer = pt_hub_notices_ingest(store, station, req.body, req.body_len, &error);
      status = answer ? MHD_HTTP_CREATED : status;
    } else if (strcmp(url, PT_HUB_NOTICE_ACKS_PATH) == 0) {
      answer = pt_hub_notices_acks(store, station, req.body, req.body_len, &error);
    } else {
      answer = pt_hub_station_json(store, station, &error);
    }
  }
  if (!answer && !error)
    g_set_error(&error, PT_ERROR, PT_ERROR_FAILED, "no answer for %s %s", method, url);
  if (!answer)
    return respond_gerror(conn, error);
  return respond(conn, status, answer);
}

static enum MHD_Result
on_request(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
           const char *version, const char *upload_data, size_t *upload_data_size, void **con_cls)
{
  PtHubServer *server = cls;
  Upload *up = *con_cls;
  if (!up->started) {
    up->started = TRUE;
    up->max = g_str_has_prefix(url, EVIDENCE_PREFIX)            ? PT_HUB_EVIDENCE_MAX
              : g_str_has_prefix(url, PT_HUB_VIDEO_FILES_PATH)  ? PT_HUB_VIDEO_PUT_MAX
              : g_str_has_prefix(url, PT_HUB_PROFILE_LOGO_PATH) ? PT_PUBLIC_LOGO_MAX
              : strcmp(url, PT_HUB_PROFILE_PATH) == 0           ? PT_HUB_PROFILE_MAX
                                                                : PT_HUB_BODY_MAX;
    return MHD_YES;
  }
  if (*upload_data_size > 0) {
    /* Over the limit the rest is read and dropped, so the answer can still be sent. */
    if (!up->too_large && up->body->len + *upload_data_size <= up->max)
      g_byte_array_append(up->body, (const guint8 *)upload_data, *upload_data_size);
    else
      up->too_large = TRUE;
    *upload_data_size = 0;
    return MHD_YES;
  }
  return dispatch(server, conn, url, method, up);
}

/* Called once per request before libmicrohttpd percent-decodes the target: the resolver
 * splits the path on the '/' the client sent, so that a lot "A/B" (A%2FB) stays one segment.
 * What it returns is the request's *con_cls. */
static void *
on_uri(void *cls, const char *uri, struct MHD_Connection *conn)
{
  Upload *up = g_new0(Upload, 1);
  up->body = g_byte_array_new();
  if (strlen(uri) <= PT_HTTP_URL_MAX)
    up->raw_url = g_strdup(uri);
  return up;
}

static void
on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
             enum MHD_RequestTerminationCode toe)
{
  Upload *up = *con_cls;
  if (!up)
    return;
  g_byte_array_unref(up->body);
  g_free(up->raw_url);
  g_free(up);
  *con_cls = NULL;
}

PtHubServer *
pt_hub_server_start(const PtHubConfig *config, GError **error)
{
  if (!config->dsn || !*config->dsn) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "no database: give --dsn or dsn= in hub.ini's [hub] section");
    return NULL;
  }
  /* The database must be there and migrated before anyone is told the hub is up. */
  g_autoptr(PtHubStore) probe = pt_hub_store_open(config->dsn, config->read_dsn, error);
  if (!probe || !pt_hub_store_check_schema(probe, error))
    return NULL;
  g_autoptr(PtHubWeb) web =
      pt_hub_web_new(config->key_dir, config->public_host, config->status_token, error);
  if (!web)
    return NULL;

  const char *listen = config->listen && *config->listen ? config->listen : "127.0.0.1";
  char port_text[16];
  g_snprintf(port_text, sizeof port_text, "%d",
             config->port < 0 ? PT_HUB_PORT_DEFAULT : config->port);
  struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_PASSIVE, .ai_socktype = SOCK_STREAM};
  struct addrinfo *ai = NULL;
  if (getaddrinfo(listen, port_text, &hints, &ai) != 0 || !ai) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "listen address %s is not an IP address",
                listen);
    return NULL;
  }
  PtHubServer *server = g_new0(PtHubServer, 1);
  server->config.dsn = g_strdup(config->dsn);
  server->config.read_dsn = g_strdup(config->read_dsn);
  server->config.listen = g_strdup(listen);
  server->web = g_steal_pointer(&web);
  /* The listener is on the primary, where ingest notifies; a hub reading a replica caches
   * what the replica has replayed past each notification (pt-hub-cache.h). */
  server->cache = pt_hub_cache_new(PT_HUB_PAGE_CACHE_BYTES);
  pt_hub_cache_start(server->cache, config->dsn);
  pt_hub_web_set_cache(server->web, server->cache);
  g_mutex_init(&server->lock);
  server->all_stores = g_ptr_array_new_with_free_func((GDestroyNotify)pt_hub_store_free);
  unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;
  if (ai->ai_family == AF_INET6)
    flags |= MHD_USE_IPv6;
  server->daemon = MHD_start_daemon(
      flags, 0, NULL, NULL, on_request, server, MHD_OPTION_SOCK_ADDR, ai->ai_addr,
      MHD_OPTION_THREAD_POOL_SIZE, (unsigned)PT_HTTP_THREADS, MHD_OPTION_CONNECTION_LIMIT,
      (unsigned)PT_HTTP_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT, 60u,
      MHD_OPTION_NOTIFY_COMPLETED, on_completed, server, MHD_OPTION_URI_LOG_CALLBACK, on_uri,
      server, MHD_OPTION_END);
  freeaddrinfo(ai);
  if (!server->daemon) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot listen on %s port %s (in use?)", listen,
                port_text);
    pt_hub_server_free(server);
    return NULL;
  }
  return server;
}

int
pt_hub_server_port(PtHubServer *server)
{
  const union MHD_DaemonInfo *info = MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
  return info ? info->port : -1;
}

void
pt_hub_server_free(PtHubServer *server)
{
  if (!server)
    return;
  if (server->daemon)
    MHD_stop_daemon(server->daemon);
  /* The workers are gone: their connections can be closed from here. */
  g_ptr_array_unref(server->all_stores);
  pt_hub_web_free(server->web);
  pt_hub_cache_free(server->cache);
  g_mutex_clear(&server->lock);
  pt_hub_config_clear(&server->config);
  g_free(server);
}
