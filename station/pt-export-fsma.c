/* pt-export-fsma.c: the FSMA 204 sortable spreadsheet, from the station's signed events.
 *
 * Sources.  The Key Data Elements are those of the Food Traceability Rule, 21 CFR Part 1
 * Subpart S: harvesting 1.1325(a), initial packing 1.1330(a), shipping 1.1340(a), receiving
 * 1.1345(a), transformation 1.1350(a); the spreadsheet itself is 1.1455(c)(3)(ii).  The layout
 * (one row per Critical Tracking Event, a shared Event ID for the rows of one event, a CTE
 * column, then the KDEs as columns, "traceability lot code source" by location identifier and
 * description) follows FDA's published "Electronic Sortable Spreadsheet" template for the
 * rule as described by the public walk-throughs of it (trackvision.ai, "A FSMA 204 Sortable
 * Spreadsheet Example" and "How to record the FSMA 204 Transformation CTE in a sortable
 * spreadsheet", 2024); the FDA workbook itself was not at hand, so the column titles are the
 * rule's KDE names, not copied cell for cell.
 *
 * Mapping from the signed EPCIS events:
 *   commissioning (a lot packed here from the field)  -> Harvesting and Initial Packing
 *   TransformationEvent (a repack or sort)            -> Transformation, one row per new lot
 *   departing (a load leaves the shed)                -> Shipping
 *   receiving (recorded by hand)                      -> Receiving
 * A commissioning event that names pt:transformedFrom made a lot by transformation: its CTE is
 * the Transformation row.  The station records no cooling step, so no Cooling rows; grading,
 * holds, pallets and loading are not CTEs.  An event declared in error, and the declaration,
 * are left out.  The station assigns every lot, so it is the traceability lot code source.
 *
 * Workload: on request, a few times a year; one read of each exported lot's events (a lot has
 * tens of events), each verified once. */
#include "pt-export-fsma.h"

#include "pt-batch.h"
#include "pt-error.h"
#include "pt-event-check.h"
#include "pt-file.h"
#include "pt-json.h"
#include "pt-text.h"
#include "pt-limits.h"
#include "pt-store-export.h"
#include "pt-time.h"
#include "pt-trace-keys.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <xlsxwriter.h>

const char *const pt_fsma_columns[PT_FSMA_N_COLUMNS] = {
    [PT_FSMA_COL_EVENT_ID] = "Event ID",
    [PT_FSMA_COL_CTE] = "Critical Tracking Event (CTE)",
    [PT_FSMA_COL_DATE] = "Event Date",
    [PT_FSMA_COL_TIME] = "Event Time (UTC)",
    [PT_FSMA_COL_TLC] = "Traceability Lot Code (TLC)",
    [PT_FSMA_COL_PRODUCT] = "Product Description",
    [PT_FSMA_COL_QUANTITY] = "Quantity",
    [PT_FSMA_COL_UOM] = "Unit of Measure",
    [PT_FSMA_COL_LOCATION_GLN] = "Location of Event (GLN)",
    [PT_FSMA_COL_LOCATION] = "Location Description of Event",
    [PT_FSMA_COL_TLC_SOURCE_GLN] = "Traceability Lot Code Source (GLN)",
    [PT_FSMA_COL_TLC_SOURCE] = "Traceability Lot Code Source Location Description",
    [PT_FSMA_COL_SHIP_FROM] = "Ship-From / Immediate Previous Source Location",
    [PT_FSMA_COL_SHIP_TO] = "Ship-To / Immediate Subsequent Recipient Location",
    [PT_FSMA_COL_HARVEST_LOCATION] = "Harvest Location (Farm, Field)",
    [PT_FSMA_COL_INPUT_TLC] = "Input Traceability Lot Code(s) and Quantity Used",
    [PT_FSMA_COL_DOC_TYPE] = "Reference Document Type",
    [PT_FSMA_COL_DOC_NUMBER] = "Reference Document Number",
    [PT_FSMA_COL_HASH_ID] = "Signed Event (GS1 Event Hash ID)",
};

void
pt_fsma_row_free(PtFsmaRow *row)
{
  if (!row)
    return;
  for (guint i = 0; i < PT_FSMA_N_COLUMNS; i++)
    g_free(row->cells[i]);
  g_free(row);
}

/* YYYY-MM-DD that exists. */
static gboolean
parse_day(const char *what, const char *text, GDate *out, GError **error)
{
  guint64 y = 0, m = 0, d = 0;
  g_auto(GStrv) parts = g_strsplit(text, "-", -1);
  if (strlen(text) != 10 || g_strv_length(parts) != 3 ||
      !g_ascii_string_to_unsigned(parts[0], 10, 1, 9999, &y, NULL) ||
      !g_ascii_string_to_unsigned(parts[1], 10, 1, 12, &m, NULL) ||
      !g_ascii_string_to_unsigned(parts[2], 10, 1, 31, &d, NULL) ||
      !g_date_valid_dmy((GDateDay)d, (GDateMonth)m, (GDateYear)y)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s '%s' is not a date YYYY-MM-DD", what, text);
    return FALSE;
  }
  g_date_clear(out, 1);
  g_date_set_dmy(out, (GDateDay)d, (GDateMonth)m, (GDateYear)y);
  return TRUE;
}

