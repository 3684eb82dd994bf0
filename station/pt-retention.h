/* pt-retention.h: keeping recordings within their budget.  One pass: evidence clips past
 * their retention period are deleted; then the oldest readable segments go, first those no
 * kept clip was cut from, until the recordings fit quota_bytes and the file system has
 * min_free_bytes free.  Segments a kept clip overlaps are deleted only for free space
 * (the quota is a budget, free space is a hard limit), and the clip file itself stays. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  const char *recordings_dir; /* its file system is the one kept free */
  guint64 quota_bytes;        /* 0 = none */
  guint64 min_free_bytes;     /* 0 = none */
  gint64 evidence_keep_ns;    /* clips older than this are deleted */
  GHashTable *busy_paths;     /* (nullable) set of segment paths being written: never deleted */
  guint64 busy_bytes;         /* size of those files now; counted against the quota */
} PtRetentionPolicy;

typedef struct {
  guint deleted_segments;
  guint deleted_in_clip; /* of which a kept clip overlapped (free space only) */
  guint64 freed_bytes;
  guint expired_clips;
  guint64 recorded_bytes; /* readable segments after the pass, plus busy_bytes */
  guint64 free_bytes;     /* on the recordings' file system after the pass */
  gboolean over_quota;    /* still over after deleting all it could */
  gboolean low_space;
} PtRetentionReport;

/* Free space for an unprivileged writer on the file system holding @path. */
gboolean pt_retention_free_bytes(const char *path, guint64 *free_out, GError **error);

gboolean pt_retention_run(PtStore *store, const PtRetentionPolicy *policy, gint64 now_ns,
                          PtRetentionReport *report, GError **error);

G_END_DECLS
