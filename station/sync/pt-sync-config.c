/* pt-sync-config.c: [sync NAME] sections of station.ini (read, add, remove) and
 * webhook templates. */
#include "pt-sync-config.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-gs1.h"
#include "pt-json.h"
#include "pt-limits.h"

#include <curl/curl.h>
#include <string.h>

#define GROUP_PREFIX "sync "

const char *const pt_sync_template_fields[] = {
    "kind",      "key",    "event_id", "station_id", "lot",        "gtin", "product",
    "variety",   "origin", "grower",   "step",       "event_time", "seq",  "hash",
    "signature", "status", "reason",   "changed",    "event",      NULL};

static const char *const known_keys[] = {
    "type",       "url",       "secret",       "bearer",
    "filter",     "ca_file",   "proxy",        "connect_timeout_ms",
    "timeout_ms", "max_batch", "retry_min_ms", "retry_max_ms",
    "from_start", "template",  "gln",          "video_relay",
    NULL};

void
pt_sync_connector_free(PtSyncConnector *c)
{
  if (!c)
    return;
  g_free(c->name);
  g_free(c->url);
  if (c->secret)
    memset(c->secret, 0, strlen(c->secret));
  g_free(c->secret);
  g_free(c->bearer);
  g_free(c->gln);
  g_strfreev(c->glns);
  g_free(c->filter);
  g_free(c->filter_kind);
  g_free(c->filter_value);
  g_free(c->ca_file);
  g_free(c->proxy);
  g_free(c->template_path);
  if (c->template)
    json_decref(c->template);
  g_free(c);
}

PtSyncQueueSpec
pt_sync_connector_spec(const PtSyncConnector *c)
{
  return (PtSyncQueueSpec){.name = c->name,
                           .summaries = c->type == PT_SYNC_WEBHOOK,
                           .filter_kind = c->filter_kind,
                           .filter_value = c->filter_value};
}

static gboolean
valid_name(const char *name)
{
  gsize n = strlen(name);
  if (n < 1 || n > PT_SYNC_NAME_MAX)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum(*p) && *p != '-' && *p != '_')
      return FALSE;
  return TRUE;
}

static gboolean
valid_url(const char *url)
{
  if (strlen(url) > PT_SYNC_URL_MAX ||
      (!g_str_has_prefix(url, "http://") && !g_str_has_prefix(url, "https://")))
    return FALSE;
  CURLU *u = curl_url();
  gboolean ok = curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK;
  curl_url_cleanup(u);
  return ok;
}

/* Empty values count as absent. */
static char *
get_opt(GKeyFile *kf, const char *group, const char *key)
{
  char *v = g_key_file_get_string(kf, group, key, NULL);
  if (v && !*g_strstrip(v))
    g_clear_pointer(&v, g_free);
  return v;
}

static gboolean
get_int(GKeyFile *kf, const char *group, const char *key, int fallback, int lo, int hi, int *out,
        GError **error)
{
  g_autofree char *v = get_opt(kf, group, key);
  guint64 n;
  if (!v) {
    *out = fallback;
    return TRUE;
  }
  if (!g_ascii_string_to_unsigned(v, 10, (guint64)lo, (guint64)hi, &n, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] %s '%s' must be %d..%d", group, key, v, lo,
                hi);
    return FALSE;
  }
  *out = (int)n;
  return TRUE;
}

