/* test-buyer-store.c: the buyer portal's store functions against a hand-computed oracle:
 * each search criterion, LIKE wildcards and SQL text taken literally, the grade as the signed
 * verdict (declared class and conformant or not; open gradings ignored), the views across
 * batches (by week, grower and facet, scoped), date ranges on each date, paging, the
 * scope of a buyer tied to a destination GLN (search, loads and visibility), and the CSV
 * cell writer. */
#include "pt-http-buyer.h"
#include "pt-limits.h"
#include "pt-load.h"
#include "pt-scan-signal.h"
#include "pt-batch.h"
#include "pt-store-buyer-stats.h"
#include "pt-store-buyer.h"
#include "pt-test-station.h"
#include "pt-text.h"
#include "pt-time.h"

#include <string.h>

#define GLN_A "4012345000115"
#define GLN_B "4012345000122"

typedef struct {
  PtTestStation *ts;
  gint64 id[5];
} Fixture;

static PtBatch *
make_batch(PtTestStation *ts, const char *lot, const char *gtin, const char *grower,
           const char *harvest, const char *pack)
{
  g_autoptr(GError) error = NULL;
  PtBatchSpec spec = {.product = "Oranges",
                      .gtin = gtin,
                      .grower = grower,
                      .harvest_date = harvest,
                      .pack_date = pack,
                      .lot = lot};
  PtBatch *b = pt_batch_create(ts->station, ts->store, &spec, &error);
  g_assert_no_error(error);
  return b;
}

static gint64
make_load(PtTestStation *ts, const char *gln, const char *seal)
{
  g_autoptr(GError) error = NULL;
  PtLoadSpec spec = {.plate = "AB 123",
                     .seal = seal,
                     .destination = "Market",
                     .destination_gln = gln,
                     .driver_phone = "+86 138 0013 8000"};
  g_autoptr(PtLoad) load = pt_load_create(ts->store, &spec, &error);
  g_assert_no_error(error);
  return load->id;
}

static void
put_on(PtTestStation *ts, gint64 load_id, PtBatch *batch)
{
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_load_add_batch(ts->station, ts->store, load_id, batch, 0, "operator",
                                  pt_now_ns(), NULL, NULL, &error));
  g_assert_no_error(error);
}

/* A grading of @batch_id with the fruit classes in @classes ("EEI" = Extra, Extra, I), declared
 * @declared; when @disposition is given the grading is closed by an inspecting event stating
 * the verdict and the counts as pt-grading.c signs them (hash and signature left zero: the
 * store reads the body, the domain checks the proof). */
static void
grade(PtTestStation *ts, gint64 batch_id, const char *classes, const char *declared,
      const char *disposition)
{
  g_autofree char *grading = g_strdup_printf(
      "INSERT INTO gradings (batch_id, profile, declared_class, mm_per_px, model_version, "
      "opened_ns, closed_ns) VALUES (%" G_GINT64_FORMAT ", 'orange-unece', '%s', 0.3, 't', 1, %s)",
      batch_id, declared, disposition ? "2" : "NULL");
  pt_test_sql(ts, grading);
  int n[4] = {0, 0, 0, 0};
  for (const char *c = classes; *c; c++) {
    int k = *c == 'E' ? 0 : *c == 'I' ? 1 : *c == '2' ? 2 : 3;
    static const char *const names[] = {"Extra", "I", "II", "out"};
    n[k]++;
    g_autofree char *fruit = g_strdup_printf(
        "INSERT INTO graded_fruit (grading_id, graded_ns, source, class, diameter_mm, length_mm, "
        "weight_g, ripe_fraction, green_fraction, defect_count, defect_area_mm2, "
        "defect_largest_mm2, defect_longest_mm, views, rule, confidence) VALUES ((SELECT max(id) "
        "FROM gradings), 1, 't', '%s', 70, 70, 200, 1, 0, 0, 0, 0, 0, 1, 't', 1)",
        names[k]);
    pt_test_sql(ts, fruit);
  }
  if (!disposition)
    return;
  int all = (int)strlen(classes);
  g_autofree char *event = g_strdup_printf(
      "INSERT INTO events (batch_id, event_id, step, event_time_ns, record_time_ns, body, hash, "
      "signature) VALUES (%" G_GINT64_FORMAT ", 'ni:///sha-256;t', 'inspecting', 3, 3, "
      "'{\"type\":\"ObjectEvent\",\"disposition\":\"%s\",\"pt:declaredClass\":\"%s\","
      "\"pt:fruitCount\":%d,\"pt:gradeDistribution\":{\"Extra\":%d,\"I\":%d,\"II\":%d,"
      "\"out\":%d},\"pt:sizeDistribution\":{\"3\":%d},\"pt:defects\":{\"fruitByKind\":"
      "{\"none\":%d,\"bruise\":%d}}}', zeroblob(32), zeroblob(64))",
      batch_id, disposition, declared, all, n[0], n[1], n[2], n[3], all, all - n[3], n[3]);
  pt_test_sql(ts, event);
}

