/* pt-store-load.c: the SQL of loads: loads, the batches on them and refused attempts.
 *
 * Workload: a few loads a day, tens of batches each; one lookup of the open load at a dock
 * per camera scan that names a batch (deduplicated before it reaches the store), and one
 * `load show` read now and then.  Every query is by primary key or index. */
#include "pt-store-load.h"

#include "pt-error.h"
#include "pt-store-private.h"

#include <string.h>

#define LOAD_COLUMNS                                                                               \
  "id, plate, seal, driver_name, driver_phone, destination, destination_gln, bol, desadv, dock, "  \
  "opened_ns, closed_ns, po"

static const char sql_item_delete[] = "DELETE FROM load_batches WHERE load_id = ? AND batch_id = ?";
static const char sql_load_insert[] =
    "INSERT INTO loads (plate, seal, driver_name, driver_phone, destination, destination_gln, "
    "bol, desadv, dock, opened_ns, po) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
static const char sql_load_get[] = "SELECT " LOAD_COLUMNS " FROM loads WHERE id = ?";
static const char sql_load_at_dock[] =
    "SELECT " LOAD_COLUMNS " FROM loads WHERE dock = ? AND closed_ns IS NULL";
static const char sql_load_list[] =
    "SELECT " LOAD_COLUMNS " FROM loads ORDER BY id DESC LIMIT ? OFFSET ?";
/* Newest first by the primary key; a GLN's loads are found on the way (no index on the
 * destination: a shed sends out tens of loads a day, and the walk stops at the page). */
static const char sql_load_list_to[] =
    "SELECT " LOAD_COLUMNS " FROM loads WHERE ?1 IS NULL OR destination_gln = ?1 "
    "ORDER BY id DESC LIMIT ?2 OFFSET ?3";
static const char sql_load_list_open[] =
    "SELECT " LOAD_COLUMNS " FROM loads WHERE closed_ns IS NULL ORDER BY id DESC "
    "LIMIT ?";
static const char sql_load_close[] =
    "UPDATE loads SET closed_ns = ? WHERE id = ? AND closed_ns IS NULL";
static const char sql_item_get[] =
    "SELECT lb.batch_id, b.lot, b.gtin, lb.event_seq, e.event_id, lb.added_ns, lb.source, "
    "lb.quantity "
    "FROM load_batches lb JOIN batches b ON b.id = lb.batch_id JOIN events e ON e.seq = "
    "lb.event_seq WHERE lb.load_id = ? AND lb.batch_id = ?";
static const char sql_items[] =
    "SELECT lb.batch_id, b.lot, b.gtin, lb.event_seq, e.event_id, lb.added_ns, lb.source, "
    "lb.quantity "
    "FROM load_batches lb JOIN batches b ON b.id = lb.batch_id JOIN events e ON e.seq = "
    "lb.event_seq WHERE lb.load_id = ? ORDER BY lb.event_seq";
static const char sql_holding[] =
    "SELECT lb.load_id FROM load_batches lb JOIN loads l ON l.id = lb.load_id "
    "WHERE lb.batch_id = ? AND l.closed_ns IS NULL AND l.id != ? LIMIT 1";
static const char sql_item_insert[] =
    "INSERT INTO load_batches (load_id, batch_id, event_seq, added_ns, source, quantity) "
    "VALUES (?, ?, ?, ?, ?, ?)";
/* What of a lot left on other loads: a row without a quantity took the whole lot. */
static const char sql_loaded[] =
    "SELECT count(*), coalesce(sum(lb.quantity), 0), coalesce(sum(lb.quantity IS NULL), 0), "
    "group_concat(lb.load_id, ', ') FROM load_batches lb WHERE lb.batch_id = ? AND lb.load_id != ?";
static const char sql_refusal_insert[] =
    "INSERT INTO load_refusals (load_id, batch_id, refused_ns, source, reason) "
    "VALUES (?, ?, ?, ?, ?)";
static const char sql_refusals[] =
    "SELECT r.batch_id, b.lot, r.refused_ns, r.source, r.reason FROM load_refusals r "
    "LEFT JOIN batches b ON b.id = r.batch_id WHERE r.load_id = ? ORDER BY r.id LIMIT ?";

void
pt_load_free(PtLoad *load)
{
  if (!load)
    return;
  g_free(load->plate);
  g_free(load->seal);
  g_free(load->driver_name);
  g_free(load->driver_phone);
  g_free(load->destination);
  g_free(load->destination_gln);
  g_free(load->bol);
  g_free(load->desadv);
  g_free(load->po);
  g_free(load->dock);
  g_free(load);
}

void
pt_load_item_free(PtLoadItem *item)
{
  if (!item)
    return;
  g_free(item->lot);
  g_free(item->gtin);
  g_free(item->event_id);
  g_free(item->source);
  g_free(item);
}

void
pt_load_refusal_free(PtLoadRefusal *refusal)
{
  if (!refusal)
    return;
  g_free(refusal->lot);
  g_free(refusal->source);
  g_free(refusal->reason);
  g_free(refusal);
}

