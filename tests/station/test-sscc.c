/* test-sscc.c: SSCC allocation (pt-pallet.c) against an oracle written here: every SSCC has
 * the right check digit and the next serial of its range; none is given twice, whether the
 * database or the data directory's high-water file is the one that lags (an older backup
 * restored, the file lost); a range used up is refused with nothing allocated; a range left
 * and come back to continues where it was. */
#include "pt-error.h"
#include "pt-gs1-ai.h"
#include "pt-pallet.h"
#include "pt-test-station.h"

#include <glib/gstdio.h>
#include <string.h>

/* GS1 mod-10 over 17 digits: weights 3, 1, 3, ... from the right. */
static int
oracle_check_digit(const char *digits17)
{
  int sum = 0;
  for (int i = 16, w = 3; i >= 0; i--, w = 4 - w)
    sum += (digits17[i] - '0') * w;
  return (10 - sum % 10) % 10;
}

static char *
oracle_sscc(guint extension, const char *prefix, guint64 serial)
{
  int n_serial = 16 - (int)strlen(prefix);
  g_autofree char *body =
      g_strdup_printf("%u%s%0*" G_GUINT64_FORMAT, extension, prefix, n_serial, serial);
  return g_strdup_printf("%s%d", body, oracle_check_digit(body));
}

static PtTestStation *
station_with_prefix(guint extension, const char *prefix)
{
  PtTestStation *ts = pt_test_station_new();
  ts->station->config->company_prefix = g_strdup(prefix);
  ts->station->config->sscc_extension = extension;
  return ts;
}

static void
set_range(PtTestStation *ts, guint extension, const char *prefix)
{
  g_free(ts->station->config->company_prefix);
  ts->station->config->company_prefix = g_strdup(prefix);
  ts->station->config->sscc_extension = extension;
}

static void
write_mark(PtTestStation *ts, const char *text)
{
  g_autofree char *path = g_build_filename(ts->dir, PT_SSCC_MARK_FILE, NULL);
  g_assert_true(g_file_set_contents(path, text, -1, NULL));
}

static char *
allocate(PtTestStation *ts)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPallet) p = pt_pallet_new(ts->station, ts->store, &error);
  g_assert_no_error(error);
  g_assert_true(pt_gs1_validate_sscc(p->sscc, NULL));
  return g_strdup(p->sscc);
}

static void
test_sequence(void)
{
  g_autoptr(PtTestStation) ts = station_with_prefix(3, "0614141");
  g_autoptr(GHashTable) seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  for (guint64 serial = 1; serial <= 200; serial++) {
    char *sscc = allocate(ts);
    g_autofree char *want = oracle_sscc(3, "0614141", serial);
    g_assert_cmpstr(sscc, ==, want);
    g_assert_false(g_hash_table_contains(seen, sscc));
    g_hash_table_add(seen, sscc);
  }
}

static void
test_database_lags(void)
{
  /* An older station.db restored: its counter says 2, the file says 500 were given. */
  g_autoptr(PtTestStation) ts = station_with_prefix(0, "0614141");
  g_free(allocate(ts));
  g_free(allocate(ts));
  write_mark(ts, "[serials]\n00614141=500\n");
  g_autofree char *sscc = allocate(ts);
  g_autofree char *want = oracle_sscc(0, "0614141", 501);
  g_assert_cmpstr(sscc, ==, want);
}

static void
test_file_lost(void)
{
  /* The file gone: the database's counter still holds. */
  g_autoptr(PtTestStation) ts = station_with_prefix(0, "0614141");
  for (int i = 0; i < 5; i++)
    g_free(allocate(ts));
  g_autofree char *path = g_build_filename(ts->dir, PT_SSCC_MARK_FILE, NULL);
  g_assert_cmpint(g_unlink(path), ==, 0);
  g_autofree char *sscc = allocate(ts);
  g_autofree char *want = oracle_sscc(0, "0614141", 6);
  g_assert_cmpstr(sscc, ==, want);
}

static void
test_ranges(void)
{
  g_autoptr(PtTestStation) ts = station_with_prefix(0, "0614141");
  g_free(allocate(ts));
  g_free(allocate(ts));
  set_range(ts, 1, "0614141");
  g_autofree char *other = allocate(ts);
  g_autofree char *want_other = oracle_sscc(1, "0614141", 1);
  g_assert_cmpstr(other, ==, want_other);
  set_range(ts, 0, "0614141");
  g_autofree char *back = allocate(ts);
  g_autofree char *want_back = oracle_sscc(0, "0614141", 3);
  g_assert_cmpstr(back, ==, want_back);
}

static void
test_used_up(void)
{
  /* A 10-digit prefix leaves 6 digits of serial. */
  g_autoptr(PtTestStation) ts = station_with_prefix(0, "0614141999");
  write_mark(ts, "[serials]\n00614141999=999998\n");
  g_autofree char *last = allocate(ts);
  g_autofree char *want = oracle_sscc(0, "0614141999", 999999);
  g_assert_cmpstr(last, ==, want);
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPallet) p = pt_pallet_new(ts->station, ts->store, &error);
  g_assert_null(p);
  g_assert_error(error, PT_ERROR, PT_ERROR_TOO_LARGE);
  g_autoptr(GPtrArray) all = pt_store_pallet_list(ts->store, 10, NULL);
  g_assert_cmpuint(all->len, ==, 1);
}

static void
test_no_prefix(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPallet) p = pt_pallet_new(ts->station, ts->store, &error);
  g_assert_null(p);
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  g_autofree char *path = g_build_filename(ts->dir, PT_SSCC_MARK_FILE, NULL);
  g_assert_false(g_file_test(path, G_FILE_TEST_EXISTS));
}

static void
test_lookup(void)
{
  g_autoptr(PtTestStation) ts = station_with_prefix(0, "0614141");
  g_autofree char *sscc = allocate(ts);
  g_autofree char *hri = g_strconcat("(00)", sscc, NULL);
  g_autofree char *ai = g_strconcat("00", sscc, NULL);
  const char *forms[] = {sscc, hri, ai};
  for (gsize i = 0; i < G_N_ELEMENTS(forms); i++) {
    g_autoptr(GError) error = NULL;
    g_autoptr(PtPallet) p = pt_pallet_lookup(ts->store, forms[i], &error);
    g_assert_no_error(error);
    g_assert_cmpstr(p->sscc, ==, sscc);
  }
  g_autofree char *wrong = g_strdup(sscc);
  wrong[17] = (char)('0' + (wrong[17] - '0' + 1) % 10);
  g_autoptr(GError) error = NULL;
  g_assert_null(pt_pallet_lookup(ts->store, wrong, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_INVALID);
  g_clear_error(&error);
  g_autofree char *unknown = oracle_sscc(0, "0614141", 42);
  g_assert_null(pt_pallet_lookup(ts->store, unknown, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/sscc/sequence", test_sequence);
  g_test_add_func("/sscc/database-lags", test_database_lags);
  g_test_add_func("/sscc/file-lost", test_file_lost);
  g_test_add_func("/sscc/ranges", test_ranges);
  g_test_add_func("/sscc/used-up", test_used_up);
  g_test_add_func("/sscc/no-prefix", test_no_prefix);
  g_test_add_func("/sscc/lookup", test_lookup);
  return g_test_run();
}
