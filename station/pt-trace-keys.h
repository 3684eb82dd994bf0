/* pt-trace-keys.h: the station's key chain as its store holds it: the anchor (its first key)
 * and every stored rotation.  Below pt-trace.c and pt-batch-signed.c, which both follow it. */
#pragma once

#include "pt-key-chain.h"
#include "pt-keys.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* The station's key chain: @anchor and every stored rotation, each checked as it is added
 * (a rotation that does not verify fails the call).  Returns: (transfer full). */
PtKeyChain *pt_trace_key_chain(PtStore *store, const guint8 anchor[PT_PUB_LEN], GError **error);

G_END_DECLS
