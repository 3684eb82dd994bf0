/* pt-grading.c: gradings of batches: open, record graded fruit with evidence stills, close
 * with the inspecting event and its lot-tolerance decision, and the grading camera's feed. */
#include "pt-grading.h"

#include "pt-epcis.h"
#include "pt-error.h"
#include "pt-file.h"
#include "pt-keys.h"
#include "pt-limits.h"
#include "pt-store-grading.h"
#include "pt-time.h"
#include "pt-trace.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <math.h>
#include <string.h>

static const char *const class_names[] = {"Extra", "I", "II", "out"};

static int
class_index(const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS(class_names); i++)
    if (g_strcmp0(name, class_names[i]) == 0)
      return (int)i;
  return -1;
}

PtGradeProfile *
pt_grading_load_profile(const char *name, GError **error)
{
  g_auto(GStrv) names = pt_grade_profile_list();
  g_autoptr(GError) local = NULL;
  if (!name || !g_strv_contains((const char *const *)names, name)) {
    g_autofree char *list = g_strjoinv(", ", names);
    g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "unknown grade profile '%s'; available: %s",
                name ? name : "", list);
    return NULL;
  }
  PtGradeProfile *profile = pt_grade_profile_load(name, &local);
  if (!profile)
    g_set_error_literal(error, PT_ERROR, PT_ERROR_INVALID, local->message);
  return profile;
}

/* Empty values count as absent. */
static char *
settings_get(const PtConfig *config, const char *key)
{
  char *v = g_key_file_get_string(config->keyfile, "grading", key, NULL);
  if (v && !*g_strstrip(v))
    g_clear_pointer(&v, g_free);
  return v;
}

static gboolean
settings_number(const PtConfig *config, const char *key, double lo, double hi, double *out,
                GError **error)
{
  g_autofree char *v = settings_get(config, key);
  char *end = NULL;
  if (!v)
    return TRUE;
  double d = g_ascii_strtod(v, &end);
  if (end == v || *end != '\0' || !isfinite(d) || d < lo || d > hi) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "station.ini [grading]: %s '%s' must be %g..%g",
                key, v, lo, hi);
    return FALSE;
  }
  *out = d;
  return TRUE;
}

gboolean
pt_grading_settings_load(const PtConfig *config, PtGradingSettings *out, GError **error)
{
  g_auto(PtGradingSettings) s = {.fps = PT_GRADE_DEFAULT_FPS};
  double mm = -1; /* absent */
  if (!settings_number(config, "fps", 0, PT_GRADE_FPS_MAX, &s.fps, error) ||
      !settings_number(config, "mm_per_px", 0, PT_GRADE_MM_PER_PX_MAX, &mm, error))
    return FALSE;
  if (mm == 0) {
    g_set_error_literal(error, PT_ERROR, PT_ERROR_INVALID,
                        "station.ini [grading]: mm_per_px must be above 0");
    return FALSE;
  }
  s.mm_per_px = MAX(mm, 0);
  s.profile = settings_get(config, "profile");
  if (s.profile) {
    g_autoptr(GError) local = NULL;
    g_autoptr(PtGradeProfile) profile = pt_grading_load_profile(s.profile, &local);
    if (!profile) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "station.ini [grading]: profile: %s",
                  local->message);
      return FALSE;
    }
  }
  *out = s;
  s = (PtGradingSettings){0};
  return TRUE;
}

void
pt_grading_settings_clear(PtGradingSettings *settings)
{
  g_clear_pointer(&settings->profile, g_free);
}

