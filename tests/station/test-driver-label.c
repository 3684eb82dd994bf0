/* test-driver-label.c: what a driver's phone may send as a label (pt_driver_read_label()):
 * every form reduced to the same GTIN and lot, another station's link told apart, and what is
 * no label refused with a reason; and the plate key that lets "赣B12345" join "赣B·12345". */
#include "pt-driver.h"

#include <string.h>

#define HOST "shed.example"
#define GTIN "09506000134352"

static void
test_forms(void)
{
  const struct {
    const char *payload, *gtin, *lot;
  } ok[] = {
      {"https://" HOST "/01/" GTIN "/10/DEMO-0003", GTIN, "DEMO-0003"},
      {"http://SHED.example/01/" GTIN "/10/A%2FB", GTIN, "A/B"},
      {"]C101" GTIN "13261202\x1d"
       "10DEMO-0003",
       GTIN, "DEMO-0003"},
      {"\x1d"
       "01" GTIN "10DEMO-0003",
       GTIN, "DEMO-0003"},
      {"(01)" GTIN "(10)DEMO-0003", GTIN, "DEMO-0003"},
      {"01" GTIN "13261202"
       "10DEMO-0003",
       GTIN, "DEMO-0003"},
      {GTIN " DEMO-0003", GTIN, "DEMO-0003"},
      {"9506000134352\tDEMO-0003", GTIN, "DEMO-0003"},
      {"DEMO-0003", "", "DEMO-0003"},
      {"  DEMO-0003  ", "", "DEMO-0003"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(ok); i++) {
    PtDriverLabel label;
    g_autoptr(GError) error = NULL;
    g_assert_cmpint(pt_driver_read_label(ok[i].payload, HOST, &label, &error), ==,
                    PT_DRIVER_LABEL_OK);
    g_assert_no_error(error);
    g_assert_cmpstr(label.gtin, ==, ok[i].gtin);
    g_assert_cmpstr(label.lot, ==, ok[i].lot);
  }
}

static void
test_refused(void)
{
  PtDriverLabel label;
  g_autoptr(GError) error = NULL;
  g_assert_cmpint(
      pt_driver_read_label("https://other.example/01/" GTIN "/10/X", HOST, &label, &error), ==,
      PT_DRIVER_LABEL_FOREIGN);
  g_assert_cmpstr(label.host, ==, "other.example");
  g_assert_no_error(error);
  const char *bad[] = {"",
                       "hello world again",
                       "09506000134353 DEMO-0003",    /* check digit */
                       ("https://" HOST "/01/" GTIN), /* no lot */
                       ("(01)" GTIN),                 /* no lot */
                       "]C110DEMO-0003",              /* no GTIN */
                       "a lot longer than twenty",
                       "LOT\x01"};
  for (gsize i = 0; i < G_N_ELEMENTS(bad); i++) {
    g_assert_cmpint(pt_driver_read_label(bad[i], HOST, &label, &error), ==,
                    PT_DRIVER_LABEL_MALFORMED);
    g_assert_nonnull(error);
    g_assert_true(error->message[0] != '\0');
    g_clear_error(&error);
  }
}

static void
test_plate_key(void)
{
  const char *same[][2] = {{"赣B12345", "赣B·12345"},
                           {"赣b 12345", "赣B·12345"},
                           {"AB-123", "ab 123"},
                           {"粤A．54321", "粤A54321"}};
  for (gsize i = 0; i < G_N_ELEMENTS(same); i++) {
    g_autofree char *a = pt_driver_plate_key(same[i][0]);
    g_autofree char *b = pt_driver_plate_key(same[i][1]);
    g_assert_cmpstr(a, ==, b);
  }
  g_autofree char *x = pt_driver_plate_key("赣B12345");
  g_autofree char *y = pt_driver_plate_key("赣B12346");
  g_assert_cmpstr(x, !=, y);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/driver-label/forms", test_forms);
  g_test_add_func("/driver-label/refused", test_refused);
  g_test_add_func("/driver-label/plate-key", test_plate_key);
  return g_test_run();
}
