/* pt-error.c: the station's GError domain. */
#include "pt-error.h"

G_DEFINE_QUARK(packtrace_error, pt_error)

unsigned
pt_error_http_status(const GError *error)
{
  if (error->domain != PT_ERROR)
    return 500;
  switch ((PtError)error->code) {
  case PT_ERROR_INVALID:
  case PT_ERROR_MALFORMED:
    return 400;
  case PT_ERROR_FORBIDDEN:
    return 403;
  case PT_ERROR_NOT_FOUND:
    return 404;
  case PT_ERROR_CONFLICT:
    return 409;
  case PT_ERROR_TOO_LARGE:
    return 413;
  case PT_ERROR_BUSY:
    return 503;
  default:
    return 500;
  }
}
