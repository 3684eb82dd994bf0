/* eval-formats.c: YOLO label files and their class names (classes.txt, obj.names,
 * data.yaml), a CSV of image,label, and what a label says (sound or defective, which fruit)
 * for eval-real.  The sets are what people hand over: written by annotation tools and
 * spreadsheets, so a header row, quoted cells, a byte-order mark, CRLF line ends and a
 * confidence column are taken as they come, and anything else is refused with its file and
 * line rather than scored wrong. */
#include "eval-formats.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <math.h>
#include <string.h>

/* A text file read whole (a label file, a class list, a CSV): bounded so that a wrong path
 * to a huge file fails at once rather than filling memory.  A CSV of a million photos fits. */
#define EVAL_MAX_TEXT_BYTES (64 * 1024 * 1024)

/* How far past 0..1 a normalised YOLO value may go (annotation tools round a box at the
 * image's edge to 1.000001); beyond it the file is in pixels or broken. */
#define YOLO_SLACK 0.01

void
eval_photo_free(gpointer data)
{
  EvalPhoto *p = data;

  g_free(p->name);
  g_free(p->image);
  g_free(p->where);
  g_free(p->label);
  g_free(p);
}

static EvalPhoto *
photo_new(const char *name, const char *image, const char *where, const char *label)
{
  EvalPhoto *p = g_new0(EvalPhoto, 1);

  p->name = g_strdup(name);
  p->image = g_strdup(image);
  p->where = g_strdup(where);
  p->label = g_strdup(label);
  return p;
}

/* @path's lines (transfer full), CR and a UTF-8 byte-order mark dropped. */
static char **
read_lines(const char *path, GError **error)
{
  g_autofree char *text = NULL;
  gsize len;
  GStatBuf st;
  char **lines;

  if (g_stat(path, &st) == 0 && st.st_size > EVAL_MAX_TEXT_BYTES) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: larger than %d MiB", path,
                EVAL_MAX_TEXT_BYTES / (1024 * 1024));
    return NULL;
  }
  if (!g_file_get_contents(path, &text, &len, error))
    return NULL;
  if (strlen(text) != len) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a text file (a NUL byte)", path);
    return NULL;
  }
  lines = g_strsplit(g_str_has_prefix(text, "\xEF\xBB\xBF") ? text + 3 : text, "\n", -1);
  for (char **l = lines; *l; l++)
    if (g_str_has_suffix(*l, "\r"))
      (*l)[strlen(*l) - 1] = '\0';
  return lines;
}

/* A YAML scalar as written: quotes and a trailing comment dropped.  (transfer full) */
static char *
yaml_scalar(const char *text)
{
  char *s = g_strstrip(g_strdup(text));
  gsize n = strlen(s);
  char *hash;

  if (n >= 2 && (s[0] == '\'' || s[0] == '"') && s[n - 1] == s[0]) {
    memmove(s, s + 1, n - 2);
    s[n - 2] = '\0';
    return s;
  }
  if ((hash = strstr(s, " #")))
    *hash = '\0';
  return g_strstrip(s);
}

/* Puts @name at @index of @classes, growing it; an index named twice is an error. */
static gboolean
set_class(GPtrArray *classes, const char *index, const char *name, const char *where,
          GError **error)
{
  guint64 k;

  if (!g_ascii_string_to_unsigned(index, 10, 0, 9999, &k, NULL)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: '%s' is not a class index", where,
                index);
    return FALSE;
  }
  if (k >= classes->len)
    g_ptr_array_set_size(classes, (guint)k + 1);
  if (g_ptr_array_index(classes, k)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: class %u named twice", where,
                (guint)k);
    return FALSE;
  }
  g_ptr_array_index(classes, k) = yaml_scalar(name);
  return TRUE;
}

/* The items of a flow list "[a, 'b']" or map "{0: a, 1: b}" in @text (its brackets
 * included) into @classes. */
