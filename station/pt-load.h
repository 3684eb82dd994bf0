/* pt-load.h: loads (a truck leaving the shed), shared by the CLI, the HTTP API and the loading
 * camera: open one, put batches on it (each a signed EPCIS loading event, with evidence from
 * the dock's loading camera), close it (a departing event per batch).  A batch on hold or
 * recalled, or already on another open load, is refused and the refusal recorded. */
#pragma once

#include "pt-batch.h"
#include "pt-recording-config.h"
#include "pt-station.h"
#include "pt-store-load.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef struct {
  const char *plate, *seal;                  /* required */
  const char *driver_name, *driver_phone;    /* nullable */
  const char *destination, *destination_gln; /* nullable; GLN: 13 digits, check digit */
  const char *bol, *desadv, *po;             /* nullable: [A-Za-z0-9._-]{1,64} */
  const char *dock;                          /* nullable: [A-Za-z0-9_-]{1,32} */
} PtLoadSpec;

/* Reads a spec from a JSON object (the POST /api/v1/loads body); strings point into
 * @object.  Unknown members are refused. */
gboolean pt_load_spec_from_json(json_t *object, PtLoadSpec *spec, GError **error);

/* Validates @spec and opens a load.  A dock holds one open load at a time.
 * Returns: (transfer full). */
PtLoad *pt_load_create(PtStore *store, const PtLoadSpec *spec, GError **error);
/* The same inside the caller's write transaction (pt_store_begin), for callers that look
 * for an open load and open one if there is none as one step.  Returns: (transfer full). */
PtLoad *pt_load_create_locked(PtStore *store, const PtLoadSpec *spec, GError **error);

/* Finds a load by its number ("12").  Returns: (transfer full). */
PtLoad *pt_load_lookup(PtStore *store, const char *id, GError **error);

/* Returns: (transfer full) (nullable): the name of the loading camera at @dock (a [camera]
 * of role loading whose dock= is @dock; a camera without dock= is at the dock of its own
 * name), or NULL when none is. */
char *pt_load_dock_camera(PtStation *station, const char *dock, GError **error);
/* Every loading camera at @dock (nullable: none), in station.ini's order; the first is
 * pt_load_dock_camera()'s.  Returns: (transfer full) (element-type utf8): NULL only on error. */
GPtrArray *pt_load_dock_cameras(PtStation *station, const char *dock, GError **error);

/* The cameras pt_load_dock_cameras_in() pairs with docks: station.ini's, or the demo's.
 * Read once for many loads.  Returns: (transfer full). */
PtRecordingConfig *pt_load_cameras_config(PtStation *station, GError **error);
/* pt_load_dock_cameras() from @rc (pt_load_cameras_config()'s), without reading station.ini
 * again.  Returns: (transfer full) (element-type utf8). */
GPtrArray *pt_load_dock_cameras_in(PtStation *station, const PtRecordingConfig *rc,
                                   const char *dock);

/* Puts @batch on load @load_id as seen at @scan_ns by @source ("operator", "api" or a camera
 * name).  Writes the signed loading event; when the load's dock has a loading camera, the
 * event carries the clip of [scan - 5 s, scan + 5 s] or, while that footage is still being
 * recorded, pt:evidencePending with the window (the clip can be cut from the recordings
 * later), or pt:evidenceMissing with the reason.  Putting a batch on the same load twice
 * returns the first item (@existed_out TRUE) and writes nothing.  @quantity (in the lot's
 * unit) is what of a loose lot this truck takes, signed in the event's quantityList; 0 takes
 * what the lot's other loads left (the whole lot on its first).  Refused (PT_ERROR_CONFLICT,
 * recorded in the load's refusals): a batch held or recalled, or on another open load, or
 * nothing of it left, or less than @quantity.  @out (nullable) receives (transfer full) the
 * item. */
gboolean pt_load_add_batch(PtStation *station, PtStore *store, gint64 load_id, PtBatch *batch,
                           double quantity, const char *source, gint64 scan_ns, PtLoadItem **out,
                           gboolean *existed_out, GError **error);

/* Puts pallet @sscc (18 digits) on open load @load_id: one signed loading event per lot on
 * it, on the lot's chain, naming the pallet (epcList https://id.gs1.org/00/SSCC) and its cases
 * of the lot (quantityList).  A pallet already on this load is @existed_out TRUE and nothing is
 * written.  Refused (PT_ERROR_CONFLICT), nothing loaded: an empty pallet, one on another load,
 * one with a lot held or recalled or on another open load (each such lot's refusal recorded).
 * A lot on a pallet never goes on a load alone (pt_load_add_batch() refuses it).
 * @n_events_out (nullable) receives how many events were written. */
gboolean pt_load_add_pallet(PtStation *station, PtStore *store, gint64 load_id, const char *sscc,
                            const char *source, gint64 scan_ns, guint *n_events_out,
                            gboolean *existed_out, GError **error);

/* Takes pallet @sscc off open load @load_id: an unloading event per lot on it (pt:reason
 * @reason, nullable).  PT_ERROR_NOT_FOUND when it is not on the load.  A lot on a loaded
 * pallet comes off only with it (pt_load_remove_batch() refuses it alone). */
gboolean pt_load_remove_pallet(PtStation *station, PtStore *store, gint64 load_id, const char *sscc,
                               const char *source, const char *reason, guint *n_events_out,
                               GError **error);

/* Records a refused attempt that named no batch of this station (for scans). */
gboolean pt_load_refuse(PtStore *store, gint64 load_id, const char *source, const char *reason,
                        GError **error);

/* Takes @batch off open load @load_id: a signed unloading event (pt:removedBy @source,
 * pt:reason @reason, nullable) and the batch is no longer on the load.  PT_ERROR_NOT_FOUND
 * when it is not on it. */
gboolean pt_load_remove_batch(PtStation *station, PtStore *store, gint64 load_id, PtBatch *batch,
                              const char *source, const char *reason, GError **error);

/* Closes load @load_id: a signed departing event for each batch on it (naming its pallet in
 * epcList when it went on as part of one), then the load is
 * closed.  A load with nothing on it cannot be closed (nothing departs); nor can one that
 * carries a batch held or recalled by its signed record (pt-batch-signed.h): the error names
 * each such batch, its signed status and reason, until it is removed.  @n_events_out
 * (nullable) receives how many events were written. */
gboolean pt_load_close(PtStation *station, PtStore *store, gint64 load_id, guint *n_events_out,
                       GError **error);

/* Returns: (transfer full): the load as JSON; with @details its batches, the SSCCs of its
 * pallets, refusals and the number of photos drivers took of plate and seal. */
json_t *pt_load_to_json(PtStore *store, const PtLoad *load, gboolean details, GError **error);

/* Returns: (transfer full): @item as JSON. */
json_t *pt_load_item_to_json(const PtLoadItem *item);

G_END_DECLS