PtGradingRow *
pt_grading_open(PtStation *station, PtStore *store, const PtBatch *batch, const PtGradingSpec *spec,
                gboolean reuse, GError **error)
{
  const char *profile_name = spec->profile ? spec->profile : PT_GRADE_DEFAULT_PROFILE;
  const char *klass = spec->declared_class ? spec->declared_class : PT_GRADE_DEFAULT_CLASS;
  double mm_per_px = spec->mm_per_px > 0 ? spec->mm_per_px : PT_GRADE_DEFAULT_MM_PER_PX;
  g_autoptr(PtGradeProfile) profile = NULL;
  g_autoptr(GError) local = NULL;

  int k = class_index(klass);
  if (k < 0 || k > PT_CLASS_II) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "declared class '%s' is not Extra, I or II",
                klass);
    return NULL;
  }
  if (!(profile = pt_grading_load_profile(profile_name, error)))
    return NULL;
  if (strcmp(batch->status, "recalled") == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT, "batch %s is recalled; it is not graded",
                batch->lot);
    return NULL;
  }
  PtGradingRow *open = pt_store_grading_get_open(store, batch->id, &local);
  if (open) {
    gboolean same = (!spec->profile || strcmp(open->profile, spec->profile) == 0) &&
                    (!spec->declared_class || strcmp(open->declared_class, klass) == 0) &&
                    (spec->mm_per_px <= 0 || fabs(open->mm_per_px - mm_per_px) < 1e-9);
    if (reuse && same)
      return open;
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "batch %s already has an open grading (%s, class %s, %g mm/px); close it first "
                "with `packtrace grade close %" G_GINT64_FORMAT "`",
                batch->lot, open->profile, open->declared_class, open->mm_per_px, batch->id);
    pt_grading_row_free(open);
    return NULL;
  }
  if (!g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    g_propagate_error(error, g_steal_pointer(&local));
    return NULL;
  }
  g_autoptr(PtGradingRow) row = g_new0(PtGradingRow, 1);
  row->batch_id = batch->id;
  row->profile = g_strdup(profile_name);
  row->declared_class = g_strdup(klass);
  row->mm_per_px = mm_per_px;
  row->model_version = g_strdup(pt_grader_version());
  row->opened_ns = pt_now_ns();
  if (!pt_store_grading_insert(store, row, error))
    return NULL;
  return g_steal_pointer(&row);
}

/* Writes @still as DATA/stills/batch-B/grading-G-fruit-F.jpg and records it on the fruit. */
static gboolean
save_still(PtStation *station, PtStore *store, const PtGradingRow *grading, gint64 fruit_id,
           const PtImage *still, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autofree char *rel_dir = g_strdup_printf("stills/batch-%" G_GINT64_FORMAT, grading->batch_id);
  g_autofree char *rel =
      g_strdup_printf("%s/grading-%" G_GINT64_FORMAT "-fruit-%" G_GINT64_FORMAT ".jpg", rel_dir,
                      grading->id, fruit_id);
  g_autofree char *dir = g_build_filename(station->dir, rel_dir, NULL);
  g_autofree char *path = g_build_filename(station->dir, rel, NULL);
  g_autoptr(GBytes) jpeg = pt_image_encode_jpeg(still, PT_GRADE_STILL_QUALITY, &local);
  if (!jpeg) {
    g_set_error(error, PT_ERROR, PT_ERROR_FAILED, "evidence still: %s", local->message);
    return FALSE;
  }
  if (g_mkdir_with_parents(dir, 0755) != 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_IO, "cannot create %s: %s", dir, g_strerror(errno));
    return FALSE;
  }
  gsize len;
  const void *data = g_bytes_get_data(jpeg, &len);
  return pt_file_write_atomic(path, data, len, 0644, error) &&
         pt_store_fruit_set_still(store, fruit_id, rel, error);
}

