/* pt-auth.h: who may use the station: users with passwords (admin, operator, buyer), API keys
 * for platforms and scripts (operator, buyer), and the login sessions of users.  The rules
 * live here (names, password strength, argon2id, random secrets, lifetimes); the rows in
 * pt-store-auth.c; the HTTP side (cookies, CSRF, roles per route) in pt-http-auth.c.
 *
 * Secrets are shown once and stored only as hashes: passwords with argon2id (libsodium's
 * interactive limits), API keys and session ids with SHA-256 (32 random bytes each). */
#pragma once

#include "pt-store-auth.h"

#include <glib.h>

G_BEGIN_DECLS

/* How long a session lives: since its last use, and at most since the login. */
typedef struct {
  gint64 idle_ns;
  gint64 max_ns;
} PtAuthLifetimes;

/* A new login session: the cookie value, the CSRF token and who it is. */
typedef struct {
  char *id;   /* goes into the pt_session cookie; stored only hashed */
  char *csrf; /* X-CSRF-Token of state-changing requests made with the cookie */
  PtAccount *account;
} PtAuthSession;

void pt_auth_session_free(PtAuthSession *session);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtAuthSession, pt_auth_session_free)

/* Checks @role (admin|operator|buyer; keys: operator|buyer) and @scope ("all", NULL or a
 * GLN; a GLN only for buyers) into *@gln_out (transfer full; NULL = all). */
gboolean pt_auth_check_role_scope(const char *role, const char *scope, gboolean for_key,
                                  char **gln_out, GError **error);

/* Refuses empty, short (PT_AUTH_PASSWORD_MIN), over-long, one repeated character, or the
 * user's own name. */
gboolean pt_auth_check_password(const char *name, const char *password, GError **error);

gboolean pt_auth_user_add(PtStore *store, const char *name, const char *role, const char *scope,
                          const char *password, GError **error);
/* Also ends the user's sessions.  No such user is PT_ERROR_NOT_FOUND. */
gboolean pt_auth_user_remove(PtStore *store, const char *name, GError **error);

/* Returns: (transfer full): the new key (shown once, never stored), its row id in @id_out. */
char *pt_auth_apikey_add(PtStore *store, const char *name, const char *role, const char *scope,
                         gint64 *id_out, GError **error);
/* No such live key is PT_ERROR_NOT_FOUND. */
gboolean pt_auth_apikey_revoke(PtStore *store, gint64 id, GError **error);
/* Returns: (transfer full) (nullable): the live key @key is; NULL without an error when it is
 * none. */
PtAccount *pt_auth_apikey_check(PtStore *store, const char *key, GError **error);

/* Checks @name and @password.  TRUE with *@out NULL when they are wrong; the argon2id
 * verification runs for unknown names as well, so the answer's time does not tell them
 * apart.  Purges expired sessions. */
gboolean pt_auth_login(PtStore *store, const PtAuthLifetimes *lifetimes, const char *name,
                       const char *password, PtAuthSession **out, GError **error);
/* Returns: (transfer full) (nullable): the user of live session @id (its CSRF token in
 * @csrf_out, transfer full); NULL without an error when it is unknown or expired. */
PtAccount *pt_auth_session_check(PtStore *store, const PtAuthLifetimes *lifetimes, const char *id,
                                 char **csrf_out, GError **error);
gboolean pt_auth_logout(PtStore *store, const char *id, GError **error);

/* The halves of pt_auth_login, for a caller that runs the argon2id check elsewhere (the
 * HTTP server's PtAuthPool).  Finds @name's account and password hash into @account_out and
 * @hash_out (both transfer full; both NULL for an unknown or over-long name). */
gboolean pt_auth_login_find(PtStore *store, const char *name, PtAccount **account_out,
                            char **hash_out, GError **error);
/* TRUE when @password matches @hash (nullable: an unknown name, checked against a hash no
 * password matches, so that it costs the same).  Slow on purpose: one argon2id run. */
gboolean pt_auth_password_matches(const char *hash, const char *password);
/* Opens a session for @account (transfer full) whose password matched into *@out (transfer
 * full).  Purges expired sessions. */
gboolean pt_auth_session_open(PtStore *store, const PtAuthLifetimes *lifetimes, PtAccount *account,
                              PtAuthSession **out, GError **error);

/* A few threads that check passwords, with a bounded queue: sign-ins over HTTP wait there
 * instead of holding a worker thread for an argon2id run.
 * Lifecycle: pt_auth_pool_new() -> pt_auth_pool_check() from any thread ->
 * pt_auth_pool_stop() (runs what is queued, refuses more) -> pt_auth_pool_free(). */
typedef struct _PtAuthPool PtAuthPool;
/* Called on a pool thread with the outcome of a check; @data as given. */
typedef void (*PtAuthChecked)(gboolean ok, gpointer data);

/* @threads (at least 1) checks at once, @queue_max more waiting.  Returns: (transfer full)
 * (nullable): NULL with @error set when the threads cannot start. */
PtAuthPool *pt_auth_pool_new(guint threads, guint queue_max, GError **error);
/* Queues the check of @password against @hash (nullable: the dummy hash), both copied (the
 * copy of the password is wiped after).  FALSE when the queue is full or the pool stopping:
 * @done is then not called; else @done is called exactly once, on a pool thread. */
gboolean pt_auth_pool_check(PtAuthPool *pool, const char *hash, const char *password,
                            PtAuthChecked done, gpointer data);
/* Runs the checks queued, refuses new ones, and returns when they are done.  Safe on NULL and
 * more than once. */
void pt_auth_pool_stop(PtAuthPool *pool);
/* Stops the pool, then frees it.  Safe on NULL. */
void pt_auth_pool_free(PtAuthPool *pool);

/* Computes the dummy hash unknown names are verified against, so the first such login
 * costs no more than the others.  Safe to call more than once. */
void pt_auth_prepare(void);

G_END_DECLS
