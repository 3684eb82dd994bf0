/* pt-metrics.h: what a Prometheus scrape of the station reads (GET /metrics): the log and
 * batches, sync backlog and delivery per connector, cameras, grading, the print queue, the
 * data directory's disk, and the process.  The HTTP layer adds its own request series. */
#pragma once

#include "pt-recorder.h"
#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

/* Appends the station's series to @out in the text exposition format (base/pt-prom.h).
 * @recorder is nullable (no cameras: those series are left out).  Fails only when the
 * database cannot be read. */
gboolean pt_metrics_render(PtStation *station, PtStore *store, PtRecorder *recorder, GString *out,
                           GError **error);

G_END_DECLS