gboolean
pt_grading_record(PtStation *station, PtStore *store, const PtGradingRow *grading,
                  const char *source, GPtrArray *fruit, GError **error)
{
  int declared = class_index(grading->declared_class);
  gint64 n_stills = 0;
  if (fruit->len == 0)
    return TRUE;
  if (!pt_store_begin(store, error))
    return FALSE;
  /* The grading may have been closed by another process since the caller read it. */
  PtGradingRow *open = pt_store_grading_get_open(store, grading->batch_id, NULL);
  gboolean still_open = open && open->id == grading->id;
  pt_grading_row_free(open);
  if (!still_open) {
    g_set_error(error, PT_ERROR, PT_ERROR_CONFLICT,
                "grading %" G_GINT64_FORMAT " was closed; fruit not recorded", grading->id);
    goto out_rollback;
  }
  if (!pt_store_grading_n_stills(store, grading->id, &n_stills, error))
    goto out_rollback;
  for (guint i = 0; i < fruit->len; i++) {
    const PtTrackedFruit *t = g_ptr_array_index(fruit, i);
    const PtFruit *f = &t->fruit;
    gint64 id;
    if (f->klass > PT_CLASS_OUT || f->partial)
      continue;
    PtFruitRecord rec = {
        .graded_ns = t->last_ts > 0 ? t->last_ts : pt_now_ns(),
        .source = source,
        .klass = class_names[f->klass],
        .size_code = f->size_code[0] ? f->size_code : NULL,
        .diameter_mm = f->diameter_mm,
        .length_mm = f->length_mm,
        .weight_g = f->weight_g,
        .ripe_fraction = f->ripe_fraction,
        .green_fraction = f->green_fraction,
        .defect_count = f->defect_count,
        .defect_area_mm2 = f->defect_total_mm2,
        .defect_largest_mm2 = f->defect_largest_mm2,
        .defect_longest_mm = f->defect_longest_mm,
        .defect_kind = f->n_defects > 0 ? pt_defect_kind_to_string(f->defects[0].kind) : NULL,
        .views = MAX(1, t->n_views),
        .rule = f->rule,
        .confidence = f->confidence,
    };
    if (!pt_store_fruit_insert(store, grading->id, &rec, &id, error))
      goto out_rollback;
    if ((int)f->klass > declared && t->still && n_stills < PT_GRADE_STILLS_MAX) {
      if (!save_still(station, store, grading, id, t->still, error))
        goto out_rollback;
      n_stills++;
    }
  }
  return pt_store_commit(store, error);

out_rollback:
  pt_store_rollback(store);
  return FALSE;
}

static gint64
count_of(GArray *counts, const char *key)
{
  for (guint i = 0; i < counts->len; i++)
    if (strcmp(g_array_index(counts, PtCount, i).key, key) == 0)
      return g_array_index(counts, PtCount, i).count;
  return 0;
}

static json_t *
counts_json(GArray *counts, const char *empty_key)
{
  json_t *o = json_object();
  for (guint i = 0; i < counts->len; i++) {
    const PtCount *c = &g_array_index(counts, PtCount, i);
    json_object_set_new(o, c->key[0] ? c->key : empty_key, json_integer(c->count));
  }
  return o;
}

/* What a lot's tolerance percentages are shares of.  By weight, a fruit without a weight (its
 * size unknown: no scale) is taken at the mean weight of the lot's weighed fruit, so it counts
 * as an ordinary fruit rather than as nothing; a lot with no weighed fruit at all is judged
 * by count, and its checks say so. */
typedef struct {
  PtToleranceBasis basis;
  gint64 n_fruit;
  double total_g; /* the lot's estimated weight, unweighed fruit at mean_g */
  double mean_g;
} TolBase;

static TolBase
tolerance_base(const PtGradeProfile *profile, const PtGradingSummary *sum)
{
  TolBase b = {PT_TOLERANCE_BY_COUNT, sum->n_fruit, 0, 0};
  if (profile->tol_basis == PT_TOLERANCE_BY_WEIGHT && sum->n_weighed > 0) {
    b.basis = PT_TOLERANCE_BY_WEIGHT;
    b.mean_g = sum->weight_total_g / (double)sum->n_weighed;
    b.total_g = sum->weight_total_g + (double)(sum->n_fruit - sum->n_weighed) * b.mean_g;
  }
  return b;
}

/* One check of @n fruit (@weight_g of them weighed, @n_unweighed without a weight). */
static json_t *
tolerance_check(const char *what, const TolBase *base, gint64 n, double weight_g,
                gint64 n_unweighed, double limit_pct, gboolean *ok)
{
  gboolean by_weight = base->basis == PT_TOLERANCE_BY_WEIGHT;
  double grams = weight_g + (double)n_unweighed * base->mean_g;
  double pct;
  if (by_weight)
    pct = base->total_g > 0 ? 100.0 * grams / base->total_g : 0;
  else
    pct = base->n_fruit > 0 ? 100.0 * (double)n / (double)base->n_fruit : 0;
  gboolean pass = pct <= limit_pct + 1e-9;
  if (!pass)
    *ok = FALSE;
  json_t *o = json_pack("{sssIsfsfsbss}", "check", what, "fruit", (json_int_t)n, "percent",
                        round(pct * 100) / 100, "limitPercent", limit_pct, "met", pass, "basis",
                        by_weight ? "weight" : "count");
  if (by_weight)
    json_object_set_new(o, "weightKg", json_real(round(grams) / 1000));
  return o;
}

