/* pt-hub-recall.c: the impact list across stations (see pt-hub-recall.h).
 *
 * Workload: a recall is rare and urgent.  The walk is breadth-first over lots, at most
 * PT_RECALL_BATCHES_MAX of them and PT_RECALL_DEPTH_MAX transformations deep; each lot costs
 * two statements served by the GIN index on events.epc_classes, whatever the events held. */
#include "pt-hub-recall.h"

#include "pt-error.h"
#include "pt-gs1-dl.h"
#include "pt-gs1.h"
#include "pt-hub-buyer.h"
#include "pt-hub-reply.h"
#include "pt-hub-store-recall.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <string.h>

#define CLASS_PREFIX "https://id.gs1.org/01/"

/* The class of (@gtin, @lot) as stations write it.  Returns: (transfer full). */
static char *
lot_class(const char *gtin, const char *lot)
{
  g_autofree char *seg = pt_gs1_dl_encode_value(lot);
  return g_strdup_printf(CLASS_PREFIX "%s/10/%s", gtin, seg);
}

/* The GTIN and lot of @cls into @gtin (15 bytes) and @lot; FALSE when it is not a lot's. */
static gboolean
class_lot(const char *cls, char gtin[PT_GS1_GTIN_LEN + 1], char lot[PT_TEXT_FIELD_MAX + 1])
{
  if (!g_str_has_prefix(cls, CLASS_PREFIX))
    return FALSE;
  const char *g = cls + strlen(CLASS_PREFIX);
  if (strlen(g) < PT_GS1_GTIN_LEN + 5 || strncmp(g + PT_GS1_GTIN_LEN, "/10/", 4) != 0)
    return FALSE;
  memcpy(gtin, g, PT_GS1_GTIN_LEN);
  gtin[PT_GS1_GTIN_LEN] = '\0';
  const char *seg = g + PT_GS1_GTIN_LEN + 4;
  return pt_gs1_dl_decode_value(seg, strlen(seg), lot, PT_TEXT_FIELD_MAX, NULL);
}

typedef struct {
  char *cls;
  char *from; /* nullable: the class it was reached from */
  int depth;
} Step;

static void
step_free(Step *s)
{
  g_free(s->cls);
  g_free(s->from);
  g_free(s);
}

/* Adds @cls to the walk unless seen. */
static gboolean
visit(GPtrArray *order, GHashTable *seen, const char *cls, const char *from, int depth,
      GError **error)
{
  if (g_hash_table_contains(seen, cls))
    return TRUE;
  if (order->len >= PT_RECALL_BATCHES_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "the list would follow over %d lots",
                PT_RECALL_BATCHES_MAX);
    return FALSE;
  }
  Step *s = g_new0(Step, 1);
  s->cls = g_strdup(cls);
  s->from = g_strdup(from);
  s->depth = depth;
  g_hash_table_add(seen, s->cls);
  g_ptr_array_add(order, s);
  return TRUE;
}

/* The totals by unit of @totals ({uom: quantity}) with @q more of @uom. */
static void
total_add(json_t *totals, const char *uom, double q)
{
  json_t *v = json_object_get(totals, uom);
  json_object_set_new(totals, uom, json_real(q + (v ? json_number_value(v) : 0)));
}

/* Appends @v (a string; anything else is skipped) to @arr unless there already. */
static void
add_unique(json_t *arr, json_t *v)
{
  gsize i;
  json_t *x;
  if (!json_is_string(v))
    return;
  json_array_foreach(arr, i, x) if (json_equal(x, v)) return;
  json_array_append(arr, v);
}

/* Each loading event's destination, once per GLN (or name), with its lots and what it got. */
static void
add_destinations(json_t *dests, json_t *lot_entry, json_t *shipped)
{
  gsize i;
  json_t *l;
  json_array_foreach(json_object_get(lot_entry, "loads"), i, l)
  {
    if (g_strcmp0(json_string_value(json_object_get(l, "step")), "loading") != 0)
      continue;
    const char *gln = json_string_value(json_object_get(l, "destination_gln"));
    const char *name = json_string_value(json_object_get(l, "destination"));
    const char *key = gln ? gln : name ? name : "(no destination)";
    json_t *d = json_object_get(dests, key);
    if (!d) {
      d = json_pack("{sOsOs{}s[]s[]}", "gln", json_object_get(l, "destination_gln"), "name",
                    json_object_get(l, "destination"), "shipped", "lots", "stations");
      json_object_set_new(dests, key, d);
    }
    json_t *q = json_object_get(l, "quantity");
    const char *uom = json_string_value(json_object_get(l, "uom"));
    if (json_is_number(q)) {
      total_add(json_object_get(d, "shipped"), uom ? uom : "cases", json_number_value(q));
      total_add(shipped, uom ? uom : "cases", json_number_value(q));
    }
    add_unique(json_object_get(d, "lots"), json_object_get(lot_entry, "lot"));
    add_unique(json_object_get(d, "stations"), json_object_get(l, "station"));
  }
}