static gboolean
yaml_flow(const char *text, GPtrArray *classes, const char *where, GError **error)
{
  gboolean map = text[0] == '{';
  const char *close = strrchr(text, map ? '}' : ']');
  g_autofree char *inner = NULL;
  g_auto(GStrv) items = NULL;

  if (!close) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: names: no closing %c", where,
                map ? '}' : ']');
    return FALSE;
  }
  inner = g_strndup(text + 1, (gsize)(close - text - 1));
  items = g_strsplit(inner, ",", -1);
  for (char **it = items; *it; it++) {
    char *colon;

    if (!*g_strstrip(*it))
      continue;
    colon = strchr(*it, ':');
    if (!map)
      g_ptr_array_add(classes, yaml_scalar(*it));
    else if (!colon) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: names: '%s' is not N: name", where,
                  *it);
      return FALSE;
    } else {
      *colon = '\0';
      if (!set_class(classes, g_strstrip(*it), colon + 1, where, error))
        return FALSE;
    }
  }
  return TRUE;
}

/* data.yaml's "names:" as Ultralytics and Roboflow write it: a flow list or map on its line
 * (or running on to the closing bracket), a block list "- name" or a block map "0: name". */
static gboolean
read_yaml_names(const char *path, GPtrArray *classes, GError **error)
{
  g_auto(GStrv) lines = read_lines(path, error);
  guint i;

  if (!lines)
    return FALSE;
  for (i = 0; lines[i] && !g_str_has_prefix(lines[i], "names:"); i++)
    ;
  if (!lines[i]) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no names: key", path);
    return FALSE;
  }
  {
    g_autofree char *where = g_strdup_printf("%s:%u", path, i + 1);
    g_autofree char *rest = yaml_scalar(lines[i] + strlen("names:"));

    if (rest[0] == '[' || rest[0] == '{') {
      g_autoptr(GString) flow = g_string_new(rest);

      for (guint j = i + 1; lines[j] && !strchr(flow->str, rest[0] == '[' ? ']' : '}'); j++)
        g_string_append(g_string_append_c(flow, ' '), lines[j]);
      return yaml_flow(flow->str, classes, where, error);
    }
    if (rest[0]) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: names: is neither a list nor a map",
                  where);
      return FALSE;
    }
  }
  for (guint j = i + 1; lines[j]; j++) {
    g_autofree char *where = g_strdup_printf("%s:%u", path, j + 1);
    const char *line = lines[j];
    char *item = g_strstrip(g_strdup(line)), *colon;

    if (!item[0] || item[0] == '#') {
      g_free(item);
      continue;
    }
    /* A key of its own at the margin ends the block (a list may sit at the margin too). */
    if (line[0] != ' ' && line[0] != '\t' && item[0] != '-') {
      g_free(item);
      break;
    }
    if (item[0] == '-')
      g_ptr_array_add(classes, yaml_scalar(item + 1));
    else if ((colon = strchr(item, ':'))) {
      *colon = '\0';
      if (!set_class(classes, g_strstrip(item), colon + 1, where, error)) {
        g_free(item);
        return FALSE;
      }
    } else {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s: '%s' is neither '- name' nor 'N: name'", where, item);
      g_free(item);
      return FALSE;
    }
    g_free(item);
  }
  return TRUE;
}

gboolean
eval_read_classes(const char *root, GPtrArray *classes, const char **source, GError **error)
{
  static const char *files[] = {"classes.txt", "obj.names", "data.yaml", "data.yml"};
  g_autofree char *path = NULL;
  g_autofree char *parent = g_path_get_dirname(root);
  const char *where[2] = {root, parent};
  guint f = G_N_ELEMENTS(files);

  /* In the set's folder, else beside it: a split (train/) of an export whose data.yaml sits
   * in the folder above. */
  for (guint w = 0; w < 2 && f == G_N_ELEMENTS(files); w++)
    for (f = 0; f < G_N_ELEMENTS(files); f++) {
      g_free(path);
      path = g_build_filename(where[w], files[f], NULL);
      if (g_file_test(path, G_FILE_TEST_IS_REGULAR))
        break;
    }
  if (f == G_N_ELEMENTS(files)) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                "%s: no class names (classes.txt, obj.names or data.yaml)", root);
    return FALSE;
  }
  *source = files[f];
  if (f >= 2) {
    if (!read_yaml_names(path, classes, error))
      return FALSE;
  } else {
    g_auto(GStrv) lines = read_lines(path, error);
    guint n;

    if (!lines)
      return FALSE;
    /* One name a line; blank lines at the end are the editor's, one before a name would
     * shift every later index. */
    for (n = g_strv_length(lines); n > 0 && !*g_strstrip(lines[n - 1]); n--)
      ;
    for (guint i = 0; i < n; i++) {
      if (!*g_strstrip(lines[i])) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: empty class name", path,
                    i + 1);
        return FALSE;
      }
      g_ptr_array_add(classes, g_strdup(lines[i]));
    }
  }
  for (guint k = 0; k < classes->len; k++)
    if (!g_ptr_array_index(classes, k) || !*(char *)g_ptr_array_index(classes, k)) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no name for class %u", path, k);
      return FALSE;
    }
  if (classes->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no class names", path);
    return FALSE;
  }
  return TRUE;
}

