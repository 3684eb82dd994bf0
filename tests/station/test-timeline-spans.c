/* test-timeline-spans.c: the recorded spans GET /api/v1/timeline draws from the segments
 * table (pt_timeline_day ()): segments less than a second apart are one span, the segment
 * being written is a span recording up to now, and a segment the muxer never finalized,
 * open while its recovery probes it after the camera has moved on to a newer one, is not
 * drawn at all until the probe has said what it holds: not as footage recording up to now,
 * not as the end of the span before it.  Once recovered it joins its span; once lost it
 * breaks it and is listed with the gaps. */
#include "pt-store-video.h"
#include "pt-test-station.h"
#include "pt-timeline.h"

#include <jansson.h>

#define S  G_GINT64_CONSTANT(1000000000)
#define T0 (G_GINT64_CONSTANT(1796600000) * S)

static PtTestStation *
station_with_camera(void)
{
  PtTestStation *ts = pt_test_station_new();
  g_autoptr(GError) error = NULL;
  g_autofree char *ini = g_build_filename(ts->dir, "station.ini", NULL);
  GKeyFile *kf = ts->station->config->keyfile;

  g_key_file_set_string(kf, "camera cam1", "role", "picking");
  g_key_file_set_string(kf, "camera cam1", "source", "test");
  g_key_file_save_to_file(kf, ini, &error);
  g_assert_no_error(error);
  return ts;
}

static void
segment(PtTestStation *ts, int k, gint64 start, gint64 end, const char *state)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *path = g_strdup_printf("/recordings/cam1/%d.mkv", k);

  if (state == NULL)
    g_assert_true(pt_store_segment_open(ts->store, "cam1", path, start, &error));
  else
    g_assert_true(pt_store_segment_finish(ts->store, "cam1", path, start, end, 1000,
                                          g_str_equal(state, "lost") ? NULL : "00", state,
                                          g_str_equal(state, "closed") ? NULL : "probed", &error));
  g_assert_no_error(error);
}

/* The spans of the timeline over the hour round T0, at @now, as "from-to:n" in seconds after
 * T0 ("r" after n when still recording), and the count of its gaps of @kind. */
static char *
spans(PtTestStation *ts, gint64 now, const char *kind, guint *n_kind)
{
  g_autoptr(GError) error = NULL;
  json_t *day =
      pt_timeline_day(ts->station, ts->store, "cam1", T0 - 600 * S, T0 + 600 * S, now, &error);
  GString *out = g_string_new(NULL);
  json_t *v;
  size_t i;

  g_assert_no_error(error);
  g_assert_nonnull(day);
  json_array_foreach(json_object_get(day, "spans"), i, v)
  {
    g_string_append_printf(out, "%s%g-%g:%d%s", i ? " " : "",
                           (double)(json_integer_value(json_object_get(v, "from_ns")) - T0) / S,
                           (double)(json_integer_value(json_object_get(v, "to_ns")) - T0) / S,
                           (int)json_integer_value(json_object_get(v, "segments")),
                           json_is_true(json_object_get(v, "recording")) ? "r" : "");
  }
  *n_kind = 0;
  json_array_foreach(json_object_get(day, "gaps"), i, v) *n_kind +=
      g_strcmp0(json_string_value(json_object_get(v, "kind")), kind) == 0;
  json_decref(day);
  return g_string_free(out, FALSE);
}

static void
test_awaiting_recovery(void)
{
  g_autoptr(PtTestStation) ts = station_with_camera();
  g_autoptr(GError) error = NULL;
  char *got;
  guint n;

  segment(ts, 1, T0, T0 + 2 * S, "closed");
  segment(ts, 2, T0 + 2 * S, T0 + 4 * S, "closed");
  /* The camera restarted: its attempt's segment, half a second after the last footage, was
   * not finalized and waits for the probe; the camera records again from T0 + 10 s. */
  segment(ts, 3, T0 + 4 * S + S / 2, 0, NULL);
  g_assert_true(pt_store_gap_insert(ts->store, "cam1", T0 + 4 * S, T0 + 10 * S,
                                    "the source ended its stream", &error));
  g_assert_no_error(error);
  segment(ts, 4, T0 + 10 * S, T0 + 12 * S, "closed");
  segment(ts, 5, T0 + 12 * S, 0, NULL);

  got = spans(ts, T0 + 13 * S, "gap", &n);
  g_assert_cmpstr(got, ==, "0-4:2 10-13:2r");
  g_assert_cmpuint(n, ==, 1);
  g_free(got);

  /* Probed and lost: it breaks the span and is listed. */
  segment(ts, 3, T0 + 4 * S + S / 2, T0 + 4 * S + S / 2, "lost");
  got = spans(ts, T0 + 13 * S, "lost", &n);
  g_assert_cmpstr(got, ==, "0-4:2 10-13:2r");
  g_assert_cmpuint(n, ==, 1);
  g_free(got);
}

static void
test_recovered_joins(void)
{
  g_autoptr(PtTestStation) ts = station_with_camera();
  char *got;
  guint n;

  segment(ts, 1, T0, T0 + 2 * S, "closed");
  segment(ts, 2, T0 + 2 * S + S / 2, 0, NULL);
  segment(ts, 3, T0 + 8 * S, 0, NULL);
  got = spans(ts, T0 + 9 * S, "lost", &n);
  g_assert_cmpstr(got, ==, "0-2:1 8-9:1r");
  g_free(got);
  segment(ts, 2, T0 + 2 * S + S / 2, T0 + 5 * S, "recovered");
  got = spans(ts, T0 + 9 * S, "lost", &n);
  g_assert_cmpstr(got, ==, "0-5:2 8-9:1r");
  g_assert_cmpuint(n, ==, 0);
  g_free(got);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_test_add_func("/timeline/spans/awaiting-recovery", test_awaiting_recovery);
  g_test_add_func("/timeline/spans/recovered-joins", test_recovered_joins);
  return g_test_run();
}