static gboolean
parse_filter(PtSyncConnector *c, const char *group, GError **error)
{
  if (strcmp(c->filter, "all") == 0) {
    c->filter_kind = g_strdup("all");
    return TRUE;
  }
  const char *colon = strchr(c->filter, ':');
  g_autofree char *kind = colon ? g_strndup(c->filter, colon - c->filter) : NULL;
  if (!kind || !colon[1] ||
      (strcmp(kind, "product") != 0 && strcmp(kind, "gtin") != 0 && strcmp(kind, "grower") != 0)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s] filter '%s' must be all, product:NAME, gtin:GTIN or grower:NAME", group,
                c->filter);
    return FALSE;
  }
  if (strcmp(kind, "gtin") == 0) {
    char gtin[PT_GS1_GTIN_LEN + 1];
    g_autoptr(GError) local = NULL;
    if (!pt_gs1_gtin14(colon + 1, gtin, &local)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] filter: %s", group, local->message);
      return FALSE;
    }
    c->filter_value = g_strdup(gtin);
  } else {
    c->filter_value = g_strdup(colon + 1);
  }
  c->filter_kind = g_steal_pointer(&kind);
  return TRUE;
}

static gboolean
load_template(PtSyncConnector *c, const char *group, const char *data_dir, GError **error)
{
  g_autofree char *path = g_path_is_absolute(c->template_path)
                              ? g_strdup(c->template_path)
                              : g_build_filename(data_dir, c->template_path, NULL);
  g_autoptr(GError) local = NULL;
  gsize len;
  g_autofree char *text = pt_file_read(path, PT_SYNC_TEMPLATE_MAX, &len, &local);
  if (text)
    c->template = pt_json_parse(text, len, &local);
  if (!c->template || !pt_sync_template_check(c->template, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] template %s: %s", group, path,
                local->message);
    return FALSE;
  }
  return TRUE;
}

/* A hub verifies the station chain link by link, so it takes every event: a filter would
 * leave gaps it must report as removals.  Its requests are signed with the station key; a
 * shared secret would add nothing a thief of station.ini could not forge. */
static gboolean
hub_section_ok(const PtSyncConnector *c, GKeyFile *kf, const char *group, GError **error)
{
  if (strcmp(c->filter, "all") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s] a hub connector takes no filter: the hub verifies the whole station chain, "
                "and a filtered chain would show gaps",
                group);
    return FALSE;
  }
  if (c->secret || g_key_file_has_key(kf, group, "template", NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s] a hub connector takes no secret or template: its requests are signed with "
                "the station key",
                group);
    return FALSE;
  }
  return TRUE;
}

const char *
pt_sync_type_name(PtSyncType type)
{
  switch (type) {
  case PT_SYNC_EPCIS:
    return "epcis";
  case PT_SYNC_WEBHOOK:
    return "webhook";
  case PT_SYNC_HUB:
    return "hub";
  }
  return "unknown";
}

