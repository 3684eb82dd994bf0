/* pt-cli-auth.c: `packtrace user add|list|remove` and `packtrace apikey add|list|revoke`: who
 * may sign in to the dashboard and which platforms may read over the API.  Passwords come
 * from stdin or a prompt without echo, never from the command line (it shows in ps). */
#include "pt-auth.h"
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

/* Reads one line of at most PT_AUTH_PASSWORD_MAX bytes from @in into @buf (size
 * PT_AUTH_PASSWORD_MAX + 2) without its newline.  FALSE at end of input or over the limit. */
static gboolean
read_line(FILE *in, char *buf)
{
  if (!fgets(buf, PT_AUTH_PASSWORD_MAX + 2, in))
    return FALSE;
  gsize n = strcspn(buf, "\r\n");
  gboolean whole = buf[n] != '\0' || feof(in);
  buf[n] = '\0';
  return whole;
}

/* The password, from a prompt without echo on a terminal (asked twice), else the first line
 * of stdin.  Returns: (transfer full) (nullable), in memory that is wiped when freed. */
static char *
read_password(GError **error)
{
  char *pw = sodium_malloc(PT_AUTH_PASSWORD_MAX + 2);
  char *again = sodium_malloc(PT_AUTH_PASSWORD_MAX + 2);
  gboolean ok;
  if (!pw || !again)
    g_error("out of memory for the password");
  if (!isatty(STDIN_FILENO)) {
    ok = read_line(stdin, pw);
    again[0] = '\0';
  } else {
    struct termios old, quiet;
    tcgetattr(STDIN_FILENO, &old);
    quiet = old;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet);
    fputs("Password: ", stderr);
    ok = read_line(stdin, pw);
    fputs("\nAgain: ", stderr);
    ok = ok && read_line(stdin, again);
    fputs("\n", stderr);
    tcsetattr(STDIN_FILENO, TCSAFLUSH, &old);
    if (ok && strcmp(pw, again) != 0) {
      sodium_free(pw);
      sodium_free(again);
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the two passwords differ");
      return NULL;
    }
  }
  sodium_free(again);
  if (!ok) {
    sodium_free(pw);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "no password read (give it on stdin, one line of at most %d bytes)",
                PT_AUTH_PASSWORD_MAX);
    return NULL;
  }
  return pw;
}

static const char *
scope_text(const PtAccount *a)
{
  return g_strcmp0(a->role, "buyer") != 0 ? "-" : a->scope_gln ? a->scope_gln : "all";
}

static int
user_add(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *role = NULL, *scope = NULL;
  const GOptionEntry entries[] = {
      {"role", 0, 0, G_OPTION_ARG_STRING, &role, "admin, operator or buyer (required)", "ROLE"},
      {"scope", 0, 0, G_OPTION_ARG_STRING, &scope,
       "Buyers: all (default) or a GLN: only batches on loads to it", "all|GLN"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "NAME",
                    "Add a user who signs in to the dashboard.  The password is read from stdin "
                    "(or asked twice without echo on a terminal); at least " G_STRINGIFY(
                        PT_AUTH_PASSWORD_MIN) " characters.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one user name");
  if (!role)
    return pt_cli_usage("--role is required");
  g_autoptr(GError) error = NULL;
  g_autofree char *gln = NULL;
  /* Checked before the password is asked for. */
  if (!pt_auth_check_role_scope(role, scope, FALSE, &gln, &error))
    return pt_cli_fail(error);
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store)
    return pt_cli_fail(error);
  char *password = read_password(&error);
  gboolean ok = password && pt_auth_user_add(store, argv[1], role, scope, password, &error);
  if (password)
    sodium_free(password);
  if (!ok)
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(
        json_pack("{ssssso}", "name", argv[1], "role", role, "scope", pt_json_string_or_null(gln)));
  else
    printf("user %s added (%s%s%s)\n", argv[1], role, gln ? ", scope " : "", gln ? gln : "");
  return PT_EXIT_OK;
}

static int
user_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "", "List users (never their password hashes).", NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("user list takes no arguments");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(GPtrArray) users = store ? pt_store_user_list(store, &error) : NULL;
  if (!users)
    return pt_cli_fail(error);
  json_t *arr = json_array();
  for (guint i = 0; i < users->len; i++) {
    const PtAccount *u = g_ptr_array_index(users, i);
    g_autofree char *created = pt_time_format(u->created_ns);
    if (common.json)
      json_array_append_new(arr,
                            json_pack("{sssssoss}", "name", u->name, "role", u->role, "scope",
                                      pt_json_string_or_null(u->scope_gln), "created", created));
    else
      printf("%-24s %-9s %-13s %s\n", u->name, u->role, scope_text(u), created);
  }
  if (common.json)
    pt_cli_print_json(json_pack("{so}", "users", arr));
  else
    json_decref(arr);
  return PT_EXIT_OK;
}

static int
user_remove(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "NAME", "Remove a user; their sessions end at once.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one user name");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store || !pt_auth_user_remove(store, argv[1], &error))
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(json_pack("{ss}", "removed", argv[1]));
  else
    printf("user %s removed\n", argv[1]);
  return PT_EXIT_OK;
}

