/* pt-pipeline.h: the public contract of pipeline/ for the station.  Include this one header.
 *   pt-camera.h          PtCamera: recording, watchdog, callbacks
 *   pt-camera-config.h   PtCameraConfig
 *   pt-tap-frame.h       PtTapFrame from the frame tap
 *   pt-segment.h         segment paths, SHA-256, crash-recovery probe
 *   pt-clip.h            evidence clip export (MP4, faststart)
 *   pt-demo.h            demo footage
 *   pt-packgrade.h       the packgrade element (registered by pt_pipeline_init()), with
 *                        models/'s fruit tracker (pt-fruit-track.h)
 *   pt-mask.h            privacy masks and the ptmask element (registered by
 *                        pt_pipeline_init())
 *   pt-pipeline-limits.h every bound and default */
#pragma once

#include "pt-camera-config.h"
#include "pt-camera.h"
#include "pt-clip.h"
#include "pt-demo.h"
#include "pt-mask.h"
#include "pt-packgrade.h"
#include "pt-tap-frame.h"
#include "pt-pipeline-limits.h"
#include "pt-segment.h"

G_BEGIN_DECLS

/* gst_init() plus a check for the elements every camera needs; the error lists the
 * Debian packages to install.  Call once at start-up. */
gboolean pt_pipeline_init(int *argc, char ***argv, GError **error);

G_END_DECLS
