/* pt-profile.c: loading grade profiles (GKeyFile) and the lookups the
 * grader needs from them: size code by diameter and weight from size.
 *
 * Profiles are read once per grader, so parsing favours clear errors over
 * speed: a missing section, a malformed size band or a class list of the
 * wrong length names the file and key. */
#include "pt-grade-tuning.h"
#include "pt-internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#ifndef PT_PROFILES_DIR
#error "PT_PROFILES_DIR must be set by the build"
#endif

static const char *class_names[] = {"Extra", "I", "II", "out", "none"};

const char *
pt_grade_class_to_string(PtGradeClass klass)
{
  return (guint)klass < G_N_ELEMENTS(class_names) ? class_names[klass] : "?";
}

void
pt_grade_profile_free(PtGradeProfile *profile)
{
  g_free(profile);
}

static gboolean
get_string(GKeyFile *kf, const char *group, const char *key, char *out, gsize out_len,
           gboolean required, const char *origin, GError **error)
{
  g_autofree char *v = g_key_file_get_string(kf, group, key, NULL);

  if (v == NULL) {
    if (!required)
      return TRUE;
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE, "%s: missing [%s] %s", origin,
                group, key);
    return FALSE;
  }
  g_strstrip(v);
  if (strlen(v) >= out_len) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE, "%s: [%s] %s is too long", origin,
                group, key);
    return FALSE;
  }
  g_strlcpy(out, v, out_len);
  return TRUE;
}

/* Reads an optional number, keeping @out's default when the key is absent. */
static gboolean
get_double(GKeyFile *kf, const char *group, const char *key, double *out, const char *origin,
           GError **error)
{
  g_autofree char *v = g_key_file_get_string(kf, group, key, NULL);
  char *end;
  double d;

  if (v == NULL)
    return TRUE;
  g_strstrip(v);
  d = g_ascii_strtod(v, &end);
  if (end == v || *end != '\0' || !isfinite(d)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                "%s: [%s] %s is not a number: '%s'", origin, group, key, v);
    return FALSE;
  }
  *out = d;
  return TRUE;
}

static gboolean
get_bool(GKeyFile *kf, const char *group, const char *key, gboolean *out, const char *origin,
         GError **error)
{
  g_autoptr(GError) local = NULL;
  gboolean v;

  if (!g_key_file_has_key(kf, group, key, NULL))
    return TRUE;
  v = g_key_file_get_boolean(kf, group, key, &local);
  if (local != NULL) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                "%s: [%s] %s must be true or false", origin, group, key);
    return FALSE;
  }
  *out = v;
  return TRUE;
}

/* [tolerance] basis: "count" (also when absent, as profiles were written before weights were
 * estimated) or "weight". */
static gboolean
get_basis(GKeyFile *kf, PtGradeProfile *p, const char *origin, GError **error)
{
  char v[16];

  v[0] = '\0';
  if (!get_string(kf, "tolerance", "basis", v, sizeof v, FALSE, origin, error))
    return FALSE;
  if (v[0] == '\0' || strcmp(v, "count") == 0)
    p->tol_basis = PT_TOLERANCE_BY_COUNT;
  else if (strcmp(v, "weight") == 0)
    p->tol_basis = PT_TOLERANCE_BY_WEIGHT;
  else {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                "%s: [tolerance] basis must be count or weight", origin);
    return FALSE;
  }
  return TRUE;
}

/* A per-class list "extra;I;II"; "-" means no limit for that class. */
static gboolean
get_classes(GKeyFile *kf, const char *group, const char *key, double out[PT_N_CLASSES],
            const char *origin, GError **error)
{
  g_autofree char *v = g_key_file_get_string(kf, group, key, NULL);
  g_auto(GStrv) parts = NULL;

  for (int i = 0; i < PT_N_CLASSES; i++)
    out[i] = -1;
  if (v == NULL)
    return TRUE;
  parts = g_strsplit(v, ";", -1);
  if (g_strv_length(parts) != PT_N_CLASSES)
    goto bad;
  for (int i = 0; i < PT_N_CLASSES; i++) {
    char *s = g_strstrip(parts[i]);
    char *end;

    if (strcmp(s, "-") == 0)
      continue;
    out[i] = g_ascii_strtod(s, &end);
    if (end == s || *end != '\0' || !isfinite(out[i]) || out[i] < 0)
      goto bad;
  }
  return TRUE;

bad:
  g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
              "%s: [%s] %s needs three values 'extra;I;II' (numbers >= 0 or -)", origin, group,
              key);
  return FALSE;
}

