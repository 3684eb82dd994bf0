/* test-load-scan-lot.c: the loading camera's handler (pt_load_scan_handle) given the printed
 * QR of a batch whose lot holds '/', '%', '&', '?' and a quote: the lot is read back from
 * its percent-encoding and the batch goes on the load; the same lot written raw is no
 * Digital Link of it.  A case label's GS1-128, read as a raw element string, puts its batch on
 * the load too; one of a lot this station does not have is another shed's case: no refusal. */
#include "pt-batch.h"
#include "pt-load-scan.h"
#include "pt-load.h"
#include "pt-test-station.h"
#include "pt-time.h"

#include <string.h>

static void
test_hostile_lots(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  const char *lots[] = {"A/B%1-x", "LOT&7?Q'x", "P:1;2=3<4>5(6)7*8+9,"};
  PtLoadSpec ls = {.plate = "AB 123", .seal = "S-1", .dock = "dock-1"};
  g_autoptr(PtLoad) load = pt_load_create(ts->store, &ls, &error);
  g_assert_no_error(error);
  g_autoptr(PtLoadScan) scan = pt_load_scan_new(ts->station, ts->store);
  for (gsize i = 0; i < G_N_ELEMENTS(lots); i++) {
    PtBatchSpec spec = {.product = "Oranges", .gtin = "09506000134352", .lot = lots[i]};
    g_autoptr(PtBatch) b = pt_batch_create(ts->station, ts->store, &spec, &error);
    g_assert_no_error(error);
    g_autofree char *link = pt_batch_digital_link(ts->station->config, b);
    g_assert_null(strstr(link + strlen("https://"), lots[i]));
    g_assert_cmpint(pt_load_scan_handle(scan, "dockcam", "dock-1", link, pt_now_ns()), ==,
                    PT_QR_LOADED);
  }
  g_assert_cmpint(pt_load_scan_handle(scan, "dockcam", "dock-1",
                                      "https://trace.example.coop/01/09506000134352/10/A/B%1-x",
                                      pt_now_ns()),
                  ==, PT_QR_MALFORMED);
}

static void
test_case_label(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  PtLoadSpec ls = {.plate = "AB 123", .seal = "S-1", .dock = "dock-1"};
  g_autoptr(PtLoad) load = pt_load_create(ts->store, &ls, &error);
  g_assert_no_error(error);
  PtBatchSpec spec = {.product = "Oranges", .gtin = "09506000134352", .lot = "CASE-7"};
  g_autoptr(PtBatch) b = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_assert_no_error(error);
  g_autoptr(PtLoadScan) scan = pt_load_scan_new(ts->station, ts->store);
  /* (01)(10)(13) as zbar hands CODE-128 over: FNC1 after the lot as GS. */
  const char *label = "0109506000134352"
                      "10CASE-7\x1d"
                      "13261125";
  g_assert_cmpint(pt_load_scan_handle(scan, "dockcam", "dock-1", label, pt_now_ns()), ==,
                  PT_QR_LOADED);
  g_assert_cmpint(pt_load_scan_handle(scan, "dockcam", "dock-1", label, pt_now_ns()), ==,
                  PT_QR_REPEAT);
  g_autoptr(GPtrArray) items = pt_store_load_items(ts->store, load->id, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(items->len, ==, 1);
  PtLoadItem *it = g_ptr_array_index(items, 0);
  g_assert_cmpint(it->batch_id, ==, b->id);
  g_assert_cmpstr(it->source, ==, "dockcam");
  /* Another shed's case, a GTIN without a lot, a bad check digit: not loaded, not refused. */
  g_assert_cmpint(
      pt_load_scan_handle(scan, "dockcam", "dock-1", "010950600013435210OTHER-1", pt_now_ns()), ==,
      PT_QR_FOREIGN);
  g_assert_cmpint(pt_load_scan_handle(scan, "dockcam", "dock-1", "0109506000134352", pt_now_ns()),
                  ==, PT_QR_FOREIGN);
  g_assert_cmpint(
      pt_load_scan_handle(scan, "dockcam", "dock-1", "010950600013435310CASE-7", pt_now_ns()), ==,
      PT_QR_MALFORMED);
  g_autoptr(GPtrArray) refusals = pt_store_load_refusals(ts->store, load->id, 10, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(refusals->len, ==, 0);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/load-scan/hostile-lots", test_hostile_lots);
  g_test_add_func("/load-scan/case-label", test_case_label);
  return g_test_run();
}