json_t *
pt_hub_recall_impact(PtHubStore *store, const char *lot, const char *gtin, const char *gln,
                     GError **error)
{
  gint64 t0 = g_get_monotonic_time();
  gboolean backward = lot == NULL;
  g_autoptr(GPtrArray) order = g_ptr_array_new_with_free_func((GDestroyNotify)step_free);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
  json_t *seeds = backward ? pt_hub_store_recall_received(store, gln, error)
                           : pt_hub_store_recall_seeds(store, lot, gtin, error);
  if (!seeds)
    return NULL;
  gboolean ok = TRUE;
  gsize i;
  json_t *v;
  json_array_foreach(seeds, i, v)
  {
    g_autofree char *cls = backward ? g_strdup(json_string_value(v))
                                    : lot_class(json_string_value(json_array_get(v, 0)),
                                                json_string_value(json_array_get(v, 1)));
    if (!(ok = visit(order, seen, cls, NULL, 0, error)))
      break;
  }
  json_decref(seeds);
  if (!ok)
    return NULL;
  if (order->len == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                backward ? "the hub holds no load to %s" : "the hub holds no lot %s",
                backward ? gln : lot);
    return NULL;
  }
  /* Breadth-first: order grows while it is read. */
  for (guint k = 0; k < order->len; k++) {
    Step *s = order->pdata[k];
    if (s->depth >= PT_RECALL_DEPTH_MAX)
      continue;
    json_t *next = pt_hub_store_recall_next(store, s->cls, backward, error);
    if (!next)
      return NULL;
    json_array_foreach(next, i, v)
    {
      if (!(ok = visit(order, seen, json_string_value(v), s->cls, s->depth + 1, error)))
        break;
    }
    json_decref(next);
    if (!ok)
      return NULL;
  }

  json_t *lots = json_array(), *dests = json_object(), *shipped = json_object();
  json_t *stations = json_array(), *load_keys = json_object();
  for (guint k = 0; ok && k < order->len; k++) {
    Step *s = order->pdata[k];
    char g[PT_GS1_GTIN_LEN + 1], l[PT_TEXT_FIELD_MAX + 1], fg[PT_GS1_GTIN_LEN + 1],
        fl[PT_TEXT_FIELD_MAX + 1];
    if (!class_lot(s->cls, g, l))
      continue; /* a class that is not a lot's (a stranger's URN): nothing to list */
    json_t *facts = pt_hub_store_recall_lot(store, s->cls, g, l, error);
    if (!(ok = facts != NULL))
      break;
    json_t *e = json_pack("{sssssssi}", "gtin", g, "lot", l, "class", s->cls, "depth", s->depth);
    json_object_set_new(e, "via",
                        json_string(s->depth == 0 ? "seed"
                                    : backward    ? "source"
                                                  : "transformation"));
    json_object_set_new(e, "from",
                        s->from && class_lot(s->from, fg, fl) ? json_string(fl) : json_null());
    json_t *batch = json_object_get(facts, "batch");
    static const char *const keys[] = {"product",      "grower", "station",
                                       "station_name", "state",  "pack_date"};
    for (gsize x = 0; x < G_N_ELEMENTS(keys); x++) {
      json_t *val = json_object_get(batch, keys[x]);
      json_object_set(e, keys[x], val ? val : json_null());
    }
    json_object_set(e, "loads", json_object_get(facts, "loads"));
    json_decref(facts);
    add_destinations(dests, e, shipped);
    json_t *st;
    json_array_foreach(json_object_get(e, "loads"), i, st)
    {
      g_autofree char *key = g_strdup_printf("%s/%" JSON_INTEGER_FORMAT,
                                             json_string_value(json_object_get(st, "station")),
                                             json_integer_value(json_object_get(st, "load_id")));
      json_object_set_new(load_keys, key, json_true());
    }
    json_array_append_new(lots, e);
  }
  json_t *out = NULL;
  json_t *glns = json_array();
  json_t *dest_list = json_array();
  const char *k;
  json_object_foreach(dests, k, v)
  {
    json_array_append(dest_list, v);
    if (json_is_string(json_object_get(v, "gln")))
      json_array_append(glns, json_object_get(v, "gln"));
  }
  /* The stations concerned: each lot's packing station and every station that loaded it. */
  json_array_foreach(lots, i, v)
  {
    gsize j;
    json_t *x;
    add_unique(stations, json_object_get(v, "station"));
    json_array_foreach(json_object_get(v, "loads"), j, x)
        add_unique(stations, json_object_get(x, "station"));
  }
  json_t *buyers = ok ? pt_hub_store_recall_buyers(store, glns, error) : NULL;
  if (buyers) {
    json_t *q = json_object();
    pt_json_set_string_or_null(q, "lot", lot);
    pt_json_set_string_or_null(q, "gtin", gtin);
    pt_json_set_string_or_null(q, "gln", gln);
    json_t *totals = json_pack("{sIsIsIsIsO}", "lots", (json_int_t)json_array_size(lots), "loads",
                               (json_int_t)json_object_size(load_keys), "destinations",
                               (json_int_t)json_array_size(dest_list), "stations",
                               (json_int_t)json_array_size(stations), "shipped", shipped);
    out = json_pack("{sosssOsOsosOso}", "query", q, "direction", backward ? "backward" : "forward",
                    "lots", lots, "destinations", dest_list, "buyers", buyers, "stations", stations,
                    "totals", totals);
    json_object_set_new(out, "generated", pt_time_json(pt_now_ns()));
    json_object_set_new(out, "elapsed_us", json_integer(g_get_monotonic_time() - t0));
  }
  json_decref(lots);
  json_decref(dests);
  json_decref(shipped);
  json_decref(stations);
  json_decref(load_keys);
  json_decref(glns);
  json_decref(dest_list);
  return out;
}

