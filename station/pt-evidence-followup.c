/* pt-evidence-followup.c: follow-up records for loading events whose evidence window was
 * still being recorded (see pt-evidence-followup.h). */
#include "pt-evidence-followup.h"

#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-evidence.h"
#include "pt-limits.h"
#include "pt-log.h"
#include "pt-store-video.h"
#include "pt-store-watch.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <glib/gstdio.h>

/* TRUE when @camera has a segment being written that started by @at_ns: the footage up to
 * @at_ns will be closed with it.  Crashed segments count until the recovery at start-up
 * has closed them. */
static gboolean
still_recording(PtStore *store, const char *camera, gint64 at_ns, GError **error, gboolean *out)
{
  g_autoptr(GPtrArray) open = pt_store_segments_open(store, error);
  if (!open)
    return FALSE;
  *out = FALSE;
  for (guint i = 0; i < open->len; i++) {
    const PtSegmentRow *row = g_ptr_array_index(open, i);
    if (g_strcmp0(row->camera, camera) == 0 && row->start_ns <= at_ns)
      *out = TRUE;
  }
  return TRUE;
}

/* Inside the transaction: the follow-up record, its clip row, and the pending row gone. */
static gboolean
append_locked(PtStation *station, PtStore *store, const PtPendingEvidence *p,
              const PtClipResult *clip, const char *path, const char *missing, GError **error)
{
  g_autoptr(PtBatch) batch = pt_store_batch_get(store, p->batch_id, error);
  if (!batch || !pt_store_evidence_pending_delete(store, p->event_seq, error))
    return FALSE;
  json_t *ev = pt_epcis_event_new(station->config, batch, "sensor_reporting", p->to_ns, 0, NULL);
  json_object_set_new(ev, "pt:evidenceFor", json_string(p->event_id));
  json_object_set_new(ev, "pt:loadId", json_integer(p->load_id));
  json_object_set_new(ev, "pt:camera", json_string(p->camera));
  g_autofree char *from = pt_time_format(clip ? clip->start_ns : p->from_ns);
  g_autofree char *to = pt_time_format(clip ? clip->end_ns : p->to_ns);
  json_object_set_new(ev, "pt:clipFrom", json_string(from));
  json_object_set_new(ev, "pt:clipTo", json_string(to));
  if (clip)
    json_object_set_new(ev, "pt:clipSha256", json_string(clip->sha256));
  else
    json_object_set_new(ev, "pt:evidenceMissing", json_string(missing));
  PtEventRow row = {0};
  gboolean ok = pt_trace_append(store, station->keys, batch->id, "sensor_reporting", p->to_ns, ev,
                                &row, error);
  json_decref(ev);
  if (ok && clip) {
    PtClipRow clip_row = {.batch_id = batch->id,
                          .event_seq = row.seq,
                          .camera = p->camera,
                          .from_ns = clip->start_ns,
                          .to_ns = clip->end_ns,
                          .path = (char *)path,
                          .bytes = clip->bytes,
                          .created_ns = pt_now_ns()};
    g_strlcpy(clip_row.sha256, clip->sha256, sizeof clip_row.sha256);
    ok = pt_store_clip_insert(store, &clip_row, error);
  }
  pt_event_row_clear(&row);
  return ok;
}

static gboolean
append(PtStation *station, PtStore *store, const PtPendingEvidence *p, const PtClipResult *clip,
       const char *path, const char *missing, GError **error)
{
  if (!pt_store_begin(store, error))
    return FALSE;
  if (!append_locked(station, store, p, clip, path, missing, error) ||
      !pt_store_commit(store, error)) {
    pt_store_rollback(store);
    return FALSE;
  }
  if (clip)
    pt_log(G_LOG_LEVEL_MESSAGE, (PtLogSubject){.event = p->event_id},
           "load %" G_GINT64_FORMAT ": clip %s is the evidence of event %s", p->load_id, path,
           p->event_id);
  else
    pt_log(G_LOG_LEVEL_MESSAGE, (PtLogSubject){.event = p->event_id},
           "load %" G_GINT64_FORMAT ": no evidence for event %s: %s", p->load_id, p->event_id,
           missing);
  return TRUE;
}

