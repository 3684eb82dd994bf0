/* pt-recorder.c: the station side of the cameras (see pt-recorder.h).
 *
 * Threads: camera callbacks, timers and retention run on the main context and write through
 * the recorder's own store connection.  The start-up worker and the recovery pool open
 * their own connections.  The status the HTTP workers read is a copy kept under `lock`.
 * Per camera and segment: one INSERT at open, one UPSERT at close, one retention pass.
 * Loading cameras' QR reads go to the PtLoadScan on the main context too (a read is a few
 * SELECTs; a new batch on a load is one short write transaction). */
#include "pt-recorder.h"

#include "pt-demo-seed.h"
#include "pt-error.h"
#include "pt-grading-tap.h"
#include "pt-json.h"
#include "pt-limits.h"
#include "pt-log.h"
#include "pt-load-scan.h"
#include "pt-recording-config.h"
#include "pt-retention.h"
#include "pt-store-load.h"
#include "pt-store-video.h"
#include "pt-store-watch.h"
#include "pt-thumbs.h"
#include "pt-time.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

typedef struct {
  PtRecorder *rec;              /* borrowed: owns this */
  const PtCameraConfig *config; /* borrowed from rec->config */
  PtCamera *camera;             /* main thread */
  guint retry_timer;            /* main thread: restart after a write failure */
  gboolean disk_full;           /* main thread */
  char *dock;                   /* loading cameras: the dock whose open load they fill */
  gint scan_open;               /* atomic: a load is open at the dock, so codes are read */
  PtThumb *thumb;               /* owned; any thread (the dashboard's live thumbnail) */
  gboolean grading_feed;        /* the tap feeds the grader while a grading is open */
  gint grade_open;              /* atomic: a grading is open, so the grader wants frames */
  gboolean stop_gap_open; /* main thread: the start-up's "station stopped" gap may be open; the
                           * first segment of this run ends it, unless an outage takes it on */
  /* status, under rec->lock */
  PtCameraState state;
  gint64 state_since_ns; /* UTC ns of the last change of state */
  guint restarts;
  char *current_segment;
  gint64 current_start;
  char *last_error;
  char *alert;
  guint qr_read, qr_loaded, qr_foreign, qr_malformed, qr_refused;
  /* the analysis substream (analysis_source), under rec->lock */
  PtAnalysisState analysis;
  gint64 analysis_since_ns;
  char *analysis_error; /* why it last failed or stalled */
  char *analysis_alert; /* while it is down: scanning and grading wait for it */
} Cam;

typedef struct {
  char *camera, *path;
  gint64 start_ns;
} RecoverJob;

struct _PtRecorder {
  PtStation *station;        /* borrowed */
  PtRecordingConfig *config; /* owned; cameras borrowed by Cam */
  PtStore *store;            /* main thread connection */
  PtLoadScan *scan;          /* main thread: loading cameras' QR reads */
  GMainContext *ctx;
  GPtrArray *cams; /* Cam *, created when the worker is done */
  GThread *worker;
  GSource *start_source; /* attached by the worker, run on ctx */
  GThreadPool *recovery; /* RecoverJob * */
  guint retention_timer;
  GFileMonitor *db_watch; /* loading cameras: station.db's log changed, so a load may have
                           * opened or closed at their dock (owned, main context) */
  gint stopping;          /* atomic */

  PtGradingSettings grading; /* [grading] */
  PtGradingTap *grading_tap; /* nullable: no grading camera fed; created on the main thread
                              * before the first grading camera, freed after all stopped */

  GMutex lock;       /* guards the Cam status fields and the fields below */
  GPtrArray *alerts; /* char *: station-wide alerts (disabled, demo, retention) */
  char *retention_alert;
};

static void
cam_free(Cam *cam)
{
  if (cam->retry_timer)
    g_source_remove(cam->retry_timer);
  pt_camera_free(cam->camera);
  pt_thumb_free(cam->thumb);
  g_free(cam->dock);
  g_free(cam->current_segment);
  g_free(cam->last_error);
  g_free(cam->alert);
  g_free(cam->analysis_error);
  g_free(cam->analysis_alert);
  g_free(cam);
}

static void
recover_job_free(RecoverJob *job)
{
  g_free(job->camera);
  g_free(job->path);
  g_free(job);
}

static void
add_alert(PtRecorder *rec, const char *text)
{
  g_warning("recording: %s", text);
  g_mutex_lock(&rec->lock);
  g_ptr_array_add(rec->alerts, g_strdup(text));
  g_mutex_unlock(&rec->lock);
}

