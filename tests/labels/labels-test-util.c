/* labels-test-util.c: see labels-test-util.h. */
#include "labels-test-util.h"

#include <stdio.h>
#include <string.h>

const PtLabelContent pt_test_content = {
    .gtin = "09506000134352",
    .lot = "ZG2611250007",
    .pack_date = "261125",
    .harvest_date = "261120",
    .link_host = "trace.example.coop",
    .product_en = "Apples",
    .product_zh = "苹果",
    .variety_en = "Fuji",
    .variety_zh = "富士",
    .origin_en = "Aksu, Xinjiang, China",
    .origin_zh = "中国新疆阿克苏",
    .grade_en = "Class I",
    .grade_zh = "一级",
    .grower = "Hongfu Orchard Co-op",
    .supplier_name = "Aksu Fruit Growers Co-op",
    .supplier_address = "88 Orchard Road, Aksu, Xinjiang 843000, China",
    .pack_size = "18 kg carton, 80 ct",
    .quantity = 18,
    .uom = "kg",
};

gboolean
pt_test_have(const char *tool)
{
  g_autofree char *path = g_find_program_in_path(tool);
  return path != NULL;
}

char *
pt_test_run(const char *const *argv, gsize *len_out)
{
  g_autofree char *out = NULL, *err = NULL;
  gint status = 0;
  g_autoptr(GError) error = NULL;
  gsize len = 0;
  if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status,
                    &error)) {
    g_test_message("%s: %s", argv[0], error->message);
    return NULL;
  }
  if (!g_spawn_check_wait_status(status, &error)) {
    g_test_message("%s: %s; stderr: %s", argv[0], error->message, err);
    return NULL;
  }
  /* Output may hold NULs in theory; spawn gives a NUL-terminated buffer. */
  len = strlen(out);
  if (len_out)
    *len_out = len;
  return g_steal_pointer(&out);
}

char *
pt_test_write(const char *dir, const char *name, GBytes *bytes)
{
  char *path = g_build_filename(dir, name, NULL);
  gsize n;
  const char *data = g_bytes_get_data(bytes, &n);
  g_assert_true(g_file_set_contents(path, data, (gssize)n, NULL));
  return path;
}

GPtrArray *
pt_test_zbar(const char *path)
{
  GPtrArray *symbols = g_ptr_array_new_with_free_func(g_free);
  const char *argv[] = {"zbarimg", "--quiet", "--raw", path, NULL};
  g_autofree char *out = pt_test_run(argv, NULL);
  if (!out)
    return symbols;
  g_auto(GStrv) lines = g_strsplit(out, "\n", -1);
  for (char **l = lines; *l; l++)
    if (**l)
      g_ptr_array_add(symbols, g_strdup(*l));
  return symbols;
}

char *
pt_test_zpl_field(const char *zpl, const char *command)
{
  const char *p = strstr(zpl, command);
  if (!p)
    return NULL;
  const char *fd = strstr(p, "^FD");
  if (!fd)
    return NULL;
  fd += 3;
  const char *fs = strstr(fd, "^FS");
  if (!fs)
    return NULL;
  return g_strndup(fd, (gsize)(fs - fd));
}

static int
hexval(char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

/* Expands ZPL compressed ASCII hex (the documented scheme, written independently of
 * the encoder) into @rows x @bpr bytes. */
static gboolean
expand_gfa(const char *p, const char *end, guint8 *out, int bpr, int rows)
{
  GString *prev = g_string_new(NULL);
  int r = 0;
  gboolean ok = TRUE;
  while (r < rows && ok) {
    GString *row = g_string_new(NULL);
    while (p < end && (int)row->len < 2 * bpr) {
      char c = *p++;
      int count = 0;
      while ((c >= 'G' && c <= 'Y') || (c >= 'g' && c <= 'z')) {
        count += c >= 'g' ? (c - 'g' + 1) * 20 : c - 'G' + 1;
        c = p < end ? *p++ : '\0';
      }
      if (c == ',') {
        while ((int)row->len < 2 * bpr)
          g_string_append_c(row, '0');
      } else if (c == '!') {
        while ((int)row->len < 2 * bpr)
          g_string_append_c(row, 'F');
      } else if (c == ':') {
        g_string_assign(row, prev->str);
      } else if (hexval(c) >= 0) {
        for (int i = 0; i < MAX(count, 1); i++)
          g_string_append_c(row, c);
      } else {
        ok = FALSE;
        break;
      }
    }
    if ((int)row->len != 2 * bpr)
      ok = FALSE;
    for (int i = 0; ok && i < bpr; i++)
      out[r * bpr + i] = (guint8)(hexval(row->str[2 * i]) * 16 + hexval(row->str[2 * i + 1]));
    g_string_assign(prev, row->str);
    g_string_free(row, TRUE);
    r++;
  }
  g_string_free(prev, TRUE);
  return ok && r == rows && p == end;
}

long
pt_test_zpl_graphic_dots(const char *zpl)
{
  long dots = 0;
  for (const char *p = strstr(zpl, "^GFA,"); p; p = strstr(p + 1, "^GFA,")) {
    unsigned total = 0, total2 = 0, bpr = 0;
    int consumed = 0;
    if (sscanf(p, "^GFA,%u,%u,%u,%n", &total, &total2, &bpr, &consumed) != 3 || total != total2 ||
        bpr == 0 || total % bpr != 0) {
      g_test_message("malformed ^GFA header at '%.30s'", p);
      return -1;
    }
    const char *data = p + consumed;
    const char *end = strstr(data, "^FS");
    if (!end)
      return -1;
    g_autofree guint8 *bits = g_malloc(total);
    if (!expand_gfa(data, end, bits, (int)bpr, (int)(total / bpr))) {
      g_test_message("^GFA data does not expand to %u bytes at '%.30s'", total, p);
      return -1;
    }
    for (unsigned i = 0; i < total; i++)
      dots += __builtin_popcount(bits[i]);
  }
  return dots;
}
