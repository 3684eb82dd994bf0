/* pt-key-rotate.c: a station's key rotation, step by step on its data directory (see
 * pt-key-rotate.h).  Run by hand, rarely: a second of work at most. */
#include "pt-key-rotate.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-trace.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

typedef struct {
  char *dir;
  char *next_sec, *next_pub, *sec, *pub;
} KeyPaths;

static void
key_paths_clear(KeyPaths *p)
{
  g_free(p->dir);
  g_free(p->next_sec);
  g_free(p->next_pub);
  g_free(p->sec);
  g_free(p->pub);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(KeyPaths, key_paths_clear)

static gboolean
remove_file(const char *path, GError **error)
{
  if (g_unlink(path) == 0 || errno == ENOENT)
    return TRUE;
  g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot remove %s: %s", path, g_strerror(errno));
  return FALSE;
}

/* Step 4: the new pair becomes the station's key files; next.* go. */
static gboolean
install(const KeyPaths *p, const PtKeys *next, GError **error)
{
  return pt_keys_write(next, p->sec, p->pub, error) && remove_file(p->next_sec, error) &&
         remove_file(p->next_pub, error) && pt_file_sync(p->dir, error);
}

/* A next.key left by a rotation that stopped: finished when the last record names it (the
 * crash came after step 3), dropped when none does (before it). */
static gboolean
resume(PtStation *station, PtStore *store, const KeyPaths *p, PtKeyRotateResult *result,
       gboolean *done, GError **error)
{
  *done = FALSE;
  if (!g_file_test(p->next_sec, G_FILE_TEST_EXISTS))
    return TRUE;
  g_autoptr(PtKeys) next = pt_keys_load_files(p->next_sec, p->next_pub, NULL);
  g_autoptr(PtKeyChain) chain = pt_trace_key_chain(store, station->keys->anchor_key, error);
  if (!chain)
    return FALSE;
  guint last = pt_key_chain_length(chain) - 1;
  if (!next || last == 0 ||
      sodium_memcmp(pt_key_chain_key(chain, last), next->public_key, PT_PUB_LEN) != 0)
    return remove_file(p->next_sec, error) && remove_file(p->next_pub, error);
  if (!install(p, next, error))
    return FALSE;
  memcpy(result->previous_key, pt_key_chain_key(chain, last - 1), PT_PUB_LEN);
  memcpy(result->new_key, next->public_key, PT_PUB_LEN);
  result->from_ns = pt_key_chain_from_ns(chain, last);
  pt_key_chain_after(chain, last, &result->after_seq);
  result->n_keys = last + 1;
  result->resumed = TRUE;
  memcpy(next->anchor_key, station->keys->anchor_key, PT_PUB_LEN);
  pt_keys_free(station->keys);
  station->keys = g_steal_pointer(&next);
  *done = TRUE;
  return TRUE;
}

static gboolean
rotate(PtStation *station, PtStore *store, const KeyPaths *p, PtKeyRotateResult *result,
       GError **error)
{
  gboolean done = FALSE;
  if (!resume(station, store, p, result, &done, error))
    return FALSE;
  if (done)
    return TRUE;
  g_autoptr(PtKeys) next = pt_keys_new_ephemeral();
  memcpy(next->anchor_key, station->keys->anchor_key, PT_PUB_LEN);
  PtKeyRotationRow row = {0};
  if (!pt_keys_write_anchor(station->keys, station->dir, error) ||
      !pt_keys_write(next, p->next_sec, p->next_pub, error) || !pt_store_begin(store, error))
    return FALSE;
  if (!pt_trace_rotate_key(store, station->keys, next, &row, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  pt_key_rotation_row_clear(&row);
  if (!install(p, next, error))
    return FALSE;
  g_autoptr(PtKeyChain) chain = pt_trace_key_chain(store, station->keys->anchor_key, error);
  if (!chain)
    return FALSE;
  guint last = pt_key_chain_length(chain) - 1;
  memcpy(result->previous_key, station->keys->public_key, PT_PUB_LEN);
  memcpy(result->new_key, next->public_key, PT_PUB_LEN);
  result->from_ns = pt_key_chain_from_ns(chain, last);
  pt_key_chain_after(chain, last, &result->after_seq);
  result->n_keys = last + 1;
  pt_keys_free(station->keys);
  station->keys = g_steal_pointer(&next);
  return TRUE;
}

gboolean
pt_key_rotate(PtStation *station, PtKeyRotateResult *result, GError **error)
{
  memset(result, 0, sizeof *result);
  g_auto(KeyPaths) p = {
      .dir = g_build_filename(station->dir, "keys", NULL),
  };
  p.next_sec = g_build_filename(p.dir, "next.key", NULL);
  p.next_pub = g_build_filename(p.dir, "next.pub", NULL);
  p.sec = g_build_filename(p.dir, "station.key", NULL);
  p.pub = g_build_filename(p.dir, "station.pub", NULL);
  g_autofree char *lock_path = g_build_filename(station->dir, "run.lock", NULL);
  g_autoptr(GError) local = NULL;
  int lock = pt_file_lock(lock_path, "packtrace key rotate\n", &local);
  if (lock < 0) {
    g_set_error(error, PT_ERROR, local->code == PT_ERROR_BUSY ? PT_ERROR_CONFLICT : local->code,
                "%s: the station is running; stop it before rotating its key (%s)", station->dir,
                local->message);
    return FALSE;
  }
  g_autoptr(PtStore) store = pt_station_store(station, error);
  gboolean ok = store && rotate(station, store, &p, result, error);
  close(lock);
  return ok;
}
