/* pt-http-admin.c: who may use the station, managed from the dashboard by an admin, as
 * `packtrace user` and `packtrace apikey` do from the shell.  Rare requests: a few a month.
 *
 *   GET    /api/v1/users            the users (never a password hash)
 *   POST   /api/v1/users            {"name", "role", "scope", "password"} adds one (201)
 *   DELETE /api/v1/users/{name}     removes one; their sessions end at once
 *   GET    /api/v1/apikeys          the keys, live and revoked (never a key or its hash)
 *   POST   /api/v1/apikeys          {"name", "role", "scope"}: a key, in this answer only (201)
 *   DELETE /api/v1/apikeys/{id}     revokes one
 *
 * An admin cannot remove their own user here: the last admin locking the station out is
 * undone only from the shell. */
#include "pt-http-admin.h"

#include "pt-http-respond.h"

#include "pt-auth.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-store-auth.h"
#include "pt-time.h"

#include <string.h>

static json_t *
account_to_json(const PtAccount *a, gboolean key)
{
  g_autofree char *created = pt_time_format(a->created_ns);
  json_t *o = json_pack("{sssssoss}", "name", a->name, "role", a->role, "scope",
                        pt_json_string_or_null(a->scope_gln), "created", created);
  if (key) {
    g_autofree char *revoked = a->revoked_ns ? pt_time_format(a->revoked_ns) : NULL;
    json_object_set_new(o, "id", json_integer(a->id));
    json_object_set_new(o, "revoked", pt_json_string_or_null(revoked));
  }
  return o;
}

static enum MHD_Result
list_accounts(const PtHttpCall *call, gboolean keys)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) list =
      keys ? pt_store_apikey_list(call->store, &error) : pt_store_user_list(call->store, &error);
  if (!list)
    return pt_http_respond_gerror(call->c, error);
  json_t *arr = json_array();
  for (guint i = 0; i < list->len; i++)
    json_array_append_new(arr, account_to_json(g_ptr_array_index(list, i), keys));
  return pt_http_respond_json(call->c, MHD_HTTP_OK, json_pack("{so}", keys ? "keys" : "users", arr),
                              NULL);
}

/* GET /api/v1/users */
static enum MHD_Result
list_users(const PtHttpCall *call)
{
  return list_accounts(call, FALSE);
}

/* GET /api/v1/apikeys */
static enum MHD_Result
list_keys(const PtHttpCall *call)
{
  return list_accounts(call, TRUE);
}

/* POST /api/v1/users {"name", "role", "scope", "password"} */
static enum MHD_Result
add_user(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  json_t *body = pt_http_body_json(call->req, FALSE, &error);
  const char *name = NULL, *role = NULL, *scope = NULL, *password = NULL;
  const PtJsonField fields[] = {
      {"name", &name}, {"role", &role}, {"scope", &scope}, {"password", &password}};
  gboolean ok = FALSE;
  if (body && pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error)) {
    if (!name || !role || !password)
      g_set_error_literal(&error, PT_ERROR, PT_ERROR_INVALID,
                          "body is {\"name\", \"role\", \"password\", \"scope\" (buyers)}");
    else
      ok = pt_auth_user_add(call->store, name, role, scope && scope[0] ? scope : NULL, password,
                            &error);
  }
  json_t *o = ok ? json_pack("{ssss}", "name", name, "role", role) : NULL;
  json_decref(body);
  return o ? pt_http_respond_json(call->c, MHD_HTTP_CREATED, o, NULL)
           : pt_http_respond_gerror(call->c, error);
}

/* DELETE /api/v1/users/{name} */
static enum MHD_Result
remove_user(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  if (strcmp(call->args[0], call->who->name) == 0)
    return pt_http_respond_error(call->c, MHD_HTTP_CONFLICT,
                                 "you cannot remove your own user here (packtrace user remove)",
                                 NULL);
  if (!pt_auth_user_remove(call->store, call->args[0], &error))
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK, json_pack("{ss}", "removed", call->args[0]),
                              NULL);
}

/* POST /api/v1/apikeys {"name", "role", "scope"} */
static enum MHD_Result
add_key(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  json_t *body = pt_http_body_json(call->req, FALSE, &error);
  const char *name = NULL, *role = NULL, *scope = NULL;
  const PtJsonField fields[] = {{"name", &name}, {"role", &role}, {"scope", &scope}};
  gint64 id = 0;
  g_autofree char *key = NULL;
  if (body && pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error)) {
    if (!name || !role)
      g_set_error_literal(&error, PT_ERROR, PT_ERROR_INVALID,
                          "body is {\"name\", \"role\", \"scope\" (buyers)}");
    else
      key = pt_auth_apikey_add(call->store, name, role, scope && scope[0] ? scope : NULL, &id,
                               &error);
  }
  json_t *o =
      key ? json_pack("{sIssssss}", "id", (json_int_t)id, "name", name, "role", role, "key", key)
          : NULL;
  json_decref(body);
  return o ? pt_http_respond_json(call->c, MHD_HTTP_CREATED, o, NULL)
           : pt_http_respond_gerror(call->c, error);
}

/* DELETE /api/v1/apikeys/{id} */
static enum MHD_Result
revoke_key(const PtHttpCall *call)
{
  g_autoptr(GError) error = NULL;
  guint64 id = 0;
  if (!g_ascii_string_to_unsigned(call->args[0], 10, 1, G_MAXINT64, &id, NULL))
    return pt_http_respond_error(call->c, MHD_HTTP_NOT_FOUND, "no such API key", NULL);
  if (!pt_auth_apikey_revoke(call->store, (gint64)id, &error))
    return pt_http_respond_gerror(call->c, error);
  return pt_http_respond_json(call->c, MHD_HTTP_OK, json_pack("{sI}", "revoked", (json_int_t)id),
                              NULL);
}

static const PtHttpRoute admin_routes[] = {
    {"/api/v1/users", PT_HTTP_GET, PT_HTTP_ADMIN, list_users},
    {"/api/v1/users", PT_HTTP_POST, PT_HTTP_ADMIN, add_user},
    {"/api/v1/users/{name}", PT_HTTP_DELETE, PT_HTTP_ADMIN, remove_user},
    {"/api/v1/apikeys", PT_HTTP_GET, PT_HTTP_ADMIN, list_keys},
    {"/api/v1/apikeys", PT_HTTP_POST, PT_HTTP_ADMIN, add_key},
    {"/api/v1/apikeys/{id}", PT_HTTP_DELETE, PT_HTTP_ADMIN, revoke_key},
};

const PtHttpRouteTable pt_http_admin_routes = {admin_routes, G_N_ELEMENTS(admin_routes)};
