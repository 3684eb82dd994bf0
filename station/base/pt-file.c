/* pt-file.c: the Redis rdb.c pattern for files that matter: write a temp file beside
 * the target, fsync it, rename it over the target, fsync the directory. */
#include "pt-file.h"

#include "pt-error.h"
#include "pt-limits.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

gboolean
pt_file_sync(const char *path, GError **error)
{
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0 || fsync(fd) != 0) {
    int e = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot sync %s: %s", path, g_strerror(e));
    return FALSE;
  }
  close(fd);
  return TRUE;
}

/* The directory holding @path, so that a rename into it survives a crash. */
static gboolean
fsync_dir(const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname(path);
  return pt_file_sync(dir, error);
}

gboolean
pt_file_write_atomic(const char *path, const void *data, gsize len, int mode, GError **error)
{
  g_autofree char *tmp = g_strdup_printf("%s.tmp.%d", path, (int)getpid());
  int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", tmp, g_strerror(errno));
    return FALSE;
  }
  const char *p = data;
  gsize left = len;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR)
      continue;
    if (n < 0)
      goto out_write_failed;
    p += n;
    left -= (gsize)n;
  }
  /* open() honours the umask; the mode asked for is the one that must hold (0600 keys). */
  if (fchmod(fd, mode) != 0 || fsync(fd) != 0)
    goto out_write_failed;
  if (close(fd) != 0) {
    fd = -1;
    goto out_write_failed;
  }
  if (rename(tmp, path) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot rename %s to %s: %s", tmp, path,
                g_strerror(errno));
    g_unlink(tmp);
    return FALSE;
  }
  return fsync_dir(path, error);

out_write_failed:
  g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot write %s: %s", path, g_strerror(errno));
  if (fd >= 0)
    close(fd);
  g_unlink(tmp);
  return FALSE;
}

char *
pt_file_read(const char *path, gsize max, gsize *len_out, GError **error)
{
  GStatBuf st;
  if (g_stat(path, &st) != 0) {
    g_set_error(error, PT_ERROR, errno == ENOENT ? PT_ERROR_NOT_FOUND : PT_ERROR_IO,
                "cannot read %s: %s", path, g_strerror(errno));
    return NULL;
  }
  if (!S_ISREG(st.st_mode)) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s is not a regular file", path);
    return NULL;
  }
  if ((guint64)st.st_size > max) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "%s is too large (%lld bytes, limit %zu)",
                path, (long long)st.st_size, max);
    return NULL;
  }
  char *data = NULL;
  gsize len = 0;
  g_autoptr(GError) local = NULL;
  if (!g_file_get_contents(path, &data, &len, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "%s", local->message);
    return NULL;
  }
  if (len > max) {
    g_free(data);
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE, "%s is too large", path);
    return NULL;
  }
  if (len_out)
    *len_out = len;
  return data;
}

int
pt_file_lock(const char *path, const char *holder, GError **error)
{
  int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    int saved = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot open %s: %s", path, g_strerror(saved));
    return -1;
  }
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int saved = errno;
    char other[PT_FILE_LOCK_HOLDER_MAX + 1] = "";
    ssize_t got = pread(fd, other, PT_FILE_LOCK_HOLDER_MAX, 0);
    close(fd);
    if (saved != EWOULDBLOCK) {
      g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot lock %s: %s", path, g_strerror(saved));
      return -1;
    }
    other[got > 0 ? got : 0] = '\0';
    g_strstrip(other);
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY, "%s is held by another process (%s)", path,
                *other ? other : "holder unknown");
    return -1;
  }
  gsize len = strlen(holder);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, holder, len, 0) != (ssize_t)len) {
    int saved = errno;
    close(fd);
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot write %s: %s", path, g_strerror(saved));
    return -1;
  }
  return fd;
}

typedef struct {
  char *path;
  gint64 mtime;
} CacheFile;

static void
cache_file_free(CacheFile *f)
{
  g_free(f->path);
  g_free(f);
}

static gint
newest_first(gconstpointer a, gconstpointer b)
{
  const CacheFile *x = *(CacheFile *const *)a, *y = *(CacheFile *const *)b;
  return x->mtime < y->mtime ? 1 : x->mtime > y->mtime ? -1 : 0;
}

void
pt_file_prune_newest(const char *dir, gboolean (*name_ok)(const char *name), guint keep,
                     void (*before_remove)(const char *path))
{
  g_autoptr(GDir) d = g_dir_open(dir, 0, NULL);
  if (!d)
    return;
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func((GDestroyNotify)cache_file_free);
  const char *name;
  while ((name = g_dir_read_name(d))) {
    if (!name_ok(name))
      continue;
    CacheFile *f = g_new0(CacheFile, 1);
    f->path = g_build_filename(dir, name, NULL);
    GStatBuf st;
    f->mtime = g_stat(f->path, &st) == 0 ? (gint64)st.st_mtime : 0;
    g_ptr_array_add(files, f);
  }
  g_ptr_array_sort(files, newest_first);
  for (guint i = keep; i < files->len; i++) {
    CacheFile *f = g_ptr_array_index(files, i);
    if (before_remove)
      before_remove(f->path);
    if (g_unlink(f->path) != 0)
      g_warning("cannot remove old %s: %s", f->path, g_strerror(errno));
  }
}
