/* pt-page-view.c: the records a consumer page shows (see pt-page-view.h). */
#include "pt-page-view.h"

#include "pt-bundle.h"
#include "pt-json.h"
#include "pt-page-evidence.h"

#include <string.h>

struct _PtPageView {
  guint limit;
  gsize count;
  gint64 commissioning, status, grading; /* 0: none yet */
  PtPageEvidence *evidence;              /* the photo and certificates, as the page has them */
};

PtPageView *
pt_page_view_new(guint limit)
{
  PtPageView *v = g_new0(PtPageView, 1);
  v->limit = limit;
  v->evidence = pt_page_evidence_new();
  return v;
}

void
pt_page_view_free(PtPageView *v)
{
  if (!v)
    return;
  pt_page_evidence_free(v->evidence);
  g_free(v);
}

void
pt_page_view_add(PtPageView *v, const json_t *event, const char *step, gsize n)
{
  v->count = n;
  pt_page_evidence_add(v->evidence, event, n);
  /* The script reads the facts from the records in clear, an error declaration never among
   * them: the same ones here, or a partial view would state other facts than the whole. */
  if (!step || json_object_get(event, "errorDeclaration") ||
      !pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL))
    return;
  if (strcmp(step, "commissioning") == 0 && !v->commissioning)
    v->commissioning = (gint64)n;
  else if (strcmp(step, "holding") == 0 && json_object_get(event, "pt:action"))
    v->status = (gint64)n;
  else if (strcmp(step, "inspecting") == 0 && json_object_get(event, "pt:declaredClass"))
    v->grading = (gint64)n;
}

gsize
pt_page_view_count(const PtPageView *v)
{
  return v->count;
}

static gint
by_number(gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return x < y ? -1 : x > y;
}

static void
take(GArray *out, gint64 n)
{
  if (n > 0 && !pt_page_view_has(out, n))
    g_array_append_val(out, n);
}

GArray *
pt_page_view_numbers(const PtPageView *v)
{
  GArray *out = g_array_new(FALSE, FALSE, sizeof(gint64));
  if (v->count <= v->limit) {
    for (gint64 n = 1; n <= (gint64)v->count; n++)
      g_array_append_val(out, n);
    return out;
  }
  take(out, v->commissioning);
  take(out, v->status);
  take(out, v->grading);
  g_autoptr(json_t) shown = json_object();
  pt_page_evidence_set(v->evidence, shown);
  take(out, json_integer_value(json_object_get(json_object_get(shown, "photo"), "n")));
  gsize i;
  json_t *cert;
  json_array_foreach(json_object_get(shown, "certificates"), i, cert)
  {
    take(out, json_integer_value(json_object_get(cert, "n")));
  }
  for (gint64 n = (gint64)v->count; n > 0 && out->len < v->limit; n--)
    take(out, n);
  /* The latest record always: the view's last must be the head's. */
  take(out, (gint64)v->count);
  g_array_sort(out, by_number);
  return out;
}

void
pt_page_view_set_evidence(const PtPageView *v, json_t *data)
{
  pt_page_evidence_set(v->evidence, data);
}

gboolean
pt_page_view_has(const GArray *shown, gint64 n)
{
  for (guint i = 0; i < shown->len; i++)
    if (g_array_index(shown, gint64, i) == n)
      return TRUE;
  return FALSE;
}

gboolean
pt_page_entries_take(const PtEventRow *row, gpointer user_data, GError **error)
{
  PtPageEntries *st = user_data;
  gint64 n = ++st->n;
  if (!pt_page_view_has(st->shown, n))
    return TRUE;
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return FALSE;
  json_array_append_new(st->events, pt_bundle_public_entry(event, row, (gsize)n, st->clip_link));
  json_decref(event);
  return TRUE;
}
