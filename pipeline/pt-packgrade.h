/* pt-packgrade.h: the `packgrade` element, a video filter that grades the fruit in view with
 * models/ and follows them along the belt (pt-fruit-track.h).  Built into the station (see
 * pt_packgrade_register()) and as the plugin libgstpackgrade.so:
 *
 *   GST_PLUGIN_PATH=build/pipeline gst-launch-1.0 videotestsrc num-buffers=50 ! \
 *     video/x-raw,format=I420,width=1280,height=720 ! \
 *     packgrade profile=orange-unece mm-per-px=0.3 belt-direction=right ! fakesink
 *
 * Per graded frame, one GstVideoRegionOfInterestMeta per fruit (roi_type "fruit", id = track
 * id) with a "grade" structure param; per fruit, once, when its track ends (it left the view,
 * or at EOS), an element message "packgrade-fruit" with the combined grade.  Fields of both
 * (message only: views, first-pts, last-pts):
 *   track-id (guint64), class (string: Extra, I, II, out, none), rule (string),
 *   confidence (double 0..1), size-code (string, "" when no band), diameter-mm, length-mm,
 *   area-mm2, weight-g, ripe-fraction, green-fraction (double), defect-count (uint),
 *   defect-area-mm2, defect-largest-mm2, defect-longest-mm (double),
 *   defect-kind (string: the largest defect's kind, "" without defects), partial (boolean). */
#pragma once

#include "pt-models.h"

#include <gst/video/gstvideofilter.h>
#include <gst/video/video.h>

G_BEGIN_DECLS

#define PT_TYPE_PACKGRADE (pt_packgrade_get_type())
G_DECLARE_FINAL_TYPE(PtPackgrade, pt_packgrade, PT, PACKGRADE, GstVideoFilter)

#define PT_PACKGRADE_MESSAGE "packgrade-fruit"

/* Registers "packgrade" with @plugin, or for this process only when @plugin is NULL (the
 * station, tests).  Safe to call more than once. */
gboolean pt_packgrade_register(GstPlugin *plugin);

/* Returns: (transfer full): the fields listed above for @fruit, in a structure @name. */
GstStructure *pt_packgrade_fruit_structure(const char *name, const PtFruit *fruit);

G_END_DECLS
