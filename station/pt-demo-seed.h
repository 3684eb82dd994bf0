/* pt-demo-seed.h: the demo's own batches, so that a fresh station in demo mode (no camera
 * configured, [recording] demo=auto) shows a truck being loaded by its loading camera:
 * PT_DEMO_BATCHES batches of "Demo oranges" with lots DEMO-0001.. under GS1's example GTIN,
 * an open load at the demo loading camera's dock, and the demo loading footage showing their
 * Digital Link QR codes passing on crates.
 *
 * Only the recorder calls it, and only in demo mode; and it seeds only a station that had no
 * batch of its own when the demo first ran, so a real station's records are never mixed with
 * demo ones. */
#pragma once

#include "pt-station.h"

#include <glib.h>

G_BEGIN_DECLS

#define PT_DEMO_LOT_PREFIX "DEMO-"

/* Ensures the demo batches, an open load at the demo loading camera's dock, and
 * @demo_dir/demo-loading.mkv (@seconds long) showing the batches' codes; the footage is
 * remade only when the codes changed (e.g. a new public_host).  Does nothing (TRUE) on a
 * station with batches of its own and no demo batch.  Runs on a worker thread with its own
 * @store connection: encoding the footage takes seconds. */
gboolean pt_demo_seed(PtStation *station, PtStore *store, const char *demo_dir, int seconds,
                      GError **error);

G_END_DECLS
