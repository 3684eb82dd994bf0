/* pt-sync-hub.h: the hub connector inside the sync worker (`[sync NAME] type=hub`); only
 * pt-sync.c calls it.  See pt-sync-hub.c for what it sends and what each answer means. */
#pragma once

#include "pt-sync-private.h"

G_BEGIN_DECLS

/* Returns: (transfer full): the connector's state for @conn (borrowed; outlives it). */
PtSyncHub *pt_sync_hub_new(Conn *conn);
void pt_sync_hub_free(PtSyncHub *hub);

/* Starts the next request of @conn when none is in flight and it is not backing off. */
void pt_sync_hub_dispatch(Conn *conn);
/* @req finished with @rc (and its answer read): acts on it and frees @req. */
void pt_sync_hub_finish(Req *req, CURLcode rc);

G_END_DECLS
