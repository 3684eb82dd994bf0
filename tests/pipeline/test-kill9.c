/* test-kill9.c: a recorder child process is killed with SIGKILL in the middle of a 60 s
 * segment.  The file it leaves is probed like the station does at start-up: readable, at
 * least 90% of the frames produced more than 2 s before the kill decode, and the repair
 * remuxes it into a closed file that probes intact afterwards. */
#include "pt-test-util.h"

#include <gio/gio.h>
#include <stdlib.h>

#define FPS       25
#define RECORD_NS (5 * GST_SECOND)

typedef struct {
  char *out_path;
  gint64 start_ns;
  char *segment;
} Child;

static gboolean
child_opened(gpointer data)
{
  Child *c = data;
  g_autofree char *text = NULL;
  g_auto(GStrv) lines = NULL;

  if (c->segment != NULL) /* pt_test_wait() asks once more after the wait */
    return TRUE;

  if (!g_file_get_contents(c->out_path, &text, NULL, NULL))
    return FALSE;
  lines = g_strsplit(text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++) {
    g_auto(GStrv) f = g_strsplit(lines[i], " ", 3);

    if (g_strv_length(f) == 3 && g_strcmp0(f[0], "OPENED") == 0) {
      c->start_ns = g_ascii_strtoll(f[1], NULL, 10);
      c->segment = g_strdup(f[2]);
      return TRUE;
    }
  }
  return FALSE;
}

int
main(int argc, char **argv)
{
  const char *recorder = g_getenv("PT_TEST_RECORDER");
  g_autofree char *root = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) child = NULL;
  g_autofree char *sha = NULL;
  Child c = {0};
  PtSegmentProbe probe, again;
  gint64 kill_at, expected;
  guint64 bytes = 0;

  pt_test_init(&argc, &argv, "videotestsrc", "x264enc", NULL);
  PT_CHECK(recorder != NULL, "PT_TEST_RECORDER not set");
  root = pt_test_tmpdir("kill9");
  c.out_path = g_build_filename(root, "events.txt", NULL);
  launcher = g_subprocess_launcher_new(G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_stdout_file_path(launcher, c.out_path);
  child = g_subprocess_launcher_spawn(launcher, &error, recorder, root, "60000", "320", "240",
                                      G_STRINGIFY(FPS), NULL);
  PT_CHECK(child != NULL, "%s", error ? error->message : "");
  PT_CHECK(pt_test_wait(child_opened, &c, 10000), "the recorder opened no segment");
  while (g_get_real_time() * 1000 < c.start_ns + (gint64)RECORD_NS)
    g_usleep(10000);
  kill_at = g_get_real_time() * 1000;
  g_subprocess_force_exit(child); /* SIGKILL */
  PT_CHECK(g_subprocess_wait(child, NULL, &error), "%s", error ? error->message : "");
  PT_CHECK(g_subprocess_get_if_signaled(child) && g_subprocess_get_term_sig(child) == SIGKILL,
           "the recorder was not killed");

  expected = (kill_at - 2 * GST_SECOND - c.start_ns) * FPS / GST_SECOND;
  PT_CHECK(
      pt_segment_probe(c.segment, c.start_ns, PT_PROBE_DECODE | PT_PROBE_REPAIR, &probe, &error),
      "%s", error ? error->message : "");
  g_print("killed after %.2f s: %s, %" G_GUINT64_FORMAT " frames decode, %" G_GINT64_FORMAT
          " produced more than 2 s before the kill (%s)\n",
          (kill_at - c.start_ns) / 1e9, pt_segment_verdict_to_string(probe.verdict),
          probe.decoded_frames, expected, probe.reason ? probe.reason : "");
  PT_CHECK(probe.verdict == PT_SEGMENT_REPAIRED, "verdict %s",
           pt_segment_verdict_to_string(probe.verdict));
  PT_CHECK(expected > 50 && probe.decoded_frames * 10 >= (guint64)expected * 9,
           "only %" G_GUINT64_FORMAT " of %" G_GINT64_FORMAT " frames decode", probe.decoded_frames,
           expected);
  PT_CHECK(probe.end_ns > c.start_ns && probe.end_ns <= kill_at, "end %.3f s after start",
           (probe.end_ns - c.start_ns) / 1e9);
  sha = pt_file_sha256(c.segment, &bytes, &error);
  PT_CHECK(sha != NULL && g_strcmp0(sha, probe.sha256) == 0 && bytes == probe.bytes,
           "probe hash does not match the repaired file");

  /* The repaired file is an ordinary closed segment now. */
  PT_CHECK(pt_segment_probe(c.segment, c.start_ns, PT_PROBE_REPAIR, &again, &error), "%s",
           error ? error->message : "");
  PT_CHECK(again.verdict == PT_SEGMENT_INTACT && again.frames == probe.frames,
           "after repair: %s, %" G_GUINT64_FORMAT " frames",
           pt_segment_verdict_to_string(again.verdict), again.frames);
  pt_segment_probe_clear(&again);
  pt_segment_probe_clear(&probe);

  /* A file that never got its first GOP is lost, with a reason. */
  {
    g_autofree char *empty = g_build_filename(root, "empty.mkv", NULL);

    PT_CHECK(g_file_set_contents(empty, "", 0, NULL), "write");
    PT_CHECK(pt_segment_probe(empty, 0, PT_PROBE_REPAIR, &probe, &error), "probe empty");
    PT_CHECK(probe.verdict == PT_SEGMENT_LOST && probe.reason != NULL, "empty file not lost");
    pt_segment_probe_clear(&probe);
  }
  g_free(c.out_path);
  g_free(c.segment);
  pt_test_rmtree(root);
  g_print("ok\n");
  return 0;
}