static int
apikey_add(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *role = NULL, *scope = NULL;
  const GOptionEntry entries[] = {
      {"role", 0, 0, G_OPTION_ARG_STRING, &role, "buyer or operator (required)", "ROLE"},
      {"scope", 0, 0, G_OPTION_ARG_STRING, &scope,
       "Buyers: all (default) or a GLN: only batches on loads to it", "all|GLN"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "NAME",
                    "Make an API key (Authorization: Bearer KEY).  The key is printed once; the "
                    "station keeps only its hash.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one key name");
  if (!role)
    return pt_cli_usage("--role is required");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  gint64 id = 0;
  g_autofree char *key =
      store ? pt_auth_apikey_add(store, argv[1], role, scope, &id, &error) : NULL;
  if (!key)
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(json_pack(
        "{sIsssssoss}", "id", (json_int_t)id, "name", argv[1], "role", role, "scope",
        scope && strcmp(scope, "all") != 0 ? json_string(scope) : json_null(), "key", key));
  else
    printf("API key %" G_GINT64_FORMAT " (%s, %s): %s\n"
           "It is shown only now; the station keeps only its hash.\n",
           id, argv[1], role, key);
  return PT_EXIT_OK;
}

static int
apikey_list(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "", "List API keys (never the keys themselves).", NULL, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("apikey list takes no arguments");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(GPtrArray) keys = store ? pt_store_apikey_list(store, &error) : NULL;
  if (!keys)
    return pt_cli_fail(error);
  json_t *arr = json_array();
  for (guint i = 0; i < keys->len; i++) {
    const PtAccount *k = g_ptr_array_index(keys, i);
    g_autofree char *created = pt_time_format(k->created_ns);
    g_autofree char *revoked = k->revoked_ns ? pt_time_format(k->revoked_ns) : NULL;
    if (common.json)
      json_array_append_new(arr, json_pack("{sIsssssossso}", "id", (json_int_t)k->id, "name",
                                           k->name, "role", k->role, "scope",
                                           pt_json_string_or_null(k->scope_gln), "created", created,
                                           "revoked", pt_json_string_or_null(revoked)));
    else
      printf("%-5" G_GINT64_FORMAT " %-24s %-9s %-13s %s%s%s\n", k->id, k->name, k->role,
             scope_text(k), created, revoked ? " revoked " : "", revoked ? revoked : "");
  }
  if (common.json)
    pt_cli_print_json(json_pack("{so}", "api_keys", arr));
  else
    json_decref(arr);
  return PT_EXIT_OK;
}

static int
apikey_revoke(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "ID", "Revoke an API key: it stops working at once.", NULL,
                    &common))
    return PT_EXIT_USAGE;
  guint64 id;
  if (argc != 2 || !g_ascii_string_to_unsigned(argv[1], 10, 1, G_MAXINT64, &id, NULL))
    return pt_cli_usage("expected one key id (see apikey list)");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store || !pt_auth_apikey_revoke(store, (gint64)id, &error))
    return pt_cli_fail(error);
  if (common.json)
    pt_cli_print_json(json_pack("{sI}", "revoked", (json_int_t)id));
  else
    printf("API key %" G_GUINT64_FORMAT " revoked\n", id);
  return PT_EXIT_OK;
}

typedef struct {
  const char *name;
  int (*run)(int, char **);
} Sub;

static int
dispatch(const char *cmd, const char *usage, const Sub *subs, gsize n_subs, int argc, char **argv)
{
  const char *sub = argc > 1 ? argv[1] : NULL;
  if (!sub || strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0) {
    fputs(usage, sub ? stdout : stderr);
    return sub ? PT_EXIT_OK : PT_EXIT_USAGE;
  }
  for (gsize i = 0; i < n_subs; i++) {
    if (strcmp(sub, subs[i].name) == 0) {
      g_autofree char *name = g_strdup_printf("%s %s", cmd, sub);
      argv[1] = name;
      return subs[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "packtrace %s: unknown subcommand '%s' (see --help)\n", cmd, sub);
  return PT_EXIT_USAGE;
}

int
pt_cmd_user(int argc, char **argv)
{
  static const Sub subs[] = {{"add", user_add}, {"list", user_list}, {"remove", user_remove}};
  return dispatch("user",
                  "Usage: packtrace user add|list|remove [OPTIONS]\n"
                  "  add NAME --role admin|operator|buyer [--scope all|GLN]   password on stdin\n"
                  "  list                                                     users and roles\n"
                  "  remove NAME                                              and their sessions\n"
                  "Each takes --help.\n",
                  subs, G_N_ELEMENTS(subs), argc, argv);
}

int
pt_cmd_apikey(int argc, char **argv)
{
  static const Sub subs[] = {{"add", apikey_add}, {"list", apikey_list}, {"revoke", apikey_revoke}};
  return dispatch("apikey",
                  "Usage: packtrace apikey add|list|revoke [OPTIONS]\n"
                  "  add NAME --role buyer|operator [--scope all|GLN]   prints the key once\n"
                  "  list                                               keys (not the secrets)\n"
                  "  revoke ID                                          stops it at once\n"
                  "Each takes --help.\n",
                  subs, G_N_ELEMENTS(subs), argc, argv);
}