/* Batches: 1 A_1 (Li farm, harvest 11-20, pack 11-25, mostly Extra but declared class I and
 * outside its tolerances, on a load to A and one to B), 2 AX1 (Wang, no harvest date, pack
 * 12-01, declared II, conformant, on a load to B), 3 B%2 (O'Brien; DROP, pack 2026-01-15, open
 * grading only), 4 C3 (other GTIN, pack 11-25, never graded). */
static void
fixture_set_up(Fixture *f, gconstpointer unused)
{
  f->ts = pt_test_station_new();
  PtTestStation *ts = f->ts;
  g_autoptr(PtBatch) b1 =
      make_batch(ts, "A_1", "09506000134352", "Li farm", "2026-11-20", "2026-11-25");
  g_autoptr(PtBatch) b2 = make_batch(ts, "AX1", "09506000134352", "Wang", NULL, "2026-12-01");
  g_autoptr(PtBatch) b3 = make_batch(ts, "B%2", "09506000134352",
                                     "O'Brien'; DROP TABLE batches; --", NULL, "2026-01-15");
  g_autoptr(PtBatch) b4 = make_batch(ts, "C3", "04012345000009", "Li farm", NULL, "2026-11-25");
  f->id[1] = b1->id;
  f->id[2] = b2->id;
  f->id[3] = b3->id;
  f->id[4] = b4->id;
  grade(ts, b1->id, "EEEI2", "I", "non_conformant");
  grade(ts, b2->id, "I2I2o", "II", "conformant");
  grade(ts, b3->id, "EEEE", "I", NULL);
  gint64 la = make_load(ts, GLN_A, "S-1"), lb = make_load(ts, GLN_B, "S-2");
  put_on(ts, la, b1);
  put_on(ts, lb, b2);
  g_autoptr(GError) error = NULL;
  g_assert_true(pt_load_close(ts->station, ts->store, la, NULL, &error));
  g_assert_no_error(error);
  gint64 lb2 = make_load(ts, GLN_B, "S-3");
  put_on(ts, lb2, b1);
}

static void
fixture_tear_down(Fixture *f, gconstpointer unused)
{
  pt_test_station_free(f->ts);
}

/* The lots found for @q, newest first, joined with spaces. */
static char *
lots(Fixture *f, PtBuyerQuery q)
{
  g_autoptr(GError) error = NULL;
  if (!q.limit)
    q.limit = 100;
  gboolean more = TRUE;
  g_autoptr(GPtrArray) hits = pt_store_buyer_search(f->ts->store, &q, &more, &error);
  g_assert_no_error(error);
  GString *s = g_string_new(NULL);
  for (guint i = 0; i < hits->len; i++) {
    const PtBuyerHit *h = g_ptr_array_index(hits, i);
    g_string_append_printf(s, "%s%s", i ? " " : "", h->batch->lot);
  }
  return g_string_free(s, FALSE);
}

#define ASSERT_LOTS(f, want, ...)                                                                  \
  do {                                                                                             \
    g_autofree char *got_ = lots(f, (PtBuyerQuery){__VA_ARGS__});                                  \
    g_assert_cmpstr(got_, ==, want);                                                               \
  } while (0)

