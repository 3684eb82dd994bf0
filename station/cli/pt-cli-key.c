/* pt-cli-key.c: `packtrace key show | export | import | rotate`: the station's public keys,
 * its secret key sealed under a passphrase for safe-keeping (trace/pt-key-seal.h), and the
 * hand-over to a new key (pt-key-rotate.h).  The passphrase is read from standard input (its
 * first line), never from the command line. */
#include "pt-cli.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-key-chain.h"
#include "pt-key-rotate.h"
#include "pt-key-seal.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-time.h"
#include "pt-trace.h"

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
  g_autofree char *anchor = pt_hex_encode(station->keys->anchor_key, PT_PUB_LEN);
  g_autoptr(PtStore) store = pt_station_store(station, &error);
  g_autoptr(PtKeyChain) chain =
      store ? pt_trace_key_chain(store, station->keys->anchor_key, &error) : NULL;
  if (!chain)
    return pt_cli_fail(error);
  if (common->json)
    pt_cli_print_json(json_pack("{ssssssssso}", "station_id", station->config->station_id,
                                "public_key", pub, "anchor_key", anchor, "algorithm", "Ed25519",
                                "rotations", pt_key_chain_to_json(chain)));
  else if (pt_key_chain_length(chain) == 1)
    printf("%s\n", pub);
  else
    printf("%s\nanchor %s (the station's first key, which verifiers start from; %u rotations "
           "since)\n",
           pub, anchor, pt_key_chain_length(chain) - 1);
  return PT_EXIT_OK;
}

static int
key_rotate(const PtCliCommon *common)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(common, &error);
  PtKeyRotateResult r;
  if (!station || !pt_key_rotate(station, &r, &error))
    return pt_cli_fail(error);
  g_autofree char *previous = pt_hex_encode(r.previous_key, PT_PUB_LEN);
  g_autofree char *next = pt_hex_encode(r.new_key, PT_PUB_LEN);
  g_autofree char *from = pt_time_format(r.from_ns);
  if (common->json)
    pt_cli_print_json(json_pack("{sssssssssIsisb}", "station_id", station->config->station_id,
                                "previous_key", previous, "public_key", next, "from", from,
                                "after_seq", (json_int_t)r.after_seq, "keys", (int)r.n_keys,
                                "resumed", r.resumed));
  else
    printf("station %s: %s key %s signs from %s (after event %" G_GINT64_FORMAT
           "); key %u of its chain.  Export the new key (`packtrace key export`).\n",
           station->config->station_id, r.resumed ? "finished an interrupted rotation:" : "new",
           next, from, r.after_seq, r.n_keys);
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
  if (!pt_cli_parse(&argc, &argv, "show | export FILE | import FILE | rotate",
                    "show: print the station's public key (the secret key is never printed).\n"
                    "export FILE: seal the secret key under a passphrase read from standard "
                    "input (argon2id, XSalsa20-Poly1305) for safe-keeping.\n"
                    "import FILE: put a sealed key back into --data DIR/keys (which must hold "
                    "none), with its passphrase from standard input.\n"
                    "rotate: make a new key and hand signing over to it with a rotation record "
                    "signed by the current key and the new one; every record signed before "
                    "stays valid.  The station must be stopped.",
                    NULL, &common))
    return PT_EXIT_USAGE;
  if (argc == 2 && strcmp(argv[1], "show") == 0)
    return key_show(&common);
  if (argc == 3 && strcmp(argv[1], "export") == 0)
    return key_export(&common, argv[2]);
  if (argc == 3 && strcmp(argv[1], "import") == 0)
    return key_import(&common, argv[2]);
  if (argc == 2 && strcmp(argv[1], "rotate") == 0)
    return key_rotate(&common);
  return pt_cli_usage("expected 'key show', 'key export FILE', 'key import FILE' or 'key rotate'");
}
