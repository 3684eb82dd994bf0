/* pt-sync-private.h: what the delivery engine (pt-sync.c) shares with the hub connector
 * (pt-sync-hub.c): the worker, its connectors, and requests on the one libcurl multi handle
 * and the back-off (pt-sync-req.c, which both use; the engine calls the hub connector, never
 * the other way).  Nothing outside sync/ includes it. */
#pragma once

#include "pt-keys.h"
#include "pt-store.h"
#include "pt-sync-config.h"
#include "pt-sync.h"

#include <curl/curl.h>
#include <gio/gio.h>
#include <glib.h>
#include <stdio.h>

G_BEGIN_DECLS

typedef enum {
  REQ_PROBE,
  REQ_CAPTURE,
  REQ_JOB,
  REQ_WEBHOOK,
  REQ_HUB_STATION,   /* GET /hub/v1/station */
  REQ_HUB_EVENTS,    /* POST /hub/v1/events */
  REQ_HUB_HEAD,      /* POST /hub/v1/head */
  REQ_HUB_EVIDENCE,  /* PUT /hub/v1/evidence/{sha256} */
  REQ_HUB_ROTATIONS, /* POST /hub/v1/rotations */
  REQ_HUB_LOGO,      /* PUT /hub/v1/profile/logo/{sha256} */
  REQ_HUB_PROFILE,   /* PUT /hub/v1/profile */
} ReqKind;

typedef struct _Conn Conn;
typedef struct _PtSyncHub PtSyncHub;

typedef struct {
  Conn *conn;
  ReqKind kind;
  CURL *easy;
  gboolean attached; /* in the multi handle */
  struct curl_slist *headers;
  gboolean common_headers; /* bearer and Expect appended to @headers */
  char *body;
  gsize body_len;
  FILE *upload; /* nullable: a PUT streams this file (owned; closed with the request) */
  gint64 upload_len;
  char *url;
  GString *response; /* at most PT_SYNC_RESPONSE_MAX */
  GArray *ids;       /* gint64 outbox ids (hub: event seqs), in order */
  int max_attempts;
  char *evidence; /* nullable: the SHA-256 a hub evidence request sends */
  /* answer */
  long status;
  gint64 retry_after_s; /* -1 none */
  char *location;
  gint64 date_s;      /* the answer's Date, seconds since the epoch; 0 none */
  gint64 answered_ns; /* the station's clock when the answer was read */
  char errbuf[CURL_ERROR_SIZE];
  /* capture job */
  guint poll_source;
  int poll_ms;
  gint64 job_deadline_us;
} Req;

struct _Conn {
  PtSync *sync;
  PtSyncConnector *cfg;
  char *capture_url;
  GList *reqs; /* (element-type Req) alive: sending or following a job */
  guint n_reqs;
  gint64 backoff_until_us; /* monotonic */
  int backoff_attempts;
  gboolean link_down; /* logged once per outage */
  gboolean probed, probing;
  int limit_events;   /* advertised GS1-EPCIS-Capture-Limit, 0 = none */
  gint64 limit_bytes; /* advertised GS1-EPCIS-Capture-File-Size-Limit, 0 = none */
  int split_limit;    /* after a 413 without advertised limits, 0 = none */
  gint64 retry_gen;
  PtSyncHub *hub; /* nullable: a hub connector's own state (pt-sync-hub.c) */
};

struct _PtSync {
  const PtConfig *config; /* borrowed */
  const char *data_dir;   /* borrowed, like @config */
  PtStore *store;
  PtKeys *keys; /* nullable: loaded when a hub connector needs the station key */
  CURLM *multi;
  GHashTable *watches; /* fd -> source id */
  guint curl_timer;
  GSource *timer;         /* the next deadline: a back-off or a delivery's retry; -1: none */
  GFileMonitor *db_watch; /* nullable: a commit to station.db (an outbox row, `sync retry`) */
  guint kick_source;
  GPtrArray *conns;
  GPtrArray *connectors; /* (element-type PtSyncConnector) */
  gint64 outbox_seen;
};

/* A request of @conn to @url (transfer full); not yet sent. */
Req *pt_sync_req_new(Conn *conn, ReqKind kind, char *url);
/* Hands @req to the multi handle with @method; its answer comes to the finish of its kind. */
void pt_sync_req_send(Req *req, const char *method);
void pt_sync_req_free(Req *req);
void pt_sync_req_header(Req *req, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
/* "@what: <answer body>", cut and made valid UTF-8.  Returns: (transfer full). */
char *pt_sync_req_describe(Req *req, const char *what);

/* The link or the hub is down: @conn waits (Retry-After when >= 0, else its back-off). */
void pt_sync_conn_backoff(Conn *conn, gint64 retry_after_s, const char *why);
void pt_sync_conn_ok(Conn *conn);
/* The back-off before attempt @attempt (1, 2, ...): exponential from retry_min_ms to
 * retry_max_ms, half of it random so stations cut off together do not return together. */
gint64 pt_sync_backoff_ms(const PtSyncConnector *cfg, int attempt);
/* A request finished: fill the freed slot without waiting for the next poll. */
void pt_sync_kick(PtSync *sync);

/* X-Packtrace-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256("<t>.<body>", @secret)>, for
 * webhooks and recall notices alike.  Returns: (transfer full). */
char *pt_sync_webhook_signature(const char *secret, const char *body, gsize len);

G_END_DECLS