gboolean
pt_evidence_followup_settle(PtStation *station, PtStore *store, const PtPendingEvidence *p,
                            gint64 now_ns, gboolean *settled_out, GError **error)
{
  *settled_out = FALSE;
  gint64 closed_end = 0;
  if (!pt_store_segments_readable_end(store, p->camera, &closed_end, error))
    return FALSE;
  gint64 to_ns = p->to_ns;
  if (closed_end < to_ns) {
    gboolean recording = FALSE;
    if (!still_recording(store, p->camera, to_ns, error, &recording))
      return FALSE;
    /* The grace covers the instant between one segment's close and the next one's open. */
    if (recording || now_ns - to_ns < PT_EVIDENCE_GRACE_NS)
      return TRUE;
    /* The rest of the window was never recorded: the part that was is the evidence. */
    to_ns = closed_end;
  }
  g_autofree char *missing = NULL;
  g_autofree char *path = NULL;
  PtClipResult clip = {0};
  g_autoptr(GError) local = NULL;
  if (to_ns <= p->from_ns)
    missing = g_strdup_printf("camera %s recorded nothing of the window", p->camera);
  else if (!(path = pt_evidence_clip_path(station, p->batch_id, p->camera, p->from_ns, &local)) ||
           !pt_evidence_cut(station, store, p->camera, p->from_ns, to_ns, path, &clip, &local))
    missing = g_strdup(local->message);
  gboolean ok = append(station, store, p, missing ? NULL : &clip, path, missing, error);
  if (!ok && !missing)
    g_unlink(path);
  *settled_out = ok;
  return ok;
}

struct _PtEvidenceFollowup {
  PtStation *station;     /* borrowed */
  GThreadPool *pool;      /* one thread: the work */
  PtStore *store;         /* the pool thread's connection, opened on first use */
  GSource *timer;         /* main context: the next window's deadline, ready time -1 if none */
  GFileMonitor *db_watch; /* main context: a commit may have added a window or closed footage */
  gint busy;              /* atomic: a pass is queued or running */
  gint again;             /* atomic: something changed since the running pass began */
};

/* Pool thread, after a pass: when to look again with nothing else happening.  A window is
 * settled once its footage is closed, which is a commit (the watch wakes the pass), or its
 * grace after the window's end runs out with nothing recorded (a deadline).  A window still
 * recorded past its grace waits for its segment's close; PT_EVIDENCE_RECHECK_S bounds that
 * wait in case the watch is missing. */
static void
arm_timer(PtEvidenceFollowup *f, gint64 now_ns)
{
  g_autoptr(GError) error = NULL;
  gint64 to_ns = 0;
  gint64 due_ns;
  if (!f->store || !pt_store_evidence_pending_next(f->store, &to_ns, &error)) {
    if (error)
      g_warning("loading evidence: %s", error->message);
    due_ns = now_ns + PT_EVIDENCE_RECHECK_S * G_GINT64_CONSTANT(1000000000);
  } else if (to_ns == 0) {
    g_source_set_ready_time(f->timer, -1);
    return;
  } else {
    due_ns = to_ns + PT_EVIDENCE_GRACE_NS;
    if (due_ns <= now_ns || f->db_watch == NULL)
      due_ns =
          MIN(MAX(due_ns, now_ns), now_ns + PT_EVIDENCE_RECHECK_S * G_GINT64_CONSTANT(1000000000));
  }
  g_source_set_ready_time(f->timer, g_get_monotonic_time() + (due_ns - now_ns) / 1000 + 1000);
}

