/* pt-camera.c: the lifecycle of one camera: start, watch, drain, restart with backoff, stop.
 * Bus messages, timers and callbacks run on the camera's GMainContext; streaming threads
 * only update a few fields under `lock` (last buffer seen, file names) and queue events into
 * the outbox, which the main context drains in order.  Segment hashing runs on a one-thread
 * pool per camera so closed segments are reported in order and never block the main loop.
 *
 * Per camera and second: ~30 watchdog probe calls (one mutex each); per stall bound
 * (stall_ms): one watchdog wake-up; per segment: one file name, two bus messages, one hash
 * job.  Everything else happens only on failures. */
#include "pt-camera.h"

#include "pt-camera-analysis.h"
#include "pt-camera-graph.h"
#include "pt-gst-util.h"
#include "pt-live.h"
#include "pt-pipeline-limits.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

GST_DEBUG_CATEGORY_STATIC(pt_camera_debug);
#define GST_CAT_DEFAULT pt_camera_debug

typedef enum {
  AFTER_RESTART, /* source failed or stalled: rebuild after a backoff */
  AFTER_STOP,    /* the station stopped it, or a finite source ended */
  AFTER_FAIL,    /* writing failed: stay down until the station starts it again */
} AfterDrain;

typedef enum {
  EV_OPENED,
  EV_CLOSED,
  EV_GAP_OPENED,
  EV_GAP,
  EV_STATE,
} EventKind;

typedef struct {
  EventKind kind;
  char *path;
  gint64 start_ns, end_ns;
  guint64 bytes;
  char *sha256;
  gboolean complete;
  char *reason;
  PtCameraState state;
  GError *error;
} Event;

typedef struct {
  char *path;
  gint64 start_ns, end_ns;
  gboolean complete;
} HashJob;

/* A gate in front of a branch: asks @wanted for each source frame on a streaming thread,
 * and after it opens again lets frames through from the next keyframe only, so a passthrough
 * source's decoder never starts on a broken reference. */
typedef struct {
  PtCamera *cam;
  gboolean (*wanted)(PtCamera *camera, gpointer user_data);
  gint open;      /* atomic: the last buffer went through */
  gboolean wakes; /* an analysis gate: its first no wakes the camera (analysis_update()) */
  gint said_no;   /* atomic: @wanted said no since it last said yes */
} Gate;

struct _PtCamera {
  gatomicrefcount ref; /* the owner, the tap, pending idle dispatches */
  PtCameraConfig *config;
  PtCameraCallbacks cbs;
  gpointer user_data;
  GMainContext *ctx;

  /* main context only */
  PtCameraState state;
  PtCameraGraph graph;
  GSource *bus_watch;
  GSource *tick;
  GSource *backoff_timer;
  GSource *drain_timer;
  gboolean draining;
  AfterDrain after_drain;
  GError *failure; /* why the current drain / backoff happens */
  guint attempts;  /* consecutive failed starts, for the backoff */
  guint restarts;
  gboolean gap_open;
  gint64 gap_from;
  char *gap_reason;
  GThreadPool *hash_pool;
  PtLive *live;               /* nullable: the live view branch, while someone watches */
  guint live_attaches;        /* since the camera was made */
  HashJob *pending_close;     /* the newest closed fragment, until we know whether it is the last */
  PtCameraAnalysis *analysis; /* nullable: the substream's pipeline (analysis_location); set
                               * once with an atomic, freed with the camera */
  GSource *analysis_hold;     /* one-shot, armed only while the analysis runs unwanted: rests
                               * it when nothing wanted its frames for analysis_hold_ns */
  gboolean running;           /* between pt_camera_start() and pt_camera_stop() */

  GMutex lock; /* guards the fields below: streaming threads write them */
  char *current_path;
  gint64 current_start;
  gint64 last_buffer_utc;
  gint64 last_buffer_mono;     /* g_get_monotonic_time() of the last source buffer */
  Gate tap_gate;               /* frames_wanted, in front of the tap */
  Gate scan_gate;              /* scan_wanted, in front of the scan branch */
  PtScanCounters scan;         /* atomics: the scan branch's counters, across restarts */
  GHashTable *starts;          /* segment path -> UTC ns of its first frame (gint64 *) */
  gint64 live_touched;         /* g_get_monotonic_time() the live view was last asked for, or 0 */
  gboolean live_scheduled;     /* an attach is queued for the main context */
  gboolean analysis_scheduled; /* an analysis_update() is queued for the main context */
  int main_width, main_height; /* the main stream's frame size, from its caps (0: unknown) */

  GMutex out_lock; /* guards the outbox */
  GQueue outbox;   /* Event *, bounded by PT_OUTBOX_MAX_EVENTS */
  gboolean dispatch_scheduled;
};

static void open_gap(PtCamera *cam, const char *reason);
static void begin_restart(PtCamera *cam, PtCameraError code, const char *reason, gboolean drained);
static void teardown(PtCamera *cam);
static void flush_pending_close(PtCamera *cam, gboolean final);

static PtCamera *
camera_ref(PtCamera *cam)
{
  g_atomic_ref_count_inc(&cam->ref);
  return cam;
}

static void
event_free(Event *ev)
{
  g_free(ev->path);
  g_free(ev->sha256);
  g_free(ev->reason);
  g_clear_error(&ev->error);
  g_free(ev);
}

static void
camera_unref(gpointer data)
{
  PtCamera *cam = data;

  if (!g_atomic_ref_count_dec(&cam->ref))
    return;
  g_queue_clear_full(&cam->outbox, (GDestroyNotify)event_free);
  g_hash_table_unref(cam->starts);
  g_free(cam->current_path);
  g_free(cam->gap_reason);
  g_clear_error(&cam->failure);
  g_mutex_clear(&cam->lock);
  g_mutex_clear(&cam->out_lock);
  g_main_context_unref(cam->ctx);
  pt_camera_config_free(cam->config);
  g_free(cam);
}

const char *
pt_camera_state_to_string(PtCameraState state)
{
  static const char *const names[] = {"stopped", "starting", "recording", "reconnecting", "failed"};

  return (guint)state < G_N_ELEMENTS(names) ? names[state] : "unknown";
}

/* ---- outbox: events to the station, in order, on the main context ---- */

