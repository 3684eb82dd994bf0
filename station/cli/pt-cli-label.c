/* pt-cli-label.c: `packtrace label ID` (render a batch's label to a file, describe it,
 * print it) and `packtrace label jobs` (the print queue). */
#include "pt-batch.h"
#include "pt-cli.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-json.h"
#include "pt-label-batch.h"
#include "pt-limits.h"
#include "pt-print-queue.h"

#include <gio/gio.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pt-labels-limits.h"
#include "pt-time.h"

static json_t *
job_to_json(const PtPrintJob *j)
{
  g_autofree char *created = pt_time_format(j->created_ns);
  g_autofree char *updated = pt_time_format(j->updated_ns);
  g_autofree char *next = j->next_attempt_ns ? pt_time_format(j->next_attempt_ns) : NULL;
  json_t *o = json_pack("{sIsIsssssssisssisssssIss}", "id", (json_int_t)j->id, "batch_id",
                        (json_int_t)j->batch_id, "lot", j->lot, "template", j->template_, "printer",
                        j->printer, "copies", j->copies, "state", j->state, "attempts", j->attempts,
                        "created", created, "updated", updated, "bytes", (json_int_t)j->job_len,
                        "sha256", j->sha256);
  json_object_set_new(o, "next_attempt", pt_json_string_or_null(next));
  json_object_set_new(o, "last_error", pt_json_string_or_null(j->last_error));
  json_object_set_new(o, "error_kind", pt_json_string_or_null(j->error_kind));
  return o;
}

static void
print_job_text(const PtPrintJob *j)
{
  g_autofree char *when = pt_time_format(j->next_attempt_ns ? j->next_attempt_ns : j->updated_ns);
  printf("%-5" G_GINT64_FORMAT " %-20s %-6s %-22s %3d  %-8s %3d  %s%s%s%s\n", j->id, j->lot,
         j->template_, j->printer, j->copies, j->state, j->attempts,
         j->next_attempt_ns ? "next " : "", when, j->last_error ? "  " : "",
         j->last_error ? j->last_error : "");
}

static int
list_jobs(PtStore *store, gboolean json)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) jobs = pt_store_print_job_list(store, PT_LIST_LIMIT_DEFAULT, &error);
  if (!jobs)
    return pt_cli_fail(error);
  if (json) {
    json_t *arr = json_array();
    for (guint i = 0; i < jobs->len; i++)
      json_array_append_new(arr, job_to_json(g_ptr_array_index(jobs, i)));
    pt_cli_print_json(json_pack("{so}", "jobs", arr));
    return PT_EXIT_OK;
  }
  if (jobs->len == 0)
    printf("no print jobs\n");
  else
    printf("%-5s %-20s %-6s %-22s %3s  %-8s %3s  %s\n", "JOB", "LOT", "LABEL", "PRINTER", "CPY",
           "STATE", "TRY", "WHEN / LAST ERROR");
  for (guint i = 0; i < jobs->len; i++)
    print_job_text(g_ptr_array_index(jobs, i));
  return PT_EXIT_OK;
}

