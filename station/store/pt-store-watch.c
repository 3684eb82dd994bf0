/* pt-store-watch.c: inotify on station.db's write-ahead log (see pt-store-watch.h). */
#include "pt-store-watch.h"

typedef struct {
  void (*changed)(gpointer data);
  gpointer data;
} Watch;

static void
on_changed(GFileMonitor *monitor, GFile *file, GFile *other, GFileMonitorEvent event,
           gpointer user_data)
{
  Watch *w = user_data;
  /* CHANGES_DONE_HINT too, though it repeats a change already told: inotify reports the
   * log's write before the commit is visible (SQLite publishes it in the -shm index after
   * the frames and their fsync), so a reader woken by the write may see the old state.
   * GLib makes the hint up two seconds after the last write to a file that stays open:
   * the second look that catches such a commit. */
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED ||
      event == G_FILE_MONITOR_EVENT_CHANGES_DONE_HINT)
    w->changed(w->data);
}

static void
watch_free(gpointer data, GClosure *closure)
{
  g_free(data);
}

GFileMonitor *
pt_store_watch_new(const char *db_path, guint rate_ms, void (*changed)(gpointer data),
                   gpointer data, GError **error)
{
  g_autofree char *wal = g_strconcat(db_path, "-wal", NULL);
  g_autoptr(GFile) file = g_file_new_for_path(wal);
  GFileMonitor *monitor = g_file_monitor_file(file, G_FILE_MONITOR_NONE, NULL, error);
  if (!monitor)
    return NULL;
  g_file_monitor_set_rate_limit(monitor, (gint)rate_ms);
  Watch *w = g_new(Watch, 1);
  w->changed = changed;
  w->data = data;
  g_signal_connect_data(monitor, "changed", G_CALLBACK(on_changed), w, watch_free, 0);
  return monitor;
}
