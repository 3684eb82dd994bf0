/* pt-gs1-resolver.c: the resolver's decisions and documents (see pt-gs1-resolver.h). */
#include "pt-gs1-resolver.h"

#include "pt-gs1-dl-compress.h"
#include "pt-labels-limits.h"

#include <string.h>

#define BOTH (PT_DL_ITEM_PRODUCT | PT_DL_ITEM_BATCH)

/* Every link an item may have, gs1:defaultLink first (the linkset's order). */
static const PtDlLink links[] = {
    {"gs1:defaultLink", "Traceability page", "text/html", PT_DL_ANSWER_PAGE, BOTH, TRUE},
    {"gs1:pip", "Product information", "text/html", PT_DL_ANSWER_PAGE, BOTH, TRUE},
    {"gs1:traceability", "Origin, grading and timeline of the batch", "text/html",
     PT_DL_ANSWER_PAGE, PT_DL_ITEM_BATCH, TRUE},
    {"gs1:epcis", "EPCIS 2.0 events of the batch (public view)", "application/ld+json",
     PT_DL_ANSWER_EPCIS, PT_DL_ITEM_BATCH, TRUE},
    {"gs1:recallStatus", "Recall status, as signed by the packing station", "application/json",
     PT_DL_ANSWER_RECALL, PT_DL_ITEM_BATCH, TRUE},
    {"pt:traceBundle", "Signed trace bundle (public view)", "application/json", PT_DL_ANSWER_BUNDLE,
     PT_DL_ITEM_BATCH, TRUE},
    {"pt:clip", "Evidence clip of one event (&n=N)", "video/mp4", PT_DL_ANSWER_CLIP,
     PT_DL_ITEM_BATCH, FALSE},
};

/* The languages the consumer page speaks (it picks one in the browser). */
static const char *const page_langs[] = {"en", "zh"};

/* GS1's vocabulary as it has been written over the years; a link type under any of them is
 * the gs1: one. */
static const char *const gs1_vocabularies[] = {
    "https://ref.gs1.org/voc/", "https://gs1.org/voc/",    "https://www.gs1.org/voc/",
    "http://gs1.org/voc/",      "http://www.gs1.org/voc/",
};

static gboolean
same_link_type(const char *compact, const char *asked)
{
  if (strcmp(compact, asked) == 0)
    return TRUE;
  if (!g_str_has_prefix(compact, "gs1:"))
    return FALSE;
  for (gsize i = 0; i < G_N_ELEMENTS(gs1_vocabularies); i++)
    if (g_str_has_prefix(asked, gs1_vocabularies[i]) &&
        strcmp(asked + strlen(gs1_vocabularies[i]), compact + 4) == 0)
      return TRUE;
  return FALSE;
}

PtDlPick
pt_gs1_resolver_pick(PtDlItem item, const char *link_type, const char *accept,
                     const PtDlLink **link)
{
  *link = NULL;
  if (!link_type || !*link_type)
    return accept && strstr(accept, PT_GS1_LINKSET_TYPE) ? PT_DL_PICK_LINKSET : PT_DL_PICK_DEFAULT;
  if (strcmp(link_type, "linkset") == 0 || strcmp(link_type, "all") == 0)
    return PT_DL_PICK_LINKSET;
  for (gsize i = 0; i < G_N_ELEMENTS(links); i++) {
    if (!(links[i].items & item) || !same_link_type(links[i].link_type, link_type))
      continue;
    *link = &links[i];
    return PT_DL_PICK_LINK;
  }
  return PT_DL_PICK_UNKNOWN;
}

gboolean
pt_gs1_resolver_redirects(const PtDlLink *link)
{
  return link->answer == PT_DL_ANSWER_PAGE;
}

char *
pt_gs1_resolver_href(const PtDlLink *link, const char *anchor)
{
  if (link->answer == PT_DL_ANSWER_PAGE)
    return g_strdup(anchor);
  return g_strdup_printf("%s?linkType=%s", anchor, link->link_type);
}

/* The relation type of @link as the linkset writes it: a URI. */
static char *
relation(const PtDlLink *link, const char *pt_ns)
{
  if (g_str_has_prefix(link->link_type, "gs1:"))
    return g_strconcat(PT_GS1_VOC, link->link_type + 4, NULL);
  return g_strconcat(pt_ns, link->link_type + 3, NULL);
}