static void
dispatch_event(PtCamera *cam, Event *ev)
{
  PtSegmentInfo seg = {ev->path, ev->start_ns, ev->end_ns, ev->bytes, ev->sha256, ev->complete};

  switch (ev->kind) {
  case EV_OPENED:
    if (cam->cbs.segment_opened)
      cam->cbs.segment_opened(cam, &seg, cam->user_data);
    break;
  case EV_CLOSED:
    if (cam->cbs.segment_closed)
      cam->cbs.segment_closed(cam, &seg, cam->user_data);
    break;
  case EV_GAP_OPENED:
    if (cam->cbs.gap_opened)
      cam->cbs.gap_opened(cam, ev->start_ns, ev->reason, cam->user_data);
    break;
  case EV_GAP:
    if (cam->cbs.gap)
      cam->cbs.gap(cam, ev->start_ns, ev->end_ns, ev->reason, cam->user_data);
    break;
  case EV_STATE:
    if (cam->cbs.state_changed)
      cam->cbs.state_changed(cam, ev->state, ev->error, cam->user_data);
    break;
  }
}

static void
flush_outbox(PtCamera *cam)
{
  GQueue pending = G_QUEUE_INIT;
  Event *ev;

  g_mutex_lock(&cam->out_lock);
  pending = cam->outbox;
  g_queue_init(&cam->outbox);
  cam->dispatch_scheduled = FALSE;
  g_mutex_unlock(&cam->out_lock);
  while ((ev = g_queue_pop_head(&pending)) != NULL) {
    dispatch_event(cam, ev);
    event_free(ev);
  }
}

static gboolean
on_dispatch(gpointer data)
{
  flush_outbox(data);
  return G_SOURCE_REMOVE;
}

/* Queues @ev (transfer full) for the main context; callable from any thread.  The idle
 * source is always deferred so callbacks never run inside our own bus handler. */
static void
post_event(PtCamera *cam, Event *ev)
{
  gboolean schedule;

  g_mutex_lock(&cam->out_lock);
  if (g_queue_get_length(&cam->outbox) >= PT_OUTBOX_MAX_EVENTS) {
    /* The main loop has not run for a long time; keep the newest picture of the world. */
    GST_ERROR("camera %s: outbox full, dropping the oldest event", cam->config->name);
    event_free(g_queue_pop_head(&cam->outbox));
  }
  g_queue_push_tail(&cam->outbox, ev);
  schedule = !cam->dispatch_scheduled;
  cam->dispatch_scheduled = TRUE;
  g_mutex_unlock(&cam->out_lock);
  if (schedule) {
    GSource *idle = g_idle_source_new();

    g_source_set_callback(idle, on_dispatch, camera_ref(cam), camera_unref);
    g_source_attach(idle, cam->ctx);
    g_source_unref(idle);
  }
}

static void
set_state(PtCamera *cam, PtCameraState state, const GError *error)
{
  Event *ev;

  if (cam->state == state)
    return;
  GST_INFO("camera %s: %s -> %s%s%s", cam->config->name, pt_camera_state_to_string(cam->state),
           pt_camera_state_to_string(state), error ? ": " : "", error ? error->message : "");
  cam->state = state;
  ev = g_new0(Event, 1);
  ev->kind = EV_STATE;
  ev->state = state;
  ev->error = error ? g_error_copy(error) : NULL;
  post_event(cam, ev);
}

static void
post_gap(PtCamera *cam, gint64 to_ns)
{
  Event *ev = g_new0(Event, 1);

  ev->kind = EV_GAP;
  ev->start_ns = cam->gap_from;
  ev->end_ns = MAX(to_ns, cam->gap_from);
  ev->reason = g_steal_pointer(&cam->gap_reason);
  post_event(cam, ev);
  cam->gap_open = FALSE;
}

/* ---- hashing of closed segments (worker thread) ---- */

static void
hash_job_run(gpointer data, gpointer user_data)
{
  HashJob *job = data;
  PtCamera *cam = user_data;
  g_autoptr(GError) error = NULL;
  Event *ev = g_new0(Event, 1);

  ev->kind = EV_CLOSED;
  ev->path = g_steal_pointer(&job->path);
  ev->start_ns = job->start_ns;
  ev->end_ns = job->end_ns;
  ev->complete = job->complete;
  ev->sha256 = pt_file_sha256(ev->path, &ev->bytes, &error);
  if (ev->sha256 == NULL) {
    GST_WARNING("camera %s: %s", cam->config->name, error->message);
    ev->sha256 = g_strdup("");
    ev->complete = FALSE;
  }
  post_event(cam, ev);
  g_free(job);
}

static void
queue_close(PtCamera *cam, char *path, gint64 start_ns, gint64 end_ns, gboolean complete)
{
  HashJob *job = g_new0(HashJob, 1);

  job->path = path;
  job->start_ns = start_ns;
  job->end_ns = MAX(end_ns, start_ns);
  job->complete = complete;
  g_thread_pool_push(cam->hash_pool, job, NULL);
}

/* ---- streaming-thread hooks ---- */

static GstPadProbeReturn
on_source_buffer(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PtCamera *cam = user_data;
  GstBuffer *buf;
  g_autoptr(GstEvent) seg_ev = NULL;
  gint64 utc = -1;

  buf = GST_PAD_PROBE_INFO_BUFFER(info);
  seg_ev = gst_pad_get_sticky_event(pad, GST_EVENT_SEGMENT, 0);
  if (seg_ev != NULL && GST_BUFFER_PTS_IS_VALID(buf)) {
    const GstSegment *seg;
    GstClockTime rt;
    GstClockTime base = gst_element_get_base_time(GST_PAD_PARENT(pad));

    gst_event_parse_segment(seg_ev, &seg);
    rt = gst_segment_to_running_time(seg, GST_FORMAT_TIME, GST_BUFFER_PTS(buf));
    if (GST_CLOCK_TIME_IS_VALID(rt) && base != 0) {
      utc = (gint64)(base + rt);
      if (GST_BUFFER_DURATION_IS_VALID(buf))
        utc += (gint64)GST_BUFFER_DURATION(buf);
    }
  }
  g_mutex_lock(&cam->lock);
  cam->last_buffer_mono = g_get_monotonic_time();
  if (utc > 0)
    cam->last_buffer_utc = utc;
  g_mutex_unlock(&cam->lock);
  return GST_PAD_PROBE_OK;
}