int
eval_cmp_names(gconstpointer a, gconstpointer b)
{
  return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in @dir ending in @suffix (any case), sorted.  (transfer full) */
static GPtrArray *
list_dir(const char *dir, const char *suffix, GError **error)
{
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func(g_free);
  GDir *d = g_dir_open(dir, 0, error);
  const char *entry;

  if (!d)
    return NULL;
  while ((entry = g_dir_read_name(d))) {
    gsize n = strlen(entry), k = strlen(suffix);

    if (n > k && g_ascii_strcasecmp(entry + n - k, suffix) == 0)
      g_ptr_array_add(names, g_strdup(entry));
  }
  g_dir_close(d);
  g_ptr_array_sort(names, eval_cmp_names);
  return g_steal_pointer(&names);
}

/* Whether @name ends in .jpg, .jpeg, .png, .heic or .heif, in either case. */
static gboolean
is_image_name(const char *name)
{
  const char *dot = strrchr(name, '.');

  return dot && (g_ascii_strcasecmp(dot, ".jpg") == 0 || g_ascii_strcasecmp(dot, ".jpeg") == 0 ||
                 g_ascii_strcasecmp(dot, ".png") == 0 || g_ascii_strcasecmp(dot, ".heic") == 0 ||
                 g_ascii_strcasecmp(dot, ".heif") == 0);
}

/* The sorted names of @dir's entries that are folders (@folders) or photos (not). */
static GPtrArray *
list_entries(const char *dir, gboolean folders)
{
  GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
  GDir *d = g_dir_open(dir, 0, NULL);
  const char *entry;

  while (d && (entry = g_dir_read_name(d))) {
    g_autofree char *path = g_build_filename(dir, entry, NULL);

    if (entry[0] != '.' &&
        (folders ? g_file_test(path, G_FILE_TEST_IS_DIR)
                 : is_image_name(entry) && g_file_test(path, G_FILE_TEST_IS_REGULAR)))
      g_ptr_array_add(names, g_strdup(entry));
  }
  if (d)
    g_dir_close(d);
  g_ptr_array_sort(names, eval_cmp_names);
  return names;
}

/* The photo @stem.jpg, .jpeg, .png, .heic or .heif (in either case, as cameras name them
 * IMG_1234.JPG) in
 * @dir: (transfer full) its path, and its file name into @file; NULL when there is none. */
static char *
find_image(const char *dir, const char *stem, char **file)
{
  static const char *exts[] = {".jpg", ".jpeg", ".png", ".heic", ".heif",
                               ".JPG", ".JPEG", ".PNG", ".HEIC", ".HEIF"};

  for (guint e = 0; e < G_N_ELEMENTS(exts); e++) {
    g_autofree char *name = g_strconcat(stem, exts[e], NULL);
    char *image = g_build_filename(dir, name, NULL);

    if (g_file_test(image, G_FILE_TEST_IS_REGULAR)) {
      *file = g_steal_pointer(&name);
      return image;
    }
    g_free(image);
  }
  return NULL;
}

/* The first of @names that is a folder in @root: (transfer full) its path, or NULL. */
static char *
first_dir(const char *root, const char *const *names)
{
  for (; *names; names++) {
    char *dir = g_build_filename(root, *names, NULL);

    if (g_file_test(dir, G_FILE_TEST_IS_DIR))
      return dir;
    g_free(dir);
  }
  return NULL;
}

static const char *const voc_annotations[] = {"annotations", "Annotations", NULL};
static const char *const voc_images[] = {"images", "JPEGImages", NULL};

gboolean
eval_is_voc(const char *root)
{
  g_autofree char *dir = first_dir(root, voc_annotations);

  return dir != NULL;
}

/* The photos of the annotation files @dir/N@suffix (sorted by name), each with its photo N
 * in @images (an error naming the annotation when it has none), shown as "@prefix/FILE"
 * under a split (@prefix nullable). */
static gboolean
list_annotated(const char *dir, const char *suffix, const char *images, const char *prefix,
               GPtrArray *photos, GError **error)
{
  g_autoptr(GPtrArray) names = list_dir(dir, suffix, error);

  if (!names)
    return FALSE;
  for (guint i = 0; i < names->len; i++) {
    const char *name = g_ptr_array_index(names, i);
    g_autofree char *stem = g_strndup(name, strlen(name) - strlen(suffix));
    g_autofree char *where = g_build_filename(dir, name, NULL);
    g_autofree char *file = NULL;
    g_autofree char *image = NULL;
    g_autofree char *shown = NULL;

    /* Some tools keep the YOLO class list beside the label files. */
    if (strcmp(name, "classes.txt") == 0)
      continue;
    if (!(image = find_image(images, stem, &file))) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                  "%s: no image %s.jpg, .jpeg, .png, .heic or .heif in %s", where, stem, images);
      return FALSE;
    }
    shown = prefix ? g_strdup_printf("%s/%s", prefix, file) : g_strdup(file);
    g_ptr_array_add(photos, photo_new(shown, image, where, NULL));
  }
  return TRUE;
}

