/* pt-hub-pq.c: the hub store's statement runner over libpq (see pt-hub-store-private.h):
 * the checks of a result, the session's settings, a lost connection reset once, prepared
 * statements by name, and the column readers every pt-hub-store*.c file shares. */
#include "pt-hub-store-private.h"
#include "pt-json.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <string.h>

gboolean
pt_hub_pq_ok(PGconn *conn, const char *what, PGresult *res, ExecStatusType want, GError **error)
{
  if (res && PQresultStatus(res) == want)
    return TRUE;
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  int code = PT_ERROR_FAILED;
  if (state && strcmp(state, "23505") == 0)
    code = PT_ERROR_CONFLICT;
  else if (PQstatus(conn) != CONNECTION_OK || (state && g_str_has_prefix(state, "08")) ||
           (state && g_str_has_prefix(state, "57P")))
    code = PT_ERROR_BUSY;
  g_autofree char *msg = g_strdup(res ? PQresultErrorMessage(res) : PQerrorMessage(conn));
  g_strchomp(msg);
  g_set_error(error, PT_ERROR, code, "database: %s: %s", what, msg);
  return FALSE;
}

/* Times are read and written as UTC text; quiet NOTICEs (IF NOT EXISTS) stay off stderr. */
gboolean
pt_hub_pq_session_settings(PGconn *conn, GError **error)
{
  PGresult *res = PQexec(conn, "SET TIME ZONE 'UTC'; SET client_min_messages = warning");
  gboolean ok = pt_hub_pq_ok(conn, "session settings", res, PGRES_COMMAND_OK, error);
  PQclear(res);
  return ok;
}

/* @sql on @conn, by its prepared name when @prepare (prepared first if this backend has not
 * seen it).  Returns: (transfer full) (nullable). */
static PGresult *
run(PtHubStore *store, PGconn *conn, gboolean prepare, const char *sql, int n,
    const char *const *params, const int *lengths, const int *formats)
{
  if (!prepare)
    return PQexecParams(conn, sql, n, NULL, params, lengths, formats, 0);
  if (store->named_pid != PQbackendPID(conn)) {
    g_hash_table_remove_all(store->named);
    store->named_pid = PQbackendPID(conn);
  }
  const char *name = g_hash_table_lookup(store->named, sql);
  if (!name) {
    if (g_hash_table_size(store->named) >= PT_HUB_PREPARED_MAX)
      return PQexecParams(conn, sql, n, NULL, params, lengths, formats, 0);
    char *made = g_strdup_printf("pt_hub_%u", g_hash_table_size(store->named));
    PGresult *res = PQprepare(conn, made, sql, n, NULL);
    if (PQresultStatus(res) != PGRES_COMMAND_OK) {
      g_free(made);
      return res;
    }
    PQclear(res);
    g_hash_table_insert(store->named, g_strdup(sql), made);
    name = made;
  }
  return PQexecPrepared(conn, name, n, params, lengths, formats, 0);
}

static PGresult *
exec_on(PtHubStore *store, gboolean read, gboolean prepare, const char *what, const char *sql,
        int n, const char *const *params, const int *lengths, const int *formats,
        ExecStatusType want, GError **error)
{
  PGconn *conn = read ? store->r : store->w;
  gboolean in_tx = conn == store->w && store->in_tx;
  /* A server that restarted leaves the connection bad: reset it once, but never inside a
   * transaction, whose statements would then run one by one outside it. */
  if (PQstatus(conn) == CONNECTION_BAD && !in_tx) {
    PQreset(conn);
    if (PQstatus(conn) == CONNECTION_OK && !pt_hub_pq_session_settings(conn, error))
      return NULL;
  }
  if (PQstatus(conn) != CONNECTION_OK) {
    g_autofree char *msg = g_strdup(PQerrorMessage(conn));
    g_strchomp(msg);
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY, "database unreachable%s: %s",
                in_tx ? " in a transaction" : "", msg);
    return NULL;
  }
  PGresult *res = run(store, conn, prepare, sql, n, params, lengths, formats);
  /* A connection is found dead only when used: outside a transaction, once more on a new one. */
  if (PQresultStatus(res) != want && PQstatus(conn) == CONNECTION_BAD && !in_tx) {
    PQclear(res);
    PQreset(conn);
    res = NULL;
    if (PQstatus(conn) == CONNECTION_OK && pt_hub_pq_session_settings(conn, NULL))
      res = run(store, conn, prepare, sql, n, params, lengths, formats);
  }
  if (!pt_hub_pq_ok(conn, what, res, want, error)) {
    PQclear(res);
    return NULL;
  }
  return res;
}

PGresult *
pt_hub_pq_exec_bin(PtHubStore *store, gboolean read, const char *what, const char *sql, int n,
                   const char *const *params, const int *lengths, const int *formats,
                   ExecStatusType want, GError **error)
{
  return exec_on(store, read, FALSE, what, sql, n, params, lengths, formats, want, error);
}

PGresult *
pt_hub_pq_exec_prepared_bin(PtHubStore *store, const char *what, const char *sql, int n,
                            const char *const *params, const int *lengths, const int *formats,
                            ExecStatusType want, GError **error)
{
  return exec_on(store, FALSE, TRUE, what, sql, n, params, lengths, formats, want, error);
}

PGresult *
pt_hub_pq_exec_prepared(PtHubStore *store, const char *what, const char *sql, int n,
                        const char *const *params, ExecStatusType want, GError **error)
{
  return exec_on(store, FALSE, TRUE, what, sql, n, params, NULL, NULL, want, error);
}