static PtSyncConnector *
parse_section(GKeyFile *kf, const char *group, const char *data_dir, GError **error)
{
  g_autoptr(PtSyncConnector) c = g_new0(PtSyncConnector, 1);
  c->name = g_strdup(group + strlen(GROUP_PREFIX));
  if (!valid_name(c->name)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s]: connector name must be 1 to %d letters, digits, '-' or '_'", group,
                PT_SYNC_NAME_MAX);
    return NULL;
  }
  g_auto(GStrv) keys = g_key_file_get_keys(kf, group, NULL, NULL);
  for (guint i = 0; keys && keys[i]; i++)
    if (!g_strv_contains(known_keys, keys[i])) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] unknown key '%s'", group, keys[i]);
      return NULL;
    }
  g_autofree char *type = get_opt(kf, group, "type");
  if (g_strcmp0(type, "epcis") == 0)
    c->type = PT_SYNC_EPCIS;
  else if (g_strcmp0(type, "webhook") == 0)
    c->type = PT_SYNC_WEBHOOK;
  else if (g_strcmp0(type, "hub") == 0)
    c->type = PT_SYNC_HUB;
  else {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] type must be epcis, webhook or hub",
                group);
    return NULL;
  }
  c->url = get_opt(kf, group, "url");
  if (!c->url || !valid_url(c->url)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] url '%s' is not an http(s) URL", group,
                c->url ? c->url : "");
    return NULL;
  }
  c->secret = get_opt(kf, group, "secret");
  if (c->type == PT_SYNC_WEBHOOK && (!c->secret || strlen(c->secret) < PT_SYNC_SECRET_MIN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s] a webhook needs a secret of at least %d characters (requests are signed)",
                group, PT_SYNC_SECRET_MIN);
    return NULL;
  }
  c->bearer = get_opt(kf, group, "bearer");
  c->filter = get_opt(kf, group, "filter");
  if (!c->filter)
    c->filter = g_strdup("all");
  if (c->type == PT_SYNC_HUB && !hub_section_ok(c, kf, group, error))
    return NULL;
  if (!parse_filter(c, group, error))
    return NULL;
  c->ca_file = get_opt(kf, group, "ca_file");
  if (c->ca_file && !g_path_is_absolute(c->ca_file)) {
    char *abs = g_build_filename(data_dir, c->ca_file, NULL);
    g_free(c->ca_file);
    c->ca_file = abs;
  }
  if (c->ca_file && !g_file_test(c->ca_file, G_FILE_TEST_IS_REGULAR)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] ca_file %s does not exist", group,
                c->ca_file);
    return NULL;
  }
  c->proxy = get_opt(kf, group, "proxy");
  if (!get_int(kf, group, "connect_timeout_ms", 10000, 100, 600000, &c->connect_timeout_ms,
               error) ||
      !get_int(kf, group, "timeout_ms", 60000, 100, 3600000, &c->timeout_ms, error) ||
      !get_int(kf, group, "max_batch",
               c->type == PT_SYNC_HUB ? PT_HUB_SYNC_BATCH_DEFAULT : PT_SYNC_BATCH_DEFAULT, 1,
               c->type == PT_SYNC_HUB ? PT_HUB_EVENTS_PER_REQUEST_MAX : PT_SYNC_BATCH_MAX,
               &c->max_batch, error) ||
      !get_int(kf, group, "retry_min_ms", 1000, 10, 3600000, &c->retry_min_ms, error) ||
      !get_int(kf, group, "retry_max_ms", 300000, 10, 86400000, &c->retry_max_ms, error))
    return NULL;
  if (c->retry_max_ms < c->retry_min_ms) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] retry_max_ms is below retry_min_ms",
                group);
    return NULL;
  }
  g_autofree char *from_start = get_opt(kf, group, "from_start");
  if (from_start && strcmp(from_start, "true") != 0 && strcmp(from_start, "false") != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] from_start must be true or false", group);
    return NULL;
  }
  /* A hub verifies the station chain from its first event: it always gets the whole log. */
  c->from_start = c->type == PT_SYNC_HUB || g_strcmp0(from_start, "true") == 0;
  g_autofree char *relay = get_opt(kf, group, "video_relay");
  if (relay &&
      ((strcmp(relay, "true") != 0 && strcmp(relay, "false") != 0) || c->type != PT_SYNC_HUB)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s] video_relay is true or false, on a connector of type hub", group);
    return NULL;
  }
  c->video_relay = g_strcmp0(relay, "true") == 0;
  c->gln = get_opt(kf, group, "gln");
  if (c->gln && c->type != PT_SYNC_WEBHOOK) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s] gln applies to webhooks only (the buyer recall notices go to)", group);
    return NULL;
  }
  /* One buyer's system may take the notices of several of its sites: GLNs, comma-separated. */
  c->glns = c->gln ? g_strsplit(c->gln, ",", PT_SYNC_GLNS_MAX + 1) : NULL;
  if (c->glns && g_strv_length(c->glns) > PT_SYNC_GLNS_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] gln: more than %d GLNs", group,
                PT_SYNC_GLNS_MAX);
    return NULL;
  }
  for (guint i = 0; c->glns && c->glns[i]; i++) {
    g_autoptr(GError) bad_gln = NULL;
    g_strstrip(c->glns[i]);
    if (!pt_gs1_validate_key("GLN", c->glns[i], 13, &bad_gln)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "[%s] gln: %s", group, bad_gln->message);
      return NULL;
    }
  }
  c->template_path = get_opt(kf, group, "template");
  if (c->template_path && c->type != PT_SYNC_WEBHOOK) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "[%s] template applies to webhooks only (EPCIS documents are standard)", group);
    return NULL;
  }
  if (c->template_path && !load_template(c, group, data_dir, error))
    return NULL;
  return g_steal_pointer(&c);
}

