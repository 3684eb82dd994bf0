/* pt-web-view.c: a batch's page view from the station's store (see pt-web-view.h). */
#include "pt-web-view.h"

#include "pt-bundle.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-store-web.h"
#include "pt-trace-keys.h"

static gboolean
select_row(const PtEventRow *row, gpointer user_data, GError **error)
{
  PtPageView *view = user_data;
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return FALSE;
  pt_page_view_add(view, event, row->step, pt_page_view_count(view) + 1);
  json_decref(event);
  return TRUE;
}

PtPageView *
pt_web_view_select(PtStore *store, gint64 batch_id, GError **error)
{
  g_autoptr(PtPageView) view = pt_page_view_new(PT_PAGE_RECORDS_MAX);
  if (!pt_store_events_foreach(store, batch_id, select_row, view, error))
    return NULL;
  return g_steal_pointer(&view);
}

typedef struct {
  PtBundleWriter *writer;
  GArray *shown;
  gint64 n;
} ViewWrite;

static gboolean
write_row(const PtEventRow *row, gpointer user_data, GError **error)
{
  ViewWrite *vw = user_data;
  if (pt_page_view_has(vw->shown, ++vw->n))
    return pt_bundle_writer_add(vw->writer, row, error);
  pt_bundle_writer_pass(vw->writer, row);
  return TRUE;
}

static char *
view_bundle(PtStore *store, const PtConfig *config, const PtKeys *keys, const PtBatch *batch,
            gsize *len_out, GError **error)
{
  g_autoptr(PtPageView) view = pt_web_view_select(store, batch->id, error);
  if (!view)
    return NULL;
  g_autoptr(GArray) shown = pt_page_view_numbers(view);
  g_autoptr(PtBundleWriter) w = pt_bundle_writer_new(config, TRUE, PT_BUNDLE_PUBLIC, NULL);
  pt_bundle_writer_set_view(w);
  g_autoptr(PtKeyChain) chain = pt_trace_key_chain(store, keys->anchor_key, error);
  ViewWrite vw = {.writer = w, .shown = shown};
  if (!chain || !pt_store_events_foreach(store, batch->id, write_row, &vw, error))
    return NULL;
  pt_bundle_writer_set_key_chain(w, chain);
  return pt_bundle_writer_finish(w, keys, batch, len_out, error);
}

char *
pt_web_view_bundle(PtStore *store, const PtConfig *config, const PtKeys *keys, const PtBatch *batch,
                   gsize *len_out, GError **error)
{
  char *text = NULL;
  if (pt_store_read_begin(store, error))
    text = view_bundle(store, config, keys, batch, len_out, error);
  pt_store_read_end(store);
  return text;
}