static char *
on_format_location(GstElement *splitmux, guint fragment_id, GstSample *first, gpointer user_data)
{
  PtCamera *cam = user_data;
  GstBuffer *buf = first ? gst_sample_get_buffer(first) : NULL;
  const GstSegment *seg = first ? gst_sample_get_segment(first) : NULL;
  gint64 start = -1;
  g_autofree char *dir = NULL;
  char *path;
  gint64 *stored = g_new(gint64, 1);

  if (buf != NULL && seg != NULL) {
    GstClockTime ts = GST_BUFFER_PTS_IS_VALID(buf) ? GST_BUFFER_PTS(buf) : GST_BUFFER_DTS(buf);

    start = pt_running_time_to_utc(splitmux, gst_segment_to_running_time(seg, GST_FORMAT_TIME, ts));
  }
  if (start < 0)
    start = pt_utc_now_ns();
  path = pt_segment_path(cam->config->output_root, cam->config->name, start);
  dir = g_path_get_dirname(path);
  /* A failure here surfaces as filesink's open error on the bus, with the reason. */
  if (g_mkdir_with_parents(dir, 0755) != 0)
    GST_WARNING("camera %s: mkdir %s: %s", cam->config->name, dir, g_strerror(errno));
  *stored = start;
  g_mutex_lock(&cam->lock);
  g_hash_table_replace(cam->starts, g_strdup(path), stored);
  g_mutex_unlock(&cam->lock);
  return path;
}

static void
on_tap_frame(PtTapFrame *frame, gpointer user_data)
{
  PtCamera *cam = user_data;

  if (cam->cbs.frame != NULL)
    cam->cbs.frame(cam, frame, cam->user_data);
}

/* Streaming thread: a frames_wanted or scan_wanted gate (see Gate and pt-camera.h). */
static GstPadProbeReturn
on_gate(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Gate *gate = user_data;
  GstBuffer *buf = GST_PAD_PROBE_INFO_BUFFER(info);

  if (!gate->wanted(gate->cam, gate->cam->user_data)) {
    g_atomic_int_set(&gate->open, 0);
    /* Its first no: the analysis may feed nobody now, which only the main context can tell
     * (the other gate); one wake-up per change, not per frame. */
    if (gate->wakes && g_atomic_int_compare_and_exchange(&gate->said_no, 0, 1))
      pt_camera_wake_analysis(gate->cam);
    return GST_PAD_PROBE_DROP;
  }
  if (gate->wakes)
    g_atomic_int_set(&gate->said_no, 0);
  if (g_atomic_int_get(&gate->open))
    return GST_PAD_PROBE_OK;
  if (GST_BUFFER_FLAG_IS_SET(buf, GST_BUFFER_FLAG_DELTA_UNIT))
    return GST_PAD_PROBE_DROP;
  g_atomic_int_set(&gate->open, 1);
  return GST_PAD_PROBE_OK;
}

static void
add_gate(PtCamera *cam, Gate *gate, GstPad *pad,
         gboolean (*wanted)(PtCamera *camera, gpointer user_data), gboolean wakes)
{
  if (pad == NULL || wanted == NULL)
    return;
  *gate = (Gate){.cam = cam, .wanted = wanted, .open = 0, .wakes = wakes, .said_no = 0};
  gst_pad_add_probe(pad, GST_PAD_PROBE_TYPE_BUFFER, on_gate, gate, NULL);
}

/* ---- bus messages (main context) ---- */

static void
on_fragment_opened(PtCamera *cam, const GstStructure *s)
{
  const char *location = gst_structure_get_string(s, "location");
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  gint64 start = -1, *stored;
  Event *ev;

  gst_structure_get_clock_time(s, "running-time", &rt);
  flush_pending_close(cam, FALSE);
  g_mutex_lock(&cam->lock);
  stored = g_hash_table_lookup(cam->starts, location);
  start = stored ? *stored : pt_running_time_to_utc(cam->graph.pipeline, rt);
  g_hash_table_remove(cam->starts, location);
  g_free(cam->current_path);
  cam->current_path = g_strdup(location);
  cam->current_start = start;
  g_mutex_unlock(&cam->lock);

  /* A fragment opened while draining holds footage from before the failure. */
  if (cam->gap_open && !cam->draining)
    post_gap(cam, start);
  ev = g_new0(Event, 1);
  ev->kind = EV_OPENED;
  ev->path = g_strdup(location);
  ev->start_ns = start;
  post_event(cam, ev);
  if (!cam->draining)
    set_state(cam, PT_CAMERA_RECORDING, NULL);
}

/* Hands the held-back close to the hasher.  @final: the stream ended after it, so its end is
 * the end of the last frame the source sent (splitmuxsink reports the start of that frame). */
static void
flush_pending_close(PtCamera *cam, gboolean final)
{
  HashJob *job = g_steal_pointer(&cam->pending_close);

  if (job == NULL)
    return;
  if (final) {
    g_mutex_lock(&cam->lock);
    job->end_ns = MAX(job->end_ns, cam->last_buffer_utc);
    g_mutex_unlock(&cam->lock);
  }
  queue_close(cam, job->path, job->start_ns, job->end_ns, job->complete);
  g_free(job);
}

static void
on_fragment_closed(PtCamera *cam, const GstStructure *s)
{
  const char *location = gst_structure_get_string(s, "location");
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  gint64 end, start;
  char *path = NULL;
  HashJob *job;

  gst_structure_get_clock_time(s, "running-time", &rt);
  end = pt_running_time_to_utc(cam->graph.pipeline, rt);
  g_mutex_lock(&cam->lock);
  start = cam->current_start;
  if (g_strcmp0(cam->current_path, location) == 0)
    path = g_steal_pointer(&cam->current_path);
  if (end < 0)
    end = cam->last_buffer_utc;
  g_mutex_unlock(&cam->lock);
  if (path == NULL)
    return; /* already closed by a forced teardown */
  /* A camera that completes a whole segment is healthy again. */
  cam->attempts = 0;
  flush_pending_close(cam, FALSE);
  job = g_new0(HashJob, 1);
  job->path = path;
  job->start_ns = start;
  job->end_ns = end;
  job->complete = TRUE;
  /* Held until the next fragment opens (not final) or the stream ends (final). */
  cam->pending_close = job;
}