gboolean
pt_fsma_query_check(const PtFsmaQuery *query, GError **error)
{
  gboolean range = query->from_date || query->to_date;
  if (query->lot && range) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "give a lot or a date range, not both");
    return FALSE;
  }
  if (!query->lot && !range) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "give a lot, or a date range (from and to)");
    return FALSE;
  }
  if (query->lot)
    return TRUE;
  if (!query->from_date || !query->to_date) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a date range needs both from and to");
    return FALSE;
  }
  GDate from, to;
  if (!parse_day("from", query->from_date, &from, error) ||
      !parse_day("to", query->to_date, &to, error))
    return FALSE;
  int days = g_date_days_between(&from, &to);
  if (days < 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "from %s is after to %s", query->from_date,
                query->to_date);
    return FALSE;
  }
  if (days >= PT_EXPORT_RANGE_DAYS_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "a date range of %d days is longer than %d; export it in parts", days + 1,
                PT_EXPORT_RANGE_DAYS_MAX);
    return FALSE;
  }
  return TRUE;
}

/* One verified event of a lot. */
typedef struct {
  gint64 seq;
  gint64 event_time_ns;
  char *step;
  char *hash_id;
  json_t *body;
} Event;

static void
event_free(Event *e)
{
  g_free(e->step);
  g_free(e->hash_id);
  json_decref(e->body);
  g_free(e);
}

typedef struct {
  PtStation *station;
  PtStore *store;
  PtKeyChain *chain;
  const PtBatch *batch;
  GPtrArray *events; /* (element-type Event) */
  GError *failure;
} ReadCtx;

static gboolean
read_event(const PtEventRow *row, gpointer user_data, GError **error)
{
  ReadCtx *rc = user_data;
  const guint8 *key =
      pt_key_chain_key(rc->chain, pt_key_chain_index_at_time(rc->chain, row->record_time_ns));
  g_autoptr(GPtrArray) failures = g_ptr_array_new_with_free_func(g_free);
  json_t *body = pt_event_check(row, key, FALSE, failures);
  if (failures->len) {
    json_decref(body);
    g_set_error(error, PT_ERROR, PT_ERROR_TAMPERED,
                "event %" G_GINT64_FORMAT " of lot %s does not verify (%s); nothing exported, "
                "run `packtrace audit`",
                row->seq, rc->batch->lot, (char *)g_ptr_array_index(failures, 0));
    return FALSE;
  }
  if (rc->events->len >= PT_EXPORT_EVENTS_PER_LOT_MAX) {
    json_decref(body);
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "lot %s has more than %d events",
                rc->batch->lot, PT_EXPORT_EVENTS_PER_LOT_MAX);
    return FALSE;
  }
  Event *e = g_new0(Event, 1);
  e->seq = row->seq;
  e->event_time_ns = row->event_time_ns;
  e->step = g_strdup(row->step);
  e->hash_id = g_strdup(row->hash_id);
  e->body = body;
  g_ptr_array_add(rc->events, e);
  return TRUE;
}

/* The GTIN and the lot (percent-decoded) of a Digital Link class
 * "https://id.gs1.org/01/GTIN/10/LOT"; FALSE for anything else. */
static gboolean
split_class(const char *epc_class, char **gtin_out, char **lot_out)
{
  const char *p = epc_class ? strstr(epc_class, "/01/") : NULL;
  const char *l = p ? strstr(p + 4, "/10/") : NULL;
  if (!p || !l)
    return FALSE;
  g_autofree char *raw = g_strndup(l + 4, strcspn(l + 4, "?/"));
  char *lot = g_uri_unescape_string(raw, NULL);
  if (!lot)
    return FALSE;
  if (gtin_out)
    *gtin_out = g_strndup(p + 4, (gsize)(l - p - 4));
  *lot_out = lot;
  return TRUE;
}

static const char *
str_member(const json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

/* The GLN of "https://id.gs1.org/414/GLN", or NULL. */
static const char *
gln_of(const char *uri)
{
  const char *p = uri ? strstr(uri, "/414/") : NULL;
  return p && strlen(p + 5) == 13 ? p + 5 : NULL;
}

static char *
format_quantity(double q)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];
  return g_strdup(g_ascii_formatd(buf, sizeof buf, "%.15g", q));
}

/* What every row of one lot repeats: the lot's identity from its commissioning event, and the
 * station as the lot's source. */
typedef struct {
  char *lot, *gtin, *product, *variety, *origin, *grower, *harvest_date, *pack_date;
  gboolean has_quantity;
  double quantity;
  char *uom;
  char *transformed_from; /* nullable: the input lot's class */
} LotFacts;

