/* pt-batch-ref.c: a batch named by "#N" or its lot (see pt-batch-ref.h). */
#include "pt-batch-ref.h"

#include "pt-error.h"

PtBatch *
pt_batch_lookup(PtStore *store, const char *ref, GError **error)
{
  guint64 id;
  g_autoptr(GError) local = NULL;
  /* '#' is not in GS1's lot character set (AI 10, CSET 82): "#3" can only be an id. */
  if (ref[0] == '#') {
    if (!g_ascii_string_to_unsigned(ref + 1, 10, 1, G_MAXINT64, &id, NULL)) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "'%s' is not #N (a batch id)", ref);
      return NULL;
    }
    PtBatch *b = pt_store_batch_get(store, (gint64)id, &local);
    if (!b && g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
      g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no batch with id %s", ref + 1);
    else if (!b)
      g_propagate_error(error, g_steal_pointer(&local));
    return b;
  }
  /* A lot first, always: an all-digit lot is never shadowed by the batch with that id. */
  PtBatch *b = pt_store_batch_get_by_lot(store, ref, &local);
  if (b || !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    if (!b)
      g_propagate_error(error, g_steal_pointer(&local));
    return b;
  }
  g_clear_error(&local);
  /* No lot has this text: a bare number still names an id (the dashboard's URLs and older
   * scripts), as #N does. */
  if (g_ascii_string_to_unsigned(ref, 10, 1, G_MAXINT64, &id, NULL)) {
    b = pt_store_batch_get(store, (gint64)id, &local);
    if (b || !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
      if (!b)
        g_propagate_error(error, g_steal_pointer(&local));
      return b;
    }
  }
  g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no batch with lot '%s'", ref);
  return NULL;
}
