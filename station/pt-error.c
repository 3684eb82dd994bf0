/* pt-error.c: the station's GError domain. */
#include "pt-error.h"

G_DEFINE_QUARK(pt - error - quark, pt_error)