gboolean
pt_recorder_recover_segment(PtStore *store, const char *camera, const char *path, gint64 start_ns,
                            const char *why, GError **error)
{
  PtSegmentProbe probe = {0};
  g_autoptr(GError) probe_err = NULL;
  if (!pt_segment_probe(path, start_ns, PT_PROBE_DECODE | PT_PROBE_REPAIR, &probe, &probe_err)) {
    /* The probe could not run (missing plugin, read-only folder): leave the row open so the
     * next start tries again, rather than calling footage lost that may be fine. */
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "probe %s: %s", path, probe_err->message);
    return FALSE;
  }
  gboolean lost = probe.verdict == PT_SEGMENT_LOST;
  g_autofree char *reason =
      g_strdup_printf("%s: %s%s%s", why, pt_segment_verdict_to_string(probe.verdict),
                      probe.reason ? ", " : "", probe.reason ? probe.reason : "");
  gboolean ok = pt_store_segment_finish(
      store, camera, path, start_ns, lost ? start_ns : probe.end_ns, probe.bytes,
      lost ? NULL : probe.sha256, lost ? PT_SEGSTATE_LOST : PT_SEGSTATE_RECOVERED, reason, error);
  if (ok)
    g_message("recording: segment %s %s", path, reason);
  pt_segment_probe_clear(&probe);
  return ok;
}

static void
recover_job_run(gpointer data, gpointer user_data)
{
  RecoverJob *job = data;
  PtRecorder *rec = user_data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_station_store(rec->station, &error);
  if (!store || !pt_recorder_recover_segment(store, job->camera, job->path, job->start_ns,
                                             "not finalized by the muxer", &error))
    g_warning("recording: %s", error->message);
  recover_job_free(job);
}

/* ---- retention (main thread) ---- */

static void
run_retention(PtRecorder *rec)
{
  g_autoptr(GHashTable) busy = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
  guint64 busy_bytes = 0;
  for (guint i = 0; rec->cams && i < rec->cams->len; i++) {
    Cam *cam = g_ptr_array_index(rec->cams, i);
    char *path = cam->camera ? pt_camera_dup_current_segment(cam->camera) : NULL;
    GStatBuf st;
    if (!path)
      continue;
    if (g_stat(path, &st) == 0)
      busy_bytes += (guint64)st.st_size;
    g_hash_table_add(busy, path);
  }
  PtRetentionPolicy policy = {
      .recordings_dir = rec->config->recordings_dir,
      .quota_bytes = rec->config->quota_bytes,
      .min_free_bytes = rec->config->min_free_bytes,
      .evidence_keep_ns =
          (gint64)rec->config->evidence_days * 86400 * G_GINT64_CONSTANT(1000000000),
      .busy_paths = busy,
      .busy_bytes = busy_bytes,
  };
  PtRetentionReport report;
  g_autoptr(GError) error = NULL;
  if (!pt_retention_run(rec->store, &policy, pt_now_ns(), &report, &error)) {
    g_warning("recording: retention: %s", error->message);
    return;
  }
  if (report.deleted_segments || report.expired_clips)
    g_message("recording: retention deleted %u segments (%" G_GUINT64_FORMAT
              " bytes, %u used by kept clips) and %u expired clips",
              report.deleted_segments, report.freed_bytes, report.deleted_in_clip,
              report.expired_clips);
  char *alert = NULL;
  if (report.low_space)
    alert = g_strdup_printf("low disk space: %" G_GUINT64_FORMAT
                            " bytes free, min_free_bytes is %" G_GUINT64_FORMAT,
                            report.free_bytes, rec->config->min_free_bytes);
  else if (report.over_quota)
    alert = g_strdup_printf("recordings use %" G_GUINT64_FORMAT
                            " bytes, over quota_bytes %" G_GUINT64_FORMAT
                            " (the rest is needed by kept clips or being written)",
                            report.recorded_bytes, rec->config->quota_bytes);
  g_mutex_lock(&rec->lock);
  g_free(rec->retention_alert);
  rec->retention_alert = alert;
  g_mutex_unlock(&rec->lock);
}

static gboolean
on_retention_timer(gpointer data)
{
  run_retention(data);
  return G_SOURCE_CONTINUE;
}

/* ---- camera callbacks (main thread) ---- */

static void
on_segment_opened(PtCamera *camera, const PtSegmentInfo *seg, gpointer user_data)
{
  Cam *cam = user_data;
  g_autoptr(GError) error = NULL;
  if (!pt_store_segment_open(cam->rec->store, cam->config->name, seg->path, seg->start_ns, &error))
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s: %s", cam->config->name,
                  error->message);
  g_clear_error(&error);
  if (cam->stop_gap_open &&
      !pt_store_gap_close(cam->rec->store, cam->config->name, seg->start_ns, NULL, &error))
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s: %s", cam->config->name,
                  error->message);
  cam->stop_gap_open = FALSE;
  g_mutex_lock(&cam->rec->lock);
  g_free(cam->current_segment);
  cam->current_segment = g_strdup(seg->path);
  cam->current_start = seg->start_ns;
  g_mutex_unlock(&cam->rec->lock);
}

