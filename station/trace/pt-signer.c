/* pt-signer.c: one thread that signs appended events and computes their Event Hash IDs
 * (pt-signer.h).
 *
 * During a burst an event is handed over every 20-30 us.  Waking the thread for each one, as a
 * plain queue would, costs a system call and two context switches an event, more than the
 * Event Hash ID the thread saves the appender; so it is woken for runs of PT_SIGNER_RUN jobs,
 * or at once when an appender waits for one.  A finished job is marked by an atomic flag, and
 * the thread signals only an appender that sleeps. */
#include "pt-signer.h"

#include "pt-event-hash.h"
#include "pt-json.h"
#include "pt-limits.h"

#include <string.h>

struct _PtSignJob {
  const PtKeys *keys;
  PtEventRow row;
  GError *error; /* the Event Hash ID could not be made */
  gint done;     /* atomic: set by the thread once row and error are final */
  gint awaited;  /* under the lock: an appender sleeps until it is done */
};

typedef struct {
  GMutex lock;
  GCond work;      /* the thread may take a job */
  GCond done;      /* a job was done while an appender slept */
  GQueue queue;    /* under lock: the jobs not taken yet */
  gboolean asleep; /* under lock: the thread waits on work */
  gint backlog;    /* atomic: jobs handed over and not done */
} Signer;

static void
sign(PtSignJob *job)
{
  PtEventRow *row = &job->row;
  json_t *record = pt_json_parse(row->body, row->body_len, &job->error);
  if (record)
    row->hash_id = pt_event_hash_id(record, NULL, &job->error);
  json_decref(record);
  pt_keys_sign(job->keys, row->hash, row->signature);
}

static gpointer
signer_main(gpointer data)
{
  Signer *s = data;
  g_mutex_lock(&s->lock);
  for (;;) {
    while (g_queue_is_empty(&s->queue)) {
      s->asleep = TRUE;
      g_cond_wait(&s->work, &s->lock);
      s->asleep = FALSE;
    }
    PtSignJob *job = g_queue_pop_head(&s->queue);
    g_mutex_unlock(&s->lock);

    sign(job);
    /* Under the lock, as an appender marks a job awaited: it either sees the job done or is
     * woken.  The job is the appender's to free once done is set, so awaited is read before.
     * Only an awaited job wakes anyone. */
    g_mutex_lock(&s->lock);
    gboolean awaited = g_atomic_int_get(&job->awaited);
    g_atomic_int_set(&job->done, 1);
    g_atomic_int_add(&s->backlog, -1);
    if (awaited)
      g_cond_broadcast(&s->done);
  }
  return NULL;
}

static gpointer
signer_new(gpointer unused)
{
  Signer *s = g_new0(Signer, 1);
  g_mutex_init(&s->lock);
  g_cond_init(&s->work);
  g_cond_init(&s->done);
  g_queue_init(&s->queue);
  /* Never joined: it sleeps when there is nothing to sign. */
  g_thread_unref(g_thread_new("pt-signer", signer_main, s));
  return s;
}

static Signer *
signer(void)
{
  static GOnce once = G_ONCE_INIT;
  return g_once(&once, signer_new, NULL);
}

PtSignJob *
pt_signer_start(const PtKeys *keys, PtEventRow *row)
{
  Signer *s = signer();
  PtSignJob *job = g_new0(PtSignJob, 1);
  job->keys = keys;
  job->row = *row;
  memset(row, 0, sizeof *row);
  g_atomic_int_add(&s->backlog, 1);
  g_mutex_lock(&s->lock);
  g_queue_push_tail(&s->queue, job);
  if (s->asleep && s->queue.length >= PT_SIGNER_RUN)
    g_cond_signal(&s->work);
  g_mutex_unlock(&s->lock);
  return job;
}

PtSignJob *
pt_signer_signed(PtEventRow *row)
{
  PtSignJob *job = g_new0(PtSignJob, 1);
  job->row = *row;
  memset(row, 0, sizeof *row);
  job->done = 1;
  return job;
}

guint
pt_signer_backlog(void)
{
  return (guint)g_atomic_int_get(&signer()->backlog);
}

gboolean
pt_signer_done(PtSignJob *job)
{
  return g_atomic_int_get(&job->done) != 0;
}

void
pt_signer_wait(PtSignJob *job)
{
  if (g_atomic_int_get(&job->done))
    return;
  Signer *s = signer();
  g_mutex_lock(&s->lock);
  g_atomic_int_set(&job->awaited, 1);
  if (s->asleep)
    g_cond_signal(&s->work);
  while (!g_atomic_int_get(&job->done))
    g_cond_wait(&s->done, &s->lock);
  g_mutex_unlock(&s->lock);
}

gboolean
pt_signer_finish(PtSignJob *job, PtEventRow *row, GError **error)
{
  pt_signer_wait(job);
  gboolean ok = job->error == NULL;
  if (ok) {
    *row = job->row;
  } else {
    g_propagate_error(error, job->error);
    pt_event_row_clear(&job->row);
  }
  g_free(job);
  return ok;
}