static gboolean
get_hue_range(GKeyFile *kf, const char *key, double out[2], const char *origin, GError **error)
{
  g_autofree char *v = g_key_file_get_string(kf, "colour", key, NULL);
  char *end, *end2;

  if (v == NULL)
    return TRUE;
  out[0] = g_ascii_strtod(v, &end);
  if (end == v || *end != '-')
    goto bad;
  out[1] = g_ascii_strtod(end + 1, &end2);
  if (end2 == end + 1 || *g_strstrip(end2) != '\0')
    goto bad;
  if (out[0] < 0 || out[0] >= 360 || out[1] < 0 || out[1] >= 360)
    goto bad;
  return TRUE;

bad:
  g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
              "%s: [colour] %s must be 'MIN-MAX' hue degrees in 0..359", origin, key);
  return FALSE;
}

/* "CODE:MIN-MAX;CODE:MIN-MAX;..." in mm. */
static gboolean
parse_codes(PtGradeProfile *p, const char *v, const char *origin, GError **error)
{
  g_auto(GStrv) parts = g_strsplit(v, ";", -1);

  p->n_codes = 0;
  for (guint i = 0; parts[i] != NULL; i++) {
    char *s = g_strstrip(parts[i]);
    char *colon = strchr(s, ':');
    char *end, *end2;
    PtSizeCode *c;

    if (*s == '\0')
      continue;
    if (p->n_codes >= PT_PROFILE_MAX_SIZE_CODES) {
      g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE, "%s: more than %d size codes",
                  origin, PT_PROFILE_MAX_SIZE_CODES);
      return FALSE;
    }
    if (colon == NULL || colon == s || (gsize)(colon - s) >= sizeof c->code)
      goto bad;
    c = &p->codes[p->n_codes];
    memset(c->code, 0, sizeof c->code);
    memcpy(c->code, s, (gsize)(colon - s));
    c->min_mm = g_ascii_strtod(colon + 1, &end);
    if (end == colon + 1 || *end != '-')
      goto bad;
    c->max_mm = g_ascii_strtod(end + 1, &end2);
    if (end2 == end + 1 || *end2 != '\0' || !(c->min_mm > 0) || !(c->max_mm > c->min_mm) ||
        c->max_mm > 1000)
      goto bad;
    p->n_codes++;
  }
  return TRUE;

bad:
  g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
              "%s: [size] codes must be 'CODE:MIN-MAX;...' in mm", origin);
  return FALSE;
}