static void
on_segment_closed(PtCamera *camera, const PtSegmentInfo *seg, gpointer user_data)
{
  Cam *cam = user_data;
  PtRecorder *rec = cam->rec;
  g_autoptr(GError) error = NULL;
  if (seg->complete) {
    if (!pt_store_segment_finish(rec->store, cam->config->name, seg->path, seg->start_ns,
                                 seg->end_ns, seg->bytes, seg->sha256, PT_SEGSTATE_CLOSED, NULL,
                                 &error))
      pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s: %s", cam->config->name,
                    error->message);
  } else {
    /* The row stays open until the probe has repaired the file or called it lost. */
    RecoverJob *job = g_new0(RecoverJob, 1);
    job->camera = g_strdup(cam->config->name);
    job->path = g_strdup(seg->path);
    job->start_ns = seg->start_ns;
    g_thread_pool_push(rec->recovery, job, NULL);
  }
  g_mutex_lock(&rec->lock);
  if (g_strcmp0(cam->current_segment, seg->path) == 0)
    g_clear_pointer(&cam->current_segment, g_free);
  g_mutex_unlock(&rec->lock);
  run_retention(rec);
}

/* The gap is on record from its start, so a kill before recording resumes cannot lose it. */
static void
on_gap_opened(PtCamera *camera, gint64 from_ns, const char *reason, gpointer user_data)
{
  Cam *cam = user_data;
  g_autoptr(GError) error = NULL;
  /* A "station stopped" gap still open goes on through this outage: the camera's own gap,
   * reported when it records again, ends it. */
  cam->stop_gap_open = FALSE;
  if (!pt_store_gap_open(cam->rec->store, cam->config->name, from_ns, reason, &error))
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s: %s", cam->config->name,
                  error->message);
}

static void
on_gap(PtCamera *camera, gint64 from_ns, gint64 to_ns, const char *reason, gpointer user_data)
{
  Cam *cam = user_data;
  g_autoptr(GError) error = NULL;
  gboolean closed = FALSE;
  cam->stop_gap_open = FALSE;
  if (!pt_store_gap_close(cam->rec->store, cam->config->name, to_ns, &closed, &error) ||
      (!closed &&
       !pt_store_gap_insert(cam->rec->store, cam->config->name, from_ns, to_ns, reason, &error)))
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s: %s", cam->config->name,
                  error->message);
}

static gboolean
on_retry(gpointer data)
{
  Cam *cam = data;
  PtRecorder *rec = cam->rec;
  if (cam->disk_full) {
    run_retention(rec);
    guint64 free_bytes = 0;
    g_autoptr(GError) error = NULL;
    if (!pt_retention_free_bytes(rec->config->recordings_dir, &free_bytes, &error) ||
        free_bytes < MAX(rec->config->min_free_bytes, 1))
      return G_SOURCE_CONTINUE;
  }
  cam->retry_timer = 0;
  g_autoptr(GError) error = NULL;
  pt_log_camera(G_LOG_LEVEL_MESSAGE, cam->config->name, "camera %s: restarting recording",
                cam->config->name);
  if (!pt_camera_start(cam->camera, &error)) {
    g_mutex_lock(&rec->lock);
    g_free(cam->last_error);
    cam->last_error = g_strdup(error->message);
    g_mutex_unlock(&rec->lock);
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s: %s", cam->config->name,
                  error->message);
  }
  return G_SOURCE_REMOVE;
}

static void
on_state_changed(PtCamera *camera, PtCameraState state, const GError *error, gpointer user_data)
{
  Cam *cam = user_data;
  PtRecorder *rec = cam->rec;
  char *alert = NULL;
  if (state == PT_CAMERA_FAILED) {
    cam->disk_full = error && g_error_matches(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_DISK_FULL);
    alert = g_strdup_printf("%s: recording stopped: %s; retrying every %d s%s", cam->config->name,
                            error ? error->message : "failed", PT_RECORDING_RETRY_S,
                            cam->disk_full ? " once space is free" : "");
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s", alert);
    if (!cam->retry_timer && !g_atomic_int_get(&rec->stopping))
      cam->retry_timer = g_timeout_add_seconds(PT_RECORDING_RETRY_S, on_retry, cam);
    if (cam->disk_full)
      run_retention(rec);
  } else if (state == PT_CAMERA_RECORDING) {
    cam->disk_full = FALSE;
  }
  g_mutex_lock(&rec->lock);
  if (cam->state != state)
    cam->state_since_ns = pt_now_ns();
  cam->state = state;
  cam->restarts = pt_camera_get_restarts(camera);
  if (error) {
    g_free(cam->last_error);
    cam->last_error = g_strdup(error->message);
  }
  if (alert || state == PT_CAMERA_RECORDING) {
    g_free(cam->alert);
    cam->alert = alert;
  }
  g_mutex_unlock(&rec->lock);
}

