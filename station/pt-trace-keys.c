/* pt-trace-keys.c: see pt-trace-keys.h. */
#include "pt-trace-keys.h"

#include "pt-store-keys.h"

PtKeyChain *
pt_trace_key_chain(PtStore *store, const guint8 anchor[PT_PUB_LEN], GError **error)
{
  g_autoptr(GPtrArray) rows = pt_store_key_rotations(store, error);
  if (!rows)
    return NULL;
  g_autoptr(PtKeyChain) chain = pt_key_chain_new(anchor);
  for (guint i = 0; i < rows->len; i++)
    if (!pt_key_chain_add(chain, rows->pdata[i], error))
      return NULL;
  return g_steal_pointer(&chain);
}
