/* test-export-csv.c: the CSV writers of the regulators' exports (pt-export-fsma.c,
 * pt-export-cn.c) against bytes written out by hand here: a BOM, a field quoted when it holds
 * a comma, quote or line break, a quote doubled, commas and line breaks kept inside the
 * quotes, a cell a spreadsheet would run as a formula (= + - @) kept as text by a leading ',
 * CRLF between records.  The station's own fields refuse line breaks, so only here does a
 * field carry one. */
#include "pt-export-cn.h"
#include "pt-export-fsma.h"

#include <string.h>

static void
assert_bytes(GBytes *bytes, const char *want)
{
  gsize len;
  const char *data = g_bytes_get_data(bytes, &len);
  if (len != strlen(want) || memcmp(data, want, len) != 0)
    g_printerr("got:  %.*s\nwant: %s\n", (int)len, data, want);
  g_assert_cmpmem(data, len, want, strlen(want));
}

static void
test_fsma_quoting(void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)pt_fsma_row_free);
  PtFsmaRow *r = g_new0(PtFsmaRow, 1);
  for (guint c = 0; c < PT_FSMA_N_COLUMNS; c++)
    r->cells[c] = g_strdup("x");
  g_free(r->cells[PT_FSMA_COL_TLC]);
  r->cells[PT_FSMA_COL_TLC] = g_strdup("LOT&7?Q'x,\"2\"");
  g_free(r->cells[PT_FSMA_COL_SHIP_TO]);
  r->cells[PT_FSMA_COL_SHIP_TO] = g_strdup("Dock 1\r\nNorth, \"B\"");
  g_free(r->cells[PT_FSMA_COL_PRODUCT]);
  r->cells[PT_FSMA_COL_PRODUCT] = g_strdup("=HYPERLINK(\"http://x.example\";\"y\")");
  g_free(r->cells[PT_FSMA_COL_LOCATION]);
  r->cells[PT_FSMA_COL_LOCATION] = g_strdup("@SUM(A1)");
  g_ptr_array_add(rows, r);
  g_autoptr(GBytes) csv = pt_fsma_csv(rows);

  GString *want = g_string_new("\xEF\xBB\xBF");
  for (guint c = 0; c < PT_FSMA_N_COLUMNS; c++)
    g_string_append_printf(want, strchr(pt_fsma_columns[c], ',') ? "%s\"%s\"" : "%s%s",
                           c ? "," : "", pt_fsma_columns[c]);
  g_string_append(want, "\r\n");
  for (guint c = 0; c < PT_FSMA_N_COLUMNS; c++) {
    const char *cell = c == PT_FSMA_COL_TLC       ? "\"LOT&7?Q'x,\"\"2\"\"\""
                       : c == PT_FSMA_COL_SHIP_TO ? "\"Dock 1\r\nNorth, \"\"B\"\"\""
                       : c == PT_FSMA_COL_PRODUCT
                           ? "\"'=HYPERLINK(\"\"http://x.example\"\";\"\"y\"\")\""
                       : c == PT_FSMA_COL_LOCATION ? "'@SUM(A1)"
                                                   : "x";
    g_string_append_printf(want, "%s%s", c ? "," : "", cell);
  }
  g_string_append(want, "\r\n");
  assert_bytes(csv, want->str);
  g_string_free(want, TRUE);
}

static void
test_fsma_empty(void)
{
  g_autoptr(GPtrArray) rows = g_ptr_array_new();
  g_autoptr(GBytes) csv = pt_fsma_csv(rows);
  gsize len;
  const char *data = g_bytes_get_data(csv, &len);
  /* the BOM and the header, nothing after it */
  g_assert_cmpmem(data, 3, "\xEF\xBB\xBF", 3);
  g_assert_cmpint(data[len - 2], ==, '\r');
  g_assert_cmpint(data[len - 1], ==, '\n');
  g_assert_null(memchr(data, '\n', len - 1));
}

static void
test_cn_quoting(void)
{
  json_t *records =
      json_pack("[{ssssss}]", "batch", "S,\"2\"\nx", "product", "橙子", "origin", "江西赣南");
  g_autoptr(GBytes) csv = pt_export_cn_csv(records);
  json_decref(records);
  gsize len;
  const char *data = g_bytes_get_data(csv, &len);
  g_autofree char *text = g_strndup(data, len);
  g_assert_true(g_str_has_prefix(text, "\xEF\xBB\xBF追溯码,生产经营者"));
  g_assert_nonnull(strstr(text, ",橙子,"));
  g_assert_nonnull(strstr(text, ",\"S,\"\"2\"\"\nx\","));
  g_assert_true(g_str_has_suffix(text, "\r\n"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/export-csv/fsma-quoting", test_fsma_quoting);
  g_test_add_func("/export-csv/fsma-empty", test_fsma_empty);
  g_test_add_func("/export-csv/cn-quoting", test_cn_quoting);
  return g_test_run();
}
