/* pt-backup.h: backups of a station that restore.  A backup is a folder: a consistent copy of
 * station.db taken while the station runs (store/pt-store-backup.h), the keys, station.ini, the
 * evidence (clips, grading stills, drivers' photos; recordings on request) and backup.json,
 * which lists every file with its size and SHA-256 and the log's extent at the snapshot.  A
 * backup appears under its name only once it is complete and checked. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_BACKUP_FORMAT "packtrace-backup/1"

typedef struct {
  gboolean recordings; /* also copy recordings/ (large) */
  int keep;            /* > 0: @dest is a folder of backups; a new one is made in it and the
                        * oldest beyond @keep are removed */
} PtBackupOptions;

typedef struct {
  char *path; /* the backup folder made */
  char *station_id;
  gint64 n_events;
  gint64 last_seq;
  char *last_hash; /* hex; NULL for an empty log */
  guint n_files;
  guint64 bytes;
  guint n_pruned; /* older backups removed (keep) */
} PtBackupReport;

void pt_backup_report_clear(PtBackupReport *report);

/* Backs up the station in @data_dir into the new folder @dest (or, with @options->keep, into a
 * new dated folder inside @dest).  Safe while `packtrace run` writes.  The database copy is
 * checked (integrity, log extent) before the folder takes its final name. */
gboolean pt_backup_create(const char *data_dir, const char *dest, const PtBackupOptions *options,
                          PtBackupReport *report, GError **error);

typedef struct {
  gint64 n_events; /* events in the restored log, all of them audited */
  char *replaced;  /* (nullable) where the station that was in the way now is */
} PtRestoreReport;

void pt_restore_report_clear(PtRestoreReport *report);

/* Restores the backup folder @src into @data_dir: every file is checked against backup.json
 * before anything is written; a directory where a station runs is refused (its run lock); one
 * that holds a station is refused unless @replace, which moves it aside.  The restored log is
 * audited (every hash, link and signature) and must end where backup.json says.  Fails with
 * PT_ERROR_TAMPERED for a backup that does not match its list or a log that breaks. */
gboolean pt_backup_restore(const char *src, const char *data_dir, gboolean replace,
                           PtRestoreReport *report, GError **error);

G_END_DECLS