static const PtCount *
count_entry(GArray *counts, const char *key)
{
  for (guint i = 0; i < counts->len; i++)
    if (strcmp(g_array_index(counts, PtCount, i).key, key) == 0)
      return &g_array_index(counts, PtCount, i);
  return NULL;
}

/* Counts, statistics and the tolerance decision of @grading, as the event records them.
 * @conformant_out (nullable) receives the decision. */
static json_t *
grading_record_json(PtStore *store, const PtGradingRow *grading, gboolean *conformant_out,
                    GError **error)
{
  g_auto(PtGradingSummary) sum = {0};
  g_autoptr(PtGradeProfile) profile = pt_grading_load_profile(grading->profile, error);
  if (!profile)
    return NULL;
  int k = class_index(grading->declared_class);
  double floor_mm = profile->tol_size_floor_mm >= 0 ? profile->tol_size_floor_mm : 0;
  if (!pt_store_grading_summary(store, grading->id, profile->min_diameter_mm, floor_mm, &sum,
                                error))
    return NULL;

  json_t *grades = json_object();
  for (guint i = 0; i < G_N_ELEMENTS(class_names); i++)
    json_object_set_new(grades, class_names[i],
                        json_integer(count_of(sum.classes, class_names[i])));
  PtCount below = {0}, out = {0};
  for (guint i = (guint)k + 1; i < G_N_ELEMENTS(class_names); i++) {
    const PtCount *c = count_entry(sum.classes, class_names[i]);
    if (!c)
      continue;
    below.count += c->count;
    below.weight_g += c->weight_g;
    below.n_unweighed += c->n_unweighed;
    if (i == G_N_ELEMENTS(class_names) - 1)
      out = *c;
  }
  /* Undersized fruit are graded out on size alone; the standards count them against the size
   * tolerance, not the quality one. */
  gint64 quality_fail = below.count - sum.n_undersize, out_fail = out.count - sum.n_undersize;
  double quality_g = below.weight_g - sum.undersize_weight_g,
         out_g = out.weight_g - sum.undersize_weight_g;
  gint64 quality_unweighed = below.n_unweighed - sum.n_undersize_unweighed,
         out_unweighed = out.n_unweighed - sum.n_undersize_unweighed;

  TolBase base = tolerance_base(profile, &sum);
  gboolean ok = TRUE;
  json_t *checks = json_array();
  if (profile->tol_quality_pct[k] >= 0)
    json_array_append_new(checks,
                          tolerance_check("below declared class", &base, quality_fail, quality_g,
                                          quality_unweighed, profile->tol_quality_pct[k], &ok));
  if (profile->tol_out_pct[k] >= 0)
    json_array_append_new(checks, tolerance_check("meeting no class", &base, out_fail, out_g,
                                                  out_unweighed, profile->tol_out_pct[k], &ok));
  if (profile->tol_size_pct >= 0)
    json_array_append_new(checks, tolerance_check("below minimum size", &base, sum.n_undersize,
                                                  sum.undersize_weight_g, sum.n_undersize_unweighed,
                                                  profile->tol_size_pct, &ok));
  if (profile->tol_size_floor_mm >= 0)
    json_array_append_new(checks, tolerance_check("far below minimum size", &base,
                                                  sum.n_below_floor, sum.below_floor_weight_g,
                                                  sum.n_below_floor_unweighed, 0, &ok));

  json_t *kinds = counts_json(sum.kinds, "none");
  json_t *defects =
      json_pack("{sIsfsfsfso}", "fruitWithDefects", (json_int_t)sum.n_with_defects, "totalAreaMm2",
                round(sum.defect_area_total_mm2 * 10) / 10, "largestAreaMm2",
                round(sum.defect_area_max_mm2 * 10) / 10, "longestMm",
                round(sum.defect_longest_max_mm * 10) / 10, "fruitByKind", kinds);
  json_t *stills = json_array();
  for (guint i = 0; i < sum.stills->len; i++)
    json_array_append_new(stills, json_string(g_ptr_array_index(sum.stills, i)));
  json_t *o = json_pack(
      "{sssssssfsIsososososfsfsfsfso}", "profile", grading->profile, "declaredClass",
      grading->declared_class, "modelVersion", grading->model_version, "mmPerPx",
      grading->mm_per_px, "fruitCount", (json_int_t)sum.n_fruit, "gradeDistribution", grades,
      "sizeDistribution", counts_json(sum.sizes, "none"), "defects", defects, "tolerances", checks,
      "meanDiameterMm", round(sum.diameter_mean_mm * 10) / 10, "minDiameterMm",
      round(sum.diameter_min_mm * 10) / 10, "maxDiameterMm", round(sum.diameter_max_mm * 10) / 10,
      "estimatedWeightKg", round(sum.weight_total_g) / 1000, "evidence", stills);
  json_object_set_new(o, "profileStandard", json_string(profile->standard));
  if (conformant_out)
    *conformant_out = ok && json_array_size(checks) > 0;
  return o;
}