/* Streaming thread: every camera's tap feeds its thumbnail while the dashboard watches;
 * a grading camera's also feeds the grader, which runs on the grading tap's worker. */
static void
on_frame(PtCamera *camera, PtTapFrame *frame, gpointer user_data)
{
  Cam *cam = user_data;
  pt_thumb_offer(cam->thumb, frame);
  if (cam->grading_feed && g_atomic_int_get(&cam->grade_open))
    pt_grading_tap_push(cam->rec->grading_tap, frame);
}

/* Streaming thread: the gate in front of the tap (pt-camera.h). */
static gboolean
on_frames_wanted(PtCamera *camera, gpointer user_data)
{
  Cam *cam = user_data;
  return (cam->grading_feed && g_atomic_int_get(&cam->grade_open)) || pt_thumb_watched(cam->thumb);
}

/* Streaming thread: the gate in front of the scan branch (pt-camera.h).  With no load open at
 * the dock, a code has nowhere to go, so the frames are not decoded or scanned at all. */
static gboolean
on_scan_wanted(PtCamera *camera, gpointer user_data)
{
  Cam *cam = user_data;
  return g_atomic_int_get(&cam->scan_open);
}

/* Main thread: @gate (scan_open, grade_open) is now @open; a camera whose gate changed asks
 * it again, so an analysis substream connects for a load or grading and goes after it. */
static void
set_gate(Cam *cam, gint *gate, gboolean open)
{
  if (g_atomic_int_get(gate) == open)
    return;
  g_atomic_int_set(gate, open);
  if (cam->camera)
    pt_camera_wake_analysis(cam->camera);
}

/* Main thread: opens or closes each loading camera's scan gate from the store, whoever opened
 * or closed the load (the dashboard, a driver's phone, the command line in another process). */
static void
check_dock(PtRecorder *rec, Cam *cam)
{
  g_autoptr(PtLoad) load = NULL;
  g_autoptr(GError) error = NULL;
  if (!pt_store_load_open_at_dock(rec->store, cam->dock, &load, &error)) {
    /* A busy store keeps the gate as it was; the next check tries again. */
    g_debug("camera %s: open load at dock %s: %s", cam->config->name, cam->dock, error->message);
    return;
  }
  set_gate(cam, &cam->scan_open, load != NULL);
}

/* Main thread: opens or closes a grading camera's feed from the store: with no grading open
 * the grader has nothing to grade for, so its frames are not decoded or converted at all. */
static void
check_grading(PtRecorder *rec, Cam *cam)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtGradingRow) open = pt_store_grading_newest_open(rec->store, &error);
  if (!open && !g_error_matches(error, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    g_debug("camera %s: open grading: %s", cam->config->name, error->message);
    return;
  }
  set_gate(cam, &cam->grade_open, open != NULL);
}

/* Main thread: station.db's write-ahead log changed, so a transaction committed, in this
 * process (the dashboard, a driver's phone, the dock camera) or another (the command line).
 * inotify wakes the station only on writes: nothing is polled while nothing happens, and
 * GFileMonitor's rate limit makes a burst of commits one check a PT_SCAN_RECHECK_MS. */
static void
on_db_changed(gpointer data)
{
  PtRecorder *rec = data;
  for (guint i = 0; i < rec->cams->len; i++) {
    Cam *cam = g_ptr_array_index(rec->cams, i);
    if (cam->dock)
      check_dock(rec, cam);
    if (cam->grading_feed)
      check_grading(rec, cam);
  }
}

static void
watch_store(PtRecorder *rec)
{
  g_autoptr(GError) error = NULL;
  rec->db_watch =
      pt_store_watch_new(rec->station->db_path, PT_SCAN_RECHECK_MS, on_db_changed, rec, &error);
  if (!rec->db_watch) {
    add_alert(rec, "cannot watch station.db: loads and gradings opened after start are "
                   "not seen by the cameras");
    g_warning("recording: watch %s-wal: %s", rec->station->db_path, error->message);
  }
}

static void
on_qr(PtCamera *camera, const char *symbology, const char *payload, gint64 utc_ns,
      gpointer user_data)
{
  Cam *cam = user_data;
  PtRecorder *rec = cam->rec;
  if (!cam->dock)
    return;
  PtQrOutcome outcome =
      pt_load_scan_handle(rec->scan, cam->config->name, cam->dock, payload, utc_ns);
  g_mutex_lock(&rec->lock);
  cam->qr_read++;
  if (outcome == PT_QR_LOADED)
    cam->qr_loaded++;
  else if (outcome == PT_QR_FOREIGN)
    cam->qr_foreign++;
  else if (outcome == PT_QR_MALFORMED)
    cam->qr_malformed++;
  else if (outcome == PT_QR_REFUSED)
    cam->qr_refused++;
  g_mutex_unlock(&rec->lock);
}