static PtLoad *
load_from_row(sqlite3_stmt *s)
{
  PtLoad *l = g_new0(PtLoad, 1);
  l->id = sqlite3_column_int64(s, 0);
  l->plate = pt_store_column_dup(s, 1);
  l->seal = pt_store_column_dup(s, 2);
  l->driver_name = pt_store_column_dup(s, 3);
  l->driver_phone = pt_store_column_dup(s, 4);
  l->destination = pt_store_column_dup(s, 5);
  l->destination_gln = pt_store_column_dup(s, 6);
  l->bol = pt_store_column_dup(s, 7);
  l->desadv = pt_store_column_dup(s, 8);
  l->dock = pt_store_column_dup(s, 9);
  l->opened_ns = sqlite3_column_int64(s, 10);
  l->closed_ns = sqlite3_column_int64(s, 11);
  l->po = pt_store_column_dup(s, 12);
  return l;
}

static PtLoadItem *
item_from_row(sqlite3_stmt *s)
{
  PtLoadItem *it = g_new0(PtLoadItem, 1);
  it->batch_id = sqlite3_column_int64(s, 0);
  it->lot = pt_store_column_dup(s, 1);
  it->gtin = pt_store_column_dup(s, 2);
  it->event_seq = sqlite3_column_int64(s, 3);
  it->event_id = pt_store_column_dup(s, 4);
  it->added_ns = sqlite3_column_int64(s, 5);
  it->source = pt_store_column_dup(s, 6);
  it->quantity = sqlite3_column_type(s, 7) == SQLITE_NULL ? -1 : sqlite3_column_double(s, 7);
  return it;
}

gboolean
pt_store_load_insert(PtStore *store, PtLoad *load, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_load_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, load->plate, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 2, load->seal, -1, SQLITE_TRANSIENT);
  pt_store_bind_text_or_null(s, 3, load->driver_name);
  pt_store_bind_text_or_null(s, 4, load->driver_phone);
  pt_store_bind_text_or_null(s, 5, load->destination);
  pt_store_bind_text_or_null(s, 6, load->destination_gln);
  pt_store_bind_text_or_null(s, 7, load->bol);
  pt_store_bind_text_or_null(s, 8, load->desadv);
  pt_store_bind_text_or_null(s, 9, load->dock);
  sqlite3_bind_int64(s, 10, load->opened_ns);
  pt_store_bind_text_or_null(s, 11, load->po);
  int rc = sqlite3_step(s);
  sqlite3_reset(s);
  if (rc == SQLITE_CONSTRAINT_UNIQUE) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "dock %s already has an open load", load->dock);
    return FALSE;
  }
  if (rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "insert load", error);
  load->id = sqlite3_last_insert_rowid(pt_store_db(store));
  return TRUE;
}

PtLoad *
pt_store_load_get(PtStore *store, gint64 id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_load_get, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, id);
  int rc = sqlite3_step(s);
  PtLoad *l = NULL;
  if (rc == SQLITE_ROW)
    l = load_from_row(s);
  else if (rc == SQLITE_DONE)
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no load %" G_GINT64_FORMAT, id);
  else
    pt_store_set_sqlite_error(store, rc, "read load", error);
  sqlite3_reset(s);
  return l;
}

gboolean
pt_store_load_open_at_dock(PtStore *store, const char *dock, PtLoad **out, GError **error)
{
  *out = NULL;
  sqlite3_stmt *s = pt_store_stmt(store, sql_load_at_dock, error);
  if (!s)
    return FALSE;
  sqlite3_bind_text(s, 1, dock, -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = load_from_row(s);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read load at dock", error);
  return TRUE;
}

/* The loads of bound statement @s, one per row; NULL with the error named @what. */
static GPtrArray *
collect_loads(PtStore *store, sqlite3_stmt *s, const char *what, GError **error)
{
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_load_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(out, load_from_row(s));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, what, error);
    return NULL;
  }
  return out;
}

GPtrArray *
pt_store_load_list(PtStore *store, int limit, int offset, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_load_list, error);
  if (!s)
    return NULL;
  sqlite3_bind_int(s, 1, limit);
  sqlite3_bind_int(s, 2, offset);
  return collect_loads(store, s, "list loads", error);
}

GPtrArray *
pt_store_load_list_to(PtStore *store, const char *gln, int limit, int offset, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_load_list_to, error);
  if (!s)
    return NULL;
  pt_store_bind_text_or_null(s, 1, gln);
  sqlite3_bind_int(s, 2, limit);
  sqlite3_bind_int(s, 3, offset);
  return collect_loads(store, s, "list loads to a destination", error);
}

GPtrArray *
pt_store_load_list_open(PtStore *store, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_load_list_open, error);
  if (!s)
    return NULL;
  sqlite3_bind_int(s, 1, limit);
  return collect_loads(store, s, "list open loads", error);
}