json_t *
pt_grading_to_json(PtStore *store, const PtGradingRow *grading, GError **error)
{
  json_t *o = grading_record_json(store, grading, NULL, error);
  if (!o)
    return NULL;
  g_autofree char *opened = pt_time_format(grading->opened_ns);
  json_object_set_new(o, "id", json_integer(grading->id));
  json_object_set_new(o, "batchId", json_integer(grading->batch_id));
  json_object_set_new(o, "opened", json_string(opened));
  json_object_set_new(o, "state", json_string(grading->closed_ns ? "closed" : "open"));
  if (grading->closed_ns) {
    g_autofree char *closed = pt_time_format(grading->closed_ns);
    json_object_set_new(o, "closed", json_string(closed));
    json_object_set_new(o, "eventId", json_string(grading->event_id));
    json_object_set_new(o, "disposition", json_string(grading->disposition));
  }
  return o;
}

/* Adds the SHA-256 of each evidence still to the event, so the signature covers the pictures
 * too; a still that cannot be read is listed without a hash. */
static json_t *
evidence_json(PtStation *station, json_t *stills)
{
  json_t *out = json_array();
  size_t i;
  json_t *v;
  json_array_foreach(stills, i, v)
  {
    const char *rel = json_string_value(v);
    g_autofree char *path = g_build_filename(station->dir, rel, NULL);
    g_autofree char *data = NULL;
    gsize len = 0;
    json_t *e = json_pack("{ss}", "file", rel);
    if (g_file_get_contents(path, &data, &len, NULL)) {
      guint8 hash[crypto_hash_sha256_BYTES];
      crypto_hash_sha256(hash, (const guint8 *)data, len);
      g_autofree char *hex = pt_hex_encode(hash, sizeof hash);
      json_object_set_new(e, "sha256", json_string(hex));
    }
    json_array_append_new(out, e);
  }
  return out;
}

/* A sensor report over the fruit of one element: @mean, and @min and @max unless NAN. */
static json_t *
range_report(const char *type, const char *measure, const char *uom, double mean, double min,
             double max)
{
  json_t *r = json_pack("{sssssf}", "type", type, "pt:measure", measure, "meanValue",
                        round(mean * 10) / 10);
  if (!isnan(min))
    json_object_set_new(r, "minValue", json_real(round(min * 10) / 10));
  if (!isnan(max))
    json_object_set_new(r, "maxValue", json_real(round(max * 10) / 10));
  json_object_set_new(r, "uom", json_string(uom));
  return r;
}

/* The measurements as EPCIS 2.0 sensor reports, which a platform reads without the station's
 * vocabulary: GS1 measurement types (CBV 2.0 MT-) and UN/CEFACT Rec 20 units.  The first
 * element covers every graded fruit; each one after it a class ("pt:fruitClass").  Each
 * report's "pt:measure" says which property of the fruit it is. */
