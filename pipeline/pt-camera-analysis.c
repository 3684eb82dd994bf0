/* pt-camera-analysis.c: the lifecycle of a camera's analysis pipeline (see
 * pt-camera-analysis.h): build, play, watch for errors, end of stream and stalls, restart
 * after a backoff.  Per substream frame: one mutex and one monotonic clock read; per stall
 * bound: one wake-up; everything else only on failures and restarts. */
#include "pt-camera-analysis.h"

#include "pt-gst-util.h"
#include "pt-pipeline-limits.h"

GST_DEBUG_CATEGORY_STATIC(pt_analysis_debug);
#define GST_CAT_DEFAULT pt_analysis_debug

struct _PtCameraAnalysis {
  const PtCameraConfig *config; /* borrowed: the camera's */
  PtCameraAnalysisHooks hooks;
  gpointer data;
  GMainContext *ctx;

  /* main context only */
  PtAnalysisState state; /* written with atomics: read by pt_camera_analysis_get_stats() */
  PtCameraGraph graph;
  GSource *bus_watch;
  GSource *tick;          /* the stall watchdog, due stall_ms after the last frame */
  GSource *backoff_timer; /* the next start, while RECONNECTING */
  guint attempts;         /* consecutive failed starts, for the backoff */
  guint restarts;         /* atomic, like state */

  gint width, height;     /* atomic: from the substream's caps */
  gint want_first;        /* atomic: no frame yet since the last start */
  GMutex lock;            /* guards the fields below: streaming threads write them */
  gint64 last_frame_mono; /* g_get_monotonic_time() of the last substream frame */
  guint64 frames;
  GSource *first_idle; /* the first frame of a start tells the main context, once */
};

static void begin_restart(PtCameraAnalysis *a, PtCameraError code, const char *reason);

const char *
pt_analysis_state_to_string(PtAnalysisState state)
{
  static const char *const names[] = {"none",         "waiting", "starting", "running",
                                      "reconnecting", "stopped", "idle"};

  return (guint)state < G_N_ELEMENTS(names) ? names[state] : "unknown";
}

static void
set_state(PtCameraAnalysis *a, PtAnalysisState state, const GError *error)
{
  if (a->state == state)
    return;
  GST_INFO("camera %s: analysis %s -> %s%s%s", a->config->name,
           pt_analysis_state_to_string(a->state), pt_analysis_state_to_string(state),
           error ? ": " : "", error ? error->message : "");
  g_atomic_int_set((gint *)&a->state, state);
  if (a->hooks.state_changed != NULL)
    a->hooks.state_changed(state, error, a->data);
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

/* Main context: the first frame since the last start arrived. */
static gboolean
on_first_frame(gpointer data)
{
  PtCameraAnalysis *a = data;

  g_mutex_lock(&a->lock);
  g_clear_pointer(&a->first_idle, g_source_unref);
  g_mutex_unlock(&a->lock);
  if (a->state == PT_ANALYSIS_STARTING) {
    a->attempts = 0;
    set_state(a, PT_ANALYSIS_RUNNING, NULL);
  }
  return G_SOURCE_REMOVE;
}

/* Streaming thread: every substream frame, before any gate. */
static GstPadProbeReturn
on_frame(GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  PtCameraAnalysis *a = user_data;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM) {
    GstEvent *ev = GST_PAD_PROBE_INFO_EVENT(info);
    GstCaps *caps;
    const GstStructure *s;
    int w = 0, h = 0;

    if (GST_EVENT_TYPE(ev) != GST_EVENT_CAPS)
      return GST_PAD_PROBE_OK;
    gst_event_parse_caps(ev, &caps);
    s = gst_caps_get_structure(caps, 0);
    if (gst_structure_get_int(s, "width", &w) && gst_structure_get_int(s, "height", &h)) {
      g_atomic_int_set(&a->width, w);
      g_atomic_int_set(&a->height, h);
    }
    return GST_PAD_PROBE_OK;
  }
  g_mutex_lock(&a->lock);
  a->frames++;
  a->last_frame_mono = g_get_monotonic_time();
  if (g_atomic_int_compare_and_exchange(&a->want_first, 1, 0)) {
    a->first_idle = g_idle_source_new();
    g_source_set_callback(a->first_idle, on_first_frame, a, NULL);
    g_source_attach(a->first_idle, a->ctx);
  }
  g_mutex_unlock(&a->lock);
  return GST_PAD_PROBE_OK;
}

static GstBusSyncReply
on_bus_sync(GstBus *bus, GstMessage *msg, gpointer user_data)
{
  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ELEMENT:
  case GST_MESSAGE_ERROR:
  case GST_MESSAGE_EOS:
    return GST_BUS_PASS;
  default:
    gst_message_unref(msg); /* a sync handler that drops owns the message */
    return GST_BUS_DROP;
  }
}