/* Writing failed when the error comes from the muxer or file sink inside splitmuxsink. */
static gboolean
is_write_error(PtCamera *cam, GstMessage *msg, const GError *err, PtCameraError *code)
{
  g_autoptr(GError) parsed = NULL;
  g_autofree char *debug = NULL;
  GstObject *src = GST_MESSAGE_SRC(msg);

  if (cam->graph.splitmux == NULL ||
      (src != GST_OBJECT(cam->graph.splitmux) &&
       !gst_object_has_as_ancestor(src, GST_OBJECT(cam->graph.splitmux))))
    return FALSE;
  gst_message_parse_error(msg, &parsed, &debug);
  *code = PT_CAMERA_ERROR_WRITE;
  if (g_error_matches(err, GST_RESOURCE_ERROR, GST_RESOURCE_ERROR_NO_SPACE_LEFT) ||
      (debug != NULL && (strstr(debug, g_strerror(ENOSPC)) || strstr(debug, g_strerror(EFBIG)) ||
                         strstr(debug, g_strerror(EDQUOT)))))
    *code = PT_CAMERA_ERROR_DISK_FULL;
  return TRUE;
}

/* zbar's message: the symbol and the frame's running time; on the realtime clock the base
 * time plus the running time is UTC. */
static void
deliver_barcode(PtCamera *cam, const GstStructure *s, gint64 utc)
{
  const char *symbol = gst_structure_get_string(s, "symbol");
  const char *type = gst_structure_get_string(s, "type");

  if (symbol != NULL && cam->cbs.qr != NULL)
    cam->cbs.qr(cam, type != NULL ? type : "", symbol, utc, cam->user_data);
}

static void
on_barcode(PtCamera *cam, const GstStructure *s)
{
  GstClockTime rt = GST_CLOCK_TIME_NONE;
  if (cam->graph.pipeline == NULL)
    return;
  gst_structure_get_clock_time(s, "running-time", &rt);
  GstClockTime base = gst_element_get_base_time(cam->graph.pipeline);
  deliver_barcode(cam, s,
                  GST_CLOCK_TIME_IS_VALID(rt) ? (gint64)(base + rt) : g_get_real_time() * 1000);
}

/* Streaming threads: only what on_bus_message() reads reaches the main context.  A segment's
 * rotation posts some forty messages (its muxer's and file's state changes, structure
 * changes, tags, stream status) that the camera ignores; queued, each would wake the
 * station's main loop for nothing. */
static GstBusSyncReply
on_bus_sync(GstBus *bus, GstMessage *msg, gpointer user_data)
{
  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ELEMENT:
  case GST_MESSAGE_ERROR:
  case GST_MESSAGE_EOS:
  case GST_MESSAGE_WARNING:
    return GST_BUS_PASS;
  default:
    gst_message_unref(msg); /* a sync handler that drops owns the message */
    return GST_BUS_DROP;
  }
}

