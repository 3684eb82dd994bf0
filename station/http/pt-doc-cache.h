/* pt-doc-cache.h: a batch's public documents (its signed bundle, its page's view of it and its
 * EPCIS document, the answers of ?linkType=pt:traceBundle[&view=page] and gs1:epcis) written once
 * per batch revision to files, plain and gzipped, and sent from them.
 *
 * Workload: the consumer page's script fetches the public bundle at every view, and a 10,000-
 * event batch's is 12 MB: built per request it cost 0.7 s of CPU and its size in memory for
 * each view, and one anonymous request for a 100,000-event batch raised the station by
 * hundreds of megabytes.  Here a document is built when the batch's revision (PtPublicRev,
 * which every committed write to its records raises) has none yet, one build at a time in the
 * whole process; every other request is a file descriptor that libmicrohttpd sends from the
 * page cache.  So the memory of a request is bounded by one build (the document and its gzip,
 * only while it is written), whatever the number of readers; and a request never holds it.
 *
 * Files: DIR/BATCH-REV-KEY.KIND[.gz], KEY the first bytes of the signing key (a rotated key
 * gives new files); a new revision's files replace the batch's older ones; at most
 * PT_DOC_CACHE_FILES files are kept (the least recently written go first).  Written by temp
 * file and rename, so a reader never sees half a file.
 * Thread-safe.  Lifecycle: pt_doc_cache_new() -> _open() from any worker -> _free(). */
#pragma once

#include "pt-station.h"
#include "pt-store-web.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtDocCache PtDocCache;

typedef enum {
  PT_DOC_BUNDLE, /* the public signed bundle */
  PT_DOC_EPCIS,  /* the public EPCIS document */
  PT_DOC_VIEW,   /* the consumer page's view of the public bundle (pt-web-view.h) */
} PtDocKind;

/* Returns: (transfer full): a cache in @dir (created; files left there by an earlier run
 * are removed: their revisions are not known to be current). */
PtDocCache *pt_doc_cache_new(const char *dir, GError **error);
void pt_doc_cache_free(PtDocCache *cache);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtDocCache, pt_doc_cache_free)

/* Opens the file of @kind (gzipped when @gzip) of @key's batch at @key's revision, writing it
 * first (from @store, signed by @station's keys) when there is none.  @key is read before the
 * call, so a file is never older than its name says.  Returns: a descriptor (the caller's to
 * close), its size in @size_out; -1 with @error set. */
int pt_doc_cache_open(PtDocCache *cache, PtStation *station, PtStore *store, const PtPublicRev *key,
                      PtDocKind kind, gboolean gzip, guint64 *size_out, GError **error);

/* Builds of documents done so far (a test's proof that a second reader built nothing). */
guint pt_doc_cache_builds(PtDocCache *cache);

G_END_DECLS
