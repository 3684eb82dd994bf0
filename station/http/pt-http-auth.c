/* pt-http-auth.c: who is asking and may they (pt_http_require, pt_http_require_driver,
 * called by the dispatcher for the access level of each route), the /api/v1/session routes
 * (sign in, who am I, sign out), and the rate limits on failed logins, on public routes and
 * on each driver token.
 *
 * Every protected request resolves its credentials: station.ini's operator token (a
 * constant-time compare), an API key or a session cookie (a SHA-256 and one indexed read).
 * A login costs an argon2id verification, which runs on a small pool of its own
 * (PtAuthPool, [http] hash_threads and hash_queue) while the connection is suspended;
 * logins are rate-limited per client address and per (user name, address) before it runs,
 * and a full queue answers 503 with Retry-After at once. */
#include "pt-http-auth.h"

#include "pt-http-respond.h"

#include "pt-auth.h"

#include "pt-driver.h"
#include "pt-error.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-rate.h"
#include "pt-store-buyer.h"
#include "pt-time.h"

#include <sodium.h>
#include <string.h>

#define COOKIE     "pt_session"
#define CSRF_HDR   "X-CSRF-Token"
#define NEED_LOGIN "sign in (POST /api/v1/session) or send a token: Authorization: Bearer TOKEN"

struct _PtHttpAuth {
  PtAuthLifetimes lifetimes;
  PtRateLimit *logins; /* keys "ip:ADDR" and "user:ADDR:NAME" */
  PtRateLimit *public; /* keys ADDR; NULL: off */
  PtAuthPool *pool;    /* owned; NULL: passwords are checked on the calling thread */
};

/* Reads [http] @key as an integer @lo..@hi into *@out (default already there). */
static gboolean
read_int(GKeyFile *kf, const char *key, gint64 lo, gint64 hi, gint64 *out, GError **error)
{
  g_autofree char *v = g_key_file_get_string(kf, "http", key, NULL);
  if (v)
    g_strstrip(v);
  if (!v || !*v)
    return TRUE;
  guint64 n;
  if (!g_ascii_string_to_unsigned(v, 10, (guint64)lo, (guint64)hi, &n, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "station.ini: [http] %s '%s' must be an integer %" G_GINT64_FORMAT
                "..%" G_GINT64_FORMAT,
                key, v, lo, hi);
    return FALSE;
  }
  *out = (gint64)n;
  return TRUE;
}

PtHttpAuth *
pt_http_auth_new(const PtConfig *config, gboolean pool, GError **error)
{
  GKeyFile *kf = config->keyfile;
  gint64 idle = PT_SESSION_IDLE_DEFAULT, max = PT_SESSION_MAX_DEFAULT;
  gint64 login_per_min = 6, login_burst = 5, public_per_s = 50, public_burst = 100;
  gint64 hash_threads = PT_AUTH_HASH_THREADS_DEFAULT, hash_queue = PT_AUTH_HASH_QUEUE_DEFAULT;
  if (!read_int(kf, "session_idle_s", 1, 7 * 24 * 3600, &idle, error) ||
      !read_int(kf, "session_max_s", 1, 30 * 24 * 3600, &max, error) ||
      !read_int(kf, "login_per_minute", 1, 600, &login_per_min, error) ||
      !read_int(kf, "login_burst", 1, 100, &login_burst, error) ||
      !read_int(kf, "public_per_second", 0, 100000, &public_per_s, error) ||
      !read_int(kf, "public_burst", 1, 1000000, &public_burst, error) ||
      !read_int(kf, "hash_threads", 1, PT_AUTH_HASH_THREADS_MAX, &hash_threads, error) ||
      !read_int(kf, "hash_queue", 0, PT_AUTH_HASH_QUEUE_MAX, &hash_queue, error))
    return NULL;
  PtAuthPool *checks = NULL;
  if (pool && !(checks = pt_auth_pool_new((guint)hash_threads, (guint)hash_queue, error)))
    return NULL;
  PtHttpAuth *auth = g_new0(PtHttpAuth, 1);
  auth->pool = checks;
  auth->lifetimes.idle_ns = idle * G_GINT64_CONSTANT(1000000000);
  auth->lifetimes.max_ns = max * G_GINT64_CONSTANT(1000000000);
  auth->logins =
      pt_rate_limit_new((double)login_per_min / 60.0, (double)login_burst, PT_AUTH_RATE_KEYS);
  if (public_per_s > 0)
    auth->public = pt_rate_limit_new((double)public_per_s, (double)public_burst, PT_AUTH_RATE_KEYS);
  /* The first unknown name then costs what the others do. */
  pt_auth_prepare();
  return auth;
}