static gboolean
on_bus_message(GstBus *bus, GstMessage *msg, gpointer user_data)
{
  PtCameraAnalysis *a = user_data;

  switch (GST_MESSAGE_TYPE(msg)) {
  case GST_MESSAGE_ELEMENT: {
    const GstStructure *s = gst_message_get_structure(msg);
    GstClockTime rt = GST_CLOCK_TIME_NONE;

    if (!gst_structure_has_name(s, "barcode") || a->hooks.barcode == NULL ||
        a->graph.pipeline == NULL)
      break;
    /* On the realtime clock the base time plus the running time is UTC. */
    gst_structure_get_clock_time(s, "running-time", &rt);
    GstClockTime base = gst_element_get_base_time(a->graph.pipeline);
    a->hooks.barcode(
        s, GST_CLOCK_TIME_IS_VALID(rt) ? (gint64)(base + rt) : g_get_real_time() * 1000, a->data);
    break;
  }
  case GST_MESSAGE_ERROR: {
    g_autofree char *reason = pt_message_reason(msg, NULL);
    g_autofree char *what = g_strdup_printf("analysis substream: %s", reason);

    begin_restart(a, PT_CAMERA_ERROR_SOURCE, what);
    break;
  }
  case GST_MESSAGE_EOS:
    begin_restart(a, PT_CAMERA_ERROR_SOURCE, "analysis substream: the source ended its stream");
    break;
  default:
    break;
  }
  return G_SOURCE_CONTINUE;
}

static void
arm_tick(PtCameraAnalysis *a)
{
  if (a->tick == NULL)
    return;
  if (a->graph.pipeline == NULL) {
    g_source_set_ready_time(a->tick, -1);
    return;
  }
  g_mutex_lock(&a->lock);
  gint64 last = a->last_frame_mono;
  g_mutex_unlock(&a->lock);
  /* Just past the bound: a stall is more than stall_ms without a frame. */
  g_source_set_ready_time(a->tick, last + (gint64)a->config->stall_ms * 1000 + 1000);
}

static gboolean
on_tick(gpointer data)
{
  PtCameraAnalysis *a = data;
  g_mutex_lock(&a->lock);
  gint64 idle_us = g_get_monotonic_time() - a->last_frame_mono;
  g_mutex_unlock(&a->lock);

  if (a->graph.pipeline != NULL && idle_us > (gint64)a->config->stall_ms * 1000) {
    g_autofree char *reason = g_strdup_printf("analysis substream: no video for %.1f s",
                                              (double)idle_us / G_USEC_PER_SEC);

    begin_restart(a, PT_CAMERA_ERROR_STALLED, reason);
  }
  arm_tick(a);
  return G_SOURCE_CONTINUE;
}

static gboolean
tick_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  return callback(data);
}

static GSourceFuncs tick_funcs = {.dispatch = tick_dispatch};

/* Takes the pipeline down; the streaming threads are joined by the state change, so no
 * first-frame idle can be attached after the one destroyed here. */
static void
teardown(PtCameraAnalysis *a)
{
  destroy_source(&a->bus_watch);
  pt_camera_graph_clear(&a->graph);
  g_mutex_lock(&a->lock);
  destroy_source(&a->first_idle);
  g_mutex_unlock(&a->lock);
  arm_tick(a);
}

static gboolean on_backoff(gpointer data);

static void
begin_restart(PtCameraAnalysis *a, PtCameraError code, const char *reason)
{
  g_autoptr(GError) error = g_error_new(PT_CAMERA_ERROR, code, "%s", reason);
  guint delay = a->config->backoff_initial_ms;

  GST_WARNING("camera %s: %s", a->config->name, reason);
  teardown(a);
  for (guint i = 0; i < a->attempts && delay < a->config->backoff_max_ms; i++)
    delay *= 2;
  delay = MIN(delay, a->config->backoff_max_ms);
  a->attempts++;
  destroy_source(&a->backoff_timer);
  a->backoff_timer = g_timeout_source_new(delay);
  g_source_set_callback(a->backoff_timer, on_backoff, a, NULL);
  g_source_attach(a->backoff_timer, a->ctx);
  set_state(a, PT_ANALYSIS_RECONNECTING, error);
}

