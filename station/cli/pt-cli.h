/* pt-cli.h: what every `packtrace` command shares: --data, --json, --help, the exit
 * codes (0 done, 1 failed with a one-line reason, 2 bad usage) and output helpers. */
#pragma once

#include "pt-station.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

enum { PT_EXIT_OK = 0, PT_EXIT_FAILED = 1, PT_EXIT_USAGE = 2 };

typedef struct {
  char *data; /* --data DIR, default $PACKTRACE_DATA, else ./station-data */
  gboolean json;
} PtCliCommon;

/* Parses @argv (argv[0] is the command's name, e.g. "batch new") with @entries plus
 * the common options.  On a usage error prints it and returns FALSE. */
gboolean pt_cli_parse(int *argc, char ***argv, const char *params, const char *summary,
                      const GOptionEntry *entries, PtCliCommon *common);

/* Prints "packtrace: REASON" on stderr. Returns: PT_EXIT_FAILED. */
int pt_cli_fail(const GError *error);
/* Prints a usage error. Returns: PT_EXIT_USAGE. */
int pt_cli_usage(const char *fmt, ...) G_GNUC_PRINTF(1, 2);

/* Opens the station in common->data. Returns: (transfer full). */
PtStation *pt_cli_open(const PtCliCommon *common, GError **error);

/* Prints @value (stolen) as indented JSON on stdout. */
void pt_cli_print_json(json_t *value);

void pt_cli_common_clear(PtCliCommon *common);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(PtCliCommon, pt_cli_common_clear)

/* The commands; each takes argv with argv[0] = command name. */
int pt_cmd_init(int argc, char **argv);
int pt_cmd_batch(int argc, char **argv);
int pt_cmd_event(int argc, char **argv);
int pt_cmd_export(int argc, char **argv);
/* `export`: `export fsma` and `export cn` (pt-cli-export.c), any other word a batch's
 * export (pt_cmd_export()). */
int pt_cmd_export_any(int argc, char **argv);
int pt_cmd_verify(int argc, char **argv);
int pt_cmd_key(int argc, char **argv);
int pt_cmd_audit(int argc, char **argv);
int pt_cmd_run(int argc, char **argv);
int pt_cmd_clip(int argc, char **argv);
int pt_cmd_label(int argc, char **argv);
int pt_cmd_sync(int argc, char **argv);
int pt_cmd_grade(int argc, char **argv);
int pt_cmd_load(int argc, char **argv);
int pt_cmd_pallet(int argc, char **argv);
int pt_cmd_driver(int argc, char **argv);
int pt_cmd_calibrate(int argc, char **argv);
int pt_cmd_user(int argc, char **argv);
int pt_cmd_apikey(int argc, char **argv);
int pt_cmd_backup(int argc, char **argv);
int pt_cmd_restore(int argc, char **argv);
int pt_cmd_hub(int argc, char **argv);
int pt_cmd_recall(int argc, char **argv);

G_END_DECLS