void
pt_http_auth_free(PtHttpAuth *auth)
{
  if (!auth)
    return;
  pt_auth_pool_free(auth->pool);
  pt_rate_limit_free(auth->logins);
  if (auth->public)
    pt_rate_limit_free(auth->public);
  g_free(auth);
}

void
pt_http_auth_drain(PtHttpAuth *auth)
{
  if (auth)
    pt_auth_pool_stop(auth->pool);
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

static PtRole
role_from_text(const char *role)
{
  return strcmp(role, "admin") == 0      ? PT_ROLE_ADMIN
         : strcmp(role, "operator") == 0 ? PT_ROLE_OPERATOR
         : strcmp(role, "buyer") == 0    ? PT_ROLE_BUYER
                                         : PT_ROLE_PUBLIC;
}

static const char *
role_text(PtRole role)
{
  static const char *const names[] = {"public", "driver", "buyer", "operator", "admin"};
  return names[role];
}

static PtPrincipal *
principal_new(PtRole role, const char *name, const char *scope_gln, gboolean via_cookie)
{
  PtPrincipal *p = g_new0(PtPrincipal, 1);
  p->role = role;
  p->name = g_strdup(name);
  p->scope_gln = g_strdup(scope_gln);
  p->via_cookie = via_cookie;
  return p;
}

static PtPrincipal *
principal_from_account(const PtAccount *a, gboolean via_cookie)
{
  return principal_new(role_from_text(a->role), a->name, a->scope_gln, via_cookie);
}

/* TRUE when the request carries station.ini's operator token as its Bearer token. */
static gboolean
operator_token(PtHttp *http, struct MHD_Connection *c)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  const char *token = http->station->config->operator_token;
  if (!auth || g_ascii_strncasecmp(auth, "Bearer ", 7) != 0)
    return FALSE;
  const char *given = auth + 7;
  gsize n = strlen(token);
  return strlen(given) == n && sodium_memcmp(given, token, n) == 0;
}

/* The request's principal.  NULL only when the store fails (@error set).  For a cookie
 * session, its CSRF token goes to @csrf_out; @problem says why credentials that were sent
 * did not count (for the 401). */
static PtPrincipal *
resolve(PtHttp *http, struct MHD_Connection *c, char **csrf_out, const char **problem,
        GError **error)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  const char *cookie = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
  *problem = NULL;
  if (auth && g_ascii_strncasecmp(auth, "Bearer ", 7) == 0) {
    if (operator_token(http, c))
      return principal_new(PT_ROLE_OPERATOR, "operator-token", NULL, FALSE);
    PtStore *store = pt_http_worker_store(http, error);
    if (!store)
      return NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(PtAccount) key = pt_auth_apikey_check(store, auth + 7, &local);
    if (local) {
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
    if (key)
      return principal_from_account(key, FALSE);
    *problem = "the Bearer token is not the operator token nor a live API key";
    return principal_new(PT_ROLE_PUBLIC, NULL, NULL, FALSE);
  }
  if (cookie) {
    PtStore *store = pt_http_worker_store(http, error);
    if (!store)
      return NULL;
    g_autoptr(GError) local = NULL;
    g_autoptr(PtAccount) user =
        pt_auth_session_check(store, &http->auth->lifetimes, cookie, csrf_out, &local);
    if (local) {
      g_propagate_error(error, g_steal_pointer(&local));
      return NULL;
    }
    if (user)
      return principal_from_account(user, TRUE);
    *problem = "the session has expired or ended; sign in again";
  }
  return principal_new(PT_ROLE_PUBLIC, NULL, NULL, FALSE);
}