/* A substream that fails is a camera fault of its own: the recording goes on, but nothing is
 * scanned, graded or shown as a thumbnail until it is back, so it is an alert meanwhile. */
static void
on_analysis_changed(PtCamera *camera, PtAnalysisState state, const GError *error,
                    gpointer user_data)
{
  Cam *cam = user_data;
  PtRecorder *rec = cam->rec;
  char *alert = NULL;
  if (state == PT_ANALYSIS_RECONNECTING) {
    alert = g_strdup_printf("%s: analysis substream down, recording goes on without scanning, "
                            "grading or thumbnails: %s",
                            cam->config->name, error ? error->message : "failed");
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s", alert);
  } else if (state == PT_ANALYSIS_RUNNING) {
    pt_log_camera(G_LOG_LEVEL_MESSAGE, cam->config->name, "camera %s: analysis substream running",
                  cam->config->name);
  } else if (state == PT_ANALYSIS_IDLE) {
    pt_log_camera(G_LOG_LEVEL_MESSAGE, cam->config->name,
                  "camera %s: analysis substream idle: nothing wants its frames",
                  cam->config->name);
  }
  g_mutex_lock(&rec->lock);
  if (cam->analysis != state)
    cam->analysis_since_ns = pt_now_ns();
  cam->analysis = state;
  if (error) {
    g_free(cam->analysis_error);
    cam->analysis_error = g_strdup(error->message);
  }
  if (alert || state == PT_ANALYSIS_RUNNING || state == PT_ANALYSIS_STOPPED ||
      state == PT_ANALYSIS_IDLE) {
    g_free(cam->analysis_alert);
    cam->analysis_alert = alert;
  }
  g_mutex_unlock(&rec->lock);
}

static void
on_problem(PtCamera *camera, const char *message, gpointer user_data)
{
  Cam *cam = user_data;
  pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "%s", message);
}

static const PtCameraCallbacks callbacks = {
    .segment_opened = on_segment_opened,
    .segment_closed = on_segment_closed,
    .gap_opened = on_gap_opened,
    .gap = on_gap,
    .state_changed = on_state_changed,
    .frame = on_frame,
    .frames_wanted = on_frames_wanted,
    .scan_wanted = on_scan_wanted,
    .qr = on_qr,
    .problem = on_problem,
    .analysis_changed = on_analysis_changed,
};

/* A grading camera's frame tap feeds the grader at [grading] fps, in RGB at full size (the
 * calibration is in the camera's pixels).  Every other camera's tap feeds only its thumbnail,
 * once a second and only while watched.  Returns whether the tap feeds the grader. */
static gboolean
enable_tap(PtRecorder *rec, PtCameraConfig *config)
{
  if (config->role != PT_CAMERA_ROLE_GRADING || rec->grading.fps <= 0) {
    config->tap_fps = PT_THUMB_TAP_FPS;
    config->tap_format = PT_TAP_FORMAT_I420;
    config->tap_width = config->tap_height = 0;
    return FALSE;
  }
  config->tap_fps = rec->grading.fps;
  config->tap_format = PT_TAP_FORMAT_RGB;
  config->tap_width = config->tap_height = 0;
  if (!rec->grading_tap)
    g_atomic_pointer_set(&rec->grading_tap, pt_grading_tap_new(rec->station, rec->grading.fps));
  return TRUE;
}

/* ---- start-up ---- */

