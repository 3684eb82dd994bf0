/* pt-hub-store-recall.c: the impact list's statements (see pt-hub-store-recall.h). */
#include "pt-hub-store-recall.h"

#include "pt-hub-store-private.h"

#include <string.h>

static const char sql_seeds[] =
    "SELECT coalesce(json_agg(json_build_array(gtin, lot) ORDER BY gtin), '[]') FROM batches "
    "WHERE lot = $1 AND ($2::text IS NULL OR gtin = $2)";

/* A transformation names the class among its inputs (forward, $2 true: its outputs follow) or
 * its outputs (backward: its inputs). */
static const char sql_next[] =
    "SELECT coalesce(json_agg(DISTINCT q.value->>'epcClass'), '[]') FROM events e "
    "CROSS JOIN LATERAL jsonb_array_elements(e.body::jsonb -> CASE WHEN $2::boolean THEN "
    "'outputQuantityList' ELSE 'inputQuantityList' END) q "
    "WHERE e.epc_classes @> ARRAY[$1] AND e.event_type = 'TransformationEvent' "
    "AND e.body::jsonb -> CASE WHEN $2::boolean THEN 'inputQuantityList' ELSE "
    "'outputQuantityList' END "
    "@> jsonb_build_array(jsonb_build_object('epcClass', $1::text)) "
    "AND q.value->>'epcClass' IS NOT NULL";

/* A lot loaded loose went whole: its quantity as the loading station made it, by commissioning
 * or as a transformation's output. */
/* clang-format off */
static const char sql_lot[] =
    "SELECT json_build_object("
    " 'batch', (SELECT json_build_object('product', b.product, 'grower', b.grower, 'station',"
    "   f.station_id, 'station_name', s.name, 'state', f.state, 'pack_date', f.pack_date)"
    "   FROM batches b LEFT JOIN batch_facts f ON f.batch_id = b.id"
    "   LEFT JOIN stations s ON s.id = f.station_id WHERE b.gtin = $2 AND b.lot = $3),"
    " 'loads', coalesce((SELECT json_agg(json_build_object('station', e.station_id,"
    "   'step', e.biz_step, 'time', " PT_HUB_SQL_TS("e.event_time") ", 'event_id', e.event_id,"
    "   'load_id', j->'pt:loadId', 'plate', j->>'pt:vehiclePlate', 'seal', j->>'pt:sealNumber',"
    "   'destination', j->>'pt:destinationName', 'destination_gln',"
    "   substring(j->'destinationList'->0->>'destination' from '/414/([0-9]{13})$'),"
    "   'quantity', CASE WHEN e.quantity > 0 THEN e.quantity"
    "     ELSE (lq.q->>'quantity')::double precision END,"
    "   'uom', CASE WHEN e.quantity > 0 THEN j->'quantityList'->0->>'uom' ELSE lq.q->>'uom' END)"
    "   ORDER BY e.event_time, e.station_id, e.seq)"
    "   FROM events e CROSS JOIN LATERAL (SELECT e.body::jsonb AS j) x"
    "   LEFT JOIN LATERAL (SELECT coalesce("
    "     (SELECT c.body::jsonb->'quantityList'->0 FROM events c"
    "       WHERE c.epc_classes @> ARRAY[$1] AND c.biz_step = 'commissioning'"
    "       AND c.station_id = e.station_id ORDER BY c.seq LIMIT 1),"
    "     (SELECT o.value FROM events c,"
    "       jsonb_array_elements(c.body::jsonb->'outputQuantityList') o"
    "       WHERE c.epc_classes @> ARRAY[$1] AND c.event_type = 'TransformationEvent'"
    "       AND c.station_id = e.station_id AND o.value->>'epcClass' = $1 LIMIT 1)) AS q) lq"
    "   ON TRUE"
    "   WHERE e.epc_classes @> ARRAY[$1] AND e.biz_step IN ('loading', 'departing')), '[]'))";
/* clang-format on */

static const char sql_buyers[] =
    "SELECT coalesce(json_object_agg(g.gln, g.names), '{}') FROM (SELECT gln,"
    " json_agg(name ORDER BY name) AS names FROM hub_tokens WHERE role = 'buyer'"
    " AND revoked_at IS NULL AND gln = ANY ($1::text[]) GROUP BY gln) g";

static const char sql_received[] =
    "SELECT coalesce(json_agg(DISTINCT c), '[]') FROM events e, unnest(e.epc_classes) c "
    "WHERE e.biz_step IN ('loading', 'departing') AND e.batch_id IN "
    "(SELECT batch_id FROM batch_buyers WHERE gln = $1)";

json_t *
pt_hub_store_recall_seeds(PtHubStore *store, const char *lot, const char *gtin, GError **error)
{
  const char *params[] = {lot, gtin};
  return pt_hub_pq_json(store, TRUE, "find the lot", sql_seeds, 2, params, error);
}

json_t *
pt_hub_store_recall_next(PtHubStore *store, const char *cls, gboolean backward, GError **error)
{
  const char *params[] = {cls, backward ? "false" : "true"};
  return pt_hub_pq_json(store, TRUE, "follow transformations", sql_next, 2, params, error);
}

json_t *
pt_hub_store_recall_lot(PtHubStore *store, const char *cls, const char *gtin, const char *lot,
                        GError **error)
{
  const char *params[] = {cls, gtin, lot};
  return pt_hub_pq_json(store, TRUE, "read a lot's loads", sql_lot, 3, params, error);
}

json_t *
pt_hub_store_recall_buyers(PtHubStore *store, json_t *glns, GError **error)
{
  g_autoptr(GString) list = g_string_new("{");
  gsize i;
  json_t *g;
  json_array_foreach(glns, i, g) pt_hub_pq_array_add(list, json_string_value(g));
  g_string_append_c(list, '}');
  const char *params[] = {list->str};
  return pt_hub_pq_json(store, TRUE, "find buyers", sql_buyers, 1, params, error);
}

json_t *
pt_hub_store_recall_received(PtHubStore *store, const char *gln, GError **error)
{
  const char *params[] = {gln};
  return pt_hub_pq_json(store, TRUE, "find a customer's lots", sql_received, 1, params, error);
}