static gboolean
csrf_ok(struct MHD_Connection *c, const char *csrf)
{
  const char *given = MHD_lookup_connection_value(c, MHD_HEADER_KIND, CSRF_HDR);
  gsize n = csrf ? strlen(csrf) : 0;
  return n && given && strlen(given) == n && sodium_memcmp(given, csrf, n) == 0;
}

static gboolean
require(PtHttp *http, struct MHD_Connection *c, PtRole min, gboolean write, gboolean buyer_writes,
        PtPrincipal **out, enum MHD_Result *response)
{
  g_autofree char *csrf = NULL;
  const char *problem;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPrincipal) p = resolve(http, c, &csrf, &problem, &error);
  if (!p) {
    *response = pt_http_respond_gerror(c, error);
    return FALSE;
  }
  if (p->role == PT_ROLE_PUBLIC && min > PT_ROLE_PUBLIC) {
    g_autofree char *msg =
        problem ? g_strdup_printf("%s; %s", problem, NEED_LOGIN) : g_strdup(NEED_LOGIN);
    *response = pt_http_respond_error(c, MHD_HTTP_UNAUTHORIZED, msg, NULL);
    return FALSE;
  }
  gboolean buyer_refused = write && !buyer_writes && p->role == PT_ROLE_BUYER;
  if (p->role < min || buyer_refused) {
    PtRole needed = buyer_refused ? MAX(min, PT_ROLE_OPERATOR) : min;
    g_autofree char *msg = g_strdup_printf("%s %s may not do this: it needs the %s role%s",
                                           role_text(p->role), p->name, role_text(needed),
                                           p->role == PT_ROLE_BUYER ? " (buyers only read)" : "");
    *response = pt_http_respond_error(c, MHD_HTTP_FORBIDDEN, msg, NULL);
    return FALSE;
  }
  /* A browser sends the cookie with any request to the station, also one a foreign page
   * makes it send; only the station's own pages know the session's CSRF token. */
  if (write && p->via_cookie && !csrf_ok(c, csrf)) {
    *response = pt_http_respond_error(
        c, MHD_HTTP_FORBIDDEN,
        "missing or wrong " CSRF_HDR " header (the csrf_token of GET /api/v1/session)", NULL);
    return FALSE;
  }
  if (out)
    *out = g_steal_pointer(&p);
  return TRUE;
}

gboolean
pt_http_require(PtHttp *http, struct MHD_Connection *c, PtRole min, gboolean write,
                PtPrincipal **out, enum MHD_Result *response)
{
  return require(http, c, min, write, FALSE, out, response);
}

gboolean
pt_http_require_buyer_write(PtHttp *http, struct MHD_Connection *c, PtPrincipal **out,
                            enum MHD_Result *response)
{
  return require(http, c, PT_ROLE_BUYER, TRUE, TRUE, out, response);
}

gboolean
pt_http_require_driver(PtHttp *http, struct MHD_Connection *c, PtDriverToken *token_out,
                       PtDriver **driver_out, enum MHD_Result *response)
{
  const char *auth = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
  if (!auth || g_ascii_strncasecmp(auth, "Bearer ", 7) != 0) {
    *response = pt_http_respond_coded(
        c, MHD_HTTP_UNAUTHORIZED, "login-needed",
        "the driver's page needs a login: scan the login QR the operator gives you", NULL);
    return FALSE;
  }
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(http, &error);
  g_autoptr(PtDriver) driver = NULL;
  PtDriverAuth checked =
      store ? pt_driver_authenticate(store, auth + 7, pt_now_ns(), token_out, &driver, &error)
            : PT_DRIVER_AUTH_FAILED;
  if (checked != PT_DRIVER_AUTH_OK) {
    *response =
        checked == PT_DRIVER_AUTH_REFUSED
            ? pt_http_respond_coded(c, MHD_HTTP_UNAUTHORIZED, "login-refused", error->message, NULL)
            : pt_http_respond_gerror(c, error);
    return FALSE;
  }
  g_autofree char *key = g_strdup_printf("driver-token:%" G_GINT64_FORMAT, token_out->id);
  guint retry_after = 0;
  if (!pt_rate_limit_take(http->driver_rate, key, g_get_monotonic_time(), &retry_after)) {
    *response = pt_http_respond_too_many(
        c, retry_after,
        json_pack("{ssss}", "error", "too many requests from this phone: sent again shortly",
                  "code", "rate-limited"));
    return FALSE;
  }
  *driver_out = g_steal_pointer(&driver);
  return TRUE;
}