/* Pool thread: settles what is due, a bounded number per pass, then arms the timer.  A
 * change reported while it ran starts another pass: it may have missed that commit. */
static void
settle_due(gpointer data, gpointer user_data)
{
  PtEvidenceFollowup *f = user_data;
  for (;;) {
    g_autoptr(GError) error = NULL;
    g_atomic_int_set(&f->again, 0);
    if (!f->store)
      f->store = pt_station_store(f->station, &error);
    gint64 now = pt_now_ns();
    g_autoptr(GPtrArray) due =
        f->store ? pt_store_evidence_pending_due(f->store, now, PT_EVIDENCE_PASS_MAX, &error)
                 : NULL;
    if (!due)
      g_warning("loading evidence: %s", error->message);
    guint n_settled = 0;
    for (guint i = 0; due && i < due->len; i++) {
      const PtPendingEvidence *p = g_ptr_array_index(due, i);
      gboolean settled = FALSE;
      if (!pt_evidence_followup_settle(f->station, f->store, p, now, &settled, &error)) {
        pt_log(G_LOG_LEVEL_WARNING, (PtLogSubject){.event = p->event_id},
               "loading evidence of event %s: %s", p->event_id, error->message);
        g_clear_error(&error);
      }
      n_settled += settled;
    }
    /* A full pass that settled some may have left more due windows: the next one follows at
     * once (one that settled none would only fail again: they wait for their deadline). */
    if (due && due->len == PT_EVIDENCE_PASS_MAX && n_settled > 0)
      g_atomic_int_set(&f->again, 1);
    arm_timer(f, now);
    g_atomic_int_set(&f->busy, 0);
    if (!g_atomic_int_get(&f->again) || !g_atomic_int_compare_and_exchange(&f->busy, 0, 1))
      break;
  }
}

/* Main context: a commit to station.db, or the timer. */
static void
wake(gpointer data)
{
  PtEvidenceFollowup *f = data;
  g_atomic_int_set(&f->again, 1);
  if (g_atomic_int_compare_and_exchange(&f->busy, 0, 1))
    g_thread_pool_push(f->pool, f, NULL);
}

static gboolean
on_timer(gpointer data)
{
  PtEvidenceFollowup *f = data;
  g_source_set_ready_time(f->timer, -1); /* the pass arms it again */
  wake(f);
  return G_SOURCE_CONTINUE;
}

static gboolean
timer_dispatch(GSource *source, GSourceFunc callback, gpointer data)
{
  return callback(data);
}

static GSourceFuncs timer_funcs = {.dispatch = timer_dispatch};

PtEvidenceFollowup *
pt_evidence_followup_start(PtStation *station)
{
  g_autoptr(GError) error = NULL;
  PtEvidenceFollowup *f = g_new0(PtEvidenceFollowup, 1);
  f->station = station;
  f->pool = g_thread_pool_new(settle_due, f, 1, FALSE, NULL);
  f->timer = g_source_new(&timer_funcs, sizeof(GSource));
  g_source_set_callback(f->timer, on_timer, f, NULL);
  g_source_attach(f->timer, NULL);
  f->db_watch = pt_store_watch_new(station->db_path, PT_EVIDENCE_WAKE_RATE_MS, wake, f, &error);
  if (!f->db_watch)
    g_warning("loading evidence: cannot watch station.db (%s): windows are looked at every %d s",
              error->message, PT_EVIDENCE_RECHECK_S);
  /* Windows left by a stop or a crash are looked at right away. */
  wake(f);
  return f;
}

void
pt_evidence_followup_stop(PtEvidenceFollowup *f)
{
  if (!f)
    return;
  if (f->db_watch) {
    g_file_monitor_cancel(f->db_watch);
    g_object_unref(f->db_watch);
  }
  g_thread_pool_free(f->pool, FALSE, TRUE);
  g_source_destroy(f->timer);
  g_source_unref(f->timer);
  pt_store_close(f->store);
  g_free(f);
}
