/* pt-record.c: freeing the shared records of pt-record.h. */
#include "pt-record.h"

#include <string.h>

void
pt_batch_free(PtBatch *b)
{
  if (!b)
    return;
  g_free(b->lot);
  g_free(b->gtin);
  g_free(b->product);
  g_free(b->variety);
  g_free(b->origin);
  g_free(b->grower);
  g_free(b->harvest_date);
  g_free(b->pack_date);
  g_free(b->uom);
  g_free(b->status);
  g_free(b->status_reason);
  g_free(b);
}

void
pt_event_row_clear(PtEventRow *row)
{
  g_free(row->event_id);
  g_free(row->step);
  g_free(row->body);
  g_free(row->hash_id);
  memset(row, 0, sizeof *row);
}

void
pt_key_rotation_row_clear(PtKeyRotationRow *row)
{
  g_free(row->record);
  memset(row, 0, sizeof *row);
}