gboolean
pt_http_batch_in_scope(PtStore *store, const PtPrincipal *p, gint64 batch_id, gboolean *yes,
                       GError **error)
{
  if (p->role != PT_ROLE_BUYER || !p->scope_gln) {
    *yes = p->role >= PT_ROLE_BUYER;
    return TRUE;
  }
  return pt_store_buyer_in_scope(store, batch_id, p->scope_gln, yes, error);
}

/* Queues a JSON answer (@value stolen) with the station's common headers plus @name: @value
 * (nullable). */
static enum MHD_Result
respond_with(struct MHD_Connection *c, unsigned status, json_t *value, const char *name,
             const char *value_text)
{
  char *text = json_dumps(value, JSON_COMPACT);
  json_decref(value);
  return pt_http_respond_with(c, status, "application/json; charset=utf-8", text, strlen(text),
                              name, value_text);
}

static enum MHD_Result
too_many(struct MHD_Connection *c, guint retry_after_s, const char *what)
{
  g_autofree char *msg =
      g_strdup_printf("too many %s; try again in %u s", what, MAX(retry_after_s, 1u));
  return pt_http_respond_too_many(c, retry_after_s, json_pack("{ss}", "error", msg));
}

gboolean
pt_http_public_limit(PtHttp *http, struct MHD_Connection *c, enum MHD_Result *response)
{
  if (!http->auth->public)
    return TRUE;
  g_autofree char *addr = pt_http_client_address(c);
  guint retry = 0;
  if (pt_rate_limit_take(http->auth->public, addr, g_get_monotonic_time(), &retry))
    return TRUE;
  *response = too_many(c, retry, "requests from your address");
  return FALSE;
}

static json_t *
who_json(const PtPrincipal *p, const char *csrf)
{
  json_t *o = json_pack("{sssssosb}", "name", p->name, "role", role_text(p->role), "scope",
                        p->scope_gln ? json_string(p->scope_gln) : json_null(), "via_cookie",
                        p->via_cookie);
  if (csrf)
    json_object_set_new(o, "csrf_token", json_string(csrf));
  return o;
}

/* TRUE when the request came from one of the station's own pages, or from no page at all.
 * A browser names the page that made a request in Origin (or at least Referer); a foreign
 * page that posts a sign-in form would sign the victim into the attacker's account (login
 * CSRF).  The station's origin is the one the browser reached it at: its Host header (the
 * scheme is not compared: behind a TLS proxy the station sees plain HTTP).  Scripts and
 * curl send neither header and are not browsers' victims. */
static gboolean
same_origin(struct MHD_Connection *c)
{
  const char *origin = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ORIGIN);
  const char *referer = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_REFERER);
  const char *host = MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_HOST);
  const char *page = origin ? origin : referer;
  if (!page)
    return TRUE;
  const char *authority = strstr(page, "://");
  if (!host || !authority ||
      (!g_str_has_prefix(page, "http://") && !g_str_has_prefix(page, "https://")))
    return FALSE;
  authority += 3;
  gsize n = strcspn(authority, "/?#");
  return n == strlen(host) && g_ascii_strncasecmp(authority, host, n) == 0;
}

/* A sign-in waiting for its password check (PtAuthPool) with its connection suspended. */
typedef struct {
  struct MHD_Connection *c;
  PtAccount *account; /* owned, nullable: an unknown name */
  char *name;         /* owned, for the log */
  char *addr;         /* owned */
  gboolean ok;        /* the password matched; written by the pool before it resumes */
  gboolean busy;      /* the pool's queue was full */
} LoginJob;

