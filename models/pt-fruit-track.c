/* pt-fruit-track.c: the fruit tracker.  Runs once per graded frame with a handful of fruit in
 * view, so matching is a plain greedy pass over all (track, fruit) pairs sorted by distance;
 * the only copies of pixels are the stills, taken when a fruit's worst view changes. */
#include "pt-fruit-track.h"

#include "pt-annotate.h"
#include "pt-models-limits.h"

#include <math.h>
#include <string.h>

typedef struct {
  guint64 id;
  double cx, cy;   /* centroid in the last view */
  double vx, vy;   /* pixels per graded frame */
  gboolean moving; /* vx, vy measured (seen at least twice) */
  double radius;   /* half the largest box side seen */
  guint missed;
  guint n_seen;
  gint64 first_ts, last_ts;
  gboolean has_worst;
  PtFruit worst; /* the full view with the largest defect area */
  double diameter[PT_TRACK_MAX_VIEWS], length[PT_TRACK_MAX_VIEWS], area[PT_TRACK_MAX_VIEWS];
  guint n_sizes;
  guint n_views;
  double ripe_sum, green_sum;
  PtImage *crop; /* the worst view's crop, unannotated */
  int crop_x, crop_y;
} Track;

struct _PtFruitTracker {
  PtGradeProfile profile;
  PtFruitTrackerOptions options;
  guint64 next_id;
  Track *tracks[PT_TRACK_MAX_OPEN];
  guint n_tracks;
};

void
pt_tracked_fruit_free(gpointer data)
{
  PtTrackedFruit *fruit = data;

  if (fruit == NULL)
    return;
  pt_image_free(fruit->still);
  g_free(fruit);
}

static void
track_free(Track *t)
{
  pt_image_free(t->crop);
  g_free(t);
}

PtFruitTracker *
pt_fruit_tracker_new(const PtGradeProfile *profile, const PtFruitTrackerOptions *options)
{
  PtFruitTracker *tracker = g_new0(PtFruitTracker, 1);

  tracker->profile = *profile;
  if (options != NULL)
    tracker->options = *options;
  else
    tracker->options.max_missed = 2;
  tracker->next_id = 1;
  return tracker;
}

void
pt_fruit_tracker_free(PtFruitTracker *tracker)
{
  if (tracker == NULL)
    return;
  for (guint i = 0; i < tracker->n_tracks; i++)
    track_free(tracker->tracks[i]);
  g_free(tracker);
}

/* Copies the box of @f with a margin out of @frame as RGB.  I420 crops start on even pixels
 * so the chroma planes stay aligned. */
static PtImage *
crop_view(const PtFrame *frame, const PtFruit *f, int *x_out, int *y_out)
{
  int margin = MAX(4, MAX(f->width, f->height) / 6);
  int x0 = MAX(0, f->x - margin), y0 = MAX(0, f->y - margin);
  int x1 = MIN(frame->width, f->x + f->width + margin);
  int y1 = MIN(frame->height, f->y + f->height + margin);
  PtFrame sub = *frame;

  if (frame->format == PT_PIXEL_I420) {
    x0 &= ~1;
    y0 &= ~1;
    x1 = MIN(frame->width & ~1, (x1 + 1) & ~1);
    y1 = MIN(frame->height & ~1, (y1 + 1) & ~1);
    sub.data[0] = frame->data[0] + (gsize)y0 * frame->stride[0] + x0;
    sub.data[1] = frame->data[1] + (gsize)(y0 / 2) * frame->stride[1] + x0 / 2;
    sub.data[2] = frame->data[2] + (gsize)(y0 / 2) * frame->stride[2] + x0 / 2;
  } else {
    sub.data[0] = frame->data[0] + (gsize)y0 * frame->stride[0] + 3 * x0;
  }
  if (x1 - x0 < 2 || y1 - y0 < 2)
    return NULL;
  sub.width = x1 - x0;
  sub.height = y1 - y0;
  *x_out = x0;
  *y_out = y0;
  return pt_image_new_from_frame(&sub, NULL);
}

/* Moves every coordinate of @f by (-dx, -dy): from frame to crop pixels. */
static void
shift_fruit(PtFruit *f, int dx, int dy)
{
  f->x -= dx;
  f->y -= dy;
  f->cx -= dx;
  f->cy -= dy;
  for (guint i = 0; i < f->n_outline; i++) {
    f->outline[i].x -= dx;
    f->outline[i].y -= dy;
  }
  for (guint i = 0; i < f->n_defects; i++) {
    f->defects[i].x -= dx;
    f->defects[i].y -= dy;
  }
}

static int
cmp_double(const void *a, const void *b)
{
  double x = *(const double *)a, y = *(const double *)b;

  return x < y ? -1 : (x > y ? 1 : 0);
}