GPtrArray *
pt_sync_connectors_load(const PtConfig *config, const char *data_dir, GError **error)
{
  g_autoptr(GPtrArray) list =
      g_ptr_array_new_with_free_func((GDestroyNotify)pt_sync_connector_free);
  g_auto(GStrv) groups = g_key_file_get_groups(config->keyfile, NULL);
  for (guint i = 0; groups[i]; i++) {
    if (!g_str_has_prefix(groups[i], GROUP_PREFIX))
      continue;
    if (list->len == PT_SYNC_CONNECTORS_MAX) {
      g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "more than %d [sync NAME] sections",
                  PT_SYNC_CONNECTORS_MAX);
      return NULL;
    }
    PtSyncConnector *c = parse_section(config->keyfile, groups[i], data_dir, error);
    if (!c)
      return NULL;
    g_ptr_array_add(list, c);
  }
  return g_steal_pointer(&list);
}

static void
set_opt(GKeyFile *kf, const char *group, const char *key, const char *value)
{
  if (value)
    g_key_file_set_string(kf, group, key, value);
}

PtSyncConnector *
pt_sync_connector_add(const char *ini_path, const char *data_dir, const PtSyncAddSpec *spec,
                      GError **error)
{
  if (!valid_name(spec->name)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "connector name '%s' must be 1 to %d letters, digits, '-' or '_'", spec->name,
                PT_SYNC_NAME_MAX);
    return NULL;
  }
  g_autoptr(GKeyFile) kf = pt_config_edit_open(ini_path, error);
  if (!kf)
    return NULL;
  g_autofree char *group = g_strconcat(GROUP_PREFIX, spec->name, NULL);
  if (g_key_file_has_group(kf, group)) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "connector %s already exists in %s", spec->name,
                ini_path);
    return NULL;
  }
  set_opt(kf, group, "type", spec->type);
  set_opt(kf, group, "url", spec->url);
  set_opt(kf, group, "secret", spec->secret);
  set_opt(kf, group, "bearer", spec->bearer);
  set_opt(kf, group, "filter", spec->filter ? spec->filter : "all");
  set_opt(kf, group, "ca_file", spec->ca_file);
  set_opt(kf, group, "proxy", spec->proxy);
  set_opt(kf, group, "template", spec->template);
  if (spec->max_batch)
    g_key_file_set_integer(kf, group, "max_batch", spec->max_batch);
  set_opt(kf, group, "from_start", spec->from_start ? "true" : "false");
  if (spec->video_relay)
    set_opt(kf, group, "video_relay", "true");
  g_key_file_set_comment(kf, group, NULL,
                         " Sync connector (packtrace sync add); keys: type, url, secret, bearer,\n"
                         " filter, ca_file, proxy, connect_timeout_ms, timeout_ms, max_batch,\n"
                         " retry_min_ms, retry_max_ms, from_start, template, video_relay",
                         NULL);
  g_autoptr(PtSyncConnector) c = parse_section(kf, group, data_dir, error);
  if (!c || !pt_config_edit_save(kf, ini_path, error))
    return NULL;
  return g_steal_pointer(&c);
}

gboolean
pt_sync_connector_remove(const char *ini_path, const char *name, GError **error)
{
  g_autoptr(GKeyFile) kf = pt_config_edit_open(ini_path, error);
  if (!kf)
    return FALSE;
  g_autofree char *group = g_strconcat(GROUP_PREFIX, name, NULL);
  if (!g_key_file_remove_group(kf, group, NULL)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no connector %s in %s", name, ini_path);
    return FALSE;
  }
  return pt_config_edit_save(kf, ini_path, error);
}