PtGradeProfile *
pt_grade_profile_new_from_data(const char *data, gsize len, const char *origin, GError **error)
{
  g_autoptr(GKeyFile) kf = g_key_file_new();
  g_autoptr(PtGradeProfile) p = g_new0(PtGradeProfile, 1);
  g_autoptr(GError) local = NULL;
  g_autofree char *codes = NULL;
  gboolean ok = TRUE;

  if (len > PT_PROFILE_MAX_BYTES) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_TOO_LARGE,
                "%s: profile larger than %d bytes", origin, PT_PROFILE_MAX_BYTES);
    return NULL;
  }
  if (!g_key_file_load_from_data(kf, data, len, G_KEY_FILE_NONE, &local)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE, "%s: %s", origin, local->message);
    return NULL;
  }

  /* Defaults for the detection settings suit a smooth, evenly coloured
   * peel; a profile overrides them for its variety. */
  p->ripe_hue[0] = p->ripe_hue[1] = -1;
  p->green_hue[0] = p->green_hue[1] = -1;
  p->dark_ratio = 0.72;
  p->bright_ratio = 1.45;
  p->min_defect_mm2 = 4.0;

  ok = ok && get_string(kf, "profile", "name", p->name, sizeof p->name, TRUE, origin, error);
  ok = ok && get_string(kf, "profile", "fruit", p->fruit, sizeof p->fruit, TRUE, origin, error);
  ok = ok &&
       get_string(kf, "profile", "standard", p->standard, sizeof p->standard, FALSE, origin, error);
  ok = ok && get_double(kf, "size", "min_diameter_mm", &p->min_diameter_mm, origin, error);
  ok = ok && get_double(kf, "size", "weight_k", &p->weight_k, origin, error);
  ok = ok && get_double(kf, "size", "nominal_diameter_mm", &p->nominal_diameter_mm, origin, error);
  ok = ok && get_hue_range(kf, "ripe_hue", p->ripe_hue, origin, error);
  ok = ok && get_hue_range(kf, "green_hue", p->green_hue, origin, error);
  ok = ok && get_classes(kf, "colour", "min_ripe_fraction", p->min_ripe_fraction, origin, error);
  ok = ok && get_classes(kf, "colour", "max_green_fraction", p->max_green_fraction, origin, error);
  ok = ok && get_classes(kf, "defects", "max_area_cm2", p->max_defect_area_cm2, origin, error);
  ok = ok && get_classes(kf, "defects", "max_length_mm", p->max_defect_length_mm, origin, error);
  ok = ok && get_classes(kf, "defects", "max_count", p->max_defect_count, origin, error);
  ok = ok && get_classes(kf, "defects", "max_russet_cm2", p->max_russet_area_cm2, origin, error);
  ok = ok && get_bool(kf, "defects", "decay_out", &p->decay_out, origin, error);
  ok = ok && get_double(kf, "detect", "dark_ratio", &p->dark_ratio, origin, error);
  ok = ok && get_double(kf, "detect", "bright_ratio", &p->bright_ratio, origin, error);
  ok = ok && get_double(kf, "detect", "min_defect_mm2", &p->min_defect_mm2, origin, error);
  ok = ok && get_bool(kf, "detect", "russet", &p->russet, origin, error);
  ok = ok && get_bool(kf, "detect", "mould", &p->mould, origin, error);
  ok = ok && get_bool(kf, "detect", "scars", &p->scars, origin, error);
  ok = ok && get_bool(kf, "detect", "stem_at_poles", &p->stem_at_poles, origin, error);
  ok = ok && get_classes(kf, "tolerance", "quality_pct", p->tol_quality_pct, origin, error);
  ok = ok && get_classes(kf, "tolerance", "out_pct", p->tol_out_pct, origin, error);
  p->tol_size_pct = p->tol_size_floor_mm = -1;
  ok = ok && get_double(kf, "tolerance", "size_pct", &p->tol_size_pct, origin, error);
  ok = ok && get_double(kf, "tolerance", "size_floor_mm", &p->tol_size_floor_mm, origin, error);
  ok = ok && get_basis(kf, p, origin, error);
  if (!ok)
    return NULL;

  codes = g_key_file_get_string(kf, "size", "codes", NULL);
  if (codes != NULL && !parse_codes(p, codes, origin, error))
    return NULL;
  if (p->min_diameter_mm < 0 || p->min_diameter_mm > 1000 || p->weight_k < 0 ||
      p->nominal_diameter_mm < 0 || p->nominal_diameter_mm > 1000 ||
      !(p->dark_ratio > 0.05 && p->dark_ratio < 1.0) ||
      !(p->bright_ratio > 1.0 && p->bright_ratio < 10.0) ||
      !(p->min_defect_mm2 > 0 && p->min_defect_mm2 < 10000)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                "%s: a size, weight or detection setting is out of range", origin);
    return NULL;
  }
  if (p->tol_basis == PT_TOLERANCE_BY_WEIGHT && !(p->weight_k > 0)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                "%s: [tolerance] basis=weight needs [size] weight_k to estimate weights "
                "(declare basis=count instead)",
                origin);
    return NULL;
  }
  if (p->tol_size_pct > 100 || p->tol_size_floor_mm > 1000) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                "%s: [tolerance] size_pct or size_floor_mm is out of range", origin);
    return NULL;
  }
  for (int i = 0; i < PT_N_CLASSES; i++) {
    if (p->tol_quality_pct[i] > 100 || p->tol_out_pct[i] > 100) {
      g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                  "%s: [tolerance] percentages must lie in 0..100", origin);
      return NULL;
    }
    if (p->min_ripe_fraction[i] > 1 || p->max_green_fraction[i] > 1) {
      g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
                  "%s: colour fractions must lie in 0..1", origin);
      return NULL;
    }
  }
  return g_steal_pointer(&p);
}

