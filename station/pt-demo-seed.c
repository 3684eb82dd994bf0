/* pt-demo-seed.c: demo batches, the demo load and the loading footage that shows their
 * codes (see pt-demo-seed.h).  Every step checks what exists first, so a start that was
 * killed half-way finishes the work on the next start. */
#include "pt-demo-seed.h"

#include "pt-barcode.h"
#include "pt-batch.h"
#include "pt-demo.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-limits.h"
#include "pt-load-scan.h"
#include "pt-load.h"

#include <string.h>

/* GS1's example GTIN: no real product carries it. */
#define DEMO_GTIN "09506000134352"

static const char *const demo_varieties[PT_DEMO_BATCHES] = {"Navel (demo)", "Valencia (demo)",
                                                            "Cara Cara (demo)"};

/* Returns: (transfer full) (nullable): the batch with @lot, NULL with no error when none. */
static PtBatch *
find_lot(PtStore *store, const char *lot, GError **error)
{
  g_autoptr(GError) local = NULL;
  PtBatch *b = pt_store_batch_get_by_lot(store, lot, &local);
  if (!b && !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
    g_propagate_error(error, g_steal_pointer(&local));
  return b;
}

/* @batches receives the demo batches, created when missing. */
static gboolean
ensure_batches(PtStation *station, PtStore *store, PtBatch *batches[PT_DEMO_BATCHES],
               GError **error)
{
  for (guint i = 0; i < PT_DEMO_BATCHES; i++) {
    g_autofree char *lot = g_strdup_printf(PT_DEMO_LOT_PREFIX "%04u", i + 1);
    g_autoptr(GError) local = NULL;
    batches[i] = find_lot(store, lot, &local);
    if (local) {
      g_propagate_error(error, g_steal_pointer(&local));
      return FALSE;
    }
    if (batches[i] && !batches[i]->demo) {
      g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                  "lot %s is a batch of the station's own, not a demo batch", lot);
      return FALSE;
    }
    if (batches[i])
      continue;
    PtBatchSpec spec = {.product = "Demo oranges",
                        .gtin = DEMO_GTIN,
                        .variety = demo_varieties[i],
                        .grower = "Demo orchard (not a real batch)",
                        .lot = lot,
                        .has_quantity = TRUE,
                        .quantity = 480,
                        .uom = "KGM",
                        .demo = TRUE};
    batches[i] = pt_batch_create(station, store, &spec, error);
    if (!batches[i])
      return FALSE;
    g_message("demo: created batch %s (Demo oranges)", lot);
  }
  return TRUE;
}

static gboolean
ensure_load(PtStation *station, PtStore *store, GError **error)
{
  g_autofree char *camera =
      g_strdup_printf("demo-%s", pt_camera_role_to_string(PT_CAMERA_ROLE_LOADING));
  g_autofree char *dock = pt_load_scan_camera_dock(station, camera);
  g_autoptr(PtLoad) open = NULL;
  if (!pt_store_load_open_at_dock(store, dock, &open, error))
    return FALSE;
  if (open)
    return TRUE;
  PtLoadSpec spec = {.plate = "DEMO 001",
                     .seal = "DEMO-SEAL-1",
                     .destination = "Demo buyer (not a real load)",
                     .dock = dock};
  g_autoptr(PtLoad) load = pt_load_create(store, &spec, error);
  if (!load)
    return FALSE;
  g_message("demo: opened load %" G_GINT64_FORMAT " at dock %s", load->id, dock);
  return TRUE;
}

/* The footage is remade when the codes differ from those recorded next to it. */
static gboolean
ensure_footage(PtStation *station, PtBatch *batches[PT_DEMO_BATCHES], const char *demo_dir,
               int seconds, GError **error)
{
  g_autoptr(GString) codes = g_string_new(NULL);
  for (guint i = 0; i < PT_DEMO_BATCHES; i++) {
    g_autofree char *link = pt_batch_digital_link(station->config, batches[i]);
    g_string_append_printf(codes, "%s\n", link);
  }
  g_autofree char *tag_path = g_build_filename(demo_dir, "demo-loading.codes", NULL);
  g_autofree char *mkv_path = g_build_filename(demo_dir, "demo-loading.mkv", NULL);
  g_autofree char *old = pt_file_read(tag_path, PT_DEMO_CODES_MAX, NULL, NULL);
  if (old && strcmp(old, codes->str) == 0 && g_file_test(mkv_path, G_FILE_TEST_IS_REGULAR))
    return TRUE;
  PtBarcode *qr[PT_DEMO_BATCHES] = {NULL};
  PtDemoCode demo[PT_DEMO_BATCHES];
  g_auto(GStrv) links = g_strsplit(codes->str, "\n", PT_DEMO_BATCHES);
  gboolean ok = TRUE;
  for (guint i = 0; ok && i < PT_DEMO_BATCHES; i++) {
    qr[i] = pt_barcode_qr(g_strchomp(links[i]), PT_QR_EC_M, error);
    ok = qr[i] != NULL;
    if (ok)
      demo[i] = (PtDemoCode){qr[i]->cols, qr[i]->rows, qr[i]->modules};
  }
  g_autofree char *made =
      ok ? pt_demo_loading_make(demo_dir, demo, PT_DEMO_BATCHES, seconds, 1280, 720, 25, error)
         : NULL;
  for (guint i = 0; i < PT_DEMO_BATCHES; i++)
    pt_barcode_free(qr[i]);
  if (!made || !pt_file_write_atomic(tag_path, codes->str, codes->len, 0644, error))
    return FALSE;
  g_message("demo: loading footage shows the demo batches' codes (%s)", made);
  return TRUE;
}

gboolean
pt_demo_seed(PtStation *station, PtStore *store, const char *demo_dir, int seconds, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(PtBatch) first = find_lot(store, PT_DEMO_LOT_PREFIX "0001", &local);
  if (local) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  if (!first || !first->demo) {
    g_autoptr(GPtrArray) any = pt_store_batch_list(store, 1, 0, error);
    if (!any)
      return FALSE;
    if (any->len > 0) {
      g_message("demo: the station has batches of its own; no demo batches are made");
      return TRUE;
    }
  }
  PtBatch *batches[PT_DEMO_BATCHES] = {NULL};
  gboolean ok = ensure_batches(station, store, batches, error) &&
                ensure_load(station, store, error) &&
                ensure_footage(station, batches, demo_dir, seconds, error);
  for (guint i = 0; i < PT_DEMO_BATCHES; i++)
    pt_batch_free(batches[i]);
  return ok;
}