static gboolean
start_cameras(gpointer data)
{
  PtRecorder *rec = data;
  rec->start_source = NULL;
  if (g_atomic_int_get(&rec->stopping))
    return G_SOURCE_REMOVE;
  for (guint i = 0; i < rec->config->cameras->len; i++) {
    Cam *cam = g_new0(Cam, 1);
    g_autoptr(GError) error = NULL;
    cam->rec = rec;
    cam->config = g_ptr_array_index(rec->config->cameras, i);
    cam->thumb = pt_thumb_new();
    cam->state_since_ns = pt_now_ns();
    cam->analysis_since_ns = cam->state_since_ns;
    cam->stop_gap_open = TRUE;
    cam->grading_feed = enable_tap(rec, g_ptr_array_index(rec->config->cameras, i));
    PtCameraConfig *config = g_ptr_array_index(rec->config->cameras, i);
    if (!config->live_dir)
      config->live_dir = g_build_filename(rec->config->live_dir, config->name, NULL);
    if (cam->config->role == PT_CAMERA_ROLE_LOADING)
      cam->dock = pt_load_scan_camera_dock(rec->station, cam->config->name);
    g_mutex_lock(&rec->lock);
    g_ptr_array_add(rec->cams, cam);
    g_mutex_unlock(&rec->lock);
    if (cam->dock)
      check_dock(rec, cam);
    if (cam->grading_feed)
      check_grading(rec, cam);
    PtCamera *camera = pt_camera_new(cam->config, &callbacks, cam, &error);
    /* Under the lock: the HTTP workers find the camera through rec->cams (live view). */
    g_mutex_lock(&rec->lock);
    cam->camera = camera;
    g_mutex_unlock(&rec->lock);
    if (cam->camera && pt_camera_start(cam->camera, &error)) {
      pt_log_camera(G_LOG_LEVEL_MESSAGE, cam->config->name, "camera %s (%s, %s) started",
                    cam->config->name, pt_camera_role_to_string(cam->config->role),
                    pt_source_kind_to_string(cam->config->kind));
      continue;
    }
    /* One camera that cannot work never keeps the others from recording. */
    g_autofree char *alert =
        g_strdup_printf("%s: cannot record: %s", cam->config->name, error->message);
    pt_log_camera(G_LOG_LEVEL_WARNING, cam->config->name, "camera %s", alert);
    g_mutex_lock(&rec->lock);
    cam->state = PT_CAMERA_FAILED;
    cam->last_error = g_strdup(error->message);
    cam->alert = g_steal_pointer(&alert);
    g_mutex_unlock(&rec->lock);
  }
  rec->retention_timer = g_timeout_add_seconds(PT_RETENTION_INTERVAL_S, on_retention_timer, rec);
  for (guint i = 0; i < rec->cams->len && !rec->db_watch; i++) {
    Cam *cam = g_ptr_array_index(rec->cams, i);
    if (cam->dock || cam->grading_feed)
      watch_store(rec);
  }
  run_retention(rec);
  return G_SOURCE_REMOVE;
}

/* Worker: recover what the last run left open, make demo footage, then hand over to the main
 * loop.  Both may take seconds; the HTTP server is already answering. */
static gpointer
startup_worker(gpointer data)
{
  PtRecorder *rec = data;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStore) store = pt_station_store(rec->station, &error);
  g_autoptr(GPtrArray) open = store ? pt_store_segments_open(store, &error) : NULL;
  if (!open) {
    g_autofree char *alert = g_strdup_printf("recovery of open segments: %s", error->message);
    add_alert(rec, alert);
    g_clear_error(&error);
  }
  for (guint i = 0; open && i < open->len && !g_atomic_int_get(&rec->stopping); i++) {
    PtSegmentRow *row = g_ptr_array_index(open, i);
    if (!pt_recorder_recover_segment(store, row->camera, row->path, row->start_ns,
                                     "left open by a crash", &error)) {
      g_warning("recording: %s", error->message);
      g_clear_error(&error);
    }
  }
  /* Every camera's footage ends here until it records again (pt-store-video.h). */
  if (store && !pt_store_gaps_station_stopped(store, &error)) {
    g_autofree char *alert = g_strdup_printf("recording gaps at start-up: %s", error->message);
    add_alert(rec, alert);
    g_clear_error(&error);
  }
  /* The demo's own batches first: their codes go into the loading footage, which
   * pt_demo_footage_make_all() then keeps. */
  if (rec->config->demo && store && !g_atomic_int_get(&rec->stopping) &&
      !pt_demo_seed(rec->station, store, rec->config->demo_dir, PT_DEMO_FOOTAGE_SECONDS, &error)) {
    g_autofree char *alert = g_strdup_printf("demo batches: %s", error->message);
    add_alert(rec, alert);
    g_clear_error(&error);
  }
  if (rec->config->demo && !g_atomic_int_get(&rec->stopping)) {
    if (pt_demo_footage_make_all(rec->config->demo_dir, PT_DEMO_FOOTAGE_SECONDS, &error)) {
      pt_recording_config_add_demo(rec->config);
    } else {
      g_autofree char *alert = g_strdup_printf("demo footage: %s", error->message);
      add_alert(rec, alert);
    }
  }
  GSource *source = g_idle_source_new();
  g_source_set_callback(source, start_cameras, rec, NULL);
  rec->start_source = source;
  g_source_attach(source, rec->ctx);
  g_source_unref(source);
  return NULL;
}

PtRecorder *
pt_recorder_new(PtStation *station, const char *disabled_reason, GError **error)
{
  g_autoptr(PtRecordingConfig) config = NULL;
  g_auto(PtGradingSettings) grading = {0};
  if (!disabled_reason) {
    config = pt_recording_config_load(station, error);
    if (!config || !pt_grading_settings_load(station->config, &grading, error))
      return NULL;
  }
  g_autoptr(PtStore) store = pt_station_store(station, error);
  if (!store)
    return NULL;
  PtRecorder *rec = g_new0(PtRecorder, 1);
  rec->station = station;
  rec->config = g_steal_pointer(&config);
  rec->store = g_steal_pointer(&store);
  rec->grading = grading;
  grading = (PtGradingSettings){0};
  rec->scan = pt_load_scan_new(station, rec->store);
  rec->ctx = g_main_context_ref_thread_default();
  rec->cams = g_ptr_array_new_with_free_func((GDestroyNotify)cam_free);
  rec->alerts = g_ptr_array_new_with_free_func(g_free);
  g_mutex_init(&rec->lock);
  if (disabled_reason) {
    g_autofree char *alert = g_strdup_printf("recording disabled: %s", disabled_reason);
    add_alert(rec, alert);
  }
  return rec;
}