static void
test_criteria(Fixture *f, gconstpointer unused)
{
  ASSERT_LOTS(f, "C3 B%2 AX1 A_1", .lot = NULL);
  ASSERT_LOTS(f, "AX1 A_1", .lot = "a");
  ASSERT_LOTS(f, "C3", .gtin = "04012345000009");
  ASSERT_LOTS(f, "C3 A_1", .grower = "LI FA");
  ASSERT_LOTS(f, "C3 A_1", .grower = "li farm", .from = "2026-11-25", .to = "2026-11-25");
  ASSERT_LOTS(f, "A_1", .grower = "li farm", .gtin = "09506000134352");
}

/* % _ and \ are literal, quotes and SQL keywords are text. */
static void
test_wildcards_literal(Fixture *f, gconstpointer unused)
{
  ASSERT_LOTS(f, "A_1", .lot = "_");
  ASSERT_LOTS(f, "A_1", .lot = "A_");
  ASSERT_LOTS(f, "B%2", .lot = "%");
  ASSERT_LOTS(f, "", .lot = "\\");
  ASSERT_LOTS(f, "", .lot = "A%1");
  ASSERT_LOTS(f, "", .grower = "%");
  ASSERT_LOTS(f, "", .grower = "' OR '1'='1");
  ASSERT_LOTS(f, "B%2", .grower = "'; DROP TABLE batches; --");
  ASSERT_LOTS(f, "", .gtin = "0950600013435' OR 1=1 --");
  ASSERT_LOTS(f, "C3 B%2 AX1 A_1", .lot = NULL);
}

/* The grade is the signed verdict, never the class most fruit have. */
static void
test_grade(Fixture *f, gconstpointer unused)
{
  /* A_1: 3 of 5 fruit Extra, but declared I and non-conformant: never "Extra". */
  ASSERT_LOTS(f, "", .grade = "Extra");
  ASSERT_LOTS(f, "A_1", .grade = "I");
  ASSERT_LOTS(f, "AX1", .grade = "II");
  ASSERT_LOTS(f, "A_1", .verdict = "non_conformant");
  ASSERT_LOTS(f, "AX1", .verdict = "conformant");
  ASSERT_LOTS(f, "", .grade = "I", .verdict = "conformant");
  g_autoptr(GError) error = NULL;
  gboolean more;
  PtBuyerQuery q = {.limit = 10};
  g_autoptr(GPtrArray) hits = pt_store_buyer_search(f->ts->store, &q, &more, &error);
  g_assert_no_error(error);
  /* B%2's only grading is still open (unsigned): no grade; C3 was never graded. */
  const PtBuyerHit *b3 = g_ptr_array_index(hits, 1);
  g_assert_cmpstr(b3->batch->lot, ==, "B%2");
  g_assert_null(b3->grade);
  g_assert_null(b3->verdict);
  const PtBuyerHit *b1 = g_ptr_array_index(hits, 3);
  g_assert_cmpstr(b1->grade, ==, "I");
  g_assert_cmpstr(b1->verdict, ==, "non_conformant");
  /* A newer grading decision replaces the older one. */
  grade(f->ts, f->id[1], "EEEEE", "Extra", "conformant");
  ASSERT_LOTS(f, "A_1", .grade = "Extra");
  ASSERT_LOTS(f, "", .grade = "I");
  ASSERT_LOTS(f, "AX1", .verdict = "conformant", .grade = "II");
}

/* The count of @facet/@week/@grower/@key in @rows, or -1 when there is no such row. */
static double
stat_of(GPtrArray *rows, const char *facet, const char *week, const char *grower, const char *key)
{
  for (guint i = 0; i < rows->len; i++) {
    const PtBuyerStat *r = g_ptr_array_index(rows, i);
    if (strcmp(r->facet, facet) == 0 && strcmp(r->week, week) == 0 &&
        strcmp(r->grower, grower) == 0 && g_strcmp0(r->key, key) == 0)
      return r->amount;
  }
  return -1;
}

/* The views across batches against the fixture counted by hand: pack 2026-11-25 is a
 * Wednesday (week of Monday 11-23), 2026-12-01 a Tuesday (week of 11-30). */
