/* pt-store-timeline.h: the reads behind a camera's recordings timeline (station/pt-timeline.h):
 * the batch and load events whose evidence this camera filmed, the oldest moment it still
 * keeps, and the segment that holds an instant.  Read-only; times are UTC ns. */
#pragma once

#include "pt-store-video.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  gint64 seq; /* the event's place in the station log */
  char *step; /* its bizStep word (loading, inspecting, ...) */
  gint64 event_time_ns;
  gint64 batch_id;
  char *lot;
  gint64 load_id;   /* 0: not a loading event */
  gboolean pending; /* its clip is still to be cut from the recording */
} PtTimelineEventRow;

void pt_timeline_event_row_free(PtTimelineEventRow *row);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtTimelineEventRow, pt_timeline_event_row_free)

/* Events in [@from_ns, @to_ns) whose evidence clip (cut or pending) is of @camera, by event
 * time, at most @limit.  Clips are read by (camera, start) from @clip_span_ns before @from_ns:
 * a clip starts at most that long before its event.
 * Returns: (transfer full) (element-type PtTimelineEventRow). */
GPtrArray *pt_store_timeline_events(PtStore *store, const char *camera, gint64 from_ns,
                                    gint64 to_ns, gint64 clip_span_ns, int limit, GError **error);

/* The start of @camera's oldest readable segment, 0 when it has none. */
gboolean pt_store_timeline_oldest(PtStore *store, const char *camera, gint64 *start_out,
                                  GError **error);

/* The readable segment of @camera that holds @at_ns (start <= at < end), read no further back
 * than @max_len_ns; NULL without error when none does.
 * Returns: (transfer full) (nullable). */
PtSegmentRow *pt_store_timeline_segment_at(PtStore *store, const char *camera, gint64 at_ns,
                                           gint64 max_len_ns, GError **error);
/* The first readable segment of @camera starting after @at_ns; NULL without error when none.
 * Returns: (transfer full) (nullable). */
PtSegmentRow *pt_store_timeline_segment_after(PtStore *store, const char *camera, gint64 at_ns,
                                              GError **error);
/* Segment @id whatever its state; NULL with PT_ERROR_NOT_FOUND when there is none.
 * Returns: (transfer full). */
PtSegmentRow *pt_store_timeline_segment_get(PtStore *store, gint64 id, GError **error);

G_END_DECLS