static json_t *
sensor_elements(PtStore *store, const PtGradingRow *grading, gint64 now_ns, GError **error)
{
  g_autoptr(GArray) stats = pt_store_grading_class_stats(store, grading->id, error);
  if (!stats)
    return NULL;
  g_autofree char *start = pt_time_format(grading->opened_ns);
  g_autofree char *end = pt_time_format(now_ns);
  json_t *list = json_array();
  for (guint i = 0; i < stats->len; i++) {
    const PtClassStats *c = &g_array_index(stats, PtClassStats, i);
    json_t *reports = json_array();
    json_array_append_new(reports, json_pack("{sssssIss}", "type", "Count", "pt:measure", "fruit",
                                             "value", (json_int_t)c->n_fruit, "uom", "H87"));
    json_array_append_new(reports, range_report("Length", "diameter", "MMT", c->diameter_mean_mm,
                                                c->diameter_min_mm, c->diameter_max_mm));
    json_array_append_new(reports,
                          range_report("Dimensionless", "ripeColourCoverage", "P1",
                                       100 * c->ripe_mean, 100 * c->ripe_min, 100 * c->ripe_max));
    json_array_append_new(reports,
                          range_report("Area", "defectArea", "MMK", c->defect_area_mean_mm2, NAN,
                                       c->defect_area_max_mm2));
    json_t *element = json_pack("{s{ssss}so}", "sensorMetadata", "startTime", start, "endTime", end,
                                "sensorReport", reports);
    if (c->klass)
      json_object_set_new(element, "pt:fruitClass", json_string(c->klass));
    json_array_append_new(list, element);
  }
  return list;
}

gboolean
pt_grading_close(PtStation *station, PtStore *store, PtBatch *batch, PtEventRow *out,
                 GError **error)
{
  PtGradingRow *grading = NULL;
  json_t *record = NULL, *ev = NULL, *sensors = NULL;
  PtEventRow row = {0};
  gboolean conformant = FALSE;
  GError *local = NULL;
  char *opened = NULL;
  const char *key;
  json_t *value;

  if (!pt_store_begin(store, error))
    return FALSE;
  grading = pt_store_grading_get_open(store, batch->id, &local);
  if (!grading) {
    if (g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND))
      g_set_error(error, PT_ERROR, PT_ERROR_NOT_FOUND, "batch %s has no open grading", batch->lot);
    else
      g_propagate_error(error, g_steal_pointer(&local));
    g_clear_error(&local);
    goto out_rollback;
  }
  record = grading_record_json(store, grading, &conformant, error);
  if (!record)
    goto out_free_grading;
  if (json_integer_value(json_object_get(record, "fruitCount")) == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "grading of batch %s has no graded fruit; nothing to decide on", batch->lot);
    goto out_free_record;
  }
  if (json_array_size(json_object_get(record, "tolerances")) == 0) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID,
                "profile %s gives no lot tolerance for class %s (add a [tolerance] section)",
                grading->profile, grading->declared_class);
    goto out_free_record;
  }

  gint64 now = pt_now_ns();
  ev = pt_epcis_event_new(station->config, batch, "inspecting", now,
                          (double)json_integer_value(json_object_get(record, "fruitCount")), "H87");
  json_object_set_new(ev, "disposition", json_string(conformant ? "conformant" : "non_conformant"));
  json_object_foreach(record, key, value)
  {
    char *name = g_strconcat("pt:", key, NULL);
    if (strcmp(key, "evidence") == 0)
      json_object_set_new(ev, name, evidence_json(station, value));
    else
      json_object_set(ev, name, value);
    g_free(name);
  }
  opened = pt_time_format(grading->opened_ns);
  json_object_set_new(ev, "pt:gradingOpened", json_string(opened));
  sensors = sensor_elements(store, grading, now, error);
  if (!sensors)
    goto out_clear_row;
  json_object_set_new(ev, "sensorElementList", sensors);
  if (!pt_trace_append(store, station->keys, batch->id, "inspecting", now, ev, &row, error) ||
      !pt_store_grading_close(store, grading->id, now, row.event_id,
                              conformant ? "conformant" : "non_conformant", error) ||
      !pt_store_commit(store, error))
    goto out_clear_row;
  batch->n_events++;
  if (out)
    *out = row;
  else
    pt_event_row_clear(&row);
  g_free(opened);
  json_decref(ev);
  json_decref(record);
  pt_grading_row_free(grading);
  return TRUE;

