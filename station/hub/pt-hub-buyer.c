/* pt-hub-buyer.c: tokens, their check, the buyer's batch search across stations, and the
 * buyer portal's page (see pt-hub-buyer.h). */
#include "pt-hub-buyer.h"

#include "pt-error.h"
#include "pt-gs1.h"
#include "pt-keys.h"
#include "pt-limits.h"

#include <gio/gio.h>
#include <sodium.h>
#include <string.h>

#define TOKEN_BYTES 32

gboolean
pt_hub_gln_valid(const char *gln)
{
  if (!gln || strlen(gln) != 13)
    return FALSE;
  for (const char *c = gln; *c; c++)
    if (!g_ascii_isdigit(*c))
      return FALSE;
  return TRUE;
}

static void
token_hash(const char *token, guint8 hash[PT_HASH_LEN])
{
  crypto_hash_sha256(hash, (const guint8 *)token, strlen(token));
}

char *
pt_hub_token_new(PtHubStore *store, const char *name, PtHubRole role, const char *gln,
                 GError **error)
{
  if (role == PT_HUB_ROLE_BUYER && !pt_hub_gln_valid(gln)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a buyer needs --gln with 13 digits");
    return NULL;
  }
  if (role == PT_HUB_ROLE_ADMIN && gln) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "an admin token has no GLN");
    return NULL;
  }
  if (!name || !*name || strlen(name) > PT_HUB_NAME_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a name of 1 to %d bytes is needed",
                PT_HUB_NAME_MAX);
    return NULL;
  }
  guint8 raw[TOKEN_BYTES];
  randombytes_buf(raw, sizeof raw);
  char *token = pt_hex_encode(raw, sizeof raw);
  sodium_memzero(raw, sizeof raw);
  guint8 hash[PT_HASH_LEN];
  token_hash(token, hash);
  if (!pt_hub_store_token_add(store, name, role, gln, hash, error)) {
    g_free(token);
    return NULL;
  }
  return token;
}

static gboolean
authorize(const PtHubCall *call, PtHubReply *reply, PtHubRole *role_out, char **gln_out,
          char **name_out)
{
  const char *h = pt_hub_call_authorization(call);
  const char *token = h && g_ascii_strncasecmp(h, "Bearer ", 7) == 0 ? h + 7 : NULL;
  if (!token || strlen(token) != 2 * TOKEN_BYTES) {
    pt_hub_reply_error(reply, 401, "a buyer or admin bearer token is needed");
    pt_hub_reply_header(reply, "WWW-Authenticate", "Bearer realm=\"packtrace hub\"");
    return FALSE;
  }
  guint8 hash[PT_HASH_LEN];
  token_hash(token, hash);
  g_autoptr(GError) error = NULL;
  if (pt_hub_store_token_find(call->store, hash, role_out, gln_out, name_out, &error))
    return TRUE;
  if (g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    pt_hub_reply_error(reply, 401, "unknown or revoked token");
    pt_hub_reply_header(reply, "WWW-Authenticate",
                        "Bearer realm=\"packtrace hub\", error=\"invalid_token\"");
  } else {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
  }
  return FALSE;
}

gboolean
pt_hub_authorize(const PtHubCall *call, PtHubReply *reply, PtHubRole *role_out, char **gln_out)
{
  return authorize(call, reply, role_out, gln_out, NULL);
}

gboolean
pt_hub_authorize_as(const PtHubCall *call, PtHubReply *reply, PtHubCaller *who)
{
  return authorize(call, reply, &who->role, &who->gln, &who->name);
}

void
pt_hub_caller_clear(PtHubCaller *who)
{
  g_clear_pointer(&who->gln, g_free);
  g_clear_pointer(&who->name, g_free);
}