void
pt_recorder_start(PtRecorder *rec)
{
  if (!rec->config || rec->worker)
    return;
  if (g_mkdir_with_parents(rec->config->recordings_dir, 0755) != 0) {
    int e = errno;
    g_autofree char *alert =
        g_strdup_printf("cannot create %s: %s", rec->config->recordings_dir, g_strerror(e));
    add_alert(rec, alert);
    return;
  }
  rec->recovery = g_thread_pool_new(recover_job_run, rec, PT_RECOVERY_THREADS, FALSE, NULL);
  rec->worker = g_thread_new("pt-recorder-start", startup_worker, rec);
}

void
pt_recorder_stop(PtRecorder *rec)
{
  g_atomic_int_set(&rec->stopping, 1);
  if (rec->worker) {
    g_thread_join(rec->worker);
    rec->worker = NULL;
  }
  if (rec->start_source) {
    g_source_destroy(rec->start_source);
    rec->start_source = NULL;
  }
  if (rec->db_watch) {
    g_file_monitor_cancel(rec->db_watch);
    g_clear_object(&rec->db_watch);
  }
  if (rec->retention_timer) {
    g_source_remove(rec->retention_timer);
    rec->retention_timer = 0;
  }
  for (guint i = 0; i < rec->cams->len; i++) {
    Cam *cam = g_ptr_array_index(rec->cams, i);
    if (cam->retry_timer) {
      g_source_remove(cam->retry_timer);
      cam->retry_timer = 0;
    }
    if (cam->camera)
      pt_camera_stop(cam->camera);
  }
  if (rec->recovery) {
    g_thread_pool_free(rec->recovery, FALSE, TRUE);
    rec->recovery = NULL;
  }
  /* The cameras are stopped: no frame comes any more; grade the last ones. */
  if (rec->grading_tap)
    pt_grading_tap_stop(rec->grading_tap);
}

void
pt_recorder_free(PtRecorder *rec)
{
  if (!rec)
    return;
  pt_recorder_stop(rec);
  g_ptr_array_unref(rec->cams);
  pt_grading_tap_free(rec->grading_tap);
  pt_grading_settings_clear(&rec->grading);
  g_ptr_array_unref(rec->alerts);
  g_free(rec->retention_alert);
  pt_load_scan_free(rec->scan);
  pt_store_close(rec->store);
  pt_recording_config_free(rec->config);
  g_main_context_unref(rec->ctx);
  g_mutex_clear(&rec->lock);
  g_free(rec);
}

static json_t *
string_or_null(const char *s)
{
  return pt_json_string_or_null(s);
}

/* rec->lock held.  The substream's own state and reason, and what it delivered: its frame
 * size and frames, the tap's and scan's source for this camera. */
static json_t *
analysis_json(Cam *cam)
{
  PtAnalysisStats st = {0};
  if (cam->camera)
    pt_camera_get_analysis(cam->camera, &st);
  g_autofree char *since = pt_time_format(cam->analysis_since_ns);
  json_t *o =
      json_pack("{sssssssI}", "source", pt_source_kind_to_string(cam->config->analysis_kind),
                "state", pt_analysis_state_to_string(cam->analysis), "since", since, "restarts",
                (json_int_t)st.restarts);
  json_object_set_new(o, "last_error", string_or_null(cam->analysis_error));
  json_object_set_new(o, "frames", json_integer((json_int_t)st.frames));
  json_object_set_new(o, "width", json_integer(st.width));
  json_object_set_new(o, "height", json_integer(st.height));
  return o;
}