gboolean
eval_list_voc(const char *root, GPtrArray *photos, GError **error)
{
  g_autofree char *ann = first_dir(root, voc_annotations);
  g_autofree char *images = first_dir(root, voc_images);

  if (!ann || !images) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT, "%s: no %s folder beside %s", root,
                ann ? "images/ or JPEGImages/" : "annotations/ or Annotations/",
                ann ? "its annotations" : "its images");
    return FALSE;
  }
  return list_annotated(ann, ".xml", images, NULL, photos, error);
}

/* The sorted names of @root's folders that hold a labels/ folder: the splits of a YOLO
 * export (train, valid, test). */
static GPtrArray *
yolo_splits(const char *root)
{
  g_autoptr(GPtrArray) subs = list_entries(root, TRUE);
  GPtrArray *splits = g_ptr_array_new_with_free_func(g_free);

  for (guint i = 0; i < subs->len; i++) {
    g_autofree char *labels = g_build_filename(root, g_ptr_array_index(subs, i), "labels", NULL);

    if (g_file_test(labels, G_FILE_TEST_IS_DIR))
      g_ptr_array_add(splits, g_strdup(g_ptr_array_index(subs, i)));
  }
  return splits;
}

gboolean
eval_is_yolo(const char *root)
{
  g_autofree char *labels = g_build_filename(root, "labels", NULL);
  g_autoptr(GPtrArray) splits = NULL;

  if (g_file_test(labels, G_FILE_TEST_IS_DIR))
    return TRUE;
  splits = yolo_splits(root);
  return splits->len > 0;
}

/* The photos of the YOLO folder @root (labels/ beside images/), named "@prefix/FILE" under
 * a split. */
static gboolean
list_yolo_folder(const char *root, const char *prefix, GPtrArray *photos, GError **error)
{
  g_autofree char *labels = g_build_filename(root, "labels", NULL);
  g_autofree char *images = g_build_filename(root, "images", NULL);

  return list_annotated(labels, ".txt", images, prefix, photos, error);
}

gboolean
eval_list_yolo(const char *root, GPtrArray *photos, GError **error)
{
  g_autofree char *labels = g_build_filename(root, "labels", NULL);
  g_autoptr(GPtrArray) splits = NULL;

  if (g_file_test(labels, G_FILE_TEST_IS_DIR))
    return list_yolo_folder(root, NULL, photos, error);
  splits = yolo_splits(root);
  for (guint i = 0; i < splits->len; i++) {
    const char *split = g_ptr_array_index(splits, i);
    g_autofree char *dir = g_build_filename(root, split, NULL);

    if (!list_yolo_folder(dir, split, photos, error))
      return FALSE;
  }
  return TRUE;
}

/* The photos of class folder @dir (its name the label), as "LABEL/FILE" (or "SPLIT/LABEL/FILE"
 * under @split). */
static void
add_class_folder(const char *dir, const char *split, const char *label, GPtrArray *photos)
{
  g_autoptr(GPtrArray) files = list_entries(dir, FALSE);

  for (guint i = 0; i < files->len; i++) {
    const char *file = g_ptr_array_index(files, i);
    g_autofree char *image = g_build_filename(dir, file, NULL);
    g_autofree char *name = split ? g_strdup_printf("%s/%s/%s", split, label, file)
                                  : g_strdup_printf("%s/%s", label, file);

    g_ptr_array_add(photos, photo_new(name, image, image, label));
  }
}

