/* pt-http-tls.c: the optional TLS certificate and key of [http] (tls_cert=, tls_key=), read
 * and checked once at start so that a wrong file stops `packtrace run` with a line that
 * names it, rather than a daemon that will not start or a handshake that fails later. */
#include "pt-http-tls.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <gnutls/gnutls.h>
#include <gnutls/x509.h>

/* Reads [http] @key as a path (relative to the data directory) into @path_out. */
static char *
read_pem(PtStation *station, const char *key, char **path_out, GError **error)
{
  g_autofree char *value = g_key_file_get_string(station->config->keyfile, "http", key, NULL);
  if (value)
    g_strstrip(value);
  *path_out = !value || !*value           ? NULL
              : g_path_is_absolute(value) ? g_strdup(value)
                                          : g_build_filename(station->dir, value, NULL);
  if (!*path_out)
    return NULL;
  char *text = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents(*path_out, &text, &len, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "[http] %s: %s", key, local->message);
    return NULL;
  }
  if (len > PT_TLS_FILE_MAX || !g_strstr_len(text, (gssize)len, "-----BEGIN ")) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[http] %s: %s is not a PEM file%s", key,
                *path_out, len > PT_TLS_FILE_MAX ? " (too large)" : "");
    g_free(text);
    return NULL;
  }
  return text;
}

gboolean
pt_http_tls_load(PtStation *station, char **cert_out, char **key_out, GError **error)
{
  g_autofree char *cert_path = NULL, *key_path = NULL;
  *cert_out = *key_out = NULL;
  g_autofree char *cert = read_pem(station, "tls_cert", &cert_path, error);
  if (cert_path && !cert)
    return FALSE;
  g_autofree char *key = read_pem(station, "tls_key", &key_path, error);
  if (key_path && !key)
    return FALSE;
  if (!cert_path && !key_path)
    return TRUE;
  if (!cert_path || !key_path) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[http] TLS needs both tls_cert and tls_key (only %s is set)",
                cert_path ? "tls_cert" : "tls_key");
    return FALSE;
  }
  /* The same check libmicrohttpd's GnuTLS makes, here to say which part is wrong. */
  gnutls_certificate_credentials_t creds;
  if (gnutls_certificate_allocate_credentials(&creds) != GNUTLS_E_SUCCESS) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "cannot set up TLS (out of memory)");
    return FALSE;
  }
  const gnutls_datum_t c = {(unsigned char *)cert, (unsigned)strlen(cert)};
  const gnutls_datum_t k = {(unsigned char *)key, (unsigned)strlen(key)};
  int rc = gnutls_certificate_set_x509_key_mem(creds, &c, &k, GNUTLS_X509_FMT_PEM);
  gnutls_certificate_free_credentials(creds);
  if (rc < 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[http] tls_cert %s and tls_key %s: %s",
                cert_path, key_path,
                rc == GNUTLS_E_CERTIFICATE_KEY_MISMATCH
                    ? "the key does not belong to the certificate"
                    : gnutls_strerror(rc));
    return FALSE;
  }
  *cert_out = g_steal_pointer(&cert);
  *key_out = g_steal_pointer(&key);
  return TRUE;
}