static gboolean
on_bus_message(GstBus *bus, GstMessage *msg, gpointer user_data)
{
  PtCamera *cam = user_data;

  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ELEMENT: {
    const GstStructure *s = gst_message_get_structure(msg);
    /* The live view's hlssink2 splits with a splitmuxsink of its own: not a recording. */
    gboolean recording = GST_MESSAGE_SRC(msg) == GST_OBJECT(cam->graph.splitmux);

    if (recording && gst_structure_has_name(s, "splitmuxsink-fragment-opened"))
      on_fragment_opened(cam, s);
    else if (recording && gst_structure_has_name(s, "splitmuxsink-fragment-closed"))
      on_fragment_closed(cam, s);
    else if (gst_structure_has_name(s, "barcode"))
      on_barcode(cam, s);
    break;
  }
  case GST_MESSAGE_ERROR: {
    g_autoptr(GError) err = NULL;
    g_autofree char *reason = pt_message_reason(msg, &err);
    PtCameraError code;

    GST_WARNING("camera %s: %s", cam->config->name, reason);
    if (is_write_error(cam, msg, err, &code)) {
      /* Nothing more can be written: no drain, finalizing would write too.  What is on disk
       * stays readable (Matroska), and the station restarts the camera when space returns. */
      open_gap(cam, reason);
      g_clear_error(&cam->failure);
      cam->failure = g_error_new(PT_CAMERA_ERROR, code, "%s", reason);
      cam->after_drain = AFTER_FAIL;
      teardown(cam);
    } else if (cam->draining) {
      /* Keep waiting for EOS (or the drain timeout): the muxer may still finalize. */
    } else {
      begin_restart(cam, PT_CAMERA_ERROR_SOURCE, reason, FALSE);
    }
    break;
  }
  case GST_MESSAGE_EOS:
    if (cam->draining) {
      teardown(cam);
    } else if (cam->config->kind == PT_SOURCE_TEST && cam->config->num_buffers > 0) {
      cam->after_drain = AFTER_STOP;
      teardown(cam);
    } else {
      /* EOS already went through both branches: the segment is finalized. */
      begin_restart(cam, PT_CAMERA_ERROR_SOURCE, "the source ended its stream", TRUE);
    }
    break;
  case GST_MESSAGE_WARNING: {
    g_autofree char *reason = pt_message_reason(msg, NULL);

    GST_INFO("camera %s: warning %s", cam->config->name, reason);
    /* A mask that does not fit is the operator's to fix: the frame stays covered till then. */
    if (PT_IS_MASK(GST_MESSAGE_SRC(msg)) && cam->cbs.problem != NULL) {
      g_autoptr(GError) warning = NULL;

      gst_message_parse_warning(msg, &warning, NULL);
      cam->cbs.problem(cam, warning->message, cam->user_data);
    }
    break;
  }
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

/* ---- start, drain, teardown, backoff ---- */

static gboolean on_backoff(gpointer data);

static void
schedule_backoff(PtCamera *cam)
{
  guint delay = cam->config->backoff_initial_ms;

  for (guint i = 0; i < cam->attempts && delay < cam->config->backoff_max_ms; i++)
    delay *= 2;
  delay = MIN(delay, cam->config->backoff_max_ms);
  cam->attempts++;
  GST_INFO("camera %s: restart in %u ms", cam->config->name, delay);
  cam->backoff_timer = g_timeout_source_new(delay);
  g_source_set_callback(cam->backoff_timer, on_backoff, cam, NULL);
  g_source_attach(cam->backoff_timer, cam->ctx);
}

static void
destroy_source(GSource **source)
{
  if (*source != NULL) {
    g_source_destroy(*source);
    g_source_unref(*source);
    *source = NULL;
  }
}

/* Takes the pipeline down now.  A segment still open (the drain did not finish) is reported
 * closed as incomplete with the time of the last buffer seen. */
static void
teardown(PtCamera *cam)
{
  char *open_path;
  gint64 start, end;

  destroy_source(&cam->bus_watch);
  destroy_source(&cam->drain_timer);
  flush_pending_close(cam, TRUE);
  pt_camera_graph_clear(&cam->graph);
  g_clear_pointer(&cam->live, pt_live_drop);
  cam->draining = FALSE;
  g_mutex_lock(&cam->lock);
  open_path = g_steal_pointer(&cam->current_path);
  start = cam->current_start;
  end = cam->last_buffer_utc;
  g_hash_table_remove_all(cam->starts);
  g_mutex_unlock(&cam->lock);
  if (open_path != NULL)
    queue_close(cam, open_path, start, end, FALSE);

  switch (cam->after_drain) {
  case AFTER_RESTART:
    set_state(cam, PT_CAMERA_RECONNECTING, cam->failure);
    schedule_backoff(cam);
    break;
  case AFTER_FAIL:
    set_state(cam, PT_CAMERA_FAILED, cam->failure);
    break;
  case AFTER_STOP:
    set_state(cam, PT_CAMERA_STOPPED, NULL);
    break;
  }
}

static gboolean
on_drain_timeout(gpointer data)
{
  PtCamera *cam = data;

  GST_WARNING("camera %s: drain timed out", cam->config->name);
  g_source_unref(cam->drain_timer);
  cam->drain_timer = NULL;
  teardown(cam);
  return G_SOURCE_REMOVE;
}

/* Sends EOS into the tee so the muxer finalizes the open segment; teardown() follows at EOS,
 * on an error, or after PT_DRAIN_TIMEOUT_MS. */
static void
begin_drain(PtCamera *cam, AfterDrain after)
{
  cam->after_drain = after;
  if (cam->draining)
    return;
  cam->draining = TRUE;
  gst_pad_send_event(cam->graph.entry_pad, gst_event_new_eos());
  cam->drain_timer = g_timeout_source_new(PT_DRAIN_TIMEOUT_MS);
  g_source_set_callback(cam->drain_timer, on_drain_timeout, cam, NULL);
  g_source_attach(cam->drain_timer, cam->ctx);
}

/* Recording stops now for @reason: opens the gap unless one is open.  It ends when the next
 * segment opens (on_format_location) or at pt_camera_stop(). */
static void
open_gap(PtCamera *cam, const char *reason)
{
  Event *opened = NULL;

  g_mutex_lock(&cam->lock);
  if (!cam->gap_open) {
    opened = g_new0(Event, 1);
    cam->gap_open = TRUE;
    cam->gap_from = cam->last_buffer_utc > 0 ? cam->last_buffer_utc : pt_utc_now_ns();
    g_free(cam->gap_reason);
    cam->gap_reason = g_strdup(reason);
    opened->kind = EV_GAP_OPENED;
    opened->start_ns = cam->gap_from;
    opened->reason = g_strdup(reason);
  }
  g_mutex_unlock(&cam->lock);
  /* Reported now, not only when recording resumes: the station may be killed first. */
  if (opened != NULL)
    post_event(cam, opened);
}

static void
begin_restart(PtCamera *cam, PtCameraError code, const char *reason, gboolean drained)
{
  if (cam->draining)
    return;
  open_gap(cam, reason);
  g_clear_error(&cam->failure);
  cam->failure = g_error_new(PT_CAMERA_ERROR, code, "%s", reason);
  set_state(cam, PT_CAMERA_RECONNECTING, cam->failure);
  if (drained) {
    cam->after_drain = AFTER_RESTART;
    teardown(cam);
  } else {
    begin_drain(cam, AFTER_RESTART);
  }
}

/* ---- live view (main context) ---- */

static void arm_tick(PtCamera *cam);

static gboolean
live_watched(PtCamera *cam)
{
  gint64 touched;

  g_mutex_lock(&cam->lock);
  touched = cam->live_touched;
  g_mutex_unlock(&cam->lock);
  return touched != 0 &&
         g_get_monotonic_time() - touched < (gint64)(cam->config->live_idle_ns / GST_USECOND);
}

/* Attaches the branch to the pipeline if someone watches and it is not there.  A failure is
 * logged and tried again at the next request: the recording goes on regardless. */
static void
live_update(PtCamera *cam)
{
  g_autoptr(GError) error = NULL;

  if (cam->config->live_dir == NULL || cam->graph.pipeline == NULL || cam->draining)
    return;
  if (cam->live == NULL && live_watched(cam)) {
    /* A masked raw camera encodes its live view from the raw frames: no decode. */
    gboolean raw = cam->config->mask.n_rects > 0 && !cam->graph.passthrough;

    cam->live =
        pt_live_attach(cam->graph.pipeline, raw ? cam->graph.source_tee : cam->graph.h264_tee, raw,
                       cam->graph.key_int_frames, cam->config, &error);
    if (cam->live == NULL) {
      GST_WARNING("camera %s: live view: %s", cam->config->name, error->message);
    } else {
      cam->live_attaches++;
      arm_tick(cam); /* now also due when nobody watches any more */
    }
  } else if (cam->live != NULL && !live_watched(cam)) {
    GST_INFO("camera %s: nobody watches the live view, detaching it", cam->config->name);
    g_clear_pointer(&cam->live, pt_live_detach);
  }
}

static gboolean
on_live_wanted(gpointer data)
{
  PtCamera *cam = data;

  g_mutex_lock(&cam->lock);
  cam->live_scheduled = FALSE;
  g_mutex_unlock(&cam->lock);
  live_update(cam);
  return G_SOURCE_REMOVE;
}

/* The watchdog wakes at its next deadline only, not on a clock: when the source's last
 * buffer becomes a stall (stall_ms after it; buffers keep pushing that moment back, so a
 * healthy camera costs one wake-up per stall_ms) and, with a live view attached, when it
 * goes unwatched.  Disarmed while nothing runs (backoff, drain). */
static void
arm_tick(PtCamera *cam)
{
  gint64 due;

  if (cam->tick == NULL)
    return;
  if (cam->graph.pipeline == NULL || cam->draining) {
    g_source_set_ready_time(cam->tick, -1);
    return;
  }
  g_mutex_lock(&cam->lock);
  /* Just past the bound: a stall is more than stall_ms without a buffer. */
  due = cam->last_buffer_mono + (gint64)cam->config->stall_ms * 1000 + 1000;
  if (cam->live != NULL && cam->live_touched != 0)
    due = MIN(due, cam->live_touched + (gint64)(cam->config->live_idle_ns / GST_USECOND) + 1000);
  g_mutex_unlock(&cam->lock);
  g_source_set_ready_time(cam->tick, due);
}

static gboolean
on_tick(gpointer data)
{
  PtCamera *cam = data;
  gint64 idle_us;

  if (cam->graph.pipeline == NULL || cam->draining)
    goto out_arm;
  if (cam->live != NULL)
    live_update(cam);
  g_mutex_lock(&cam->lock);
  idle_us = g_get_monotonic_time() - cam->last_buffer_mono;
  g_mutex_unlock(&cam->lock);
  if (idle_us > (gint64)cam->config->stall_ms * 1000) {
    g_autofree char *reason =
        g_strdup_printf("no video for %.1f s", (double)idle_us / G_USEC_PER_SEC);

    begin_restart(cam, PT_CAMERA_ERROR_STALLED, reason, FALSE);
  }
out_arm:
  arm_tick(cam);
  return G_SOURCE_CONTINUE;
}

static gboolean
tick_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  return callback(data);
}

