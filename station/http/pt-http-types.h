/* pt-http-types.h: the HTTP server's state and the types every file of http/ shares: the
 * request being read, and who is asking (role and principal).  Types only: the functions
 * live in the files above it (pt-http-respond.h, pt-http-auth.h, pt-http.c). */
#pragma once

#include "pt-doc-cache.h"
#include "pt-http-metrics.h"
#include "pt-rate.h"
#include "pt-recorder.h"
#include "pt-scan-tally.h"
#include "pt-station.h"

#include <glib.h>
#include <microhttpd.h>

G_BEGIN_DECLS

typedef struct _PtHttp PtHttp;         /* also declared by pt-http.h, the public side */
typedef struct _PtHttpAuth PtHttpAuth; /* pt-http-auth.c: session lifetimes, rate limits */

struct _PtHttp {
  struct MHD_Daemon *daemon;
  PtStation *station;
  guint16 port;
  PtRecorder *recorder;     /* borrowed, nullable; set before requests need it */
  PtHttpAuth *auth;         /* owned */
  gboolean tls;             /* [http] tls_cert and tls_key: cookies get Secure */
  char *tls_pem[2];         /* owned: certificate and key, given to the daemon for its lifetime */
  PtRateLimit *driver_rate; /* owned: requests per driver token (pt-http-auth.c) */
  PtScanTally *scans;       /* owned: consumer page views, written once a second */
  PtHttpMetrics *metrics;   /* owned: requests by route, for /metrics */
  PtDocCache *docs;         /* owned: public bundles and EPCIS documents by batch revision */
  GMutex conns_lock;        /* guards conns and sweep_stop */
  GCond sweep_cond;
  GHashTable *conns; /* owned: open connections and their header deadlines (pt-http.c) */
  GThread *sweep;    /* closes connections past their header deadline; NULL: unthreaded */
  gboolean sweep_stop;
  gint64 sweep_until; /* the deadline the sweep sleeps until (G_MAXINT64: none); conns_lock */
};

/* One request being read: its target as sent and its body, capped at @max (the route's body
 * limit). */
typedef struct _PtHttpRequest PtHttpRequest;

/* Answers a request whose connection was suspended and is resumed (see PtHttpRequest). */
typedef enum MHD_Result (*PtHttpResume)(PtHttp *http, struct MHD_Connection *c, PtHttpRequest *req);

struct _PtHttpRequest {
  char *raw_url; /* owned, nullable (over PT_HTTP_URL_MAX): percent-encoding intact */
  gboolean started;
  GString *body;
  gsize max;
  gboolean too_large;
  /* Set by a handler that suspended the connection for slow work (a sign-in's argon2id):
   * the resumed request is answered by @resume, which may read @job; @job_free (nullable)
   * frees it with the request. */
  PtHttpResume resume;
  gpointer job;
  GDestroyNotify job_free;
  /* For /metrics: when its first line arrived (monotonic), the route table path it matched
   * (static; NULL: none), its method (static: one of HTTP's registered methods, else "other")
   * and the status it was answered with (0: none). */
  gint64 start_us;
  const char *route;
  const char *method;
  unsigned status;
};

/* Roles are ordered: each includes the ones before it. */
typedef enum {
  PT_ROLE_PUBLIC,
  PT_ROLE_DRIVER,
  PT_ROLE_BUYER,
  PT_ROLE_OPERATOR,
  PT_ROLE_ADMIN
} PtRole;

typedef struct {
  PtRole role;
  char *name;
  char *scope_gln; /* buyer: NULL = all batches */
  gboolean via_cookie;
} PtPrincipal;

G_END_DECLS
