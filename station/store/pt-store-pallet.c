/* pt-store-pallet.c: the SQL of pallets: SSCC serial references, pallets, their cases.
 *
 * Workload: a few hundred pallets a day, a handful of lots each; one serial read and write per
 * pallet made, a few reads per case added or removed.  Every query is by key or index. */
#include "pt-store-pallet.h"

#include "pt-error.h"
#include "pt-store-private.h"

#define PALLET_COLUMNS "id, sscc, created_ns, load_id"

static const char sql_serial_last[] = "SELECT last FROM sscc_serials WHERE range = ?";
static const char sql_serial_set[] = "INSERT INTO sscc_serials (range, last) VALUES (?, ?) "
                                     "ON CONFLICT (range) DO UPDATE SET last = excluded.last";
static const char sql_pallet_insert[] = "INSERT INTO pallets (sscc, created_ns) VALUES (?, ?)";
static const char sql_pallet_get[] = "SELECT " PALLET_COLUMNS " FROM pallets WHERE sscc = ?";
static const char sql_pallet_list[] =
    "SELECT " PALLET_COLUMNS " FROM pallets ORDER BY id DESC LIMIT ?";
static const char sql_pallets_on_load[] =
    "SELECT " PALLET_COLUMNS " FROM pallets WHERE load_id = ? ORDER BY id";
static const char sql_pallet_set_load[] = "UPDATE pallets SET load_id = ? WHERE id = ?";
static const char sql_cases_get[] =
    "SELECT cases FROM pallet_cases WHERE pallet_id = ? AND batch_id = ?";
static const char sql_cases_set[] =
    "INSERT INTO pallet_cases (pallet_id, batch_id, cases) VALUES (?, ?, ?) "
    "ON CONFLICT (pallet_id, batch_id) DO UPDATE SET cases = excluded.cases";
static const char sql_cases_delete[] =
    "DELETE FROM pallet_cases WHERE pallet_id = ? AND batch_id = ?";
static const char sql_holding[] =
    "SELECT p.id, p.sscc, p.created_ns, p.load_id FROM pallet_cases c JOIN pallets p ON "
    "p.id = c.pallet_id WHERE c.batch_id = ? AND c.pallet_id != ? LIMIT 1";
static const char sql_contents[] =
    "SELECT c.batch_id, b.lot, b.gtin, c.cases, b.product FROM pallet_cases c JOIN batches b ON "
    "b.id = c.batch_id WHERE c.pallet_id = ? ORDER BY b.lot";

void
pt_pallet_free(PtPallet *pallet)
{
  if (!pallet)
    return;
  g_free(pallet->sscc);
  g_free(pallet);
}

void
pt_pallet_cases_free(PtPalletCases *cases)
{
  if (!cases)
    return;
  g_free(cases->lot);
  g_free(cases->gtin);
  g_free(cases->product);
  g_free(cases);
}

static PtPallet *
pallet_from_row(sqlite3_stmt *s)
{
  PtPallet *p = g_new0(PtPallet, 1);
  p->id = sqlite3_column_int64(s, 0);
  p->sscc = pt_store_column_dup(s, 1);
  p->created_ns = sqlite3_column_int64(s, 2);
  p->load_id = sqlite3_column_int64(s, 3);
  return p;
}

gboolean
pt_store_sscc_serial_last(PtStore *store, const char *range, gint64 *last_out, GError **error)
{
  *last_out = 0;
  sqlite3_stmt *s = pt_store_stmt(store, sql_serial_last, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, range, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *last_out = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read SSCC serial", error);
  return TRUE;
}

gboolean
pt_store_sscc_serial_set(PtStore *store, const char *range, gint64 last, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_serial_set, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, range, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, last);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_CONSTRAINT_TRIGGER) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "SSCC serial reference %" G_GINT64_FORMAT " of range %s is not above the last "
                "one allocated",
                last, range);
    return FALSE;
  }
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "record SSCC serial", error);
  return TRUE;
}

gboolean
pt_store_pallet_insert(PtStore *store, PtPallet *pallet, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_pallet_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, pallet->sscc, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64(s, 2, pallet->created_ns);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "SSCC %s is already taken", pallet->sscc);
    return FALSE;
  }
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "insert pallet", error);
  pallet->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

PtPallet *
pt_store_pallet_get(PtStore *store, const char *sscc, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_pallet_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_text(s, 1, sscc, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  PtPallet *p = NULL;
  if (rc == SQLITE_ROW)
    p = pallet_from_row(s);
  else if (rc == SQLITE_DONE)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no pallet with SSCC %.32s", sscc);
  else
    pt_store_set_sqlite_error(store, rc, "read pallet", error);
  sqlite3_reset(s);
  return p;
}

static GPtrArray *
pallets_read(PtStore *store, sqlite3_stmt *s, const char *what, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_pallet_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(out, pallet_from_row(s));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, what, error);
    return NULL;
  }
  return out;
}

GPtrArray *
pt_store_pallet_list(PtStore *store, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_pallet_list, error);
  if (!s)
    return NULL;
  sqlite3_bind_int(s, 1, limit);
  return pallets_read(store, s, "list pallets", error);
}

GPtrArray *
pt_store_pallets_on_load(PtStore *store, gint64 load_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_pallets_on_load, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, load_id);
  return pallets_read(store, s, "list pallets on load", error);
}

gboolean
pt_store_pallet_set_load(PtStore *store, gint64 pallet_id, gint64 load_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_pallet_set_load, error);
  if (!s)
    return FALSE;
  if (load_id)
    sqlite3_bind_int64(s, 1, load_id);
  else
    sqlite3_bind_null(s, 1);
  sqlite3_bind_int64(s, 2, pallet_id);
  return pt_store_step_done(store, s, "put pallet on load", error);
}

gboolean
pt_store_pallet_cases_get(PtStore *store, gint64 pallet_id, gint64 batch_id, gint64 *cases_out,
                          GError **error)
{
  *cases_out = 0;
  sqlite3_stmt *s = pt_store_stmt(store, sql_cases_get, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, pallet_id);
  sqlite3_bind_int64(s, 2, batch_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *cases_out = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read pallet cases", error);
  return TRUE;
}

gboolean
pt_store_pallet_cases_set(PtStore *store, gint64 pallet_id, gint64 batch_id, gint64 cases,
                          GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, cases ? sql_cases_set : sql_cases_delete, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, pallet_id);
  sqlite3_bind_int64(s, 2, batch_id);
  if (cases)
    sqlite3_bind_int64(s, 3, cases);
  return pt_store_step_done(store, s, "write pallet cases", error);
}

gboolean
pt_store_pallet_holding_batch(PtStore *store, gint64 batch_id, gint64 except_pallet, PtPallet **out,
                              GError **error)
{
  *out = NULL;
  sqlite3_stmt *s = pt_store_stmt(store, sql_holding, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_int64(s, 2, except_pallet);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = pallet_from_row(s);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "find pallet holding batch", error);
  return TRUE;
}

GPtrArray *
pt_store_pallet_contents(PtStore *store, gint64 pallet_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_contents, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, pallet_id);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_pallet_cases_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtPalletCases *c = g_new0(PtPalletCases, 1);
    c->batch_id = sqlite3_column_int64(s, 0);
    c->lot = pt_store_column_dup(s, 1);
    c->gtin = pt_store_column_dup(s, 2);
    c->cases = sqlite3_column_int64(s, 3);
    c->product = pt_store_column_dup(s, 4);
    g_ptr_array_add(out, c);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, "read pallet contents", error);
    return NULL;
  }
  return out;
}
