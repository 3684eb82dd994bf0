/* pt-page-evidence.c: a consumer page's photo and certificates from the signed records (see
 * pt-page-evidence.h).  Records come from anywhere (the hub reads what stations sent), so
 * every member is checked for type before use and a malformed item is skipped, never shown.
 *
 * Workload: once per page render, over a batch's tens of records. */
#include "pt-page-evidence.h"

#include "pt-bundle.h"
#include "pt-hub-wire.h"
#include "pt-limits.h"
#include "pt-record.h"

#include <string.h>

struct _PtPageEvidence {
  json_t *products; /* [entry]: product photos, the last one shown */
  json_t *stills;   /* [entry]: each grading's first still, the last one shown without a photo */
  json_t *certs;    /* [entry] */
  GHashTable *ids;  /* entry (borrowed) -> eventID, to withdraw an entry declared in error */
};

PtPageEvidence *
pt_page_evidence_new(void)
{
  PtPageEvidence *pe = g_new0(PtPageEvidence, 1);
  pe->products = json_array();
  pe->stills = json_array();
  pe->certs = json_array();
  pe->ids = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
  return pe;
}

void
pt_page_evidence_free(PtPageEvidence *pe)
{
  if (!pe)
    return;
  json_decref(pe->products);
  json_decref(pe->stills);
  json_decref(pe->certs);
  g_hash_table_destroy(pe->ids);
  g_free(pe);
}

static const char *
text(const json_t *o, const char *key)
{
  return json_string_value(json_object_get(o, key));
}

/* @key of @from as @as in @to, when it is a non-empty string. */
static void
copy_text(json_t *to, const char *as, const json_t *from, const char *key)
{
  const char *v = text(from, key);
  if (v && *v)
    json_object_set_new(to, as, json_string(v));
}

static void
copy_int(json_t *to, const char *as, const json_t *from, const char *key)
{
  json_t *v = json_object_get(from, key);
  if (json_is_integer(v) && json_integer_value(v) >= 0)
    json_object_set_new(to, as, json_integer(json_integer_value(v)));
}

static json_t *
entry(gsize n, const char *sha256, const char *media_type)
{
  g_autofree char *url = g_strconcat(PT_PAGE_EVIDENCE_URL, sha256, NULL);
  return json_pack("{sIssssss}", "n", (json_int_t)n, "sha256", sha256, "media_type", media_type,
                   "url", url);
}

static gboolean
same_id(PtPageEvidence *pe, json_t *e, const char *id)
{
  return e && g_strcmp0(g_hash_table_lookup(pe->ids, e), id) == 0;
}

/* Takes @e (transfer full) into @list, remembering @event's eventID for it. */
static void
keep(PtPageEvidence *pe, json_t *list, json_t *e, const json_t *event)
{
  const char *id = text(event, "eventID");
  g_hash_table_replace(pe->ids, e, g_strdup(id ? id : ""));
  json_array_append_new(list, e);
}

/* An event declared in error withdraws what its first record showed. */
static void
withdraw(PtPageEvidence *pe, const char *id)
{
  json_t *lists[] = {pe->products, pe->stills, pe->certs};
  for (gsize l = 0; l < G_N_ELEMENTS(lists); l++)
    for (gsize i = json_array_size(lists[l]); i > 0; i--) {
      json_t *e = json_array_get(lists[l], i - 1);
      if (same_id(pe, e, id)) {
        g_hash_table_remove(pe->ids, e);
        json_array_remove(lists[l], i - 1);
      }
    }
}

static const char *
still_type(const char *file)
{
  return g_str_has_suffix(file, ".png") ? "image/png" : "image/jpeg";
}

static void
take_attachment(PtPageEvidence *pe, const json_t *event, const json_t *a, gsize n)
{
  const char *role = text(a, "role"), *sha = text(a, "sha256"), *type = text(a, "mediaType");
  if (!pt_hub_is_hex(sha, PT_HASH_LEN) || !type)
    return;
  json_t *e = entry(n, sha, type);
  copy_int(e, "size", a, "size");
  if (g_strcmp0(role, "photo") == 0 && g_str_has_prefix(type, "image/")) {
    json_object_set_new(e, "source", json_string("product"));
    copy_int(e, "width", a, "width");
    copy_int(e, "height", a, "height");
    keep(pe, pe->products, e, event);
  } else if (g_strcmp0(role, "certificate") == 0 && text(a, "kind") && text(a, "title") &&
             json_array_size(pe->certs) < PT_ATTACH_PER_BATCH_MAX) {
    copy_text(e, "kind", a, "kind");
    copy_text(e, "title", a, "title");
    copy_text(e, "title_zh", a, "titleZh");
    copy_text(e, "issuer", a, "issuer");
    copy_text(e, "issued", a, "issued");
    copy_text(e, "valid_until", a, "validUntil");
    keep(pe, pe->certs, e, event);
  } else {
    json_decref(e);
  }
}

void
pt_page_evidence_add(PtPageEvidence *pe, const json_t *event, gsize n)
{
  if (json_object_get(event, "errorDeclaration")) {
    withdraw(pe, text(event, "eventID"));
    return;
  }
  if (!pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL))
    return;
  gsize i;
  json_t *a;
  json_array_foreach(json_object_get(event, PT_EXT_ATTACHMENTS), i, a)
  {
    if (json_is_object(a))
      take_attachment(pe, event, a, n);
  }
  json_array_foreach(json_object_get(event, PT_EXT_EVIDENCE), i, a)
  {
    const char *sha = text(a, "sha256"), *file = text(a, "file");
    if (!pt_hub_is_hex(sha, PT_HASH_LEN) || !file)
      continue;
    json_t *e = entry(n, sha, still_type(file));
    json_object_set_new(e, "source", json_string("still"));
    keep(pe, pe->stills, e, event);
    break;
  }
}

void
pt_page_evidence_set(const PtPageEvidence *pe, json_t *data)
{
  gsize np = json_array_size(pe->products), ns = json_array_size(pe->stills);
  json_t *photo = np   ? json_array_get(pe->products, np - 1)
                  : ns ? json_array_get(pe->stills, ns - 1)
                       : NULL;
  if (photo) {
    json_t *copy = json_deep_copy(photo);
    /* What the browser hashes to show the photo as checked: more would cost a phone. */
    json_object_set_new(copy, "check_max", json_integer(PT_ATTACH_CHECK_BYTES_MAX));
    json_object_set_new(data, "photo", copy);
  }
  if (json_array_size(pe->certs))
    json_object_set_new(data, "certificates", json_deep_copy(pe->certs));
}

const char *
pt_page_evidence_media_type(const json_t *event, const char *sha256)
{
  gsize i;
  json_t *a;
  json_array_foreach(json_object_get(event, PT_EXT_ATTACHMENTS), i, a)
  {
    if (g_strcmp0(text(a, "sha256"), sha256) == 0 && text(a, "mediaType"))
      return text(a, "mediaType");
  }
  json_array_foreach(json_object_get(event, PT_EXT_EVIDENCE), i, a)
  {
    if (g_strcmp0(text(a, "sha256"), sha256) == 0 && text(a, "file"))
      return still_type(text(a, "file"));
  }
  json_array_foreach(json_object_get(event, PT_EXT_PHOTOS), i, a)
  {
    if (g_strcmp0(text(a, "sha256"), sha256) == 0)
      return "image/jpeg";
  }
  if (g_strcmp0(text(event, PT_EXT_CLIP_SHA256), sha256) == 0)
    return "video/mp4";
  return NULL;
}