PGresult *
pt_hub_pq_exec(PtHubStore *store, gboolean read, const char *what, const char *sql, int n,
               const char *const *params, ExecStatusType want, GError **error)
{
  return pt_hub_pq_exec_bin(store, read, what, sql, n, params, NULL, NULL, want, error);
}

gboolean
pt_hub_pq_command(PtHubStore *store, const char *what, const char *sql, int n,
                  const char *const *params, GError **error)
{
  PGresult *res = pt_hub_pq_exec(store, FALSE, what, sql, n, params, PGRES_COMMAND_OK, error);
  PQclear(res);
  return res != NULL;
}

static void
put32(GByteArray *b, guint32 v)
{
  v = GUINT32_TO_BE(v);
  g_byte_array_append(b, (const guint8 *)&v, 4);
}

static void
put64(GByteArray *b, guint64 v)
{
  v = GUINT64_TO_BE(v);
  g_byte_array_append(b, (const guint8 *)&v, 8);
}

/* The header: dimensions, has-null flag (array_recv finds the NULLs itself), element type,
 * then the one dimension's length (set by finish) and lower bound. */
void
pt_hub_pq_array_init(PtHubPqArray *a, guint32 oid)
{
  a->bytes = g_byte_array_sized_new(256);
  a->n = 0;
  put32(a->bytes, 1);
  put32(a->bytes, 0);
  put32(a->bytes, oid);
  put32(a->bytes, 0);
  put32(a->bytes, 1);
}

void
pt_hub_pq_array_add_bin(PtHubPqArray *a, const void *value, gsize len)
{
  a->n++;
  if (!value) {
    put32(a->bytes, (guint32)-1);
    return;
  }
  put32(a->bytes, (guint32)len);
  g_byte_array_append(a->bytes, value, (guint)len);
}

void
pt_hub_pq_array_add_text(PtHubPqArray *a, const char *text)
{
  pt_hub_pq_array_add_bin(a, text, text ? strlen(text) : 0);
}

void
pt_hub_pq_array_add_int(PtHubPqArray *a, gint64 v, gboolean present)
{
  a->n++;
  if (!present) {
    put32(a->bytes, (guint32)-1);
    return;
  }
  put32(a->bytes, 8);
  put64(a->bytes, (guint64)v);
}

void
pt_hub_pq_array_add_double(PtHubPqArray *a, double v)
{
  guint64 bits;
  memcpy(&bits, &v, sizeof bits);
  a->n++;
  put32(a->bytes, 8);
  put64(a->bytes, bits);
}

/* PostgreSQL's epoch, 2000-01-01T00:00:00Z, in Unix microseconds. */
#define PG_EPOCH_US G_GINT64_CONSTANT(946684800000000)

void
pt_hub_pq_array_add_time(PtHubPqArray *a, gint64 ns)
{
  gint64 ms = ns >= 0 ? ns / 1000000 : (ns - 999999) / 1000000;
  pt_hub_pq_array_add_int(a, ms * 1000 - PG_EPOCH_US, TRUE);
}

guint8 *
pt_hub_pq_array_finish(PtHubPqArray *a, int *len_out)
{
  if (a->n == 0) {
    /* No dimensions: array_recv reads the three words and expects nothing after them. */
    guint32 zero = 0;
    memcpy(a->bytes->data, &zero, 4);
    g_byte_array_set_size(a->bytes, 12);
  } else {
    guint32 n = GUINT32_TO_BE((guint32)a->n);
    memcpy(a->bytes->data + 12, &n, 4);
  }
  *len_out = (int)a->bytes->len;
  return g_byte_array_free(g_steal_pointer(&a->bytes), FALSE);
}

void
pt_hub_pq_array_add(GString *s, const char *value)
{
  if (s->len > 1)
    g_string_append_c(s, ',');
  if (!value) {
    g_string_append(s, "NULL");
    return;
  }
  g_string_append_c(s, '"');
  /* Runs between the characters to escape in one copy: a record's body is a kilobyte of JSON,
   * and a character at a time was the hub's largest cost after the signatures. */
  for (const char *p = value; *p;) {
    gsize run = strcspn(p, "\"\\");
    g_string_append_len(s, p, (gssize)run);
    p += run;
    if (*p) {
      g_string_append_c(s, '\\');
      g_string_append_c(s, *p++);
    }
  }
  g_string_append_c(s, '"');
}

json_t *
pt_hub_pq_json(PtHubStore *store, gboolean read, const char *what, const char *sql, int n,
               const char *const *params, GError **error)
{
  PGresult *res = pt_hub_pq_exec(store, read, what, sql, n, params, PGRES_TUPLES_OK, error);
  if (!res)
    return NULL;
  const char *text = PQgetvalue(res, 0, 0);
  json_t *out = pt_json_parse(text, strlen(text), error);
  PQclear(res);
  return out;
}

gint64
pt_hub_pq_int(const PGresult *res, int row, int col)
{
  if (PQgetisnull(res, row, col))
    return 0;
  return g_ascii_strtoll(PQgetvalue(res, row, col), NULL, 10);
}

char *
pt_hub_pq_text(const PGresult *res, int row, int col)
{
  return PQgetisnull(res, row, col) ? NULL : g_strdup(PQgetvalue(res, row, col));
}

gboolean
pt_hub_pq_hex(const PGresult *res, int row, int col, guint8 *out, gsize len)
{
  return !PQgetisnull(res, row, col) && pt_hex_decode(PQgetvalue(res, row, col), out, len);
}
