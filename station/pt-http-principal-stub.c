/* pt-http-principal-stub.c: the smallest principal the buyer routes can be written against
 * until accounts and API keys land: the operator's Bearer token is an operator, anything
 * else is the public.  The accounts module replaces this file with the same functions. */
#include "pt-http-private.h"

PtPrincipal *
pt_http_principal(PtHttp *http, struct MHD_Connection *c)
{
  PtPrincipal *p = g_new0(PtPrincipal, 1);
  gboolean operator_ = pt_http_operator(http, c);
  p->role = operator_ ? PT_ROLE_OPERATOR : PT_ROLE_PUBLIC;
  p->name = g_strdup(operator_ ? "operator" : "public");
  return p;
}

void
pt_principal_free(PtPrincipal *p)
{
  if (!p)
    return;
  g_free(p->name);
  g_free(p->scope_gln);
  g_free(p);
}

gboolean
pt_http_require(PtHttp *http, struct MHD_Connection *c, PtRole min, gboolean write,
                PtPrincipal **out, enum MHD_Result *response)
{
  g_autoptr(PtPrincipal) p = pt_http_principal(http, c);
  if (p->role < min) {
    *response =
        p->role == PT_ROLE_PUBLIC
            ? pt_http_respond_error(c, MHD_HTTP_UNAUTHORIZED,
                                    "this needs credentials: Authorization: Bearer TOKEN", NULL)
            : pt_http_respond_error(c, MHD_HTTP_FORBIDDEN, "your role may not do this", NULL);
    return FALSE;
  }
  /* No session cookies here, so no CSRF token to check for @write. */
  (void)write;
  if (out)
    *out = g_steal_pointer(&p);
  return TRUE;
}
