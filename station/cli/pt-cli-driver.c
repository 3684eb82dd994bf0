/* pt-cli-driver.c: `packtrace driver add | list | token | revoke`: drivers and the login QR
 * codes that open the driver's page on their phones. */
#include "pt-cli.h"
#include "pt-driver.h"
#include "pt-error.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <stdio.h>
#include <string.h>

static int
driver_add(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *name = NULL, *phone = NULL;
  const GOptionEntry entries[] = {
      {"name", 0, 0, G_OPTION_ARG_STRING, &name, "Driver's name (required)", "TEXT"},
      {"phone", 0, 0, G_OPTION_ARG_STRING, &phone, "Driver's phone", "NUMBER"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "", "Add a driver (then `driver token` makes a login QR).",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("driver add takes no arguments, only options");
  if (!name)
    return pt_cli_usage("--name is required");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtDriver) driver = store ? pt_driver_add(store, name, phone, &error) : NULL;
  if (!driver)
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(pt_driver_to_json(driver));
  else
    printf("driver %" G_GINT64_FORMAT " added: %s\n", driver->id, driver->name);
  return PT_EXIT_OK;
}

static int
driver_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "", "List drivers and how many valid logins each has.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("driver list takes no arguments");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(GPtrArray) list = store ? pt_store_driver_list(store, pt_now_ns(), &error) : NULL;
  if (!list)
    return pt_cli_fail(error);
  if (common.json) {
    json_t *arr = json_array();
    for (guint i = 0; i < list->len; i++)
      json_array_append_new(arr, pt_driver_to_json(g_ptr_array_index(list, i)));
    pt_cli_print_json(json_pack("{so}", "drivers", arr));
    return PT_EXIT_OK;
  }
  for (guint i = 0; i < list->len; i++) {
    const PtDriver *d = g_ptr_array_index(list, i);
    printf("%-5" G_GINT64_FORMAT " %-24s %-18s %" G_GINT64_FORMAT " valid login%s\n", d->id,
           d->name, d->phone ? d->phone : "-", d->n_active_tokens,
           d->n_active_tokens == 1 ? "" : "s");
  }
  return PT_EXIT_OK;
}

static int
driver_token(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *ttl = NULL, *qr = NULL, *base = NULL;
  const GOptionEntry entries[] = {
      {"ttl", 0, 0, G_OPTION_ARG_STRING, &ttl, "How long the login is good for (default 12h)",
       "90s|30m|12h|7d"},
      {"qr", 0, 0, G_OPTION_ARG_FILENAME, &qr, "Also write the login link as a QR code PNG",
       "FILE.png"},
      {"base", 0, 0, G_OPTION_ARG_STRING, &base,
       "Address phones reach the station at (default http://PUBLIC_HOST)", "URL"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "DRIVER",
                    "Make a login for a driver's phone: prints the link (shown once; only its "
                    "hash is kept) that the QR code encodes.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected a driver number");
  if (base && !g_str_has_prefix(base, "http://") && !g_str_has_prefix(base, "https://"))
    return pt_cli_usage("--base must start with http:// or https://");
  gint64 ttl_s = PT_DRIVER_TTL_DEFAULT_S, expires = 0;
  g_autoptr(GError) error = NULL;
  if (ttl && !pt_driver_parse_ttl(ttl, &ttl_s, &error))
    return pt_cli_usage("--ttl: %s", error->message);
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtDriver) driver = store ? pt_driver_lookup(store, argv[1], &error) : NULL;
  g_autofree char *token =
      driver ? pt_driver_token_new(store, driver->id, ttl_s, &expires, &error) : NULL;
  if (!token)
    return pt_cli_fail(error);
  g_autofree char *url = pt_driver_login_url(station->config, base, token);
  if (qr && !pt_driver_qr_png(url, qr, &error))
    return pt_cli_fail(error);
  g_autofree char *until = pt_time_format(expires);
  if (common.json)
    pt_cli_print_json(json_pack("{sIssssss}", "driver", (json_int_t)driver->id, "token", token,
                                "url", url, "expires", until));
  else
    printf("%s\n# login for %s until %s%s%s\n", url, driver->name, until, qr ? "; QR in " : "",
           qr ? qr : "");
  return PT_EXIT_OK;
}

static int
driver_revoke(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "DRIVER",
                    "Revoke every login of a driver: the phone's next request is refused.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected a driver number");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtDriver) driver = store ? pt_driver_lookup(store, argv[1], &error) : NULL;
  gint64 n = 0;
  if (!driver || !pt_driver_revoke(store, driver->id, &n, &error))
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(
        json_pack("{sIsI}", "driver", (json_int_t)driver->id, "revoked", (json_int_t)n));
  else
    printf("driver %" G_GINT64_FORMAT " (%s): %" G_GINT64_FORMAT " login%s revoked\n", driver->id,
           driver->name, n, n == 1 ? "" : "s");
  return PT_EXIT_OK;
}

int
pt_cmd_driver(int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fprintf(sub ? stdout : stderr,
            "Usage: packtrace driver add|list|token|revoke [OPTIONS]\n"
            "  add --name N [--phone P]               add a driver\n"
            "  list                                   drivers and their valid logins\n"
            "  token DRIVER [--ttl 12h] [--qr F.png]  a login link (and QR) for the phone\n"
            "  revoke DRIVER                          end every login of the driver\n"
            "Each takes --help.\n");
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  static const struct {
    const char *name;
    int (*run)(int, char **);
  } subs[] = {{"add", driver_add},
              {"list", driver_list},
              {"token", driver_token},
              {"revoke", driver_revoke}};
  for (gsize i = 0; i < G_N_ELEMENTS(subs); i++) {
    if (strcmp(sub, subs[i].name) == 0) {
      g_autofree char *name = g_strdup_printf("driver %s", sub);
      argv[1] = name;
      return subs[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "packtrace driver: unknown subcommand '%s' (see --help)\n", sub);
  return PT_EXIT_USAGE;
}