static void
test_stats(Fixture *f, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(PtBatch) a1 = pt_store_batch_get(f->ts->store, f->id[1], &error);
  g_assert_no_error(error);
  g_assert_true(
      pt_batch_change_status(f->ts->station, f->ts->store, a1, PT_BATCH_HOLD, "check", &error));
  g_assert_no_error(error);
  PtBuyerStatsQuery q = {0};
  g_autoptr(GPtrArray) rows = pt_store_buyer_stats(f->ts->store, &q, &error);
  g_assert_no_error(error);
  g_assert_cmpfloat(stat_of(rows, "batches", "2026-11-23", "Li farm", ""), ==, 2);
  g_assert_cmpfloat(stat_of(rows, "batches", "2026-11-30", "Wang", ""), ==, 1);
  g_assert_cmpfloat(stat_of(rows, "batches", "2026-01-12", "O'Brien'; DROP TABLE batches; --", ""),
                    ==, 1);
  g_assert_cmpfloat(stat_of(rows, "verdict", "2026-11-23", "Li farm", "non_conformant"), ==, 1);
  g_assert_cmpfloat(stat_of(rows, "verdict", "2026-11-23", "Li farm", "conformant"), ==, -1);
  g_assert_cmpfloat(stat_of(rows, "verdict", "2026-11-30", "Wang", "conformant"), ==, 1);
  g_assert_cmpfloat(stat_of(rows, "declared", "2026-11-23", "Li farm", "I"), ==, 1);
  g_assert_cmpfloat(stat_of(rows, "class", "2026-11-23", "Li farm", "Extra"), ==, 3);
  g_assert_cmpfloat(stat_of(rows, "class", "2026-11-30", "Wang", "II"), ==, 2);
  g_assert_cmpfloat(stat_of(rows, "size", "2026-11-30", "Wang", "3"), ==, 5);
  g_assert_cmpfloat(stat_of(rows, "defect", "2026-11-30", "Wang", "bruise"), ==, 1);
  g_assert_cmpfloat(stat_of(rows, "action", "2026-11-23", "Li farm", "hold"), ==, 1);
  g_assert_cmpfloat(stat_of(rows, "action", "2026-11-30", "Wang", "hold"), ==, -1);
  /* An open grading is no decision: B%2 has no verdict. */
  g_assert_cmpfloat(
      stat_of(rows, "declared", "2026-01-12", "O'Brien'; DROP TABLE batches; --", "I"), ==, -1);

  /* A buyer scoped to GLN_A counts only A_1; dates and grower narrow. */
  PtBuyerStatsQuery scoped = {.scope_gln = GLN_A};
  g_autoptr(GPtrArray) mine = pt_store_buyer_stats(f->ts->store, &scoped, &error);
  g_assert_no_error(error);
  g_assert_cmpfloat(stat_of(mine, "batches", "2026-11-23", "Li farm", ""), ==, 1);
  g_assert_cmpfloat(stat_of(mine, "batches", "2026-11-30", "Wang", ""), ==, -1);
  PtBuyerStatsQuery narrow = {.from = "2026-11-26", .grower = "WAN"};
  g_autoptr(GPtrArray) wang = pt_store_buyer_stats(f->ts->store, &narrow, &error);
  g_assert_no_error(error);
  g_assert_cmpfloat(stat_of(wang, "batches", "2026-11-30", "Wang", ""), ==, 1);
  g_assert_cmpfloat(stat_of(wang, "batches", "2026-11-23", "Li farm", ""), ==, -1);
}

static void
test_dates(Fixture *f, gconstpointer unused)
{
  ASSERT_LOTS(f, "C3 AX1 A_1", .from = "2026-11-25");
  ASSERT_LOTS(f, "B%2", .to = "2026-11-24");
  ASSERT_LOTS(f, "AX1", .from = "2026-11-26", .to = "2026-12-31");
  /* Only A_1 has a harvest date. */
  ASSERT_LOTS(f, "A_1", .date = PT_BUYER_DATE_HARVEST, .from = "2000-01-01");
  ASSERT_LOTS(f, "", .date = PT_BUYER_DATE_HARVEST, .from = "2026-11-21");
  g_autoptr(GDateTime) now = g_date_time_new_now_utc();
  g_autofree char *today = g_date_time_format(now, "%Y-%m-%d");
  ASSERT_LOTS(f, "C3 B%2 AX1 A_1", .date = PT_BUYER_DATE_CREATED, .from = today, .to = today);
  ASSERT_LOTS(f, "", .date = PT_BUYER_DATE_CREATED, .to = "2000-01-01");
}