json_t *
pt_gs1_resolver_linkset(PtDlItem item, const char *anchor, const char *description,
                        const char *pt_ns)
{
  json_t *set = json_pack("{ss}", "anchor", anchor);
  if (description && *description)
    json_object_set_new(set, "itemDescription", json_string(description));
  for (gsize i = 0; i < G_N_ELEMENTS(links); i++) {
    const PtDlLink *l = &links[i];
    if (!(l->items & item) || !l->listed)
      continue;
    g_autofree char *href = pt_gs1_resolver_href(l, anchor);
    json_t *target = json_pack("{ss ss}", "href", href, "title", l->title);
    /* The default link carries a title and nothing else (GS1 Resolver 1.0, 6.2). */
    if (strcmp(l->link_type, "gs1:defaultLink") != 0) {
      json_object_set_new(target, "type", json_string(l->media_type));
      if (l->answer == PT_DL_ANSWER_PAGE) {
        json_t *langs = json_array();
        for (gsize k = 0; k < G_N_ELEMENTS(page_langs); k++)
          json_array_append_new(langs, json_string(page_langs[k]));
        json_object_set_new(target, "hreflang", langs);
      }
    }
    g_autofree char *rel = relation(l, pt_ns);
    json_object_set_new(set, rel, json_pack("[o]", target));
  }
  return json_pack("{s[o]}", "linkset", set);
}

char *
pt_gs1_resolver_link_header(const char *anchor, const char *same_as, gboolean context)
{
  GString *s = g_string_new(NULL);
  g_string_append_printf(
      s, "<%s?linkType=linkset>; rel=\"linkset\"; type=\"" PT_GS1_LINKSET_TYPE "\"", anchor);
  if (same_as)
    g_string_append_printf(s, ", <%s>; rel=\"owl:sameAs\"", same_as);
  if (context)
    g_string_append(s,
                    ", <" PT_GS1_LINKSET_CONTEXT ">; rel=\"http://www.w3.org/ns/json-ld#context\""
                    "; type=\"application/ld+json\"");
  return g_string_free(s, FALSE);
}

/* The query of @raw_target: from after '?' to before '#'; *@n its length.  NULL when none. */
static const char *
query_of(const char *raw_target, gsize *n)
{
  const char *q = raw_target ? strchr(raw_target, '?') : NULL;
  if (!q)
    return NULL;
  q++;
  *n = strcspn(q, "#");
  return q;
}

static gboolean
key_is(const char *pair, gsize n, const char *key)
{
  gsize k = strlen(key);
  return n >= k && strncmp(pair, key, k) == 0 && (n == k || pair[k] == '=');
}

char *
pt_gs1_resolver_passed_query(const char *raw_target)
{
  gsize n = 0;
  const char *q = query_of(raw_target, &n);
  GString *out = g_string_new(NULL);
  for (gsize at = 0; q && at < n;) {
    gsize len = strcspn(q + at, "&;#");
    len = MIN(len, n - at);
    if (len && !key_is(q + at, len, "linkType")) {
      g_string_append_c(out, out->len ? '&' : '?');
      g_string_append_len(out, q + at, (gssize)len);
    }
    at += len + 1;
  }
  return g_string_free(out, FALSE);
}

char *
pt_gs1_resolver_query_value(const char *raw_target, const char *key)
{
  gsize n = 0;
  const char *q = query_of(raw_target, &n);
  for (gsize at = 0; q && at < n;) {
    gsize len = MIN(strcspn(q + at, "&;#"), n - at);
    if (key_is(q + at, len, key)) {
      gsize k = strlen(key);
      if (len == k)
        return g_strdup("");
      char *raw = g_strndup(q + at + k + 1, len - k - 1);
      char *value = g_uri_unescape_string(raw, NULL);
      if (!value)
        return raw;
      g_free(raw);
      return value;
    }
    at += len + 1;
  }
  return NULL;
}