static void
lot_facts_clear(LotFacts *f)
{
  g_free(f->lot);
  g_free(f->gtin);
  g_free(f->product);
  g_free(f->variety);
  g_free(f->origin);
  g_free(f->grower);
  g_free(f->harvest_date);
  g_free(f->pack_date);
  g_free(f->uom);
  g_free(f->transformed_from);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(LotFacts, lot_facts_clear)

static void
lot_facts_read(LotFacts *f, const PtBatch *batch, const json_t *commissioning)
{
  const json_t *q0 = json_array_get(json_object_get(commissioning, "quantityList"), 0);
  const json_t *ilmd = json_object_get(commissioning, "ilmd");
  f->lot = g_strdup(batch->lot);
  f->gtin = g_strdup(batch->gtin);
  if (!commissioning)
    return;
  f->product = g_strdup(str_member(commissioning, "pt:product"));
  f->variety = g_strdup(str_member(commissioning, "pt:variety"));
  f->origin = g_strdup(str_member(commissioning, "pt:origin"));
  f->grower = g_strdup(str_member(commissioning, "pt:grower"));
  f->pack_date = g_strdup(str_member(commissioning, "pt:packDate"));
  f->harvest_date = g_strdup(str_member(ilmd, "cbvmda:harvestStartDate"));
  f->transformed_from = g_strdup(str_member(commissioning, "pt:transformedFrom"));
  char *gtin = NULL, *lot = NULL;
  if (split_class(str_member(q0, "epcClass"), &gtin, &lot)) {
    g_free(f->gtin);
    f->gtin = gtin;
    g_free(f->lot);
    f->lot = lot;
  }
  if (json_is_number(json_object_get(q0, "quantity"))) {
    f->has_quantity = TRUE;
    f->quantity = json_number_value(json_object_get(q0, "quantity"));
    f->uom = g_strdup(str_member(q0, "uom"));
  }
}

typedef struct {
  PtStation *station;
  PtStore *store;
  PtKeyChain *chain;
  GPtrArray *rows;  /* (element-type PtFsmaRow) */
  const char *from; /* nullable: keep rows of these days only */
  const char *to;
  GHashTable *seen; /* batch ids read (gint64 *) */
  GQueue pending;   /* batch ids still to read (link following) */
  gboolean follow;  /* follow transformations to the lots before and after */
} Export;

static PtFsmaRow *
row_new(const Event *e, const char *cte, guint sub)
{
  PtFsmaRow *r = g_new0(PtFsmaRow, 1);
  r->cells[PT_FSMA_COL_EVENT_ID] = g_strdup(str_member(e->body, "eventID"));
  r->cells[PT_FSMA_COL_CTE] = g_strdup(cte);
  r->cells[PT_FSMA_COL_HASH_ID] = e->hash_id ? g_strdup(e->hash_id)
                                             : g_strdup("not recorded: the event predates "
                                                        "stored Event Hash IDs");
  r->seq = e->seq;
  r->sub = sub;
  return r;
}

static void
set(PtFsmaRow *r, int col, char *value)
{
  g_free(r->cells[col]);
  r->cells[col] = value;
}

static void
set_na(PtFsmaRow *r, int col, const char *cte, const char *section)
{
  set(r, col, g_strdup_printf("n/a: not a KDE of %s (21 CFR %s)", cte, section));
}

static char *
product_description(const LotFacts *f)
{
  if (!f->product)
    return g_strdup("not recorded: the lot's commissioning event names no product");
  GString *s = g_string_new(f->product);
  if (f->variety)
    g_string_append_printf(s, ", %s", f->variety);
  g_string_append_printf(s, " (GTIN %s)", f->gtin);
  return g_string_free(s, FALSE);
}

static char *
station_description(const PtConfig *config)
{
  const PtLabelSettings *l = config->labels;
  const char *name = l && l->supplier_name && *l->supplier_name ? l->supplier_name : config->name;
  if (l && l->supplier_address && *l->supplier_address)
    return g_strdup_printf("%s, %s", name, l->supplier_address);
  return g_strdup_printf("%s (packing shed; no address in station.ini [labels] "
                         "supplier_address)",
                         name);
}

static char *
station_gln(const PtConfig *config, const json_t *event)
{
  const char *gln = gln_of(str_member(json_object_get(event, "readPoint"), "id"));
  if (gln)
    return g_strdup(gln);
  if (config->gln && *config->gln)
    return g_strdup(config->gln);
  return g_strdup("not recorded: the station has no GLN (station.ini [station] gln)");
}

static char *
harvest_location(const LotFacts *f)
{
  if (!f->grower && !f->origin)
    return g_strdup("not recorded: the lot's commissioning event names no grower or origin");
  if (f->grower && f->origin)
    return g_strdup_printf("%s, %s", f->grower, f->origin);
  return g_strdup(f->grower ? f->grower : f->origin);
}

/* The cells every row of a lot shares: lot, product, TLC source. */
static void
fill_lot(Export *x, PtFsmaRow *r, const LotFacts *f, const json_t *event)
{
  set(r, PT_FSMA_COL_TLC, g_strdup(f->lot));
  set(r, PT_FSMA_COL_PRODUCT, product_description(f));
  set(r, PT_FSMA_COL_TLC_SOURCE_GLN, station_gln(x->station->config, event));
  set(r, PT_FSMA_COL_TLC_SOURCE, station_description(x->station->config));
}

static void
fill_quantity(PtFsmaRow *r, gboolean has, double q, const char *uom, const char *why_none)
{
  if (!has) {
    set(r, PT_FSMA_COL_QUANTITY, g_strdup_printf("not recorded: %s", why_none));
    set(r, PT_FSMA_COL_UOM, g_strdup_printf("not recorded: %s", why_none));
    return;
  }
  r->quantity_is_number = TRUE;
  r->quantity = q;
  set(r, PT_FSMA_COL_QUANTITY, format_quantity(q));
  /* EPCIS: a quantity without uom is a count of instances (cases, for a pallet's lot). */
  set(r, PT_FSMA_COL_UOM, g_strdup(uom ? uom : "cases (count)"));
}

static void
fill_time(PtFsmaRow *r, const Event *e)
{
  r->time_ns = e->event_time_ns;
  set(r, PT_FSMA_COL_TIME, pt_time_format(e->event_time_ns));
  g_autofree char *iso = pt_time_format(e->event_time_ns);
  set(r, PT_FSMA_COL_DATE, g_strndup(iso, 10));
}

static void
fill_day_only(PtFsmaRow *r, const char *day, const char *what)
{
  set(r, PT_FSMA_COL_DATE, g_strdup(day));
  set(r, PT_FSMA_COL_TIME,
      g_strdup_printf("not recorded: the signed record states the %s day "
                      "only",
                      what));
}

/* A business transaction list as reference documents: types and numbers, "; "-joined in the
 * same order, the load always one of them. */
static void
fill_documents(PtFsmaRow *r, const json_t *event)
{
  static const struct {
    const char *type, *name;
  } names[] = {{"bol", "Bill of lading"},
               {"desadv", "Advance shipping notice (despatch advice)"},
               {"po", "Purchase order"},
               {"inv", "Invoice"}};
  g_autoptr(GString) types = g_string_new(NULL), numbers = g_string_new(NULL);
  size_t i;
  json_t *bt;
  json_array_foreach(json_object_get(event, "bizTransactionList"), i, bt)
  {
    const char *type = str_member(bt, "type"), *id = str_member(bt, "bizTransaction");
    if (!id)
      continue;
    const char *name = type;
    for (gsize k = 0; k < G_N_ELEMENTS(names); k++)
      if (type && strcmp(type, names[k].type) == 0)
        name = names[k].name;
    /* urn:epcglobal:cbv:bt:GLN:NUMBER: the number is the last part */
    const char *colon = strrchr(id, ':');
    g_string_append_printf(types, "%s%s", types->len ? "; " : "", name ? name : "Document");
    g_string_append_printf(numbers, "%s%s", numbers->len ? "; " : "", colon ? colon + 1 : id);
  }
  json_t *load = json_object_get(event, "pt:loadId");
  if (json_is_integer(load)) {
    g_string_append_printf(types, "%sLoad record (station)", types->len ? "; " : "");
    g_string_append_printf(numbers, "%sload %" JSON_INTEGER_FORMAT, numbers->len ? "; " : "",
                           json_integer_value(load));
  }
  if (!types->len) {
    g_string_append(types, "Database record (signed EPCIS event)");
    g_string_append(numbers, str_member(event, "eventID"));
  }
  set(r, PT_FSMA_COL_DOC_TYPE, g_string_free(g_steal_pointer(&types), FALSE));
  set(r, PT_FSMA_COL_DOC_NUMBER, g_string_free(g_steal_pointer(&numbers), FALSE));
}

static void
fill_record_document(PtFsmaRow *r, const char *kind, const char *number)
{
  set(r, PT_FSMA_COL_DOC_TYPE, g_strdup_printf("Database record (signed EPCIS %s)", kind));
  set(r, PT_FSMA_COL_DOC_NUMBER, g_strdup(number));
}

/* "GLN (name)" of the first party of @list (sourceList or destinationList) under @key. */
static char *
party(const json_t *event, const char *list, const char *key, const char *name)
{
  const char *gln = gln_of(str_member(json_array_get(json_object_get(event, list), 0), key));
  if (gln && name)
    return g_strdup_printf("GLN %s (%s)", gln, name);
  if (gln)
    return g_strdup_printf("GLN %s", gln);
  if (name)
    return g_strdup_printf("%s (no GLN recorded)", name);
  return NULL;
}

static void
add_row(Export *x, PtFsmaRow *r)
{
  const char *day = r->cells[PT_FSMA_COL_DATE];
  if (x->from && (strcmp(day, x->from) < 0 || strcmp(day, x->to) > 0)) {
    pt_fsma_row_free(r);
    return;
  }
  for (guint i = 0; i < PT_FSMA_N_COLUMNS; i++)
    g_assert(r->cells[i]);
  g_ptr_array_add(x->rows, r);
}

static void
rows_commissioning(Export *x, const LotFacts *f, const Event *e)
{
  const PtConfig *config = x->station->config;
  const char *harvest_day = f->harvest_date;
  g_autofree char *event_day = pt_time_format(e->event_time_ns);
  event_day[10] = '\0';

  PtFsmaRow *h = row_new(e, "Harvesting", 0);
  fill_lot(x, h, f, e->body);
  if (harvest_day)
    fill_day_only(h, harvest_day, "harvest");
  else
    fill_day_only(h, event_day, "commissioning");
  fill_quantity(h, f->has_quantity, f->quantity, f->uom, "the lot states no quantity");
  set(h, PT_FSMA_COL_LOCATION_GLN,
      g_strdup("not recorded: the farm has no GLN in the station's records; see Harvest "
               "Location"));
  set(h, PT_FSMA_COL_LOCATION, harvest_location(f));
  set(h, PT_FSMA_COL_HARVEST_LOCATION, harvest_location(f));
  set_na(h, PT_FSMA_COL_SHIP_FROM, "Harvesting", "1.1325");
  set_na(h, PT_FSMA_COL_SHIP_TO, "Harvesting", "1.1325; the packing shed below received it");
  set_na(h, PT_FSMA_COL_INPUT_TLC, "Harvesting", "1.1325");
  fill_record_document(h, "commissioning ObjectEvent", str_member(e->body, "eventID"));
  h->time_ns = 0;
  add_row(x, h);

  PtFsmaRow *p = row_new(e, "Initial Packing", 1);
  fill_lot(x, p, f, e->body);
  fill_day_only(p, f->pack_date ? f->pack_date : event_day, "packing");
  fill_quantity(p, f->has_quantity, f->quantity, f->uom, "the lot states no quantity");
  set(p, PT_FSMA_COL_LOCATION_GLN, station_gln(config, e->body));
  set(p, PT_FSMA_COL_LOCATION, station_description(config));
  set(p, PT_FSMA_COL_HARVEST_LOCATION, harvest_location(f));
  set(p, PT_FSMA_COL_SHIP_FROM,
      g_strdup_printf("%s (the harvester, received from the field)", f->grower   ? f->grower
                                                                     : f->origin ? f->origin
                                                                                 : "grower not "
                                                                                   "recorded"));
  set_na(p, PT_FSMA_COL_SHIP_TO, "Initial Packing", "1.1330");
  set_na(p, PT_FSMA_COL_INPUT_TLC, "Initial Packing", "1.1330; no lot code before packing");
  fill_record_document(p, "commissioning ObjectEvent", str_member(e->body, "eventID"));
  add_row(x, p);
}

static void
rows_transformation(Export *x, const LotFacts *f, const Event *e)
{
  const PtConfig *config = x->station->config;
  g_autoptr(GString) inputs = g_string_new(NULL);
  size_t i;
  json_t *q;
  json_array_foreach(json_object_get(e->body, "inputQuantityList"), i, q)
  {
    g_autofree char *lot = NULL;
    if (!split_class(str_member(q, "epcClass"), NULL, &lot))
      continue;
    g_string_append_printf(inputs, "%s%s", inputs->len ? "; " : "", lot);
    if (json_is_number(json_object_get(q, "quantity"))) {
      g_autofree char *n = format_quantity(json_number_value(json_object_get(q, "quantity")));
      const char *uom = str_member(q, "uom");
      g_string_append_printf(inputs, " (%s %s used)", n, uom ? uom : "cases");
    }
  }
  guint sub = 0;
  json_array_foreach(json_object_get(e->body, "outputQuantityList"), i, q)
  {
    g_autofree char *gtin = NULL, *lot = NULL;
    if (!split_class(str_member(q, "epcClass"), &gtin, &lot))
      continue;
    LotFacts out = *f;
    out.lot = lot;
    out.gtin = gtin;
    PtFsmaRow *r = row_new(e, "Transformation", sub++);
    fill_lot(x, r, &out, e->body);
    fill_time(r, e);
    json_t *n = json_object_get(q, "quantity");
    fill_quantity(r, json_is_number(n), json_number_value(n), str_member(q, "uom"),
                  "the transformation states no output quantity");
    set(r, PT_FSMA_COL_LOCATION_GLN, station_gln(config, e->body));
    set(r, PT_FSMA_COL_LOCATION, station_description(config));
    set_na(r, PT_FSMA_COL_SHIP_FROM, "Transformation", "1.1350");
    set_na(r, PT_FSMA_COL_SHIP_TO, "Transformation", "1.1350");
    set_na(r, PT_FSMA_COL_HARVEST_LOCATION, "Transformation",
           "1.1350; see the input lot's Harvesting row");
    set(r, PT_FSMA_COL_INPUT_TLC,
        inputs->len ? g_strdup(inputs->str)
                    : g_strdup("not recorded: the transformation names no input lot"));
    const char *tid = str_member(e->body, "transformationID");
    fill_record_document(r, "TransformationEvent", tid ? tid : str_member(e->body, "eventID"));
    add_row(x, r);
  }
}

/* The quantityList entry of the loading event that put the lot on the load @departing left
 * with: a pallet's lot goes on as its cases, counted on loading only. */
static const json_t *
loaded_quantity(const GPtrArray *events, const json_t *departing)
{
  json_t *load = json_object_get(departing, "pt:loadId");
  const json_t *found = NULL;
  for (guint i = 0; load && i < events->len; i++) {
    const Event *e = g_ptr_array_index(events, i);
    if (strcmp(e->step, "loading") == 0 && json_equal(json_object_get(e->body, "pt:loadId"), load))
      found = json_array_get(json_object_get(e->body, "quantityList"), 0);
  }
  return found;
}

static void
rows_movement(Export *x, const LotFacts *f, const Event *e, const json_t *loaded, gboolean shipping)
{
  const PtConfig *config = x->station->config;
  const char *cte = shipping ? "Shipping" : "Receiving";
  const char *section = shipping ? "1.1340" : "1.1345";
  PtFsmaRow *r = row_new(e, cte, 0);
  fill_lot(x, r, f, e->body);
  fill_time(r, e);
  const json_t *q0 = json_array_get(json_object_get(e->body, "quantityList"), 0);
  json_t *n = json_object_get(q0, "quantity");
  if (!json_is_number(n) && loaded) {
    q0 = loaded;
    n = json_object_get(q0, "quantity");
  }
  if (json_is_number(n))
    fill_quantity(r, TRUE, json_number_value(n), str_member(q0, "uom"), NULL);
  else /* a loose lot goes on a load whole */
    fill_quantity(r, f->has_quantity, f->quantity, f->uom, "the lot states no quantity");
  set(r, PT_FSMA_COL_LOCATION_GLN, station_gln(config, e->body));
  set(r, PT_FSMA_COL_LOCATION, station_description(config));
  g_autofree char *station_desc = station_description(config);
  const char *gln = gln_of(str_member(json_object_get(e->body, "readPoint"), "id"));
  if (!gln && config->gln && *config->gln)
    gln = config->gln;
  g_autofree char *shed =
      gln ? g_strdup_printf("GLN %s (%s)", gln, station_desc)
          : g_strdup_printf("%s (no GLN recorded: station.ini [station] gln)", station_desc);
  if (shipping) {
    set(r, PT_FSMA_COL_SHIP_FROM, g_strdup(shed));
    char *to =
        party(e->body, "destinationList", "destination", str_member(e->body, "pt:destinationName"));
    set(r, PT_FSMA_COL_SHIP_TO,
        to ? to : g_strdup("not recorded: the load names no destination (load new --destination)"));
  } else {
    char *from = party(e->body, "sourceList", "source", NULL);
    set(r, PT_FSMA_COL_SHIP_FROM,
        from ? from : g_strdup("not recorded: the receiving event names no source (sourceList)"));
    set(r, PT_FSMA_COL_SHIP_TO, g_strdup(shed));
  }
  set_na(r, PT_FSMA_COL_HARVEST_LOCATION, cte, section);
  set_na(r, PT_FSMA_COL_INPUT_TLC, cte, section);
  fill_documents(r, e->body);
  add_row(x, r);
}

/* Queues the lots @e links to by transformation, when following links. */
static gboolean
follow_links(Export *x, const Event *e, GError **error)
{
  const char *lists[] = {"outputQuantityList", "inputQuantityList"};
  g_autoptr(GPtrArray) lots = g_ptr_array_new_with_free_func(g_free);
  for (gsize k = 0; k < G_N_ELEMENTS(lists); k++) {
    size_t i;
    json_t *q;
    json_array_foreach(json_object_get(e->body, lists[k]), i, q)
    {
      char *lot = NULL;
      if (split_class(str_member(q, "epcClass"), NULL, &lot))
        g_ptr_array_add(lots, lot);
    }
  }
  char *from = NULL;
  if (split_class(str_member(e->body, "pt:transformedFrom"), NULL, &from))
    g_ptr_array_add(lots, from);
  for (guint i = 0; i < lots->len; i++) {
    g_autoptr(GError) local = NULL;
    g_autoptr(PtBatch) b = pt_store_batch_get_by_lot(x->store, g_ptr_array_index(lots, i), &local);
    if (!b) {
      if (g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
        continue; /* a lot of another station */
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
    if (!g_hash_table_contains(x->seen, &b->id)) {
      if (g_hash_table_size(x->seen) + g_queue_get_length(&x->pending) >= PT_EXPORT_LOTS_MAX) {
        g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                    "more than %d lots are linked by transformations", PT_EXPORT_LOTS_MAX);
        return FALSE;
      }
      gint64 *id = g_new(gint64, 1);
      *id = b->id;
      g_hash_table_add(x->seen, id);
      g_queue_push_tail(&x->pending, g_memdup2(id, sizeof *id));
    }
  }
  return TRUE;
}

static gboolean
export_batch(Export *x, gint64 batch_id, GError **error)
{
  g_autoptr(PtBatch) batch = pt_store_batch_get(x->store, batch_id, error);
  if (!batch)
    return FALSE;
  if (batch->demo)
    return TRUE; /* the demo's batches are not produce */
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func((GDestroyNotify)event_free);
  ReadCtx rc = {x->station, x->store, x->chain, batch, events, NULL};
  if (!pt_store_events_foreach(x->store, batch_id, read_event, &rc, error))
    return FALSE;
  /* An event declared in error, and its declaration, say nothing. */
  g_autoptr(GHashTable) erroneous = g_hash_table_new(g_str_hash, g_str_equal);
  for (guint i = 0; i < events->len; i++) {
    Event *e = g_ptr_array_index(events, i);
    if (json_object_get(e->body, "errorDeclaration") && str_member(e->body, "eventID"))
      g_hash_table_add(erroneous, (gpointer)str_member(e->body, "eventID"));
  }
  const json_t *commissioning = NULL;
  for (guint i = 0; i < events->len && !commissioning; i++) {
    Event *e = g_ptr_array_index(events, i);
    if (strcmp(e->step, "commissioning") == 0 &&
        !g_hash_table_contains(erroneous, str_member(e->body, "eventID")))
      commissioning = e->body;
  }
  g_auto(LotFacts) facts = {0};
  lot_facts_read(&facts, batch, commissioning);
  if (x->rows->len > PT_EXPORT_ROWS_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "more than %d rows; export a narrower range",
                PT_EXPORT_ROWS_MAX);
    return FALSE;
  }
  for (guint i = 0; i < events->len; i++) {
    Event *e = g_ptr_array_index(events, i);
    const char *id = str_member(e->body, "eventID");
    if (id && g_hash_table_contains(erroneous, id))
      continue;
    const char *type = str_member(e->body, "type");
    if (x->follow && !follow_links(x, e, error))
      return FALSE;
    if (type && strcmp(type, "TransformationEvent") == 0)
      rows_transformation(x, &facts, e);
    else if (strcmp(e->step, "commissioning") == 0 && e->body == commissioning &&
             !facts.transformed_from)
      rows_commissioning(x, &facts, e);
    else if (strcmp(e->step, "departing") == 0)
      rows_movement(x, &facts, e, loaded_quantity(events, e->body), TRUE);
    else if (strcmp(e->step, "receiving") == 0)
      rows_movement(x, &facts, e, NULL, FALSE);
  }
  return TRUE;
}

static int
row_order(gconstpointer a, gconstpointer b)
{
  const PtFsmaRow *x = *(PtFsmaRow *const *)a, *y = *(PtFsmaRow *const *)b;
  int c = strcmp(x->cells[PT_FSMA_COL_DATE], y->cells[PT_FSMA_COL_DATE]);
  if (c)
    return c;
  if (x->time_ns != y->time_ns)
    return x->time_ns < y->time_ns ? -1 : 1;
  if (x->seq != y->seq)
    return x->seq < y->seq ? -1 : 1;
  return x->sub < y->sub ? -1 : x->sub > y->sub;
}

GPtrArray *
pt_fsma_rows(PtStation *station, PtStore *store, const PtFsmaQuery *query, GError **error)
{
  if (!pt_fsma_query_check(query, error))
    return NULL;
  g_autoptr(PtKeyChain) chain = pt_trace_key_chain(store, station->keys->anchor_key, error);
  if (!chain)
    return NULL;
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)pt_fsma_row_free);
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_int64_hash, g_int64_equal, g_free, NULL);
  Export x = {station, store, chain, rows, NULL, NULL, seen, G_QUEUE_INIT, FALSE};
  gboolean ok = TRUE;
  if (!pt_store_read_begin(store, error))
    return NULL;
  if (query->lot) {
    g_autoptr(PtBatch) batch = pt_batch_lookup(store, query->lot, error);
    if (!batch) {
      pt_store_read_end(store);
      return NULL;
    }
    x.follow = TRUE;
    gint64 *id = g_new(gint64, 1);
    *id = batch->id;
    g_hash_table_add(seen, id);
    g_queue_push_tail(&x.pending, g_memdup2(id, sizeof *id));
  } else {
    GDate to;
    parse_day("to", query->to_date, &to, NULL);
    g_date_add_days(&to, 1);
    char next[16];
    g_date_strftime(next, sizeof next, "%Y-%m-%d", &to);
    g_autofree char *from_text = g_strconcat(query->from_date, "T00:00:00Z", NULL);
    g_autofree char *to_text = g_strconcat(next, "T00:00:00Z", NULL);
    gint64 from_ns = 0, to_ns = 0;
    g_autoptr(GArray) ids = NULL;
    ok = pt_time_parse(from_text, &from_ns, error) && pt_time_parse(to_text, &to_ns, error) &&
         pt_store_export_batches_between(store, query->from_date, query->to_date, from_ns, to_ns,
                                         PT_EXPORT_LOTS_MAX, &ids, error);
    for (guint i = 0; ok && i < ids->len; i++)
      g_queue_push_tail(&x.pending, g_memdup2(&g_array_index(ids, gint64, i), sizeof(gint64)));
    x.from = query->from_date;
    x.to = query->to_date;
  }
  gint64 *id;
  while (ok && (id = g_queue_pop_head(&x.pending))) {
    ok = export_batch(&x, *id, error);
    g_free(id);
  }
  g_queue_clear_full(&x.pending, g_free);
  pt_store_read_end(store);
  if (!ok)
    return NULL;
  if (rows->len > PT_EXPORT_ROWS_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "more than %d rows; export a narrower range",
                PT_EXPORT_ROWS_MAX);
    return NULL;
  }
  g_ptr_array_sort(rows, row_order);
  return g_steal_pointer(&rows);
}

