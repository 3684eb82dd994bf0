/* pt-recall.c: the impact list of a recall, its notices and their acknowledgements
 * (pt-recall.h).  The drill and its signed report are in pt-recall-drill.c.
 *
 * Workload: an impact list is a walk over the few lots a recall reaches (a lot and what was
 * repacked from it), each read through an index by batch, so it costs the same on a log of a
 * thousand events as of millions; notices are written once per recall and recipient. */
#include "pt-recall.h"

#include "pt-error.h"
#include "pt-gs1-dl.h"
#include "pt-gs1.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-public-config.h"
#include "pt-store-recall.h"
#include "pt-store-web.h"
#include "pt-sync-config.h"
#include "pt-text.h"
#include "pt-time.h"

#include <gio/gio.h>
#include <string.h>

gboolean
pt_recall_query_check(const PtRecallQuery *q, GError **error)
{
  int n = (q->lot != NULL) + (q->gtin != NULL) + (q->from != NULL || q->to != NULL) +
          (q->grower != NULL) + (q->gln != NULL);
  if (n != 1) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "name exactly one of: a lot, --gtin, --from and --to, --grower, --gln");
    return FALSE;
  }
  /* GS1's errors are labels/' own: a bad key here is bad input (400). */
  g_autoptr(GError) local = NULL;
  if ((q->gtin && !pt_gs1_validate_key("GTIN", q->gtin, 14, &local)) ||
      (q->gln && !pt_gs1_validate_key("GLN", q->gln, 13, &local))) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s", local->message);
    return FALSE;
  }
  if (q->from || q->to) {
    const char *dates[] = {q->from, q->to};
    for (guint i = 0; i < 2; i++) {
      int y, m, d;
      char rest;
      if (!dates[i] || strlen(dates[i]) != 10 ||
          sscanf(dates[i], "%4d-%2d-%2d%c", &y, &m, &d, &rest) != 3 ||
          !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
        g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                    "a date range needs --from and --to as YYYY-MM-DD (got '%.16s')",
                    dates[i] ? dates[i] : "");
        return FALSE;
      }
    }
    if (strcmp(q->from, q->to) > 0) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "--from %s is after --to %s", q->from, q->to);
      return FALSE;
    }
  }
  if (q->lot && !*q->lot) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the lot is empty");
    return FALSE;
  }
  if (q->grower && !*q->grower) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the grower is empty");
    return FALSE;
  }
  return TRUE;
}

/* The lot of an LGTIN class as the station writes it (https://id.gs1.org/01/GTIN/10/LOT).
 * Returns: (transfer full) (nullable). */
static char *
class_lot(const char *epc_class)
{
  const char *p = epc_class ? strstr(epc_class, "/10/") : NULL;
  if (!p)
    return NULL;
  p += 4;
  char lot[64];
  if (!pt_gs1_dl_decode_value(p, strlen(p), lot, sizeof lot - 1, NULL))
    return NULL;
  return g_strdup(lot);
}

/* One lot the impact list reached. */
typedef struct {
  PtBatch *batch;
  const char *via; /* "seed", "transformation" (made from @from) or "source" (went into @from) */
  char *from;      /* nullable: the lot it was reached from */
  int depth;
} Node;

static void
node_free(Node *node)
{
  pt_batch_free(node->batch);
  g_free(node->from);
  g_free(node);
}

typedef struct {
  PtStore *store;
  GHashTable *by_id; /* gint64 id -> Node */
  GPtrArray *order;  /* (element-type Node): in the order reached */
  GQueue queue;      /* Node, to expand */
} Walk;

static gboolean
walk_add(Walk *w, PtBatch *batch, const char *via, const char *from, int depth, GError **error)
{
  if (g_hash_table_contains(w->by_id, &batch->id)) {
    pt_batch_free(batch);
    return TRUE;
  }
  if (w->order->len >= PT_RECALL_BATCHES_MAX) {
    pt_batch_free(batch);
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "the impact list reaches more than %d lots: narrow the search",
                PT_RECALL_BATCHES_MAX);
    return FALSE;
  }
  Node *n = g_new0(Node, 1);
  n->batch = batch;
  n->via = via;
  n->from = g_strdup(from);
  n->depth = depth;
  g_hash_table_insert(w->by_id, &n->batch->id, n);
  g_ptr_array_add(w->order, n);
  g_queue_push_tail(&w->queue, n);
  return TRUE;
}

