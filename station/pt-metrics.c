/* pt-metrics.c: the station's Prometheus series, gathered at scrape time from what already
 * keeps them (station.db, the sync status, the recorder's status, the kernel), so nothing is
 * counted twice and a restart loses no counter that matters (the log, deliveries).
 *
 * Workload: one scrape every 15-60 s; a few indexed SQL reads and a statvfs. */
#include "pt-metrics.h"

#include "pt-clock.h"
#include "pt-limits.h"
#include "pt-prom.h"
#include "pt-store-dash.h"
#include "pt-store-hub-sync.h"
#include "pt-store-metrics.h"
#include "pt-sync-status.h"
#include "pt-time.h"

#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

static void
render_log(const PtStoreLogCounts *log, const PtPrintSummary *print, GString *out)
{
  pt_prom_family(out, "packtrace_events_total", "counter", "Signed events in the station log.");
  pt_prom_sample(out, "packtrace_events_total", (double)log->events, NULL);
  pt_prom_family(out, "packtrace_batches", "gauge", "Batches by status.");
  pt_prom_sample(out, "packtrace_batches", (double)log->active, "status", "active", NULL);
  pt_prom_sample(out, "packtrace_batches", (double)log->held, "status", "held", NULL);
  pt_prom_sample(out, "packtrace_batches", (double)log->recalled, "status", "recalled", NULL);
  pt_prom_family(out, "packtrace_print_jobs", "gauge", "Label print jobs by state.");
  const struct {
    const char *state;
    gint64 n;
  } jobs[] = {{"queued", print->queued - print->retrying},
              {"retrying", print->retrying},
              {"printing", print->printing},
              {"done", print->done},
              {"failed", print->failed},
              {"cancelled", print->cancelled}};
  for (gsize i = 0; i < G_N_ELEMENTS(jobs); i++)
    pt_prom_sample(out, "packtrace_print_jobs", (double)jobs[i].n, "state", jobs[i].state, NULL);
}

static double
member_number(json_t *object, const char *key)
{
  json_t *v = json_object_get(object, key);
  return json_is_number(v) ? json_number_value(v) : 0.0;
}

static void
render_sync(json_t *status, GString *out)
{
  json_t *connectors = json_object_get(status, "connectors");
  static const struct {
    const char *member, *name, *type, *help;
  } series[] = {
      {"pending", "packtrace_sync_pending", "gauge", "Events waiting to be sent, per connector."},
      {"in_flight", "packtrace_sync_in_flight", "gauge", "Events being sent, per connector."},
      {"failed", "packtrace_sync_failed", "gauge",
       "Events whose last attempt failed and that will be retried, per connector."},
      {"quarantined", "packtrace_sync_quarantined", "gauge",
       "Events a platform refused on their own, set aside with an alert, per connector."},
      {"delivered", "packtrace_sync_delivered_total", "counter",
       "Events delivered, per connector."},
      {"oldest_pending_age_s", "packtrace_sync_oldest_pending_age_seconds", "gauge",
       "Age of the oldest event not yet delivered (0 when none), per connector."},
  };
  for (gsize k = 0; k < G_N_ELEMENTS(series); k++) {
    pt_prom_family(out, series[k].name, series[k].type, series[k].help);
    size_t i;
    json_t *c;
    json_array_foreach(connectors, i, c)
    {
      pt_prom_sample(out, series[k].name, member_number(c, series[k].member), "connector",
                     json_string_value(json_object_get(c, "name")), "type",
                     json_string_value(json_object_get(c, "type")), NULL);
    }
  }
  pt_prom_family(out, "packtrace_sync_last_success_timestamp_seconds", "gauge",
                 "When a connector last delivered (Unix time; absent before the first).");
  size_t i;
  json_t *c;
  json_array_foreach(connectors, i, c)
  {
    gint64 ns = 0;
    const char *last_ok = json_string_value(json_object_get(c, "last_ok"));
    if (last_ok && pt_time_parse(last_ok, &ns, NULL))
      pt_prom_sample(out, "packtrace_sync_last_success_timestamp_seconds", (double)ns / 1e9,
                     "connector", json_string_value(json_object_get(c, "name")), "type",
                     json_string_value(json_object_get(c, "type")), NULL);
  }
}