out_clear_row:
  pt_event_row_clear(&row);
  g_free(opened);
  json_decref(ev);
out_free_record:
  json_decref(record);
out_free_grading:
  pt_grading_row_free(grading);
out_rollback:
  pt_store_rollback(store);
  return FALSE;
}

struct _PtGradingFeed {
  PtStation *station;
  GMutex lock;
  PtStore *store;
  PtGradingRow *grading; /* nullable: nothing open */
  PtGradeProfile *profile;
  PtGrader *grader;
  double grader_scale; /* the tap frames' px_scale the grader was made for */
  PtFruitTracker *tracker;
  gint64 checked_us;
  guint64 n_recorded;
  char *source;
};

PtGradingFeed *
pt_grading_feed_new(PtStation *station)
{
  PtGradingFeed *feed = g_new0(PtGradingFeed, 1);
  feed->station = station;
  g_mutex_init(&feed->lock);
  return feed;
}

/* Records and forgets the fruit in view.  Lock held. */
static gboolean
feed_flush_locked(PtGradingFeed *feed, GError **error)
{
  if (!feed->tracker)
    return TRUE;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(pt_tracked_fruit_free);
  pt_fruit_tracker_flush(feed->tracker, done);
  if (!pt_grading_record(feed->station, feed->store, feed->grading,
                         feed->source ? feed->source : "camera", done, error))
    return FALSE;
  feed->n_recorded += done->len;
  return TRUE;
}

static void
feed_drop_grading(PtGradingFeed *feed)
{
  g_clear_pointer(&feed->tracker, pt_fruit_tracker_free);
  g_clear_pointer(&feed->grader, pt_grader_free);
  g_clear_pointer(&feed->profile, pt_grade_profile_free);
  g_clear_pointer(&feed->grading, pt_grading_row_free);
}

/* Follows the newest open grading.  Lock held. */
static gboolean
feed_refresh_locked(PtGradingFeed *feed, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_autoptr(PtGradingRow) open = pt_store_grading_newest_open(feed->store, &local);
  if (!open && !g_error_matches(local, PT_ERROR, PT_ERROR_NOT_FOUND)) {
    g_propagate_error(error, g_steal_pointer(&local));
    return FALSE;
  }
  feed->checked_us = g_get_monotonic_time();
  if (open && feed->grading && open->id == feed->grading->id)
    return TRUE;
  if (feed->grading) {
    g_autoptr(GError) flush_error = NULL;
    /* The old grading was closed (or superseded): fruit still in view go to it if it is
     * open, else they are lost with the grading that was closed under them. */
    if (!feed_flush_locked(feed, &flush_error) &&
        !g_error_matches(flush_error, PT_ERROR, PT_ERROR_CONFLICT)) {
      g_propagate_error(error, g_steal_pointer(&flush_error));
      return FALSE;
    }
    feed_drop_grading(feed);
  }
  if (!open)
    return TRUE;
  g_autoptr(GError) model_error = NULL;
  PtFruitTrackerOptions options = {.direction = PT_BELT_ANY, .max_missed = 2, .keep_stills = TRUE};
  feed->profile = pt_grading_load_profile(open->profile, error);
  if (!feed->profile)
    return FALSE;
  feed->grader = pt_grader_new(feed->profile, open->mm_per_px, &model_error);
  feed->grader_scale = 1.0;
  if (!feed->grader) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "grading %" G_GINT64_FORMAT ": %s", open->id,
                model_error->message);
    g_clear_pointer(&feed->profile, pt_grade_profile_free);
    return FALSE;
  }
  feed->tracker = pt_fruit_tracker_new(feed->profile, &options);
  feed->grading = g_steal_pointer(&open);
  return TRUE;
}

