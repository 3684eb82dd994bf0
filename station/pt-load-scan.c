/* pt-load-scan.c: a loading camera's code reads turned into loading events (see
 * pt-load-scan.h). */
#include "pt-load-scan.h"

#include "pt-error.h"
#include "pt-gs1-ai.h"
#include "pt-gs1-dl.h"
#include "pt-limits.h"
#include "pt-load.h"

#include <string.h>

struct _PtLoadScan {
  PtStation *station; /* borrowed */
  PtStore *store;     /* borrowed: the recorder's main-thread connection */
  GHashTable *seen;   /* char * "load/batch" or "load/?gtin/lot": handled pairs */
};

PtLoadScan *
pt_load_scan_new(PtStation *station, PtStore *store)
{
  PtLoadScan *scan = g_new0(PtLoadScan, 1);
  scan->station = station;
  scan->store = store;
  scan->seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  return scan;
}

void
pt_load_scan_free(PtLoadScan *scan)
{
  if (!scan)
    return;
  g_hash_table_unref(scan->seen);
  g_free(scan);
}

char *
pt_load_scan_camera_dock(PtStation *station, const char *camera)
{
  g_autofree char *section = g_strdup_printf("camera %s", camera);
  char *dock = g_key_file_get_string(station->config->keyfile, section, "dock", NULL);
  return dock ? dock : g_strdup(camera);
}

/* Remembers @key; FALSE when it already was.  A full table is emptied rather than grown:
 * forgetting only costs a repeated lookup (pt_load_add_batch() writes a batch once), or at
 * worst one more refusal row for a code still in front of the camera. */
static gboolean
remember(PtLoadScan *scan, char *key)
{
  if (g_hash_table_contains(scan->seen, key)) {
    g_free(key);
    return FALSE;
  }
  if (g_hash_table_size(scan->seen) >= PT_LOAD_SCAN_DEDUP_MAX)
    g_hash_table_remove_all(scan->seen);
  g_hash_table_add(scan->seen, key);
  return TRUE;
}

/* A link of this station's host whose lot is no batch of it (a misprint, a forged label):
 * recorded once per load so the operator sees it, never loaded. */
static PtQrOutcome
unknown_lot(PtLoadScan *scan, const char *camera, const PtLoad *load, const char *gtin,
            const char *lot)
{
  g_autoptr(GError) error = NULL;
  if (!load)
    return PT_QR_FOREIGN;
  char *key = g_strdup_printf("%" G_GINT64_FORMAT "/?%s/%s", load->id, gtin, lot);
  if (!remember(scan, key))
    return PT_QR_FOREIGN;
  g_autofree char *reason =
      lot[0] ? g_strdup_printf("code of GTIN %s lot %s: no batch of this station", gtin, lot)
             : g_strdup_printf("code of GTIN %s without a lot: no batch of this station", gtin);
  if (!pt_load_refuse(scan->store, load->id, camera, reason, &error))
    g_warning("camera %s: load %" G_GINT64_FORMAT ": %s", camera, load->id, error->message);
  return PT_QR_FOREIGN;
}

/* What a code names: a Digital Link of this station's host (a batch QR), or a GS1 element
 * string with a GTIN and a lot (a case label's GS1-128 or DataMatrix).  @gtin and @lot get
 * the values; @strict: an unknown lot is worth a refusal row (a link of this host is ours by
 * its host; an element string may be any shed's case). */
static PtQrOutcome
read_code(PtLoadScan *scan, const char *payload, char *gtin, char *lot, gboolean *strict)
{
  PtDigitalLink link;
  PtGs1ReadElement els[PT_GS1_ELEMENTS_MAX];
  gsize n = 0;
  if (pt_gs1_digital_link_parse(payload, 0, &link, NULL)) {
    if (g_ascii_strcasecmp(link.host, scan->station->config->public_host) != 0)
      return PT_QR_FOREIGN;
    g_strlcpy(gtin, link.gtin, PT_GS1_GTIN_LEN + 1);
    g_strlcpy(lot, link.lot, PT_DL_VALUE_MAX + 1);
    *strict = TRUE;
    return PT_QR_LOADED;
  }
  if (!pt_gs1_element_string_parse(payload, els, G_N_ELEMENTS(els), &n, NULL) ||
      !pt_gs1_read_find(els, n, "01"))
    return PT_QR_MALFORMED;
  const char *l = pt_gs1_read_find(els, n, "10");
  if (!l || strlen(l) > PT_DL_VALUE_MAX)
    return PT_QR_FOREIGN;
  g_strlcpy(gtin, pt_gs1_read_find(els, n, "01"), PT_GS1_GTIN_LEN + 1);
  g_strlcpy(lot, l, PT_DL_VALUE_MAX + 1);
  *strict = FALSE;
  return PT_QR_LOADED;
}

PtQrOutcome
pt_load_scan_handle(PtLoadScan *scan, const char *camera, const char *dock, const char *payload,
                    gint64 utc_ns)
{
  char gtin[PT_GS1_GTIN_LEN + 1], lot[PT_DL_VALUE_MAX + 1];
  gboolean strict = FALSE;
  g_autoptr(GError) error = NULL;
  PtQrOutcome read = read_code(scan, payload, gtin, lot, &strict);
  if (read != PT_QR_LOADED)
    return read;
  g_autoptr(PtLoad) load = NULL;
  if (!pt_store_load_open_at_dock(scan->store, dock, &load, &error)) {
    g_warning("camera %s: open load at dock %s: %s", camera, dock, error->message);
    return PT_QR_FAILED;
  }
  g_autoptr(PtBatch) batch = NULL;
  if (lot[0]) {
    batch = pt_store_batch_get_by_lot(scan->store, lot, &error);
    if (!batch && !g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND)) {
      g_warning("camera %s: lot %s: %s", camera, lot, error->message);
      return PT_QR_FAILED;
    }
    g_clear_error(&error);
  }
  if (!batch || g_strcmp0(batch->gtin, gtin) != 0)
    return strict ? unknown_lot(scan, camera, load, gtin, lot) : PT_QR_FOREIGN;
  if (!load)
    return PT_QR_NO_LOAD;
  char *key = g_strdup_printf("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, load->id, batch->id);
  if (!remember(scan, key))
    return PT_QR_REPEAT;
  gboolean existed = FALSE;
  if (pt_load_add_batch(scan->station, scan->store, load->id, batch, 0, camera, utc_ns, NULL,
                        &existed, &error)) {
    if (!existed)
      g_message("camera %s: lot %s put on load %" G_GINT64_FORMAT, camera, batch->lot, load->id);
    return existed ? PT_QR_REPEAT : PT_QR_LOADED;
  }
  if (g_error_matches(error, PT_ERROR, PT_ERROR_CONFLICT)) {
    g_message("camera %s: lot %s refused for load %" G_GINT64_FORMAT ": %s", camera, batch->lot,
              load->id, error->message);
    return PT_QR_REFUSED;
  }
  /* Not handled: forget the pair so the next read of the code tries again. */
  key = g_strdup_printf("%" G_GINT64_FORMAT "/%" G_GINT64_FORMAT, load->id, batch->id);
  g_hash_table_remove(scan->seen, key);
  g_free(key);
  g_warning("camera %s: load %" G_GINT64_FORMAT ": %s", camera, load->id, error->message);
  return PT_QR_FAILED;
}
