/* main.c: the `packtrace` program: dispatches to one command per verb. */
#include "pt-cli.h"

#include <locale.h>
#include <sodium.h>
#include <stdio.h>
#include <string.h>

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} commands[] = {
    {"init", pt_cmd_init, "create a station data directory (config, key pair, database)"},
    {"batch", pt_cmd_batch, "new | list | show | hold | release | recall | repack | attach"},
    {"event", pt_cmd_event, "add: record a step by hand; correct: declare an event in error"},
    {"export", pt_cmd_export_any,
     "ID: EPCIS document or signed bundle | fsma: FSMA 204 | cn: China, 合格证"},
    {"verify", pt_cmd_verify, "check a signed bundle"},
    {"key", pt_cmd_key, "show | export FILE | import FILE: the public key; the secret key sealed"},
    {"audit", pt_cmd_audit, "walk the whole station log and report any break"},
    {"clip", pt_cmd_clip, "an event's evidence clip, or an ad-hoc clip of a camera (MP4)"},
    {"label", pt_cmd_label, "ID: render, describe or print a batch's label | jobs: print queue"},
    {"sync", pt_cmd_sync, "add | list | remove | status | retry: delivery to sales platforms"},
    {"grade", pt_cmd_grade, "grade fruit in images; open | close | show a batch's grading"},
    {"load", pt_cmd_load, "new | add | show | close | list: trucks leaving the shed"},
    {"pallet", pt_cmd_pallet, "new | add | remove | show | list | label: pallets by SSCC"},
    {"recall", pt_cmd_recall, "impact | list | show | drill | verify: recalls and their notices"},
    {"driver", pt_cmd_driver, "add | list | token | revoke: drivers' phone logins"},
    {"calibrate", pt_cmd_calibrate, "measure mm per pixel from a reference disc or square"},
    {"user", pt_cmd_user, "add | list | remove: people who sign in to the dashboard"},
    {"apikey", pt_cmd_apikey, "add | list | revoke: keys for platforms and scripts"},
    {"backup", pt_cmd_backup, "DEST: a consistent, checked copy of the station, while it runs"},
    {"restore", pt_cmd_restore, "SRC: restore a backup into --data DIR and audit it"},
    {"hub", pt_cmd_hub, "serve | migrate | station | quarantine | status: the co-op hub"},
    {"run", pt_cmd_run, "start the station (HTTP server, cameras; stops on SIGINT/SIGTERM)"},
};

static void
usage(FILE *out)
{
  fprintf(out, "Usage: packtrace COMMAND [OPTIONS]\n\nCommands:\n");
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
    fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
  fprintf(out, "\nEvery command takes --data DIR (default $PACKTRACE_DATA, else ./station-data),\n"
               "--json for JSON output, and --help; --data and --json may also come before the\n"
               "command (packtrace --data DIR init).\n");
}

/* Moves the global options that come before the command (--data DIR, --data=DIR, --json) to
 * just after it, where the command's own option parser reads them, as `git -C` reads its
 * option before the verb.  @argv is rewritten in place; returns the index of the command, or
 * -1 with a message when an option before the command is not a global one.  --help and
 * --version end the scan where they stand. */
static int
hoist_global_options(int argc, char **argv)
{
  int first = 1;
  while (first < argc && argv[first][0] == '-') {
    const char *arg = argv[first];
    if (strcmp(arg, "--json") == 0 || g_str_has_prefix(arg, "--data=")) {
      first += 1;
    } else if (strcmp(arg, "--data") == 0) {
      if (first + 1 >= argc) {
        fprintf(stderr, "packtrace: --data needs a directory\n");
        return -1;
      }
      first += 2;
    } else if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0 ||
               strcmp(arg, "--version") == 0) {
      return first; /* the caller answers these */
    } else {
      fprintf(stderr, "packtrace: '%s' is not a global option; put it after the command\n", arg);
      return -1;
    }
  }
  if (first == 1 || first >= argc)
    return first;
  /* argv[1..first) are the global options, argv[first] the command: rotate the command to the
   * front so that the options follow it. */
  char *command = argv[first];
  memmove(argv + 2, argv + 1, (gsize)(first - 1) * sizeof *argv);
  argv[1] = command;
  return 1;
}

int
main(int argc, char **argv)
{
  setlocale(LC_ALL, "");
  if (sodium_init() < 0) {
    fprintf(stderr, "packtrace: libsodium failed to initialise\n");
    return PT_EXIT_FAILED;
  }
  int command = hoist_global_options(argc, argv);
  if (command < 0)
    return PT_EXIT_USAGE;
  if (command >= argc) {
    usage(stderr);
    return PT_EXIT_USAGE;
  }
  if (strcmp(argv[command], "--help") == 0 || strcmp(argv[command], "-h") == 0 ||
      strcmp(argv[command], "help") == 0) {
    usage(stdout);
    return PT_EXIT_OK;
  }
  if (strcmp(argv[command], "--version") == 0) {
    printf("packtrace %s\n", PACKTRACE_VERSION);
    return PT_EXIT_OK;
  }
  for (gsize i = 0; i < G_N_ELEMENTS(commands); i++)
    if (strcmp(argv[1], commands[i].name) == 0)
      return commands[i].run(argc - 1, argv + 1);
  fprintf(stderr, "packtrace: unknown command '%s'\n", argv[1]);
  usage(stderr);
  return PT_EXIT_USAGE;
}
