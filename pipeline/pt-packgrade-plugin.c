/* pt-packgrade-plugin.c: the plugin entry of libgstpackgrade.so, so that packgrade also
 * runs outside the station: GST_PLUGIN_PATH=build/pipeline gst-inspect-1.0 packgrade */
#include "pt-packgrade.h"

static gboolean
plugin_init(GstPlugin *plugin)
{
  return pt_packgrade_register(plugin);
}

GST_PLUGIN_DEFINE(GST_VERSION_MAJOR, GST_VERSION_MINOR, packgrade,
                  "Fruit grading for packing lines (packtrace models/)", plugin_init,
                  PACKTRACE_VERSION, "MIT/X11", "packtrace", "https://trace.example.coop/")
