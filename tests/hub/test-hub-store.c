/* test-hub-store.c: the hub's PostgreSQL store on a real cluster (with-pg.sh): migrations from
 * empty and again, stations, enrolment codes used once and expiring, monthly partitions. */
#include "pt-error.h"
#include "pt-hub-store.h"
#include "pt-time.h"

#include <libpq-fe.h>
#include <sodium.h>
#include <string.h>

static const char *
dsn(void)
{
  const char *d = g_getenv("PT_HUB_DSN");
  g_assert_nonnull(d);
  return d;
}

static char *
sql_value(const char *sql)
{
  PGconn *c = PQconnectdb(dsn());
  g_assert_cmpint(PQstatus(c), ==, CONNECTION_OK);
  PGresult *r = PQexec(c, sql);
  g_assert_cmpint(PQresultStatus(r), ==, PGRES_TUPLES_OK);
  char *v = g_strdup(PQgetvalue(r, 0, 0));
  PQclear(r);
  PQfinish(c);
  return v;
}

static void
test_migrate(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(dsn(), NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpint(pt_hub_store_schema_version(store, &error), ==, 0);
  g_assert_false(pt_hub_store_check_schema(store, &error));
  g_assert_nonnull(strstr(error->message, "packtrace hub migrate"));
  g_clear_error(&error);

  int applied = -1;
  g_assert_true(pt_hub_store_migrate(store, &applied, &error));
  g_assert_no_error(error);
  g_assert_cmpint(applied, ==, PT_HUB_SCHEMA_VERSION);
  g_assert_cmpint(pt_hub_store_schema_version(store, &error), ==, PT_HUB_SCHEMA_VERSION);
  g_assert_true(pt_hub_store_check_schema(store, &error));

  /* Again, from a second connection as a second hub process would: nothing to do. */
  g_autoptr(PtHubStore) again = pt_hub_store_open(dsn(), NULL, &error);
  g_assert_true(pt_hub_store_migrate(again, &applied, &error));
  g_assert_no_error(error);
  g_assert_cmpint(applied, ==, 0);
  g_autofree char *rows = sql_value("SELECT count(*) FROM schema_version");
  g_autofree char *want = g_strdup_printf("%d", PT_HUB_SCHEMA_VERSION);
  g_assert_cmpstr(rows, ==, want);
  g_autofree char *partitioned = sql_value("SELECT relkind FROM pg_class WHERE relname = 'events'");
  g_assert_cmpstr(partitioned, ==, "p");
}

static void
make_key(guint8 pk[PT_PUB_LEN])
{
  guint8 sk[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(pk, sk);
}

static void
test_stations(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(dsn(), NULL, &error);
  g_assert_no_error(error);
  guint8 pk[PT_PUB_LEN];
  make_key(pk);
  g_assert_true(pt_hub_store_station_add(store, "00000000000000a1", "Shed A", pk, &error));
  g_assert_false(pt_hub_store_station_add(store, "00000000000000a1", "Shed A", pk, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_CONFLICT);
  g_clear_error(&error);

  g_autoptr(PtHubStation) st = pt_hub_store_station_get(store, "00000000000000a1", FALSE, &error);
  g_assert_no_error(error);
  g_assert_cmpstr(st->name, ==, "Shed A");
  g_assert_cmpmem(st->public_key, PT_PUB_LEN, pk, PT_PUB_LEN);
  g_assert_false(st->revoked);
  g_assert_null(pt_hub_store_station_get(store, "00000000000000ff", FALSE, &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error(&error);

  g_assert_true(pt_hub_store_station_revoke(store, "00000000000000a1", &error));
  g_autoptr(PtHubStation) revoked =
      pt_hub_store_station_get(store, "00000000000000a1", FALSE, &error);
  g_assert_true(revoked->revoked);
  g_autoptr(GPtrArray) list = pt_hub_store_station_list(store, &error);
  g_assert_no_error(error);
  g_assert_cmpint(list->len, >=, 1);
}

static void
test_enrol_codes(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(dsn(), NULL, &error);
  guint8 pk[PT_PUB_LEN];
  make_key(pk);
  g_assert_true(pt_hub_store_station_add(store, "00000000000000b1", "Shed B", pk, &error));
  guint8 code[PT_HASH_LEN], old[PT_HASH_LEN];
  randombytes_buf(code, sizeof code);
  randombytes_buf(old, sizeof old);
  gint64 now = pt_now_ns();
  g_assert_true(pt_hub_store_enrol_code_add(store, code, "Shed B",
                                            now + G_GINT64_CONSTANT(3600) * 1000000000, &error));
  g_assert_true(pt_hub_store_enrol_code_add(store, old, "Old", now - 1000000000, &error));
  g_assert_no_error(error);

  g_autofree char *name = pt_hub_store_enrol_code_use(store, code, "00000000000000b1", &error);
  g_assert_no_error(error);
  g_assert_cmpstr(name, ==, "Shed B");
  /* Once only. */
  g_assert_null(pt_hub_store_enrol_code_use(store, code, "00000000000000b1", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
  g_clear_error(&error);
  /* Expired. */
  g_assert_null(pt_hub_store_enrol_code_use(store, old, "00000000000000b1", &error));
  g_assert_error(error, PT_ERROR, PT_ERROR_NOT_FOUND);
}

static void
test_partitions(void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtHubStore) store = pt_hub_store_open(dsn(), NULL, &error);
  g_autoptr(GPtrArray) times = g_ptr_array_new();
  g_ptr_array_add(times, "2026-01-31T23:59:59.999Z");
  g_ptr_array_add(times, "2026-02-01T00:00:00.000Z");
  g_ptr_array_add(times, "2026-01-02T00:00:00.000Z");
  g_assert_true(pt_hub_store_partitions_ensure(store, times, &error));
  g_assert_no_error(error);
  /* A second store (another hub process) finds them made. */
  g_autoptr(PtHubStore) other = pt_hub_store_open(dsn(), NULL, &error);
  g_assert_true(pt_hub_store_partitions_ensure(other, times, &error));
  g_autofree char *n = sql_value("SELECT count(*) FROM pg_inherits WHERE inhparent = "
                                 "'events'::regclass");
  g_assert_cmpstr(n, ==, "2");
  g_autofree char *bound =
      sql_value("SELECT pg_get_expr(relpartbound, oid) FROM pg_class WHERE relname = "
                "'events_2026_02'");
  g_assert_nonnull(strstr(bound, "2026-02-01 00:00:00+00"));
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/hub-store/migrate", test_migrate);
  g_test_add_func("/hub-store/stations", test_stations);
  g_test_add_func("/hub-store/enrol-codes", test_enrol_codes);
  g_test_add_func("/hub-store/partitions", test_partitions);
  return g_test_run();
}
