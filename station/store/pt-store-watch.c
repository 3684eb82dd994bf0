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
  /* Not CHANGES_DONE_HINT: SQLite keeps the log open, so GLib makes one up two seconds after
   * each write, which would wake the worker a second time for the same commit. */
  if (event == G_FILE_MONITOR_EVENT_CHANGED || event == G_FILE_MONITOR_EVENT_CREATED)
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
