/* pt-http-export.c: the regulators' exports of the station API.  Admins only: an export names
 * every buyer, truck and document of the lots it covers.
 *
 *   GET /api/v1/exports/fsma?lot=LOT|from=D&to=D[&format=csv|xlsx]
 *        the FSMA 204 sortable spreadsheet (pt-export-fsma.h), as an attachment
 *   GET /api/v1/exports/cn?lot=LOT[&format=json|csv|pdf]
 *        the China traceability record, or the lot's 合格证 as a PDF (pt-export-cn.h)
 *
 * Bad input (an unknown lot, a date that is not one) is a 4xx with the reason; nothing is
 * written on the station. */
#include "pt-http-export.h"

#include "pt-http-respond.h"

#include "pt-error.h"
#include "pt-export-cn.h"
#include "pt-export-fsma.h"
#include "pt-file.h"
#include "pt-limits.h"

#include <glib/gstdio.h>
#include <string.h>

static enum MHD_Result
respond_file(struct MHD_Connection *c, GBytes *bytes, const char *type, const char *file_name)
{
  gsize len;
  const void *data = g_bytes_get_data(bytes, &len);
  struct MHD_Response *r =
      MHD_create_response_from_buffer(len, (void *)data, MHD_RESPMEM_MUST_COPY);
  g_autofree char *disposition = g_strdup_printf("attachment; filename=\"%s\"", file_name);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, type);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_DISPOSITION, disposition);
  MHD_add_response_header(r, MHD_HTTP_HEADER_CACHE_CONTROL, "no-store");
  MHD_add_response_header(r, "X-Content-Type-Options", "nosniff");
  enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
  MHD_destroy_response(r);
  return ret;
}

/* The workbook, written to a private temporary folder (libxlsxwriter writes files) and read
 * back.  Returns: (transfer full) (nullable). */
static GBytes *
xlsx_bytes(const GPtrArray *rows, const char *title, GError **error)
{
  g_autofree char *dir = g_dir_make_tmp("packtrace-fsma-XXXXXX", error);
  if (!dir)
    return NULL;
  g_autofree char *path = g_build_filename(dir, "fsma.xlsx", NULL);
  gsize len = 0;
  char *data = pt_fsma_write_xlsx(rows, title, path, error)
                   ? pt_file_read(path, PT_EXPORT_FILE_MAX, &len, error)
                   : NULL;
  g_unlink(path);
  g_rmdir(dir);
  return data ? g_bytes_new_take(data, len) : NULL;
}

static enum MHD_Result
get_fsma(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
  PtFsmaQuery query = {
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lot"),
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "from"),
      MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "to"),
  };
  gboolean xlsx = format && strcmp(format, "xlsx") == 0;
  if (format && !xlsx && strcmp(format, "csv") != 0)
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "format must be csv or xlsx", NULL);
  g_autoptr(GError) error = NULL;
  PtStore *store =
      pt_fsma_query_check(&query, &error) ? pt_http_worker_store(call->http, &error) : NULL;
  g_autoptr(GPtrArray) rows =
      store ? pt_fsma_rows(call->http->station, store, &query, &error) : NULL;
  if (!rows)
    return pt_http_respond_gerror(c, error);
  g_autofree char *title =
      query.lot
          ? g_strdup_printf("FSMA 204 sortable spreadsheet: lot %s and the lots linked to "
                            "it, station %s",
                            query.lot, call->http->station->config->station_id)
          : g_strdup_printf("FSMA 204 sortable spreadsheet: %s to %s, station %s", query.from_date,
                            query.to_date, call->http->station->config->station_id);
  g_autoptr(GBytes) bytes = xlsx ? xlsx_bytes(rows, title, &error) : pt_fsma_csv(rows);
  if (!bytes)
    return pt_http_respond_gerror(c, error);
  return xlsx ? respond_file(c, bytes,
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                             "fsma204.xlsx")
              : respond_file(c, bytes, "text/csv; charset=utf-8", "fsma204.csv");
}

static enum MHD_Result
get_cn(const PtHttpCall *call)
{
  struct MHD_Connection *c = call->c;
  const char *format = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "format");
  const char *lot = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "lot");
  const char *f = format ? format : "json";
  if (strcmp(f, "json") != 0 && strcmp(f, "csv") != 0 && strcmp(f, "pdf") != 0)
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "format must be json, csv or pdf", NULL);
  if (!lot || !*lot)
    return pt_http_respond_error(c, MHD_HTTP_BAD_REQUEST, "give a lot (?lot=LOT)", NULL);
  g_autoptr(GError) error = NULL;
  PtStore *store = pt_http_worker_store(call->http, &error);
  if (!store)
    return pt_http_respond_gerror(c, error);
  if (strcmp(f, "pdf") == 0) {
    g_autoptr(GBytes) pdf = pt_export_cn_certificate(call->http->station, store, lot, &error);
    return pdf ? respond_file(c, pdf, "application/pdf", "hegezheng.pdf")
               : pt_http_respond_gerror(c, error);
  }
  json_t *record = pt_export_cn_record(call->http->station, store, lot, &error);
  if (!record)
    return pt_http_respond_gerror(c, error);
  if (strcmp(f, "json") == 0)
    return pt_http_respond_json(c, MHD_HTTP_OK, record, NULL);
  json_t *records = json_pack("[o]", record);
  g_autoptr(GBytes) csv = pt_export_cn_csv(records);
  json_decref(records);
  return respond_file(c, csv, "text/csv; charset=utf-8", "zhuisu.csv");
}

static const PtHttpRoute export_routes[] = {
    {"/api/v1/exports/fsma", PT_HTTP_GET, PT_HTTP_ADMIN, get_fsma},
    {"/api/v1/exports/cn", PT_HTTP_GET, PT_HTTP_ADMIN, get_cn},
};

const PtHttpRouteTable pt_http_export_routes = {export_routes, G_N_ELEMENTS(export_routes)};
