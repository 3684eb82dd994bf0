/* pt-hub-server.h: the hub's HTTP server (libmicrohttpd) for the station protocol
 * (PROTOCOL.md): `packtrace hub serve`.  No station data folder, no SQLite: its only state is
 * PostgreSQL, so several of these serve one database.  A pool of PT_HTTP_THREADS threads, each
 * with its own PostgreSQL connection (made on its first request, reset when the server went
 * away), reads bounded bodies and answers JSON.
 *
 * Routes:  POST /hub/v1/enrol, POST /hub/v1/events, PUT /hub/v1/evidence/{sha256},
 *          POST /hub/v1/head, GET /hub/v1/station (signed by the station);
 *          GET /hub/v1/health (anyone: {"ok": true, "schema": N});
 *          and the route tables of pt-hub-routes.c (the resolver, pages, status, the
 *          EPCIS query interface, the buyer search, the quality index). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Where the hub finds its database and listens: hub.ini's [hub] section or flags. */
typedef struct {
  char *dsn;          /* libpq connection string for writes */
  char *read_dsn;     /* nullable: for reads (a streaming replica) */
  char *listen;       /* address, default 127.0.0.1 */
  int port;           /* default 8090; 0: any free port */
  char *key_dir;      /* nullable: the hub's signing key under DIR/keys (default hub-key/
                       * beside hub.ini; none: a key of the process only) */
  char *public_host;  /* nullable: the label domain, host of the documents' namespace */
  char *status_token; /* nullable: bearer token of GET /hub/v1/status (none: off) */
} PtHubConfig;

void pt_hub_config_clear(PtHubConfig *config);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtHubConfig, pt_hub_config_clear)

/* Reads @path (a hub.ini: [hub] dsn=, read_dsn=, listen=, port=, key_dir=, public_host=,
 * status_token=) into @config, keeping the
 * fields already set (flags win).  Fails on an unreadable file, an unknown key or a bad port. */
gboolean pt_hub_config_load(PtHubConfig *config, const char *path, GError **error);

typedef struct _PtHubServer PtHubServer;

/* Checks the database is reachable and migrated, then listens.  Returns: (transfer full). */
PtHubServer *pt_hub_server_start(const PtHubConfig *config, GError **error);
/* The port it listens on (useful with port 0). */
int pt_hub_server_port(PtHubServer *server);
/* Stops listening, waits for requests in flight, closes the connections. */
void pt_hub_server_free(PtHubServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtHubServer, pt_hub_server_free)

G_END_DECLS
