/* pt-error.c: the station's GError domain. */
#include "pt-error.h"

G_DEFINE_QUARK(packtrace_error, pt_error)
