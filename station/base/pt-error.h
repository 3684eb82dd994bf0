/* pt-error.h: the station's error domain.  Every fallible call returns gboolean or a
 * pointer and takes a trailing GError **; these codes let the CLI and the HTTP
 * server pick an exit status or a status code without parsing messages. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_ERROR (pt_error_quark())
GQuark pt_error_quark(void);

typedef enum {
  PT_ERROR_FAILED,    /* anything else; HTTP 500 */
  PT_ERROR_INVALID,   /* input breaks a rule; HTTP 400 / 422 */
  PT_ERROR_MALFORMED, /* input cannot be parsed; HTTP 400 */
  PT_ERROR_TOO_LARGE, /* over a limit of pt-limits.h; HTTP 413 */
  PT_ERROR_NOT_FOUND, /* HTTP 404 */
  PT_ERROR_CONFLICT,  /* state forbids it (a recalled batch cannot be held); HTTP 409 */
  PT_ERROR_BUSY,      /* database locked by another writer; HTTP 503 */
  PT_ERROR_IO,        /* file system */
  PT_ERROR_TAMPERED,  /* verify / audit found a break */
  PT_ERROR_FORBIDDEN, /* the caller may not do this to that (another buyer's notice); HTTP 403 */
} PtError;

/* The HTTP status that answers @error: 400 for bad input, 403, 404, 409, 413, 503 for a
 * locked database, 500 for anything else. */
unsigned pt_error_http_status(const GError *error);

G_END_DECLS
