/* pt-video-relay.h: the station's half of the hub's video relay (station/hub/PROTOCOL.md,
 * "Video relay"): buyers watch their loads through the co-op hub while the shed's box stays
 * unreachable from outside.  The station asks the hub what is wanted (a signed POST
 * /hub/v1/video/poll; the hub says when to ask next: every PT_HUB_VIDEO_POLL_IDLE_MS while
 * nobody asks, PT_HUB_VIDEO_POLL_LIVE_MS while someone watches live) and pushes the answers
 * (signed PUTs), each decided by pt-load-video.h exactly as for the station's own portal, with
 * the GLN of the buyer the hub authenticated:
 *
 *   info  pt_load_video_json() for that GLN, or the refusal (404 for another's load)
 *   live  the camera's playlist and each of its segments not pushed yet
 *   clip  the part's facts, then its bytes in PT_HUB_VIDEO_CHUNK chunks from where the hub
 *         is, PT_HUB_VIDEO_CHUNKS_ROUND between two polls (live is never starved)
 *
 * On only with video_relay=true on a [sync NAME] of type hub (the first such section).
 * Threading: one thread of `packtrace run` with its own database connection; stop wakes it. */
#pragma once

#include "pt-recorder.h"
#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _PtVideoRelay PtVideoRelay;

/* Starts the relay when station.ini asks for it; NULL without error when it does not.
 * @station and @recorder are borrowed and must outlive it.  Returns: (transfer full). */
PtVideoRelay *pt_video_relay_start(PtStation *station, PtRecorder *recorder, GError **error);
/* Waits for the request in progress and stops the thread (NULL: nothing). */
void pt_video_relay_stop(PtVideoRelay *relay);

G_END_DECLS
