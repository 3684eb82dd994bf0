/* sync-receiver.h: a sales platform on loopback for the sync tests and benchmark
 * (libmicrohttpd, a thread per connection): webhooks on any path but /capture,
 * EPCIS 2.0 capture on POST /capture (202 + a job at /capture/N that reports
 * "running" on its first poll), OPTIONS /capture advertising limits.  It records
 * every item it accepted, checks webhook signatures and EPCIS headers, and answers
 * what the test's decide() says. */
#pragma once

#include <glib.h>

typedef struct _Receiver Receiver;

typedef struct {
  const char *method, *path;
  const char *key; /* webhook Idempotency-Key */
  const char *lot; /* webhook: first item's lot; capture: NULL */
  guint n_events;  /* capture: events in the document */
  GPtrArray *lots; /* capture: each event's lot */
  GPtrArray *keys; /* capture: each event's eventID */
  guint n;         /* requests so far, this one included */
} RxRequest;

typedef struct {
  int status;        /* 0 = the default (200 webhook, 202 capture) */
  int retry_after_s; /* >= 0 adds Retry-After */
  const char *body;
  gboolean close; /* drop the connection without an answer */
} RxAnswer;

typedef void (*RxDecide)(Receiver *rx, const RxRequest *req, RxAnswer *ans, gpointer data);

typedef struct {
  char *path;
  char *key; /* event id (webhook key or EPCIS eventID) */
  char *lot;
  char *kind;       /* webhook body "kind", or "event" */
  gint64 t_us;      /* monotonic */
  gint64 t_real_us; /* wall clock, to measure delivery lag against event times */
} RxArrival;

/* Starts on 127.0.0.1:@port (0 = any); @secret checks webhook signatures.
 * With @tls_cert/@tls_key (PEM text) it speaks HTTPS. */
Receiver *rx_new(guint16 port, const char *secret, const char *tls_cert, const char *tls_key);
guint16 rx_port(Receiver *rx);
/* Stops listening (connections refused) and starts again on the same port. */
void rx_stop(Receiver *rx);
void rx_start(Receiver *rx);
void rx_free(Receiver *rx);

void rx_set_decide(Receiver *rx, RxDecide fn, gpointer data);
void rx_set_capture_limit(Receiver *rx, int events); /* advertised on OPTIONS; 0 none */
void rx_set_delay_ms(Receiver *rx, int ms);          /* before each answer */

/* Copies under the lock.  Returns: (transfer full) (element-type RxArrival). */
GPtrArray *rx_arrivals(Receiver *rx);
guint rx_n_arrivals(Receiver *rx);
guint rx_bad_signatures(Receiver *rx);
guint rx_bad_headers(Receiver *rx);
guint rx_job_polls(Receiver *rx);
guint rx_max_capture(Receiver *rx); /* largest accepted document, events */
guint rx_count_status(Receiver *rx, int status);
/* Time of the first request after the first answer with @status (0 if none). */
gint64 rx_gap_after(Receiver *rx, int status);
void rx_arrival_free(RxArrival *a);
