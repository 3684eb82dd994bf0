/* pt-auth.c: users, API keys and sessions, and the pool that checks passwords (see
 * pt-auth.h).
 *
 * Workload: user and key changes are rare CLI commands; a login costs one argon2id
 * verification (about 64 MiB and tens of milliseconds, on purpose); every request with a key
 * or a cookie costs one SHA-256 and one indexed read.  Over HTTP the argon2id run happens
 * on PtAuthPool's few threads, never on a worker that other requests wait for: a flood of
 * sign-ins then fills a bounded queue and is refused, instead of stalling the station. */
#include "pt-auth.h"

#include "pt-error.h"
#include "pt-gs1.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

#define SECRET_BYTES 32
#define KEY_PREFIX   "ptk_"

void
pt_auth_session_free(PtAuthSession *session)
{
  if (!session)
    return;
  g_free(session->id);
  g_free(session->csrf);
  pt_account_free(session->account);
  g_free(session);
}

static char *
random_hex(void)
{
  guint8 bytes[SECRET_BYTES];
  randombytes_buf(bytes, sizeof bytes);
  char *hex = pt_hex_encode(bytes, sizeof bytes);
  sodium_memzero(bytes, sizeof bytes);
  return hex;
}

/* Returns: (transfer full): the SHA-256 of @secret in hex, what the store keeps. */
static char *
secret_hash(const char *secret)
{
  guint8 sum[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(sum, (const guint8 *)secret, strlen(secret));
  return pt_hex_encode(sum, sizeof sum);
}

static gboolean
check_name(const char *what, const char *name, GError **error)
{
  gsize n = strlen(name);
  if (n == 0 || n > PT_AUTH_NAME_MAX ||
      strspn(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._@-") != n) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "%s name '%s' must be 1 to %d of A-Z a-z 0-9 . _ @ -", what, name,
                PT_AUTH_NAME_MAX);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_auth_check_role_scope(const char *role, const char *scope, gboolean for_key, char **gln_out,
                         GError **error)
{
  gboolean buyer = g_strcmp0(role, "buyer") == 0;
  if (!buyer && g_strcmp0(role, "operator") != 0 && (for_key || g_strcmp0(role, "admin") != 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "role must be %s, not '%s'",
                for_key ? "buyer or operator" : "admin, operator or buyer", role ? role : "");
    return FALSE;
  }
  *gln_out = NULL;
  if (!scope || strcmp(scope, "all") == 0)
    return TRUE;
  if (!buyer) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "only buyers have a scope; a %s sees all batches", role);
    return FALSE;
  }
  g_autoptr(GError) local = NULL;
  if (strlen(scope) != 13 || !pt_gs1_validate_key("GLN", scope, 13, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "scope must be all or a 13-digit GLN: %s",
                local ? local->message : "wrong length");
    return FALSE;
  }
  *gln_out = g_strdup(scope);
  return TRUE;
}

gboolean
pt_auth_check_password(const char *name, const char *password, GError **error)
{
  gsize n = strlen(password);
  const char *why = NULL;
  if (n == 0)
    why = "is empty";
  else if (n < PT_AUTH_PASSWORD_MIN)
    why = "is too short (at least " G_STRINGIFY(PT_AUTH_PASSWORD_MIN) " characters)";
  else if (n > PT_AUTH_PASSWORD_MAX)
    why = "is too long (at most " G_STRINGIFY(PT_AUTH_PASSWORD_MAX) " bytes)";
  else if (!g_utf8_validate(password, (gssize)n, NULL))
    why = "is not UTF-8 text";
  else if (strspn(password, (char[]){password[0], '\0'}) == n)
    why = "is one character repeated";
  else if (g_ascii_strcasecmp(password, name) == 0)
    why = "is the user's name";
  if (why) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the password %s", why);
    return FALSE;
  }
  return TRUE;
}

gboolean
pt_auth_user_add(PtStore *store, const char *name, const char *role, const char *scope,
                 const char *password, GError **error)
{
  g_autofree char *gln = NULL;
  if (!check_name("user", name, error) ||
      !pt_auth_check_role_scope(role, scope, FALSE, &gln, error) ||
      !pt_auth_check_password(name, password, error))
    return FALSE;
  char hash[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "out of memory hashing the password");
    return FALSE;
  }
  return pt_store_user_insert(store, name, role, gln, hash, pt_now_ns(), error);
}

gboolean
pt_auth_user_remove(PtStore *store, const char *name, GError **error)
{
  gboolean found = FALSE;
  if (!pt_store_user_delete(store, name, &found, error))
    return FALSE;
  if (!found) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no user %s", name);
    return FALSE;
  }
  return TRUE;
}

