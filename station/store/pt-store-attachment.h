/* pt-store-attachment.h: what an operator attached to a batch for the consumer page (a product
 * photo, a certificate: pt-attachment.c): where its file is, its media type and the signed
 * event that names it.  The file's SHA-256, type and facts are in that event; this row finds
 * the file by hash (the page's /evidence/{sha256}, the hub connector's upload). */
#pragma once

#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Migration 22 -> 23, kept next to the statements that use it (pt-store-attachment.c).  A row
 * is written in the transaction that appends the event naming the file. */
#define PT_STORE_ATTACHMENT_MIGRATION                                                              \
  "CREATE TABLE attachments ("                                                                     \
  "  id INTEGER PRIMARY KEY,"                                                                      \
  "  batch_id INTEGER NOT NULL REFERENCES batches (id),"                                           \
  "  event_id TEXT NOT NULL,"                                                                      \
  "  role TEXT NOT NULL CHECK (role IN ('photo', 'certificate')),"                                 \
  "  sha256 TEXT NOT NULL CHECK (length(sha256) = 64),"                                            \
  "  media_type TEXT NOT NULL,"                                                                    \
  "  bytes INTEGER NOT NULL,"                                                                      \
  "  path TEXT NOT NULL,"                                                                          \
  "  created_ns INTEGER NOT NULL);"                                                                \
  "CREATE INDEX attachments_by_sha ON attachments (sha256);"                                       \
  "CREATE INDEX attachments_by_batch ON attachments (batch_id, sha256);"

typedef struct {
  gint64 id;
  gint64 batch_id;
  char *event_id;
  char *role; /* "photo" or "certificate" */
  char *sha256;
  char *media_type;
  gint64 bytes;
  char *path; /* relative to the data directory */
  gint64 created_ns;
} PtAttachmentRow;

void pt_attachment_row_free(PtAttachmentRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtAttachmentRow, pt_attachment_row_free)

/* Inside the transaction that appends the event naming it; @row's id is set. */
gboolean pt_store_attachment_insert(PtStore *store, PtAttachmentRow *row, GError **error);
/* Returns: (transfer full) (element-type PtAttachmentRow): the rows of @sha256 (of @batch_id
 * only, when > 0), oldest first, at most PT_ATTACH_PER_BATCH_MAX; NULL with @error set. */
GPtrArray *pt_store_attachments_by_sha(PtStore *store, const char *sha256, gint64 batch_id,
                                       GError **error);
/* The number of attachments of @batch_id. */
gboolean pt_store_attachment_count(PtStore *store, gint64 batch_id, gint64 *n_out, GError **error);

G_END_DECLS