static gboolean
walk_add_lot(Walk *w, const char *lot, const char *via, const char *from, int depth, GError **error)
{
  g_autoptr(GError) local = NULL;
  PtBatch *b = pt_store_batch_get_by_lot(w->store, lot, &local);
  if (!b) {
    if (g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
      return TRUE; /* a lot of another station */
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  return walk_add(w, b, via, from, depth, error);
}

/* Forward: the lots repacked or sorted out of @n (its TransformationEvents' outputs). */
static gboolean
expand_outputs(Walk *w, Node *n, GError **error)
{
  g_autoptr(GPtrArray) bodies = pt_store_recall_transformations(w->store, n->batch->id, error);
  if (!bodies)
    return FALSE;
  for (guint i = 0; i < bodies->len; i++) {
    json_t *ev = pt_json_parse(bodies->pdata[i], strlen(bodies->pdata[i]), NULL);
    json_t *outs = json_object_get(ev, "outputQuantityList");
    gsize j;
    json_t *q;
    gboolean ok = TRUE;
    json_array_foreach(outs, j, q)
    {
      g_autofree char *lot = class_lot(json_string_value(json_object_get(q, "epcClass")));
      if (lot && strcmp(lot, n->batch->lot) != 0 &&
          !walk_add_lot(w, lot, "transformation", n->batch->lot, n->depth + 1, error)) {
        ok = FALSE;
        break;
      }
    }
    json_decref(ev);
    if (!ok)
      return FALSE;
  }
  return TRUE;
}

/* Backward: the lot @n was repacked from (its commissioning event's pt:transformedFrom). */
static gboolean
expand_source(Walk *w, Node *n, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *body = pt_store_recall_first_event(w->store, n->batch->id, &local);
  if (local) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  if (!body)
    return TRUE;
  json_t *ev = pt_json_parse(body, strlen(body), NULL);
  g_autofree char *lot = class_lot(json_string_value(json_object_get(ev, "pt:transformedFrom")));
  json_decref(ev);
  return !lot || walk_add_lot(w, lot, "source", n->batch->lot, n->depth + 1, error);
}

static gboolean
seed(Walk *w, PtStation *station, const PtRecallQuery *q, GError **error)
{
  (void)station;
  if (q->lot) {
    PtBatch *b = pt_batch_lookup(w->store, q->lot, error);
    return b && walk_add(w, b, "seed", NULL, 0, error);
  }
  g_autoptr(GArray) ids =
      q->gln ? pt_store_recall_batches_to(w->store, q->gln, PT_RECALL_BATCHES_MAX, error)
             : pt_store_recall_batches_where(w->store, q->gtin, q->grower, q->from, q->to,
                                             PT_RECALL_BATCHES_MAX, error);
  if (!ids)
    return FALSE;
  for (guint i = 0; i < ids->len; i++) {
    PtBatch *b = pt_store_batch_get(w->store, g_array_index(ids, gint64, i), error);
    if (!b || !walk_add(w, b, "seed", NULL, 0, error))
      return FALSE;
  }
  return TRUE;
}

static json_t *
quantity_json(double quantity, const char *uom)
{
  return json_pack("{sfso}", "quantity", quantity, "uom", pt_json_string_or_null(uom));
}

/* Adds @quantity of @uom to @totals ({uom: quantity}); cases are "cases". */
static void
total_add(json_t *totals, const char *uom, double quantity)
{
  const char *key = uom ? uom : "unstated";
  json_t *v = json_object_get(totals, key);
  json_object_set_new(totals, key, json_real((v ? json_number_value(v) : 0) + quantity));
}

/* One lot's part of the list: its loads with what each carried, its pallets, what is still in
 * the shed, its evidence.  Adds to @loads (by load id), @dests (by GLN, or name) and @totals. */
static json_t *
lot_json(PtStore *store, const Node *n, json_t *loads, json_t *dests, json_t *shipped_totals,
         json_t *shed_totals, GError **error)
{
  const PtBatch *b = n->batch;
  json_t *lot_loads = pt_store_recall_loads(store, b->id, error);
  json_t *pallets = lot_loads ? pt_store_recall_pallets(store, b->id, error) : NULL;
  json_t *evidence =
      pallets ? pt_store_recall_evidence(store, b->id, PT_RECALL_STILLS_MAX, error) : NULL;
  if (!evidence) {
    json_decref(lot_loads);
    json_decref(pallets);
    return NULL;
  }
  const char *uom = b->uom;
  double lot_quantity = b->has_quantity ? b->quantity : 0;
  gboolean loose_shipped = FALSE, loose_whole = FALSE;
  double loose_left = lot_quantity;
  gsize i;
  json_t *l;
  json_array_foreach(lot_loads, i, l)
  {
    gint64 cases = json_integer_value(json_object_get(l, "cases"));
    json_t *loose = json_object_get(l, "loose_quantity");
    /* Cases on pallets are counted; a lot loaded loose went as recorded on each load (split
     * over trucks), or whole (a load before schema 21). */
    json_t *q = cases                   ? quantity_json((double)cases, "cases")
                : json_is_number(loose) ? quantity_json(json_number_value(loose), uom)
                                        : quantity_json(lot_quantity, uom);
    if (!cases) {
      loose_shipped = TRUE;
      loose_whole = loose_whole || !json_is_number(loose);
      loose_left -= json_is_number(loose) ? json_number_value(loose) : 0;
    }
    json_object_del(l, "loose_quantity");
    json_object_set_new(l, "shipped", json_incref(q));
    total_add(shipped_totals, json_string_value(json_object_get(q, "uom")),
              json_number_value(json_object_get(q, "quantity")));
    /* The load, once, with the lots on it. */
    g_autofree char *lkey =
        g_strdup_printf("%" JSON_INTEGER_FORMAT, json_integer_value(json_object_get(l, "load_id")));
    json_t *load = json_object_get(loads, lkey);
    if (!load) {
      load = json_deep_copy(l);
      json_object_del(load, "shipped");
      json_object_del(load, "cases");
      json_object_del(load, "event_id");
      json_object_del(load, "loaded_ns");
      json_object_set_new(load, "lots", json_array());
      json_object_set_new(loads, lkey, load);
    }
    json_t *item = json_pack("{sssOsO}", "lot", b->lot, "shipped", q, "event_id",
                             json_object_get(l, "event_id"));
    json_array_append_new(json_object_get(load, "lots"), item);
    /* The destination, once per GLN (or name where a load has no GLN). */
    const char *gln = json_string_value(json_object_get(l, "destination_gln"));
    const char *name = json_string_value(json_object_get(l, "destination"));
    g_autofree char *dkey = g_strdup(gln ? gln : name ? name : "(no destination)");
    json_t *dest = json_object_get(dests, dkey);
    if (!dest) {
      dest = json_pack("{sOsOs{}s[]s[]}", "gln", json_object_get(l, "destination_gln"), "name",
                       json_object_get(l, "destination"), "shipped", "lots", "loads");
      json_object_set_new(dests, dkey, dest);
    }
    total_add(json_object_get(dest, "shipped"), json_string_value(json_object_get(q, "uom")),
              json_number_value(json_object_get(q, "quantity")));
    json_array_append_new(json_object_get(dest, "lots"), json_string(b->lot));
    json_array_append(json_object_get(dest, "loads"), json_object_get(l, "load_id"));
    json_decref(q);
  }
  /* Still in the shed: cases on pallets on no load, the whole lot when none of it left, or
   * what its loads left of a loose lot split over trucks. */
  json_t *in_shed = json_object();
  json_t *p;
  gboolean on_pallets = json_array_size(pallets) > 0;
  json_array_foreach(pallets, i, p)
  {
    if (json_integer_value(json_object_get(p, "load_id")) == 0)
      total_add(in_shed, "cases", (double)json_integer_value(json_object_get(p, "cases")));
  }
  if (!on_pallets && !loose_shipped && json_array_size(lot_loads) == 0)
    total_add(in_shed, uom, lot_quantity);
  else if (!on_pallets && loose_shipped && !loose_whole && loose_left > 1e-6)
    total_add(in_shed, uom, loose_left);
  const char *k;
  json_t *v;
  json_object_foreach(in_shed, k, v) total_add(shed_totals, k, json_number_value(v));

  gint64 scans = 0, first_scan = 0;
  if (!pt_store_scan_summary(store, b->id, &scans, &first_scan, error)) {
    json_decref(lot_loads);
    json_decref(pallets);
    json_decref(evidence);
    json_decref(in_shed);
    return NULL;
  }
  json_t *out = json_pack("{sIssssss}", "id", (json_int_t)b->id, "lot", b->lot, "gtin", b->gtin,
                          "product", b->product);
  /* Consumers who scanned its label: a platform that sold it can tell them again. */
  json_object_set_new(out, "consumer_scans", json_integer(scans));
  json_object_set_new(out, "first_scan", first_scan ? pt_time_json(first_scan) : json_null());
  json_object_set_new(out, "grower", pt_json_string_or_null(b->grower));
  json_object_set_new(out, "pack_date", pt_json_string_or_null(b->pack_date));
  json_object_set_new(out, "status", json_string(b->status));
  json_object_set_new(out, "via", json_string(n->via));
  json_object_set_new(out, "from", pt_json_string_or_null(n->from));
  json_object_set_new(out, "quantity", b->has_quantity ? json_real(b->quantity) : json_null());
  json_object_set_new(out, "uom", pt_json_string_or_null(uom));
  json_object_set_new(out, "loads", lot_loads);
  json_object_set_new(out, "pallets", pallets);
  json_object_set_new(out, "in_shed", in_shed);
  json_object_set_new(out, "evidence", evidence);
  return out;
}

static int
cmp_numeric(gconstpointer a, gconstpointer b)
{
  gint64 x = g_ascii_strtoll(*(const char *const *)a, NULL, 10);
  gint64 y = g_ascii_strtoll(*(const char *const *)b, NULL, 10);
  return (x > y) - (x < y);
}

static int
cmp_text(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* @object's values as an array sorted by key (load ids by number, GLNs and names by text).
 * Returns: (transfer full). */
static json_t *
values_sorted(json_t *object, gboolean numeric)
{
  g_autoptr(GPtrArray) keys = g_ptr_array_new();
  const char *k;
  json_t *v;
  json_object_foreach(object, k, v) g_ptr_array_add(keys, (gpointer)k);
  g_ptr_array_sort(keys, numeric ? cmp_numeric : cmp_text);
  json_t *out = json_array();
  for (guint i = 0; i < keys->len; i++)
    json_array_append(out, json_object_get(object, keys->pdata[i]));
  return out;
}

/* The impact list, read in the caller's transaction.  Returns: (transfer full). */
static json_t *
impact_locked(PtStation *station, PtStore *store, const PtRecallQuery *query, GError **error)
{
  gint64 t0 = g_get_monotonic_time();
  Walk w = {.store = store,
            .by_id = g_hash_table_new(g_int64_hash, g_int64_equal),
            .order = g_ptr_array_new_with_free_func((GDestroyNotify)node_free)};
  g_queue_init(&w.queue);
  json_t *out = NULL;
  /* Built up below; whatever is still held here on a failure is released at out_free. */
  json_t *loads = NULL, *dests = NULL, *shipped = NULL, *shed = NULL, *lots = NULL, *growers = NULL,
         *buyers = NULL;
  gboolean backward = query->gln != NULL;
  if (!seed(&w, station, query, error))
    goto out_free;
  for (Node *n; (n = g_queue_pop_head(&w.queue));) {
    if (n->depth >= PT_RECALL_DEPTH_MAX)
      continue;
    /* Forward follows what was made out of a lot; backward what a lot was made of. */
    if (backward ? !expand_source(&w, n, error) : !expand_outputs(&w, n, error))
      goto out_free;
  }
  loads = json_object();
  dests = json_object();
  shipped = json_object();
  shed = json_object();
  lots = json_array();
  growers = json_array();
  for (guint i = 0; i < w.order->len; i++) {
    Node *n = w.order->pdata[i];
    json_t *lj = lot_json(store, n, loads, dests, shipped, shed, error);
    if (!lj)
      goto out_free;
    json_array_append_new(lots, lj);
    if (n->batch->grower) {
      gboolean seen = FALSE;
      gsize j;
      json_t *g;
      json_array_foreach(growers, j, g) seen =
          seen || !strcmp(json_string_value(g), n->batch->grower);
      if (!seen)
        json_array_append_new(growers, json_string(n->batch->grower));
    }
  }
  /* The buyer accounts of each destination: who must hear of it. */
  buyers = json_array();
  const char *k;
  json_t *d;
  json_object_foreach(dests, k, d)
  {
    const char *gln = json_string_value(json_object_get(d, "gln"));
    json_t *accounts = gln ? pt_store_recall_buyers(store, gln, error) : json_array();
    if (!accounts)
      goto out_free;
    gsize j;
    json_t *a;
    json_array_foreach(accounts, j, a) json_array_append(buyers, a);
    json_object_set_new(d, "buyers", accounts);
  }
  json_t *q = json_object();
  pt_json_set_string_or_null(q, "lot", query->lot);
  pt_json_set_string_or_null(q, "gtin", query->gtin);
  pt_json_set_string_or_null(q, "from", query->from);
  pt_json_set_string_or_null(q, "to", query->to);
  pt_json_set_string_or_null(q, "grower", query->grower);
  pt_json_set_string_or_null(q, "gln", query->gln);
  json_t *load_list = values_sorted(loads, TRUE);
  json_t *dest_list = values_sorted(dests, FALSE);
  json_t *totals = json_pack("{sIsIsI}", "lots", (json_int_t)json_array_size(lots), "loads",
                             (json_int_t)json_array_size(load_list), "destinations",
                             (json_int_t)json_array_size(dest_list));
  json_object_set_new(totals, "shipped", g_steal_pointer(&shipped));
  json_object_set_new(totals, "in_shed", g_steal_pointer(&shed));
  out = json_object();
  json_object_set_new(out, "query", q);
  json_object_set_new(out, "direction", json_string(backward ? "backward" : "forward"));
  json_object_set_new(out, "lots", g_steal_pointer(&lots));
  json_object_set_new(out, "loads", load_list);
  json_object_set_new(out, "destinations", dest_list);
  json_object_set_new(out, "buyers", g_steal_pointer(&buyers));
  json_object_set_new(out, "growers", g_steal_pointer(&growers));
  json_object_set_new(out, "totals", totals);
  json_object_set_new(out, "generated", pt_time_json(pt_now_ns()));
  json_object_set_new(out, "elapsed_us", json_integer(g_get_monotonic_time() - t0));
out_free:
  json_decref(loads);
  json_decref(dests);
  json_decref(shipped);
  json_decref(shed);
  json_decref(lots);
  json_decref(growers);
  json_decref(buyers);
  g_queue_clear(&w.queue);
  g_hash_table_destroy(w.by_id);
  g_ptr_array_free(w.order, TRUE);
  return out;
}

json_t *
pt_recall_impact(PtStation *station, PtStore *store, const PtRecallQuery *query, GError **error)
{
  if (!pt_recall_query_check(query, error) || !pt_store_read_begin(store, error))
    return NULL;
  json_t *out = impact_locked(station, store, query, error);
  pt_store_read_end(store);
  return out;
}

typedef json_t NoticeParts;
G_DEFINE_AUTOPTR_CLEANUP_FUNC(NoticeParts, json_decref)

/* The notice one recipient gets (station/sync/recall-notice.schema.json): @recipient, @lots
 * and @shipped are stolen.  Returns: (transfer full). */
static json_t *
notice_body(PtStation *station, const PtBatch *batch, const char *kind, const char *reason,
            const char *event_id, gint64 id, gint64 now, gint64 deadline_ns, json_t *recipient,
            json_t *lots, json_t *shipped)
{
  gboolean drill = strcmp(kind, "drill") == 0;
  g_autofree char *key =
      g_strdup_printf("%s/notice/%" G_GINT64_FORMAT, station->config->station_id, id);
  g_autofree char *ack = g_strdup_printf("/api/v1/buyer/notices/%" G_GINT64_FORMAT "/ack", id);
  json_t *b =
      json_pack("{sssssIsssbssss}", "type", "packtrace-recall-notice/1", "notice_id", key, "notice",
                (json_int_t)id, "kind", drill ? "recall" : kind, "drill", drill, "station_id",
                station->config->station_id, "station_name", station->config->name);
  json_object_set_new(b, "lot", json_string(batch->lot));
  json_object_set_new(b, "gtin", json_string(batch->gtin));
  json_object_set_new(b, "product", json_string(batch->product));
  json_object_set_new(b, "reason", pt_json_string_or_null(reason));
  json_object_set_new(b, "event_id", pt_json_string_or_null(event_id));
  json_object_set_new(b, "issued", pt_time_json(now));
  json_object_set_new(b, "ack_deadline", pt_time_json(now + deadline_ns));
  json_object_set_new(b, "escalation", json_false());
  json_object_set_new(b, "recipient", recipient);
  json_object_set_new(b, "lots", lots);
  json_object_set_new(b, "shipped", shipped);
  json_object_set_new(b, "acknowledge", json_pack("{ssss}", "method", "POST", "path", ack));
  return b;
}

/* The one unit of @totals ({uom: quantity}) into @quantity_out, or "mixed" (the sum) when the
 * totals have several.  Returns: (transfer none). */
static const char *
one_unit(json_t *totals, double *quantity_out)
{
  const char *k, *unit = NULL;
  json_t *v;
  *quantity_out = 0;
  json_object_foreach(totals, k, v)
  {
    *quantity_out += json_number_value(v);
    unit = unit ? "mixed" : k;
  }
  return unit;
}

/* The lots of @impact that went to destination @dest, each with what was shipped there.
 * Returns: (transfer full). */
static json_t *
lots_to(json_t *impact, json_t *dest)
{
  json_t *out = json_array();
  json_t *gln = json_object_get(dest, "gln"), *name = json_object_get(dest, "name");
  gsize i, j;
  json_t *lot, *l;
  json_array_foreach(json_object_get(impact, "lots"), i, lot)
  {
    json_array_foreach(json_object_get(lot, "loads"), j, l)
    {
      gboolean match = json_is_string(gln) ? json_equal(json_object_get(l, "destination_gln"), gln)
                                           : json_equal(json_object_get(l, "destination"), name);
      if (!match)
        continue;
      json_t *item =
          json_pack("{sOsOsOsOsOsOsO}", "lot", json_object_get(lot, "lot"), "gtin",
                    json_object_get(lot, "gtin"), "load_id", json_object_get(l, "load_id"), "seal",
                    json_object_get(l, "seal"), "plate", json_object_get(l, "plate"), "shipped",
                    json_object_get(l, "shipped"), "loading_event", json_object_get(l, "event_id"));
      json_object_set_new(item, "departed",
                          json_integer_value(json_object_get(l, "departed_ns"))
                              ? pt_time_json(json_integer_value(json_object_get(l, "departed_ns")))
                              : json_null());
      json_array_append_new(out, item);
    }
  }
  return out;
}

/* The default words of the consumer page (web-ui/i18n.json, compiled in): what a recall tells
 * a shopper to do when [public] says nothing.  NULL when the table is not in this binary.
 * Returns: (transfer none). */
static const char *
page_word(const char *key, gboolean zh)
{
  static gsize once = 0;
  static json_t *strings = NULL;
  if (g_once_init_enter(&once)) {
    g_autoptr(GBytes) bytes =
        g_resources_lookup_data("/packtrace/web/i18n.json", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
    gsize len = 0;
    const char *data = bytes ? g_bytes_get_data(bytes, &len) : NULL;
    strings = data ? pt_json_parse(data, len, NULL) : NULL;
    g_once_init_leave(&once, 1);
  }
  return json_string_value(json_array_get(json_object_get(strings, key), zh ? 1 : 0));
}

/* What a platform that sold the lot can tell the consumers who scanned it (issue: "a consumer
 * who scanned the batch before can be told again"): the scans of every lot concerned, the
 * lot's page, and the message in both languages, in the consumer page's own words.  Never for
 * a drill.  Returns: (transfer full). */
static json_t *
consumers_json(PtStation *station, const PtBatch *batch, json_t *impact, const char *kind,
               const char *reason)
{
  json_int_t scans = 0;
  gsize i;
  json_t *lot;
  json_array_foreach(json_object_get(impact, "lots"), i, lot) scans +=
      json_integer_value(json_object_get(lot, "consumer_scans"));
  const PtPublicConfig *pub = station->config->public_;
  gboolean recall = strcmp(kind, "recall") == 0;
  json_t *message = json_object();
  for (int zh = 0; zh <= 1; zh++) {
    const char *todo = pub ? pt_public_config_text(pub, "recall_instructions", zh) : NULL;
    if (!todo)
      todo = page_word(recall ? "c.recallDo" : "c.held", zh);
    GString *m = g_string_new(NULL);
    if (zh)
      g_string_append_printf(m, "%s（批次 %s）%s。", batch->product, batch->lot,
                             recall ? "已被召回" : "已暂停销售");
    else
      g_string_append_printf(m, "%s, lot %s, has been %s.", batch->product, batch->lot,
                             recall ? "recalled" : "put on hold");
    if (reason)
      g_string_append_printf(m, zh ? "原因：%s。" : " Reason: %s.", reason);
    if (todo)
      g_string_append_printf(m, zh ? "%s" : " %s", todo);
    if (pub && pub->hotline)
      g_string_append_printf(m, zh ? "热线：%s。" : " Hotline: %s.", pub->hotline);
    json_object_set_new(message, zh ? "zh" : "en", json_string(m->str));
    g_string_free(m, TRUE);
  }
  g_autofree char *page =
      pt_gs1_digital_link(station->config->public_host, batch->gtin, batch->lot, NULL);
  return json_pack("{sIssso}", "scans", scans, "page", page, "message", message);
}

/* Writes one recipient's notice; @lots and @shipped are stolen.  With @parts (nullable), a
 * buyer's notice is also added to them as its part of the hub's notice. */
static gboolean
add_notice(PtStation *station, PtStore *store, const PtBatch *batch, const char *kind,
           const char *reason, const char *event_id, gint64 recall_id, gint64 now,
           gint64 deadline_ns, const char *recipient_kind, const char *gln, const char *name,
           const char *connector, json_t *lots, json_t *shipped, json_t *consumers, json_t *parts,
           GError **error)
{
  double quantity = 0;
  const char *uom = one_unit(shipped, &quantity);
  PtNoticeSpec spec = {.recall_id = recall_id,
                       .recipient = recipient_kind,
                       .gln = gln,
                       .name = name,
                       .connector = connector,
                       .quantity = quantity,
                       .uom = uom,
                       .body = "{}",
                       .created_ns = now};
  gint64 id = 0;
  if (!pt_store_notice_insert(store, &spec, &id, error)) {
    json_decref(lots);
    json_decref(shipped);
    json_decref(consumers);
    return FALSE;
  }
  json_t *recipient = json_pack("{ss}", "kind", recipient_kind);
  json_object_set_new(recipient, "gln", pt_json_string_or_null(gln));
  json_object_set_new(recipient, "name", json_string(name));
  json_t *body = notice_body(station, batch, kind, reason, event_id, id, now, deadline_ns,
                             recipient, lots, shipped);
  if (consumers)
    json_object_set_new(body, "consumers", consumers);
  /* Only a buyer with a GLN can be shown its notice on the hub. */
  if (parts && gln)
    json_array_append_new(parts,
                          json_pack("{sOsOsssssOsO}", "notice", json_object_get(body, "notice"),
                                    "notice_id", json_object_get(body, "notice_id"), "gln", gln,
                                    "name", name, "lots", json_object_get(body, "lots"), "shipped",
                                    json_object_get(body, "shipped")));
  g_autofree char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(body);
  return pt_store_notice_set_body(store, id, text, error);
}

/* The hub's notice: the recall, with each buyer's notice as a part (@parts, stolen), so that
 * buyers read and acknowledge it on the hub (RECALL-NOTICES.md, "Through the hub"). */
static gboolean
add_hub_notice(PtStation *station, PtStore *store, const PtBatch *batch, const char *kind,
               const char *reason, const char *event_id, gint64 recall_id, gint64 now,
               gint64 deadline_ns, const PtSyncConnector *c, json_t *parts, GError **error)
{
  /* Counted with the platforms in a recall's progress (a recipient the whole recall is
   * delivered to); its body says "hub". */
  PtNoticeSpec spec = {.recall_id = recall_id,
                       .recipient = "platform",
                       .name = c->name,
                       .connector = c->name,
                       .body = "{}",
                       .created_ns = now};
  gint64 id = 0;
  if (!pt_store_notice_insert(store, &spec, &id, error)) {
    json_decref(parts);
    return FALSE;
  }
  json_t *body = notice_body(station, batch, kind, reason, event_id, id, now, deadline_ns,
                             json_pack("{sssnss}", "kind", "hub", "gln", "name", c->name),
                             json_array(), json_object());
  json_object_set_new(body, "buyers", parts);
  g_autofree char *text = json_dumps(body, JSON_COMPACT | JSON_SORT_KEYS);
  json_decref(body);
  return pt_store_notice_set_body(store, id, text, error);
}

gboolean
pt_recall_notify_locked(PtStation *station, PtStore *store, const PtBatch *batch, const char *kind,
                        const char *reason, const char *event_id, gint64 *recall_id_out,
                        json_t **impact_out, GError **error)
{
  PtRecallConfig rc;
  if (!pt_recall_config_read(station->config, &rc, error))
    return FALSE;
  g_autoptr(GPtrArray) connectors = pt_sync_connectors_load(station->config, station->dir, error);
  if (!connectors)
    return FALSE;
  PtRecallQuery q = {.lot = batch->lot};
  json_t *impact = impact_locked(station, store, &q, error);
  if (!impact)
    return FALSE;
  gboolean ok = FALSE;
  gint64 now = pt_now_ns();
  gint64 recall_id = 0;
  g_autoptr(NoticeParts) parts = json_array();
  PtRecallSpec spec = {.batch_id = batch->id,
                       .kind = kind,
                       .reason = reason,
                       .event_id = event_id,
                       .created_ns = now};
  if (!pt_store_recall_insert(store, &spec, &recall_id, error))
    goto out;
  json_t *dests = json_object_get(impact, "destinations");
  if (json_array_size(dests) + connectors->len > PT_RECALL_NOTICES_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "a recall of %s would send %zu notices (at most %d)", batch->lot,
                json_array_size(dests) + connectors->len, PT_RECALL_NOTICES_MAX);
    goto out;
  }
  /* A buyer per destination: to its own webhook when a connector names its GLN, on the portal
   * in any case. */
  gsize i;
  json_t *d;
  json_array_foreach(dests, i, d)
  {
    const char *gln = json_string_value(json_object_get(d, "gln"));
    const char *name = json_string_value(json_object_get(d, "name"));
    const char *connector = NULL;
    for (guint j = 0; gln && j < connectors->len; j++) {
      PtSyncConnector *c = connectors->pdata[j];
      if (c->type == PT_SYNC_WEBHOOK && c->glns &&
          g_strv_contains((const char *const *)c->glns, gln))
        connector = c->name;
    }
    if (!add_notice(station, store, batch, kind, reason, event_id, recall_id, now,
                    rc.ack_deadline_ns, "buyer", gln,
                    name  ? name
                    : gln ? gln
                          : "(no destination)",
                    connector, lots_to(impact, d), json_deep_copy(json_object_get(d, "shipped")),
                    NULL, parts, error))
      goto out;
  }
  /* The buyers' notices to every hub too, where buyers outside the shed read them. */
  for (guint j = 0; json_array_size(parts) && j < connectors->len; j++) {
    PtSyncConnector *c = connectors->pdata[j];
    if (c->type == PT_SYNC_HUB &&
        !add_hub_notice(station, store, batch, kind, reason, event_id, recall_id, now,
                        rc.ack_deadline_ns, c, json_deep_copy(parts), error))
      goto out;
  }
  /* Every other webhook is a platform: told of the whole recall. */
  for (guint j = 0; j < connectors->len; j++) {
    PtSyncConnector *c = connectors->pdata[j];
    if (c->type != PT_SYNC_WEBHOOK || c->gln)
      continue;
    json_t *all = json_array();
    json_array_foreach(dests, i, d)
    {
      json_t *part = lots_to(impact, d);
      json_array_extend(all, part);
      json_decref(part);
    }
    json_t *consumers =
        strcmp(kind, "drill") != 0 ? consumers_json(station, batch, impact, kind, reason) : NULL;
    if (!add_notice(station, store, batch, kind, reason, event_id, recall_id, now,
                    rc.ack_deadline_ns, "platform", NULL, c->name, c->name, all,
                    json_deep_copy(json_object_get(json_object_get(impact, "totals"), "shipped")),
                    consumers, NULL, error))
      goto out;
  }
  ok = TRUE;
  if (recall_id_out)
    *recall_id_out = recall_id;
  if (impact_out)
    *impact_out = json_incref(impact);
out:
  json_decref(impact);
  return ok;
}

/* Per unit: what the buyers' notices say was shipped to them, and what the acknowledgements
 * account for (the quantity each buyer still has on hand, in its notice's unit). */
static gboolean
add_quantities(PtStore *store, json_t *r, json_t **notices_out, GError **error)
{
  json_t *notices = pt_store_notices_list(store, json_integer_value(json_object_get(r, "id")), NULL,
                                          PT_RECALL_LIST_MAX, error);
  if (!notices)
    return FALSE;
  json_t *shipped = json_object(), *accounted = json_object(), *acked = json_object();
  gsize i;
  json_t *n;
  json_array_foreach(notices, i, n)
  {
    if (g_strcmp0(json_string_value(json_object_get(n, "recipient")), "buyer") != 0)
      continue;
    const char *uom = json_string_value(json_object_get(n, "uom"));
    total_add(shipped, uom, json_number_value(json_object_get(n, "quantity")));
    if (json_is_null(json_object_get(n, "acked_ns")))
      continue;
    total_add(acked, uom, json_number_value(json_object_get(n, "quantity")));
    total_add(accounted, uom, json_number_value(json_object_get(n, "ack_on_hand")));
  }
  json_object_set_new(r, "shipped", shipped);
  json_object_set_new(r, "shipped_acknowledged", acked);
  json_object_set_new(r, "on_hand_reported", accounted);
  json_object_del(r, "accounted");
  if (notices_out)
    *notices_out = notices;
  else
    json_decref(notices);
  return TRUE;
}

json_t *
pt_recall_progress(PtStore *store, gint64 recall_id, GError **error)
{
  json_t *recalls = pt_store_recalls_list(store, recall_id, PT_RECALL_LIST_MAX, error);
  if (!recalls)
    return NULL;
  json_t *notices = NULL;
  gsize i;
  json_t *r;
  json_array_foreach(recalls, i, r)
  {
    g_autofree char *line =
        g_strdup_printf("%" JSON_INTEGER_FORMAT " of %" JSON_INTEGER_FORMAT " acknowledged",
                        json_integer_value(json_object_get(r, "acknowledged")),
                        json_integer_value(json_object_get(r, "buyers")));
    json_object_set_new(r, "progress", json_string(line));
    json_object_set_new(
        r, "drill",
        json_boolean(!g_strcmp0(json_string_value(json_object_get(r, "kind")), "drill")));
    if (!add_quantities(store, r, recall_id ? &notices : NULL, error)) {
      json_decref(recalls);
      return NULL;
    }
  }
  if (!recall_id)
    return json_pack("{so}", "recalls", recalls);
  json_t *one = json_incref(json_array_get(recalls, 0));
  json_decref(recalls);
  if (!one) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no recall %" G_GINT64_FORMAT, recall_id);
    return NULL;
  }
  json_object_set_new(one, "notices", notices);
  return one;
}

json_t *
pt_recall_notices_for(PtStore *store, const char *scope_gln, GError **error)
{
  json_t *notices = pt_store_notices_list(store, 0, scope_gln, PT_RECALL_LIST_MAX, error);
  if (!notices)
    return NULL;
  /* A buyer sees buyers' notices only: a platform's is the station's business. */
  json_t *out = json_array();
  gsize i;
  json_t *n;
  json_array_foreach(notices, i, n)
  {
    if (!g_strcmp0(json_string_value(json_object_get(n, "recipient")), "buyer"))
      json_array_append(out, n);
  }
  json_decref(notices);
  return json_pack("{so}", "notices", out);
}

json_t *
pt_recall_acknowledge(PtStore *store, gint64 id, const char *who, const char *scope_gln,
                      double on_hand, const char *action, GError **error)
{
  if (!(on_hand >= 0) || on_hand > 1e12) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "quantity_on_hand must be a number from 0 (none left)");
    return NULL;
  }
  if (!pt_check_text("action", action, PT_RECALL_ACTION_MAX, TRUE, error))
    return NULL;
  if (!pt_store_begin(store, error))
    return NULL;
  json_t *n = pt_store_notice_get(store, id, error);
  if (!n)
    goto out_rollback;
  const char *gln = json_string_value(json_object_get(n, "gln"));
  /* Only the buyer the notice went to acknowledges it, never another or an unscoped one. */
  if (g_strcmp0(json_string_value(json_object_get(n, "recipient")), "buyer") != 0 || !scope_gln ||
      g_strcmp0(gln, scope_gln) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_FORBIDDEN,
                "notice %" G_GINT64_FORMAT " is not addressed to %s", id,
                scope_gln ? scope_gln : "a buyer without a GLN scope");
    goto out_rollback;
  }
  json_decref(n);
  n = NULL;
  if (!pt_store_notice_ack(store, id, who, on_hand, action, pt_now_ns(), error))
    goto out_rollback;
  n = pt_store_notice_get(store, id, error);
  if (!n || !pt_store_commit(store, error))
    goto out_rollback;
  return n;

out_rollback:
  json_decref(n);
  pt_store_rollback(store);
  return NULL;
}