json_t *
pt_recorder_status(PtRecorder *rec)
{
  json_t *cams = json_array();
  json_t *alerts = json_array();
  g_mutex_lock(&rec->lock);
  for (guint i = 0; i < rec->cams->len; i++) {
    Cam *cam = g_ptr_array_index(rec->cams, i);
    g_autofree char *start = cam->current_segment ? pt_time_format(cam->current_start) : NULL;
    json_t *o =
        json_pack("{sssssssssI}", "name", cam->config->name, "role",
                  pt_camera_role_to_string(cam->config->role), "source",
                  pt_source_kind_to_string(cam->config->kind), "state",
                  pt_camera_state_to_string(cam->state), "restarts", (json_int_t)cam->restarts);
    g_autofree char *since = pt_time_format(cam->state_since_ns);
    json_object_set_new(o, "since", json_string(since));
    json_object_set_new(o, "current_segment", string_or_null(cam->current_segment));
    json_object_set_new(o, "current_start", string_or_null(start));
    json_object_set_new(o, "last_error", string_or_null(cam->last_error));
    json_object_set_new(o, "alert", string_or_null(cam->alert));
    if (cam->dock) {
      json_object_set_new(o, "dock", json_string(cam->dock));
      json_object_set_new(o, "qr_read", json_integer(cam->qr_read));
      json_object_set_new(o, "qr_loaded", json_integer(cam->qr_loaded));
      json_object_set_new(o, "qr_foreign", json_integer(cam->qr_foreign));
      json_object_set_new(o, "qr_malformed", json_integer(cam->qr_malformed));
      json_object_set_new(o, "qr_refused", json_integer(cam->qr_refused));
    }
    json_array_append_new(cams, o);
    if (cam->config->analysis_location)
      json_object_set_new(o, "analysis", analysis_json(cam));
    if (cam->alert)
      json_array_append_new(alerts, json_string(cam->alert));
    if (cam->analysis_alert)
      json_array_append_new(alerts, json_string(cam->analysis_alert));
  }
  for (guint i = 0; i < rec->alerts->len; i++)
    json_array_append_new(alerts, json_string(g_ptr_array_index(rec->alerts, i)));
  if (rec->retention_alert)
    json_array_append_new(alerts, json_string(rec->retention_alert));
  g_mutex_unlock(&rec->lock);
  json_t *status = json_pack("{soso}", "cameras", cams, "alerts", alerts);
  /* Set once on the main thread before the cameras that use it exist. */
  PtGradingTap *tap = g_atomic_pointer_get(&rec->grading_tap);
  if (tap)
    json_object_set_new(status, "grading", pt_grading_tap_status(tap));
  return status;
}

gboolean
pt_recorder_live(PtRecorder *rec, const char *camera, gboolean touch, char **dir,
                 PtCameraRole *role, GError **error)
{
  Cam *found = NULL;
  g_autofree char *why = NULL;
  PtCamera *live = NULL;
  /* Cams are only ever appended and live until pt_recorder_free(), after the HTTP server. */
  g_mutex_lock(&rec->lock);
  for (guint i = 0; i < rec->cams->len && !found; i++) {
    Cam *cam = g_ptr_array_index(rec->cams, i);
    if (strcmp(cam->config->name, camera) == 0)
      found = cam;
  }
  if (found && found->state != PT_CAMERA_RECORDING && found->state != PT_CAMERA_STARTING)
    why =
        g_strdup_printf("camera %s is %s%s%s", camera, pt_camera_state_to_string(found->state),
                        found->last_error ? ": " : "", found->last_error ? found->last_error : "");
  if (found && !why)
    live = found->camera;
  g_mutex_unlock(&rec->lock);
  if (!found) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no camera called %s", camera);
    return FALSE;
  }
  if (!live) {
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY, "%s", why ? why : "the camera has not started");
    return FALSE;
  }
  /* pt_camera_live_touch() is the one PtCamera call made from any thread. */
  if (touch && !pt_camera_live_touch(live, error))
    return FALSE;
  if (role)
    *role = found->config->role;
  *dir = g_strdup(found->config->live_dir);
  return TRUE;
}

GBytes *
pt_recorder_thumbnail(PtRecorder *rec, const char *camera, gint64 *utc_ns, GError **error)
{
  PtThumb *thumb = NULL;
  PtCamera *source = NULL;
  /* Cams are only ever appended and live until pt_recorder_free(), after the HTTP server. */
  g_mutex_lock(&rec->lock);
  for (guint i = 0; i < rec->cams->len && !thumb; i++) {
    Cam *cam = g_ptr_array_index(rec->cams, i);
    if (strcmp(cam->config->name, camera) == 0) {
      thumb = cam->thumb;
      source = cam->camera;
    }
  }
  g_mutex_unlock(&rec->lock);
  if (!thumb) {
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "no camera called %s", camera);
    return NULL;
  }
  /* The first request of a watch opens the tap's gate (pt_thumb_jpeg() marks it watched): a
   * camera whose substream is idle connects it, and the first JPEG comes once its frames do
   * (meanwhile "no frame yet", which the dashboard asks again for).  Later requests of the
   * same watch cost no wake-up. */
  gboolean was_watched = pt_thumb_watched(thumb);
  GBytes *jpeg = pt_thumb_jpeg(thumb, utc_ns, error);
  if (!was_watched && source)
    pt_camera_wake_analysis(source);
  if (!jpeg && error && !*error)
    g_set_error(error, PT_ERROR, PT_ERROR_BUSY, "camera %s has no frame yet", camera);
  return jpeg;
}