GBytes *
pt_fsma_csv(const GPtrArray *rows)
{
  GString *out = g_string_new("\xEF\xBB\xBF");
  for (guint c = 0; c < PT_FSMA_N_COLUMNS; c++) {
    if (c)
      g_string_append_c(out, ',');
    pt_csv_cell(out, pt_fsma_columns[c]);
  }
  g_string_append(out, "\r\n");
  for (guint i = 0; i < rows->len; i++) {
    const PtFsmaRow *r = g_ptr_array_index(rows, i);
    for (guint c = 0; c < PT_FSMA_N_COLUMNS; c++) {
      if (c)
        g_string_append_c(out, ',');
      pt_csv_cell(out, r->cells[c]);
    }
    g_string_append(out, "\r\n");
  }
  return g_string_free_to_bytes(out);
}

static gboolean
xlsx_error(lxw_error rc, const char *what, GError **error)
{
  g_set_error(error, PT_ERROR, PT_ERROR_IO, "XLSX: %s: %s", what, lxw_strerror(rc));
  return FALSE;
}

static const char *const about_lines[] = {
    "FSMA 204 electronic sortable spreadsheet: 21 CFR Part 1 Subpart S, 1.1455(c)(3)(ii).",
    "One row per Critical Tracking Event (CTE); rows of one event share its Event ID.",
    "KDEs: harvesting 1.1325, initial packing 1.1330, shipping 1.1340, receiving 1.1345, "
    "transformation 1.1350.",
    "A cell that holds no value says why: \"n/a: ...\" (not a KDE of that CTE) or "
    "\"not recorded: ...\" (the station's records do not state it).",
    "Every row comes from an Ed25519-signed EPCIS 2.0 event of the packing station; its GS1 "
    "Event Hash ID is in the last column, checkable with `packtrace verify` on the lot's "
    "bundle.",
    "Times are UTC. Dates are YYYY-MM-DD.",
};

