/* pt-cli-key.c: `packtrace key show | export | import`: the station's public key, and its
 * secret key sealed under a passphrase for safe-keeping (trace/pt-key-seal.h).  The
 * passphrase is read from standard input (its first line), never from the command line. */
#include "pt-cli.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-key-seal.h"
#include "pt-keys.h"
#include "pt-limits.h"

#include <stdio.h>
#include <string.h>

/* The first line of standard input, in locked memory.  Returns: (transfer full) sodium_free. */
static char *
read_passphrase(GError **error)
{
  char *line = sodium_malloc(PT_KEY_PASSPHRASE_BYTES_MAX + 2);
  if (!line) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "out of locked memory");
    return NULL;
  }
  if (!fgets(line, PT_KEY_PASSPHRASE_BYTES_MAX + 2, stdin)) {
    sodium_free(line);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "no passphrase on standard input");
    return NULL;
  }
  line[strcspn(line, "\r\n")] = '\0';
  return line;
}

static int
key_show(const PtCliCommon *common)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(common, &error);
  if (!station)
    return pt_cli_fail(error);
  g_autofree char *pub = pt_hex_encode(station->keys->public_key, PT_PUB_LEN);
  if (common->json)
    pt_cli_print_json(json_pack("{ssssss}", "station_id", station->config->station_id, "public_key",
                                pub, "algorithm", "Ed25519"));
  else
    printf("%s\n", pub);
  return PT_EXIT_OK;
}

static int
key_export(const PtCliCommon *common, const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(common, &error);
  if (!station)
    return pt_cli_fail(error);
  if (g_file_test(path, G_FILE_TEST_EXISTS)) {
    g_set_error(&error, PT_ERROR, PT_ERROR_CONFLICT, "%s already exists", path);
    return pt_cli_fail(error);
  }
  char *passphrase = read_passphrase(&error);
  if (!passphrase)
    return pt_cli_fail(error);
  g_autofree char *sealed = pt_key_seal(station->keys, passphrase, &error);
  sodium_free(passphrase);
  if (!sealed || !pt_file_write_atomic(path, sealed, strlen(sealed), 0600, &error))
    return pt_cli_fail(error);
  if (common->json)
    pt_cli_print_json(json_pack("{ssss}", "station_id", station->config->station_id, "file", path));
  else
    printf("station %s: secret key sealed into %s (keep it, and the passphrase, apart)\n",
           station->config->station_id, path);
  return PT_EXIT_OK;
}

static int
key_import(const PtCliCommon *common, const char *path)
{
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  g_autofree char *text = pt_file_read(path, PT_KEY_SEAL_MAX_BYTES, &len, &error);
  if (!text)
    return pt_cli_fail(error);
  char *passphrase = read_passphrase(&error);
  if (!passphrase)
    return pt_cli_fail(error);
  g_autoptr(PtKeys) keys = pt_key_unseal(text, len, passphrase, &error);
  sodium_free(passphrase);
  if (!keys || !pt_key_save(keys, common->data, &error))
    return pt_cli_fail(error);
  g_autofree char *id = pt_keys_station_id(keys->public_key);
  if (common->json)
    pt_cli_print_json(json_pack("{ssss}", "station_id", id, "data", common->data));
  else
    printf("station %s: key pair restored into %s/keys\n", id, common->data);
  return PT_EXIT_OK;
}

int
pt_cmd_key(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  if (!pt_cli_parse(&argc, &argv, "show | export FILE | import FILE",
                    "show: print the station's public key (the secret key is never printed).\n"
                    "export FILE: seal the secret key under a passphrase read from standard "
                    "input (argon2id, XSalsa20-Poly1305) for safe-keeping.\n"
                    "import FILE: put a sealed key back into --data DIR/keys (which must hold "
                    "none), with its passphrase from standard input.",
                    NULL, &common))
    return PT_EXIT_USAGE;
  if (argc == 2 && strcmp(argv[1], "show") == 0)
    return key_show(&common);
  if (argc == 3 && strcmp(argv[1], "export") == 0)
    return key_export(&common, argv[2]);
  if (argc == 3 && strcmp(argv[1], "import") == 0)
    return key_import(&common, argv[2]);
  return pt_cli_usage("expected 'key show', 'key export FILE' or 'key import FILE'");
}