char *
pt_gs1_resolver_target(const char *raw_target, gboolean *compressed, GError **error)
{
  *compressed = FALSE;
  gsize path_len = strcspn(raw_target, "?#");
  gsize query_n = 0;
  const char *query = query_of(raw_target, &query_n);
  if (path_len > 1 && raw_target[path_len - 1] == '/')
    path_len--;
  GString *out = g_string_new(NULL);
  const char *segment = raw_target + 1;
  gsize segment_len = path_len ? path_len - 1 : 0;
  if (raw_target[0] == '/' && !memchr(segment, '/', segment_len) &&
      pt_gs1_dl_is_compressed(segment, segment_len)) {
    if (!pt_gs1_dl_decompress(segment, segment_len, out, error)) {
      g_string_free(out, TRUE);
      return NULL;
    }
    *compressed = TRUE;
  } else {
    g_string_append_len(out, raw_target, (gssize)path_len);
  }
  if (query && query_n) {
    g_string_append_c(out, strchr(out->str, '?') ? '&' : '?');
    g_string_append_len(out, query, (gssize)query_n);
  }
  return g_string_free(out, FALSE);
}

gboolean
pt_gs1_resolver_request(const char *host, const char *raw_target, PtDlRequest *out, GError **error)
{
  memset(out, 0, sizeof *out);
  out->target = pt_gs1_resolver_target(raw_target, &out->compressed, error);
  if (!out->target)
    return FALSE;
  g_autofree char *uri = NULL;
  if (!g_str_has_prefix(out->target, "/01/")) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX,
                "Digital Link: the path is neither /01/{GTIN}... nor a compressed link");
  } else if (strlen(host) + strlen(out->target) + 8 > PT_DL_URI_MAX) {
    g_set_error(error, PT_GS1_ERROR, PT_GS1_ERROR_SYNTAX, "Digital Link: longer than %d characters",
                PT_DL_URI_MAX);
  } else {
    uri = g_strconcat("https://", host, out->target, NULL);
    if (pt_gs1_digital_link_parse(uri, 0, &out->link, error)) {
      g_autofree char *lot = out->link.lot[0] ? pt_gs1_dl_encode_value(out->link.lot) : NULL;
      out->anchor = g_strdup_printf("https://%s/01/%s%s%s", host, out->link.gtin, lot ? "/10/" : "",
                                    lot ? lot : "");
      if (out->compressed)
        out->same_as = g_steal_pointer(&uri);
      out->link_header = pt_gs1_resolver_link_header(out->anchor, out->same_as, FALSE);
      return TRUE;
    }
  }
  pt_gs1_resolver_request_clear(out);
  return FALSE;
}

void
pt_gs1_resolver_request_clear(PtDlRequest *r)
{
  g_clear_pointer(&r->target, g_free);
  g_clear_pointer(&r->same_as, g_free);
  g_clear_pointer(&r->anchor, g_free);
  g_clear_pointer(&r->link_header, g_free);
}

json_t *
pt_gs1_resolver_description(const char *origin, const char *name, const char *pt_ns)
{
  return json_pack("{ss ss s[s] sb s[{ss ss ss} {ss ss}] ss}", "name", name, "resolverRoot", origin,
                   "supportedPrimaryKeys", "01", "linkTypeDefaultCanBeLinkset", 0,
                   "supportedLinkType", "namespace", PT_GS1_VOC, "prefix", "gs1:", "profile",
                   PT_GS1_VOC "?show=linktypes", "namespace", pt_ns, "prefix",
                   "pt:", "jsonLdContextLocation", PT_GS1_LINKSET_CONTEXT);
}

static json_t *
string_or_null(const char *s)
{
  return s ? json_string(s) : json_null();
}

json_t *
pt_gs1_resolver_recall_json(const PtDlRecall *r)
{
  gboolean known = r->verified && r->status;
  json_t *out = json_pack("{ss ss}", "gtin", r->gtin, "lot", r->lot);
  json_object_set_new(out, "status", json_string(known ? r->status : "unknown"));
  json_object_set_new(out, "recalled",
                      known ? json_boolean(strcmp(r->status, "recalled") == 0) : json_null());
  json_object_set_new(out, "reason", string_or_null(known ? r->reason : NULL));
  json_object_set_new(out, "since", string_or_null(known ? r->since : NULL));
  json_object_set_new(out, "event_hash_id", string_or_null(known ? r->hash_id : NULL));
  json_object_set_new(out, "verified", json_boolean(r->verified));
  json_object_set_new(out, "station", string_or_null(r->station));
  return out;
}
