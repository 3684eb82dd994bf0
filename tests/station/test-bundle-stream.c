/* test-bundle-stream.c: verify reads a bundle as it checks it (pt-bundle-verify.c,
 * pt-json-scan.h).  A file verifies as the same bytes in memory do, across the chunks it is
 * checked in and with redacted events; a change in the middle of a long bundle is named; the
 * reader's file window gives the bytes memory gives at every size, down to one byte; and
 * `packtrace verify` keeps the same peak memory for 1,000 and 12,000 events. */
#include "pt-bundle.h"
#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-json-scan.h"
#include "pt-limits.h"
#include "pt-test-station.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <fcntl.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

/* A batch of @n events: commissioning, then inspecting events in transactions of 1,000, every
 * 50th with an operator's note (withheld from the public view, so redacted there). */
static PtBatch *
long_batch(PtTestStation *ts, int n)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec = {.product = "Kiwi", .gtin = "09506000134352", .pack_date = "2026-11-25"};
  g_autoptr(PtBatch) b = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_assert_no_error(error);
  for (int i = 1; i < n; i += 1000) {
    g_assert_true(pt_store_begin(ts->store, &error));
    for (int j = i; j < n && j < i + 1000; j++) {
      gint64 t = pt_now_ns();
      json_t *ev = pt_epcis_event_new(ts->station->config, b, "inspecting", t, 0, NULL);
      json_object_set_new(ev, "disposition", json_string("conformant"));
      if (j % 50 == 0)
        json_object_set_new(ev, "pt:note", json_string("a bruise on one tray"));
      g_assert_true(
          pt_trace_append(ts->store, ts->station->keys, b->id, "inspecting", t, ev, NULL, &error));
      json_decref(ev);
    }
    g_assert_true(pt_store_commit(ts->store, &error));
  }
  return pt_store_batch_get(ts->store, b->id, &error);
}

static char *
export_text(PtTestStation *ts, PtBatch *b, PtBundleView view, gsize *len)
{
  g_autoptr(GError) error = NULL;
  char *text = pt_trace_bundle(ts->store, ts->station->config, ts->station->keys, b, view, NULL,
                               len, &error);
  g_assert_no_error(error);
  return text;
}

/* Writes @text to a file of @ts's folder and opens it. */
static int
file_of(PtTestStation *ts, const char *name, const char *text, gsize len)
{
  g_autofree char *path = g_build_filename(ts->dir, name, NULL);
  g_assert_true(g_file_set_contents(path, text, (gssize)len, NULL));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  g_assert_cmpint(fd, >=, 0);
  return fd;
}

/* The error of verifying @text from a file (NULL when valid). */
static GError *
verify_file(PtTestStation *ts, const char *text, gsize len)
{
  int fd = file_of(ts, "check.json", text, len);
  PtVerifyResult result;
  GError *error = NULL;
  if (pt_bundle_verify_fd(fd, ts->station->keys->public_key, FALSE, &result, &error))
    pt_verify_result_clear(&result);
  close(fd);
  return error;
}

/* Three chunks and a part, full and public (redacted every 50th event): the file verifies as
 * memory does, with the same Event Hash IDs in the same order. */
static void
test_file_verifies_as_memory(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  int n = 3 * PT_VERIFY_CHUNK + 17;
  g_autoptr(PtBatch) b = long_batch(ts, n);
  for (int v = 0; v < 2; v++) {
    gsize len = 0;
    g_autofree char *text = export_text(ts, b, v ? PT_BUNDLE_PUBLIC : PT_BUNDLE_FULL, &len);
    g_autoptr(GError) error = NULL;
    PtVerifyResult mem, file, lean;
    g_assert_true(pt_bundle_verify(text, len, ts->station->keys->public_key, &mem, &error));
    int fd = file_of(ts, "b.json", text, len);
    g_assert_true(pt_bundle_verify_fd(fd, ts->station->keys->public_key, TRUE, &file, &error));
    g_assert_no_error(error);
    g_assert_cmpint(file.n_events, ==, n);
    g_assert_cmpuint(file.hash_ids->len, ==, (guint)n);
    for (int i = 0; i < n; i++)
      g_assert_cmpstr(file.hash_ids->pdata[i], ==, mem.hash_ids->pdata[i]);
    /* Redacted events give "" (no signature covers their claimed ID). */
    g_assert_cmpstr(file.hash_ids->pdata[50], ==, v ? "" : mem.hash_ids->pdata[50]);
    /* Without the IDs nothing grows with the bundle. */
    g_assert_true(pt_bundle_verify_fd(fd, NULL, FALSE, &lean, &error));
    g_assert_null(lean.hash_ids);
    close(fd);
    pt_verify_result_clear(&mem);
    pt_verify_result_clear(&file);
    pt_verify_result_clear(&lean);
  }
}