static GSourceFuncs tick_funcs = {.dispatch = tick_dispatch};

/* ---- the analysis substream (main context; pt-camera-analysis.h) ---- */

/* Its pipeline, built with the main stream's frame size as the one regions and masks are
 * in, and the camera's gates in front of its branches. */
static gboolean
analysis_build(PtCameraGraph *graph, gpointer data, GError **error)
{
  PtCamera *cam = data;
  g_autoptr(PtCameraConfig) config = pt_camera_config_copy(cam->config);

  g_mutex_lock(&cam->lock);
  config->ref_width = cam->main_width;
  config->ref_height = cam->main_height;
  g_mutex_unlock(&cam->lock);
  if (!pt_camera_graph_build_analysis(graph, config, on_tap_frame, camera_ref(cam), camera_unref,
                                      cam->cbs.qr != NULL ? &cam->scan : NULL, error))
    return FALSE;
  add_gate(cam, &cam->tap_gate, graph->tap_pad, cam->cbs.frames_wanted, TRUE);
  add_gate(cam, &cam->scan_gate, graph->scan_pad, cam->cbs.scan_wanted, TRUE);
  return TRUE;
}

static void analysis_update(PtCamera *cam);

static void
analysis_state_changed(PtAnalysisState state, const GError *error, gpointer data)
{
  PtCamera *cam = data;

  if (cam->cbs.analysis_changed != NULL)
    cam->cbs.analysis_changed(cam, state, error, cam->user_data);
  /* No frames flow while it reconnects, so no gate tells when they stop being wanted: a
   * substream that is down and unwanted is rested after the hold, not retried for ever. */
  if (state == PT_ANALYSIS_RECONNECTING)
    analysis_update(cam);
}

static void
analysis_barcode(const GstStructure *s, gint64 utc_ns, gpointer data)
{
  deliver_barcode(data, s, utc_ns);
}

/* The analysis has a tap that feeds someone, or a loading camera's scan. */
static gboolean
has_tap(PtCamera *cam)
{
  return cam->config->tap_fps > 0 && cam->cbs.frame != NULL;
}

static gboolean
has_scan(PtCamera *cam)
{
  return cam->config->role == PT_CAMERA_ROLE_LOADING && cam->cbs.qr != NULL;
}

/* What the gates answer now; a branch without a gate always wants its frames. */
static gboolean
analysis_wanted(PtCamera *cam)
{
  return (has_tap(cam) &&
          (cam->cbs.frames_wanted == NULL || cam->cbs.frames_wanted(cam, cam->user_data))) ||
         (has_scan(cam) &&
          (cam->cbs.scan_wanted == NULL || cam->cbs.scan_wanted(cam, cam->user_data)));
}

static gboolean
on_analysis_hold(gpointer data)
{
  PtCamera *cam = data;

  g_clear_pointer(&cam->analysis_hold, g_source_unref);
  if (cam->running && !analysis_wanted(cam)) {
    GST_INFO("camera %s: nothing wanted the analysis substream's frames for %.1f s, "
             "disconnecting it",
             cam->config->name, (double)cam->config->analysis_hold_ns / GST_SECOND);
    pt_camera_analysis_rest(cam->analysis);
  }
  return G_SOURCE_REMOVE;
}

/* Starts the analysis once the main stream's size is known (a scan region and a mask are in
 * its pixels, and a substream's frames are scaled from them) and while the gates want its
 * frames; rests it once they have not for analysis_hold_ns.  Runs when the size is learnt,
 * at pt_camera_wake_analysis(), when a gate first says no and when the substream fails: the
 * only timer is the hold, armed while the analysis runs unwanted. */
static void
analysis_update(PtCamera *cam)
{
  g_autoptr(GError) error = NULL;
  gboolean known;

  if (cam->analysis == NULL || !cam->running)
    return;
  g_mutex_lock(&cam->lock);
  known = cam->main_width > 0 && cam->main_height > 0;
  g_mutex_unlock(&cam->lock);
  if (!known)
    return;
  if (analysis_wanted(cam)) {
    destroy_source(&cam->analysis_hold);
    if (!pt_camera_analysis_start(cam->analysis, &error))
      GST_ERROR("camera %s: analysis: %s", cam->config->name, error->message);
  } else if (!pt_camera_analysis_active(cam->analysis)) {
    pt_camera_analysis_rest(cam->analysis); /* never started: idle rather than waiting */
  } else if (cam->analysis_hold == NULL) {
    cam->analysis_hold = g_timeout_source_new((guint)(cam->config->analysis_hold_ns / GST_MSECOND));
    g_source_set_callback(cam->analysis_hold, on_analysis_hold, cam, NULL);
    g_source_attach(cam->analysis_hold, cam->ctx);
  }
}

static gboolean
on_analysis_wake(gpointer data)
{
  PtCamera *cam = data;

  g_mutex_lock(&cam->lock);
  cam->analysis_scheduled = FALSE;
  g_mutex_unlock(&cam->lock);
  analysis_update(cam);
  return G_SOURCE_REMOVE;
}