gboolean
eval_list_folders(const char *root, GPtrArray *photos)
{
  g_autoptr(GPtrArray) subs = list_entries(root, TRUE);
  guint before = photos->len;

  for (guint i = 0; i < subs->len; i++) {
    const char *sub = g_ptr_array_index(subs, i);
    g_autofree char *dir = g_build_filename(root, sub, NULL);
    g_autoptr(GPtrArray) files = list_entries(dir, FALSE);

    if (files->len > 0) {
      add_class_folder(dir, NULL, sub, photos);
    } else {
      /* A split (train, valid, test) whose folders are the classes. */
      g_autoptr(GPtrArray) classes = list_entries(dir, TRUE);

      for (guint c = 0; c < classes->len; c++) {
        const char *label = g_ptr_array_index(classes, c);
        g_autofree char *class_dir = g_build_filename(dir, label, NULL);

        add_class_folder(class_dir, sub, label, photos);
      }
    }
  }
  return photos->len > before;
}

/* A normalised YOLO value, or FALSE when @text is not one. */
static gboolean
yolo_value(const char *text, double *v)
{
  char *end;

  errno = 0;
  *v = g_ascii_strtod(text, &end);
  return end != text && !*end && errno == 0 && isfinite(*v) && *v >= -YOLO_SLACK &&
         *v <= 1 + YOLO_SLACK;
}

gboolean
eval_read_yolo(const char *path, GPtrArray *classes, int width, int height, GArray *boxes,
               GError **error)
{
  static const char *what[4] = {"cx", "cy", "w", "h"};
  g_auto(GStrv) lines = read_lines(path, error);

  if (!lines)
    return FALSE;
  for (guint i = 0; lines[i]; i++) {
    g_auto(GStrv) fields = g_strsplit_set(g_strstrip(lines[i]), " \t", -1);
    const char *f[7];
    guint n = 0;
    guint64 k;
    double v[4];
    int x0, y0, x1, y1;

    for (char **p = fields; *p; p++)
      if (**p && n < G_N_ELEMENTS(f))
        f[n++] = *p;
    if (n == 0)
      continue;
    if (n != 5 && n != 6) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%u: %u fields, not \"class cx cy w h\" (and perhaps a confidence)", path,
                  i + 1, n);
      return FALSE;
    }
    if (!g_ascii_string_to_unsigned(f[0], 10, 0, G_MAXINT, &k, NULL)) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: class '%s' is not an index",
                  path, i + 1, f[0]);
      return FALSE;
    }
    if (k >= classes->len) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                  "%s:%u: class %u out of range: %u classes are named (0..%u)", path, i + 1,
                  (guint)k, classes->len, classes->len - 1);
      return FALSE;
    }
    for (int c = 0; c < 4; c++)
      if (!yolo_value(f[1 + c], &v[c]) || (c >= 2 && v[c] <= 0)) {
        g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                    "%s:%u: %s '%s' is not a size normalised to 0..1", path, i + 1, what[c],
                    f[1 + c]);
        return FALSE;
      }
    x0 = CLAMP((int)lround((v[0] - v[2] / 2) * width), 0, width);
    x1 = CLAMP((int)lround((v[0] + v[2] / 2) * width), 0, width);
    y0 = CLAMP((int)lround((v[1] - v[3] / 2) * height), 0, height);
    y1 = CLAMP((int)lround((v[1] + v[3] / 2) * height), 0, height);
    {
      EvalBox b = {g_strdup(g_ptr_array_index(classes, k)), {x0, y0, x1 - x0, y1 - y0}};

      g_array_append_val(boxes, b);
    }
  }
  return TRUE;
}

static void
eval_box_clear(gpointer data)
{
  g_free(((EvalBox *)data)->label);
}

GArray *
eval_boxes_new(void)
{
  GArray *boxes = g_array_new(FALSE, FALSE, sizeof(EvalBox));

  g_array_set_clear_func(boxes, eval_box_clear);
  return boxes;
}

char *
eval_find_csv(const char *root, GError **error)
{
  g_autoptr(GPtrArray) names = list_dir(root, ".csv", NULL);
  g_autofree char *all = NULL;

  if (!names || names->len == 0)
    return NULL;
  if (names->len == 1)
    return g_build_filename(root, g_ptr_array_index(names, 0), NULL);
  g_ptr_array_add(names, NULL);
  all = g_strjoinv(", ", (char **)names->pdata);
  g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
              "%s holds several CSV files (%s): name one with --csv FILE", root, all);
  return NULL;
}

