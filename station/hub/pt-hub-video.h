/* pt-hub-video.h: the hub's relay of a station's load video to buyers (issue 23), for a
 * station behind NAT that the hub cannot reach: the station asks the hub what buyers want
 * (POST /hub/v1/video/poll, signed, every PT_HUB_VIDEO_POLL_IDLE_MS while nobody asks, faster
 * while somebody does) and pushes each answer (PUT /hub/v1/video/files/{name}); the hub keeps
 * them in PostgreSQL a short while and serves them.  PROTOCOL.md, "Video relay".
 *
 * The station decides who sees what, exactly as for its own portal (pt-load-video.h, called
 * with the GLN of the buyer the hub authenticated): the hub serves a live file or a clip to a
 * buyer only while the station's answer for that buyer's GLN names the camera.  Nothing waits
 * in the hub: a file not there yet is 503 with Retry-After, and the pages ask again.
 *
 * Buyers' routes (a buyer or admin token; the players' URLs carry a capability instead,
 * `cap=`, signed by the hub's key for one load and one scope, PT_HUB_VIDEO_CAP_S long, since
 * a <video> sends no Authorization header):
 *   GET /api/v1/buyer/loads                                    the loads to the buyer's GLN
 *   GET /api/v1/buyer/loads/{station}-{load}/video             the station's answer
 *   GET .../video/{camera}/live/{index.m3u8|segNNNNN.ts}       live HLS, pushed while watched
 *   GET .../video/{camera}/recorded/{n}                        a part's clip facts, once relayed
 *   GET .../video/{camera}/recorded/{n}.mp4                    the clip (byte ranges)
 * The JSON has the station portal's form (web-ui/buyer-loads.js plays both). */
#pragma once

#include "pt-hub-routes.h"
#include "pt-hub-store.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_HUB_VIDEO_POLL_PATH  "/hub/v1/video/poll"
#define PT_HUB_VIDEO_FILES_PATH "/hub/v1/video/files/"

/* POST /hub/v1/video/poll: {"wants": [...], "next_ms": N} for @station.
 * Returns: (transfer full). */
json_t *pt_hub_video_poll(PtHubStore *store, const PtHubStation *station, GError **error);

/* PUT /hub/v1/video/files/{name}: @name (after the prefix) of a form PROTOCOL.md lists, at
 * most PT_HUB_VIDEO_PUT_MAX bytes.  Returns: (transfer full): {"stored": name}. */
json_t *pt_hub_video_push(PtHubStore *store, const PtHubStation *station, const char *name,
                          const void *data, gsize len, GError **error);

/* The buyers' routes above (pt-hub-routes.c lists them). */
extern const PtHubRouteTable pt_hub_video_routes;

G_END_DECLS