gboolean
pt_hub_args_check(GPtrArray *args, const char *const *known, PtHubReply *reply)
{
  for (guint i = 0; args && i < args->len; i++) {
    const PtHubArg *a = args->pdata[i];
    gboolean ok = FALSE;
    for (const char *const *k = known; *k && !ok; k++)
      ok = strcmp(*k, a->name) == 0;
    g_autofree char *msg = NULL;
    if (!ok)
      msg = g_strdup_printf("unknown parameter \"%s\"", a->name);
    for (guint j = 0; ok && j < i; j++)
      if (strcmp(((const PtHubArg *)args->pdata[j])->name, a->name) == 0) {
        msg = g_strdup_printf("parameter \"%s\" given twice", a->name);
        ok = FALSE;
      }
    if (!ok) {
      pt_hub_reply_error(reply, 400, msg);
      return FALSE;
    }
  }
  return TRUE;
}

static gboolean
date_valid(const char *s)
{
  GDate d;
  g_date_clear(&d, 1);
  if (!s || strlen(s) != 10 || s[4] != '-' || s[7] != '-')
    return FALSE;
  guint64 y, m, day;
  char buf[11];
  memcpy(buf, s, sizeof buf);
  buf[4] = buf[7] = '\0';
  if (!g_ascii_string_to_unsigned(buf, 10, 1, 9999, &y, NULL) ||
      !g_ascii_string_to_unsigned(buf + 5, 10, 1, 12, &m, NULL) ||
      !g_ascii_string_to_unsigned(buf + 8, 10, 1, 31, &day, NULL))
    return FALSE;
  return g_date_valid_dmy((GDateDay)day, (GDateMonth)m, (GDateYear)y);
}

static const char *const search_params[] = {"lot",   "gtin",    "grower", "station", "from", "to",
                                            "grade", "verdict", "limit",  "offset",  NULL};

/* GET /api/v1/batches?lot=&gtin=&grower=&station=&from=&to=&grade=&verdict=&limit=&offset= */
static void
batches_search(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  PtHubRole role;
  g_autofree char *gln = NULL;
  if (!pt_hub_authorize(call, reply, &role, &gln) || !pt_hub_args_check(args, search_params, reply))
    return;
  PtHubBatchQuery q = {
      .lot = pt_hub_args_get(args, "lot"),
      .grower = pt_hub_args_get(args, "grower"),
      .station = pt_hub_args_get(args, "station"),
      .from = pt_hub_args_get(args, "from"),
      .to = pt_hub_args_get(args, "to"),
      .grade = pt_hub_args_get(args, "grade"),
      .verdict = pt_hub_args_get(args, "verdict"),
      .scope_gln = role == PT_HUB_ROLE_BUYER ? gln : NULL,
      .limit = PT_BUYER_SEARCH_DEFAULT,
  };
  char gtin[PT_GS1_GTIN_LEN + 1];
  const char *g = pt_hub_args_get(args, "gtin");
  if (g) {
    g_autoptr(GError) gs1 = NULL;
    if (!pt_gs1_gtin14(g, gtin, &gs1)) {
      g_autofree char *msg = g_strdup_printf("gtin: %s", gs1->message);
      pt_hub_reply_error(reply, 400, msg);
      return;
    }
    q.gtin = gtin;
  }
  if ((q.from && !date_valid(q.from)) || (q.to && !date_valid(q.to))) {
    pt_hub_reply_error(reply, 400, "from and to are dates, YYYY-MM-DD");
    return;
  }
  if (q.verdict && strcmp(q.verdict, "conformant") != 0 &&
      strcmp(q.verdict, "non_conformant") != 0) {
    pt_hub_reply_error(reply, 400, "verdict must be conformant or non_conformant");
    return;
  }
  const char *texts[] = {q.lot, q.grower, q.station, q.grade};
  for (gsize i = 0; i < G_N_ELEMENTS(texts); i++)
    if (texts[i] && strlen(texts[i]) > PT_HUB_NAME_MAX) {
      pt_hub_reply_error(reply, 400, "a search term is too long");
      return;
    }
  const char *limit = pt_hub_args_get(args, "limit"), *offset = pt_hub_args_get(args, "offset");
  guint64 v = 0;
  if (limit) {
    if (!g_ascii_string_to_unsigned(limit, 10, 1, PT_BUYER_SEARCH_MAX, &v, NULL)) {
      g_autofree char *msg = g_strdup_printf("limit must be 1..%d", PT_BUYER_SEARCH_MAX);
      pt_hub_reply_error(reply, 400, msg);
      return;
    }
    q.limit = (guint)v;
  }
  if (offset) {
    if (!g_ascii_string_to_unsigned(offset, 10, 0, G_MAXINT32, &v, NULL)) {
      pt_hub_reply_error(reply, 400, "offset must be a whole number");
      return;
    }
    q.offset = (guint)v;
  }
  g_autoptr(GError) error = NULL;
  g_autofree char *batches = pt_hub_store_batches_json(call->store, &q, &error);
  if (!batches) {
    pt_hub_reply_error(reply, pt_hub_reply_status_of(error), error->message);
    return;
  }
  /* The array is PostgreSQL's JSON text; the envelope is ours. */
  GString *out = g_string_new("{\"scope\":");
  if (q.scope_gln)
    g_string_append_printf(out, "\"%s\"", q.scope_gln); /* 13 digits, checked at creation */
  else
    g_string_append(out, "null");
  g_string_append_printf(out, ",\"limit\":%u,\"offset\":%u,\"batches\":%s}", q.limit, q.offset,
                         batches);
  pt_hub_reply_take(reply, 200, "application/json", g_string_free(out, FALSE));
}

