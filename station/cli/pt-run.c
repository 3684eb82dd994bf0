/* pt-run.c: `packtrace run`, the long-running station: one GLib main loop (buses,
 * timers and the sync worker attach here), the HTTP server and the cameras. */
#include "pt-cli.h"
#include "pt-clock.h"
#include "pt-config.h"
#include "pt-evidence-followup.h"
#include "pt-file.h"
#include "pt-limits.h"
#include "pt-http.h"
#include "pt-pipeline.h"
#include "pt-video-relay.h"
#include "pt-recorder.h"
#include "pt-sd-notify.h"
#include "pt-print-queue.h"
#include "pt-recall-config.h"
#include "pt-sync-notice.h"
#include "pt-sync.h"

#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static gboolean
on_stop_signal(gpointer user_data)
{
  g_main_loop_quit(user_data);
  return G_SOURCE_CONTINUE;
}

/* At start and hourly: a clock no time service disciplines is said in the log (and shown
 * on the dashboard), since every signed time comes from it. */
static gboolean
on_clock_check(gpointer user_data)
{
  PtClockStatus clock;
  pt_clock_status(&clock);
  g_autofree char *alert = pt_clock_alert(&clock);
  if (alert)
    g_warning("%s", alert);
  return G_SOURCE_CONTINUE;
}

int
pt_cmd_run(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  g_autofree char *listen = NULL;
  const GOptionEntry entries[] = {
      {"listen", 0, 0, G_OPTION_ARG_STRING, &listen,
       "Listen address (default from station.ini, 127.0.0.1:8080; port 0 = any free port)",
       "ADDR:PORT"},
      {NULL}};
  int rc = PT_EXIT_OK;
  if (!pt_cli_parse(&argc, &argv, "", "Start the station; SIGINT or SIGTERM stops it cleanly.",
                    entries, &common))
    return PT_EXIT_USAGE;
  g_autofree char *host = NULL;
  guint16 port = 0;
  g_autoptr(GError) error = NULL;
  if (argc != 1) {
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  }
  if (listen && !pt_config_parse_listen(listen, &host, &port, &error)) {
    return pt_cli_usage("%s", error->message);
  }
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  if (!station) {
    return pt_cli_fail(error);
  }
  /* One run per data directory: two would record the same cameras into one folder, recover
   * each other's open segments and deliver the outbox twice.  The lock ends with the process. */
  g_autofree char *lock_path = g_build_filename(station->dir, "run.lock", NULL);
  g_autoptr(GDateTime) started = g_date_time_new_now_utc();
  g_autofree char *started_text = g_date_time_format_iso8601(started);
  g_autofree char *holder =
      g_strdup_printf("packtrace run, pid %d, started %s\n", (int)getpid(), started_text);
  int lock = pt_file_lock(lock_path, holder, &error);
  if (lock < 0) {
    return pt_cli_fail(error);
  }
  /* Open (and migrate) the database once before serving, so a bad database stops
   * the start instead of failing every request. */
  g_autoptr(PtStore) store = pt_station_store(station, &error);
  if (!store) {
    return pt_cli_fail(error); /* the lock goes with the process */
  }
  if (!host) {
    host = g_strdup(station->config->listen_host);
    port = station->config->listen_port;
  }
  /* Missing GStreamer elements disable recording, not the station; a camera section that
   * is wrong stops the start like any other bad setting. */
  g_autoptr(GError) gst_error = NULL;
  if (!pt_pipeline_init(NULL, NULL, &gst_error))
    g_warning("recording disabled: %s", gst_error->message);
  g_autoptr(PtRecorder) recorder =
      pt_recorder_new(station, gst_error ? gst_error->message : NULL, &error);
  if (!recorder) {
    return pt_cli_fail(error);
  }
  signal(SIGPIPE, SIG_IGN);
  PtHttp *http = pt_http_start(station, host, port, &error);
  if (!http) {
    return pt_cli_fail(error);
  }
  pt_http_set_recorder(http, recorder);
  /* Sync attaches to the default main context that the loop below runs. */
  PtSync *sync = pt_sync_start(station->config, station->dir, station->db_path, &error);
  if (!sync) {
    pt_http_stop(http);
    return pt_cli_fail(error);
  }
  /* Recall notices: a thread of their own, so a slow receiver never holds up the loop. */
  PtRecallConfig recall;
  PtNoticeWorker *notices =
      pt_recall_config_read(station->config, &recall, &error)
          ? pt_notice_worker_start(station->config, station->dir, station->db_path, station->keys,
                                   recall.ack_deadline_ns, &error)
          : NULL;
  if (!notices) {
    pt_sync_stop(sync);
    pt_http_stop(http);
    return pt_cli_fail(error);
  }
  g_autoptr(GMainLoop) loop = g_main_loop_new(NULL, FALSE);
  guint sigint = g_unix_signal_add(SIGINT, on_stop_signal, loop);
  guint sigterm = g_unix_signal_add(SIGTERM, on_stop_signal, loop);
  PtPrintWorker *printing = pt_print_worker_start(station);
  gboolean v6 = strchr(host, ':') != NULL;
  g_autofree char *url = g_strdup_printf("%s://%s%s%s:%u", pt_http_tls(http) ? "https" : "http",
                                         v6 ? "[" : "", host, v6 ? "]" : "", pt_http_port(http));
  if (common.json)
    printf("{\"station_id\":\"%s\",\"url\":\"%s\"}\n", station->config->station_id, url);
  else
    printf("station %s listening on %s (Ctrl-C stops)\n", station->config->station_id, url);
  fflush(stdout);
  g_autofree char *ready = g_strdup_printf("READY=1\nSTATUS=station %s listening on %s\nMAINPID=%d",
                                           station->config->station_id, url, (int)getpid());
  if (!pt_sd_notify(ready))
    g_warning("could not tell systemd the station is ready ($NOTIFY_SOCKET)");
  /* Pinged at a third of the interval systemd asks for, from the main loop itself. */
  guint watchdog = pt_sd_watchdog_add();
  on_clock_check(NULL);
  guint clock_check = g_timeout_add_seconds(PT_CLOCK_CHECK_S, on_clock_check, NULL);
  /* After the URL is out: recovery and demo footage may take seconds. */
  pt_recorder_start(recorder);
  /* Cutting clips needs GStreamer; without it the windows wait for a run that has it. */
  PtEvidenceFollowup *followup = gst_error ? NULL : pt_evidence_followup_start(station);
  /* Buyers watching loads through the hub (video_relay=true): the station asks, never listens. */
  g_autoptr(GError) relay_error = NULL;
  PtVideoRelay *relay = pt_video_relay_start(station, recorder, &relay_error);
  if (relay_error)
    g_warning("video relay off: %s", relay_error->message);

  g_main_loop_run(loop);

  pt_sd_notify("STOPPING=1");
  g_source_remove(clock_check);
  if (watchdog)
    g_source_remove(watchdog);
  g_source_remove(sigint);
  g_source_remove(sigterm);
  pt_print_worker_stop(printing);
  pt_video_relay_stop(relay);
  pt_evidence_followup_stop(followup);
  pt_notice_worker_stop(notices);
  pt_sync_stop(sync);
  pt_http_stop(http);
  /* Closes the open segments so the next start finds nothing to recover. */
  pt_recorder_stop(recorder);
  close(lock);
  if (!common.json)
    printf("station stopped\n");
  return rc;
}