/* Builds and plays.  FALSE only for errors no retry can fix. */
static gboolean
launch(PtCameraAnalysis *a, GError **error)
{
  g_autoptr(GstBus) bus = NULL;
  g_autoptr(GError) start_error = NULL;

  if (!a->hooks.build(&a->graph, a->data, error))
    return FALSE;
  gst_pad_add_probe(a->graph.watch_pad,
                    GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM, on_frame, a,
                    NULL);
  bus = gst_element_get_bus(a->graph.pipeline);
  gst_bus_set_sync_handler(bus, on_bus_sync, NULL, NULL);
  a->bus_watch = gst_bus_create_watch(bus);
  g_source_set_callback(a->bus_watch, (GSourceFunc)(void (*)(void))on_bus_message, a, NULL);
  g_source_attach(a->bus_watch, a->ctx);
  g_mutex_lock(&a->lock);
  a->last_frame_mono = g_get_monotonic_time();
  g_mutex_unlock(&a->lock);
  g_atomic_int_set(&a->want_first, 1);
  set_state(a, PT_ANALYSIS_STARTING, NULL);
  if (gst_element_set_state(a->graph.pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE ||
      (a->graph.file_loop != NULL && !pt_file_loop_start(a->graph.file_loop, &start_error))) {
    g_autofree char *reason =
        g_strdup_printf("analysis substream: cannot start the source (%s)",
                        start_error ? start_error->message : "state change failed");

    begin_restart(a, PT_CAMERA_ERROR_SOURCE, reason);
  }
  arm_tick(a);
  return TRUE;
}

static gboolean
on_backoff(gpointer data)
{
  PtCameraAnalysis *a = data;
  g_autoptr(GError) error = NULL;

  g_source_unref(a->backoff_timer);
  a->backoff_timer = NULL;
  g_atomic_int_inc((gint *)&a->restarts);
  if (!launch(a, &error)) {
    /* A plugin that went missing under a running station: the recording is unaffected, the
     * state says why nothing is analysed. */
    GST_ERROR("camera %s: analysis: %s", a->config->name, error->message);
    pt_camera_graph_clear(&a->graph);
    set_state(a, PT_ANALYSIS_STOPPED, error);
  }
  return G_SOURCE_REMOVE;
}

PtCameraAnalysis *
pt_camera_analysis_new(const PtCameraConfig *config, const PtCameraAnalysisHooks *hooks,
                       gpointer data)
{
  static gsize once = 0;
  PtCameraAnalysis *a = g_new0(PtCameraAnalysis, 1);

  if (g_once_init_enter(&once)) {
    GST_DEBUG_CATEGORY_INIT(pt_analysis_debug, "pt-analysis", 0, "packtrace analysis substream");
    g_once_init_leave(&once, 1);
  }
  a->config = config;
  a->hooks = *hooks;
  a->data = data;
  a->ctx = g_main_context_ref_thread_default();
  a->state = PT_ANALYSIS_WAITING;
  g_mutex_init(&a->lock);
  return a;
}

gboolean
pt_camera_analysis_start(PtCameraAnalysis *a, GError **error)
{
  g_return_val_if_fail(a != NULL, FALSE);
  if (a->graph.pipeline != NULL || a->backoff_timer != NULL)
    return TRUE;
  a->attempts = 0;
  if (a->tick == NULL) {
    a->tick = g_source_new(&tick_funcs, sizeof(GSource));
    g_source_set_callback(a->tick, on_tick, a, NULL);
    g_source_attach(a->tick, a->ctx);
  }
  if (!launch(a, error)) {
    pt_camera_graph_clear(&a->graph);
    destroy_source(&a->bus_watch);
    set_state(a, PT_ANALYSIS_STOPPED, NULL);
    return FALSE;
  }
  return TRUE;
}

/* Takes everything down and says why in @state: stopped with the camera, or idle. */
static void
halt(PtCameraAnalysis *a, PtAnalysisState state)
{
  destroy_source(&a->backoff_timer);
  teardown(a);
  destroy_source(&a->tick);
  set_state(a, state, NULL);
}

void
pt_camera_analysis_stop(PtCameraAnalysis *a)
{
  g_return_if_fail(a != NULL);
  halt(a, PT_ANALYSIS_STOPPED);
}

void
pt_camera_analysis_rest(PtCameraAnalysis *a)
{
  g_return_if_fail(a != NULL);
  halt(a, PT_ANALYSIS_IDLE);
}

gboolean
pt_camera_analysis_active(PtCameraAnalysis *a)
{
  return a->graph.pipeline != NULL || a->backoff_timer != NULL;
}

void
pt_camera_analysis_free(PtCameraAnalysis *a)
{
  if (a == NULL)
    return;
  pt_camera_analysis_stop(a);
  g_mutex_clear(&a->lock);
  g_main_context_unref(a->ctx);
  g_free(a);
}

void
pt_camera_analysis_get_stats(PtCameraAnalysis *a, PtAnalysisStats *out)
{
  out->state = (PtAnalysisState)g_atomic_int_get((gint *)&a->state);
  out->restarts = (guint)g_atomic_int_get((gint *)&a->restarts);
  g_mutex_lock(&a->lock);
  out->frames = a->frames;
  g_mutex_unlock(&a->lock);
  out->width = g_atomic_int_get(&a->width);
  out->height = g_atomic_int_get(&a->height);
}
