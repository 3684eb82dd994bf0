/* pt-http.h: the station's HTTP server (libmicrohttpd, internal thread pool).
 * Lifecycle: pt_http_start() -> serve -> pt_http_stop().  Each worker thread keeps
 * its own database connection for the daemon's lifetime. */
#pragma once

#include "pt-recorder.h"
#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtHttp PtHttp;

/* Listens on @host:@port (port 0 picks a free one).  @station is borrowed and
 * must outlive the server.  Returns: (transfer full). */
PtHttp *pt_http_start(PtStation *station, const char *host, guint16 port, GError **error);

/* The same server without a listening socket or threads, for in-process drivers (the HTTP
 * fuzz target): hand it connected sockets with pt_http_add_connection() and let it work with
 * pt_http_poll() on the calling thread.  Returns: (transfer full). */
PtHttp *pt_http_start_unthreaded(PtStation *station, GError **error);

/* Serves the connected stream socket @fd (taken) as a client at 127.0.0.1. */
gboolean pt_http_add_connection(PtHttp *http, int fd, GError **error);

/* Does what is ready on the connections without waiting; returns how many are open. */
guint pt_http_poll(PtHttp *http);

/* Serves GET /api/v1/cameras from @recorder (borrowed; nullable: no cameras).  Call before
 * any request can need it; the recorder must outlive the server. */
void pt_http_set_recorder(PtHttp *http, PtRecorder *recorder);

/* The port actually bound. */
guint16 pt_http_port(PtHttp *http);

/* TRUE when it serves HTTPS ([http] tls_cert and tls_key). */
gboolean pt_http_tls(PtHttp *http);

/* Stops accepting, finishes requests in flight, joins the workers, frees @http. */
void pt_http_stop(PtHttp *http);

G_END_DECLS
