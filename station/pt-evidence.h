/* pt-evidence.h: evidence clips cut from the recorded segments.  A clip for a batch event is
 * cut first, into DATA/clips/batch-<id>/, and only then is the event signed, so the SHA-256
 * in the signed record is that of the file a buyer downloads.  Needs GStreamer initialised
 * (pt_pipeline_init). */
#pragma once

#include "pt-batch.h"
#include "pt-pipeline.h"
#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

/* Cuts [@from_ns, @to_ns) of @camera from its closed and recovered segments into @out_path
 * (MP4, moov first), masked when station.ini gives @camera a privacy mask (a camera no
 * longer configured has none).  Fails with PT_ERROR_CONFLICT when part of the range is still
 * in the segment being recorded, PT_ERROR_NOT_FOUND when nothing of it was recorded. */
gboolean pt_evidence_cut(PtStation *station, PtStore *store, const char *camera, gint64 from_ns,
                         gint64 to_ns, const char *out_path, PtClipResult *result, GError **error);

/* Returns: (transfer full): a new, unique path for a clip of @camera starting at @from_ns
 * for batch @batch_id, in DATA/clips/batch-<id>/ (created). */
char *pt_evidence_clip_path(PtStation *station, gint64 batch_id, const char *camera, gint64 from_ns,
                            GError **error);

/* Cuts the clip, then records @spec on @batch with the clip's facts (spec->evidence is
 * ignored and replaced).  On failure no clip file is left behind. */
gboolean pt_evidence_add_event(PtStation *station, PtStore *store, PtBatch *batch,
                               const PtEventSpec *spec, const char *camera, gint64 from_ns,
                               gint64 to_ns, PtEventRow *out, GError **error);

G_END_DECLS
