/* pt-attachment.h: files an operator attaches to a batch for the consumer page, as signed
 * evidence: a product photo, or a certificate (a pesticide-residue test report, a
 * geographical-indication mark, an organic certificate, another) as a PDF or an image.
 *
 * The file is checked by its magic and decoded (a JPEG or PNG is re-encoded by pt-photo.h,
 * bounded and without EXIF; a PDF is checked for its header and trailer, not rendered), kept
 * content-addressed as DATA/evidence/attachments/SHA256.EXT, and named by one signed EPCIS
 * ObjectEvent (OBSERVE, bizStep inspecting: the operator reviewed the lot's documentation) on
 * the batch's chain:
 *
 *   "pt:attachments": [{"role": "photo" | "certificate", "sha256", "mediaType", "size",
 *                       photo: "width", "height";
 *                       certificate: "kind", "title"[, "titleZh"][, "issuer"][, "issued"]
 *                                    [, "validUntil"]}]
 *
 * and "pt:private": true when the operator keeps it from the public and buyers (the public
 * bundle redacts the record, pt-bundle.h).  The hub is sent the bytes like a grading still's
 * (PROTOCOL.md).  Withdrawn by correcting the event (`packtrace event correct
 * BATCH --event N --reason did_not_occur`: an errorDeclaration).  Workload: a few per batch, by
 * hand. */
#pragma once

#include "pt-batch.h"
#include "pt-station.h"

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

typedef enum {
  PT_ATTACH_PHOTO,
  PT_ATTACH_CERTIFICATE,
} PtAttachRole;

/* All (transfer none), nullable unless said. */
typedef struct {
  PtAttachRole role;
  const char *kind;        /* a certificate's (required): residue-test, gi-mark, organic, other */
  const char *title;       /* a certificate's (required), in any language */
  const char *title_zh;    /* its Chinese title, when @title is another language's */
  const char *issuer;      /* who issued it */
  const char *issued;      /* YYYY-MM-DD */
  const char *valid_until; /* YYYY-MM-DD */
  gboolean private_;       /* kept from the public and buyers */
} PtAttachSpec;

/* The kinds of certificate, as the record and the CLI spell them. */
extern const char *const pt_attachment_kinds[];

/* The bytes to keep of @data (untrusted, @len bytes) for @spec's role: a JPEG or PNG
 * re-encoded, a certificate's PDF as sent once its form is checked; errors as
 * pt_attachment_add()'s for the file.  @type_out, @ext_out: (transfer none) static, the media
 * type and file extension; @width_out, @height_out: an image's size, else 0.  Pure: the fuzz
 * target's entry (tests/fuzz/fuzz-attachment.c).  Returns: (transfer full) (nullable). */
GBytes *pt_attachment_prepare(const PtAttachSpec *spec, const guint8 *data, gsize len,
                              const char **type_out, const char **ext_out, int *width_out,
                              int *height_out, GError **error);

/* Checks @data (untrusted, @len bytes) for @spec, stores it and appends its signed event on
 * @batch, in one transaction with its attachments row; nothing is left behind on failure.
 * Refused (PT_ERROR_INVALID): a file that is not a JPEG, PNG (or, for a certificate, PDF) or
 * does not decode, a bad kind, title or date; PT_ERROR_TOO_LARGE: over
 * PT_ATTACH_PHOTO_BYTES_MAX / PT_ATTACH_CERT_BYTES_MAX; PT_ERROR_CONFLICT: the same file on the
 * batch already, or PT_ATTACH_PER_BATCH_MAX attachments.  @out (nullable) gets the event row.
 * Returns: (transfer full) (nullable): the attachment as its record has it, with "event"
 * (its number on the batch), "path" and "private". */
json_t *pt_attachment_add(PtStation *station, PtStore *store, PtBatch *batch,
                          const PtAttachSpec *spec, const guint8 *data, gsize len, PtEventRow *out,
                          GError **error);

/* Opens the evidence file @sha256 when a record the public sees names it: an attachment, or a
 * grading still.  Anything else (unknown, private, a clip or a truck's photo) is
 * PT_ERROR_NOT_FOUND, alike.  @fd_out: an open descriptor for the caller; @type_out: (transfer
 * full): its media type, as the record gives it. */
gboolean pt_attachment_open_public(PtStation *station, PtStore *store, const char *sha256,
                                   int *fd_out, guint64 *size_out, char **type_out, GError **error);

G_END_DECLS