gboolean
pt_fsma_write_xlsx(const GPtrArray *rows, const char *title, const char *path, GError **error)
{
  g_autofree char *tmp = g_strconcat(path, ".tmp", NULL);
  lxw_workbook_options options = {.constant_memory = LXW_FALSE, .tmpdir = NULL};
  lxw_workbook *wb = workbook_new_opt(tmp, &options);
  if (!wb) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "XLSX: cannot create %s", tmp);
    return FALSE;
  }
  lxw_worksheet *ws = workbook_add_worksheet(wb, "FSMA 204");
  lxw_worksheet *about = workbook_add_worksheet(wb, "About");
  lxw_format *bold = workbook_add_format(wb);
  format_set_bold(bold);
  format_set_text_wrap(bold);
  format_set_bg_color(bold, 0xDDEBF7);
  lxw_format *text = workbook_add_format(wb);
  format_set_num_format(text, "@");
  for (guint c = 0; c < PT_FSMA_N_COLUMNS; c++) {
    worksheet_write_string(ws, 0, (lxw_col_t)c, pt_fsma_columns[c], bold);
    worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, c == PT_FSMA_COL_QUANTITY ? 10 : 28, NULL);
  }
  for (guint i = 0; i < rows->len; i++) {
    const PtFsmaRow *r = g_ptr_array_index(rows, i);
    for (guint c = 0; c < PT_FSMA_N_COLUMNS; c++) {
      if (c == PT_FSMA_COL_QUANTITY && r->quantity_is_number)
        worksheet_write_number(ws, i + 1, (lxw_col_t)c, r->quantity, NULL);
      else
        worksheet_write_string(ws, i + 1, (lxw_col_t)c, r->cells[c], text);
    }
  }
  worksheet_freeze_panes(ws, 1, 0);
  worksheet_autofilter(ws, 0, 0, rows->len, PT_FSMA_N_COLUMNS - 1);
  worksheet_write_string(about, 0, 0, title, bold);
  worksheet_set_column(about, 0, 0, 120, NULL);
  for (guint i = 0; i < G_N_ELEMENTS(about_lines); i++)
    worksheet_write_string(about, i + 2, 0, about_lines[i], NULL);
  lxw_error rc = workbook_close(wb);
  if (rc != LXW_NO_ERROR) {
    g_unlink(tmp);
    return xlsx_error(rc, tmp, error);
  }
  if (!pt_file_sync(tmp, error)) {
    g_unlink(tmp);
    return FALSE;
  }
  if (g_rename(tmp, path) != 0) {
    int e = errno;
    g_unlink(tmp);
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "rename %s: %s", path, g_strerror(e));
    return FALSE;
  }
  g_autofree char *dir = g_path_get_dirname(path);
  return pt_file_sync(dir, error);
}