gboolean
pt_store_load_close(PtStore *store, gint64 id, gint64 closed_ns, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_load_close, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, closed_ns);
  sqlite3_bind_int64(s, 2, id);
  if (!pt_store_step_done(store, s, "close load", error))
    return FALSE;
  if (sqlite3_changes(pt_store_db(store)) != 1) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "load %" G_GINT64_FORMAT " is already closed",
                id);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_store_load_item_get(PtStore *store, gint64 load_id, gint64 batch_id, PtLoadItem **out,
                       GError **error)
{
  *out = NULL;
  sqlite3_stmt *s = pt_store_stmt(store, sql_item_get, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, load_id);
  sqlite3_bind_int64(s, 2, batch_id);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *out = item_from_row(s);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "read load item", error);
  return TRUE;
}

gboolean
pt_store_load_holding_batch(PtStore *store, gint64 batch_id, gint64 except_load,
                            gint64 *load_id_out, GError **error)
{
  *load_id_out = 0;
  sqlite3_stmt *s = pt_store_stmt(store, sql_holding, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_int64(s, 2, except_load);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW)
    *load_id_out = sqlite3_column_int64(s, 0);
  sqlite3_reset(s);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE)
    return pt_store_set_sqlite_error(store, rc, "find load of batch", error);
  return TRUE;
}

gboolean
pt_store_load_item_insert(PtStore *store, gint64 load_id, gint64 batch_id, gint64 event_seq,
                          gint64 added_ns, const char *source, double quantity, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_item_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, load_id);
  sqlite3_bind_int64(s, 2, batch_id);
  sqlite3_bind_int64(s, 3, event_seq);
  sqlite3_bind_int64(s, 4, added_ns);
  sqlite3_bind_text(s, 5, source, -1, SQLITE_TRANSIENT);
  if (quantity >= 0)
    sqlite3_bind_double(s, 6, quantity);
  else
    sqlite3_bind_null(s, 6);
  return pt_store_step_done(store, s, "insert load item", error);
}

gboolean
pt_store_load_batch_loaded(PtStore *store, gint64 batch_id, gint64 except_load, PtLoadedSoFar *out,
                           GError **error)
{
  memset(out, 0, sizeof *out);
  sqlite3_stmt *s = pt_store_stmt(store, sql_loaded, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, batch_id);
  sqlite3_bind_int64(s, 2, except_load);
  int rc = sqlite3_step(s);
  if (rc == SQLITE_ROW) {
    out->loads = sqlite3_column_int(s, 0);
    out->quantity = sqlite3_column_double(s, 1);
    out->whole = sqlite3_column_int(s, 2) > 0;
    out->load_ids = pt_store_column_dup(s, 3);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_ROW)
    return pt_store_set_sqlite_error(store, rc, "read what of a lot was loaded", error);
  return TRUE;
}

GPtrArray *
pt_store_load_items(PtStore *store, gint64 load_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_items, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, load_id);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_load_item_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW)
    g_ptr_array_add(out, item_from_row(s));
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, "list load items", error);
    return NULL;
  }
  return out;
}

gboolean
pt_store_load_refusal_insert(PtStore *store, gint64 load_id, gint64 batch_id, gint64 refused_ns,
                             const char *source, const char *reason, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_refusal_insert, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, load_id);
  if (batch_id)
    sqlite3_bind_int64(s, 2, batch_id);
  else
    sqlite3_bind_null(s, 2);
  sqlite3_bind_int64(s, 3, refused_ns);
  sqlite3_bind_text(s, 4, source, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(s, 5, reason, -1, SQLITE_TRANSIENT);
  return pt_store_step_done(store, s, "insert load refusal", error);
}

GPtrArray *
pt_store_load_refusals(PtStore *store, gint64 load_id, int limit, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_refusals, error);
  if (!s)
    return NULL;
  sqlite3_bind_int64(s, 1, load_id);
  sqlite3_bind_int(s, 2, limit);
  GPtrArray *out = g_ptr_array_new_with_free_func((GDestroyNotify)pt_load_refusal_free);
  int rc;
  while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
    PtLoadRefusal *r = g_new0(PtLoadRefusal, 1);
    r->batch_id = sqlite3_column_int64(s, 0);
    r->lot = pt_store_column_dup(s, 1);
    r->refused_ns = sqlite3_column_int64(s, 2);
    r->source = pt_store_column_dup(s, 3);
    r->reason = pt_store_column_dup(s, 4);
    g_ptr_array_add(out, r);
  }
  sqlite3_reset(s);
  if (rc != SQLITE_DONE) {
    g_ptr_array_unref(out);
    pt_store_set_sqlite_error(store, rc, "list load refusals", error);
    return NULL;
  }
  return out;
}

gboolean
pt_store_load_item_delete(PtStore *store, gint64 load_id, gint64 batch_id, GError **error)
{
  sqlite3_stmt *s = pt_store_stmt(store, sql_item_delete, error);
  if (!s)
    return FALSE;
  sqlite3_bind_int64(s, 1, load_id);
  sqlite3_bind_int64(s, 2, batch_id);
  return pt_store_step_done(store, s, "remove load item", error);
}