static void
render_cameras(json_t *status, GString *out)
{
  json_t *cameras = json_object_get(status, "cameras");
  size_t i;
  json_t *cam;
  pt_prom_family(out, "packtrace_camera_recording", "gauge",
                 "1 while a camera records, 0 otherwise (see packtrace_camera_state).");
  json_array_foreach(cameras, i, cam)
  {
    pt_prom_sample(out, "packtrace_camera_recording",
                   g_strcmp0(json_string_value(json_object_get(cam, "state")), "recording") == 0,
                   "camera", json_string_value(json_object_get(cam, "name")), "role",
                   json_string_value(json_object_get(cam, "role")), NULL);
  }
  pt_prom_family(out, "packtrace_camera_state", "gauge", "A camera's state, as a label.");
  json_array_foreach(cameras, i, cam)
  {
    pt_prom_sample(out, "packtrace_camera_state", 1, "camera",
                   json_string_value(json_object_get(cam, "name")), "state",
                   json_string_value(json_object_get(cam, "state")), NULL);
  }
  pt_prom_family(out, "packtrace_camera_alert", "gauge",
                 "1 while a camera has an alert (stalled, gapped, failing), 0 otherwise.");
  json_array_foreach(cameras, i, cam)
  {
    pt_prom_sample(out, "packtrace_camera_alert", !json_is_null(json_object_get(cam, "alert")),
                   "camera", json_string_value(json_object_get(cam, "name")), NULL);
  }
  pt_prom_family(out, "packtrace_camera_restarts_total", "counter",
                 "Pipeline restarts of a camera since the station started.");
  json_array_foreach(cameras, i, cam)
  {
    pt_prom_sample(out, "packtrace_camera_restarts_total", member_number(cam, "restarts"), "camera",
                   json_string_value(json_object_get(cam, "name")), NULL);
  }
  static const char *const qr[] = {"read", "loaded", "foreign", "malformed", "refused"};
  pt_prom_family(out, "packtrace_loading_codes_total", "counter",
                 "Codes a loading camera read, by what became of them.");
  json_array_foreach(cameras, i, cam)
  {
    if (!json_object_get(cam, "qr_read"))
      continue;
    for (gsize k = 0; k < G_N_ELEMENTS(qr); k++) {
      g_autofree char *member = g_strconcat("qr_", qr[k], NULL);
      pt_prom_sample(out, "packtrace_loading_codes_total", member_number(cam, member), "camera",
                     json_string_value(json_object_get(cam, "name")), "result", qr[k], NULL);
    }
  }
  json_t *grading = json_object_get(status, "grading");
  if (!json_is_object(grading))
    return;
  pt_prom_family(out, "packtrace_grading_frames_total", "counter",
                 "Frames the grading camera handed to the grader, graded, and dropped (grader "
                 "busy).");
  pt_prom_sample(out, "packtrace_grading_frames_total", member_number(grading, "frames_received"),
                 "result", "received", NULL);
  pt_prom_sample(out, "packtrace_grading_frames_total", member_number(grading, "frames_graded"),
                 "result", "graded", NULL);
  pt_prom_sample(out, "packtrace_grading_frames_total", member_number(grading, "frames_dropped"),
                 "result", "dropped", NULL);
  pt_prom_family(out, "packtrace_grading_fruit_total", "counter", "Fruit graded and recorded.");
  pt_prom_sample(out, "packtrace_grading_fruit_total", member_number(grading, "fruit_recorded"),
                 NULL);
}

static void
render_disk(const char *dir, gint64 recorded_bytes, GString *out)
{
  struct statvfs fs;
  if (statvfs(dir, &fs) == 0) {
    double frsize = (double)fs.f_frsize;
    pt_prom_family(out, "packtrace_data_filesystem_size_bytes", "gauge",
                   "Size of the file system holding the data directory.");
    pt_prom_sample(out, "packtrace_data_filesystem_size_bytes", frsize * (double)fs.f_blocks, NULL);
    pt_prom_family(out, "packtrace_data_filesystem_avail_bytes", "gauge",
                   "Bytes the station may still write there.");
    pt_prom_sample(out, "packtrace_data_filesystem_avail_bytes", frsize * (double)fs.f_bavail,
                   NULL);
    pt_prom_family(out, "packtrace_data_filesystem_files", "gauge", "Inodes of that file system.");
    pt_prom_sample(out, "packtrace_data_filesystem_files", (double)fs.f_files, NULL);
    pt_prom_family(out, "packtrace_data_filesystem_files_free", "gauge",
                   "Inodes still free there.");
    pt_prom_sample(out, "packtrace_data_filesystem_files_free", (double)fs.f_favail, NULL);
  }
  pt_prom_family(out, "packtrace_recordings_bytes", "gauge",
                 "Bytes of closed camera segments kept (retention removes the oldest).");
  pt_prom_sample(out, "packtrace_recordings_bytes", (double)recorded_bytes, NULL);
}

