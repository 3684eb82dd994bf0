/* test-load-scan-lot.c: the loading camera's handler (pt_load_scan_handle) given the printed
 * QR of a batch whose lot holds '/', '%', '&', '?' and a quote: the lot is read back from
 * its percent-encoding and the batch goes on the load; the same lot written raw is no
 * Digital Link of it. */
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

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/load-scan/hostile-lots", test_hostile_lots);
  return g_test_run();
}
