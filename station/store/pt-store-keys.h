/* pt-store-keys.h: the station's key rotations (trace/pt-key-chain.h), kept beside the log
 * they sign so that a backup, a restore and an audit carry them with it.  Append-only, like
 * the events. */
#pragma once

#include "pt-record.h"
#include "pt-store.h"

#include <glib.h>

G_BEGIN_DECLS

/* Appends @row (its id is assigned: 1, 2, 3, ...).  Run inside pt_store_begin()/commit(). */
gboolean pt_store_key_rotation_insert(PtStore *store, const PtKeyRotationRow *row, GError **error);

/* Every rotation in the order they were made.
 * Returns: (transfer full) (element-type PtKeyRotationRow): free with g_ptr_array_unref(). */
GPtrArray *pt_store_key_rotations(PtStore *store, GError **error);

G_END_DECLS
