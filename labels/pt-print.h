/* pt-print.h: sends one ZPL job to a thermal printer over raw TCP (port 9100).  Blocks
 * the calling thread for at most the timeouts below (plus name resolution); call it
 * from a worker, never from the main loop.  Queueing and retries belong to the
 * caller: a FALSE return means the job must be assumed not printed. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define PT_PRINT_ERROR (pt_print_error_quark())
GQuark pt_print_error_quark(void);

typedef enum {
  PT_PRINT_ERROR_ADDRESS,   /* HOST[:PORT] unparsable or does not resolve */
  PT_PRINT_ERROR_CONNECT,   /* refused, unreachable, or no answer within the connect timeout */
  PT_PRINT_ERROR_TIMEOUT,   /* connected, then the printer stopped taking data or never closed */
  PT_PRINT_ERROR_CLOSED,    /* the printer closed or reset the connection mid-job */
  PT_PRINT_ERROR_TOO_LARGE, /* job over PT_ZPL_JOB_MAX */
} PtPrintError;

typedef struct {
  guint connect_timeout_ms; /* 0: PT_PRINT_CONNECT_TIMEOUT_MS */
  guint io_timeout_ms;      /* 0: PT_PRINT_IO_TIMEOUT_MS; longest wait for any progress */
  gboolean no_confirm;      /* TRUE: return once the bytes are handed to the kernel */
} PtPrintOptions;

/* Sends @job (transfer none) to @destination ("host", "host:port", "[v6]:port";
 * default port 9100).  Unless @options->no_confirm, it then half-closes the connection
 * and waits for the printer to close its side: a raw-port printer does that only
 * after reading the whole job, so a printer that accepts and hangs is reported even
 * when the job fits in the socket buffers.  @options: (nullable). */
gboolean pt_print_send(const char *destination, GBytes *job, const PtPrintOptions *options,
                       GError **error);

G_END_DECLS
