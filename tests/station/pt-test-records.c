/* pt-test-records.c: appends N signed inspecting records (a grading run's, conformant) to a
 * batch of a station's data folder in transactions of 1,000, as a shed's loading scans and
 * grading runs make long batches; a loop of `packtrace event add` would take a process start
 * per record.  For the tests of the consumer page's view of a long batch.
 *   pt-test-records DATA LOT N */
#include "pt-epcis.h"
#include "pt-station.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <sodium.h>
#include <stdio.h>

int
main(int argc, char **argv)
{
  if (argc != 4) {
    fprintf(stderr, "usage: pt-test-records DATA LOT N\n");
    return 2;
  }
  if (sodium_init() < 0)
    return 1;
  g_autoptr(GError) error = NULL;
  g_autoptr(PtStation) st = pt_station_open(argv[1], &error);
  g_autoptr(PtStore) store = st ? pt_station_store(st, &error) : NULL;
  g_autoptr(PtBatch) batch = store ? pt_store_batch_get_by_lot(store, argv[2], &error) : NULL;
  if (!batch) {
    fprintf(stderr, "pt-test-records: %s\n", error->message);
    return 1;
  }
  gint64 n = 0;
  if (!g_ascii_string_to_signed(argv[3], 10, 1, 1000000, &n, &error)) {
    fprintf(stderr, "pt-test-records: %s\n", error->message);
    return 2;
  }
  gint64 t = pt_now_ns();
  for (gint64 i = 0; i < n; i += 1000) {
    if (!pt_store_begin(store, &error))
      break;
    for (gint64 j = i; j < n && j < i + 1000 && !error; j++) {
      json_t *ev = pt_epcis_event_new(st->config, batch, "inspecting", t + j * 1000, 0, NULL);
      json_object_set_new(ev, "disposition", json_string("conformant"));
      pt_trace_append(store, st->keys, batch->id, "inspecting", t + j * 1000, ev, NULL, &error);
      json_decref(ev);
    }
    if (error || !pt_store_commit(store, &error)) {
      pt_store_rollback(store);
      break;
    }
  }
  if (error) {
    fprintf(stderr, "pt-test-records: %s\n", error->message);
    return 1;
  }
  return 0;
}