static void
login_job_free(gpointer data)
{
  LoginJob *job = data;
  pt_account_free(job->account);
  g_free(job->name);
  g_free(job->addr);
  g_free(job);
}

/* Answers a sign-in whose password @ok (or not): a session and its cookie, or 401. */
static enum MHD_Result
login_answer(PtHttp *http, struct MHD_Connection *c, LoginJob *job)
{
  PtHttpAuth *auth = http->auth;
  g_autoptr(GError) error = NULL;
  if (!job->ok || !job->account) {
    g_message("http: failed sign-in for '%s' from %s", job->name, job->addr);
    return pt_http_respond_error(c, MHD_HTTP_UNAUTHORIZED, "wrong name or password", NULL);
  }
  PtStore *store = pt_http_worker_store(http, &error);
  g_autoptr(PtAuthSession) session = NULL;
  if (!store || !pt_auth_session_open(store, &auth->lifetimes, g_steal_pointer(&job->account),
                                      &session, &error))
    return pt_http_respond_gerror(c, error);
  g_autoptr(PtPrincipal) p = principal_from_account(session->account, TRUE);
  g_autofree char *cookie = g_strdup_printf(
      COOKIE "=%s; HttpOnly; SameSite=Strict; Path=/; Max-Age=%" G_GINT64_FORMAT "%s", session->id,
      auth->lifetimes.max_ns / G_GINT64_CONSTANT(1000000000), http->tls ? "; Secure" : "");
  return respond_with(c, MHD_HTTP_OK, who_json(p, session->csrf), MHD_HTTP_HEADER_SET_COOKIE,
                      cookie);
}

static void
login_checked(gboolean ok, gpointer data)
{
  LoginJob *job = data;
  job->ok = ok;
  MHD_resume_connection(job->c);
}

static enum MHD_Result
login_resumed(PtHttp *http, struct MHD_Connection *c, PtHttpRequest *req)
{
  LoginJob *job = req->job;
  if (job->busy) {
    g_autofree char *retry = g_strdup_printf("%d", PT_AUTH_BUSY_RETRY_S);
    char *text =
        g_strdup("{\"error\":\"the station is checking too many sign-ins; try again "
                 "in a few seconds\",\"retry_after\":" G_STRINGIFY(PT_AUTH_BUSY_RETRY_S) "}");
    return pt_http_respond_with(c, MHD_HTTP_SERVICE_UNAVAILABLE, "application/json; charset=utf-8",
                                text, strlen(text), MHD_HTTP_HEADER_RETRY_AFTER, retry);
  }
  return login_answer(http, c, job);
}

/* POST /api/v1/session {"name", "password"}: signs in.  The argon2id check runs on the
 * password pool while the connection is suspended (the worker serves others meanwhile);
 * login_resumed() answers.  Failures are limited per address and per (name, address): a
 * flood from elsewhere cannot lock a user out. */