/* Changes the first occurrence of @needle after the eventID of the event after the first
 * @n_events_before to @repl (of the same length): "eventTime" follows "eventID" in the
 * canonical order. */
static void
change_event(char *text, gsize n_events_before, const char *needle, const char *repl)
{
  char *at = text;
  for (gsize i = 0; i <= n_events_before; i++) {
    at = strstr(at + 1, "\"eventID\":\"urn:uuid:");
    g_assert_nonnull(at);
  }
  char *hit = strstr(at, needle);
  g_assert_nonnull(hit);
  g_assert_cmpuint(strlen(needle), ==, strlen(repl));
  memcpy(hit, repl, strlen(repl));
}

/* One changed event in the middle of a long bundle (the first of a chunk, and one inside
 * another chunk) is named by its place, from a file as from memory. */
static void
test_middle_event_named(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = long_batch(ts, 3 * PT_VERIFY_CHUNK);
  gsize len = 0;
  g_autofree char *orig = export_text(ts, b, PT_BUNDLE_FULL, &len);
  const gsize places[] = {PT_VERIFY_CHUNK, PT_VERIFY_CHUNK + PT_VERIFY_CHUNK / 2 + 3};
  for (gsize k = 0; k < G_N_ELEMENTS(places); k++) {
    g_autofree char *text = g_memdup2(orig, len);
    change_event(text, places[k], "\"eventTime\":\"20", "\"eventTime\":\"19");
    g_autofree char *named = g_strdup_printf("event %zu (", places[k] + 1);
    g_autoptr(GError) file = verify_file(ts, text, len);
    g_assert_error(file, PT_ERROR, PT_ERROR_TAMPERED);
    g_assert_nonnull(strstr(file->message, named));
    g_assert_nonnull(strstr(file->message, "content does not match its hash"));
    PtVerifyResult result;
    g_autoptr(GError) mem = NULL;
    g_assert_false(pt_bundle_verify(text, len, NULL, &result, &mem));
    g_assert_cmpstr(mem->message, ==, file->message);
  }
  /* An event that is not JSON is named as malformed, whether its structure breaks (found by
   * the first pass) or only its content (a bad escape, found by jansson). */
  const char *breaks[] = {"\"eventTime\"!\"20", "\"eventTime\":\"\\q"};
  for (gsize k = 0; k < G_N_ELEMENTS(breaks); k++) {
    g_autofree char *broken = g_memdup2(orig, len);
    change_event(broken, PT_VERIFY_CHUNK + 9, "\"eventTime\":\"20", breaks[k]);
    g_autoptr(GError) error = verify_file(ts, broken, len);
    g_assert_error(error, PT_ERROR, PT_ERROR_MALFORMED);
    g_autofree char *named = g_strdup_printf("event %d", PT_VERIFY_CHUNK + 10);
    if (!strstr(error->message, named))
      g_error("expected '%s' in: %s", named, error->message);
  }
}

/* The file window gives the bytes memory gives at every size, whatever straddles a refill:
 * the whole bundle skipped, then each event read as a value. */