/* Calls @fn for each "{{name}}" in @text; returns the text with each replaced by
 * what @fn returns (NULL: keep it). */
typedef char *(*PlaceholderFunc)(const char *name, gpointer user_data);

static char *
substitute(const char *text, PlaceholderFunc fn, gpointer user_data)
{
  GString *out = g_string_new(NULL);
  const char *p = text;
  const char *open;
  while ((open = strstr(p, "{{"))) {
    const char *close = strstr(open + 2, "}}");
    if (!close)
      break;
    g_string_append_len(out, p, open - p);
    g_autofree char *name = g_strndup(open + 2, close - open - 2);
    g_autofree char *value = fn(name, user_data);
    if (value)
      g_string_append(out, value);
    else
      g_string_append_len(out, open, close + 2 - open);
    p = close + 2;
  }
  g_string_append(out, p);
  return g_string_free(out, FALSE);
}

static char *
check_name(const char *name, gpointer user_data)
{
  GString *unknown = user_data;
  if (!g_strv_contains(pt_sync_template_fields, name) && !unknown->len)
    g_string_assign(unknown, name);
  return g_strdup("");
}

static gboolean
check_value(const json_t *v, GString *unknown)
{
  if (json_is_string(v)) {
    g_free(substitute(json_string_value(v), check_name, unknown));
  } else if (json_is_object(v)) {
    const char *k;
    json_t *child;
    json_object_foreach((json_t *)v, k, child) check_value(child, unknown);
  } else if (json_is_array(v)) {
    gsize i;
    json_t *child;
    json_array_foreach(v, i, child) check_value(child, unknown);
  }
  return unknown->len == 0;
}

gboolean
pt_sync_template_check(const json_t *template, GError **error)
{
  g_autoptr(GString) unknown = g_string_new(NULL);
  if (!json_is_object(template)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a template must be a JSON object");
    return FALSE;
  }
  if (!check_value(template, unknown)) {
    g_autofree char *names = g_strjoinv(", ", (char **)pt_sync_template_fields);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "unknown field {{%s}}; fields: %s", unknown->str,
                names);
    return FALSE;
  }
  return TRUE;
}

static char *
field_text(const char *name, gpointer user_data)
{
  json_t *v = json_object_get(user_data, name);
  if (!v || json_is_null(v))
    return g_strdup("");
  if (json_is_string(v))
    return g_strdup(json_string_value(v));
  char *dumped = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_REAL_PRECISION(15));
  char *copy = g_strdup(dumped);
  free(dumped);
  return copy;
}

json_t *
pt_sync_template_apply(const json_t *template, json_t *fields)
{
  if (json_is_string(template)) {
    const char *s = json_string_value(template);
    gsize n = strlen(s);
    if (n > 4 && g_str_has_prefix(s, "{{") && g_str_has_suffix(s, "}}") && !strstr(s + 2, "{{")) {
      g_autofree char *name = g_strndup(s + 2, n - 4);
      json_t *v = json_object_get(fields, name);
      return v ? json_deep_copy(v) : json_null();
    }
    g_autofree char *text = substitute(s, field_text, fields);
    return json_string(text);
  }
  if (json_is_object(template)) {
    json_t *out = json_object();
    const char *k;
    json_t *child;
    json_object_foreach((json_t *)template, k, child)
        json_object_set_new(out, k, pt_sync_template_apply(child, fields));
    return out;
  }
  if (json_is_array(template)) {
    json_t *out = json_array();
    gsize i;
    json_t *child;
    json_array_foreach(template, i, child)
        json_array_append_new(out, pt_sync_template_apply(child, fields));
    return out;
  }
  return json_deep_copy(template);
}
