/* pt-attachment.c: a batch's product photo and certificates as signed evidence (see
 * pt-attachment.h).  The file is written (temp, fsync, rename) before the transaction that
 * signs its event, and removed again when that transaction fails, unless it was there before
 * (the same file attached to another lot): a name in the log never lacks its bytes, and a
 * refused upload leaves nothing. */
#include "pt-attachment.h"

#include "pt-bundle.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-hub-wire.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-page-evidence.h"
#include "pt-photo.h"
#include "pt-store-attachment.h"
#include "pt-store-hub-sync.h"
#include "pt-text.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <errno.h>
#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ATTACH_DIR "evidence/attachments"

const char *const pt_attachment_kinds[] = {"residue-test", "gi-mark", "organic", "other", NULL};

/* A date as the record writes it: YYYY-MM-DD, a real day. */
static gboolean
check_day(const char *what, const char *text, GError **error)
{
  if (!text)
    return TRUE;
  guint y = 0, m = 0, d = 0;
  if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' ||
      sscanf(text, "%4u-%2u-%2u", &y, &m, &d) != 3 || !g_date_valid_dmy(d, m, y)) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "%s '%s' is not a date (YYYY-MM-DD)", what,
                text);
    return FALSE;
  }
  return TRUE;
}

static gboolean
check_spec(const PtAttachSpec *spec, GError **error)
{
  if (spec->role == PT_ATTACH_PHOTO)
    return TRUE;
  if (!spec->kind || !g_strv_contains(pt_attachment_kinds, spec->kind)) {
    g_autofree char *allowed = g_strjoinv(", ", (char **)pt_attachment_kinds);
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "a certificate's kind is one of %s, not '%s'",
                allowed, spec->kind ? spec->kind : "");
    return FALSE;
  }
  if (!pt_check_text("title", spec->title, PT_ATTACH_TITLE_MAX, TRUE, error) ||
      !pt_check_text("Chinese title", spec->title_zh, PT_ATTACH_TITLE_MAX, FALSE, error) ||
      !pt_check_text("issuer", spec->issuer, PT_ATTACH_TITLE_MAX, FALSE, error) ||
      !check_day("issue date", spec->issued, error) ||
      !check_day("valid-until date", spec->valid_until, error))
    return FALSE;
  if (spec->issued && spec->valid_until && strcmp(spec->valid_until, spec->issued) < 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "valid until %s is before its issue date %s",
                spec->valid_until, spec->issued);
    return FALSE;
  }
  return TRUE;
}

static gboolean
is_jpeg(const guint8 *d, gsize n)
{
  return n >= 3 && d[0] == 0xFF && d[1] == 0xD8 && d[2] == 0xFF;
}

static gboolean
is_png(const guint8 *d, gsize n)
{
  return n >= 8 && memcmp(d, "\x89PNG\r\n\x1a\n", 8) == 0;
}

static gboolean
is_pdf(const guint8 *d, gsize n)
{
  return n >= 8 && memcmp(d, "%PDF-", 5) == 0;
}

static gboolean
contains(const guint8 *d, gsize n, const char *what)
{
  gsize k = strlen(what);
  for (gsize i = 0; i + k <= n; i++)
    if (d[i] == (guint8)what[0] && memcmp(d + i, what, k) == 0)
      return TRUE;
  return FALSE;
}

/* A PDF as far as it can be checked without rendering it: its version header, a cross
 * reference and the end-of-file mark in its last kilobyte (a truncated upload has none). */
static gboolean
check_pdf(const guint8 *d, gsize n, GError **error)
{
  gsize tail = MIN(n, 1024);
  const guint8 *end = d + n - tail;
  if (!(d[5] == '1' || d[5] == '2') || d[6] != '.' || !g_ascii_isdigit(d[7]) ||
      !contains(end, tail, "%%EOF") || !contains(d, n, "startxref")) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "the certificate is not a readable PDF (no version header, cross reference "
                "or end-of-file mark: truncated?)");
    return FALSE;
  }
  return TRUE;
}

GBytes *
pt_attachment_prepare(const PtAttachSpec *spec, const guint8 *data, gsize len,
                      const char **type_out, const char **ext_out, int *width_out, int *height_out,
                      GError **error)
{
  gboolean photo = spec->role == PT_ATTACH_PHOTO;
  gsize max = photo ? PT_ATTACH_PHOTO_BYTES_MAX : PT_ATTACH_CERT_BYTES_MAX;
  if (len == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the file is empty");
    return NULL;
  }
  if (len > max) {
    g_set_error(error, PT_ERROR, PT_ERROR_TOO_LARGE,
                "the file is %" G_GSIZE_FORMAT " bytes; a %s may be at most %" G_GSIZE_FORMAT
                " bytes",
                len, photo ? "photo" : "certificate", max);
    return NULL;
  }
  *width_out = *height_out = 0;
  if (is_jpeg(data, len) || is_png(data, len)) {
    *type_out = "image/jpeg";
    *ext_out = "jpg";
    return pt_photo_normalise(data, len, photo ? PT_ATTACH_PHOTO_EDGE : PT_ATTACH_CERT_EDGE,
                              photo ? PT_PHOTO_QUALITY : PT_ATTACH_CERT_QUALITY, width_out,
                              height_out, error);
  }
  if (!photo && is_pdf(data, len)) {
    if (!check_pdf(data, len, error))
      return NULL;
    *type_out = "application/pdf";
    *ext_out = "pdf";
    return g_bytes_new(data, len);
  }
  g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "the %s is not a JPEG or PNG image%s",
              photo ? "photo" : "certificate", photo ? "" : " nor a PDF");
  return NULL;
}