static void
test_paging(Fixture *f, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;
  gboolean more = FALSE;
  PtBuyerQuery q = {.limit = 3};
  g_autoptr(GPtrArray) page1 = pt_store_buyer_search(f->ts->store, &q, &more, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(page1->len, ==, 3);
  g_assert_true(more);
  q.offset = 3;
  g_autoptr(GPtrArray) page2 = pt_store_buyer_search(f->ts->store, &q, &more, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(page2->len, ==, 1);
  g_assert_false(more);
  g_assert_cmpstr(((PtBuyerHit *)g_ptr_array_index(page2, 0))->batch->lot, ==, "A_1");
}

static void
test_scope(Fixture *f, gconstpointer unused)
{
  ASSERT_LOTS(f, "A_1", .scope_gln = GLN_A);
  ASSERT_LOTS(f, "AX1 A_1", .scope_gln = GLN_B);
  ASSERT_LOTS(f, "", .scope_gln = "4012345000139");
  ASSERT_LOTS(f, "", .scope_gln = GLN_A, .lot = "AX");
  ASSERT_LOTS(f, "", .scope_gln = "%");

  g_autoptr(GError) error = NULL;
  gboolean more;
  PtBuyerQuery q = {.limit = 10, .lot = "A_1", .scope_gln = GLN_A};
  g_autoptr(GPtrArray) hits = pt_store_buyer_search(f->ts->store, &q, &more, &error);
  g_assert_no_error(error);
  /* A_1 is on a load to A and a load to B; the buyer of A sees only their own load. */
  const PtBuyerHit *h = g_ptr_array_index(hits, 0);
  g_assert_cmpuint(h->loads->len, ==, 1);
  const PtBuyerLoad *l = g_ptr_array_index(h->loads, 0);
  g_assert_cmpstr(l->destination_gln, ==, GLN_A);
  g_assert_cmpstr(l->seal, ==, "S-1");
  g_assert_cmpint(l->closed_ns, >, 0);
  g_assert_nonnull(l->event_id);

  g_autoptr(GPtrArray) all = pt_store_buyer_loads(f->ts->store, f->id[1], NULL, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(all->len, ==, 2);
  g_assert_cmpint(((PtBuyerLoad *)g_ptr_array_index(all, 1))->closed_ns, ==, 0);

  struct {
    int batch;
    const char *gln;
    gboolean visible;
  } cases[] = {{1, NULL, TRUE},   {3, NULL, TRUE},   {1, GLN_A, TRUE},
               {1, GLN_B, TRUE},  {2, GLN_A, FALSE}, {2, GLN_B, TRUE},
               {3, GLN_A, FALSE}, {4, GLN_B, FALSE}, {1, "%", FALSE}};
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    gboolean visible = !cases[i].visible;
    g_assert_true(pt_store_buyer_in_scope(f->ts->store, f->id[cases[i].batch], cases[i].gln,
                                          &visible, &error));
    g_assert_no_error(error);
    g_assert_cmpint(visible, ==, cases[i].visible);
  }
}

static void
test_clips_empty(Fixture *f, gconstpointer unused)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) clips = pt_store_buyer_clips(f->ts->store, f->id[1], &error);
  g_assert_no_error(error);
  g_assert_cmpuint(clips->len, ==, 0);
}