PtGradeProfile *
pt_grade_profile_load_file(const char *path, GError **error)
{
  g_autofree char *data = NULL;
  g_autoptr(GError) local = NULL;
  gsize len = 0;

  if (!g_file_get_contents(path, &data, &len, &local)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE, "grade profile: %s",
                local->message);
    return NULL;
  }
  return pt_grade_profile_new_from_data(data, len, path, error);
}

PtGradeProfile *
pt_grade_profile_load(const char *name, GError **error)
{
  const char *dirs[2] = {g_getenv("PACKTRACE_PROFILES_DIR"), PT_PROFILES_DIR};

  if (name == NULL || *name == '\0' || strlen(name) >= PT_PROFILE_MAX_NAME ||
      strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789_-") != strlen(name)) {
    g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE, "invalid grade profile name '%s'",
                name ? name : "");
    return NULL;
  }
  for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
    g_autofree char *file = NULL;
    g_autofree char *path = NULL;

    if (dirs[i] == NULL || *dirs[i] == '\0')
      continue;
    file = g_strconcat(name, ".ini", NULL);
    path = g_build_filename(dirs[i], file, NULL);
    if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
      return pt_grade_profile_load_file(path, error);
  }
  g_set_error(error, PT_MODELS_ERROR, PT_MODELS_ERROR_PROFILE,
              "unknown grade profile '%s' (looked in $PACKTRACE_PROFILES_DIR and %s)", name,
              PT_PROFILES_DIR);
  return NULL;
}

static gint
cmp_name(gconstpointer a, gconstpointer b)
{
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

GStrv
pt_grade_profile_list(void)
{
  const char *dirs[2] = {g_getenv("PACKTRACE_PROFILES_DIR"), PT_PROFILES_DIR};
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);

  for (guint i = 0; i < G_N_ELEMENTS(dirs); i++) {
    g_autoptr(GDir) dir = NULL;
    const char *entry;

    if (dirs[i] == NULL || *dirs[i] == '\0')
      continue;
    dir = g_dir_open(dirs[i], 0, NULL);
    while (dir != NULL && (entry = g_dir_read_name(dir)) != NULL) {
      gsize len = strlen(entry);
      char *name;

      /* Only names pt_grade_profile_load() would accept. */
      if (len <= 4 || len - 4 >= PT_PROFILE_MAX_NAME || !g_str_has_suffix(entry, ".ini") ||
          strspn(entry, "abcdefghijklmnopqrstuvwxyz0123456789_-") != len - 4)
        continue;
      name = g_strndup(entry, len - 4);
      if (g_hash_table_contains(seen, name)) {
        g_free(name);
        continue;
      }
      g_hash_table_add(seen, name);
      g_ptr_array_add(names, name);
    }
  }
  g_ptr_array_sort(names, cmp_name);
  g_ptr_array_add(names, NULL);
  return (GStrv)g_ptr_array_steal(names, NULL);
}

const char *
pt_grade_profile_size_code(const PtGradeProfile *profile, double diameter_mm)
{
  const char *best = NULL;
  double best_dist = G_MAXDOUBLE;

  for (guint i = 0; i < profile->n_codes; i++) {
    const PtSizeCode *c = &profile->codes[i];
    double dist = fabs(diameter_mm - 0.5 * (c->min_mm + c->max_mm));

    if (diameter_mm < c->min_mm || diameter_mm > c->max_mm)
      continue;
    if (dist < best_dist) {
      best_dist = dist;
      best = c->code;
    }
  }
  return best;
}

double
pt_grade_profile_estimate_weight(const PtGradeProfile *profile, double diameter_mm,
                                 double length_mm)
{
  return profile->weight_k * diameter_mm * diameter_mm * length_mm / 1000.0;
}

double
pt_grade_profile_nominal_diameter(const PtGradeProfile *profile)
{
  double lo = G_MAXDOUBLE, hi = 0;

  if (profile->nominal_diameter_mm > 0)
    return profile->nominal_diameter_mm;
  for (guint i = 0; i < profile->n_codes; i++) {
    lo = MIN(lo, profile->codes[i].min_mm);
    hi = MAX(hi, profile->codes[i].max_mm);
  }
  if (hi > 0 && hi >= lo)
    return 0.5 * (lo + hi);
  return profile->min_diameter_mm > 0 ? 1.5 * profile->min_diameter_mm
                                      : PT_PROFILE_FALLBACK_DIAMETER_MM;
}
