/* pt-export-fsma.h: the FSMA 204 electronic sortable spreadsheet (21 CFR Part 1 Subpart S,
 * section 1.1455(c)(3)(ii)) of a lot, or of every lot in a date range: one row per Critical
 * Tracking Event with its Key Data Elements, as CSV (RFC 4180, UTF-8 with a BOM) or XLSX
 * (libxlsxwriter).  Shared by `packtrace export fsma` and GET /api/v1/exports/fsma.
 *
 * The rows are read from the station's signed events, each checked against its hash and the
 * key in force at its record time before it is believed; an event that does not verify fails
 * the export (an export is evidence: it never carries an unverified record).  How events map
 * to CTEs and which columns follow which source: pt-export-fsma.c. */
#pragma once

#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

/* The columns, in the order every row and the header carry them. */
enum {
  PT_FSMA_COL_EVENT_ID,
  PT_FSMA_COL_CTE,
  PT_FSMA_COL_DATE,
  PT_FSMA_COL_TIME,
  PT_FSMA_COL_TLC,
  PT_FSMA_COL_PRODUCT,
  PT_FSMA_COL_QUANTITY,
  PT_FSMA_COL_UOM,
  PT_FSMA_COL_LOCATION_GLN,
  PT_FSMA_COL_LOCATION,
  PT_FSMA_COL_TLC_SOURCE_GLN,
  PT_FSMA_COL_TLC_SOURCE,
  PT_FSMA_COL_SHIP_FROM,
  PT_FSMA_COL_SHIP_TO,
  PT_FSMA_COL_HARVEST_LOCATION,
  PT_FSMA_COL_INPUT_TLC,
  PT_FSMA_COL_DOC_TYPE,
  PT_FSMA_COL_DOC_NUMBER,
  PT_FSMA_COL_HASH_ID,
  PT_FSMA_N_COLUMNS
};

/* The header row: (transfer none), PT_FSMA_N_COLUMNS strings. */
extern const char *const pt_fsma_columns[PT_FSMA_N_COLUMNS];

typedef struct {
  char *cells[PT_FSMA_N_COLUMNS]; /* (owned) every one set: a value, or "n/a: ..." or
                                   * "not recorded: ..." saying why there is none */
  gboolean quantity_is_number;    /* cells[PT_FSMA_COL_QUANTITY] is a decimal number */
  double quantity;
  /* ordering: the CTE's day, its time (0: the day only), the log position, and the row within
   * one event (a transformation's outputs) */
  gint64 time_ns;
  gint64 seq;
  guint sub;
} PtFsmaRow;

void pt_fsma_row_free(PtFsmaRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtFsmaRow, pt_fsma_row_free)

typedef struct {
  const char *lot;       /* nullable: this lot (a lot, or #ID) and the lots a transformation
                          * made from it or it from them */
  const char *from_date; /* nullable: YYYY-MM-DD; with @to_date, every lot with a CTE on a day
                          * from @from_date to @to_date, inclusive */
  const char *to_date;
} PtFsmaQuery;

/* Checks @query: a lot, or both dates (valid calendar days, from <= to, at most
 * PT_EXPORT_RANGE_DAYS_MAX days), never both forms.  PT_ERROR_INVALID naming what is wrong. */
gboolean pt_fsma_query_check(const PtFsmaQuery *query, GError **error);

/* The rows of @query, sorted by day, time and log position.  A lot that does not exist is
 * PT_ERROR_NOT_FOUND; an event that does not verify, PT_ERROR_TAMPERED naming it; more than
 * PT_EXPORT_LOTS_MAX lots or PT_EXPORT_ROWS_MAX rows, PT_ERROR_TOO_LARGE.  A date range with no
 * CTE is an empty list, not an error.  Returns: (transfer full) (element-type PtFsmaRow). */
GPtrArray *pt_fsma_rows(PtStation *station, PtStore *store, const PtFsmaQuery *query,
                        GError **error);

/* Returns: (transfer full): @rows as CSV: a UTF-8 BOM (Excel reads the file as UTF-8 then,
 * also on a zh-CN Windows), the header, one CRLF-ended record per row, every field quoted
 * (RFC 4180), so commas, quotes and line breaks in lots and names survive. */
GBytes *pt_fsma_csv(const GPtrArray *rows);

/* Writes @rows as an XLSX workbook to @path: sheet "FSMA 204" with a bold, frozen header row
 * and an autofilter over every column (sortable and filterable in Excel and LibreOffice), the
 * quantities as numbers, every other cell as text (never a formula); sheet "About" says what
 * the sheet holds, its source and @title.  Written to a temporary file, fsync'd and renamed
 * over @path. */
gboolean pt_fsma_write_xlsx(const GPtrArray *rows, const char *title, const char *path,
                            GError **error);

G_END_DECLS
