/* pt-cli-clip.c: `packtrace clip`: the evidence clip kept for a batch event (checked against
 * the SHA-256 its signed event carries), or an ad-hoc clip of a camera's recordings. */
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-evidence.h"
#include "pt-store-video.h"
#include "pt-time.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <unistd.h>

/* Copies @from to @to through a temp file in @to's folder, fsync'd and renamed. */
static gboolean
copy_durable(const char *from, const char *to, GError **error)
{
  g_autofree char *tmp = g_strdup_printf("%s.tmp", to);
  g_autoptr(GFile) src = g_file_new_for_path(from);
  g_autoptr(GFile) dst = g_file_new_for_path(tmp);
  g_autoptr(GError) local = NULL;
  if (!g_file_copy(src, dst, G_FILE_COPY_OVERWRITE, NULL, NULL, NULL, &local)) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "copy %s to %s: %s", from, to, local->message);
    return FALSE;
  }
  int fd = open(tmp, O_RDONLY | O_CLOEXEC);
  gboolean ok = fd >= 0 && fsync(fd) == 0;
  int e = errno;
  if (fd >= 0)
    close(fd);
  if (!ok || g_rename(tmp, to) != 0) {
    e = ok ? errno : e;
    g_unlink(tmp);
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "write %s: %s", to, g_strerror(e));
    return FALSE;
  }
  return TRUE;
}

static void
print_result(gboolean json, const char *path, const char *camera, gint64 from_ns, gint64 to_ns,
             const char *sha256, guint64 bytes, const char *signed_sha256)
{
  g_autofree char *from = pt_time_format(from_ns);
  g_autofree char *to = pt_time_format(to_ns);
  if (json) {
    json_t *o = json_pack("{sssssssssssI}", "path", path, "camera", camera, "from", from, "to", to,
                          "sha256", sha256, "bytes", (json_int_t)bytes);
    if (signed_sha256) {
      json_object_set_new(o, "signed_sha256", json_string(signed_sha256));
      json_object_set_new(o, "matches_signed", json_boolean(g_strcmp0(sha256, signed_sha256) == 0));
    }
    pt_cli_print_json(o);
    return;
  }
  printf("%s\n  camera  %s\n  from    %s\n  to      %s\n  bytes   %" G_GUINT64_FORMAT
         "\n  sha256  %s\n",
         path, camera, from, to, bytes, sha256);
  if (signed_sha256 && g_strcmp0(sha256, signed_sha256) == 0)
    printf("  matches the SHA-256 in the signed event\n");
  else if (signed_sha256)
    printf("  re-cut from the recordings: NOT the signed file (signed sha256 %s)\n", signed_sha256);
}

/* The clip of a batch's @position-th event: the kept file, checked, or a re-cut when the
 * kept file is gone but the recordings are still there. */
static int
event_clip(const PtCliCommon *common, const char *id, gint64 position, const char *out)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, id, &error) : NULL;
  g_autoptr(PtClipRow) clip = batch ? pt_store_clip_get(store, batch->id, position, &error) : NULL;
  if (!clip)
    return pt_cli_fail(error);
  guint64 bytes = 0;
  g_autofree char *sha = clip->expired_ns ? NULL : pt_file_sha256(clip->path, &bytes, NULL);
  if (sha && g_strcmp0(sha, clip->sha256) != 0) {
    g_set_error(&error, PT_ERROR, PT_ERROR_TAMPERED,
                "kept clip %s has changed since its event was signed (sha256 %s, signed %s)",
                clip->path, sha, clip->sha256);
    return pt_cli_fail(error);
  }
  if (sha) {
    if (out && !copy_durable(clip->path, out, &error))
      return pt_cli_fail(error);
    print_result(common->json, out ? out : clip->path, clip->camera, clip->from_ns, clip->to_ns,
                 sha, bytes, clip->sha256);
    return PT_EXIT_OK;
  }
  if (!out) {
    g_set_error(&error, PT_ERROR, PT_ERROR_NOT_FOUND,
                "the kept clip %s is gone%s; give -o FILE to re-cut it from the recordings",
                clip->path, clip->expired_ns ? " (retention period over)" : "");
    return pt_cli_fail(error);
  }
  PtClipResult res = {0};
  if (!pt_pipeline_init(NULL, NULL, &error) ||
      !pt_evidence_cut(station, store, clip->camera, clip->from_ns, clip->to_ns, out, &res, &error))
    return pt_cli_fail(error);
  print_result(common->json, out, clip->camera, res.start_ns, res.end_ns, res.sha256, res.bytes,
               clip->sha256);
  return PT_EXIT_OK;
}

int
pt_cmd_clip(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *camera = NULL, *from = NULL, *to = NULL, *out = NULL;
  gint64 event = 0;
  const GOptionEntry entries[] = {
      {"event", 0, 0, G_OPTION_ARG_INT64, &event,
       "The batch's N-th event (1-based, as `batch show` numbers them)", "N"},
      {"camera", 0, 0, G_OPTION_ARG_STRING, &camera, "Ad-hoc clip: camera name", "NAME"},
      {"from", 0, 0, G_OPTION_ARG_STRING, &from, "Ad-hoc clip: start", "RFC3339"},
      {"to", 0, 0, G_OPTION_ARG_STRING, &to, "Ad-hoc clip: end", "RFC3339"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &out, "Write the MP4 here", "FILE"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "[ID]",
                    "Evidence clips (MP4, moov first).\n"
                    "  clip ID --event N [-o FILE]   the clip kept for a batch event; without -o,\n"
                    "                                prints where it is and checks its SHA-256\n"
                    "  clip --camera NAME --from T --to T -o FILE.mp4   an ad-hoc clip",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc == 2) {
    if (event < 1 || camera || from || to)
      return pt_cli_usage("with a batch ID give --event N (N >= 1) and no --camera/--from/--to");
    return event_clip(&common, argv[1], event, out);
  }
  if (argc != 1 || event || !camera || !from || !to || !out)
    return pt_cli_usage("expected ID --event N, or --camera NAME --from T --to T -o FILE");
  gint64 from_ns, to_ns;
  g_autoptr(GError) error = NULL;
  if (!pt_time_parse(from, &from_ns, &error) || !pt_time_parse(to, &to_ns, &error))
    return pt_cli_usage("%s", error->message);
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  PtClipResult res = {0};
  if (!store || !pt_pipeline_init(NULL, NULL, &error) ||
      !pt_evidence_cut(station, store, camera, from_ns, to_ns, out, &res, &error))
    return pt_cli_fail(error);
  print_result(common.json, out, camera, res.start_ns, res.end_ns, res.sha256, res.bytes, NULL);
  return PT_EXIT_OK;
}
