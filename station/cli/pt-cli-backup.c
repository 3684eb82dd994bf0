/* pt-cli-backup.c: `packtrace backup` and `packtrace restore` (station/pt-backup.h). */
#include "pt-backup.h"
#include "pt-cli.h"

#include <stdio.h>

int
pt_cmd_backup(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  gboolean recordings = FALSE;
  int keep = 0;
  const GOptionEntry entries[] = {
      {"recordings", 0, 0, G_OPTION_ARG_NONE, &recordings, "Also copy the camera recordings", NULL},
      {"keep", 0, 0, G_OPTION_ARG_INT, &keep,
       "DEST is a folder of backups: add a dated one and keep the newest N", "N"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "DEST",
                    "Back up the station into the new folder DEST while it runs: a consistent "
                    "copy of station.db, the keys, station.ini, clips, grading stills and "
                    "photos, and backup.json listing each file's SHA-256.  The folder gets its "
                    "name only once it is complete and checked.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage(argc < 2 ? "expected DEST" : "unexpected argument '%s'", argv[2]);
  if (keep < 0)
    return pt_cli_usage("--keep takes a number of backups, 1 or more");
  PtBackupOptions options = {.recordings = recordings, .keep = keep};
  PtBackupReport report = {0};
  g_autoptr(GError) error = NULL;
  if (!pt_backup_create(common.data, argv[1], &options, &report, &error)) {
    pt_backup_report_clear(&report);
    return pt_cli_fail(error);
  }
  if (common.json) {
    pt_cli_print_json(json_pack("{sssssIsIss?sisIsi}", "path", report.path, "station_id",
                                report.station_id, "events", (json_int_t)report.n_events,
                                "last_seq", (json_int_t)report.last_seq, "last_hash",
                                report.last_hash, "files", (int)report.n_files, "bytes",
                                (json_int_t)report.bytes, "pruned", (int)report.n_pruned));
  } else {
    printf("backed up station %s into %s\n", report.station_id, report.path);
    printf("  %" G_GINT64_FORMAT " events (last %" G_GINT64_FORMAT "), %u files, %" G_GUINT64_FORMAT
           " bytes\n",
           report.n_events, report.last_seq, report.n_files, report.bytes);
    if (report.n_pruned)
      printf("  %u older backups removed (--keep %d)\n", report.n_pruned, keep);
  }
  pt_backup_report_clear(&report);
  return PT_EXIT_OK;
}

int
pt_cmd_restore(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  gboolean replace = FALSE;
  const GOptionEntry entries[] = {
      {"replace", 0, 0, G_OPTION_ARG_NONE, &replace,
       "When --data DIR holds a (stopped) station, move it aside to DIR.replaced-TIME", NULL},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "SRC",
                    "Restore the backup folder SRC into --data DIR: every file is checked "
                    "against backup.json first, a running station is never touched, and the "
                    "restored log is audited.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage(argc < 2 ? "expected SRC" : "unexpected argument '%s'", argv[2]);
  PtRestoreReport report = {0};
  g_autoptr(GError) error = NULL;
  if (!pt_backup_restore(argv[1], common.data, replace, &report, &error)) {
    pt_restore_report_clear(&report);
    return pt_cli_fail(error);
  }
  if (common.json) {
    pt_cli_print_json(json_pack("{sssIsbss?}", "data", common.data, "events",
                                (json_int_t)report.n_events, "intact", TRUE, "replaced",
                                report.replaced));
  } else {
    printf("restored %s into %s: %" G_GINT64_FORMAT " events, audit intact\n", argv[1], common.data,
           report.n_events);
    if (report.replaced)
      printf("  the station that was there is now %s\n", report.replaced);
  }
  pt_restore_report_clear(&report);
  return PT_EXIT_OK;
}
