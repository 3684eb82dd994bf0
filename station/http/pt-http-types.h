/* pt-http-types.h: the HTTP server's state and the types every file of http/ shares: the
 * request being read, and who is asking (role and principal).  Types only: the functions
 * live in the files above it (pt-http-respond.h, pt-http-auth.h, pt-http.c). */
#pragma once

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
};

/* One request being read: its target as sent and its body, capped at @max (the route's body
 * limit). */
typedef struct {
  char *raw_url; /* owned, nullable (over PT_HTTP_URL_MAX): percent-encoding intact */
  gboolean started;
  GString *body;
  gsize max;
  gboolean too_large;
} PtHttpRequest;

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