/* The process series every Prometheus client library exports, from /proc. */
static void
render_process(GString *out)
{
  double ticks = (double)sysconf(_SC_CLK_TCK);
  g_autofree char *stat = NULL;
  if (g_file_get_contents("/proc/self/stat", &stat, NULL, NULL)) {
    /* Fields after the command's closing parenthesis: state is field 3; utime 14, stime 15,
     * starttime 22. */
    const char *rest = strrchr(stat, ')');
    g_auto(GStrv) f = rest ? g_strsplit(rest + 2, " ", 0) : NULL;
    if (f && g_strv_length(f) > 19) {
      double cpu = (g_ascii_strtod(f[11], NULL) + g_ascii_strtod(f[12], NULL)) / ticks;
      pt_prom_family(out, "process_cpu_seconds_total", "counter",
                     "User and system CPU time spent, in seconds.");
      pt_prom_sample(out, "process_cpu_seconds_total", cpu, NULL);
      g_autofree char *proc_stat = NULL;
      const char *btime = NULL;
      if (g_file_get_contents("/proc/stat", &proc_stat, NULL, NULL) &&
          (btime = strstr(proc_stat, "\nbtime "))) {
        double start = g_ascii_strtod(btime + 7, NULL) + g_ascii_strtod(f[19], NULL) / ticks;
        pt_prom_family(out, "process_start_time_seconds", "gauge",
                       "Start time of the process since the Unix epoch, in seconds.");
        pt_prom_sample(out, "process_start_time_seconds", start, NULL);
      }
    }
  }
  g_autofree char *statm = NULL;
  if (g_file_get_contents("/proc/self/statm", &statm, NULL, NULL)) {
    g_auto(GStrv) f = g_strsplit(statm, " ", 0);
    if (g_strv_length(f) > 1) {
      pt_prom_family(out, "process_resident_memory_bytes", "gauge",
                     "Resident memory size in bytes.");
      pt_prom_sample(out, "process_resident_memory_bytes",
                     g_ascii_strtod(f[1], NULL) * (double)sysconf(_SC_PAGESIZE), NULL);
    }
  }
  g_autoptr(GDir) fds = g_dir_open("/proc/self/fd", 0, NULL);
  if (fds) {
    guint n = 0;
    while (g_dir_read_name(fds))
      n++;
    pt_prom_family(out, "process_open_fds", "gauge", "Number of open file descriptors.");
    pt_prom_sample(out, "process_open_fds", n, NULL);
  }
}

gboolean
pt_metrics_render(PtStation *station, PtStore *store, PtRecorder *recorder, GString *out,
                  GError **error)
{
  PtStoreLogCounts log;
  PtPrintSummary print = {0};
  gint64 recorded = 0;
  if (!pt_store_log_counts(store, &log, error) || !pt_store_print_summary(store, &print, error) ||
      !pt_store_recorded_bytes(store, &recorded, error))
    return FALSE;
  pt_prom_family(out, "packtrace_build_info", "gauge", "The station's id and program version.");
  pt_prom_sample(out, "packtrace_build_info", 1, "version", PACKTRACE_VERSION, "station_id",
                 station->config->station_id, NULL);
  render_log(&log, &print, out);
  json_t *sync = pt_sync_status_json(station->config, station->dir, store, NULL, error);
  if (!sync)
    return FALSE;
  render_sync(sync, out);
  json_decref(sync);
  if (recorder) {
    json_t *cameras = pt_recorder_status(recorder);
    render_cameras(cameras, out);
    json_decref(cameras);
  }
  render_disk(station->dir, recorded, out);
  PtClockStatus clock;
  pt_clock_status(&clock);
  pt_prom_family(out, "packtrace_clock_synchronized", "gauge",
                 "1 while a time service keeps the system clock synchronised (adjtimex), else 0.");
  pt_prom_sample(out, "packtrace_clock_synchronized", clock.synchronised, NULL);
  pt_prom_family(out, "packtrace_clock_max_error_seconds", "gauge",
                 "The kernel's bound on the system clock's error.");
  pt_prom_sample(out, "packtrace_clock_max_error_seconds", clock.max_error_s, NULL);
  g_autoptr(GPtrArray) hubs = pt_store_hub_clocks(store, error);
  if (!hubs)
    return FALSE;
  pt_prom_family(out, "packtrace_clock_hub_skew_seconds", "gauge",
                 "A co-op hub's clock minus the station's, from the Date of its last answers.");
  for (guint i = 0; i < hubs->len; i++) {
    const PtHubClock *h = hubs->pdata[i];
    pt_prom_sample(out, "packtrace_clock_hub_skew_seconds", h->skew_ms / 1000.0, "connector",
                   h->connector, NULL);
  }
  render_process(out);
  return TRUE;
}
