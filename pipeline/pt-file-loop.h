/* pt-file-loop.h (private to pipeline/): plays an H.264 file in an endless loop into the
 * appsrc of a camera pipeline, paced in real time and stamped as if a camera produced it.
 * A private reader pipeline (filesrc ! parsebin ! h264parse ! appsink sync=true) is seeked
 * back to the start at each end of file; the camera pipeline never sees a seek or an EOS. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _PtFileLoop PtFileLoop;

/* Builds the reader for @path feeding @appsrc (a live appsrc in @camera_pipeline, which must
 * use a clock before pt_file_loop_start()).  Returns: (transfer full) (nullable) */
PtFileLoop *pt_file_loop_new(const char *path, GstElement *appsrc, GError **error);
/* Starts reading; call after the camera pipeline is PLAYING. */
gboolean pt_file_loop_start(PtFileLoop *loop, GError **error);
/* Stops the reader and frees it.  Safe on NULL. */
void pt_file_loop_free(PtFileLoop *loop);

G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtFileLoop, pt_file_loop_free)

G_END_DECLS