static void
test_windows_agree(void)
{
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) b = long_batch(ts, 120);
  gsize len = 0;
  g_autofree char *text = export_text(ts, b, PT_BUNDLE_PUBLIC, &len);
  int fd = file_of(ts, "w.json", text, len);
  const char *list = strstr(text, "\"eventList\":[") + strlen("\"eventList\":");
  const gsize windows[] = {1, 2, 3, 7, 64, 1000, PT_JSON_SCAN_WINDOW};
  for (gsize w = 0; w < G_N_ELEMENTS(windows); w++) {
    g_autoptr(PtJsonScan) file = pt_json_scan_new_fd(fd, windows[w]);
    g_autoptr(PtJsonScan) mem = pt_json_scan_new_mem(text, len);
    g_autoptr(GError) error = NULL;
    g_assert_true(pt_json_scan_skip(file, NULL, &error));
    g_assert_cmpint(pt_json_scan_offset(file), ==, (goffset)len);
    g_assert_cmpint(pt_json_scan_peek(file), ==, -1);
    pt_json_scan_seek(file, list - text);
    pt_json_scan_seek(mem, list - text);
    g_assert_true(pt_json_scan_expect(file, '[', &error));
    g_assert_true(pt_json_scan_expect(mem, '[', &error));
    gboolean more = TRUE;
    gsize n = 0;
    for (gboolean first = TRUE;; first = FALSE) {
      gboolean mem_more = FALSE;
      g_assert_true(pt_json_scan_more(file, ']', first, &more, &error));
      g_assert_true(pt_json_scan_more(mem, ']', first, &mem_more, &error));
      g_assert_cmpint(more, ==, mem_more);
      if (!more)
        break;
      gsize a_len = 0, b_len = 0;
      const char *a = pt_json_scan_value(file, PT_BUNDLE_EVENT_MAX, &a_len, &error);
      g_assert_no_error(error);
      g_autofree char *kept = g_memdup2(a, a_len);
      const char *m = pt_json_scan_value(mem, PT_BUNDLE_EVENT_MAX, &b_len, &error);
      g_assert_no_error(error);
      g_assert_cmpmem(kept, a_len, m, b_len);
      n++;
    }
    g_assert_cmpuint(n, ==, 120 - 2); /* the 50th and 100th are withheld */
    /* A value over its bound is refused, not grown into. */
    gsize list_len = 0;
    pt_json_scan_seek(file, list - text);
    g_assert_null(pt_json_scan_value(file, 100, &list_len, &error));
    g_assert_error(error, PT_ERROR, PT_ERROR_TOO_LARGE);
  }
  close(fd);
}

/* Peak resident memory of `packtrace verify` on @text, in kB, by /usr/bin/time (a child of
 * this process would count this process's pages). */
static double
verify_peak_kb(PtTestStation *ts, const char *text, gsize len)
{
  g_autofree char *path = g_build_filename(ts->dir, "peak.json", NULL);
  g_autofree char *report = g_build_filename(ts->dir, "time.txt", NULL);
  g_autofree char *bin =
      g_build_filename(g_getenv("PACKTRACE_BUILD"), "station", "packtrace", NULL);
  g_assert_true(g_file_set_contents(path, text, (gssize)len, NULL));
  const char *argv[] = {"/usr/bin/time", "-f", "%M", "-o", report, bin, "verify", path, NULL};
  int status = 0;
  g_autoptr(GError) error = NULL;
  g_assert_true(g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                             NULL, NULL, &status, &error));
  g_assert_no_error(error);
  g_assert_true(g_spawn_check_wait_status(status, NULL));
  g_autofree char *kb = NULL;
  g_assert_true(g_file_get_contents(report, &kb, NULL, NULL));
  return g_ascii_strtod(kb, NULL);
}

/* 12,000 events need no more memory to verify than 1,000: a reader that held the bundle, or
 * its tree, would need at least the megabytes that the bundle grows by. */
static void
test_memory_flat(void)
{
  if (!g_file_test("/usr/bin/time", G_FILE_TEST_IS_EXECUTABLE)) {
    g_test_skip("/usr/bin/time is not installed");
    return;
  }
#if defined(__SANITIZE_ADDRESS__)
  /* ASan keeps freed memory in quarantine (256 MB by default): the peak is ASan's, not the
   * reader's.  The plain build measures it. */
  g_test_skip("built with AddressSanitizer: its quarantine, not the program, sets the peak");
  return;
#endif
  g_autoptr(PtTestStation) ts = pt_test_station_new();
  g_autoptr(PtBatch) small = long_batch(ts, 1000);
  g_autoptr(PtBatch) big = long_batch(ts, 12000);
  gsize small_len = 0, big_len = 0;
  g_autofree char *small_text = export_text(ts, small, PT_BUNDLE_FULL, &small_len);
  g_autofree char *big_text = export_text(ts, big, PT_BUNDLE_FULL, &big_len);
  g_assert_cmpuint(big_len, >, small_len + 8 * 1024 * 1024);
  double small_kb = verify_peak_kb(ts, small_text, small_len);
  double big_kb = verify_peak_kb(ts, big_text, big_len);
  g_test_message("packtrace verify peak RSS: %.0f kB (1,000 events), %.0f kB (12,000)", small_kb,
                 big_kb);
  g_assert_cmpfloat(big_kb, <, small_kb + 4 * 1024);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
  g_assert_cmpint(sodium_init(), >=, 0);
  g_test_add_func("/bundle-stream/file-as-memory", test_file_verifies_as_memory);
  g_test_add_func("/bundle-stream/middle-event-named", test_middle_event_named);
  g_test_add_func("/bundle-stream/windows-agree", test_windows_agree);
  g_test_add_func("/bundle-stream/memory-flat", test_memory_flat);
  return g_test_run();
}