/* Splits a CSV line into @fields: commas separate, a cell in double quotes may hold commas
 * and "" for a quote, blanks round a cell are dropped.  FALSE on an unterminated quote. */
static gboolean
csv_split(const char *line, GPtrArray *fields)
{
  const char *p = line;

  for (;;) {
    g_autoptr(GString) cell = g_string_new(NULL);

    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '"') {
      for (p++;; p++) {
        if (!*p)
          return FALSE;
        if (*p == '"' && p[1] == '"')
          g_string_append_c(cell, *p++);
        else if (*p == '"')
          break;
        else
          g_string_append_c(cell, *p);
      }
      p++;
      while (*p && *p != ',')
        p++;
    } else
      while (*p && *p != ',')
        g_string_append_c(cell, *p++);
    g_ptr_array_add(fields, g_strstrip(g_string_free(g_steal_pointer(&cell), FALSE)));
    if (!*p)
      return TRUE;
    p++;
  }
}

/* @cell's image, absolute or beside the CSV or in its images/ folder.  (transfer full) */
static char *
csv_image(const char *dir, const char *cell)
{
  g_autofree char *beside = g_build_filename(dir, cell, NULL);
  g_autofree char *in_images = g_build_filename(dir, "images", cell, NULL);

  if (g_path_is_absolute(cell))
    return g_file_test(cell, G_FILE_TEST_IS_REGULAR) ? g_strdup(cell) : NULL;
  if (g_file_test(beside, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer(&beside);
  if (g_file_test(in_images, G_FILE_TEST_IS_REGULAR))
    return g_steal_pointer(&in_images);
  return NULL;
}

gboolean
eval_list_csv(const char *path, GPtrArray *photos, GError **error)
{
  g_auto(GStrv) lines = read_lines(path, error);
  g_autofree char *dir = g_path_get_dirname(path);
  g_autoptr(GPtrArray) rows = g_ptr_array_new_with_free_func((GDestroyNotify)g_ptr_array_unref);
  g_autoptr(GArray) line_of = g_array_new(FALSE, FALSE, sizeof(guint));
  guint first = 0;

  if (!lines)
    return FALSE;
  for (guint i = 0; lines[i]; i++) {
    GPtrArray *fields;

    if (!*g_strstrip(lines[i]))
      continue;
    fields = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(rows, fields);
    g_array_append_val(line_of, i);
    if (!csv_split(lines[i], fields) || fields->len < 2 || !*(char *)g_ptr_array_index(fields, 0) ||
        !*(char *)g_ptr_array_index(fields, 1)) {
      guint n = i + 1;

      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s:%u: not a row image,label: %s", path,
                  n, fields->len < 2 ? "fewer than two cells" : "an empty or unterminated cell");
      return FALSE;
    }
  }
  if (rows->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: no rows", path);
    return FALSE;
  }
  /* A header names its columns: "label" or "class" literally, or a word that is no other
   * row's label over a first cell that is no image. */
  {
    GPtrArray *head = g_ptr_array_index(rows, 0);
    const char *second = g_ptr_array_index(head, 1);
    g_autofree char *image = csv_image(dir, g_ptr_array_index(head, 0));
    gboolean header =
        g_ascii_strcasecmp(second, "label") == 0 || g_ascii_strcasecmp(second, "class") == 0;

    if (!header && !image) {
      header = TRUE;
      for (guint r = 1; r < rows->len && header; r++)
        header = g_ascii_strcasecmp(second, g_ptr_array_index((GPtrArray *)rows->pdata[r], 1)) != 0;
    }
    first = header ? 1 : 0;
  }
  for (guint r = first; r < rows->len; r++) {
    GPtrArray *fields = g_ptr_array_index(rows, r);
    const char *cell = g_ptr_array_index(fields, 0);
    g_autofree char *where = g_strdup_printf("%s:%u", path, g_array_index(line_of, guint, r) + 1);
    g_autofree char *image = csv_image(dir, cell);

    if (!image) {
      g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_NOENT,
                  "%s: no image %s (looked beside the CSV and in its images/)", where, cell);
      return FALSE;
    }
    g_ptr_array_add(photos, photo_new(cell, image, where, g_ptr_array_index(fields, 1)));
  }
  if (photos->len == 0) {
    g_set_error(error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: a header and no rows", path);
    return FALSE;
  }
  return TRUE;
}

/* The words of a label: lower case, split on _ - and space.  (transfer full) */
static char **
label_words(const char *label)
{
  g_autofree char *lower = g_ascii_strdown(label, -1);

  return g_strsplit_set(lower, "_- ", -1);
}

static gboolean
in_list(const char *const *list, gsize n, const char *word)
{
  for (gsize i = 0; i < n; i++)
    if (strcmp(list[i], word) == 0)
      return TRUE;
  return FALSE;
}

static gboolean
named(char **labels, const char *label)
{
  for (char **l = labels; l && *l; l++)
    if (g_ascii_strcasecmp(g_strstrip(*l), label) == 0)
      return TRUE;
  return FALSE;
}

int
eval_label_side(const char *label, char **sound, char **defective)
{
  static const char *sound_words[] = {"fresh", "sound", "good", "healthy", "sell", "ok"};
  static const char *defective_words[] = {
      "rotten",    "rot",     "mould", "mold",    "mouldy",    "moldy", "bad",     "defect",
      "defective", "damaged", "decay", "decayed", "throwaway", "throw", "discard", "reject"};
  g_auto(GStrv) words = NULL;
  gboolean is_sound = FALSE, is_defective = FALSE;

  if (named(defective, label))
    return 1;
  if (named(sound, label))
    return -1;
  words = label_words(label);
  for (char **w = words; *w; w++) {
    is_sound |= in_list(sound_words, G_N_ELEMENTS(sound_words), *w);
    is_defective |= in_list(defective_words, G_N_ELEMENTS(defective_words), *w);
  }
  /* A label with words of both sides ("not_bad") says neither plainly. */
  if (is_sound == is_defective)
    return 0;
  return is_defective ? 1 : -1;
}

/* @word without a plural's ending, when it has one.  (transfer full) */
static char *
singular(const char *word)
{
  gsize n = strlen(word);

  if (n > 4 && g_str_has_suffix(word, "ies")) {
    g_autofree char *stem = g_strndup(word, n - 3);

    return g_strconcat(stem, "y", NULL);
  }
  if (n > 4 && (g_str_has_suffix(word, "oes") || g_str_has_suffix(word, "ches")))
    return g_strndup(word, n - 2);
  if (n > 3 && word[n - 1] == 's')
    return g_strndup(word, n - 1);
  return g_strdup(word);
}

gboolean
eval_label_is_ours(const char *label, const char *fruit)
{
  /* The fruit of the profiles in models/profiles, the citrus the orange profile grades, and
   * fruit no profile grades: a mixed set's boxes of those (fruit-freshness has bananas)
   * are another kind's. */
  static const struct {
    const char *word, *fruit;
  } kinds[] = {{"orange", "orange"},     {"mandarin", "orange"}, {"tangerine", "orange"},
               {"clementine", "orange"}, {"satsuma", "orange"},  {"apple", "apple"},
               {"kiwi", "kiwi"},         {"kiwifruit", "kiwi"},  {"banana", "banana"},
               {"lemon", "lemon"},       {"lime", "lime"},       {"grapefruit", "grapefruit"},
               {"pear", "pear"},         {"peach", "peach"},     {"nectarine", "nectarine"},
               {"plum", "plum"},         {"apricot", "apricot"}, {"mango", "mango"},
               {"tomato", "tomato"},     {"avocado", "avocado"}, {"pomegranate", "pomegranate"},
               {"grape", "grape"},       {"cherry", "cherry"},   {"strawberry", "strawberry"}};
  g_auto(GStrv) words = label_words(label);
  gboolean names_fruit = FALSE;

  for (char **w = words; *w; w++) {
    g_autofree char *one = singular(*w);

    if (strcmp(*w, fruit) == 0 || strcmp(one, fruit) == 0)
      return TRUE;
    for (gsize k = 0; k < G_N_ELEMENTS(kinds); k++)
      if (strcmp(*w, kinds[k].word) == 0 || strcmp(one, kinds[k].word) == 0) {
        if (strcmp(kinds[k].fruit, fruit) == 0)
          return TRUE;
        names_fruit = TRUE;
      }
  }
  return !names_fruit;
}
