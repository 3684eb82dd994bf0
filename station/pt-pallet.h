/* pt-pallet.h: pallets, each named by an SSCC the station allocates, and the cases of lots
 * packed onto them and taken off (signed EPCIS AggregationEvents, ADD and DELETE, parentID
 * the SSCC), shared by the CLI and the HTTP API.
 *
 * An SSCC is never given twice.  Its serial reference is one above the last of its range
 * (extension digit + company prefix) recorded in station.db (sscc_serials: a trigger refuses
 * to lower it, pallets are never deleted) and in the data directory's `sscc-serials` file,
 * written (temp, fsync, rename) before the allocation commits.  The file is not in backups: a
 * restored older station.db does not bring the counter back, since the file still holds the
 * last serial given, and `restore --replace` carries the file over from the station it moves
 * aside.  A serial whose commit failed after the file was written is skipped, never reused. */
#pragma once

#include "pt-batch.h"
#include "pt-label.h"
#include "pt-station.h"
#include "pt-store-pallet.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

/* The name of the high-water file in the data directory. */
#define PT_SSCC_MARK_FILE "sscc-serials"

/* Allocates the next SSCC of the station's range ([station] gs1_company_prefix and
 * sscc_extension; PT_ERROR_INVALID when no prefix is set, PT_ERROR_TOO_LARGE when the range is
 * used up) and makes an empty pallet of it.  Returns: (transfer full). */
PtPallet *pt_pallet_new(PtStation *station, PtStore *store, GError **error);

/* Finds a pallet by its SSCC: 18 digits, or with its AI as "(00)..." or "00...".  A malformed
 * SSCC or a wrong check digit is PT_ERROR_INVALID, an unknown one PT_ERROR_NOT_FOUND.
 * Returns: (transfer full). */
PtPallet *pt_pallet_lookup(PtStore *store, const char *text, GError **error);

/* Packs @cases cases of @batch onto @pallet (a signed AggregationEvent ADD by @source).
 * Refused (PT_ERROR_CONFLICT, nothing written): a batch held or recalled by its signed record,
 * one with cases on another pallet, a pallet on an open load.  @event_id_out (nullable)
 * receives (transfer full) the event's ID. */
gboolean pt_pallet_add(PtStation *station, PtStore *store, const PtPallet *pallet, PtBatch *batch,
                       gint64 cases, const char *source, char **event_id_out, GError **error);

/* Takes @cases cases of @batch off @pallet, all of them when @cases is 0 (a signed
 * AggregationEvent DELETE, with pt:reason @reason, nullable).  PT_ERROR_NOT_FOUND when the lot
 * is not on the pallet, PT_ERROR_CONFLICT when fewer cases are or the pallet is on an open
 * load.  @event_id_out (nullable) receives (transfer full) the event's ID. */
gboolean pt_pallet_remove(PtStation *station, PtStore *store, const PtPallet *pallet,
                          PtBatch *batch, gint64 cases, const char *reason, char **event_id_out,
                          GError **error);

/* Renders @pallet's GS1 logistic label (labels/pt-label.h: the SSCC as GS1-128 (00), the
 * supplier of [labels], the lots and cases on it) in @format at @dpi (0: the format's
 * default).  Refused (PT_ERROR_CONFLICT) for an empty pallet and one carrying a lot that may
 * not be labelled by its signed record (held, recalled, unverified).  Returns: (transfer full). */
GBytes *pt_pallet_label(PtStation *station, PtStore *store, const PtPallet *pallet,
                        PtLabelFormat format, guint dpi, GError **error);

/* Returns: (transfer full): the file name of @pallet's label, SSCC-logistic.FORMAT. */
char *pt_pallet_label_file_name(const PtPallet *pallet, PtLabelFormat format);

/* Returns: (transfer full): @pallet as JSON: sscc, hri "(00)...", epc (its Digital Link),
 * created, load (nullable), lots [{lot, gtin, cases}], cases (the total). */
json_t *pt_pallet_to_json(PtStore *store, const PtPallet *pallet, GError **error);

G_END_DECLS