static void
test_csv_cell(void)
{
  struct {
    const char *in, *out;
  } cases[] = {
      {NULL, ""},
      {"plain", "plain"},
      {"a,b", "\"a,b\""},
      {"say \"hi\"", "\"say \"\"hi\"\"\""},
      {"two\r\nlines", "\"two\r\nlines\""},
      {"=1+2", "'=1+2"},
      {"+86 138", "'+86 138"},
      {"-5", "'-5"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\tx", "'\tx"},
      {"=HYPERLINK(\"http://x\",\"y\")", "\"'=HYPERLINK(\"\"http://x\"\",\"\"y\"\")\""},
      {"a=b", "a=b"},
      {"橙子", "橙子"},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    g_autoptr(GString) s = g_string_new(NULL);
    pt_csv_cell(s, cases[i].in);
    g_assert_cmpstr(s->str, ==, cases[i].out);
  }
}

/* The spike rule against series worked out by hand. */
static void
test_scan_spike(void)
{
  static const struct {
    gint64 counts[8];
    gsize n;
    double median;
    gssize spike; /* -1: none */
  } cases[] = {
      {{3, 2, 4, 3, 60}, 5, 3, 4},      /* one busy day among quiet ones */
      {{0, 0, 0, 19}, 4, 0, -1},        /* fewer than PT_SCAN_SPIKE_MIN scans */
      {{0, 0, 0, 20}, 4, 0, 3},         /* exactly the minimum over a zero median */
      {{30}, 1, 30, -1},                /* one day only: its own median */
      {{10, 12, 11, 50}, 4, 11.5, -1},  /* 50 is not more than 5 x 11.5 */
      {{10, 12, 11, 58, 90}, 5, 12, 4}, /* the busiest of two spikes */
      {{0}, 0, 0, -1},
  };
  for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
    double median = -1;
    gsize at = 99;
    gboolean found = pt_scan_find_spike(cases[i].counts, cases[i].n, &median, &at);
    g_assert_cmpfloat(median, ==, cases[i].median);
    g_assert_cmpint(found, ==, cases[i].spike >= 0);
    if (found)
      g_assert_cmpuint(at, ==, (gsize)cases[i].spike);
  }
}

/* The series is zero-filled between the days with scans and flags the spike day. */
static void
test_scan_signal(Fixture *f, gconstpointer data)
{
  (void)data;
  gint64 now = pt_now_ns(), today = now / (G_GINT64_CONSTANT(86400) * 1000000000);
  gint64 b = f->id[1];
  g_autofree char *sql = g_strdup_printf(
      "INSERT INTO scans VALUES (%" G_GINT64_FORMAT ", 67, 1, 2);"
      "INSERT INTO scan_days VALUES (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT
      ", 3), (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 4), (%" G_GINT64_FORMAT
      ", %" G_GINT64_FORMAT ", 60), (%" G_GINT64_FORMAT ", %" G_GINT64_FORMAT ", 99);",
      b, b, today - 4, b, today - 2, b, today, b, today - PT_SCAN_SERIES_DAYS);
  pt_test_sql(f->ts, sql);
  g_autoptr(GError) error = NULL;
  json_t *o = pt_scan_signal_json(f->ts->store, b, now, &error);
  g_assert_no_error(error);
  g_assert_cmpint(json_integer_value(json_object_get(o, "total")), ==, 67);
  json_t *days = json_object_get(o, "days");
  g_assert_cmpuint(json_array_size(days), ==, 5); /* the day out of the window is left out */
  g_assert_cmpint(json_integer_value(json_object_get(json_array_get(days, 1), "count")), ==, 0);
  g_assert_cmpfloat(json_real_value(json_object_get(o, "median_daily")), ==, 3);
  json_t *spike = json_object_get(o, "spike");
  g_assert_cmpint(json_integer_value(json_object_get(spike, "count")), ==, 60);
  g_assert_cmpstr(json_string_value(json_object_get(spike, "day")), ==,
                  json_string_value(json_object_get(json_array_get(days, 4), "day")));
  json_decref(o);
  o = pt_scan_signal_json(f->ts->store, f->id[2], now, &error);
  g_assert_no_error(error);
  g_assert_cmpuint(json_array_size(json_object_get(o, "days")), ==, 0);
  g_assert_true(json_is_null(json_object_get(o, "spike")));
  json_decref(o);
}

int
main(int argc, char **argv)
{
  g_test_init(&argc, &argv, NULL);
#define ADD(name, fn) g_test_add(name, Fixture, NULL, fixture_set_up, fn, fixture_tear_down)
  ADD("/buyer-store/criteria", test_criteria);
  ADD("/buyer-store/wildcards-literal", test_wildcards_literal);
  ADD("/buyer-store/grade", test_grade);
  ADD("/buyer-store/stats", test_stats);
  ADD("/buyer-store/dates", test_dates);
  ADD("/buyer-store/paging", test_paging);
  ADD("/buyer-store/scope", test_scope);
  ADD("/buyer-store/clips-empty", test_clips_empty);
  ADD("/buyer-store/scan-signal", test_scan_signal);
  g_test_add_func("/buyer-store/csv-cell", test_csv_cell);
  g_test_add_func("/buyer-store/scan-spike", test_scan_spike);
  return g_test_run();
}
