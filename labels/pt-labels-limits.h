/* pt-labels-limits.h: every bound of labels/ in one place.  Inputs over a bound are
 * refused with a "too long" / "too large" error instead of growing a buffer. */
#pragma once

/* Digital Link URIs: whole URI as read from a scan, host part, query parameters. */
#define PT_DL_URI_MAX          1024
#define PT_DL_HOST_MAX         253
#define PT_DL_QUERY_PARAMS_MAX 32

/* AI element strings: number of elements and the longest value of any AI we know. */
#define PT_GS1_ELEMENTS_MAX       16
#define PT_GS1_AI_VALUE_MAX       30
#define PT_GS1_ELEMENT_STRING_MAX 256

/* Label text: one field in bytes of UTF-8; text is shrunk down to the minimum size
 * before the label is refused. */
#define PT_LABEL_TEXT_MAX    512
#define PT_LABEL_TEXT_MIN_PT 5.0

/* Net quantity on a label, in its unit (kg, lb, ct), exclusive: far above any case or
 * pallet, so a number this large is a slipped field (a GTIN or lot typed into it), and
 * with its three decimals it still fits the pallet label's weight line. */
#define PT_LABEL_QUANTITY_MAX 10000000
/* Logistic (pallet SSCC) labels: lots listed by name, and the largest count AI 37 takes
 * (8 digits). */
#define PT_LOGISTIC_LINES_MAX 6
#define PT_LOGISTIC_COUNT_MAX 99999999

/* Resolutions we lay out for (dots per inch). */
#define PT_LABEL_DPI_MIN 150
#define PT_LABEL_DPI_MAX 600

/* Barcodes: smallest module we print, in dots of the label's resolution, and in mm
 * for the linear symbol (GS1-128 X-dimension); quiet zones in modules. */
#define PT_QR_MODULE_MIN_DOTS    2
#define PT_QR_QUIET_MODULES      4
#define PT_GS1_128_QUIET_MODULES 10
#define PT_DM_QUIET_MODULES      2
#define PT_GS1_128_X_MIN_MM      0.25

/* ZPL output: one job, and one ^GFA graphic. */
#define PT_ZPL_JOB_MAX     (4 * 1024 * 1024)
#define PT_ZPL_GRAPHIC_MAX (512 * 1024)

/* Copies one ZPL job may ask the printer for (^PQ). */
#define PT_LABEL_COPIES_MAX 999

/* Any rendered label file (PNG, PDF, SVG). */
#define PT_LABEL_FILE_MAX (16 * 1024 * 1024)

/* Printing over raw TCP: default port and timeouts (milliseconds); bytes a printer
 * may send back while we wait for it to close the connection. */
#define PT_PRINT_DEFAULT_PORT       9100
#define PT_PRINT_CONNECT_TIMEOUT_MS 5000
#define PT_PRINT_IO_TIMEOUT_MS      10000
#define PT_PRINT_REPLY_MAX          4096
/* Send buffer per printer connection: small enough that a printer which stops
 * reading stalls the writer (and trips the write timeout) instead of the whole job
 * vanishing into megabytes of kernel buffer. */
#define PT_PRINT_SNDBUF (64 * 1024)

/* The cache of templates' static parts (pt-label-cache.c): entries, and bytes of all
 * of them together (a 4x6 in static layer is 4 MB at 203 dpi, 8.6 MB at 300); a part
 * larger than a quarter of the bytes is drawn every time instead. */
#define PT_LABEL_CACHE_ENTRIES 32
#define PT_LABEL_CACHE_BYTES   (48 * 1024 * 1024)

/* The compliance certificate (pt-cert-cn.c): the longest field, bytes of UTF-8 */
#define PT_CERT_FIELD_MAX 512