char *
pt_auth_apikey_add(PtStore *store, const char *name, const char *role, const char *scope,
                   gint64 *id_out, GError **error)
{
  g_autofree char *gln = NULL;
  if (!check_name("API key", name, error) ||
      !pt_auth_check_role_scope(role, scope, TRUE, &gln, error))
    return NULL;
  guint8 bytes[SECRET_BYTES];
  char b64[sodium_base64_ENCODED_LEN(SECRET_BYTES, sodium_base64_VARIANT_URLSAFE_NO_PADDING)];
  randombytes_buf(bytes, sizeof bytes);
  sodium_bin2base64(b64, sizeof b64, bytes, sizeof bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  sodium_memzero(bytes, sizeof bytes);
  g_autofree char *key = g_strconcat(KEY_PREFIX, b64, NULL);
  sodium_memzero(b64, sizeof b64);
  g_autofree char *hash = secret_hash(key);
  if (!pt_store_apikey_insert(store, name, role, gln, hash, pt_now_ns(), id_out, error))
    return NULL;
  return g_steal_pointer(&key);
}

gboolean
pt_auth_apikey_revoke(PtStore *store, gint64 id, GError **error)
{
  gboolean found = FALSE;
  if (!pt_store_apikey_revoke(store, id, pt_now_ns(), &found, error))
    return FALSE;
  if (!found) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "no API key %" G_GINT64_FORMAT " (or it is revoked already)", id);
    return FALSE;
  }
  return TRUE;
}

PtAccount *
pt_auth_apikey_check(PtStore *store, const char *key, GError **error)
{
  if (!g_str_has_prefix(key, KEY_PREFIX))
    return NULL;
  g_autofree char *hash = secret_hash(key);
  return pt_store_apikey_get_by_hash(store, hash, error);
}

static gpointer
make_dummy_hash(gpointer unused)
{
  char *hash = g_malloc(crypto_pwhash_STRBYTES);
  g_autofree char *password = random_hex();
  if (crypto_pwhash_str(hash, password, strlen(password), crypto_pwhash_OPSLIMIT_INTERACTIVE,
                        crypto_pwhash_MEMLIMIT_INTERACTIVE) != 0)
    g_error("out of memory hashing the dummy password");
  return hash;
}

static const char *
dummy_hash(void)
{
  static GOnce once = G_ONCE_INIT;
  return g_once(&once, make_dummy_hash, NULL);
}

void
pt_auth_prepare(void)
{
  dummy_hash();
}

gboolean
pt_auth_login_find(PtStore *store, const char *name, PtAccount **account_out, char **hash_out,
                   GError **error)
{
  *account_out = NULL;
  *hash_out = NULL;
  if (strlen(name) > PT_AUTH_NAME_MAX)
    return TRUE;
  g_autoptr(GError) local = NULL;
  g_autofree char *hash = NULL;
  PtAccount *account = pt_store_user_get(store, name, &hash, &local);
  if (local) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  if (account) {
    *account_out = account;
    *hash_out = g_steal_pointer(&hash);
  }
  return TRUE;
}

gboolean
pt_auth_password_matches(const char *hash, const char *password)
{
  gsize n = strlen(password);
  /* Unknown names are verified too, against a hash no password matches, so both cost the
   * same argon2id run. */
  gboolean ok = crypto_pwhash_str_verify(hash ? hash : dummy_hash(), password, n) == 0;
  return ok && hash && n <= PT_AUTH_PASSWORD_MAX;
}

gboolean
pt_auth_login(PtStore *store, const PtAuthLifetimes *lifetimes, const char *name,
              const char *password, PtAuthSession **out, GError **error)
{
  *out = NULL;
  g_autofree char *hash = NULL;
  g_autoptr(PtAccount) account = NULL;
  if (strlen(password) > PT_AUTH_PASSWORD_MAX)
    return TRUE;
  if (!pt_auth_login_find(store, name, &account, &hash, error))
    return FALSE;
  if (!pt_auth_password_matches(hash, password) || !account)
    return TRUE;
  return pt_auth_session_open(store, lifetimes, g_steal_pointer(&account), out, error);
}

gboolean
pt_auth_session_open(PtStore *store, const PtAuthLifetimes *lifetimes, PtAccount *account_in,
                     PtAuthSession **out, GError **error)
{
  g_autoptr(PtAccount) account = account_in;
  *out = NULL;
  gint64 now = pt_now_ns();
  if (!pt_store_session_purge(store, now - lifetimes->idle_ns, now - lifetimes->max_ns, error))
    return FALSE;
  g_autoptr(PtAuthSession) session = g_new0(PtAuthSession, 1);
  session->id = random_hex();
  session->csrf = random_hex();
  g_autofree char *id_hash = secret_hash(session->id);
  if (!pt_store_session_insert(store, id_hash, account->id, session->csrf, now, error))
    return FALSE;
  session->account = g_steal_pointer(&account);
  *out = g_steal_pointer(&session);
  return TRUE;
}

