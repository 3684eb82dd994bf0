/* pt-store-auth.h: the store's side of access control: users (argon2id password strings),
 * API keys and login sessions (both by the SHA-256 of their secret, never the secret), and
 * which batches a buyer scoped to a GLN may see.  pt-auth.h holds the rules around them. */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* A user or an API key, as listed and as a request's credentials resolve. */
typedef struct {
  gint64 id;
  char *name;
  char *role;      /* "admin", "operator" or "buyer" (keys: operator or buyer) */
  char *scope_gln; /* buyers: NULL = all batches; else only batches on loads to this GLN */
  gint64 created_ns;
  gint64 revoked_ns; /* API keys: 0 while the key works */
} PtAccount;

void pt_account_free(PtAccount *account);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtAccount, pt_account_free)

/* A name that exists already is PT_ERROR_CONFLICT. */
gboolean pt_store_user_insert(PtStore *store, const char *name, const char *role,
                              const char *scope_gln, const char *password_hash, gint64 created_ns,
                              GError **error);
/* Returns: (transfer full) (nullable): the user, NULL without an error when there is none;
 * its argon2id string in @password_hash_out (transfer full). */
PtAccount *pt_store_user_get(PtStore *store, const char *name, char **password_hash_out,
                             GError **error);
/* Deletes the user and its sessions; *@found says whether there was one. */
gboolean pt_store_user_delete(PtStore *store, const char *name, gboolean *found, GError **error);
/* Returns: (transfer full) (element-type PtAccount): every user by name. */
GPtrArray *pt_store_user_list(PtStore *store, GError **error);

gboolean pt_store_apikey_insert(PtStore *store, const char *name, const char *role,
                                const char *scope_gln, const char *key_hash, gint64 created_ns,
                                gint64 *id_out, GError **error);
/* Returns: (transfer full) (nullable): the live key whose hash is @key_hash; NULL without an
 * error when there is none or it was revoked. */
PtAccount *pt_store_apikey_get_by_hash(PtStore *store, const char *key_hash, GError **error);
/* *@found is FALSE when there is no such key or it was revoked already. */
gboolean pt_store_apikey_revoke(PtStore *store, gint64 id, gint64 now_ns, gboolean *found,
                                GError **error);
/* Returns: (transfer full) (element-type PtAccount): every key, revoked ones too, by id. */
GPtrArray *pt_store_apikey_list(PtStore *store, GError **error);

gboolean pt_store_session_insert(PtStore *store, const char *id_hash, gint64 user_id,
                                 const char *csrf, gint64 now_ns, GError **error);
/* Returns: (transfer full) (nullable): the session's user, NULL without an error when there
 * is no such session; its CSRF token (transfer full), start and last use in the outs. */
PtAccount *pt_store_session_get(PtStore *store, const char *id_hash, char **csrf_out,
                                gint64 *created_ns_out, gint64 *last_ns_out, GError **error);
gboolean pt_store_session_touch(PtStore *store, const char *id_hash, gint64 now_ns, GError **error);
gboolean pt_store_session_delete(PtStore *store, const char *id_hash, GError **error);
/* Deletes the sessions last used before @idle_before_ns or started before
 * @created_before_ns. */
gboolean pt_store_session_purge(PtStore *store, gint64 idle_before_ns, gint64 created_before_ns,
                                GError **error);

/* Returns: (transfer full) (element-type gint64): the ids of the batches on loads to @gln,
 * newest first, a page of @limit from @offset. */
GArray *pt_store_batch_ids_to(PtStore *store, const char *gln, int limit, int offset,
                              GError **error);

G_END_DECLS
