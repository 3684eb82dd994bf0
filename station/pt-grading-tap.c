/* pt-grading-tap.c: the bounded hand-over from the grading camera's streaming thread to the
 * grading worker (see pt-grading-tap.h).  The lock guards only the queue and the counters;
 * grading and SQLite run on the worker with the lock released. */
#include "pt-grading-tap.h"

#include "pt-limits.h"

struct _PtGradingTap {
  PtStation *station;  /* borrowed */
  PtGradingFeed *feed; /* worker thread only, once started */
  GThread *worker;
  double fps;

  GMutex lock; /* guards everything below */
  GCond cond;
  GQueue queue; /* PtTapFrame * (owned references), oldest first */
  gboolean stopping;
  guint64 received, graded, dropped;
  char *last_error;
};

static void
set_last_error(PtGradingTap *tap, const char *message)
{
  g_mutex_lock(&tap->lock);
  /* Warn once per distinct error, not once per frame. */
  if (g_strcmp0(tap->last_error, message) != 0) {
    if (message)
      g_warning("grading camera: %s", message);
    g_free(tap->last_error);
    tap->last_error = g_strdup(message);
  }
  g_mutex_unlock(&tap->lock);
}

static gpointer
tap_worker(gpointer data)
{
  PtGradingTap *tap = data;
  for (;;) {
    g_mutex_lock(&tap->lock);
    while (g_queue_is_empty(&tap->queue) && !tap->stopping)
      g_cond_wait(&tap->cond, &tap->lock);
    PtTapFrame *frame = g_queue_pop_head(&tap->queue);
    g_mutex_unlock(&tap->lock);
    if (!frame)
      break; /* stopping and drained */
    g_autoptr(GError) error = NULL;
    gboolean ok = pt_grading_feed_frame(tap->feed, frame, &error);
    pt_tap_frame_unref(frame);
    g_mutex_lock(&tap->lock);
    tap->graded++;
    g_mutex_unlock(&tap->lock);
    set_last_error(tap, ok ? NULL : error->message);
  }
  g_autoptr(GError) error = NULL;
  if (!pt_grading_feed_flush(tap->feed, &error))
    set_last_error(tap, error->message);
  return NULL;
}

PtGradingTap *
pt_grading_tap_new(PtStation *station, double fps)
{
  PtGradingTap *tap = g_new0(PtGradingTap, 1);
  tap->station = station;
  tap->fps = fps;
  tap->feed = pt_grading_feed_new(station);
  g_mutex_init(&tap->lock);
  g_cond_init(&tap->cond);
  g_queue_init(&tap->queue);
  tap->worker = g_thread_new("pt-grading", tap_worker, tap);
  return tap;
}

void
pt_grading_tap_push(PtGradingTap *tap, PtTapFrame *frame)
{
  PtTapFrame *old = NULL;
  g_mutex_lock(&tap->lock);
  tap->received++;
  if (tap->stopping) {
    tap->dropped++;
  } else {
    if (g_queue_get_length(&tap->queue) >= PT_GRADE_TAP_QUEUE) {
      old = g_queue_pop_head(&tap->queue);
      tap->dropped++;
    }
    g_queue_push_tail(&tap->queue, pt_tap_frame_ref(frame));
    g_cond_signal(&tap->cond);
  }
  g_mutex_unlock(&tap->lock);
  /* Unmapping may take a moment; never under the lock the worker waits on. */
  pt_tap_frame_unref(old);
}

void
pt_grading_tap_stop(PtGradingTap *tap)
{
  g_mutex_lock(&tap->lock);
  tap->stopping = TRUE;
  g_cond_signal(&tap->cond);
  g_mutex_unlock(&tap->lock);
  if (tap->worker) {
    g_thread_join(tap->worker);
    tap->worker = NULL;
  }
}

json_t *
pt_grading_tap_status(PtGradingTap *tap)
{
  guint64 recorded = pt_grading_feed_n_recorded(tap->feed);
  g_mutex_lock(&tap->lock);
  json_t *o =
      json_pack("{sfsIsIsIsI}", "fps", tap->fps, "frames_received", (json_int_t)tap->received,
                "frames_graded", (json_int_t)tap->graded, "frames_dropped",
                (json_int_t)tap->dropped, "fruit_recorded", (json_int_t)recorded);
  json_object_set_new(o, "last_error",
                      tap->last_error ? json_string(tap->last_error) : json_null());
  g_mutex_unlock(&tap->lock);
  return o;
}

void
pt_grading_tap_free(PtGradingTap *tap)
{
  if (!tap)
    return;
  pt_grading_tap_stop(tap);
  g_queue_clear_full(&tap->queue, (GDestroyNotify)pt_tap_frame_unref);
  pt_grading_feed_free(tap->feed);
  g_free(tap->last_error);
  g_cond_clear(&tap->cond);
  g_mutex_clear(&tap->lock);
  g_free(tap);
}