static json_t *
record_item(const PtAttachSpec *spec, const char *sha256, const char *type, gsize size, int width,
            int height)
{
  json_t *a =
      json_pack("{sssssssI}", "role", spec->role == PT_ATTACH_PHOTO ? "photo" : "certificate",
                "sha256", sha256, "mediaType", type, "size", (json_int_t)size);
  if (width > 0) {
    json_object_set_new(a, "width", json_integer(width));
    json_object_set_new(a, "height", json_integer(height));
  }
  if (spec->role == PT_ATTACH_CERTIFICATE) {
    json_object_set_new(a, "kind", json_string(spec->kind));
    json_object_set_new(a, "title", json_string(spec->title));
    const char *opt[][2] = {{"titleZh", spec->title_zh},
                            {"issuer", spec->issuer},
                            {"issued", spec->issued},
                            {"validUntil", spec->valid_until}};
    for (gsize i = 0; i < G_N_ELEMENTS(opt); i++)
      if (opt[i][1] && *opt[i][1])
        json_object_set_new(a, opt[i][0], json_string(opt[i][1]));
  }
  return a;
}

/* Appends the event naming @item (transfer none) and its row, in one transaction. */
static gboolean
sign(PtStation *station, PtStore *store, PtBatch *batch, const PtAttachSpec *spec,
     const json_t *item, const char *rel, PtEventRow *row, GError **error)
{
  gint64 now = pt_now_ns();
  json_t *ev = pt_epcis_event_new(station->config, batch, "inspecting", now, 0, NULL);
  json_t *list = json_array();
  json_array_append(list, (json_t *)item);
  json_object_set_new(ev, PT_EXT_ATTACHMENTS, list);
  if (spec->private_)
    json_object_set_new(ev, PT_EXT_PRIVATE, json_true());
  gboolean ok = pt_store_begin(store, error);
  if (ok) {
    ok = pt_trace_append(store, station->keys, batch->id, "inspecting", now, ev, row, error);
    if (ok) {
      PtAttachmentRow a = {.batch_id = batch->id,
                           .event_id = row->event_id,
                           .role = (char *)json_string_value(json_object_get(item, "role")),
                           .sha256 = (char *)json_string_value(json_object_get(item, "sha256")),
                           .media_type =
                               (char *)json_string_value(json_object_get(item, "mediaType")),
                           .bytes = json_integer_value(json_object_get(item, "size")),
                           .path = (char *)rel,
                           .created_ns = now};
      ok = pt_store_attachment_insert(store, &a, error);
    }
    ok = ok && pt_store_commit(store, error);
    if (!ok)
      pt_store_rollback(store);
  }
  json_decref(ev);
  return ok;
}

json_t *
pt_attachment_add(PtStation *station, PtStore *store, PtBatch *batch, const PtAttachSpec *spec,
                  const guint8 *data, gsize len, PtEventRow *out, GError **error)
{
  const char *type = NULL, *ext = NULL;
  int width = 0, height = 0;
  if (!check_spec(spec, error))
    return NULL;
  g_autoptr(GBytes) kept =
      pt_attachment_prepare(spec, data, len, &type, &ext, &width, &height, error);
  if (!kept)
    return NULL;
  g_autofree char *sha = g_compute_checksum_for_bytes(G_CHECKSUM_SHA256, kept);
  g_autoptr(GPtrArray) same = pt_store_attachments_by_sha(store, sha, batch->id, error);
  gint64 n = 0;
  if (!same || !pt_store_attachment_count(store, batch->id, &n, error))
    return NULL;
  if (same->len) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "batch %s already has this file attached",
                batch->lot);
    return NULL;
  }
  if (n >= PT_ATTACH_PER_BATCH_MAX) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "batch %s has %d attachments, the most it may have", batch->lot,
                PT_ATTACH_PER_BATCH_MAX);
    return NULL;
  }
  g_autofree char *rel = g_strdup_printf(ATTACH_DIR "/%s.%s", sha, ext);
  g_autofree char *full = g_build_filename(station->dir, rel, NULL);
  g_autofree char *dir = g_path_get_dirname(full);
  if (g_mkdir_with_parents(dir, 0750) != 0) {
    int saved = errno;
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", dir, g_strerror(saved));
    return NULL;
  }
  /* Content-addressed: a file already there is these very bytes (another lot's). */
  gboolean existed = g_file_test(full, G_FILE_TEST_EXISTS);
  gsize size = g_bytes_get_size(kept);
  if (!existed && !pt_file_write_atomic(full, g_bytes_get_data(kept, NULL), size, 0640, error))
    return NULL;
  json_t *item = record_item(spec, sha, type, size, width, height);
  PtEventRow local = {0};
  PtEventRow *row = out ? out : &local;
  if (!sign(station, store, batch, spec, item, rel, row, error)) {
    if (!existed)
      g_unlink(full);
    json_decref(item);
    pt_event_row_clear(&local);
    return NULL;
  }
  batch->n_events++;
  json_object_set_new(item, "event", json_integer(batch->n_events));
  json_object_set_new(item, "event_id", json_string(row->event_id));
  json_object_set_new(item, "path", json_string(rel));
  json_object_set_new(item, "private", json_boolean(spec->private_));
  pt_event_row_clear(&local);
  return item;
}

