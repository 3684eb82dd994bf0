/* pt-doc-cache.c: public documents by batch revision, as files (see pt-doc-cache.h). */
#include "pt-doc-cache.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-gzip.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-trace.h"
#include "pt-web-view.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct _PtDocCache {
  char *dir;
  GMutex lock; /* held through a build: one at a time, so one build's memory at most */
  guint builds;
};

/* A name this cache writes (not a temporary file of g_file_set_contents()). */
static gboolean
is_document(const char *name)
{
  return name[0] != '.' && g_ascii_isdigit(name[0]) &&
         (g_str_has_suffix(name, ".json") || g_str_has_suffix(name, ".json.gz"));
}

PtDocCache *
pt_doc_cache_new(const char *dir, GError **error)
{
  if (g_mkdir_with_parents(dir, 0700) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", dir, g_strerror(errno));
    return NULL;
  }
  pt_file_prune_newest(dir, is_document, 0, NULL);
  PtDocCache *cache = g_new0(PtDocCache, 1);
  cache->dir = g_strdup(dir);
  g_mutex_init(&cache->lock);
  return cache;
}

void
pt_doc_cache_free(PtDocCache *cache)
{
  if (!cache)
    return;
  g_mutex_clear(&cache->lock);
  g_free(cache->dir);
  g_free(cache);
}

guint
pt_doc_cache_builds(PtDocCache *cache)
{
  g_mutex_lock(&cache->lock);
  guint n = cache->builds;
  g_mutex_unlock(&cache->lock);
  return n;
}

/* Returns: (transfer full): "BATCH-REV-KEY.", what every file of this revision begins with. */
static char *
stem(PtStation *station, const PtPublicRev *key)
{
  char signer[17];
  sodium_bin2hex(signer, sizeof signer, station->keys->public_key, 8);
  return g_strdup_printf("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT "-%s.", key->batch_id, key->rev,
                         signer);
}

static char *
file_path(PtDocCache *cache, const char *stem_, PtDocKind kind, gboolean gzip)
{
  static const char *const names[] = {
      [PT_DOC_BUNDLE] = "bundle.json", [PT_DOC_EPCIS] = "epcis.json", [PT_DOC_VIEW] = "view.json"};
  g_autofree char *name = g_strconcat(stem_, names[kind], gzip ? ".gz" : "", NULL);
  return g_build_filename(cache->dir, name, NULL);
}

/* The descriptor of @path and its size; -1 when it is not there. */
static int
open_file(const char *path, guint64 *size_out)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd >= 0 && fstat(fd, &st) == 0) {
    *size_out = (guint64)st.st_size;
    return fd;
  }
  if (fd >= 0)
    close(fd);
  return -1;
}

/* Removes the files of @batch_id's other revisions (and of a former key): a reader holding
 * one open keeps reading it. */
static void
drop_older(PtDocCache *cache, gint64 batch_id, const char *stem_)
{
  g_autofree char *prefix = g_strdup_printf("%" G_GINT64_FORMAT "-", batch_id);
  GDir *dir = g_dir_open(cache->dir, 0, NULL);
  if (!dir)
    return;
  const char *name;
  while ((name = g_dir_read_name(dir)))
    if (is_document(name) && g_str_has_prefix(name, prefix) && !g_str_has_prefix(name, stem_)) {
      g_autofree char *path = g_build_filename(cache->dir, name, NULL);
      g_unlink(path);
    }
  g_dir_close(dir);
}

static gboolean
write_file(const char *path, const void *data, gsize len, GError **error)
{
  /* Consistent (temp file and rename: never half a file), not durable: after a crash the
   * folder is emptied at start anyway. */
  GError *local = NULL;
  if (g_file_set_contents_full(path, data, (gssize)len, G_FILE_SET_CONTENTS_CONSISTENT, 0600,
                               &local))
    return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot write %s: %s", path, local->message);
  g_error_free(local);
  return FALSE;
}

/* Builds the document of @kind at @key and writes it plain and gzipped; with @cache->lock. */
static gboolean
build(PtDocCache *cache, PtStation *station, PtStore *store, const PtPublicRev *key, PtDocKind kind,
      const char *stem_, GError **error)
{
  g_autoptr(PtBatch) batch = pt_store_batch_get(store, key->batch_id, error);
  if (!batch)
    return FALSE;
  gsize len = 0;
  g_autofree char *text = NULL;
  if (kind == PT_DOC_BUNDLE)
    text = pt_trace_bundle(store, station->config, station->keys, batch, PT_BUNDLE_PUBLIC, NULL,
                           &len, error);
  else if (kind == PT_DOC_VIEW)
    text = pt_web_view_bundle(store, station->config, station->keys, batch, &len, error);
  else
    text = pt_trace_epcis(store, station->config, batch, PT_BUNDLE_PUBLIC, NULL, &len, error);
  if (!text)
    return FALSE;
  g_autoptr(GBytes) plain = g_bytes_new_static(text, len);
  g_autoptr(GBytes) gz = pt_gzip(plain);
  gsize gz_len = 0;
  const void *gz_data = g_bytes_get_data(gz, &gz_len);
  g_autofree char *plain_path = file_path(cache, stem_, kind, FALSE);
  g_autofree char *gz_path = file_path(cache, stem_, kind, TRUE);
  if (!write_file(plain_path, text, len, error) || !write_file(gz_path, gz_data, gz_len, error))
    return FALSE;
  cache->builds++;
  drop_older(cache, key->batch_id, stem_);
  pt_file_prune_newest(cache->dir, is_document, PT_DOC_CACHE_FILES, NULL);
  return TRUE;
}

int
pt_doc_cache_open(PtDocCache *cache, PtStation *station, PtStore *store, const PtPublicRev *key,
                  PtDocKind kind, gboolean gzip, guint64 *size_out, GError **error)
{
  g_autofree char *stem_ = stem(station, key);
  g_autofree char *path = file_path(cache, stem_, kind, gzip);
  int fd = open_file(path, size_out);
  if (fd >= 0)
    return fd;
  g_mutex_lock(&cache->lock);
  /* Another worker may have written it while this one waited. */
  fd = open_file(path, size_out);
  if (fd < 0 && build(cache, station, store, key, kind, stem_, error)) {
    fd = open_file(path, size_out);
    if (fd < 0)
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot open %s: %s", path, g_strerror(errno));
  }
  g_mutex_unlock(&cache->lock);
  return fd;
}