static double
median(const double *v, guint n)
{
  double sorted[PT_TRACK_MAX_VIEWS];

  memcpy(sorted, v, n * sizeof *v);
  qsort(sorted, n, sizeof *sorted, cmp_double);
  return n % 2 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
}

/* The worse of two full views of one fruit: more defect area, then a longer defect, then a
 * lower class. */
static gboolean
is_worse(const PtFruit *a, const PtFruit *b)
{
  if (a->defect_total_mm2 != b->defect_total_mm2)
    return a->defect_total_mm2 > b->defect_total_mm2;
  if (a->defect_longest_mm != b->defect_longest_mm)
    return a->defect_longest_mm > b->defect_longest_mm;
  return a->klass > b->klass;
}

static void
track_add_view(PtFruitTracker *tracker, Track *t, const PtFrame *frame, const PtFruit *f, gint64 ts)
{
  t->radius = MAX(t->radius, 0.5 * MAX(f->width, f->height));
  t->cx = f->cx;
  t->cy = f->cy;
  t->missed = 0;
  t->n_seen++;
  t->last_ts = ts;
  if (f->partial)
    return;
  t->n_views++;
  if (t->n_sizes < PT_TRACK_MAX_VIEWS) {
    t->diameter[t->n_sizes] = f->diameter_mm;
    t->length[t->n_sizes] = f->length_mm;
    t->area[t->n_sizes] = f->area_mm2;
    t->n_sizes++;
  }
  t->ripe_sum += f->ripe_fraction;
  t->green_sum += f->green_fraction;
  if (t->has_worst && !is_worse(f, &t->worst))
    return;
  t->worst = *f;
  t->has_worst = TRUE;
  if (tracker->options.keep_stills && frame != NULL) {
    pt_image_free(t->crop);
    t->crop = crop_view(frame, f, &t->crop_x, &t->crop_y);
  }
}

/* Appends @t's combined record to @finished when it was ever seen in full, and frees @t. */
static void
track_finish(PtFruitTracker *tracker, Track *t, GPtrArray *finished)
{
  PtTrackedFruit *out;

  if (!t->has_worst) {
    track_free(t);
    return;
  }
  out = g_new0(PtTrackedFruit, 1);
  out->id = t->id;
  out->n_views = t->n_views;
  out->n_seen = t->n_seen;
  out->first_ts = t->first_ts;
  out->last_ts = t->last_ts;
  out->fruit = t->worst;
  out->fruit.diameter_mm = median(t->diameter, t->n_sizes);
  out->fruit.length_mm = MAX(median(t->length, t->n_sizes), out->fruit.diameter_mm);
  out->fruit.area_mm2 = median(t->area, t->n_sizes);
  out->fruit.ripe_fraction = t->ripe_sum / t->n_views;
  out->fruit.green_fraction = t->green_sum / t->n_views;
  pt_grader_decide(&tracker->profile, &out->fruit);
  if (t->crop != NULL) {
    PtGradeResult one = {.n_fruit = 1, .fruit = g_memdup2(&out->fruit, sizeof out->fruit)};

    shift_fruit(one.fruit, t->crop_x, t->crop_y);
    out->still = g_steal_pointer(&t->crop);
    pt_annotate_draw(out->still, &one);
    g_free(one.fruit);
  }
  g_ptr_array_add(finished, out);
  track_free(t);
}

/* Unit vector of the belt's motion, or (0, 0) when unknown. */
static void
belt_axis(PtBeltDirection direction, double *ax, double *ay)
{
  static const double axes[][2] = {{0, 0}, {1, 0}, {-1, 0}, {0, 1}, {0, -1}};

  *ax = axes[direction][0];
  *ay = axes[direction][1];
}

/* Distance from @t's predicted position to @f, or a negative value when @f lies outside the
 * gate.  A fruit moves less than its own radius between graded frames on any belt worth
 * grading, so the gate is a share of the radius: wide ahead of the fruit before its speed is
 * known, narrow around the prediction after. */
static double
match_cost(const PtFruitTracker *tracker, const Track *t, const PtFruit *f)
{
  double steps = t->missed + 1;
  double px = t->cx + t->vx * steps, py = t->cy + t->vy * steps;
  double dx = f->cx - px, dy = f->cy - py;
  double dist = hypot(dx, dy);
  double r = MAX(t->radius, 0.5 * MAX(f->width, f->height));
  double ax, ay;

  belt_axis(tracker->options.direction, &ax, &ay);
  if (ax == 0 && ay == 0)
    return dist <= (t->moving ? 0.6 : 1.0) * r * steps ? dist : -1;
  {
    double along = dx * ax + dy * ay;
    double across = fabs(dx * ay - dy * ax);
    double ahead = (t->moving ? 0.6 : 1.2) * r * steps;

    if (along < -0.35 * r || along > ahead || across > 0.5 * r)
      return -1;
  }
  return dist;
}

typedef struct {
  double cost;
  guint track, fruit;
} Pair;