/* Public serving ---------------------------------------------------------------------------- */

typedef struct {
  const char *event_id;
  gboolean shown;
} FindShown;

static gboolean
find_shown(const PtEventRow *row, gpointer user_data, GError **error)
{
  FindShown *f = user_data;
  if (g_strcmp0(row->event_id, f->event_id) != 0)
    return TRUE;
  json_t *event = pt_json_parse(row->body, row->body_len, error);
  if (!event)
    return FALSE;
  /* The first record of the eventID only: its error declaration repeats it. */
  if (!json_object_get(event, "errorDeclaration"))
    f->shown = f->shown || pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL);
  json_decref(event);
  return TRUE;
}

/* Where the file of a public record naming @sha256 is (relative to the data folder), and its
 * type.  Both NULL: none. */
static gboolean
public_file(PtStore *store, const char *sha256, char **rel_out, char **type_out, GError **error)
{
  *rel_out = *type_out = NULL;
  g_autoptr(GPtrArray) rows = pt_store_attachments_by_sha(store, sha256, 0, error);
  if (!rows)
    return FALSE;
  for (guint i = 0; i < rows->len; i++) {
    PtAttachmentRow *a = rows->pdata[i];
    FindShown f = {.event_id = a->event_id};
    if (!pt_store_events_foreach(store, a->batch_id, find_shown, &f, error))
      return FALSE;
    if (f.shown) {
      *rel_out = g_strdup(a->path);
      *type_out = g_strdup(a->media_type);
      return TRUE;
    }
  }
  /* A grading still, named only in its signed inspecting event. */
  g_autofree char *path = NULL, *body = NULL;
  if (!pt_store_evidence_find(store, sha256, &path, &body, error))
    return FALSE;
  json_t *event = body ? pt_json_parse(body, strlen(body), NULL) : NULL;
  if (event && pt_bundle_event_shown(event, PT_BUNDLE_PUBLIC, NULL)) {
    gsize i;
    json_t *e;
    json_array_foreach(json_object_get(event, PT_EXT_EVIDENCE), i, e)
    {
      const char *file = json_string_value(json_object_get(e, "file"));
      if (g_strcmp0(json_string_value(json_object_get(e, "sha256")), sha256) == 0 && file &&
          g_str_has_prefix(file, "stills/") && !strstr(file, "..")) {
        *rel_out = g_strdup(file);
        *type_out = g_strdup(pt_page_evidence_media_type(event, sha256));
        break;
      }
    }
  }
  json_decref(event);
  return TRUE;
}

gboolean
pt_attachment_open_public(PtStation *station, PtStore *store, const char *sha256, int *fd_out,
                          guint64 *size_out, char **type_out, GError **error)
{
  g_autofree char *rel = NULL, *type = NULL;
  if (!pt_hub_is_hex(sha256, PT_HASH_LEN)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no such evidence");
    return FALSE;
  }
  if (!public_file(store, sha256, &rel, &type, error))
    return FALSE;
  if (!rel) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no such evidence");
    return FALSE;
  }
  g_autofree char *full = g_build_filename(station->dir, rel, NULL);
  int fd = open(full, O_RDONLY | O_CLOEXEC);
  struct stat st;
  if (fd < 0 || fstat(fd, &st) != 0) {
    int saved = errno;
    if (fd >= 0)
      close(fd);
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "evidence %s is not on this station: %s",
                sha256, g_strerror(saved));
    return FALSE;
  }
  *fd_out = fd;
  *size_out = (guint64)st.st_size;
  *type_out = g_steal_pointer(&type);
  return TRUE;
}