static enum MHD_Result
login(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  PtHttpRequest *req = call->req;
  PtHttpAuth *auth = http->auth;
  guint retry = 0;
  if (!same_origin(c))
    return pt_http_respond_error(c, MHD_HTTP_FORBIDDEN,
                                 "sign in from the station's own page (Origin is foreign)", NULL);
  g_autofree char *addr = pt_http_client_address(c);
  g_autofree char *addr_key = g_strconcat("ip:", addr, NULL);
  if (!pt_rate_limit_take(auth->logins, addr_key, g_get_monotonic_time(), &retry))
    return too_many(c, retry, "sign-in attempts from your address");
  g_autoptr(GError) error = NULL;
  json_t *body = pt_http_body_json(req, FALSE, &error);
  if (!body)
    return pt_http_respond_gerror(c, error);
  const char *name = NULL, *password = NULL;
  const PtJsonField fields[] = {{"name", &name}, {"password", &password}};
  if (!pt_json_read_object(body, fields, G_N_ELEMENTS(fields), &error) || !name || !password) {
    json_decref(body);
    return error ? pt_http_respond_gerror(c, error)
                 : pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST,
                                         "body is {\"name\": NAME, \"password\": PASSWORD}", NULL);
  }
  g_autofree char *user_key = g_strconcat("user:", addr, ":", name, NULL);
  LoginJob *job = g_new0(LoginJob, 1);
  job->c = c;
  job->name = g_strdup(name);
  job->addr = g_strdup(addr);
  req->job = job;
  req->job_free = login_job_free;
  g_autofree char *password_copy = g_strdup(password);
  json_decref(body);
  if (!pt_rate_limit_take(auth->logins, user_key, g_get_monotonic_time(), &retry)) {
    sodium_memzero(password_copy, strlen(password_copy));
    return too_many(c, retry, "sign-in attempts for this name");
  }
  g_autofree char *hash = NULL;
  PtStore *store = pt_http_worker_store(http, &error);
  gboolean found = store && pt_auth_login_find(store, job->name, &job->account, &hash, &error);
  enum MHD_Result response = MHD_YES;
  if (!found) {
    response = pt_http_respond_gerror(c, error);
  } else if (strlen(password_copy) > PT_AUTH_PASSWORD_MAX) {
    response = login_answer(http, c, job);
  } else if (!auth->pool) {
    job->ok = pt_auth_password_matches(hash, password_copy);
    response = login_answer(http, c, job);
  } else {
    req->resume = login_resumed;
    MHD_suspend_connection(c);
    if (!pt_auth_pool_check(auth->pool, hash, password_copy, login_checked, job)) {
      job->busy = TRUE;
      MHD_resume_connection(c);
    }
  }
  sodium_memzero(password_copy, strlen(password_copy));
  return response;
}

/* DELETE /api/v1/session: signs out. */
static enum MHD_Result
logout(const PtHttpCall *call)
{
  PtHttp *http = call->http;
  struct MHD_Connection *c = call->c;
  g_autofree char *csrf = NULL;
  const char *problem;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPrincipal) p = resolve(http, c, &csrf, &problem, &error);
  if (!p)
    return pt_http_respond_gerror(c, error);
  if (!p->via_cookie)
    return pt_http_respond_error(c, MHD_HTTP_UNAUTHORIZED,
                                 problem ? problem : "there is no session to end", NULL);
  if (!csrf_ok(c, csrf))
    return pt_http_respond_error(c, MHD_HTTP_FORBIDDEN, "missing or wrong " CSRF_HDR " header",
                                 NULL);
  PtStore *store = pt_http_worker_store(http, &error);
  const char *id = MHD_lookup_connection_value(c, MHD_COOKIE_KIND, COOKIE);
  if (!store || !pt_auth_logout(store, id, &error))
    return pt_http_respond_gerror(c, error);
  return respond_with(c, MHD_HTTP_OK, json_pack("{sb}", "signed_out", TRUE),
                      MHD_HTTP_HEADER_SET_COOKIE,
                      COOKIE "=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0");
}

/* GET /api/v1/session: who is signed in. */
static enum MHD_Result
whoami(const PtHttpCall *call)
{
  g_autofree char *csrf = NULL;
  const char *problem;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtPrincipal) p = resolve(call->http, call->c, &csrf, &problem, &error);
  if (!p)
    return pt_http_respond_gerror(call->c, error);
  if (p->role == PT_ROLE_PUBLIC)
    return pt_http_respond_error(call->c, MHD_HTTP_UNAUTHORIZED,
                                 problem ? problem : "not signed in", NULL);
  /* Same-origin pages may read this (no CORS), so a reloaded dashboard gets its token. */
  return pt_http_respond_json(call->c, MHD_HTTP_OK, who_json(p, csrf), NULL);
}

static const PtHttpRoute session_routes[] = {
    {"/api/v1/session", PT_HTTP_GET, PT_HTTP_OPEN, whoami},
    {"/api/v1/session", PT_HTTP_POST, PT_HTTP_OPEN, login},
    {"/api/v1/session", PT_HTTP_DELETE, PT_HTTP_OPEN, logout},
};

const PtHttpRouteTable pt_http_session_routes = {session_routes, G_N_ELEMENTS(session_routes)};