static int
label_jobs(int argc, char **argv)
{
  g_auto(PtCliCommon) common = {0};
  gboolean retry = FALSE;
  gint64 requeue = 0, cancel = 0;
  const GOptionEntry entries[] = {
      {"retry", 0, 0, G_OPTION_ARG_NONE, &retry,
       "Try every queued job now, whatever its backoff; exit 1 if one still fails", NULL},
      {"requeue", 0, 0, G_OPTION_ARG_INT64, &requeue,
       "Put failed job ID back in the queue (after checking it did not print)", "ID"},
      {"cancel", 0, 0, G_OPTION_ARG_INT64, &cancel,
       "Take queued or failed job ID out of the queue: it is never sent", "ID"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "",
                    "List label print jobs, newest first: queued jobs wait for a printer and are "
                    "retried by `packtrace run` (or --retry here); failed jobs wait for an "
                    "operator.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 1)
    return pt_cli_usage("unexpected argument '%s'", argv[1]);
  if (requeue < 0 || cancel < 0)
    return pt_cli_usage("--requeue and --cancel need a job id");
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  if (!store)
    return pt_cli_fail(error);
  if (requeue && !pt_print_queue_requeue(store, requeue, &error))
    return pt_cli_fail(error);
  if (cancel && !pt_print_queue_cancel(store, cancel, &error))
    return pt_cli_fail(error);
  PtPrintPassStats stats = {0};
  if (retry) {
    signal(SIGPIPE, SIG_IGN);
    if (!pt_print_queue_pass(station, store, TRUE, &stats, NULL, &error))
      return pt_cli_fail(error);
    if (!common.json)
      printf("retried: %u printed, %u still waiting, %u failed, %u found interrupted\n", stats.done,
             stats.retry, stats.failed, stats.recovered);
  }
  int rc = list_jobs(store, common.json);
  if (rc == PT_EXIT_OK && (stats.retry || stats.failed))
    rc = PT_EXIT_FAILED;
  return rc;
}

/* Writes @bytes to @path ("-" = stdout) atomically. */
static gboolean
write_output(const char *path, GBytes *bytes, GError **error)
{
  gsize len;
  const void *data = g_bytes_get_data(bytes, &len);
  if (strcmp(path, "-") != 0)
    return pt_file_write_atomic(path, data, len, 0644, error);
  if (fwrite(data, 1, len, stdout) != len || fflush(stdout) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot write the label to stdout");
    return FALSE;
  }
  return TRUE;
}

/* Queues the label for @printer and makes the first attempt; adds the job to @out
 * (nullable).  Returns: the exit code. */
static int
print_now(PtStation *station, PtStore *store, const PtBatch *batch, PtLabelTemplate template_,
          const char *printer, guint copies, json_t *out)
{
  g_autoptr(GError) error = NULL;
  signal(SIGPIPE, SIG_IGN);
  g_autoptr(PtPrintJob) queued =
      pt_print_queue_add(station, store, batch, template_, printer, copies, &error);
  if (!queued)
    return pt_cli_fail(error);
  PtPrintOutcome outcome;
  g_autofree char *reason = NULL;
  if (!pt_print_queue_attempt(station, store, queued->id, &outcome, &reason, &error))
    return pt_cli_fail(error);
  g_autoptr(PtPrintJob) job = pt_store_print_job_get(store, queued->id, &error);
  if (!job)
    return pt_cli_fail(error);
  if (out)
    json_object_set_new(out, "print_job", job_to_json(job));
  switch (outcome) {
  case PT_PRINT_OUTCOME_DONE:
    if (!out)
      printf("printed job %" G_GINT64_FORMAT ": %s label of lot %s on %s, %d %s\n", job->id,
             job->template_, job->lot, job->printer, job->copies,
             job->copies == 1 ? "copy" : "copies");
    return PT_EXIT_OK;
  case PT_PRINT_OUTCOME_RETRY:
    fprintf(stderr,
            "packtrace: print job %" G_GINT64_FORMAT " is queued, not printed: %s (`packtrace "
            "run` retries it; so does `packtrace label jobs --retry`)\n",
            job->id, reason);
    return PT_EXIT_FAILED;
  case PT_PRINT_OUTCOME_FAILED:
    fprintf(stderr, "packtrace: print job %" G_GINT64_FORMAT " failed: %s\n", job->id, reason);
    return PT_EXIT_FAILED;
  case PT_PRINT_OUTCOME_SKIPPED:
    break;
  }
  /* The running station's retry pass claimed it between our insert and attempt. */
  if (!out)
    printf("print job %" G_GINT64_FORMAT " was taken up by the running station (%s)\n", job->id,
           job->state);
  return PT_EXIT_OK;
}

/* The options of `packtrace label ID`, as given and then checked. */
typedef struct {
  char *template_name, *format_name, *output, *printer, *copies_text;
  int dpi;
  guint64 copies;
  PtLabelTemplate template_;
  PtLabelFormat format;
} LabelArgs;

static void
label_args_clear(LabelArgs *a)
{
  g_free(a->template_name);
  g_free(a->format_name);
  g_free(a->output);
  g_free(a->printer);
  g_free(a->copies_text);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(LabelArgs, label_args_clear)

/* What can be checked before the station is opened.  Returns: PT_EXIT_OK, or the usage exit
 * after saying what is wrong. */
static int
check_label_args(LabelArgs *a, const PtCliCommon *common)
{
  a->template_ = PT_LABEL_PALLET;
  a->format = PT_LABEL_PNG;
  a->copies = 1;
  if (a->template_name && !pt_label_template_from_string(a->template_name, &a->template_))
    return pt_cli_usage("--template must be case or pallet, not '%s'", a->template_name);
  if (a->format_name && !pt_label_format_from_string(a->format_name, &a->format))
    return pt_cli_usage("--format must be png, pdf, svg or zpl, not '%s'", a->format_name);
  if (a->dpi && (a->dpi < PT_LABEL_DPI_MIN || a->dpi > PT_LABEL_DPI_MAX))
    return pt_cli_usage("--dpi must be %d to %d", PT_LABEL_DPI_MIN, PT_LABEL_DPI_MAX);
  if (a->copies_text &&
      !g_ascii_string_to_unsigned(a->copies_text, 10, 1, PT_LABEL_COPIES_MAX, &a->copies, NULL))
    return pt_cli_usage("--copies must be 1 to %d", PT_LABEL_COPIES_MAX);
  if (a->output && strcmp(a->output, "-") == 0 && (common->json || a->printer))
    return pt_cli_usage("-o - writes the label to stdout; it cannot go with --json or --print");
  return PT_EXIT_OK;
}

/* Renders the label into a file (or stdout) and tells what was written: into @out with
 * --json, else on stdout unless the label itself went there. */
static gboolean
write_label_file(const PtStation *station, const PtBatch *batch, const LabelArgs *a, json_t *out,
                 GError **error)
{
  g_autofree char *path =
      a->output ? g_strdup(a->output) : pt_label_file_name(batch, a->template_, a->format);
  g_autoptr(GBytes) bytes = pt_batch_label_render(station->config, batch, a->template_, a->format,
                                                  (guint)a->dpi, (guint)a->copies, error);
  if (!bytes || !write_output(path, bytes, error))
    return FALSE;
  g_autofree char *sha = pt_label_sha256(bytes);
  if (out)
    json_object_set_new(out, "file",
                        json_pack("{sssssIss}", "path", path, "format",
                                  pt_label_format_to_string(a->format), "bytes",
                                  (json_int_t)g_bytes_get_size(bytes), "sha256", sha));
  else if (strcmp(path, "-") != 0)
    printf("wrote %s (%s %s label, %zu bytes)\n", path, pt_label_template_to_string(a->template_),
           pt_label_format_to_string(a->format), g_bytes_get_size(bytes));
  return TRUE;
}

int
pt_cmd_label(int argc, char **argv)
{
  if (argc >= 2 && strcmp(argv[1], "jobs") == 0) {
    argv[1] = argv[0];
    return label_jobs(argc - 1, argv + 1);
  }
  g_auto(PtCliCommon) common = {0};
  g_auto(LabelArgs) a = {0};
  const GOptionEntry entries[] = {
      {"template", 0, 0, G_OPTION_ARG_STRING, &a.template_name,
       "case (4x2 in, PTI) or pallet (4x6 in, QR); default from station.ini", "NAME"},
      {"format", 0, 0, G_OPTION_ARG_STRING, &a.format_name,
       "png, pdf, svg or zpl; default from station.ini", "FORMAT"},
      {"dpi", 0, 0, G_OPTION_ARG_INT, &a.dpi, "Resolution (PNG and ZPL 203, PDF and SVG 300)", "N"},
      {"output", 'o', 0, G_OPTION_ARG_FILENAME, &a.output,
       "Write to FILE ('-' = stdout; default LOT-TEMPLATE.FORMAT here)", "FILE"},
      {"print", 0, 0, G_OPTION_ARG_STRING, &a.printer,
       "Queue the label as ZPL for a printer of station.ini ([printer NAME]) or one on raw TCP "
       "(HOST with a dot, or HOST:PORT), and send it now",
       "NAME|HOST[:PORT]"},
      {"copies", 0, 0, G_OPTION_ARG_STRING, &a.copies_text,
       "Copies the printer makes (ZPL; default 1)", "N"},
      {NULL}};
  if (!pt_cli_parse(&argc, &argv, "ID | jobs",
                    "Render a batch's label (ID = batch id or lot) to a file, describe what it "
                    "carries (--json), or print it (--print).  `label jobs` shows the print "
                    "queue.",
                    entries, &common))
    return PT_EXIT_USAGE;
  if (argc != 2)
    return pt_cli_usage("expected one batch id or lot");
  int rc = check_label_args(&a, &common);
  if (rc != PT_EXIT_OK)
    return rc;

  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) station = pt_cli_open(&common, &error);
  g_autoptr(PtStore) store = station ? pt_station_store(station, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_batch_lookup(store, argv[1], &error) : NULL;
  /* What the label says is what was signed, whatever the row was set to. */
  g_autoptr(PtBatch) facts =
      batch ? pt_batch_label_facts(store, station->keys->anchor_key, batch, &error) : NULL;
  if (!facts)
    return pt_cli_fail(error);
  const PtLabelSettings *settings = station->config->labels;
  const PtPrinter *named = NULL;
  const char *address =
      a.printer ? pt_printer_resolve(station->config->printers, a.printer, TRUE, &named, &error)
                : NULL;
  if (a.printer && !address)
    return pt_cli_usage("--print: %s", error->message);
  if (!a.template_name)
    a.template_ = named ? named->template_ : settings->template_;
  if (!a.format_name)
    a.format = settings->format;
  if (a.copies_text && a.format != PT_LABEL_ZPL && !a.printer)
    return pt_cli_usage("--copies is for ZPL: use --format zpl or --print");

  json_t *out = NULL; /* the --json answer, built up below */
  if (common.json) {
    if (!(out = pt_batch_label_to_json(station->config, facts, &error)))
      return pt_cli_fail(error);
    json_object_set_new(out, "template", json_string(pt_label_template_to_string(a.template_)));
  }
  /* --json alone describes the label; a file is written when asked for, or when nothing else
   * was asked. */
  if ((a.output || (!common.json && !a.printer)) &&
      !write_label_file(station, facts, &a, out, &error)) {
    json_decref(out);
    return pt_cli_fail(error);
  }
  if (a.printer)
    rc = print_now(station, store, batch, a.template_, address, (guint)a.copies, out);
  if (out)
    pt_cli_print_json(out);
  return rc;
}
