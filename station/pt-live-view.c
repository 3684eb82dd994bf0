/* pt-live-view.c: the station's side of the live view (see pt-live-view.h).  A watching
 * player asks for the playlist about once a segment (1 s) and for each segment once: two
 * small file reads a second per viewer, and one wait of a few seconds when a viewer arrives
 * at a camera nobody watched. */
#include "pt-live-view.h"

#include "pt-error.h"
#include "pt-file.h"
#include "pt-limits.h"

#include <string.h>

gboolean
pt_live_view_allowed(PtCameraRole role, PtLiveViewer viewer)
{
  /* Every camera of the shed is the operator's to watch.  A buyer watches loading cameras
   * only, and of those only the ones of their own loads while loaded (pt-load-video.c checks
   * the load before it asks); consumers never. */
  switch (viewer) {
  case PT_LIVE_VIEWER_OPERATOR:
    return TRUE;
  case PT_LIVE_VIEWER_BUYER:
    return role == PT_CAMERA_ROLE_LOADING;
  case PT_LIVE_VIEWER_PUBLIC:
  default:
    return FALSE;
  }
}

gboolean
pt_live_view_segment_name_ok(const char *name)
{
  gsize n = strlen(name);

  if (n < 3 + 5 + 3 || n > 3 + 10 + 3 || !g_str_has_prefix(name, "seg") ||
      !g_str_has_suffix(name, ".ts"))
    return FALSE;
  for (gsize i = 3; i < n - 3; i++)
    if (!g_ascii_isdigit(name[i]))
      return FALSE;
  return TRUE;
}

/* The camera's live folder, after the access check.  @touch: see pt_recorder_live(). */
static char *
live_dir(PtRecorder *rec, const char *camera, PtLiveViewer viewer, gboolean touch, GError **error)
{
  PtCameraRole role;
  g_autofree char *dir = NULL;

  if (!pt_recorder_live(rec, camera, FALSE, &dir, &role, error))
    return NULL;
  if (!pt_live_view_allowed(role, viewer)) {
    g_set_error(error, PT_ERROR, PT_ERROR_FORBIDDEN, "camera %s may not be watched live here",
                camera);
    return NULL;
  }
  /* Watched only once allowed: a refused viewer never starts the branch. */
  if (touch) {
    g_clear_pointer(&dir, g_free);
    if (!pt_recorder_live(rec, camera, TRUE, &dir, NULL, error))
      return NULL;
  }
  return g_steal_pointer(&dir);
}

/* A playlist as long as it will stay (hlssink2 writes it when a segment closes, and replaces
 * it whole each time).  Chromium's own HLS player fails to parse ("DEMUXER_ERROR_COULD_NOT_
 * PARSE") a live playlist that starts shorter, so a new viewer waits for the full one. */
static char *
read_playlist(const char *path, gsize *len)
{
  char *text = pt_file_read(path, PT_LIVE_PLAYLIST_MAX, len, NULL);
  guint segments = 0;

  for (const char *p = text; p != NULL && (p = strstr(p, ".ts\n")) != NULL; p += 4)
    segments++;
  if (text != NULL && segments < PT_LIVE_PLAYLIST_SEGMENTS)
    g_clear_pointer(&text, g_free);
  return text;
}

GBytes *
pt_live_view_playlist(PtRecorder *rec, const char *camera, PtLiveViewer viewer, GError **error)
{
  g_autofree char *dir = live_dir(rec, camera, viewer, TRUE, error);
  g_autofree char *path = NULL;
  gint64 deadline = g_get_monotonic_time() + PT_LIVE_FIRST_WAIT_MS * G_TIME_SPAN_MILLISECOND;
  gsize len = 0;
  char *text;

  if (dir == NULL)
    return NULL;
  path = g_build_filename(dir, PT_LIVE_PLAYLIST_NAME, NULL);
  while ((text = read_playlist(path, &len)) == NULL) {
    if (g_get_monotonic_time() >= deadline) {
      g_set_error(error, PT_ERROR, PT_ERROR_BUSY,
                  "the live view of camera %s has no video yet (no keyframe within %d s)", camera,
                  PT_LIVE_FIRST_WAIT_MS / 1000);
      return NULL;
    }
    g_usleep(PT_LIVE_POLL_MS * 1000);
    /* Still watched: the wait may outlast the camera's idle time. */
    g_clear_pointer(&dir, g_free);
    if (!(dir = live_dir(rec, camera, viewer, TRUE, error)))
      return NULL;
  }
  return g_bytes_new_take(text, len);
}

GBytes *
pt_live_view_segment(PtRecorder *rec, const char *camera, const char *name, PtLiveViewer viewer,
                     GError **error)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;
  char *data;

  if (!pt_live_view_segment_name_ok(name)) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no live file called %s", name);
    return NULL;
  }
  if (!(dir = live_dir(rec, camera, viewer, FALSE, error)))
    return NULL;
  path = g_build_filename(dir, name, NULL);
  data = pt_file_read(path, PT_LIVE_SEGMENT_MAX_BYTES, &len, &local);
  if (data == NULL) {
    /* Deleted as the playlist moved on, or the branch stopped: the player asks again. */
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "live segment %s of camera %s: %s", name,
                camera, local->message);
    return NULL;
  }
  return g_bytes_new_take(data, len);
}