PtAccount *
pt_auth_session_check(PtStore *store, const PtAuthLifetimes *lifetimes, const char *id,
                      char **csrf_out, GError **error)
{
  if (strlen(id) != 2 * SECRET_BYTES)
    return NULL;
  g_autofree char *id_hash = secret_hash(id);
  g_autofree char *csrf = NULL;
  gint64 created_ns = 0, last_ns = 0;
  g_autoptr(PtAccount) account =
      pt_store_session_get(store, id_hash, &csrf, &created_ns, &last_ns, error);
  if (!account)
    return NULL;
  gint64 now = pt_now_ns();
  if (now - last_ns > lifetimes->idle_ns || now - created_ns > lifetimes->max_ns) {
    pt_store_session_delete(store, id_hash, error);
    return NULL;
  }
  /* Writing every request's time would make each read a write; a quarter of the idle
   * lifetime (at most a minute) late is precise enough. */
  gint64 touch_ns =
      MIN(lifetimes->idle_ns / 4, PT_AUTH_TOUCH_MAX_S * G_GINT64_CONSTANT(1000000000));
  if (now - last_ns > touch_ns && !pt_store_session_touch(store, id_hash, now, error))
    return NULL;
  *csrf_out = g_steal_pointer(&csrf);
  return g_steal_pointer(&account);
}

gboolean
pt_auth_logout(PtStore *store, const char *id, GError **error)
{
  g_autofree char *id_hash = secret_hash(id);
  return pt_store_session_delete(store, id_hash, error);
}

/* The password pool.  @queued counts the checks pushed and not yet done (running ones
 * included); over threads + queue_max a check is refused. */
struct _PtAuthPool {
  GMutex lock; /* guards queued and stopping; pushes happen under it */
  GThreadPool *threads;
  guint queued, capacity;
  gboolean stopping;
};

typedef struct {
  char *hash; /* nullable: the dummy hash */
  char *password;
  PtAuthChecked done;
  gpointer data;
} Check;

static void
check_run(gpointer data, gpointer pool_data)
{
  Check *check = data;
  PtAuthPool *pool = pool_data;
  gboolean ok = pt_auth_password_matches(check->hash, check->password);
  sodium_memzero(check->password, strlen(check->password));
  g_free(check->password);
  g_free(check->hash);
  g_mutex_lock(&pool->lock);
  pool->queued--;
  g_mutex_unlock(&pool->lock);
  check->done(ok, check->data);
  g_free(check);
}

PtAuthPool *
pt_auth_pool_new(guint threads, guint queue_max, GError **error)
{
  g_return_val_if_fail(threads > 0, NULL);
  dummy_hash();
  PtAuthPool *pool = g_new0(PtAuthPool, 1);
  g_mutex_init(&pool->lock);
  pool->capacity = threads + queue_max;
  pool->threads = g_thread_pool_new(check_run, pool, (gint)threads, TRUE, error);
  if (!pool->threads) {
    g_mutex_clear(&pool->lock);
    g_free(pool);
    return NULL;
  }
  return pool;
}

gboolean
pt_auth_pool_check(PtAuthPool *pool, const char *hash, const char *password, PtAuthChecked done,
                   gpointer data)
{
  gboolean taken = FALSE;
  g_mutex_lock(&pool->lock);
  if (!pool->stopping && pool->queued < pool->capacity) {
    Check *check = g_new(Check, 1);
    check->hash = g_strdup(hash);
    check->password = g_strdup(password);
    check->done = done;
    check->data = data;
    pool->queued++;
    taken = g_thread_pool_push(pool->threads, check, NULL);
    if (!taken) {
      pool->queued--;
      sodium_memzero(check->password, strlen(check->password));
      g_free(check->password);
      g_free(check->hash);
      g_free(check);
    }
  }
  g_mutex_unlock(&pool->lock);
  return taken;
}

void
pt_auth_pool_stop(PtAuthPool *pool)
{
  if (!pool)
    return;
  g_mutex_lock(&pool->lock);
  gboolean first = !pool->stopping;
  pool->stopping = TRUE;
  g_mutex_unlock(&pool->lock);
  if (first)
    g_thread_pool_free(pool->threads, FALSE, TRUE);
}

void
pt_auth_pool_free(PtAuthPool *pool)
{
  if (!pool)
    return;
  pt_auth_pool_stop(pool);
  g_mutex_clear(&pool->lock);
  g_free(pool);
}