static enum MHD_Result
on_batches(const PtHubCall *call)
{
  return pt_hub_reply_run(call, batches_search);
}

/* The buyer portal (web-ui/buyer.html and buyer.js, the station's): anyone may load it; what
 * it shows needs a buyer token.  The page is told it is the hub's by an attribute on its body,
 * so its one script speaks to this API (the search across stations above, each station's
 * public records and hub-signed bundles from the resolver). */
#define BUYER_PAGE_CSP                                                                             \
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "                  \
  "media-src 'self' blob:; img-src 'self' data:; base-uri 'none'; form-action 'none'; "            \
  "frame-ancestors 'none'"
#define STATION_BODY "<body class=\"wide\">"
#define HUB_BODY     "<body class=\"wide\" data-server=\"hub\">"

static void
buyer_page(const PtHubCall *call, GPtrArray *args, PtHubReply *reply)
{
  g_autoptr(GBytes) bytes =
      g_resources_lookup_data("/packtrace/web/buyer.html", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  gsize len = 0;
  const char *html = bytes ? g_bytes_get_data(bytes, &len) : NULL;
  const char *body = html ? g_strstr_len(html, (gssize)len, STATION_BODY) : NULL;
  if (!body) {
    pt_hub_reply_error(reply, 500, "the page is missing from this build");
    return;
  }
  GString *page = g_string_new_len(html, body - html);
  g_string_append(page, HUB_BODY);
  g_string_append_len(page, body + strlen(STATION_BODY),
                      (gssize)(len - (gsize)(body - html) - strlen(STATION_BODY)));
  pt_hub_reply_take(reply, 200, "text/html; charset=utf-8", g_string_free(page, FALSE));
  pt_hub_reply_header(reply, "Content-Security-Policy", BUYER_PAGE_CSP);
  pt_hub_reply_header(reply, "Referrer-Policy", "no-referrer");
}

static enum MHD_Result
on_page(const PtHubCall *call)
{
  return pt_hub_reply_run(call, buyer_page);
}

static const PtHubRoute routes[] = {
    {"/api/v1/batches", on_batches},
    {"/buyer", on_page},
};

const PtHubRouteTable pt_hub_buyer_routes = {routes, G_N_ELEMENTS(routes)};
