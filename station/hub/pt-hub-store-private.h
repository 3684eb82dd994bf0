/* pt-hub-store-private.h: what the hub store's files share: the connections and the one
 * statement runner.  Not for use outside station/hub/pt-hub-store*.c. */
#pragma once

#include "pt-hub-store.h"

#include <jansson.h>
#include <libpq-fe.h>

struct _PtHubStore {
  PGconn *w;          /* writes, and reads that must see them */
  PGconn *r;          /* reads that may lag (a replica); == w without read_dsn */
  GHashTable *months; /* "YYYY-MM" partitions known to exist */
  gboolean in_tx;     /* between pt_hub_store_begin() and commit or rollback */
  GHashTable *named;  /* statement text -> its prepared name on w, for w's backend below */
  int named_pid;      /* w's backend when those were prepared: a reset connection has none */
};

/* TRUE when @res (nullable; still the caller's) has status @want; else sets @error from the
 * result's or @conn's message, naming @what (unique violation PT_ERROR_CONFLICT, a lost
 * connection PT_ERROR_BUSY). */
gboolean pt_hub_pq_ok(PGconn *conn, const char *what, PGresult *res, ExecStatusType want,
                      GError **error);
/* The hub's settings on a new or reset connection (UTC text times, quiet NOTICEs). */
gboolean pt_hub_pq_session_settings(PGconn *conn, GError **error);
/* pt_hub_pq_exec() on the write connection for a statement that returns no rows. */
gboolean pt_hub_pq_command(PtHubStore *store, const char *what, const char *sql, int n,
                           const char *const *params, GError **error);

/* Runs @sql on @store's read connection (@read) or write connection with @n text parameters (each
 * nullable: SQL NULL) and checks that the result is @want (PGRES_COMMAND_OK or PGRES_TUPLES_OK).  A
 * lost connection is reset once before the statement (a restarted server), never in a transaction.
 * Errors: unique violation PT_ERROR_CONFLICT, a connection that cannot be had PT_ERROR_BUSY, else
 * PT_ERROR_FAILED; @what names the statement's purpose.  Returns: (transfer full). */
PGresult *pt_hub_pq_exec(PtHubStore *store, gboolean read, const char *what, const char *sql, int n,
                         const char *const *params, ExecStatusType want, GError **error);

/* The same, prepared once per connection and run by name: for the ingest's statements, which
 * run once per request and whose planning cost as much as a request's lookups.  On the write
 * connection; at most PT_HUB_PREPARED_MAX statement texts, then as pt_hub_pq_exec(). */
PGresult *pt_hub_pq_exec_prepared(PtHubStore *store, const char *what, const char *sql, int n,
                                  const char *const *params, ExecStatusType want, GError **error);

/* The same with parameter lengths and formats (binary for bytea). */
PGresult *pt_hub_pq_exec_bin(PtHubStore *store, gboolean read, const char *what, const char *sql,
                             int n, const char *const *params, const int *lengths,
                             const int *formats, ExecStatusType want, GError **error);

/* The same, prepared as pt_hub_pq_exec_prepared() is: for the ingest's statements whose
 * parameters are binary arrays (PtHubPqArray). */
PGresult *pt_hub_pq_exec_prepared_bin(PtHubStore *store, const char *what, const char *sql, int n,
                                      const char *const *params, const int *lengths,
                                      const int *formats, ExecStatusType want, GError **error);

/* A one-dimensional PostgreSQL array in binary form (what array_recv reads: a header, then
 * each element's length and bytes, -1 for NULL), built element by element.  Binary, a
 * request's columns cost PostgreSQL no array_in, no escaping and no hex: the text literals
 * were a tenth of its profile. */
typedef struct {
  GByteArray *bytes;
  gint32 n;
} PtHubPqArray;

/* Starts an array of elements of type @oid (PT_HUB_OID_*). */
void pt_hub_pq_array_init(PtHubPqArray *a, guint32 oid);
/* Appends @len bytes of @value in the element type's binary form; NULL is SQL NULL. */
void pt_hub_pq_array_add_bin(PtHubPqArray *a, const void *value, gsize len);
/* Appends @text (nullable) to a text array. */
void pt_hub_pq_array_add_text(PtHubPqArray *a, const char *text);
/* Appends a bigint, or NULL unless @present. */
void pt_hub_pq_array_add_int(PtHubPqArray *a, gint64 v, gboolean present);
/* Appends a double precision. */
void pt_hub_pq_array_add_double(PtHubPqArray *a, double v);
/* Appends a timestamptz from Unix nanoseconds, truncated to the millisecond as
 * pt_time_format() writes it. */
void pt_hub_pq_array_add_time(PtHubPqArray *a, gint64 ns);
/* Closes the array and returns its bytes (the caller frees them) and their length. */
guint8 *pt_hub_pq_array_finish(PtHubPqArray *a, int *len_out);

#define PT_HUB_OID_BYTEA       17
#define PT_HUB_OID_INT8        20
#define PT_HUB_OID_TEXT        25
#define PT_HUB_OID_FLOAT8      701
#define PT_HUB_OID_TIMESTAMPTZ 1184

/* Appends @value (nullable: NULL) to a PostgreSQL array literal being built in @s ("{" opened by
 * the caller), with a comma before all but the first element. */
void pt_hub_pq_array_add(GString *s, const char *value);

/* Runs @sql as pt_hub_pq_exec() (PGRES_TUPLES_OK) for a statement whose one row and column is
 * JSON text PostgreSQL built (json_agg, json_build_object), and parses it.
 * Returns: (transfer full). */
json_t *pt_hub_pq_json(PtHubStore *store, gboolean read, const char *what, const char *sql, int n,
                       const char *const *params, GError **error);

/* A bigint column as gint64 (0 when NULL). */
gint64 pt_hub_pq_int(const PGresult *res, int row, int col);
/* A text column, NULL when SQL NULL.  Returns: (transfer full). */
char *pt_hub_pq_text(const PGresult *res, int row, int col);
/* A hex text column into @out (@len bytes); FALSE when NULL or not hex. */
gboolean pt_hub_pq_hex(const PGresult *res, int row, int col, guint8 *out, gsize len);

/* SQL that renders a timestamptz column X as RFC 3339 UTC with milliseconds. */
#define PT_HUB_SQL_TS(x) "to_char(" x " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"