static gboolean
on_main_size(gpointer data)
{
  analysis_update(data);
  return G_SOURCE_REMOVE;
}

/* Streaming thread: the main stream's caps; a new frame size wakes the main context. */
static GstPadProbeReturn
on_main_caps(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PtCamera *cam = user_data;
  GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
  GstCaps *caps;
  int w = 0, h = 0;
  gboolean changed;

  if (GST_EVENT_TYPE(ev) != GST_EVENT_CAPS)
    return GST_PAD_PROBE_OK;
  gst_event_parse_caps(ev, &caps);
  if (!gst_structure_get_int(gst_caps_get_structure(caps, 0), "width", &w) ||
      !gst_structure_get_int(gst_caps_get_structure(caps, 0), "height", &h))
    return GST_PAD_PROBE_OK;
  g_mutex_lock(&cam->lock);
  changed = w != cam->main_width || h != cam->main_height;
  cam->main_width = w;
  cam->main_height = h;
  g_mutex_unlock(&cam->lock);
  if (changed) {
    GSource *idle = g_idle_source_new();

    g_source_set_callback(idle, on_main_size, camera_ref(cam), camera_unref);
    g_source_attach(idle, cam->ctx);
    g_source_unref(idle);
  }
  return GST_PAD_PROBE_OK;
}

/* Builds and plays the pipeline.  FALSE only for errors no retry can fix. */
static gboolean
launch(PtCamera *cam, GError **error)
{
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GError) start_error = NULL;

  if (!pt_camera_graph_build(&cam->graph, cam->config, on_tap_frame, camera_ref(cam), camera_unref,
                             cam->cbs.qr != NULL ? &cam->scan : NULL, error))
    return FALSE;
  g_signal_connect(cam->graph.splitmux, "format-location-full", G_CALLBACK(on_format_location),
                   cam);
  gst_pad_add_probe(cam->graph.watch_pad, GST_PAD_PROBE_TYPE_BUFFER, on_source_buffer, cam, NULL);
  if (cam->analysis != NULL)
    gst_pad_add_probe(cam->graph.watch_pad, GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_main_caps, cam,
                      NULL);
  add_gate(cam, &cam->tap_gate, cam->graph.tap_pad, cam->cbs.frames_wanted, FALSE);
  add_gate(cam, &cam->scan_gate, cam->graph.scan_pad, cam->cbs.scan_wanted, FALSE);
  bus = gst_element_get_bus(cam->graph.pipeline);
  gst_bus_set_sync_handler(bus, on_bus_sync, NULL, NULL);
  cam->bus_watch = gst_bus_create_watch(bus);
  g_source_set_callback(cam->bus_watch, (GSourceFunc)(void (*)(void))on_bus_message, cam, NULL);
  g_source_attach(cam->bus_watch, cam->ctx);
  g_mutex_lock(&cam->lock);
  cam->last_buffer_mono = g_get_monotonic_time();
  g_mutex_unlock(&cam->lock);
  cam->after_drain = AFTER_RESTART;
  /* What an earlier run (or a killed station) left is stale; a viewer still watching gets a
   * fresh branch in the new pipeline. */
  if (cam->config->live_dir != NULL)
    pt_live_remove_dir(cam->config->live_dir);
  live_update(cam);
  set_state(cam, PT_CAMERA_STARTING, NULL);
  if (gst_element_set_state(cam->graph.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE ||
      (cam->graph.file_loop != NULL && !pt_file_loop_start(cam->graph.file_loop, &start_error))) {
    /* Nothing flowed, nothing to drain; the device may come back (unplugged camera). */
    g_autofree char *reason = g_strdup_printf(
        "cannot start the source (%s)", start_error ? start_error->message : "state change failed");

    begin_restart(cam, PT_CAMERA_ERROR_SOURCE, reason, TRUE);
  }
  arm_tick(cam);
  return TRUE;
}

static gboolean
on_backoff(gpointer data)
{
  PtCamera *cam = data;
  g_autoptr(GError) error = NULL;

  g_source_unref(cam->backoff_timer);
  cam->backoff_timer = NULL;
  cam->restarts++;
  if (!launch(cam, &error)) {
    GST_ERROR("camera %s: %s", cam->config->name, error->message);
    set_state(cam, PT_CAMERA_FAILED, error);
  }
  return G_SOURCE_REMOVE;
}

/* ---- public API ---- */

PtCamera *
pt_camera_new(const PtCameraConfig *config, const PtCameraCallbacks *callbacks, gpointer user_data,
              GError **error)
{
  static gsize once = 0;
  PtCamera *cam;

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_camera_debug, "pt-camera", 0, "packtrace camera");
    g_once_init_leave(&once, 1);
  }
  if (!pt_camera_config_validate(config, error))
    return NULL;
  cam = g_new0(PtCamera, 1);
  g_atomic_ref_count_init(&cam->ref);
  cam->config = pt_camera_config_copy(config);
  if (callbacks != NULL)
    cam->cbs = *callbacks;
  cam->user_data = user_data;
  cam->ctx = g_main_context_ref_thread_default();
  cam->state = PT_CAMERA_STOPPED;
  g_mutex_init(&cam->lock);
  g_mutex_init(&cam->out_lock);
  g_queue_init(&cam->outbox);
  cam->starts = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
  cam->hash_pool = g_thread_pool_new(hash_job_run, cam, PT_HASH_THREADS, FALSE, NULL);
  return cam;
}