static gboolean
feed_frame_locked(PtGradingFeed *feed, const PtTapFrame *tap, GError **error)
{
  if (!feed->store && !(feed->store = pt_station_store(feed->station, error)))
    return FALSE;
  if (feed->checked_us == 0 || g_get_monotonic_time() - feed->checked_us >= PT_GRADE_RECHECK_US) {
    if (!feed_refresh_locked(feed, error))
      return FALSE;
  }
  if (!feed->grading)
    return TRUE;
  if (g_strcmp0(feed->source, tap->camera) != 0) {
    g_free(feed->source);
    feed->source = g_strdup(tap->camera);
  }
  /* The calibration is in the main stream's pixels; a substream's frame is smaller, so each
   * of its pixels spans px_scale of them (0: a frame made before the field, the main's). */
  double scale = tap->px_scale > 0 ? tap->px_scale : 1.0;
  if (fabs(scale - feed->grader_scale) > 1e-6) {
    g_autoptr(GError) scale_error = NULL;
    PtGrader *grader = pt_grader_new(feed->profile, feed->grading->mm_per_px * scale, &scale_error);
    if (!grader) {
      g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "grading %" G_GINT64_FORMAT ": %s",
                  feed->grading->id, scale_error->message);
      return FALSE;
    }
    pt_grader_free(feed->grader);
    feed->grader = grader;
    feed->grader_scale = scale;
  }
  PtFrame frame = {.width = tap->width, .height = tap->height};
  frame.format = tap->format == PT_TAP_FORMAT_I420 ? PT_PIXEL_I420 : PT_PIXEL_RGB;
  for (int p = 0; p < tap->n_planes && p < 3; p++) {
    frame.data[p] = tap->plane[p];
    frame.stride[p] = tap->stride[p];
  }
  g_autoptr(GError) model_error = NULL;
  g_autoptr(GPtrArray) done = g_ptr_array_new_with_free_func(pt_tracked_fruit_free);
  g_autoptr(PtGradeResult) result = pt_fruit_tracker_grade(
      feed->tracker, feed->grader, &frame, NULL, 0, tap->utc_ns, NULL, done, &model_error);
  if (!result) {
    g_set_error(error, PT_ERROR, PT_ERROR_INVALID, "frame of camera %s not graded: %s",
                tap->camera ? tap->camera : "?", model_error->message);
    return FALSE;
  }
  g_autoptr(GError) record_error = NULL;
  if (!pt_grading_record(feed->station, feed->store, feed->grading,
                         feed->source ? feed->source : "camera", done, &record_error)) {
    /* Closed since the last look: follow whatever is open now from the next frame on. */
    if (g_error_matches(record_error, PT_ERROR, PT_ERROR_CONFLICT)) {
      feed_drop_grading(feed);
      feed->checked_us = 0;
      return TRUE;
    }
    g_propagate_error(error, g_steal_pointer(&record_error));
    return FALSE;
  }
  feed->n_recorded += done->len;
  return TRUE;
}

gboolean
pt_grading_feed_frame(PtGradingFeed *feed, const PtTapFrame *frame, GError **error)
{
  g_mutex_lock(&feed->lock);
  gboolean ok = feed_frame_locked(feed, frame, error);
  g_mutex_unlock(&feed->lock);
  return ok;
}

gboolean
pt_grading_feed_flush(PtGradingFeed *feed, GError **error)
{
  g_autoptr(GError) local = NULL;
  g_mutex_lock(&feed->lock);
  gboolean ok = feed_flush_locked(feed, &local);
  /* Closed under the feed (by another process, with no frame since to notice it): the fruit
   * still in view are lost with the grading, as when a frame finds it closed. */
  if (!ok && g_error_matches(local, PT_ERROR, PT_ERROR_CONFLICT)) {
    feed_drop_grading(feed);
    ok = TRUE;
  }
  g_mutex_unlock(&feed->lock);
  if (!ok)
    g_propagate_error(error, g_steal_pointer(&local));
  return ok;
}

guint64
pt_grading_feed_n_recorded(PtGradingFeed *feed)
{
  g_mutex_lock(&feed->lock);
  guint64 n = feed->n_recorded;
  g_mutex_unlock(&feed->lock);
  return n;
}

void
pt_grading_feed_free(PtGradingFeed *feed)
{
  if (!feed)
    return;
  feed_drop_grading(feed);
  pt_store_close(feed->store);
  g_free(feed->source);
  g_mutex_clear(&feed->lock);
  g_free(feed);
}
