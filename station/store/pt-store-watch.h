/* pt-store-watch.h: telling a waiting worker that station.db changed.  Every commit to a
 * database in WAL mode writes its write-ahead log, so inotify on station.db-wal reports each
 * transaction, in this process (the dashboard, a driver's phone, a camera's scan) or in
 * another (the command line), with nothing polled while nothing happens.  Workers that wait
 * for rows (print jobs, sync's outbox, pending evidence) sleep on this and on the next
 * deadline they have. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* Calls @changed(@data) on the thread-default main context after each write to @db_path's
 * write-ahead log, a burst at most once per @rate_ms (GFileMonitor's rate limit), and once
 * more two seconds after a burst's last write: a commit is seen at once, or when its write
 * raced the reader (the event comes before the commit is visible), within about 2 s.  The
 * caller's own commits call it too: a worker must converge (write nothing when it has
 * nothing to do).  Stop it with g_object_unref() after g_file_monitor_cancel().
 * Returns: (transfer full) (nullable): NULL when inotify is unavailable, with @error. */
GFileMonitor *pt_store_watch_new(const char *db_path, guint rate_ms, void (*changed)(gpointer data),
                                 gpointer data, GError **error);

G_END_DECLS