gboolean
pt_camera_start(PtCamera *cam, GError **error)
{
  g_return_val_if_fail(cam != NULL, FALSE);
  if (cam->state != PT_CAMERA_STOPPED && cam->state != PT_CAMERA_FAILED) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_STATE, "camera %s is already %s",
                cam->config->name, pt_camera_state_to_string(cam->state));
    return FALSE;
  }
  g_mutex_lock(&cam->lock);
  cam->last_buffer_utc = 0;
  g_mutex_unlock(&cam->lock);
  cam->attempts = 0;
  cam->restarts = 0;
  cam->running = TRUE;
  /* Only when something reads it: a tap that feeds someone, or a loading camera's scan. */
  if (cam->config->analysis_location != NULL && cam->analysis == NULL &&
      (has_tap(cam) || has_scan(cam))) {
    static const PtCameraAnalysisHooks hooks = {.build = analysis_build,
                                                .state_changed = analysis_state_changed,
                                                .barcode = analysis_barcode};

    g_atomic_pointer_set(&cam->analysis, pt_camera_analysis_new(cam->config, &hooks, cam));
    analysis_state_changed(PT_ANALYSIS_WAITING, NULL, cam);
  }
  if (!launch(cam, error)) {
    cam->running = FALSE;
    pt_camera_graph_clear(&cam->graph);
    destroy_source(&cam->bus_watch);
    set_state(cam, PT_CAMERA_STOPPED, NULL);
    return FALSE;
  }
  destroy_source(&cam->tick); /* still there after a FAILED or finished run */
  cam->tick = g_source_new(&tick_funcs, sizeof(GSource));
  g_source_set_callback(cam->tick, on_tick, cam, NULL);
  g_source_attach(cam->tick, cam->ctx);
  arm_tick(cam);
  analysis_update(cam); /* a camera started again knows the main stream's size already */
  return TRUE;
}

/* Pops bus messages until the drain ends: EOS, an error, or the timeout. */
static void
drain_synchronously(PtCamera *cam)
{
  g_autoptr(GstBus) bus = gst_element_get_bus(cam->graph.pipeline);
  gint64 deadline = g_get_monotonic_time() + PT_DRAIN_TIMEOUT_MS * 1000;

  begin_drain(cam, AFTER_STOP);
  while (cam->graph.pipeline != NULL) {
    gint64 left = deadline - g_get_monotonic_time();
    g_autoptr(GstMessage) msg = NULL;

    if (left <= 0) {
      GST_WARNING("camera %s: drain timed out at stop", cam->config->name);
      teardown(cam);
      break;
    }
    msg = gst_bus_timed_pop(bus, (GstClockTime)left * 1000);
    if (msg != NULL)
      on_bus_message(bus, msg, cam);
  }
}

void
pt_camera_stop(PtCamera *cam)
{
  g_return_if_fail(cam != NULL);
  cam->running = FALSE;
  destroy_source(&cam->analysis_hold);
  if (cam->analysis != NULL)
    pt_camera_analysis_stop(cam->analysis);
  destroy_source(&cam->tick);
  destroy_source(&cam->backoff_timer);
  if (cam->graph.pipeline != NULL)
    drain_synchronously(cam);
  if (cam->gap_open)
    post_gap(cam, pt_utc_now_ns());
  if (cam->state != PT_CAMERA_FAILED)
    set_state(cam, PT_CAMERA_STOPPED, NULL);
  /* Every closed segment is hashed and reported before stop returns. */
  g_thread_pool_free(cam->hash_pool, FALSE, TRUE);
  cam->hash_pool = g_thread_pool_new(hash_job_run, cam, PT_HASH_THREADS, FALSE, NULL);
  flush_outbox(cam);
}

void
pt_camera_free(PtCamera *cam)
{
  if (cam == NULL)
    return;
  pt_camera_stop(cam);
  g_clear_pointer(&cam->analysis, pt_camera_analysis_free);
  g_thread_pool_free(cam->hash_pool, FALSE, TRUE);
  cam->hash_pool = NULL;
  camera_unref(cam);
}

PtCameraState
pt_camera_get_state(PtCamera *cam)
{
  return cam->state;
}

char *
pt_camera_dup_current_segment(PtCamera *cam)
{
  char *path;

  g_mutex_lock(&cam->lock);
  path = g_strdup(cam->current_path);
  g_mutex_unlock(&cam->lock);
  return path;
}

guint
pt_camera_get_restarts(PtCamera *cam)
{
  return cam->restarts;
}

void
pt_camera_get_scan_stats(PtCamera *cam, PtScanStats *out)
{
  PtScanCounters now;

  pt_scan_counters_get(&cam->scan, &now);
  out->decoded = (guint)now.decoded;
  out->still = (guint)now.still;
  out->scanned = (guint)now.scanned;
}

void
pt_camera_get_analysis(PtCamera *cam, PtAnalysisStats *out)
{
  PtCameraAnalysis *analysis = g_atomic_pointer_get(&cam->analysis);

  memset(out, 0, sizeof(*out));
  if (analysis != NULL)
    pt_camera_analysis_get_stats(analysis, out);
}

void
pt_camera_wake_analysis(PtCamera *cam)
{
  gboolean schedule;

  g_return_if_fail(cam != NULL);
  if (g_atomic_pointer_get(&cam->analysis) == NULL)
    return;
  g_mutex_lock(&cam->lock);
  schedule = !cam->analysis_scheduled;
  cam->analysis_scheduled = TRUE;
  g_mutex_unlock(&cam->lock);
  if (schedule) {
    GSource *idle = g_idle_source_new();

    g_source_set_callback(idle, on_analysis_wake, camera_ref(cam), camera_unref);
    g_source_attach(idle, cam->ctx);
    g_source_unref(idle);
  }
}

gboolean
pt_camera_live_touch(PtCamera *cam, GError **error)
{
  gboolean schedule;

  g_return_val_if_fail(cam != NULL, FALSE);
  if (cam->config->live_dir == NULL) {
    g_set_error(error, PT_CAMERA_ERROR, PT_CAMERA_ERROR_CONFIG, "camera %s has no live view",
                cam->config->name);
    return FALSE;
  }
  g_mutex_lock(&cam->lock);
  cam->live_touched = g_get_monotonic_time();
  schedule = !cam->live_scheduled;
  cam->live_scheduled = TRUE;
  g_mutex_unlock(&cam->lock);
  /* Every touch while attached is one mutex; only the first of a burst wakes the main
   * context, which attaches if it must. */
  if (schedule) {
    GSource *idle = g_idle_source_new();

    g_source_set_callback(idle, on_live_wanted, camera_ref(cam), camera_unref);
    g_source_attach(idle, cam->ctx);
    g_source_unref(idle);
  }
  return TRUE;
}

gboolean
pt_camera_live_attached(PtCamera *cam)
{
  return cam->live != NULL;
}

guint
pt_camera_live_attaches(PtCamera *cam)
{
  return cam->live_attaches;
}

GstElement *
pt_camera_dup_pipeline(PtCamera *cam)
{
  return cam->graph.pipeline ? gst_object_ref(cam->graph.pipeline) : NULL;
}