static const char *const impact_params[] = {"lot", "gtin", "gln", NULL};

/* GET /api/v1/recalls/impact?lot=L[&gtin=G] | ?gln=GLN */
static void
impact(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  PtHubRole role;
  g_autofree char *scope = NULL;
  if (!pt_hub_authorize(call, reply, &role, &scope) ||
      !pt_hub_args_check(args, impact_params, reply))
    return;
  if (role != PT_HUB_ROLE_ADMIN) {
    pt_hub_reply_error(reply, 403, "the impact list names every buyer: an admin token only");
    return;
  }
  const char *lot = pt_hub_args_get(args, "lot"), *g = pt_hub_args_get(args, "gtin");
  const char *gln = pt_hub_args_get(args, "gln");
  char gtin[PT_GS1_GTIN_LEN + 1];
  g_autoptr(GError) error = NULL;
  if ((lot == NULL) == (gln == NULL) || (gln && g)) {
    pt_hub_reply_error(reply, 400, "give lot (and gtin), or gln");
    return;
  }
  if (lot && (!*lot || strlen(lot) > PT_TEXT_FIELD_MAX)) {
    pt_hub_reply_error(reply, 400, "lot: 1 to " G_STRINGIFY(PT_TEXT_FIELD_MAX) " bytes");
    return;
  }
  if (gln && (strlen(gln) != 13 || strspn(gln, "0123456789") != 13 ||
              pt_gs1_check_digit(gln, 12) != gln[12] - '0')) {
    pt_hub_reply_error(reply, 400, "gln: 13 digits with a valid check digit");
    return;
  }
  if (g && !pt_gs1_gtin14(g, gtin, &error)) {
    g_autofree char *msg = g_strdup_printf("gtin: %s", error->message);
    pt_hub_reply_error(reply, 400, msg);
    return;
  }
  json_t *out = pt_hub_recall_impact(call->store, lot, g ? gtin : NULL, gln, &error);
  if (!out) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return;
  }
  pt_hub_reply_json(reply, 200, out);
}

static enum MHD_Result
on_impact(const PtHubCall *call)
{
  return pt_hub_reply_run(call, impact);
}

static const PtHubRoute routes[] = {
    {"/api/v1/recalls/impact", on_impact},
};

const PtHubRouteTable pt_hub_recall_routes = {routes, G_N_ELEMENTS(routes)};
