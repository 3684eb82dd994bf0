/* pt-page-evidence.h: the photo and the certificates a consumer page shows, read from a
 * batch's signed records alike by the station (http/pt-web.c) and the hub (hub/pt-hub-web.c),
 * so both pages say the same and consumer.js can check each against its record.
 *
 * The photo is the last product photo an operator attached ("pt:attachments", role "photo",
 * pt-attachment.c), else the first grading still of the last grading that has one
 * ("pt:evidence").  The certificates are every attachment of role "certificate", in record
 * order.  Only records the public sees count (a private attachment carries "pt:private"); a
 * record later declared in error (an event with its eventID and an errorDeclaration) is
 * withdrawn.  Each file is served by its SHA-256 at /evidence/{sha256}. */
#pragma once

#include <glib.h>
#include <jansson.h>

G_BEGIN_DECLS

#define PT_PAGE_EVIDENCE_URL "/evidence/"

typedef struct _PtPageEvidence PtPageEvidence;

PtPageEvidence *pt_page_evidence_new(void);
void pt_page_evidence_free(PtPageEvidence *pe);
G_DEFINE_AUTOPTR_CLEANUP_FUNC(PtPageEvidence, pt_page_evidence_free)

/* Takes what @event (transfer none: a parsed signed record, the @n-th of its batch's log,
 * counted from 1) shows the public. */
void pt_page_evidence_add(PtPageEvidence *pe, const json_t *event, gsize n);

/* Sets @data's "photo" {n, source ("product" or "still"), sha256, media_type, url[, width,
 * height][, size], check_max} and "certificates" [{n, kind, title[, title_zh][, issuer][,
 * issued][, valid_until], sha256, media_type, size, url}], each only when there is one. */
void pt_page_evidence_set(const PtPageEvidence *pe, json_t *data);

/* Returns: (transfer none) (nullable): the media type that @event's signed record gives the
 * file @sha256 it names: an attachment's "mediaType", a still's by its file name, a clip's
 * MP4, a driver's JPEG; NULL when it names no such file. */
const char *pt_page_evidence_media_type(const json_t *event, const char *sha256);

G_END_DECLS
