/* pt-http-tls.h: the server's certificate and key (pt-http-tls.c). */
#pragma once

#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

/* [http] tls_cert and tls_key: paths (relative ones to the data directory), both or
 * neither.  Reads both PEM files and checks that the key belongs to the certificate; TRUE
 * with *@cert_out NULL when TLS is off.  Outs: (transfer full). */
gboolean pt_http_tls_load(PtStation *station, char **cert_out, char **key_out, GError **error);

G_END_DECLS