static int
cmp_pair(const void *a, const void *b)
{
  const Pair *p = a, *q = b;

  if (p->cost != q->cost)
    return p->cost < q->cost ? -1 : 1;
  if (p->track != q->track)
    return p->track < q->track ? -1 : 1;
  return p->fruit < q->fruit ? -1 : (p->fruit > q->fruit ? 1 : 0);
}

/* A track whose prediction has left the frame by more than the fruit's radius is gone. */
static gboolean
left_frame(const Track *t, const PtFrame *frame)
{
  double steps = t->missed + 1;
  double px = t->cx + t->vx * steps, py = t->cy + t->vy * steps;

  return frame != NULL && (px < -t->radius || py < -t->radius || px > frame->width + t->radius ||
                           py > frame->height + t->radius);
}

void
pt_fruit_tracker_push(PtFruitTracker *tracker, const PtFrame *frame, const PtGradeResult *result,
                      gint64 ts, guint64 *ids_out, GPtrArray *finished)
{
  guint n_fruit = result != NULL ? result->n_fruit : 0;
  guint n_pairs = 0;
  g_autofree Pair *pairs = g_new(Pair, (gsize)MAX(1, tracker->n_tracks * n_fruit));
  g_autofree gboolean *fruit_taken = g_new0(gboolean, MAX(1, n_fruit));
  gboolean track_taken[PT_TRACK_MAX_OPEN] = {FALSE};
  guint kept = 0;

  for (guint i = 0; i < tracker->n_tracks; i++) {
    for (guint j = 0; j < n_fruit; j++) {
      double cost = match_cost(tracker, tracker->tracks[i], &result->fruit[j]);

      if (cost >= 0)
        pairs[n_pairs++] = (Pair){cost, i, j};
    }
  }
  qsort(pairs, n_pairs, sizeof *pairs, cmp_pair);
  for (guint k = 0; k < n_pairs; k++) {
    Track *t = tracker->tracks[pairs[k].track];
    const PtFruit *f = &result->fruit[pairs[k].fruit];
    double steps = t->missed + 1;
    double vx = (f->cx - t->cx) / steps, vy = (f->cy - t->cy) / steps;

    if (track_taken[pairs[k].track] || fruit_taken[pairs[k].fruit])
      continue;
    track_taken[pairs[k].track] = TRUE;
    fruit_taken[pairs[k].fruit] = TRUE;
    /* Smooth the speed: one view's centroid jitters with the silhouette. */
    t->vx = t->moving ? 0.5 * (t->vx + vx) : vx;
    t->vy = t->moving ? 0.5 * (t->vy + vy) : vy;
    t->moving = TRUE;
    track_add_view(tracker, t, frame, f, ts);
    if (ids_out != NULL)
      ids_out[pairs[k].fruit] = t->id;
  }

  /* End the tracks not seen for too long, keeping the others in order of first sight. */
  for (guint i = 0; i < tracker->n_tracks; i++) {
    Track *t = tracker->tracks[i];

    if (!track_taken[i] && (++t->missed > tracker->options.max_missed || left_frame(t, frame))) {
      track_finish(tracker, t, finished);
      continue;
    }
    tracker->tracks[kept++] = t;
  }
  tracker->n_tracks = kept;

  for (guint j = 0; j < n_fruit; j++) {
    Track *t;

    if (fruit_taken[j])
      continue;
    if (tracker->n_tracks == PT_TRACK_MAX_OPEN) {
      /* More fruit than the tracker follows means the segmentation fell apart; the oldest
       * track makes room rather than memory growing. */
      track_finish(tracker, tracker->tracks[0], finished);
      memmove(tracker->tracks, tracker->tracks + 1,
              (PT_TRACK_MAX_OPEN - 1) * sizeof tracker->tracks[0]);
      tracker->n_tracks--;
    }
    t = g_new0(Track, 1);
    t->id = tracker->next_id++;
    t->first_ts = ts;
    track_add_view(tracker, t, frame, &result->fruit[j], ts);
    tracker->tracks[tracker->n_tracks++] = t;
    if (ids_out != NULL)
      ids_out[j] = t->id;
  }
}

PtGradeResult *
pt_fruit_tracker_grade(PtFruitTracker *tracker, PtGrader *grader, const PtFrame *frame,
                       const PtRoi *rois, guint n_rois, gint64 ts, guint64 *ids_out,
                       GPtrArray *finished, GError **error)
{
  PtGradeResult *result = pt_grader_grade(grader, frame, rois, n_rois, error);

  if (result != NULL)
    pt_fruit_tracker_push(tracker, frame, result, ts, ids_out, finished);
  return result;
}

void
pt_fruit_tracker_flush(PtFruitTracker *tracker, GPtrArray *finished)
{
  for (guint i = 0; i < tracker->n_tracks; i++)
    track_finish(tracker, tracker->tracks[i], finished);
  tracker->n_tracks = 0;
}
